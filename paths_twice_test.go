package genexp_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/warehouse"
)

// TestPathGivenTwiceReadOnce: a run given one download twice (the same
// spelling, another spelling, a symbolic link to it, or a folder and a
// folder or zip inside it, as overlapping shell globs give) reads each
// matrix once and loads its study once. Read twice, the
// second reading failed as a copy of the first (2004) and the run exited
// as failed.
func TestPathGivenTwiceReadOnce(t *testing.T) {
	root := t.TempDir()
	dl := filepath.Join(root, "dl")
	copyTree(t, "testdata/refinebio/quickstart", dl, nil)
	link := filepath.Join(root, "link")
	if err := os.Symlink(dl, link); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(root, "other")
	copyTree(t, "testdata/refinebio/quickstart", other, nil)
	zips := filepath.Join(root, "zips")
	if err := os.MkdirAll(zips, 0o755); err != nil {
		t.Fatal(err)
	}
	zipTree(t, "testdata/refinebio/quickstart", filepath.Join(zips, "GSE71270.zip"), "")
	for _, tc := range []struct {
		name    string
		paths   []string
		studies int
		errors  int
	}{
		{"same path", []string{dl, dl}, 1, 0},
		{"two spellings", []string{dl, filepath.Join(root, ".", "x", "..", "dl") + "/"}, 1, 0},
		{"symbolic link", []string{link, dl}, 1, 0},
		{"missing path kept for its error", []string{dl, filepath.Join(root, "nope"), filepath.Join(root, "nope")}, 1, 2},
		// a copy is other bytes on disk: the second is refused as before
		{"a copy is another path", []string{dl, other}, 2, 0},
		// a folder and a folder or zip inside it reach one matrix twice
		{"a folder and a study folder in it", []string{dl, filepath.Join(dl, "GSE71270")}, 1, 0},
		{"a study folder and the folder around it", []string{filepath.Join(dl, "GSE71270"), dl}, 1, 0},
		{"a folder and a zip in it", []string{zips, filepath.Join(zips, "GSE71270.zip")}, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := genexp.New(openWarehouse(t))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := p.Load(context.Background(), tc.paths...)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Errors) != tc.errors {
				t.Errorf("%d errors, want %d: %v", len(rep.Errors), tc.errors, rep.Errors)
			}
			if len(rep.Studies) != tc.studies {
				t.Fatalf("%d study reports, want %d: %+v", len(rep.Studies), tc.studies, rep.Studies)
			}
			if s := rep.Studies[0]; s.Err != nil || s.Outcome != warehouse.Inserted {
				t.Errorf("first reading: %v %v", s.Outcome, s.Err)
			}
			if tc.studies == 2 && rep.Studies[1].Err == nil {
				t.Errorf("the copy in another folder loaded over the first")
			}
		})
	}
}
