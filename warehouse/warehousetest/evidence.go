package warehousetest

import (
	"slices"
	"strings"
	"testing"

	"github.com/genexp/genexp/warehouse"
)

// testIllnessEvidence: a label's evidence (warehouse.Sample.IllnessEvidence)
// reads back from analytics.vw_sample_illness as given, whatever its length
// (a long quote of a study's text) and script; none is NULL. A duplicate
// load with other evidence updates it in place, and a load without
// metadata (KeepIllness) keeps it, as it keeps the label.
func testIllnessEvidence(t *testing.T, tg Target) {
	const q = `SELECT sample_accession_code, illness_label, COALESCE(illness_evidence, '<null>')
		FROM analytics.vw_sample_illness ORDER BY sample_accession_code`
	long := "the study's text: « " + strings.Repeat("Patients with septic shock — ", 300) + "»"
	f := newFixture("GSE1", 3, 3, 1)
	f.illness = []string{"SEPTIC_SHOCK", "SEPSIS", "CONTROL"}
	f.evidence = []string{long, "the same patient's other sample: GSE1_S9 (SEPSIS)", ""}
	load(t, tg.Sink, f, "h1")
	want := []string{"GSE1_S1\tSEPTIC_SHOCK\t" + long, "GSE1_S2\tSEPSIS\tthe same patient's other sample: GSE1_S9 (SEPSIS)",
		"GSE1_S3\tCONTROL\t<null>"}
	if got := texts(t, tg.DB, q); !slices.Equal(got, want) {
		t.Fatalf("evidence as loaded:\n%.300q\nwant\n%.300q", got, want)
	}

	f.evidence = []string{"", "the cohort's only illness arm is SEPSIS (2 samples)", ""}
	if r := outcome(t, load(t, tg.Sink, f, "h1"), "GSE1"); r.Outcome != warehouse.Duplicate {
		t.Fatalf("%+v, want duplicate", r)
	}
	want = []string{"GSE1_S1\tSEPTIC_SHOCK\t<null>", "GSE1_S2\tSEPSIS\tthe cohort's only illness arm is SEPSIS (2 samples)",
		"GSE1_S3\tCONTROL\t<null>"}
	if got := texts(t, tg.DB, q); !slices.Equal(got, want) {
		t.Fatalf("evidence after a duplicate load with other evidence:\n%q\nwant (updated in place)\n%q", got, want)
	}

	g := f
	g.unrecorded = bare("")
	if r := outcome(t, load(t, tg.Sink, g, "h1"), "GSE1"); r.Outcome != warehouse.Duplicate {
		t.Fatalf("%+v, want duplicate", r)
	}
	if got := texts(t, tg.DB, q); !slices.Equal(got, want) {
		t.Fatalf("evidence after a load without metadata:\n%q\nwant (kept)\n%q", got, want)
	}
}
