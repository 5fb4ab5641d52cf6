package genexp_test

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

const (
	speciesDir    = "testdata/refinebio/species"
	speciesMatrix = "testdata/refinebio/species/DANIO_RERIO/DANIO_RERIO.tsv"
	speciesSheet  = "testdata/refinebio/species/DANIO_RERIO/metadata_DANIO_RERIO.tsv"
)

func open(t *testing.T, p string, opts ...genexp.DownloadOption) *genexp.Download {
	t.Helper()
	d, err := genexp.OpenDownload(p, opts...)
	if err != nil {
		t.Fatalf("OpenDownload(%s): %v", p, err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Error(err)
		}
	})
	return d
}

func readMatrix(t *testing.T, m *genexp.Matrix) []byte {
	t.Helper()
	rc, err := m.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// copyTree copies the files under src to dst; rename, when not nil, renames
// each (relative) path or drops it by returning "".
func copyTree(t *testing.T, src, dst string, rename func(string) string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || strings.HasSuffix(p, ".go") {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if rename != nil {
			if rel = rename(rel); rel == "" {
				return nil
			}
		}
		writeFile(t, filepath.Join(dst, rel), readFile(t, p))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// zipTree zips the files under src into a new zip file, under prefix.
func zipTree(t *testing.T, src, zipPath, prefix string) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	err := filepath.WalkDir(src, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || strings.HasSuffix(p, ".go") {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		w, err := zw.Create(prefix + filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		_, err = w.Write(readFile(t, p))
		return err
	})
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, zipPath, buf.Bytes())
}

func findingsWith(d *genexp.Download, text string) []*qc.Error {
	var out []*qc.Error
	for _, f := range d.Findings {
		if strings.Contains(f.Error(), text) {
			out = append(out, f)
		}
	}
	return out
}

func TestOpenDownloadFolder(t *testing.T) {
	d := open(t, "testdata/refinebio/E-GEOD-39842")
	if len(d.Matrices) != 1 {
		t.Fatalf("%d matrices", len(d.Matrices))
	}
	m := d.Matrices[0]
	want := filepath.Join("testdata/refinebio/E-GEOD-39842", "E-GEOD-39842", "E-GEOD-39842.tsv")
	if m.Name != want || m.Folder != "E-GEOD-39842" || m.Base != "E-GEOD-39842" || m.Size != int64(len(readFile(t, want))) {
		t.Errorf("matrix %+v", *m)
	}
	if len(d.Metadata.Samples) != 12 || d.Metadata.AggregateBy != "EXPERIMENT" {
		t.Errorf("metadata: %d samples, aggregate_by %q", len(d.Metadata.Samples), d.Metadata.AggregateBy)
	}
	// metadata.json first: it wins the merge over the sheet
	if src := d.Metadata.Sources; len(src) != 2 || !strings.HasSuffix(src[0], "metadata.json") || !strings.HasSuffix(src[1], "_metadata.tsv") {
		t.Errorf("sources %v", src)
	}
	if len(d.Findings) != 0 {
		t.Errorf("README.md and LICENSE.TXT are skipped silently; findings %v", d.Findings)
	}
}

func TestOpenDownloadZipReadInPlace(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	zipPath := "testdata/refinebio/E-GEOD-39842.zip"
	before, err := os.ReadDir("testdata/refinebio")
	if err != nil {
		t.Fatal(err)
	}
	d := open(t, zipPath)
	if len(d.Matrices) != 1 {
		t.Fatalf("%d matrices", len(d.Matrices))
	}
	m := d.Matrices[0]
	if m.Name != zipPath+"!E-GEOD-39842/E-GEOD-39842.tsv" || m.Folder != "E-GEOD-39842" || m.Size != 73578 {
		t.Errorf("matrix %+v", *m)
	}
	if got, want := readMatrix(t, m), readFile(t, "testdata/refinebio/E-GEOD-39842/E-GEOD-39842/E-GEOD-39842.tsv"); !bytes.Equal(got, want) {
		t.Error("the matrix read from the zip differs from the folder's copy")
	}
	// __MACOSX/._metadata.json is AppleDouble junk: had it been read as
	// metadata, OpenDownload would have failed on it.
	if len(d.Metadata.Samples) != 12 || len(findingsWith(d, "MACOSX")) != 0 {
		t.Errorf("metadata %d samples; findings %v", len(d.Metadata.Samples), d.Findings)
	}
	for _, s := range d.Metadata.Sources {
		if !strings.HasPrefix(s, zipPath+"!") {
			t.Errorf("metadata source %q is not named inside the zip", s)
		}
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("reading the zip wrote %d temporary files", len(left))
	}
	after, _ := os.ReadDir("testdata/refinebio")
	if len(after) != len(before) {
		t.Error("reading the zip unpacked files beside it")
	}

	// A zip saved without its extension is still a zip.
	noExt := filepath.Join(t.TempDir(), "dataset")
	writeFile(t, noExt, readFile(t, zipPath))
	if d := open(t, noExt); len(d.Matrices) != 1 || !strings.HasPrefix(d.Matrices[0].Name, noExt+"!") {
		t.Errorf("zip without .zip: %+v", d.Matrices)
	}
}

func TestOpenDownloadStudyFolderAndSheetOnly(t *testing.T) {
	for _, p := range []string{"testdata/refinebio/GSE71270", "testdata/refinebio/GSE71270/GSE71270"} {
		d := open(t, p)
		if len(d.Matrices) != 1 || d.Matrices[0].Base != "GSE71270" {
			t.Fatalf("%s: matrices %+v", p, d.Matrices)
		}
		if st := d.Metadata.Study("GSE71270"); st == nil || len(st.SampleAccessions) != 10 {
			t.Errorf("%s: the sheet's samples are not the study's: %+v", p, d.Metadata.Studies)
		}
	}
}

func TestOpenDownloadSingleMatrix(t *testing.T) {
	src := "testdata/refinebio/GSE71270/GSE71270/"
	t.Run("sheet beside it", func(t *testing.T) {
		d := open(t, src+"GSE71270.tsv")
		if len(d.Matrices) != 1 || len(d.Metadata.Samples) != 10 {
			t.Fatalf("%d matrices, %d samples", len(d.Matrices), len(d.Metadata.Samples))
		}
	})
	dir := t.TempDir()
	lone := filepath.Join(dir, "GSE71270.tsv")
	writeFile(t, lone, readFile(t, src+"GSE71270.tsv"))
	writeFile(t, filepath.Join(dir, "metadata_GSE99.tsv"), []byte("refinebio_accession_code\nX\n")) // another study's sheet
	t.Run("tsv alone", func(t *testing.T) {
		d := open(t, lone)
		if len(d.Matrices) != 1 || len(d.Metadata.Samples) != 0 {
			t.Fatalf("%d matrices, %d samples (a sheet of another study must not be read)", len(d.Matrices), len(d.Metadata.Samples))
		}
	})
	t.Run("tsv with metadata given", func(t *testing.T) {
		d := open(t, lone, genexp.WithMetadataFiles(src+"metadata_GSE71270.tsv"))
		if st := d.Metadata.Study("GSE71270"); st == nil || len(st.SampleAccessions) != 10 {
			t.Errorf("metadata from WithMetadataFiles: %+v", d.Metadata.Studies)
		}
	})
	t.Run("tsv.gz with gzipped metadata given", func(t *testing.T) {
		gz := filepath.Join(dir, "GSE71270.tsv.gz")
		writeFile(t, gz, gzipBytes(t, readFile(t, lone)))
		sheetGz := filepath.Join(t.TempDir(), "metadata_GSE71270.tsv.gz")
		writeFile(t, sheetGz, gzipBytes(t, readFile(t, src+"metadata_GSE71270.tsv")))
		d := open(t, gz, genexp.WithMetadataFiles(sheetGz))
		m := d.Matrices[0]
		if len(d.Matrices) != 1 || m.Base != "GSE71270" || m.Size != -1 {
			t.Fatalf("matrices %+v", d.Matrices)
		}
		if !bytes.Equal(readMatrix(t, m), readFile(t, lone)) {
			t.Error("the gzipped matrix does not read back to the original bytes")
		}
		if len(d.Metadata.Samples) != 10 {
			t.Errorf("gzipped sheet: %d samples", len(d.Metadata.Samples))
		}
	})
	t.Run("missing metadata file", func(t *testing.T) {
		_, err := genexp.OpenDownload(lone, genexp.WithMetadataFiles(filepath.Join(dir, "nope.tsv")))
		// named once, as given: not again by the path the file system
		// it was opened through gives it ("open tmp/…/nope.tsv")
		if !errors.Is(err, qc.FileNotFound) || !strings.Contains(err.Error(), filepath.Join(dir, "nope.tsv")) || strings.Count(err.Error(), "nope.tsv") != 1 {
			t.Errorf("err = %v", err)
		}
	})
}

func gzipBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestOpenDownloadEarly2018FlatLayout(t *testing.T) {
	d := open(t, "testdata/refinebio/early-2018")
	if len(d.Matrices) != 1 || d.Matrices[0].Base != "E-GEOD-39842" || d.Matrices[0].Folder != "early-2018" {
		t.Fatalf("matrices %+v", d.Matrices)
	}
	if len(d.Metadata.Samples) != 12 || len(d.Metadata.Studies) != 1 {
		t.Errorf("%d samples, %d studies", len(d.Metadata.Samples), len(d.Metadata.Studies))
	}
}

func TestOpenDownloadSkipsAndNotes(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, "testdata/refinebio/GSE71270", dir, nil)
	writeFile(t, filepath.Join(dir, "README.md"), []byte("# readme"))
	writeFile(t, filepath.Join(dir, "LICENSE.TXT"), []byte("licence"))
	writeFile(t, filepath.Join(dir, "GSE71270", "DE_results.tsv"), []byte("gene\tlogFC\nA\t1\n"))
	writeFile(t, filepath.Join(dir, "notes.txt"), []byte("my notes"))
	writeFile(t, filepath.Join(dir, ".DS_Store"), []byte{0})
	writeFile(t, filepath.Join(dir, "__MACOSX", "GSE71270", "._GSE71270.tsv"), []byte{0, 5, 22, 7})
	// not hidden, and named like its folder: only the __MACOSX rule skips it
	writeFile(t, filepath.Join(dir, "__MACOSX", "GSE71270", "GSE71270.tsv"), []byte("Gene\tjunk\nA\t1\n"))
	writeFile(t, filepath.Join(dir, "filtered_samples_metadata.json"), []byte(`{
		"GSM2": {"refinebio_accession_code": "GSM2", "reason": "This sample did not have a processed file associated with it in our database."},
		"GSM1": {"refinebio_accession_code": "GSM1", "reason": "This sample did not have a processed file associated with it in our database."}}`))
	writeFile(t, filepath.Join(dir, "filtered_samples_metadata.tsv"), []byte("refinebio_accession_code\nGSM1\nGSM2\n"))

	d := open(t, dir)
	if len(d.Matrices) != 1 || d.Matrices[0].Base != "GSE71270" {
		t.Fatalf("matrices %+v", d.Matrices)
	}
	if len(d.Metadata.Samples) != 10 {
		t.Errorf("filtered samples must not become samples: %d", len(d.Metadata.Samples))
	}
	filtered := findingsWith(d, "filtered 2 samples")
	if len(filtered) != 1 || filtered[0].Severity != qc.SeverityInfo ||
		!strings.Contains(filtered[0].Msg, "GSM1, GSM2") || !strings.Contains(filtered[0].Msg, "did not have a processed file") {
		t.Errorf("filtered-samples finding: %v", d.Findings)
	}
	for _, name := range []string{"DE_results.tsv", "notes.txt"} {
		if f := findingsWith(d, name); len(f) != 1 || f[0].Severity != qc.SeverityInfo || !strings.Contains(f[0].Msg, "skipped") {
			t.Errorf("%s: findings %v", name, f)
		}
	}
	for _, name := range []string{"README", "LICENSE", "DS_Store", "MACOSX"} {
		if f := findingsWith(d, name); len(f) != 0 {
			t.Errorf("%s must be skipped silently: %v", name, f)
		}
	}
	if len(d.Findings) != 3 {
		t.Errorf("findings %v", d.Findings)
	}

	// Many stray files: ten findings, then a count.
	many := t.TempDir()
	copyTree(t, "testdata/refinebio/GSE71270", many, nil)
	for i := range 15 {
		writeFile(t, filepath.Join(many, fmt.Sprintf("plot%02d.png", i)), []byte{1})
	}
	if d := open(t, many); len(d.Findings) != 11 || !strings.Contains(d.Findings[10].Msg, "skipped 5 more files") {
		t.Errorf("findings %v", d.Findings)
	}

	// With nothing loadable, the error says what was skipped.
	only := t.TempDir()
	writeFile(t, filepath.Join(only, "results", "DE_results.tsv"), []byte("gene\tlogFC\n"))
	_, err := genexp.OpenDownload(only)
	if !errors.Is(err, qc.InvalidFormat) || !strings.Contains(err.Error(), "DE_results.tsv") || !strings.Contains(err.Error(), "named like its folder") {
		t.Errorf("err = %v", err)
	}
}

func TestOpenDownloadQuantSFOnly(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "aggregated_metadata.json"), []byte(`{"quant_sf_only": true, "num_samples": 2,
		"experiments": {"SRP1": {"accession_code": "SRP1", "sample_accession_codes": ["SRR1", "SRR2"]}},
		"samples": {"SRR1": {"refinebio_accession_code": "SRR1"}, "SRR2": {"refinebio_accession_code": "SRR2"}}}`))
	quant := "Name\tLength\tEffectiveLength\tTPM\tNumReads\nENST00000456328\t1657\t1420.000\t0.5\t2.0\n"
	writeFile(t, filepath.Join(dir, "SRP1", "SRR1_quant.sf"), []byte(quant))
	writeFile(t, filepath.Join(dir, "SRP1", "SRR2_quant.sf"), []byte(quant))
	writeFile(t, filepath.Join(dir, "SRP1", "metadata_SRP1.tsv"), []byte("refinebio_accession_code\texperiment_accession\nSRR1\tSRP1\nSRR2\tSRP1\n"))
	_, err := genexp.OpenDownload(dir)
	var e *qc.Error
	if !errors.As(err, &e) || e.Code != qc.InvalidFormat || e.File != dir || !strings.Contains(e.Msg, "quant_sf_only") || !strings.Contains(e.Msg, "not gene matrices") {
		t.Fatalf("err = %v", err)
	}

	// quant.sf files beside a real matrix: the matrix loads, the rest is noted
	mixed := t.TempDir()
	copyTree(t, "testdata/refinebio/GSE71270", mixed, nil)
	writeFile(t, filepath.Join(mixed, "GSE71270", "GSM1_quant.sf"), []byte(quant))
	d := open(t, mixed)
	if f := findingsWith(d, "quant.sf"); len(d.Matrices) != 1 || len(f) != 1 || f[0].Severity != qc.SeverityWarning {
		t.Errorf("matrices %d, findings %v", len(d.Matrices), d.Findings)
	}
}

func TestOpenDownloadSpecies(t *testing.T) {
	d := open(t, speciesDir)
	if len(d.Matrices) != 1 || d.Matrices[0].Base != "DANIO_RERIO" || d.Matrices[0].Folder != "DANIO_RERIO" {
		t.Fatalf("matrices %+v", d.Matrices)
	}
	md := d.Metadata
	if md.AggregateBy != "SPECIES" || len(md.Samples) != 22 || len(md.Studies) != 2 {
		t.Fatalf("metadata: %q, %d samples, %d studies", md.AggregateBy, len(md.Samples), len(md.Studies))
	}
	if !strings.HasSuffix(md.Sources[0], "aggregated_metadata.json") {
		t.Errorf("aggregated_metadata.json must be read first: %v", md.Sources)
	}
	for _, s := range md.Samples {
		if len(s.Experiments) != 1 {
			t.Errorf("%s experiments %v", s.Accession, s.Experiments)
		}
	}
	if len(d.Findings) != 0 {
		t.Errorf("findings %v", d.Findings)
	}
}

// speciesAsAll lays the SPECIES fixture out as an ALL download.
func speciesAsAll(t *testing.T) string {
	dir := t.TempDir()
	copyTree(t, speciesDir, dir, func(rel string) string {
		rel = strings.ReplaceAll(rel, "DANIO_RERIO", "ALL")
		if strings.HasSuffix(rel, ".json") && strings.HasPrefix(rel, "ALL") {
			return "" // no per-organism JSON in an ALL download
		}
		return rel
	})
	agg := filepath.Join(dir, "aggregated_metadata.json")
	writeFile(t, agg, bytes.Replace(readFile(t, agg), []byte(`"aggregate_by": "SPECIES"`), []byte(`"aggregate_by": "ALL"`), 1))
	return dir
}

func TestOpenDownloadAll(t *testing.T) {
	d := open(t, speciesAsAll(t))
	if len(d.Matrices) != 1 || d.Matrices[0].Base != "ALL" || d.Matrices[0].Folder != "ALL" {
		t.Fatalf("matrices %+v", d.Matrices)
	}
	if d.Metadata.AggregateBy != "ALL" || len(d.Metadata.Samples) != 22 {
		t.Errorf("metadata %q %d", d.Metadata.AggregateBy, len(d.Metadata.Samples))
	}
}

func TestOpenDownloadRezippedWithTopFolder(t *testing.T) {
	zipPath := filepath.Join(t.TempDir(), "zebrafish.zip")
	zipTree(t, speciesDir, zipPath, "zebrafish download (copy)/")
	d := open(t, zipPath)
	if len(d.Matrices) != 1 || d.Matrices[0].Name != zipPath+"!zebrafish download (copy)/DANIO_RERIO/DANIO_RERIO.tsv" {
		t.Fatalf("matrices %+v", d.Matrices)
	}
	if d.Metadata.AggregateBy != "SPECIES" || len(d.Metadata.Studies) != 2 {
		t.Errorf("metadata %q, %d studies", d.Metadata.AggregateBy, len(d.Metadata.Studies))
	}
}

func TestOpenDownloadErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "broken.zip")
	writeFile(t, bad, []byte("PK\x03\x04 not really"))
	badJSON := t.TempDir()
	copyTree(t, "testdata/refinebio/GSE71270", badJSON, nil)
	writeFile(t, filepath.Join(badJSON, "aggregated_metadata.json"), []byte("{\n  \"samples\": {\n    \"GSM1\": {\"refinebio_processed\": \"maybe\"}}}"))
	cases := []struct {
		name, path string
		code       qc.Code
		text       string
	}{
		{"no such path", "testdata/nope", qc.FileNotFound, "testdata/nope: no such download: no such file or directory"},
		{"empty path", "", qc.FileNotFound, `no such download: the path "" is empty`},
		{"not a zip", bad, qc.InvalidFormat, "not a readable zip file"},
		{"bad metadata", badJSON, qc.ParseError, "aggregated_metadata.json:3: samples.GSM1.refinebio_processed: expected a boolean"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := genexp.OpenDownload(tc.path)
			if !errors.Is(err, tc.code) || !strings.Contains(err.Error(), tc.text) {
				t.Errorf("err = %v, want %s containing %q", err, tc.code.Name(), tc.text)
			}
		})
	}
}

// TestLoadSpeciesDownload loads a SPECIES download, one matrix holding two
// experiments, and checks that each sample's facts land in its own study,
// value for value.
func TestLoadSpeciesDownload(t *testing.T) {
	for _, tc := range []struct{ name, path string }{
		{"SPECIES folder", speciesDir},
		{"ALL folder", speciesAsAll(t)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := openWarehouse(t)
			rep := load(t, w, tc.path)
			got := map[string]genexp.StudyReport{}
			for _, s := range rep.Studies {
				got[s.Study] = s
			}
			if len(rep.Studies) != 2 || got["GSE71270"].Samples != 10 || got["E-GEOD-39842"].Samples != 12 {
				t.Fatalf("studies %+v", rep.Studies)
			}
			for _, s := range rep.Studies {
				if s.Outcome != warehouse.Inserted || s.Genes != 300 || s.Rows != int64(300*s.Samples) || s.Missing != 0 {
					t.Errorf("%s: %+v", s.Study, s)
				}
			}

			_, matrix := refTSV(t, speciesMatrix)
			studyOf := map[string]string{}
			rows, err := w.DB().Query(`SELECT st.study_accession_code, s.sample_accession_code, g.gene_id, f.expression_value,
				fs.study_accession_code
				FROM fact_gene_expression f JOIN dim_gene g USING (gene_key) JOIN dim_sample s USING (sample_key)
				JOIN dim_study st ON st.study_key = f.study_key
				JOIN dim_study_sample m ON m.study_key = f.study_key AND m.sample_key = f.sample_key
				JOIN dim_study fs ON fs.study_key = m.study_key`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			perStudy := map[string]int{}
			for rows.Next() {
				var study, sample, gene, sampleStudy string
				var v float64
				if err := rows.Scan(&study, &sample, &gene, &v, &sampleStudy); err != nil {
					t.Fatal(err)
				}
				want, ok := matrix[gene][sample]
				if !ok {
					t.Fatalf("fact (%s, %s) is not in the matrix", gene, sample)
				}
				if math.Float64bits(want) != math.Float64bits(v) {
					t.Fatalf("(%s, %s) = %v, matrix says %v", gene, sample, v, want)
				}
				wantStudy := "GSE71270"
				if strings.HasPrefix(sample, "E-GEOD-39842-") {
					wantStudy = "E-GEOD-39842"
				}
				if study != wantStudy || sampleStudy != wantStudy {
					t.Fatalf("sample %s: fact in %s, member of %s, want %s", sample, study, sampleStudy, wantStudy)
				}
				studyOf[sample] = study
				perStudy[study]++
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if perStudy["GSE71270"] != 3000 || perStudy["E-GEOD-39842"] != 3600 || len(studyOf) != 22 {
				t.Errorf("facts per study %v, samples %d", perStudy, len(studyOf))
			}
			if n := count(t, w, `SELECT COUNT(*) FROM dim_study WHERE study_accession_code IN ('DANIO_RERIO', 'ALL')`); n != 0 {
				t.Errorf("the folder became a study")
			}
			var pubmed, title string
			if err := w.DB().QueryRow(`SELECT study_pubmed_id, study_title FROM dim_study WHERE study_accession_code = 'E-GEOD-39842'`).Scan(&pubmed, &title); err != nil {
				t.Fatal(err)
			}
			if pubmed != "23151342" || title != "Hypoxia induces myocardial regeneration in zebrafish" {
				t.Errorf("E-GEOD-39842 in dim_study: %q %q", pubmed, title)
			}
		})
	}
}

// TestSpeciesFixtureMatchesTheOriginals checks the SPECIES fixture against
// the two real downloads it was built from, through their own headers
// (accessions for GSE71270, titles for E-GEOD-39842).
func TestSpeciesFixtureMatchesTheOriginals(t *testing.T) {
	_, species := refTSV(t, speciesMatrix)
	_, geo := refTSV(t, "testdata/refinebio/GSE71270/GSE71270/GSE71270.tsv")
	_, ae := refTSV(t, "testdata/refinebio/E-GEOD-39842/E-GEOD-39842/E-GEOD-39842.tsv")
	d := open(t, "testdata/refinebio/E-GEOD-39842")
	checked := 0
	for gene, row := range species {
		for acc, v := range row {
			var want float64
			var ok bool
			if strings.HasPrefix(acc, "GSM") {
				want, ok = geo[gene][acc]
				if !ok {
					t.Fatalf("%s %s is not in GSE71270", gene, acc)
				}
			} else if want, ok = ae[gene][d.Metadata.Sample(acc).Title]; !ok {
				continue // the trimmed 2018 matrix holds other genes
			}
			if math.Float64bits(v) != math.Float64bits(want) {
				t.Fatalf("%s %s: fixture %v, original %v", gene, acc, v, want)
			}
			checked++
		}
	}
	if checked != 300*10+185*12 {
		t.Errorf("checked %d cells", checked)
	}
}

// TestLoadStudiesOfEveryArchive: studies are found from the download's
// folders and metadata whatever their accession style, and
// processing.study_code_pattern only filters them; a filtered study is
// skipped, not failed.
func TestLoadStudiesOfEveryArchive(t *testing.T) {
	dir := t.TempDir()
	studies := []string{"E-MTAB-1234", "ERP000447", "GSE5", "SRP110235"}
	for i, acc := range studies {
		var m, sheet strings.Builder
		m.WriteString("Gene")
		sheet.WriteString("refinebio_accession_code\trefinebio_title\n")
		for s := range 3 {
			id := acc + "-S" + string(rune('1'+s))
			m.WriteString("\t" + id)
			sheet.WriteString(id + "\tsample " + id + "\n")
		}
		m.WriteString("\n")
		for g := range 4 {
			m.WriteString("ENSG0000000000" + string(rune('1'+g)))
			for s := range 3 {
				m.WriteString("\t" + strings.Repeat("1", i+1) + "." + string(rune('1'+g)) + string(rune('1'+s)))
			}
			m.WriteString("\n")
		}
		writeFile(t, filepath.Join(dir, acc, acc+".tsv"), []byte(m.String()))
		writeFile(t, filepath.Join(dir, acc, "metadata_"+acc+".tsv"), []byte(sheet.String()))
	}

	w := openWarehouse(t)
	rep := load(t, w, dir)
	var loaded []string
	for _, s := range rep.Studies {
		loaded = append(loaded, s.Study)
		if s.Outcome != warehouse.Inserted || s.Rows != 12 {
			t.Errorf("%s: %+v", s.Study, s)
		}
	}
	if !slices.Equal(loaded, studies) {
		t.Errorf("studies %v, want %v", loaded, studies)
	}

	// This pattern (an early sketch of study_code_pattern) does not match
	// E-MTAB-1234: as a filter it skips that study, and the run does not
	// fail.
	cfg := genexp.DefaultConfig()
	cfg.Processing.StudyCodePattern = `[A-Za-z]{2,3}-[A-Za-z]{3}-\d+|[A-Za-z]{3}\d+`
	p, err := genexp.New(openWarehouse(t), genexp.WithConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	rep, err = p.Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed() {
		t.Fatalf("a filtered study failed the run: %+v", rep.Studies)
	}
	outcomes := map[string]warehouse.Outcome{}
	for _, s := range rep.Studies {
		outcomes[s.Study] = s.Outcome
	}
	want := map[string]warehouse.Outcome{"E-MTAB-1234": genexp.Skipped, "ERP000447": warehouse.Inserted, "GSE5": warehouse.Inserted, "SRP110235": warehouse.Inserted}
	if len(outcomes) != len(want) {
		t.Fatalf("outcomes %v", outcomes)
	}
	for s, o := range want {
		if outcomes[s] != o {
			t.Errorf("%s: %q, want %q", s, outcomes[s], o)
		}
	}
	for _, s := range rep.Studies {
		if s.Study == "E-MTAB-1234" && (len(s.Findings) != 1 || !strings.Contains(s.Findings[0].Msg, "study_code_pattern")) {
			t.Errorf("the skipped study does not say why: %v", s.Findings)
		}
	}
}

// TestLoadEarly2018Download loads the oldest layout: files at the top of
// the download, metadata.json with unprefixed keys and samples keyed by
// title, a matrix with an empty first header cell and titles for columns.
func TestLoadEarly2018Download(t *testing.T) {
	w := openWarehouse(t)
	rep := load(t, w, "testdata/refinebio/early-2018")
	if len(rep.Studies) != 1 || rep.Studies[0].Study != "E-GEOD-39842" || rep.Studies[0].Samples != 12 || rep.Studies[0].Genes != 300 {
		t.Fatalf("report %+v", rep.Studies)
	}
	_, byTitle := refTSV(t, "testdata/refinebio/early-2018/E-GEOD-39842.tsv")
	rows, err := w.DB().Query(`SELECT g.gene_id, s.sample_accession_code, s.sample_title, f.expression_value
		FROM fact_gene_expression f JOIN dim_gene g USING (gene_key) JOIN dim_sample s USING (sample_key)`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var gene, acc, title string
		var v float64
		if err := rows.Scan(&gene, &acc, &title, &v); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(acc, "E-GEOD-39842-GSM") {
			t.Fatalf("sample %q is not keyed by accession", acc)
		}
		if want := byTitle[gene][title]; math.Float64bits(want) != math.Float64bits(v) {
			t.Fatalf("(%s, %s) = %v, matrix says %v", gene, title, v, want)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 300*12 {
		t.Errorf("%d facts", n)
	}
}

// A SPECIES download holds one matrix per organism; the metadata says which
// experiment each of its samples comes from.
func ExampleOpenDownload() {
	d, err := genexp.OpenDownload("testdata/refinebio/species")
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	for _, m := range d.Matrices {
		fmt.Println("matrix:", m.Base)
	}
	fmt.Println("aggregated by:", d.Metadata.AggregateBy)
	for _, st := range d.Metadata.Studies {
		fmt.Printf("%s: %d samples, %s\n", st.Accession, len(st.SampleAccessions), st.Technology)
	}
	// Output:
	// matrix: DANIO_RERIO
	// aggregated by: SPECIES
	// E-GEOD-39842: 12 samples, MICROARRAY
	// GSE71270: 10 samples, MICROARRAY
}

// TestOpenErrorsTellMissingFromUnreadable: a .gz that is not gzip is an
// unreadable file, not a missing one; only a file that is gone is
// FileNotFound.
func TestOpenErrorsTellMissingFromUnreadable(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "fake.tsv.gz")
	writeFile(t, fake, []byte("notgzip"))
	d := open(t, fake)
	_, err := d.Matrices[0].Open()
	var e *qc.Error
	if !errors.As(err, &e) || e.Code != qc.InvalidFormat || e.File != fake || !strings.Contains(err.Error(), "not a gzip file") {
		t.Errorf("a .tsv.gz that is not gzip: %v, want %s naming %s", err, qc.InvalidFormat.Name(), fake)
	}

	gone := filepath.Join(dir, "GSE1.tsv")
	writeFile(t, gone, []byte("Gene\tGSM1\nG1\t1\n"))
	d = open(t, gone)
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Matrices[0].Open(); !errors.Is(err, qc.FileNotFound) || !strings.Contains(err.Error(), gone) || strings.Count(err.Error(), "GSE1.tsv") != 1 {
		t.Errorf("a matrix removed after opening: %v, want %s", err, qc.FileNotFound.Name())
	}

	sheet := filepath.Join(t.TempDir(), "metadata_GSE1.tsv.gz")
	writeFile(t, sheet, []byte("notgzip"))
	writeFile(t, gone, []byte("Gene\tGSM1\nG1\t1\n"))
	if _, err := genexp.OpenDownload(gone, genexp.WithMetadataFiles(sheet)); !errors.Is(err, qc.InvalidFormat) || !strings.Contains(err.Error(), sheet) {
		t.Errorf("a gzipped sheet that is not gzip: %v, want %s naming it", err, qc.InvalidFormat.Name())
	}
}

// TestTruncatedGzipMatrixNamesTheBrokenLine: a .tsv.gz cut short is read
// up to where it breaks, and the error names that file and line, not
// line 1.
func TestTruncatedGzipMatrixNamesTheBrokenLine(t *testing.T) {
	gz := gzipBytes(t, readFile(t, "testdata/refinebio/GSE71270/GSE71270/GSE71270.tsv"))
	trunc := filepath.Join(t.TempDir(), "trunc.tsv.gz")
	writeFile(t, trunc, gz[:3000])
	m := open(t, trunc).Matrices[0]
	rc, err := m.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	r, err := expression.NewReader(rc, expression.WithName(m.Name))
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
	}
	var e *qc.Error
	if !errors.As(r.Err(), &e) || e.File != trunc || e.Line < 10 || !errors.Is(r.Err(), io.ErrUnexpectedEOF) {
		t.Errorf("a cut .tsv.gz: %v, want an error naming %s at the line it broke in", r.Err(), trunc)
	}
}

// A study folder given directly, with its matrix and no sample sheet, is
// read as its parent folder or the matrix path would be: the matrix is
// named like the folder given.
func TestOpenDownloadStudyFolderWithoutSheet(t *testing.T) {
	study := filepath.Join(t.TempDir(), "GSE71270")
	writeFile(t, filepath.Join(study, "GSE71270.tsv"), readFile(t, "testdata/refinebio/quickstart/GSE71270/GSE71270.tsv"))
	for _, p := range []string{study, filepath.Dir(study), filepath.Join(study, "GSE71270.tsv")} {
		d := open(t, p)
		if len(d.Matrices) != 1 || d.Matrices[0].Base != "GSE71270" || d.Matrices[0].Folder != "GSE71270" {
			t.Errorf("%s: matrices %+v", p, d.Matrices)
		}
	}
}
