package expression_test

import (
	"math"
	"strings"
	"testing"

	"github.com/genexp/genexp/expression"
)

func TestColumnMelter(t *testing.T) {
	nan := math.NaN()
	src := &expression.WideBatch{
		Header: &expression.Header{GeneColumn: "Gene", Names: []string{"A", "B", "C"}},
		Genes:  []string{"G1", "G2"},
		Lines:  []int64{2, 4},
		Values: []float64{1, nan, 3, nan, 5, 6},
	}
	type cell struct {
		gene string
		line int64
		col  int32
		v    float64
	}
	cases := []struct {
		name   string
		melter expression.ColumnMelter
		want   []cell
	}{
		{"all columns, skip missing", expression.ColumnMelter{},
			[]cell{{"G1", 2, 0, 1}, {"G1", 2, 2, 3}, {"G2", 4, 1, 5}, {"G2", 4, 2, 6}}},
		{"all columns, keep missing", expression.ColumnMelter{Missing: expression.KeepMissing},
			[]cell{{"G1", 2, 0, 1}, {"G1", 2, 1, nan}, {"G1", 2, 2, 3}, {"G2", 4, 0, nan}, {"G2", 4, 1, 5}, {"G2", 4, 2, 6}}},
		{"selected columns in their order", expression.ColumnMelter{Columns: []int{2, 0}},
			[]cell{{"G1", 2, 2, 3}, {"G1", 2, 0, 1}, {"G2", 4, 2, 6}}},
		{"selected columns, keep missing", expression.ColumnMelter{Columns: []int{1}, Missing: expression.KeepMissing},
			[]cell{{"G1", 2, 1, nan}, {"G2", 4, 1, 5}}},
		{"no columns", expression.ColumnMelter{Columns: []int{}}, nil},
	}
	// One LongBatch for every case: Melt must replace, never append to, what
	// the previous call left.
	var dst expression.LongBatch
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.melter.Melt(&dst, src)
			if dst.Len() != len(tc.want) || len(dst.Row) != len(tc.want) || len(dst.Column) != len(tc.want) {
				t.Fatalf("%d rows, want %d", dst.Len(), len(tc.want))
			}
			if strings.Join(dst.Genes, ",") != "G1,G2" || dst.GeneLines[1] != 4 {
				t.Fatalf("genes %v lines %v", dst.Genes, dst.GeneLines)
			}
			for i, w := range tc.want {
				got := cell{dst.Gene(i), dst.Line(i), dst.Column[i], dst.Value[i]}
				if got.gene != w.gene || got.line != w.line || got.col != w.col ||
					(got.v != w.v && !(math.IsNaN(got.v) && math.IsNaN(w.v))) {
					t.Errorf("row %d: %+v, want %+v", i, got, w)
				}
			}
		})
	}
}

// TestReaderBatches checks that batches bound memory as configured and
// together deliver every row once, in order.
func TestReaderBatches(t *testing.T) {
	var b strings.Builder
	b.WriteString("Gene\tA\tB\tC\n")
	for i := range 100 {
		b.WriteString("G")
		b.WriteString(strings.Repeat("x", i))
		b.WriteString("\t1\t2\t3\n")
	}
	for _, tc := range []struct {
		name    string
		opt     expression.Option
		maxRows int
	}{
		{"by cells", expression.WithBatchCells(30), 10},
		{"fewer cells than a row", expression.WithBatchCells(1), 1},
		{"by rows", expression.WithBatchRows(7), 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := expression.NewReader(strings.NewReader(b.String()), tc.opt, expression.WithBufferSize(64))
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for r.Next() {
				wb := r.Batch()
				if wb.Len() == 0 || wb.Len() > tc.maxRows || len(wb.Values) != wb.Len()*3 {
					t.Fatalf("batch of %d rows, %d values", wb.Len(), len(wb.Values))
				}
				for i, g := range wb.Genes {
					if g != "G"+strings.Repeat("x", n) || wb.Lines[i] != int64(n+2) {
						t.Fatalf("row %d: %q line %d", n, g, wb.Lines[i])
					}
					n++
				}
			}
			if r.Err() != nil || n != 100 {
				t.Fatalf("%d rows, err %v", n, r.Err())
			}
		})
	}
}

// TestReaderLargeBatchRows asks for batches larger than the storage the
// reader starts with: the batch grows as rows arrive.
func TestReaderLargeBatchRows(t *testing.T) {
	const cols, rows = 50_000, 30
	var b strings.Builder
	b.WriteString("Gene")
	for i := range cols {
		b.WriteString("\tS")
		b.WriteString(strings.Repeat("i", i%3+1))
	}
	for r := range rows {
		b.WriteString("\nG")
		b.WriteString(strings.Repeat("r", r+1))
		for range cols {
			b.WriteString("\t1")
		}
	}
	r, err := expression.NewReader(strings.NewReader(b.String()), expression.WithBatchRows(1<<30))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Next() || r.Batch().Len() != rows || len(r.Batch().Values) != rows*cols || r.Next() || r.Err() != nil {
		t.Fatalf("want one batch of %d rows; err %v", rows, r.Err())
	}
}
