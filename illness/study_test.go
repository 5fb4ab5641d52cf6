package illness

import (
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
	byDescription := &metadata.Study{Accession: "GSE6", Title: "Blood transcriptome time course", Description: "Blood of septic shock patients sampled daily."}
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
