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
// a control character (NUL, tab, line break, DEL, C1), or a length over
// limit. It returns "" for a good id, and the code the problem calls for.
func IDProblem(id []byte, limit int) (string, qc.Code) {
	plain := true
	for _, c := range id {
		if c < 0x20 || c >= 0x7f {
			plain = false
			break
		}
	}
	if plain && len(id) <= limit {
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
		units += utf16.RuneLen(r)
	}
	if units > limit {
		return fmt.Sprintf("is %d characters long; the warehouse holds at most %d", units, limit), qc.ParseError
	}
	return "", 0
}

// shortID quotes an id for a message, cut to a readable length.
func shortID(id []byte) string {
	s := string(id)
	if len(s) > 40 {
		cut := 37
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return fmt.Sprintf("%q", s)
}
