package mssql_test

import (
	"testing"

	"github.com/genexp/genexp/warehouse/warehousetest"
)

// TestFeatureContract runs the feature checks against SQL Server, under the
// same conditions as TestContract.
func TestFeatureContract(t *testing.T) {
	testServer(t)
	warehousetest.RunFeatures(t, func(t *testing.T) warehousetest.Target {
		w, _ := openFresh(t)
		return warehousetest.Target{Sink: w, DB: w.DB()}
	})
}
