package expression_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/qc"
)

// TestReaderCorruptGzipIsNotAParseError reads a real matrix whose gzip
// data have three bytes flipped: they decompress into a ragged row long
// before the CRC-32 at the end says the file is damaged. The error must
// say the file is corrupt (download it again), at the line and column
// the parse stopped, not that the matrix is malformed.
func TestReaderCorruptGzipIsNotAParseError(t *testing.T) {
	gz, err := os.ReadFile("../testdata/corrupt/flipped-gzip/GSE71270.tsv.gz")
	if err != nil {
		t.Fatal(err)
	}
	// The premise: the flipped data decompress to the end, only the
	// checksum fails, and the text they give stops with a parse error.
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	text, err := io.ReadAll(zr)
	if !errors.Is(err, gzip.ErrChecksum) {
		t.Fatalf("the flipped file decompresses to %v, want a checksum error", err)
	}
	_, _, _, perr := readMatrix(t, bytes.NewReader(text))
	var pe *qc.Error
	if !errors.As(perr, &pe) || pe.Code != qc.ParseError {
		t.Fatalf("the damaged text reads as %v, want a parse error", perr)
	}

	zr, err = gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	_, _, _, err = readMatrix(t, zr)
	checkErr(t, err, qc.InvalidFormat, pe.Line, pe.Column, "download the file again")
	if !errors.Is(err, gzip.ErrChecksum) {
		t.Errorf("%v does not wrap the checksum error", err)
	}
	if errors.Is(err, qc.ParseError) {
		t.Errorf("%v still counts as a parse error", err)
	}
	if !strings.Contains(err.Error(), pe.Msg) {
		t.Errorf("%v does not keep the parse position's message %q", err, pe.Msg)
	}
}

// TestReaderIntactGzipKeepsTheParseError: a .tsv.gz whose data are intact
// but whose matrix is malformed is reported as the parse error it is.
func TestReaderIntactGzipKeepsTheParseError(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	io.WriteString(zw, "Gene\tA\tB\nG1\t1\t2\nG2\t1\tx\nG3\t"+strings.Repeat("1\t", 1<<16)+"\n")
	zw.Close()
	zr, err := gzip.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	_, _, _, err = readMatrix(t, zr)
	checkErr(t, err, qc.ParseError, 3, 3, "not a number")
}

// verified is a source whose Verify returns err once its bytes are read.
type verified struct {
	io.Reader
	err   error
	calls int
}

func (v *verified) Verify() error {
	v.calls++
	if _, err := io.Copy(io.Discard, v.Reader); err != nil {
		return err
	}
	return v.err
}

func TestReaderVerifiesOnParseErrors(t *testing.T) {
	damaged := errors.New("checksum mismatch")
	for _, tc := range []struct {
		name      string
		in        string
		verifyErr error
		code      qc.Code
		line, col int64
		contains  string
	}{
		{"bad cell, data intact", "Gene\tA\nG1\tx\nG2\t1\n", nil, qc.ParseError, 2, 2, "not a number"},
		{"bad cell, data damaged", "Gene\tA\nG1\tx\nG2\t1\n", damaged, qc.InvalidFormat, 2, 2, "download the file again (reading had stopped here: not a number"},
		{"ragged row, data damaged", "Gene\tA\nG1\t1\t2\n", damaged, qc.InvalidFormat, 2, 3, "ragged row"},
		{"bad header, data damaged", "Gene\tA\t\tB\n", damaged, qc.InvalidFormat, 1, 3, "download the file again (reading had stopped here: empty sample column name"},
		{"bad header, data intact", "Gene\tA\t\tB\n", nil, qc.InvalidFormat, 1, 3, "empty sample column name"},
		{"bad gene id, data damaged", "Gene\tA\n\tx\n", damaged, qc.InvalidFormat, 2, 1, "empty gene id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := &verified{Reader: strings.NewReader(tc.in), err: tc.verifyErr}
			_, _, _, err := readMatrix(t, src)
			checkErr(t, err, tc.code, tc.line, tc.col, tc.contains)
			if src.calls != 1 {
				t.Errorf("Verify called %d times, want once", src.calls)
			}
			if tc.verifyErr != nil && !errors.Is(err, tc.verifyErr) {
				t.Errorf("%v does not wrap the source's verdict", err)
			}
		})
	}
	// A clean matrix is never verified: the source's own end check runs
	// as it is read.
	src := &verified{Reader: strings.NewReader("Gene\tA\nG1\t1\n"), err: damaged}
	if _, _, _, err := readMatrix(t, src); err != nil || src.calls != 0 {
		t.Errorf("a clean matrix: err %v, %d Verify calls", err, src.calls)
	}
}

// TestReaderGzipChecksumAtTheEnd: data that parse to the end but fail
// the CRC-32 are reported as a corrupt file too.
func TestReaderGzipChecksumAtTheEnd(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	io.WriteString(zw, "Gene\tA\nG1\t1\nG2\t2\n")
	zw.Close()
	gz := buf.Bytes()
	gz[len(gz)-8] ^= 0xff // the trailer's CRC-32
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	_, _, _, err = readMatrix(t, zr)
	checkErr(t, err, qc.InvalidFormat, 4, 0, "corrupt or cut short")
	if !errors.Is(err, gzip.ErrChecksum) {
		t.Errorf("%v does not wrap the checksum error", err)
	}
}

var _ expression.Verifier = (*verified)(nil)

// storedSource is a verified source that says whether its bytes are
// compressed, as a zip entry does.
type storedSource struct {
	*verified
	compressed bool
}

func (s storedSource) Compressed() bool { return s.compressed }

// TestReaderNamesStoredDataThatFailTheirCheck: data stored without
// compression that fail their check were changed, not badly decompressed;
// the error says so, and a source that says it is compressed keeps the
// compressed wording.
func TestReaderNamesStoredDataThatFailTheirCheck(t *testing.T) {
	damaged := errors.New("checksum mismatch")
	for _, tc := range []struct {
		compressed  bool
		want, avoid string
	}{
		{false, "the data fail their integrity check (CRC)", "compressed"},
		{true, "the compressed data are corrupt", "CRC"},
	} {
		src := storedSource{&verified{Reader: strings.NewReader("Gene\tA\nG1\tx\n"), err: damaged}, tc.compressed}
		_, _, _, err := readMatrix(t, src)
		checkErr(t, err, qc.InvalidFormat, 2, 2, tc.want)
		if strings.Contains(err.Error(), tc.avoid) || !errors.Is(err, damaged) {
			t.Errorf("compressed %v: %v says %q, or does not wrap the source's verdict", tc.compressed, err, tc.avoid)
		}
	}
}

// TestReaderGzipBytesAdvice: a gzip file whose name lacks .gz is told
// what to do from the command line: the name to give it, or gunzip.
func TestReaderGzipBytesAdvice(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	io.WriteString(zw, "Gene\tA\nG1\t1\n")
	zw.Close()
	for name, want := range map[string]string{
		"data/GSE71270/GSE71270.tsv":      "rename it to GSE71270.tsv.gz",
		`C:\data\GSE71270.TSV`:            "rename it to GSE71270.TSV.gz",
		"d.zip!GSE71270/GSE71270.tsv":     "rename it to GSE71270.tsv.gz",
		"matrix":                          "rename it to matrix.tsv.gz",
		"data/GSE71270/GSE71270.txt":      "rename it to GSE71270.tsv.gz",
		"data/GSE71270/":                  "rename it to NAME.tsv.gz",
		"data/GSE71270/GSE71270.tsv.gzip": "rename it to GSE71270.tsv.gz",
		"data/.tsv":                       "rename it to NAME.tsv.gz",
	} {
		_, err := expression.NewReader(bytes.NewReader(buf.Bytes()), expression.WithName(name))
		var e *qc.Error
		if !errors.As(err, &e) || e.Code != qc.InvalidFormat || !strings.Contains(e.Msg, want) ||
			!strings.Contains(e.Msg, "gunzip") || strings.Contains(e.Msg, "OpenDownload") {
			t.Errorf("%s: %v, want InvalidFormat saying %q or gunzip", name, err, want)
		}
	}
}
