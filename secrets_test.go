package genexp_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// leakySink is a real DuckDB warehouse whose failures quote the warehouse's
// DSN, password included, as a driver's connection errors can: counting
// earlier attempts fails, and so does committing the named study's matrix.
type leakySink struct {
	*duckdb.Warehouse
	dsn, failStudy string
}

func (s *leakySink) leak(what string) error {
	return qc.Wrap(qc.ConnectionFailed, fmt.Errorf("%s on %s: connection reset by peer", what, s.dsn), "warehouse")
}

func (s *leakySink) FailedAttempts(context.Context, warehouse.AttemptsRequest) (int, error) {
	return 0, s.leak("counting attempts")
}

func (s *leakySink) Begin(ctx context.Context, req warehouse.BeginRequest) (warehouse.Batch, error) {
	b, err := s.Warehouse.Begin(ctx, req)
	if err != nil || !strings.Contains(req.FileName, s.failStudy) {
		return b, err
	}
	return &leakyBatch{Batch: b, s: s}, nil
}

type leakyBatch struct {
	warehouse.Batch
	s *leakySink
}

func (b *leakyBatch) Commit(context.Context, warehouse.CommitRequest) (warehouse.CommitResult, error) {
	return warehouse.CommitResult{}, b.s.leak("commit")
}

// The warehouse's own errors may quote its DSN: the password reaches no
// process-log row, no validation-log row, no slog record and no error the
// report returns (which the CLI prints as they are).
func TestSecretsNeverReachLogs(t *testing.T) {
	const secret = "Tr0ub4dor&3xyz"
	t.Setenv("GENEXP_TEST_PW", secret)
	cfg, err := genexp.ParseConfig([]byte("database:\n  connection_string: \"Server=db;User Id=sa;Password=${GENEXP_TEST_PW};\"\n"), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Quality.MinGenesPerSample = 1
	dsn := "sqlserver://sa:" + secret + "@db.example:1433?database=genexp"
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	w := openWarehouse(t)
	sink := &leakySink{Warehouse: w, dsn: dsn, failStudy: "GSE15"}
	dir := t.TempDir()
	good := crafted{study: "GSE13", genes: 40, columns: samples("GSM", 3), sheet: samples("GSM", 3)}
	bad := crafted{study: "GSE14", genes: 40, columns: samples("GSN", 3), sheet: samples("GSN", 3), cell: func(g, c int) string { return "NA" }}
	failing := crafted{study: "GSE15", genes: 40, columns: samples("GSO", 3), sheet: samples("GSO", 3)}
	p, err := genexp.New(sink, genexp.WithConfig(cfg), genexp.WithLogger(logger), genexp.WithWarehouseDSN(dsn))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Load(context.Background(), good.write(t, dir), bad.write(t, dir), failing.write(t, dir), filepath.Join(dir, "missing"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "sqlserver://sa:"+qc.Redacted+"@db.example") {
		t.Errorf("the run's log does not name the warehouse (redacted): %s", logs.String())
	}
	if strings.Contains(logs.String(), secret) {
		t.Errorf("slog output holds the password: %s", logs.String())
	}
	for _, table := range []string{"meta_etl_process_log", "meta_data_validation_log", "meta_study_qc", "meta_batch"} {
		var n int64
		q := fmt.Sprintf(`SELECT COUNT(*) FROM %s t WHERE strpos(CAST(t AS VARCHAR), ?) > 0`, table)
		if err := w.DB().QueryRow(q, secret).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s: %d rows hold the password", table, n)
		}
	}
	// The leak was there to be scrubbed: the commit failure is in the log,
	// redacted, with its code.
	var msg string
	if err := w.DB().QueryRow(`SELECT error_message FROM meta_etl_process_log
		WHERE study_accession_code = 'GSE15' AND step = 'load' AND status = 'FAILED' AND error_code = 4001`).Scan(&msg); err != nil {
		t.Fatalf("GSE15's failed load is not logged: %v", err)
	}
	if !strings.Contains(msg, "sqlserver://sa:"+qc.Redacted+"@db.example") {
		t.Errorf("error_message %q does not show the redacted DSN", msg)
	}
	var errs []error
	errs = append(errs, rep.Errors...)
	for _, s := range rep.Studies {
		if s.Err != nil {
			errs = append(errs, s.Err)
		}
		for _, f := range s.Findings {
			errs = append(errs, f)
		}
	}
	failed := false
	for _, e := range errs {
		if strings.Contains(e.Error(), secret) || strings.Contains(fmt.Sprintf("%+v", e), secret) {
			t.Errorf("returned error holds the password: %v", e)
		}
		failed = failed || errors.Is(e, qc.ConnectionFailed)
	}
	if !failed {
		t.Errorf("no returned error keeps its ConnectionFailed code: %v", errs)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM meta_etl_process_log`); n < 12 {
		t.Errorf("only %d process-log rows: the test checked too little", n)
	}
}
