package duckdb

import (
	"context"
	"testing"
	"time"

	"github.com/genexp/genexp/warehouse"
)

func TestHealthStatementsPrepare(t *testing.T) {
	w, err := Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for name, stmt := range healthStatements {
		s, err := w.DB().PrepareContext(context.Background(), stmt)
		if err != nil {
			t.Errorf("%s does not prepare against the schema: %v", name, err)
			continue
		}
		s.Close()
	}
}

func TestFailedAttemptsCountsRunsSinceSuccess(t *testing.T) {
	w, err := Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx := context.Background()
	base := mustTime(t, "2026-01-01T00:00:00Z")
	log := func(id, run, step, status string, minute int) {
		t.Helper()
		rec := warehouse.StepRecord{LogID: id, RunID: run, Study: "S", Step: step, Status: status, StartedAt: base.Add(timeMinutes(minute))}
		if err := w.LogStep(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	// killedBefore is the minute before which a RUNNING step counts.
	killedBefore := 10
	count := func(run string) int {
		t.Helper()
		n, err := w.FailedAttempts(ctx, warehouse.AttemptsRequest{Study: "S", RunID: run, KilledBefore: base.Add(timeMinutes(killedBefore))})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	log("1", "r1", "validate", "FAILED", 1)
	log("2", "r2", "extract", "RUNNING", 2) // killed
	log("3", "r2", "load", "RUNNING", 2)
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
	log("4", "r3", "load", "SUCCESS", 3)
	if n := count("r9"); n != 0 {
		t.Errorf("after a successful load: %d, want 0", n)
	}
	log("5", "r4", "validate", "FAILED", 4)
	log("6", "r5", "analytics", "RUNNING", 12) // going, or killed within the threshold
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

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func timeMinutes(m int) time.Duration { return time.Duration(m) * time.Minute }
