package expression

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/genexp/genexp/qc"
)

// Option configures a Reader.
type Option func(*config)

type config struct {
	name        string
	batchCells  int
	batchRows   int
	bufferBytes int
	maxFindings int
}

func defaults() config {
	return config{name: "matrix", batchCells: 1 << 20, bufferBytes: 1 << 20, maxFindings: 100}
}

// WithName sets the file name used in errors and findings. Default "matrix".
func WithName(name string) Option { return func(c *config) { c.name = name } }

// WithBatchCells sets how many cells (rows × sample columns) a batch holds at
// most; a batch always holds at least one row. It bounds the reader's memory.
// Default 1,048,576 (8 MiB of values).
func WithBatchCells(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.batchCells = n
		}
	}
}

// WithBatchRows sets how many rows a batch holds, overriding WithBatchCells
// when n > 0. Default 0 (size batches by cells).
func WithBatchRows(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.batchRows = n
		}
	}
}

// WithBufferSize sets the initial read buffer size in bytes; the buffer grows
// only when a single line is longer. Default 1 MiB.
func WithBufferSize(n int) Option {
	return func(c *config) {
		if n >= 64 {
			c.bufferBytes = n
		}
	}
}

// WithMaxFindings caps how many findings (such as duplicate gene rows) are
// kept individually; Stats counts all of them. Default 100.
func WithMaxFindings(n int) Option {
	return func(c *config) {
		if n >= 0 {
			c.maxFindings = n
		}
	}
}

// Stats counts what a Reader has read so far.
type Stats struct {
	// Bytes is the number of bytes read from the source, header included.
	Bytes int64
	// Rows is the number of gene rows delivered (duplicates excluded).
	Rows int64
	// Cells is Rows × sample columns.
	Cells int64
	// Missing is the number of delivered cells that were missing.
	Missing int64
	// DuplicateGenes is the number of rows dropped because their gene id
	// appeared on an earlier row.
	DuplicateGenes int64
}

// Reader streams a tab-separated expression matrix. It implements
// MatrixReader.
type Reader struct {
	cfg config
	src io.Reader
	sum hash.Hash

	buf     []byte
	r, w    int // buf[r:w] is read but not yet consumed
	scanned int // buf[r:r+scanned] is known to hold no newline
	eof     bool
	line    int64

	header       Header
	ncols        int
	rowsPerBatch int

	batch    WideBatch
	seen     map[string]int64
	stats    Stats
	findings []*qc.Error
	done     bool
	err      error
}

// NewReader reads the header of the matrix in src and returns a Reader
// positioned before its first row. The header must have a gene column and at
// least one sample column.
func NewReader(src io.Reader, opts ...Option) (*Reader, error) {
	cfg := defaults()
	for _, o := range opts {
		o(&cfg)
	}
	r := &Reader{
		cfg:  cfg,
		src:  src,
		sum:  sha256.New(),
		buf:  make([]byte, cfg.bufferBytes),
		seen: make(map[string]int64),
	}
	if err := r.readHeader(); err != nil {
		return nil, err
	}
	r.rowsPerBatch = max(1, cfg.batchCells/r.ncols)
	if cfg.batchRows > 0 {
		r.rowsPerBatch = cfg.batchRows
	}
	r.batch.Header = &r.header
	r.batch.Values = make([]float64, 0, r.rowsPerBatch*r.ncols)
	r.batch.Genes = make([]string, 0, r.rowsPerBatch)
	r.batch.Lines = make([]int64, 0, r.rowsPerBatch)
	return r, nil
}

// Header returns the matrix header.
func (r *Reader) Header() *Header { return &r.header }

// Next reads the next batch of rows. It returns false at the end of the
// matrix or on the first error; Err tells which.
func (r *Reader) Next() bool {
	if r.err != nil || r.done {
		return false
	}
	b := &r.batch
	b.Genes, b.Lines, b.Values = b.Genes[:0], b.Lines[:0], b.Values[:0]
	for len(b.Genes) < r.rowsPerBatch {
		line, ok := r.readLine()
		if !ok {
			if r.err != nil {
				return false
			}
			r.done = true
			break
		}
		if len(line) == 0 {
			continue
		}
		n := len(b.Values)
		b.Values = b.Values[:n+r.ncols]
		gene, err := r.parseRow(line, b.Values[n:])
		if err != nil {
			r.err = err
			return false
		}
		if first, dup := r.seen[string(gene)]; dup {
			b.Values = b.Values[:n]
			r.duplicateGene(string(gene), first)
			continue
		}
		id := string(gene)
		r.seen[id] = r.line
		b.Genes = append(b.Genes, id)
		b.Lines = append(b.Lines, r.line)
		for _, v := range b.Values[n:] {
			if v != v {
				r.stats.Missing++
			}
		}
	}
	r.stats.Rows += int64(len(b.Genes))
	r.stats.Cells += int64(len(b.Values))
	return len(b.Genes) > 0
}

// Batch returns the batch Next read. It is valid until the next call to
// Next.
func (r *Reader) Batch() *WideBatch { return &r.batch }

// Err returns the error that stopped the iteration, or nil at a clean end.
func (r *Reader) Err() error { return r.err }

// Stats returns what has been read so far.
func (r *Reader) Stats() Stats { return r.stats }

// Findings returns non-fatal problems found so far (at most the configured
// maximum), such as duplicate gene rows.
func (r *Reader) Findings() []*qc.Error { return r.findings }

// Sum returns the lowercase hex SHA-256 of every byte of the source. It is
// only available once Next has returned false without an error.
func (r *Reader) Sum() (string, error) {
	if !r.done || r.err != nil {
		return "", errors.New("expression: Sum before the matrix was read to its end")
	}
	return hex.EncodeToString(r.sum.Sum(nil)), nil
}

func (r *Reader) duplicateGene(gene string, first int64) {
	r.stats.DuplicateGenes++
	if len(r.findings) >= r.cfg.maxFindings {
		return
	}
	r.findings = append(r.findings, &qc.Error{
		Code: qc.DuplicateGenes, Severity: qc.SeverityWarning,
		File: r.cfg.name, Line: r.line, Column: 1,
		Msg: fmt.Sprintf("gene %q repeats line %d; the later row is dropped", gene, first),
	})
}

func (r *Reader) readHeader() error {
	line, ok := r.readLine()
	if !ok {
		if r.err != nil {
			return r.err
		}
		return &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: r.cfg.name, Msg: "empty matrix: no header line"}
	}
	line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(line) {
		return r.errAt(qc.EncodingError, 0, "header is not valid UTF-8")
	}
	cells := bytes.Split(line, []byte{'\t'})
	r.header.GeneColumn = unquote(string(cells[0]))
	names := cells[1:]
	if n := len(names); n > 0 && len(names[n-1]) == 0 {
		names = names[:n-1] // a trailing tab
	}
	if len(names) == 0 {
		return r.errAt(qc.InvalidFormat, 0, "header has no sample columns (is this an expression matrix?)")
	}
	r.header.Names = make([]string, len(names))
	for i, c := range names {
		if len(c) == 0 {
			return r.errAt(qc.InvalidFormat, int64(i+2), "empty sample column name")
		}
		r.header.Names[i] = unquote(string(c))
	}
	r.ncols = len(names)
	return nil
}

// readLine returns the next line without its line ending. The slice aliases
// the read buffer and is valid until the next call.
func (r *Reader) readLine() ([]byte, bool) {
	for {
		if i := bytes.IndexByte(r.buf[r.r+r.scanned:r.w], '\n'); i >= 0 {
			end := r.r + r.scanned + i
			line := r.buf[r.r:end]
			r.r = end + 1
			r.scanned = 0
			r.line++
			return trimCR(line), true
		}
		r.scanned = r.w - r.r
		if r.eof {
			if r.r < r.w {
				line := r.buf[r.r:r.w]
				r.r, r.scanned = r.w, 0
				r.line++
				return trimCR(line), true
			}
			return nil, false
		}
		if err := r.fill(); err != nil {
			r.err = err
			return nil, false
		}
	}
}

// fill reads more input, compacting or growing the buffer first.
func (r *Reader) fill() error {
	if r.r > 0 {
		copy(r.buf, r.buf[r.r:r.w])
		r.w -= r.r
		r.r = 0
	}
	if r.w == len(r.buf) {
		nb := make([]byte, 2*len(r.buf))
		copy(nb, r.buf[:r.w])
		r.buf = nb
	}
	for {
		n, err := r.src.Read(r.buf[r.w:])
		if n > 0 {
			r.sum.Write(r.buf[r.w : r.w+n])
			r.w += n
			r.stats.Bytes += int64(n)
		}
		if err == io.EOF {
			r.eof = true
			return nil
		}
		if err != nil {
			return &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: r.cfg.name,
				Line: r.line + 1, Msg: "reading the matrix failed", Err: err}
		}
		if n > 0 {
			return nil
		}
	}
}

func (r *Reader) errAt(code qc.Code, col int64, format string, args ...any) *qc.Error {
	return &qc.Error{Code: code, Severity: qc.SeverityError, File: r.cfg.name, Line: r.line,
		Column: col, Msg: fmt.Sprintf(format, args...)}
}

func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}

// unquote removes the double quotes a CSV writer puts around a field that
// needs them, and undoes their doubling inside it.
func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
	}
	return s
}
