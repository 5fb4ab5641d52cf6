package genexp_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/genexp/genexp"
)

// TestRunStoppedInsideItsLastStep: a run interrupted, or timed out, while
// its one study was being committed began every step it had, so none is
// SKIPPED; the commit's step FAILED with the reason. Health used to call
// that run "finished with 1 failed step", healthy; its study is not
// loaded until the load runs again, so the runs check warns and says why.
func TestRunStoppedInsideItsLastStep(t *testing.T) {
	for _, tc := range []struct{ name, reason string }{
		{"timeout", "timed out"},
		{"interrupt", "interrupted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := openWarehouse(t)
			cfg := genexp.DefaultConfig()
			off := false
			cfg.Analytics.Enabled = &off
			ctx, stop := stoppable(t, tc.name == "timeout", &cfg)
			p, err := genexp.New(w, genexp.WithConfig(cfg), genexp.WithLogger(slog.New(onStepDone{step: "validate", f: stop})))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := p.Load(ctx, "testdata/refinebio/quickstart/GSE71270")
			if err == nil {
				t.Fatal("Load of a stopped run returned no error")
			}
			if len(rep.Studies) != 1 || rep.Studies[0].Err == nil {
				t.Fatalf("want GSE71270 stopped in its commit: %+v", rep.Studies)
			}
			// The load step stopped after validation knew the batch: its
			// FAILED row names the batch, as the validate row does.
			var failedBatch, validatedBatch string
			if err := w.DB().QueryRow(`SELECT coalesce(max(batch_id) FILTER (WHERE step = 'load' AND status = 'FAILED'), ''),
				coalesce(max(batch_id) FILTER (WHERE step = 'validate'), '') FROM meta_etl_process_log WHERE run_id = ?`, rep.RunID).
				Scan(&failedBatch, &validatedBatch); err != nil {
				t.Fatal(err)
			}
			if failedBatch == "" || failedBatch != validatedBatch {
				t.Errorf("the FAILED load step's batch %q, want the validated batch %q", failedBatch, validatedBatch)
			}
			check, last := runsHealth(t, w)
			if last.RunID != rep.RunID || last.Stopped != 0 || last.StopReason != tc.reason {
				t.Errorf("last run %+v; want %s, no step left unbegun, reason %q", last, rep.RunID, tc.reason)
			}
			if check.Status != genexp.Degraded || !strings.Contains(check.Detail, "was stopped ("+tc.reason+") during a step") ||
				!strings.Contains(check.Detail, "rerun the same genexp load (what it loaded is a duplicate") {
				t.Errorf("runs check %s %q; want a warning that the run was stopped (%s) during a step", check.Status, check.Detail, tc.reason)
			}
		})
	}
}
