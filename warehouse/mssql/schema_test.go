package mssql

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/genexp/genexp/qc"
)

func schemaText(t *testing.T) string {
	t.Helper()
	b, err := schemaFS.ReadFile("schema/001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// ddlTable is one CREATE TABLE of the schema.
type ddlTable struct {
	name    string
	body    string
	columns []ddlColumn
}

type ddlColumn struct {
	name, typ string
	// collation is the COLLATE the column declares, "" for none (the
	// database's default).
	collation string
	notNull   bool
	// implicit: the server fills it (a default, an identity, a computed
	// column), so a bulk copy may leave it out.
	implicit bool
}

var (
	createTable     = regexp.MustCompile(`(?m)^CREATE TABLE ([\w.]+) \(`)
	columnCollation = regexp.MustCompile(`(?i)\bCOLLATE\s+(\w+)`)
)

// parseTables reads the CREATE TABLE statements, in order.
func parseTables(t *testing.T, ddl string) []ddlTable {
	t.Helper()
	var out []ddlTable
	for _, m := range createTable.FindAllStringSubmatchIndex(ddl, -1) {
		name := ddl[m[2]:m[3]]
		depth, end := 1, -1
		for i := m[1]; i < len(ddl) && end < 0; i++ {
			switch ddl[i] {
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 {
					end = i
				}
			}
		}
		body := ddl[m[1]:end]
		tb := ddlTable{name: name, body: body}
		for _, item := range splitTopLevel(body) {
			item = strings.TrimSpace(stripLineComments(item))
			fields := strings.Fields(item)
			if len(fields) < 2 || slices.Contains([]string{"CONSTRAINT", "INDEX", "PRIMARY", "UNIQUE", "FOREIGN", "CHECK"}, fields[0]) {
				continue
			}
			up := strings.ToUpper(item)
			c := ddlColumn{name: fields[0], typ: strings.ToUpper(fields[1]), notNull: strings.Contains(up, "NOT NULL")}
			c.implicit = strings.Contains(up, " DEFAULT ") || strings.Contains(up, "IDENTITY") || fields[1] == "AS"
			if m := columnCollation.FindStringSubmatch(item); m != nil {
				c.collation = m[1]
			}
			tb.columns = append(tb.columns, c)
		}
		out = append(out, tb)
	}
	return out
}

func splitTopLevel(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// tableByName finds a table as the whole schema leaves it: created by any
// version, with the columns later versions add (ALTER TABLE … ADD).
func tableByName(t *testing.T, name string) ddlTable {
	t.Helper()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, m := range ms {
		for _, b := range m.batches {
			all.WriteString(b + "\n")
		}
	}
	for _, tb := range parseTables(t, all.String()) {
		if tb.name != name {
			continue
		}
		for _, m := range addColumn.FindAllStringSubmatch(all.String(), -1) {
			if m[1] == name {
				tb.columns = append(tb.columns, ddlColumn{name: m[2], typ: strings.ToUpper(m[3]), notNull: strings.Contains(strings.ToUpper(m[4]), "NOT NULL")})
			}
		}
		return tb
	}
	t.Fatalf("the schema has no table %s", name)
	return ddlTable{}
}

var addColumn = regexp.MustCompile(`(?m)^ALTER TABLE ([\w.]+) ADD (\w+) ([\w()]+)([^;]*);`)

var references = regexp.MustCompile(`REFERENCES ([\w.]+)`)

// Defect 6: a table may only reference tables created before it.
func TestSchemaCreatesParentsFirst(t *testing.T) {
	created := map[string]bool{}
	for _, tb := range parseTables(t, schemaText(t)) {
		for _, m := range references.FindAllStringSubmatch(tb.body, -1) {
			if !created[m[1]] {
				t.Errorf("%s references %s before it is created", tb.name, m[1])
			}
		}
		created[tb.name] = true
	}
	if len(created) < 15 {
		t.Fatalf("parsed only %d tables", len(created))
	}
}

var (
	uniqueColumn = regexp.MustCompile(`(?m)^\s+(\w+)\s[^\n]*\b(?:UNIQUE|PRIMARY KEY)\b`)
	createIndex  = regexp.MustCompile(`(?i)CREATE (?:UNIQUE )?(?:NONCLUSTERED )?INDEX \w+\s+ON ([\w.]+)\s*\((\w+)[ ,)]`)
)

// Defect 9: no index repeats the one a UNIQUE or PRIMARY KEY constraint
// already builds.
func TestSchemaHasNoDuplicateIndexes(t *testing.T) {
	ddl := schemaText(t)
	unique := map[string]bool{}
	for _, tb := range parseTables(t, ddl) {
		for _, m := range uniqueColumn.FindAllStringSubmatch(tb.body, -1) {
			unique[tb.name+"."+m[1]] = true
		}
	}
	for _, want := range []string{"dbo.dim_sample.sample_accession_code", "dbo.dim_gene.gene_id", "dbo.dim_study.study_accession_code", "dbo.dim_platform.platform_accession"} {
		if !unique[want] {
			t.Errorf("%s is not a UNIQUE business key", want)
		}
	}
	for _, m := range createIndex.FindAllStringSubmatch(ddl+"\n"+stmtGeneIndex, -1) {
		table := m[1]
		if !strings.Contains(table, ".") {
			table = "dbo." + table
		}
		if unique[table+"."+m[2]] {
			t.Errorf("index on %s(%s) duplicates its UNIQUE constraint", m[1], m[2])
		}
	}
}

// Defects 3 and 4: the fact is a clustered columnstore with no clustered
// (or any) primary key, and its other index is a separate statement.
func TestSchemaFact(t *testing.T) {
	ddl := schemaText(t)
	fact := tableByName(t, "dbo.fact_gene_expression")
	if strings.Contains(fact.body, "PRIMARY KEY") || strings.Contains(fact.body, "IDENTITY") {
		t.Error("fact_gene_expression has a key column; a columnstore fact has none")
	}
	if strings.Contains(fact.body, "INDEX ") {
		t.Error("fact_gene_expression declares an inline index")
	}
	if !regexp.MustCompile(`CREATE CLUSTERED COLUMNSTORE INDEX \w+\s+ON dbo\.fact_gene_expression`).MatchString(ddl) {
		t.Error("fact_gene_expression has no clustered columnstore index")
	}
	var log2 string
	for _, item := range splitTopLevel(fact.body) {
		if strings.Contains(item, "expression_log2_value") {
			log2 = item
		}
	}
	if !strings.Contains(log2, "AS (CASE WHEN expression_value > 0 THEN LOG(expression_value, 2) END)") || strings.Contains(log2, "PERSISTED") {
		t.Errorf("log2 column %q: want a computed column that is not PERSISTED (a columnstore cannot hold one)", log2)
	}
	for _, fk := range []string{"dbo.dim_study (study_key)", "dbo.dim_sample (sample_key)", "dbo.dim_gene (gene_key)"} {
		if !strings.Contains(fact.body, "REFERENCES "+fk) {
			t.Errorf("fact_gene_expression has no foreign key to %s", fk)
		}
	}
}

var (
	boundaries = regexp.MustCompile(`(?s)CREATE PARTITION FUNCTION pf_study_bucket \(SMALLINT\)\s+AS RANGE RIGHT FOR VALUES \(([^)]*)\)`)
	modulus    = regexp.MustCompile(`(?:study_key|@p\d+) % (\d+)`)
)

// Defect 5: the partitioning keeps working for any number of studies, and
// every statement computes the bucket with the partition function's
// modulus.
func TestSchemaPartitionsByBucket(t *testing.T) {
	ddl := schemaText(t)
	m := boundaries.FindStringSubmatch(ddl)
	if m == nil {
		t.Fatal("no partition function pf_study_bucket")
	}
	var values []int
	for _, v := range strings.Split(m[1], ",") {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			t.Fatal(err)
		}
		values = append(values, n)
	}
	for i, v := range values {
		if v != i+1 {
			t.Fatalf("boundary %d is %d, want %d (buckets 0..n-1, one per partition)", i, v, i+1)
		}
	}
	partitions := len(values) + 1
	texts := []string{ddl}
	for _, s := range statements {
		texts = append(texts, s)
	}
	uses := 0
	for _, s := range texts {
		for _, mm := range modulus.FindAllStringSubmatch(s, -1) {
			uses++
			if n, _ := strconv.Atoi(mm[1]); n != partitions {
				t.Errorf("a statement computes a bucket %% %d, want %% %d (the partition count)", n, partitions)
			}
		}
	}
	if uses < 4 {
		t.Fatalf("found %d bucket computations, want the check constraint and the fact statements", uses)
	}
	if !strings.Contains(ddl, "ON ps_study_bucket (study_bucket)") {
		t.Error("the fact is not on the partition scheme")
	}
}

// Defect 8: views are CREATE OR ALTER, each first in its batch, in every
// migration; the cohort median is PERCENTILE_CONT … OVER, and no sample is
// dropped for lacking an illness.
func TestSchemaViews(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	views, cohortViews := 0, 0
	median := regexp.MustCompile(`PERCENTILE_CONT\(0\.5\) WITHIN GROUP \(ORDER BY fe\.expression_value\)\s+OVER \(PARTITION BY `)
	for i, m := range ms {
		for _, b := range m.batches {
			body := strings.TrimSpace(stripLineComments(b))
			if !strings.Contains(body, " VIEW ") {
				continue
			}
			if i == 0 {
				views++
			}
			if strings.Contains(body, "VIEW analytics.vw_expression_by_cohort ") {
				cohortViews++
				if !median.MatchString(body) {
					t.Errorf("migration %d: vw_expression_by_cohort does not compute the median with PERCENTILE_CONT … OVER (PARTITION BY …)", i+1)
				}
			}
			if !strings.HasPrefix(body, "CREATE OR ALTER VIEW ") {
				t.Errorf("migration %d: a view batch does not start with CREATE OR ALTER VIEW:\n%s", i+1, body)
			}
			if strings.Count(body, " VIEW ") != 1 {
				t.Errorf("migration %d: a batch creates more than one view", i+1)
			}
			if strings.Contains(body, "JOIN dbo.dim_illness") && !strings.Contains(body, "LEFT JOIN dbo.dim_illness") {
				t.Errorf("migration %d: a view inner-joins dim_illness:\n%s", i+1, body)
			}
		}
	}
	if cohortViews < 2 {
		t.Errorf("vw_expression_by_cohort defined %d times, want it in 001 and again in 004", cohortViews)
	}
	for _, m := range ms {
		for _, b := range m.batches {
			if body := stripLineComments(b); strings.Contains(body, "CREATE SCHEMA") && !strings.Contains(body, "EXEC (N'CREATE SCHEMA") {
				t.Error("CREATE SCHEMA must be alone in its batch; create it through EXEC")
			}
		}
	}
	if views != 4 {
		t.Errorf("found %d view batches in 001, want 4", views)
	}
}

func TestSplitBatches(t *testing.T) {
	script := "-- header\r\nCREATE TABLE a (go_term INT);\r\nGO\r\n  go  \nSELECT 'GO';\nGOTO x;\nGO\n-- only a comment\nGO\n"
	got := splitBatches(script)
	want := []string{"-- header\r\nCREATE TABLE a (go_term INT);", "SELECT 'GO';\nGOTO x;"}
	if !slices.Equal(got, want) {
		t.Fatalf("splitBatches = %q, want %q", got, want)
	}
}

func TestMigrationsAreNumberedFromOne(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range ms {
		if m.version != i+1 || len(m.batches) == 0 {
			t.Fatalf("migration %d is version %d with %d batches", i, m.version, len(m.batches))
		}
	}
	if SchemaVersion() != len(ms) {
		t.Fatalf("SchemaVersion %d, want %d", SchemaVersion(), len(ms))
	}
}

func TestMigrateCreatesOnceAndRefusesNewer(t *testing.T) {
	s := newFakeServer(t)
	cfg := testConfig(100)
	cfg.ReadCommittedSnapshot = true
	w := s.open(t, cfg)
	ctx := context.Background()
	if err := w.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	ms, _ := migrations()
	want := []string{"schema_version_exists"}
	for _, m := range ms {
		want = append(want, "session_options", "BEGIN", "migrate_lock", "schema_version_table", "schema_version_read")
		for i := range m.batches {
			want = append(want, fmt.Sprintf("schema_%03d_batch_%d", m.version, i+1))
		}
		switch {
		case m.version < checksumVersion:
			want = append(want, "schema_version_write")
		case m.version == checksumVersion:
			// The versions applied before the checksum column existed get
			// their checksums with the version that adds it.
			want = append(want, "schema_version_record")
			for range checksumVersion - 1 {
				want = append(want, "schema_checksum_write")
			}
		default:
			want = append(want, "schema_version_record")
		}
		want = append(want, "COMMIT")
	}
	want = append(want, "rcsi_read", "rcsi_enable")
	if got := s.names(); !slices.Equal(got, want) {
		t.Fatalf("first Migrate ran\n %q\nwant\n %q", got, want)
	}
	if s.version != int64(len(ms)) || !s.rcsi {
		t.Fatalf("after Migrate: version %d, RCSI %v", s.version, s.rcsi)
	}
	for _, m := range ms {
		if got := s.checksums[int64(m.version)]; got != m.checksum {
			t.Errorf("version %d recorded with checksum %q, want %q", m.version, got, m.checksum)
		}
	}
	// Again: nothing to do but check the checksums.
	before := len(s.names())
	if err := w.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if got := s.names()[before:]; !slices.Equal(got, []string{"schema_version_exists", "schema_version_read", "schema_checksums", "rcsi_read"}) {
		t.Fatalf("second Migrate ran %q", got)
	}
	// A newer warehouse is refused, untouched.
	s.version = int64(len(ms) + 1)
	before = len(s.names())
	err := w.Migrate(ctx)
	if !errors.Is(err, qc.SchemaVersion) || !strings.Contains(err.Error(), fmt.Sprintf("schema version %d", len(ms)+1)) {
		t.Fatalf("Migrate of a newer warehouse: %v", err)
	}
	if got := s.names()[before:]; slices.Contains(got, "BEGIN") {
		t.Fatalf("Migrate of a newer warehouse ran %q", got)
	}
}

func TestMigrateSkipsWhatAnotherProcessApplied(t *testing.T) {
	s := newFakeServer(t)
	w := s.open(t, testConfig(100))
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	// Between Migrate's first read of the version and its lock, another
	// process applied version 1.
	s.version = 1
	if applied, err := w.apply(context.Background(), ms[0], 1, nil); err != nil || applied {
		t.Fatalf("apply = %v, %v; want nothing applied", applied, err)
	}
	want := []string{"session_options", "BEGIN", "migrate_lock", "schema_version_table", "schema_version_read", "COMMIT"}
	if got := s.names(); !slices.Equal(got, want) {
		t.Fatalf("apply ran %q, want %q", got, want)
	}
}

// TestMigrateBusyIsBusy: a migration whose lock another migration holds
// is WarehouseBusy, not a schema that does not match (it was both, and the
// CLI said "the warehouse schema does not match this genexp").
func TestMigrateBusyIsBusy(t *testing.T) {
	s := newFakeServer(t)
	w := s.open(t, testConfig(100))
	s.lockResult = -1
	err := w.Migrate(context.Background())
	var e *qc.Error
	if !errors.As(err, &e) || e.Code != qc.WarehouseBusy || errors.Is(err, qc.SchemaVersion) {
		t.Fatalf("Migrate with its lock taken: %v, want WarehouseBusy alone", err)
	}
	if !strings.Contains(err.Error(), "migrating to schema version 1") {
		t.Errorf("%v: want it to say which migration waited", err)
	}
}
