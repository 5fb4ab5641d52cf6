package expression

import (
	"bytes"
	"unicode/utf8"

	"github.com/genexp/genexp/qc"
)

// parseRow parses one data line into dst, which has one slot per sample
// column, and returns the gene id (aliasing the read buffer) and the number
// of missing cells.
func (r *Reader) parseRow(line []byte, dst []float64) (gene []byte, missing int, err error) {
	tab := bytes.IndexByte(line, '\t')
	if tab < 0 {
		return nil, 0, r.ragged(line)
	}
	gene = unquoteBytes(line[:tab])
	if len(gene) == 0 {
		return nil, 0, r.errAt(qc.ParseError, 1, "empty gene id")
	}
	if why, code := IDProblem(gene, MaxGeneIDLength); why != "" {
		if code == qc.EncodingError && !utf8.Valid(gene) {
			return nil, 0, r.errAt(code, 1, "gene id is not valid UTF-8")
		}
		return nil, 0, r.errAt(code, 1, "gene id %s %s", shortID(gene), why)
	}
	pos := tab + 1
	last := len(dst) - 1
	for c := range dst {
		v, n, kind := scanCell(line[pos:])
		if kind != cellNumber || v > MaxMagnitude || v < -MaxMagnitude {
			if kind == cellNumber {
				kind = cellTooLarge
			}
			if kind != cellMissing {
				return nil, 0, r.badCell(line[pos:pos+n], kind, int64(c+2))
			}
			missing++
		}
		dst[c] = v
		pos += n
		if pos == len(line) {
			if c != last {
				return nil, 0, r.ragged(line)
			}
			break
		}
		pos++ // the tab
		if c == last && pos != len(line) {
			return nil, 0, r.ragged(line) // more cells than the header
		}
	}
	return gene, missing, nil
}

// ragged reports a row whose cell count differs from the header's. The
// column is where the row and the header part: the first absent cell, or
// the first extra one. A trailing tab starts an empty cell, as the row
// parser reads it, unless the header ends in one too (Reader.tabEnded).
func (r *Reader) ragged(line []byte) error {
	cells := bytes.Count(line, []byte{'\t'}) + 1
	if r.tabEnded && line[len(line)-1] == '\t' {
		cells-- // the writer ends every cell with a tab
	}
	if i := bytes.IndexByte(line, 0); i >= 0 {
		// NUL bytes, as a file padded with zeros after a crash or a copy
		// cut short ends: a row of them shows as an empty line in an
		// editor, so the ragged count alone would not say what is there.
		return r.errAt(qc.EncodingError, int64(bytes.Count(line[:i], []byte{'\t'})+1),
			"the row holds a NUL character (U+0000) at byte %d, and %d cells where the header has %d: NUL bytes in a text file mean it was padded or damaged (a copy or download cut short); get the file again",
			i+1, cells, r.ncols+1)
	}
	col := min(cells+1, r.ncols+2)
	return r.errAt(qc.ParseError, int64(col),
		"ragged row: %d cells, the header has %d (gene + %d samples)", cells, r.ncols+1, r.ncols)
}

func (r *Reader) badCell(cell []byte, kind cellKind, col int64) error {
	if !isASCII(cell) && !utf8.Valid(cell) {
		return r.errAt(qc.EncodingError, col, "cell is not valid UTF-8")
	}
	shown := qc.Shorten(string(cell), 40)
	switch kind {
	case cellInfinite:
		return r.errAt(qc.ParseError, col, "infinite value %q in sample column %q", shown, r.header.Names[col-2])
	case cellTooLarge:
		return r.errAt(qc.ParseError, col, "value %q in sample column %q is beyond ±1e100 (expression.MaxMagnitude), larger than any expression measure (the warehouse's variances of it would overflow)", shown, r.header.Names[col-2])
	}
	if bytes.IndexByte(cell, '\r') >= 0 {
		// A lone CR mid-file: the header's lines end in LF (or CRLF), so
		// this CR ends no line, and the next line's cells run on in this one.
		return r.errAt(qc.ParseError, col, "not a number: %q in sample column %q: it holds a carriage return (CR) that ends no line, "+
			"as only LF or CRLF does: the file mixes line endings; make every line end in LF (or CRLF)", shown, r.header.Names[col-2])
	}
	return r.errAt(qc.ParseError, col, "not a number: %q in sample column %q", shown, r.header.Names[col-2])
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// unquoteBytes removes the quotes a CSV writer that quotes every text field
// puts around a gene id.
func unquoteBytes(b []byte) []byte {
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' && bytes.IndexByte(b[1:len(b)-1], '"') < 0 {
		return b[1 : len(b)-1]
	}
	return b
}
