package genexp_test

import (
	"context"
	"errors"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// resultSink is a real DuckDB warehouse whose commit results are rewritten
// as a custom sink might get them wrong.
type resultSink struct {
	warehouse.WarehouseSink
	rewrite func(warehouse.CommitResult) warehouse.CommitResult
}

func (s *resultSink) Begin(ctx context.Context, req warehouse.BeginRequest) (warehouse.Batch, error) {
	b, err := s.WarehouseSink.Begin(ctx, req)
	if err != nil {
		return nil, err
	}
	return &resultBatch{Batch: b, rewrite: s.rewrite}, nil
}

type resultBatch struct {
	warehouse.Batch
	rewrite func(warehouse.CommitResult) warehouse.CommitResult
}

func (b *resultBatch) Commit(ctx context.Context, req warehouse.CommitRequest) (warehouse.CommitResult, error) {
	res, err := b.Batch.Commit(ctx, req)
	return b.rewrite(res), err
}

// TestSinkCommitResultChecked: a sink whose commit result leaves out a
// study, names another, or gives no outcome or one of no kind fails the study with code
// 4004; it used to leave the study reported neither loaded nor failed, or
// to panic on a study it was not given.
func TestSinkCommitResultChecked(t *testing.T) {
	for name, rewrite := range map[string]func(warehouse.CommitResult) warehouse.CommitResult{
		"nothing": func(warehouse.CommitResult) warehouse.CommitResult { return warehouse.CommitResult{} },
		"another study": func(r warehouse.CommitResult) warehouse.CommitResult {
			r.Studies[0].Study = "gse71270"
			return r
		},
		"no outcome": func(r warehouse.CommitResult) warehouse.CommitResult {
			r.Studies[0].Outcome = ""
			return r
		},
		"an outcome of no kind": func(r warehouse.CommitResult) warehouse.CommitResult {
			r.Studies[0].Outcome = "weird"
			return r
		},
		"twice": func(r warehouse.CommitResult) warehouse.CommitResult {
			r.Studies = append(r.Studies, r.Studies[0])
			return r
		},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := genexp.New(&resultSink{WarehouseSink: openWarehouse(t), rewrite: rewrite})
			if err != nil {
				t.Fatal(err)
			}
			rep, err := p.Load(context.Background(), "testdata/refinebio/quickstart/GSE71270")
			if err != nil {
				t.Fatal(err)
			}
			if !rep.Failed() || len(rep.Studies) != 1 || !errors.Is(rep.Studies[0].Err, qc.ConstraintViolation) {
				t.Errorf("want GSE71270 failed with 4004: %+v", rep.Studies)
			}
		})
	}
}
