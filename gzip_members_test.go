package genexp_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// gzipOf compresses each part as a gzip member of its own, one after the
// other, and appends tail.
func gzipOf(t *testing.T, tail []byte, parts ...[]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, p := range parts {
		zw := gzip.NewWriter(&buf)
		zw.Write(p)
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return append(buf.Bytes(), tail...)
}

// A .tsv.gz reads as gzip -d reads it: members joined (cat a.gz b.gz) are
// one text, and zeros after the last member are padding, passed over.
// Other bytes after it were read as a member header that is not one
// ("gzip: invalid header", or "unexpected EOF", as data cut short); they
// are named for what they are.
func TestGzipMembersAndPadding(t *testing.T) {
	matrix := readFile(t, gseDir+"/GSE71270.tsv")
	half := bytes.Index(matrix[len(matrix)/2:], []byte("\n")) + len(matrix)/2 + 1
	cells := int64(bytes.Count(matrix, []byte("\n"))-1) * 10
	cfg := genexp.DefaultConfig()
	cfg.Quality.MinGenesPerSample = 1
	for _, tc := range []struct {
		name string
		gz   []byte
		says string // "" when it loads
	}{
		{"one member", gzipOf(t, nil, matrix), ""},
		{"two members", gzipOf(t, nil, matrix[:half], matrix[half:]), ""},
		{"zero padding", gzipOf(t, make([]byte, 4096), matrix), ""},
		{"two members and zero padding", gzipOf(t, make([]byte, 3), matrix[:half], matrix[half:]), ""},
		{"junk after the data", gzipOf(t, []byte("\x00\x00junk"), matrix), "the file holds other bytes after its compressed data; decompress what it holds with gunzip, or download it again: " +
			"gzip: bytes that are neither compressed data nor zero padding follow the compressed data (the first, 0x6a, 2 bytes after its end)"},
		{"compressed twice", gzipOf(t, nil, gzipOf(t, nil, matrix)), "GSE71270.tsv.gz:1:1: this file is gzip-compressed twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "GSE71270")
			writeFile(t, filepath.Join(dir, "metadata_GSE71270.tsv"), readFile(t, gseDir+"/metadata_GSE71270.tsv"))
			writeFile(t, filepath.Join(dir, "GSE71270.tsv.gz"), tc.gz)
			sr := dryOne(t, openWarehouse(t), cfg, dir)
			if tc.says == "" {
				if sr.Err != nil || sr.Outcome != warehouse.Inserted || sr.Cells != cells {
					t.Fatalf("outcome %q, %d cells, error %v; want the whole matrix read", sr.Outcome, sr.Cells, sr.Err)
				}
				return
			}
			var e *qc.Error
			if !errors.As(sr.Err, &e) || e.Code != qc.InvalidFormat || !strings.Contains(e.Error(), tc.says) {
				t.Fatalf("error %v, want an InvalidFormat error saying %q", sr.Err, tc.says)
			}
		})
	}
}
