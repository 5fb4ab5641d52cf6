package synth_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/expression/synth"
	"github.com/genexp/genexp/illness"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// TestWriteSpeciesLoads writes SPECIES downloads and loads each into a
// fresh DuckDB warehouse: the one matrix must split into the manifest's
// studies, each holding its own samples' cells, with the values the matrix
// says (parsed here with strconv, apart from package expression).
func TestWriteSpeciesLoads(t *testing.T) {
	cases := []struct {
		name string
		spec synth.Spec
	}{
		{"uneven studies", synth.Spec{Genes: 60, Samples: 23, Studies: 5, MissingShare: 0.05, Seed: 11, Species: true}},
		{"rna-seq zip", synth.Spec{Genes: 40, Samples: 12, Studies: 3, Seed: 12, Technology: synth.RNASeq, Organism: "MUS_MUSCULUS", Species: true, Zip: true}},
		{"sheets only", synth.Spec{Genes: 30, Samples: 9, Studies: 3, MissingShare: 0.03, Seed: 13, Species: true, SheetsOnly: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			m, err := synth.Write(filepath.Join(dir, "download"), tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			checkSpeciesManifest(t, m)

			d, err := genexp.OpenDownload(m.Path)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Matrices) != 1 || d.Matrices[0].Base != m.Spec.Organism {
				t.Fatalf("%d matrices (first %+v), want one named %s", len(d.Matrices), d.Matrices[0], m.Spec.Organism)
			}
			if !tc.spec.SheetsOnly && d.Metadata.AggregateBy != "SPECIES" {
				t.Errorf("aggregate_by %q, want SPECIES", d.Metadata.AggregateBy)
			}
			for _, st := range m.Studies {
				mst := d.Metadata.Study(st.Accession)
				if mst == nil || len(mst.SampleAccessions) != len(st.Samples) {
					t.Fatalf("metadata of study %s: %+v, want %d samples", st.Accession, mst, len(st.Samples))
				}
			}
			d.Close()

			w, err := duckdb.Open(filepath.Join(dir, "w.duckdb"))
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			p, err := genexp.New(w)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := p.Load(context.Background(), m.Path)
			if err != nil {
				t.Fatal(err)
			}
			checkSpeciesReport(t, m, rep, warehouse.Inserted)
			checkSpeciesValues(t, m, w)

			// The same download again: every study is a duplicate, and
			// nothing changes.
			again, err := p.Load(context.Background(), m.Path)
			if err != nil {
				t.Fatal(err)
			}
			checkSpeciesReport(t, m, again, warehouse.Duplicate)
			var facts int64
			if err := w.DB().QueryRow(`SELECT COUNT(*) FROM fact_gene_expression`).Scan(&facts); err != nil {
				t.Fatal(err)
			}
			if want := m.Cells - m.Missing; facts != want {
				t.Errorf("%d facts after the second load, want %d", facts, want)
			}
		})
	}
}

// checkSpeciesManifest checks that the studies share one matrix and that
// their counts add up to it.
func checkSpeciesManifest(t *testing.T, m *synth.Manifest) {
	t.Helper()
	if len(m.Studies) != m.Spec.Studies {
		t.Fatalf("%d studies, want %d", len(m.Studies), m.Spec.Studies)
	}
	org := m.Spec.Organism
	var cells, missing int64
	samples := 0
	for _, st := range m.Studies {
		if st.Matrix != org+"/"+org+".tsv" || st.Sheet != org+"/metadata_"+org+".tsv" {
			t.Errorf("study %s: matrix %s, sheet %s", st.Accession, st.Matrix, st.Sheet)
		}
		if st.Cells != int64(m.Genes*len(st.Samples)) || st.SHA256 != m.Studies[0].SHA256 {
			t.Errorf("study %s: %d cells, hash %s", st.Accession, st.Cells, st.SHA256)
		}
		cells, missing, samples = cells+st.Cells, missing+st.Missing, samples+len(st.Samples)
	}
	if cells != m.Cells || missing != m.Missing || samples != m.Samples || m.Cells != int64(m.Genes*m.Samples) {
		t.Errorf("studies sum to %d cells, %d missing, %d samples; manifest %d, %d, %d", cells, missing, samples, m.Cells, m.Missing, m.Samples)
	}
	if m.Spec.MissingShare > 0 && m.Missing == 0 {
		t.Errorf("no missing cell with MissingShare %v", m.Spec.MissingShare)
	}
}

func checkSpeciesReport(t *testing.T, m *synth.Manifest, rep *genexp.Report, outcome warehouse.Outcome) {
	t.Helper()
	if len(rep.Errors) > 0 {
		t.Fatalf("load errors: %v", rep.Errors)
	}
	byStudy := map[string]genexp.StudyReport{}
	for _, sr := range rep.Studies {
		byStudy[sr.Study] = sr
	}
	if len(byStudy) != len(m.Studies) {
		t.Fatalf("the load reports %d studies, want %d", len(byStudy), len(m.Studies))
	}
	for _, st := range m.Studies {
		sr, ok := byStudy[st.Accession]
		if !ok {
			t.Fatalf("study %s not in the report", st.Accession)
		}
		if sr.Err != nil || sr.Outcome != outcome {
			t.Fatalf("study %s: outcome %q, error %v; want %s", st.Accession, sr.Outcome, sr.Err, outcome)
		}
		if sr.Samples != len(st.Samples) || sr.Cells != st.Cells || sr.Missing != st.Missing || sr.Rows != st.Cells-st.Missing {
			t.Errorf("study %s: %d samples, %d cells, %d missing, %d rows; want %d, %d, %d, %d", st.Accession,
				sr.Samples, sr.Cells, sr.Missing, sr.Rows, len(st.Samples), st.Cells, st.Missing, st.Cells-st.Missing)
		}
		labels := map[illness.Label]int{}
		for _, s := range st.Samples {
			labels[s.Label]++
		}
		for l, n := range labels {
			if sr.Illness[l] != n {
				t.Errorf("study %s: %d samples classified %s, want %d", st.Accession, sr.Illness[l], l, n)
			}
		}
	}
}

// checkSpeciesValues compares cells of the matrix with the facts: the
// first, a middle and the last gene of every column, so each study's
// columns, wherever they sit in the interleaved matrix, are looked at.
func checkSpeciesValues(t *testing.T, m *synth.Manifest, w *duckdb.Warehouse) {
	t.Helper()
	if m.Spec.Zip {
		return // the report's counts cover a zip; the values are read from a folder
	}
	path := filepath.Join(m.Path, filepath.FromSlash(m.Studies[0].Matrix))
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	studyOf := map[string]string{}
	for _, st := range m.Studies {
		for _, s := range st.Samples {
			studyOf[s.Column] = st.Accession
		}
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	var header []string
	checked := 0
	for line := 0; sc.Scan(); line++ {
		cells := strings.Split(sc.Text(), "\t")
		if line == 0 {
			header = cells
			continue
		}
		if line != 1 && line != m.Genes/2 && line != m.Genes {
			continue
		}
		for c := 1; c < len(cells); c++ {
			var got float64
			err := w.DB().QueryRow(`SELECT f.expression_value FROM fact_gene_expression f
				JOIN dim_gene g USING (gene_key) JOIN dim_sample s USING (sample_key)
				JOIN dim_study st ON st.study_key = f.study_key
				WHERE g.gene_id = ? AND s.sample_accession_code = ? AND st.study_accession_code = ?`,
				cells[0], header[c], studyOf[header[c]]).Scan(&got)
			if cells[c] == m.Spec.MissingToken {
				if err == nil {
					t.Errorf("%s × %s: missing in the matrix, %v in the warehouse", cells[0], header[c], got)
				}
				continue
			}
			want, perr := strconv.ParseFloat(cells[c], 64)
			if perr != nil {
				t.Fatal(perr)
			}
			if err != nil || got != want {
				t.Errorf("%s × %s (study %s): warehouse %v (%v), matrix %v", cells[0], header[c], studyOf[header[c]], got, err, want)
			}
			checked++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if checked < m.Samples {
		t.Errorf("checked %d cells, want at least %d", checked, m.Samples)
	}
}
