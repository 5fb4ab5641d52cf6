package duckdb_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// A load that commits while a feature computation of its study runs, and
// replaces the facts the computation read, makes the computation fail
// (through a Warehouse New made of the same database: one Open made waits
// for the computation to end before it commits, see
// TestLoadsBesideTheirStudysFeatures):
// published, features of the old facts would show as the current batch's
// (under the same batch id: the same content with one column fewer, where
// a sample the batch no longer holds kept its sample_mean). A load that
// changes no facts (a duplicate) leaves it alone.
func TestFeaturesFailWhenALoadReplacesTheirFacts(t *testing.T) {
	tests := []struct {
		name    string
		load    smallLoad
		outcome warehouse.Outcome
		fail    bool
		samples int // sample_mean features shown once computed (again)
	}{
		{"same content, one column fewer", smallLoad{"GSE1", 50, 5, 1}, warehouse.Replaced, true, 5},
		{"other content", smallLoad{"GSE1", 50, 6, 2}, warehouse.Replaced, true, 6},
		{"the same load again", smallLoad{"GSE1", 50, 6, 1}, warehouse.Duplicate, false, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			w := open(t, filepath.Join(t.TempDir(), "w.duckdb"))
			if _, err := (smallLoad{"GSE1", 50, 6, 1}).run(ctx, w); err != nil {
				t.Fatal(err)
			}
			other, err := duckdb.New(w.DB(), duckdb.Config{})
			if err != nil {
				t.Fatal(err)
			}
			var during warehouse.CommitResult
			var loadErr error
			defer duckdb.SetBeforeFeaturesHold(func() {
				during, loadErr = tt.load.run(ctx, other)
			})()
			_, err = w.MaterializeFeatures(ctx, warehouse.FeaturesRequest{RunID: "f", Study: "GSE1"})
			duckdb.SetBeforeFeaturesHold(nil)
			if loadErr != nil || len(during.Studies) != 1 || during.Studies[0].Outcome != tt.outcome {
				t.Fatalf("the load during the computation: %+v, %v; want %s", during, loadErr, tt.outcome)
			}
			var e *qc.Error
			switch {
			case tt.fail && (!errors.As(err, &e) || e.Code != qc.MaterializationFailed || !strings.Contains(e.Msg, "replaced while its features were computed")):
				t.Fatalf("features computed across a replace: %v, want a MaterializationFailed error saying the facts were replaced", err)
			case !tt.fail && err != nil:
				t.Fatalf("features computed across a duplicate load: %v", err)
			}
			shown := func() (n int) {
				t.Helper()
				if err := w.DB().QueryRow(`SELECT COUNT(*) FROM analytics.vw_feature_values WHERE feature_name = 'sample_mean'`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			if tt.fail {
				if n := shown(); n != 0 {
					t.Errorf("%d sample_mean features shown for the current batch, computed from the facts it replaced", n)
				}
				if _, err := w.MaterializeFeatures(ctx, warehouse.FeaturesRequest{RunID: "g", Study: "GSE1"}); err != nil {
					t.Fatal(err)
				}
			}
			if n := shown(); n != tt.samples {
				t.Errorf("%d sample_mean features, want one per sample the study holds (%d)", n, tt.samples)
			}
		})
	}
}

// TestLoadsBesideTheirStudysFeatures: loads that replace a study's facts
// while its features are computed, through one Warehouse (as a Pipeline
// shared by goroutines runs each load's analytics step beside the next
// load), all land, and so do the computations. A commit begun while a
// computation ran failed on DuckDB's optimistic concurrency ("Conflict on
// update", coded busy, though no busy_timeout had passed) when the
// computation wrote the study's rows first; commits and computations on
// one file now take turns.
func TestLoadsBesideTheirStudysFeatures(t *testing.T) {
	ctx := context.Background()
	w := open(t, filepath.Join(t.TempDir(), "w.duckdb"))
	if _, err := (smallLoad{"GSE1", 300, 8, 0}).run(ctx, w); err != nil {
		t.Fatal(err)
	}
	const loads, computations = 8, 8
	loadErrs, featureErrs := make(chan error, loads), make(chan error, computations)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := range loads {
			_, err := (smallLoad{"GSE1", 300, 8, float64(i + 1)}).run(ctx, w)
			loadErrs <- err
		}
	}()
	go func() {
		defer wg.Done()
		for range computations {
			_, err := w.MaterializeFeatures(ctx, warehouse.FeaturesRequest{RunID: "f", Study: "GSE1"})
			featureErrs <- err
		}
	}()
	wg.Wait()
	close(loadErrs)
	close(featureErrs)
	for err := range loadErrs {
		if err != nil {
			t.Errorf("a load beside the study's features: %v", err)
		}
	}
	for err := range featureErrs {
		if err != nil {
			t.Errorf("a computation beside the study's loads: %v", err)
		}
	}
	var current string
	if err := w.DB().QueryRow(`SELECT batch_id FROM meta_batch WHERE is_current`).Scan(&current); err != nil {
		t.Fatal(err)
	}
	if res, err := w.MaterializeFeatures(ctx, warehouse.FeaturesRequest{RunID: "g", Study: "GSE1"}); err != nil || res.BatchID != current {
		t.Fatalf("features after the loads: %+v, %v; want them of the current batch %s", res, err, current)
	}
}
