package warehousetest

import (
	"database/sql"
	"slices"
	"testing"

	"github.com/genexp/genexp/warehouse"
)

// viewColumns are the columns of the analytics views that say which scale
// a value is on, in order: the columns queries written before
// study_technology and value_scale rely on, then those two.
var viewColumns = map[string][]string{
	"vw_expression_long": {"sample_key", "sample_accession_code", "sample_title", "illness_label", "study_key",
		"study_accession_code", "study_title", "gene_key", "gene_id", "gene_symbol", "expression_value",
		"expression_log2_value", "batch_id", "etl_created_date", "study_technology", "value_scale"},
	"vw_expression_by_cohort": {"study_accession_code", "illness_label", "gene_id", "sample_count", "mean_expression",
		"std_expression", "min_expression", "max_expression", "median_expression", "study_technology", "value_scale"},
	"vw_feature_values": {"feature_record_key", "feature_name", "entity_scope", "study_key", "study_accession_code",
		"entity_id_1", "entity_id_2", "gene_id", "gene_symbol", "gene_id_2", "gene_symbol_2", "sample_accession_code",
		"illness_label", "feature_value", "batch_id", "etl_created_date", "study_technology", "value_scale"},
}

// columnsOf lists a view's columns in order, from INFORMATION_SCHEMA,
// which both backends have.
func columnsOf(t *testing.T, db *sql.DB, view string) []string {
	t.Helper()
	return texts(t, db, `SELECT COLUMN_NAME FROM INFORMATION_SCHEMA.COLUMNS
		WHERE TABLE_SCHEMA = 'analytics' AND TABLE_NAME = `+lit(view)+` ORDER BY ORDINAL_POSITION`)
}

// testViewScales: the views a cross-study comparison reads end with the
// study's technology and the analysis scale of its features
// (meta_feature_state.value_scale), after their earlier columns in their
// order. The scale is NULL until the features of the study's current batch
// are computed: before the first computation, and again once a new batch
// replaces the facts, for that study alone. A study whose metadata names
// no technology shows NULL.
func testViewScales(t *testing.T, tg Target, fm warehouse.FeatureMaterializer) {
	for view, want := range viewColumns {
		if got := columnsOf(t, tg.DB, view); !slices.Equal(got, want) {
			t.Errorf("analytics.%s columns\n got %q\nwant %q", view, got, want)
		}
	}
	labels := []string{"CONTROL", "SEPSIS", "CONTROL", "SEPSIS", "UNKNOWN"}
	studies := []struct {
		study, technology string
		gen               valueGen
		scale             string
	}{
		{"GSE1", "MICROARRAY", log2Intensity, warehouse.ScaleValue},
		{"GSE2", "RNA-SEQ", abundance, warehouse.ScaleLog2},
		{"GSE3", "", abundance, warehouse.ScaleLog2},
	}
	fixtures := map[string]featureFixture{}
	for i, s := range studies {
		f := newFeatureFixture(s.study, 6, labels, uint64(30+i), s.gen)
		f.technology = s.technology
		f.load(t, tg.Sink, "h1")
		fixtures[s.study] = f
	}
	// check counts the view's rows of a study, and those whose technology
	// and scale are not the given ones ("" for NULL).
	check := func(when, view, study, technology, scale string) {
		t.Helper()
		all := scalar(t, tg.DB, `SELECT COUNT(*) FROM analytics.`+view+` WHERE study_accession_code = `+lit(study))
		other := scalar(t, tg.DB, `SELECT COUNT(*) FROM analytics.`+view+` WHERE study_accession_code = `+lit(study)+`
			AND (COALESCE(study_technology, '') <> `+lit(technology)+` OR COALESCE(value_scale, '') <> `+lit(scale)+`)`)
		if all == 0 || other != 0 {
			t.Errorf("%s: analytics.%s has %d rows of %s, %d of them not of technology %q and scale %q", when, view, all, study,
				other, technology, scale)
		}
	}
	expressionViews := []string{"vw_expression_long", "vw_expression_by_cohort"}
	for _, s := range studies {
		for _, v := range expressionViews {
			check("before features", v, s.study, s.technology, "")
		}
	}
	for _, s := range studies[:2] {
		if res := materialize(t, fm, warehouse.FeaturesRequest{Study: s.study, TopGenes: 3}); res.Scale != s.scale {
			t.Fatalf("%s: features on scale %q, want %q", s.study, res.Scale, s.scale)
		}
	}
	for _, s := range studies[:2] {
		for _, v := range append(expressionViews, "vw_feature_values") {
			check("after features", v, s.study, s.technology, s.scale)
		}
	}
	for _, v := range expressionViews {
		check("GSE3 without features", v, "GSE3", "", "")
	}
	// A new batch of GSE2: its facts have no features yet.
	f := fixtures["GSE2"]
	f.values[0][0]++
	f.load(t, tg.Sink, "h2")
	for _, v := range expressionViews {
		check("after GSE2's new batch", v, "GSE2", "RNA-SEQ", "")
		check("after GSE2's new batch", v, "GSE1", "MICROARRAY", warehouse.ScaleValue)
	}
	materialize(t, fm, warehouse.FeaturesRequest{Study: "GSE2", TopGenes: 3})
	for _, v := range append(expressionViews, "vw_feature_values") {
		check("after GSE2's new features", v, "GSE2", "RNA-SEQ", warehouse.ScaleLog2)
	}
}
