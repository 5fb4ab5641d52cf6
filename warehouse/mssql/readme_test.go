package mssql

import (
	"context"
	"database/sql/driver"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/genexp/genexp/warehouse"
)

// The README's Permissions section is what a DBA runs. These tests derive
// the permissions each statement needs from its text and check that the
// README grants them to the login that runs it: the schema owner runs the
// migrations, the loader everything else.

// readmeGrants reads the README's SQL: GRANT … ON SCHEMA::s / DATABASE /
// USER::u / OBJECT::s.t TO p, GRANT perm TO p, and ALTER ROLE r ADD MEMBER u. It returns,
// per user, the permissions it holds directly or through its roles, as
// "PERM ON target" or "ROLE name".
func readmeGrants(t *testing.T) (map[string]map[string]bool, string) {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, "## Permissions")
	if start < 0 {
		t.Fatal("README.md has no Permissions section")
	}
	section := readme[start:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	direct := map[string]map[string]bool{}
	add := func(who, what string) {
		if direct[who] == nil {
			direct[who] = map[string]bool{}
		}
		direct[who][what] = true
	}
	grant := regexp.MustCompile(`(?m)^GRANT ([A-Z ,]+?)(?:\s+ON\s+(\w+)::([\w.]+))?\s+TO\s+(\w+);`)
	for _, m := range grant.FindAllStringSubmatch(section, -1) {
		target := "DATABASE"
		if m[2] != "" {
			target = m[2] + "::" + m[3]
		}
		for _, p := range strings.Split(m[1], ",") {
			add(m[4], strings.TrimSpace(p)+" ON "+target)
		}
	}
	members := map[string][]string{}
	member := regexp.MustCompile(`(?m)^ALTER ROLE (\w+) ADD MEMBER (\w+);`)
	for _, m := range member.FindAllStringSubmatch(section, -1) {
		members[m[2]] = append(members[m[2]], m[1])
	}
	eff := map[string]map[string]bool{}
	for user := range direct {
		members[user] = append(members[user], []string{}...)
	}
	for user, roles := range members {
		eff[user] = map[string]bool{}
		for p := range direct[user] {
			eff[user][p] = true
		}
		for _, r := range roles {
			eff[user]["ROLE "+r] = true
			for p := range direct[r] {
				eff[user][p] = true
			}
		}
	}
	return eff, readme
}

var (
	reSelect   = regexp.MustCompile(`(?i)\b(?:FROM|JOIN)\s+(dbo|staging)\.\w+`)
	reInsert   = regexp.MustCompile(`(?i)\bINSERT\s+INTO\s+(dbo|staging)\.\w+`)
	reUpdate   = regexp.MustCompile(`(?i)\bUPDATE\s+(dbo|staging)\.\w+`)
	reUpdateAs = regexp.MustCompile(`(?i)\bUPDATE\s+(\w+)\s+SET\b`)
	reDelete   = regexp.MustCompile(`(?i)\bDELETE\s+FROM\s+(dbo|staging)\.\w+`)
	reMerge    = regexp.MustCompile(`(?i)\bMERGE\s+(dbo|staging)\.\w+`)
	reNextVal  = regexp.MustCompile(`(?i)\bNEXT\s+VALUE\s+FOR\s+(dbo|staging)\.\w+`)
	reDDL      = regexp.MustCompile(`(?i)\b(?:CREATE|ALTER)\s+(?:TABLE|VIEW|OR ALTER VIEW|INDEX|NONCLUSTERED INDEX|UNIQUE INDEX|CLUSTERED COLUMNSTORE INDEX|SEQUENCE|PARTITION|SCHEMA)\b`)
)

// needs lists the permissions one statement needs, as "PERM ON SCHEMA::s",
// "ALTER ON DATABASE::genexp", "IMPERSONATE ON USER::dbo" or "DDL". It errs
// on the side of asking: a view's FROM counts as a SELECT, which creating
// the view does not need.
func needs(stmt string) []string {
	stmt = stripLineComments(stmt)
	set := map[string]bool{}
	on := func(perm string, re *regexp.Regexp) {
		for _, m := range re.FindAllStringSubmatch(stmt, -1) {
			set[perm+" ON SCHEMA::"+strings.ToLower(m[1])] = true
		}
	}
	on("SELECT", reSelect)
	on("INSERT", reInsert)
	on("UPDATE", reUpdate)
	on("UPDATE", reNextVal)
	on("DELETE", reDelete)
	for _, m := range reMerge.FindAllStringSubmatch(stmt, -1) {
		s := " ON SCHEMA::" + strings.ToLower(m[1])
		set["SELECT"+s] = true
		if strings.Contains(stmt, "NOT MATCHED BY TARGET THEN") {
			set["INSERT"+s] = true
		}
		if regexp.MustCompile(`THEN\s+UPDATE`).MatchString(stmt) {
			set["UPDATE"+s] = true
		}
		if regexp.MustCompile(`THEN\s+DELETE`).MatchString(stmt) {
			set["DELETE"+s] = true
		}
	}
	// UPDATE alias SET … FROM schema.table AS alias
	for _, m := range reUpdateAs.FindAllStringSubmatch(stmt, -1) {
		if t := regexp.MustCompile(`(?i)(dbo|staging)\.\w+\s+AS\s+` + m[1] + `\b`).FindStringSubmatch(stmt); t != nil {
			set["UPDATE ON SCHEMA::"+strings.ToLower(t[1])] = true
		}
	}
	if reDDL.MatchString(stmt) {
		set["DDL"] = true
	}
	if regexp.MustCompile(`(?i)\bALTER\s+DATABASE\b`).MatchString(stmt) {
		set["ALTER ON DATABASE::genexp"] = true
	}
	if regexp.MustCompile(`(?i)\bAUTHORIZATION\s+dbo\b`).MatchString(stmt) {
		set["IMPERSONATE ON USER::dbo"] = true
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// holds reports whether a user with perms may do p.
func holds(perms map[string]bool, p string) bool {
	if perms["ROLE db_owner"] {
		return true
	}
	if p == "DDL" {
		return perms["ROLE db_ddladmin"]
	}
	return perms[p]
}

// migrationStatements are the statements only init (a migration) runs.
var migrationStatements = map[string]bool{"schema_version_table": true, "schema_version_write": true,
	"schema_version_record": true, "schema_checksum_write": true,
	"migrate_lock": true, "rcsi_enable": true, "gene_index": true}

func TestReadmeGrantsCoverTheStatements(t *testing.T) {
	grants, readme := readmeGrants(t)
	admin, loader := grants["genexp_admin"], grants["genexp_loader"]
	if admin == nil || loader == nil {
		t.Fatalf("the README grants nothing to genexp_admin or genexp_loader (users found: %v)", grants)
	}
	stmts := goldenStatements(t)
	for name, stmt := range stmts {
		var who string
		var perms map[string]bool
		switch {
		case strings.HasPrefix(name, "schema_0") || migrationStatements[name]:
			who, perms = "genexp_admin", admin
		default:
			who, perms = "genexp_loader", loader
		}
		if strings.HasPrefix(name, "copy_") {
			// INSERT BULK: INSERT, and SELECT for the driver's metadata query.
			s := strings.SplitN(strings.Split(stmt, "INSERT BULK [")[1], "]", 2)[0]
			stmt = "SELECT * FROM " + s + ".x; INSERT INTO " + s + ".x"
		}
		for _, p := range needs(stmt) {
			if !holds(perms, p) {
				t.Errorf("%s needs %s, which the README does not give %s", name, p, who)
			}
		}
	}
	// Migrating also reads the version the loader reads.
	for _, p := range needs(stmtSchemaVersionRead) {
		if !holds(admin, p) {
			t.Errorf("migrating needs %s, which the README does not give genexp_admin", p)
		}
	}
	// init creates the schema: the README's own init command must use the
	// login that may.
	for _, line := range strings.Split(readme, "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "genexp" && f[1] == "init" && strings.Contains(line, "sqlserver://") {
			if !strings.Contains(line, "sqlserver://genexp_admin:") {
				t.Errorf("the README runs init with a login that cannot migrate: %s", line)
			}
		}
	}
}

// The derivation finds what a statement needs, or the test above proves
// nothing.
func TestNeeds(t *testing.T) {
	tests := map[string][]string{
		stmtSchemaVersionRead:  {"SELECT ON SCHEMA::dbo"},
		stmtSchemaVersionWrite: {"INSERT ON SCHEMA::dbo"},
		stmtNextLoadKey:        {"UPDATE ON SCHEMA::staging"},
		stmtClassifyBatches:    {"SELECT ON SCHEMA::dbo", "SELECT ON SCHEMA::staging", "UPDATE ON SCHEMA::staging"},
		stmtMergeGenes:         {"INSERT ON SCHEMA::dbo", "SELECT ON SCHEMA::dbo", "SELECT ON SCHEMA::staging"},
		stmtRCSIEnable:         {"ALTER ON DATABASE::genexp"},
		stmtClearLoad:          {"DELETE ON SCHEMA::staging", "SELECT ON SCHEMA::staging"},
	}
	for stmt, want := range tests {
		if got := needs(stmt); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("needs(%.40q…) = %v, want %v", stmt, got, want)
		}
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(needs(ms[0].batches[0]+"\n"+ms[0].batches[1]), "|")
	for _, want := range []string{"DDL", "IMPERSONATE ON USER::dbo", "INSERT ON SCHEMA::dbo"} {
		if !strings.Contains(got, want) {
			t.Errorf("schema 001 needs %s; derived %s", want, got)
		}
	}
}

// reRead finds the tables a statement reads, or looks up by name.
var reRead = regexp.MustCompile(`(?i)(?:\b(?:FROM|JOIN)\s+|\bOBJECT_ID\(N')((dbo|staging|analytics)\.\w+)`)

// genexp health may run as a reader: every table the statements Health
// actually runs read (found by running it against the scripted driver) is
// granted to genexp_reading, by name or by schema.
func TestReadmeGrantsLetReadersCheckHealth(t *testing.T) {
	grants, _ := readmeGrants(t)
	reader := grants["genexp_reading"]
	if reader == nil {
		t.Fatalf("the README grants nothing to genexp_reading (found: %v)", grants)
	}
	s := newFakeServer(t)
	s.version = int64(SchemaVersion())
	// A study with features, so the features check reads what it reads
	// of one.
	s.featureStudies = [][]driver.Value{{int64(1), "GSE1", int64(1)}}
	s.featureTarget = map[string][]driver.Value{"GSE1": {int64(1), "GSE1-b", "MICROARRAY", "GSE1-b", int64(100), int64(5), "log2", int64(5), "x"}}
	s.featureInput = map[int64]string{1: "x"}
	w := s.open(t, Config{})
	h, err := w.Health(context.Background(), warehouse.HealthRequest{Features: true})
	if err != nil {
		t.Fatal(err)
	}
	if !h.FeaturesChecked || h.StaleFeatures != 0 {
		t.Fatalf("features checked %v, %d stale; want checked, none stale", h.FeaturesChecked, h.StaleFeatures)
	}
	read := map[string]bool{}
	for _, name := range s.names() {
		for _, m := range reRead.FindAllStringSubmatch(statements[name], -1) {
			table, schema := strings.ToLower(m[1]), strings.ToLower(m[2])
			read[table] = true
			if !reader["SELECT ON OBJECT::"+table] && !reader["SELECT ON SCHEMA::"+schema] {
				t.Errorf("Health's %s reads %s, which the README does not let genexp_reading select", name, table)
			}
		}
	}
	for _, table := range []string{"dbo.meta_schema_version", "dbo.meta_etl_process_log"} {
		if !read[table] {
			t.Errorf("found no read of %s in the statements Health ran (%v): the check above proves nothing", table, s.names())
		}
	}
}
