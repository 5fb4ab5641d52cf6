package warehousetest

import (
	"path/filepath"
	"testing"

	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// TestOptionalInterfacesSkip runs the cases of the optional interfaces on a
// DuckDB warehouse seen only as a warehouse.WarehouseSink: a backend that
// lacks an optional interface has each of its cases skipped, not failed.
func TestOptionalInterfacesSkip(t *testing.T) {
	cases := []struct {
		name string
		fn   func(*testing.T, Target)
	}{
		{"QCRecorder", testRejectedStudyQC},
		{"AttemptCounter", testAttempts},
		{"Statuser", testStatus},
		{"StepsLogger", testStepsLogger},
		{"HealthChecker", testHealth},
		{"StepAborter", testStepAborter},
	}
	for _, tc := range cases {
		skipped := false
		t.Run(tc.name, func(t *testing.T) {
			w, err := duckdb.Open(filepath.Join(t.TempDir(), "w.duckdb"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { w.Close() })
			defer func() { skipped = t.Skipped() }()
			// Only the methods of WarehouseSink: the struct hides the rest.
			tc.fn(t, Target{Sink: struct{ warehouse.WarehouseSink }{w}, DB: w.DB()})
		})
		if !skipped {
			t.Errorf("%s: a sink without it was not skipped", tc.name)
		}
	}
}
