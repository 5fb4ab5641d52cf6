package illness

import (
	"strings"
	"testing"

	"github.com/genexp/genexp/metadata"
)

// FuzzClassifyCohort feeds arbitrary sample and study text to the default
// classifier as the pipeline calls it: it must never panic, must return
// one decision per sample, and each decision must be coherent (a known
// label; UNKNOWN by default or by a rule that says so, any other label by
// a rule; the matched text inside the value or study text it names).
func FuzzClassifyCohort(f *testing.F) {
	f.Add("Patient 19, Day1", "disease state", "septic shock", "Septic shock patients", "Blood of 9 septic shock patients and severe septic patients.")
	f.Add("Seps_P3", "shock", "1", "Sepsis versus SIRS", "To distinguish sepsis from non-infectious causes of SIRS.")
	f.Add("mock_D1 (sample 1)", "infection", "mock", "a whole-blood model", "Sepsis is a clinical syndrome.")
	f.Add("308.excluded", "disease state", "not meeting the definition of sepsis and excluded from analysis", "", "")
	f.Add("Con001", "treatment", "Mixed sample (Baby A11 Day 32 bloodstream infection)", "neonatal sepsis", "One of the septic patients died in 2014. Day 28 mortality.")
	f.Add("septic\u00a0shock\u2013day\u00a01", "", "\xff\xfe", "sepsis \x00", "vs.")
	f.Add("SS_12", "group", "HCs", "Septic shock (SS) versus healthy controls (HCs, n = 4)", "(SS) (S)(ZZ,(")
	f.Add("Sepsis_1", "arm", "sham", "", "")
	c := Default()
	f.Fuzz(func(t *testing.T, title, key, value, studyTitle, studyDesc string) {
		samples := []*metadata.Sample{
			{Accession: "GSM1", Title: title, Annotations: []metadata.Annotation{{Key: key, Value: value, Characteristic: true}}},
			{Accession: "GSM2", Title: value},
			nil,
		}
		study := &metadata.Study{Title: studyTitle, Description: studyDesc}
		out := c.ClassifyCohort(study, samples)
		if len(out) != len(samples) {
			t.Fatalf("%d decisions for %d samples", len(out), len(samples))
		}
		for i, d := range out {
			if _, err := ParseLabel(string(d.Label)); err != nil {
				t.Fatalf("sample %d: label %q", i+1, d.Label)
			}
			switch {
			case d.Method == MethodDefault && d.Label != Unknown:
				t.Fatalf("sample %d: %s by default", i+1, d.Label)
			case d.Label != Unknown && d.Method != MethodRule:
				t.Fatalf("sample %d: %s by %s", i+1, d.Label, d.Method)
			case d.Method == MethodRule && d.Rule == "":
				t.Fatalf("sample %d: a rule decision without its rule: %+v", i+1, d)
			case d.Method == MethodRule && !strings.Contains(d.Value, d.Matched):
				t.Fatalf("sample %d: matched %q is not in the value %q it names", i+1, d.Matched, d.Value)
			}
		}
		_ = c.Classify(samples[0])
		_ = c.ClassifyInStudy(samples[1], study)
		// a sample sheet read alone gives no study
		if got := c.ClassifyCohort(nil, samples); len(got) != len(samples) {
			t.Fatalf("no study: %d decisions for %d samples", len(got), len(samples))
		}
	})
}
