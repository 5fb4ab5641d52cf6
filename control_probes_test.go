package genexp_test

import (
	"testing"
)

// TestControlProbesOfARealArray loads the 2018 E-GEOD-39842 download, whose
// matrix keeps 115 Affymetrix control probe sets (AFFX-…) beside its
// Ensembl genes: each is typed control_probe in dim_gene, keeps its gene
// features, and takes no part in the gene pairs, although some rank among
// the study's most variable lines.
func TestControlProbesOfARealArray(t *testing.T) {
	w := openWarehouse(t)
	load(t, w, "testdata/refinebio/E-GEOD-39842")
	count := func(query string) int {
		t.Helper()
		var n int
		if err := w.DB().QueryRow(query).Scan(&n); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}
	if n := count(`SELECT COUNT(*) FROM dim_gene WHERE gene_type = 'control_probe' AND gene_id LIKE 'AFFX-%'`); n != 115 {
		t.Errorf("%d control probes typed, want the matrix's 115", n)
	}
	if n := count(`SELECT COUNT(*) FROM dim_gene WHERE gene_type IS NOT NULL AND gene_id NOT LIKE 'AFFX-%'`); n != 0 {
		t.Errorf("%d genes that are no control probe have a type", n)
	}
	// The control probes the pairs would have taken: among the 100 most
	// variable lines.
	if n := count(`SELECT COUNT(*) FROM (
			SELECT gene_id FROM analytics.vw_feature_values
			WHERE study_accession_code = 'E-GEOD-39842' AND feature_name = 'gene_variance' AND feature_value > 0
			ORDER BY feature_value DESC, entity_id_1 LIMIT 100)
		WHERE gene_id LIKE 'AFFX-%'`); n == 0 {
		t.Fatal("no control probe ranks among the 100 most variable lines: the test shows nothing")
	}
	if n := count(`SELECT COUNT(*) FROM analytics.vw_feature_values
		WHERE study_accession_code = 'E-GEOD-39842' AND feature_name = 'gene_variance' AND gene_id LIKE 'AFFX-%'`); n != 115 {
		t.Errorf("%d control probes have a variance, want 115", n)
	}
	if n := count(`SELECT COUNT(*) FROM analytics.vw_feature_values
		WHERE study_accession_code = 'E-GEOD-39842' AND feature_name IN ('gene_pair_pearson_r', 'gene_pair_n')
		  AND (gene_id LIKE 'AFFX-%' OR gene_id_2 LIKE 'AFFX-%')`); n != 0 {
		t.Errorf("%d pair features name a control probe", n)
	}
	if n := count(`SELECT COUNT(*) FROM analytics.vw_feature_values
		WHERE study_accession_code = 'E-GEOD-39842' AND feature_name = 'gene_pair_pearson_r'`); n != 4950 {
		t.Errorf("%d pairs, want 4,950: the top 100 genes without the control probes", n)
	}
}
