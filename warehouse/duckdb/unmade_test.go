package duckdb_test

import (
	"errors"
	"testing"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse/duckdb"
	"github.com/genexp/genexp/warehouse/warehousetest"
)

// TestUnmadeWarehouse: a nil or zero Warehouse, and New with a nil
// *sql.DB, fail with ConfigInvalid instead of a nil-pointer panic.
func TestUnmadeWarehouse(t *testing.T) {
	t.Run("nil", func(t *testing.T) { warehousetest.RunUnmade(t, (*duckdb.Warehouse)(nil)) })
	t.Run("zero", func(t *testing.T) { warehousetest.RunUnmade(t, &duckdb.Warehouse{}) })
	if _, err := duckdb.New(nil, duckdb.Config{}); !errors.Is(err, qc.ConfigInvalid) {
		t.Errorf("New(nil): %v, want code ConfigInvalid", err)
	}
	var w *duckdb.Warehouse
	if w.DB() != nil || w.Path() != "" {
		t.Error("a nil Warehouse has a DB or a path")
	}
}
