package duckdb

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// TestNewWithoutCurrentSchema: New without AutoMigrate accepts a database
// without genexp's schema, or with an older one, as documented, so that it
// can be read as it is and migrated; every method that writes it or reads
// its logs then refuses with code SchemaVersion and the way to migrate,
// rather than failing on a missing table. After Migrate they work.
func TestNewWithoutCurrentSchema(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		open func(t *testing.T) *Warehouse
		want string
	}{
		{"no schema", func(t *testing.T) *Warehouse {
			w, err := New(openRaw(t, filepath.Join(t.TempDir(), "w.duckdb")), Config{})
			if err != nil {
				t.Fatalf("New on an empty database: %v", err)
			}
			return w
		}, "no genexp schema"},
		{"older schema", func(t *testing.T) *Warehouse {
			return warehouseAt(t, filepath.Join(t.TempDir(), "w.duckdb"), SchemaVersion()-1)
		}, "older than this genexp's"},
	}
	cols := []warehouse.Column{{Index: 0, Sample: "GSM1", Study: "GSE1"}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := tc.open(t)
			st, err := w.Status(ctx, warehouse.StatusRequest{})
			if err != nil || st.SchemaVersion >= SchemaVersion() {
				t.Fatalf("Status = %+v, %v; want the old version reported", st, err)
			}
			step := warehouse.StepRecord{LogID: "l1", RunID: "r1", Study: "GSE1", Step: "load", Status: "RUNNING", StartedAt: time.Now()}
			calls := map[string]func() error{
				"Begin": func() error {
					b, err := w.Begin(ctx, warehouse.BeginRequest{RunID: "r1", FileName: "GSE1.tsv", Columns: cols})
					if err == nil {
						b.Abort(ctx)
					}
					return err
				},
				"LogStep":  func() error { return w.LogStep(ctx, step) },
				"LogSteps": func() error { return w.LogSteps(ctx, []warehouse.StepRecord{step}) },
				"RecordFindings": func() error {
					return w.RecordFindings(ctx, warehouse.FindingsRequest{RunID: "r1",
						Findings: []*qc.Error{{Code: qc.GeneCountLow, Severity: qc.SeverityWarning, Msg: "low"}}})
				},
				"RecordStudyQC": func() error {
					return w.RecordStudyQC(ctx, warehouse.StudyQCRequest{RunID: "r1", Study: "GSE1", BatchID: "b1", Status: warehouse.QCRejected})
				},
				"FailedAttempts": func() error {
					_, err := w.FailedAttempts(ctx, warehouse.AttemptsRequest{Study: "GSE1", RunID: "r1"})
					return err
				},
				"AbortAbandonedSteps": func() error {
					_, err := w.AbortAbandonedSteps(ctx, warehouse.AbortRequest{RunID: "r1", Message: "gone"})
					return err
				},
				"MaterializeFeatures": func() error {
					_, err := w.MaterializeFeatures(ctx, warehouse.FeaturesRequest{RunID: "r1", Study: "GSE1"})
					return err
				},
			}
			for name, call := range calls {
				err := call()
				var e *qc.Error
				if !errors.As(err, &e) || e.Code != qc.SchemaVersion || !strings.Contains(e.Msg, tc.want) ||
					!strings.Contains(e.Msg, "genexp init") || !strings.Contains(e.Msg, "Migrate") {
					t.Errorf("%s = %v; want code SchemaVersion saying %q and how to migrate", name, err, tc.want)
				}
			}
			// Schema 7 migrates on the only connection of the process:
			// close the ones the calls above left idle.
			w.DB().SetMaxIdleConns(0)
			w.DB().SetMaxIdleConns(2)
			if err := w.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if err := calls["LogStep"](); err != nil {
				t.Errorf("LogStep after Migrate: %v", err)
			}
			if err := calls["Begin"](); err != nil {
				t.Errorf("Begin after Migrate: %v", err)
			}
		})
	}
}

// onePoolWarehouse is a migrated warehouse that New made over a pool of one
// connection.
func onePoolWarehouse(t *testing.T) *Warehouse {
	t.Helper()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	w, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	db := openRaw(t, path)
	db.SetMaxOpenConns(1)
	if w, err = New(db, Config{}); err != nil {
		t.Fatal(err)
	}
	return w
}

// TestBeginOnOneConnection: a caller that opens the warehouse with New and
// a pool of one connection, as New's doc suggests for migrations, can load
// into it: Begin checks the schema before its batch takes that connection
// (it used to check after, and wait for a second connection for ever).
func TestBeginOnOneConnection(t *testing.T) {
	w := onePoolWarehouse(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	b, err := w.Begin(ctx, warehouse.BeginRequest{RunID: "r1", FileName: "GSE1.tsv",
		Columns: []warehouse.Column{{Index: 0, Sample: "GSM1", Study: "GSE1"}}})
	if err != nil {
		t.Fatalf("Begin on a pool of one connection: %v", err)
	}
	if err := b.Abort(ctx); err != nil {
		t.Fatal(err)
	}
}

// A step logged while an open Batch holds the only connection of a pool of
// one waits for a connection at most recordTimeout, not for ever: the
// process log is written whatever the run's context says (an interrupted
// run's steps are logged after it ended), so its wait has its own bound.
func TestRecordWaitIsBoundedOnAPoolOfOne(t *testing.T) {
	w := onePoolWarehouse(t)
	ctx := context.Background()
	b, err := w.Begin(ctx, warehouse.BeginRequest{RunID: "r1", FileName: "GSE1.tsv",
		Columns: []warehouse.Column{{Index: 0, Sample: "GSM1", Study: "GSE1"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Abort(ctx)
	old := recordTimeout
	recordTimeout = 200 * time.Millisecond
	defer func() { recordTimeout = old }()
	done := make(chan error, 1)
	go func() {
		done <- w.LogStep(ctx, warehouse.StepRecord{LogID: "l1", RunID: "r1", Step: "extract", Status: "RUNNING", StartedAt: time.Now()})
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("LogStep wrote with the pool's only connection held by the batch")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("LogStep still waiting for a connection after 20 s")
	}
}
