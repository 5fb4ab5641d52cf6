package expression

import (
	"bytes"
	"unicode/utf8"

	"github.com/genexp/genexp/qc"
)

// parseRow parses one data line into dst, which has one slot per sample
// column, and returns the gene id. The id aliases the read buffer.
func (r *Reader) parseRow(line []byte, dst []float64) ([]byte, error) {
	tab := bytes.IndexByte(line, '\t')
	if tab < 0 {
		return nil, r.ragged(line)
	}
	gene := line[:tab]
	if len(gene) == 0 {
		return nil, r.errAt(qc.ParseError, 1, "empty gene id")
	}
	if !utf8.Valid(gene) {
		return nil, r.errAt(qc.EncodingError, 1, "gene id is not valid UTF-8")
	}
	rest := line[tab+1:]
	last := len(dst) - 1
	for c := range dst {
		j := bytes.IndexByte(rest, '\t')
		var cell []byte
		if j < 0 {
			if c != last {
				return nil, r.ragged(line)
			}
			cell, rest = rest, nil
		} else {
			cell, rest = rest[:j], rest[j+1:]
			if c == last && len(rest) > 0 {
				return nil, r.ragged(line) // more cells than the header
			}
		}
		v, kind := parseCell(cell)
		if kind > cellMissing {
			return nil, r.badCell(cell, kind, int64(c+2))
		}
		dst[c] = v
	}
	return gene, nil
}

func (r *Reader) ragged(line []byte) error {
	cells := bytes.Count(line, []byte{'\t'}) + 1
	if cells == r.ncols+2 && line[len(line)-1] == '\t' {
		cells-- // a trailing tab is not a cell
	}
	return r.errAt(qc.ParseError, int64(min(cells, r.ncols+1)+1),
		"ragged row: %d cells, the header has %d (gene + %d samples)", cells, r.ncols+1, r.ncols)
}

func (r *Reader) badCell(cell []byte, kind cellKind, col int64) error {
	shown := cell
	if len(shown) > 40 {
		shown = append(shown[:37:37], "..."...)
	}
	if kind == cellInfinite {
		return r.errAt(qc.ParseError, col, "infinite value %q in sample column %q", shown, r.header.Names[col-2])
	}
	if !utf8.Valid(cell) {
		return r.errAt(qc.EncodingError, col, "cell is not valid UTF-8")
	}
	return r.errAt(qc.ParseError, col, "not a number: %q in sample column %q", shown, r.header.Names[col-2])
}
