package genexp_test

import (
	"database/sql"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

func TestDeriveHealth(t *testing.T) {
	now := time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)
	lim := genexp.DefaultHealthLimits()
	ok := func() *warehouse.Health {
		return &warehouse.Health{SchemaVersion: 1, ExpectedSchemaVersion: 1,
			Runs: []warehouse.RunSummary{{RunID: "r1", StartedAt: now.Add(-time.Hour), Steps: 8, Studies: 2}}}
	}
	disk := func(free uint64) *genexp.DiskSpace {
		return &genexp.DiskSpace{Path: "/w", FreeBytes: free, TotalBytes: 100 << 30}
	}
	cases := []struct {
		name  string
		in    genexp.HealthInputs
		want  genexp.HealthStatus
		check string // the check that decides
	}{
		{"all good", genexp.HealthInputs{Health: ok(), Disk: disk(50 << 30)}, genexp.Healthy, ""},
		{"unreachable", genexp.HealthInputs{OpenErr: qc.Errorf(qc.ConnectionFailed, "nope"), Disk: disk(50 << 30)}, genexp.Critical, "reachable"},
		{"busy", genexp.HealthInputs{OpenErr: qc.Errorf(qc.WarehouseBusy, "busy")}, genexp.Degraded, "reachable"},
		{"no schema", genexp.HealthInputs{Health: &warehouse.Health{ExpectedSchemaVersion: 1}}, genexp.Degraded, "schema"},
		{"no schema, and none can be made", genexp.HealthInputs{Health: &warehouse.Health{ExpectedSchemaVersion: 1,
			SchemaMismatch: "the file holds dim_gene"}}, genexp.Critical, "schema"},
		{"older schema", genexp.HealthInputs{Health: &warehouse.Health{SchemaVersion: 1, ExpectedSchemaVersion: 2}}, genexp.Degraded, "schema"},
		{"older schema that cannot be migrated", genexp.HealthInputs{Health: &warehouse.Health{SchemaVersion: 1, ExpectedSchemaVersion: 2,
			SchemaMismatch: "the file holds meta_batch_key"}}, genexp.Critical, "schema"},
		{"newer schema", genexp.HealthInputs{Health: &warehouse.Health{SchemaVersion: 3, ExpectedSchemaVersion: 2}}, genexp.Critical, "schema"},
		{"unreadable", genexp.HealthInputs{Health: &warehouse.Health{}, HealthErr: errors.New("io")}, genexp.Critical, "schema"},
		{"failures in 24 h", genexp.HealthInputs{Health: func() *warehouse.Health { h := ok(); h.FailedSteps, h.FailedRuns = 3, 1; return h }()}, genexp.Degraded, "failures"},
		{"failures in 24 h, some made good", genexp.HealthInputs{Health: func() *warehouse.Health {
			h := ok()
			h.FailedSteps, h.FailedRuns, h.ResolvedFailedSteps = 3, 1, 2
			return h
		}()}, genexp.Degraded, "failures"},
		{"failures in 24 h, all made good", genexp.HealthInputs{Health: func() *warehouse.Health {
			h := ok()
			h.FailedSteps, h.FailedRuns, h.ResolvedFailedSteps = 3, 1, 3
			return h
		}()}, genexp.Healthy, "failures"},
		{"killed run", genexp.HealthInputs{Health: func() *warehouse.Health {
			h := ok()
			h.Runs = []warehouse.RunSummary{{RunID: "r0", StartedAt: now.Add(-7 * time.Hour), Running: 2}}
			return h
		}()}, genexp.Degraded, "runs"},
		{"fresh RUNNING step where runs write side by side", genexp.HealthInputs{Health: func() *warehouse.Health {
			h := ok()
			h.Runs = []warehouse.RunSummary{{RunID: "r0", StartedAt: now.Add(-time.Minute), Running: 1}}
			return h
		}()}, genexp.Healthy, "runs"},
		{"fresh RUNNING step and no writer", genexp.HealthInputs{Health: func() *warehouse.Health {
			h := ok()
			h.NoWriter = true
			h.Runs = []warehouse.RunSummary{{RunID: "r0", StartedAt: now.Add(-time.Minute), Running: 1}}
			return h
		}()}, genexp.Degraded, "runs"},
		{"features current, some studies without", genexp.HealthInputs{Health: func() *warehouse.Health {
			h := ok()
			h.FeaturesChecked, h.StudiesWithoutFeatures = true, 2
			return h
		}()}, genexp.Healthy, "features"},
		{"stale features", genexp.HealthInputs{Health: func() *warehouse.Health {
			h := ok()
			h.FeaturesChecked, h.StaleFeatures, h.StaleFeatureStudies = true, 1, []string{"GSE1"}
			return h
		}()}, genexp.Degraded, "features"},
		{"features not checked", genexp.HealthInputs{Health: func() *warehouse.Health {
			h := ok()
			h.FeaturesError = "permission denied"
			return h
		}()}, genexp.Degraded, "features"},
		{"not writable", genexp.HealthInputs{Health: ok(), WriteChecked: true, WriteErr: qc.Errorf(qc.ConnectionFailed, "cannot write /w")}, genexp.Critical, "writable"},
		{"writable", genexp.HealthInputs{Health: ok(), WriteChecked: true}, genexp.Healthy, "writable"},
		{"disk low", genexp.HealthInputs{Health: ok(), Disk: disk(500 << 20)}, genexp.Degraded, "disk"},
		{"disk nearly full", genexp.HealthInputs{Health: ok(), Disk: disk(50 << 20)}, genexp.Critical, "disk"},
		{"disk unmeasurable", genexp.HealthInputs{Health: ok(), DiskErr: errors.New("statfs")}, genexp.Degraded, "disk"},
		// "less free disk than these is a warning or critical": the limits
		// themselves are the better side.
		{"disk free exactly at the critical limit", genexp.HealthInputs{Health: ok(), Disk: disk(lim.CriticalFreeBytes)}, genexp.Degraded, "disk"},
		{"disk free a byte under the critical limit", genexp.HealthInputs{Health: ok(), Disk: disk(lim.CriticalFreeBytes - 1)}, genexp.Critical, "disk"},
		{"disk free exactly at the warning limit", genexp.HealthInputs{Health: ok(), Disk: disk(lim.WarnFreeBytes)}, genexp.Healthy, "disk"},
		{"disk free a byte under the warning limit", genexp.HealthInputs{Health: ok(), Disk: disk(lim.WarnFreeBytes - 1)}, genexp.Degraded, "disk"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.Now = now
			rep := genexp.DeriveHealth(tc.in, lim)
			if rep.Status != tc.want {
				t.Fatalf("status %s, want %s: %+v", rep.Status, tc.want, rep.Checks)
			}
			if tc.check == "" {
				return
			}
			for _, c := range rep.Checks {
				if c.Name == tc.check && c.Status == tc.want {
					return
				}
			}
			t.Errorf("no %s check at %s: %+v", tc.check, tc.want, rep.Checks)
		})
	}
}

func TestHealthOfRealWarehouse(t *testing.T) {
	w := openWarehouse(t)
	h, err := w.Health(t.Context(), warehouse.HealthRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if h.SchemaVersion == 0 || h.SchemaVersion != h.ExpectedSchemaVersion || len(h.Runs) != 0 || h.FailedSteps != 0 {
		t.Fatalf("fresh warehouse: %+v", h)
	}
	cr := crafted{study: "GSE20", genes: 40, columns: samples("GSM", 3), sheet: samples("GSM", 3), cell: func(g, c int) string { return "NA" }}
	loadWith(t, w, genexp.DefaultConfig(), cr.write(t, t.TempDir()))
	h, err = w.Health(t.Context(), warehouse.HealthRequest{Since: time.Now().Add(-24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if h.FailedSteps != 1 || h.FailedRuns != 1 || len(h.Runs) != 1 || h.Runs[0].Failed != 1 || h.Runs[0].Running != 0 || h.Runs[0].EndedAt == nil {
		t.Fatalf("after a rejected study: %+v", h)
	}
	rep := genexp.DeriveHealth(genexp.HealthInputs{Health: &h, Now: time.Now()}, genexp.DefaultHealthLimits())
	if rep.Status != genexp.Degraded {
		t.Errorf("status %s, want warning after a failure: %+v", rep.Status, rep.Checks)
	}
	h, err = w.Health(t.Context(), warehouse.HealthRequest{Since: time.Now().Add(time.Hour)})
	if err != nil || h.FailedSteps != 0 {
		t.Errorf("failures outside the window counted: %+v %v", h, err)
	}
}

// TestKilledRunIsAbandoned leaves a step RUNNING as a killed process does
// (kill -9 between its start and its end), then checks that health, which
// can open a DuckDB file only when nobody writes it, calls the step
// abandoned at once, and that the next load marks it FAILED (reason
// "aborted") while a run still going through the same warehouse keeps its
// RUNNING step.
func TestKilledRunIsAbandoned(t *testing.T) {
	file := filepath.Join(t.TempDir(), "w.duckdb")
	w, err := duckdb.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	started := time.Now().Add(-time.Minute).UTC()
	killed := warehouse.StepRecord{LogID: genexp.NewID(), RunID: "killed-run", Study: "GSE71270", Step: "load",
		Status: "RUNNING", Attempt: 1, StartedAt: started, Context: `{"file":"GSE71270.tsv"}`}
	if err := w.LogStep(t.Context(), killed); err != nil {
		t.Fatal(err)
	}
	w.Close()

	ro, err := duckdb.Open(file + "?access_mode=READ_ONLY")
	if err != nil {
		t.Fatal(err)
	}
	h, err := ro.Health(t.Context(), warehouse.HealthRequest{})
	ro.Close()
	if err != nil {
		t.Fatal(err)
	}
	rep := genexp.DeriveHealth(genexp.HealthInputs{Health: &h, Now: time.Now()}, genexp.DefaultHealthLimits())
	runs := slices.IndexFunc(rep.Checks, func(c genexp.HealthCheck) bool { return c.Name == "runs" })
	if !h.NoWriter || rep.Status != genexp.Degraded || runs < 0 || !strings.Contains(rep.Checks[runs].Detail, "no process is writing") {
		t.Fatalf("a RUNNING step a minute old in a file nobody writes: NoWriter %v, %s %+v", h.NoWriter, rep.Status, rep.Checks)
	}

	w, err = duckdb.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	live := killed
	live.LogID, live.RunID = genexp.NewID(), "live-run"
	if err := w.LogStep(t.Context(), live); err != nil {
		t.Fatal(err)
	}
	load(t, w, "testdata/refinebio/GSE71270")
	var status, msg, reason string
	var code sql.NullInt64
	if err := w.DB().QueryRow(`SELECT status, error_message, context_json->>'reason', error_code FROM meta_etl_process_log WHERE run_id = 'killed-run'`).
		Scan(&status, &msg, &reason, &code); err != nil {
		t.Fatal(err)
	}
	if status != "FAILED" || reason != "aborted" || code.Valid || !strings.HasPrefix(msg, "aborted: ") {
		t.Errorf("killed run's step after the next load: %s %q reason %q code %v", status, msg, reason, code)
	}
	if n := count(t, w, `SELECT count(*) FROM meta_etl_process_log WHERE run_id = 'live-run' AND status = 'RUNNING'`); n != 1 {
		t.Errorf("the RUNNING step of a run going on through this warehouse was marked: %d left RUNNING", n)
	}
	if n := count(t, w, `SELECT count(*) FROM meta_etl_process_log WHERE context_json->>'reason' = 'aborted'`); n != 1 {
		t.Errorf("%d steps marked aborted, want 1 (the new run's own are not)", n)
	}
}

// TestFeaturesRunAbandonsAKilledRun leaves an analytics step RUNNING as a
// killed genexp features does, then runs genexp features again (no load in
// between): the killed step is marked FAILED (reason "aborted"), and health
// reports the last run instead of pointing at the killed one.
func TestFeaturesRunAbandonsAKilledRun(t *testing.T) {
	file := filepath.Join(t.TempDir(), "w.duckdb")
	w, run := featuresAfterKill(t, file, func() []warehouse.StepRecord {
		return []warehouse.StepRecord{{LogID: genexp.NewID(), RunID: "killed-features", Study: "GSE71270",
			Step: "analytics", Status: "RUNNING", Attempt: 1, StartedAt: time.Now().Add(-time.Minute).UTC()}}
	})
	var status string
	var reason sql.NullString
	if err := w.DB().QueryRow(`SELECT status, context_json->>'reason' FROM meta_etl_process_log WHERE run_id = 'killed-features'`).
		Scan(&status, &reason); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if status != "FAILED" || reason.String != "aborted" {
		t.Errorf("the killed run's step after genexp features: %s, reason %q; want FAILED, aborted", status, reason.String)
	}

	if c := runsCheckOf(t, file); c.Status != genexp.Healthy || !strings.Contains(c.Detail, "last run "+run.RunID) {
		t.Errorf("runs check after a clean features run: %s %q; want healthy, naming run %s", c.Status, c.Detail, run.RunID)
	}
}

// featuresAfterKill loads GSE71270 into a new warehouse at file, then logs
// the steps killed gives (a killed run's, some left RUNNING; made after the
// load, so their times can follow it), and runs genexp features on the
// warehouse opened again, as the next command would: it returns the
// warehouse, open, and the features run, which must not fail.
func featuresAfterKill(t *testing.T, file string, killed func() []warehouse.StepRecord) (*duckdb.Warehouse, *genexp.FeaturesRun) {
	t.Helper()
	w, err := duckdb.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	load(t, w, "testdata/refinebio/GSE71270")
	for _, s := range killed() {
		if err := w.LogStep(t.Context(), s); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	w, err = duckdb.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	p, err := genexp.New(w)
	if err != nil {
		t.Fatal(err)
	}
	run, err := p.Features(t.Context(), genexp.FeatureOptions{})
	if err != nil || run.Failed() {
		t.Fatalf("features: %v %+v", err, run)
	}
	return w, run
}

// runsCheckOf returns the runs check of the DuckDB warehouse file, opened
// read-only as genexp health opens it.
func runsCheckOf(t *testing.T, file string) genexp.HealthCheck {
	t.Helper()
	ro, err := duckdb.Open(file + "?access_mode=READ_ONLY")
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	h, err := ro.Health(t.Context(), warehouse.HealthRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range genexp.DeriveHealth(genexp.HealthInputs{Health: &h, Now: time.Now()}, genexp.DefaultHealthLimits()).Checks {
		if c.Name == "runs" {
			return c
		}
	}
	t.Fatal("no runs check")
	return genexp.HealthCheck{}
}

// TestWritableSaysWhatItChecks: the writable check tries permissions with
// an empty probe file, which a full disk still allows, so its healthy
// detail must not claim the warehouse can be written; the disk check
// reports the space.
func TestWritableSaysWhatItChecks(t *testing.T) {
	rep := genexp.DeriveHealth(genexp.HealthInputs{WriteChecked: true, Disk: &genexp.DiskSpace{Path: "/w", TotalBytes: 100 << 30},
		Now: time.Now()}, genexp.DefaultHealthLimits())
	got := map[string]genexp.HealthCheck{}
	for _, c := range rep.Checks {
		got[c.Name] = c
	}
	if w := got["writable"]; w.Status != genexp.Healthy || !strings.Contains(w.Detail, "permissions") || strings.Contains(w.Detail, "can be written") {
		t.Errorf("writable at 0 bytes free: %s %q; want healthy, about permissions only", w.Status, w.Detail)
	}
	if d := got["disk"]; d.Status != genexp.Critical {
		t.Errorf("disk at 0 bytes free: %s %q, want critical", d.Status, d.Detail)
	}
}

// TestKilledAfterCommitIsLoaded: a process killed after its commit, before
// it logged its load step, loaded the study: the next load ends that step
// SUCCESS (reason "committed") at the batch's commit, with its rows, not
// FAILED as aborted, and health counts no failure for it.
func TestKilledAfterCommitIsLoaded(t *testing.T) {
	file := filepath.Join(t.TempDir(), "w.duckdb")
	w, err := duckdb.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	rep := load(t, w, "testdata/refinebio/GSE71270")
	run := rep.RunID
	// As the killed process left it: the load step RUNNING, no end.
	if _, err := w.DB().Exec(`UPDATE meta_etl_process_log SET status = 'RUNNING', ended_at = NULL, rows_written = NULL
		WHERE run_id = ? AND step = 'load'`, run); err != nil {
		t.Fatal(err)
	}
	w.Close()

	w, err = duckdb.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	load(t, w, "testdata/refinebio/GSE71270")
	var status, reason string
	var rows int64
	var ended sql.NullTime
	if err := w.DB().QueryRow(`SELECT status, context_json->>'reason', rows_written, ended_at FROM meta_etl_process_log
		WHERE run_id = ? AND step = 'load'`, run).Scan(&status, &reason, &rows, &ended); err != nil {
		t.Fatal(err)
	}
	if status != "SUCCESS" || reason != "committed" || rows != 3000 || !ended.Valid {
		t.Errorf("the killed run's committed load step: %s, reason %q, %d rows, ended %v; want SUCCESS, committed, 3000, an end", status, reason, rows, ended)
	}
	if n := count(t, w, `SELECT count(*) FROM meta_etl_process_log WHERE run_id = '`+run+`' AND status = 'FAILED'`); n != 0 {
		t.Errorf("%d steps of the committed run FAILED", n)
	}
}

// TestHealthDetailsOnlyWhenRead: a warehouse that could not be opened or
// read has no details: its JSON showed "details" with schema version 0
// and no runs beside the critical check.
func TestHealthDetailsOnlyWhenRead(t *testing.T) {
	lim := genexp.DefaultHealthLimits()
	for _, in := range []genexp.HealthInputs{
		{Health: &warehouse.Health{}, HealthErr: errors.New("io")},
		{Health: &warehouse.Health{}, OpenErr: qc.Errorf(qc.ConnectionFailed, "nope")},
	} {
		rep := genexp.DeriveHealth(in, lim)
		b, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Health != nil || strings.Contains(string(b), `"details"`) {
			t.Errorf("%+v: details %s", in, b)
		}
	}
	if rep := genexp.DeriveHealth(genexp.HealthInputs{Health: &warehouse.Health{SchemaVersion: 1, ExpectedSchemaVersion: 1}}, lim); rep.Health == nil {
		t.Error("a warehouse read has no details")
	}
}

// TestFeaturesAfterAKilledLoadWarns: a load killed in its first study's
// analytics step (its other studies never reached, so never logged), then
// genexp features: the features make good the step they rerun, but health
// warns that the latest load was killed until a load runs again.
func TestFeaturesAfterAKilledLoadWarns(t *testing.T) {
	file := filepath.Join(t.TempDir(), "w.duckdb")
	w, _ := featuresAfterKill(t, file, func() []warehouse.StepRecord {
		start := time.Now().UTC() // after the load: the latest load
		return []warehouse.StepRecord{
			{LogID: genexp.NewID(), RunID: "killed-load", Study: "GSE71270", Step: "extract", Status: "SUCCESS", Attempt: 1,
				StartedAt: start, EndedAt: &start},
			{LogID: genexp.NewID(), RunID: "killed-load", Study: "GSE71270", Step: "analytics", Status: "RUNNING", Attempt: 1,
				StartedAt: start},
		}
	})
	w.Close()
	if c := runsCheckOf(t, file); c.Status != genexp.Degraded || !strings.Contains(c.Detail, "run killed-load") ||
		!strings.Contains(c.Detail, "rerun the same genexp load") {
		t.Errorf("runs check after features alone: %s %q; want a warning naming the killed load", c.Status, c.Detail)
	}

	w, err := duckdb.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	load(t, w, "testdata/refinebio/GSE71270")
	w.Close()
	if c := runsCheckOf(t, file); c.Status != genexp.Healthy {
		t.Errorf("runs check after the load ran again: %s %q; want healthy", c.Status, c.Detail)
	}
}

// TestHealthNamesARepeatedFailureOnce: the same failure of reruns (one
// study or file, step and code) is named once, at its latest start, with
// how many of the listed failures it is; it was named once per rerun.
func TestHealthNamesARepeatedFailureOnce(t *testing.T) {
	now := time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)
	h := &warehouse.Health{SchemaVersion: 1, ExpectedSchemaVersion: 1, FailedSteps: 5, FailedRuns: 5,
		OpenFailures: []warehouse.FailedStep{
			{RunID: "r5", File: "/no/such/x", Step: "extract", ErrorCode: 1001, StartedAt: now.Add(-time.Hour)},
			{RunID: "r4", Study: "GSE71270", Step: "extract", ErrorCode: 1004, StartedAt: now.Add(-2 * time.Hour)},
			{RunID: "r3", File: "/no/such/x", Step: "extract", ErrorCode: 1001, StartedAt: now.Add(-3 * time.Hour)},
			{RunID: "r2", File: "/no/such/x", Step: "extract", ErrorCode: 1001, StartedAt: now.Add(-4 * time.Hour)},
			{RunID: "r1", Study: "GSE71270", Step: "extract", ErrorCode: 1002, StartedAt: now.Add(-5 * time.Hour)},
		}}
	rep := genexp.DeriveHealth(genexp.HealthInputs{Now: now, Health: h}, genexp.DefaultHealthLimits())
	want := "5 failed steps in 5 runs in the last 24 h; latest: /no/such/x extract [1001] at 2026-01-02T11:00:00Z (3 times), " +
		"GSE71270 extract [1004] at 2026-01-02T10:00:00Z, GSE71270 extract [1002] at 2026-01-02T07:00:00Z (genexp status shows them)"
	for _, c := range rep.Checks {
		if c.Name == "failures" {
			if c.Detail != want {
				t.Errorf("failures check %q,\nwant %q", c.Detail, want)
			}
			return
		}
	}
	t.Errorf("no failures check: %+v", rep.Checks)
}

// TestHealthNamesOpenFailures: the failures check names the failed steps
// not made good that the warehouse listed (by study, else by file), so
// that a warning says what to look at, and counts the rest.
func TestHealthNamesOpenFailures(t *testing.T) {
	now := time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)
	h := &warehouse.Health{SchemaVersion: 1, ExpectedSchemaVersion: 1, FailedSteps: 9, FailedRuns: 3, ResolvedFailedSteps: 2,
		OpenFailures: []warehouse.FailedStep{
			{RunID: "r3", Study: "GSE9", Step: "load", ErrorCode: 4004, StartedAt: now.Add(-time.Hour)},
			{RunID: "r2", Step: "extract", File: "dl/nested.zip", ErrorCode: 1002, StartedAt: now.Add(-2 * time.Hour)},
			{RunID: "r1", Step: "extract", StartedAt: now.Add(-3 * time.Hour)},
		}}
	rep := genexp.DeriveHealth(genexp.HealthInputs{Now: now, Health: h}, genexp.DefaultHealthLimits())
	want := "9 failed steps in 3 runs in the last 24 h, 7 of them not since made good by a successful rerun; latest: " +
		"GSE9 load [4004] at 2026-01-02T11:00:00Z, dl/nested.zip extract [1002] at 2026-01-02T10:00:00Z, " +
		"run r1 extract at 2026-01-02T09:00:00Z and 4 more (genexp status shows them)"
	for _, c := range rep.Checks {
		if c.Name == "failures" {
			if c.Status != genexp.Degraded || c.Detail != want {
				t.Errorf("failures check %s %q,\nwant %s %q", c.Status, c.Detail, genexp.Degraded, want)
			}
			return
		}
	}
	t.Errorf("no failures check: %+v", rep.Checks)
}
