package metadata_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/genexp/genexp/metadata"
)

// TestSRARecordKeys: refine.bio copies an SRA study's title and abstract
// into every run's record, and writes the sample's BioSample attributes as
// "sample_" and the attribute. In a sample sheet without GEO's prefixed
// columns every other column was a characteristic, so a study titled for
// sepsis was read as each sample's own value; and the attributes kept
// their prefix, which keyed rules (^disease state$) never match. Both
// forms, sheet and JSON, read the same way.
func TestSRARecordKeys(t *testing.T) {
	sheet := "refinebio_accession_code\trefinebio_title\tstudy_title\tstudy_abstract\tsubmission_comment\tsample_disease_state\tsample_id\texperiment_title\tlibrary_name\n" +
		"SRR1\tHC_07\tSepsis transcriptome in the emergency department\tBlood of septic patients.\tnone\thealthy control\tHC_07\tIllumina NovaSeq 6000 sequencing; GSM1: Sepsis_02; Homo sapiens; RNA-Seq\tSepsis_02\n"
	d, err := metadata.ParseTSV(bytes.NewReader([]byte(sheet)), "metadata_SRP1.tsv", "SRP1")
	if err != nil {
		t.Fatal(err)
	}
	doc := `{"experiments": {"SRP1": {"accession_code": "SRP1", "sample_accession_codes": ["SRR1"]}}, "samples": {"SRR1": {"refinebio_accession_code": "SRR1",
		"refinebio_source_database": "SRA", "refinebio_annotations": [{"study_title": "Sepsis transcriptome in the emergency department",
		"study_abstract": "Blood of septic patients.", "sample_disease_state": "healthy control"}]}}}`
	j, err := metadata.ParseJSON(bytes.NewReader([]byte(doc)), "aggregated_metadata.json")
	if err != nil {
		t.Fatal(err)
	}
	for name, ds := range map[string]*metadata.Dataset{"sheet": d, "json": j} {
		s := sample(t, ds, "SRR1")
		for _, a := range s.Annotations {
			switch a.Key {
			case "study_title", "study_abstract", "submission_comment", "sample_id", "experiment_title", "library_name":
				if a.Characteristic {
					t.Errorf("%s: %s is read as a characteristic of the sample", name, a.Key)
				}
			case "disease_state":
				if !a.Characteristic || a.Value != "healthy control" {
					t.Errorf("%s: %+v, want the characteristic disease_state", name, a)
				}
			case "sample_disease_state":
				t.Errorf("%s: the attribute kept its prefix: %+v", name, a)
			}
		}
		if !hasAnn(s.Annotations, metadata.Annotation{Key: "disease_state", Value: "healthy control", Characteristic: true}) {
			t.Errorf("%s: no disease_state characteristic in %+v", name, s.Annotations)
		}
	}
}

// TestNotSRARecordKeysKept: only an SRA run's record is read so; a GEO or
// ArrayExpress sheet's own "study_group" or "sample_type" column is the
// submitter's characteristic, under its own name.
func TestNotSRARecordKeysKept(t *testing.T) {
	sheet := "refinebio_accession_code\trefinebio_title\tstudy_group\tsample_type\n" +
		"GSM1\tpatient 1\tsepsis\tpatient\n"
	d, err := metadata.ParseTSV(bytes.NewReader([]byte(sheet)), "metadata_GSE1.tsv", "GSE1")
	if err != nil {
		t.Fatal(err)
	}
	s := sample(t, d, "GSM1")
	for _, a := range []metadata.Annotation{
		{Key: "study_group", Value: "sepsis", Characteristic: true},
		{Key: "sample_type", Value: "patient", Characteristic: true},
	} {
		if !hasAnn(s.Annotations, a) {
			t.Errorf("GSM1 lacks %+v; has %+v", a, s.Annotations)
		}
	}
}

// TestSRAStudyText: a sheet read without aggregated_metadata.json gives
// an SRA study the title and abstract refine.bio copies into each of its
// runs' records, where every run that holds one gives the same; the
// classifier reads a study's samples in the light of its text. A study's
// own text (the JSON's experiment) is kept.
func TestSRAStudyText(t *testing.T) {
	sheet := "refinebio_accession_code\trefinebio_title\tstudy_title\tstudy_abstract\tstudy_description\tsample_title\tsample_los_status\n" +
		"SRR1\t\tLate-onset sepsis in preterm infants\tWhole blood of infants with late-onset sepsis (LOS).\t\tInfant_01\tLOS\n" +
		"SRR2\t\tLate-onset sepsis in preterm infants\tWhole blood of infants with late-onset sepsis (LOS).\tother\tInfant_02\tno LOS\n" +
		"SRR3\t\tLate-onset sepsis in preterm infants\t\tsecond\tInfant_03\tpossible LOS\n"
	d, err := metadata.ParseTSV(bytes.NewReader([]byte(sheet)), "metadata_SRP1.tsv", "SRP1")
	if err != nil {
		t.Fatal(err)
	}
	st := d.Study("SRP1")
	if st.Title != "Late-onset sepsis in preterm infants" || st.Description != "Whole blood of infants with late-onset sepsis (LOS)." {
		t.Errorf("study text %q, %q", st.Title, st.Description)
	}
	s := sample(t, d, "SRR2")
	if s.Title != "Infant_02" {
		t.Errorf("title %q, want the sample's title", s.Title)
	}
	for _, a := range s.Annotations {
		if a.Key == "sample_title" && a.Characteristic {
			t.Errorf("the archive's title of the sample is read as a characteristic: %+v", a)
		}
	}

	clash := strings.Replace(sheet, "Late-onset sepsis in preterm infants\t\tsecond", "Another title\t\tsecond", 1)
	if d, err = metadata.ParseTSV(bytes.NewReader([]byte(clash)), "metadata_SRP1.tsv", "SRP1"); err != nil {
		t.Fatal(err)
	}
	if st := d.Study("SRP1"); st.Title != "" || st.Description == "" {
		t.Errorf("runs that disagree on the title gave %q (description %q)", st.Title, st.Description)
	}

	doc := `{"experiments": {"SRP1": {"accession_code": "SRP1", "title": "The experiment's own title", "sample_accession_codes": ["SRR1"]}},
		"samples": {"SRR1": {"refinebio_accession_code": "SRR1", "refinebio_annotations": [{"study_title": "Copied title", "study_abstract": "Copied abstract."}]}}}`
	j, err := metadata.ParseJSON(bytes.NewReader([]byte(doc)), "aggregated_metadata.json")
	if err != nil {
		t.Fatal(err)
	}
	if st := j.Study("SRP1"); st.Title != "The experiment's own title" || st.Description != "Copied abstract." {
		t.Errorf("JSON study text %q, %q", st.Title, st.Description)
	}
}

// TestSRAKeysReadOnce: a merge does not read an SRA run's keys again, so
// an attribute stripped of its "sample_" keeps its place however it then
// reads ("sample_run_group" is the characteristic run_group, not the
// run's own field), and the submitter's sample alias stays a
// characteristic. A study with no abstract takes its runs' description.
func TestSRAKeysReadOnce(t *testing.T) {
	sheet := "refinebio_accession_code\tsample_run_group\tsample_alias\trun_center\tstudy_description\n" +
		"SRR1\tseptic\tSepsis_02\tBGI\tBlood of septic patients and controls.\n"
	d, err := metadata.ParseTSV(bytes.NewReader([]byte(sheet)), "metadata_SRP1.tsv", "SRP1")
	if err != nil {
		t.Fatal(err)
	}
	for name, ds := range map[string]*metadata.Dataset{"sheet": d, "merged": metadata.Merge(d), "merged twice": metadata.Merge(metadata.Merge(d), d)} {
		s := sample(t, ds, "SRR1")
		for _, a := range []metadata.Annotation{
			{Key: "run_group", Value: "septic", Characteristic: true},
			{Key: "alias", Value: "Sepsis_02", Characteristic: true},
			{Key: "run_center", Value: "BGI"},
		} {
			if !hasAnn(s.Annotations, a) {
				t.Errorf("%s: lacks %+v; has %+v", name, a, s.Annotations)
			}
		}
		if st := ds.Study("SRP1"); st.Description != "Blood of septic patients and controls." {
			t.Errorf("%s: description %q", name, st.Description)
		}
	}
}
