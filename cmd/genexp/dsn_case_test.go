package main

import (
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestReadingDSNsWhateverTheCase: the DSN a command that only reads opens
// is read-only, and query's has no external access, however the caller
// spells those options (DuckDB reads option names without case): with
// ACCESS_MODE=READ_WRITE left beside the access_mode=READ_ONLY they added,
// which of the two DuckDB took changed from run to run, so status, health
// and a dry run could migrate an older warehouse, and query could read any
// file.
func TestReadingDSNsWhateverTheCase(t *testing.T) {
	for _, in := range []string{
		"w.duckdb",
		"w.duckdb?ACCESS_MODE=READ_WRITE",
		"w.duckdb?access_mode=read_write",
		"w.duckdb?Access_Mode=automatic&READ_ONLY=false",
		"w.duckdb?ENABLE_EXTERNAL_ACCESS=true&access_mode=READ_WRITE",
		"w.duckdb?Enable_External_Access=true&threads=2",
	} {
		for _, tc := range []struct {
			name string
			dsn  string
			want map[string][]string
		}{
			{"read-only", readOnlyDSN(in), map[string][]string{"access_mode": {"READ_ONLY"}}},
			{"query", readOnlyDSN(queryDSN(in, "")), map[string][]string{"access_mode": {"READ_ONLY"}, "enable_external_access": {"false"}}},
		} {
			file, raw, _ := strings.Cut(tc.dsn, "?")
			params, err := url.ParseQuery(raw)
			if err != nil || file != "w.duckdb" {
				t.Fatalf("%s of %q: %q", tc.name, in, tc.dsn)
			}
			for k, vs := range params {
				lk := strings.ToLower(k)
				if lk == "read_only" {
					t.Errorf("%s of %q: %q keeps read_only", tc.name, in, tc.dsn)
				}
				if want, ok := tc.want[lk]; ok && (k != lk || !slices.Equal(vs, want)) {
					t.Errorf("%s of %q: %q gives %s=%v, want only %s=%v", tc.name, in, tc.dsn, k, vs, lk, want)
				}
			}
			for k, want := range tc.want {
				if !slices.Equal(params[k], want) {
					t.Errorf("%s of %q: %q lacks %s=%v", tc.name, in, tc.dsn, k, want)
				}
			}
		}
	}
}

// TestQueryReadsNoFileWhateverTheCase: a query of a DSN that spells
// enable_external_access in capitals still cannot read a file (it read
// /etc/passwd in most runs).
func TestQueryReadsNoFileWhateverTheCase(t *testing.T) {
	_, db := loadedWarehouse(t)
	for range 5 {
		code, out, stderr := runCLI(t, "query", "--db", db+"?ENABLE_EXTERNAL_ACCESS=true&ACCESS_MODE=READ_WRITE",
			"SELECT content FROM read_text('/etc/passwd')")
		if code == exitOK || strings.Contains(out, "root:") {
			t.Fatalf("the query read a file: exit %d\n%s%s", code, out, stderr)
		}
	}
}

// TestQueryFileTooLong: --file of more than maxQueryBytes, or of an
// endless file, is refused (6001) at that size, not read whole.
func TestQueryFileTooLong(t *testing.T) {
	_, db := loadedWarehouse(t)
	big := filepath.Join(t.TempDir(), "big.sql")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(maxQueryBytes + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	code, out, stderr := runCLI(t, "query", "--db", db, "--file", big)
	if code != exitUsage || !strings.Contains(stderr, "longer than 16 MiB") || !strings.Contains(stderr, "6001") {
		t.Errorf("query --file of %d bytes: exit %d, want %d saying it is too long with code 6001\n%s%s", maxQueryBytes+1, code, exitUsage, out, stderr)
	}
}
