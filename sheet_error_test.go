package genexp_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// TestBadSampleSheetFailsItsStudyOnly: one study's sample sheet that cannot
// be read (empty, here) fails that study, with the sheet's error naming
// it; the download's other study loads, from a folder and from its zip. The
// sheet's error used to refuse the whole download, its other studies
// loaded nowhere and listed nowhere.
func TestBadSampleSheetFailsItsStudyOnly(t *testing.T) {
	root := t.TempDir()
	dl := filepath.Join(root, "dl")
	copyTree(t, "testdata/refinebio/SRP110235", dl, nil)
	copyTree(t, "testdata/refinebio/quickstart", dl, nil)
	sheet := filepath.Join(dl, "GSE71270", "metadata_GSE71270.tsv")
	if err := os.WriteFile(sheet, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	zipped := filepath.Join(root, "dl.zip")
	zipTree(t, dl, zipped, "")
	for path, shown := range map[string]string{dl: sheet, zipped: zipped + "!GSE71270/metadata_GSE71270.tsv"} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			p, err := genexp.New(openWarehouse(t))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := p.Load(context.Background(), path)
			if err != nil || len(rep.Errors) != 0 {
				t.Fatalf("Load: %v %v", err, rep.Errors)
			}
			got := map[string]genexp.StudyReport{}
			for _, s := range rep.Studies {
				got[s.Study] = s
			}
			if s := got["SRP110235"]; s.Err != nil || s.Outcome != warehouse.Inserted {
				t.Errorf("SRP110235: %v %v, want loaded", s.Outcome, s.Err)
			}
			var e *qc.Error
			if s := got["GSE71270"]; !errors.As(s.Err, &e) || e.Code != qc.InvalidFormat || e.File != shown || s.Outcome == warehouse.Inserted {
				t.Errorf("GSE71270: %v %v, want refused with 1002 naming %s", s.Outcome, s.Err, shown)
			}
		})
	}
}
