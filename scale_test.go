package genexp_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/expression/synth"
)

// TestBatchRecordsScaleBy loads real downloads and checks that each batch
// records how refine.bio scaled its values: the metadata's scale_by (NONE
// in the 2018 download; upper-cased from a copy that says "standard"), and
// NULL for a download whose sample sheet does not say.
func TestBatchRecordsScaleBy(t *testing.T) {
	dir := t.TempDir()
	scaled := filepath.Join(dir, "scaled")
	copyTree(t, "testdata/refinebio/E-GEOD-39842", scaled, nil)
	meta := filepath.Join(scaled, "metadata.json")
	data := readFile(t, meta)
	if !bytes.Contains(data, []byte(`"scale_by": "NONE"`)) {
		t.Fatalf("%s no longer says scale_by NONE: the test needs rewriting", meta)
	}
	writeFile(t, meta, bytes.Replace(data, []byte(`"scale_by": "NONE"`), []byte(`"scale_by": "standard"`), 1))

	for _, tc := range []struct {
		path, study, want string
	}{
		{"testdata/refinebio/E-GEOD-39842", "E-GEOD-39842", "NONE"},
		{"testdata/refinebio/quickstart/GSE71270", "GSE71270", "NULL"},
		{scaled, "E-GEOD-39842", "STANDARD"},
	} {
		w := openWarehouse(t)
		p, err := genexp.New(w)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := p.Load(context.Background(), tc.path)
		if err != nil || rep.Failed() {
			t.Fatalf("%s: %v %v", tc.path, err, rep.Errors)
		}
		var got string
		if err := w.DB().QueryRow(`SELECT COALESCE(scale_by, 'NULL') FROM meta_batch
			WHERE study_accession_code = ? AND is_current`, tc.study).Scan(&got); err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		if got != tc.want {
			t.Errorf("%s: meta_batch.scale_by = %s, want %s", tc.path, got, tc.want)
		}
	}
}

// TestDownloadFieldsPerDownload loads a folder that holds two downloads
// unzipped (a SPECIES one, quantile normalized, and an EXPERIMENT one
// scaled MINMAX) and a study folder of neither: each study's batch and QC
// take the fields of the download that holds it, not those of the first
// download read, and the study folder's are unknown. The folders are named
// so that either download's metadata is read first.
func TestDownloadFieldsPerDownload(t *testing.T) {
	for _, names := range [][3]string{{"a_scaled", "b_species", "c_plain"}, {"z_scaled", "y_species", "x_plain"}} {
		t.Run(names[0], func(t *testing.T) {
			parent := t.TempDir()
			scaled := filepath.Join(parent, names[0])
			copyTree(t, "testdata/refinebio/E-GEOD-39842", scaled, nil)
			meta := filepath.Join(scaled, "metadata.json")
			writeFile(t, meta, bytes.Replace(readFile(t, meta), []byte(`"scale_by": "NONE"`), []byte(`"scale_by": "MINMAX"`), 1))
			species, err := synth.Write(filepath.Join(parent, names[1]), synth.Spec{Genes: 1100, Samples: 6, Studies: 2, Seed: 7, Species: true})
			if err != nil {
				t.Fatal(err)
			}
			copyTree(t, "testdata/refinebio/quickstart/GSE71270", filepath.Join(parent, names[2], "GSE71270"), nil)

			want := map[string][2]string{"E-GEOD-39842": {"MINMAX", "NULL"}, "GSE71270": {"NULL", "NULL"}}
			for _, st := range species.Studies {
				want[st.Accession] = [2]string{"NONE", "true"}
			}
			// The same folders zipped, loaded as the zip and as a zip in a
			// folder: a zip found in a folder keeps its matrices' fields.
			zipped := filepath.Join(t.TempDir(), "in", "bundle.zip")
			zipTree(t, parent, zipped, "")
			for _, path := range []string{parent, zipped, filepath.Dir(zipped)} {
				checkDownloadFields(t, path, want)
			}
		})
	}
}

// checkDownloadFields loads path into a new warehouse and checks each
// study's scale_by and quantile_normalized against want.
func checkDownloadFields(t *testing.T, path string, want map[string][2]string) {
	t.Helper()
	w := openWarehouse(t)
	p, err := genexp.New(w)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Load(context.Background(), path)
	if err != nil || rep.Failed() {
		t.Fatalf("%s: %v %v", path, err, rep.Err())
	}
	rows, err := w.DB().Query(`SELECT b.study_accession_code, COALESCE(b.scale_by, 'NULL'),
		COALESCE(CAST(q.quantile_normalized AS VARCHAR), 'NULL')
		FROM meta_batch b JOIN meta_study_qc q ON q.batch_id = b.batch_id WHERE b.is_current ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var study, scale, qn string
		if err := rows.Scan(&study, &scale, &qn); err != nil {
			t.Fatal(err)
		}
		if got := [2]string{scale, qn}; got != want[study] {
			t.Errorf("%s: %s: scale_by %s, quantile_normalized %s; want %s, %s", path, study, scale, qn, want[study][0], want[study][1])
		}
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != len(want) {
		t.Fatalf("%s: %d studies loaded, want %d (%v)", path, n, len(want), want)
	}
}
