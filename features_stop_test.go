package genexp_test

import (
	"context"
	"errors"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// cancelOnFeatures is a real DuckDB warehouse whose first feature
// computation cancels the run and waits for it to end, as an interrupt
// during it does.
type cancelOnFeatures struct {
	*duckdb.Warehouse
	cancel context.CancelFunc
}

func (c cancelOnFeatures) MaterializeFeatures(ctx context.Context, req warehouse.FeaturesRequest) (warehouse.FeaturesResult, error) {
	c.cancel()
	<-ctx.Done()
	return warehouse.FeaturesResult{}, ctx.Err()
}

// A features run stopped during its first study reports the studies it
// never began as NotStarted and logs their analytics step SKIPPED, with
// the reason, as a stopped load does its matrices: the run says what is
// left to compute.
func TestFeaturesStoppedReportsStudiesNotStarted(t *testing.T) {
	w := openWarehouse(t)
	off := false
	cfg := genexp.DefaultConfig()
	cfg.Analytics.Enabled = &off
	loadWith(t, w, cfg, "testdata/refinebio/quickstart/GSE71270", "testdata/refinebio/SRP110235")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p, err := genexp.New(cancelOnFeatures{w, cancel}, genexp.WithConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	run, err := p.Features(ctx, genexp.FeatureOptions{Studies: []string{"GSE71270", "SRP110235"}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Features: %v, want context.Canceled", err)
	}
	if len(run.Studies) != 2 || run.Studies[0].Err == nil || run.Studies[0].NotStarted || !run.Studies[1].NotStarted || run.Studies[1].Err != nil {
		t.Fatalf("studies %+v, want GSE71270 stopped and SRP110235 not started", run.Studies)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM meta_etl_process_log WHERE study_accession_code = 'SRP110235' AND step = 'analytics'
		AND status = 'SKIPPED' AND json_extract_string(context_json, '$.reason') = 'interrupted'`); n != 1 {
		t.Errorf("%d SKIPPED analytics steps of SRP110235 with reason interrupted, want 1", n)
	}
}
