package genexp_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// brokenSink is a real DuckDB warehouse whose commit of one study's batch
// fails with err, as a warehouse that can take nothing more fails.
type brokenSink struct {
	*duckdb.Warehouse
	study string
	err   error
}

func (s *brokenSink) Begin(ctx context.Context, req warehouse.BeginRequest) (warehouse.Batch, error) {
	b, err := s.Warehouse.Begin(ctx, req)
	if err != nil || !strings.Contains(req.FileName, s.study) {
		return b, err
	}
	return &brokenBatch{Batch: b, err: s.err}, nil
}

type brokenBatch struct {
	warehouse.Batch
	err error
}

func (b *brokenBatch) Commit(ctx context.Context, _ warehouse.CommitRequest) (warehouse.CommitResult, error) {
	b.Batch.Abort(ctx)
	return warehouse.CommitResult{}, b.err
}

// TestUnusableWarehouseStopsTheRun checks that a study failing because the
// warehouse can take nothing more (invalidated, or its file damaged) stops
// the run there, with an error in the report naming where, instead of
// failing every study after it; a study failing for any other warehouse
// error does not.
func TestUnusableWarehouseStopsTheRun(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cause error
		stops bool
	}{
		{"invalidated", warehouse.ErrInvalidated, true},
		{"damaged", warehouse.ErrDamaged, true},
		{"other", errors.New("connection reset by peer"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := openWarehouse(t)
			err := qc.Wrap(qc.ConnectionFailed, fmt.Errorf("commit: %w", tc.cause), "duckdb")
			sink := &brokenSink{Warehouse: w, study: "GSE31", err: err}
			p, perr := genexp.New(sink)
			if perr != nil {
				t.Fatal(perr)
			}
			dir := t.TempDir()
			var paths []string
			for i, prefix := range []string{"GSM", "GSN", "GSO"} {
				c := crafted{study: fmt.Sprintf("GSE3%d", i), genes: 120, columns: samples(prefix, 3), sheet: samples(prefix, 3)}
				paths = append(paths, c.write(t, dir))
			}
			rep, lerr := p.Load(context.Background(), paths...)
			if lerr != nil {
				t.Fatal(lerr)
			}
			outcome := map[string]string{}
			for _, s := range rep.Studies {
				outcome[s.Study] = fmt.Sprint(s.Outcome)
				if s.Err != nil {
					outcome[s.Study] = "failed"
					if !errors.Is(s.Err, tc.cause) {
						t.Errorf("%s: %v is not %v", s.Study, s.Err, tc.cause)
					}
				}
			}
			want := map[string]string{"GSE30": "new", "GSE31": "failed", "GSE32": "new"}
			if tc.stops {
				delete(want, "GSE32")
			}
			if fmt.Sprint(outcome) != fmt.Sprint(want) {
				t.Errorf("studies %v, want %v", outcome, want)
			}
			stopped := false
			for _, e := range rep.Errors {
				stopped = stopped || (strings.Contains(e.Error(), "run stopped at") && errors.Is(e, tc.cause))
			}
			if stopped != tc.stops {
				t.Errorf("run stopped = %v, want %v (report errors %v)", stopped, tc.stops, rep.Errors)
			}
			if n := count(t, w, `SELECT COUNT(*) FROM meta_batch WHERE is_current`); n != int64(len(want)-1) {
				t.Errorf("%d current batches, want %d", n, len(want)-1)
			}
		})
	}
}
