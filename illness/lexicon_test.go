package illness

import (
	"errors"
	"reflect"
	"testing"

	"github.com/genexp/genexp/qc"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Inf1_P", []string{"Inf", "P"}},
		{"Con001", []string{"Con"}},
		{"se/ARDS Day 0", []string{"se", "ARDS", "Day"}},
		{"Blood-SV_108_D01", []string{"Blood", "SV", "D"}},
		{"Témoin HV01", []string{"Témoin", "HV"}},
		{"", nil},
		{"123_456", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, tok := range tokens(tt.in) {
			got = append(got, tok.text)
			if tt.in[tok.start:tok.end] != tok.text {
				t.Errorf("%q: token %q has wrong offsets", tt.in, tok.text)
			}
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("tokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestGroupCodes checks the codes Classify reads without a cohort, on
// crafted samples (made up for the test).
func TestGroupCodes(t *testing.T) {
	tests := []struct {
		name    string
		title   string
		chars   []string
		label   Label
		matched string
	}{
		{"healthy abbreviation in a characteristic", "INFG_139", []string{"status: Hlty"}, Control, "Hlty"},
		{"control code glued to digits", "Con001", nil, Control, "Con"},
		{"healthy donor needs a sepsis cohort", "HD_21_NA", nil, Unknown, ""},
		{"concanavalin A is not a control", "PBMC Con A 24h", nil, Unknown, ""},
		{"healthy control with a day", "HC_D1", nil, Control, "HC"},
		{"sepsis abbreviation", "WIMR_052", []string{"status: Seps_P"}, Sepsis, "Seps"},
		{"negated sepsis code", "non-seps 4", nil, NoSepsis, "non-seps"},
		{"non-infected", "NonInf_3", nil, NoSepsis, "NonInf"},
		{"control code beside patient wording", "Patient_HC_2", nil, Unknown, ""},
		{"control code in a phrase", "paciente con neumonía", nil, Unknown, ""},
		{"a sentence is not a code", "blood of HC donor five from the clinic", nil, Unknown, ""},
		{"codes of two labels", "HC_vs_Seps", nil, Unknown, ""},
		{"a cohort code needs a cohort", "Shock_P", nil, Unknown, ""},
		{"an infection code needs a cohort", "Inf_3", nil, Unknown, ""},
		{"a code inside a word is not a code", "Seconds_1", nil, Unknown, ""},
		{"ignored keys are not read", "S1", []string{"survival: HC"}, Unknown, ""},
		{"rules come first", "Con_sepsis_2", nil, Sepsis, "sepsis"},
	}
	c := Default()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := c.Classify(sample(tt.title, "", "", tt.chars...))
			if d.Label != tt.label || d.Matched != tt.matched {
				t.Fatalf("got %s", d)
			}
			if tt.label != Unknown && tt.matched != "sepsis" && (d.Rule != RuleGroupCode || d.Evidence == "") {
				t.Fatalf("decision %+v does not name the group code", d)
			}
		})
	}
}

func TestDefaultGroupCodesAreValid(t *testing.T) {
	if _, err := New(DefaultRules(), nil, nil, WithGroupCodes(DefaultGroupCodes())); err != nil {
		t.Fatal(err)
	}
	for _, gc := range DefaultGroupCodes() {
		if gc.Reason == "" {
			t.Errorf("code %q has no reason", gc.Code)
		}
	}
}

func TestGroupCodeErrors(t *testing.T) {
	bad := [][]GroupCode{
		{{Code: "", Label: Control}},
		{{Code: "h1", Label: Control}},
		{{Code: "hc", Label: Control}, {Code: "HC", Label: Control}},
		{{Code: "x", Label: "ILL"}},
		{{Code: "inf", Infection: true, Label: Sepsis}},
		{{Code: "x", Label: Control, Scope: "somewhere"}},
	}
	for i, codes := range bad {
		if _, err := New(DefaultRules(), nil, nil, WithGroupCodes(codes)); !errors.Is(err, qc.IllnessInferenceFailed) {
			t.Errorf("case %d: %v", i, err)
		}
	}
	c, err := New(DefaultRules(), nil, nil, WithGroupCodes([]GroupCode{{Code: "Pt", Label: Sepsis}}))
	if err != nil {
		t.Fatal(err)
	}
	if d := c.Classify(sample("PT_7", "", "")); d.Label != Sepsis || d.Rule != RuleGroupCode {
		t.Fatalf("custom code: %+v", d)
	}
}
