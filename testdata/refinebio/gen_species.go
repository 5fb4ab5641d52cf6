//go:build ignore

// gen_species writes the SPECIES-aggregated fixture in species/ from the two real
// zebrafish downloads GSE71270 and E-GEOD-39842: the first 300 genes of the
// GSE71270 matrix, with every cell of both studies copied verbatim (as
// text) from the original matrices, and metadata laid out as refine.bio's
// smasher writes a SPECIES download. Run from the repository root:
//
//	go run testdata/refinebio/gen_species.go [ORIGINALS]
//
// ORIGINALS is the folder holding the full downloads (default
// /work/shared/data/refinebio); the E-GEOD-39842 values come from its full
// matrix, because the trimmed copy in testdata holds other genes.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

const out = "testdata/refinebio/species"

func main() {
	originals := "/work/shared/data/refinebio"
	if len(os.Args) > 1 {
		originals = os.Args[1]
	}
	geoRows := readMatrix("testdata/refinebio/GSE71270/GSE71270/GSE71270.tsv")
	aeRows := readMatrix(filepath.Join(originals, "E-GEOD-39842/E-GEOD-39842/E-GEOD-39842.tsv"))

	var meta2018 struct {
		Experiments map[string]map[string]any `json:"experiments"`
		Samples     map[string]map[string]any `json:"samples"`
	}
	must(json.Unmarshal(read("testdata/refinebio/E-GEOD-39842/metadata.json"), &meta2018))

	samples := map[string]map[string]any{}
	experimentOf := map[string]string{}
	var geoAccs, aeAccs []string

	// GSE71270: rebuild refine.bio's sample objects from the sample sheet.
	// The GEO record becomes one annotation whose characteristics_ch1 holds
	// the characteristic columns as "key: value".
	sheet := readSheet("testdata/refinebio/GSE71270/GSE71270/metadata_GSE71270.tsv")
	for _, row := range sheet {
		s := map[string]any{"refinebio_processed": true, "refinebio_developmental_stage": ""}
		record := map[string]any{}
		var chars []string
		for k, v := range row {
			switch {
			case strings.HasPrefix(k, "refinebio_"):
				s[k] = v
			case k == "tissue" || k == "genotype/variation":
				if v != "" {
					chars = append(chars, k+": "+v)
				}
			case v != "":
				record[k] = []any{v}
			}
		}
		sort.Strings(chars)
		record["characteristics_ch1"] = toAny(chars)
		s["refinebio_annotations"] = []any{record}
		acc := row["refinebio_accession_code"]
		samples[acc] = s
		experimentOf[acc] = "GSE71270"
		geoAccs = append(geoAccs, acc)
	}
	// E-GEOD-39842: the 2018 objects, keyed by accession as refine.bio now
	// keys them, with the fields current downloads add.
	titleToAcc := map[string]string{}
	for title, s := range meta2018.Samples {
		acc := s["refinebio_accession_code"].(string)
		s["refinebio_processed"] = true
		s["refinebio_developmental_stage"] = ""
		samples[acc] = s
		experimentOf[acc] = "E-GEOD-39842"
		titleToAcc[title] = acc
		aeAccs = append(aeAccs, acc)
	}
	sort.Strings(geoAccs)
	sort.Strings(aeAccs)

	// The matrix: GSE71270's genes, the two studies' columns interleaved.
	var cols []string
	for i := 0; i < max(len(geoAccs), len(aeAccs)); i++ {
		if i < len(aeAccs) {
			cols = append(cols, aeAccs[i])
		}
		if i < len(geoAccs) {
			cols = append(cols, geoAccs[i])
		}
	}
	var m bytes.Buffer
	m.WriteString("Gene\t" + strings.Join(cols, "\t") + "\n")
	for _, gene := range geoRows.genes {
		ae, ok := aeRows.cells[gene]
		if !ok {
			log.Fatalf("gene %s is not in the E-GEOD-39842 matrix", gene)
		}
		cells := []string{gene}
		for _, acc := range cols {
			if experimentOf[acc] == "GSE71270" {
				cells = append(cells, geoRows.cells[gene][acc])
				continue
			}
			for title, a := range titleToAcc {
				if a == acc {
					cells = append(cells, ae[title])
				}
			}
		}
		m.WriteString(strings.Join(cells, "\t") + "\n")
	}
	must(os.MkdirAll(filepath.Join(out, "DANIO_RERIO"), 0o755))
	write("DANIO_RERIO/DANIO_RERIO.tsv", m.Bytes())

	experiments := map[string]any{}
	ae := meta2018.Experiments["E-GEOD-39842"]
	delete(ae, "sample_titles")
	ae["sample_accession_codes"] = toAny(aeAccs)
	experiments["E-GEOD-39842"] = ae
	experiments["GSE71270"] = map[string]any{
		"accession_code": "GSE71270", "title": "Zebrafish kidney marrow, CREB-overexpressing and control (reconstructed)",
		"description": "Reconstructed from the sample sheet for tests; the download held no experiment record.",
		"technology":  "MICROARRAY", "organisms": []any{"DANIO_RERIO"}, "sample_accession_codes": toAny(geoAccs),
		"protocol_description": []any{}, "submitter_institution": "University of Padua", "has_publication": false,
		"publication_title": "", "publication_doi": "", "pubmed_id": "",
		"source_first_published": "2016-12-06T00:00:00", "source_last_modified": "2016-12-07T00:00:00",
	}
	top := map[string]any{
		"aggregate_by": "SPECIES", "scale_by": "NONE", "quantile_normalized": false, "quant_sf_only": false,
		"ks_statistic": nil, "ks_pvalue": nil, "ks_warning": nil, "created_at": "2024-03-05T14:22:31",
		"num_experiments": 2, "num_samples": len(samples), "experiments": experiments, "samples": toAnyMap(samples),
	}
	write("aggregated_metadata.json", jsonBytes(top))

	accs := append(append([]string(nil), aeAccs...), geoAccs...)
	sort.Strings(accs)
	var list []any
	for _, a := range accs {
		list = append(list, samples[a])
	}
	write("DANIO_RERIO/metadata_DANIO_RERIO.json", jsonBytes(map[string]any{"species": "DANIO_RERIO", "samples": list}))
	write("DANIO_RERIO/metadata_DANIO_RERIO.tsv", speciesSheet(samples, accs, experimentOf))
	write("LICENSE.TXT", read("testdata/refinebio/E-GEOD-39842/LICENSE.TXT"))
}

// speciesSheet lays the samples out as the smasher's TSV writer does:
// refinebio_accession_code and experiment_accession first, then the other
// refine.bio keys, then the flattened annotation columns, each group
// sorted; CRLF line ends; minimal quoting.
func speciesSheet(samples map[string]map[string]any, accs []string, experimentOf map[string]string) []byte {
	rows := map[string]map[string]string{}
	refCols, annCols := map[string]bool{}, map[string]bool{}
	for _, acc := range accs {
		s := samples[acc]
		row := map[string]string{"experiment_accession": experimentOf[acc]}
		for k, v := range s {
			if k != "refinebio_annotations" {
				refCols[k] = true
				row[k] = pyStr(v)
			}
		}
		geo := s["refinebio_source_database"] == "GEO"
		for _, a := range s["refinebio_annotations"].([]any) {
			rec := a.(map[string]any)
			for k, v := range rec {
				switch {
				case !geo && k == "characteristic":
					for _, p := range v.([]any) {
						pd := p.(map[string]any)
						col := "characteristic_" + pd["category"].(string)
						annCols[col] = true
						setOnce(row, col, pyStr(pd["value"]))
					}
				case !geo && k == "variable":
					// the smasher names these columns characteristic_<name>
					// in the header but writes variable_<name> in the rows,
					// so their values never reach the file
					for _, p := range v.([]any) {
						annCols["characteristic_"+p.(map[string]any)["name"].(string)] = true
					}
				case !geo && k == "source":
				case geo && k == "characteristics_ch1":
					for _, p := range v.([]any) {
						key, val, ok := strings.Cut(p.(string), ":")
						if ok {
							annCols["characteristics_ch1_"+key] = true
							setOnce(row, "characteristics_ch1_"+key, strings.TrimSpace(val))
						}
					}
				default:
					annCols[k] = true
					if d, ok := v.(map[string]any); ok && len(d) == 1 && d["name"] != nil {
						setOnce(row, k, pyStr(d["name"]))
					} else if l, ok := v.([]any); ok && len(l) == 1 {
						setOnce(row, k, pyStr(l[0]))
					} else {
						setOnce(row, k, pyStr(v))
					}
				}
			}
		}
		rows[acc] = row
	}
	delete(refCols, "refinebio_accession_code")
	header := append([]string{"refinebio_accession_code", "experiment_accession"}, sortedSet(refCols)...)
	header = append(header, sortedSet(annCols)...)
	var b bytes.Buffer
	writeRow(&b, header)
	for _, acc := range accs {
		cells := make([]string, len(header))
		for i, h := range header {
			cells[i] = rows[acc][h]
		}
		writeRow(&b, cells)
	}
	return b.Bytes()
}

func setOnce(row map[string]string, k, v string) {
	if _, ok := row[k]; !ok {
		row[k] = v
	}
}

func writeRow(b *bytes.Buffer, cells []string) {
	for i, c := range cells {
		if i > 0 {
			b.WriteByte('\t')
		}
		if strings.ContainsAny(c, "\t\"\r\n") {
			c = `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
		}
		b.WriteString(c)
	}
	b.WriteString("\r\n")
}

// pyStr formats a value as Python's csv writer would: str() of it.
func pyStr(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return pyRepr(v)
}

func pyRepr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		return "'" + strings.ReplaceAll(x, "'", `\'`) + "'"
	case map[string]any:
		var parts []string
		for _, k := range sortedKeys(x) {
			parts = append(parts, pyRepr(k)+": "+pyRepr(x[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case []any:
		var parts []string
		for _, e := range x {
			parts = append(parts, pyRepr(e))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return pyStr(v)
}

type matrix struct {
	genes []string
	cells map[string]map[string]string // gene → column name → cell text
}

func readMatrix(path string) matrix {
	f, err := os.Open(path)
	must(err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	sc.Scan()
	header := strings.Split(strings.TrimRight(sc.Text(), "\r"), "\t")
	m := matrix{cells: map[string]map[string]string{}}
	for sc.Scan() {
		cells := strings.Split(strings.TrimRight(sc.Text(), "\r"), "\t")
		row := map[string]string{}
		for i, c := range cells[1:] {
			row[header[i+1]] = c
		}
		m.genes = append(m.genes, cells[0])
		m.cells[cells[0]] = row
	}
	must(sc.Err())
	return m
}

func readSheet(path string) []map[string]string {
	lines := strings.Split(strings.TrimRight(string(read(path)), "\r\n"), "\n")
	header := strings.Split(strings.TrimRight(lines[0], "\r"), "\t")
	var rows []map[string]string
	for _, l := range lines[1:] {
		cells := strings.Split(strings.TrimRight(l, "\r"), "\t")
		row := map[string]string{}
		for i, c := range cells {
			row[header[i]] = c
		}
		rows = append(rows, row)
	}
	return rows
}

func jsonBytes(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	must(enc.Encode(v))
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func toAnyMap(m map[string]map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func sortedSet(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedKeys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func read(p string) []byte {
	b, err := os.ReadFile(p)
	must(err)
	return b
}

func write(name string, b []byte) {
	must(os.WriteFile(filepath.Join(out, name), b, 0o644))
	fmt.Println("wrote", filepath.Join(out, name))
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
