package genexp_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
)

// globLoad loads paths into a new warehouse and returns the report and the
// study title E-GEOD-39842 has there ("" when none).
func globLoad(t *testing.T, paths ...string) (*genexp.Report, string) {
	t.Helper()
	w := openWarehouse(t)
	p, err := genexp.New(w)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Load(t.Context(), paths...)
	if err != nil {
		t.Fatal(err)
	}
	var title string
	if err := w.DB().QueryRow(`SELECT coalesce(max(study_title), '') FROM dim_study WHERE study_accession_code = 'E-GEOD-39842'`).Scan(&title); err != nil {
		t.Fatal(err)
	}
	return rep, title
}

func glob(t *testing.T, dir string) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(paths) < 2 {
		t.Fatalf("glob of %s: %v %v", dir, paths, err)
	}
	return paths
}

func notesOf(rep *genexp.Report) string {
	var notes []string
	for _, f := range rep.Findings {
		notes = append(notes, filepath.Base(f.File)+": "+f.Msg)
	}
	return strings.Join(notes, "\n")
}

// TestDownloadGlobReadsAsTheFolder: an unzipped download given as a shell
// glob of its folder (genexp load dl/*) lists its README, LICENSE and
// metadata JSON beside its study folders. They used to fail as downloads
// of their own (1002 ERROR, exit 4), and the study folders were read
// without the JSON, which alone holds a study's title and description.
// Now the glob is read as the folder: the same studies, the same metadata,
// the same findings, with an INFO note; so is the flat layout of an early
// download (matrix, sheet, JSON and README side by side), and one whose
// sheet describes a sample otherwise than its JSON (the JSON wins, with a
// WARNING, as when the folder is given).
func TestDownloadGlobReadsAsTheFolder(t *testing.T) {
	edited := filepath.Join(t.TempDir(), "E-GEOD-39842")
	copyTree(t, "testdata/refinebio/E-GEOD-39842", edited, nil)
	sheet := filepath.Join(edited, "E-GEOD-39842", "E-GEOD-39842_metadata.tsv")
	b, err := os.ReadFile(sheet)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(b), "\n", 3)
	cells := strings.Split(lines[1], "\t")
	cells[0] += " (edited)" // refinebio_title: the JSON says otherwise
	lines[1] = strings.Join(cells, "\t")
	if err := os.WriteFile(sheet, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"testdata/refinebio/E-GEOD-39842", "testdata/refinebio/early-2018", edited} {
		t.Run(filepath.Base(filepath.Dir(dir))+"/"+filepath.Base(dir), func(t *testing.T) {
			folder, folderTitle := globLoad(t, dir)
			rep, title := globLoad(t, glob(t, dir)...)
			if len(rep.Errors) != 0 || len(rep.Studies) != 1 || rep.Studies[0].Err != nil {
				t.Fatalf("glob: errors %v, studies %+v", rep.Errors, rep.Studies)
			}
			if title == "" || title != folderTitle {
				t.Errorf("study title from the glob %q, want %q as the folder loads it", title, folderTitle)
			}
			if !strings.Contains(notesOf(rep), "given one by one, as a shell glob gives them: read as the download folder they are") {
				t.Errorf("no note that the glob was read as its folder:\n%s", notesOf(rep))
			}
			codes := func(r *genexp.Report) (out []string) {
				for _, f := range r.Studies[0].Findings {
					out = append(out, f.Code.Name()+" "+f.Severity.String())
				}
				return out
			}
			if got, want := strings.Join(codes(rep), ","), strings.Join(codes(folder), ","); got != want {
				t.Errorf("findings of the glob %s, want the folder's %s", got, want)
			}
			if dir == edited && !strings.Contains(notesOf(rep), "is described otherwise here than in") {
				t.Errorf("the edited sheet: findings\n%s\nwant the WARNING that the JSON's description is loaded, as the folder gives it", notesOf(rep))
			}
		})
	}
}

// TestDownloadFilesBesideSomeStudies: paths that name only some entries of
// a download folder (its README, or its metadata JSON, beside one study
// folder) load the study and skip the file with a note; such files given
// with no study beside them are what was meant to be loaded, and fail as
// before: they hold no matrix.
func TestDownloadFilesBesideSomeStudies(t *testing.T) {
	dl := filepath.Join(t.TempDir(), "dl")
	copyTree(t, "testdata/refinebio/E-GEOD-39842", dl, nil)
	if err := os.MkdirAll(filepath.Join(dl, "GSE71270"), 0o755); err != nil {
		t.Fatal(err)
	}
	copyTree(t, "testdata/refinebio/quickstart/GSE71270", filepath.Join(dl, "GSE71270"), nil)
	study := filepath.Join(dl, "E-GEOD-39842")
	for _, tc := range []struct {
		name   string
		paths  []string
		errors int
		note   string
	}{
		{"README beside a study", []string{filepath.Join(dl, "README.md"), study}, 0, "README.md: skipped: not a download but a file of the folder that holds one"},
		{"JSON beside a study", []string{filepath.Join(dl, "metadata.json"), study}, 0, "metadata.json: skipped: not a download but its metadata, which is read when its folder is loaded (genexp load " + dl + ")"},
		{"README and LICENSE alone", []string{filepath.Join(dl, "README.md"), filepath.Join(dl, "LICENSE.TXT")}, 2, ""},
		{"JSON and README alone", []string{filepath.Join(dl, "metadata.json"), filepath.Join(dl, "README.md")}, 2, ""},
		{"README alone", []string{filepath.Join(dl, "README.md")}, 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, _ := globLoad(t, tc.paths...)
			if len(rep.Errors) != tc.errors {
				t.Fatalf("errors %v, want %d", rep.Errors, tc.errors)
			}
			for _, err := range rep.Errors {
				if !errors.Is(err, qc.InvalidFormat) {
					t.Errorf("error %v, want 1002: it holds no matrix", err)
				}
			}
			if tc.errors == 0 && (len(rep.Studies) != 1 || rep.Studies[0].Study != "E-GEOD-39842" || rep.Studies[0].Err != nil) {
				t.Errorf("studies %+v, want E-GEOD-39842 loaded", rep.Studies)
			}
			if !strings.Contains(notesOf(rep), tc.note) {
				t.Errorf("notes lack %q:\n%s", tc.note, notesOf(rep))
			}
		})
	}
}
