package warehouse_test

import (
	"errors"
	"testing"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

func TestRowsChecker(t *testing.T) {
	batch := func(lines ...int64) *expression.LongBatch {
		lb := &expression.LongBatch{}
		for i, l := range lines {
			lb.Genes = append(lb.Genes, string(rune('A'+i)))
			lb.GeneLines = append(lb.GeneLines, l)
			lb.Row = append(lb.Row, int32(i))
			lb.Column = append(lb.Column, 0)
			lb.Value = append(lb.Value, float64(l))
		}
		return lb
	}
	bad := batch(2)
	bad.Row[0] = 1
	short := batch(2, 3)
	short.GeneLines = short.GeneLines[:1]
	for _, tc := range []struct {
		name    string
		batches []*expression.LongBatch
		ok      int // batches accepted before the first refused; len(batches) if none is
	}{
		{"increasing across batches", []*expression.LongBatch{batch(2, 3), batch(5, 9)}, 2},
		{"gaps and empty batches", []*expression.LongBatch{batch(), batch(2), batch(), batch(1000)}, 4},
		{"a later batch starts again", []*expression.LongBatch{batch(2, 3), batch(2, 3)}, 1},
		{"a later batch repeats the last line", []*expression.LongBatch{batch(2, 3), batch(3, 4)}, 1},
		{"a line repeated within a batch", []*expression.LongBatch{batch(2, 2)}, 0},
		{"lines going down within a batch", []*expression.LongBatch{batch(4, 3)}, 0},
		{"a row of no gene", []*expression.LongBatch{bad}, 0},
		{"fewer lines than genes", []*expression.LongBatch{short}, 0},
		{"no rows", []*expression.LongBatch{nil}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c warehouse.RowsChecker
			for i, b := range tc.batches {
				err := c.Check(b)
				switch {
				case i < tc.ok && err != nil:
					t.Fatalf("batch %d refused: %v", i, err)
				case i == tc.ok && !errors.Is(err, qc.ConstraintViolation):
					t.Fatalf("batch %d: got %v, want code %d", i, err, qc.ConstraintViolation)
				case i == tc.ok:
					return
				}
			}
		})
	}
}

// A refused batch does not move the checker on: the next batch is checked
// against the last one accepted.
func TestRowsCheckerKeepsLastAccepted(t *testing.T) {
	var c warehouse.RowsChecker
	mk := func(l int64) *expression.LongBatch {
		return &expression.LongBatch{Genes: []string{"g"}, GeneLines: []int64{l}, Row: []int32{0}, Column: []int32{0}, Value: []float64{1}}
	}
	if err := c.Check(mk(10)); err != nil {
		t.Fatal(err)
	}
	if err := c.Check(&expression.LongBatch{Genes: []string{"a", "b"}, GeneLines: []int64{11, 11}, Row: []int32{0}, Column: []int32{0}, Value: []float64{1}}); err == nil {
		t.Fatal("a repeated line passed")
	}
	if err := c.Check(mk(11)); err != nil {
		t.Fatalf("line 11 after the last accepted line 10: %v", err)
	}
}
