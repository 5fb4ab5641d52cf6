package genexp_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp/qc"
)

// TestSheetContradictingTheJSON: a download's sample sheet edited by hand
// (a sample retitled) is not what loads, as the JSON wins the merge; the
// download says so in one WARNING naming the sheet, the JSON, the sample,
// the field and both values, while its matrix still opens. The real,
// unedited download has no such finding.
func TestSheetContradictingTheJSON(t *testing.T) {
	const (
		title  = "Unamputated wildtype adult zebrafish, sample 2"
		edited = "septic shock patient 2"
	)
	contradictions := func(dir string) []*qc.Error {
		d := open(t, dir)
		var out []*qc.Error
		for _, f := range d.Findings {
			if f.Code == qc.DuplicateSamples {
				out = append(out, f)
			}
		}
		for name, err := range openErrs(t, dir) {
			if err != nil {
				t.Errorf("%s: %v; want it to open", name, err)
			}
		}
		return out
	}
	real := filepath.Join(t.TempDir(), "real")
	copyTree(t, "testdata/refinebio/E-GEOD-39842", real, nil)
	if got := contradictions(real); len(got) != 0 {
		t.Fatalf("the real download: %v", got)
	}

	dir := filepath.Join(t.TempDir(), "edited")
	copyTree(t, "testdata/refinebio/E-GEOD-39842", dir, nil)
	sheet := filepath.Join(dir, "E-GEOD-39842", "E-GEOD-39842_metadata.tsv")
	b := readFile(t, sheet)
	if bytes.Count(b, []byte(title)) != 1 {
		t.Fatalf("the sheet holds %q %d times, want once", title, bytes.Count(b, []byte(title)))
	}
	writeFile(t, sheet, bytes.Replace(b, []byte(title), []byte(edited), 1))
	got := contradictions(dir)
	if len(got) != 1 {
		t.Fatalf("findings %v, want one", got)
	}
	f := got[0]
	if f.Severity != qc.SeverityWarning || f.File != sheet || f.Study != "E-GEOD-39842" {
		t.Errorf("%s finding on %q of study %q, want a WARNING on %s of E-GEOD-39842", f.Severity, f.File, f.Study, sheet)
	}
	for _, says := range []string{"1 sample is", "metadata.json", "E-GEOD-39842-GSM980277's title", `"` + edited + `" in the sheet`,
		"the JSON's description is the one loaded"} {
		if !strings.Contains(f.Error(), says) {
			t.Errorf("%q does not say %q", f.Error(), says)
		}
	}
}
