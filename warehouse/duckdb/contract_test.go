package duckdb_test

import (
	"path/filepath"
	"testing"

	"github.com/genexp/genexp/warehouse/duckdb"
	"github.com/genexp/genexp/warehouse/warehousetest"
)

// TestContract runs the contract suite on checkpointed warehouses, as a
// long-running process leaves them (DuckDB checkpoints at the commit of a
// load whose write-ahead log passes 16 MB): tables written to the file keep
// exact statistics, which reach the plans consistentReads is about
// (TestPreparedReadAcrossAReplace shows the hazard deterministically).
func TestContract(t *testing.T) {
	warehousetest.Run(t, func(t *testing.T) warehousetest.Target {
		w, err := duckdb.Open(filepath.Join(t.TempDir(), "w.duckdb"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.DB().Exec(`CHECKPOINT`); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { w.Close() })
		return warehousetest.Target{Sink: w, DB: w.DB()}
	})
}
