package genexp

import (
	"context"

	"github.com/genexp/genexp/warehouse"
)

// DryRunSink returns a sink that writes nothing anywhere: a Pipeline built
// on it reads, validates and reports every study exactly as a load would,
// and its report says what a load would do. Each study's outcome is decided
// against current, the batches a warehouse holds when the study's matrix
// is read to its end (its Status, read at each commit, so a Pipeline used
// for several runs sees what loads in between did), when current is
// non-nil: duplicate when the study's batch id and load signature
// (warehouse.LoadSignature) are its current ones, replaced when either
// differs, new otherwise. With a nil current every study is new.
// RowsWritten counts the fact rows the load would write. The sink holds no
// state of its own, so concurrent runs on it are safe when current's
// Status is.
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
}

// batches returns each study's current batch, as current holds them now;
// none with a nil current.
func (s *dryRunSink) batches(ctx context.Context) (map[string]warehouse.StudyStatus, error) {
	out := map[string]warehouse.StudyStatus{}
	if s.current == nil {
		return out, nil
	}
	st, err := s.current.Status(ctx, warehouse.StatusRequest{Runs: 1})
	if err != nil {
		return nil, err
	}
	for _, b := range st.Studies {
		out[b.Study] = b
	}
	return out, nil
}

func (s *dryRunSink) Begin(_ context.Context, req warehouse.BeginRequest) (warehouse.Batch, error) {
	b := &dryRunBatch{sink: s, cols: req.Columns}
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
	sink *dryRunSink
	cols []warehouse.Column
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

func (b *dryRunBatch) Commit(ctx context.Context, req warehouse.CommitRequest) (warehouse.CommitResult, error) {
	current, err := b.sink.batches(ctx)
	if err != nil {
		return warehouse.CommitResult{}, err
	}
	var res warehouse.CommitResult
	rows := map[string]int64{} // per study
	for _, c := range b.cols {
		rows[c.Study] += b.perColumn[c.Index]
	}
	for _, s := range req.Studies {
		cur := current[s.Study]
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
