package illness

import (
	"testing"

	"github.com/genexp/genexp/metadata"
)

// TestTypographyReadsAsASCII: a value written with a no-break or thin
// space, an en dash or a non-breaking hyphen, full-width letters or an
// invisible character is labeled as its ASCII spelling. Before, "no
// sepsis" with a no-break space read as SEPSIS and "septic–shock" as
// SEPSIS.
func TestTypographyReadsAsASCII(t *testing.T) {
	c := Default()
	for _, tc := range []struct{ ascii, typeset string }{
		{"no sepsis", "no\u00a0sepsis"},
		{"non septic", "non\u00a0septic"},
		{"non-septic", "non\u2013septic"},
		{"non-septic", "non\u2011septic"},
		{"non-septic", "non\u2212septic"},
		{"septic shock", "septic\u00a0shock"},
		{"septic shock", "septic\u2009shock"},
		{"septic shock", "septic\u202fshock"},
		{"septic-shock", "septic\u2013shock"},
		{"cardiogenic shock", "cardiogenic\u00a0shock"},
		{"healthy control", "healthy\u3000control"},
		{"septic shock", "\u200bseptic sh\u00adock"},
		{"SIRS", "\uff33\uff29\uff32\uff33"},
	} {
		ascii := c.Classify(&metadata.Sample{Accession: "GSM1", Annotations: []metadata.Annotation{{Key: "disease state", Value: tc.ascii, Characteristic: true}}})
		if ascii.Label == Unknown {
			t.Fatalf("%q: the ASCII spelling itself is UNKNOWN; pick another case", tc.ascii)
		}
		for _, field := range []string{"title", "characteristic"} {
			s := &metadata.Sample{Accession: "GSM1"}
			if field == "title" {
				s.Title = tc.typeset
			} else {
				s.Annotations = []metadata.Annotation{{Key: "disease\u00a0state", Value: tc.typeset, Characteristic: true}}
			}
			if got := c.Classify(s); got.Label != ascii.Label || got.Rule != ascii.Rule {
				t.Errorf("%s %q: %s (rule %s), want %s (rule %s) as %q reads", field, tc.typeset, got.Label, got.Rule, ascii.Label, ascii.Rule, tc.ascii)
			}
		}
	}
}

// TestTypographyInStudyText: the study's text is read the same way, and
// the matched text is sliced from what was read, never out of range.
func TestTypographyInStudyText(t *testing.T) {
	study := &metadata.Study{Title: "Blood of septic\u00a0shock patients\u2014a time course", Description: "Septic\u2009shock is the most severe form of sepsis."}
	d := Default().ClassifyInStudy(&metadata.Sample{Accession: "GSM1", Title: "Patient\u00a019, Day\u00a01"}, study)
	if d.Label != SepticShock || d.Rule != RuleStudyContext || d.Matched != "septic shock patients" {
		t.Fatalf("%+v", d)
	}
	if study.Title != "Blood of septic\u00a0shock patients\u2014a time course" {
		t.Errorf("the study was modified: %q", study.Title)
	}
}

func TestPlainKeepsTheSample(t *testing.T) {
	s := &metadata.Sample{Accession: "GSM\u00a01", Title: "a\u00a0b", Annotations: []metadata.Annotation{{Key: "k", Value: "v\u2013w"}}}
	p := plainSample(s)
	if p == s || p.Title != "a b" || p.Annotations[0].Value != "v-w" || p.Accession != "GSM\u00a01" {
		t.Errorf("plain %+v", p)
	}
	if s.Title != "a\u00a0b" || s.Annotations[0].Value != "v\u2013w" {
		t.Errorf("the input was modified: %+v", s)
	}
	ascii := &metadata.Sample{Accession: "GSM2", Title: "plain"}
	if plainSample(ascii) != ascii {
		t.Error("an ASCII sample is copied")
	}
}
