package expression_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/qc"
)

// TestIDLimitsMatchSchema holds the id limits to the column widths of the
// SQL Server schema, the narrowest warehouse, in every migration that
// declares the columns.
func TestIDLimitsMatchSchema(t *testing.T) {
	files, err := filepath.Glob("../warehouse/mssql/schema/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no SQL Server schema files: %v", err)
	}
	for _, col := range []struct {
		name  string
		limit int
	}{
		{"gene_id", expression.MaxGeneIDLength},
		{"sample_accession_code", expression.MaxSampleLength},
		{"study_accession_code", expression.MaxStudyLength},
	} {
		re := regexp.MustCompile(`(?i)\b` + col.name + `\s+NVARCHAR\s*\(\s*(\d+)\s*\)`)
		found := 0
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range re.FindAllSubmatch(b, -1) {
				found++
				if n, _ := strconv.Atoi(string(m[1])); n != col.limit {
					t.Errorf("%s: %s is NVARCHAR(%d), the reader's limit is %d", filepath.Base(f), col.name, n, col.limit)
				}
			}
		}
		if found == 0 {
			t.Errorf("no %s NVARCHAR(n) column in the SQL Server schema", col.name)
		}
	}
}

func TestIDProblem(t *testing.T) {
	for _, tc := range []struct {
		id    string
		limit int
		code  qc.Code
	}{
		{"ENSG00000141510", 255, 0},
		{"GSM1831680", 10, 0},
		{"GSM18316801", 10, qc.ParseError},
		{"ééééé", 5, 0},
		{"\U0001F600\U0001F600\U0001F600", 5, qc.ParseError},
		{"\U0001F600\U0001F600", 4, 0},
		{"A\x00", 255, qc.EncodingError},
		{"A\tB", 255, qc.EncodingError},
		{"A\u2028B", 255, qc.EncodingError}, // a line separator breaks the line it is printed on
		{"\ufeffENSG1", 255, qc.EncodingError},
		{"ENSG\u200b1", 255, qc.EncodingError},
		{"GSM\u00ad1", 255, qc.EncodingError}, // a soft hyphen shows nothing mid-word
		{"\xff", 255, qc.EncodingError},
		{"ENSDARG00000000018 ", 255, qc.ParseError},
		{" ENSDARG00000000018", 255, qc.ParseError},
		{"ENSDARG00000000018\u00a0", 255, qc.ParseError},
		{"\u3000GSM1", 255, qc.ParseError},
		{" ", 255, qc.ParseError},
		{"A B", 255, 0},
		{"A\u00a0B", 255, 0},
		{"", 255, 0}, // emptiness is the caller's to word
	} {
		why, code := expression.IDProblem([]byte(tc.id), tc.limit)
		if code != tc.code || (why == "") != (tc.code == 0) {
			t.Errorf("IDProblem(%q, %d) = %q, %v; want code %v", tc.id, tc.limit, why, code, tc.code)
		}
	}
}
