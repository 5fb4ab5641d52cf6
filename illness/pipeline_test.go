package illness_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// TestPipelineClassifiesCohorts loads a crafted download (a matrix and a
// sample sheet; the sample titles are made up for the test) whose
// "Shock_03" and "Inf_05" can only be read with their siblings: "Shock" is
// septic shock and "Inf" the infection-without-sepsis arm because other
// samples of the study are "Seps". The warehouse must hold the cohort
// decisions, which proves the pipeline classifies a study's samples
// together.
func TestPipelineClassifiesCohorts(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "GSE900001")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	titles := map[string]string{"GSM9001": "Seps_01", "GSM9002": "Seps_02", "GSM9003": "Shock_03", "GSM9004": "Hlty_04", "GSM9005": "Inf_05"}
	accs := []string{"GSM9001", "GSM9002", "GSM9003", "GSM9004", "GSM9005"}
	matrix := "Gene\t" + strings.Join(accs, "\t") + "\nENSG00000000003\t1\t2\t3\t4\t5\nENSG00000000005\t5\t4\t3\t2\t1\n"
	sheet := "accession_code\ttitle\torganism\texperiment_accession\n"
	for _, a := range accs {
		sheet += a + "\t" + titles[a] + "\tHOMO_SAPIENS\tGSE900001\n"
	}
	for name, body := range map[string]string{"GSE900001.tsv": matrix, "metadata_GSE900001.tsv": sheet} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	w, err := duckdb.Open(filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	p, err := genexp.New(w)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Studies) != 1 || rep.Studies[0].Err != nil {
		t.Fatalf("load: %+v", rep.Studies)
	}
	rows, err := w.DB().Query(`SELECT s.sample_accession_code, i.illness_label, COALESCE(s.illness_rule, ''), COALESCE(s.illness_matched, '')
		FROM dim_sample s JOIN dim_illness i USING (illness_key) ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	want := map[string]string{
		"GSM9001": "SEPSIS group_code Seps", "GSM9002": "SEPSIS group_code Seps",
		"GSM9003": "SEPTIC_SHOCK cohort_code Shock", "GSM9004": "CONTROL group_code Hlty",
		"GSM9005": "NO_SEPSIS cohort_infection Inf",
	}
	n := 0
	for rows.Next() {
		var acc, label, rule, matched string
		if err := rows.Scan(&acc, &label, &rule, &matched); err != nil {
			t.Fatal(err)
		}
		n++
		if got := label + " " + rule + " " + matched; got != want[acc] {
			t.Errorf("%s: got %q, want %q", acc, got, want[acc])
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != len(want) {
		t.Fatalf("%d samples in the warehouse, want %d", n, len(want))
	}
}
