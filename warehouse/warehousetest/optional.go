package warehousetest

import (
	"context"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/genexp/genexp/warehouse"
)

// testStatus: a sink that describes what it holds (warehouse.Statuser)
// reports its schema version, each study's current batch with the counts
// its load made and its load signature, and the most recent process-log
// rows, newest first, as many as asked.
func testStatus(t *testing.T, tg Target) {
	st, ok := tg.Sink.(warehouse.Statuser)
	if !ok {
		t.Skip("the sink does not describe what it holds (warehouse.Statuser)")
	}
	ctx := context.Background()
	status := func(runs int) warehouse.Status {
		t.Helper()
		s, err := st.Status(ctx, warehouse.StatusRequest{Runs: runs})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := status(0)
	if s.SchemaVersion <= 0 || len(s.Studies) != 0 || len(s.Steps) != 0 {
		t.Fatalf("empty warehouse: %+v, want a schema version and nothing else", s)
	}
	if hc, ok := tg.Sink.(warehouse.HealthChecker); ok {
		h, err := hc.Health(ctx, warehouse.HealthRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if s.SchemaVersion != h.ExpectedSchemaVersion {
			t.Errorf("Status says schema %d, Health expects %d", s.SchemaVersion, h.ExpectedSchemaVersion)
		}
	}

	before := time.Now().UTC().Add(-time.Hour)
	gse1 := newFixture("GSE1", 20, 4, 1)
	gse1.counted = true
	load(t, tg.Sink, gse1, "h1")
	gse2 := newFixture("GSE2", 6, 3, 1)
	gse2.counted, gse2.skipMissing = true, true
	for g := range gse2.values {
		gse2.values[g][2] = math.NaN() // a sample without a value
	}
	load(t, tg.Sink, gse2, "h2")
	check := func(f fixture, study, hash string, genes, samples int64) {
		t.Helper()
		var got *warehouse.StudyStatus
		for i := range s.Studies {
			if s.Studies[i].Study == study {
				got = &s.Studies[i]
			}
		}
		if got == nil {
			t.Fatalf("status lists no %s: %+v", study, s.Studies)
		}
		want := warehouse.StudyStatus{Study: study, BatchID: batchID(study, hash),
			LoadSignature: warehouse.LoadSignature(study, f.columns(), f.cells(study)),
			Samples:       samples, Genes: genes, Facts: f.cells(study), LoadedAt: got.LoadedAt}
		if *got != want {
			t.Errorf("status of %s: %+v, want %+v", study, *got, want)
		}
		if got.LoadedAt.Before(before) || got.LoadedAt.After(time.Now().UTC().Add(time.Hour)) {
			t.Errorf("%s loaded at %v, not about now (UTC)", study, got.LoadedAt)
		}
	}
	s = status(0)
	if len(s.Studies) != 2 {
		t.Fatalf("studies %+v, want GSE1 and GSE2", s.Studies)
	}
	check(gse1, "GSE1", "h1", 20, 4)
	// A sample whose every cell was skipped has no fact, but counts.
	check(gse2, "GSE2", "h2", 6, 3)

	changed := newFixture("GSE1", 7, 4, 2)
	changed.counted = true
	load(t, tg.Sink, changed, "h3")
	s = status(0)
	if len(s.Studies) != 2 {
		t.Fatalf("after a replacement: studies %+v, want GSE1 and GSE2", s.Studies)
	}
	check(changed, "GSE1", "h3", 7, 4)
	check(gse2, "GSE2", "h2", 6, 3)

	start := time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
	read := int64(42)
	for i, id := range []string{"step-1", "step-2", "step-3"} {
		rec := warehouse.StepRecord{LogID: id, RunID: "run-s", Study: "GSE1", Step: "load", Status: "SUCCESS", Attempt: 1,
			StartedAt: start.Add(time.Duration(i) * time.Minute), RowsRead: &read}
		if i == 2 {
			rec.Attempt = 0 // unset: the first attempt
		}
		if err := tg.Sink.LogStep(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	s = status(2)
	if len(s.Steps) != 2 || s.Steps[0].LogID != "step-3" || s.Steps[1].LogID != "step-2" {
		t.Fatalf("Runs: 2 gave steps %+v, want step-3 and step-2, newest first", s.Steps)
	}
	got := s.Steps[0]
	if got.RunID != "run-s" || got.Study != "GSE1" || got.Step != "load" || got.Status != "SUCCESS" || got.Attempt != 1 ||
		!got.StartedAt.Equal(start.Add(2*time.Minute)) || got.RowsRead == nil || *got.RowsRead != 42 || got.EndedAt != nil {
		t.Errorf("step-3 reads back as %+v", got)
	}
	if s = status(0); len(s.Steps) != 3 {
		t.Errorf("the default gave %d steps, want all 3", len(s.Steps))
	}
}

// testStepsLogger: a sink that logs many steps at once
// (warehouse.StepsLogger) records them in order, a later record of a log
// id updating its row, as LogStep would.
func testStepsLogger(t *testing.T, tg Target) {
	sl, ok := tg.Sink.(warehouse.StepsLogger)
	if !ok {
		t.Skip("the sink does not log many steps at once (warehouse.StepsLogger)")
	}
	ctx := context.Background()
	if err := sl.LogSteps(ctx, nil); err != nil {
		t.Fatalf("no steps: %v", err)
	}
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	end := start.Add(time.Minute)
	written := int64(12)
	steps := []warehouse.StepRecord{
		{LogID: "a", RunID: "run-1", Study: "GSE1", Step: "load", Status: "RUNNING", Attempt: 1, StartedAt: start},
		{LogID: "b", RunID: "run-1", Study: "GSE2", Step: "load", Status: "RUNNING", Attempt: 2, StartedAt: start},
		{LogID: "a", RunID: "run-1", Study: "GSE1", Step: "load", Status: "SUCCESS", Attempt: 1, StartedAt: start,
			EndedAt: &end, RowsWritten: &written},
	}
	if err := sl.LogSteps(ctx, steps); err != nil {
		t.Fatal(err)
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM meta_etl_process_log`); n != 2 {
		t.Fatalf("log rows = %d, want 2 (the third record updates the first)", n)
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM meta_etl_process_log WHERE log_id = 'a' AND status = 'SUCCESS'
		AND rows_written = 12 AND ended_at IS NOT NULL AND study_accession_code = 'GSE1'`); n != 1 {
		t.Error("the later record of log id a did not update its row")
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM meta_etl_process_log WHERE log_id = 'b' AND status = 'RUNNING'
		AND attempt = 2 AND ended_at IS NULL AND study_accession_code = 'GSE2'`); n != 1 {
		t.Error("log id b not recorded as given")
	}
	// A second LogSteps with a log id already written updates its row.
	more := []warehouse.StepRecord{{LogID: "b", RunID: "run-1", Study: "GSE2", Step: "load", Status: "FAILED", Attempt: 2,
		StartedAt: start, EndedAt: &end}}
	if err := sl.LogSteps(ctx, more); err != nil {
		t.Fatal(err)
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM meta_etl_process_log WHERE status = 'FAILED'`); n != 1 {
		t.Error("a second LogSteps did not update the row of log id b")
	}
}

// testHealth: a sink that reports on its own operation
// (warehouse.HealthChecker) gives its schema version, the failed steps
// since the time asked (the last day by default), their runs and those a
// later success of their study made good, and the
// most recent runs, newest first, each with its steps counted by status.
func testHealth(t *testing.T, tg Target) {
	hc, ok := tg.Sink.(warehouse.HealthChecker)
	if !ok {
		t.Skip("the sink does not report on its operation (warehouse.HealthChecker)")
	}
	ctx := context.Background()
	health := func(req warehouse.HealthRequest) warehouse.Health {
		t.Helper()
		h, err := hc.Health(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	h := health(warehouse.HealthRequest{})
	if h.SchemaVersion <= 0 || h.SchemaVersion != h.ExpectedSchemaVersion || h.FailedSteps != 0 || h.FailedRuns != 0 ||
		len(h.Runs) != 0 || h.NoWriter {
		t.Fatalf("fresh warehouse: %+v, want its schema current and no runs", h)
	}

	now := time.Now().UTC().Truncate(time.Second)
	at := func(d time.Duration) time.Time { return now.Add(d) }
	materializationFailed := 5002
	ptr := func(tm time.Time) *time.Time { return &tm }
	steps := []warehouse.StepRecord{
		{LogID: "1a", RunID: "r1", Study: "S1", Step: "validate", Status: "FAILED", StartedAt: at(-3 * time.Hour), EndedAt: ptr(at(-3*time.Hour + time.Minute))},
		// Found abandoned by a later run (a killed load), which left its
		// end NULL.
		{LogID: "1b", RunID: "r1", Study: "S1", Step: "load", Status: "FAILED", StartedAt: at(-3*time.Hour + time.Minute),
			Context: `{"reason":"aborted"}`},
		{LogID: "1c", RunID: "r1", Study: "S1", Step: "extract", Status: "SUCCESS", StartedAt: at(-3*time.Hour - time.Minute),
			EndedAt: ptr(at(-3*time.Hour + 2*time.Minute))},
		{LogID: "2a", RunID: "r2", Study: "S1", Step: "extract", Status: "SUCCESS", StartedAt: at(-2 * time.Hour), EndedAt: ptr(at(-2*time.Hour + time.Minute))},
		{LogID: "2b", RunID: "r2", Study: "S2", Step: "validate", Status: "FAILED", StartedAt: at(-2*time.Hour + time.Minute), EndedAt: ptr(at(-2*time.Hour + 2*time.Minute)),
			Context: `{"file":"S2.zip!S2/S2.tsv"}`},
		{LogID: "2c", RunID: "r2", Study: "S2", Step: "load", Status: "RUNNING", StartedAt: at(-2*time.Hour + 2*time.Minute)},
		{LogID: "3a", RunID: "r3", Study: "S1", Step: "load", Status: "SUCCESS", StartedAt: at(-time.Hour), EndedAt: ptr(at(-time.Hour + 5*time.Minute))},
		{LogID: "3b", RunID: "r3", Study: "S2", Step: "load", Status: "SKIPPED", StartedAt: at(-time.Hour + time.Minute), EndedAt: ptr(at(-time.Hour + time.Minute)),
			Context: `{"reason":"interrupted"}`},
		{LogID: "3c", RunID: "r3", Study: "S3", Step: "load", Status: "SKIPPED", StartedAt: at(-time.Hour + time.Minute), EndedAt: ptr(at(-time.Hour + time.Minute)),
			Context: `{"reason":"interrupted","file":"m.tsv"}`},
		// Skipped for another reason, and a context that is not JSON:
		// neither was stopped.
		{LogID: "3d", RunID: "r3", Study: "S4", Step: "features", Status: "SKIPPED", StartedAt: at(-time.Hour + time.Minute), EndedAt: ptr(at(-time.Hour + time.Minute)),
			Context: `{"reason":"duplicate"}`},
		{LogID: "3e", RunID: "r3", Study: "S5", Step: "load", Status: "SKIPPED", StartedAt: at(-time.Hour + time.Minute), EndedAt: ptr(at(-time.Hour + time.Minute)),
			Context: `not json`},
		// A features run stopped inside S6's analytics step kept its
		// features, which a later step found current: made good. S7's
		// analytics step skipped for another reason is not.
		{LogID: "3f", RunID: "r3", Study: "S6", Step: "analytics", Status: "FAILED", StartedAt: at(-time.Hour + 2*time.Minute), EndedAt: ptr(at(-time.Hour + 3*time.Minute)),
			Context: `{"reason":"interrupted"}`},
		{LogID: "3g", RunID: "r3", Study: "S6", Step: "analytics", Status: "SKIPPED", StartedAt: at(-time.Hour + 4*time.Minute), EndedAt: ptr(at(-time.Hour + 4*time.Minute)),
			Context: `{"reason":"` + warehouse.ReasonFeaturesCurrent + `","top_genes":100}`},
		{LogID: "3h", RunID: "r3", Study: "S7", Step: "analytics", Status: "FAILED", StartedAt: at(-time.Hour + 2*time.Minute), EndedAt: ptr(at(-time.Hour + 3*time.Minute)),
			ErrorCode: &materializationFailed},
		{LogID: "3i", RunID: "r3", Study: "S7", Step: "analytics", Status: "SKIPPED", StartedAt: at(-time.Hour + 4*time.Minute), EndedAt: ptr(at(-time.Hour + 4*time.Minute)),
			Context: `{"reason":"the warehouse sink does not compute features"}`},
	}
	for _, s := range steps {
		if err := tg.Sink.LogStep(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]warehouse.RunSummary{
		"r1": {RunID: "r1", StartedAt: at(-3*time.Hour - time.Minute), EndedAt: ptr(at(-3*time.Hour + 2*time.Minute)), Studies: 1, Steps: 3, Failed: 2,
			Aborted: 1, Load: true},
		"r2": {RunID: "r2", StartedAt: at(-2 * time.Hour), Studies: 2, Steps: 3, Failed: 1, Running: 1, Load: true},
		"r3": {RunID: "r3", StartedAt: at(-time.Hour), EndedAt: ptr(at(-time.Hour + 5*time.Minute)), Studies: 7, Steps: 9, Failed: 2,
			Stopped: 2, StopReason: "interrupted"},
	}
	checkRuns := func(h warehouse.Health, ids ...string) {
		t.Helper()
		if len(h.Runs) != len(ids) {
			t.Fatalf("runs %+v, want %v", h.Runs, ids)
		}
		for i, id := range ids {
			got, w := h.Runs[i], want[id]
			sameEnd := (got.EndedAt == nil) == (w.EndedAt == nil) && (got.EndedAt == nil || got.EndedAt.Equal(*w.EndedAt))
			got.EndedAt, w.EndedAt = nil, nil
			sameStart := got.StartedAt.Equal(w.StartedAt)
			got.StartedAt = w.StartedAt
			if got != w || !sameEnd || !sameStart {
				t.Errorf("run %d: %+v (end %v), want %+v (end %v)", i, h.Runs[i], h.Runs[i].EndedAt, want[id], want[id].EndedAt)
			}
		}
	}
	h = health(warehouse.HealthRequest{})
	if h.FailedSteps != 5 || h.FailedRuns != 3 {
		t.Errorf("the last day: %d failed steps of %d runs, want 5 of 3", h.FailedSteps, h.FailedRuns)
	}
	// S1's load of r3 made good its failed validate and load of r1, and
	// S6's current features its failed analytics; S2's failed validate
	// and S7's analytics have no later success.
	if h.ResolvedFailedSteps != 3 {
		t.Errorf("the last day: %d failed steps made good since, want 3 (S1's, S6's)", h.ResolvedFailedSteps)
	}
	checkRuns(h, "r3", "r2", "r1")
	// The failed steps not made good, newest first: what to look at.
	wantOpen := []warehouse.FailedStep{
		{RunID: "r3", Study: "S7", Step: "analytics", ErrorCode: materializationFailed, StartedAt: at(-time.Hour + 2*time.Minute)},
		{RunID: "r2", Study: "S2", Step: "validate", File: "S2.zip!S2/S2.tsv", StartedAt: at(-2*time.Hour + time.Minute)},
	}
	if len(h.OpenFailures) != len(wantOpen) {
		t.Errorf("open failures %+v, want %+v", h.OpenFailures, wantOpen)
	} else {
		for i, got := range h.OpenFailures {
			w := wantOpen[i]
			same := got.StartedAt.Equal(w.StartedAt)
			got.StartedAt = w.StartedAt
			if got != w || !same {
				t.Errorf("open failure %d: %+v, want %+v", i, h.OpenFailures[i], wantOpen[i])
			}
		}
	}
	h = health(warehouse.HealthRequest{Since: at(-150 * time.Minute), Runs: 2})
	if h.FailedSteps != 3 || h.FailedRuns != 2 || h.ResolvedFailedSteps != 1 {
		t.Errorf("since 150 minutes ago: %d failed steps of %d runs, %d made good since, want 3 of 2, 1 (S6's)", h.FailedSteps, h.FailedRuns, h.ResolvedFailedSteps)
	}
	checkRuns(h, "r3", "r2")
	h = health(warehouse.HealthRequest{Since: at(-10 * time.Minute)})
	if h.FailedSteps != 0 || h.FailedRuns != 0 {
		t.Errorf("since 10 minutes ago: %d failed steps of %d runs, want none", h.FailedSteps, h.FailedRuns)
	}
}

// testStepAborter: a sink whose file has one writing process
// (warehouse.StepAborter) marks FAILED, with the message given and reason
// "aborted", the RUNNING steps of runs that no run of its process goes on
// with, and no others: not the starting run's, not those of a run it
// logged, not a finished step.
func testStepAborter(t *testing.T, tg Target) {
	sa, ok := tg.Sink.(warehouse.StepAborter)
	if !ok {
		t.Skip("the sink does not mark abandoned steps (warehouse.StepAborter)")
	}
	ctx := context.Background()
	// Rows another process left: written to the tables, not through the
	// sink, which would take their runs for its own.
	for _, row := range []string{
		`'d1', 'dead', 'S1', 'load', 'RUNNING', '{"file":"m.tsv"}'`,
		`'d2', 'dead', 'S1', 'validate', 'SUCCESS', NULL`,
		`'d3', 'dead2', 'S2', 'extract', 'RUNNING', NULL`,
		`'m1', 'me', 'S3', 'load', 'RUNNING', NULL`,
	} {
		if _, err := tg.DB.Exec(`INSERT INTO meta_etl_process_log
			(log_id, run_id, study_accession_code, step, status, context_json, attempt, started_at)
			VALUES (` + row + `, 1, '2026-01-01 00:00:00')`); err != nil {
			t.Fatal(err)
		}
	}
	live := warehouse.StepRecord{LogID: "l1", RunID: "live", Study: "S4", Step: "load", Status: "RUNNING",
		StartedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	if err := tg.Sink.LogStep(ctx, live); err != nil {
		t.Fatal(err)
	}
	n, err := sa.AbortAbandonedSteps(ctx, warehouse.AbortRequest{RunID: "me", Message: "abandoned by a process that ended"})
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("marked %d steps, want 2 (d1 and d3)", n)
	}
	rows, err := tg.DB.Query(`SELECT log_id, status, COALESCE(error_message, ''), COALESCE(context_json, '')
		FROM meta_etl_process_log ORDER BY log_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	want := map[string]string{"d1": "FAILED", "d2": "SUCCESS", "d3": "FAILED", "l1": "RUNNING", "m1": "RUNNING"}
	for rows.Next() {
		var id, status, msg, cj string
		if err := rows.Scan(&id, &status, &msg, &cj); err != nil {
			t.Fatal(err)
		}
		if status != want[id] {
			t.Errorf("step %s is %s, want %s", id, status, want[id])
		}
		delete(want, id)
		if status != "FAILED" {
			continue
		}
		var c struct{ Reason string }
		if msg != "abandoned by a process that ended" || json.Unmarshal([]byte(cj), &c) != nil || c.Reason != "aborted" {
			t.Errorf("step %s marked with message %q, context %q; want the message given and reason aborted", id, msg, cj)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(want) != 0 {
		t.Errorf("steps missing: %v", want)
	}
	if n, err := sa.AbortAbandonedSteps(ctx, warehouse.AbortRequest{RunID: "me", Message: "again"}); err != nil || n != 0 {
		t.Errorf("a second call marked %d steps (%v), want none", n, err)
	}
}
