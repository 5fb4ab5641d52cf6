package illness

import (
	"errors"
	"strings"
	"testing"

	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/qc"
)

// TestDiseaseArmReasonIsStable: a sample with a value in two fields that
// each hold a sepsis arm takes its reason from the first field the samples
// show, on every run (Go's map order chose it).
func TestDiseaseArmReasonIsStable(t *testing.T) {
	samples := func() []*metadata.Sample {
		ss := cohortOf("s1", "s2 | disease state: sepsis", "s3")
		ss[0].Disease = "sepsis"
		ss[2].Disease = "Multiple sclerosis"
		ss[2].Annotations = append(ss[2].Annotations, metadata.Annotation{Key: "disease state", Value: "Type 1 Diabetes", Characteristic: true})
		return ss
	}
	c := Default()
	first := c.ClassifyCohort(nil, samples())[2]
	if first.Label != NoSepsis || first.Rule != RuleDiseaseArm {
		t.Fatalf("s3: %+v, want NO_SEPSIS by %s", first, RuleDiseaseArm)
	}
	for range 100 {
		if d := c.ClassifyCohort(nil, samples())[2]; d.Field != first.Field || d.Matched != first.Matched || d.Evidence != first.Evidence {
			t.Fatalf("s3 decided by %s %q once and by %s %q another time", first.Field, first.Matched, d.Field, d.Matched)
		}
	}
}

// TestOverridesOfOneAccessionTwice: " GSM1" and "GSM1" are one sample once
// trimmed; two labels for it are refused (which won depended on map
// order), one label twice is not.
func TestOverridesOfOneAccessionTwice(t *testing.T) {
	_, err := New(DefaultRules(), nil, map[string]Label{"GSM1": Sepsis, " GSM1": Control})
	if !errors.Is(err, qc.IllnessInferenceFailed) || !strings.Contains(err.Error(), "GSM1 is overridden twice") {
		t.Errorf("New: %v, want the two overrides refused", err)
	}
	if _, err := Overridden(Default(), map[string]Label{"GSM1": Sepsis, "GSM1 ": Control}); err == nil {
		t.Error("Overridden accepted two labels for GSM1")
	}
	c, err := New(DefaultRules(), nil, map[string]Label{"GSM1": Sepsis, " GSM1": Sepsis})
	if err != nil {
		t.Fatal(err)
	}
	if d := c.Classify(&metadata.Sample{Accession: "GSM1"}); d.Label != Sepsis || d.Method != MethodOverride {
		t.Errorf("GSM1: %+v", d)
	}
}

// TestCodeUnderAnIgnoredKeyKeepsItsGuards: a group code read under an
// ignored key is checked against the whole record, as it is under a read
// key: "HC" beside hydrocortisone is the hydrocortisone arm, and a mock in a
// patient's record is that patient's cells.
func TestCodeUnderAnIgnoredKeyKeepsItsGuards(t *testing.T) {
	c := Default()
	for _, tc := range []struct{ name, spec string }{
		{"hydrocortisone", "s1 | group day: HC_D1 | compound: hydrocortisone"},
		{"a patient's mock", "patient 3 | time point: mock"},
	} {
		if d := c.Classify(cohortOf(tc.spec)[0]); d.Label != Unknown {
			t.Errorf("%s: %s by %s %q (%s), want UNKNOWN", tc.name, d.Label, d.Rule, d.Matched, d.Evidence)
		}
	}
	if d := c.Classify(cohortOf("s1 | group day: HC_D1")[0]); d.Label != Control {
		t.Errorf("HC_D1 under an ignored key, nothing else: %s, want CONTROL", d.Label)
	}
}

// TestNeutralAbbreviationIsNoCohortCode: a code the study's text spells
// out as no cohort ("sputum (SP)") is not read as a sepsis cohort's code
// either.
func TestNeutralAbbreviationIsNoCohortCode(t *testing.T) {
	study := &metadata.Study{Title: "Sepsis in the ICU", Description: "We collected sputum (SP) and blood of septic patients."}
	d := Default().ClassifyCohort(study, cohortOf("SP_3", "sepsis patient 1 | disease state: sepsis"))[0]
	if d.Label != Unknown && d.Rule == RuleCohortCode {
		t.Errorf("SP_3: %s by %s %q, want no cohort code", d.Label, d.Rule, d.Matched)
	}
}

// TestStudyAbbreviationWithoutTitleField: the long form of a study's code
// is read as a title would be even when the configured fields read no
// titles; with characteristics alone, every code was taken for no cohort.
func TestStudyAbbreviationWithoutTitleField(t *testing.T) {
	c, err := New(DefaultRules(), []string{"characteristics"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	study := &metadata.Study{Title: "Sepsis cohort", Description: "Septic patients and healthy controls (HC)."}
	if d := c.ClassifyCohort(study, cohortOf("s1 | group: HC"))[0]; d.Label != Control {
		t.Errorf("group: HC: %s by %s, want CONTROL", d.Label, d.Rule)
	}
}

// TestSamePatientQuotesTheRecord: a same-patient decision's Matched is
// text of its Value, as written.
func TestSamePatientQuotesTheRecord(t *testing.T) {
	c := Default()
	for _, ss := range [][]*metadata.Sample{
		cohortOf("pt_07_D1 | disease state: septic shock", "pt_07_D3"),
		cohortOf("a | Patient_ID: P5 | disease state: septic shock", "b | Patient_ID: P5"),
	} {
		d := c.ClassifyCohort(nil, ss)[1]
		if d.Rule != RuleSamePatient {
			t.Fatalf("%s: %+v, want %s", ss[1].Title, d, RuleSamePatient)
		}
		if d.Matched == "" || !strings.Contains(d.Value, d.Matched) {
			t.Errorf("%s: Matched %q is not in Value %q", ss[1].Title, d.Matched, d.Value)
		}
		if d.Field == "title" && d.Value != ss[1].Title || d.Field == "characteristics" && d.Value != "Patient_ID: P5" {
			t.Errorf("%s: Value %q in %s, want the record as written", ss[1].Title, d.Value, d.Field)
		}
	}
}

// TestRulesThatCouldNeverLabelAreRefused: configurations accepted before
// and then never used, or used for every sample.
func TestRulesThatCouldNeverLabelAreRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		rule Rule
		says string
	}{
		{"keys without characteristics", Rule{Name: "r", Label: Sepsis, Pattern: "sepsis", Keys: "disease", Fields: []string{"title"}}, "hold no characteristics"},
		{"UNKNOWN from the description alone", Rule{Name: "r", Label: Unknown, Pattern: "excluded", Fields: []string{"description"}}, "UNKNOWN from the description alone"},
		{"a pattern that matches empty text", Rule{Name: "r", Label: Sepsis, Pattern: "q*"}, "matches empty text"},
	} {
		_, err := New([]Rule{tc.rule}, nil, nil)
		if !errors.Is(err, qc.IllnessInferenceFailed) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v, want it refused saying %q", tc.name, err, tc.says)
		}
	}
	for _, r := range []Rule{
		{Name: "keys", Label: Sepsis, Pattern: "sepsis", Keys: "disease", Fields: []string{"characteristic:disease state"}},
		{Name: "unknown", Label: Unknown, Pattern: "excluded", Fields: []string{"description", "title"}},
	} {
		if _, err := New([]Rule{r}, nil, nil); err != nil {
			t.Errorf("%s: %v", r.Name, err)
		}
	}
}
