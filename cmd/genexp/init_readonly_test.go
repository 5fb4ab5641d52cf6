package main

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// TestInitReadOnlyMigratesNothing: a DSN that opens the warehouse
// read-only creates and migrates nothing. init said the warehouse was at
// this genexp's schema version and exited 0; it now says what the
// warehouse is and fails.
func TestInitReadOnlyMigratesNothing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "other.duckdb")
	conn, err := sql.Open("duckdb", db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(`CREATE TABLE notes (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	code, out, stderr := runCLI(t, "init", "--db", db+"?read_only=true")
	if code != exitNoAccess || out != "" || !strings.Contains(stderr, "is at schema version 0, not") || !strings.Contains(stderr, "read-only") {
		t.Fatalf("init of a read-only DSN: exit %d, stdout %q, stderr %q; want exit %d saying the warehouse is at version 0", code, out, stderr, exitNoAccess)
	}
	if code, out, stderr := runCLI(t, "init", "--db", db); code != exitOK || !strings.Contains(out, "is at schema version") {
		t.Fatalf("init: exit %d, %q %q", code, out, stderr)
	}
}
