package genexp_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp/warehouse"
)

// TestUnreadableStudyDateLoadsTheStudy: a study date in a form genexp does
// not read costs the study nothing but that date: the study loads, the date
// is NULL, and the WARNING naming the file and JSON path is in
// meta_data_validation_log. It used to refuse the whole metadata file, and
// with it every study of the download.
func TestUnreadableStudyDateLoadsTheStudy(t *testing.T) {
	dl := filepath.Join(t.TempDir(), "E-GEOD-39842")
	copyTree(t, "testdata/refinebio/E-GEOD-39842", dl, nil)
	meta := filepath.Join(dl, "metadata.json")
	data, err := os.ReadFile(meta)
	if err != nil {
		t.Fatal(err)
	}
	const key = `"source_last_modified": "`
	i := strings.Index(string(data), key)
	if i < 0 {
		t.Fatal("the test file has no source_last_modified")
	}
	end := i + len(key) + strings.IndexByte(string(data[i+len(key):]), '"')
	data = append(append(append([]byte{}, data[:i+len(key)]...), "March 2013"...), data[end:]...)
	if err := os.WriteFile(meta, data, 0o644); err != nil {
		t.Fatal(err)
	}

	w := openWarehouse(t)
	rep := load(t, w, dl)
	if len(rep.Studies) != 1 || rep.Studies[0].Err != nil || rep.Studies[0].Outcome != warehouse.Inserted {
		t.Fatalf("studies %+v, want E-GEOD-39842 loaded", rep.Studies)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM dim_study WHERE study_accession_code = 'E-GEOD-39842' AND source_last_modified IS NULL`); n != 1 {
		t.Errorf("%d studies with an unknown source_last_modified, want 1", n)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM meta_data_validation_log WHERE validation_code = 1004 AND severity = 'WARNING'
		AND study_accession_code = 'E-GEOD-39842' AND file_name LIKE '%metadata.json'
		AND details LIKE '%March 2013%experiments.E-GEOD-39842.source_last_modified%'`); n != 1 {
		t.Errorf("%d date warnings logged, want 1", n)
	}
}
