package illness

import (
	"bytes"
	"testing"

	"github.com/genexp/genexp/metadata"
)

// TestSRASheetLabels: an SRA study's sample sheet, as refine.bio writes it
// (the study's title and abstract in every row, BioSample attributes as
// "sample_" columns), labels each sample by its own attributes: a study
// titled for sepsis labelled its healthy control SEPSIS from the title,
// and "sample_shock: 1" never refined a septic patient, its key being
// "sample_shock" for the rule that reads "shock".
func TestSRASheetLabels(t *testing.T) {
	sheet := "refinebio_accession_code\trefinebio_title\tstudy_title\tstudy_abstract\tsample_disease_state\tsample_shock\n" +
		"SRR1\tHC_07\tSepsis transcriptome in the emergency department\tBlood of septic patients and healthy controls.\thealthy control\t0\n" +
		"SRR2\tICU_11\tSepsis transcriptome in the emergency department\tBlood of septic patients and healthy controls.\tsepsis alone\t1\n" +
		"SRR3\tICU_12\tSepsis transcriptome in the emergency department\tBlood of septic patients and healthy controls.\tsepsis alone\t0\n"
	d, err := metadata.ParseTSV(bytes.NewReader([]byte(sheet)), "metadata_SRP1.tsv", "SRP1")
	if err != nil {
		t.Fatal(err)
	}
	study := &metadata.Study{Accession: "SRP1", Title: "Sepsis transcriptome in the emergency department", Description: "Blood of septic patients and healthy controls."}
	got := Default().ClassifyCohort(study, d.Samples)
	for i, want := range []Label{Control, SepticShock, Sepsis} {
		if got[i].Label != want {
			t.Errorf("%s: %s by %s in %s (%q), want %s", d.Samples[i].Accession, got[i].Label, got[i].Rule, got[i].Field, got[i].Matched, want)
		}
	}
}
