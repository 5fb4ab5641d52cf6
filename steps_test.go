package genexp_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// runRow is one meta_etl_process_log row as these tests read it.
type runRow struct {
	Study, Step, Status, File string
	Attempt                   int
}

// runRows returns the process-log rows of a run.
func runRows(t *testing.T, w *duckdb.Warehouse, runID string) []runRow {
	t.Helper()
	rows, err := w.DB().Query(`SELECT COALESCE(study_accession_code, ''), step, status, attempt,
		COALESCE(json_extract_string(context_json, '$.file'), '')
		FROM meta_etl_process_log WHERE run_id = ? ORDER BY started_at, step`, runID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []runRow
	for rows.Next() {
		var r runRow
		if err := rows.Scan(&r.Study, &r.Step, &r.Status, &r.Attempt, &r.File); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// attempts returns the distinct attempt numbers of rows.
func attempts(rows []runRow) []int {
	var out []int
	for _, r := range rows {
		if !slices.Contains(out, r.Attempt) {
			out = append(out, r.Attempt)
		}
	}
	slices.Sort(out)
	return out
}

// A step left RUNNING is a killed run only once health would call it one
// (genexp.DefaultHealthLimits().StuckAfter): before that it may be a run
// still going, and the next run of the study must not number itself as a
// retry of it. Loads and features-only runs alike.
func TestAttemptCountsRunningStepsOnlyOnceStuck(t *testing.T) {
	stuck := genexp.DefaultHealthLimits().StuckAfter
	cfg := genexp.DefaultConfig()
	cfg.Quality.MinGenesPerSample = 1
	cr := crafted{study: "GSE51", genes: 40, columns: samples("GSM", 3), sheet: samples("GSM", 3)}
	folder := cr.write(t, t.TempDir())
	earlier := func(t *testing.T, w *duckdb.Warehouse, step, status string, age time.Duration) {
		t.Helper()
		rec := warehouse.StepRecord{LogID: genexp.NewID(), RunID: "earlier-" + step + "-" + status, Study: "GSE51", Step: step,
			Status: status, Attempt: 1, StartedAt: time.Now().Add(-age)}
		if status != "RUNNING" {
			end := rec.StartedAt.Add(time.Second)
			rec.EndedAt = &end
		}
		if err := w.LogStep(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name   string
		status string
		age    time.Duration
		want   int
	}{
		{"a run still going", "RUNNING", time.Minute, 1},
		{"a run just past the threshold", "RUNNING", stuck + time.Minute, 2},
		{"a killed run", "RUNNING", 3 * stuck, 2},
		{"a failed run", "FAILED", time.Minute, 2},
	} {
		t.Run("load after "+tc.name, func(t *testing.T) {
			w := openWarehouse(t)
			earlier(t, w, "load", tc.status, tc.age)
			rep := loadWith(t, w, cfg, folder)
			if got := attempts(runRows(t, w, rep.RunID)); !slices.Equal(got, []int{tc.want}) {
				t.Errorf("attempts %v, want [%d]", got, tc.want)
			}
		})
	}
	t.Run("features after a run still going", func(t *testing.T) {
		w := openWarehouse(t)
		loadWith(t, w, cfg, folder)
		earlier(t, w, "analytics", "RUNNING", time.Minute)
		p, err := genexp.New(w, genexp.WithConfig(cfg))
		if err != nil {
			t.Fatal(err)
		}
		run, err := p.Features(context.Background(), genexp.FeatureOptions{Studies: []string{"GSE51"}})
		if err != nil {
			t.Fatal(err)
		}
		rows := runRows(t, w, run.RunID)
		if len(rows) != 1 || rows[0].Step != "analytics" || rows[0].Attempt != 1 {
			t.Errorf("features run rows %+v, want one analytics row at attempt 1", rows)
		}
	})
}

// Two copies of one study in one load (two downloads named in one run)
// are two attempts at it: their rows must not share (run, study, step,
// attempt), and each attempt's rows name one file. The second copy is
// refused (it would replace the first), so it is a failed attempt.
func TestTwoCopiesOfAStudyInOneRun(t *testing.T) {
	cfg := genexp.DefaultConfig()
	cfg.Quality.MinGenesPerSample = 1
	cr := crafted{study: "GSE52", genes: 40, columns: samples("GSM", 3), sheet: samples("GSM", 3)}
	dir := t.TempDir()
	cr.write(t, filepath.Join(dir, "a"))
	cr.write(t, filepath.Join(dir, "b"))
	w := openWarehouse(t)
	rep := loadWith(t, w, cfg, filepath.Join(dir, "a"), filepath.Join(dir, "b"))
	if len(rep.Studies) != 2 || rep.Studies[0].Err != nil || !errors.Is(rep.Studies[1].Err, qc.DuplicateSamples) {
		t.Fatalf("want the first copy loaded and the second refused, got %+v (errors %v)", rep.Studies, rep.Errors)
	}
	rows := runRows(t, w, rep.RunID)
	key := map[[3]any]int{}
	files := map[int]map[string]bool{}
	for _, r := range rows {
		key[[3]any{r.Study, r.Step, r.Attempt}]++
		if files[r.Attempt] == nil {
			files[r.Attempt] = map[string]bool{}
		}
		files[r.Attempt][r.File] = true
	}
	for k, n := range key {
		if n != 1 {
			t.Errorf("%d rows for study, step, attempt %v", n, k)
		}
	}
	if got := attempts(rows); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("attempts %v, want [1 2]", got)
	}
	for a, fs := range files {
		if len(fs) != 1 {
			t.Errorf("attempt %d names files %v, want one", a, fs)
		}
	}
	if len(files[1]) == 1 && len(files[2]) == 1 && fmt.Sprint(files[1]) == fmt.Sprint(files[2]) {
		t.Errorf("both attempts name %v", files[1])
	}
	// The next run numbers itself after the refused copy.
	rep = loadWith(t, w, cfg, filepath.Join(dir, "a", "GSE52"))
	if got := attempts(runRows(t, w, rep.RunID)); !slices.Equal(got, []int{2}) {
		t.Errorf("next run: attempts %v, want [2]", got)
	}
}

// A download that cannot be opened is logged under an accession only when
// its name is one (the configured study code pattern, else refine.bio's
// accession forms); and its failure is one ERROR record, not one per
// layer that saw it. ("/" is in TestDownloadStudy: loading it would walk
// the machine's whole file system.)
func TestDownloadFailureStudy(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, pattern, want string
	}{
		{"empty folder", empty, "", ""},
		{"missing name", filepath.Join(dir, "nonexistent"), "", ""},
		{"missing GEO study", filepath.Join(dir, "GSE999"), "", "GSE999"},
		{"missing ArrayExpress zip", filepath.Join(dir, "E-GEOD-39842.zip"), "", "E-GEOD-39842"},
		{"missing SRA study", filepath.Join(dir, "SRP110235"), "", "SRP110235"},
		{"missing matrix", filepath.Join(dir, "GSE71270.tsv.gz"), "", "GSE71270"},
		{"configured pattern", filepath.Join(dir, "LOCAL-7"), `LOCAL-\d+`, "LOCAL-7"},
		{"outside the configured pattern", filepath.Join(dir, "GSE999"), `LOCAL-\d+`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := openWarehouse(t)
			cfg := genexp.DefaultConfig()
			cfg.Processing.StudyCodePattern = tc.pattern
			var logs bytes.Buffer
			p, err := genexp.New(w, genexp.WithConfig(cfg), genexp.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := p.Load(context.Background(), tc.path)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Errors) != 1 {
				t.Fatalf("errors %v, want one", rep.Errors)
			}
			rows := runRows(t, w, rep.RunID)
			if len(rows) != 5 {
				t.Errorf("rows %+v, want one per step", rows)
			}
			for _, r := range rows {
				if r.Study != tc.want {
					t.Errorf("%s logged under study %q, want %q", r.Step, r.Study, tc.want)
				}
				if r.File != tc.path {
					t.Errorf("%s names file %q, want %q", r.Step, r.File, tc.path)
				}
			}
			var errs []map[string]any
			for _, r := range slogRecords(t, logs.Bytes()) {
				if r["level"] == "ERROR" {
					errs = append(errs, r)
				}
			}
			if len(errs) != 1 {
				t.Fatalf("ERROR records %v, want one", errs)
			}
			if e := errs[0]; e["file"] != tc.path || e["error"] == nil || e["code"] == nil || e["step"] != "extract" {
				t.Errorf("ERROR record %v lacks the path, the error or its code", e)
			}
		})
	}
}

// TestStoppedStepsSayWhy stops a load mid-matrix, as SIGINT or
// processing.timeout_seconds do, and checks the process log: every step
// the stop ended is FAILED with the reason and a message saying so (no
// code for an interrupt: the input and the warehouse were fine; 4007 for a
// timeout), and none is SKIPPED as if another step had failed. A deadline
// of the caller's own context is an interruption, not the configured
// timeout.
func TestStoppedStepsSayWhy(t *testing.T) {
	for _, tc := range []struct {
		name, reason, msg string
		code              int64 // 0: no code
	}{
		{"interrupt", "interrupted", "interrupted before the step ended (interrupt signal received)", 0},
		{"timeout", "timed out", "timed out before the step ended (processing.timeout_seconds)", int64(qc.TimedOut)},
		// the caller's own deadline is no processing.timeout_seconds
		{"deadline", "interrupted", "interrupted before the step ended (context deadline exceeded)", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := openWarehouse(t)
			cfg := genexp.DefaultConfig()
			cfg.Processing.ChunkSize = 100
			ctx, stop := stoppable(t, tc.name == "timeout", &cfg)
			if tc.name == "deadline" {
				d := newDeadlineCtx()
				ctx, stop = d, d.pass
			}
			p, err := genexp.New(w, genexp.WithConfig(cfg), genexp.WithProgress(func(genexp.Progress) { stop() }))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.Load(ctx, "testdata/refinebio/GSE71270"); err == nil {
				t.Fatal("Load of a stopped run returned no error")
			}
			rows, err := w.DB().Query(`SELECT step, status, COALESCE(error_message, ''), COALESCE(context_json->>'reason', ''), error_code
				FROM meta_etl_process_log ORDER BY started_at, step`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			failed := 0
			for rows.Next() {
				var step, status, msg, reason string
				var code sql.NullInt64
				if err := rows.Scan(&step, &status, &msg, &reason, &code); err != nil {
					t.Fatal(err)
				}
				switch status {
				case "FAILED":
					failed++
					if reason != tc.reason || code.Int64 != tc.code || !strings.Contains(msg, tc.msg) {
						t.Errorf("%s FAILED: reason %q, code %v, message %q; want %q, %v, %q", step, reason, code.Int64, msg, tc.reason, tc.code, tc.msg)
					}
				case "SKIPPED":
					if reason != tc.reason {
						t.Errorf("%s SKIPPED with reason %q, want %q", step, reason, tc.reason)
					}
				case "RUNNING":
					t.Errorf("%s left RUNNING", step)
				}
			}
			if failed == 0 {
				t.Errorf("no step FAILED %s", tc.reason)
			}
		})
	}
}

// stoppable returns a run's context and the stop that ends it: with
// timeout, processing.timeout_seconds (set to 2 in cfg: the run must reach
// its stop before it, on a loaded machine too) passing while stop holds
// the run up, as a load that outlasts it does; otherwise an interrupt
// signal. stop may be called many times. A test that runs again with cfg
// sets the timeout back to 0.
func stoppable(t *testing.T, timeout bool, cfg *genexp.Config) (context.Context, func()) {
	if timeout {
		// Long enough for the run to reach the point the test stops it
		// at on a machine busy with other tests (2 s was not always).
		cfg.Processing.TimeoutSeconds = 5
		deadline := time.Now().Add(5 * time.Second)
		var once sync.Once
		// Held up past the deadline with a margin, for the timer that
		// ends the run's context to have fired.
		return context.Background(), func() { once.Do(func() { time.Sleep(time.Until(deadline) + 750*time.Millisecond) }) }
	}
	c, cancel := context.WithCancelCause(context.Background())
	t.Cleanup(func() { cancel(nil) })
	return c, func() { cancel(errors.New("interrupt signal received")) }
}

// deadlineCtx is a caller's context whose deadline passes when the test
// says so, without a clock.
type deadlineCtx struct {
	context.Context
	done chan struct{}
	once sync.Once
}

func newDeadlineCtx() *deadlineCtx {
	return &deadlineCtx{Context: context.Background(), done: make(chan struct{})}
}

func (c *deadlineCtx) pass()                 { c.once.Do(func() { close(c.done) }) }
func (c *deadlineCtx) Done() <-chan struct{} { return c.done }

func (c *deadlineCtx) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

// onStepDone is a log handler that calls f once a step of the given name
// ends SUCCESS: a cue inside a run for a test to stop it.
type onStepDone struct {
	step string
	f    func()
}

func (h onStepDone) Enabled(context.Context, slog.Level) bool { return true }
func (h onStepDone) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h onStepDone) WithGroup(string) slog.Handler            { return h }
func (h onStepDone) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "step done" {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "step" && a.Value.String() == h.step {
			h.f()
			return false
		}
		return true
	})
	return nil
}

// TestStoppedRunReportsWhatItNeverBegan: a run whose deadline passes, or
// which is interrupted, once the first matrix of a two-study download is
// committed reports that study loaded, the second matrix and the path it
// never opened NotStarted (the path under the study its name is, or under
// no study when its name is none, as "download_2024"), and logs each of
// their four steps SKIPPED with the reason the run stopped, so that the
// process log says what is left to load.
func TestStoppedRunReportsWhatItNeverBegan(t *testing.T) {
	for _, tc := range []struct{ name, reason string }{
		{"timeout", "timed out"},
		{"interrupt", "interrupted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dl := t.TempDir()
			copyTree(t, "testdata/refinebio/GSE71270", dl, nil)
			copyTree(t, "testdata/refinebio/SRP110235", dl, nil)
			unopened := "testdata/refinebio/E-GEOD-39842"
			unnamed := filepath.Join(t.TempDir(), "download_2024")
			crafted{study: "GSE81", genes: 40, columns: samples("GSM", 4), sheet: samples("GSM", 4)}.write(t, unnamed)

			w := openWarehouse(t)
			cfg := genexp.DefaultConfig()
			off := false
			cfg.Analytics.Enabled = &off // the stop comes after the commit, not inside features
			ctx, stop := stoppable(t, tc.name == "timeout", &cfg)
			p, err := genexp.New(w, genexp.WithConfig(cfg), genexp.WithLogger(slog.New(onStepDone{step: "load", f: stop})))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := p.Load(ctx, dl, unopened, unnamed)
			if err == nil {
				t.Fatal("Load of a stopped run returned no error")
			}
			var got []string
			for _, s := range rep.Studies {
				got = append(got, fmt.Sprintf("%s %s %q", s.Study, filepath.Base(s.Matrix), s.Outcome))
				if s.Outcome == genexp.NotStarted && (s.Err != nil || s.Samples != 0 || len(s.Findings) != 0) {
					t.Errorf("not started row %+v has an error, samples or findings", s)
				}
			}
			want := []string{`GSE71270 GSE71270.tsv "new"`, `SRP110235 SRP110235.tsv "not started"`, `E-GEOD-39842 E-GEOD-39842 "not started"`, ` download_2024 "not started"`}
			if !slices.Equal(got, want) {
				t.Fatalf("report rows\n %q\nwant\n %q", got, want)
			}
			if rep.Failed() {
				t.Errorf("a run stopped between matrices failed nothing, yet Failed() says it did: %+v", rep)
			}

			rows, err := w.DB().Query(`SELECT COALESCE(study_accession_code, ''), step, status, COALESCE(context_json->>'reason', ''), error_code IS NULL, ended_at IS NOT NULL
				FROM meta_etl_process_log WHERE run_id = ? ORDER BY study_accession_code, step`, rep.RunID)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			logged := map[string][]string{}
			for rows.Next() {
				var study, step, status, reason string
				var noCode, ended bool
				if err := rows.Scan(&study, &step, &status, &reason, &noCode, &ended); err != nil {
					t.Fatal(err)
				}
				if !ended || !noCode {
					t.Errorf("%s %s %s: ended %v, no error code %v; want ended with no code", study, step, status, ended, noCode)
				}
				logged[study] = append(logged[study], step+" "+status+" "+reason)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			// Analytics is off: its step is SKIPPED for that reason, and
			// only the steps the stop kept from running count as stopped.
			offRow := "analytics SKIPPED analytics.enabled is false in the configuration"
			skipped := []string{offRow, "extract SKIPPED " + tc.reason, "load SKIPPED " + tc.reason, "transform SKIPPED " + tc.reason, "validate SKIPPED " + tc.reason}
			for _, study := range []string{"SRP110235", "E-GEOD-39842", ""} {
				if !slices.Equal(logged[study], skipped) {
					t.Errorf("%s logged %q, want %q", study, logged[study], skipped)
				}
			}
			if l := logged["GSE71270"]; !slices.Equal(l, []string{offRow, "extract SUCCESS ", "load SUCCESS ", "transform SUCCESS ", "validate SUCCESS "}) {
				t.Errorf("GSE71270 logged %q, want its four load steps SUCCESS and analytics SKIPPED as off", l)
			}

			// Health does not call the run finished: its input is not all
			// loaded until the same load runs again.
			check, last := runsHealth(t, w)
			if last.RunID != rep.RunID || last.Stopped != 12 || last.StopReason != tc.reason {
				t.Errorf("last run %+v; want %s with 12 steps stopped, reason %q", last, rep.RunID, tc.reason)
			}
			if want := "(3 studies, 20 steps) was stopped (" + tc.reason + ") before 12 of its steps began: part of its work was not done; rerun the same genexp load (what it loaded is a duplicate"; check.Status != genexp.Degraded ||
				!strings.HasPrefix(check.Detail, "last run "+rep.RunID+" ") || !strings.Contains(check.Detail, want) {
				t.Errorf("runs check %s %q; want %s containing %q", check.Status, check.Detail, genexp.Degraded, want)
			}
			cfg.Processing.TimeoutSeconds = 0
			p, err = genexp.New(w, genexp.WithConfig(cfg))
			if err != nil {
				t.Fatal(err)
			}
			again, err := p.Load(context.Background(), dl, unopened, unnamed)
			if err != nil || again.Failed() {
				t.Fatalf("rerun: %v %+v", err, again)
			}
			if check, _ := runsHealth(t, w); check.Status != genexp.Healthy || !strings.HasSuffix(check.Detail, ", finished") {
				t.Errorf("after the rerun, runs check %s %q; want healthy, finished", check.Status, check.Detail)
			}
		})
	}
}

// runsHealth returns the runs check of the warehouse's health, and the
// last run it describes.
func runsHealth(t *testing.T, w *duckdb.Warehouse) (genexp.HealthCheck, warehouse.RunSummary) {
	t.Helper()
	h, err := w.Health(t.Context(), warehouse.HealthRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Runs) == 0 {
		t.Fatal("health lists no runs")
	}
	rep := genexp.DeriveHealth(genexp.HealthInputs{Health: &h, Now: time.Now()}, genexp.DefaultHealthLimits())
	for _, c := range rep.Checks {
		if c.Name == "runs" {
			return c, h.Runs[0]
		}
	}
	t.Fatalf("no runs check: %+v", rep.Checks)
	return genexp.HealthCheck{}, warehouse.RunSummary{}
}
