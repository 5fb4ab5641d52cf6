package duckdb

import (
	"context"
	"sync"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// Rows are staged by a goroutine of the batch, so that DuckDB inserts one
// LongBatch while the caller reads and melts the next: on two cores the
// staging costs little more than the parsing. WriteRows copies the rows
// into one of two buffers and queues them; a full queue makes it wait,
// which bounds memory to two batches. A staging error is returned by the
// next WriteRows, or by Commit.
//
// While the goroutine runs it owns the batch's connection; every other use
// of the connection first drains the queue.

const stageBuffers = 2

// stager stages queued LongBatches on the batch's connection.
type stager struct {
	queue   chan stageItem
	free    chan *expression.LongBatch
	pending sync.WaitGroup
	exited  chan struct{}
	stop    context.CancelFunc // interrupts the statement in flight
	stopped context.Context

	mu  sync.Mutex
	err error
}

type stageItem struct {
	ctx    context.Context
	rows   *expression.LongBatch
	counts []int64 // rows per matrix column
}

// WriteRows implements warehouse.Batch.
func (b *batch) WriteRows(ctx context.Context, req warehouse.RowsRequest) error {
	if b.done {
		return batchEnded()
	}
	lb := req.Rows
	if lb == nil || len(lb.Genes) == 0 && len(lb.Value) == 0 {
		return nil
	}
	if err := b.stageErr(); err != nil {
		return b.w.placeResources(err)
	}
	counts, err := b.check(lb)
	if err != nil {
		return err
	}
	b.geneIDs = append(b.geneIDs, lb.Genes...)
	b.geneLines = append(b.geneLines, lb.GeneLines...)
	if len(lb.Value) == 0 {
		return nil
	}
	if b.stage == nil {
		b.startStager()
	}
	var buf *expression.LongBatch
	select {
	case buf = <-b.stage.free:
	case <-ctx.Done():
		return classify(ctx.Err(), "duckdb: staging rows")
	}
	copyLongBatch(buf, lb)
	b.stage.pending.Add(1)
	b.stage.queue <- stageItem{ctx: ctx, rows: buf, counts: counts}
	return nil
}

func (b *batch) startStager() {
	s := &stager{
		queue:  make(chan stageItem, stageBuffers),
		free:   make(chan *expression.LongBatch, stageBuffers),
		exited: make(chan struct{}),
	}
	s.stopped, s.stop = context.WithCancel(context.Background())
	for range stageBuffers {
		s.free <- &expression.LongBatch{}
	}
	b.stage = s
	go func() {
		defer close(s.exited)
		for it := range s.queue {
			if s.firstErr() == nil {
				if err := b.stageRows(s.stopped, it.ctx, it.rows); err != nil {
					s.setErr(err)
				} else {
					for c, n := range it.counts {
						for _, i := range b.studiesOf[c] {
							b.staged[i] += n
						}
					}
				}
			}
			s.free <- it.rows
			s.pending.Done()
		}
	}()
}

// stageRows inserts the cells of one LongBatch into the temporary table
// through genexp_stage_values, in autocommit. It runs on the stager
// goroutine, the only user of the connection while rows stream.
func (b *batch) stageRows(stopped, ctx context.Context, lb *expression.LongBatch) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(stopped, cancel)()
	token := stageTokens.Add(1)
	stageSources.Store(token, &stageSource{rows: lb})
	defer stageSources.Delete(token)
	if _, err := b.conn.ExecContext(ctx, stmtStageValues, token); err != nil {
		return classify(err, "duckdb: staging values")
	}
	return nil
}

// drain waits until every queued LongBatch is staged and returns the first
// staging error. The connection is the caller's again afterwards.
func (b *batch) drain() error {
	if b.stage == nil {
		return nil
	}
	b.stage.pending.Wait()
	return b.stage.firstErr()
}

// stopStager interrupts staging, waits for the goroutine to exit and
// returns the staging error, if any.
func (b *batch) stopStager() error {
	if b.stage == nil {
		return nil
	}
	b.stage.stop()
	b.stage.pending.Wait()
	close(b.stage.queue)
	<-b.stage.exited
	err := b.stage.firstErr()
	b.stage = nil
	return err
}

func (b *batch) stageErr() error {
	if b.stage == nil {
		return nil
	}
	return b.stage.firstErr()
}

func (s *stager) firstErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *stager) setErr(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = err
	}
}

// copyLongBatch copies the cells of src into dst, reusing dst's storage.
// The gene ids stay behind: WriteRows keeps them for Commit.
func copyLongBatch(dst, src *expression.LongBatch) {
	dst.GeneLines = append(dst.GeneLines[:0], src.GeneLines...)
	dst.Row = append(dst.Row[:0], src.Row...)
	dst.Column = append(dst.Column[:0], src.Column...)
	dst.Value = append(dst.Value[:0], src.Value...)
}

// check verifies that every long row points at a gene of the batch and at
// a matrix column described in BeginRequest, and counts the rows per matrix
// column (a column held by several studies counts in each of them).
func (b *batch) check(lb *expression.LongBatch) ([]int64, error) {
	if err := b.lines.Check(lb); err != nil {
		return nil, err
	}
	for _, l := range lb.GeneLines {
		if l > maxCellLine || l < -maxCellLine-1 {
			return nil, qc.Errorf(qc.ConstraintViolation, "duckdb: gene line %d is out of range (at most %d)", l, int64(maxCellLine))
		}
	}
	counts := make([]int64, len(b.studiesOf))
	for i, c := range lb.Column {
		if c < 0 || int(c) >= len(b.studiesOf) || len(b.studiesOf[c]) == 0 {
			return nil, qc.Errorf(qc.ConstraintViolation, "duckdb: row %d refers to matrix column %d, which the batch did not declare", i, c)
		}
		counts[c]++
	}
	return counts, nil
}
