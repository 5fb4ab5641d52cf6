package genexp_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/qc"
)

// bareReader is a MatrixReader with nothing but Next, Batch and Err, and
// that stops reading its source at its last row: the pipeline must find
// the header, the counts and the content hash on its own.
type bareReader struct{ r *expression.Reader }

func (b bareReader) Next() bool                   { return b.r.Next() }
func (b bareReader) Batch() *expression.WideBatch { return b.r.Batch() }
func (b bareReader) Err() error                   { return b.r.Err() }

// dropGene melts every column and leaves one gene out.
type dropGene struct{ gene string }

func (d dropGene) Melt(dst *expression.LongBatch, src *expression.WideBatch) {
	expression.ColumnMelter{}.Melt(dst, src)
	k := 0
	for i := range dst.Value {
		if dst.Gene(i) != d.gene {
			dst.Row[k], dst.Column[k], dst.Value[k] = dst.Row[i], dst.Column[i], dst.Value[i]
			k++
		}
	}
	dst.Row, dst.Column, dst.Value = dst.Row[:k], dst.Column[:k], dst.Value[:k]
}

// A pipeline given its own matrix reader and melter loads through them:
// the same bytes get the same batch id as with the built-in reader, the
// melter's choice of rows is what the warehouse holds, and the steps count
// what was staged.
func TestCustomMatrixReaderAndMelter(t *testing.T) {
	const study, gone = "GSE71270", "ENSDARG00000000018"
	ref := load(t, openWarehouse(t), "testdata/refinebio/GSE71270").Studies[0]

	w := openWarehouse(t)
	opened := 0
	sr := loadOne(t, w, genexp.DefaultConfig(), "testdata/refinebio/GSE71270",
		genexp.WithMatrixReader(func(r io.Reader, name string) (expression.MatrixReader, error) {
			opened++
			er, err := expression.NewReader(r, expression.WithName(name), expression.WithBatchRows(7))
			return bareReader{er}, err
		}),
		genexp.WithMelter(dropGene{gone}))
	if sr.Err != nil {
		t.Fatalf("load: %v", sr.Err)
	}
	if opened != 1 || sr.BatchID != ref.BatchID || sr.Genes != ref.Genes || sr.Samples != ref.Samples {
		t.Errorf("opened %d; batch %s genes %d samples %d, want %s %d %d", opened, sr.BatchID, sr.Genes, sr.Samples, ref.BatchID, ref.Genes, ref.Samples)
	}
	want := ref.RowsWritten - int64(ref.Samples)
	if sr.RowsWritten != want || count(t, w, `SELECT COUNT(*) FROM fact_gene_expression`) != want {
		t.Errorf("rows written %d, want %d", sr.RowsWritten, want)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM fact_gene_expression JOIN dim_gene USING (gene_key) WHERE gene_id = '`+gone+`'`); n != 0 {
		t.Errorf("%d facts of the dropped gene", n)
	}
	load := stepsOf(t, w, study)["load"]
	if len(load) != 1 || load[0].Read == nil || *load[0].Read != want {
		t.Errorf("load step %+v, want %d rows read", load, want)
	}
}

// failingReader fails with a plain error after its first batch.
type failingReader struct{ bareReader }

var errBroken = errors.New("broken source")

func (f failingReader) Next() bool { return false }
func (f failingReader) Err() error { return errBroken }

// A reader's plain error becomes a ParseError naming the matrix and its
// study, with the reader's error kept for errors.Is.
func TestCustomMatrixReaderError(t *testing.T) {
	sr := loadOne(t, openWarehouse(t), genexp.DefaultConfig(), "testdata/refinebio/GSE71270",
		genexp.WithMatrixReader(func(r io.Reader, name string) (expression.MatrixReader, error) {
			er, err := expression.NewReader(r, expression.WithName(name))
			return failingReader{bareReader{er}}, err
		}))
	var e *qc.Error
	if !errors.As(sr.Err, &e) || e.Code != qc.ParseError || e.Study != "GSE71270" ||
		e.File == "" || !errors.Is(e, errBroken) {
		t.Fatalf("report %+v", sr)
	}
}

// perBatchLines numbers each batch's rows from line 2 again, as a reader
// that forgets the rows before its batch would.
type perBatchLines struct{ bareReader }

func (p perBatchLines) Batch() *expression.WideBatch {
	b := p.r.Batch()
	for i := range b.Lines {
		b.Lines[i] = int64(i) + 2
	}
	return b
}

// A reader whose lines start again in each batch fails its study with a
// coded error naming the matrix, and loads nothing: the warehouse places a
// cell's gene by its line, so repeated lines would put values on other
// genes.
func TestCustomMatrixReaderRepeatedLines(t *testing.T) {
	w := openWarehouse(t)
	sr := loadOne(t, w, genexp.DefaultConfig(), "testdata/refinebio/GSE71270",
		genexp.WithMatrixReader(func(r io.Reader, name string) (expression.MatrixReader, error) {
			er, err := expression.NewReader(r, expression.WithName(name), expression.WithBatchRows(100))
			return perBatchLines{bareReader{er}}, err
		}))
	var e *qc.Error
	if !errors.As(sr.Err, &e) || e.Code != qc.InvalidFormat || e.File == "" {
		t.Fatalf("report %+v, want an InvalidFormat error naming the matrix", sr)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM fact_gene_expression`); n != 0 {
		t.Errorf("%d facts loaded", n)
	}
}

// repeatedGene repeats, in each batch of its reader, the first row's gene
// id on the second row.
type repeatedGene struct{ bareReader }

func (p repeatedGene) Batch() *expression.WideBatch {
	b := p.r.Batch()
	if len(b.Genes) > 1 {
		b.Genes[1] = b.Genes[0]
	}
	return b
}

// A reader that gives one gene id on two rows fails its study with a coded
// error naming the matrix and both lines, and loads nothing: a fact is one
// value of a study, sample and gene.
func TestCustomMatrixReaderRepeatedGene(t *testing.T) {
	w := openWarehouse(t)
	sr := loadOne(t, w, genexp.DefaultConfig(), "testdata/refinebio/GSE71270",
		genexp.WithMatrixReader(func(r io.Reader, name string) (expression.MatrixReader, error) {
			er, err := expression.NewReader(r, expression.WithName(name), expression.WithBatchRows(100))
			return repeatedGene{bareReader{er}}, err
		}))
	var e *qc.Error
	if !errors.As(sr.Err, &e) || e.Code != qc.InvalidFormat || e.File == "" ||
		!strings.Contains(e.Msg, "on line 2 and again on line 3: gene ids must be unique") {
		t.Fatalf("report %+v, want an InvalidFormat error naming the matrix and both lines", sr)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM fact_gene_expression`); n != 0 {
		t.Errorf("%d facts loaded", n)
	}
}
