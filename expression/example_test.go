package expression_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/qc"
)

// A researcher reads a matrix (here from a string; usually an *os.File or
// genexp.Matrix.Open) and melts it to long rows: one per measured cell,
// with the line it came from.
func Example() {
	matrix := "Gene\tGSM1831680\tGSM1831675\n" +
		"ENSDARG00000000018\t0.6307356617559152\tNA\n" +
		"ENSDARG00000000019\t0.7136437700444298\t0.27770359003596856\n"
	r, err := expression.NewReader(strings.NewReader(matrix), expression.WithName("GSE71270.tsv"))
	if err != nil {
		fmt.Println(err)
		return
	}
	samples := r.Header().Names
	var melter expression.ColumnMelter // all columns; missing cells skipped
	var long expression.LongBatch
	for r.Next() {
		melter.Melt(&long, r.Batch())
		for i := range long.Len() {
			fmt.Printf("line %d  %s  %s  %v\n", long.Line(i), long.Gene(i), samples[long.Column[i]], long.Value[i])
		}
	}
	if err := r.Err(); err != nil {
		fmt.Println(err)
		return
	}
	sum, _ := r.Sum()
	st := r.Stats()
	fmt.Printf("%d cells, %d missing, sha256 %s…\n", st.Cells, st.Missing, sum[:16])
	// Output:
	// line 2  ENSDARG00000000018  GSM1831680  0.6307356617559152
	// line 3  ENSDARG00000000019  GSM1831680  0.7136437700444298
	// line 3  ENSDARG00000000019  GSM1831675  0.27770359003596856
	// 4 cells, 1 missing, sha256 eac991e314fb0aca…
}

// A bad cell stops the stream with a coded error that names the file, line
// and column.
func ExampleReader_Err() {
	matrix := "Gene\tGSM1\tGSM2\nENSG01\t1.5\t2\nENSG02\t3\tInf\n"
	r, _ := expression.NewReader(strings.NewReader(matrix), expression.WithName("GSE1.tsv"))
	for r.Next() {
	}
	err := r.Err()
	var e *qc.Error
	if errors.As(err, &e) {
		fmt.Println(e.File, e.Line, e.Column, errors.Is(err, qc.ParseError))
	}
	fmt.Println(err)
	// Output:
	// GSE1.tsv 3 3 true
	// GSE1.tsv:3:3: infinite value "Inf" in sample column "GSM2" [1004 EXTRACTION_PARSE_ERROR]
}
