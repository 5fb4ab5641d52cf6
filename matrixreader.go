package genexp

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"slices"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/qc"
)

// matrixRows is what loadMatrix reads a matrix through:
// *expression.Reader, or customRows around a reader WithMatrixReader
// supplies.
type matrixRows interface {
	Header() *expression.Header
	Next() bool
	Batch() *expression.WideBatch
	Err() error
	Stats() expression.Stats
	Findings() []*qc.Error
	Sum() (string, error)
}

// hashingReader counts and hashes the bytes read through it: the content
// hash of a matrix read by a reader the pipeline did not write.
type hashingReader struct {
	r     io.Reader
	h     hash.Hash
	bytes int64
}

func (t *hashingReader) Read(b []byte) (int, error) {
	n, err := t.r.Read(b)
	t.bytes += int64(n)
	t.h.Write(b[:n])
	return n, err
}

// customRows gives a reader supplied by WithMatrixReader what the pipeline
// needs beyond Next, Batch and Err: the header (its Header method, or its
// first batch's), the counts, the content hash (of the bytes it read, and
// of the rest of the matrix once its rows end), and its findings when it
// has a Findings method. It checks each batch's shape, so that a reader's
// mistake is an error naming the matrix rather than a panic.
type customRows struct {
	r      expression.MatrixReader
	src    *hashingReader
	name   string
	header *expression.Header
	// ahead is set when the first batch was read to find the header and
	// not handed out yet.
	ahead bool
	// batch is the batch Next checked (and numbered), which Batch hands
	// out: the reader's Batch is not asked again, since a reader whose
	// Batch built a new one at each call would hand out one unchecked.
	batch *expression.WideBatch
	stats expression.Stats
	// lastLine is the last row's line, which the next row's must exceed.
	lastLine int64
	// geneLines holds the line of each gene id read so far: a gene id is
	// one row of a matrix (the warehouse keys a fact by study, sample and
	// gene), so a repeated one is the reader's mistake. It holds one entry
	// per row, as a matrix has genes, not one per cell.
	geneLines map[string]int64
	done      bool
	err       error
}

// newCustomRows opens the matrix in src with open and reads as far as its
// header.
func newCustomRows(open func(io.Reader, string) (expression.MatrixReader, error), src io.Reader, name string) (*customRows, error) {
	hr := &hashingReader{r: src, h: sha256.New()}
	mr, err := open(hr, name)
	if err != nil {
		return nil, matrixError(name, err)
	}
	if isNil(mr) {
		return nil, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: name, Msg: "the matrix reader given to the pipeline returned no reader and no error"}
	}
	c := &customRows{r: mr, src: hr, name: name, geneLines: map[string]int64{}}
	if h, ok := mr.(expression.HeaderReader); ok {
		c.header = h.Header()
	}
	if c.header == nil {
		if !mr.Next() {
			if err := mr.Err(); err != nil {
				return nil, matrixError(name, err)
			}
			return nil, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: name, Line: 1,
				Msg: "the matrix reader gave no header and no rows"}
		}
		b := mr.Batch()
		if b == nil {
			return nil, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: name, Line: 1,
				Msg: "the matrix reader given to the pipeline returned no batch after its first Next, and no header"}
		}
		c.header, c.ahead = b.Header, true
	}
	if c.header == nil || len(c.header.Names) == 0 {
		return nil, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: name, Line: 1,
			Msg: "header has no sample columns (is this an expression matrix?)"}
	}
	return c, nil
}

// matrixError makes a reader's error a *qc.Error naming the matrix.
func matrixError(name string, err error) error {
	var e *qc.Error
	if errors.As(err, &e) {
		return err
	}
	return &qc.Error{Code: qc.ParseError, Severity: qc.SeverityError, File: name, Msg: "reading the matrix", Err: err}
}

func (c *customRows) Header() *expression.Header { return c.header }

func (c *customRows) Next() bool {
	if c.done || c.err != nil {
		return false
	}
	if c.ahead {
		c.ahead = false
	} else if !c.r.Next() {
		c.finish()
		return false
	}
	b := c.r.Batch()
	ncols := len(c.header.Names)
	switch {
	case b == nil || b.Header == nil || len(b.Header.Names) != ncols:
		c.err = c.batchError("a batch whose header does not have the matrix's %d sample columns", ncols)
		return false
	case len(b.Values) != len(b.Genes)*ncols:
		c.err = c.batchError("a batch of %d rows with %d values, not %d × %d", len(b.Genes), len(b.Values), len(b.Genes), ncols)
		return false
	}
	if len(b.Lines) != len(b.Genes) {
		// Positions are the reader's to give; without them a row is placed
		// as the matrix's row count after a one-line header.
		b.Lines = b.Lines[:0]
		for i := range b.Genes {
			b.Lines = append(b.Lines, c.stats.Rows+int64(i)+2)
		}
	}
	// A line names its row for the whole matrix (the warehouse places a
	// cell's gene by it, and findings cite it), so lines must increase
	// from row to row and batch to batch, as a file's do.
	for i, l := range b.Lines {
		if l <= c.lastLine {
			c.err = c.batchError("gene %q on line %d, after line %d: lines must increase from row to row, across batches too", b.Genes[i], l, c.lastLine)
			return false
		}
		c.lastLine = l
		if why, code := expression.IDProblem([]byte(b.Genes[i]), expression.MaxGeneIDLength); why != "" {
			c.err = &qc.Error{Code: code, Severity: qc.SeverityError, File: c.name, Line: l, Column: 1,
				Msg: fmt.Sprintf("the matrix reader returned gene id %q, which %s", qc.Shorten(b.Genes[i], 80), why)}
			return false
		}
		if first, ok := c.geneLines[b.Genes[i]]; ok {
			c.err = c.batchError("gene %q on line %d and again on line %d: gene ids must be unique in a matrix (expression.Reader keeps a repeated gene's first row, with a finding)", qc.Shorten(b.Genes[i], 80), first, l)
			return false
		}
		c.geneLines[b.Genes[i]] = l
	}
	c.stats.Rows += int64(len(b.Genes))
	c.stats.Cells += int64(len(b.Values))
	for i, v := range b.Values {
		switch {
		case math.IsNaN(v):
			c.stats.Missing++
		case math.Abs(v) > expression.MaxMagnitude: // and ±Inf
			// What expression.Reader refuses in a file is refused from
			// any reader: the warehouse's variances overflow on it.
			row, col := i/ncols, i%ncols
			c.err = &qc.Error{Code: qc.ParseError, Severity: qc.SeverityError, File: c.name, Line: b.Lines[row], Column: int64(col) + 2,
				Msg: fmt.Sprintf("the matrix reader returned %v for gene %q, sample column %q: values must be finite and within ±1e100", v, qc.Shorten(b.Genes[row], 80), qc.Shorten(c.header.Names[col], 80))}
			return false
		}
	}
	c.stats.Bytes = c.src.bytes
	c.batch = b
	return true
}

// finish ends the rows: the reader's error, or else the rest of the bytes
// read into the hash, so that it covers the whole matrix whatever the
// reader left unread.
func (c *customRows) finish() {
	if err := c.r.Err(); err != nil {
		c.err = matrixError(c.name, err)
		return
	}
	if _, err := io.Copy(io.Discard, c.src); err != nil {
		c.err = matrixError(c.name, err)
		return
	}
	c.stats.Bytes = c.src.bytes
	if s, ok := c.r.(expression.StatsReader); ok {
		c.stats.DuplicateGenes = s.Stats().DuplicateGenes
	}
	c.done = true
}

func (c *customRows) batchError(format string, args ...any) error {
	return &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: c.name,
		Msg: "the matrix reader returned " + fmt.Sprintf(format, args...)}
}

func (c *customRows) Batch() *expression.WideBatch { return c.batch }
func (c *customRows) Err() error                   { return c.err }
func (c *customRows) Stats() expression.Stats      { return c.stats }

func (c *customRows) Findings() []*qc.Error {
	if f, ok := c.r.(expression.FindingsReader); ok {
		return f.Findings()
	}
	return nil
}

func (c *customRows) Sum() (string, error) {
	if !c.done || c.err != nil {
		return "", qc.Errorf(qc.ConfigInvalid, "genexp: Sum before the matrix was read to its end")
	}
	return hex.EncodeToString(c.src.h.Sum(nil)), nil
}

// customMelt melts src with a Melter supplied by WithMelter and keeps, of
// its long rows, those of the plan's columns (loaded[c]), less missing
// values unless keep; perColumn counts the rows kept by matrix column. A
// row that points outside the batch or the matrix is an error.
func customMelt(m expression.Melter, dst *expression.LongBatch, src *expression.WideBatch, loaded []bool, keep bool, perColumn []int64, name string) error {
	// A ColumnMelter's columns must be the matrix's (its precondition):
	// one that names another would index past the batch's values.
	cm, ok := m.(expression.ColumnMelter)
	if p, isPtr := m.(*expression.ColumnMelter); isPtr && p != nil {
		cm, ok = *p, true
	}
	if ok {
		for _, c := range cm.Columns {
			if c < 0 || c >= len(src.Header.Names) {
				return &qc.Error{Code: qc.DimensionLookupFailed, Severity: qc.SeverityError, File: name,
					Msg: fmt.Sprintf("the ColumnMelter given to the pipeline keeps sample column %d of a matrix of %d", c, len(src.Header.Names))}
			}
		}
	}
	m.Melt(dst, src)
	bad := func(format string, args ...any) error {
		return &qc.Error{Code: qc.DimensionLookupFailed, Severity: qc.SeverityError, File: name,
			Msg: "the melter given to the pipeline produced " + fmt.Sprintf(format, args...)}
	}
	if len(dst.Row) != len(dst.Value) || len(dst.Column) != len(dst.Value) {
		return bad("%d rows, %d columns and %d values for its long rows", len(dst.Row), len(dst.Column), len(dst.Value))
	}
	if len(dst.GeneLines) != len(dst.Genes) {
		return bad("%d genes with %d source lines", len(dst.Genes), len(dst.GeneLines))
	}
	// Each of its genes must be the batch's gene of the same line, as
	// written: the facts are keyed by it.
	listed := make([]bool, len(src.Genes))
	for j, g := range dst.Genes {
		l := dst.GeneLines[j]
		at, found := slices.BinarySearch(src.Lines, l)
		if !found || src.Genes[at] != g {
			return bad("gene %q at line %d, which is not a gene of the batch it melted", qc.Shorten(g, 80), l)
		}
		if listed[at] {
			return bad("gene %q at line %d twice among its genes", qc.Shorten(g, 80), l)
		}
		listed[at] = true
	}
	// One value a cell: a second long row of one gene and sample would
	// be a second fact of that cell.
	seen := make([]uint64, (len(dst.Genes)*len(loaded)+63)/64)
	k := 0
	for i, v := range dst.Value {
		r, c := dst.Row[i], dst.Column[i]
		if r < 0 || int(r) >= len(dst.Genes) {
			return bad("a long row of gene %d of %d", r, len(dst.Genes))
		}
		if c < 0 || int(c) >= len(loaded) {
			return bad("a long row of sample column %d of a matrix of %d", c, len(loaded))
		}
		cell := int(r)*len(loaded) + int(c)
		if seen[cell/64]&(1<<(cell%64)) != 0 {
			return bad("two long rows of gene %q (line %d), sample column %d", qc.Shorten(dst.Genes[r], 80), dst.GeneLines[r], c)
		}
		seen[cell/64] |= 1 << (cell % 64)
		if v == v && math.Abs(v) > expression.MaxMagnitude {
			return &qc.Error{Code: qc.ParseError, Severity: qc.SeverityError, File: name, Line: dst.GeneLines[r], Column: int64(c) + 2,
				Msg: fmt.Sprintf("the melter given to the pipeline produced %v for gene %q: values must be finite and within ±1e100", v, qc.Shorten(dst.Genes[r], 80))}
		}
		if !loaded[c] || v != v && !keep {
			continue
		}
		dst.Row[k], dst.Column[k], dst.Value[k] = r, c, v
		perColumn[c]++
		k++
	}
	dst.Row, dst.Column, dst.Value = dst.Row[:k], dst.Column[:k], dst.Value[:k]
	return nil
}
