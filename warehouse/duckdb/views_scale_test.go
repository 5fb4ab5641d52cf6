package duckdb

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/warehouse"
)

// scaleViews are the analytics views that end with study_technology and
// value_scale, each with the column naming its study.
var scaleViews = []string{"vw_expression_long", "vw_expression_by_cohort", "vw_feature_values"}

// TestViewsNameTechnologyAndScale loads a real microarray download
// (GSE71270) and a real RNA-seq one (SRP110235) with the analytics step
// off: every row of the views carries its study's technology, and no
// scale, until the features are computed; then each study's rows carry
// the scale its features were computed on, and the expression views
// reproduce the features on it. A new batch of one study takes its scale
// away again until its features are computed, and leaves the other's.
func TestViewsNameTechnologyAndScale(t *testing.T) {
	ctx := context.Background()
	w, err := Open(filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	cfg := genexp.DefaultConfig()
	off := false
	cfg.Analytics.Enabled = &off
	p, err := genexp.New(w, genexp.WithConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	bundled := func(d string) string { return filepath.Join("..", "..", "testdata", "refinebio", d) }
	if _, err := p.Load(ctx, bundled("GSE71270"), bundled("SRP110235")); err != nil {
		t.Fatal(err)
	}
	tech := map[string]string{"GSE71270": "MICROARRAY", "SRP110235": "RNA-SEQ"}
	scale := map[string]string{"GSE71270": warehouse.ScaleValue, "SRP110235": warehouse.ScaleLog2}

	// rows counts a view's rows of a study: all of them, those of the
	// study's technology, and those with the given scale (any scale when
	// want is "").
	rows := func(view, study, want string) (all, ofTech, ofScale int64) {
		t.Helper()
		q := `SELECT COUNT(*), COUNT(*) FILTER (WHERE study_technology = $2),
			COUNT(*) FILTER (WHERE CASE WHEN $3 = '' THEN value_scale IS NOT NULL ELSE value_scale = $3 END)
			FROM analytics.` + view + ` WHERE study_accession_code = $1`
		if err := w.db.QueryRowContext(ctx, q, study, tech[study], want).Scan(&all, &ofTech, &ofScale); err != nil {
			t.Fatalf("%s: %v", view, err)
		}
		return all, ofTech, ofScale
	}

	for study := range tech {
		for _, v := range scaleViews[:2] {
			all, ofTech, scaled := rows(v, study, "")
			if all == 0 || ofTech != all || scaled != 0 {
				t.Errorf("before features, %s of %s: %d rows, %d of technology %s, %d with a scale; want all of %s and none with a scale",
					v, study, all, ofTech, tech[study], scaled, tech[study])
			}
		}
		if all, _, _ := rows("vw_feature_values", study, ""); all != 0 {
			t.Errorf("before features, vw_feature_values shows %d rows of %s", all, study)
		}
	}

	run, err := p.Features(ctx, genexp.FeatureOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range run.Studies {
		if r.Err != nil || r.Scale != scale[r.Study] {
			t.Fatalf("%s: features on scale %q (%v), want %q", r.Study, r.Scale, r.Err, scale[r.Study])
		}
	}
	for study := range tech {
		for _, v := range scaleViews {
			all, ofTech, ofScale := rows(v, study, scale[study])
			if all == 0 || ofTech != all || ofScale != all {
				t.Errorf("after features, %s of %s: %d rows, %d of technology %s, %d on scale %s; want all",
					v, study, all, ofTech, tech[study], ofScale, scale[study])
			}
		}
	}

	// On the analysis scale value_scale names, the stored values give the
	// features back: every gene cohort's mean.
	var cohorts, agree int64
	if err := w.db.QueryRowContext(ctx, `WITH y AS (
			SELECT study_accession_code, gene_id, illness_label,
			       AVG(CASE value_scale WHEN 'log2(value+1)' THEN log2(expression_value + 1)
			                            WHEN 'value' THEN expression_value END) AS mean_y
			FROM analytics.vw_expression_long
			WHERE expression_value IS NOT NULL
			GROUP BY ALL)
		SELECT COUNT(*), COUNT(*) FILTER (WHERE abs(f.feature_value - y.mean_y) <= 1e-9 * greatest(1, abs(y.mean_y)))
		FROM analytics.vw_feature_values f
		JOIN y USING (study_accession_code, gene_id, illness_label)
		WHERE f.feature_name = 'gene_cohort_mean'`).Scan(&cohorts, &agree); err != nil {
		t.Fatal(err)
	}
	// 300 genes in two cohorts (CONTROL and UNKNOWN) in each study.
	if cohorts != 2*2*300 || agree != cohorts {
		t.Errorf("gene_cohort_mean agrees with the mean of the stored values on value_scale for %d of %d gene cohorts, want all 1200",
			agree, cohorts)
	}
	// The stored RNA-seq values are not on that scale: their cohort means
	// differ from the features'.
	var differ int64
	if err := w.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM analytics.vw_expression_by_cohort c
		JOIN analytics.vw_feature_values f USING (study_accession_code, gene_id, illness_label)
		WHERE c.study_accession_code = 'SRP110235' AND f.feature_name = 'gene_cohort_mean'
		  AND c.mean_expression > 1 AND abs(c.mean_expression - f.feature_value) > 1`).Scan(&differ); err != nil {
		t.Fatal(err)
	}
	if differ == 0 {
		t.Error("SRP110235's stored cohort means equal its features' means: the fixture no longer tells the scales apart")
	}

	// A new batch of SRP110235 (one value changed) has no features yet.
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(bundled("SRP110235"))); err != nil {
		t.Fatal(err)
	}
	matrix := filepath.Join(dir, "SRP110235", "SRP110235.tsv")
	b, err := os.ReadFile(matrix)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(b), "\n", 3)
	cells := strings.Split(lines[1], "\t")
	cells[1] += "1"
	lines[1] = strings.Join(cells, "\t")
	if err := os.WriteFile(matrix, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := p.Load(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Studies) != 1 || rep.Studies[0].Outcome != warehouse.Replaced {
		t.Fatalf("the changed SRP110235 loaded as %+v, want replaced", rep.Studies)
	}
	for _, v := range scaleViews[:2] {
		if all, ofTech, scaled := rows(v, "SRP110235", ""); all == 0 || ofTech != all || scaled != 0 {
			t.Errorf("after a new batch, %s of SRP110235: %d rows, %d of its technology, %d with a scale; want all, and none",
				v, all, ofTech, scaled)
		}
		if all, _, ofScale := rows(v, "GSE71270", warehouse.ScaleValue); all == 0 || ofScale != all {
			t.Errorf("after SRP110235's new batch, %s of GSE71270: %d of %d rows on scale value", v, ofScale, all)
		}
	}
}
