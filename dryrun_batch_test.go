package genexp_test

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// TestDryRunBatchContract: a dry run's batch fails where warehouse.Batch
// says a warehouse's does, so that a Go program testing its own use of
// the contract on DryRunSink sees the failure a load would meet.
func TestDryRunBatchContract(t *testing.T) {
	cols := []warehouse.Column{{Index: 0, Sample: "S1", Study: "ST"}, {Index: 1, Sample: "S2", Study: "ST"}}
	rows := func(col int32) warehouse.RowsRequest {
		return warehouse.RowsRequest{Rows: &expression.LongBatch{Genes: []string{"g"}, GeneLines: []int64{2},
			Row: []int32{0}, Column: []int32{col}, Value: []float64{1}}}
	}
	commit := warehouse.CommitRequest{FileHash: "h", Studies: []warehouse.StudyCommit{{Study: "ST", BatchID: "b"}}}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		cols []warehouse.Column
		run  func(b warehouse.Batch) error
		want error // matched with errors.Is; nil: any error
	}{
		{"a row of an undescribed column", cols, func(b warehouse.Batch) error { return b.WriteRows(ctx, rows(5)) }, qc.ConstraintViolation},
		{"a negative column", cols, func(b warehouse.Batch) error { return b.WriteRows(ctx, rows(-1)) }, qc.ConstraintViolation},
		{"a study without columns", cols, func(b warehouse.Batch) error {
			_, err := b.Commit(ctx, warehouse.CommitRequest{FileHash: "h", Studies: []warehouse.StudyCommit{{Study: "OTHER", BatchID: "b"}}})
			return err
		}, qc.ConstraintViolation},
		{"a study twice", cols, func(b warehouse.Batch) error {
			_, err := b.Commit(ctx, warehouse.CommitRequest{FileHash: "h", Studies: []warehouse.StudyCommit{{Study: "ST", BatchID: "b"}, {Study: "ST", BatchID: "b"}}})
			return err
		}, qc.ConstraintViolation},
		{"no file hash", cols, func(b warehouse.Batch) error {
			_, err := b.Commit(ctx, warehouse.CommitRequest{Studies: []warehouse.StudyCommit{{Study: "ST", BatchID: "b"}}})
			return err
		}, qc.ConstraintViolation},
		{"no batch id", cols, func(b warehouse.Batch) error {
			_, err := b.Commit(ctx, warehouse.CommitRequest{FileHash: "h", Studies: []warehouse.StudyCommit{{Study: "ST"}}})
			return err
		}, qc.ConstraintViolation},
		{"commit after a failed commit", cols, func(b warehouse.Batch) error {
			if _, err := b.Commit(ctx, warehouse.CommitRequest{FileHash: "h", Studies: []warehouse.StudyCommit{{Study: "OTHER", BatchID: "b"}}}); err == nil {
				return nil // the first must fail: reported as none
			}
			_, err := b.Commit(ctx, commit)
			return err
		}, nil},
		{"a done context at commit", cols, func(b warehouse.Batch) error {
			_, err := b.Commit(cancelled, commit)
			return err
		}, context.Canceled},
		{"rows after commit", cols, func(b warehouse.Batch) error {
			if _, err := b.Commit(ctx, commit); err != nil {
				return nil // not the failure under test: reported as none
			}
			return b.WriteRows(ctx, rows(0))
		}, nil},
		{"commit after abort", cols, func(b warehouse.Batch) error {
			b.Abort(ctx)
			_, err := b.Commit(ctx, commit)
			return err
		}, nil},
		{"dimensions after commit", cols, func(b warehouse.Batch) error {
			if _, err := b.Commit(ctx, commit); err != nil {
				return nil
			}
			return b.UpsertDimensions(ctx, warehouse.DimensionsRequest{})
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := genexp.DryRunSink(nil).Begin(ctx, warehouse.BeginRequest{Columns: tc.cols})
			if err != nil {
				t.Fatal(err)
			}
			err = tc.run(b)
			if err == nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
		})
	}
	for name, bad := range map[string][]warehouse.Column{
		"a column twice for one study": {{Index: 0, Sample: "S1", Study: "ST"}, {Index: 0, Sample: "S2", Study: "ST"}},
		"a sample twice in one study":  {{Index: 0, Sample: "S1", Study: "ST"}, {Index: 1, Sample: "S1", Study: "ST"}},
		"a column of no sample":        {{Index: 0, Study: "ST"}},
		"the widest index":             {{Index: warehouse.MaxColumns, Sample: "S1", Study: "ST"}},
		"an index past any slice":      {{Index: math.MaxInt, Sample: "S1", Study: "ST"}},
	} {
		if _, err := genexp.DryRunSink(nil).Begin(ctx, warehouse.BeginRequest{Columns: bad}); !errors.Is(err, qc.ConstraintViolation) {
			t.Errorf("%s: Begin gave %v, want a ConstraintViolation", name, err)
		}
	}
	// What a dry run is for still works: one study, two columns, a column
	// shared by two studies (a SPECIES matrix's shared sample).
	shared := append(cols, warehouse.Column{Index: 1, Sample: "S2", Study: "ST2"})
	b, err := genexp.DryRunSink(nil).Begin(ctx, warehouse.BeginRequest{Columns: shared})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []int32{0, 1, 1} {
		if err := b.WriteRows(ctx, rows(c)); err != nil {
			t.Fatal(err)
		}
	}
	res, err := b.Commit(ctx, warehouse.CommitRequest{FileHash: "h", Studies: []warehouse.StudyCommit{{Study: "ST", BatchID: "b"}, {Study: "ST2", BatchID: "b2"}}})
	if err != nil || len(res.Studies) != 2 || res.Studies[0].RowsWritten != 3 || res.Studies[1].RowsWritten != 2 || res.Studies[0].Outcome != warehouse.Inserted {
		t.Errorf("commit %+v, %v; want ST new with 3 rows and ST2 with 2", res, err)
	}
	if err := b.Abort(ctx); err != nil {
		t.Errorf("abort after commit: %v", err)
	}
}
