package synth

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/genexp/genexp/illness"
)

// Spec describes a synthetic download.
type Spec struct {
	// Genes is the number of gene rows of every matrix. Samples is the
	// total number of samples, split as evenly as possible over Studies
	// (one matrix each). All three must be positive, and Samples ≥ Studies.
	Genes, Samples, Studies int
	// MissingShare is the probability that a cell is missing, in [0, 1).
	MissingShare float64
	// MissingToken is how a missing cell is written. Default "NA".
	MissingToken string
	// Seed selects everything random: the same Spec writes the same bytes.
	Seed uint64
	// Technology is Microarray (default), RNASeq, or Mixed (even-numbered
	// studies microarray, odd ones RNA-seq).
	Technology Technology
	// Organism is the refine.bio organism of every sample. Default
	// HOMO_SAPIENS.
	Organism string
	// Legacy writes the 2018 layout: metadata.json (no QC keys, members
	// listed by title), <ACC>_metadata.tsv with CRLF line endings, and
	// matrices whose header has an empty first cell and sample titles as
	// column names.
	Legacy bool
	// SheetsOnly leaves out the JSON metadata, as users do who keep only
	// the matrices and their sample sheets.
	SheetsOnly bool
	// Zip writes the download as one zip file, as refine.bio delivers it,
	// instead of a folder.
	Zip bool
	// Species writes the download refine.bio's SPECIES aggregation makes:
	// one matrix <ORGANISM>/<ORGANISM>.tsv holding the samples of every
	// study, their columns interleaved (first sample of each study, then
	// the second of each, …), beside metadata_<ORGANISM>.tsv (every
	// sample, with its experiment_accession) and metadata_<ORGANISM>.json;
	// aggregated_metadata.json says aggregate_by SPECIES and lists each
	// experiment's samples, which is how a loader tells the studies apart.
	// Not with Legacy or Mixed: the layout is a current one, and one
	// matrix holds one technology's values.
	Species bool
}

// Manifest describes a written download.
type Manifest struct {
	// Path is what to open: the download folder, or the zip file.
	Path string
	// Spec is the Spec written, with its defaults filled in.
	Spec Spec
	// Studies are the download's studies, in accession order.
	Studies []Study
	// Genes is the number of genes of each matrix; Samples the number of
	// samples of the download.
	Genes, Samples int
	// Cells is Genes × Samples; Missing is how many cells were written as
	// missing. A load that skips missing cells writes Cells − Missing facts.
	Cells, Missing int64
}

// Study describes one study of a download: one matrix, or its columns of
// the shared matrix of a Species download.
type Study struct {
	Accession  string
	Title      string
	Technology Technology
	// Style says where the study's samples carry their illness: "disease
	// state", "health status", "title" or "study group".
	Style string
	// Matrix and Sheet are the study's files, relative to the download's
	// root, slash-separated; in a Species download every study names the
	// same two.
	Matrix, Sheet string
	Genes         int
	Samples       []Sample
	// Cells and Missing count the study's own cells; Bytes and SHA256
	// describe the matrix file (in a Species download, the shared one).
	Cells, Missing, Bytes int64
	SHA256                string
}

// Sample describes one sample.
type Sample struct {
	Accession string
	Title     string
	Study     string
	// Column is the sample's matrix column name: its accession, or its
	// title in the legacy layout.
	Column string
	// Label is the cohort the sample was generated in.
	Label illness.Label
}

// Write writes the download spec describes into dir, which must be empty
// or not exist yet (files left from another download would join this one),
// and returns its manifest. With spec.Zip the download is the file
// dir/download.zip; otherwise dir itself is the download.
func Write(dir string, spec Spec) (*Manifest, error) {
	return WriteContext(context.Background(), dir, spec)
}

// WriteContext is Write that stops before its next file once ctx is done,
// and returns ctx's error; the files written so far stay, for the caller
// to remove.
func WriteContext(ctx context.Context, dir string, spec Spec) (*Manifest, error) {
	if err := spec.fill(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) > 0 {
		return nil, errors.Join(fmt.Errorf("synth: %s is not an empty folder", dir), err)
	}
	m := plan(spec)
	var out sink
	if spec.Zip {
		m.Path = filepath.Join(dir, "download.zip")
		z, err := newZipSink(m.Path)
		if err != nil {
			return nil, err
		}
		out = z
	} else {
		m.Path = dir
		out = dirSink(dir)
	}
	err := writeAll(ctxSink{out, ctx}, m)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

func (s *Spec) fill() error {
	switch {
	case s.Genes <= 0 || s.Samples <= 0 || s.Studies <= 0:
		return fmt.Errorf("synth: Genes, Samples and Studies must be positive (got %d, %d, %d)", s.Genes, s.Samples, s.Studies)
	case s.Samples < s.Studies:
		return fmt.Errorf("synth: %d samples cannot fill %d studies", s.Samples, s.Studies)
	case !(s.MissingShare >= 0 && s.MissingShare < 1):
		return fmt.Errorf("synth: MissingShare must be in [0, 1), not %v", s.MissingShare)
	case s.Species && s.Legacy:
		return errors.New("synth: a Species download has the current layout, not the Legacy one")
	case s.Species && s.Technology == Mixed:
		return errors.New("synth: a Species download's one matrix is microarray or RNA-seq, not mixed")
	}
	if s.Technology == "" {
		s.Technology = Microarray
	}
	if s.Technology != Microarray && s.Technology != RNASeq && s.Technology != Mixed {
		return fmt.Errorf("synth: unknown technology %q", s.Technology)
	}
	if s.Organism == "" {
		s.Organism = "HOMO_SAPIENS"
	}
	if s.MissingToken == "" {
		s.MissingToken = "NA"
	}
	if strings.ContainsAny(s.MissingToken, "\t\r\n") {
		return errors.New("synth: MissingToken holds a tab or line break")
	}
	return nil
}

// plan decides every study's accession, samples and labels. It holds
// O(samples) memory; matrices are generated later, row by row.
func plan(spec Spec) *Manifest {
	m := &Manifest{Spec: spec, Genes: spec.Genes, Samples: spec.Samples}
	rng := rand.New(rand.NewPCG(spec.Seed, 1))
	gse := 100000 + mix(spec.Seed)%700000
	srp := 100000 + mix(spec.Seed^1)%800000
	gsm := 1000000 + mix(spec.Seed^2)%8000000
	srr := 1000000 + mix(spec.Seed^3)%8000000
	counters := make([]int, len(styles))
	next := 0
	for k := range spec.Studies {
		tech := spec.Technology
		if tech == Mixed {
			tech = []Technology{Microarray, RNASeq}[k%2]
		}
		n := spec.Samples / spec.Studies
		if k < spec.Samples%spec.Studies {
			n++
		}
		style := k % len(styles)
		st := Study{Technology: tech, Style: styles[style].name, Genes: spec.Genes}
		if tech == RNASeq {
			st.Accession = fmt.Sprintf("SRP%06d", srp+uint64(k))
		} else {
			st.Accession = fmt.Sprintf("GSE%d", gse+uint64(k))
		}
		st.Title = fmt.Sprintf(styles[style].title, k+1)
		for _, l := range cohortLabels(n, rng) {
			counters[style]++
			s := Sample{Study: st.Accession, Label: l}
			if tech == RNASeq {
				s.Accession = fmt.Sprintf("SRR%07d", srr+uint64(next))
			} else {
				s.Accession = fmt.Sprintf("GSM%d", gsm+uint64(next))
			}
			next++
			s.Title = styles[style].sample(l, counters[style]).title
			s.Column = s.Accession
			if spec.Legacy {
				s.Column = s.Title
			}
			st.Samples = append(st.Samples, s)
		}
		dir := st.Accession
		st.Matrix = dir + "/" + st.Accession + ".tsv"
		st.Sheet = dir + "/metadata_" + st.Accession + ".tsv"
		if spec.Legacy {
			st.Sheet = dir + "/" + st.Accession + "_metadata.tsv"
		}
		if spec.Species {
			st.Matrix = spec.Organism + "/" + spec.Organism + ".tsv"
			st.Sheet = spec.Organism + "/metadata_" + spec.Organism + ".tsv"
		}
		m.Studies = append(m.Studies, st)
	}
	sort.Slice(m.Studies, func(i, j int) bool { return m.Studies[i].Accession < m.Studies[j].Accession })
	return m
}

func writeAll(out sink, m *Manifest) error {
	if err := out.file("README.md", func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "# Synthetic refine.bio download\n\nWritten by genexp's synth package (seed %d): %d genes × %d samples in %d studies. The values are random, not measurements.\n",
			m.Spec.Seed, m.Genes, m.Samples, len(m.Studies))
		return err
	}); err != nil {
		return err
	}
	if err := out.file("LICENSE.TXT", func(w io.Writer) error {
		_, err := io.WriteString(w, "Synthetic data, generated at random; no rights reserved.\n")
		return err
	}); err != nil {
		return err
	}
	if !m.Spec.SheetsOnly {
		name := "aggregated_metadata.json"
		if m.Spec.Legacy {
			name = "metadata.json"
		}
		if err := out.file(name, func(w io.Writer) error { return writeJSON(w, m) }); err != nil {
			return err
		}
	}
	if m.Spec.Species {
		return writeSpecies(out, m)
	}
	for i := range m.Studies {
		st := &m.Studies[i]
		if err := out.file(st.Sheet, func(w io.Writer) error { return writeSheet(w, m.Spec, studyRows(st)) }); err != nil {
			return err
		}
		if err := out.file(st.Matrix, func(w io.Writer) error { return writeMatrix(w, m.Spec, i, st) }); err != nil {
			return err
		}
		m.Cells += st.Cells
		m.Missing += st.Missing
	}
	return nil
}

// writeSpecies writes the one matrix, sample sheet and sample list of a
// Species download, and fills in each study's share of the matrix.
func writeSpecies(out sink, m *Manifest) error {
	org := m.Spec.Organism
	rows := interleaved(m.Studies)
	if !m.Spec.SheetsOnly {
		if err := out.file(org+"/metadata_"+org+".json", func(w io.Writer) error { return writeSampleList(w, m.Spec, rows) }); err != nil {
			return err
		}
	}
	if err := out.file(m.Studies[0].Sheet, func(w io.Writer) error { return writeSheet(w, m.Spec, rows) }); err != nil {
		return err
	}
	ms := MatrixSpec{
		Genes: m.Genes, Samples: len(rows), Technology: m.Spec.Technology, Organism: org,
		MissingShare: m.Spec.MissingShare, MissingToken: m.Spec.MissingToken, Seed: m.Spec.Seed, Stream: 1,
	}
	for _, r := range rows {
		s := r.st.Samples[r.i]
		ms.Names = append(ms.Names, s.Column)
		ms.Affected = append(ms.Affected, septic(s.Label))
	}
	src, err := NewMatrix(ms)
	if err != nil {
		return err
	}
	if err := out.file(m.Studies[0].Matrix, func(w io.Writer) error { _, err := src.WriteTo(w); return err }); err != nil {
		return err
	}
	stats := src.Stats()
	m.Cells, m.Missing = stats.Cells, stats.Missing
	for c, r := range rows {
		r.st.Missing += stats.ColumnMissing[c]
	}
	for i := range m.Studies {
		st := &m.Studies[i]
		st.Cells = int64(st.Genes) * int64(len(st.Samples))
		st.Bytes, st.SHA256 = stats.Bytes, stats.SHA256
	}
	return nil
}

// sheetRow is one sample of a sample sheet: sample i of study st.
type sheetRow struct {
	st *Study
	i  int
}

func studyRows(st *Study) []sheetRow {
	rows := make([]sheetRow, len(st.Samples))
	for i := range rows {
		rows[i] = sheetRow{st, i}
	}
	return rows
}

// interleaved orders the samples of all studies as a Species matrix holds
// them: a loader must not count on a study's columns being adjacent.
func interleaved(studies []Study) []sheetRow {
	var rows []sheetRow
	for i := 0; ; i++ {
		added := false
		for k := range studies {
			if i < len(studies[k].Samples) {
				rows = append(rows, sheetRow{&studies[k], i})
				added = true
			}
		}
		if !added {
			return rows
		}
	}
}

func writeMatrix(w io.Writer, spec Spec, index int, st *Study) error {
	ms := MatrixSpec{
		Genes: spec.Genes, Samples: len(st.Samples), Technology: st.Technology, Organism: spec.Organism,
		MissingShare: spec.MissingShare, MissingToken: spec.MissingToken, LegacyHeader: spec.Legacy,
		Seed: spec.Seed, Stream: uint64(index) + 1,
	}
	for _, s := range st.Samples {
		ms.Names = append(ms.Names, s.Column)
		ms.Affected = append(ms.Affected, septic(s.Label))
	}
	src, err := NewMatrix(ms)
	if err != nil {
		return err
	}
	if _, err := src.WriteTo(w); err != nil {
		return err
	}
	stats := src.Stats()
	st.Cells, st.Missing, st.Bytes, st.SHA256 = stats.Cells, stats.Missing, stats.Bytes, stats.SHA256
	return nil
}

// sampleMeta is everything the metadata files say about one sample.
type sampleMeta struct {
	fields      map[string]string // refinebio_* fields
	annotations map[string]string // flattened submitter fields for the sheet
	record      map[string][]string
}

// platforms are refine.bio's pretty platform names, by technology and
// organism.
var platforms = map[Technology]map[string]string{
	Microarray: {
		"HOMO_SAPIENS": "Affymetrix Human Genome U133 Plus 2.0 Array (hgu133plus2)",
		"MUS_MUSCULUS": "Affymetrix Mouse Genome 430 2.0 Array (mouse4302)",
		"":             "Illumina HumanHT-12 V4.0 expression beadchip (illuminaHumanv4)",
	},
	RNASeq: {"": "Illumina HiSeq 2500 (IlluminaHiSeq2500)"},
}

func platformOf(t Technology, organism string) string {
	if p, ok := platforms[t][organism]; ok {
		return p
	}
	return platforms[t][""]
}

func describe(spec Spec, st *Study, i int) sampleMeta {
	s := st.Samples[i]
	// Per-sample randomness comes from the accession's position, so a
	// sample's description does not depend on how many others there are.
	rng := rand.New(rand.NewPCG(spec.Seed, mix(uint64(hashString(s.Accession)))))
	style := styleNamed(st.Style)
	text := style.sample(s.Label, 0)
	text.title = s.Title
	sex, age := sexOf(rng), ageOf(rng)
	chars := append([]string(nil), text.characteristics...)
	chars = append(chars, "gender: "+sex, "age: "+age)
	db, url := "GEO", "https://www.ncbi.nlm.nih.gov/geo/query/acc.cgi?acc="+s.Accession
	if st.Technology == RNASeq {
		db, url = "SRA", "https://www.ebi.ac.uk/ena/browser/api/xml/"+s.Accession
	}
	fields := map[string]string{
		"accession_code": s.Accession, "title": s.Title, "organism": spec.Organism,
		"platform": platformOf(st.Technology, spec.Organism), "source_database": db,
		"source_archive_url": url, "sex": sex, "age": age, "specimen_part": text.source,
		"disease": text.disease, "subject": "", "cell_line": "", "compound": "", "disease_stage": "",
		"genetic_information": "", "race": "", "time": "", "treatment": "",
	}
	if !spec.Legacy {
		fields["developmental_stage"] = ""
		if st.Technology == RNASeq {
			fields["processor_name"], fields["processor_version"], fields["processor_id"] = "Salmon Quant", "v1.40.4", "12"
		} else {
			fields["processor_name"], fields["processor_version"], fields["processor_id"] = "Affymetrix SCAN", "v1.40.4", "6"
		}
	}
	record := map[string][]string{
		"characteristics_ch1": chars,
		"source_name_ch1":     {text.source},
		"title":               {s.Title},
		"geo_accession":       {s.Accession},
		"organism_ch1":        {organismName(spec.Organism)},
		"molecule_ch1":        {"total RNA"},
	}
	ann := map[string]string{
		"source_name_ch1": text.source, "title": s.Title, "geo_accession": s.Accession,
		"organism_ch1": organismName(spec.Organism), "molecule_ch1": "total RNA",
	}
	for _, c := range chars {
		k, v, _ := strings.Cut(c, ": ")
		ann[k] = v
	}
	return sampleMeta{fields: fields, annotations: ann, record: record}
}

func styleNamed(name string) cohortStyle {
	for _, s := range styles {
		if s.name == name {
			return s
		}
	}
	return styles[0]
}

func hashString(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h
}

func organismName(o string) string {
	words := strings.Fields(strings.ToLower(strings.ReplaceAll(o, "_", " ")))
	if len(words) > 0 {
		words[0] = strings.ToUpper(words[0][:1]) + words[0][1:]
	}
	return strings.Join(words, " ")
}

// created is the download's fixed creation time, derived from the seed.
func created(seed uint64) time.Time {
	return time.Date(2024, 1, 1, 9, 30, 0, 0, time.UTC).Add(time.Duration(mix(seed)%365) * 24 * time.Hour)
}

func writeJSON(w io.Writer, m *Manifest) error {
	spec := m.Spec
	aggregate := "EXPERIMENT"
	if spec.Species {
		aggregate = "SPECIES"
	}
	top := map[string]any{
		"aggregate_by":    aggregate,
		"scale_by":        "NONE",
		"created_at":      created(spec.Seed).Format("2006-01-02T15:04:05"),
		"num_experiments": len(m.Studies),
		"num_samples":     m.Samples,
	}
	if spec.Legacy {
		files := []string{"README.md", "LICENSE.TXT"}
		for _, st := range m.Studies {
			files = append(files, st.Accession)
		}
		top["files"], top["non_aggregated_files"] = files, []string{}
	} else {
		top["quantile_normalized"] = true
		top["quant_sf_only"] = false
		top["ks_statistic"] = 0.0123
		top["ks_pvalue"] = 0.871
		top["ks_warning"] = nil
	}
	experiments := map[string]any{}
	samples := map[string]any{}
	for i := range m.Studies {
		st := &m.Studies[i]
		var accs, titles []string
		for j, s := range st.Samples {
			accs = append(accs, s.Accession)
			titles = append(titles, s.Title)
			samples[s.Accession] = sampleObject(spec, st, j)
		}
		first := created(spec.Seed).AddDate(-3, 0, -10*i)
		exp := map[string]any{
			"accession_code":         st.Accession,
			"title":                  st.Title,
			"description":            "Synthetic " + strings.ToLower(string(st.Technology)) + " cohort generated for testing; its labels follow real GEO sepsis studies, its values are random.",
			"technology":             string(st.Technology),
			"organisms":              []string{spec.Organism},
			"protocol_description":   "",
			"submitter_institution":  "genexp synthetic data",
			"has_publication":        false,
			"publication_title":      "",
			"publication_doi":        "",
			"pubmed_id":              "",
			"source_first_published": first.Format("2006-01-02T15:04:05"),
			"source_last_modified":   first.AddDate(0, 6, 0).Format("2006-01-02T15:04:05"),
		}
		if spec.Legacy {
			exp["sample_titles"] = titles
		} else {
			exp["sample_accession_codes"] = accs
		}
		experiments[st.Accession] = exp
	}
	top["experiments"], top["samples"] = experiments, samples
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	return enc.Encode(top)
}

// sampleObject is sample i of st as the JSON metadata describes it.
func sampleObject(spec Spec, st *Study, i int) map[string]any {
	meta := describe(spec, st, i)
	obj := map[string]any{"refinebio_annotations": []any{meta.record}}
	if !spec.Legacy {
		obj["refinebio_processed"] = true
	}
	for k, v := range meta.fields {
		obj["refinebio_"+k] = v
	}
	return obj
}

// writeSampleList writes a Species download's metadata_<ORGANISM>.json:
// the organism and its samples, in matrix order.
func writeSampleList(w io.Writer, spec Spec, rows []sheetRow) error {
	samples := make([]any, len(rows))
	for k, r := range rows {
		samples[k] = sampleObject(spec, r.st, r.i)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	return enc.Encode(map[string]any{"species": spec.Organism, "samples": samples})
}

// sheetFields are the refine.bio columns of a sample sheet, in the order
// refine.bio writes them after the accession.
var sheetFields = []string{
	"age", "cell_line", "compound", "developmental_stage", "disease", "disease_stage",
	"genetic_information", "organism", "platform", "processed", "processor_id", "processor_name",
	"processor_version", "race", "sex", "source_archive_url", "source_database", "specimen_part",
	"subject", "time", "title", "treatment",
}

func writeSheet(w io.Writer, spec Spec, samples []sheetRow) error {
	metas := make([]sampleMeta, len(samples))
	annKeys := map[string]bool{}
	for i, r := range samples {
		metas[i] = describe(spec, r.st, r.i)
		for k := range metas[i].annotations {
			annKeys[k] = true
		}
	}
	header := []string{"refinebio_accession_code"}
	if !spec.Legacy {
		header = append(header, "experiment_accession")
	}
	var fields []string
	for _, f := range sheetFields {
		_, known := metas[0].fields[f]
		if known || (f == "processed" && !spec.Legacy) {
			fields = append(fields, f)
			header = append(header, "refinebio_"+f)
		}
	}
	keys := make([]string, 0, len(annKeys))
	for k := range annKeys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	header = append(header, keys...)
	eol := "\n"
	if spec.Legacy {
		eol = "\r\n"
	}
	bw := bufio.NewWriter(w)
	bw.WriteString(strings.Join(header, "\t") + eol)
	row := make([]string, 0, len(header))
	for i, r := range samples {
		row = append(row[:0], r.st.Samples[r.i].Accession)
		if !spec.Legacy {
			row = append(row, r.st.Accession)
		}
		for _, f := range fields {
			if f == "processed" {
				row = append(row, "True")
				continue
			}
			row = append(row, metas[i].fields[f])
		}
		for _, k := range keys {
			row = append(row, metas[i].annotations[k])
		}
		bw.WriteString(strings.Join(row, "\t") + eol)
	}
	return bw.Flush()
}

// sink is where a download's files go: a folder or a zip.
type sink interface {
	file(name string, write func(io.Writer) error) error
	Close() error
}

// ctxSink is a sink that writes no further file once its context is done.
type ctxSink struct {
	sink
	ctx context.Context
}

func (c ctxSink) file(name string, write func(io.Writer) error) error {
	if err := c.ctx.Err(); err != nil {
		return fmt.Errorf("synth: stopped before %s: %w", name, err)
	}
	return c.sink.file(name, write)
}

type dirSink string

func (d dirSink) file(name string, write func(io.Writer) error) error {
	p := filepath.Join(string(d), filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	f, err := os.Create(p)
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	bw := bufio.NewWriterSize(f, 256<<10)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("synth: writing %s: %w", p, err)
	}
	return nil
}

func (dirSink) Close() error { return nil }

type zipSink struct {
	f  *os.File
	bw *bufio.Writer
	zw *zip.Writer
}

func newZipSink(p string) (*zipSink, error) {
	f, err := os.Create(p)
	if err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	bw := bufio.NewWriterSize(f, 256<<10)
	zw := zip.NewWriter(bw)
	// Level 1 keeps writing a large download quick; readers do not care.
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	return &zipSink{f: f, bw: bw, zw: zw}, nil
}

func (z *zipSink) file(name string, write func(io.Writer) error) error {
	w, err := z.zw.CreateHeader(&zip.FileHeader{Name: path.Clean(name), Method: zip.Deflate, Modified: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	if err := write(w); err != nil {
		return fmt.Errorf("synth: writing %s: %w", name, err)
	}
	return nil
}

func (z *zipSink) Close() error {
	err := z.zw.Close()
	if err == nil {
		err = z.bw.Flush()
	}
	return errors.Join(err, z.f.Close())
}
