package genexp_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// featureTolerance bounds the relative difference between a feature the
// warehouse computed and the same computed here in two passes: the sums
// are taken in another order (in parallel, or with running means), which
// over a few hundred values moves a result by under 1e-13 of its size; a
// formula slip moves it by far more.
const featureTolerance = 1e-9

func near(got, want float64) bool {
	return math.Abs(got-want) <= featureTolerance*math.Max(1, math.Abs(want))
}

// storedFeature reads one feature value by its entities.
type storedKey struct {
	name     string
	id1, id2 int64 // id2 −1 for NULL
}

func featuresOf(t *testing.T, w *duckdb.Warehouse, study string) (map[storedKey]float64, string) {
	t.Helper()
	rows, err := w.DB().Query(`SELECT f.feature_name, f.entity_id_1, COALESCE(f.entity_id_2, -1), f.feature_value, f.batch_id
		FROM fact_feature_values f JOIN dim_study st ON st.study_key = f.study_key WHERE st.study_accession_code = ?`, study)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[storedKey]float64{}
	batches := map[string]bool{}
	batch := ""
	for rows.Next() {
		var k storedKey
		var v float64
		if err := rows.Scan(&k.name, &k.id1, &k.id2, &v, &batch); err != nil {
			t.Fatal(err)
		}
		out[k] = v
		batches[batch] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(batches) > 1 {
		t.Fatalf("%s's features carry %d batch ids", study, len(batches))
	}
	return out, batch
}

func keyMap(t *testing.T, w *duckdb.Warehouse, query string) map[string]int64 {
	t.Helper()
	rows, err := w.DB().Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var name string
		var key int64
		if err := rows.Scan(&name, &key); err != nil {
			t.Fatal(err)
		}
		out[name] = key
	}
	return out
}

func twoPass(xs []float64) (mean, variance float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		variance += (x - mean) * (x - mean)
	}
	return mean, variance / float64(len(xs)-1)
}

// TestAnalyticsOnRealStudies loads real downloads through the pipeline and
// checks their features against the matrices read here with encoding/csv:
// the microarray's values as they are, the RNA-seq's as log2(value + 1).
func TestAnalyticsOnRealStudies(t *testing.T) {
	cases := []struct {
		path, matrix, study, scale string
	}{
		{"testdata/refinebio/GSE71270", "testdata/refinebio/GSE71270/GSE71270/GSE71270.tsv", "GSE71270", warehouse.ScaleValue},
		{"testdata/refinebio/SRP110235", "testdata/refinebio/SRP110235/SRP110235/SRP110235.tsv", "SRP110235", warehouse.ScaleLog2},
	}
	const top = 20
	for _, tc := range cases {
		t.Run(tc.study, func(t *testing.T) {
			w := openWarehouse(t)
			cfg := genexp.DefaultConfig()
			cfg.Analytics.TopVariableGenes = top
			rep := loadWith(t, w, cfg, tc.path)
			s := rep.Studies[0]
			if s.Err != nil || s.Features == nil || s.Features.Err != nil || s.Features.Scale != tc.scale {
				t.Fatalf("report: err %v, features %+v; want the %s scale", s.Err, s.Features, tc.scale)
			}
			got, batch := featuresOf(t, w, tc.study)
			if batch != s.BatchID || int64(len(got)) != s.Features.Rows {
				t.Fatalf("%d rows of batch %s; the report says %d of %s", len(got), batch, s.Features.Rows, s.BatchID)
			}
			header, values := refTSV(t, tc.matrix)
			y := func(v float64) float64 {
				if tc.scale == warehouse.ScaleLog2 {
					return math.Log2(v + 1)
				}
				return v
			}
			sampleKey := keyMap(t, w, `SELECT sample_accession_code, sample_key FROM dim_sample`)
			geneKey := keyMap(t, w, `SELECT gene_id, gene_key FROM dim_gene`)
			want := map[storedKey]float64{}
			for _, sample := range header[1:] {
				var ys []float64
				detected := 0
				for _, row := range values {
					ys = append(ys, y(row[sample]))
					if row[sample] > 0 {
						detected++
					}
				}
				sort.Float64s(ys)
				m, _ := twoPass(ys)
				k := sampleKey[sample]
				want[storedKey{genexp.FeatureSampleMean, k, -1}] = m
				want[storedKey{genexp.FeatureSampleMedian, k, -1}] = (ys[len(ys)/2-1] + ys[len(ys)/2]) / 2 // 300 genes: even
				want[storedKey{genexp.FeatureSampleDetectedGenes, k, -1}] = float64(detected)
			}
			type ranked struct {
				gene     string
				variance float64
			}
			var genes []ranked
			for gene, row := range values {
				var ys []float64
				for _, sample := range header[1:] {
					ys = append(ys, y(row[sample]))
				}
				_, v := twoPass(ys)
				want[storedKey{genexp.FeatureGeneVariance, geneKey[gene], -1}] = v
				if v > 0 {
					genes = append(genes, ranked{gene, v})
				}
			}
			sort.Slice(genes, func(i, j int) bool { return genes[i].variance > genes[j].variance })
			for i, a := range genes[:top] {
				for _, b := range genes[i+1 : top] {
					var xs, ys []float64
					for _, sample := range header[1:] {
						xs, ys = append(xs, y(values[a.gene][sample])), append(ys, y(values[b.gene][sample]))
					}
					ma, _ := twoPass(xs)
					mb, _ := twoPass(ys)
					var sab, saa, sbb float64
					for i := range xs {
						sab += (xs[i] - ma) * (ys[i] - mb)
						saa += (xs[i] - ma) * (xs[i] - ma)
						sbb += (ys[i] - mb) * (ys[i] - mb)
					}
					k1, k2 := geneKey[a.gene], geneKey[b.gene]
					if k1 > k2 {
						k1, k2 = k2, k1
					}
					want[storedKey{genexp.FeatureGenePairPearsonR, k1, k2}] = sab / math.Sqrt(saa*sbb)
				}
			}
			illnessKey := keyMap(t, w, `SELECT illness_label, illness_key FROM dim_illness`)
			for label, n := range s.Illness {
				want[storedKey{genexp.FeatureCohortSampleCount, illnessKey[string(label)], -1}] = float64(n)
			}
			pairs := 0
			for k := range got {
				if k.name == genexp.FeatureGenePairPearsonR {
					pairs++
				}
			}
			if pairs != top*(top-1)/2 {
				t.Errorf("%d pairs, want %d", pairs, top*(top-1)/2)
			}
			for k, v := range want {
				if g, ok := got[k]; !ok || !near(g, v) {
					t.Errorf("%+v = %v (stored: %v), want %v", k, g, ok, v)
				}
			}
		})
	}
}

// gse71270Copy copies the GSE71270 study folder, so a test can change it.
func gse71270Copy(t *testing.T) (folder, matrix string) {
	t.Helper()
	folder = filepath.Join(t.TempDir(), "GSE71270")
	if err := os.MkdirAll(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	src := "testdata/refinebio/GSE71270/GSE71270/"
	copyFile(t, src+"metadata_GSE71270.tsv", filepath.Join(folder, "metadata_GSE71270.tsv"))
	matrix = filepath.Join(folder, "GSE71270.tsv")
	copyFile(t, src+"GSE71270.tsv", matrix)
	return folder, matrix
}

func analyticsSteps(t *testing.T, w *duckdb.Warehouse, study string) []stepRow {
	t.Helper()
	return stepsOf(t, w, study)["analytics"]
}

// TestAnalyticsStepAcrossReloads follows one study through a first load, a
// duplicate, a duplicate whose features were lost, and a changed file.
func TestAnalyticsStepAcrossReloads(t *testing.T) {
	folder, matrix := gse71270Copy(t)
	w := openWarehouse(t)
	cfg := genexp.DefaultConfig()

	first := loadWith(t, w, cfg, folder).Studies[0]
	if first.Err != nil || first.Features == nil || first.Features.Rows == 0 {
		t.Fatalf("first load: %v %+v", first.Err, first.Features)
	}
	steps := analyticsSteps(t, w, "GSE71270")
	if len(steps) != 1 || steps[0].Status != "SUCCESS" || *steps[0].Read != 3000 || *steps[0].Written != first.Features.Rows {
		t.Fatalf("analytics steps after the first load: %+v", steps)
	}
	var ctxJSON string
	if err := w.DB().QueryRow(`SELECT context_json FROM meta_etl_process_log WHERE step = 'analytics'`).Scan(&ctxJSON); err != nil {
		t.Fatal(err)
	}
	var logged struct {
		Scale    string
		TopGenes int `json:"top_genes"`
		Features map[string]int64
	}
	if err := json.Unmarshal([]byte(ctxJSON), &logged); err != nil || logged.Scale != warehouse.ScaleValue || logged.TopGenes != 100 ||
		logged.Features[genexp.FeatureGenePairPearsonR] != 4950 {
		t.Errorf("analytics context %s (%v)", ctxJSON, err)
	}
	maxKey := count(t, w, `SELECT MAX(feature_record_key) FROM fact_feature_values`)

	// The same bytes: a duplicate whose features are current.
	again := loadWith(t, w, cfg, folder).Studies[0]
	if again.Outcome != warehouse.Duplicate || again.Err != nil || !again.Features.Skipped {
		t.Fatalf("duplicate: %s %v %+v", again.Outcome, again.Err, again.Features)
	}
	if steps := analyticsSteps(t, w, "GSE71270"); len(steps) != 2 || steps[1].Status != "SKIPPED" {
		t.Fatalf("analytics steps after a duplicate: %+v", steps)
	}
	if got := count(t, w, `SELECT MAX(feature_record_key) FROM fact_feature_values`); got != maxKey {
		t.Fatalf("a duplicate rewrote the features (max key %d → %d)", maxKey, got)
	}

	// A duplicate whose features were lost gets them back.
	if _, err := w.DB().Exec(`DELETE FROM fact_feature_values`); err != nil {
		t.Fatal(err)
	}
	restored := loadWith(t, w, cfg, folder).Studies[0]
	if restored.Outcome != warehouse.Duplicate || restored.Features.Skipped || restored.Features.Rows != first.Features.Rows {
		t.Fatalf("duplicate with no features: %s %+v", restored.Outcome, restored.Features)
	}

	// A changed file replaces the facts and the features: one value up by
	// 1 moves its sample's mean by 1/300 (the microarray's values are used
	// as they are).
	meanOf := func() float64 {
		t.Helper()
		var v float64
		if err := w.DB().QueryRow(`SELECT feature_value FROM analytics.vw_feature_values
			WHERE feature_name = 'sample_mean' AND sample_accession_code = 'GSM1831680'`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	oldMean := meanOf()
	header, values := refTSV(t, matrix)
	data, err := os.ReadFile(matrix)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	cells := strings.Split(lines[1], "\t")
	gene := cells[0]
	if header[1] != "GSM1831680" {
		t.Fatalf("first column is %s", header[1])
	}
	cells[1] = strconv.FormatFloat(values[gene]["GSM1831680"]+1, 'g', -1, 64)
	lines[1] = strings.Join(cells, "\t")
	if err := os.WriteFile(matrix, []byte(strings.Join(lines, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	changed := loadWith(t, w, cfg, folder).Studies[0]
	if changed.Outcome != warehouse.Replaced || changed.Err != nil || changed.Features.Skipped || changed.Features.Removed != first.Features.Rows {
		t.Fatalf("changed file: %s %v %+v", changed.Outcome, changed.Err, changed.Features)
	}
	got, batch := featuresOf(t, w, "GSE71270")
	if batch != changed.BatchID || int64(len(got)) != changed.Features.Rows {
		t.Fatalf("after the change: %d rows of batch %s, want %d of %s", len(got), batch, changed.Features.Rows, changed.BatchID)
	}
	if d := meanOf() - oldMean; math.Abs(d-1.0/300) > 1e-12 {
		t.Errorf("the sample's mean moved by %v, want 1/300", d)
	}
}

// TestAnalyticsOffThenOnDemand turns the step off, then computes the
// features with Pipeline.Features.
func TestAnalyticsOffThenOnDemand(t *testing.T) {
	w := openWarehouse(t)
	cfg := genexp.DefaultConfig()
	cfg.Analytics.Enabled = new(false)
	cfg.Analytics.TopVariableGenes = 10
	rep := loadWith(t, w, cfg, "testdata/refinebio/GSE71270", "testdata/refinebio/SRP110235")
	for _, s := range rep.Studies {
		if s.Err != nil || s.Features != nil {
			t.Fatalf("%s with analytics off: %v %+v", s.Study, s.Err, s.Features)
		}
	}
	// Each study's analytics step is logged SKIPPED, saying it is off.
	if n := count(t, w, `SELECT COUNT(*) FROM meta_etl_process_log WHERE step = 'analytics'
		AND NOT (status = 'SKIPPED' AND (context_json->>'reason') = 'analytics.enabled is false in the configuration')`); n != 0 {
		t.Fatalf("%d analytics steps logged with the step off other than SKIPPED as off", n)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM meta_etl_process_log WHERE step = 'analytics'`); n != 2 {
		t.Fatalf("%d analytics steps logged with the step off, want one per study", n)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM fact_feature_values`); n != 0 {
		t.Fatalf("%d features written with the step off", n)
	}
	p, err := genexp.New(w, genexp.WithConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	run, err := p.Features(ctx, genexp.FeatureOptions{IfStale: true})
	if err != nil || run.Failed() || len(run.Studies) != 2 {
		t.Fatalf("on demand: %v %+v", err, run)
	}
	for _, s := range run.Studies {
		if s.Skipped || s.Features[genexp.FeatureGenePairPearsonR] != 45 {
			t.Errorf("%s: %+v, want computed with 45 pairs", s.Study, s)
		}
	}
	if n := count(t, w, `SELECT COUNT(*) FROM meta_etl_process_log WHERE step = 'analytics' AND status = 'SUCCESS' AND run_id = '`+run.RunID+`'`); n != 2 {
		t.Errorf("%d analytics steps logged for the run, want 2", n)
	}
	run, err = p.Features(ctx, genexp.FeatureOptions{IfStale: true, Studies: []string{"GSE71270"}})
	if err != nil || len(run.Studies) != 1 || !run.Studies[0].Skipped {
		t.Fatalf("again, if stale: %v %+v", err, run)
	}
	// A study not loaded is refused before anything is computed (see
	// TestFeaturesOfAStudyNotLoaded).
	run, err = p.Features(ctx, genexp.FeatureOptions{Studies: []string{"GSE71270", "GSE404"}})
	if !errors.Is(err, qc.DimensionLookupFailed) || len(run.Studies) != 0 {
		t.Fatalf("a study not loaded: %v %+v", err, run)
	}
}

// TestAnalyticsFailureKeepsFacts makes the warehouse refuse the features
// (the catalog lacks one of them): the study's
// facts stay loaded, no feature is left half-written, the step and the
// report say MaterializationFailed, and a rerun completes.
func TestAnalyticsFailureKeepsFacts(t *testing.T) {
	folder, _ := gse71270Copy(t)
	w := openWarehouse(t)
	removed := `('gene_pair_pearson_r', 'GENE_PAIR', 'dim_gene.gene_key', 'dim_gene.gene_key', 'pairs', 'r', 3, 1)`
	if _, err := w.DB().Exec(`DELETE FROM meta_feature_catalog WHERE feature_name = 'gene_pair_pearson_r'`); err != nil {
		t.Fatal(err)
	}
	rep := loadWith(t, w, genexp.DefaultConfig(), folder)
	s := rep.Studies[0]
	if s.Outcome != warehouse.Inserted || s.Rows != 3000 || !errors.Is(s.Err, qc.MaterializationFailed) || !rep.Failed() {
		t.Fatalf("study: outcome %s rows %d err %v", s.Outcome, s.Rows, s.Err)
	}
	if code, _ := qc.CodeOf(s.Err); code != qc.MaterializationFailed || !strings.Contains(s.Err.Error(), "GSE71270") {
		t.Errorf("error %v: want code 5002 naming the study", s.Err)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM fact_gene_expression`); n != 3000 {
		t.Fatalf("facts = %d, want the 3000 loaded", n)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM fact_feature_values`); n != 0 {
		t.Fatalf("%d features left by a failed computation", n)
	}
	steps := stepsOf(t, w, "GSE71270")
	if a := steps["analytics"]; len(a) != 1 || a[0].Status != "FAILED" || a[0].Code == nil || *a[0].Code != int(qc.MaterializationFailed) {
		t.Fatalf("analytics step: %+v", a)
	}
	if l := steps["load"]; len(l) != 1 || l[0].Status != "SUCCESS" {
		t.Fatalf("load step: %+v", l)
	}
	if _, err := w.DB().Exec(`INSERT INTO meta_feature_catalog (feature_name, entity_scope, entity_id_1_ref, entity_id_2_ref, description, formula,
		min_samples, feature_version) VALUES ` + removed); err != nil {
		t.Fatal(err)
	}
	again := loadWith(t, w, genexp.DefaultConfig(), folder).Studies[0]
	if again.Outcome != warehouse.Duplicate || again.Err != nil || again.Features.Skipped || again.Features.Features[genexp.FeatureGenePairPearsonR] != 4950 {
		t.Fatalf("rerun: %s %v %+v", again.Outcome, again.Err, again.Features)
	}
}

// TestFeaturesOfAStudyNotLoaded: Pipeline.Features naming a study that is
// not loaded (a typo) fails with DimensionLookupFailed, naming it and the
// loaded ones, before anything is computed or logged; it used to fail the
// study with 5002 and log a FAILED analytics step, which health then
// reported.
func TestFeaturesOfAStudyNotLoaded(t *testing.T) {
	w := openWarehouse(t)
	load(t, w, "testdata/refinebio/quickstart/GSE71270")
	before := count(t, w, `SELECT COUNT(*) FROM meta_etl_process_log`)
	p, err := genexp.New(w)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Features(context.Background(), genexp.FeatureOptions{Studies: []string{"GSE71270", "GSE7127"}})
	if !errors.Is(err, qc.DimensionLookupFailed) || !strings.Contains(err.Error(), "not a loaded study: GSE7127 (loaded: GSE71270)") {
		t.Errorf("err = %v", err)
	}
	if after := count(t, w, `SELECT COUNT(*) FROM meta_etl_process_log`); after != before {
		t.Errorf("%d process-log rows written for a study that is not loaded", after-before)
	}
}

// TestFeaturesOfAStudyNamedTwice: a study named twice is computed once
// (it was computed, logged and reported twice).
func TestFeaturesOfAStudyNamedTwice(t *testing.T) {
	w := openWarehouse(t)
	load(t, w, "testdata/refinebio/quickstart/GSE71270")
	p, err := genexp.New(w)
	if err != nil {
		t.Fatal(err)
	}
	before := count(t, w, `SELECT COUNT(*) FROM meta_etl_process_log WHERE step = 'analytics'`)
	run, err := p.Features(context.Background(), genexp.FeatureOptions{Studies: []string{"GSE71270", "GSE71270"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Studies) != 1 || run.Studies[0].Err != nil {
		t.Errorf("studies %+v, want GSE71270 once", run.Studies)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM meta_etl_process_log WHERE step = 'analytics'`) - before; n != 1 {
		t.Errorf("%d analytics steps logged, want 1", n)
	}
}
