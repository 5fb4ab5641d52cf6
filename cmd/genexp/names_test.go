package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/genexp/genexp"
)

func TestShortName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"GSE1.tsv", "GSE1.tsv"},
		{"/data/dl/GSE1/GSE1.tsv", "GSE1.tsv"},
		{"/data/dl.zip!GSE1/GSE1.tsv", "GSE1.tsv"},
		{"/d/s/HOMO_SAPIENS/HOMO_SAPIENS.tsv + /d/s/MUS_MUSCULUS/MUS_MUSCULUS.tsv", "HOMO_SAPIENS.tsv + MUS_MUSCULUS.tsv"},
		{"/d/s.zip!HOMO_SAPIENS/HOMO_SAPIENS.tsv + /d/s.zip!MUS_MUSCULUS/MUS_MUSCULUS.tsv", "HOMO_SAPIENS.tsv + MUS_MUSCULUS.tsv"},
	} {
		if got := shortName(c.in); got != c.want {
			t.Errorf("shortName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// printFeatures shows each study's result: a study the run never began is
// "not started", without counts that would read as a study of no features.
func TestPrintFeatures(t *testing.T) {
	var out strings.Builder
	printFeatures(&out, &genexp.FeaturesRun{Studies: []genexp.FeatureReport{
		{Study: "GSE1", Scale: "log2", Values: 12, Rows: 40, Features: map[string]int64{genexp.FeatureGenePairPearsonR: 6}},
		{Study: "GSE2", Skipped: true},
		{Study: "GSE3", Err: errors.New("stopped")},
		{Study: "GSE4", NotStarted: true},
	}})
	for study, want := range map[string]string{"GSE1": "GSE1 computed log2 12 40 6", "GSE2": "GSE2 current - - - -", "GSE3": "GSE3 FAILED - - - -", "GSE4": "GSE4 not started - - - -"} {
		var line string
		for _, l := range strings.Split(out.String(), "\n") {
			if strings.HasPrefix(l, study+" ") {
				line = strings.Join(strings.Fields(l), " ")
			}
		}
		if !strings.HasPrefix(line, want) {
			t.Errorf("%s's row %q, want it to begin %q:\n%s", study, line, want, out.String())
		}
	}
}
