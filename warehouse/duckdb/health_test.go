package duckdb

import (
	"context"
	"fmt"
	"slices"
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

// Stopped counts only the SKIPPED rows of steps a run never began because
// it was stopped (context_json reason "interrupted" or "timed out"), not
// the other SKIPPED rows, and a row whose context is not JSON neither
// counts nor fails the summary.
func TestHealthCountsStoppedSteps(t *testing.T) {
	w, err := Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx := context.Background()
	if err := w.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	ended := base.Add(time.Minute)
	row := func(run, study, step, status, contextJSON string, at time.Duration) warehouse.StepRecord {
		return warehouse.StepRecord{LogID: run + study + step, RunID: run, Study: study, Step: step, Status: status,
			StartedAt: base.Add(at), EndedAt: &ended, Context: contextJSON}
	}
	for _, r := range []warehouse.StepRecord{
		row("ri", "S1", "load", "SUCCESS", `{"file":"a"}`, 2*time.Hour),
		row("ri", "S1", "analytics", "SKIPPED", `{"reason":"features are current"}`, 2*time.Hour),
		row("ri", "S2", "validate", "SKIPPED", `{"reason":"interrupted"}`, 2*time.Hour),
		row("ri", "S2", "load", "FAILED", `{"reason":"interrupted"}`, 2*time.Hour),
		row("ri", "S3", "extract", "SKIPPED", `{"reason":"interrupted"}`, 2*time.Hour),
		row("ri", "S3", "load", "SKIPPED", `{"reason":"interrupted"}`, 2*time.Hour),
		row("rt", "S1", "load", "SKIPPED", `{"reason":"timed out"}`, time.Hour),
		row("rt", "S1", "validate", "SKIPPED", `not json, "reason":"timed out"`, time.Hour),
		row("rt", "S1", "extract", "SKIPPED", "", time.Hour),
		row("rf", "S4", "load", "SKIPPED", `{"reason":"validation rejected the study"}`, 0),
		row("rf", "S4", "transform", "SKIPPED", `{"reason":"extract failed"}`, 0),
		row("rf", "S4", "validate", "SKIPPED", `{"reason":"dry run: nothing was written","dry_run":true}`, 0),
		row("rf", "S4", "extract", "SKIPPED", `{"note":"interrupted"}`, 0),
	} {
		if err := w.LogStep(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	h, err := w.Health(ctx, warehouse.HealthRequest{Since: base})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range h.Runs {
		got = append(got, fmt.Sprintf("%s steps=%d failed=%d stopped=%d reason=%q", r.RunID, r.Steps, r.Failed, r.Stopped, r.StopReason))
	}
	want := []string{
		`ri steps=6 failed=1 stopped=3 reason="interrupted"`,
		`rt steps=3 failed=0 stopped=1 reason="timed out"`,
		`rf steps=4 failed=0 stopped=0 reason=""`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("runs\n %q\nwant\n %q", got, want)
	}
}
