package duckdb_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// TestFeaturesOfATallStudyFitMemoryLimit computes the features of a study of
// 400,000 genes × 2 samples (1.6M feature rows) under a 64 MB memory_limit,
// twice, then fails them under 32 MB. The catalog check used to join the
// uncommitted rows with the catalog, which DuckDB, counting none of them,
// built its hash table on: Out of Memory at this size (and at 2M genes
// under the default 512 MB). Near the limit a recomputation is where
// DuckDB went wrong when the previous features were deleted first (see
// stmtFeatureDeleteAbove), so every gene's values are checked against its
// facts. The failure must keep the previous features and say how to give
// DuckDB more memory in the CLI's terms.
func TestFeaturesOfATallStudyFitMemoryLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 800,000 values")
	}
	const genes = 400000
	path := filepath.Join(t.TempDir(), "w.duckdb")
	w, err := duckdb.Open(path) // the load needs more than 64 MB
	if err != nil {
		t.Fatal(err)
	}
	loadSynthetic(t, w, "GSE1", genes, 2)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	// Two threads: DuckDB's memory use grows with them.
	open := func(limit string) *duckdb.Warehouse {
		t.Helper()
		w, err := duckdb.Open(path + "?threads=2&memory_limit=" + limit)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	ctx := context.Background()
	req := warehouse.FeaturesRequest{Study: "GSE1"}
	// Every sample is UNKNOWN: one cohort, no sepsis/control comparison,
	// and no pair has the 3 samples a correlation needs.
	want := map[string]int64{"cohort_sample_count": 1, "sample_detected_genes": 2, "sample_mean": 2, "sample_median": 2,
		"gene_cohort_mean": genes, "gene_cohort_sd": genes, "gene_cohort_n": genes, "gene_variance": genes}

	w = open("64MB")
	var rows int64
	var digest string
	for run := 1; run <= 2; run++ {
		res, err := w.MaterializeFeatures(ctx, req)
		if err != nil {
			t.Fatalf("run %d under 64 MB: %v", run, err)
		}
		if diff := cmp.Diff(want, res.Features); diff != "" {
			t.Fatalf("run %d: features (-want +got):\n%s", run, diff)
		}
		if diff := cmp.Diff(res.Features, storedFeatureCounts(t, w.DB())); diff != "" {
			t.Fatalf("run %d: res.Features against the table (-res +table):\n%s", run, diff)
		}
		if run == 2 && res.Removed != rows {
			t.Errorf("run 2 removed %d rows, want the %d of run 1", res.Removed, rows)
		}
		rows = res.Rows
		checkTallFeatures(t, w.DB())
		// The values are checked above: a sample's mean sums 400,000
		// values in no fixed order, so its last bits vary between runs.
		d := featureDigest(t, w.DB(), false)
		if run == 2 && d != digest {
			t.Errorf("run 2 wrote other rows than run 1:\n%s\n%s", digest, d)
		}
		digest = d
	}
	digest = featureDigest(t, w.DB(), true)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	w = open("32MB")
	defer w.Close()
	_, err = w.MaterializeFeatures(ctx, req)
	if !errors.Is(err, qc.MaterializationFailed) {
		t.Fatalf("under 32 MB: %v, want code MaterializationFailed", err)
	}
	msg := err.Error()
	for _, s := range []string{"Out of Memory", path + "?memory_limit=2GB", "processing.memory_limit_mb"} {
		if !strings.Contains(msg, s) {
			t.Errorf("the failure does not say %q: %s", s, msg)
		}
	}
	if strings.Contains(msg, "SET ") {
		t.Errorf("the failure gives DuckDB's SQL advice: %s", msg)
	}
	if d := featureDigest(t, w.DB(), true); d != digest {
		t.Errorf("the failed computation changed the features:\n%s\n%s", digest, d)
	}
}

// storedFeatureCounts counts fact_feature_values' rows by feature.
func storedFeatureCounts(t *testing.T, db *sql.DB) map[string]int64 {
	t.Helper()
	rows, err := db.Query(`SELECT feature_name, COUNT(*) FROM fact_feature_values GROUP BY feature_name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			t.Fatal(err)
		}
		out[name] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkTallFeatures recomputes each gene's mean, count and variance from
// the facts and compares them with the rows written: a row on the wrong
// gene, a lost gene or another value shows.
func checkTallFeatures(t *testing.T, db *sql.DB) {
	t.Helper()
	var bad int64
	err := db.QueryRow(`WITH truth AS (
		SELECT gene_key, AVG(expression_value) AS mean, COUNT(*) AS n, VAR_SAMP(expression_value) AS variance
		FROM fact_gene_expression GROUP BY gene_key),
	got AS (
		SELECT entity_id_1 AS gene_key,
		       ANY_VALUE(feature_value) FILTER (WHERE feature_name = 'gene_cohort_mean') AS mean,
		       ANY_VALUE(feature_value) FILTER (WHERE feature_name = 'gene_cohort_n') AS n,
		       ANY_VALUE(feature_value) FILTER (WHERE feature_name = 'gene_variance') AS variance,
		       COUNT(*) AS written
		FROM fact_feature_values WHERE entity_scope = 'GENE' GROUP BY entity_id_1)
	SELECT COUNT(*) FROM truth FULL JOIN got USING (gene_key)
	WHERE got.written IS DISTINCT FROM 4 OR got.n IS DISTINCT FROM truth.n
	   OR NOT abs(got.mean - truth.mean) <= 1e-12 * abs(truth.mean)
	   OR NOT abs(got.variance - truth.variance) <= 1e-9 * truth.variance`).Scan(&bad)
	if err != nil {
		t.Fatal(err)
	}
	if bad != 0 {
		t.Errorf("%d genes' features disagree with their facts", bad)
	}
}

// featureDigest sums a hash of every feature row, by feature: of its
// entities and batch, and of its value too when values is true.
func featureDigest(t *testing.T, db *sql.DB, values bool) string {
	t.Helper()
	var d sql.NullString
	err := db.QueryRow(`SELECT string_agg(feature_name || ' ' || n || ' ' || h, '; ' ORDER BY feature_name)
		FROM (SELECT feature_name, COUNT(*) AS n,
		             SUM(hash(entity_scope, entity_id_1, entity_id_2, batch_id, CASE WHEN $1 THEN feature_value END))::VARCHAR AS h
		      FROM fact_feature_values GROUP BY feature_name)`, values).Scan(&d)
	if err != nil {
		t.Fatal(err)
	}
	if d.String == "" {
		t.Fatal("no feature rows")
	}
	return d.String
}
