package duckdb_test

import (
	"context"
	"sync"
	"testing"

	"github.com/genexp/genexp/warehouse"
)

// TestConcurrentFeaturesTakeTurns: feature computations started at once
// through one Warehouse all succeed; two at once used to fail one of them
// on DuckDB's optimistic concurrency (Conflict on tuple deletion).
func TestConcurrentFeaturesTakeTurns(t *testing.T) {
	w := open(t, "")
	for _, study := range []string{"GSE1", "GSE2"} {
		loadSynthetic(t, w, study, 300, 8)
	}
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = w.MaterializeFeatures(context.Background(), warehouse.FeaturesRequest{Study: []string{"GSE1", "GSE2"}[i%2]})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("computation %d: %v", i, err)
		}
	}
}
