package genexp

import (
	"context"
	"errors"
	"sync"

	"github.com/genexp/genexp/qc"
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
// RowsWritten counts the fact rows the load would write. Its batches hold
// to warehouse.Batch as a warehouse's do: a repeated column, a row of a
// column the batch does not describe, a study committed without columns or
// twice, a Commit whose context is done, and any call after the batch
// ended fail. Concurrent runs on the sink are safe when current's Status
// is.
//
// `genexp validate` runs on DryRunSink(nil); `genexp load --dry-run` on a
// DryRunSink of the warehouse opened read-only.
//
// It is also a base for a sink of one's own that keeps what it is given
// elsewhere (a file, a queue): a struct embedding DryRunSink(nil) as its
// warehouse.WarehouseSink whose Begin wraps the batch it returns, with
// WriteRows and Commit of its own that call the embedded batch's, gets
// these checks and RowsWritten from it. Such a sink computes no features
// (it is no warehouse.FeatureMaterializer): run it with
// Config.Analytics.Enabled false, or each run ends with a
// MaterializationFailed WARNING saying that the analytics step was
// skipped. DryRunSink itself, which commits nothing, runs no analytics
// step and raises no such warning.
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
	// The checks a warehouse makes of the columns, so that a dry run
	// fails where a load would.
	if err := warehouse.CheckColumns(req.Columns, warehouse.MaxColumns); err != nil {
		return nil, err
	}
	b := &dryRunBatch{cols: req.Columns, studies: map[string]bool{}}
	for _, c := range req.Columns {
		b.studies[c.Study] = true
		if c.Index >= len(b.perColumn) {
			b.perColumn = append(b.perColumn, make([]int64, c.Index+1-len(b.perColumn))...)
			b.declared = append(b.declared, make([]bool, c.Index+1-len(b.declared))...)
		}
		b.declared[c.Index] = true
	}
	current, err := s.batchesOf(ctx, req.RunID)
	if err != nil {
		return nil, err
	}
	b.current = current
	return b, nil
}

func (s *dryRunSink) LogStep(context.Context, warehouse.StepRecord) error             { return nil }
func (s *dryRunSink) RecordFindings(context.Context, warehouse.FindingsRequest) error { return nil }
func (s *dryRunSink) Close() error                                                    { return nil }

// errDryRunEnded is the error of a call on a dry run's batch after its
// Commit or Abort, as a warehouse's batch gives one.
var errDryRunEnded = errors.New("dry run: the batch has already been committed or aborted")

// dryRunEnded is ConstraintViolation wrapping errDryRunEnded, as a
// warehouse refuses a call on an ended batch.
func dryRunEnded() error {
	return &qc.Error{Code: qc.ConstraintViolation, Severity: qc.SeverityError, Err: errDryRunEnded}
}

type dryRunBatch struct {
	current map[string]warehouse.StudyStatus // read only
	cols    []warehouse.Column
	studies map[string]bool // the studies cols describe
	// perColumn counts the rows written per matrix column; Commit sums
	// them per study, so WriteRows does no map lookup per cell. declared
	// says which matrix columns cols describes.
	perColumn []int64
	declared  []bool
	ended     bool
}

func (b *dryRunBatch) UpsertDimensions(context.Context, warehouse.DimensionsRequest) error {
	if b.ended {
		return dryRunEnded()
	}
	return nil
}

func (b *dryRunBatch) WriteRows(_ context.Context, req warehouse.RowsRequest) error {
	if b.ended {
		return dryRunEnded()
	}
	if req.Rows == nil {
		return nil
	}
	for _, c := range req.Rows.Column {
		if c < 0 || int(c) >= len(b.declared) || !b.declared[c] {
			return qc.Errorf(qc.ConstraintViolation, "dry run: a row of matrix column %d, which the batch's columns do not describe", c)
		}
		b.perColumn[c]++
	}
	return nil
}

func (b *dryRunBatch) Commit(ctx context.Context, req warehouse.CommitRequest) (warehouse.CommitResult, error) {
	if b.ended {
		return warehouse.CommitResult{}, dryRunEnded()
	}
	// A failed Commit ends the batch, as a warehouse's aborts it.
	b.ended = true
	if err := ctx.Err(); err != nil {
		return warehouse.CommitResult{}, err
	}
	if err := warehouse.CheckCommit(req, "the batch", func(study string) bool { return b.studies[study] }); err != nil {
		return warehouse.CommitResult{}, err
	}
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

// Abort ends the batch; after Commit it is a no-op.
func (b *dryRunBatch) Abort(context.Context) error {
	b.ended = true
	return nil
}
