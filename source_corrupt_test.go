package genexp_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/qc"
)

// readAll reads a matrix of a download through expression.Reader and
// returns the error that stopped it.
func readAll(t *testing.T, m *genexp.Matrix) error {
	t.Helper()
	rc, err := m.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	r, err := expression.NewReader(rc, expression.WithName(m.Name))
	if err != nil {
		return err
	}
	for r.Next() {
	}
	return r.Err()
}

// TestCorruptCompressedMatrixIsReportedAsCorrupt opens real downloads
// with three bytes flipped in a matrix's compressed data (see
// testdata/corrupt/README.md): the damaged data decompress into rows that
// do not parse before the checksum is reached. The matrix must be
// reported as a corrupt file to download again (InvalidFormat), at the
// line and column the parse stopped, not as a malformed matrix.
func TestCorruptCompressedMatrixIsReportedAsCorrupt(t *testing.T) {
	for _, tc := range []struct {
		name, path, matrix string
		line, col          int64
	}{
		{"zip entry", "testdata/corrupt/flipped.zip", "testdata/corrupt/flipped.zip!E-GEOD-39842/E-GEOD-39842.tsv", 170, 6},
		{"tsv.gz", "testdata/corrupt/flipped-gzip/GSE71270.tsv.gz", "testdata/corrupt/flipped-gzip/GSE71270.tsv.gz", 148, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := open(t, tc.path)
			var m *genexp.Matrix
			for _, x := range d.Matrices {
				if x.Name == tc.matrix {
					m = x
				}
			}
			if m == nil {
				t.Fatalf("no matrix %s in %s", tc.matrix, tc.path)
			}
			// The premise: the decompressed bytes that were read stop
			// with a parse error at that line and column.
			rc, err := m.Open()
			if err != nil {
				t.Fatal(err)
			}
			text, readErr := io.ReadAll(rc)
			rc.Close()
			if readErr == nil {
				t.Fatal("the damaged matrix decompresses without an error")
			}
			r, err := expression.NewReader(bytes.NewReader(text), expression.WithName(m.Name))
			if err != nil {
				t.Fatal(err)
			}
			for r.Next() {
			}
			var pe *qc.Error
			if !errors.As(r.Err(), &pe) || pe.Code != qc.ParseError || pe.Line != tc.line || pe.Column != tc.col {
				t.Fatalf("the damaged text reads as %v, want a parse error at %d:%d", r.Err(), tc.line, tc.col)
			}

			err = readAll(t, m)
			var e *qc.Error
			if !errors.As(err, &e) || e.Code != qc.InvalidFormat || e.File != tc.matrix || e.Line != tc.line || e.Column != tc.col {
				t.Fatalf("got %v, want InvalidFormat at %s:%d:%d", err, tc.matrix, tc.line, tc.col)
			}
			if errors.Is(err, qc.ParseError) || !strings.Contains(e.Msg, "download the file again") || !strings.Contains(e.Msg, pe.Msg) {
				t.Errorf("message %q: want the corrupt file, the advice and the parse position's message", e.Msg)
			}
			if e.Err == nil || e.Err.Error() != readErr.Error() {
				t.Errorf("cause %v, want the decompression's %v", e.Err, readErr)
			}
		})
	}
}

// TestEncryptedZipEntryIsNamed: a password-protected zip entry is
// refused as encrypted, not as "flate: corrupt input".
func TestEncryptedZipEntryIsNamed(t *testing.T) {
	const p = "testdata/corrupt/encrypted.zip"
	zr, err := zip.OpenReader(p)
	if err != nil {
		t.Fatal(err)
	}
	encrypted := 0
	for _, f := range zr.File {
		if f.Flags&0x1 != 0 {
			encrypted++
		}
	}
	zr.Close()
	if encrypted != 1 {
		t.Fatalf("%s has %d encrypted entries, want 1", p, encrypted)
	}
	d := open(t, p)
	if len(d.Matrices) != 1 {
		t.Fatalf("%d matrices", len(d.Matrices))
	}
	err = readAll(t, d.Matrices[0])
	var e *qc.Error
	if !errors.As(err, &e) || e.Code != qc.InvalidFormat || e.File != p+"!GSE71270/GSE71270.tsv" ||
		!strings.Contains(err.Error(), "encrypted (password-protected)") || strings.Contains(err.Error(), "flate") {
		t.Errorf("got %v, want InvalidFormat naming the entry as encrypted", err)
	}
}

// TestCorruptCompressedMetadataIsReportedAsCorrupt: metadata.json in a
// real zip with three bytes flipped decompresses into malformed JSON
// before its CRC-32 is reached; the download is refused as corrupt, at
// the line and column the JSON stopped.
func TestCorruptCompressedMetadataIsReportedAsCorrupt(t *testing.T) {
	const p = "testdata/corrupt/flipped-metadata.zip"
	_, err := genexp.OpenDownload(p)
	var e *qc.Error
	if !errors.As(err, &e) || e.Code != qc.InvalidFormat || e.File != p+"!metadata.json" || e.Line != 198 || e.Column != 58 ||
		!strings.Contains(e.Msg, "download the file again") || !strings.Contains(e.Msg, "malformed JSON") || errors.Is(err, qc.ParseError) {
		t.Errorf("got %v, want InvalidFormat at %s!metadata.json:198:58 saying the data are corrupt", err, p)
	}
}
