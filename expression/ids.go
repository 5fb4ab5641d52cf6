package expression

import (
	"fmt"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/genexp/genexp/qc"
)

// The widest gene id, sample accession and study accession the warehouse
// stores, counted as SQL Server counts NVARCHAR: in UTF-16 code units.
// They are the widths of dim_gene.gene_id, dim_sample.sample_accession_code
// and dim_study.study_accession_code in the SQL Server schema
// (warehouse/mssql/schema), which a test holds them to; checking them
// while reading turns an id the warehouse would refuse at commit, after
// the whole matrix has streamed, into an error at its line.
const (
	MaxGeneIDLength = 255
	MaxSampleLength = 100
	MaxStudyLength  = 100
)

// IDProblem says what makes id unusable as an identifier: invalid UTF-8,
// a control character (NUL, tab, line break, DEL, C1), an invisible
// format character or a line or paragraph separator (a byte order mark
// U+FEFF, which a file joined from several keeps at each one's start; a
// zero-width space U+200B; U+2028), which would make two ids that print
// alike two keys, a blank (a space,
// a no-break space, any Unicode white space) at its start or end, or a
// length over limit. It returns "" for a good id, and the code the problem
// calls for.
//
// Blanks around an id are refused because the warehouses would not agree
// on them: SQL Server compares strings as if the shorter were padded with
// spaces, so "ENSG1 " and "ENSG1" are one key there and two in DuckDB.
func IDProblem(id []byte, limit int) (string, qc.Code) {
	plain := true
	for _, c := range id {
		if c < 0x20 || c >= 0x7f {
			plain = false
			break
		}
	}
	if plain && len(id) <= limit && (len(id) == 0 || id[0] != ' ' && id[len(id)-1] != ' ') {
		return "", 0 // the common case: short printable ASCII
	}
	if !utf8.Valid(id) {
		return "is not valid UTF-8", qc.EncodingError
	}
	units, chars := 0, 0
	for _, r := range string(id) {
		chars++
		if unicode.IsControl(r) {
			return fmt.Sprintf("holds the control character U+%04X at character %d", r, chars), qc.EncodingError
		}
		if r == '\uFEFF' {
			return fmt.Sprintf("holds a byte order mark (U+FEFF) at character %d, as a file joined from several keeps the mark of each; remove it", chars),
				qc.EncodingError
		}
		if unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) {
			return fmt.Sprintf("holds the invisible character U+%04X at character %d", r, chars), qc.EncodingError
		}
		units += utf16.RuneLen(r)
	}
	if units > limit {
		return fmt.Sprintf("is %d characters long; the warehouse holds at most %d", units, limit), qc.ParseError
	}
	if first, _ := utf8.DecodeRune(id); unicode.IsSpace(first) {
		return fmt.Sprintf("begins with %s; an id may not begin or end with blanks (remove them)", blankName(first)), qc.ParseError
	}
	if last, _ := utf8.DecodeLastRune(id); unicode.IsSpace(last) {
		return fmt.Sprintf("ends with %s; an id may not begin or end with blanks (remove them)", blankName(last)), qc.ParseError
	}
	return "", 0
}

func blankName(r rune) string {
	if r == ' ' {
		return "a space"
	}
	return fmt.Sprintf("the blank character U+%04X", r)
}

// shortID quotes an id for a message, cut to a readable length.
func shortID(id []byte) string {
	return fmt.Sprintf("%q", qc.Shorten(string(id), 40))
}
