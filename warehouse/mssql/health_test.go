package mssql

import (
	"context"
	"database/sql/driver"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	mssqldrv "github.com/microsoft/go-mssqldb"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// healthOf finds Health the way the CLI does, by type assertion, so that a
// Warehouse without it fails the test instead of reporting nothing.
func healthOf(t *testing.T, w *Warehouse) warehouse.HealthChecker {
	t.Helper()
	hc, ok := any(w).(warehouse.HealthChecker)
	if !ok {
		t.Fatal("the SQL Server warehouse does not implement warehouse.HealthChecker: genexp health reports no schema, failures or runs")
	}
	return hc
}

// attemptsOf finds FailedAttempts the way the pipeline does.
func attemptsOf(t *testing.T, w *Warehouse) warehouse.AttemptCounter {
	t.Helper()
	ac, ok := any(w).(warehouse.AttemptCounter)
	if !ok {
		t.Fatal("the SQL Server warehouse does not implement warehouse.AttemptCounter: every attempt is logged as 1")
	}
	return ac
}

// A database without the genexp schema reports version 0 and reads
// nothing else: the process log does not exist yet.
func TestHealthWithoutSchema(t *testing.T) {
	s := newFakeServer(t)
	w := s.open(t, Config{})
	h, err := healthOf(t, w).Health(context.Background(), warehouse.HealthRequest{Runs: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := warehouse.Health{SchemaVersion: 0, ExpectedSchemaVersion: SchemaVersion()}
	if diff := cmp.Diff(want, h); diff != "" {
		t.Errorf("Health (-want +got):\n%s", diff)
	}
	if got := strings.Join(s.names(), " "); got != "schema_version_exists" {
		t.Errorf("statements run: %s; want only schema_version_exists", got)
	}
}

func TestHealthReadsFailuresAndRuns(t *testing.T) {
	s := newFakeServer(t)
	s.version = 2
	s.failedSteps, s.failedRuns, s.resolvedSteps = 4, 2, int64(3)
	started := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	ended := time.Date(2026, 3, 1, 9, 5, 0, 0, time.UTC)
	ended3 := ended.Add(2 * time.Hour)
	s.runs = [][]driver.Value{
		{"r3", started.Add(2 * time.Hour), ended3, int64(3), int64(12), int64(1), int64(0), int64(7), "interrupted", int64(0), int64(3)},
		{"r2", started.Add(time.Hour), nil, int64(1), int64(3), int64(0), int64(2), int64(0), "", int64(0), int64(0)},
		{"r1", started, ended, int64(2), int64(10), int64(4), int64(0), int64(0), "", int64(2), int64(2)},
	}
	s.openFailures = [][]driver.Value{{"r3", "GSE9", "load", "GSE9.zip!GSE9/GSE9.tsv", int64(4004), started.Add(2 * time.Hour)}}
	w := s.open(t, Config{})
	since := time.Date(2026, 3, 1, 10, 0, 0, 0, time.FixedZone("CET", 3600))
	h, err := healthOf(t, w).Health(context.Background(), warehouse.HealthRequest{Since: since, Runs: 7})
	if err != nil {
		t.Fatal(err)
	}
	want := warehouse.Health{
		SchemaVersion:         2,
		ExpectedSchemaVersion: SchemaVersion(),
		FailedSteps:           4,
		FailedRuns:            2,
		ResolvedFailedSteps:   3,
		OpenFailures: []warehouse.FailedStep{{RunID: "r3", Study: "GSE9", Step: "load", File: "GSE9.zip!GSE9/GSE9.tsv", ErrorCode: 4004,
			StartedAt: started.Add(2 * time.Hour)}},
		Runs: []warehouse.RunSummary{
			{RunID: "r3", StartedAt: started.Add(2 * time.Hour), EndedAt: &ended3, Studies: 3, Steps: 12, Failed: 1,
				Stopped: 7, StopReason: "interrupted", Load: true},
			{RunID: "r2", StartedAt: started.Add(time.Hour), Studies: 1, Steps: 3, Running: 2},
			{RunID: "r1", StartedAt: started, EndedAt: &ended, Studies: 2, Steps: 10, Failed: 4, Aborted: 2, Load: true},
		},
	}
	if diff := cmp.Diff(want, h); diff != "" {
		t.Errorf("Health (-want +got):\n%s", diff)
	}
	wantNames := "schema_version_exists schema_version_read health_failures health_open health_runs"
	if got := strings.Join(s.names(), " "); got != wantNames {
		t.Errorf("statements run: %s; want %s", got, wantNames)
	}
	// The window starts at Since, sent in UTC: the log's DATETIME2 columns
	// hold UTC times without an offset.
	f := s.callsOf("health_failures")
	if len(f) != 1 || len(f[0].args) != 2 || f[0].args[1] != warehouse.ReasonFeaturesCurrent {
		t.Fatalf("health_failures calls: %+v; want the window's start and the reason of current features", f)
	}
	if got, ok := f[0].args[0].(time.Time); !ok || !got.Equal(since) || got.Location() != time.UTC {
		t.Errorf("health_failures window starts at %v (%T); want %v in UTC", f[0].args[0], f[0].args[0], since.UTC())
	}
	if r := s.callsOf("health_runs"); len(r) != 1 || !cmp.Equal(r[0].args, []any{int32(7)}) {
		t.Errorf("health_runs calls: %+v; want one with TOP 7 as an int32", r)
	}
	if o := s.callsOf("health_open"); len(o) != 1 || len(o[0].args) != 3 || !cmp.Equal(o[0].args[1:], []any{warehouse.ReasonFeaturesCurrent, int32(warehouse.MaxOpenFailures)}) {
		t.Errorf("health_open calls: %+v; want one with the reason and TOP %d as an int32", o, warehouse.MaxOpenFailures)
	}
}

// A zero request counts failures over the last 24 hours and summarizes
// five runs, as the DuckDB backend does.
func TestHealthDefaults(t *testing.T) {
	s := newFakeServer(t)
	s.version = int64(SchemaVersion())
	w := s.open(t, Config{})
	before := time.Now().Add(-24 * time.Hour)
	h, err := healthOf(t, w).Health(context.Background(), warehouse.HealthRequest{})
	after := time.Now().Add(-24 * time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if h.Runs != nil || h.FailedSteps != 0 || h.SchemaVersion != SchemaVersion() {
		t.Errorf("Health of an empty log: %+v", h)
	}
	since := s.callsOf("health_failures")[0].args[0].(time.Time)
	if since.Before(before) || since.After(after) || since.Location() != time.UTC {
		t.Errorf("default window starts at %v; want 24 h before now (%v … %v), in UTC", since, before, after)
	}
	if r := s.callsOf("health_runs"); !cmp.Equal(r[0].args, []any{int32(5)}) {
		t.Errorf("health_runs args %v; want [5]", r[0].args)
	}
}

// The reads are retried together after a lost connection, and a retry
// does not list the runs twice.
func TestHealthRetriesAfterLostConnection(t *testing.T) {
	s := newFakeServer(t)
	s.version = 3
	s.failedSteps, s.failedRuns = 1, 1
	s.runs = [][]driver.Value{{"r1", time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), nil, int64(1), int64(2), int64(1), int64(1), int64(0), "", int64(0), int64(1)}}
	s.failNext("health_runs", driver.ErrBadConn)
	w := s.open(t, Config{})
	h, err := healthOf(t, w).Health(context.Background(), warehouse.HealthRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Runs) != 1 || h.FailedSteps != 1 {
		t.Errorf("after a retry: %d runs, %d failed steps; want 1 and 1", len(h.Runs), h.FailedSteps)
	}
	if n := s.count("health_runs"); n != 2 {
		t.Errorf("health_runs ran %d times; want 2 (one lost, one retried)", n)
	}
}

// An error that retrying cannot help is reported at once, as a *qc.Error.
func TestHealthPermissionDenied(t *testing.T) {
	s := newFakeServer(t)
	s.version = 3
	s.failNext("health_failures", mssqldrv.Error{Number: 229, Class: 14,
		Message: "The SELECT permission was denied on the object 'meta_etl_process_log'."})
	w := s.open(t, Config{})
	h, err := healthOf(t, w).Health(context.Background(), warehouse.HealthRequest{})
	var qe *qc.Error
	if !errors.As(err, &qe) || qe.Code != qc.ConnectionFailed || !strings.Contains(err.Error(), "mssql:") {
		t.Fatalf("Health: %v; want a qc.ConnectionFailed from mssql", err)
	}
	if h.SchemaVersion != 3 {
		t.Errorf("the schema version read before the failure was lost: %+v", h)
	}
	if n := s.count("health_failures"); n != 1 {
		t.Errorf("a permission error was retried: %d tries", n)
	}
}

func TestFailedAttempts(t *testing.T) {
	s := newFakeServer(t)
	s.attempts = 2
	s.failNext("failed_attempts", mssqldrv.Error{Number: 1205, Class: 13, Message: "deadlock victim"})
	w := s.open(t, Config{})
	killed := time.Date(2026, 3, 1, 11, 0, 0, 0, time.FixedZone("EST", -5*3600))
	n, err := attemptsOf(t, w).FailedAttempts(context.Background(),
		warehouse.AttemptsRequest{Study: "GSE1", RunID: "r9", KilledBefore: killed})
	if err != nil || n != 2 {
		t.Fatalf("FailedAttempts = %d, %v; want 2", n, err)
	}
	calls := s.callsOf("failed_attempts")
	if len(calls) != 2 {
		t.Fatalf("failed_attempts ran %d times; want 2 (a deadlock, then the retry)", len(calls))
	}
	args := calls[1].args
	if len(args) != 3 || args[0] != "GSE1" || args[1] != "r9" {
		t.Fatalf("failed_attempts args %v; want study, run, threshold", args)
	}
	if got, ok := args[2].(time.Time); !ok || !got.Equal(killed) || got.Location() != time.UTC {
		t.Errorf("threshold %v; want %v in UTC", args[2], killed.UTC())
	}
	if got := strings.Join(s.names(), " "); got != "failed_attempts failed_attempts" {
		t.Errorf("statements run: %s", got)
	}
}

func TestFailedAttemptsError(t *testing.T) {
	s := newFakeServer(t)
	s.failNext("failed_attempts", mssqldrv.Error{Number: 208, Class: 16, Message: "Invalid object name 'dbo.meta_etl_process_log'."})
	w := s.open(t, Config{})
	_, err := attemptsOf(t, w).FailedAttempts(context.Background(), warehouse.AttemptsRequest{Study: "GSE1", RunID: "r9"})
	var qe *qc.Error
	if !errors.As(err, &qe) || !strings.Contains(err.Error(), "earlier attempts") {
		t.Fatalf("FailedAttempts: %v; want a *qc.Error saying what failed", err)
	}
}

// The log's times are DATETIME2 (UTC, no offset); go-mssqldb sends a
// time.Time as DATETIMEOFFSET, which outranks DATETIME2, so comparing the
// column with the parameter directly would convert every row's started_at
// instead of the parameter. Every time parameter is converted instead.
func TestHealthTimeParametersAreDatetime2(t *testing.T) {
	cmpParam := regexp.MustCompile(`(?:started_at|ended_at)\s*(?:<|>|<=|>=|=)\s*(@p\d+|CONVERT\(DATETIME2, @p\d+\))`)
	for _, name := range []string{"failed_attempts", "health_failures"} {
		m := cmpParam.FindAllStringSubmatch(statements[name], -1)
		if len(m) == 0 {
			t.Errorf("%s compares no time with a parameter", name)
		}
		for _, x := range m {
			if strings.HasPrefix(x[1], "@p") {
				t.Errorf("%s compares a DATETIME2 column with %s unconverted", name, x[1])
			}
		}
	}
}

// JSON_VALUE fails on text that is not JSON, and nothing makes
// context_json JSON: every JSON_VALUE of the statements is in a CASE whose
// earlier WHEN has already answered NULL for such text (CASE tests its
// WHENs in order), so one bad row cannot fail health. DuckDB's statement
// is run against such a row instead (duckdb TestHealthCountsStoppedSteps).
func TestJSONValueOnlyOnJSON(t *testing.T) {
	value := regexp.MustCompile(`JSON_VALUE\((\w+),`)
	uses := 0
	for name, text := range statements {
		for _, m := range value.FindAllStringSubmatchIndex(text, -1) {
			uses++
			col := text[m[2]:m[3]]
			before := text[:m[0]]
			open := strings.LastIndex(before, "CASE WHEN ")
			guard := strings.LastIndex(before, "ISJSON("+col+") <> 1 THEN NULL")
			if open < 0 || guard < open || strings.Contains(before[open:], " END") {
				t.Errorf("%s reads JSON_VALUE(%s, …) without a CASE that first answers NULL where ISJSON(%s) <> 1", name, col, col)
			}
		}
	}
	if uses == 0 {
		t.Fatal("no statement uses JSON_VALUE: the check above proves nothing")
	}
}

// TestHealthReportsAChecksumMismatch: a version recorded with another text
// of its migration is in Health's SchemaMismatch, naming the version and
// the file, and the failures and runs are still read.
func TestHealthReportsAChecksumMismatch(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	s := newFakeServer(t)
	w := s.open(t, testConfig(100))
	if err := w.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	h, err := healthOf(t, w).Health(context.Background(), warehouse.HealthRequest{})
	if err != nil || h.SchemaMismatch != "" {
		t.Fatalf("a warehouse this genexp migrated: mismatch %q, %v", h.SchemaMismatch, err)
	}
	s.checksums[3] = strings.Repeat("0", 64)
	before := len(s.names())
	h, err = healthOf(t, w).Health(context.Background(), warehouse.HealthRequest{})
	if err != nil {
		t.Fatalf("Health of a warehouse with another migration text failed: %v; want the mismatch reported", err)
	}
	for _, want := range []string{"schema version 3 ", ms[2].name, "another build's text of that migration"} {
		if !strings.Contains(h.SchemaMismatch, want) {
			t.Errorf("SchemaMismatch %q does not say %q", h.SchemaMismatch, want)
		}
	}
	if got := strings.Join(s.names()[before:], " "); !strings.Contains(got, "health_failures") || !strings.Contains(got, "health_runs") {
		t.Errorf("statements run: %s; want the failures and runs read too", got)
	}
}

// TestHealthChecksFeatures: a study with features is stale when
// feature_target and feature_fingerprint say they no longer describe it,
// as MaterializeFeatures would find (another batch, other rows, another
// input); one with none is counted apart; an older schema is not checked.
func TestHealthChecksFeatures(t *testing.T) {
	s := newFakeServer(t)
	s.version = int64(SchemaVersion())
	s.featureStudies = [][]driver.Value{
		{int64(1), "GSE1", int64(1)}, {int64(2), "GSE2", int64(1)}, {int64(3), "GSE3", int64(0)},
		{int64(4), "GSE4", int64(1)}, {int64(5), "GSE5", int64(1)}, {int64(6), "GSE6", int64(1)},
	}
	target := func(key int64, batch, done string, rows, held int64, input string) []driver.Value {
		var doneBatch driver.Value
		if done != "" {
			doneBatch = done
		}
		return []driver.Value{key, batch, "MICROARRAY", doneBatch, int64(100), rows, "value", held, input}
	}
	s.featureTarget = map[string][]driver.Value{
		"GSE1": target(1, "b1", "b1", 10, 10, "in1"), // current
		"GSE2": target(2, "b2", "b2", 10, 10, "old"), // relabelled since
		"GSE4": target(4, "b4", "b0", 10, 10, "in4"), // another batch
		"GSE5": target(5, "b5", "b5", 10, 7, "in5"),  // other rows
		"GSE6": target(6, "b6", "b0", 10, 0, "in6"),  // replaced facts: no features served
	}
	s.featureInput = map[int64]string{1: "in1", 2: "in2", 4: "in4", 5: "in5", 6: "in6"}
	w := s.open(t, Config{})
	h, err := w.Health(context.Background(), warehouse.HealthRequest{Features: true})
	if err != nil {
		t.Fatal(err)
	}
	if !h.FeaturesChecked || h.StaleFeatures != 3 || !slices.Equal(h.StaleFeatureStudies, []string{"GSE2", "GSE4", "GSE5"}) ||
		h.StudiesWithoutFeatures != 2 {
		t.Errorf("features: checked %v, %d stale %v, %d without; want checked, 3 stale [GSE2 GSE4 GSE5], 2 without",
			h.FeaturesChecked, h.StaleFeatures, h.StaleFeatureStudies, h.StudiesWithoutFeatures)
	}

	// Computed over 100 top genes, all four served are stale for 50.
	if h, err := w.Health(context.Background(), warehouse.HealthRequest{Features: true, TopGenes: 50}); err != nil || h.StaleFeatures != 4 {
		t.Errorf("top genes 50: %d stale, %v; want 4", h.StaleFeatures, err)
	}
	if h, err := w.Health(context.Background(), warehouse.HealthRequest{}); err != nil || h.FeaturesChecked || s.count("health_features") != 2 {
		t.Errorf("features checked unasked (status, the dry run): %+v, %v", h, err)
	}

	// A reader not granted what the check reads keeps the rest of the
	// report, and is told why the features were not checked.
	s.failNext("health_features", mssqldrv.Error{Number: 229, Class: 14,
		Message: "The SELECT permission was denied on the object 'dim_study', database 'genexp', schema 'dbo'."})
	h, err = w.Health(context.Background(), warehouse.HealthRequest{Features: true})
	if err != nil || h.FeaturesChecked || !strings.Contains(h.FeaturesError, "SELECT permission was denied") || h.SchemaVersion != SchemaVersion() {
		t.Errorf("features check refused: %+v, %v; want the report with FeaturesError", h, err)
	}

	s.version--
	if h, err := w.Health(context.Background(), warehouse.HealthRequest{Features: true}); err != nil || h.FeaturesChecked {
		t.Errorf("an older schema's features were checked: %+v, %v", h, err)
	}
}
