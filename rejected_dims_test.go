package genexp_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// TestRejectedStudyWritesNoDimension: a study of a SPECIES matrix that
// validation rejects writes no dimension row, while the matrix's other
// study loads. In a fresh warehouse it leaves no study, sample or
// membership behind; over a warehouse that holds it, its descriptions
// stay those of the load that holds its facts.
func TestRejectedStudyWritesNoDimension(t *testing.T) {
	const rejected, kept = "GSE71270", "E-GEOD-39842"
	const title, retitled = "Kidney marrow_CREB-zebrafish_1", "A title of a rejected run"
	good := filepath.Join(t.TempDir(), "species")
	copyTree(t, speciesDir, good, nil)
	bad := filepath.Join(t.TempDir(), "species")
	copyTree(t, speciesDir, bad, nil)
	// Every cell of the rejected study's columns blank: 100% missing, an
	// ERROR (2003) of that study only; and its sample retitled in every
	// metadata file, as one consistent record.
	matrix := filepath.Join(bad, "DANIO_RERIO", "DANIO_RERIO.tsv")
	lines := strings.Split(string(readFile(t, matrix)), "\n")
	header := strings.Split(lines[0], "\t")
	for i := 1; i < len(lines); i++ {
		f := strings.Split(lines[i], "\t")
		for j := 1; j < len(f) && j < len(header); j++ {
			if strings.HasPrefix(header[j], "GSM18316") {
				f[j] = ""
			}
		}
		lines[i] = strings.Join(f, "\t")
	}
	writeFile(t, matrix, []byte(strings.Join(lines, "\n")))
	for _, f := range []string{"aggregated_metadata.json", "DANIO_RERIO/metadata_DANIO_RERIO.json", "DANIO_RERIO/metadata_DANIO_RERIO.tsv"} {
		path := filepath.Join(bad, f)
		b := readFile(t, path)
		if !bytes.Contains(b, []byte(title)) {
			t.Fatalf("%s does not hold %q", f, title)
		}
		if err := os.WriteFile(path, bytes.ReplaceAll(b, []byte(title), []byte(retitled)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	loadBad := func(w warehouse.WarehouseSink) {
		t.Helper()
		p, err := genexp.New(w)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := p.Load(context.Background(), bad)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range rep.Studies {
			var qe *qc.Error
			switch s.Study {
			case rejected:
				if !errors.As(s.Err, &qe) || qe.Code != qc.NullPercentageHigh {
					t.Fatalf("%s: %v, want its 2003 rejection", s.Study, s.Err)
				}
			case kept:
				if s.Err != nil {
					t.Fatalf("%s: %v", s.Study, s.Err)
				}
			}
		}
	}

	fresh := openWarehouse(t)
	loadBad(fresh)
	for q, want := range map[string]int64{
		"SELECT count(*) FROM dim_study WHERE study_accession_code = '" + rejected + "'":                                     0,
		"SELECT count(*) FROM dim_sample WHERE sample_accession_code LIKE 'GSM18316%'":                                       0,
		"SELECT count(*) FROM dim_study WHERE study_accession_code = '" + kept + "'":                                         1,
		"SELECT count(*) FROM dim_study_sample JOIN dim_study USING (study_key) WHERE study_accession_code = '" + kept + "'": 12,
	} {
		if got := count(t, fresh, q); got != want {
			t.Errorf("fresh warehouse: %s = %d, want %d", q, got, want)
		}
	}

	held := openWarehouse(t)
	load(t, held, good)
	before := count(t, held, "SELECT count(*) FROM fact_gene_expression f JOIN dim_study s USING (study_key) WHERE s.study_accession_code = '"+rejected+"'")
	loadBad(held)
	if got := count(t, held, "SELECT count(*) FROM dim_sample WHERE sample_title = '"+retitled+"'"); got != 0 {
		t.Errorf("the rejected run's title reached dim_sample")
	}
	if got := count(t, held, "SELECT count(*) FROM dim_sample WHERE sample_title = '"+title+"'"); got != 1 {
		t.Errorf("the loaded title is gone: %d rows hold it", got)
	}
	if after := count(t, held, "SELECT count(*) FROM fact_gene_expression f JOIN dim_study s USING (study_key) WHERE s.study_accession_code = '"+rejected+"'"); after != before || before == 0 {
		t.Errorf("the held study's facts went from %d to %d", before, after)
	}
}
