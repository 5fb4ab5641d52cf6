package duckdb

import (
	"strings"
	"testing"
)

// TestCatalogSaysWhatLog2FCIs: schema 10 rewrites the catalog's description
// of gene_sepsis_vs_control_log2fc, which called refine.bio's microarray
// values log2 intensities; it now says the feature is a log2 fold change
// only on the log2(value+1) scale.
func TestCatalogSaysWhatLog2FCIs(t *testing.T) {
	w, err := Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var desc string
	if err := w.DB().QueryRow(`SELECT description FROM meta_feature_catalog WHERE feature_name = 'gene_sepsis_vs_control_log2fc'`).Scan(&desc); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(desc, "(log2 intensities") || !strings.Contains(desc, "value_scale") || !strings.Contains(desc, "not log2 intensities") {
		t.Errorf("description %q", desc)
	}
}
