package illness

import (
	"slices"
	"strings"
	"testing"

	"github.com/genexp/genexp/metadata"
)

func TestPrefilterWords(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		want    []string // nil: no prefilter
	}{
		{`\bseptic[\s-]*shock\b`, []string{"septic"}},
		{`(?i)SIRS`, []string{"sirs"}},
		{`\bsirs\b|\bsystemic inflammatory response\b`, []string{"sirs", "systemic inflammatory response"}},
		{`sepsis|septic`, []string{"sep"}}, // the parser factors the common prefix out
		{`(uro)?sepsis`, []string{"sepsis"}},
		{`x+`, []string{"x"}},
		{`(ab){2,}`, []string{"ab"}},
		{`a?`, nil},
		{`a|b*`, nil},
		{`^\s*(group\s*|srs\s*)?[1-3]\s*$`, nil},
		{`[0-9]+`, nil},
		// a word beyond ASCII is in no ASCII text (a text beyond ASCII
		// always passes), unless a letter of it matches an ASCII one
		{`témoin`, []string{"témoin"}},
		{`脓毒症|败血症`, []string{"脓毒症", "败血症"}},
		{`\x{212A}elvin`, nil}, // the Kelvin sign matches k case-insensitively
		// folded, the parser writes such letters in ASCII: any ASCII
		// text that matches holds the word
		{`(?i)\x{212A}elvin`, []string{"kelvin"}},
		{`(?i)ſepsis`, []string{"sepsis"}},
		{`(`, nil}, // does not parse
	} {
		got := newPrefilter(tc.pattern)
		if !slices.Equal([]string(got), tc.want) {
			t.Errorf("%q: prefilter %q, want %q", tc.pattern, got, tc.want)
		}
	}
}

// TestPrefilterNeverHidesAMatch runs every default rule over every value
// of the labeled corpora and over crafted texts: wherever the pattern
// matches, its prefilter must let the value through.
func TestPrefilterNeverHidesAMatch(t *testing.T) {
	texts := []string{"SEPTIC SHOCK", "Septic-Shock", "non-septic", "HEALTHY Volunteer", "ctrl_GI", "K", "ſepsis",
		"Sepsis Day 0", "normal", "normal, untreated", "group 2", "Témoins", "post surgical", "bacteraemia"}
	for _, f := range corpusFiles {
		for _, l := range loadCorpus(t, f) {
			texts = append(texts, l.sample.Title)
			for _, a := range l.sample.Annotations {
				texts = append(texts, a.Key, a.Value)
			}
		}
	}
	c := Default()
	checked := 0
	for _, r := range c.rules {
		for _, text := range texts {
			mt := newMatchText(text)
			if r.re.MatchString(mt.text) {
				checked++
				if !r.pre.mayMatch(mt.lower, mt.ascii) {
					t.Errorf("rule %s matches %q but its prefilter %q rules it out", r.Name, text, r.pre)
				}
			}
		}
	}
	if checked < 1000 {
		t.Errorf("only %d matches checked", checked)
	}
}

// FuzzPrefilter checks, on any text, that no default rule's prefilter
// rules out a value its pattern matches.
func FuzzPrefilter(f *testing.F) {
	for _, s := range []string{"septic shock", "Non-Septic", "HEALTHY", "ſepsis", "sIrS", "Control_1"} {
		f.Add(s)
	}
	c := Default()
	f.Fuzz(func(t *testing.T, text string) {
		mt := newMatchText(text)
		for _, r := range c.rules {
			if r.re.MatchString(mt.text) && !r.pre.mayMatch(mt.lower, mt.ascii) {
				t.Fatalf("rule %s matches %q but its prefilter %q rules it out", r.Name, text, r.pre)
			}
		}
	})
}

// BenchmarkClassifyLongDescription classifies a patient whose record
// holds a 5 KB description that names no cohort: every rule reads it and
// none matches, the case the prefilters are for.
//
//	go test -run '^$' -bench ClassifyLongDescription -benchmem ./illness
func BenchmarkClassifyLongDescription(b *testing.B) {
	desc := strings.Repeat("Whole blood RNA was extracted with PAXgene tubes and hybridised to arrays. ", 70)
	s := &metadata.Sample{Accession: "GSM1", Title: "Patient 12 day 3 whole blood",
		Annotations: []metadata.Annotation{{Key: "description", Value: desc}, {Key: "tissue", Value: "whole blood", Characteristic: true},
			{Key: "age", Value: "54", Characteristic: true}, {Key: "treatment", Value: "none", Characteristic: true}}}
	c := Default()
	b.SetBytes(int64(len(desc)))
	b.ReportAllocs()
	for b.Loop() {
		if d := c.Classify(s); d.Label != Unknown {
			b.Fatalf("classified %s", d.Label)
		}
	}
}
