package main

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/genexp/genexp/warehouse/duckdb"
)

// TestInitSaysCreated: init of a DuckDB file that is not there says it
// created it; init again says what it is at.
func TestInitSaysCreated(t *testing.T) {
	db := filepath.Join(t.TempDir(), "new.duckdb")
	v := duckdb.SchemaVersion()
	for _, want := range []string{
		fmt.Sprintf("created warehouse %s at schema version %d\n", db, v),
		fmt.Sprintf("warehouse %s is at schema version %d\n", db, v),
	} {
		if code, out, stderr := runCLI(t, "init", "--db", db); code != exitOK || out != want {
			t.Fatalf("init: exit %d, stdout %q (stderr %q); want %q", code, out, stderr, want)
		}
	}
}
