package duckdb

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp/qc"
)

// TestOpenRefusesOtherFormats: a file that is not a DuckDB database is
// refused before DuckDB sees it, naming what it is, and left as it was.
// DuckDB would have opened an SQLite file through its sqlite_scanner
// extension, downloading the extension first (into $HOME/.duckdb).
func TestOpenRefusesOtherFormats(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	dir := t.TempDir()
	sqlite := append([]byte("SQLite format 3\x00"), make([]byte, 4080)...)
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"sqlite", sqlite, "is an SQLite database, not a DuckDB one"},
		{"text", []byte("GENE\tS1\nA\t1\n"), "is not a DuckDB database file"},
		{"parquet", append([]byte("PAR1"), make([]byte, 64)...), "is not a DuckDB database file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(dir, tc.name+".db")
			if err := os.WriteFile(file, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			for _, dsn := range []string{file, file + "?access_mode=READ_ONLY"} {
				w, err := Open(dsn)
				if err == nil {
					w.Close()
					t.Fatalf("Open(%s) succeeded", dsn)
				}
				if !errors.Is(err, qc.ConnectionFailed) || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("Open(%s) = %v, want code ConnectionFailed saying it %s", dsn, err, tc.want)
				}
			}
			if b, err := os.ReadFile(file); err != nil || !bytes.Equal(b, tc.data) {
				t.Errorf("the file was changed (%v)", err)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(home, ".duckdb")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("$HOME/.duckdb was created (%v): an extension was looked for", err)
	}
}

// TestOpenInstallsNoExtension: a warehouse is opened with DuckDB's
// automatic extension downloads off, unless the DSN asks for them.
func TestOpenInstallsNoExtension(t *testing.T) {
	file := filepath.Join(t.TempDir(), "w.duckdb")
	for _, tc := range []struct{ dsn, want string }{
		{file, "false"},
		{file + "?autoinstall_known_extensions=true", "true"},
	} {
		w, err := Open(tc.dsn)
		if err != nil {
			t.Fatal(err)
		}
		var got string
		if err := w.DB().QueryRow(`SELECT current_setting('autoinstall_known_extensions')::VARCHAR`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		w.Close()
		if got != tc.want {
			t.Errorf("Open(%s): autoinstall_known_extensions = %s, want %s", tc.dsn, got, tc.want)
		}
	}
}
