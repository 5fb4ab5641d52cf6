package expression

import (
	"math"

	"github.com/genexp/genexp/qc"
)

// MatrixReader is the iterator every matrix source implements: Next advances
// to the next batch of rows, Batch returns it (valid until the next call to
// Next), and Err reports the error that stopped the iteration, if any.
type MatrixReader interface {
	Next() bool
	Batch() *WideBatch
	Err() error
}

// A MatrixReader may also have any of these methods, which a consumer
// (genexp's Pipeline, given WithMatrixReader) asks for when they are
// there. *Reader has all three.
type (
	// HeaderReader gives the matrix's header before its first batch.
	HeaderReader interface{ Header() *Header }
	// StatsReader gives what the reader counted; of it the pipeline takes
	// DuplicateGenes, the repeated gene rows the reader dropped.
	StatsReader interface{ Stats() Stats }
	// FindingsReader gives the reader's findings about the matrix (coded
	// warnings such as a repeated gene row), recorded with the study's.
	FindingsReader interface{ Findings() []*qc.Error }
)

// Header is a matrix's first line.
type Header struct {
	// GeneColumn is the first cell: "Gene" in current downloads, "" in
	// older ones.
	GeneColumn string
	// Names are the sample column names as written: accession codes in
	// current downloads, sample titles in older ones.
	Names []string
}

// WideBatch is a block of consecutive matrix rows in their wide form.
type WideBatch struct {
	// Header is the matrix header; Values has len(Header.Names) cells per
	// row.
	Header *Header
	// Genes holds the gene (or probe) id of each row.
	Genes []string
	// Lines holds the 1-based source line of each row. Lines increase
	// from row to row, across batches too: a line names one row of the
	// matrix (the pipeline refuses a reader whose lines do not).
	Lines []int64
	// Values holds the cells row-major: row r, column c is
	// Values[r*len(Header.Names)+c]. A missing cell is NaN.
	Values []float64
}

// Len returns the number of rows in the batch.
func (b *WideBatch) Len() int { return len(b.Genes) }

// Row returns row r's cells, one per header column.
func (b *WideBatch) Row(r int) []float64 {
	n := len(b.Header.Names)
	return b.Values[r*n : (r+1)*n : (r+1)*n]
}

// IsMissing reports whether v encodes a missing cell. Real values are never
// NaN: the reader turns NaN-like cells into missing cells.
func IsMissing(v float64) bool { return math.IsNaN(v) }
