package duckdb_test

import (
	"path/filepath"
	"testing"

	"github.com/genexp/genexp/warehouse/duckdb"
	"github.com/genexp/genexp/warehouse/warehousetest"
)

// TestContract runs the contract suite on checkpointed warehouses, their
// tables and statistics in the file rather than the write-ahead log, as a
// long-running process leaves them (DuckDB checkpoints at the commit of a
// load whose log passes 16 MB). Before schema 7, whose migration is
// committed by a checkpoint, a new warehouse was not, and the reader loop
// met the hazard consistentReads removes only after this CHECKPOINT; Open
// now leaves the same state, which the CHECKPOINT keeps should that change.
// TestPreparedReadAcrossAReplace shows the hazard deterministically.
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
