package genexp_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
)

const gse71270Study = "testdata/refinebio/GSE71270/GSE71270"

// studyCopy copies GSE71270's study folder to dst under the accession acc,
// its sheet's text changed by replacing old with new.
func studyCopy(t *testing.T, dst, acc, old, new string) {
	t.Helper()
	rename := func(rel string) string { return strings.ReplaceAll(rel, "GSE71270", acc) }
	copyTree(t, gse71270Study, dst, rename)
	sheet := filepath.Join(dst, "metadata_"+acc+".tsv")
	writeFile(t, sheet, bytes.ReplaceAll(readFile(t, sheet), []byte(old), []byte(new)))
}

// openErrs opens every matrix of the download and returns, by matrix
// name, the error each gives.
func openErrs(t *testing.T, p string, opts ...genexp.DownloadOption) map[string]error {
	t.Helper()
	d := open(t, p, opts...)
	out := map[string]error{}
	for _, m := range d.Matrices {
		rc, err := m.Open()
		if err == nil {
			rc.Close()
		}
		out[m.Name] = err
	}
	return out
}

func wantRefused(t *testing.T, err error, says ...string) {
	t.Helper()
	var e *qc.Error
	if !errors.As(err, &e) || e.Code != qc.DuplicateSamples || e.Severity != qc.SeverityError {
		t.Fatalf("err = %v, want a %v ERROR", err, qc.DuplicateSamples)
	}
	for _, s := range says {
		if !strings.Contains(e.Error(), s) {
			t.Errorf("%q does not say %q", e.Error(), s)
		}
	}
}

// TestDownloadWithTwoCopiesOfAStudy: two copies of a study in one download
// (two downloads zipped together) are refused, both, naming each other;
// the download's other studies load. Merged, the first copy's sheet
// labelled the second copy's samples and the second replaced the first.
func TestDownloadWithTwoCopiesOfAStudy(t *testing.T) {
	dir := t.TempDir()
	studyCopy(t, filepath.Join(dir, "dl1", "GSE71270"), "GSE71270", "Kidney marrow_Control-zebrafish_4", "septic shock 4")
	studyCopy(t, filepath.Join(dir, "dl2", "GSE71270"), "GSE71270", "", "")
	copyTree(t, "testdata/refinebio/E-GEOD-39842", filepath.Join(dir, "dl3"), nil)
	one := filepath.Join(dir, "dl1", "GSE71270", "GSE71270.tsv")
	two := filepath.Join(dir, "dl2", "GSE71270", "GSE71270.tsv")
	zipPath := filepath.Join(t.TempDir(), "two.zip")
	zipTree(t, dir, zipPath, "")

	for _, p := range []string{dir, zipPath} {
		errs := openErrs(t, p)
		if len(errs) != 3 {
			t.Fatalf("%s: matrices %v, want 3", p, errs)
		}
		refused := 0
		for name, err := range errs {
			if strings.Contains(name, "E-GEOD-39842") {
				if err != nil {
					t.Errorf("%s: %v", name, err)
				}
				continue
			}
			refused++
			wantRefused(t, err, "GSE71270 is in this download more than once", "dl1", "dl2")
		}
		if refused != 2 {
			t.Errorf("%s: %d copies refused, want 2", p, refused)
		}
	}

	// Through the pipeline: neither copy is loaded, the other study is.
	w := openWarehouse(t)
	rep := loadWith(t, w, genexp.DefaultConfig(), dir)
	var failed []string
	for _, s := range rep.Studies {
		switch {
		case s.Study == "GSE71270" && s.Err != nil && errors.Is(s.Err, qc.DuplicateSamples):
			failed = append(failed, s.Matrix)
		case s.Study == "E-GEOD-39842" && s.Err == nil && s.Outcome != "":
		default:
			t.Errorf("study %s (%s): outcome %q, err %v", s.Study, s.Matrix, s.Outcome, s.Err)
		}
	}
	if len(failed) != 2 || !(failed[0] == one && failed[1] == two || failed[0] == two && failed[1] == one) {
		t.Errorf("failed copies %v, want %s and %s", failed, one, two)
	}
}

// A second sample sheet for a study, without a second matrix, is a copy
// too: it would label the matrix's samples.
func TestDownloadWithTwoSheetsOfAStudy(t *testing.T) {
	dir := t.TempDir()
	studyCopy(t, filepath.Join(dir, "dl1", "GSE71270"), "GSE71270", "", "")
	studyCopy(t, filepath.Join(dir, "dl2", "GSE71270"), "GSE71270", "Kidney marrow_Control-zebrafish_4", "septic shock 4")
	if err := os.Remove(filepath.Join(dir, "dl2", "GSE71270", "GSE71270.tsv")); err != nil {
		t.Fatal(err)
	}
	errs := openErrs(t, dir)
	if len(errs) != 1 {
		t.Fatalf("matrices %v, want 1", errs)
	}
	for _, err := range errs {
		wantRefused(t, err, "more than once", filepath.Join("dl2", "GSE71270", "metadata_GSE71270.tsv"))
	}
}

// TestSheetsDisagreeingAboutASample: a sample of two experiments has a
// row in each sheet. Rows that agree merge; rows that disagree refuse both
// experiments' matrices, naming the sample, the field and both values,
// rather than letting the first sheet win.
func TestSheetsDisagreeingAboutASample(t *testing.T) {
	agree := t.TempDir()
	studyCopy(t, filepath.Join(agree, "GSE71270"), "GSE71270", "", "")
	studyCopy(t, filepath.Join(agree, "GSE99999"), "GSE99999", "", "")
	for name, err := range openErrs(t, agree) {
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}

	differ := t.TempDir()
	studyCopy(t, filepath.Join(differ, "GSE71270"), "GSE71270", "", "")
	studyCopy(t, filepath.Join(differ, "GSE99999"), "GSE99999", "Kidney marrow_Control-zebrafish_4", "septic shock 4")
	errs := openErrs(t, differ)
	if len(errs) != 2 {
		t.Fatalf("matrices %v, want 2", errs)
	}
	for _, err := range errs {
		wantRefused(t, err, "GSM1831683 is described twice", `"Kidney marrow_Control-zebrafish_4"`, `"septic shock 4"`, "metadata_GSE71270.tsv")
	}
}

// TestAddedSheetDisagreeingWithTheDownload: a sheet given with
// WithMetadataFiles is held to the download's sheets like one of them. It
// used to rank after the download's sheet in silence, so a sheet retitling
// a study's samples was ignored and the study loaded as it came.
func TestAddedSheetDisagreeingWithTheDownload(t *testing.T) {
	dir := t.TempDir()
	dl := filepath.Join(dir, "dl")
	studyCopy(t, filepath.Join(dl, "GSE71270"), "GSE71270", "", "")
	studyCopy(t, filepath.Join(dl, "GSE99999"), "GSE99999", "GSM18316", "GSM99916")
	sheet := readFile(t, filepath.Join(dl, "GSE71270", "metadata_GSE71270.tsv"))
	retitled := bytes.ReplaceAll(sheet, []byte("Kidney marrow_Control-zebrafish_4"), []byte("septic shock 4"))
	add := func(name string, b []byte) string {
		p := filepath.Join(dir, "added", name)
		writeFile(t, p, b)
		return p
	}
	same := add("same.tsv", sheet)
	extra := add("extra_meta.tsv", retitled)
	named := add(filepath.Join("named", "metadata_GSE71270.tsv"), retitled)
	other := add("other.tsv", bytes.ReplaceAll(sheet, []byte("Kidney marrow_Control-zebrafish_4"), []byte("other 4")))
	bare := filepath.Join(dl, "GSE71270", "GSE71270.tsv")
	bareOnly := filepath.Join(dir, "bare", "GSE71270.tsv")
	writeFile(t, bareOnly, readFile(t, bare))

	for _, tc := range []struct {
		name    string
		path    string
		added   []string
		refused []string // matrix names refused; the others load
		file    string   // the sheet the refusal names as its File
	}{
		{name: "agreeing sheet loads", path: dl, added: []string{same}},
		{name: "retitling sheet refuses the study", path: dl, added: []string{extra},
			refused: []string{filepath.Join(dl, "GSE71270", "GSE71270.tsv")}, file: extra},
		{name: "retitling sheet named for the study", path: dl, added: []string{named},
			refused: []string{filepath.Join(dl, "GSE71270", "GSE71270.tsv")}, file: named},
		{name: "single matrix beside its sheet", path: bare, added: []string{extra},
			refused: []string{bare}, file: extra},
		{name: "two added sheets disagreeing", path: bareOnly, added: []string{extra, other},
			refused: []string{bareOnly}, file: other},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := openErrs(t, tc.path, genexp.WithMetadataFiles(tc.added...))
			if len(errs) == 0 {
				t.Fatal("no matrices")
			}
			for name, err := range errs {
				if !slices.Contains(tc.refused, name) {
					if err != nil {
						t.Errorf("%s: %v, want it loaded", name, err)
					}
					continue
				}
				wantRefused(t, err, "GSM1831683 is described twice", `"septic shock 4"`)
				var e *qc.Error
				if errors.As(err, &e) && (e.File != tc.file || e.Study != "GSE71270") {
					t.Errorf("%s: file %q study %q, want %q GSE71270", name, e.File, e.Study, tc.file)
				}
			}
			for _, name := range tc.refused {
				if _, ok := errs[name]; !ok {
					t.Errorf("matrix %s not found in %v", name, errs)
				}
			}
		})
	}
}

// TestAddedJSONDisagreeingWithTheDownload: JSON given with
// WithMetadataFiles is held to the download's metadata like an added
// sheet. It used to merge after the download's own files in silence, so
// a retitled sample kept the download's title.
func TestAddedJSONDisagreeingWithTheDownload(t *testing.T) {
	const src = "testdata/refinebio/E-GEOD-39842"
	dir := t.TempDir()
	withJSON := filepath.Join(dir, "with-json")
	copyTree(t, src, withJSON, nil)
	sheetOnly := filepath.Join(dir, "sheet-only")
	copyTree(t, src, sheetOnly, nil)
	if err := os.Remove(filepath.Join(sheetOnly, "metadata.json")); err != nil {
		t.Fatal(err)
	}
	doc := readFile(t, filepath.Join(src, "metadata.json"))
	same := filepath.Join(dir, "added", "same.json")
	writeFile(t, same, doc)
	retitled := filepath.Join(dir, "added", "retitled.json")
	writeFile(t, retitled, bytes.ReplaceAll(doc, []byte("7 days post-amputation dnHIF1a-expressing adult zebrafish, sample 1"), []byte("septic shock 1")))

	for _, tc := range []struct {
		name    string
		path    string
		added   string
		refused bool
	}{
		{"agreeing JSON beside the download's JSON loads", withJSON, same, false},
		{"agreeing JSON beside the download's sheet loads", sheetOnly, same, false},
		{"retitling JSON against the download's JSON", withJSON, retitled, true},
		{"retitling JSON against the download's sheet", sheetOnly, retitled, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := openErrs(t, tc.path, genexp.WithMetadataFiles(tc.added))
			if len(errs) != 1 {
				t.Fatalf("matrices %v, want 1", errs)
			}
			for name, err := range errs {
				if !tc.refused {
					if err != nil {
						t.Errorf("%s: %v, want it loaded", name, err)
					}
					continue
				}
				wantRefused(t, err, "is described twice", `"septic shock 1"`)
				var e *qc.Error
				if errors.As(err, &e) && (e.File != tc.added || e.Study != "E-GEOD-39842") {
					t.Errorf("%s: file %q study %q, want %q E-GEOD-39842", name, e.File, e.Study, tc.added)
				}
			}
		})
	}
}

// TestCopiesSideBySide: a matrix and its gzipped copy in one folder are
// refused, with advice that can be followed: keep one. (Loading each copy
// as a download of its own, the advice for copies in two folders, cannot
// be done from one folder.)
func TestCopiesSideBySide(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "GSE71270")
	copyTree(t, gseDir, dir, nil)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(readFile(t, filepath.Join(dir, "GSE71270.tsv")))
	zw.Close()
	writeFile(t, filepath.Join(dir, "GSE71270.tsv.gz"), gz.Bytes())
	d, err := genexp.OpenDownload(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, m := range d.Matrices {
		rc, err := m.Open()
		var e *qc.Error
		if !errors.As(err, &e) || e.Code != qc.DuplicateSamples || !strings.Contains(e.Msg, "in one folder more than once") || !strings.Contains(e.Msg, "keep one") {
			t.Errorf("%s: %v, want a DuplicateSamples error saying to keep one copy", m.Name, err)
		}
		if rc != nil {
			rc.Close()
		}
	}
}
