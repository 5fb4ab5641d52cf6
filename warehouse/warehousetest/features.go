package warehousetest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// RunFeatures runs the checks of warehouse.FeatureMaterializer: a backend
// whose sink implements it calls RunFeatures beside Run. Every feature is
// compared with an independent computation in Go from the values loaded;
// the checks also cover replacement when the facts change, skipping current
// features, atomicity under cancellation, studies left alone, the catalog
// and the feature views. Unlike the cases of Run for optional interfaces,
// which skip, its checks fail for a sink that does not implement
// FeatureMaterializer: a backend calls RunFeatures only for that interface,
// and a skip would hide a sink that lost it.
func RunFeatures(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, Target, warehouse.FeatureMaterializer)
	}{
		{"ValuesMatchIndependentComputation", testFeatureValues},
		{"ReplacedWhenFactsChange", testFeatureReplace},
		{"IfStaleSkipsCurrentFeatures", testFeatureIfStale},
		{"OtherStudiesUntouched", testFeatureOtherStudies},
		{"CatalogDefinesEveryFeature", testFeatureCatalog},
		{"UncataloguedFeatureFails", testFeatureUncatalogued},
		{"ViewsNameTheEntities", testFeatureViews},
		{"ViewsNameTechnologyAndScale", testViewScales},
		{"UnloadedStudyFails", testFeatureUnloaded},
		{"CancelLeavesOldOrNew", testFeatureCancel},
		{"EmptyBatch", testFeatureEmpty},
		{"StaleAfterRelabelOrSameBatchReplace", testFeatureStaleAfterRelabel},
		{"SameBatchReplaceRemovesFeatures", testFeatureSameBatchReplace},
		{"SharedSamplesLeaveOtherStudysFeatures", testFeatureSharedSamples},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg := open(t)
			fm, ok := tg.Sink.(warehouse.FeatureMaterializer)
			if !ok {
				t.Fatalf("%T does not implement warehouse.FeatureMaterializer", tg.Sink)
			}
			tc.fn(t, tg, fm)
		})
	}
}

// featureFixture is a fixture with what the features depend on besides the
// values: the studies' technology and samples excluded from analysis.
type featureFixture struct {
	fixture
	technology string
	excluded   map[int]bool // matrix column → excluded from analysis
}

func (f featureFixture) dimensions() warehouse.DimensionsRequest {
	d := f.fixture.dimensions()
	for i := range d.Studies {
		d.Studies[i].Technology = f.technology
	}
	for i := range d.Samples {
		d.Samples[i].ExcludeAnalysis = f.excluded[i]
	}
	return d
}

// load loads the fixture like loadAs, with its own dimensions.
func (f featureFixture) load(t *testing.T, sink warehouse.WarehouseSink, hash string) {
	t.Helper()
	ctx := context.Background()
	b, err := sink.Begin(ctx, warehouse.BeginRequest{RunID: "run-" + hash, FileName: "m.tsv", Columns: f.columns()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Abort(ctx)
	if err := b.UpsertDimensions(ctx, f.dimensions()); err != nil {
		t.Fatal(err)
	}
	for _, lb := range f.batches(5) {
		if err := b.WriteRows(ctx, warehouse.RowsRequest{Rows: lb}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Commit(ctx, f.commit(hash)); err != nil {
		t.Fatal(err)
	}
}

// Value generators: each makes the value of gene g in sample s, given the
// sample's illness label, from a seeded generator, so that the genes differ
// in level, spread and response to sepsis, and some pairs are correlated.
type valueGen func(r *rand.Rand, g, s int, label string, shared []float64) float64

// log2Intensity is a microarray-like log2 value: a level per gene, noise,
// a shift in sepsis for every third gene, and a share of a per-sample
// factor for the even genes, which correlates them.
func log2Intensity(r *rand.Rand, g, s int, label string, shared []float64) float64 {
	y := 6 + float64(g%7) + (0.2+0.1*float64(g%5))*r.NormFloat64()
	if g%3 == 0 && (label == "SEPSIS" || label == "SEPTIC_SHOCK") {
		y += 1.5
	}
	if g%2 == 0 {
		y += float64(g%4+1) * shared[s]
	}
	return y
}

// abundance is an RNA-seq-like value: 2^y − 1 of a log2Intensity-like y
// spread wide enough to exceed 100, rounded, with zeros.
func abundance(r *rand.Rand, g, s int, label string, shared []float64) float64 {
	if (g+s)%11 == 0 {
		return 0
	}
	return math.Round(100*(math.Exp2(log2Intensity(r, g, s, label, shared)+2)-1)) / 100
}

// zScore is a standardized value, negative about half the time.
func zScore(r *rand.Rand, g, s int, label string, shared []float64) float64 {
	return log2Intensity(r, g, s, label, shared) - 6 - float64(g%7)
}

// newFeatureFixture makes a study of genes × len(labels) samples.
func newFeatureFixture(study string, genes int, labels []string, seed uint64, gen valueGen) featureFixture {
	r := rand.New(rand.NewPCG(seed, 7))
	f := featureFixture{fixture: newFixture(study, genes, len(labels), 1), excluded: map[int]bool{}}
	f.illness = append([]string(nil), labels...)
	shared := make([]float64, len(labels))
	for s := range shared {
		shared[s] = r.NormFloat64()
	}
	for g := range f.values {
		for s := range f.values[g] {
			f.values[g][s] = gen(r, g, s, labels[s], shared)
		}
	}
	return f
}

// featureKey identifies one feature row.
type featureKey struct {
	name     string
	scope    string
	id1, id2 int64 // id2 is -1 for NULL
}

func (k featureKey) String() string {
	return fmt.Sprintf("%s %s(%d, %d)", k.name, k.scope, k.id1, k.id2)
}

// expected computes, independently of any warehouse, the features of a
// study of f on the given scale: every rule of the catalog's formulas, in
// plain two-pass arithmetic. keys resolves accessions to warehouse keys.
func expected(f featureFixture, study, scale string, top int, keys warehouseKeys) map[featureKey]float64 {
	want := map[featureKey]float64{}
	y := func(v float64) float64 {
		if scale == warehouse.ScaleLog2 {
			return math.Log2(v + 1)
		}
		return v
	}
	label := func(s int) string {
		if f.illness[s] == "" {
			return "UNKNOWN"
		}
		return f.illness[s]
	}
	var samples []int
	for s := range f.samples {
		if f.studies[s] == study && !f.excluded[s] {
			samples = append(samples, s)
		}
	}
	// The values of gene g in sample s, present or not.
	value := func(g, s int) (float64, bool) {
		v := f.values[g][s]
		return v, !math.IsNaN(v)
	}

	cohorts := map[string]map[int]bool{}
	withValues := 0 // the samples with at least one value
	for _, s := range samples {
		var ys []float64
		detected := 0
		for g := range f.genes {
			if v, ok := value(g, s); ok {
				ys = append(ys, y(v))
				if v > 0 {
					detected++
				}
			}
		}
		if len(ys) == 0 {
			continue
		}
		withValues++
		if cohorts[label(s)] == nil {
			cohorts[label(s)] = map[int]bool{}
		}
		cohorts[label(s)][s] = true
		sk := keys.sample[f.samples[s]]
		want[featureKey{"sample_detected_genes", "SAMPLE", sk, -1}] = float64(detected)
		want[featureKey{"sample_mean", "SAMPLE", sk, -1}] = mean(ys)
		want[featureKey{"sample_median", "SAMPLE", sk, -1}] = median(ys)
	}
	for l, members := range cohorts {
		want[featureKey{"cohort_sample_count", "STUDY_COHORT", keys.illness[l], -1}] = float64(len(members))
	}

	variance := map[int]float64{}
	measured := map[int]int{} // the samples measuring each gene
	for g := range f.genes {
		gk := keys.gene[f.genes[g]]
		byLabel := map[string][]float64{}
		var all, sepsis, control []float64
		for _, s := range samples {
			v, ok := value(g, s)
			if !ok {
				continue
			}
			byLabel[label(s)] = append(byLabel[label(s)], y(v))
			all = append(all, y(v))
			switch label(s) {
			case "SEPSIS", "SEPTIC_SHOCK":
				sepsis = append(sepsis, y(v))
			case "CONTROL":
				control = append(control, y(v))
			}
		}
		for l, ys := range byLabel {
			ik := keys.illness[l]
			want[featureKey{"gene_cohort_mean", "GENE", gk, ik}] = mean(ys)
			want[featureKey{"gene_cohort_n", "GENE", gk, ik}] = float64(len(ys))
			if len(ys) >= 2 {
				want[featureKey{"gene_cohort_sd", "GENE", gk, ik}] = math.Sqrt(sampleVariance(ys))
			}
		}
		measured[g] = len(all)
		if len(all) >= 2 {
			variance[g] = sampleVariance(all)
			want[featureKey{"gene_variance", "GENE", gk, -1}] = variance[g]
		}
		if len(sepsis) >= 2 && len(control) >= 2 {
			d := mean(sepsis) - mean(control)
			want[featureKey{"gene_sepsis_vs_control_log2fc", "GENE", gk, -1}] = d
			qs, qc := sampleVariance(sepsis)/float64(len(sepsis)), sampleVariance(control)/float64(len(control))
			if se2 := qs + qc; se2 > 0 {
				want[featureKey{"gene_sepsis_vs_control_welch_t", "GENE", gk, -1}] = d / math.Sqrt(se2)
				want[featureKey{"gene_sepsis_vs_control_welch_df", "GENE", gk, -1}] = welchDF(qs, qc, len(sepsis), len(control))
			}
		}
	}

	var ranked []int
	for g, v := range variance {
		// Affymetrix control probe sets take no part in the pairs, nor a
		// gene measured in fewer than 3 of the samples or fewer than half.
		if v > 0 && !warehouse.ControlProbe(f.genes[g]) && measured[g] >= 3 && 2*measured[g] >= withValues {
			ranked = append(ranked, g)
		}
	}
	sort.Slice(ranked, func(i, j int) bool {
		a, b := ranked[i], ranked[j]
		if variance[a] != variance[b] {
			return variance[a] > variance[b]
		}
		return keys.gene[f.genes[a]] < keys.gene[f.genes[b]]
	})
	if len(ranked) > top {
		ranked = ranked[:top]
	}
	for _, a := range ranked {
		for _, b := range ranked {
			ka, kb := keys.gene[f.genes[a]], keys.gene[f.genes[b]]
			if ka >= kb {
				continue
			}
			var xs, ys []float64
			for _, s := range samples {
				va, oka := value(a, s)
				vb, okb := value(b, s)
				if oka && okb {
					xs, ys = append(xs, y(va)), append(ys, y(vb))
				}
			}
			if r, ok := pearson(xs, ys); ok && len(xs) >= 3 {
				want[featureKey{"gene_pair_pearson_r", "GENE_PAIR", ka, kb}] = r
				want[featureKey{"gene_pair_n", "GENE_PAIR", ka, kb}] = float64(len(xs))
			}
		}
	}
	return want
}

// welchDF is the Welch–Satterthwaite degrees of freedom of two groups of
// n1 and n2 values with q = variance/n, in the textbook form
// (q1 + q2)² / (q1²/(n1 − 1) + q2²/(n2 − 1)), computed with big floats:
// the squares overflow a float64 for variances from about 1e154.
func welchDF(q1, q2 float64, n1, n2 int) float64 {
	b := func(x float64) *big.Float { return new(big.Float).SetPrec(200).SetFloat64(x) }
	sq := func(x *big.Float) *big.Float { return new(big.Float).Mul(x, x) }
	num := sq(new(big.Float).Add(b(q1), b(q2)))
	den := new(big.Float).Add(new(big.Float).Quo(sq(b(q1)), b(float64(n1-1))), new(big.Float).Quo(sq(b(q2)), b(float64(n2-1))))
	df, _ := new(big.Float).Quo(num, den).Float64()
	return df
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func sampleVariance(xs []float64) float64 {
	m, s := mean(xs), 0.0
	for _, x := range xs {
		s += (x - m) * (x - m)
	}
	return s / float64(len(xs)-1)
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func pearson(xs, ys []float64) (float64, bool) {
	if len(xs) < 2 {
		return 0, false
	}
	mx, my := mean(xs), mean(ys)
	var sxy, sxx, syy float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
		syy += (ys[i] - my) * (ys[i] - my)
	}
	if sxx <= 0 || syy <= 0 {
		return 0, false
	}
	return math.Max(-1, math.Min(1, sxy/math.Sqrt(sxx*syy))), true
}

// warehouseKeys maps business keys to the warehouse's surrogate keys.
type warehouseKeys struct {
	sample, gene, illness map[string]int64
}

func readKeys(t *testing.T, db *sql.DB) warehouseKeys {
	t.Helper()
	k := warehouseKeys{}
	for _, q := range []struct {
		query string
		into  *map[string]int64
	}{
		{`SELECT sample_accession_code, sample_key FROM dim_sample`, &k.sample},
		{`SELECT gene_id, gene_key FROM dim_gene`, &k.gene},
		{`SELECT illness_label, illness_key FROM dim_illness`, &k.illness},
	} {
		*q.into = map[string]int64{}
		rows, err := db.Query(q.query)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var name string
			var key int64
			if err := rows.Scan(&name, &key); err != nil {
				t.Fatal(err)
			}
			(*q.into)[name] = key
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return k
}

// storedFeatures reads a study's feature rows, checking that each carries
// the batch id wantBatch.
func storedFeatures(t *testing.T, db *sql.DB, study, wantBatch string) map[featureKey]float64 {
	t.Helper()
	rows, err := db.Query(`SELECT f.feature_name, f.entity_scope, f.entity_id_1, f.entity_id_2, f.feature_value, f.batch_id
		FROM fact_feature_values f JOIN dim_study st ON st.study_key = f.study_key
		WHERE st.study_accession_code = ` + lit(study))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[featureKey]float64{}
	for rows.Next() {
		var k featureKey
		var id2 sql.NullInt64
		var v float64
		var batch string
		if err := rows.Scan(&k.name, &k.scope, &k.id1, &id2, &v, &batch); err != nil {
			t.Fatal(err)
		}
		k.id2 = -1
		if id2.Valid {
			k.id2 = id2.Int64
		}
		if batch != wantBatch {
			t.Fatalf("%s has batch %s, want %s", k, batch, wantBatch)
		}
		if _, dup := got[k]; dup {
			t.Fatalf("%s is stored twice", k)
		}
		got[k] = v
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

// featureTolerance bounds the relative difference allowed between a
// warehouse's feature and the Go computation. The warehouse adds in another
// order (in parallel, or in one pass with running means) than the two-pass
// sums here; over at most a few dozen values below 2^12 that moves a result
// by well under 1e-12 of its size. 1e-9 leaves room for that while any
// formula slip (n for n − 1, a wrong group, a missed value) moves results by
// far more. Counts must match exactly.
const featureTolerance = 1e-9

func compareFeatures(t *testing.T, got, want map[featureKey]float64) {
	t.Helper()
	bad := 0
	report := func(format string, args ...any) {
		if bad++; bad <= 10 {
			t.Errorf(format, args...)
		}
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			report("%s missing (want %v)", k, w)
			continue
		}
		// Written so that a NaN on either side fails: no feature may be one.
		if !(math.Abs(g-w) <= featureTolerance*math.Max(1, math.Abs(w))) {
			report("%s = %.17g, want %.17g", k, g, w)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			report("%s = %v is not expected", k, g)
		}
	}
	if bad > 10 {
		t.Errorf("… %d differences in all", bad)
	}
}

func materialize(t *testing.T, fm warehouse.FeatureMaterializer, req warehouse.FeaturesRequest) warehouse.FeaturesResult {
	t.Helper()
	res, err := fm.MaterializeFeatures(context.Background(), req)
	if err != nil {
		t.Fatalf("MaterializeFeatures(%s): %v", req.Study, err)
	}
	return res
}

// checkResult compares the result's counts with the stored rows.
func checkResult(t *testing.T, res warehouse.FeaturesResult, stored map[featureKey]float64) {
	t.Helper()
	if res.Rows != int64(len(stored)) {
		t.Errorf("result says %d rows written, the warehouse holds %d", res.Rows, len(stored))
	}
	byName := map[string]int64{}
	for k := range stored {
		byName[k.name]++
	}
	for name, n := range byName {
		if res.Features[name] != n {
			t.Errorf("result counts %d rows of %s, the warehouse holds %d", res.Features[name], name, n)
		}
	}
	for name, n := range res.Features {
		if byName[name] != n {
			t.Errorf("result counts %d rows of %s, the warehouse holds %d", n, name, byName[name])
		}
	}
}

// presentValues counts the values of a study the features read.
func presentValues(f featureFixture, study string) int64 {
	var n int64
	for g := range f.genes {
		for s := range f.samples {
			if f.studies[s] == study && !f.excluded[s] && !math.IsNaN(f.values[g][s]) {
				n++
			}
		}
	}
	return n
}

func testFeatureValues(t *testing.T, tg Target, fm warehouse.FeatureMaterializer) {
	mixed := []string{"CONTROL", "SEPSIS", "CONTROL", "SEPTIC_SHOCK", "NO_SEPSIS", "", "CONTROL", "SEPSIS", "UNKNOWN", "SEPSIS", "CONTROL", "SEPTIC_SHOCK"}
	cases := []struct {
		name, technology string
		labels           []string
		gen              valueGen
		top              int
		wantScale        string
		edit             func(*featureFixture)
	}{
		{name: "microarray", technology: "MICROARRAY", labels: mixed, gen: log2Intensity, top: 6, wantScale: warehouse.ScaleValue,
			edit: func(f *featureFixture) {
				f.excluded[4] = true        // its values count nowhere
				f.values[3][1] = math.NaN() // missing, kept as NULL
				f.values[7][6] = math.NaN()
				for s := range f.values[9] {
					f.values[9][s] = 5 // no variance: no correlations, no t
				}
			}},
		{name: "rna-seq", technology: "RNA-SEQ", labels: mixed, gen: abundance, top: 5, wantScale: warehouse.ScaleLog2},
		{name: "rna-seq already standardized", technology: "RNA-SEQ", labels: mixed, gen: zScore, top: 5, wantScale: warehouse.ScaleValue},
		{name: "unknown technology, abundances", technology: "", labels: mixed, gen: abundance, top: 4, wantScale: warehouse.ScaleLog2},
		{name: "unknown technology, intensities", technology: "", labels: mixed, gen: log2Intensity, top: 4, wantScale: warehouse.ScaleValue},
		{name: "too few samples to compare", technology: "MICROARRAY", labels: []string{"CONTROL", "SEPSIS", "CONTROL"}, gen: log2Intensity, top: 20,
			wantScale: warehouse.ScaleValue},
		{name: "default top genes", technology: "MICROARRAY", labels: mixed[:8], gen: log2Intensity, top: 0, wantScale: warehouse.ScaleValue},
		{name: "a gene's variance too large to square", technology: "", labels: mixed, gen: zScore, top: 4, wantScale: warehouse.ScaleValue,
			edit: func(f *featureFixture) {
				// ±1e100 (expression.MaxMagnitude) in both arms: the
				// variances are near 1e200, whose squares overflow, so
				// Welch's degrees of freedom must be computed without them.
				for s := range f.values[6] {
					f.values[6][s] *= 1e100
				}
			}},
		{name: "control probes, the most variable lines", technology: "MICROARRAY", labels: mixed, gen: log2Intensity, top: 4,
			wantScale: warehouse.ScaleValue,
			edit: func(f *featureFixture) {
				f.genes[2], f.genes[5] = "AFFX-BioB-5_at", "affx-r2-Ec-bioC-3_at"
				for s := range f.values[2] {
					f.values[2][s] *= 50
					f.values[5][s] *= -40
				}
			}},
		{name: "sparse genes, the most variable", technology: "MICROARRAY", labels: mixed, gen: log2Intensity, top: 4,
			wantScale: warehouse.ScaleValue,
			edit: func(f *featureFixture) {
				// 11 samples have values (sample 4 is excluded). Gene 2 is
				// measured in 2 of them, gene 5 in 5: ranked by chance
				// variance, each took a top place (gene 2's pairs then had
				// too few shared samples). Gene 8, measured in 6 (half),
				// still ranks, its pairs over the samples it shares.
				f.excluded[4] = true
				for s := range f.values[2] {
					if s > 1 {
						f.values[2][s] = math.NaN()
					} else {
						f.values[2][s] *= 60
					}
				}
				for s := range f.values[5] {
					if s%2 == 1 || s == 4 {
						f.values[5][s] = math.NaN()
					} else {
						f.values[5][s] *= -50
					}
				}
				for s := range f.values[8] {
					if s%2 == 0 {
						f.values[8][s] = math.NaN()
					} else {
						f.values[8][s] *= 30
					}
				}
			}},
		{name: "a sample spanning the whole float range", technology: "", labels: mixed, gen: zScore, top: 4, wantScale: warehouse.ScaleValue,
			edit: func(f *featureFixture) {
				// Sample 0's range (hi − lo) overflows; each extreme is
				// its gene's one value, so no per-gene statistic squares it.
				for s := range f.values[1] {
					f.values[1][s], f.values[13][s] = math.NaN(), math.NaN()
				}
				f.values[1][0], f.values[13][0] = 1e308, -1e308
			}},
	}
	for i, tc := range cases {
		study := fmt.Sprintf("GSE%d", 100+i)
		f := newFeatureFixture(study, 14, tc.labels, uint64(i+1), tc.gen)
		f.technology = tc.technology
		if tc.edit != nil {
			tc.edit(&f)
		}
		f.load(t, tg.Sink, "h-"+study)
		res := materialize(t, fm, warehouse.FeaturesRequest{RunID: "r1", Study: study, TopGenes: tc.top})
		if res.Scale != tc.wantScale {
			t.Errorf("%s: scale %q, want %q", tc.name, res.Scale, tc.wantScale)
		}
		if res.BatchID != batchID(study, "h-"+study) || res.Skipped || res.Removed != 0 || res.Study != study {
			t.Errorf("%s: result %+v", tc.name, res)
		}
		if want := presentValues(f, study); res.Values != want {
			t.Errorf("%s: %d values read, want %d", tc.name, res.Values, want)
		}
		top := tc.top
		if top == 0 {
			top = warehouse.DefaultTopGenes
		}
		got := storedFeatures(t, tg.DB, study, res.BatchID)
		want := expected(f, study, tc.wantScale, top, readKeys(t, tg.DB))
		t.Run(tc.name, func(t *testing.T) {
			compareFeatures(t, got, want)
			checkResult(t, res, got)
		})
		for _, g := range f.genes {
			want := "no type"
			if warehouse.ControlProbe(g) {
				want = warehouse.GeneTypeControlProbe
			}
			if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM dim_gene WHERE gene_id = `+lit(g)+` AND COALESCE(gene_type, 'no type') = `+
				lit(want)); n != 1 {
				t.Errorf("%s: dim_gene does not type %s as %s", tc.name, g, want)
			}
		}
		if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM meta_feature_state fs JOIN dim_study st ON st.study_key = fs.study_key
			WHERE st.study_accession_code = `+lit(study)+` AND fs.batch_id = `+lit(res.BatchID)+` AND fs.value_scale = `+lit(tc.wantScale)+
			fmt.Sprintf(` AND fs.top_genes = %d AND fs.rows_written = %d AND fs.run_id = 'r1'`, top, len(got))); n != 1 {
			t.Errorf("%s: meta_feature_state does not record the computation", tc.name)
		}
	}
}

func testFeatureReplace(t *testing.T, tg Target, fm warehouse.FeatureMaterializer) {
	labels := []string{"CONTROL", "SEPSIS", "CONTROL", "SEPSIS", "CONTROL", "SEPTIC_SHOCK", "UNKNOWN"}
	old := newFeatureFixture("GSE1", 12, labels, 1, log2Intensity)
	old.technology = "MICROARRAY"
	old.load(t, tg.Sink, "h1")
	first := materialize(t, fm, warehouse.FeaturesRequest{Study: "GSE1", TopGenes: 5})

	changed := newFeatureFixture("GSE1", 9, labels, 2, log2Intensity)
	changed.technology = "MICROARRAY"
	changed.load(t, tg.Sink, "h2")
	res := materialize(t, fm, warehouse.FeaturesRequest{Study: "GSE1", TopGenes: 5})
	if res.BatchID != batchID("GSE1", "h2") || res.Removed != first.Rows {
		t.Fatalf("replacing: batch %s removed %d, want %s and the %d rows of the first batch", res.BatchID, res.Removed,
			batchID("GSE1", "h2"), first.Rows)
	}
	got := storedFeatures(t, tg.DB, "GSE1", res.BatchID) // fails on a row of the first batch
	compareFeatures(t, got, expected(changed, "GSE1", warehouse.ScaleValue, 5, readKeys(t, tg.DB)))
	checkResult(t, res, got)
}

func testFeatureIfStale(t *testing.T, tg Target, fm warehouse.FeatureMaterializer) {
	labels := []string{"CONTROL", "SEPSIS", "CONTROL", "SEPSIS", "CONTROL"}
	f := newFeatureFixture("GSE1", 8, labels, 3, log2Intensity)
	f.technology = "MICROARRAY"
	f.load(t, tg.Sink, "h1")
	req := warehouse.FeaturesRequest{Study: "GSE1", TopGenes: 4, IfStale: true}
	first := materialize(t, fm, req) // no features yet: computed
	if first.Skipped || first.Rows == 0 {
		t.Fatalf("first computation: %+v", first)
	}
	fingerprint := func() string {
		var n, maxKey int64
		if err := tg.DB.QueryRow(`SELECT COUNT(*), MAX(feature_record_key) FROM fact_feature_values`).Scan(&n, &maxKey); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%d rows up to key %d", n, maxKey)
	}
	before := fingerprint()
	res := materialize(t, fm, req)
	if !res.Skipped || res.BatchID != first.BatchID || res.Rows != 0 {
		t.Fatalf("current features: %+v, want skipped", res)
	}
	if after := fingerprint(); after != before {
		t.Fatalf("a skip changed the features: %s → %s", before, after)
	}
	// Another number of top genes makes the features stale.
	req.TopGenes = 3
	if res := materialize(t, fm, req); res.Skipped || res.Features["gene_pair_pearson_r"] != 3 {
		t.Fatalf("other top genes: %+v, want recomputed with 3 pairs", res)
	}
	// So do missing rows.
	if _, err := tg.DB.Exec(`DELETE FROM fact_feature_values WHERE feature_name = 'sample_mean'`); err != nil {
		t.Fatal(err)
	}
	if res := materialize(t, fm, req); res.Skipped || res.Features["sample_mean"] != 5 {
		t.Fatalf("after losing rows: %+v, want recomputed", res)
	}
	// And a new batch.
	f.values[0][0]++
	f.load(t, tg.Sink, "h2")
	if res := materialize(t, fm, req); res.Skipped || res.BatchID != batchID("GSE1", "h2") {
		t.Fatalf("after a replace: %+v, want recomputed from the new batch", res)
	}
	if res := materialize(t, fm, req); !res.Skipped {
		t.Fatalf("again: %+v, want skipped", res)
	}
}

func testFeatureOtherStudies(t *testing.T, tg Target, fm warehouse.FeatureMaterializer) {
	labels := []string{"CONTROL", "SEPSIS", "CONTROL", "SEPSIS", "CONTROL", "SEPSIS", "CONTROL", "SEPSIS"}
	f := newFeatureFixture("GSE1", 10, labels, 4, log2Intensity)
	f.studies = []string{"GSE1", "GSE1", "GSE1", "GSE1", "GSE2", "GSE2", "GSE2", "GSE2"}
	f.technology = "MICROARRAY"
	f.load(t, tg.Sink, "hm")
	materialize(t, fm, warehouse.FeaturesRequest{Study: "GSE2", TopGenes: 4})
	keys := func() string {
		var n, sum int64
		if err := tg.DB.QueryRow(`SELECT COUNT(*), SUM(feature_record_key) FROM fact_feature_values f
			JOIN dim_study st ON st.study_key = f.study_key WHERE st.study_accession_code = 'GSE2'`).Scan(&n, &sum); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%d rows, key sum %d", n, sum)
	}
	before := keys()
	materialize(t, fm, warehouse.FeaturesRequest{Study: "GSE1", TopGenes: 4})
	materialize(t, fm, warehouse.FeaturesRequest{Study: "GSE1", TopGenes: 4})
	if after := keys(); after != before {
		t.Fatalf("computing GSE1 changed GSE2's features: %s → %s", before, after)
	}
	k := readKeys(t, tg.DB)
	for _, st := range []string{"GSE1", "GSE2"} {
		compareFeatures(t, storedFeatures(t, tg.DB, st, batchID(st, "hm")), expected(f, st, warehouse.ScaleValue, 4, k))
	}
}

// builtinFeatures are the features every backend's catalog defines, with
// their scopes.
var builtinFeatures = map[string]string{
	"cohort_sample_count": "STUDY_COHORT", "sample_detected_genes": "SAMPLE", "sample_mean": "SAMPLE", "sample_median": "SAMPLE",
	"gene_cohort_mean": "GENE", "gene_cohort_sd": "GENE", "gene_cohort_n": "GENE", "gene_variance": "GENE",
	"gene_sepsis_vs_control_log2fc": "GENE", "gene_sepsis_vs_control_welch_t": "GENE", "gene_sepsis_vs_control_welch_df": "GENE",
	"gene_pair_pearson_r": "GENE_PAIR", "gene_pair_n": "GENE_PAIR",
}

func testFeatureCatalog(t *testing.T, tg Target, fm warehouse.FeatureMaterializer) {
	for name, scope := range builtinFeatures {
		if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM meta_feature_catalog WHERE feature_name = `+lit(name)+` AND entity_scope = `+lit(scope)+`
			AND description <> '' AND formula <> '' AND min_samples >= 1 AND feature_version >= 1 AND entity_id_1_ref <> ''`); n != 1 {
			t.Errorf("the catalog does not define %s (%s) fully", name, scope)
		}
	}
	labels := []string{"CONTROL", "SEPSIS", "CONTROL", "SEPSIS", "UNKNOWN"}
	for i, st := range []string{"GSE1", "GSE2"} {
		f := newFeatureFixture(st, 8, labels, uint64(10+i), log2Intensity)
		f.technology = "MICROARRAY"
		f.load(t, tg.Sink, "h")
		materialize(t, fm, warehouse.FeaturesRequest{Study: st, TopGenes: 4})
	}
	// Every row written has a catalog entry of its own scope.
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM fact_feature_values f
		LEFT JOIN meta_feature_catalog c ON c.feature_name = f.feature_name AND c.entity_scope = f.entity_scope
		WHERE c.feature_name IS NULL`); n != 0 {
		t.Errorf("%d feature rows have no catalog entry of their scope", n)
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(DISTINCT feature_name) FROM fact_feature_values`); n != int64(len(builtinFeatures)) {
		t.Errorf("%d features written, want all %d", n, len(builtinFeatures))
	}
	// The catalog view counts each feature's values and studies.
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM analytics.vw_feature_catalog v
		JOIN (SELECT feature_name, COUNT(*) AS n, COUNT(DISTINCT study_key) AS s FROM fact_feature_values GROUP BY feature_name) f
		  ON f.feature_name = v.feature_name
		WHERE v.value_count = f.n AND v.study_count = 2 AND f.s = 2`); n != int64(len(builtinFeatures)) {
		t.Errorf("vw_feature_catalog agrees with fact_feature_values for %d features, want %d", n, len(builtinFeatures))
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM analytics.vw_feature_catalog`); n < int64(len(builtinFeatures)) {
		t.Errorf("vw_feature_catalog has %d rows", n)
	}
}

// testFeatureUncatalogued removes a feature from the catalog: computing it
// then fails, and writes nothing.
func testFeatureUncatalogued(t *testing.T, tg Target, fm warehouse.FeatureMaterializer) {
	f := newFeatureFixture("GSE1", 6, []string{"CONTROL", "SEPSIS", "CONTROL", "SEPSIS"}, 12, log2Intensity)
	f.technology = "MICROARRAY"
	f.load(t, tg.Sink, "h")
	if _, err := tg.DB.Exec(`DELETE FROM meta_feature_catalog WHERE feature_name = 'sample_median'`); err != nil {
		t.Fatal(err)
	}
	_, err := fm.MaterializeFeatures(context.Background(), warehouse.FeaturesRequest{Study: "GSE1"})
	if !errors.Is(err, qc.MaterializationFailed) {
		t.Fatalf("a feature missing from the catalog: %v, want code MaterializationFailed", err)
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM fact_feature_values`); n != 0 {
		t.Fatalf("%d feature rows written by a failed computation", n)
	}
}

func testFeatureViews(t *testing.T, tg Target, fm warehouse.FeatureMaterializer) {
	labels := []string{"CONTROL", "SEPSIS", "", "SEPSIS", "CONTROL", "SEPTIC_SHOCK"}
	f := newFeatureFixture("GSE1", 8, labels, 5, log2Intensity)
	f.technology = "MICROARRAY"
	f.load(t, tg.Sink, "h1")
	res := materialize(t, fm, warehouse.FeaturesRequest{Study: "GSE1", TopGenes: 4})
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM analytics.vw_feature_values WHERE study_accession_code = 'GSE1'`); n != res.Rows {
		t.Fatalf("vw_feature_values shows %d rows, want %d", n, res.Rows)
	}
	checks := []struct{ what, query string }{
		{"pairs name both genes, first < second", `SELECT COUNT(*) FROM analytics.vw_feature_values v
			JOIN dim_gene g1 ON g1.gene_key = v.entity_id_1 JOIN dim_gene g2 ON g2.gene_key = v.entity_id_2
			WHERE v.feature_name IN ('gene_pair_pearson_r', 'gene_pair_n') AND v.gene_id = g1.gene_id AND v.gene_id_2 = g2.gene_id
			  AND v.entity_id_1 < v.entity_id_2 AND v.sample_accession_code IS NULL AND v.illness_label IS NULL`},
		{"samples name the sample and its label", `SELECT COUNT(*) FROM analytics.vw_feature_values v
			JOIN dim_sample s ON s.sample_key = v.entity_id_1
			LEFT JOIN dim_study_sample ss ON ss.study_key = v.study_key AND ss.sample_key = s.sample_key
			LEFT JOIN dim_illness i ON i.illness_key = ss.illness_key
			WHERE v.entity_scope = 'SAMPLE' AND v.sample_accession_code = s.sample_accession_code
			  AND v.illness_label = COALESCE(i.illness_label, 'UNKNOWN') AND v.gene_id IS NULL`},
		{"cohorts name the label", `SELECT COUNT(*) FROM analytics.vw_feature_values v
			JOIN dim_illness i ON i.illness_key = v.entity_id_1
			WHERE v.entity_scope = 'STUDY_COHORT' AND v.illness_label = i.illness_label`},
		{"gene cohorts name the gene and the label", `SELECT COUNT(*) FROM analytics.vw_feature_values v
			JOIN dim_gene g ON g.gene_key = v.entity_id_1 JOIN dim_illness i ON i.illness_key = v.entity_id_2
			WHERE v.feature_name IN ('gene_cohort_mean', 'gene_cohort_sd', 'gene_cohort_n')
			  AND v.gene_id = g.gene_id AND v.illness_label = i.illness_label`},
		{"genes name the gene", `SELECT COUNT(*) FROM analytics.vw_feature_values v
			JOIN dim_gene g ON g.gene_key = v.entity_id_1
			WHERE v.feature_name IN ('gene_variance', 'gene_sepsis_vs_control_log2fc', 'gene_sepsis_vs_control_welch_t',
			    'gene_sepsis_vs_control_welch_df')
			  AND v.gene_id = g.gene_id AND v.gene_id_2 IS NULL AND v.illness_label IS NULL`},
	}
	var named int64
	for _, c := range checks {
		n := scalar(t, tg.DB, c.query)
		if n == 0 {
			t.Errorf("%s: no row", c.what)
		}
		named += n
	}
	if named != res.Rows {
		t.Errorf("%d rows are named as their scope says, want all %d", named, res.Rows)
	}
	// The unlabelled sample is in the UNKNOWN cohort.
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM analytics.vw_feature_values
		WHERE feature_name = 'cohort_sample_count' AND illness_label = 'UNKNOWN' AND feature_value = 1`); n != 1 {
		t.Error("the sample with no label is not counted as UNKNOWN")
	}
	// Once the study's facts are replaced, its old features no longer show,
	// though they stay until recomputed.
	f.values[0][0]++
	f.load(t, tg.Sink, "h2")
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM analytics.vw_feature_values WHERE study_accession_code = 'GSE1'`); n != 0 {
		t.Errorf("vw_feature_values shows %d features of a replaced batch", n)
	}
	if n := scalar(t, tg.DB, `SELECT SUM(value_count) FROM analytics.vw_feature_catalog`); n != 0 {
		t.Errorf("vw_feature_catalog counts %d values of a replaced batch", n)
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM fact_feature_values`); n != res.Rows {
		t.Errorf("fact_feature_values holds %d rows, want the %d of the old batch until recomputed", n, res.Rows)
	}
}

func testFeatureUnloaded(t *testing.T, tg Target, fm warehouse.FeatureMaterializer) {
	_, err := fm.MaterializeFeatures(context.Background(), warehouse.FeaturesRequest{Study: "GSE404"})
	if !errors.Is(err, qc.MaterializationFailed) {
		t.Fatalf("a study never loaded: %v, want code MaterializationFailed", err)
	}
	var e *qc.Error
	if !errors.As(err, &e) || e.Study != "GSE404" {
		t.Errorf("the error does not name the study: %v", err)
	}
}

// testFeatureCancel replaces a study's features under a context cancelled
// at points spread over the computation: after each attempt the study holds
// all its old features or all its new ones, and a last attempt completes.
func testFeatureCancel(t *testing.T, tg Target, fm warehouse.FeatureMaterializer) {
	labels := make([]string, 40)
	for i := range labels {
		labels[i] = []string{"CONTROL", "SEPSIS", "SEPTIC_SHOCK", "UNKNOWN"}[i%4]
	}
	old := newFeatureFixture("GSE1", 150, labels, 6, log2Intensity)
	old.technology = "MICROARRAY"
	old.load(t, tg.Sink, "h1")
	req := warehouse.FeaturesRequest{Study: "GSE1", TopGenes: 60}
	start := time.Now()
	first := materialize(t, fm, req)
	took := time.Since(start)

	changed := newFeatureFixture("GSE1", 150, labels, 7, log2Intensity)
	changed.technology = "MICROARRAY"
	changed.load(t, tg.Sink, "h2")
	newBatch := batchID("GSE1", "h2")
	var newRows int64 = -1
	for i := 0; i <= 20 && newRows < 0; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), took*time.Duration(i)/10)
		res, err := fm.MaterializeFeatures(ctx, req)
		cancel()
		if err == nil {
			newRows = res.Rows
		}
		var rows, batches int64
		var minBatch sql.NullString
		if err := tg.DB.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT batch_id), MIN(batch_id) FROM fact_feature_values`).Scan(&rows, &batches, &minBatch); err != nil {
			t.Fatal(err)
		}
		batch := minBatch.String
		switch {
		case batches != 1:
			t.Fatalf("cancelled at %d/10 of a computation: %d batches among the features", i, batches)
		case batch == first.BatchID && rows != first.Rows:
			t.Fatalf("cancelled at %d/10: %d rows of the old batch, want all %d", i, rows, first.Rows)
		case batch == newBatch && err == nil && rows != res.Rows:
			t.Fatalf("cancelled at %d/10: %d rows of the new batch, the result says %d", i, rows, res.Rows)
		case batch != first.BatchID && batch != newBatch:
			t.Fatalf("cancelled at %d/10: features of batch %s", i, batch)
		case batch == newBatch && err != nil:
			// The commit landed as the context ended.
			newRows = rows
		}
	}
	if newRows < 0 {
		res := materialize(t, fm, req)
		newRows = res.Rows
	}
	got := storedFeatures(t, tg.DB, "GSE1", newBatch)
	compareFeatures(t, got, expected(changed, "GSE1", warehouse.ScaleValue, 60, readKeys(t, tg.DB)))
	if int64(len(got)) != newRows {
		t.Errorf("%d rows stored, want %d", len(got), newRows)
	}
}

// testFeatureEmpty computes the features of a study whose batch has no
// facts: nothing to write, and no error.
func testFeatureEmpty(t *testing.T, tg Target, fm warehouse.FeatureMaterializer) {
	ctx := context.Background()
	f := newFixture("GSE1", 3, 2, 1)
	b := stage(t, tg.Sink, f, "r", 0)
	if _, err := b.Commit(ctx, f.commit("empty")); err != nil {
		t.Fatal(err)
	}
	res := materialize(t, fm, warehouse.FeaturesRequest{Study: "GSE1", IfStale: true})
	if res.Rows != 0 || res.Values != 0 || res.Skipped {
		t.Fatalf("%+v, want computed with no rows", res)
	}
	if res := materialize(t, fm, warehouse.FeaturesRequest{Study: "GSE1", IfStale: true}); !res.Skipped {
		t.Fatalf("%+v, want skipped: its (no) features are current", res)
	}
}
