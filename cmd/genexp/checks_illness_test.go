package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// validate and load --dry-run show the labels a load would give each
// study's samples, so that a configuration's overrides can be checked
// before they are loaded: a duplicate load changes labels too.
func TestChecksShowIllness(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join("..", "..", "testdata", "refinebio", "quickstart", "GSE71270")
	cfg := filepath.Join(dir, "pipeline.yaml")
	if err := os.WriteFile(cfg, []byte("illness_inference:\n  overrides:\n    GSM1831680: SEPSIS\n    GSM1831675: SEPSIS\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "w.duckdb")
	if code, out, stderr := runCLI(t, "load", "--quiet", "--db", db, src); code != exitOK {
		t.Fatalf("load: exit %d\n%s%s", code, out, stderr)
	}
	for _, tc := range []struct {
		args []string
		want string // the study's row ends with
	}{
		{[]string{"validate", src}, "CONTROL=5 UNKNOWN=5"},
		{[]string{"validate", "--config", cfg, src}, "CONTROL=4 SEPSIS=2 UNKNOWN=4"},
		{[]string{"load", "--dry-run", "--db", db, "--config", cfg, src}, "duplicate  12000  CONTROL=4 SEPSIS=2 UNKNOWN=4"},
	} {
		code, out, stderr := runCLI(t, tc.args...)
		if code != exitOK {
			t.Errorf("%s: exit %d\n%s%s", strings.Join(tc.args, " "), code, out, stderr)
			continue
		}
		var head, row string
		for _, l := range strings.Split(out, "\n") {
			switch {
			case strings.HasPrefix(l, "STUDY"):
				head = l
			case strings.HasPrefix(l, "GSE71270 "):
				row = l
			}
		}
		if !strings.HasSuffix(head, "ILLNESS") || !strings.HasSuffix(row, tc.want) {
			t.Errorf("%s: want an ILLNESS column, the study's row ending %q:\n%s", strings.Join(tc.args, " "), tc.want, out)
		}
	}
}
