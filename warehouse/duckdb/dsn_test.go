package duckdb_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse/duckdb"
)

func setting(t *testing.T, w *duckdb.Warehouse, name string) string {
	t.Helper()
	var v string
	if err := w.DB().QueryRow(`SELECT current_setting('` + name + `')::VARCHAR`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestOpenDSN(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "w.duckdb")

	w := open(t, file+"?threads=1&memory_limit=300MB&busy_timeout=1s")
	if got := setting(t, w, "threads"); got != "1" {
		t.Errorf("threads = %s, want 1", got)
	}
	if got := setting(t, w, "memory_limit"); got != "286.1 MiB" && got != "300.0 MB" {
		t.Errorf("memory_limit = %s, want 300MB", got)
	}
	if w.Path() != file {
		t.Errorf("Path() = %q, want %q", w.Path(), file)
	}
	w.Close()

	// A file opened for writing gets genexp's memory bound; one opened to
	// read keeps DuckDB's default.
	w = open(t, file)
	if got := setting(t, w, "memory_limit"); got != "488.2 MiB" {
		t.Errorf("default memory_limit = %s, want 512MB (488.2 MiB)", got)
	}
	w.Close()
	for _, dsn := range []string{file + "?access_mode=READ_ONLY", file + "?read_only=true"} {
		r := open(t, dsn)
		if got := setting(t, r, "memory_limit"); got == "488.2 MiB" {
			t.Errorf("%s: read-only open got the load's memory_limit", dsn)
		}
		if _, err := r.DB().Exec(`INSERT INTO dim_gene (gene_id) VALUES ('x')`); err == nil {
			t.Errorf("%s: a write succeeded", dsn)
		}
		r.Close()
	}

	for _, dsn := range []string{"", ":memory:", ":memory:?threads=1"} {
		m := open(t, dsn)
		if m.Path() != "" {
			t.Errorf("%q: Path() = %q, want in-memory", dsn, m.Path())
		}
		if v, err := m.Version(t.Context()); err != nil || v != duckdb.SchemaVersion() {
			t.Errorf("%q: version %d, %v", dsn, v, err)
		}
	}
}

func TestOpenDSNErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "w.duckdb")
	tests := []struct {
		name, dsn string
		code      qc.Code
	}{
		// the DSN's mistakes, as the configuration's (exit 2), not a
		// warehouse that cannot be reached (exit 3)
		{"bad busy_timeout", file + "?busy_timeout=soon", qc.ConfigInvalid},
		{"bad escape", file + "?threads=%zz", qc.ConfigInvalid},
		{"read-only file that does not exist", file + ".missing?access_mode=READ_ONLY", qc.ConnectionFailed},
		// options DuckDB refuses, and threads it would start until the
		// process runs out (the runtime aborts), are the DSN's mistakes
		{"unknown DuckDB option", file + "?no_such_option=1", qc.ConfigInvalid},
		{"a value DuckDB cannot take", file + "?memory_limit=lots", qc.ConfigInvalid},
		{"threads not a number", file + "?threads=abc", qc.ConfigInvalid},
		{"no threads", file + "?threads=0", qc.ConfigInvalid},
		{"threads past the bound", file + "?threads=60000", qc.ConfigInvalid},
		// a secret, which DuckDB would keep as a setting any query reads
		{"a password", file + "?password=S3cr3tPW", qc.ConfigInvalid},
		{"a password, other spelling", file + "?threads=1&%20PWD%20=S3cr3tPW", qc.ConfigInvalid},
		{"a cloud token", file + "?motherduck_token=S3cr3tPW", qc.ConfigInvalid},
		{"an S3 key", file + "?s3_secret_access_key=S3cr3tPW", qc.ConfigInvalid},
		{"a proxy's password", file + "?http_proxy_password=S3cr3tPW", qc.ConfigInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, err := duckdb.Open(tc.dsn)
			if err == nil {
				w.Close()
				t.Fatal("Open succeeded")
			}
			if !errors.Is(err, tc.code) {
				t.Fatalf("err = %v, want code %v", err, tc.code)
			}
			if strings.Contains(err.Error(), "S3cr3tPW") {
				t.Fatalf("the error shows the secret: %v", err)
			}
		})
	}
}

// TestOpenReadOnlySynonym checks read_only, the synonym of access_mode, alone
// and beside an access_mode (as genexp status adds access_mode=READ_ONLY to
// the user's DSN): spellings that agree open the warehouse as they say, and
// a contradiction is refused before anything is opened.
func TestOpenReadOnlySynonym(t *testing.T) {
	file := filepath.Join(t.TempDir(), "w.duckdb")
	open(t, file).Close()
	tests := []struct {
		params   string
		readOnly bool
	}{
		{"read_only=true", true},
		{"read_only=TRUE", true},
		{"read_only=true&access_mode=READ_ONLY", true},
		{"access_mode=read_only&read_only=true", true},
		{"read_only=true&read_only=true&access_mode=READ_ONLY", true},
		{"read_only=false", false},
		{"read_only=false&access_mode=READ_WRITE", false},
		{"read_only=false&access_mode=AUTOMATIC", false},
		// DuckDB reads option names without case, and so does Open
		{"READ_ONLY=true", true},
		{"Read_Only=true&ACCESS_MODE=read_only", true},
		{"ACCESS_MODE=READ_ONLY&BUSY_TIMEOUT=1s", true},
	}
	for _, tc := range tests {
		t.Run(tc.params, func(t *testing.T) {
			w, err := duckdb.Open(file + "?" + tc.params)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer w.Close()
			_, err = w.DB().Exec(`INSERT INTO dim_gene (gene_id) VALUES ('ENSG_` + tc.params + `')`)
			if tc.readOnly && err == nil {
				t.Error("a write succeeded on a warehouse opened read-only")
			}
			if !tc.readOnly && err != nil {
				t.Errorf("a write failed on a warehouse opened read-write: %v", err)
			}
		})
	}
	for _, params := range []string{
		"read_only=true&access_mode=READ_WRITE",
		"read_only=true&access_mode=AUTOMATIC",
		"read_only=false&access_mode=READ_ONLY",
		"read_only=true&read_only=false",
		"READ_ONLY=true&access_mode=READ_WRITE",
		"read_only=true&Read_Only=false",
		"read_only=yes please",
	} {
		t.Run(params, func(t *testing.T) {
			w, err := duckdb.Open(file + "?" + params)
			if err == nil {
				w.Close()
				t.Fatal("Open succeeded")
			}
			var e *qc.Error
			if !errors.As(err, &e) || e.Code != qc.ConfigInvalid || !strings.Contains(e.Msg, "read_only") {
				t.Fatalf("err = %v, want a ConfigInvalid error naming read_only", err)
			}
		})
	}
}
