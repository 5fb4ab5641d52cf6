package genexp

import (
	"context"
	"sync"

	"github.com/genexp/genexp/warehouse"
)

// DryRunSink returns a sink that writes nothing anywhere: a Pipeline built
// on it reads, validates and reports every study exactly as a load would,
// and its report says what a load would do. Each study's outcome is decided
// against current, the batches a warehouse holds (its Status, read once
// per run, BeginRequest.RunID, at the run's first matrix, so a Pipeline
// used for several runs sees what loads in between did), when current is
// non-nil: duplicate when the study's batch id and load signature
// (warehouse.LoadSignature) are its current ones, replaced when either
// differs, new otherwise. With a nil current every study is new.
// RowsWritten counts the fact rows the load would write. Concurrent runs
// on the sink are safe when current's Status is.
//
// `genexp validate` runs on DryRunSink(nil); `genexp load --dry-run` on a
// DryRunSink of the warehouse opened read-only.
//
// A current that is an interface holding a nil pointer counts as nil.
func DryRunSink(current warehouse.Statuser) warehouse.WarehouseSink {
	if isNil(current) {
		current = nil
	}
	return &dryRunSink{current: current}
}

type dryRunSink struct {
	current warehouse.Statuser

	mu      sync.Mutex
	run     string                           // the run whose view batches is
	batches map[string]warehouse.StudyStatus // study → its current batch
}

// batchesOf returns each study's current batch as run sees them: read from
// current at the run's first call, then kept for its other matrices (one
// Status a matrix would cost a scan of the warehouse's catalog each time);
// none with a nil current. Runs taking turns read it again, and so does
// every batch begun with no run id (a Pipeline always gives one).
func (s *dryRunSink) batchesOf(ctx context.Context, run string) (map[string]warehouse.StudyStatus, error) {
	if s.current == nil {
		return nil, nil
	}
	s.mu.Lock()
	cached, ok := s.batches, s.batches != nil && s.run == run && run != ""
	s.mu.Unlock()
	if ok {
		return cached, nil
	}
	st, err := s.current.Status(ctx, warehouse.StatusRequest{Runs: 1})
	if err != nil {
		return nil, err
	}
	out := map[string]warehouse.StudyStatus{}
	for _, b := range st.Studies {
		out[b.Study] = b
	}
	s.mu.Lock()
	s.run, s.batches = run, out
	s.mu.Unlock()
	return out, nil
}

func (s *dryRunSink) Begin(ctx context.Context, req warehouse.BeginRequest) (warehouse.Batch, error) {
	current, err := s.batchesOf(ctx, req.RunID)
	if err != nil {
		return nil, err
	}
	b := &dryRunBatch{current: current, cols: req.Columns}
	for _, c := range req.Columns {
		if c.Index >= len(b.perColumn) {
			b.perColumn = append(b.perColumn, make([]int64, c.Index+1-len(b.perColumn))...)
		}
	}
	return b, nil
}

func (s *dryRunSink) LogStep(context.Context, warehouse.StepRecord) error             { return nil }
func (s *dryRunSink) RecordFindings(context.Context, warehouse.FindingsRequest) error { return nil }
func (s *dryRunSink) Close() error                                                    { return nil }

type dryRunBatch struct {
	current map[string]warehouse.StudyStatus // read only
	cols    []warehouse.Column
	// perColumn counts the rows written per matrix column; Commit sums
	// them per study, so WriteRows does no map lookup per cell.
	perColumn []int64
}

func (b *dryRunBatch) UpsertDimensions(context.Context, warehouse.DimensionsRequest) error {
	return nil
}

func (b *dryRunBatch) WriteRows(_ context.Context, req warehouse.RowsRequest) error {
	for _, c := range req.Rows.Column {
		if int(c) < len(b.perColumn) {
			b.perColumn[c]++
		}
	}
	return nil
}

func (b *dryRunBatch) Commit(_ context.Context, req warehouse.CommitRequest) (warehouse.CommitResult, error) {
	var res warehouse.CommitResult
	rows := map[string]int64{} // per study
	for _, c := range b.cols {
		rows[c.Study] += b.perColumn[c.Index]
	}
	for _, s := range req.Studies {
		cur := b.current[s.Study]
		r := warehouse.StudyResult{Study: s.Study, BatchID: s.BatchID, PreviousBatchID: cur.BatchID}
		switch {
		case cur.BatchID == s.BatchID && cur.LoadSignature == warehouse.LoadSignature(s.Study, b.cols, rows[s.Study]):
			r.Outcome = warehouse.Duplicate
		case cur.BatchID == "":
			r.Outcome, r.RowsWritten = warehouse.Inserted, rows[s.Study]
		default:
			r.Outcome, r.RowsWritten = warehouse.Replaced, rows[s.Study]
		}
		res.Studies = append(res.Studies, r)
	}
	return res, nil
}

func (b *dryRunBatch) Abort(context.Context) error { return nil }
