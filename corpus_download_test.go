package genexp_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/illness"
	"github.com/genexp/genexp/internal/corpus"
	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// corpusSample is one labeled record: the sample the illness corpus
// tests classify (corpus.Record.Sample, as those tests build it) and
// its study's label for it.
type corpusSample struct {
	sample   *metadata.Sample
	expected illness.Label
}

// TestCorpusThroughDownloads writes every study of the labeled illness
// corpora as a refine.bio download would hold it, in two shapes: GEO
// (aggregated_metadata.json with each sample's GEO record, and the study's
// sample sheet with its characteristics as columns) and SRA (a sample
// sheet alone, each characteristic a BioSample attribute "sample_…", the
// study's title and abstract in every run's row, as refine.bio's SRA
// records have them); each with a small matrix. It loads each into a
// DuckDB warehouse and checks that every sample's label and rule in
// analytics.vw_sample_illness are those the default classifier gives the
// record built field by field, as the corpus tests score it: the accuracy
// those tests report is the accuracy of a load, not only of the
// classifier's own input.
func TestCorpusThroughDownloads(t *testing.T) {
	if testing.Short() {
		t.Skip("loads every labeled corpus (-short)")
	}
	files, err := filepath.Glob("illness/testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus in illness/testdata (%v)", err)
	}
	cfg := genexp.DefaultConfig()
	// The matrices are three genes long; the corpora keep a few samples
	// of some studies.
	cfg.Quality.MinGenesPerSample, cfg.Quality.MinSamplesPerStudy = 1, 1
	for _, shape := range []downloadShape{geoShape, sraShape} {
		var n, agree, ok int
		for _, file := range files {
			t.Run(string(shape)+"/"+strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
				c, err := corpus.Read(file)
				if err != nil {
					t.Fatal(err)
				}
				dir := t.TempDir()
				want := writeCorpusDownload(t, filepath.Join(dir, "download"), c, shape)

				w, err := duckdb.Open(filepath.Join(dir, "genexp.duckdb"))
				if err != nil {
					t.Fatal(err)
				}
				defer w.Close()
				p, err := genexp.New(w, genexp.WithConfig(cfg))
				if err != nil {
					t.Fatal(err)
				}
				rep, err := p.Load(context.Background(), filepath.Join(dir, "download"))
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range rep.Studies {
					if s.Err != nil || s.Outcome != "new" {
						t.Fatalf("%s: %s, %v", s.Study, s.Outcome, s.Err)
					}
				}

				rows, err := w.DB().Query(`SELECT study_accession_code, sample_accession_code, illness_label, COALESCE(illness_rule, '')
					FROM analytics.vw_sample_illness`)
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				got := map[string][2]string{}
				for rows.Next() {
					var study, acc, label, rule string
					if err := rows.Scan(&study, &acc, &label, &rule); err != nil {
						t.Fatal(err)
					}
					got[study+" "+acc] = [2]string{label, rule}
				}
				if err := rows.Err(); err != nil {
					t.Fatal(err)
				}

				for _, st := range c.Studies {
					samples := want[st.Accession]
					direct := make([]*metadata.Sample, len(samples))
					for i, s := range samples {
						direct[i] = s.sample
					}
					for i, d := range illness.Decide(illness.Default(), st.Context(), direct) {
						acc := samples[i].sample.Accession
						g, found := got[st.Accession+" "+acc]
						n++
						switch {
						case !found:
							t.Errorf("%s %s: not in analytics.vw_sample_illness", st.Accession, acc)
						case g != [2]string{string(d.Label), d.Rule}:
							t.Errorf("%s %s (%q): loaded as %s by %q, the record alone is %s by %q", st.Accession, acc, samples[i].sample.Title, g[0], g[1], d.Label, d.Rule)
						default:
							agree++
						}
						if found && g[0] == string(samples[i].expected) {
							ok++
						}
					}
				}
			})
		}
		t.Logf("%s: %d of %d samples loaded with the label and rule of their record; %d (%.1f%%) with their study's label", shape, agree, n, ok, 100*float64(ok)/float64(n))
	}
}

// downloadShape is how writeCorpusDownload writes a corpus.
type downloadShape string

const (
	// geoShape: aggregated_metadata.json with GEO records, and sheets.
	geoShape downloadShape = "geo"
	// sraShape: sample sheets alone, with SRA runs' records.
	sraShape downloadShape = "sra"
)

// sraAttribute is the column refine.bio's SRA records give a BioSample
// attribute: "sample_" and its tag in lower case, hyphens and spaces as
// underscores ("disease state" is sample_disease_state).
func sraAttribute(tag string) string {
	return "sample_" + strings.NewReplacer("-", "_", " ", "_").Replace(strings.ToLower(strings.TrimSpace(tag)))
}

// writeCorpusDownload writes the corpus as a refine.bio download
// aggregated by experiment under dir, in the shape asked for, and returns,
// by study, its samples as the illness corpus tests build them, in the
// matrix's column order. A record without an accession (a value pattern),
// and every record of the SRA shape, is given one.
func writeCorpusDownload(t *testing.T, dir string, c *corpus.Corpus, shape downloadShape) map[string][]corpusSample {
	t.Helper()
	out := map[string][]corpusSample{}
	experiments, samples := map[string]any{}, map[string]any{}
	seen := map[string]bool{}
	for _, st := range c.Studies {
		var accs []string
		head := []string{"refinebio_accession_code", "refinebio_title", "refinebio_disease", "refinebio_organism",
			"refinebio_platform", "refinebio_source_database", "title", "source_name_ch1", "description"}
		column := func(tag string) string { return strings.TrimSpace(tag) }
		if shape == sraShape {
			head = []string{"refinebio_accession_code", "refinebio_title", "refinebio_disease", "refinebio_organism",
				"refinebio_platform", "refinebio_source_database", "sample_title", "sample_source_name", "study_title", "study_abstract"}
			column = sraAttribute
		}
		sheet := [][]string{head}
		keys := map[string]int{}
		for _, s := range st.Samples {
			for _, kv := range s.Characteristics {
				k := column(kv[0])
				if _, ok := keys[k]; !ok && strings.TrimSpace(kv[0]) != "" && !slices.Contains(sheet[0], k) {
					keys[k] = len(sheet[0])
					sheet[0] = append(sheet[0], k)
				}
			}
		}
		sheet[0] = append(sheet[0], "experiment_accession")
		for _, s := range st.Samples {
			acc := s.Accession
			switch {
			case shape == sraShape:
				acc = fmt.Sprintf("SRR9%06d", len(seen)+1)
			case acc == "":
				acc = fmt.Sprintf("GSM9%06d", len(seen)+1)
			}
			if seen[acc] {
				t.Fatalf("%s: sample %s twice in one corpus", st.Accession, acc)
			}
			seen[acc] = true
			accs = append(accs, acc)

			label, err := illness.ParseLabel(s.Expected)
			if err != nil {
				t.Fatalf("%s %s: %v", st.Accession, acc, err)
			}
			var lines []string
			row := make([]string, len(sheet[0]))
			if shape == sraShape {
				// An SRA record has no description; the study's text is
				// in every run's row.
				var title, abstract string
				if st.Text != nil {
					title, abstract = st.Text.Title, st.Text.Description
				}
				copy(row, []string{acc, s.Title, s.Disease, "HOMO_SAPIENS", "Illumina HiSeq 2500 (IlluminaHiSeq2500)", "SRA", s.Title, s.SourceName, title, abstract})
			} else {
				copy(row, []string{acc, s.Title, s.Disease, "HOMO_SAPIENS", "Affymetrix Human Genome U133 Plus 2.0 Array (hgu133plus2)", "GEO", s.Title, s.SourceName, s.Description})
			}
			row[len(row)-1] = st.Accession
			for _, kv := range s.Characteristics {
				line := kv[1]
				if kv[0] != "" {
					line = kv[0] + ": " + kv[1]
				}
				lines = append(lines, line)
				if i, ok := keys[column(kv[0])]; ok && strings.TrimSpace(kv[0]) != "" {
					row[i] = kv[1] // a repeated key keeps its last value, as a sheet's column can
				}
			}
			sheet = append(sheet, row)
			out[st.Accession] = append(out[st.Accession], corpusSample{sample: s.Sample(acc, st.Accession), expected: label})
			if shape == sraShape {
				continue
			}

			record := map[string]any{
				"geo_accession":        []string{acc},
				"title":                []string{s.Title},
				"characteristics_ch1":  lines,
				"extract_protocol_ch1": []string{"Total RNA was extracted from whole blood (PAXgene) following the manufacturer's instructions."},
				"organism_ch1":         []string{"Homo sapiens"},
				"platform_id":          []string{"GPL570"},
				"type":                 []string{"RNA"},
			}
			if s.SourceName != "" {
				record["source_name_ch1"] = []string{s.SourceName}
			}
			if s.Description != "" {
				record["description"] = []string{s.Description}
			}
			samples[acc] = map[string]any{
				"refinebio_accession_code":  acc,
				"refinebio_title":           s.Title,
				"refinebio_disease":         s.Disease,
				"refinebio_organism":        "HOMO_SAPIENS",
				"refinebio_platform":        "Affymetrix Human Genome U133 Plus 2.0 Array (hgu133plus2)",
				"refinebio_source_database": "GEO",
				"refinebio_processed":       true,
				"refinebio_annotations":     []any{record},
			}
		}
		exp := map[string]any{"accession_code": st.Accession, "technology": "MICROARRAY",
			"organisms": []string{"HOMO_SAPIENS"}, "sample_accession_codes": accs}
		if st.Text != nil {
			exp["title"], exp["description"] = st.Text.Title, st.Text.Description
		}
		experiments[st.Accession] = exp

		var sb bytes.Buffer
		cw := csv.NewWriter(&sb)
		cw.Comma = '\t'
		if err := cw.WriteAll(sheet); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, st.Accession, "metadata_"+st.Accession+".tsv"), sb.Bytes())

		var mb strings.Builder
		mb.WriteString("Gene\t" + strings.Join(accs, "\t") + "\n")
		for g := range 3 {
			fmt.Fprintf(&mb, "ENSG%011d", g+1)
			for j := range accs {
				fmt.Fprintf(&mb, "\t%d.%d", 5+g, j)
			}
			mb.WriteString("\n")
		}
		writeFile(t, filepath.Join(dir, st.Accession, st.Accession+".tsv"), []byte(mb.String()))
	}
	if shape == sraShape {
		return out
	}
	agg, err := json.MarshalIndent(map[string]any{
		"aggregate_by": "EXPERIMENT", "scale_by": "NONE", "quantile_normalized": true, "quant_sf_only": false,
		"num_experiments": len(experiments), "num_samples": len(samples), "created_at": "2026-11-27T00:00:00",
		"experiments": experiments, "samples": samples,
	}, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "aggregated_metadata.json"), agg)
	return out
}
