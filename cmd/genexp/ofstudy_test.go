package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp/qc"
)

func TestOfStudy(t *testing.T) {
	for _, tc := range []struct {
		f    qc.Error
		want string
	}{
		{qc.Error{Study: "GSE1", File: "dl/ALL/ALL.tsv"}, "GSE1: "},
		{qc.Error{Study: "GSE1", File: "dl/GSE1/GSE1.tsv"}, ""},
		{qc.Error{Study: "GSE1", File: "GSE1.zip!GSE1/GSE1.tsv"}, ""},
		{qc.Error{Study: "GSE1"}, ""}, // its line names the study
		{qc.Error{File: "dl/ALL/ALL.tsv"}, ""},
	} {
		if got := ofStudy(&tc.f); got != tc.want {
			t.Errorf("ofStudy(%+v) = %q, want %q", tc.f, got, tc.want)
		}
	}
}

// TestSpeciesFindingsNameTheirStudy: the findings of the studies of one
// SPECIES matrix each name their study; they read alike otherwise.
func TestSpeciesFindingsNameTheirStudy(t *testing.T) {
	src := filepath.Join("..", "..", "testdata", "refinebio", "species")
	for _, args := range [][]string{{"validate", src}, {"load", "--db", filepath.Join(t.TempDir(), "w.duckdb"), src}} {
		_, out, stderr := runCLI(t, args...)
		var warnings []string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "  WARNING ") && strings.Contains(l, "DANIO_RERIO.tsv") {
				warnings = append(warnings, l)
			}
		}
		if len(warnings) != 2 || !strings.HasPrefix(warnings[0], "  WARNING E-GEOD-39842: ") || !strings.HasPrefix(warnings[1], "  WARNING GSE71270: ") {
			t.Errorf("%s: warnings %q; want one per study, each naming it\n%s%s", args[0], warnings, out, stderr)
		}
	}
}

// TestValidateSaysNoMetadata: validate of a matrix given without its sample
// sheet says that no metadata describes it (an INFO note); it printed only
// "ok", and the samples loaded UNKNOWN with no word why.
func TestValidateSaysNoMetadata(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "refinebio", "quickstart", "GSE71270", "GSE71270.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	lone := filepath.Join(dir, "GSE71270.tsv")
	if err := os.WriteFile(lone, b, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, "validate", lone)
	if code != exitOK || !strings.Contains(out, "  INFO "+lone+": no metadata describes study GSE71270 or its 10 samples") {
		t.Errorf("exit %d, want 0 and the note that no metadata describes the study\n%s%s", code, out, stderr)
	}
}
