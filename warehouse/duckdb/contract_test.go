package duckdb_test

import (
	"path/filepath"
	"testing"

	"github.com/genexp/genexp/warehouse/duckdb"
	"github.com/genexp/genexp/warehouse/warehousetest"
)

func TestContract(t *testing.T) {
	warehousetest.Run(t, func(t *testing.T) warehousetest.Target {
		w, err := duckdb.Open(filepath.Join(t.TempDir(), "w.duckdb"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { w.Close() })
		return warehousetest.Target{Sink: w, DB: w.DB()}
	})
}
