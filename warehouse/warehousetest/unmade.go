package warehousetest

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// RunUnmade checks that a sink its constructor did not make (a nil pointer
// or a zero struct of the backend's type, passed as sink) refuses every
// method that would reach a database with code qc.ConfigInvalid instead of
// panicking, and that Close, and EndRun where the sink has it, do nothing.
// It needs no database, so it runs where a backend's server cannot: a
// backend's test calls it with both forms, e.g.
//
//	warehousetest.RunUnmade(t, (*duckdb.Warehouse)(nil))
//	warehousetest.RunUnmade(t, &duckdb.Warehouse{})
//
// Beyond the sink interfaces it checks the methods Version() (int, error),
// Migrate(ctx) error and ReadQuery(ctx, query, read) error when the sink
// has them, as both genexp backends do.
func RunUnmade(t *testing.T, sink warehouse.WarehouseSink) {
	t.Helper()
	ctx := context.Background()
	type call struct {
		name string
		run  func() error
	}
	calls := []call{
		{"Begin", func() error {
			_, err := sink.Begin(ctx, warehouse.BeginRequest{RunID: "r", FileName: "f.tsv"})
			return err
		}},
		{"LogStep", func() error { return sink.LogStep(ctx, warehouse.StepRecord{RunID: "r", Study: "GSE1"}) }},
		{"RecordFindings", func() error { return sink.RecordFindings(ctx, warehouse.FindingsRequest{RunID: "r"}) }},
	}
	if s, ok := sink.(warehouse.StepsLogger); ok {
		calls = append(calls, call{"LogSteps", func() error {
			return s.LogSteps(ctx, []warehouse.StepRecord{{RunID: "r", Study: "GSE1"}})
		}})
	}
	if s, ok := sink.(warehouse.QCRecorder); ok {
		calls = append(calls, call{"RecordStudyQC", func() error {
			return s.RecordStudyQC(ctx, warehouse.StudyQCRequest{RunID: "r", Study: "GSE1", BatchID: "b"})
		}})
	}
	if s, ok := sink.(warehouse.FeatureMaterializer); ok {
		calls = append(calls, call{"MaterializeFeatures", func() error {
			_, err := s.MaterializeFeatures(ctx, warehouse.FeaturesRequest{Study: "GSE1"})
			return err
		}})
	}
	if s, ok := sink.(warehouse.AttemptCounter); ok {
		calls = append(calls, call{"FailedAttempts", func() error {
			_, err := s.FailedAttempts(ctx, warehouse.AttemptsRequest{Study: "GSE1", RunID: "r"})
			return err
		}})
	}
	if s, ok := sink.(warehouse.StepAborter); ok {
		calls = append(calls, call{"AbortAbandonedSteps", func() error {
			_, err := s.AbortAbandonedSteps(ctx, warehouse.AbortRequest{RunID: "r"})
			return err
		}})
	}
	if s, ok := sink.(warehouse.HealthChecker); ok {
		calls = append(calls, call{"Health", func() error { _, err := s.Health(ctx, warehouse.HealthRequest{}); return err }})
	}
	if s, ok := sink.(warehouse.Statuser); ok {
		calls = append(calls, call{"Status", func() error { _, err := s.Status(ctx, warehouse.StatusRequest{}); return err }})
	}
	if s, ok := sink.(interface {
		Version(context.Context) (int, error)
	}); ok {
		calls = append(calls, call{"Version", func() error { _, err := s.Version(ctx); return err }})
	}
	if s, ok := sink.(interface{ Migrate(context.Context) error }); ok {
		calls = append(calls, call{"Migrate", func() error { return s.Migrate(ctx) }})
	}
	if s, ok := sink.(interface {
		ReadQuery(context.Context, string, func(*sql.Rows) error) error
	}); ok {
		calls = append(calls, call{"ReadQuery", func() error {
			return s.ReadQuery(ctx, "SELECT 1", func(*sql.Rows) error { return nil })
		}})
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			err := noPanic(t, c.run)
			if !errors.Is(err, qc.ConfigInvalid) {
				t.Errorf("%s on a %T its constructor did not make: %v, want code ConfigInvalid", c.name, sink, err)
			}
		})
	}
	t.Run("Close", func(t *testing.T) {
		if e, ok := sink.(warehouse.RunEnder); ok {
			noPanic(t, func() error { e.EndRun("r"); return nil })
		}
		if err := noPanic(t, sink.Close); err != nil {
			t.Errorf("Close of a %T its constructor did not make: %v, want nil", sink, err)
		}
	})
}

// noPanic runs f, failing the test (not the whole binary) if it panics.
func noPanic(t *testing.T, f func() error) (err error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Errorf("panicked: %v", p)
			err = nil
		}
	}()
	return f()
}
