package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInMemoryTargetRefused: an empty --db (a script's unset variable) or
// :memory: used to load into a warehouse that vanished at exit while the
// summary said "new" and the exit status 0. Every command that opens a
// warehouse refuses it as a usage error, and nothing is written.
func TestInMemoryTargetRefused(t *testing.T) {
	src := filepath.Join("..", "..", "testdata", "refinebio", "quickstart", "GSE71270")
	dir := t.TempDir()
	t.Chdir(dir)
	for _, target := range []string{"", " ", ":memory:", ":memory:?threads=2"} {
		for _, args := range [][]string{
			{"load", "--db", target, src},
			{"init", "--db", target},
			{"status", "--db", target},
			{"health", "--db", target},
			{"features", "--db", target, "GSE71270"},
			{"query", "--db", target, "SELECT 1"},
			{"load", "--dsn", ":memory:", src},
		} {
			code, out, stderr := runCLI(t, args...)
			if code != exitUsage || !strings.Contains(stderr, "names no file") || !strings.Contains(stderr, "1005") {
				t.Errorf("%q: exit %d, want %d naming the missing file\n%s%s", args, code, exitUsage, out, stderr)
			}
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("refused commands left %v behind", entries)
	}
}

// TestFolderTargetIsNoWarehouse: a folder given as the warehouse is named
// as one by the commands that read a warehouse; health used to judge the
// folder's permissions "writable: healthy" beside its failure to open.
func TestFolderTargetIsNoWarehouse(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"health", "--db", dir},
		{"status", "--db", dir},
		{"query", "--db", dir, "SELECT 1"},
	} {
		code, out, stderr := runCLI(t, args...)
		if code == exitOK || !strings.Contains(out+stderr, "is a folder, not a warehouse file") || strings.Contains(out, "writable") {
			t.Errorf("%q: exit %d\n%s%s", args, code, out, stderr)
		}
	}
}

// TestForeignTargetRefused: a DSN of another database (postgres://) was
// taken for a DuckDB path, and init created a warehouse under a folder
// named after the URL, its password in the file name; and a DSN asking
// DuckDB for tens of thousands of threads aborted the process with a
// stack trace. Both are usage errors (1005), nothing is written, and the
// password is printed nowhere.
func TestForeignTargetRefused(t *testing.T) {
	src := filepath.Join("..", "..", "testdata", "refinebio", "quickstart", "GSE71270")
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.MkdirAll("postgres:/u:S3cretPW@h", 0o755); err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := runCLI(t, "init", "--db", "w.duckdb"); code != exitOK {
		t.Fatalf("init: exit %d\n%s%s", code, out, stderr)
	}
	before, err := os.ReadFile("w.duckdb")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ target, want string }{
		{"postgres://u:S3cretPW@h/db", "is a postgres:// URL"},
		{"w.duckdb?threads=60000", "threads=60000 in the warehouse DSN: give a whole number from 1 to 1024"},
		{"w.duckdb?no_such_option=1", "sets an option DuckDB does not take"},
	} {
		for _, args := range [][]string{
			{"load", "--dsn", tc.target, src},
			{"init", "--dsn", tc.target},
			{"status", "--dsn", tc.target},
			{"health", "--dsn", tc.target},
			{"query", "--dsn", tc.target, "SELECT 1"},
		} {
			// health too: a DSN option is the caller's to mend, not a
			// critical warehouse (TestHealthBadDSNOptionIsUsage)
			code, out, stderr := runCLI(t, args...)
			want := exitUsage
			if code != want || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "1005") || strings.Contains(out+stderr, "S3cretPW") {
				t.Errorf("%q: exit %d, want %d saying %q\n%s%s", args, code, want, tc.want, out, stderr)
			}
		}
	}
	if entries, _ := os.ReadDir("postgres:/u:S3cretPW@h"); len(entries) != 0 {
		t.Errorf("a foreign DSN left %v behind", entries)
	}
	if after, err := os.ReadFile("w.duckdb"); err != nil || string(after) != string(before) {
		t.Errorf("a refused DSN changed the warehouse (%v)", err)
	}
}
