package duckdb

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp/qc"
)

// TestOpenSaysWhatTheFileIs: a folder, an empty file and a short text
// file given as the warehouse are refused (ConnectionFailed) in genexp's
// words, saying what is wrong, not only DuckDB's "Is a directory" or "not
// a valid DuckDB database file"; none of them is changed.
func TestOpenSaysWhatTheFileIs(t *testing.T) {
	dir := t.TempDir()
	folder := filepath.Join(dir, "w.duckdb")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.duckdb")
	short := filepath.Join(dir, "short.duckdb")
	for path, body := range map[string]string{empty: "", short: "hello\n"} {
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ path, says string }{
		{folder, "is a folder, not a warehouse file"},
		{folder + "?access_mode=READ_ONLY", "is a folder, not a warehouse file"},
		{empty, "is not a DuckDB database (an empty file"},
		{short, "is not a DuckDB database (an empty file"},
	} {
		w, err := Open(tc.path)
		if err == nil {
			w.Close()
			t.Errorf("%s opened", tc.path)
			continue
		}
		if !errors.Is(err, qc.ConnectionFailed) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v; want a ConnectionFailed saying %q", tc.path, err, tc.says)
		}
	}
	for path, body := range map[string]string{empty: "", short: "hello\n"} {
		if b, err := os.ReadFile(path); err != nil || string(b) != body {
			t.Errorf("%s now holds %q (%v)", path, b, err)
		}
	}
}
