package genexp_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
)

// TestDownloadGlobReadsItsMetadata: an unzipped download given as a shell
// glob of its folder (genexp load dl/*) lists its README, LICENSE and
// metadata JSON beside its study folders. They used to fail as downloads
// of their own (1002 ERROR, exit 4), and the study folders were read
// without the JSON, which alone holds a study's title and description.
// Now the README and LICENSE are skipped and the JSON is read with the
// study folders, with an INFO note each: the study loads as the whole
// folder loads it.
func TestDownloadGlobReadsItsMetadata(t *testing.T) {
	dl := "testdata/refinebio/E-GEOD-39842"
	glob, err := filepath.Glob(filepath.Join(dl, "*"))
	if err != nil || len(glob) != 4 {
		t.Fatalf("glob %v: %v", glob, err)
	}
	title := func(paths ...string) (string, *qc.Error) {
		w := openWarehouse(t)
		rep := load(t, w, paths...)
		if len(rep.Studies) != 1 || rep.Studies[0].Study != "E-GEOD-39842" {
			t.Fatalf("%v: studies %+v", paths, rep.Studies)
		}
		var got string
		if err := w.DB().QueryRow(`SELECT coalesce(study_title, '') FROM dim_study WHERE study_accession_code = 'E-GEOD-39842'`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		var worst *qc.Error
		for _, f := range rep.Findings {
			if worst == nil || f.Severity > worst.Severity {
				worst = f
			}
		}
		return got, worst
	}
	whole, _ := title(dl)
	if whole == "" {
		t.Fatal("the download folder loaded no study title")
	}
	if alone, _ := title(filepath.Join(dl, "E-GEOD-39842")); alone != "" {
		t.Fatalf("the study folder alone has a title (%q): the test shows nothing", alone)
	}
	got, worst := title(glob...)
	if got != whole {
		t.Errorf("study title from the glob %q, want %q as the folder loads it", got, whole)
	}
	if worst == nil || worst.Severity != qc.SeverityInfo {
		t.Errorf("worst finding of the glob %v, want INFO notes only", worst)
	}
	w := openWarehouse(t)
	rep := load(t, w, glob...)
	var notes []string
	for _, f := range rep.Findings {
		notes = append(notes, filepath.Base(f.File)+": "+f.Msg)
	}
	joined := strings.Join(notes, "\n")
	for _, want := range []string{"README.md: skipped", "LICENSE.TXT: skipped", "metadata.json: not a download but its metadata: read with"} {
		if !strings.Contains(joined, want) {
			t.Errorf("notes lack %q:\n%s", want, joined)
		}
	}
}

// TestLoneDownloadFileStillFails: a README or metadata JSON given as the
// only path of its folder is what the user meant to load, and fails as
// before: it holds no matrix.
func TestLoneDownloadFileStillFails(t *testing.T) {
	for _, name := range []string{"README.md", "metadata.json"} {
		p, err := genexp.New(openWarehouse(t))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := p.Load(t.Context(), filepath.Join("testdata/refinebio/E-GEOD-39842", name))
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Errors) != 1 || !errors.Is(rep.Errors[0], qc.InvalidFormat) {
			t.Errorf("%s alone: errors %v, want one 1002", name, rep.Errors)
		}
	}
}
