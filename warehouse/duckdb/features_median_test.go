package duckdb

import (
	"context"
	"path/filepath"
	"testing"
)

// featureSamplesByRanking is how stmtFeatureSamples found the medians before
// it counted values in slices: by ranking every value of each sample. It is
// the reference the sliced medians must match.
const featureSamplesByRanking = featureInsert + `WITH input AS (
    ` + featureInput + `),
ranked AS (
    SELECT sample_key, y,
           row_number() OVER (PARTITION BY sample_key ORDER BY y) AS rn,
           COUNT(*) OVER (PARTITION BY sample_key) AS n
    FROM input),
medians AS (
    SELECT sample_key, AVG(y) AS sample_median
    FROM ranked
    WHERE rn IN ((n + 1) // 2, (n + 2) // 2)
    GROUP BY sample_key),
` + samplesFromMedians

// TestSampleMediansMatchRanking computes the sample features of a generated
// study both ways, on both scales, and wants the same values to the bit:
// samples of odd and even counts, ties, a constant sample, a skewed one, one
// whose range an outlier stretches, negative values, and samples holding an
// infinity or a NaN (whose range is not finite). Medians and detected genes
// must match to the bit.
func TestSampleMediansMatchRanking(t *testing.T) {
	w, err := Open(filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	loadSmallStudy(t, w)
	ctx := context.Background()
	var study int32
	if err := w.db.QueryRow(`SELECT study_key FROM dim_study WHERE study_accession_code = 'GSE1'`).Scan(&study); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		// The sample features do not read the illness label: no
		// dim_study_sample rows are needed.
		`INSERT INTO dim_sample (sample_accession_code) SELECT 'X' || s FROM range(40 + 0 * $1) t(s)`,
		`DELETE FROM fact_gene_expression WHERE study_key = $1`,
		// Sample k of the 44 holds 3000 + k genes: odd and even counts.
		`INSERT INTO fact_gene_expression (study_key, sample_key, gene_key, expression_value, batch_key)
		 SELECT $1, s.sample_key, g,
		        CASE s.sample_key % 8
		          WHEN 0 THEN (hash(s.sample_key * 100003 + g) % 1000000) / 1000.0
		          WHEN 1 THEN round((hash(s.sample_key * 100003 + g) % 1000) / 100.0)
		          WHEN 2 THEN 7.5
		          WHEN 3 THEN exp((hash(s.sample_key * 100003 + g) % 20000) / 1000.0)
		          WHEN 4 THEN CASE WHEN g = 5 THEN 1e12 ELSE (hash(s.sample_key * 100003 + g) % 100000) / 7.0 END
		          WHEN 5 THEN (hash(s.sample_key * 100003 + g) % 100000) / 100.0 - 400
		          WHEN 6 THEN CASE WHEN g = 9 THEN 'inf'::DOUBLE ELSE (hash(g) % 1000) / 3.0 END
		          ELSE CASE WHEN g = 9 THEN 'nan'::DOUBLE ELSE (hash(g * 7) % 100000) / 9.0 END
		        END, 1
		 FROM dim_sample s, range(3000 + s.sample_key) t(g)`,
	} {
		if _, err := w.db.Exec(q, study); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, logScale := range []bool{false, true} {
		tx, err := w.db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if logScale {
			// log2(value + 1) needs values above -1.
			if _, err := tx.Exec(`UPDATE fact_gene_expression SET expression_value = abs(expression_value) WHERE study_key = $1`, study); err != nil {
				t.Fatal(err)
			}
		}
		for batch, stmt := range map[string]string{"ranked": featureSamplesByRanking, "sliced": stmtFeatureSamples} {
			if _, err := tx.Exec(stmt, study, batch, logScale); err != nil {
				t.Fatal(batch, err)
			}
		}
		// A mean may differ in its last bits: it is the same sum in another
		// order, as it is from one run of either statement to the next.
		var rows, medians, differ int
		if err := tx.QueryRow(`SELECT COUNT(*), COUNT(*) FILTER (WHERE a.feature_name = 'sample_median'),
			COUNT(*) FILTER (WHERE CASE WHEN a.feature_name = 'sample_mean'
			                            THEN b.feature_value IS DISTINCT FROM a.feature_value
			                                 AND NOT abs(b.feature_value - a.feature_value) <= 1e-12 * abs(a.feature_value)
			                            ELSE b.feature_value IS DISTINCT FROM a.feature_value END)
			FROM (SELECT * FROM fact_feature_values WHERE batch_id = 'ranked') a
			FULL JOIN (SELECT * FROM fact_feature_values WHERE batch_id = 'sliced') b
			  ON b.entity_id_1 = a.entity_id_1 AND b.feature_name = a.feature_name`).Scan(&rows, &medians, &differ); err != nil {
			t.Fatal(err)
		}
		if rows != 44*3 || medians != 44 || differ != 0 {
			t.Errorf("log scale %v: %d rows, %d medians, %d differ; want %d, 44, 0", logScale, rows, medians, differ, 44*3)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
	}
}
