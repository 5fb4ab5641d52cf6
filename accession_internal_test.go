package genexp

import "testing"

// TestAccessionLike: names a matrix without metadata may take as
// accessions, ArrayExpress samples with blanks among them, and titles it
// may not.
func TestAccessionLike(t *testing.T) {
	for _, tc := range []struct {
		name, own string
		want      bool
	}{
		{"GSM1831675", "GSE71270", true},
		{"SRR5828214", "SRP110235", true},
		{"E-GEOD-39842-GSM980273", "E-GEOD-39842", true},
		{"E-MEXP-669-Sample 1", "E-MEXP-669", true},
		{"E-MTAB-3050-K562(rep2)", "", true},
		{"E-MEXP-669-Sample 1", "", true},
		{"MYSTUDY-sample 3", "MYSTUDY", true},
		{"7 days post-amputation wildtype adult zebrafish, sample 2", "E-GEOD-39842", false},
		{"Unamputated wildtype adult zebrafish, sample 1", "", false},
		{"E-MEXP-669", "", true},
		{"E-MEXP-669-", "", true},
		{"E-mexp-669-Sample 1", "", false},
		{"E-MEXP-Sample 1", "", false},
		{"control sample", "", false},
		{"", "", false},
	} {
		if got := accessionLike(tc.name, tc.own); got != tc.want {
			t.Errorf("accessionLike(%q, %q) = %v, want %v", tc.name, tc.own, got, tc.want)
		}
	}
}
