package illness

import (
	"testing"

	"github.com/genexp/genexp/metadata"
)

func TestLongForm(t *testing.T) {
	tests := []struct {
		before, short, want string
	}{
		{"patients with sepsis and septic shock", "SS", "septic shock"},
		{"patients with severe sepsis", "SS", "severe sepsis"},
		// no words' initials spell it: the letters in order
		{"blood cultures showed septicaemia", "SCM", "septicaemia"},
		{"preterm infants with late-onset sepsis", "LOS", "late-onset sepsis"},
		{"compared with healthy controls", "HC", "healthy controls"},
		{"systemic inflammatory response syndrome", "SIRS", "systemic inflammatory response syndrome"},
		{"the intensive care unit ", "ICU", "intensive care unit"},
		// no tail of the text holds the letters in order
		{"patients with sepsis", "HC", ""},
		{"", "SS", ""},
		// the first letter must start a word: "assessed" holds an s
		// inside a word only
		{"assessed", "SD", ""},
	}
	for _, tc := range tests {
		got, ok := longForm(tc.before, tc.short)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("longForm(%q, %q) = %q, %v; want %q", tc.before, tc.short, got, ok, tc.want)
		}
	}
}

func TestStudyAbbreviations(t *testing.T) {
	c := Default()
	tests := []struct {
		name    string
		text    string
		want    map[string]Label
		neutral []string
	}{
		{"septic shock and healthy controls", "Blood of septic shock (SS) patients and healthy controls (HCs, n = 8).",
			map[string]Label{"SS": SepticShock, "HC": Control}, nil},
		{"the same code means severe sepsis elsewhere", "Patients with severe sepsis (SS) in the ICU (ICU).",
			map[string]Label{"SS": Sepsis}, nil},
		{"a code defined twice with different labels is no key", "severe sepsis (SS) ... septic shock (SS)", nil, nil},
		{"words the classifier does not label are kept as no cohort", "acute respiratory distress syndrome (ARDS), non-survivors (NS), hydrocortisone (HC)",
			nil, []string{"ARDS", "NS", "HC"}},
		{"one capital abbreviates the one word before it", "sepsis (S) and controls (C), septic shock (X)",
			map[string]Label{"S": Sepsis, "C": Control}, nil},
		{"a lower-case letter is no abbreviation", "sepsis (s)", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, neutral := c.studyAbbreviations(&metadata.Study{Description: tc.text})
			if len(got) != len(tc.want) || len(neutral) != len(tc.neutral) {
				t.Fatalf("got %v and no cohort %v, want %v and %v", got, neutral, tc.want, tc.neutral)
			}
			for _, n := range tc.neutral {
				if !neutral[n] {
					t.Errorf("%s not kept as no cohort: %v", n, neutral)
				}
			}
			for short, l := range tc.want {
				if got[short].d.Label != l || got[short].field != "study_description" {
					t.Errorf("%s: got %+v, want %s", short, got[short], l)
				}
			}
		})
	}
	if got, neutral := c.studyAbbreviations(nil); got != nil || neutral != nil {
		t.Errorf("nil study: %v %v", got, neutral)
	}
}

// TestStudyAbbreviationRule: codes read by the study's own definitions, in
// made-up cohorts in the style of real ones.
func TestStudyAbbreviationRule(t *testing.T) {
	shock := &metadata.Study{Title: "Septic shock (SS) versus SIRS", Description: "We compared septic shock with systemic inflammatory response syndrome (SIRS), non-septic shock (NSS) and healthy controls (HC)."}
	severe := &metadata.Study{Description: "Whole blood of patients with severe sepsis (SS)."}
	los := &metadata.Study{Title: "Late-onset sepsis (LOS) in preterm infants"}
	tests := []struct {
		name  string
		study *metadata.Study
		specs []string
		want  []want
	}{
		{"septic shock codes", shock, []string{"SS_01_T0", "SS12", "SIRS_3", "HC_2 | group: HC"},
			[]want{
				{SepticShock, RuleStudyAbbreviation, "title", "SS", `the study title defines "SS" as "Septic shock": SEPTIC_SHOCK by rule septic_shock`},
				{SepticShock, RuleStudyAbbreviation, "title", "SS", "defines"},
				{NoSepsis, "non_septic_illness", "title", "SIRS", ""},
				{Control, "group_code", "characteristics", "HC", "group code"},
			}},
		{"the same code is severe sepsis in another study", severe, []string{"SS_01"},
			[]want{{Sepsis, RuleStudyAbbreviation, "title", "SS", `"severe sepsis"`}}},
		{"a characteristic value", los, []string{"infant 3 | group: LOS", "sample 4 | note: LOS-negative", "sample 5 | note: los"},
			[]want{
				{Sepsis, RuleStudyAbbreviation, "characteristics", "LOS", `the study title defines "LOS" as "Late-onset sepsis"`},
				// "LOS-negative" is one word, not the code
				unknown,
				// a code is read in its own case only
				unknown,
			}},
		// the code is read with the words around it
		{"a code denied or hedged", los, []string{"infant 6 | los status: no LOS", "infant 7 | los status: possible LOS", "infant 8 | los status: LOS, culture-proven", "noLOS_5", "infant 9 | group: non-LOS", "infant 10 | group: Non-LOS", "infant 11 | group: NON-LOS", "NOLOS_12"},
			[]want{
				{NoSepsis, RuleStudyAbbreviation, "characteristics", "LOS", `as "Late-onset sepsis": NO_SEPSIS by rule non_septic matching "no Late-onset sepsis"`},
				unknown,
				{Sepsis, RuleStudyAbbreviation, "characteristics", "LOS", "SEPSIS by rule sepsis"},
				{NoSepsis, RuleStudyAbbreviation, "title", "noLOS", "NO_SEPSIS by rule non_septic"},
				{NoSepsis, RuleStudyAbbreviation, "characteristics", "non-LOS", "NO_SEPSIS by rule non_septic"},
				{NoSepsis, RuleStudyAbbreviation, "characteristics", "Non-LOS", "NO_SEPSIS by rule non_septic"},
				{NoSepsis, RuleStudyAbbreviation, "characteristics", "NON-LOS", "NO_SEPSIS by rule non_septic"},
				// glued in capitals it is a word, as "NOS" is
				unknown,
			}},
		// a cohort sampled at a time is still a cohort
		{"a cohort's code that names a day", &metadata.Study{Title: "Septic shock on day 1 (SSD) and healthy controls (HC)"},
			[]string{"SSD_1"}, []want{{SepticShock, RuleStudyAbbreviation, "title", "SSD", "SEPTIC_SHOCK"}}},
		// a code of a time is no cohort's, whatever its words say
		{"a time's code", &metadata.Study{Title: "Major abdominal surgery", Description: "Blood was drawn before surgery and on postoperative days (POD) 1 and 3."},
			[]string{"S01_POD1 | time point: POD1"}, []want{unknown}},
		{"codes of two labels in one record", shock, []string{"SS_vs_NSS_pair"}, []want{unknown}},
		{"a code in an ignored key", shock, []string{"sample 4 | patient id: SS-4"}, []want{unknown}},
		{"no definition, no reading", &metadata.Study{Title: "Sepsis and controls"}, []string{"LOS_1"}, []want{unknown}},
		{"a sample's own words win", shock, []string{"Healthy SS donor"}, []want{{Control, "healthy_control", "title", "Healthy", ""}}},
		// the study's own meaning of a code beats the lexicon's
		{"HC is hydrocortisone here", &metadata.Study{Title: "Hydrocortisone (HC) in septic shock", Description: "Septic shock patients given hydrocortisone."},
			[]string{"HC_012_T0 | treatment: hydrocortisone"}, []want{{SepticShock, RuleStudyContext, "study_title", "septic shock", "reads as one of the study's patients"}}},
		{"one letter defined", &metadata.Study{Description: "Blood of sepsis (S) patients and healthy controls (HC)."},
			[]string{"S_01_D0", "HC_2", "NOS_3"}, []want{{Sepsis, RuleStudyAbbreviation, "title", "S", `defines "S" as "sepsis"`}, {Control, "group_code", "title", "HC", "group code"},
				// "NOS" (not otherwise specified) is no "S" denied: a glued "no" is read in lower case only
				unknown}},
	}
	c := Default()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := c.ClassifyCohort(tc.study, cohortOf(tc.specs...))
			for i, w := range tc.want {
				w.check(t, i, got[i])
			}
		})
	}
	off, err := New(DefaultRules(), DefaultFields(), nil, WithoutCohortRules(RuleStudyAbbreviation))
	if err != nil {
		t.Fatal(err)
	}
	if d := off.ClassifyCohort(severe, cohortOf("SS_01"))[0]; d.Label != Unknown {
		t.Errorf("rule off: got %+v", d)
	}
}

// TestStudyAbbreviationRefined: a label read through an abbreviation is
// refined as a sample's own is, and counts as the cohort's sepsis arm.
func TestStudyAbbreviationRefined(t *testing.T) {
	st := &metadata.Study{Description: "Children with paediatric sepsis (PS) and type 1 diabetes."}
	got := Default().ClassifyCohort(st, cohortOf("child 1 | disease: PS | shock: 1", "child 2 | disease: PS", "child 3 | disease: Type 1 diabetes"))
	want{SepticShock, "shock_flag", "characteristics", "1", "refines SEPSIS: rule study_abbreviation"}.check(t, 0, got[0])
	want{Sepsis, RuleStudyAbbreviation, "characteristics", "PS", "paediatric sepsis"}.check(t, 1, got[1])
	want{NoSepsis, RuleDiseaseArm, "characteristics", "Type 1 diabetes", "study_abbreviation"}.check(t, 2, got[2])
}
