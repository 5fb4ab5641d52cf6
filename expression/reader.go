package expression

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/genexp/genexp/qc"
)

// Option configures a Reader.
type Option func(*config)

type config struct {
	name         string
	batchCells   int
	batchRows    int
	bufferBytes  int
	maxLineBytes int
	maxFindings  int
}

func defaults() config {
	return config{name: "matrix", batchCells: 1 << 20, bufferBytes: 1 << 20, maxLineBytes: 64 << 20, maxFindings: 100}
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

// WithMaxLineBytes sets the longest line the reader accepts, its line break
// included; a longer line stops the stream with a qc.InvalidFormat error
// instead of growing the buffer without bound (a file with no line breaks
// is not a matrix). Default 64 MiB, enough for several million sample
// columns.
func WithMaxLineBytes(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.maxLineBytes = n
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

// A Verifier is a source whose bytes are checked only once all of them are
// read, such as a gzip stream or a zip entry with its CRC-32. Verify reads
// the rest of the source and returns the error its check reports, or nil
// when the data are intact.
//
// Corrupt compressed data usually decompress into garbage long before the
// check at their end fails, so the first sign of them is a row that does
// not parse. When a row of a Verifier (or of a *gzip.Reader) fails to
// parse, the Reader calls Verify: if the data are corrupt, the error is a
// qc.InvalidFormat one saying so, at the line and column the parse
// stopped; otherwise it is the parse error. Verify costs a read of the
// rest of the source, on that failure only.
//
// The corrupt data are named as compressed data, unless the Verifier also
// has a method Compressed() bool that returns false (a zip entry stored
// as is): the bytes read are then the file's own, changed or damaged, and
// the error says they fail their integrity check (CRC).
type Verifier interface {
	Verify() error
}

// Reader streams a tab-separated expression matrix. It implements
// MatrixReader.
//
// Memory is one batch of rows, whatever the number of samples, plus the
// set of gene ids read so far, which finding a duplicate gene row needs:
// each id's bytes and line, and an index entry (geneSet), about 48 bytes
// per row for 15-byte ids (live heap measured at 2 million rows). So memory
// is flat as a matrix grows wider, and grows with it taller.
type Reader struct {
	cfg    config
	src    io.Reader
	sum    hash.Hash
	verify func() error // nil when the source is not checked at its end
	stored bool         // the source checked at its end is not compressed
	// readFailed is set once the source itself failed, which needs no
	// verifying.
	readFailed bool

	buf     []byte
	r, w    int // buf[r:w] is read but not yet consumed
	scanned int // buf[r:r+scanned] is known to hold no newline
	// unterminated: the last line read ended the input without a line
	// break (see Next).
	unterminated bool
	eof          bool
	pending      error // the source's error, held until the lines before it are read
	line         int64

	header       Header
	ncols        int
	rowsPerBatch int
	// tabEnded: the header ends in a tab, as from a writer that ends every
	// cell with one; a row's trailing tab then ends its last cell instead
	// of starting an empty one.
	tabEnded bool

	batch    WideBatch
	seen     *geneSet
	stats    Stats
	findings []*qc.Error
	done     bool
	err      error
}

// NewReader reads the header of the matrix in src and returns a Reader
// positioned before its first row. The header must have a gene column and at
// least one sample column.
func NewReader(src io.Reader, opts ...Option) (*Reader, error) {
	if src == nil {
		return nil, qc.Errorf(qc.InvalidFormat, "expression: NewReader: no source to read")
	}
	cfg := defaults()
	for i, o := range opts {
		if o == nil {
			return nil, qc.Errorf(qc.ConfigInvalid, "expression: option %d of NewReader is nil", i+1)
		}
		o(&cfg)
	}
	r := &Reader{
		cfg:  cfg,
		src:  src,
		sum:  sha256.New(),
		buf:  make([]byte, min(cfg.bufferBytes, cfg.maxLineBytes)), // a line is refused when it fills the buffer at its cap
		seen: newGeneSet(),
	}
	switch s := src.(type) {
	case Verifier:
		r.verify = s.Verify
		if c, ok := s.(interface{ Compressed() bool }); ok {
			r.stored = !c.Compressed()
		}
	case *gzip.Reader:
		r.verify = func() error { _, err := io.Copy(io.Discard, s); return err }
	}
	if err := r.readHeader(); err != nil {
		return nil, r.settle(err)
	}
	r.rowsPerBatch = max(1, cfg.batchCells/r.ncols)
	if cfg.batchRows > 0 {
		r.rowsPerBatch = cfg.batchRows
	}
	r.batch.Header = &r.header
	// Storage for a full batch up to a million cells; a bigger batch (a
	// large WithBatchRows) grows as its rows arrive rather than all at once,
	// so a short matrix never pays for it.
	rows := min(r.rowsPerBatch, max(1, (1<<20)/r.ncols))
	r.batch.Values = make([]float64, 0, rows*r.ncols)
	r.batch.Genes = make([]string, 0, rows)
	r.batch.Lines = make([]int64, 0, rows)
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
				r.err = r.settle(r.err)
				return false
			}
			r.done = true
			if r.unterminated && r.line > 1 {
				r.cutShort()
			}
			break
		}
		if len(line) == 0 {
			continue
		}
		n := len(b.Values)
		b.Values = slices.Grow(b.Values, r.ncols)[:n+r.ncols]
		gene, missing, err := r.parseRow(line, b.Values[n:])
		if err != nil {
			r.err = r.settle(err)
			return false
		}
		if first, dup := r.seen.add(gene, r.line); dup {
			b.Values = b.Values[:n]
			r.duplicateGene(string(gene), first)
			continue
		}
		b.Genes = append(b.Genes, string(gene))
		b.Lines = append(b.Lines, r.line)
		r.stats.Missing += int64(missing)
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

// Sum returns the lowercase hex SHA-256 of every byte of the source, as
// the reader was given it: a caller that decompresses a .tsv.gz or a zip
// entry first gets the hash of the matrix's text, so a matrix hashes the
// same however it was packed. It is only available once Next has returned
// false without an error; before, it fails with ConfigInvalid.
func (r *Reader) Sum() (string, error) {
	if !r.done || r.err != nil {
		return "", qc.Errorf(qc.ConfigInvalid, "expression: Sum before the matrix was read to its end")
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

// cutShort records that the matrix ends inside its last line: a file cut
// short by an interrupted download or copy may end in the middle of a
// value, which reads as a shorter number of its own ("0.66" of
// "0.662155"), and nothing else shows the cut when it falls in the last
// field. Every matrix refine.bio writes ends with a line break. Said
// whatever the findings cap, as it is one finding of the whole file.
func (r *Reader) cutShort() {
	r.findings = append(r.findings, &qc.Error{
		Code: qc.InvalidFormat, Severity: qc.SeverityWarning, File: r.cfg.name, Line: r.line,
		Msg: fmt.Sprintf("the matrix does not end with a line break: its last line (%d) may have been cut short by an interrupted download or copy, "+
			"and its last value with it; it was read as written. If the file is a partial copy, copy or download it again", r.line),
	})
}

func (r *Reader) readHeader() error {
	// Look at the first bytes before reading a line: a compressed file
	// has no line breaks to stop at, and UTF-16 text would be taken for
	// lines that end in CR only. A first line that ends sooner is enough
	// to tell, and waiting for more could stall on a slow source.
	for r.w < qc.TextStartBytes && !r.eof && (r.w < 4 || bytes.IndexByte(r.buf[:r.w], '\n') < 0) {
		if err := r.fill(); err != nil {
			return err
		}
	}
	if err := qc.NotText(r.buf[:r.w], r.cfg.name, "matrix", ".tsv"); err != nil {
		return err
	}
	cr, err := r.headerLoneCR()
	if err != nil {
		return err
	}
	var line []byte
	if cr >= 0 {
		line, r.line = r.buf[r.r:r.r+cr], 1
	} else {
		var ok bool
		if line, ok = r.readLine(); !ok {
			if r.err != nil {
				return r.err
			}
			return r.errAtLine(qc.InvalidFormat, 1, 0, "empty matrix: no header line")
		}
	}
	line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
	cells := splitHeader(line)
	if !utf8.Valid(line) {
		for i, c := range cells {
			if !utf8.ValidString(c) {
				return r.errAt(qc.EncodingError, int64(i+1), "header is not valid UTF-8")
			}
		}
	}
	if cr >= 0 {
		return r.errAt(qc.InvalidFormat, int64(len(cells)), qc.MsgCROnly)
	}
	r.header.GeneColumn = cells[0]
	names := cells[1:]
	if n := len(names); n > 0 && names[n-1] == "" {
		names = names[:n-1] // a trailing tab
		r.tabEnded = true
	}
	if len(names) == 0 {
		return r.errAt(qc.InvalidFormat, 2, "header has no sample columns (is this an expression matrix?)")
	}
	for i, c := range names {
		if c == "" {
			return r.errAt(qc.InvalidFormat, int64(i+2), "empty sample column name")
		}
		// A column may name its sample by title, and a title may hold a
		// tab or a line break (quoted) and be longer than an accession; the
		// accession a name resolves to is checked as an id. NUL is in no
		// text.
		if j := strings.IndexByte(c, 0); j >= 0 {
			return r.errAt(qc.EncodingError, int64(i+2), "sample column name %s holds a NUL character (U+0000) at character %d",
				shortID([]byte(c)), utf8.RuneCountInString(c[:j])+1)
		}
	}
	r.header.Names = names
	r.ncols = len(names)
	return nil
}

// headerLoneCR returns the offset in the buffer of the first carriage
// return of the header line that is not part of a CRLF, or -1 when the
// line ends (in LF, CRLF or at the end of the input) before one. A file
// whose lines end in CR only has no LF at all: read as LF lines it would
// be one header of every cell. Only the header is looked at, so the rows
// are read at full speed.
func (r *Reader) headerLoneCR() (int, error) {
	from := 0
	for {
		head := r.buf[r.r:r.w]
		end := bytes.IndexByte(head[from:], '\n')
		if end >= 0 {
			end += from
		} else {
			end = len(head)
		}
		if i := bytes.IndexByte(head[from:end], '\r'); i >= 0 {
			i += from
			switch {
			case i+1 < len(head):
				if head[i+1] == '\n' {
					return -1, nil
				}
				return i, nil
			case r.eof:
				return -1, nil // the CR ends the input
			}
			from = i // the byte after the CR is not read yet
		} else {
			if end < len(head) || r.eof {
				return -1, nil
			}
			from = end
		}
		if err := r.fill(); err != nil {
			return -1, err
		}
	}
}

// splitHeader splits the header line at tabs. A name in double quotes, as
// CSV writers quote names holding a tab, a quote or a line break, may hold
// tabs and doubled quotes; a quote that does not close a whole name is
// taken literally.
func splitHeader(line []byte) []string {
	var out []string
	for i := 0; ; {
		if i < len(line) && line[i] == '"' {
			if name, n, ok := quotedName(line[i:]); ok {
				out = append(out, name)
				i += n
				if i == len(line) {
					return out
				}
				i++ // the tab
				continue
			}
		}
		j := bytes.IndexByte(line[i:], '\t')
		if j < 0 {
			return append(out, string(line[i:]))
		}
		out = append(out, string(line[i:i+j]))
		i += j + 1
	}
}

// quotedName reads a quoted name at the start of b and returns it, the
// bytes it took, and whether it is properly quoted: closed by a quote that
// ends the line or precedes a tab.
func quotedName(b []byte) (string, int, bool) {
	var s []byte
	for k := 1; k < len(b); k++ {
		if b[k] != '"' {
			s = append(s, b[k])
			continue
		}
		if k+1 < len(b) && b[k+1] == '"' {
			s = append(s, '"')
			k++
			continue
		}
		if k+1 == len(b) || b[k+1] == '\t' {
			return string(s), k + 1, true
		}
		return "", 0, false
	}
	return "", 0, false
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
				line := trimCR(r.buf[r.r:r.w])
				r.r, r.scanned = r.w, 0
				r.line++
				r.unterminated = len(line) > 0
				return line, true
			}
			return nil, false
		}
		if err := r.fill(); err != nil {
			r.err = err
			return nil, false
		}
	}
}

// fill reads more input, compacting or growing the buffer first. A source
// may return its last bytes with its error (gzip.Reader does when its
// input is cut short): the error is then held until the complete lines
// before it are consumed, so that it names the line the stream broke in.
func (r *Reader) fill() error {
	if r.pending != nil {
		return r.readErr(r.pending)
	}
	if r.r > 0 {
		copy(r.buf, r.buf[r.r:r.w])
		r.w -= r.r
		r.r = 0
	}
	if r.w == len(r.buf) {
		// The line in the buffer fills it.
		if len(r.buf) >= r.cfg.maxLineBytes {
			why := "enough for millions of samples"
			if r.cfg.maxLineBytes != defaults().maxLineBytes {
				why = "as WithMaxLineBytes set it"
			}
			return r.errAtLine(qc.InvalidFormat, r.line+1, 0, "line is longer than %d bytes, the longest a matrix line may be (%s): not an expression matrix, or one with no line breaks", r.cfg.maxLineBytes, why)
		}
		nb := make([]byte, min(2*len(r.buf), max(r.cfg.maxLineBytes, len(r.buf)+1)))
		copy(nb, r.buf[:r.w])
		r.buf = nb
	}
	for range 100 {
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
		if err != nil && n > 0 {
			r.pending = err
			return nil
		}
		if err != nil {
			return r.readErr(err)
		}
		if n > 0 {
			return nil
		}
	}
	return r.readErr(io.ErrNoProgress)
}

func (r *Reader) readErr(err error) error {
	r.readFailed = true
	return &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: r.cfg.name,
		Line: r.line + 1, Msg: r.sourceMsg(err), Err: err}
}

// settle returns the error that stops the reader when reading the matrix
// failed with err. A parse error in a source checked only at its end is
// verified first: garbage from corrupt compressed data is reported as
// the corrupt file it is, not as a malformed matrix.
func (r *Reader) settle(err error) error {
	var pe *qc.Error
	if r.verify == nil || r.readFailed || !errors.As(err, &pe) {
		return err
	}
	cause := r.pending // a source that failed already fails again
	if cause == nil {
		cause = r.verify()
	}
	if cause == nil {
		return err
	}
	r.readFailed = true
	return &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: r.cfg.name,
		Line: pe.Line, Column: pe.Column,
		Msg: r.sourceMsg(cause) + " (reading had stopped here: " + pe.Details() + ")", Err: cause}
}

// sourceMsg words a failure of the source. A compressed source fails on
// its data unless the file under it could not be read. Whether the data
// were cut short or changed cannot be told apart (a zip entry whose
// deflate stream is damaged may end early too): either way the copy is
// bad. Data stored without compression fail only their checksum.
func (r *Reader) sourceMsg(err error) string {
	switch {
	case r.verify == nil || errors.As(err, new(*fs.PathError)) || errors.Is(err, io.ErrNoProgress):
		return "reading the matrix failed"
	}
	return SourceFailure(err, r.stored)
}

// ErrTrailingBytes is wrapped by the error of a compressed source whose
// data decompressed whole but are followed by bytes that are neither
// compressed data nor padding: the data are not corrupt, the file holds
// something else besides them.
var ErrTrailingBytes = errors.New("bytes that are neither compressed data nor zero padding follow the compressed data")

// SourceFailure words err, the failure of a compressed source found by
// its check (Verifier): IntegrityMessage's words, or, for ErrTrailingBytes,
// words that do not call intact data corrupt. stored is as for
// IntegrityMessage.
func SourceFailure(err error, stored bool) string {
	if errors.Is(err, ErrTrailingBytes) {
		return "the file holds other bytes after its compressed data; decompress what it holds with gunzip, or download it again"
	}
	return IntegrityMessage(stored)
}

// IntegrityMessage words a source whose data fail their integrity check:
// stored is true for data kept without compression (a zip entry stored
// as is), which fail only their CRC.
func IntegrityMessage(stored bool) string {
	if stored {
		return "the data fail their integrity check (CRC): the file was changed or damaged; download it again"
	}
	return "the compressed data are corrupt or cut short (they fail their integrity check); download the file again"
}

// errAt returns an error at column col of the current line.
func (r *Reader) errAt(code qc.Code, col int64, format string, args ...any) *qc.Error {
	return r.errAtLine(code, r.line, col, format, args...)
}

func (r *Reader) errAtLine(code qc.Code, line, col int64, format string, args ...any) *qc.Error {
	return &qc.Error{Code: code, Severity: qc.SeverityError, File: r.cfg.name, Line: line,
		Column: col, Msg: fmt.Sprintf(format, args...)}
}

func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}
