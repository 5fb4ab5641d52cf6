package genexp_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/genexp/genexp"
)

// TestBatchRecordsScaleBy loads real downloads and checks that each batch
// records how refine.bio scaled its values: the metadata's scale_by (NONE
// in the 2018 download; upper-cased from a copy that says "standard"), and
// NULL for a download whose sample sheet does not say.
func TestBatchRecordsScaleBy(t *testing.T) {
	dir := t.TempDir()
	scaled := filepath.Join(dir, "scaled")
	copyTree(t, "testdata/refinebio/E-GEOD-39842", scaled, nil)
	meta := filepath.Join(scaled, "metadata.json")
	data := readFile(t, meta)
	if !bytes.Contains(data, []byte(`"scale_by": "NONE"`)) {
		t.Fatalf("%s no longer says scale_by NONE: the test needs rewriting", meta)
	}
	writeFile(t, meta, bytes.Replace(data, []byte(`"scale_by": "NONE"`), []byte(`"scale_by": "standard"`), 1))

	for _, tc := range []struct {
		path, study, want string
	}{
		{"testdata/refinebio/E-GEOD-39842", "E-GEOD-39842", "NONE"},
		{"testdata/refinebio/quickstart/GSE71270", "GSE71270", "NULL"},
		{scaled, "E-GEOD-39842", "STANDARD"},
	} {
		w := openWarehouse(t)
		p, err := genexp.New(w)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := p.Load(context.Background(), tc.path)
		if err != nil || rep.Failed() {
			t.Fatalf("%s: %v %v", tc.path, err, rep.Errors)
		}
		var got string
		if err := w.DB().QueryRow(`SELECT COALESCE(scale_by, 'NULL') FROM meta_batch
			WHERE study_accession_code = ? AND is_current`, tc.study).Scan(&got); err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		if got != tc.want {
			t.Errorf("%s: meta_batch.scale_by = %s, want %s", tc.path, got, tc.want)
		}
	}
}
