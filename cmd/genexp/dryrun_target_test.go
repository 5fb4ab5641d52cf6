package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp/internal/unprivileged"
)

// TestDryRunChecksANewWarehouse: a dry run into a warehouse that does not
// exist yet checks its DSN as the load would, and fails where the load
// would fail (exit 2, code 1005; exit 3, code 4001, for a DSN that opens
// it read-only, which cannot create it, or a file in a folder that does
// not exist), creating nothing; a DSN the load takes gives the dry run's
// table.
func TestDryRunChecksANewWarehouse(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join("..", "..", "testdata", "refinebio", "quickstart", "GSE71270")
	for _, tc := range []struct {
		db   string
		want int
		says string
	}{
		{"", exitUsage, "names no file"},
		{":memory:", exitUsage, "names no file"},
		{"postgres://u:pw@host/db", exitUsage, "postgres:// URL"},
		{filepath.Join(dir, "a.duckdb") + "?bogus_opt=1", exitUsage, "an option DuckDB does not take"},
		{filepath.Join(dir, "b.duckdb") + "?password=pw", exitUsage, "a secret"},
		{filepath.Join(dir, "c.duckdb") + "?threads=0", exitUsage, "threads"},
		{filepath.Join(dir, "d.duckdb") + "?busy_timeout=soon", exitUsage, "busy_timeout"},
		{filepath.Join(dir, "f.duckdb") + "?access_mode=READ_ONLY", exitNoAccess, "opens it read-only"},
		{filepath.Join(dir, "g.duckdb") + "?read_only=true", exitNoAccess, "opens it read-only"},
		{filepath.Join(dir, "e.duckdb") + "?threads=2&memory_limit=1GB", exitOK, ""},
		// in a folder that does not exist, which the load cannot create it
		// in: it shows the table, and exits as the load would (it exited
		// 0 or 6)
		{filepath.Join(dir, "no such folder", "h.duckdb"), exitNoAccess, "a load would fail: "},
	} {
		code, out, stderr := runCLI(t, "load", "--dry-run", "--db", tc.db, src)
		if code != tc.want {
			t.Errorf("--db %q: exit %d, want %d\n%s%s", tc.db, code, tc.want, out, stderr)
			continue
		}
		coded := "1005"
		if tc.want == exitNoAccess {
			coded = "4001"
		}
		if tc.want != exitOK && (!strings.Contains(stderr, tc.says) || !strings.Contains(stderr, coded)) {
			t.Errorf("--db %q: stderr does not say %q with code %s:\n%s", tc.db, tc.says, coded, stderr)
		}
		if tc.want == exitOK && (!strings.Contains(out, "GSE71270") || !strings.Contains(stderr, "no warehouse at "+filepath.Join(dir, "e.duckdb")+" yet")) {
			t.Errorf("--db %q: no study in the dry run's table, or no word that the warehouse does not exist yet:\n%s%s", tc.db, out, stderr)
		}
		if strings.Contains(stderr, "pw@") {
			t.Errorf("--db %q: the password is shown:\n%s", tc.db, stderr)
		}
	}
	if left, _ := os.ReadDir(dir); len(left) > 0 {
		t.Errorf("the dry runs left %d files in the warehouse's directory", len(left))
	}
}

// TestDryRunWarnsOfAnUnwritableWarehouse: a dry run opens the warehouse
// read-only, which says nothing of whether a load could write it; it
// warns that a load would fail when the warehouse's directory (where
// DuckDB writes its write-ahead log) cannot be written, and exits 3, as a
// load then fails with exit 3 (it exited 0, and a script gating a load on
// it went on to one that failed). Run as the unprivileged user nobody, since root
// writes anywhere.
func TestDryRunWarnsOfAnUnwritableWarehouse(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "w.duckdb")
	src, err := filepath.Abs(filepath.Join("..", "..", "testdata", "refinebio", "quickstart", "GSE71270"))
	if err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := runCLI(t, "init", "--db", db); code != exitOK {
		t.Fatalf("init: exit %d\n%s%s", code, out, stderr)
	}
	if err := os.Chmod(db, 0o666); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		mode os.FileMode
		warn bool
	}{{0o777, false}, {0o555, true}} {
		if err := os.Chmod(dir, tc.mode); err != nil {
			t.Fatal(err)
		}
		var code int
		var out, stderr string
		if !unprivileged.Run(t, filepath.Dir(dir), func() { code, out, stderr = runCLI(t, "load", "--dry-run", "--db", db, src) }) {
			t.Skip("cannot run as an unprivileged user here")
		}
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		warned := strings.Contains(stderr, "a load would fail: ") && strings.Contains(stderr, "cannot write "+dir)
		want := exitOK
		if tc.warn {
			want = exitNoAccess // as the load would
		}
		if code != want || warned != tc.warn || !strings.Contains(out, "GSE71270") {
			t.Errorf("directory %o: exit %d, warned %v, want exit %d with the dry run's table, warned %v\n%s%s", tc.mode, code, warned, want, tc.warn, out, stderr)
		}
	}
}

// TestReadersCheckAnExistingWarehouseDSN: the commands that open a
// warehouse read-only (status, health, query, load --dry-run) read every
// warehouse so, whatever access_mode its DSN names: an option DuckDB
// refuses is still the configuration's mistake (exit 2, code 1005), as
// for a load, not passed over; and a DSN that opens an existing
// warehouse read-only makes the dry run say a load would fail (exit 3),
// as the load then does.
func TestReadersCheckAnExistingWarehouseDSN(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.duckdb")
	src := filepath.Join("..", "..", "testdata", "refinebio", "quickstart", "GSE71270")
	if code, out, stderr := runCLI(t, "load", "--db", db, src); code != exitOK {
		t.Fatalf("load: exit %d\n%s%s", code, out, stderr)
	}
	for _, dsn := range []string{db + "?access_mode=bogus", filepath.Join(filepath.Dir(db), "none.duckdb") + "?threads=0"} {
		for _, args := range [][]string{{"status"}, {"health"}, {"query", "SELECT 1"}, {"load", "--dry-run", src}} {
			args = append([]string{args[0], "--db", dsn}, args[1:]...)
			if code, out, stderr := runCLI(t, args...); code != exitUsage || !strings.Contains(stderr, "1005") {
				t.Errorf("%q: exit %d, want %d with code 1005\n%s%s", args, code, exitUsage, out, stderr)
			}
		}
	}
	for _, dsn := range []string{db + "?access_mode=READ_ONLY", db + "?read_only=true"} {
		code, out, stderr := runCLI(t, "load", "--dry-run", "--db", dsn, src)
		if code != exitNoAccess || !strings.Contains(stderr, "a load would fail: the warehouse DSN opens it read-only") {
			t.Errorf("dry run --db %q: exit %d, want %d saying a load would fail\n%s%s", dsn, code, exitNoAccess, out, stderr)
		}
	}
}
