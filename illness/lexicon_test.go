package illness

import (
	"errors"
	"reflect"
	"testing"

	"github.com/genexp/genexp/metadata"
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
		{"an ignored key is read last", "Seps_1", []string{"survival: HC"}, Sepsis, "Seps"},
		{"rules come first", "Con_sepsis_2", nil, Sepsis, "sepsis"},
		{"HC beside hydrocortisone is the drug's arm", "VAN0103 HC D3", []string{"compound: hydrocortisone"}, Unknown, ""},
		{"HC where no hydrocortisone is named", "HC_D3", []string{"compound: none"}, Control, "HC"},
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
		{{Code: "x", Label: Control, Unless: "("}},
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

// TestMockIsTheControlCondition: "mock" (mock-infected, mock-treated) is
// the control condition of an infection or stimulation study, read as a
// group code: only when no rule labels the sample, and never in a sample
// whose record names a patient (whose mock-treated cells are the
// patient's, in the patient's group).
func TestMockIsTheControlCondition(t *testing.T) {
	c := Default()
	for _, tc := range []struct {
		name  string
		s     *metadata.Sample
		label Label
		rule  string
	}{
		{"mock-infected donor blood (GSE65088)", sample("mock_D1 (sample 1)", "", "Whole blood", "individual: donor 1", "infection: mock"), Control, RuleGroupCode},
		{"mock-treated cells", sample("", "", "mock-treated PBMC"), Control, RuleGroupCode},
		{"a patient's mock-treated cells keep the patient's label", sample("septic shock patient 3, mock", "", "", "treatment: mock"), SepticShock, "septic_shock"},
		{"a patient's mock-treated cells are no control", sample("Patient 3, mock", "", "", "treatment: mock"), Unknown, ""},
		{"mocked is no mock", sample("", "", "mocked up sample"), Unknown, ""},
		{"an ignored key names no patient", sample("Sa_4h_D2", "", "", "patient id: 7", "survival: survivor", "infection: mock"), Control, RuleGroupCode},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := c.Classify(tc.s); d.Label != tc.label || d.Rule != tc.rule {
				t.Errorf("got %s by %q (%s), want %s by %q", d.Label, d.Rule, d, tc.label, tc.rule)
			}
		})
	}
	// In a septic-shock study, a patient's mock-treated cells take the
	// study's label, as the patient's other samples do.
	study := &metadata.Study{Title: "Monocytes of septic shock patients stimulated with LPS"}
	out := c.ClassifyCohort(study, []*metadata.Sample{sample("Patient 3, mock", "", "", "treatment: mock"), sample("Patient 3, LPS", "", "", "treatment: LPS")})
	for i, d := range out {
		if d.Label != SepticShock || d.Rule != RuleStudyContext {
			t.Errorf("sample %d: %s, want SEPTIC_SHOCK by %s", i+1, d, RuleStudyContext)
		}
	}
}

func TestNearLabelWord(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want bool
	}{
		{"sespis", true}, {"spesis", true}, {"Heathy", true}, {"contorl", true}, {"Helthy", true},
		{"ALS", false}, {"diabetes", false}, {"asthma", false}, {"type 1 diabetes", false}, {"lupus", false},
	} {
		if got := nearLabelWord(tc.v); got != tc.want {
			t.Errorf("nearLabelWord(%q) = %v, want %v", tc.v, got, tc.want)
		}
	}
}
