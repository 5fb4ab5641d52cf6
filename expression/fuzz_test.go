package expression_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/expression/synth"
	"github.com/genexp/genexp/qc"
)

var (
	refDecimal = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)
	refMissing = map[string]bool{"": true, "NA": true, "N/A": true, "na": true, "n/a": true, "#N/A": true,
		"NaN": true, "nan": true, "NAN": true, "-nan": true, "-NaN": true, "null": true, "NULL": true, "None": true}
)

type refRow struct {
	gene   string
	values []float64
}

// refRead is a slow, independent reading of a matrix: split the whole input
// into lines and cells, and parse each cell with strconv. It returns the
// distinct gene rows, the number of missing cells among them, and the line
// of the first problem (0 when there is none).
func refRead(data []byte) (rows []refRow, missing int64, badLine int) {
	if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) || bytes.HasPrefix(data, []byte("PK\x03\x04")) || len(data) == 0 {
		return nil, 0, 1
	}
	// UTF-16 is told by its first bytes; a UTF-8 matrix whose first cell
	// holds a NUL every other byte is refused with it, as no real one does.
	if qc.LooksUTF16(data[:min(len(data), qc.TextStartBytes)]) {
		return nil, 0, 1
	}
	lines := strings.Split(string(data), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i := range lines {
		lines[i] = strings.TrimSuffix(lines[i], "\r")
	}
	header := strings.TrimPrefix(lines[0], "\ufeff")
	if !utf8.ValidString(header) || strings.Contains(header, "\r") {
		return nil, 0, 1 // a CR left in the header is a line end the reader does not take
	}
	names := strings.Split(header, "\t")[1:]
	if n := len(names); n > 0 && names[n-1] == "" {
		names = names[:n-1]
	}
	if len(names) == 0 {
		return nil, 0, 1
	}
	for _, n := range names {
		if n == "" || strings.ContainsRune(n, 0) {
			return nil, 0, 1
		}
	}
	seen := map[string]bool{}
	for i, line := range lines[1:] {
		if line == "" {
			continue
		}
		cells := strings.Split(line, "\t")
		if len(cells) == len(names)+2 && cells[len(cells)-1] == "" {
			cells = cells[:len(cells)-1]
		}
		if len(cells) != len(names)+1 {
			return nil, 0, i + 2
		}
		gene := cells[0]
		if len(gene) >= 2 && gene[0] == '"' && gene[len(gene)-1] == '"' && !strings.Contains(gene[1:len(gene)-1], `"`) {
			gene = gene[1 : len(gene)-1]
		}
		if !refGoodID(gene) {
			return nil, 0, i + 2
		}
		row := refRow{gene: gene}
		var miss int64
		for _, c := range cells[1:] {
			switch {
			case refMissing[c]:
				row.values = append(row.values, math.NaN())
				miss++
			case refDecimal.MatchString(c):
				v, _ := strconv.ParseFloat(c, 64)
				if math.IsInf(v, 0) || math.Abs(v) > expression.MaxMagnitude {
					return nil, 0, i + 2
				}
				row.values = append(row.values, v)
			default:
				return nil, 0, i + 2
			}
		}
		if !seen[gene] {
			seen[gene] = true
			rows = append(rows, row)
			missing += miss
		}
	}
	return rows, missing, 0
}

// refGoodID: a gene id is non-empty UTF-8 without control characters (Cc:
// C0, DEL, C1), invisible format characters (Cf: a byte order mark, a
// zero-width space), line and paragraph separators (Zl, Zp), or other
// characters Unicode says to show as nothing (Other_Default_Ignorable_Code_Point
// such as U+FFF8, Variation_Selector), and fits
// dim_gene.gene_id, NVARCHAR(255), counted in UTF-16 code units.
func refGoodID(id string) bool {
	if id == "" || !utf8.ValidString(id) {
		return false
	}
	for _, r := range id {
		if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector) {
			return false
		}
	}
	// Blanks around an id are refused: SQL Server compares strings with
	// trailing blanks padded, so two such ids would be one gene there.
	if strings.TrimFunc(id, unicode.IsSpace) != id {
		return false
	}
	return len(utf16.Encode([]rune(id))) <= 255
}

// FuzzReader: on any bytes the Reader never panics; it fails exactly where
// the independent reading fails, with a *qc.Error naming that line; and when
// it succeeds it agrees with the independent reading on every gene, cell,
// count and the content hash.
func FuzzReader(f *testing.F) {
	seeds := []string{
		"Gene\tA\tB\nG1\t1.5\t-2\nG2\tNA\t3e2\n",
		"\ufeffGene\tA\r\nG1\t1\r\n\r\nG1\t2\r\n",
		"\tt one\tt two\t\nP1\t0.1\t\t\nP2\t1e400\t1\n",
		"Gene\tA\tB\nG1\t1e100\t-1e100\nG2\t1.0000001e100\t1\n",
		"Gene\tA\nG1\t0x1p3\n",
		"Gene\tA\nG1\t1\t2\n",
		"Gene\tA\tB\nG1\t1\n",
		"Gene\t\tB\n",
		"Gene\n",
		"",
		"\x1f\x8b\x08\x00",
		"Gene\tA\n\"G1\"\t5.\n\"\"\t1\n",
		"Gene\tA\n\xffG\t1\n",
		"Gene\tA\nG1\t" + strings.Repeat("7", 30) + "e-10\n",
		"\"Gene\"\t\"A\tB\"\t\"C\"\"D\"\nG1\t1\t2\n",
		"Gene\t\"A\"x\t\"B\nG1\t1\t2\n",
		"Gene\t\"\"\t\"\n",
		"\"\t\"\"\"\t\"\nG\t1\n",
		"Gene\tA\tB\rG1\t1\t2\rG2\t3\t4\r",
		"Gene\tA\r",
		"\t0\t0\n\x010\t\t",
		"Gene\tA\x00B\nG1\t1\n",
		"Gene\tA\n" + strings.Repeat("\u00e9", 255) + "\t1\n" + strings.Repeat("\U0001F600", 128) + "\t2\n",
		"\xff\xfeG\x00\t\x00A\x00\r\x00\n\x00G\x001\x00\t\x001\x00\r\x00\n\x00", // UTF-16LE, as Excel saves it
		"G\x00e\x00n\x00e\x00\t\x00A\x00\n\x00", "\x00G\x00\t\x00A\x00\n",
	}
	src, err := synth.NewMatrix(synth.MatrixSpec{Genes: 5, Samples: 3, MissingShare: 0.2, Seed: 1})
	if err != nil {
		f.Fatal(err)
	}
	var gen bytes.Buffer
	src.WriteTo(&gen)
	seeds = append(seeds, gen.String())
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Quoted header names are parsed with CSV rules the reference does
		// not implement (TestReaderAccepts covers them): such input is read
		// all the same, for panics and for the shape of what comes out,
		// but not compared with the reference.
		header, _, _ := bytes.Cut(data, []byte("\n"))
		quoted := bytes.IndexByte(header, '"') >= 0
		want, wantMissing, badLine := refRead(data)
		r, err := expression.NewReader(bytes.NewReader(data), expression.WithName("fuzz"), expression.WithBatchRows(3), expression.WithBufferSize(64))
		if err == nil && quoted {
			h := r.Header()
			if len(h.Names) == 0 {
				t.Fatal("a header with no sample columns was accepted")
			}
			for i, n := range h.Names {
				if n == "" {
					t.Fatalf("sample column %d has an empty name: %q", i+2, h.Names)
				}
			}
		}
		var got []refRow
		if err == nil {
			for r.Next() {
				b := r.Batch()
				for i, g := range b.Genes {
					got = append(got, refRow{g, append([]float64(nil), b.Row(i)...)})
				}
			}
			err = r.Err()
		}
		if err != nil {
			var e *qc.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not a *qc.Error: %v", err, err)
			}
			if e.File != "fuzz" || e.Severity != qc.SeverityError || e.Column < 0 || e.Column > int64(len(data))+2 {
				t.Fatalf("bad error fields: %+v", e)
			}
			if e.Code != qc.InvalidFormat && e.Code != qc.ParseError && e.Code != qc.EncodingError {
				t.Fatalf("unexpected code %v", e)
			}
			if e.Line < 1 || e.Line > int64(bytes.Count(data, []byte("\n"))+1) {
				t.Fatalf("error at line %d of a %d-line input: %v", e.Line, bytes.Count(data, []byte("\n"))+1, err)
			}
			if quoted {
				return
			}
			if badLine == 0 {
				t.Fatalf("reader failed where the reference did not: %v", err)
			}
			if e.Line != int64(badLine) {
				t.Fatalf("reader failed at line %d, the reference at line %d: %v", e.Line, badLine, err)
			}
			return
		}
		if quoted {
			sum, err := r.Sum()
			h := sha256.Sum256(data)
			if err != nil || sum != hex.EncodeToString(h[:]) || r.Stats().Bytes != int64(len(data)) {
				t.Fatalf("Sum %s %v after %d bytes, want %x after %d", sum, err, r.Stats().Bytes, h, len(data))
			}
			return
		}
		if badLine != 0 {
			t.Fatalf("reader succeeded where the reference fails at line %d", badLine)
		}
		if len(got) != len(want) {
			t.Fatalf("%d rows, reference %d", len(got), len(want))
		}
		for i := range want {
			if got[i].gene != want[i].gene || len(got[i].values) != len(want[i].values) {
				t.Fatalf("row %d: %q %d values, reference %q %d", i, got[i].gene, len(got[i].values), want[i].gene, len(want[i].values))
			}
			for c, v := range want[i].values {
				g := got[i].values[c]
				if math.Float64bits(g) != math.Float64bits(v) && !(math.IsNaN(g) && math.IsNaN(v)) {
					t.Fatalf("row %q column %d: %v, reference %v", want[i].gene, c, g, v)
				}
			}
		}
		st := r.Stats()
		if st.Missing != wantMissing || st.Bytes != int64(len(data)) || st.Rows != int64(len(want)) {
			t.Fatalf("stats %+v; reference %d missing, %d bytes, %d rows", st, wantMissing, len(data), len(want))
		}
		sum, err := r.Sum()
		h := sha256.Sum256(data)
		if err != nil || sum != hex.EncodeToString(h[:]) {
			t.Fatalf("Sum %s %v, want %x", sum, err, h)
		}
	})
}
