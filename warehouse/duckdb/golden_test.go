package duckdb

import (
	"context"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden SQL files in testdata/golden")

const goldenDir = "testdata/golden"

// goldenFiles returns every SQL text the backend runs, by golden file name:
// the statements registries, and the schema migrations
// (schema_NNN_name.sql).
// A migration's golden copy guards a released migration against edits:
// warehouses already at that version would never see the change.
func goldenFiles(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for name, sql := range goldenStatements() {
		out[name+".sql"] = sql + "\n"
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		out["schema_"+m.name] = m.sql
	}
	return out
}

// goldenStatements merges the statement registries.
func goldenStatements() map[string]string {
	out := map[string]string{}
	for _, set := range []map[string]string{statements, healthStatements, featureStatements} {
		for name, sql := range set {
			out[name] = sql
		}
	}
	return out
}

// TestGoldenStatements compares every statement with its golden copy in
// testdata/golden. Run `go test -run TestGoldenStatements -update` to
// rewrite them after an intended change, and review the diff. A mismatch
// leaves the new text beside the golden file as NAME.sql.FAIL.
func TestGoldenStatements(t *testing.T) {
	files := goldenFiles(t)
	if *update {
		if err := os.MkdirAll(goldenDir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		got := files[name]
		path := filepath.Join(goldenDir, name)
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			os.Remove(path + ".FAIL")
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v (run with -update to create it)", name, err)
			continue
		}
		if string(want) != got {
			if err := os.WriteFile(path+".FAIL", []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Errorf("%s differs from its golden file; the new text is in %s.FAIL (diff them; -update accepts it)", name, path)
			continue
		}
		os.Remove(path + ".FAIL")
	}
	// A golden file whose statement is gone is stale.
	entries, err := os.ReadDir(goldenDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		if _, ok := files[name]; !ok {
			if *update {
				os.Remove(filepath.Join(goldenDir, name))
				continue
			}
			t.Errorf("%s: golden file for a statement the backend no longer has (-update removes it)", name)
		}
	}
}

// TestStatementsRegistered checks that every stmt… constant or variable in
// the package is in the statements registry, so it has a golden file.
func TestStatementsRegistered(t *testing.T) {
	registered := map[string]bool{}
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var declared []string
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for _, id := range n.Names {
					if strings.HasPrefix(id.Name, "stmt") {
						declared = append(declared, id.Name)
					}
				}
			case *ast.CompositeLit:
				if id, ok := n.Type.(*ast.MapType); ok && id != nil {
					for _, el := range n.Elts {
						kv, ok := el.(*ast.KeyValueExpr)
						if !ok {
							continue
						}
						ast.Inspect(kv.Value, func(m ast.Node) bool {
							if id, ok := m.(*ast.Ident); ok && strings.HasPrefix(id.Name, "stmt") {
								registered[id.Name] = true
							}
							return true
						})
					}
				}
			}
			return true
		})
	}
	if len(declared) == 0 {
		t.Fatal("found no stmt declarations; has the package moved?")
	}
	for _, name := range declared {
		if !registered[name] {
			t.Errorf("%s is not in the statements registry (statements.go), so it has no golden file", name)
		}
	}
}

// TestStatementsPrepare prepares every statement against a warehouse at the
// current schema version: a statement naming a column or table that does
// not exist fails here, not in the middle of a load.
func TestStatementsPrepare(t *testing.T) {
	w, err := Open(filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx := context.Background()
	conn, err := w.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := w.registerStage(ctx, conn); err != nil {
		t.Fatal(err)
	}
	// The fact inserts read the temporary table a batch creates on its
	// connection.
	if _, err := conn.ExecContext(ctx, stmtCreateStageValues); err != nil {
		t.Fatal(err)
	}
	for name, sql := range goldenStatements() {
		for _, part := range strings.Split(sql, ";\n") {
			stmt, err := conn.PrepareContext(ctx, part)
			if err != nil {
				t.Errorf("%s does not prepare: %v", name, err)
				continue
			}
			stmt.Close()
		}
	}
}

// TestCellSQLUnpacks holds the SQL that unpacks a staged cell to the
// packing the stage writes (cellColumnBits).
func TestCellSQLUnpacks(t *testing.T) {
	if want := fmt.Sprintf("(v.cell & %d)", 1<<cellColumnBits-1); cellColumn != want {
		t.Errorf("cellColumn = %q, want %q", cellColumn, want)
	}
	if want := fmt.Sprintf("(v.cell >> %d)", cellColumnBits); cellLine != want {
		t.Errorf("cellLine = %q, want %q", cellLine, want)
	}
}
