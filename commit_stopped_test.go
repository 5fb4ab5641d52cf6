package genexp_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/warehouse"
)

// stopSink stops the run during its first WriteRows, or while the
// dimensions are sent, and commits whatever the context says, as a custom
// sink that never looks at it would.
type stopSink struct {
	warehouse.WarehouseSink
	stop   func()
	inDims bool

	mu        sync.Mutex
	committed bool
}

func (s *stopSink) Begin(ctx context.Context, req warehouse.BeginRequest) (warehouse.Batch, error) {
	b, err := s.WarehouseSink.Begin(ctx, req)
	if err != nil {
		return nil, err
	}
	return &stopBatch{Batch: b, sink: s}, nil
}

type stopBatch struct {
	warehouse.Batch
	sink *stopSink
}

func (b *stopBatch) WriteRows(ctx context.Context, req warehouse.RowsRequest) error {
	if !b.sink.inDims {
		b.sink.stop()
	}
	return b.Batch.WriteRows(ctx, req)
}

func (b *stopBatch) UpsertDimensions(ctx context.Context, req warehouse.DimensionsRequest) error {
	if b.sink.inDims {
		b.sink.stop()
	}
	return b.Batch.UpsertDimensions(context.Background(), req)
}

func (b *stopBatch) Commit(_ context.Context, req warehouse.CommitRequest) (warehouse.CommitResult, error) {
	b.sink.mu.Lock()
	b.sink.committed = true
	b.sink.mu.Unlock()
	return b.Batch.Commit(context.Background(), req)
}

// A run stopped after its last rows were staged does not commit them: the
// pipeline, not only the sink, checks the context before the commit. It
// used to commit through a sink that ignores the context, and to report
// the study new while Load returned context.Canceled.
func TestStoppedRunDoesNotCommit(t *testing.T) {
	for _, inDims := range []bool{false, true} {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		sink := &stopSink{WarehouseSink: genexp.DryRunSink(nil), stop: cancel, inDims: inDims}
		p, err := genexp.New(sink)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := p.Load(ctx, "testdata/refinebio/quickstart/GSE71270")
		if !errors.Is(err, context.Canceled) {
			t.Errorf("stopped in the dimensions %v: Load: %v, want context.Canceled", inDims, err)
		}
		if sink.committed {
			t.Errorf("stopped in the dimensions %v: the stopped run committed its batch", inDims)
		}
		if len(rep.Studies) != 1 || rep.Studies[0].Outcome != "" || !errors.Is(rep.Studies[0].Err, context.Canceled) {
			t.Errorf("stopped in the dimensions %v: want GSE71270 stopped, not loaded: %+v", inDims, rep.Studies)
		}
	}
}
