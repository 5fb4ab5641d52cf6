package illness

import (
	"strings"
	"testing"

	"github.com/genexp/genexp/metadata"
)

// TestNegationScope: a denial decides only where it speaks of the sample's
// group. A patient's history, a measurement's finding and a denied septic
// shock leave the diagnosis standing.
func TestNegationScope(t *testing.T) {
	for _, tc := range []struct {
		chars []string
		want  Label
	}{
		// An infected control is no healthy one, and leaves the group to
		// what else the record says.
		{[]string{"group: infected control", "disease state: non-septic infection"}, NoSepsis},
		// A history is what was, not the sample's group: in a key that
		// names the past, or in the value.
		{[]string{"medical history: sepsis"}, Unknown},
		{[]string{"family history: sepsis"}, Unknown},
		{[]string{"disease state: urosepsis, h/o septic shock"}, Sepsis},
		{[]string{"diagnosis: pneumosepsis; h/o septic shock"}, Sepsis},
		{[]string{"disease state: septic shock, history of sepsis"}, SepticShock},
		{[]string{"disease state: h/o urosepsis"}, Unknown},
		{[]string{"history of present illness: septic shock"}, SepticShock},
		{[]string{"time point: 2 days prior sepsis"}, Sepsis},
		// A finding that names sepsis says whether the sample has it; a
		// key that names sepsis is no measurement's.
		{[]string{"clinical finding: no sepsis"}, NoSepsis},
		{[]string{"test result: no evidence of sepsis"}, NoSepsis},
		{[]string{"result: no sepsis"}, NoSepsis},
		// A result in general, or a diagnosis, may be the adjudicated
		// group: a finding of no infection there is read.
		{[]string{"lab diagnosis: no infection"}, NoSepsis},
		{[]string{"final result: no infection"}, NoSepsis},
		{[]string{"adjudication result: no infection"}, NoSepsis},
		// A test's status or report is the test's, not a diagnosis.
		{[]string{"disease state: sepsis", "lactate status: normal"}, Sepsis},
		{[]string{"disease state: sepsis", "clinical chemistry lactate: normal"}, Sepsis},
		{[]string{"disease state: septic shock", "chest x-ray final report: no evidence of infection"}, SepticShock},
		{[]string{"disease state: sepsis", "urine culture status: no evidence of infection"}, Sepsis},
		{[]string{"disease state: septic shock", "medical history: no history of sepsis"}, SepticShock},
		{[]string{"disease state: sepsis", "past history: no history of infection"}, Sepsis},
		{[]string{"disease state: sepsis", "comorbidity: no history of infection"}, Sepsis},
		{[]string{"medical history: history of sepsis", "group: healthy control"}, Control},
		{[]string{"notes: history of sepsis"}, Unknown},
		// A history key is read last, where nothing else labels.
		{[]string{"clinical history: septic shock"}, SepticShock},
		// A measurement's finding of nothing is no denial of sepsis.
		{[]string{"disease state: septic shock", "chest x-ray: no evidence of infection"}, SepticShock},
		{[]string{"disease state: sepsis", "blood culture result: negative for infection"}, Sepsis},
		{[]string{"chest x-ray: no evidence of infection"}, Unknown},
		// Septic shock denied, in each negation form, says nothing of sepsis.
		{[]string{"group: no septic shock"}, Unknown},
		{[]string{"group: w/o septic shock"}, Unknown},
		{[]string{"group: no evidence of septic shock"}, Unknown},
		{[]string{"group: negative for septic shock"}, Unknown},
		{[]string{"disease state: sepsis w/o septic shock"}, Sepsis},
		{[]string{"disease state: sepsis, negative for septic shock"}, Sepsis},
		{[]string{"disease state: sepsis without septic shock"}, Sepsis},
		// The forms the rule is for still deny.
		{[]string{"group: no evidence of sepsis"}, NoSepsis},
		{[]string{"group: negative for infection"}, NoSepsis},
		{[]string{"disease state: SIRS w/o sepsis"}, NoSepsis},
	} {
		d := Default().Classify(sample("", "", "", tc.chars...))
		if d.Label != tc.want {
			t.Errorf("%q: %s (rule %q, matched %q), want %s", tc.chars, d.Label, d.Rule, d.Matched, tc.want)
		}
	}
}

// TestMeasurementNoDenial: a measurement's qualitative finding under a key
// that names sepsis is no "sepsis: no", so the study's text still labels
// the patient.
func TestMeasurementNoDenial(t *testing.T) {
	for _, tc := range []struct {
		study *metadata.Study
		specs []string
		want  Label
	}{
		{&metadata.Study{Title: "Sepsis in the emergency department", Description: "Whole blood of septic patients in the emergency department."},
			[]string{"ED patient 1 | sepsis marker procalcitonin: elevated", "ED patient 2"}, Sepsis},
		{&metadata.Study{Title: "Septic shock: blood transcriptome", Description: "Whole blood of septic shock patients."},
			[]string{"patient 1 | septic shock lactate: high", "patient 2"}, SepticShock},
	} {
		for i, d := range Default().ClassifyCohort(tc.study, cohortOf(tc.specs...)) {
			if d.Label != tc.want {
				t.Errorf("%q in %q: %s (rule %q), want %s", tc.specs[i], tc.study.Title, d.Label, d.Rule, tc.want)
			}
		}
	}
	// A denial under a key that names sepsis is a denial, whatever
	// measurement words the key holds; septic shock denied names no
	// cohort (it used to be read as the code "shock"): in a study of
	// sepsis with and without shock, the study's sepsis.
	for _, tc := range []struct {
		study *metadata.Study
		specs []string
		want  Label
	}{
		{&metadata.Study{Title: "Sepsis diagnosis in the emergency department", Description: "Whole blood of septic patients in the emergency department."},
			[]string{"ED patient 1 | sepsis (lab confirmed): no", "ED patient 2 | laboratory confirmed sepsis: no"}, Unknown},
		{&metadata.Study{Title: "Sepsis with and without shock"},
			[]string{"patient 1 | disease state: negative for septic shock", "patient 2 | disease state: no septic shock"}, Sepsis},
	} {
		for i, d := range Default().ClassifyCohort(tc.study, cohortOf(tc.specs...)) {
			if d.Label != tc.want {
				t.Errorf("%q in %q: %s (rule %q), want %s", tc.specs[i], tc.study.Title, d.Label, d.Rule, tc.want)
			}
		}
	}
}

// TestComparisonNamesTheInfection: a study's text that compares keeps a
// patient diagnosed with an infection out of its septic patients only when
// the comparison names that infection.
func TestComparisonNamesTheInfection(t *testing.T) {
	for _, tc := range []struct {
		study *metadata.Study
		spec  string
		want  Label
	}{
		{&metadata.Study{Title: "Blood transcriptome of septic patients compared with healthy controls"},
			"patient 1 | diagnosis: community-acquired pneumonia", Sepsis},
		{&metadata.Study{Title: "Septic patients vs healthy volunteers", Description: "Whole blood of 20 septic patients."},
			"patient 2 | diagnosis: urinary tract infection", Sepsis},
		{&metadata.Study{Title: "Dengue versus bacterial sepsis in children"},
			"patient 3 | diagnosis: dengue fever", Unknown},
		{&metadata.Study{Title: "Host response in sepsis", Description: "We aimed at distinguishing COVID-19 from bacterial sepsis."},
			"patient 4 | disease: COVID-19", Unknown},
		// One infection, other names.
		{&metadata.Study{Title: "SARS-CoV-2 infection versus bacterial sepsis"}, "patient 5 | disease: COVID-19", Unknown},
		{&metadata.Study{Title: "Influenza versus bacterial sepsis"}, "patient 6 | diagnosis: H1N1 influenza", Unknown},
		{&metadata.Study{Title: "H1N1 versus bacterial sepsis"}, "patient 7 | diagnosis: influenza A (H1N1) pneumonia", Unknown},
		// Sources of sepsis compared: septic patients on both sides.
		{&metadata.Study{Title: "Sepsis due to faecal peritonitis versus community-acquired pneumonia", Description: "Septic patients in intensive care."},
			"patient 8 | diagnosis: community-acquired pneumonia", Sepsis},
		{&metadata.Study{Title: "Sepsis in adults", Description: "Patients with sepsis from pneumonia or urinary tract infection were compared with healthy controls."},
			"patient 9 | diagnosis: urinary tract infection", Sepsis},
		// Septic patients from an infection, compared with healthy people.
		{&metadata.Study{Title: "Sepsis in adults", Description: "Septic patients from community-acquired infection versus healthy volunteers."},
			"patient 10 | diagnosis: urinary tract infection", Sepsis},
		{&metadata.Study{Title: "Bacterial sepsis versus healthy volunteers", Description: "Whole blood of septic patients."},
			"patient 11 | diagnosis: pneumonia", Sepsis},
		// Infection compared in general: the kind need not be named.
		{&metadata.Study{Title: "Host response", Description: "We aimed to distinguish viral infections from bacterial sepsis."},
			"patient 12 | diagnosis: influenza A", Unknown},
		{&metadata.Study{Title: "Sepsis", Description: "Septic patients were compared with patients with localized infections."},
			"patient 13 | diagnosis: urinary tract infection", Unknown},
		{&metadata.Study{Title: "Sepsis versus infection without organ dysfunction"}, "patient 14 | diagnosis: pneumonia", Unknown},
		{&metadata.Study{Title: "Bacterial sepsis versus non-bacterial febrile illness"}, "patient 15 | diagnosis: malaria", Unknown},
		{&metadata.Study{Title: "Influenza versus bacterial sepsis"}, "patient 16 | diagnosis: RSV infection", Unknown},
		{&metadata.Study{Title: "Sepsis", Description: "Septic patients were compared with patients with uncomplicated infection and healthy controls."},
			"patient 17 | diagnosis: pneumonia", Unknown},
		// Septic patients, however their infection is worded, compared
		// with healthy people.
		{&metadata.Study{Title: "Sepsis", Description: "Whole blood of patients with suspected sepsis was compared with healthy volunteers."},
			"patient 18 | diagnosis: urinary tract infection", Sepsis},
		{&metadata.Study{Title: "Febrile children with bacterial sepsis compared with healthy controls"},
			"patient 19 | diagnosis: pneumonia", Sepsis},
		{&metadata.Study{Title: "Sepsis", Description: "Septic patients with a confirmed infection were compared with healthy volunteers."},
			"patient 20 | diagnosis: UTI", Sepsis},
		{&metadata.Study{Title: "Sepsis", Description: "Patients with sepsis (infection with organ dysfunction) were compared with healthy volunteers."},
			"patient 21 | diagnosis: pneumonia", Sepsis},
	} {
		samples := cohortOf(tc.spec, "control 9 | diagnosis: healthy")
		d := Default().ClassifyCohort(tc.study, samples)[0]
		if d.Label != tc.want {
			t.Errorf("%q in %q: %s (rule %q), want %s", tc.spec, tc.study.Title+" "+tc.study.Description, d.Label, d.Rule, tc.want)
		}
	}
}

// TestSourceOfSepsisDiagnosed: a sample whose diagnosis is a source of
// sepsis the study names ("sepsis due to faecal peritonitis or community
// acquired pneumonia") is one of its septic patients, whatever its title
// says of it ("FP_01" reads as no patient); a diagnosis the text does not
// name as a source, or a study that compares infections, leaves it alone.
func TestSourceOfSepsisDiagnosed(t *testing.T) {
	gains := &metadata.Study{Title: "Genomic response in sepsis due to faecal peritonitis and community-acquired pneumonia",
		Description: "Leukocytes of adult ICU patients with sepsis due to faecal peritonitis (FP) or community acquired pneumonia (CAP)."}
	for _, tc := range []struct {
		study *metadata.Study
		spec  string
		want  Label
	}{
		{gains, "FP_01 | diagnosis: faecal peritonitis", Sepsis},
		{gains, "CAP_02 | diagnosis: Community-acquired pneumonia", Sepsis},
		{gains, "S3 | diagnosis: CAP", Sepsis},
		{gains, "S4 | diagnosis: urinary tract infection", Unknown},
		{gains, "S5 | tissue: peritonitis", Unknown}, // no diagnosis
		{&metadata.Study{Title: "Sepsis versus pneumonia without sepsis"}, "S6 | diagnosis: pneumonia", Unknown},
		{&metadata.Study{Title: "Peritonitis and pneumonia in the ICU"}, "S7 | diagnosis: peritonitis", Unknown},
		{gains, "S8 | diagnosis: FP", Sepsis},
		// The sources named again outside the list, in no comparison.
		{&metadata.Study{Title: "Genomic Advances in Sepsis: faecal peritonitis and community-acquired pneumonia",
			Description: "Leukocytes of adult patients admitted to the ICU with sepsis due to faecal peritonitis or community-acquired pneumonia, and healthy volunteers."},
			"CAP_14 | diagnosis: community acquired pneumonia", Sepsis},
		{&metadata.Study{Title: "Sepsis due to faecal peritonitis versus community-acquired pneumonia"}, "CAP_15 | diagnosis: community-acquired pneumonia", Sepsis},
		// A diagnosis the text names as a group of its own, or after the
		// list of sources ended, or no diagnosis at all.
		{&metadata.Study{Title: "Sepsis", Description: "Patients with sepsis from pneumonia and patients with pneumonia who did not develop sepsis were enrolled."},
			"S9 | diagnosis: pneumonia", Unknown},
		{&metadata.Study{Title: "Sepsis", Description: "Septic patients from the emergency department were compared with patients with influenza."},
			"S10 | diagnosis: influenza", Unknown},
		{&metadata.Study{Title: "Sepsis", Description: "Whole blood of septic patients from the ICU and ward patients with pneumonia."},
			"S11 | diagnosis: pneumonia", Unknown},
		{&metadata.Study{Title: "Sepsis due to pneumonia or other infections"}, "S12 | diagnosis: other", Unknown},
		{&metadata.Study{Title: "Sepsis due to pneumonia or other infections"}, "S13 | diagnosis: pneumonia", Sepsis},
	} {
		d := Default().ClassifyCohort(tc.study, cohortOf(tc.spec, "HV_1 | diagnosis: healthy volunteer"))[0]
		if d.Label != tc.want {
			t.Errorf("%q in %q: %s (rule %q), want %s", tc.spec, tc.study.Title, d.Label, d.Rule, tc.want)
		}
		if tc.want == Sepsis && (d.Rule != RuleStudyContext || !strings.Contains(d.Evidence, "a source of sepsis the study's text names")) {
			t.Errorf("%q: %s, evidence %q; want the study's context, saying why", tc.spec, d, d.Evidence)
		}
	}
}

// TestIllControlNames: controls named by an illness are no healthy
// controls: febrile controls are ill without sepsis; an infected control
// (an infected patient without sepsis, or an infection model's untreated
// animal) is left to the study.
func TestIllControlNames(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  Label
	}{
		{"group: febrile controls", NoSepsis},
		{"group: control (febrile)", NoSepsis},
		{"group: controls - ICU", NoSepsis},
		{"group: Control, post-operative", NoSepsis},
		{"group: control (non-febrile)", Control},
		{"group: control (healthy)", Control},
		{"group: non-febrile control", Control},
		{"group: fever control", Unknown}, // a patient's care, not a person
		{"group: infected control", Unknown},
		{"group: uninfected control", Control},
		{"group: non-infected controls", Control},
		{"group: non infected controls", Control},
		{"group: mock-infected control", Control},
		{"group: mock infected control", Control},
		{"group: sham-infected controls", Control},
		{"group: not infected control", Control},
		{"group: infection controls", Unknown},
		{"group: fever controls", Unknown},
		{"treatment: glycemic controls", Unknown},
		{"group: never infected control", Control},
		{"group: healthy control", Control},
	} {
		if d := Default().Classify(sample("", "", "", tc.value)); d.Label != tc.want {
			t.Errorf("%q: %s (rule %q, matched %q), want %s", tc.value, d.Label, d.Rule, d.Matched, tc.want)
		}
	}
}
