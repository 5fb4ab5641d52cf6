package duckdb_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// TestConcurrentFeaturesTakeTurns: feature computations started at once,
// through one Warehouse or two of the same file, all succeed; two at once
// used to fail one of them on DuckDB's optimistic concurrency (Conflict on
// tuple deletion).
func TestConcurrentFeaturesTakeTurns(t *testing.T) {
	file := filepath.Join(t.TempDir(), "w.duckdb")
	w := open(t, file)
	for _, study := range []string{"GSE1", "GSE2"} {
		loadSynthetic(t, w, study, 300, 8)
	}
	// a second Warehouse of the same file takes turns with the first
	ws := []*duckdb.Warehouse{w, open(t, file)}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = ws[i%2].MaterializeFeatures(context.Background(), warehouse.FeaturesRequest{Study: []string{"GSE1", "GSE2"}[i/2%2]})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("computation %d: %v", i, err)
		}
	}
}
