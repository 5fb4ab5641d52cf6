package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp/warehouse/duckdb"
)

// TestAnotherMigrationText: a warehouse one version of which was applied
// from another text of its migration file is refused by init (exit status
// 3, the 4006 error naming the version), reported critical by health, and
// still described by status.
func TestAnotherMigrationText(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.duckdb")
	if code, out, stderr := runCLI(t, "init", "--db", db); code != exitOK {
		t.Fatalf("init: exit %d\n%s%s", code, out, stderr)
	}
	w, err := duckdb.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB().Exec(`UPDATE meta_schema_version SET checksum = repeat('0', 64) WHERE version = 2`); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	const says = "schema version 2 was applied from another text of 002_staging_samples.sql"
	code, out, stderr := runCLI(t, "init", "--db", db)
	if code != exitNoAccess || !strings.Contains(out+stderr, says) || !strings.Contains(out+stderr, "4006") {
		t.Errorf("init: exit %d, want %d with the 4006 error\n%s%s", code, exitNoAccess, out, stderr)
	}
	code, out, stderr = runCLI(t, "health", "--db", db)
	if code == exitOK || !strings.Contains(out+stderr, says) || !strings.Contains(out, "loads will fail") || !strings.Contains(out, "failures") {
		t.Errorf("health: exit %d, want the schema check critical, naming the version, beside the other checks\n%s%s", code, out, stderr)
	}
	if code, out, stderr := runCLI(t, "status", "--db", db); code != exitOK || !strings.Contains(stderr, "loads will fail") || !strings.Contains(stderr, says) {
		t.Errorf("status: exit %d, want 0 with a warning naming the version\n%s%s", code, out, stderr)
	}
}
