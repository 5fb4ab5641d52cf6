package mssql_test

import (
	"context"
	"testing"
	"time"

	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/mssql"
)

// The DuckDB backend's attempt scenario, on a server: failed and killed
// runs count, the current run and a run still going do not, and a
// successful load starts the count again.
func TestIntegrationFailedAttempts(t *testing.T) {
	w, _ := openFresh(t)
	ctx := context.Background()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	logStep := func(id, run, step, status string, minute int) {
		t.Helper()
		rec := warehouse.StepRecord{LogID: id, RunID: run, Study: "S", Step: step, Status: status,
			StartedAt: base.Add(time.Duration(minute) * time.Minute)}
		if err := w.LogStep(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	killedBefore := 10
	count := func(run string) int {
		t.Helper()
		n, err := w.FailedAttempts(ctx, warehouse.AttemptsRequest{Study: "S", RunID: run,
			KilledBefore: base.Add(time.Duration(killedBefore) * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	logStep("1", "r1", "validate", "FAILED", 1)
	logStep("2", "r2", "extract", "RUNNING", 2) // killed
	logStep("3", "r2", "load", "RUNNING", 2)
	if n := count("r9"); n != 2 {
		t.Errorf("after a failed and a killed run: %d, want 2", n)
	}
	if n := count("r2"); n != 1 {
		t.Errorf("the current run counted itself: %d, want 1", n)
	}
	killedBefore = 2
	if n := count("r9"); n != 1 {
		t.Errorf("a run RUNNING since the threshold was counted as killed: %d, want 1", n)
	}
	killedBefore = 10
	logStep("4", "r3", "load", "SUCCESS", 3)
	if n := count("r9"); n != 0 {
		t.Errorf("after a successful load: %d, want 0", n)
	}
	logStep("5", "r4", "validate", "FAILED", 4)
	logStep("6", "r5", "analytics", "RUNNING", 12)
	if n := count("r9"); n != 1 {
		t.Errorf("after one more failure and a run still going: %d, want 1", n)
	}
	killedBefore = 13
	if n := count("r9"); n != 2 {
		t.Errorf("once the run RUNNING is past the threshold: %d, want 2", n)
	}
	n, err := w.FailedAttempts(ctx, warehouse.AttemptsRequest{Study: "S", RunID: "r9"})
	if err != nil || n != 1 {
		t.Errorf("with no threshold: %d, %v; want 1 (RUNNING steps never count)", n, err)
	}
}

func TestIntegrationHealth(t *testing.T) {
	w, _ := openFresh(t)
	ctx := context.Background()
	base := time.Now().UTC().Add(-2 * time.Hour).Truncate(time.Second)
	ended := base.Add(time.Minute)
	steps := []warehouse.StepRecord{
		{LogID: "a1", RunID: "ra", Study: "S1", Step: "load", Status: "SUCCESS", StartedAt: base, EndedAt: &ended},
		{LogID: "a2", RunID: "ra", Study: "S2", Step: "validate", Status: "FAILED", StartedAt: base, EndedAt: &ended},
		{LogID: "a3", RunID: "ra", Step: "extract", Status: "SUCCESS", StartedAt: base, EndedAt: &ended},
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
		ra.Studies != 2 || ra.Steps != 3 || ra.Failed != 1 || ra.Running != 0 {
		t.Errorf("older run: %+v, want ra: 2 studies, 3 steps, 1 failed, ended %v", ra, ended)
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
