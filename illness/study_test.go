package illness

import (
	"strings"
	"testing"

	"github.com/genexp/genexp/metadata"
)

func TestStudyContext(t *testing.T) {
	patient := func(title string, chars ...string) *metadata.Sample {
		s := &metadata.Sample{Accession: "GSM1", Title: title}
		for i := 0; i+1 < len(chars); i += 2 {
			s.Annotations = append(s.Annotations, metadata.Annotation{Key: chars[i], Value: chars[i+1], Characteristic: true})
		}
		return s
	}
	shockStudy := &metadata.Study{Accession: "GSE95233", Title: "Septic shock patients: time course of blood transcriptome"}
	sepsisStudy := &metadata.Study{Accession: "GSE9", Title: "Whole blood expression in sepsis", Description: "Patients admitted with sepsis."}
	mixed := &metadata.Study{Accession: "GSE8", Title: "Sepsis versus SIRS in the ICU"}
	both := &metadata.Study{Accession: "GSE7", Title: "Sepsis and septic shock in children"}
	// GSE272769's real title (OmicsDI record of the GEO series); its summary
	// speaks of "patients with and without septic shock".
	mortality := &metadata.Study{Accession: "GSE272769", Title: "Whole blood transcriptomic profiling identifies expression signatures for sepsis mortality"}
	mortalityFull := &metadata.Study{Accession: "GSE272769", Title: mortality.Title, Description: "sepsis mortality in patients with and without septic shock"}
	armInDescription := &metadata.Study{Accession: "GSE5", Title: "Sepsis biomarkers in whole blood", Description: "Patients with sepsis and post-surgical patients."}
	// MARS-like: the text names ICU patients without infection beside its
	// septic ones (recalled wording, not a stored record)
	withoutInfection := &metadata.Study{Accession: "GSE5", Title: "Molecular diagnosis and risk stratification of sepsis",
		Description: "Blood of patients with sepsis due to pneumonia or abdominal infection, and of ICU patients admitted without infection."}
	byDescription := &metadata.Study{Accession: "GSE6", Title: "Blood transcriptome time course", Description: "Blood of septic shock patients sampled daily."}
	// Studies of septic shock also speak of sepsis: the patients they
	// enrolled decide.
	shockPatients := &metadata.Study{Accession: "GSE4", Title: "Whole blood gene expression in septic shock",
		Description: "Septic shock is the most severe form of sepsis. Blood was drawn from 28 septic shock patients at 0, 24 and 48 h after admission and from 25 healthy volunteers."}
	sepsisPatients := &metadata.Study{Accession: "GSE3", Title: "Sepsis endotypes",
		Description: "We enrolled adults with sepsis on admission to the emergency department; septic shock developed in some."}
	severeOrShock := &metadata.Study{Accession: "GSE2", Title: "Blood transcriptome in sepsis",
		Description: "Patients with severe sepsis or septic shock were sampled daily."}
	septicAndShockPatients := &metadata.Study{Accession: "GSE1", Title: "Sepsis time course",
		Description: "Blood of septic patients and of septic shock patients."}
	// GSE272769's summary as OmicsDI holds it: sepsis and septic shock
	// both, patients "with and without septic shock".
	mortalityAbstract := &metadata.Study{Accession: "GSE272769", Title: mortality.Title,
		Description: "Sepsis is the leading cause of death in U.S. hospitals and affects nearly 50 million people globally per year. Sepsis is defined as the 'dysregulated host response to infection', however, identifying specific and targetable immune abnormalities for therapeutic intervention has been challenging. We hypothesized that sepsis nonsurvivors have a distinct transcriptional signature, and we thus sought to identify, validate, and contextualize the whole blood transcriptomic changes associated with sepsis mortality in patients with and without septic shock."}
	sirsDefined := &metadata.Study{Accession: "GSE10", Title: "Leukocyte expression in sepsis",
		Description: "Sepsis is a systemic inflammatory response to infection. Patients with sepsis were sampled on admission."}
	// GSE40012's title and the start of its summary (ArrayExpress IDF of
	// its GEO import): non-infective SIRS is a comparison group.
	sirsGroup := &metadata.Study{Accession: "GSE40012", Title: "Blood transcriptome of human bacterial and influenza A pneumonia",
		Description: "We conducted gene expression profiling in the whole blood of critically ill patients to identify a gene signature that would allow clinicians to distinguish influenza infection from other causes of severe respiratory failure (e.g. bacterial pneumonia, non-infective systemic inflammatory response syndrome)."}
	// Septic and septic shock patients both named: the title's patients
	// (GSE57065's real title, and its summary's "severe septic
	// patients"), else the patients counted (GSE11755's and GSE64457's
	// real summaries, shortened).
	titlePatients := &metadata.Study{Accession: "GSE57065", Title: "Early and dynamic changes in gene expression in septic shock patients: a genome wide approach",
		Description: "As early and appropriate care of severe septic patients is associated with better outcome, understanding of very first events in the disease process is needed."}
	countedSepsis := &metadata.Study{Accession: "GSE11755", Title: "Gene expression profiling in pediatric meningococcal sepsis",
		Description: "In this prospective case-control study, six children with meningococcal sepsis were included. We observed a decrease in NK cell numbers in patients with meningococcal septic shock."}
	countedShock := &metadata.Study{Accession: "GSE64457", Title: "Marked alterations of neutrophil functions during sepsis-induced immunosuppression",
		Description: "A global evaluation of neutrophil alterations in immunosuppressed septic patients. Peripheral blood was collected from 9 septic shock patients at D3-4 and D6-8."}
	countedBoth := &metadata.Study{Accession: "GSE1", Title: "Sepsis time course",
		Description: "Blood of 20 septic patients and of 12 septic shock patients."}
	// numbers that count no patients enrolled
	oneOfThem := &metadata.Study{Accession: "GSE1", Title: "Blood transcriptome",
		Description: "Blood of septic shock patients was drawn. One of the septic patients died."}
	aYear := &metadata.Study{Accession: "GSE1", Title: "Blood transcriptome",
		Description: "Blood of septic shock patients was drawn. In 2014 septic patients were enrolled."}
	aDay := &metadata.Study{Accession: "GSE1", Title: "Blood transcriptome",
		Description: "We studied 30 septic shock patients. Day 28 mortality in septic patients is high."}
	inParentheses := &metadata.Study{Accession: "GSE1", Title: "Blood transcriptome",
		Description: "Severe septic patients were screened; children with septic shock (n = 30 individual patients) were sampled, 30 septic shock patients in all."}
	negatedPatients := &metadata.Study{Accession: "GSE1", Title: "Septic shock and ICU patients",
		Description: "Ten patients with septic shock and eight patients with no sepsis were sampled."}
	// GSE65088's real title and the start of its summary: blood infected
	// in the laboratory, no patients.
	bloodModel := &metadata.Study{Accession: "GSE65088", Title: "Biomarker-based classification of bacterial and fungal whole-blood infections in a genome-wide expression study",
		Description: "Sepsis is a clinical syndrome that can be caused by bacteria or fungi. In this study, we aim to examine the transcriptional footprint of infections caused by the bacterial pathogens in a human whole-blood model."}
	tests := []struct {
		name    string
		sample  *metadata.Sample
		study   *metadata.Study
		label   Label
		field   string
		matched string
	}{
		{"patient in a septic shock study", patient("Patient 19, Day1"), shockStudy, SepticShock, "study_title", "Septic shock"},
		{"hour code in a septic shock study", patient("patient 006, H0"), shockStudy, SepticShock, "study_title", "Septic shock"},
		{"survivor in a sepsis study", patient("blood", "outcome", "survivor"), sepsisStudy, Sepsis, "study_title", "sepsis"},
		{"healthy volunteer keeps its own label", patient("Healthy volunteer 3"), shockStudy, Control, "title", "Healthy"},
		{"no patient wording: unknown", patient("sample 12"), shockStudy, Unknown, "", ""},
		{"study with a non-septic arm: unknown", patient("Patient 4"), mixed, Unknown, "", ""},
		{"sepsis and septic shock both: unknown", patient("Patient 4"), both, Unknown, "", ""},
		{"description when the title says nothing", patient("Patient 4, D2"), byDescription, SepticShock, "study_description", "septic shock"},
		{"no study", patient("Patient 4"), nil, Unknown, "", ""},
		{"real sepsis title", patient("Patient 4, Day1"), mortality, Sepsis, "study_title", "sepsis"},
		{"summary adds septic shock patients: unknown", patient("Patient 4, Day1"), mortalityFull, Unknown, "", ""},
		{"non-septic arm in the description: unknown", patient("Patient 4"), armInDescription, Unknown, "", ""},
		{"ICU patients without infection in the description: unknown", patient("critically ill patient 401"), withoutInfection, Unknown, "", ""},
		{"septic shock patients in a text that speaks of sepsis", patient("patient 006, H0"), shockPatients, SepticShock, "study_description", "septic shock patients"},
		{"adults with sepsis in a text that speaks of septic shock", patient("Patient 7, day 1"), sepsisPatients, Sepsis, "study_description", "adults with sepsis"},
		{"severe sepsis or septic shock: unknown", patient("Patient 4"), severeOrShock, Unknown, "", ""},
		{"septic and septic shock patients: unknown", patient("Patient 4"), septicAndShockPatients, Unknown, "", ""},
		{"real summary, with and without septic shock: unknown", patient("Patient 4, Day1"), mortalityAbstract, Unknown, "", ""},
		{"SIRS defining sepsis is no comparison group", patient("Patient 4"), sirsDefined, Sepsis, "study_title", "sepsis"},
		{"infectious SIRS is no comparison group", patient("Patient 4"), &metadata.Study{Title: "Leukocyte expression in sepsis",
			Description: "Patients with infectious SIRS (sepsis) were sampled on admission."}, Sepsis, "study_title", "sepsis"},
		{"non-infectious SIRS is a comparison group: unknown", patient("Patient 4"), &metadata.Study{Title: "Leukocyte expression in sepsis",
			Description: "Patients with sepsis and with non-infectious SIRS were sampled."}, Unknown, "", ""},
		{"non-infective SIRS is a comparison group: unknown", patient("Patient 4"), sirsGroup, Unknown, "", ""},
		{"a sample number glued to patient", patient("patient01_t0"), shockStudy, SepticShock, "study_title", "Septic shock"},
		{"the title's patients over the summary's", patient("patient 006, H0"), titlePatients, SepticShock, "study_title", "septic shock patients"},
		{"the patients counted: sepsis", patient("Patient1/Monocyte/T0", "", "T0 patient 1"), countedSepsis, Sepsis, "study_description", "six children with meningococcal sepsis"},
		{"the patients counted: septic shock", patient("Pat_2_D4", "sample_type", "Patient"), countedShock, SepticShock, "study_description", "9 septic shock patients"},
		{"both counted: unknown", patient("Patient 4"), countedBoth, Unknown, "", ""},
		{"patients with no sepsis are not septic patients", patient("Patient 4"), negatedPatients, SepticShock, "study_description", "patients with septic shock"},
		{"one of the patients is no count: unknown", patient("Patient 4, Day1"), oneOfThem, Unknown, "", ""},
		{"a year is no count: unknown", patient("Patient 4, Day1"), aYear, Unknown, "", ""},
		{"a day is no count", patient("Patient 4, Day1"), aDay, SepticShock, "study_description", "30 septic shock patients"},
		{"n = 30 counts", patient("Patient 4, Day1"), inParentheses, SepticShock, "study_description", "30 septic shock patients"},
		{"a model of patients' cells counts its patients", patient("Patient 3, LPS"), &metadata.Study{Title: "A monocyte stimulation model in septic shock",
			Description: "Monocytes of 20 septic shock patients were stimulated."}, SepticShock, "study_title", "septic shock"},
		{"a passing mention of septic patients does not make a model a patient study", patient("Ca_4h_D1 (sample 4)"),
			&metadata.Study{Title: bloodModel.Title, Description: bloodModel.Description + " Gene expression of such infections resembles that of septic patients."}, Unknown, "", ""},
		{"blood infected in a model: no patients", patient("Sa_4h_D1 (sample 12)"), bloodModel, Unknown, "", ""},
		// people and draws named in other words than "patient"
		{"a child", patient("Child 2"), shockStudy, SepticShock, "study_title", "Septic shock"},
		{"an infant", patient("Infant_5"), sepsisStudy, Sepsis, "study_title", "sepsis"},
		{"a neonate", patient("blood", "neonate", "12"), sepsisStudy, Sepsis, "study_title", "sepsis"},
		{"a subject", patient("Subject 7"), shockStudy, SepticShock, "study_title", "Septic shock"},
		{"pt with its number", patient("Pt5_T1"), shockStudy, SepticShock, "study_title", "Septic shock"},
		{"P and a number with its draw", patient("P12_T0"), shockStudy, SepticShock, "study_title", "Septic shock"},
		{"a time-course draw", patient("T0_12"), shockStudy, SepticShock, "study_title", "Septic shock"},
		{"a baseline draw", patient("baseline 4"), shockStudy, SepticShock, "study_title", "Septic shock"},
		{"hours are no draw of a patient: unknown", patient("LPS 24h"), shockStudy, Unknown, "", ""},
		{"a protein is no patient: unknown", patient("p53 knockdown"), shockStudy, Unknown, "", ""},
		{"a demographic key names no patient: unknown", patient("sample 3", "developmental stage", "infant"), sepsisStudy, Unknown, "", ""},
		{"an age group names no patient: unknown", patient("sample 3", "age group", "children"), sepsisStudy, Unknown, "", ""},
		{"a time point under an ignored key is a draw", patient("sample 3", "time point", "T1"), sepsisStudy, Sepsis, "study_title", "sepsis"},
		{"a subject of a study with healthy people may be either: unknown", patient("Subject 7"), shockPatients, Unknown, "", ""},
		{"a patient of a study with healthy people is a patient", patient("Patient 7"), shockPatients, SepticShock, "study_description", "septic shock patients"},
		{"people given endotoxin are no patients: unknown", patient("LPS 1, T2"), &metadata.Study{Title: "Systemic inflammation in humans",
			Description: "Subjects received intravenous bacterial endotoxin (LPS). The human endotoxemia model mimics the early inflammatory response of sepsis."}, Unknown, "", ""},
		// a record that leaves its own group in doubt
		{"a suspected infant: unknown", patient("Infant 4", "infection", "suspected"), sepsisStudy, Unknown, "", ""},
		{"possible infection: unknown", patient("Patient 9", "diagnosis", "possible infection"), sepsisStudy, Unknown, "", ""},
	}
	c := Default()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := c.ClassifyInStudy(tc.sample, tc.study)
			if d.Label != tc.label || d.Field != tc.field || d.Matched != tc.matched {
				t.Fatalf("got %s (field %q, matched %q), want %s (field %q, matched %q)", d.Label, d.Field, d.Matched, tc.label, tc.field, tc.matched)
			}
			if d.Label != Unknown && d.Field != "title" && (d.Rule != RuleStudyContext || d.Method != MethodRule) {
				t.Fatalf("decision %+v does not name the study-context rule", d)
			}
		})
	}
	off, err := New(DefaultRules(), nil, nil, WithStudyContext(false))
	if err != nil {
		t.Fatal(err)
	}
	if d := off.ClassifyInStudy(patient("Patient 19, Day1"), shockStudy); d.Label != Unknown {
		t.Fatalf("with the fallback off: %+v", d)
	}
}

func TestPassingMentions(t *testing.T) {
	blank := func(s string) string { return strings.Repeat(" ", len(s)) }
	for _, tc := range []struct{ in, want string }{
		{"Septic patients were profiled.", "Septic patients were profiled."},
		{"Patients with sepsis were excluded. Asthma was studied.", blank("Patients with sepsis were excluded. ") + "Asthma was studied."},
		{"Sepsis-free survival – résumé\nCOPD", blank("Sepsis-free survival – résumé") + "\nCOPD"},
		{"At risk of sepsis; 30 septic patients", blank("At risk of sepsis; ") + "30 septic patients"},
		{"Exclusion criteria: none", "Exclusion criteria: none"},
	} {
		if got := passingMentions(tc.in); got != tc.want {
			t.Errorf("passingMentions(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
