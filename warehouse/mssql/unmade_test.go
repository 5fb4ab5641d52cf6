package mssql_test

import (
	"errors"
	"testing"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse/mssql"
	"github.com/genexp/genexp/warehouse/warehousetest"
)

// TestUnmadeWarehouse: a nil or zero Warehouse, and New with a nil
// *sql.DB, fail with ConfigInvalid instead of a nil-pointer panic.
func TestUnmadeWarehouse(t *testing.T) {
	t.Run("nil", func(t *testing.T) { warehousetest.RunUnmade(t, (*mssql.Warehouse)(nil)) })
	t.Run("zero", func(t *testing.T) { warehousetest.RunUnmade(t, &mssql.Warehouse{}) })
	if _, err := mssql.New(nil, mssql.Config{}); !errors.Is(err, qc.ConfigInvalid) {
		t.Errorf("New(nil): %v, want code ConfigInvalid", err)
	}
	var w *mssql.Warehouse
	if w.DB() != nil || w.String() != "" || w.Config() != (mssql.Config{}) {
		t.Error("a nil Warehouse has a DB, a name or a configuration")
	}
}
