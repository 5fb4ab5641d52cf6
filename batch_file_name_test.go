package genexp_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/genexp/genexp"
)

// meta_batch.file_name is where the batch's bytes came from, absolute
// whatever the path given (a reader of the warehouse elsewhere could not
// find a path relative to the run's directory), an entry of a zip named
// by its path inside the zip.
func TestBatchFileNameAbsolute(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	w := openWarehouse(t)
	p, err := genexp.New(w)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Load(context.Background(), "testdata/refinebio/quickstart/GSE71270", "testdata/refinebio/E-GEOD-39842.zip")
	if err != nil || rep.Failed() {
		t.Fatalf("load: %v %v", err, rep.Err())
	}
	for study, want := range map[string]string{
		"GSE71270":     filepath.Join(wd, "testdata/refinebio/quickstart/GSE71270/GSE71270.tsv"),
		"E-GEOD-39842": filepath.Join(wd, "testdata/refinebio/E-GEOD-39842.zip") + "!E-GEOD-39842/E-GEOD-39842.tsv",
	} {
		var got string
		if err := w.DB().QueryRow(`SELECT file_name FROM meta_batch WHERE study_accession_code = ?`, study).Scan(&got); err != nil || got != want {
			t.Errorf("%s: meta_batch.file_name %q (%v), want %q", study, got, err, want)
		}
	}
	for _, s := range rep.Studies {
		if filepath.IsAbs(s.Matrix) {
			t.Errorf("the report names %s's matrix %q: absolute, not as given", s.Study, s.Matrix)
		}
	}
}
