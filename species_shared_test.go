package genexp_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp/qc"
)

// TestSpeciesSampleOfTwoStudiesIsAWarning: a SPECIES matrix holds a sample
// once, in one column, and a column is loaded under one study; a sample
// aggregated_metadata.json lists under two experiments is therefore loaded
// under one of them only. The other study loads without it, and its report
// says so at WARNING, naming the sample and the study that holds it.
func TestSpeciesSampleOfTwoStudiesIsAWarning(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "species")
	copyTree(t, speciesDir, dir, nil)
	const shared = "GSM1831675" // a GSE71270 sample
	agg := filepath.Join(dir, "aggregated_metadata.json")
	var doc map[string]any
	if err := json.Unmarshal(readFile(t, agg), &doc); err != nil {
		t.Fatal(err)
	}
	exp := doc["experiments"].(map[string]any)["E-GEOD-39842"].(map[string]any)
	exp["sample_accession_codes"] = append(exp["sample_accession_codes"].([]any), shared)
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, agg, b)

	rep := load(t, openWarehouse(t), dir)
	samples := map[string]int{}
	var warned []*qc.Error
	for _, s := range rep.Studies {
		if s.Err != nil {
			t.Fatalf("%s: %v", s.Study, s.Err)
		}
		samples[s.Study] = s.Samples
		for _, f := range s.Findings {
			if f.Code == qc.SampleMismatch && strings.Contains(f.Msg, shared) {
				if f.Severity != qc.SeverityWarning {
					t.Errorf("%s: the shared sample's finding is at %s, want WARNING: %v", s.Study, f.Severity, f)
				}
				warned = append(warned, f)
			}
		}
	}
	if samples["GSE71270"]+samples["E-GEOD-39842"] != 22 {
		t.Fatalf("samples per study %v: the shared sample is not loaded once", samples)
	}
	// The study that does not get the column is the one warned.
	lost := "E-GEOD-39842"
	if samples["GSE71270"] == 9 {
		lost = "GSE71270"
	}
	var said bool
	for _, f := range warned {
		held := "GSE71270"
		if lost == held {
			held = "E-GEOD-39842"
		}
		if f.Study == lost && strings.Contains(f.Msg, held) {
			said = true
		}
	}
	if !said {
		t.Errorf("findings %v: no WARNING of %s says it is loaded without %s, which the other study holds", warned, lost, shared)
	}
}
