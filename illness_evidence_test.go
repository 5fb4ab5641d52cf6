package genexp_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/warehouse"
)

// TestCohortEvidenceReachesSQL: a label a cohort rule gave (a patient
// whose record states no group, in a study whose other samples state one
// illness) is explained in analytics.vw_sample_illness by the evidence the
// classifier rested on, naming the sample that stated the illness; a label
// the sample's own value decided has none.
func TestCohortEvidenceReachesSQL(t *testing.T) {
	study, _, sheet := gse71270(t)
	var title, disease int
	stated := map[string]bool{} // the CREB fish now "septic shock"
	editLines(t, sheet, func(i int, line string) (string, bool) {
		f := strings.Split(line, "\t")
		if i == 0 {
			title, disease = slices.Index(f, "refinebio_title"), slices.Index(f, "refinebio_disease")
			return line, true
		}
		if len(f) <= title || strings.Contains(f[title], "Control") {
			return line, true
		}
		if len(stated) < 2 {
			f[disease] = "septic shock"
			stated[f[0]] = true
		} else {
			f[title] = "Patient " + f[0]
		}
		return strings.Join(f, "\t"), true
	})
	if title < 0 || disease < 0 || len(stated) != 2 {
		t.Fatalf("the sheet has no title or disease column, or too few patients (%d)", len(stated))
	}
	w := openWarehouse(t)
	if r := loadOne(t, w, genexp.DefaultConfig(), study); r.Err != nil || r.Outcome != warehouse.Inserted {
		t.Fatalf("%s, %v", r.Outcome, r.Err)
	}
	got := rows(t, w, `SELECT sample_accession_code, illness_label, illness_rule, COALESCE(illness_evidence, '<null>')
		FROM analytics.vw_sample_illness WHERE illness_label = 'SEPTIC_SHOCK' ORDER BY 1`)
	if len(got) != 5 {
		t.Fatalf("%d SEPTIC_SHOCK samples, want 5:\n%s", len(got), strings.Join(got, "\n"))
	}
	for _, r := range got {
		f := strings.Split(r, "\t")
		switch {
		case stated[f[0]]:
			if f[2] != "septic_shock" || f[3] != "<null>" {
				t.Errorf("%s states its illness: want rule septic_shock and no evidence, got %q", f[0], r)
			}
		case f[2] != "cohort_sole_arm" || !strings.Contains(f[3], "only illness arm is SEPTIC_SHOCK") ||
			!strings.Contains(f[3], "by rule septic_shock"):
			t.Errorf("%s: want rule cohort_sole_arm with the arm it joined as evidence, got %q", f[0], r)
		}
	}
}
