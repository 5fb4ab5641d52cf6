package genexp_test

import (
	"context"
	"errors"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// slowSink is a real DuckDB warehouse whose batches wait, at their first
// rows, until the run's context ends.
type slowSink struct{ warehouse.WarehouseSink }

func (s slowSink) Begin(ctx context.Context, req warehouse.BeginRequest) (warehouse.Batch, error) {
	b, err := s.WarehouseSink.Begin(ctx, req)
	if err != nil {
		return nil, err
	}
	return slowBatch{b}, nil
}

type slowBatch struct{ warehouse.Batch }

func (slowBatch) WriteRows(ctx context.Context, _ warehouse.RowsRequest) error {
	<-ctx.Done()
	return ctx.Err()
}

// TestRunTimeoutIsTimedOut: a run processing.timeout_seconds ends returns a
// *qc.Error of code TimedOut (still context.DeadlineExceeded to errors.Is),
// so a program tells it from its own deadline; it returned the bare
// context error.
func TestRunTimeoutIsTimedOut(t *testing.T) {
	cfg := genexp.DefaultConfig()
	cfg.Processing.TimeoutSeconds = 1
	p, err := genexp.New(slowSink{openWarehouse(t)}, genexp.WithConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Load(context.Background(), "testdata/refinebio/quickstart/GSE71270")
	var e *qc.Error
	if !errors.As(err, &e) || e.Code != qc.TimedOut || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want TimedOut wrapping context.DeadlineExceeded", err)
	}
	// The study it cut short says so in code too: its error was the
	// driver's uncoded words for a cancelled statement.
	if len(rep.Studies) != 1 || !errors.Is(rep.Studies[0].Err, qc.TimedOut) || !errors.Is(rep.Studies[0].Err, context.DeadlineExceeded) {
		t.Errorf("studies %+v, want one whose error is TimedOut and a deadline", rep.Studies)
	}

	// The caller's own deadline is its own error.
	ctx, cancel := context.WithTimeout(context.Background(), 1)
	defer cancel()
	p, err = genexp.New(slowSink{openWarehouse(t)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err = p.Load(ctx, "testdata/refinebio/quickstart/GSE71270"); err != context.DeadlineExceeded {
		t.Errorf("caller's deadline: err = %v, want context.DeadlineExceeded itself", err)
	}
}

// slowFeatures is a real DuckDB warehouse whose feature computations wait
// until the run's context ends.
type slowFeatures struct{ *duckdb.Warehouse }

func (s slowFeatures) MaterializeFeatures(ctx context.Context, _ warehouse.FeaturesRequest) (warehouse.FeaturesResult, error) {
	<-ctx.Done()
	return warehouse.FeaturesResult{}, ctx.Err()
}

// TestRunTimeoutDuringFeatures: a study whose features the run's timeout
// stopped keeps its facts, and its error still says the deadline passed
// (context.DeadlineExceeded), which the CLI turns into a 4007 and exit 1;
// the timeout's cause, set on the run's context, hid it.
func TestRunTimeoutDuringFeatures(t *testing.T) {
	cfg := genexp.DefaultConfig()
	// long enough for the load to commit first on a machine busy with
	// other tests
	cfg.Processing.TimeoutSeconds = 5
	p, err := genexp.New(slowFeatures{openWarehouse(t)}, genexp.WithConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Load(context.Background(), "testdata/refinebio/quickstart/GSE71270")
	if !errors.Is(err, qc.TimedOut) {
		t.Errorf("Load: %v, want TimedOut", err)
	}
	if len(rep.Studies) != 1 || rep.Studies[0].Outcome != warehouse.Inserted || !errors.Is(rep.Studies[0].Err, context.DeadlineExceeded) {
		t.Errorf("want GSE71270 loaded, its features stopped by the deadline: %+v", rep.Studies)
	}
}
