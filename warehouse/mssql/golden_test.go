package mssql

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
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
		out[name] = c.render()
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
			os.Remove(fail)
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
		os.Remove(fail)
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
				os.Remove(f)
				continue
			}
			t.Errorf("%s has no statement (delete it, or run -update)", f)
		}
	}
}
