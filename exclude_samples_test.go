package genexp_test

import (
	"context"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/warehouse"
)

// TestExcludeSamples: a sample processing.exclude_samples lists loads its
// facts but leaves the analytics views; an accession no sample of the run
// has is a configuration WARNING; a later load without the list includes
// the sample again (the flag is each load's to write).
func TestExcludeSamples(t *testing.T) {
	const dir, sample = "testdata/refinebio/GSE71270", "GSM1831675"
	w := openWarehouse(t)
	run := func(exclude []string, outcome warehouse.Outcome) *genexp.Report {
		t.Helper()
		cfg := genexp.DefaultConfig()
		cfg.Processing.ExcludeSamples = exclude
		p, err := genexp.New(w, genexp.WithConfig(cfg))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := p.Load(context.Background(), dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Studies) != 1 || rep.Studies[0].Err != nil || rep.Studies[0].Outcome != outcome {
			t.Fatalf("studies %+v, want one %s", rep.Studies, outcome)
		}
		return rep
	}
	views := func() (flagged, inView, facts int64) {
		t.Helper()
		// The features follow the views: one sample_mean per sample analysed.
		if inView, means := count(t, w, "SELECT count(DISTINCT sample_accession_code) FROM analytics.vw_expression_long"),
			count(t, w, "SELECT count(*) FROM analytics.vw_feature_values WHERE feature_name = 'sample_mean'"); inView != means {
			t.Errorf("%d samples in the views, %d with a sample_mean feature", inView, means)
		}
		return count(t, w, "SELECT count(*) FROM dim_sample WHERE exclude_from_analysis"),
			count(t, w, "SELECT count(DISTINCT sample_accession_code) FROM analytics.vw_expression_long"),
			count(t, w, "SELECT count(*) FROM fact_gene_expression")
	}

	rep := run([]string{" " + sample, "GSM_NOPE"}, warehouse.Inserted)
	var warned []string
	for _, f := range rep.Findings {
		if genexp.ConfigurationFinding(f) {
			warned = append(warned, f.Msg)
		}
	}
	if len(warned) != 1 || !strings.Contains(warned[0], "GSM_NOPE is no sample of this run") {
		t.Errorf("configuration findings %q", warned)
	}
	if flagged, inView, facts := views(); flagged != 1 || inView != 9 || facts != 3000 {
		t.Errorf("excluded: %d flagged, %d samples in the view, %d facts; want 1, 9, 3000", flagged, inView, facts)
	}
	if got := count(t, w, "SELECT count(*) FROM dim_sample WHERE exclude_from_analysis AND sample_accession_code = '"+sample+"'"); got != 1 {
		t.Errorf("%s is not the excluded sample", sample)
	}

	run(nil, warehouse.Duplicate)
	if flagged, inView, facts := views(); flagged != 0 || inView != 10 || facts != 3000 {
		t.Errorf("included again: %d flagged, %d samples in the view, %d facts; want 0, 10, 3000", flagged, inView, facts)
	}

	// The matrix alone: no metadata of the sample, so the warehouse's row
	// of it is kept, and the exclusion cannot apply; a warning says so.
	alone := t.TempDir()
	copyFile(t, dir+"/GSE71270/GSE71270.tsv", alone+"/GSE71270.tsv")
	cfg := genexp.DefaultConfig()
	cfg.Processing.ExcludeSamples = []string{sample}
	p, err := genexp.New(w, genexp.WithConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	rep, err = p.Load(context.Background(), alone+"/GSE71270.tsv")
	if err != nil || len(rep.Studies) != 1 || rep.Studies[0].Err != nil {
		t.Fatalf("the matrix alone: %v %+v", err, rep)
	}
	said := false
	for _, f := range rep.Studies[0].Findings {
		said = said || strings.Contains(f.Msg, "processing.exclude_samples lists "+sample+", which this load has no metadata of")
	}
	if !said {
		t.Errorf("no warning that the exclusion was not applied: %v", rep.Studies[0].Findings)
	}
	if flagged, _, _ := views(); flagged != 0 {
		t.Errorf("a load without metadata changed the recorded exclusion: %d flagged", flagged)
	}
}
