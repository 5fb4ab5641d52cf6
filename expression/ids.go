package expression

import (
	"fmt"

	"github.com/genexp/genexp/internal/ident"
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
// format character, another character Unicode says to show as nothing
// (a combining grapheme joiner U+034F, a Hangul filler U+3164, a variation
// selector) or a line or paragraph separator (a byte order mark
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
func IDProblem(id []byte, limit int) (string, qc.Code) { return ident.Problem(id, limit) }

// shortID quotes an id for a message, cut to a readable length.
func shortID(id []byte) string {
	return fmt.Sprintf("%q", qc.Shorten(string(id), 40))
}
