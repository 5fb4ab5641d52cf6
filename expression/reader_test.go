package expression_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/qc"
)

// readMatrix reads a whole matrix and returns its rows (gene → values in
// column order), its header and the reader.
func readMatrix(t *testing.T, src io.Reader, opts ...expression.Option) (*expression.Reader, map[string][]float64, []string, error) {
	t.Helper()
	r, err := expression.NewReader(src, append([]expression.Option{expression.WithName("m.tsv")}, opts...)...)
	if err != nil {
		return nil, nil, nil, err
	}
	rows := map[string][]float64{}
	var order []string
	for r.Next() {
		b := r.Batch()
		for i, g := range b.Genes {
			rows[g] = append([]float64(nil), b.Row(i)...)
			order = append(order, g)
		}
	}
	return r, rows, order, r.Err()
}

func TestReaderBadInput(t *testing.T) {
	const h = "Gene\tA\tB\n"
	cases := []struct {
		name       string
		in         string
		code       qc.Code
		line, col  int64
		msgContain string
	}{
		{"empty file", "", qc.InvalidFormat, 1, 0, "empty"},
		{"header only a gene column", "Gene\n1\n", qc.InvalidFormat, 1, 2, "no sample columns"},
		{"header only a trailing tab", "Gene\t\n", qc.InvalidFormat, 1, 2, "no sample columns"},
		{"empty column name", "Gene\tA\t\tB\n", qc.InvalidFormat, 1, 3, "empty sample column name"},
		{"header not UTF-8", "Gene\tA\tB\xff\n", qc.EncodingError, 1, 3, "UTF-8"},
		{"gzip bytes", "\x1f\x8b\x08\x00\x00\x00\x00\x00", qc.InvalidFormat, 1, 1, "rename it to m.tsv.gz (genexp reads .tsv.gz files directly) or decompress it with gunzip"},
		{"zip bytes", "PK\x03\x04\x14\x00", qc.InvalidFormat, 1, 1, "unzip it, or load the zip itself"},
		{"ragged: gene only", h + "G1\t1\t2\nG2\n", qc.ParseError, 3, 2, "ragged"},
		{"ragged: too few cells", h + "G1\t1\n", qc.ParseError, 2, 3, "ragged"},
		{"ragged: too many cells", h + "G1\t1\t2\t3\n", qc.ParseError, 2, 4, "ragged"},
		{"ragged: too many after a trailing tab", h + "G1\t1\t2\t\t\n", qc.ParseError, 2, 4, "ragged"},
		{"ragged: last line without newline", h + "G1\t1", qc.ParseError, 2, 3, "ragged"},
		{"ragged: short row ending in a tab", "Gene\tA\tB\tC\n" + "G1\t1\t\n", qc.ParseError, 2, 4, "ragged row: 3 cells"},
		{"ragged: short row, every cell tab-ended", "Gene\tA\tB\tC\t\n" + "G1\t1\t\n", qc.ParseError, 2, 3, "ragged row: 2 cells"},
		{"NUL padding at the end", h + "G1\t1\t2\n\x00\x00\x00\x00", qc.EncodingError, 3, 1, "NUL character (U+0000) at byte 1, and 1 cells where the header has 3"},
		{"Inf", h + "G1\tInf\t1\n", qc.ParseError, 2, 2, "infinite"},
		{"-Inf", h + "G1\t1\t-Inf\n", qc.ParseError, 2, 3, "infinite"},
		{"Infinity", h + "G1\tInfinity\t1\n", qc.ParseError, 2, 2, "infinite"},
		{"1e400", h + "G1\t1e400\t1\n", qc.ParseError, 2, 2, "infinite"},
		{"-1e400", h + "G1\t1\t-1e400\n", qc.ParseError, 2, 3, "infinite"},
		{"a long mantissa overflowing", h + "G1\t1\t" + strings.Repeat("9", 400) + "\n", qc.ParseError, 2, 3, "infinite"},
		{"beyond the largest magnitude", h + "G1\t1e160\t1\n", qc.ParseError, 2, 2, `value "1e160" in sample column "A" is beyond ±1e100`},
		{"beyond it, negative, on a later row", h + "G1\t1\t2\nG2\t3\t-1.5e100\n", qc.ParseError, 3, 3, "beyond ±1e100"},
		{"non-numeric", h + "G1\t1\tabc\n", qc.ParseError, 2, 3, "not a number"},
		{"two dots", h + "G1\t1.2.3\t1\n", qc.ParseError, 2, 2, "not a number"},
		{"decimal comma", h + "G1\t1,5\t1\n", qc.ParseError, 2, 2, "not a number"},
		{"leading space", h + "G1\t 1\t1\n", qc.ParseError, 2, 2, "not a number"},
		{"trailing space", h + "G1\t1 \t1\n", qc.ParseError, 2, 2, "not a number"},
		{"hex float", h + "G1\t1\t0x1p3\n", qc.ParseError, 2, 3, "not a number"},
		{"hex integer", h + "G1\t0X10\t1\n", qc.ParseError, 2, 2, "not a number"},
		{"underscores", h + "G1\t1_000\t1\n", qc.ParseError, 2, 2, "not a number"},
		{"exponent without digits", h + "G1\t1e\t1\n", qc.ParseError, 2, 2, "not a number"},
		{"exponent sign without digits", h + "G1\t1e+\t1\n", qc.ParseError, 2, 2, "not a number"},
		{"sign alone", h + "G1\t-\t1\n", qc.ParseError, 2, 2, "not a number"},
		{"dot alone", h + "G1\t1\t.\n", qc.ParseError, 2, 3, "not a number"},
		{"quoted number", h + "G1\t\"1\"\t1\n", qc.ParseError, 2, 2, "not a number"},
		{"stray carriage return", h + "G1\t1\r2\t1\n", qc.ParseError, 2, 2, "not a number"},
		{"NUL byte", h + "G1\t1\x00\t1\n", qc.ParseError, 2, 2, "not a number"},
		{"gene id with a trailing space", h + "ENSDARG00000000018 \t1\t2\n", qc.ParseError, 2, 1, `gene id "ENSDARG00000000018 " ends with a space`},
		{"gene id with a leading no-break space", h + "\u00a0G1\t1\t2\n", qc.ParseError, 2, 1, "begins with the blank character U+00A0"},
		{"quoted gene id with a trailing space", h + "\"G1 \"\t1\t2\n", qc.ParseError, 2, 1, "ends with a space"},
		{"empty gene id", h + "G1\t1\t2\n\t1\t2\n", qc.ParseError, 3, 1, "empty gene id"},
		{"gene id not UTF-8", h + "G\xc3\x28\t1\t2\n", qc.EncodingError, 2, 1, "UTF-8"},
		{"cell not UTF-8", h + "G1\t1\t\xff\xfe\n", qc.EncodingError, 2, 3, "UTF-8"},
		{"NUL in a gene id", h + "G1\t1\t2\nG\x002\t1\t2\n", qc.EncodingError, 3, 1, "control character U+0000 at character 2"},
		{"vertical tab in a gene id", h + "G\v1\t1\t2\n", qc.EncodingError, 2, 1, "U+000B"},
		{"DEL in a gene id", h + "G1\x7f\t1\t2\n", qc.EncodingError, 2, 1, "U+007F"},
		{"C1 control in a gene id", h + "G\u00851\t1\t2\n", qc.EncodingError, 2, 1, "U+0085"},
		{"byte order mark opening a later line", h + "G1\t1\t2\n\ufeffG2\t1\t2\n", qc.EncodingError, 3, 1, "byte order mark (U+FEFF) at character 1"},
		{"zero-width space in a gene id", h + "G\u200b1\t1\t2\n", qc.EncodingError, 2, 1, "invisible character U+200B"},
		{"combining grapheme joiner in a gene id", h + "G\u034f1\t1\t2\n", qc.EncodingError, 2, 1, "invisible character U+034F"},
		{"Hangul filler in a gene id", h + "G1\u3164\t1\t2\n", qc.EncodingError, 2, 1, "invisible character U+3164"},
		{"variation selector in a gene id", h + "G\ufe0f1\t1\t2\n", qc.EncodingError, 2, 1, "invisible character U+FE0F"},
		{"quoted gene id with a NUL", h + "\"G\x00\"\t1\t2\n", qc.EncodingError, 2, 1, "U+0000"},
		{"gene id over 255", h + strings.Repeat("G", 256) + "\t1\t2\n", qc.ParseError, 2, 1, "256 characters long; the warehouse holds at most 255"},
		{"gene id over 255 UTF-16 units", h + strings.Repeat("\U0001F600", 128) + "\t1\t2\n", qc.ParseError, 2, 1, "256 characters"},
		{"NUL in a sample name", "Gene\tA\tB\x00C\n", qc.EncodingError, 1, 3, "NUL character (U+0000) at character 2"},
		{"NUL in a quoted sample name", "Gene\t\"A\x00\"\tB\n", qc.EncodingError, 1, 2, "NUL"},
		{"error after blank lines", h + "\n\r\nG1\t1\t2\n\nG2\tx\t2\n", qc.ParseError, 6, 2, "not a number"},
		{"error after CRLF lines", "Gene\tA\tB\r\nG1\t1\t2\r\nG2\t1\tNA\tx\r\n", qc.ParseError, 3, 4, "ragged"},
		{"CR-only lines", "Gene\tA\tB\rG1\t1\t2\rG2\t3\t4\r", qc.InvalidFormat, 1, 3, "end in CR only"},
		{"CR-only lines, a trailing tab", "Gene\tA\tB\t\rG1\t1\t2\t\r", qc.InvalidFormat, 1, 4, "end in CR only"},
		{"CR-only lines after a BOM", "\ufeffGene\tA\rG1\t1\r", qc.InvalidFormat, 1, 2, "tr '\\r' '\\n'"},
		{"CR-only lines, a long header", "Gene\t" + strings.Repeat("GSM123456\t", 30) + "GSM9\rG1" + strings.Repeat("\t1", 31) + "\r",
			qc.InvalidFormat, 1, 32, "end in CR only"},
		{"CR inside a header name", "Gene\tA\rB\tC\nG1\t1\t2\n", qc.InvalidFormat, 1, 2, "CR"},
		{"a lone CR mid-file", h + "G1\t1\t2\nG2\t1\t2\rG3\t1\t2\n", qc.ParseError, 3, 3, "the file mixes line endings"},
		{"CR-only header not UTF-8", "Gene\tA\xff\rG1\t1\r", qc.EncodingError, 1, 2, "UTF-8"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, err := readMatrix(t, strings.NewReader(tc.in), expression.WithBatchRows(1))
			checkErr(t, err, tc.code, tc.line, tc.col, tc.msgContain)
		})
		// The same error whatever the reads return and however small
		// the buffer: a line end split across reads is still seen.
		t.Run(tc.name+"/byte by byte", func(t *testing.T) {
			_, _, _, err := readMatrix(t, iotest.OneByteReader(strings.NewReader(tc.in)), expression.WithBatchRows(1), expression.WithBufferSize(64))
			checkErr(t, err, tc.code, tc.line, tc.col, tc.msgContain)
		})
	}
}

func checkErr(t *testing.T, err error, code qc.Code, line, col int64, contains string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want %v at %d:%d", code, line, col)
	}
	var e *qc.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %v is not a *qc.Error", err, err)
	}
	if !errors.Is(err, code) || e.Severity != qc.SeverityError || e.File != "m.tsv" || e.Line != line || e.Column != col {
		t.Fatalf("got %v (code %d, %s:%d:%d); want code %d at m.tsv:%d:%d", err, e.Code, e.File, e.Line, e.Column, code, line, col)
	}
	if !strings.Contains(e.Msg, contains) {
		t.Errorf("message %q does not say %q", e.Msg, contains)
	}
}

func TestReaderAccepts(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name   string
		in     string
		gene   string
		names  []string
		rows   map[string][]float64
		miss   int64
		orders []string
	}{
		{"plain", "Gene\tA\tB\nG1\t1.5\t-2\nG2\t0\t3e2\n", "Gene", []string{"A", "B"},
			map[string][]float64{"G1": {1.5, -2}, "G2": {0, 300}}, 0, []string{"G1", "G2"}},
		{"CRLF", "Gene\tA\tB\r\nG1\t1.5\t-2\r\nG2\t0\t3e2\r\n", "Gene", []string{"A", "B"},
			map[string][]float64{"G1": {1.5, -2}, "G2": {0, 300}}, 0, nil},
		{"UTF-8 BOM", "\ufeffGene\tA\nG1\t1\n", "Gene", []string{"A"}, map[string][]float64{"G1": {1}}, 0, nil},
		{"empty gene header (2018)", "\tsample one\tsample two\nG1\t1\t2\n", "", []string{"sample one", "sample two"},
			map[string][]float64{"G1": {1, 2}}, 0, nil},
		{"trailing tab in header and rows", "Gene\tA\tB\t\nG1\t1\t2\t\nG2\t3\t4\n", "Gene", []string{"A", "B"},
			map[string][]float64{"G1": {1, 2}, "G2": {3, 4}}, 0, nil},
		{"blank lines", "Gene\tA\n\nG1\t1\n\r\n\nG2\t2\n\n", "Gene", []string{"A"},
			map[string][]float64{"G1": {1}, "G2": {2}}, 0, nil},
		{"no final newline", "Gene\tA\nG1\t1", "Gene", []string{"A"}, map[string][]float64{"G1": {1}}, 0, nil},
		{"quoted header names", "\"Gene\"\t\"A, \"\"left\"\"\"\t\"B\tC\"\tplain\"quote\n", "Gene", nil, nil, 0, nil},
		{"missing spellings", "Gene\tA\tB\tC\tD\tE\nG1\tNA\tNaN\t\tnan\tN/A\nG2\t1\t\t2\t#N/A\t-NaN\n", "Gene", []string{"A", "B", "C", "D", "E"},
			map[string][]float64{"G1": {nan, nan, nan, nan, nan}, "G2": {1, nan, 2, nan, nan}}, 8, nil},
		{"empty last cell", "Gene\tA\tB\nG1\t1\t\n", "Gene", []string{"A", "B"}, map[string][]float64{"G1": {1, nan}}, 1, nil},
		{"header only", "Gene\tA\n", "Gene", []string{"A"}, map[string][]float64{}, 0, nil},
		{"gene ids at the length limit", "Gene\tA\n" + strings.Repeat("G", 255) + "\t1\n" + strings.Repeat("é", 255) + "\t2\n",
			"Gene", []string{"A"}, map[string][]float64{strings.Repeat("G", 255): {1}, strings.Repeat("é", 255): {2}}, 0, nil},
		{"header only, a CR ends the input", "Gene\tA\r", "Gene", []string{"A"}, map[string][]float64{}, 0, nil},
		{"number forms", "Gene\tA\tB\tC\tD\tE\tF\nG1\t+1\t.5\t5.\t-0\t1E-3\t0.000000000000000000000000000001\n", "Gene", []string{"A", "B", "C", "D", "E", "F"},
			map[string][]float64{"G1": {1, 0.5, 5, math.Copysign(0, -1), 0.001, 1e-30}}, 0, nil},
		{"quoted gene id", "Gene\tA\n\"G1\"\t1\n", "Gene", []string{"A"}, map[string][]float64{"G1": {1}}, 0, nil},
		{"gene id with a quote inside keeps its quotes", "Gene\tA\n\"G\"1\"\t1\n", "Gene", []string{"A"}, map[string][]float64{`"G"1"`: {1}}, 0, nil},
		{"underflow to zero", "Gene\tA\nG1\t1e-400\n", "Gene", []string{"A"}, map[string][]float64{"G1": {0}}, 0, nil},
		{"subnormal", "Gene\tA\nG1\t4.9e-324\n", "Gene", []string{"A"}, map[string][]float64{"G1": {5e-324}}, 0, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, rows, order, err := readMatrix(t, strings.NewReader(tc.in), expression.WithBatchRows(1))
			if err != nil {
				t.Fatal(err)
			}
			h := r.Header()
			if tc.name == "quoted header names" {
				// A quoted name may hold the delimiter and doubled quotes.
				if h.GeneColumn != "Gene" || len(h.Names) != 3 || h.Names[0] != `A, "left"` || h.Names[1] != "B\tC" || h.Names[2] != `plain"quote` {
					t.Fatalf("header %q %q", h.GeneColumn, h.Names)
				}
				return
			}
			if h.GeneColumn != tc.gene || strings.Join(h.Names, "|") != strings.Join(tc.names, "|") {
				t.Fatalf("header %q %q, want %q %q", h.GeneColumn, h.Names, tc.gene, tc.names)
			}
			if len(rows) != len(tc.rows) {
				t.Fatalf("%d rows, want %d", len(rows), len(tc.rows))
			}
			for g, want := range tc.rows {
				got := rows[g]
				if len(got) != len(want) {
					t.Fatalf("%s: %v, want %v", g, got, want)
				}
				for i := range want {
					if math.Float64bits(got[i]) != math.Float64bits(want[i]) && !(math.IsNaN(got[i]) && math.IsNaN(want[i])) {
						t.Errorf("%s[%d] = %v, want %v", g, i, got[i], want[i])
					}
				}
			}
			if tc.orders != nil && strings.Join(order, ",") != strings.Join(tc.orders, ",") {
				t.Errorf("order %v, want %v", order, tc.orders)
			}
			if st := r.Stats(); st.Missing != tc.miss || st.Rows != int64(len(tc.rows)) || st.Cells != int64(len(tc.rows)*len(tc.names)) || st.Bytes != int64(len(tc.in)) {
				t.Errorf("stats %+v; want %d missing, %d rows, %d bytes", st, tc.miss, len(tc.rows), len(tc.in))
			}
			if _, err := r.Sum(); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestReaderDuplicateGenes(t *testing.T) {
	in := "Gene\tA\nG1\t1\nG2\t2\nG1\t3\nG3\t4\nG1\t5\nG2\t6\n"
	r, rows, order, err := readMatrix(t, strings.NewReader(in), expression.WithBatchRows(2), expression.WithMaxFindings(2))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(order, ",") != "G1,G2,G3" || rows["G1"][0] != 1 || rows["G2"][0] != 2 {
		t.Fatalf("rows %v in order %v; want the first of each gene", rows, order)
	}
	st := r.Stats()
	if st.DuplicateGenes != 3 || st.Rows != 3 || st.Cells != 3 {
		t.Errorf("stats %+v", st)
	}
	f := r.Findings()
	if len(f) != 2 {
		t.Fatalf("%d findings, want 2 (the cap)", len(f))
	}
	for i, want := range []int64{4, 6} {
		if f[i].Code != qc.DuplicateGenes || f[i].Severity != qc.SeverityWarning || f[i].File != "m.tsv" || f[i].Line != want || f[i].Column != 1 {
			t.Errorf("finding %d: %v (line %d)", i, f[i], f[i].Line)
		}
		if !strings.Contains(f[i].Msg, "line 2") {
			t.Errorf("finding %d does not name the first line: %s", i, f[i].Msg)
		}
	}
}

// TestReaderNoFinalLineBreak: a matrix whose last row has no line break
// may have been cut inside its last value; the rows still load, with one
// WARNING at that line, whatever the findings cap. A header alone, blank
// trailing lines and a last line ended by CRLF or LF are not warned of.
func TestReaderNoFinalLineBreak(t *testing.T) {
	cases := []struct {
		name, in string
		line     int64 // 0: no finding
	}{
		{"cut in the last value", "Gene\tA\tB\nG1\t1\t2\nG2\t3\t0.66", 3},
		{"last line ends in CR only", "Gene\tA\nG1\t1\r", 2},
		{"after blank lines", "Gene\tA\n\nG1\t1\n\nG2\t2", 5},
		{"line feed at the end", "Gene\tA\nG1\t1\n", 0},
		{"CRLF at the end", "Gene\tA\r\nG1\t1\r\n", 0},
		{"blank line without a break at the end", "Gene\tA\nG1\t1\n\r", 0},
		{"a header alone", "Gene\tA", 0},
		{"over the findings cap", "Gene\tA\nG1\t1\nG1\t2\nG1\t3", 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, _, _, err := readMatrix(t, strings.NewReader(tc.in), expression.WithMaxFindings(1))
			if err != nil {
				t.Fatal(err)
			}
			var got []*qc.Error
			for _, f := range r.Findings() {
				if f.Code == qc.InvalidFormat {
					got = append(got, f)
				}
			}
			if tc.line == 0 {
				if len(got) != 0 {
					t.Fatalf("findings %v, want none", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("findings %v, want one InvalidFormat", r.Findings())
			}
			f := got[0]
			if f.Severity != qc.SeverityWarning || f.File != "m.tsv" || f.Line != tc.line || !strings.Contains(f.Msg, "may have been cut short") {
				t.Errorf("finding %v (severity %s, line %d), want a WARNING at line %d", f, f.Severity, f.Line, tc.line)
			}
		})
	}
}

func TestReaderLongLine(t *testing.T) {
	// A row far longer than the read buffer: the buffer grows to hold it.
	const n = 5000
	var b strings.Builder
	b.WriteString("Gene")
	for i := range n {
		b.WriteString("\tS")
		b.WriteString(strings.Repeat("x", i%7))
	}
	b.WriteString("\nG1")
	for i := range n {
		b.WriteString("\t")
		b.WriteString(strings.Repeat("1", 1+i%15))
	}
	b.WriteString("\n")
	r, rows, _, err := readMatrix(t, iotest.HalfReader(strings.NewReader(b.String())), expression.WithBufferSize(64))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Header().Names) != n || len(rows["G1"]) != n || rows["G1"][n-1] != float64(parseOnes(1+(n-1)%15)) {
		t.Fatalf("%d names, %d values, last %v", len(r.Header().Names), len(rows["G1"]), rows["G1"][n-1])
	}
	// Past the cap, a line is an error rather than unbounded memory.
	_, _, _, err = readMatrix(t, strings.NewReader(b.String()), expression.WithBufferSize(64), expression.WithMaxLineBytes(32<<10))
	checkErr(t, err, qc.InvalidFormat, 2, 0, "longer than")
	// A cap below the default buffer holds too.
	short := "Gene\tS1\tS2\nG1\t1." + strings.Repeat("0", 600) + "\t2\n"
	_, _, _, err = readMatrix(t, strings.NewReader(short), expression.WithMaxLineBytes(100))
	checkErr(t, err, qc.InvalidFormat, 2, 0, "longer than 100 bytes")
	if strings.Contains(err.Error(), "millions of samples") {
		t.Errorf("%v: a cap of 100 bytes is not enough for millions of samples", err)
	}
	// A line of exactly the cap, its line break included, is read.
	exact := "Gene\tS1\nG1\t" + strings.Repeat("1", 100-len("G1\t\n")) + "\n"
	if _, _, _, err := readMatrix(t, strings.NewReader(exact), expression.WithMaxLineBytes(100)); err != nil {
		t.Errorf("a line of exactly the cap: %v", err)
	}
}

func parseOnes(n int) int64 {
	v := int64(0)
	for range n {
		v = v*10 + 1
	}
	return v
}

// failingReader returns its data, then err.
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestReaderSourceErrors(t *testing.T) {
	cause := errors.New("disk on fire")
	src := &failingReader{data: []byte("Gene\tA\nG1\t1\nG2\t2\nG3"), err: cause}
	_, _, _, err := readMatrix(t, src, expression.WithBufferSize(64), expression.WithBatchRows(1))
	checkErr(t, err, qc.InvalidFormat, 4, 0, "reading")
	if !errors.Is(err, cause) {
		t.Errorf("%v does not wrap the source's error", err)
	}

	_, _, _, err = readMatrix(t, iotest.TimeoutReader(strings.NewReader("Gene\tA\nG1\t1\n")))
	if !errors.Is(err, iotest.ErrTimeout) {
		t.Errorf("got %v, want the source's timeout", err)
	}

	_, _, _, err = readMatrix(t, &failingReader{data: []byte("Gene\tA\n"), err: nil})
	checkErr(t, err, qc.InvalidFormat, 2, 0, "reading")
	if !errors.Is(err, io.ErrNoProgress) {
		t.Errorf("a source that returns nothing forever: %v, want io.ErrNoProgress", err)
	}
}

// stallingReader returns (0, nil) stalls times before each read of at
// most 3 bytes, as io.Reader allows a source to.
type stallingReader struct {
	r      io.Reader
	stalls int
	left   int
}

func (s *stallingReader) Read(p []byte) (int, error) {
	if s.left > 0 {
		s.left--
		return 0, nil
	}
	s.left = s.stalls
	return s.r.Read(p[:min(len(p), 3)])
}

// TestReaderSourceStalls: a source that returns no bytes and no error a few
// times before each read is slow, not stuck: the matrix reads whole. Only
// one that never returns data is io.ErrNoProgress (TestReaderSourceErrors).
func TestReaderSourceStalls(t *testing.T) {
	src := &stallingReader{r: strings.NewReader("Gene\tA\tB\nG1\t1\t2\nG2\t3\t4\n"), stalls: 5}
	_, rows, _, err := readMatrix(t, src, expression.WithBufferSize(64), expression.WithBatchRows(1))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows["G2"][1] != 4 {
		t.Errorf("rows %v, want G1 and G2", rows)
	}
}

func TestReaderStickyError(t *testing.T) {
	in := "Gene\tA\nG1\t1\nG2\tx\nG3\t3\n"
	r, err := expression.NewReader(strings.NewReader(in), expression.WithBatchRows(1))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Next() || r.Batch().Genes[0] != "G1" {
		t.Fatal("first batch")
	}
	for i := range 2 {
		if r.Next() {
			t.Fatalf("call %d of Next went on after an error", i+1)
		}
	}
	if r.Err() == nil {
		t.Fatal("no error")
	}
	if _, err := r.Sum(); err == nil {
		t.Fatal("Sum of a matrix that failed")
	}
}

func TestReaderGzipThroughCaller(t *testing.T) {
	// The Reader reads plain text; a .tsv.gz is decompressed by whoever
	// opens it (genexp.Matrix.Open does). Through gzip.Reader it reads.
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	io.WriteString(zw, "Gene\tA\nG1\t2.5\n")
	zw.Close()
	zr, err := gzip.NewReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	_, rows, _, err := readMatrix(t, zr)
	if err != nil || rows["G1"][0] != 2.5 {
		t.Fatalf("rows %v, err %v", rows, err)
	}
	_, _, _, err = readMatrix(t, bytes.NewReader(buf.Bytes()))
	checkErr(t, err, qc.InvalidFormat, 1, 1, "gzip")
}

// dataThenError returns all its data and err from the same Read, as
// gzip.Reader does when its input ends mid-stream.
type dataThenError struct {
	data []byte
	err  error
}

func (d *dataThenError) Read(p []byte) (int, error) {
	n := copy(p, d.data)
	d.data = d.data[n:]
	if len(d.data) == 0 {
		return n, d.err
	}
	return n, nil
}

// TestReaderErrorAfterDataNamesTheBrokenLine: a source that hands over
// its last bytes with its error has the error reported at the line being
// read when the stream broke, after the complete lines before it.
func TestReaderErrorAfterDataNamesTheBrokenLine(t *testing.T) {
	for _, tc := range []struct {
		name string
		data string
		line int64
		rows int
	}{
		{"mid-line", "Gene\tA\nG1\t1\nG2\t2\nG3\t", 4, 2},
		{"after a line break", "Gene\tA\nG1\t1\nG2\t2\n", 4, 2},
		{"in the header", "Gene\tA", 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, buf := range []int{64, 1 << 20} {
				r, rows, _, err := readMatrix(t, &dataThenError{[]byte(tc.data), io.ErrUnexpectedEOF}, expression.WithBufferSize(buf), expression.WithBatchRows(1))
				checkErr(t, err, qc.InvalidFormat, tc.line, 0, "reading the matrix failed")
				if !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Errorf("%v does not wrap the source's error", err)
				}
				if len(rows) != tc.rows {
					t.Errorf("buffer %d: %d rows before the error, want %d", buf, len(rows), tc.rows)
				}
				if r != nil && r.Stats().Bytes != int64(len(tc.data)) {
					t.Errorf("buffer %d: %d bytes counted, want %d", buf, r.Stats().Bytes, len(tc.data))
				}
			}
		})
	}
}

// TestReaderTruncatedGzip reads a real matrix, gzipped and cut short,
// through gzip.Reader: the error names the line the data broke off in.
func TestReaderTruncatedGzip(t *testing.T) {
	plain, err := os.ReadFile("../testdata/refinebio/GSE71270/GSE71270/GSE71270.tsv")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(plain)
	zw.Close()
	for _, cut := range []int{3000, buf.Len() / 2, buf.Len() - 10} {
		t.Run(fmt.Sprint(cut), func(t *testing.T) {
			truncated := buf.Bytes()[:cut]
			// What the truncated stream still holds: its complete lines
			// are readable, the next one is where it broke.
			zr, err := gzip.NewReader(bytes.NewReader(truncated))
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(zr)
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("the cut stream reads to %v", err)
			}
			broken := int64(bytes.Count(got, []byte("\n")) + 1)
			if broken < 3 {
				t.Fatalf("the cut keeps only %d lines", broken-1)
			}
			zr, _ = gzip.NewReader(bytes.NewReader(truncated))
			_, rows, _, err := readMatrix(t, zr, expression.WithBatchRows(1))
			checkErr(t, err, qc.InvalidFormat, broken, 0, "download the file again")
			if int64(len(rows)) != broken-2 {
				t.Errorf("%d rows delivered before the break, want %d", len(rows), broken-2)
			}
		})
	}
}

// TestMaxMagnitudeAsWritten: the messages that name MaxMagnitude write it
// as 1e100.
func TestMaxMagnitudeAsWritten(t *testing.T) {
	if expression.MaxMagnitude != 1e100 {
		t.Fatalf("MaxMagnitude is %g; the message in row.go says 1e100", expression.MaxMagnitude)
	}
}
