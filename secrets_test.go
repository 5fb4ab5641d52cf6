package genexp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// leakySink is a real DuckDB warehouse whose failures quote the warehouse's
// DSN and the configuration's connection string, passwords included, as a
// driver's connection errors can: counting earlier attempts fails, and so
// does committing the named study's matrix.
type leakySink struct {
	*duckdb.Warehouse
	dsn, conn, failStudy string
	// failFeatures names the study whose features fail, leaking; status
	// makes listing the studies fail, leaking.
	failFeatures string
	status       bool
}

func (s *leakySink) MaterializeFeatures(ctx context.Context, req warehouse.FeaturesRequest) (warehouse.FeaturesResult, error) {
	if req.Study == s.failFeatures {
		return warehouse.FeaturesResult{}, s.leak("features")
	}
	return s.Warehouse.MaterializeFeatures(ctx, req)
}

func (s *leakySink) Status(ctx context.Context, req warehouse.StatusRequest) (warehouse.Status, error) {
	if s.status {
		return warehouse.Status{}, s.leak("status")
	}
	return s.Warehouse.Status(ctx, req)
}

func (s *leakySink) leak(what string) error {
	return qc.Wrap(qc.ConnectionFailed, &plainErr{fmt.Sprintf("%s on %s (configured as %s): connection reset by peer", what, s.dsn, s.conn)}, "warehouse")
}

// plainErr is a driver's error type, its text quoting the DSN.
type plainErr struct{ msg string }

func (e *plainErr) Error() string { return e.msg }

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

// The warehouse's own errors may quote its DSN and the configured
// connection string, each with a password of its own: neither password
// reaches a process-log row, a validation-log row, a slog record or an
// error or finding of the report (which the CLI prints as they are).
func TestSecretsNeverReachLogs(t *testing.T) {
	const confSecret = "Tr0ub4dor&3xyz"      // the configuration's, from the environment
	const dsnSecret = "C0rrectH0rse-B4ttery" // the warehouse DSN's
	t.Setenv("GENEXP_TEST_PW", confSecret)
	conn := "Server=db;User Id=sa;Password=${GENEXP_TEST_PW};"
	cfg, err := genexp.ParseConfig([]byte("database:\n  connection_string: \""+conn+"\"\n"), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Quality.MinGenesPerSample = 1
	dsn := "sqlserver://sa:" + dsnSecret + "@db.example:1433?database=genexp"
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	w := openWarehouse(t)
	sink := &leakySink{Warehouse: w, dsn: dsn, conn: strings.ReplaceAll(conn, "${GENEXP_TEST_PW}", confSecret), failStudy: "GSE15", failFeatures: "GSE13"}
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
	secrets := []string{confSecret, dsnSecret}
	if s := leaked(logs.String(), secrets...); s != "" {
		t.Errorf("slog output holds %q: %s", s, logs.String())
	}
	checkLogTables(t, w, secrets...)
	// The leak was there to be scrubbed: the commit failure is in the log,
	// redacted, with its code.
	var msg string
	if err := w.DB().QueryRow(`SELECT error_message FROM meta_etl_process_log
		WHERE study_accession_code = 'GSE15' AND step = 'load' AND status = 'FAILED' AND error_code = 4001`).Scan(&msg); err != nil {
		t.Fatalf("GSE15's failed load is not logged: %v", err)
	}
	if !strings.Contains(msg, "sqlserver://sa:"+qc.Redacted+"@db.example") || !strings.Contains(msg, "Password="+qc.Redacted) {
		t.Errorf("error_message %q does not show the DSN and the connection string, redacted", msg)
	}
	var errs []error
	errs = append(errs, rep.Errors...)
	// Features on demand: a failed computation, and a failed listing.
	run, err := p.Features(context.Background(), genexp.FeatureOptions{Studies: []string{"GSE13"}})
	if err != nil || len(run.Studies) != 1 || run.Studies[0].Err == nil {
		t.Fatalf("features of GSE13: %v %+v", err, run)
	}
	errs = append(errs, run.Studies[0].Err)
	sink.status = true
	if _, err := p.Features(context.Background(), genexp.FeatureOptions{Studies: []string{"GSE13"}}); err == nil {
		t.Fatal("features with a failing listing: no error")
	} else {
		errs = append(errs, err)
	}
	for _, f := range rep.Findings {
		errs = append(errs, f)
	}
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
		if s := leaked(e.Error()+fmt.Sprintf(" %+v", e), secrets...); s != "" {
			t.Errorf("returned error holds %q: %v", s, e)
		}
		failed = failed || errors.Is(e, qc.ConnectionFailed)
		// What errors.As finds in the chain is redacted too: a caller
		// reading the *qc.Error, or its cause, must not meet the secret.
		var q *qc.Error
		if errors.As(e, &q) {
			text := q.Error() + q.Msg + q.File + q.Path
			for c := q.Err; c != nil; c = errors.Unwrap(c) {
				text += c.Error()
			}
			if s := leaked(text, secrets...); s != "" {
				t.Errorf("errors.As gives a *qc.Error holding %q: %v", s, q)
			}
		}
		var plain *plainErr
		if errors.As(e, &plain) {
			t.Errorf("errors.As gives the driver's own error, secret and all: %v", plain)
		}
	}
	if s := leaked(fmt.Sprintf("%+v", rep), secrets...); s != "" {
		t.Errorf("the report holds %q: %+v", s, rep)
	}
	if !failed {
		t.Errorf("no returned error keeps its ConnectionFailed code: %v", errs)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM meta_etl_process_log`); n < 12 {
		t.Errorf("only %d process-log rows: the test checked too little", n)
	}
}

// leaked returns the first secret text holds, or the first part of it
// before a character JSON or a URL may escape ("Tr0ub4dor" of
// "Tr0ub4dor&3xyz"): an escaped secret is still a secret. "" when none.
func leaked(text string, secrets ...string) string {
	for _, s := range secrets {
		head := s
		if i := strings.IndexFunc(s, func(r rune) bool {
			return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
		}); i > 0 {
			head = s[:i]
		}
		if strings.Contains(text, s) || strings.Contains(text, head) {
			return s
		}
	}
	return ""
}

// logTables are the tables a run writes its logs, QC and batches to.
var logTables = []string{"meta_etl_process_log", "meta_data_validation_log", "meta_study_qc", "meta_batch", "meta_batch_qc"}

// checkLogTables fails the test for each row of a log table any column of
// which holds one of the secrets.
func checkLogTables(t *testing.T, w *duckdb.Warehouse, secrets ...string) {
	t.Helper()
	for _, table := range logTables {
		rows, err := w.DB().Query(fmt.Sprintf(`SELECT CAST(t AS VARCHAR) FROM %s t`, table))
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var row string
			if err := rows.Scan(&row); err != nil {
				t.Fatal(err)
			}
			if s := leaked(row, secrets...); s != "" {
				t.Errorf("%s holds %q: %s", table, s, row)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
}

// A download whose path holds the warehouse password (a directory named
// after it, by mistake or by a script) must not carry it into any log
// column: context_json names the file, the validation log the finding's
// file, meta_batch the matrix. The password is given twice: plain, and
// with characters JSON escapes. (The report names the paths as the caller
// gave them: it is the caller's own input, not a log.)
func TestSecretInDownloadPathNeverReachesLogs(t *testing.T) {
	for name, secret := range map[string]string{"plain": "Kx9vQ2mZr7wPq", "JSON-escaped": "Tr0ub4dor&3xyz<>"} {
		t.Run(name, func(t *testing.T) {
			dsn := "sqlserver://sa:" + url.QueryEscape(secret) + "@db.example:1433?database=genexp"
			var logs bytes.Buffer
			logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			w := openWarehouse(t)
			dir := filepath.Join(t.TempDir(), "downloads-"+secret)
			good := crafted{study: "GSE13", genes: 40, columns: samples("GSM", 3), sheet: samples("GSM", 3)}
			// Every cell missing: an ERROR finding naming the matrix.
			bad := crafted{study: "GSE14", genes: 40, columns: samples("GSN", 3), sheet: samples("GSN", 3), cell: func(g, c int) string { return "NA" }}
			cfg := genexp.DefaultConfig()
			cfg.Quality.MinGenesPerSample = 1
			p, err := genexp.New(w, genexp.WithConfig(cfg), genexp.WithLogger(logger), genexp.WithWarehouseDSN(dsn))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := p.Load(context.Background(), good.write(t, dir), bad.write(t, dir), filepath.Join(dir, "missing"))
			if err != nil {
				t.Fatal(err)
			}
			checkLogTables(t, w, secret)
			// context_json is read as JSON too: an escaped password is the
			// password.
			rows, err := w.DB().Query(`SELECT context_json FROM meta_etl_process_log`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			files := 0
			for rows.Next() {
				var raw string
				if err := rows.Scan(&raw); err != nil {
					t.Fatal(err)
				}
				var ctx map[string]any
				if err := json.Unmarshal([]byte(raw), &ctx); err != nil {
					t.Fatalf("context_json %q: %v", raw, err)
				}
				if s := leaked(fmt.Sprint(ctx), secret); s != "" {
					t.Errorf("context_json holds the password: %s", raw)
				}
				if f, _ := ctx["file"].(string); strings.Contains(f, "downloads-"+qc.Redacted) {
					files++
				}
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if files == 0 {
				t.Error("no context_json names its file (redacted): the test checked nothing")
			}
			if s := leaked(logs.String(), secret); s != "" {
				t.Errorf("slog output holds the password: %s", logs.String())
			}
			if len(rep.Studies) != 2 || !rep.Failed() {
				t.Errorf("the run loaded %d studies (failed %v), want 2 with a failure: the test checked too little", len(rep.Studies), rep.Failed())
			}
		})
	}
}
