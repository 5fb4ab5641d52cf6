package genexp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// badRealDownload copies the real GSE71270 study folder and repeats its
// sample sheet's first sample on a new last line, which makes the sheet
// unreadable (2004 at its line 12) and refuses the study's matrix.
func badRealDownload(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "GSE71270")
	if err := os.MkdirAll(filepath.Join(dir, "GSE71270"), 0o755); err != nil {
		t.Fatal(err)
	}
	src := "testdata/refinebio/GSE71270/GSE71270/"
	copyFile(t, src+"GSE71270.tsv", filepath.Join(dir, "GSE71270", "GSE71270.tsv"))
	sheet, err := os.ReadFile(src + "metadata_GSE71270.tsv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(sheet), "\n")
	sheet = append(sheet, lines[1]...)
	if err := os.WriteFile(filepath.Join(dir, "GSE71270", "metadata_GSE71270.tsv"), sheet, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

type logRow struct {
	Status  string
	Code    *int
	Read    *int64
	Context map[string]any
}

// attemptOf returns the process-log rows of a study by step, failing the
// test unless each of extract, transform, validate and load has exactly one
// finished row.
func attemptRows(t *testing.T, w *duckdb.Warehouse, study string) map[string]logRow {
	t.Helper()
	rows, err := w.DB().Query(`SELECT step, status, error_code, rows_read, context_json, ended_at IS NULL
		FROM meta_etl_process_log WHERE study_accession_code = ?`, study)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]logRow{}
	for rows.Next() {
		var step, ctxJSON string
		var r logRow
		var open bool
		if err := rows.Scan(&step, &r.Status, &r.Code, &r.Read, &ctxJSON, &open); err != nil {
			t.Fatal(err)
		}
		if _, dup := out[step]; dup {
			t.Errorf("%s: two %s rows", study, step)
		}
		if open {
			t.Errorf("%s: %s row never ended", study, step)
		}
		if err := json.Unmarshal([]byte(ctxJSON), &r.Context); err != nil {
			t.Errorf("%s %s context_json %q: %v", study, step, ctxJSON, err)
		}
		out[step] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"extract", "transform", "validate", "load"} {
		if _, ok := out[s]; !ok {
			t.Errorf("%s: no %s row (has %v)", study, s, out)
		}
	}
	return out
}

// A download that cannot be opened is a failed extract in the warehouse's
// own log, so health sees it.
func TestDownloadFailuresAreLoggedAndUnhealthy(t *testing.T) {
	w := openWarehouse(t)
	missing := filepath.Join(t.TempDir(), "GSE404")
	rep := loadWith(t, w, genexp.DefaultConfig(), badRealDownload(t), missing)
	// The bad sample sheet refuses its study's matrix; the missing path
	// is a download that does not open.
	if len(rep.Errors) != 1 || len(rep.Studies) != 1 || !errors.Is(rep.Studies[0].Err, qc.DuplicateSamples) {
		t.Fatalf("want one download error and GSE71270 failed with 2004, got %v and %+v", rep.Errors, rep.Studies)
	}
	for study, code := range map[string]int{"GSE71270": 2004, "GSE404": 1001} {
		got := attemptRows(t, w, study)
		if e := got["extract"]; e.Status != "FAILED" || e.Code == nil || *e.Code != code {
			t.Errorf("%s extract: %+v, want FAILED %d", study, e, code)
		}
		for _, s := range []string{"transform", "validate", "load"} {
			if r := got[s]; r.Status != "SKIPPED" || r.Context["reason"] != "extract failed" {
				t.Errorf("%s %s: %+v, want SKIPPED because extract failed", study, s, r)
			}
		}
		if f := findings(t, w, study); f[finding{code, "ERROR"}] != 1 {
			t.Errorf("%s: validation log %v lacks the %d ERROR under the study", study, f, code)
		}
	}
	h, err := w.Health(context.Background(), warehouse.HealthRequest{})
	if err != nil {
		t.Fatal(err)
	}
	rep2 := genexp.DeriveHealth(genexp.HealthInputs{Health: &h, Now: time.Now()}, genexp.DefaultHealthLimits())
	var failures genexp.HealthCheck
	for _, c := range rep2.Checks {
		if c.Name == "failures" {
			failures = c
		}
	}
	if failures.Status != genexp.Degraded || h.FailedSteps != 2 || h.FailedRuns != 1 || h.ResolvedFailedSteps != 0 || rep2.Status == genexp.Healthy {
		t.Errorf("health after two failed downloads: %+v (failed steps %d, runs %d, made good %d)", rep2, h.FailedSteps, h.FailedRuns, h.ResolvedFailedSteps)
	}
	// The study loaded from a good copy makes its failure good; GSE404's
	// stays open, and health still warns of it.
	if rep := loadWith(t, w, genexp.DefaultConfig(), "testdata/refinebio/GSE71270/GSE71270"); rep.Failed() {
		t.Fatalf("loading a good GSE71270: %v %+v", rep.Errors, rep.Studies)
	}
	if h, err = w.Health(context.Background(), warehouse.HealthRequest{}); err != nil {
		t.Fatal(err)
	}
	rep2 = genexp.DeriveHealth(genexp.HealthInputs{Health: &h, Now: time.Now()}, genexp.DefaultHealthLimits())
	for _, c := range rep2.Checks {
		if c.Name == "failures" && (c.Status != genexp.Degraded || !strings.Contains(c.Detail, "1 of them not since made good")) {
			t.Errorf("health after GSE71270 loaded: %+v", c)
		}
	}
	if h.FailedSteps != 2 || h.ResolvedFailedSteps != 1 {
		t.Errorf("after GSE71270 loaded: %d failed steps, %d made good, want 2 and 1", h.FailedSteps, h.ResolvedFailedSteps)
	}
}

// Every kind of failure leaves one row per step: the failing step FAILED
// with its code, the steps it kept from completing SKIPPED, and its ERROR
// finding in meta_data_validation_log.
func TestProcessLogAcrossFailures(t *testing.T) {
	type want struct{ extract, transform, validate, load string }
	ok := want{"SUCCESS", "SUCCESS", "SUCCESS", "SUCCESS"}
	cases := []struct {
		name  string
		study crafted
		code  int // the failing step's code; 0 when none fails
		want  want
		read  int64 // extract rows_read
	}{
		{"loads", crafted{study: "GSE31", genes: 40, columns: samples("GSM", 3), sheet: samples("GSM", 3)}, 0, ok, 120},
		{"no column matches", crafted{study: "GSE32", genes: 40, columns: []string{"A", "B", "C"}, sheet: samples("GSM", 3)},
			2001, want{"SUCCESS", "SKIPPED", "FAILED", "SKIPPED"}, 0},
		{"parse error", crafted{study: "GSE33", genes: 40, columns: samples("GSM", 3), sheet: samples("GSM", 3),
			cell: func(g, c int) string {
				if g == 30 && c == 1 {
					return "1.2.3"
				}
				return value(g, c)
			}},
			1004, want{"FAILED", "SKIPPED", "SKIPPED", "SKIPPED"}, -1},
		{"rejected by validation", crafted{study: "GSE34", genes: 40, columns: samples("GSM", 3), sheet: samples("GSM", 3),
			cell: func(g, c int) string { return "NA" }},
			2003, want{"SUCCESS", "SUCCESS", "FAILED", "SKIPPED"}, 120},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := openWarehouse(t)
			cfg := genexp.DefaultConfig()
			cfg.Quality.MinGenesPerSample = 1
			loadWith(t, w, cfg, tc.study.write(t, t.TempDir()))
			got := attemptRows(t, w, tc.study.study)
			for step, status := range map[string]string{"extract": tc.want.extract, "transform": tc.want.transform,
				"validate": tc.want.validate, "load": tc.want.load} {
				r := got[step]
				if r.Status != status {
					t.Errorf("%s: %s, want %s (%+v)", step, r.Status, status, r)
				}
				switch r.Status {
				case "FAILED":
					if r.Code == nil || *r.Code != tc.code {
						t.Errorf("%s FAILED with code %v, want %d", step, r.Code, tc.code)
					}
				case "SKIPPED":
					if r.Context["reason"] == nil {
						t.Errorf("%s SKIPPED without a reason: %v", step, r.Context)
					}
				}
			}
			if tc.read >= 0 && (got["extract"].Read == nil || *got["extract"].Read != tc.read) {
				t.Errorf("extract rows_read %v, want %d", got["extract"].Read, tc.read)
			}
			if tc.code != 0 {
				if f := findings(t, w, tc.study.study); f[finding{tc.code, "ERROR"}] != 1 {
					t.Errorf("validation log %v lacks one %d ERROR", f, tc.code)
				}
			}
		})
	}
}

// slogRecords decodes a JSON log.
func slogRecords(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// A consumer keeping WARN and above sees every failed step, with what it
// needs to act on it.
func TestFailedStepsLogAtError(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	w := openWarehouse(t)
	dir := t.TempDir()
	bad := crafted{study: "GSE41", genes: 40, columns: samples("GSM", 3), sheet: samples("GSM", 3), cell: func(g, c int) string { return "NA" }}
	p, err := genexp.New(w, genexp.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Load(context.Background(), bad.write(t, dir)); err != nil {
		t.Fatal(err)
	}
	var failed []map[string]any
	for _, r := range slogRecords(t, logs.Bytes()) {
		if r["msg"] == "step failed" {
			failed = append(failed, r)
		}
	}
	if len(failed) != 1 {
		t.Fatalf("want one failed step at WARN and above, got %v\n%s", failed, logs.String())
	}
	r := failed[0]
	if r["level"] != "ERROR" || r["step"] != "validate" || r["status"] != "FAILED" || r["code"] != float64(2003) ||
		r["batch"] == nil || r["rows_read"] != float64(120) || r["duration_ms"] == nil || r["error"] == nil {
		t.Errorf("failed step record: %v", r)
	}
}

// A loaded study's load step names its outcome and rows; a run that writes
// nothing (genexp validate, load --dry-run) never says it loaded.
func TestLoadStepRecords(t *testing.T) {
	cr := crafted{study: "GSE42", genes: 40, columns: samples("GSM", 3), sheet: samples("GSM", 3)}
	folder := cr.write(t, t.TempDir())
	cfg := genexp.DefaultConfig()
	cfg.Quality.MinGenesPerSample = 1
	loadStep := func(sink warehouse.WarehouseSink) map[string]any {
		t.Helper()
		var logs bytes.Buffer
		p, err := genexp.New(sink, genexp.WithConfig(cfg), genexp.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Load(context.Background(), folder); err != nil {
			t.Fatal(err)
		}
		var found map[string]any
		for _, r := range slogRecords(t, logs.Bytes()) {
			if r["step"] == "load" && r["study"] == "GSE42" && strings.HasPrefix(fmt.Sprint(r["msg"]), "step ") {
				if found != nil {
					t.Errorf("two load records: %v and %v", found, r)
				}
				found = r
			}
		}
		if found == nil {
			t.Fatalf("no load step record:\n%s", logs.String())
		}
		return found
	}
	w := openWarehouse(t)
	if r := loadStep(w); r["status"] != "SUCCESS" || r["outcome"] != "new" || r["rows_written"] != float64(120) || r["batch"] == nil {
		t.Errorf("load: %v", r)
	}
	// validate compares with no warehouse, so its record gives no
	// outcome; a dry run says what a load would do (the study is loaded).
	for name, tc := range map[string]struct {
		sink    warehouse.WarehouseSink
		outcome any
	}{"validate": {genexp.DryRunSink(nil), nil}, "dry run": {genexp.DryRunSink(w), "duplicate"}} {
		if r := loadStep(tc.sink); r["status"] != "SKIPPED" || r["rows_written"] != nil || !strings.Contains(fmt.Sprint(r["reason"]), "dry run") ||
			r["outcome"] != tc.outcome {
			t.Errorf("%s: load record %v, want SKIPPED for a dry run, outcome %v", name, r, tc.outcome)
		}
	}
}
