package warehousetest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// GEO SuperSeries and their SubSeries share sample accessions, and so do
// their refine.bio downloads: one sample, two studies, each with its own
// sample sheet and so its own illness decision. These cases load two
// studies over the same four samples, labelled differently, and check that
// each study keeps its own samples and labels.

// sharedSamples are the accessions both studies of the shared fixtures hold.
var sharedSamples = []string{"GSM9001", "GSM9002", "GSM9003", "GSM9004"}

// sharedFixture is study over sharedSamples with the given labels; scale
// makes its values differ from the other study's.
func sharedFixture(study string, labels []string, scale float64) fixture {
	f := newFixture(study, 6, len(sharedSamples), scale)
	f.samples = append([]string(nil), sharedSamples...)
	f.illness = append([]string(nil), labels...)
	return f
}

// sampleLabels reads a study's rows of analytics.vw_sample_illness as
// "sample label matched" lines, sorted.
func sampleLabels(t *testing.T, tg Target, study string) []string {
	t.Helper()
	rows, err := tg.DB.Query(`SELECT sample_accession_code, illness_label, COALESCE(illness_matched, '')
		FROM analytics.vw_sample_illness WHERE study_accession_code = ` + lit(study))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var sample, label, matched string
		if err := rows.Scan(&sample, &label, &matched); err != nil {
			t.Fatal(err)
		}
		out = append(out, sample+" "+label+" "+matched)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// wantLabels is what sampleLabels should read for f's study.
func wantLabels(f fixture) []string {
	var out []string
	for i, s := range f.samples {
		out = append(out, s+" "+f.illness[i]+" "+strings.ToLower(f.illness[i]))
	}
	sort.Strings(out)
	return out
}

// cohortStats reads a study's analytics.vw_expression_by_cohort as
// "label gene" → (sample count, mean).
func cohortStats(t *testing.T, tg Target, study string) map[string][2]float64 {
	t.Helper()
	rows, err := tg.DB.Query(`SELECT illness_label, gene_id, sample_count, mean_expression
		FROM analytics.vw_expression_by_cohort WHERE study_accession_code = ` + lit(study))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][2]float64{}
	for rows.Next() {
		var label, gene string
		var n int64
		var mean float64
		if err := rows.Scan(&label, &gene, &n, &mean); err != nil {
			t.Fatal(err)
		}
		out[label+" "+gene] = [2]float64{float64(n), mean}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// wantCohortStats computes cohortStats for f's study from its values.
func wantCohortStats(f fixture) map[string][2]float64 {
	sums := map[string][2]float64{}
	for g, gene := range f.genes {
		for s, v := range f.values[g] {
			k := f.illness[s] + " " + gene
			c := sums[k]
			sums[k] = [2]float64{c[0] + 1, c[1] + v}
		}
	}
	out := map[string][2]float64{}
	for k, c := range sums {
		out[k] = [2]float64{c[0], c[1] / c[0]}
	}
	return out
}

func checkCohorts(t *testing.T, tg Target, f fixture, study string) {
	t.Helper()
	got, want := cohortStats(t, tg, study), wantCohortStats(f)
	if len(got) != len(want) {
		t.Errorf("%s: vw_expression_by_cohort has %d label × gene rows, want %d", study, len(got), len(want))
	}
	for k, w := range want {
		g, ok := got[k]
		switch {
		case !ok:
			t.Errorf("%s: vw_expression_by_cohort lacks %s", study, k)
		case g[0] != w[0] || math.Abs(g[1]-w[1]) > 1e-9*math.Max(1, math.Abs(w[1])):
			t.Errorf("%s: vw_expression_by_cohort %s = %d samples, mean %v; want %d, %v", study, k, int(g[0]), g[1], int(w[0]), w[1])
		}
	}
}

// longLabels reads each sample's label in a study's rows of
// analytics.vw_expression_long, as "sample label" lines, sorted.
func longLabels(t *testing.T, tg Target, study string) []string {
	t.Helper()
	rows, err := tg.DB.Query(`SELECT DISTINCT sample_accession_code, illness_label
		FROM analytics.vw_expression_long WHERE study_accession_code = ` + lit(study))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var sample, label string
		if err := rows.Scan(&sample, &label); err != nil {
			t.Fatal(err)
		}
		out = append(out, sample+" "+label)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func wantLongLabels(f fixture) []string {
	var out []string
	for i, s := range f.samples {
		out = append(out, s+" "+f.illness[i])
	}
	sort.Strings(out)
	return out
}

// checkStudy checks everything a study's reader sees of its samples.
func checkStudy(t *testing.T, tg Target, f fixture, study, hash string) {
	t.Helper()
	checkFacts(t, tg.DB, f, study, batchID(study, hash))
	if got, want := sampleLabels(t, tg, study), wantLabels(f); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: vw_sample_illness\n got %q\nwant %q", study, got, want)
	}
	if got, want := longLabels(t, tg, study), wantLongLabels(f); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: vw_expression_long labels\n got %q\nwant %q", study, got, want)
	}
	checkCohorts(t, tg, f, study)
}

// testSharedSamples: two studies over the same samples with different
// labels each list their own samples with their own labels, and keep their
// facts; reloading the second with other labels changes only its own.
func testSharedSamples(t *testing.T, tg Target) {
	a := sharedFixture("GSE1", []string{"CONTROL", "CONTROL", "SEPSIS", "SEPSIS"}, 1)
	b := sharedFixture("GSE2", []string{"SEPTIC_SHOCK", "NO_SEPSIS", "CONTROL", "UNKNOWN"}, 3)
	load(t, tg.Sink, a, "ha")
	checkStudy(t, tg, a, "GSE1", "ha")
	if r := outcome(t, load(t, tg.Sink, b, "hb"), "GSE2"); r.Outcome != warehouse.Inserted {
		t.Fatalf("GSE2: %+v, want new", r)
	}
	checkStudy(t, tg, a, "GSE1", "ha")
	checkStudy(t, tg, b, "GSE2", "hb")
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM dim_sample`); n != int64(len(sharedSamples)) {
		t.Fatalf("dim_sample rows = %d, want %d: a shared sample is one member", n, len(sharedSamples))
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM dim_study_sample`); n != int64(2*len(sharedSamples)) {
		t.Fatalf("dim_study_sample rows = %d, want %d", n, 2*len(sharedSamples))
	}

	// The same content of GSE2 with another sample sheet: a duplicate load
	// that relabels GSE2's samples, and only GSE2's.
	b.illness = []string{"CONTROL", "SEPSIS", "SEPSIS", "NO_SEPSIS"}
	if r := outcome(t, load(t, tg.Sink, b, "hb"), "GSE2"); r.Outcome != warehouse.Duplicate {
		t.Fatalf("relabelled GSE2: %+v, want duplicate", r)
	}
	checkStudy(t, tg, b, "GSE2", "hb")
	checkStudy(t, tg, a, "GSE1", "ha")

	// Loading GSE1 again gives dim_sample its decisions back, and changes
	// nothing a reader of GSE2 sees.
	load(t, tg.Sink, a, "ha")
	checkStudy(t, tg, b, "GSE2", "hb")
	checkStudy(t, tg, a, "GSE1", "ha")
}

// testReplacementDropsSamples: a new batch of a study whose matrix lacks a
// sample the study held takes the sample out of the study (its
// vw_sample_illness rows follow its facts), and only out of that study: a
// study sharing the sample keeps it. A duplicate leaves the study's
// memberships as they are.
func testReplacementDropsSamples(t *testing.T, tg Target) {
	a := sharedFixture("GSE1", []string{"CONTROL", "CONTROL", "SEPSIS", "SEPSIS"}, 1)
	b := sharedFixture("GSE2", []string{"SEPTIC_SHOCK", "NO_SEPSIS", "CONTROL", "UNKNOWN"}, 3)
	load(t, tg.Sink, a, "ha")
	load(t, tg.Sink, b, "hb")
	members := func() int64 {
		return scalar(t, tg.DB, `SELECT COUNT(*) FROM dim_study_sample ss JOIN dim_study st ON st.study_key = ss.study_key
			WHERE st.study_accession_code = 'GSE1'`)
	}

	fewer := withoutLastSample(a)
	if r := outcome(t, load(t, tg.Sink, fewer, "ha2"), "GSE1"); r.Outcome != warehouse.Replaced {
		t.Fatalf("GSE1 without %s: %+v, want replaced", sharedSamples[3], r)
	}
	checkStudy(t, tg, fewer, "GSE1", "ha2")
	checkStudy(t, tg, b, "GSE2", "hb")
	if n := members(); n != int64(len(fewer.samples)) {
		t.Fatalf("GSE1 has %d dim_study_sample rows after the replace, want %d", n, len(fewer.samples))
	}

	// A membership the new batch does not hold, written outside any load
	// of GSE1: a duplicate of the current batch must not remove it, as it
	// writes no facts.
	if _, err := tg.DB.Exec(`INSERT INTO dim_study_sample (study_key, sample_key)
		SELECT st.study_key, s.sample_key FROM dim_study st, dim_sample s
		WHERE st.study_accession_code = 'GSE1' AND s.sample_accession_code = ` + lit(sharedSamples[3])); err != nil {
		t.Fatal(err)
	}
	if r := outcome(t, load(t, tg.Sink, fewer, "ha2"), "GSE1"); r.Outcome != warehouse.Duplicate {
		t.Fatalf("GSE1 again: %+v, want duplicate", r)
	}
	if n := members(); n != int64(len(a.samples)) {
		t.Fatalf("GSE1 has %d dim_study_sample rows after a duplicate, want %d: a duplicate changed its memberships", n, len(a.samples))
	}

	// The whole matrix again, as a new batch: the sample is back.
	if r := outcome(t, load(t, tg.Sink, a, "ha3"), "GSE1"); r.Outcome != warehouse.Replaced {
		t.Fatalf("GSE1 whole again: %+v, want replaced", r)
	}
	checkStudy(t, tg, a, "GSE1", "ha3")
	checkStudy(t, tg, b, "GSE2", "hb")
}

// testMembershipRequired: a matrix column whose sample the dimensions
// list only under another study must fail the commit (code
// DimensionLookupFailed), not load facts the views would show without a
// label; nothing of the failed batch is written.
func testMembershipRequired(t *testing.T, tg Target) {
	a := sharedFixture("GSE1", []string{"CONTROL", "CONTROL", "SEPSIS", "SEPSIS"}, 1)
	b := sharedFixture("GSE2", []string{"SEPTIC_SHOCK", "NO_SEPSIS", "CONTROL", "UNKNOWN"}, 3)
	load(t, tg.Sink, a, "ha")
	ctx := context.Background()
	batch, err := tg.Sink.Begin(ctx, warehouse.BeginRequest{RunID: "run-hb", FileName: "m.tsv", Columns: b.columns()})
	if err != nil {
		t.Fatal(err)
	}
	defer batch.Abort(ctx)
	dims := b.dimensions()
	for i := range dims.Samples {
		if dims.Samples[i].Accession == sharedSamples[0] {
			dims.Samples[i].Study = "GSE1" // GSE2's column, listed under GSE1 only
		}
	}
	if err := batch.UpsertDimensions(ctx, dims); err != nil {
		t.Fatal(err)
	}
	for _, lb := range b.batches(7) {
		if err := batch.WriteRows(ctx, warehouse.RowsRequest{Rows: lb}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = batch.Commit(ctx, b.commit("hb"))
	if !errors.Is(err, qc.DimensionLookupFailed) || !strings.Contains(err.Error(), sharedSamples[0]) {
		t.Fatalf("Commit with a sample listed under another study: %v, want %v naming %s", err, qc.DimensionLookupFailed, sharedSamples[0])
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM fact_gene_expression fe JOIN dim_study st ON st.study_key = fe.study_key
		WHERE st.study_accession_code = 'GSE2'`); n != 0 {
		t.Fatalf("GSE2 has %d facts after a failed commit", n)
	}
	checkStudy(t, tg, a, "GSE1", "ha")
}

// testFeatureSharedSamples: the features of a study are computed from its
// own labels, so loading another study that shares its samples with other
// labels leaves them current and unchanged, and the other study's features
// follow the other study's labels.
func testFeatureSharedSamples(t *testing.T, tg Target, fm warehouse.FeatureMaterializer) {
	labelsA := []string{"CONTROL", "CONTROL", "SEPSIS", "SEPSIS", "CONTROL", "SEPSIS"}
	labelsB := []string{"SEPSIS", "SEPTIC_SHOCK", "CONTROL", "NO_SEPSIS", "SEPSIS", "CONTROL"}
	a := newFeatureFixture("GSE1", 8, labelsA, 11, log2Intensity)
	b := newFeatureFixture("GSE2", 8, labelsB, 12, log2Intensity)
	for i := range a.samples {
		a.samples[i] = fmt.Sprintf("GSM%d", 9001+i)
		b.samples[i] = a.samples[i]
	}
	a.technology, b.technology = "MICROARRAY", "MICROARRAY"
	a.load(t, tg.Sink, "ha")
	req := warehouse.FeaturesRequest{Study: "GSE1", TopGenes: 4, IfStale: true}
	materialize(t, fm, req)
	before := storedFeatures(t, tg.DB, "GSE1", batchID("GSE1", "ha"))
	compareFeatures(t, before, expected(a, "GSE1", warehouse.ScaleValue, 4, readKeys(t, tg.DB)))

	b.load(t, tg.Sink, "hb")
	if res := materialize(t, fm, req); !res.Skipped {
		t.Errorf("GSE1's features were found stale after a load of GSE2: %+v", res)
	}
	compareFeatures(t, storedFeatures(t, tg.DB, "GSE1", batchID("GSE1", "ha")), before)
	forced := warehouse.FeaturesRequest{Study: "GSE1", TopGenes: 4}
	materialize(t, fm, forced)
	compareFeatures(t, storedFeatures(t, tg.DB, "GSE1", batchID("GSE1", "ha")), expected(a, "GSE1", warehouse.ScaleValue, 4, readKeys(t, tg.DB)))

	materialize(t, fm, warehouse.FeaturesRequest{Study: "GSE2", TopGenes: 4})
	compareFeatures(t, storedFeatures(t, tg.DB, "GSE2", batchID("GSE2", "hb")), expected(b, "GSE2", warehouse.ScaleValue, 4, readKeys(t, tg.DB)))
	// Each study's sample features name the sample's label in that study.
	for _, f := range []featureFixture{a, b} {
		st := f.studies[0]
		for i, s := range f.samples {
			if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM analytics.vw_feature_values
				WHERE study_accession_code = `+lit(st)+` AND feature_name = 'sample_mean'
				  AND sample_accession_code = `+lit(s)+` AND illness_label = `+lit(f.illness[i])); n != 1 {
				t.Errorf("%s: vw_feature_values has %d sample_mean rows of %s labelled %s, want 1", st, n, s, f.illness[i])
			}
		}
	}
}
