package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// TestRefusedValueKeepsTheLinesBefore: a tsv value that cannot be written
// stops the export with exit 2, and the header and every row before it are
// written, as the README says; they used to be lost in the writer's buffer
// (all of them when the refusal came in the first thousand rows).
func TestRefusedValueKeepsTheLinesBefore(t *testing.T) {
	_, db := loadedWarehouse(t)
	for _, tc := range []struct {
		name, sql string
		args      []string
		lines     int // written before the refusal, header included
		says      string
	}{
		{"tab at row 1500", "SELECT CASE WHEN i = 1500 THEN 'a' || chr(9) || 'b' ELSE 'x' || i END AS v FROM range(1, 3001) t(i) ORDER BY i",
			nil, 1500, "holds a tab or line break"},
		{"tab at row 2", "SELECT CASE WHEN i = 2 THEN 'a' || chr(9) || 'b' ELSE 'x' END AS v FROM range(1, 4) t(i) ORDER BY i",
			nil, 2, "holds a tab or line break"},
		{"empty text with a NULL marker", "SELECT v FROM (VALUES (1, 'a'), (2, '')) t(i, v) ORDER BY i",
			[]string{"--null", `\N`}, 2, "one empty text field"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"query", "--db", db, "--format", "tsv"}, tc.args...)
			code, out, stderr := runCLI(t, append(args, tc.sql)...)
			if code != exitUsage || !strings.Contains(stderr, tc.says) {
				t.Fatalf("exit %d, stderr %s; want %d saying %q", code, stderr, exitUsage, tc.says)
			}
			if strings.Contains(stderr, "give --null") && len(tc.args) > 0 {
				t.Errorf("advice to give --null when it was given: %s", stderr)
			}
			if got := strings.Count(out, "\n"); got != tc.lines {
				t.Errorf("%d lines written before the refusal, want %d", got, tc.lines)
			}
		})
	}
}

// TestOneLineKeepsSpaces: a message is put on one line by its line breaks
// and tabs only; a run of spaces inside it (a title's double space, the
// reason it matched no sample) is kept.
func TestOneLineKeepsSpaces(t *testing.T) {
	for in, want := range map[string]string{
		`column "Unamputated  wildtype" names no sample`: `column "Unamputated  wildtype" names no sample`,
		"first line\n  second\tthird \r\n":               "first line second third",
		"  padded  ":                                     "padded",
		"a\u00a0\u00a0b":                                 "a\u00a0\u00a0b",
	} {
		if got := oneLineStr(in); got != want {
			t.Errorf("oneLineStr(%q) = %q, want %q", in, got, want)
		}
	}
}

// failingWriter fails every write after the first n bytes with err.
type failingWriter struct {
	n   int
	err error
}

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) <= f.n {
		f.n -= len(p)
		return len(p), nil
	}
	return 0, f.err
}

// refusedCode finds the code of a refused statement, 6001, in a message
// or a log line.
var refusedCode = regexp.MustCompile(`\b6001\b`)

// TestQueryOutputClosed: a reader that went away (genexp query … | head)
// was reported as a refused statement (6001, exit 2); it ends the query
// quietly, with status 0. Another write failure (a full disk) is said as
// what it is, exit 1, and not blamed on the SQL.
func TestQueryOutputClosed(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.duckdb")
	if code, out, stderr := runCLI(t, "init", "--db", db); code != exitOK {
		t.Fatalf("init: exit %d\n%s%s", code, out, stderr)
	}
	for _, tc := range []struct {
		err  error
		code int
		want string
	}{
		{syscall.EPIPE, exitOK, ""},
		{syscall.ENOSPC, exitFailed, "writing the result"},
	} {
		for _, format := range []string{"table", "csv", "json"} {
			var stderr strings.Builder
			code := run([]string{"query", "--db", db, "--format", format, "SELECT * FROM range(100000)"}, &failingWriter{n: 100, err: tc.err}, &stderr)
			// \b: a log line's timestamp may hold the digits 6001 too.
			if code != tc.code || refusedCode.MatchString(stderr.String()) || !strings.Contains(stderr.String(), tc.want) || (tc.want == "" && stderr.Len() > 0) {
				t.Errorf("%v, %s: exit %d, want %d\n%s", tc.err, format, code, tc.code, stderr.String())
			}
		}
	}
}
