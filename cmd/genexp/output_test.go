package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestNoStudyNoTable: a run that read no study prints no empty table, only
// the error; a run with a study prints its table as usual.
func TestNoStudyNoTable(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	missing := filepath.Join(dir, "nothing-here")
	db := filepath.Join(dir, "w.duckdb")
	for _, args := range [][]string{
		{"load", "--db", db, missing},
		{"load", "--dry-run", "--db", db, missing},
		{"validate", missing},
	} {
		code, out, stderr := runCLI(t, args...)
		if code != exitInput || strings.Contains(out, "STUDY") || !strings.Contains(stderr, "1001") {
			t.Errorf("%v: exit %d, want %d, the error and no table\nstdout %q\nstderr %s", args, code, exitInput, out, stderr)
		}
	}
	study := craftStudy(t, dir, "GSE1", false)
	for _, args := range [][]string{
		{"load", "--db", db, study, missing},
		{"validate", study, missing},
	} {
		if _, out, _ := runCLI(t, args...); !strings.HasPrefix(out, "STUDY") || lineOf(out, "GSE1") == "" {
			t.Errorf("%v: want the table with GSE1's row:\n%s", args, out)
		}
	}
}
