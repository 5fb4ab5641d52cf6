package genexp_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
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
func openErrs(t *testing.T, p string) map[string]error {
	t.Helper()
	d := open(t, p)
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
