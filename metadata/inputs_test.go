package metadata_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/qc"
)

// utf16Bytes encodes s as UTF-16 in the byte order of le (little endian,
// as Excel's "Unicode Text" writes it) or big endian, after a byte order
// mark when bom is set.
func utf16Bytes(s string, le, bom bool) []byte {
	var b []byte
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xFEFF}, units...)
	}
	for _, u := range units {
		if le {
			b = append(b, byte(u), byte(u>>8))
		} else {
			b = append(b, byte(u>>8), byte(u))
		}
	}
	return b
}

// wantAt fails unless err is a *qc.Error of code at line:col of file whose
// message holds every one of says.
func wantAt(t *testing.T, err error, code qc.Code, file string, line, col int64, says ...string) {
	t.Helper()
	var e *qc.Error
	if !errors.As(err, &e) || e.Code != code || e.File != file || e.Line != line || e.Column != col {
		t.Fatalf("got %v, want %s at %s:%d:%d", err, code.Name(), file, line, col)
	}
	for _, s := range says {
		if !strings.Contains(e.Msg, s) {
			t.Errorf("%q does not say %q", e.Msg, s)
		}
	}
}

// TestUTF16MetadataIsNamed: a sample sheet saved by Excel as "Unicode
// Text" (UTF-16LE with a byte order mark, CRLF) was taken for a sheet
// whose lines end in CR only, whose advice (tr '\r' '\n') left it
// unreadable still; a UTF-16 JSON was "malformed JSON: invalid character
// 'ÿ'". Both are an EncodingError at 1:1 that says to save as UTF-8.
func TestUTF16MetadataIsNamed(t *testing.T) {
	sheet := strings.ReplaceAll(string(readTestFile(t, sheetGSE71270)), "\r\n", "\n")
	sheet = strings.ReplaceAll(sheet, "\n", "\r\n")
	json := string(readTestFile(t, currentJSON))
	for _, c := range []struct {
		name    string
		le, bom bool
	}{{"UTF-16LE with BOM (Excel)", true, true}, {"UTF-16BE with BOM", false, true}, {"UTF-16LE without BOM", true, false}, {"UTF-16BE without BOM", false, false}} {
		t.Run(c.name, func(t *testing.T) {
			_, err := metadata.ParseTSV(bytes.NewReader(utf16Bytes(sheet, c.le, c.bom)), "metadata_GSE71270.tsv", "GSE71270")
			wantAt(t, err, qc.EncodingError, "metadata_GSE71270.tsv", 1, 1, "UTF-16", "Unicode Text", "save it as UTF-8", "iconv -f UTF-16 -t UTF-8")
			if strings.Contains(err.Error(), "carriage return") {
				t.Errorf("still called CR-only: %v", err)
			}
			_, err = metadata.ParseJSON(bytes.NewReader(utf16Bytes(json, c.le, c.bom)), "aggregated_metadata.json")
			wantAt(t, err, qc.EncodingError, "aggregated_metadata.json", 1, 1, "UTF-16", "save it as UTF-8", "old.json > new.json")
		})
	}
}

// TestGzippedMetadataWithoutGzName: a gzipped sheet named .tsv was
// "column name is not valid UTF-8 text"; it is told, as a matrix is, to
// be renamed to .tsv.gz. A gzipped JSON named .json is told .json.gz.
func TestGzippedMetadataWithoutGzName(t *testing.T) {
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}
	_, err := metadata.ParseTSV(bytes.NewReader(gz(readTestFile(t, sheetGSE71270))), "d/GSE71270/metadata_GSE71270.tsv", "GSE71270")
	wantAt(t, err, qc.InvalidFormat, "d/GSE71270/metadata_GSE71270.tsv", 1, 1, "gzip-compressed", "rename it to metadata_GSE71270.tsv.gz")
	if strings.Contains(err.Error(), "UTF-8") {
		t.Errorf("still an encoding error: %v", err)
	}
	_, err = metadata.ParseJSON(bytes.NewReader(gz(readTestFile(t, currentJSON))), "aggregated_metadata.json")
	wantAt(t, err, qc.InvalidFormat, "aggregated_metadata.json", 1, 1, "gzip-compressed", "rename it to aggregated_metadata.json.gz")
}

func readTestFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
