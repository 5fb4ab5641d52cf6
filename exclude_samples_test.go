package genexp_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/warehouse"
)

// TestExcludeSamples: a sample processing.exclude_samples lists loads its
// facts but leaves the expression views and the features of the study
// loaded; an accession no sample of the run has is a configuration
// WARNING; a later load without the list includes the sample again, and a
// load without the sample's metadata applies the list as well.
func TestExcludeSamples(t *testing.T) {
	const dir, sample = "testdata/refinebio/GSE71270", "GSM1831675"
	w := openWarehouse(t)
	run := func(path string, exclude []string, outcome warehouse.Outcome) *genexp.Report {
		t.Helper()
		cfg := genexp.DefaultConfig()
		cfg.Processing.ExcludeSamples = exclude
		p, err := genexp.New(w, genexp.WithConfig(cfg))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := p.Load(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Studies) != 1 || rep.Studies[0].Err != nil || rep.Studies[0].Outcome != outcome {
			t.Fatalf("studies %+v, want one %s", rep.Studies, outcome)
		}
		return rep
	}
	views := func(study string) (flagged, inView int64) {
		t.Helper()
		inView = count(t, w, "SELECT count(DISTINCT sample_accession_code) FROM analytics.vw_expression_long WHERE study_accession_code = '"+study+"'")
		// The features follow the views: one sample_mean per sample analysed.
		if means := count(t, w, "SELECT count(*) FROM analytics.vw_feature_values WHERE feature_name = 'sample_mean' AND study_accession_code = '"+study+"'"); means != inView {
			t.Errorf("%s: %d samples in the views, %d with a sample_mean feature", study, inView, means)
		}
		flagged = count(t, w, `SELECT count(*) FROM dim_study_sample ss JOIN dim_study st USING (study_key)
			WHERE ss.exclude_from_analysis AND st.study_accession_code = '`+study+"'")
		return flagged, inView
	}

	rep := run(dir, []string{" " + sample, "GSM_NOPE"}, warehouse.Inserted)
	if s := rep.Studies[0]; s.Excluded != 1 || s.Samples != 10 {
		t.Errorf("report: %d samples, %d excluded, want 10 and 1", s.Samples, s.Excluded)
	}
	var warned []string
	for _, f := range rep.Findings {
		if genexp.ConfigurationFinding(f) {
			warned = append(warned, f.Msg)
		}
	}
	if len(warned) != 1 || !strings.Contains(warned[0], "GSM_NOPE is no sample of this run") {
		t.Errorf("configuration findings %q", warned)
	}
	if flagged, inView := views("GSE71270"); flagged != 1 || inView != 9 {
		t.Errorf("excluded: %d flagged, %d samples in the view; want 1, 9", flagged, inView)
	}
	if got := count(t, w, "SELECT count(*) FROM fact_gene_expression"); got != 3000 {
		t.Errorf("%d facts, want all 3000", got)
	}

	run(dir, nil, warehouse.Duplicate)
	if flagged, inView := views("GSE71270"); flagged != 0 || inView != 10 {
		t.Errorf("included again: %d flagged, %d samples in the view; want 0, 10", flagged, inView)
	}

	// The matrix alone: no metadata of the sample, and the list applies.
	alone := t.TempDir()
	copyFile(t, dir+"/GSE71270/GSE71270.tsv", alone+"/GSE71270.tsv")
	run(alone+"/GSE71270.tsv", []string{sample}, warehouse.Duplicate)
	if flagged, inView := views("GSE71270"); flagged != 1 || inView != 9 {
		t.Errorf("excluded by a load without metadata: %d flagged, %d samples in the view; want 1, 9", flagged, inView)
	}
}

// TestExclusionIsTheStudys: two studies hold the same samples; excluding
// one in a load of the first leaves the second's views and features as
// they are, and a load of the second without the list leaves the first's
// exclusion, views and features as they are.
func TestExclusionIsTheStudys(t *testing.T) {
	const sample = "GSM1831675"
	root := t.TempDir()
	first, second := filepath.Join(root, "GSE71270"), filepath.Join(root, "GSE99999")
	copyTree(t, "testdata/refinebio/GSE71270/GSE71270", first, nil)
	copyTree(t, "testdata/refinebio/GSE71270/GSE71270", second, func(name string) string {
		return strings.ReplaceAll(name, "GSE71270", "GSE99999")
	})
	w := openWarehouse(t)
	load := func(path string, exclude ...string) {
		t.Helper()
		cfg := genexp.DefaultConfig()
		cfg.Processing.ExcludeSamples = exclude
		p, err := genexp.New(w, genexp.WithConfig(cfg))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := p.Load(context.Background(), path)
		if err != nil || len(rep.Studies) != 1 || rep.Studies[0].Err != nil {
			t.Fatalf("%s: %v %+v", path, err, rep)
		}
	}
	state := func(study string) string {
		t.Helper()
		return fmt.Sprintf("%d in the views, %d sample_mean features",
			count(t, w, "SELECT count(DISTINCT sample_accession_code) FROM analytics.vw_expression_long WHERE study_accession_code = '"+study+"'"),
			count(t, w, "SELECT count(*) FROM analytics.vw_feature_values WHERE feature_name = 'sample_mean' AND study_accession_code = '"+study+"'"))
	}
	load(first, sample)
	load(second)
	if got, want := state("GSE71270"), "9 in the views, 9 sample_mean features"; got != want {
		t.Errorf("GSE71270 after GSE99999's load: %s, want %s", got, want)
	}
	if got, want := state("GSE99999"), "10 in the views, 10 sample_mean features"; got != want {
		t.Errorf("GSE99999: %s, want %s", got, want)
	}
	if n := count(t, w, "SELECT count(*) FROM dim_study_sample ss JOIN dim_sample s USING (sample_key) WHERE s.sample_accession_code = '"+sample+"'"); n != 2 {
		t.Fatalf("the sample is in %d studies, want 2", n)
	}
}
