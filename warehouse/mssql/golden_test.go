package mssql

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	mssqldrv "github.com/microsoft/go-mssqldb"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the statements")

// goldenStatements is every statement the backend emits, by golden name:
// the fixed statements, the bulk copies, the statements built at run time
// (for representative sizes), and the schema's batches.
func goldenStatements(t *testing.T) map[string]string {
	out := map[string]string{}
	for _, set := range []map[string]string{statements, featureStatements} {
		for name, s := range set {
			out[name] = s
		}
	}
	for name, c := range copySpecs() {
		out[name] = renderCopy(t, c)
	}
	out["insert_findings_1"] = buildInsertFindings(1)
	out["insert_findings_3"] = buildInsertFindings(3)
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		for i, b := range m.batches {
			out[fmt.Sprintf("schema_%03d_batch_%d", m.version, i+1)] = b
		}
	}
	return out
}

// TestGoldenStatements compares every statement with its reviewed copy in
// testdata/golden. `go test ./warehouse/mssql -update` rewrites the copies;
// a mismatch writes the new text next to the golden file as <name>.sql.FAIL.
func TestGoldenStatements(t *testing.T) {
	dir := filepath.Join("testdata", "golden")
	stmts := goldenStatements(t)
	names := make([]string, 0, len(stmts))
	for n := range stmts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(dir, name+".sql")
		fail := path + ".FAIL"
		got := strings.TrimSpace(stmts[name]) + "\n"
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			removeIfPresent(t, fail)
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: no golden file (run go test ./warehouse/mssql -update and review it): %v", name, err)
			continue
		}
		if string(want) != got {
			if err := os.WriteFile(fail, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Errorf("%s differs from %s; the statement is in %s (diff them, then -update)", name, path, fail)
			continue
		}
		removeIfPresent(t, fail)
	}
	// A golden file with no statement is a statement that was removed.
	files, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".sql")
		if _, ok := stmts[name]; !ok {
			if *update {
				removeIfPresent(t, f)
				continue
			}
			t.Errorf("%s has no statement (delete it, or run -update)", f)
		}
	}
}

// removeIfPresent removes a file the golden check leaves behind (a .FAIL
// file, a golden file with no statement); one that cannot be removed would
// be reported again by the next run, so it is reported now.
func removeIfPresent(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("removing %s: %v", path, err)
	}
}

// bulkDriverVersion is the go-mssqldb whose bulk copy renderCopy follows
// (bulkcopy.go: Bulk.getMetadata and Bulk.sendBulkCommand).
const bulkDriverVersion = "v1.11.2"

// bulkDecl spells a column type of the schema as go-mssqldb's makeDecl
// spells the type the server reports for it.
func bulkDecl(t *testing.T, typ string) string {
	t.Helper()
	base, arg, _ := strings.Cut(strings.TrimSuffix(typ, ")"), "(")
	switch base {
	case "BIGINT", "INT", "SMALLINT", "TINYINT", "FLOAT", "BIT":
		return strings.ToLower(base)
	case "DATETIME2":
		if arg == "" {
			arg = "7"
		}
		return "datetime2(" + arg + ")"
	case "NVARCHAR":
		return "nvarchar(" + strings.ToLower(arg) + ")"
	}
	t.Fatalf("no bulk declaration for %s", typ)
	return ""
}

// renderCopy writes out what go-mssqldb sends for one mssql.CopyIn, at its
// first row: the table's metadata read under FMTONLY (two batches), then
// INSERT BULK with each column's type and the options, in the driver's
// order and spelling; the rows follow as a TDS bulk-load stream, which has
// no text. The driver takes the types from the metadata; here they come
// from the table's declaration in the schema.
func renderCopy(t *testing.T, c copySpec) string {
	t.Helper()
	q := mssqldrv.TSQLQuoter{}
	var parts []string
	for _, p := range strings.Split(c.table, ".") {
		parts = append(parts, q.ID(p))
	}
	table := strings.Join(parts, ".")
	types := map[string]string{}
	for _, col := range tableByName(t, c.table).columns {
		types[col.name] = col.typ
	}
	var cols []string
	for _, name := range c.columns {
		typ, ok := types[name]
		if !ok {
			t.Fatalf("%s has no column %s", c.table, name)
		}
		cols = append(cols, q.ID(name)+" "+bulkDecl(t, typ))
	}
	o := c.options
	var opts []string
	if o.CheckConstraints {
		opts = append(opts, "CHECK_CONSTRAINTS")
	}
	if o.FireTriggers {
		opts = append(opts, "FIRE_TRIGGERS")
	}
	if o.KeepNulls {
		opts = append(opts, "KEEP_NULLS")
	}
	if o.KilobytesPerBatch > 0 {
		opts = append(opts, fmt.Sprintf("KILOBYTES_PER_BATCH = %d", o.KilobytesPerBatch))
	}
	if o.RowsPerBatch > 0 {
		opts = append(opts, fmt.Sprintf("ROWS_PER_BATCH = %d", o.RowsPerBatch))
	}
	if len(o.Order) > 0 || o.Tablock {
		t.Fatalf("%s: renderCopy does not spell ORDER or TABLOCK; add them as bulkcopy.go does", c.table)
	}
	with := ""
	if len(opts) > 0 {
		with = "WITH (" + strings.Join(opts, ",") + ")"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "-- mssql.CopyIn into %s, as go-mssqldb %s sends it at the first row: the\n", c.table, bulkDriverVersion)
	b.WriteString("-- table's metadata under FMTONLY (two batches), then INSERT BULK; the rows follow\n")
	b.WriteString("-- as one TDS bulk-load stream, applied by the server when the copy ends. The\n")
	b.WriteString("-- driver reads the column types from that metadata; they are written here from\n")
	b.WriteString("-- the table's declaration in schema/, in the driver's spelling.\n")
	b.WriteString("SET FMTONLY ON\n")
	fmt.Fprintf(&b, "select * from %s SET FMTONLY OFF\n", table)
	fmt.Fprintf(&b, "INSERT BULK %s (%s) %s", table, strings.Join(cols, ", "), with)
	return b.String()
}

// The copy golden files describe one driver version's bulk copy; another
// version may send something else.
func TestBulkCopyDriverVersion(t *testing.T) {
	mod, err := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(mod), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "github.com/microsoft/go-mssqldb" || len(f) >= 3 && f[0] == "require" && f[1] == "github.com/microsoft/go-mssqldb" {
			v := f[len(f)-1]
			if v != bulkDriverVersion {
				t.Fatalf("go.mod requires go-mssqldb %s; renderCopy and the copy_*.sql golden files follow %s's bulkcopy.go: "+
					"read the new one, update renderCopy and bulkDriverVersion, then -update", v, bulkDriverVersion)
			}
			return
		}
	}
	t.Fatal("go.mod does not require github.com/microsoft/go-mssqldb")
}
