package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOneLineStrEscapes(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain  text", "plain  text"},
		{"line\nbreak\ttab", "line break tab"},
		{"dl\x1b]0;PWNED\a\x1b[31m/x.tsv", `dl\x1b]0;PWNED\x07\x1b[31m/x.tsv`},
		{"del\x7f c1\u009b", `del\x7f c1\x9b`},
		{"right\u202eto left", `right\u202eto left`},
		{"bad \xff byte", `bad \xff byte`},
		{"Ünïcödé stays", "Ünïcödé stays"},
	}
	for _, tc := range tests {
		if got := oneLineStr(tc.in); got != tc.want {
			t.Errorf("oneLineStr(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := printable("two\nlines\x1b[2J"); got != `two`+"\n"+`lines\x1b[2J` {
		t.Errorf("printable = %q", got)
	}
}

// TestEscapesNeverReachTheTerminal: a download whose folder name holds a
// terminal's escape sequences (an OSC that retitles the window, a colour)
// and a bad cell: validate, load and status named the path with the raw
// bytes, which the terminal acted on.
func TestEscapesNeverReachTheTerminal(t *testing.T) {
	src := filepath.Join("..", "..", "testdata", "refinebio", "quickstart", "GSE71270")
	dir := t.TempDir()
	evil := filepath.Join(dir, "dl\x1b]0;PWNED\a\x1b[31m")
	study := filepath.Join(evil, "GSE71270")
	if err := os.MkdirAll(study, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == "GSE71270.tsv" {
			lines := strings.SplitN(string(b), "\n", 3)
			cells := strings.Split(lines[1], "\t")
			cells[1] = "x\x1b[2J"
			lines[1] = strings.Join(cells, "\t")
			b = []byte(strings.Join(lines, "\n"))
		}
		if err := os.WriteFile(filepath.Join(study, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db := filepath.Join(dir, "w.duckdb")
	for _, args := range [][]string{
		{"validate", evil},
		{"load", "--db", db, evil},
		{"status", "--db", db},
		{"query", "--db", db, "SELECT error_message FROM meta_etl_process_log WHERE error_message IS NOT NULL"},
	} {
		code, out, stderr := runCLI(t, args...)
		if strings.ContainsAny(out+stderr, "\x1b\a") {
			t.Errorf("%q (exit %d) wrote raw escape bytes:\n%q\n%q", args, code, out, stderr)
		}
		if !strings.Contains(out+stderr, `\x1b`) {
			t.Errorf("%q (exit %d) does not name the path or cell, escaped:\n%s%s", args, code, out, stderr)
		}
	}
}
