package warehousetest

import (
	"context"
	"testing"
	"time"

	"github.com/genexp/genexp/warehouse"
)

// testAttempts: a sink that numbers attempts (warehouse.AttemptCounter)
// counts the other runs that failed, or were killed (a step still RUNNING
// that started before AttemptsRequest.KilledBefore), since the study's last
// successful load; the current run and a run still going do not count.
func testAttempts(t *testing.T, tg Target) {
	ac, ok := tg.Sink.(warehouse.AttemptCounter)
	if !ok {
		t.Skip("the sink does not number attempts (warehouse.AttemptCounter)")
	}
	ctx := context.Background()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	minute := func(m int) time.Time { return base.Add(time.Duration(m) * time.Minute) }
	logStep := func(id, run, step, status string, m int) {
		t.Helper()
		rec := warehouse.StepRecord{LogID: id, RunID: run, Study: "S", Step: step, Status: status, StartedAt: minute(m)}
		if err := tg.Sink.LogStep(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	// killedBefore is the minute before which a RUNNING step counts.
	killedBefore := 10
	count := func(run string) int {
		t.Helper()
		n, err := ac.FailedAttempts(ctx, warehouse.AttemptsRequest{Study: "S", RunID: run, KilledBefore: minute(killedBefore)})
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
	logStep("6", "r5", "analytics", "RUNNING", 12) // going, or killed within the threshold
	if n := count("r9"); n != 1 {
		t.Errorf("after one more failure and a run still going: %d, want 1", n)
	}
	killedBefore = 13
	if n := count("r9"); n != 2 {
		t.Errorf("once the run RUNNING is past the threshold: %d, want 2", n)
	}
	n, err := ac.FailedAttempts(ctx, warehouse.AttemptsRequest{Study: "S", RunID: "r9"})
	if err != nil || n != 1 {
		t.Errorf("with no threshold: %d, %v; want 1 (RUNNING steps never count)", n, err)
	}
}
