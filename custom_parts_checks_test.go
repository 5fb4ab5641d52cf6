package genexp_test

import (
	"errors"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// editedBatches is a MatrixReader over expression.Reader that lets edit
// change each batch (n counts them from 0) before the pipeline sees it.
type editedBatches struct {
	bareReader
	n    int
	edit func(n int, b *expression.WideBatch) *expression.WideBatch
}

func (e *editedBatches) Next() bool {
	ok := e.bareReader.Next()
	if ok {
		e.n++
	}
	return ok
}

func (e *editedBatches) Batch() *expression.WideBatch { return e.edit(e.n-1, e.r.Batch()) }

// melterFunc is a Melter from a function.
type melterFunc func(dst *expression.LongBatch, src *expression.WideBatch)

func (f melterFunc) Melt(dst *expression.LongBatch, src *expression.WideBatch) { f(dst, src) }

// TestCustomPartsChecked: what a reader or a melter of a Go program gives
// the pipeline is held to what expression.Reader and ColumnMelter
// guarantee, so that a mistake of theirs fails the study with a coded
// error and writes nothing, never a panic or a fact the warehouse cannot
// use (an infinite value breaks the cohort view's variances; a renamed
// gene or a cell given twice is a fact of no cell of the matrix).
func TestCustomPartsChecked(t *testing.T) {
	edited := func(edit func(n int, b *expression.WideBatch) *expression.WideBatch) genexp.Option {
		return genexp.WithMatrixReader(func(r io.Reader, name string) (expression.MatrixReader, error) {
			er, err := expression.NewReader(r, expression.WithName(name), expression.WithBatchRows(100))
			return &editedBatches{bareReader: bareReader{er}, edit: edit}, err
		})
	}
	// setCell sets the value of row 5, column 3 of the second batch.
	setCell := func(v float64) genexp.Option {
		return edited(func(n int, b *expression.WideBatch) *expression.WideBatch {
			if n == 1 {
				b.Values[5*len(b.Header.Names)+3] = v
			}
			return b
		})
	}
	melted := func(after func(dst *expression.LongBatch)) genexp.Option {
		return genexp.WithMelter(melterFunc(func(dst *expression.LongBatch, src *expression.WideBatch) {
			expression.ColumnMelter{}.Melt(dst, src)
			after(dst)
		}))
	}
	for _, tc := range []struct {
		name      string
		opt       genexp.Option
		code      qc.Code
		line, col int64 // 0: not checked
		msg       string
	}{
		{"no first batch", edited(func(int, *expression.WideBatch) *expression.WideBatch { return nil }),
			qc.InvalidFormat, 1, 0, "no batch after its first Next"},
		{"a typed nil reader", genexp.WithMatrixReader(func(io.Reader, string) (expression.MatrixReader, error) {
			var r *expression.Reader
			return r, nil
		}), qc.InvalidFormat, 0, 0, "returned no reader and no error"},
		{"an infinite value", setCell(math.Inf(1)), qc.ParseError, 107, 5, "values must be finite"},
		{"a value beyond 1e100", setCell(-1e300), qc.ParseError, 107, 5, "values must be finite"},
		{"a gene id with a blank", edited(func(n int, b *expression.WideBatch) *expression.WideBatch {
			if n == 0 {
				b.Genes[2] += " "
			}
			return b
		}), qc.ParseError, 4, 1, "ends with a space"},
		{"a melter renaming a gene", melted(func(dst *expression.LongBatch) {
			dst.Genes = append([]string(nil), dst.Genes...)
			dst.Genes[0] = "NOT_IN_MATRIX"
		}), qc.DimensionLookupFailed, 0, 0, `gene "NOT_IN_MATRIX" at line 2, which is not a gene of the batch`},
		{"a melter listing a gene twice", melted(func(dst *expression.LongBatch) {
			dst.Genes = append(dst.Genes, dst.Genes[0])
			dst.GeneLines = append(dst.GeneLines, dst.GeneLines[0])
		}), qc.DimensionLookupFailed, 0, 0, "twice among its genes"},
		{"a melter giving a cell twice", melted(func(dst *expression.LongBatch) {
			dst.Row = append(dst.Row, dst.Row[0])
			dst.Column = append(dst.Column, dst.Column[0])
			dst.Value = append(dst.Value, 42)
		}), qc.DimensionLookupFailed, 0, 0, "two long rows of gene"},
		{"a ColumnMelter keeping a column the matrix lacks", genexp.WithMelter(expression.ColumnMelter{Columns: []int{0, 99}}),
			qc.DimensionLookupFailed, 0, 0, "keeps sample column 99 of a matrix of 10"},
		{"a *ColumnMelter keeping a negative column", genexp.WithMelter(&expression.ColumnMelter{Columns: []int{-1}}),
			qc.DimensionLookupFailed, 0, 0, "keeps sample column -1 of a matrix of 10"},
		{"a melter's value beyond 1e100", melted(func(dst *expression.LongBatch) {
			dst.Value[len(dst.Value)-1] = 1e308
		}), qc.ParseError, 0, 0, "the melter given to the pipeline produced 1e+308"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := openWarehouse(t)
			sr := loadOne(t, w, genexp.DefaultConfig(), "testdata/refinebio/GSE71270", tc.opt)
			var e *qc.Error
			if !errors.As(sr.Err, &e) || e.Code != tc.code || e.File == "" || !strings.Contains(e.Msg, tc.msg) {
				t.Fatalf("report %+v (error %v), want a %s error naming the matrix and saying %q", sr, sr.Err, tc.code.Name(), tc.msg)
			}
			if tc.line != 0 && (e.Line != tc.line || e.Column != tc.col) {
				t.Errorf("error at %d:%d, want %d:%d: %v", e.Line, e.Column, tc.line, tc.col, e)
			}
			if n := count(t, w, `SELECT COUNT(*) FROM fact_gene_expression`); n != 0 {
				t.Errorf("%d facts loaded", n)
			}
		})
	}
}

// TestCustomReaderBuildingEachBatchAnew: a reader whose Batch builds a new
// batch at each call, giving no lines, loads as one that hands out the
// same batch: the pipeline numbers the rows of the batch it checked and
// hands that one on. It asked the reader's Batch again, and got a batch
// without the lines it had numbered (a 4004 error, "malformed LongBatch").
func TestCustomReaderBuildingEachBatchAnew(t *testing.T) {
	anew := genexp.WithMatrixReader(func(r io.Reader, name string) (expression.MatrixReader, error) {
		er, err := expression.NewReader(r, expression.WithName(name), expression.WithBatchRows(100))
		return &editedBatches{bareReader: bareReader{er}, edit: func(_ int, b *expression.WideBatch) *expression.WideBatch {
			return &expression.WideBatch{Header: b.Header, Genes: b.Genes, Values: b.Values}
		}}, err
	})
	w := openWarehouse(t)
	sr := loadOne(t, w, genexp.DefaultConfig(), "testdata/refinebio/GSE71270", anew)
	if sr.Err != nil || sr.Outcome != warehouse.Inserted {
		t.Fatalf("report %+v (error %v), want the study loaded", sr, sr.Err)
	}
	plain := openWarehouse(t)
	want := loadOne(t, plain, genexp.DefaultConfig(), "testdata/refinebio/GSE71270")
	if sr.Rows != want.Rows || sr.Genes != want.Genes || sr.BatchID != want.BatchID {
		t.Errorf("%d rows of %d genes, batch %s; want the default reader's %d of %d, batch %s", sr.Rows, sr.Genes, sr.BatchID, want.Rows, want.Genes, want.BatchID)
	}
}
