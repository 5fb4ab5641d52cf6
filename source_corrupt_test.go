package genexp_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"maps"
	"path/filepath"
	"slices"
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

// storedZip zips files (name → content), in name order, with every
// entry stored as is (no compression), then replaces the last
// occurrence of old in the archive's bytes by new (of the same length):
// a change the entry's CRC-32 catches only at its end.
func storedZip(t *testing.T, files map[string][]byte, old, new string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(files[name]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	i := bytes.LastIndex(b, []byte(old))
	if i < 0 || len(old) != len(new) {
		t.Fatalf("%q is not in the archive, or %q is not as long", old, new)
	}
	copy(b[i:], new)
	return b
}

// TestCorruptStoredZipEntryIsNamed: a zip entry stored without
// compression whose bytes were changed fails its CRC-32. The error says
// so once, as data that fail their integrity check, not as corrupt
// compressed data, and does not repeat its cause: the metadata readers
// stop on the failed check themselves, so the parse position's message
// already ends with it.
func TestCorruptStoredZipEntryIsNamed(t *testing.T) {
	gse := map[string][]byte{
		"GSE71270/GSE71270.tsv":          readFile(t, "testdata/refinebio/GSE71270/GSE71270/GSE71270.tsv"),
		"GSE71270/metadata_GSE71270.tsv": readFile(t, "testdata/refinebio/GSE71270/GSE71270/metadata_GSE71270.tsv"),
	}
	zr, err := zip.OpenReader("testdata/refinebio/E-GEOD-39842.zip")
	if err != nil {
		t.Fatal(err)
	}
	egeod := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		egeod[f.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	zr.Close()
	metadataLast := string(gse["GSE71270/metadata_GSE71270.tsv"])
	metadataLast = metadataLast[strings.LastIndex(metadataLast[:len(metadataLast)-1], "\n")+1:]
	for _, tc := range []struct {
		name     string
		files    map[string][]byte
		old, new string
		entry    string
		// matrix: the error comes when the matrix is read (a sample
		// sheet's error refuses its matrix: the download's other studies
		// still load); otherwise the download does not open.
		matrix bool
	}{
		{"a cell of the matrix", gse, "0.5308214072388918", "0.530821x072388918", "GSE71270/GSE71270.tsv", true},
		{"a digit of the matrix's last cell", gse, "0.4920680278311218\n", "0.4920680278311219\n", "GSE71270/GSE71270.tsv", true},
		{"a value of metadata.json", egeod, `"refinebio_organism"`, `"refinebio_organixm"`, "metadata.json", false},
		{"a value of the sample sheet", gse, metadataLast[:12], "x" + metadataLast[1:12], "GSE71270/metadata_GSE71270.tsv", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "d.zip")
			writeFile(t, p, storedZip(t, tc.files, tc.old, tc.new))
			d, err := genexp.OpenDownload(p)
			if tc.matrix {
				if err != nil {
					t.Fatal(err)
				}
				defer d.Close()
				if len(d.Matrices) != 1 {
					t.Fatalf("%d matrices", len(d.Matrices))
				}
				err = readAll(t, d.Matrices[0])
			} else if err == nil {
				d.Close()
			}
			var e *qc.Error
			if !errors.As(err, &e) || e.Code != qc.InvalidFormat || e.File != p+"!"+tc.entry || !errors.Is(err, zip.ErrChecksum) {
				t.Fatalf("got %v, want InvalidFormat of %s!%s wrapping the checksum error", err, p, tc.entry)
			}
			msg := err.Error()
			if !strings.Contains(msg, "the data fail their integrity check (CRC)") || strings.Contains(msg, "compressed") {
				t.Errorf("%s: want the data named as failing their integrity check, not as compressed", msg)
			}
			if n := strings.Count(msg, zip.ErrChecksum.Error()); n != 1 {
				t.Errorf("%s: says %q %d times, want once", msg, zip.ErrChecksum, n)
			}
		})
	}
}
