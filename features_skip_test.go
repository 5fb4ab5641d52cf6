package genexp_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// plainSink decorates a warehouse by embedding the WarehouseSink
// interface: the warehouse's optional interfaces (FeatureMaterializer
// among them) are not forwarded.
type plainSink struct{ warehouse.WarehouseSink }

// analyticsRow returns the study's analytics rows of the process log: status,
// error code, and the reason in context_json.
func analyticsRows(t *testing.T, w *duckdb.Warehouse, study string) (rows []struct {
	Status, Reason string
	Code           *int
}) {
	t.Helper()
	q, err := w.DB().Query(`SELECT status, error_code, context_json FROM meta_etl_process_log
		WHERE step = 'analytics' AND study_accession_code = ? ORDER BY started_at`, study)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	for q.Next() {
		var r struct {
			Status, Reason string
			Code           *int
		}
		var ctxJSON string
		if err := q.Scan(&r.Status, &r.Code, &ctxJSON); err != nil {
			t.Fatal(err)
		}
		var c struct{ Reason string }
		if err := json.Unmarshal([]byte(ctxJSON), &c); err != nil {
			t.Fatal(err)
		}
		r.Reason = c.Reason
		rows = append(rows, r)
	}
	return rows
}

// A sink that does not compute features (a decorator that does not forward
// warehouse.FeatureMaterializer) does not run the analytics step in
// silence: the step is logged SKIPPED with the reason, and the run's
// report has one WARNING saying so, however many studies it loaded.
func TestAnalyticsSkippedOnSinkWithoutFeatures(t *testing.T) {
	w := openWarehouse(t)
	dir := t.TempDir()
	a := crafted{study: "GSE91", genes: 40, columns: samples("GSM", 3), sheet: samples("GSM", 3)}.write(t, dir)
	b := crafted{study: "GSE92", genes: 40, columns: samples("GSN", 3), sheet: samples("GSN", 3)}.write(t, dir)
	p, err := genexp.New(plainSink{w})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Load(context.Background(), a, b)
	if err != nil || rep.Failed() {
		t.Fatalf("load: %v %+v", err, rep)
	}
	for _, study := range []string{"GSE91", "GSE92"} {
		rows := analyticsRows(t, w, study)
		if len(rows) != 1 || rows[0].Status != "SKIPPED" || rows[0].Reason == "" {
			t.Errorf("%s: analytics rows %+v, want one SKIPPED with a reason", study, rows)
		}
	}
	var warned []*qc.Error
	for _, f := range rep.Findings {
		if f.Code == qc.MaterializationFailed {
			warned = append(warned, f)
		}
	}
	if len(warned) != 1 || warned[0].Severity != qc.SeverityWarning {
		t.Fatalf("findings %v, want one MaterializationFailed WARNING", rep.Findings)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM meta_data_validation_log WHERE validation_code = 5002`); n != 1 {
		t.Errorf("%d analytics findings recorded, want 1", n)
	}

	// With the analytics step turned off nothing is said.
	off := false
	cfg := genexp.DefaultConfig()
	cfg.Analytics.Enabled = &off
	p, err = genexp.New(plainSink{openWarehouse(t)}, genexp.WithConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	rep, err = p.Load(context.Background(), a)
	if err != nil || len(rep.Findings) != 0 {
		t.Fatalf("analytics off: %v %v", err, rep.Findings)
	}
}

// stoppingSink ends the run's context as soon as a batch has committed,
// or with inFeatures as its features start being computed.
type stoppingSink struct {
	*duckdb.Warehouse
	stop       func()
	inFeatures bool
}

func (s *stoppingSink) Begin(ctx context.Context, req warehouse.BeginRequest) (warehouse.Batch, error) {
	b, err := s.Warehouse.Begin(ctx, req)
	if err != nil || s.inFeatures {
		return b, err
	}
	return &stoppingBatch{Batch: b, stop: s.stop}, nil
}

func (s *stoppingSink) MaterializeFeatures(ctx context.Context, req warehouse.FeaturesRequest) (warehouse.FeaturesResult, error) {
	if s.inFeatures {
		s.stop()
	}
	return s.Warehouse.MaterializeFeatures(ctx, req)
}

type stoppingBatch struct {
	warehouse.Batch
	stop func()
}

func (b *stoppingBatch) Commit(ctx context.Context, req warehouse.CommitRequest) (warehouse.CommitResult, error) {
	res, err := b.Batch.Commit(ctx, req)
	b.stop()
	return res, err
}

// A run stopped (timed out or interrupted) after a study's commit, before
// or during its analytics step, logs that step FAILED with the reason, as
// it does the other steps it stopped, and reports the study's features as
// failed in words of the stop, not the driver's for a cancelled statement:
// its facts are loaded, its features are not.
func TestAnalyticsStoppedAfterCommit(t *testing.T) {
	for _, tc := range []struct {
		name       string
		timeout    bool
		inFeatures bool
		reason     string
		code       *int
	}{
		{"interrupted", false, false, "interrupted", nil},
		{"timed out", true, false, "timed out", new(int(qc.TimedOut))},
		{"interrupted in features", false, true, "interrupted", nil},
		{"timed out in features", true, true, "timed out", new(int(qc.TimedOut))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := openWarehouse(t)
			cfg := genexp.DefaultConfig()
			ctx, stop := stoppable(t, tc.timeout, &cfg)
			p, err := genexp.New(&stoppingSink{Warehouse: w, stop: stop, inFeatures: tc.inFeatures}, genexp.WithConfig(cfg))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := p.Load(ctx, "testdata/refinebio/GSE71270")
			if err == nil {
				t.Fatal("Load returned no error")
			}
			sr := rep.Studies[0]
			if sr.Outcome != warehouse.Inserted {
				t.Fatalf("outcome %q (%v)", sr.Outcome, sr.Err)
			}
			if sr.Features == nil || sr.Features.Err == nil || !errors.Is(sr.Err, qc.MaterializationFailed) {
				t.Errorf("features %+v, err %v: want the features failed", sr.Features, sr.Err)
			} else if msg := sr.Err.Error(); !strings.Contains(msg, "before its features were written") || strings.Contains(msg, "duckdb:") {
				t.Errorf("the study's error %q: want it to say the run stopped before its features were written", msg)
			}
			rows := analyticsRows(t, w, "GSE71270")
			if len(rows) != 1 || rows[0].Status != "FAILED" || rows[0].Reason != tc.reason ||
				(rows[0].Code == nil) != (tc.code == nil) || tc.code != nil && *rows[0].Code != *tc.code {
				t.Errorf("analytics rows %+v, want one FAILED %q", rows, tc.reason)
			}
			if n := count(t, w, `SELECT COUNT(*) FROM fact_gene_expression`); n != 3000 {
				t.Errorf("%d facts, want the 3000 committed", n)
			}
		})
	}
}
