package mssql_test

import (
	"context"
	"testing"
	"time"

	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/mssql"
)

func TestIntegrationHealth(t *testing.T) {
	w, _ := openFresh(t)
	ctx := context.Background()
	base := time.Now().UTC().Add(-2 * time.Hour).Truncate(time.Second)
	ended := base.Add(time.Minute)
	steps := []warehouse.StepRecord{
		{LogID: "a1", RunID: "ra", Study: "S1", Step: "load", Status: "SUCCESS", StartedAt: base, EndedAt: &ended},
		{LogID: "a2", RunID: "ra", Study: "S2", Step: "validate", Status: "FAILED", StartedAt: base, EndedAt: &ended},
		{LogID: "a3", RunID: "ra", Step: "extract", Status: "SUCCESS", StartedAt: base, EndedAt: &ended},
		// Only a step never begun because the run stopped counts as
		// stopped; a context that is not JSON is skipped, not an error.
		{LogID: "a4", RunID: "ra", Study: "S3", Step: "extract", Status: "SKIPPED", StartedAt: base, EndedAt: &ended, Context: `{"reason":"interrupted"}`},
		{LogID: "a5", RunID: "ra", Study: "S3", Step: "load", Status: "SKIPPED", StartedAt: base, EndedAt: &ended, Context: `{"reason":"validation rejected the study"}`},
		{LogID: "a6", RunID: "ra", Study: "S3", Step: "validate", Status: "SKIPPED", StartedAt: base, EndedAt: &ended, Context: `not json "reason":"interrupted"`},
		{LogID: "b1", RunID: "rb", Study: "S1", Step: "load", Status: "RUNNING", StartedAt: base.Add(time.Hour)},
		{LogID: "c1", RunID: "rc", Study: "S3", Step: "load", Status: "FAILED", StartedAt: base.Add(-48 * time.Hour), EndedAt: &ended},
	}
	for _, s := range steps {
		if err := w.LogStep(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	h, err := w.Health(ctx, warehouse.HealthRequest{Since: base.Add(-time.Hour), Runs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if h.SchemaVersion != mssql.SchemaVersion() || h.ExpectedSchemaVersion != mssql.SchemaVersion() || h.Path != "" {
		t.Errorf("schema %d of %d, path %q", h.SchemaVersion, h.ExpectedSchemaVersion, h.Path)
	}
	if h.FailedSteps != 1 || h.FailedRuns != 1 {
		t.Errorf("failures since the window: %d steps in %d runs, want 1 in 1 (rc is older)", h.FailedSteps, h.FailedRuns)
	}
	if len(h.Runs) != 2 {
		t.Fatalf("runs: %+v, want the 2 newest", h.Runs)
	}
	rb, ra := h.Runs[0], h.Runs[1]
	if rb.RunID != "rb" || rb.EndedAt != nil || rb.Running != 1 || rb.Steps != 1 || rb.Studies != 1 {
		t.Errorf("newest run: %+v, want rb still running", rb)
	}
	if ra.RunID != "ra" || ra.EndedAt == nil || !ra.EndedAt.Equal(ended) || !ra.StartedAt.Equal(base) ||
		ra.Studies != 3 || ra.Steps != 6 || ra.Failed != 1 || ra.Running != 0 || ra.Stopped != 1 || ra.StopReason != "interrupted" {
		t.Errorf("older run: %+v, want ra: 3 studies, 6 steps, 1 failed, 1 stopped (interrupted), ended %v", ra, ended)
	}
}

// A database with no genexp schema (opened read-only) reports version 0.
func TestIntegrationHealthWithoutSchema(t *testing.T) {
	dsn := freshDatabase(t, testServer(t))
	w, err := mssql.Open(dsn, mssql.ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	h, err := w.Health(context.Background(), warehouse.HealthRequest{})
	if err != nil || h.SchemaVersion != 0 || h.Runs != nil {
		t.Fatalf("Health of an empty database: %+v, %v; want version 0 and nothing else", h, err)
	}
}
