package genexp_test

import (
	"context"
	"errors"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
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
	_, err = p.Load(context.Background(), "testdata/refinebio/quickstart/GSE71270")
	var e *qc.Error
	if !errors.As(err, &e) || e.Code != qc.TimedOut || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want TimedOut wrapping context.DeadlineExceeded", err)
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
