package genexp

import (
	"strings"
	"testing"
	"time"

	"github.com/genexp/genexp/warehouse"
)

// TestRunsCheck: the runs check describes the last run; a last run stopped
// before steps it had to run is a warning telling to rerun the load, and
// only the last run's stop counts (a later run may have rerun it); a
// killed or stopped load followed by features runs alone is a warning
// until a load runs again.
func TestRunsCheck(t *testing.T) {
	now := time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)
	at := now.Add(-time.Hour)
	ended := at.Add(time.Minute)
	run := func(id string, edit func(*warehouse.RunSummary)) warehouse.RunSummary {
		r := warehouse.RunSummary{RunID: id, StartedAt: at, EndedAt: &ended, Studies: 3, Steps: 12}
		if edit != nil {
			edit(&r)
		}
		return r
	}
	const head = "last run r1 started 2026-01-02T11:00:00Z (3 studies, 12 steps)"
	const rerunLoad = "rerun the same genexp load (what it loaded is a duplicate; a study whose features it stopped gets them)"
	cases := []struct {
		name     string
		runs     []warehouse.RunSummary
		noWriter bool
		want     HealthStatus
		detail   string
	}{
		{"no runs", nil, false, Healthy, "no runs yet"},
		{"finished", []warehouse.RunSummary{run("r1", nil)}, false, Healthy, head + ", finished"},
		{"finished with failures", []warehouse.RunSummary{run("r1", func(r *warehouse.RunSummary) { r.Failed = 2 })},
			false, Healthy, head + ", finished with 2 failed steps"},
		{"interrupted between matrices", []warehouse.RunSummary{run("r1", func(r *warehouse.RunSummary) {
			r.Stopped, r.StopReason, r.Load = 8, "interrupted", true
		})}, false, Degraded, head + " was stopped (interrupted) before 8 of its steps began: part of its work was not done; " + rerunLoad},
		{"interrupted within a matrix", []warehouse.RunSummary{run("r1", func(r *warehouse.RunSummary) {
			r.Stopped, r.StopReason, r.Failed, r.Load = 1, "interrupted", 3, true
		})}, false, Degraded, head + " was stopped (interrupted) before 1 of its steps began, and 3 steps failed: part of its work was not done; " + rerunLoad},
		{"timed out", []warehouse.RunSummary{run("r1", func(r *warehouse.RunSummary) {
			r.Stopped, r.StopReason, r.Load = 4, "timed out", true
		})}, false, Degraded, head + " was stopped (timed out) before 4 of its steps began: part of its work was not done; " +
			rerunLoad + ", with a larger processing.timeout_seconds if it needs longer"},
		{"stopped, reason not recorded", []warehouse.RunSummary{run("r1", func(r *warehouse.RunSummary) { r.Stopped, r.Load = 4, true })},
			false, Degraded, head + " was stopped before 4 of its steps began: part of its work was not done; " + rerunLoad},
		// genexp features is no load: rerunning it, not a load, makes it
		// good.
		{"features interrupted in a step", []warehouse.RunSummary{run("r1", func(r *warehouse.RunSummary) {
			r.StopReason, r.Failed = "interrupted", 1
		})}, false, Degraded, head + " was stopped (interrupted) during a step, which failed and did none of its work " +
			"(a study's load, or its features); rerun the same genexp features"},
		{"still writing the steps it stopped before", []warehouse.RunSummary{run("r1", func(r *warehouse.RunSummary) {
			r.Stopped, r.StopReason, r.Running, r.EndedAt = 4, "interrupted", 1, nil
			r.StartedAt = now.Add(-time.Minute)
		})}, false, Healthy, "last run r1 started 2026-01-02T11:59:00Z (3 studies, 12 steps), running"},
		{"an earlier run stopped, the last finished", []warehouse.RunSummary{run("r1", nil), run("r0", func(r *warehouse.RunSummary) {
			r.Stopped, r.StopReason = 8, "interrupted"
		})}, false, Healthy, head + ", finished"},
		{"a killed run outranks a stopped one", []warehouse.RunSummary{run("r1", func(r *warehouse.RunSummary) {
			r.Stopped, r.StopReason = 8, "interrupted"
		}), run("r0", func(r *warehouse.RunSummary) { r.Running, r.EndedAt = 2, nil })}, true, Degraded,
			"run r0 started 1h0m0s ago and still has 2 steps RUNNING, but no process is writing to the warehouse: " +
				"the run was killed or could not record its end; rerun it (the next load or genexp features marks those steps FAILED)"},
		{"a killed load, then features only", []warehouse.RunSummary{run("r1", nil), run("r0", func(r *warehouse.RunSummary) {
			r.Aborted, r.Load, r.Failed = 2, true, 2
		})}, false, Degraded, head + "; the latest load, run r0 started 2026-01-02T11:00:00Z, was killed (2 steps found abandoned " +
			"by a later run) and no load has run since: studies it had not reached may not be loaded; rerun the same genexp load " +
			"(what it loaded before is a duplicate)"},
		{"a timed-out load, then features only", []warehouse.RunSummary{run("r1", nil), run("r0", func(r *warehouse.RunSummary) {
			r.Stopped, r.StopReason, r.Load = 4, "timed out", true
		})}, false, Degraded, head + "; the latest load, run r0 started 2026-01-02T11:00:00Z, was stopped (timed out) and no load " +
			"has run since: studies it had not reached may not be loaded; rerun the same genexp load (what it loaded before is a duplicate)"},
		{"a load stopped in its last step, then features only", []warehouse.RunSummary{run("r1", nil), run("r0", func(r *warehouse.RunSummary) {
			r.StopReason, r.Load, r.Failed = "interrupted", true, 1
		})}, false, Degraded, head + "; the latest load, run r0 started 2026-01-02T11:00:00Z, was stopped (interrupted) and no load " +
			"has run since: studies it had not reached may not be loaded; rerun the same genexp load (what it loaded before is a duplicate)"},
		{"a killed load, then a load", []warehouse.RunSummary{run("r1", func(r *warehouse.RunSummary) { r.Load = true }),
			run("r0", func(r *warehouse.RunSummary) { r.Aborted, r.Load = 2, true })}, false, Healthy, head + ", finished"},
		{"a killed features run", []warehouse.RunSummary{run("r1", nil), run("r0", func(r *warehouse.RunSummary) { r.Aborted = 1 })},
			false, Healthy, head + ", finished"},
		{"a load, then a killed load before it", []warehouse.RunSummary{run("r2", nil), run("r1", func(r *warehouse.RunSummary) { r.Load = true }),
			run("r0", func(r *warehouse.RunSummary) { r.Aborted, r.Load = 1, true })}, false, Healthy,
			"last run r2 started 2026-01-02T11:00:00Z (3 studies, 12 steps), finished"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, detail := runsCheck(tc.runs, tc.noWriter, now, DefaultHealthLimits())
			if st != tc.want || detail != tc.detail {
				t.Errorf("runsCheck = %s, %q\nwant %s, %q", st, detail, tc.want, tc.detail)
			}
		})
	}
}

// TestDefaultHealthLimits pins the documented defaults: a warning under
// 1 GiB of free disk, critical under 100 MiB, a run RUNNING for 6 h stuck.
func TestDefaultHealthLimits(t *testing.T) {
	if got, want := DefaultHealthLimits(), (HealthLimits{WarnFreeBytes: 1 << 30, CriticalFreeBytes: 100 << 20, StuckAfter: 6 * time.Hour}); got != want {
		t.Errorf("DefaultHealthLimits() = %+v, want %+v", got, want)
	}
}

// TestFeaturesCheckNamesStaleStudies: the stale studies the warehouse
// names are listed, and those it counted beyond them are said in a number.
func TestFeaturesCheckNamesStaleStudies(t *testing.T) {
	for _, tc := range []struct {
		stale int
		names []string
		want  string
	}{
		{2, []string{"GSE1", "GSE2"}, "the features of 2 studies are stale (GSE1, GSE2):"},
		{3, []string{"GSE1", "GSE2"}, "the features of 3 studies are stale (GSE1, GSE2 and 1 more):"},
	} {
		st, detail := featuresCheck(&warehouse.Health{FeaturesChecked: true, StaleFeatures: tc.stale, StaleFeatureStudies: tc.names})
		if st != Degraded || !strings.HasPrefix(detail, tc.want) {
			t.Errorf("featuresCheck(%d stale, %v) = %s, %q; want a warning beginning %q", tc.stale, tc.names, st, detail, tc.want)
		}
	}
}
