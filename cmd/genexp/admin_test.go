package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// TestStatusShowsStepsOfAnyRunID logs steps under run ids of any length
// (the contract suite's "run-1" is shorter than the eight characters a
// UUID is cut to) and checks that status lists each with its study.
func TestStatusShowsStepsOfAnyRunID(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var recs []warehouse.StepRecord
	for i, r := range []struct{ run, study string }{
		{"run-1", "GSE1"},
		{"", "GSE2"},
		{"0123456789abcdef-long", "E-GEOD-39842"},
	} {
		recs = append(recs, warehouse.StepRecord{LogID: "log-" + r.study, RunID: r.run, Study: r.study, Step: "load", Status: "SUCCESS",
			StartedAt: start.Add(time.Duration(i) * time.Minute)})
	}
	_, steps := statusSteps(t, warehouseWithSteps(t, recs))
	if f := strings.Fields(lineOf(steps, "STARTED")); len(f) < 4 || f[1] != "RUN" || f[2] != "STUDY" {
		t.Errorf("steps header %q: want a STUDY column after RUN", lineOf(steps, "STARTED"))
	}
	for _, want := range [][]string{{"run-1", "GSE1"}, {"-", "GSE2"}, {"01234567", "E-GEOD-39842"}} {
		found := false
		for _, l := range strings.Split(steps, "\n") {
			if f := strings.Fields(l); len(f) > 4 && f[2] == want[0] && f[3] == want[1] {
				found = true
			}
		}
		if !found {
			t.Errorf("no step row with run %q and study %q:\n%s", want[0], want[1], steps)
		}
	}
}

// TestStatusSaysWhyAStepDidNotSucceed: a SKIPPED step shows the reason its
// context_json gives, a FAILED one its error.
func TestStatusSaysWhyAStepDidNotSucceed(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	code := 1001
	recs := []warehouse.StepRecord{
		{LogID: "a", RunID: "run-1", Study: "GSE1", Step: "extract", Status: "FAILED", ErrorCode: &code,
			ErrorMessage: "GSE1: no such download [1001 EXTRACTION_FILE_NOT_FOUND]", Context: `{"file":"GSE1"}`},
		{LogID: "b", RunID: "run-1", Study: "GSE1", Step: "transform", Status: "SKIPPED", Context: `{"file":"GSE1","reason":"extract failed"}`},
		{LogID: "c", RunID: "run-2", Study: "GSE2", Step: "load", Status: "SKIPPED", Context: `{"reason":"validation rejected the study"}`},
		{LogID: "d", RunID: "run-2", Study: "GSE2", Step: "validate", Status: "SUCCESS", Context: `{"reason":"not shown for a success"}`},
		{LogID: "e", RunID: "run-2", Study: "GSE3", Step: "load", Status: "SKIPPED"},
	}
	for i := range recs {
		recs[i].StartedAt = start.Add(time.Duration(i) * time.Minute)
	}
	_, steps := statusSteps(t, warehouseWithSteps(t, recs))
	row := func(study, step string) string {
		for _, l := range strings.Split(steps, "\n") {
			if f := strings.Fields(l); len(f) > 5 && f[3] == study && f[4] == step {
				return l
			}
		}
		t.Errorf("no %s %s row:\n%s", study, step, steps)
		return ""
	}
	for _, tc := range []struct{ study, step, want string }{
		{"GSE1", "extract", "no such download [1001 EXTRACTION_FILE_NOT_FOUND]"},
		{"GSE1", "transform", "extract failed"},
		{"GSE2", "load", "validation rejected the study"},
	} {
		if l := row(tc.study, tc.step); !strings.HasSuffix(l, tc.want) {
			t.Errorf("%s %s: %q, want it to end with %q", tc.study, tc.step, l, tc.want)
		}
	}
	if l := row("GSE2", "validate"); strings.Contains(l, "not shown") {
		t.Errorf("a successful step shows a reason: %q", l)
	}
	if l := row("GSE3", "load"); len(strings.Fields(l)) != 8 {
		t.Errorf("a SKIPPED step with no reason: %q", l)
	}
}

// TestStatusStepsFlag: --steps N shows the N most recent process-log rows;
// --runs, which never counted runs, still works as its deprecated alias
// and says so.
func TestStatusStepsFlag(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var recs []warehouse.StepRecord
	for i := range 30 {
		recs = append(recs, warehouse.StepRecord{LogID: fmt.Sprint("log-", i), RunID: fmt.Sprint("run-", i/5), Study: "GSE1",
			Step: "load", Status: "SUCCESS", StartedAt: start.Add(time.Duration(i) * time.Minute)})
	}
	db := warehouseWithSteps(t, recs)
	rows := func(out string) int {
		_, steps, _ := strings.Cut(out, "recent steps:")
		return strings.Count(steps, " GSE1 ")
	}
	for _, tc := range []struct {
		args       []string
		rows       int
		deprecated bool
	}{
		{nil, 20, false},
		{[]string{"--steps", "7"}, 7, false},
		{[]string{"--runs", "3"}, 3, true},
	} {
		code, out, stderr := runCLI(t, append([]string{"status", "--db", db}, tc.args...)...)
		if code != exitOK {
			t.Fatalf("%v: exit %d\n%s%s", tc.args, code, out, stderr)
		}
		if n := rows(out); n != tc.rows {
			t.Errorf("%v: %d step rows, want %d\n%s", tc.args, n, tc.rows, out)
		}
		if got := strings.Contains(stderr, "--steps"); got != tc.deprecated {
			t.Errorf("%v: stderr %q; want a deprecation note: %v", tc.args, stderr, tc.deprecated)
		}
	}
}

// TestReadersSayTheWarehouseFileIsMissing: every command that only reads
// a warehouse says that a missing DuckDB file is missing, in health's
// words, exits 3 and creates nothing.
func TestReadersSayTheWarehouseFileIsMissing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "typo.duckdb")
	for _, args := range [][]string{
		{"status", "--db", db},
		{"query", "--db", db, "SELECT 1"},
		{"features", "--db", db},
		{"health", "--db", db},
	} {
		code, out, stderr := runCLI(t, args...)
		if code != exitNoAccess || !strings.Contains(out+stderr, "(name the warehouse with --db or --dsn; genexp load or genexp init creates one)") || strings.Contains(stderr, "read-only") {
			t.Errorf("%s: exit %d, want %d and health's message\n%s%s", args[0], code, exitNoAccess, out, stderr)
		}
		if _, err := os.Stat(db); !os.IsNotExist(err) {
			t.Fatalf("%s created the warehouse file", args[0])
		}
	}
	// A relative --db is named where it was looked for: the folder the
	// command ran in may not be the one the user thought.
	t.Chdir(filepath.Dir(db))
	if code, out, stderr := runCLI(t, "status", "--db", "typo.duckdb"); code != exitNoAccess || !strings.Contains(out+stderr, "no warehouse file at "+db+" ") {
		t.Errorf("relative --db: exit %d, want %d naming %s\n%s%s", code, exitNoAccess, db, out, stderr)
	}
}

// TestStatusShowsStepsInPipelineOrder: within a run, each study's steps
// read in pipeline order whatever their start times (a load starts before
// the validation it waits for ends), runs newest first; and one study is
// "1 study".
func TestStatusShowsStepsInPipelineOrder(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var recs []warehouse.StepRecord
	// seconds after start, as the pipeline logs them
	for i, r := range []struct {
		run, study, step string
		at               int
	}{
		{"run-old", "GSE1", "extract", 0},
		{"run-old", "GSE1", "transform", 0},
		{"run-old", "GSE1", "load", 1},
		{"run-old", "GSE1", "validate", 1},
		{"run-old", "GSE1", "analytics", 2},
		{"run-new", "GSE1", "extract", 10},
		{"run-new", "GSE1", "transform", 10},
		{"run-new", "GSE1", "load", 11},
		{"run-new", "GSE1", "validate", 12},
		{"run-new", "GSE1", "analytics", 13},
		{"run-new", "GSE2", "analytics", 14},
		{"run-new", "GSE2", "load", 14},
		{"run-new", "GSE2", "validate", 14},
		{"run-new", "GSE2", "transform", 14},
		{"run-new", "GSE2", "extract", 14},
	} {
		recs = append(recs, warehouse.StepRecord{LogID: fmt.Sprint("log-", i), RunID: r.run, Study: r.study, Step: r.step, Status: "SUCCESS",
			StartedAt: start.Add(time.Duration(r.at) * time.Second)})
	}
	out, steps := statusSteps(t, warehouseWithSteps(t, recs))
	if !strings.HasPrefix(out, "schema version ") || !strings.Contains(lineOf(out, "schema version"), ", 0 studies") {
		t.Errorf("header %q", lineOf(out, "schema version"))
	}
	var got []string
	for _, l := range strings.Split(steps, "\n") {
		if f := strings.Fields(l); len(f) > 5 && f[0] != "STARTED" {
			got = append(got, f[2]+" "+f[3]+" "+f[4])
		}
	}
	pipeline := []string{"extract", "transform", "validate", "load", "analytics"}
	var want []string
	for _, g := range []string{"run-new GSE2", "run-new GSE1", "run-old GSE1"} {
		for _, s := range pipeline {
			want = append(want, g+" "+s)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("steps in this order:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// warehouseWithSteps creates a warehouse whose process log holds recs
// (attempt 1 unless set) and returns its file.
func warehouseWithSteps(t *testing.T, recs []warehouse.StepRecord) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "w.duckdb")
	w, err := duckdb.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, rec := range recs {
		if rec.Attempt == 0 {
			rec.Attempt = 1
		}
		if err := w.LogStep(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// statusSteps runs status on db and returns its output and the part after
// "recent steps:".
func statusSteps(t *testing.T, db string, args ...string) (out, steps string) {
	t.Helper()
	code, out, stderr := runCLI(t, append([]string{"status", "--db", db}, args...)...)
	if code != exitOK {
		t.Fatalf("status: exit %d\n%s%s", code, out, stderr)
	}
	_, steps, _ = strings.Cut(out, "recent steps:")
	return out, steps
}

// TestStatusCountsFailuresBeyondItsSteps: the steps status lists are the
// latest rows only, and a rerun's SKIPPED rows can push a failure out of
// them; status then still says how many failures of the last 24 h no
// later success made good, and says nothing of them when there are none.
func TestStatusCountsFailuresBeyondItsSteps(t *testing.T) {
	start := time.Now().UTC().Add(-time.Hour)
	code := 1004
	recs := []warehouse.StepRecord{{LogID: "log-f", RunID: "run-1", Study: "GSE2", Step: "extract", Status: "FAILED",
		ErrorCode: &code, ErrorMessage: "not a number", StartedAt: start}}
	for i := range 8 {
		recs = append(recs, warehouse.StepRecord{LogID: fmt.Sprint("log-", i), RunID: "run-1", Study: "GSE2", Step: "load",
			Status: "SKIPPED", StartedAt: start.Add(time.Duration(i+1) * time.Minute)})
	}
	out, steps := statusSteps(t, warehouseWithSteps(t, recs), "--steps", "3")
	if strings.Contains(steps, "FAILED") || !strings.Contains(out, "1 failed step in the last 24 h not made good by a later success") {
		t.Errorf("status --steps 3 after a failure and 8 later rows:\n%s", out)
	}
	out, _ = statusSteps(t, warehouseWithSteps(t, recs[1:]))
	if strings.Contains(out, "failed step") {
		t.Errorf("status of a warehouse with no failure names some:\n%s", out)
	}
}

// TestStatusSaysARunWasKilled: a load killed with kill -9 leaves its step
// RUNNING; status, which can open the DuckDB file only when no process
// writes it, says the run was killed instead of listing the step as if a
// load were going on, and says nothing of it once the step has ended.
func TestStatusSaysARunWasKilled(t *testing.T) {
	start := time.Now().UTC().Add(-time.Minute)
	running := warehouse.StepRecord{LogID: "log-1", RunID: "run-killed", Study: "GSE71270", Step: "load",
		Status: "RUNNING", StartedAt: start}
	out, _ := statusSteps(t, warehouseWithSteps(t, []warehouse.StepRecord{running}))
	if !strings.Contains(out, "run run-kill still has 1 step RUNNING, but no process is writing to the warehouse") {
		t.Errorf("status after a killed load:\n%s", out)
	}
	done := running
	done.Status = "SUCCESS"
	end := start.Add(time.Second)
	done.EndedAt = &end
	out, _ = statusSteps(t, warehouseWithSteps(t, []warehouse.StepRecord{done}))
	if strings.Contains(out, "no process is writing") {
		t.Errorf("status after a finished load says it was killed:\n%s", out)
	}
}

// TestKilledRun: a run's RUNNING steps say it was killed only when no
// process can be writing (a SQL Server warehouse, where loads write side
// by side, leaves them to health's StuckAfter), and only of the latest run.
func TestKilledRun(t *testing.T) {
	running := warehouse.RunSummary{RunID: "run-a", Running: 2}
	for _, tc := range []struct {
		name string
		h    warehouse.Health
		want string
	}{
		{"no writer", warehouse.Health{NoWriter: true, Runs: []warehouse.RunSummary{running}}, "run run-a still has 2 steps RUNNING"},
		{"writers possible", warehouse.Health{Runs: []warehouse.RunSummary{running}}, ""},
		{"an earlier run", warehouse.Health{NoWriter: true, Runs: []warehouse.RunSummary{{RunID: "run-b"}, running}}, ""},
		{"no runs", warehouse.Health{NoWriter: true}, ""},
	} {
		got := killedRun(tc.h)
		if tc.want == "" && got != "" || tc.want != "" && !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
