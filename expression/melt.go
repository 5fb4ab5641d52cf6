package expression

import "fmt"

// LongBatch is a batch of cells in long form: one row per (gene, sample)
// cell, stored column-wise so sinks can hand the columns to a database
// without per-row allocation.
type LongBatch struct {
	// Genes and GeneLines describe the wide rows the cells came from: the
	// gene id of each and its 1-based source line.
	Genes     []string
	GeneLines []int64
	// Row, Column and Value have one entry per long row: the index into
	// Genes, the 0-based sample column of the matrix (file column Column+2),
	// and the value (NaN when a missing cell is kept as NULL).
	Row    []int32
	Column []int32
	Value  []float64
}

// Len returns the number of long rows.
func (b *LongBatch) Len() int { return len(b.Value) }

// Gene returns the gene id of long row i.
func (b *LongBatch) Gene(i int) string { return b.Genes[b.Row[i]] }

// Line returns the source line of long row i.
func (b *LongBatch) Line(i int) int64 { return b.GeneLines[b.Row[i]] }

// Reset empties the batch, keeping its storage.
func (b *LongBatch) Reset() {
	b.Genes, b.GeneLines = b.Genes[:0], b.GeneLines[:0]
	b.Row, b.Column, b.Value = b.Row[:0], b.Column[:0], b.Value[:0]
}

// Melter turns a wide batch into long rows, replacing dst's contents.
type Melter interface {
	Melt(dst *LongBatch, src *WideBatch)
}

// MissingPolicy says what a Melter does with a missing cell.
type MissingPolicy int

const (
	// SkipMissing drops missing cells: they produce no long row.
	SkipMissing MissingPolicy = iota
	// KeepMissing keeps missing cells as long rows whose value is NaN,
	// which sinks store as NULL.
	KeepMissing
)

// ColumnMelter melts the selected sample columns of each row, in row order
// and, within a row, in the order of Columns.
type ColumnMelter struct {
	// Columns lists the 0-based sample columns to keep. Nil keeps all.
	Columns []int
	// Missing is the policy for missing cells. Default SkipMissing.
	Missing MissingPolicy
}

// Melt implements Melter. Columns must hold valid column indexes of src:
// Melt panics, naming the column, on one that is not (a programming
// error, as an index out of a slice's range is; MatrixReader checks the
// columns it is given and returns a DimensionLookupFailed error instead).
func (m ColumnMelter) Melt(dst *LongBatch, src *WideBatch) {
	for _, c := range m.Columns {
		if c < 0 || c >= len(src.Header.Names) {
			panic(fmt.Sprintf("expression: ColumnMelter column %d is out of range: the batch has %d sample columns", c, len(src.Header.Names)))
		}
	}
	dst.Reset()
	dst.Genes = append(dst.Genes, src.Genes...)
	dst.GeneLines = append(dst.GeneLines, src.Lines...)
	ncols := len(src.Header.Names)
	cols := m.Columns
	want := len(src.Genes) * ncols
	if cols != nil {
		want = len(src.Genes) * len(cols)
	}
	// Write through full-length slices and cut them at the end: the loop
	// then has no append bookkeeping, and a missing cell costs a compare.
	rows := resize(dst.Row, want)
	colOut := resize(dst.Column, want)
	vals := resize(dst.Value, want)
	keep := m.Missing == KeepMissing
	k := 0
	for r := range src.Genes {
		row := src.Values[r*ncols : (r+1)*ncols]
		r32 := int32(r)
		if cols == nil {
			for c, v := range row {
				if v == v || keep {
					rows[k], colOut[k], vals[k] = r32, int32(c), v
					k++
				}
			}
			continue
		}
		for _, c := range cols {
			if v := row[c]; v == v || keep {
				rows[k], colOut[k], vals[k] = r32, int32(c), v
				k++
			}
		}
	}
	dst.Row, dst.Column, dst.Value = rows[:k], colOut[:k], vals[:k]
}

// resize returns s with length n, reusing its storage when it is big
// enough. The contents are not preserved.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
