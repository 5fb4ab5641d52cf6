package metadata_test

import (
	"errors"
	"math"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/qc"
)

const (
	currentJSON    = "../testdata/refinebio/synthetic/current/aggregated_metadata.json"
	json2018       = "../testdata/refinebio/E-GEOD-39842/metadata.json"
	jsonEarly2018  = "../testdata/refinebio/early-2018/metadata.json"
	speciesJSON    = "../testdata/refinebio/species/aggregated_metadata.json"
	speciesList    = "../testdata/refinebio/species/DANIO_RERIO/metadata_DANIO_RERIO.json"
	sheet2018      = "../testdata/refinebio/E-GEOD-39842/E-GEOD-39842/E-GEOD-39842_metadata.tsv"
	sheetGSE71270  = "../testdata/refinebio/GSE71270/GSE71270/metadata_GSE71270.tsv"
	sheetSRP110235 = "../testdata/refinebio/SRP110235/SRP110235/metadata_SRP110235.tsv"
	sheetEarly2018 = "../testdata/refinebio/early-2018/E-GEOD-39842_metadata.tsv"
	sheetSpecies   = "../testdata/refinebio/species/DANIO_RERIO/metadata_DANIO_RERIO.tsv"
)

func parseJSONFile(t *testing.T, path string) *metadata.Dataset {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := metadata.ParseJSON(f, path)
	if err != nil {
		t.Fatalf("ParseJSON(%s): %v", path, err)
	}
	return d
}

func parseJSON(t *testing.T, doc string) (*metadata.Dataset, error) {
	t.Helper()
	return metadata.ParseJSON(strings.NewReader(doc), "test.json")
}

func sample(t *testing.T, d *metadata.Dataset, acc string) *metadata.Sample {
	t.Helper()
	s := d.Sample(acc)
	if s == nil {
		t.Fatalf("no sample %s among %d", acc, len(d.Samples))
	}
	return s
}

func study(t *testing.T, d *metadata.Dataset, acc string) *metadata.Study {
	t.Helper()
	st := d.Study(acc)
	if st == nil {
		t.Fatalf("no study %s", acc)
	}
	return st
}

func utc(s string) metadata.Optional[time.Time] {
	t, err := time.Parse("2006-01-02T15:04:05", s)
	if err != nil {
		panic(err)
	}
	return metadata.Some(t)
}

func hasAnn(list []metadata.Annotation, a metadata.Annotation) bool {
	return slices.Contains(list, a)
}

func accessions(ss []*metadata.Sample) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Accession)
	}
	return out
}

func TestParseJSONCurrent(t *testing.T) {
	d := parseJSONFile(t, currentJSON)
	if d.AggregateBy != "EXPERIMENT" || d.ScaleBy != "NONE" {
		t.Errorf("aggregate_by %q scale_by %q", d.AggregateBy, d.ScaleBy)
	}
	if d.QuantileNormalized != metadata.Some(true) || d.QuantSFOnly != metadata.Some(false) {
		t.Errorf("quantile_normalized %+v quant_sf_only %+v", d.QuantileNormalized, d.QuantSFOnly)
	}
	if d.KSStatistic != metadata.Some(0.0008) || d.KSPValue != metadata.Some(0.9731) || d.KSWarning != "" {
		t.Errorf("ks %+v %+v %q", d.KSStatistic, d.KSPValue, d.KSWarning)
	}
	if d.CreatedAt != utc("2024-03-05T14:22:31") {
		t.Errorf("created_at %+v", d.CreatedAt)
	}
	if len(d.Sources) != 1 || d.Sources[0] != currentJSON {
		t.Errorf("sources %v", d.Sources)
	}
	wantSamples := []string{"E-MTAB-1234-Healthy_2", "E-MTAB-1234-Patient_7", "GSM9000001", "GSM9000002", "GSM9000003", "SRR9000005", "SRR9000006"}
	if got := accessions(d.Samples); !slices.Equal(got, wantSamples) {
		t.Fatalf("samples %v, want %v", got, wantSamples)
	}

	geo := study(t, d, "GSE999901")
	wantGEO := metadata.Study{
		Accession: "GSE999901", Title: "Whole blood transcriptome of septic shock, post-surgical and healthy subjects",
		Description: "Synthetic study for tests.", Technology: "MICROARRAY", Organisms: []string{"HOMO_SAPIENS"},
		SampleAccessions: []string{"GSM9000001", "GSM9000002", "GSM9000003"}, HasPublication: metadata.Some(true),
		PublicationTitle: "A synthetic sepsis cohort", PublicationDOI: "10.0000/synthetic.1", PubmedID: "99999901",
		SubmitterInstitution: "Test Institute", FirstPublished: utc("2015-07-23T00:00:00"), LastModified: utc("2019-05-02T11:12:13"),
	}
	if !reflect.DeepEqual(*geo, wantGEO) {
		t.Errorf("study GSE999901:\n got %+v\nwant %+v", *geo, wantGEO)
	}
	sra := study(t, d, "SRP999902")
	if sra.Technology != "RNA-SEQ" || sra.FirstPublished.Valid || sra.LastModified.Valid || sra.HasPublication != metadata.Some(false) {
		t.Errorf("study SRP999902: %+v", *sra)
	}
	if got := study(t, d, "E-MTAB-1234").SampleAccessions; !slices.Equal(got, []string{"E-MTAB-1234-Healthy_2", "E-MTAB-1234-Patient_7"}) {
		t.Errorf("E-MTAB-1234 members %v", got)
	}

	s1 := sample(t, d, "GSM9000001")
	want1 := metadata.Sample{
		Accession: "GSM9000001", Title: "Septic Shock_biological rep1", Organism: "HOMO_SAPIENS",
		Platform: "Affymetrix Human Genome U133 Plus 2.0 Array (hgu133plus2)", SourceDatabase: "GEO",
		SourceArchiveURL: "https://www.ncbi.nlm.nih.gov/geo/query/acc.cgi?acc=GSM9000001",
		Sex:              "female", Age: "54.0", SpecimenPart: "whole blood", Disease: "septic shock patient",
		Processed: metadata.Some(true), ProcessorID: "41", ProcessorName: "Affymetrix SCAN", ProcessorVersion: "v1.26.1",
		Experiments: []string{"GSE999901"},
	}
	got1 := *s1
	got1.Annotations = nil
	if !reflect.DeepEqual(got1, want1) {
		t.Errorf("GSM9000001:\n got %+v\nwant %+v", got1, want1)
	}
	for _, a := range []metadata.Annotation{
		{Key: "disease state", Value: "septic shock patient", Characteristic: true},
		{Key: "tissue", Value: "whole blood", Characteristic: true},
		{Key: "time", Value: "10:30", Characteristic: true},
		{Value: "Septic shock", Characteristic: true},
		{Key: "source_name_ch1", Value: "Whole blood_Septic Shock"},
		{Key: "title", Value: "Septic Shock_biological rep1"},
		{Key: "description", Value: "Day 1 sample"},
		{Key: "description", Value: "ICU admission"},
		{Key: "platform_id", Value: "GPL570"},
	} {
		if !hasAnn(s1.Annotations, a) {
			t.Errorf("GSM9000001 lacks annotation %+v; has %+v", a, s1.Annotations)
		}
	}
	for _, a := range s1.Annotations {
		if a.Value == "" || a.Key == "geo_columns" || a.Key == "cell type" {
			t.Errorf("GSM9000001 keeps an empty or non-metadata annotation %+v", a)
		}
	}

	s2 := sample(t, d, "GSM9000002")
	if s2.Disease != "" || s2.Sex != "" || s2.Processed != metadata.Some(false) || s2.ProcessorName != "" || s2.ProcessorID != "" {
		t.Errorf("GSM9000002 (null disease and sex, no processor keys): %+v", *s2)
	}
	if !hasAnn(s2.Annotations, metadata.Annotation{Key: "health status", Value: "POST_SURGICAL", Characteristic: true}) {
		t.Errorf("GSM9000002 annotations %+v", s2.Annotations)
	}
	if s3 := sample(t, d, "GSM9000003"); s3.DevelopmentalStage != "" || s3.Subject != "healthy volunteer" {
		t.Errorf("GSM9000003: %+v", *s3)
	}

	ae := sample(t, d, "E-MTAB-1234-Patient_7")
	if ae.SourceDatabase != "ARRAY_EXPRESS" || ae.Disease != "sepsis" || !slices.Equal(ae.Experiments, []string{"E-MTAB-1234"}) {
		t.Errorf("E-MTAB-1234-Patient_7: %+v", *ae)
	}
	for _, a := range []metadata.Annotation{
		{Key: "organism", Value: "Homo sapiens", Characteristic: true},
		{Key: "disease", Value: "sepsis", Characteristic: true},
		{Key: "organism part", Value: "blood", Characteristic: true},
		{Key: "time", Value: "day 0", Characteristic: true},
		{Key: "Sample_source_name", Value: "blood, sepsis day 0"},
		{Key: "Sample_description", Value: "community-acquired pneumonia with sepsis"},
		{Key: "Sample_title", Value: "Patient 7 day 0 (sepsis)"},
		{Key: "assay", Value: "Patient_7"},
		{Key: "extract", Value: "Patient_7 extract"},
	} {
		if !hasAnn(ae.Annotations, a) {
			t.Errorf("E-MTAB-1234-Patient_7 lacks %+v; has %+v", a, ae.Annotations)
		}
	}
	for _, a := range ae.Annotations {
		if a.Key == "individual" {
			t.Errorf("a null characteristic value became %+v", a)
		}
	}
	healthy := sample(t, d, "E-MTAB-1234-Healthy_2")
	for _, a := range []metadata.Annotation{
		{Key: "disease", Value: "normal", Characteristic: true},
		{Key: "Sample_source_name", Value: "blood, healthy donor"}, // a single comment object, not a list
	} {
		if !hasAnn(healthy.Annotations, a) {
			t.Errorf("E-MTAB-1234-Healthy_2 lacks %+v; has %+v", a, healthy.Annotations)
		}
	}

	if s := sample(t, d, "SRR9000005"); len(s.Annotations) != 0 || s.ProcessorName != "Salmon Quant" {
		t.Errorf("SRR9000005: %+v", *s)
	}
	sraRec := sample(t, d, "SRR9000006")
	for _, a := range []metadata.Annotation{
		{Key: "library_layout", Value: "PAIRED"},
		// BioSample attributes, "sample_" and the attribute, are the
		// sample's characteristics under the attribute's name
		{Key: "disease_state", Value: "healthy control", Characteristic: true},
		{Key: "source_name", Value: "peripheral blood", Characteristic: true},
		// the archive's own fields of the sample are not: its title is
		// one of the sample's titles
		{Key: "sample_title", Value: "Control_rep1 (healthy)"},
		{Key: "spot_length", Value: "202"},
	} {
		if !hasAnn(sraRec.Annotations, a) {
			t.Errorf("SRR9000006 lacks %+v; has %+v", a, sraRec.Annotations)
		}
	}
	if got := sraRec.Values(metadata.FieldTitle); !slices.Equal(got, []string{"Control_rep1", "Control_rep1 (healthy)"}) {
		t.Errorf("SRR9000006 titles %q", got)
	}
}

func TestParseJSON2018SamplesKeyedByTitle(t *testing.T) {
	d := parseJSONFile(t, json2018)
	if d.AggregateBy != "EXPERIMENT" || d.ScaleBy != "NONE" || d.CreatedAt != utc("2018-09-24T16:39:20") {
		t.Errorf("dataset: %q %q %+v", d.AggregateBy, d.ScaleBy, d.CreatedAt)
	}
	if d.QuantileNormalized.Valid || d.QuantSFOnly.Valid || d.KSStatistic.Valid || d.KSPValue.Valid || d.KSWarning != "" {
		t.Errorf("a 2018 download has no QC fields, got %+v %+v %+v %+v %q", d.QuantileNormalized, d.QuantSFOnly, d.KSStatistic, d.KSPValue, d.KSWarning)
	}
	if len(d.Samples) != 12 || len(d.Studies) != 1 {
		t.Fatalf("%d samples, %d studies", len(d.Samples), len(d.Studies))
	}
	st := d.Studies[0]
	if st.Accession != "E-GEOD-39842" || st.PubmedID != "23151342" || st.HasPublication != metadata.Some(true) ||
		st.Technology != "MICROARRAY" || st.FirstPublished.Valid || st.LastModified.Valid {
		t.Errorf("study: %+v", *st)
	}
	// The experiment lists its members by title; they must come out as
	// accessions, all twelve.
	if !slices.Equal(st.SampleAccessions, accessions(d.Samples)) {
		t.Errorf("members %v, want every sample %v", st.SampleAccessions, accessions(d.Samples))
	}
	for _, s := range d.Samples {
		if !strings.HasPrefix(s.Accession, "E-GEOD-39842-GSM") {
			t.Errorf("sample keyed %q instead of its accession", s.Accession)
		}
		if !slices.Equal(s.Experiments, []string{"E-GEOD-39842"}) {
			t.Errorf("%s experiments %v", s.Accession, s.Experiments)
		}
		if s.Processed.Valid || s.DevelopmentalStage != "" || s.ProcessorName != "" {
			t.Errorf("%s has fields 2018 downloads lack: %+v", s.Accession, *s)
		}
	}
	s := sample(t, d, "E-GEOD-39842-GSM980279")
	if s.Title != "7 days post-amputation dnHIF1a-expressing adult zebrafish, sample 1" || s.Treatment != "amputation" ||
		s.SpecimenPart != "heart" || s.SourceDatabase != "ARRAY_EXPRESS" || s.Organism != "DANIO_RERIO" {
		t.Errorf("GSM980279: %+v", *s)
	}
	if got := d.SamplesTitled("7 days post-amputation dnHIF1a-expressing adult zebrafish, sample 1"); len(got) != 1 || got[0] != s {
		t.Errorf("SamplesTitled: %v", accessions(got))
	}
	for _, a := range []metadata.Annotation{
		{Key: "genotype", Value: "Tg(cmlc2a:Ert2-Cre-Ert2/cmlc2a:LnL:GFP)(cmlc2a:LrL:dnHIF1a)", Characteristic: true},
		{Key: "time post-treatment", Value: "7 days", Characteristic: true},
		{Key: "TREATMENT", Value: "amputation", Characteristic: true},
		{Key: "Sample_source_name", Value: "7 days post-amputation dnHIF1a-expressing adult zebrafish"},
		{Key: "assay", Value: "GSM980279"},
	} {
		if !hasAnn(s.Annotations, a) {
			t.Errorf("GSM980279 lacks %+v", a)
		}
	}
}

func TestParseJSONEarly2018Unprefixed(t *testing.T) {
	d := parseJSONFile(t, jsonEarly2018)
	if len(d.Samples) != 12 || len(d.Studies) != 1 {
		t.Fatalf("%d samples, %d studies", len(d.Samples), len(d.Studies))
	}
	if !slices.Equal(d.Studies[0].SampleAccessions, accessions(d.Samples)) {
		t.Errorf("members %v", d.Studies[0].SampleAccessions)
	}
	s := sample(t, d, "E-GEOD-39842-GSM980279")
	if s.Title != "7 days post-amputation dnHIF1a-expressing adult zebrafish, sample 1" || s.Organism != "DANIO_RERIO" ||
		s.Platform != "Affymetrix Zebrafish Genome Array (zebrafish)" || s.SpecimenPart != "heart" || s.Treatment != "amputation" ||
		s.Subject != "7 days post-amputation dnhif1a-expressing adult zebrafish" || s.SourceDatabase != "" {
		t.Errorf("GSM980279: %+v", *s)
	}
	if !hasAnn(s.Annotations, metadata.Annotation{Key: "organism part", Value: "heart", Characteristic: true}) {
		t.Errorf("annotations from the unprefixed key: %+v", s.Annotations)
	}
	// early 2018 called genetic_information "genotype"
	doc := `{"samples": {"t1": {"accession_code": "A1", "genotype": "dnHIF1a", "sample_id": "t1", "title": "t1"}}}`
	ds, err := parseJSON(t, doc)
	if err != nil {
		t.Fatal(err)
	}
	if got := sample(t, ds, "A1"); got.GeneticInformation != "dnHIF1a" || got.Title != "t1" {
		t.Errorf("early sample: %+v", *got)
	}
}

func TestParseJSONSpeciesSampleList(t *testing.T) {
	d := parseJSONFile(t, speciesList)
	if len(d.Samples) != 22 || len(d.Studies) != 0 {
		t.Fatalf("%d samples, %d studies", len(d.Samples), len(d.Studies))
	}
	if s := sample(t, d, "GSM1831675"); s.Title != "Kidney marrow_CREB-zebrafish_1" ||
		!hasAnn(s.Annotations, metadata.Annotation{Key: "tissue", Value: "kidney marrow", Characteristic: true}) {
		t.Errorf("GSM1831675: %+v", *s)
	}
	agg := parseJSONFile(t, speciesJSON)
	if agg.AggregateBy != "SPECIES" || len(agg.Studies) != 2 || len(agg.Samples) != 22 {
		t.Fatalf("aggregated: %q, %d studies, %d samples", agg.AggregateBy, len(agg.Studies), len(agg.Samples))
	}
	if got := agg.StudySamples("GSE71270"); len(got) != 10 {
		t.Errorf("GSE71270 has %d samples", len(got))
	}

	_, err := parseJSON(t, `{"samples": [{"refinebio_title": "no accession"}]}`)
	assertJSONErr(t, err, qc.ParseError, "samples[0]")
}

// TestParseJSONUnknownIsOneThing checks that null, "" and a missing key all
// read as the same unknown value, for every kind of field.
func TestParseJSONUnknownIsOneThing(t *testing.T) {
	fields := []string{"refinebio_title", "refinebio_disease", "refinebio_sex", "refinebio_age", "refinebio_processed",
		"refinebio_processor_name", "refinebio_annotations", "refinebio_developmental_stage"}
	for _, f := range fields {
		t.Run(f, func(t *testing.T) {
			var got []metadata.Sample
			for _, v := range []string{`null`, `""`, ``} {
				field := ""
				if v != "" {
					field = `, "` + f + `": ` + v
				}
				if f == "refinebio_annotations" && v == `""` {
					v = `[]`
					field = `, "` + f + `": []`
				}
				d, err := parseJSON(t, `{"samples": {"S1": {"refinebio_accession_code": "S1"`+field+`}}}`)
				if err != nil {
					t.Fatalf("%s = %s: %v", f, v, err)
				}
				got = append(got, *sample(t, d, "S1"))
			}
			if !reflect.DeepEqual(got[0], got[1]) || !reflect.DeepEqual(got[0], got[2]) {
				t.Errorf("null, empty and missing differ:\n%+v\n%+v\n%+v", got[0], got[1], got[2])
			}
		})
	}
	for _, f := range []string{"ks_statistic", "ks_pvalue", "quantile_normalized", "quant_sf_only", "created_at", "ks_warning", "aggregate_by"} {
		var got []metadata.Dataset
		for _, v := range []string{`null`, `""`, ``} {
			doc := `{}`
			if v != "" {
				doc = `{"` + f + `": ` + v + `}`
			}
			d, err := parseJSON(t, doc)
			if err != nil {
				t.Fatalf("%s = %s: %v", f, v, err)
			}
			d.Sources = nil
			got = append(got, *d)
		}
		if !reflect.DeepEqual(got[0], got[1]) || !reflect.DeepEqual(got[0], got[2]) {
			t.Errorf("%s: null, empty and missing differ: %+v %+v %+v", f, got[0], got[1], got[2])
		}
	}
	for _, f := range []string{"source_first_published", "source_last_modified", "has_publication", "pubmed_id", "technology"} {
		var got []metadata.Study
		for _, v := range []string{`null`, `""`, ``} {
			field := ""
			if v != "" {
				field = `, "` + f + `": ` + v
			}
			d, err := parseJSON(t, `{"experiments": {"GSE1": {"accession_code": "GSE1"`+field+`}}}`)
			if err != nil {
				t.Fatalf("%s = %s: %v", f, v, err)
			}
			got = append(got, *study(t, d, "GSE1"))
		}
		if !reflect.DeepEqual(got[0], got[1]) || !reflect.DeepEqual(got[0], got[2]) {
			t.Errorf("%s: null, empty and missing differ: %+v %+v %+v", f, got[0], got[1], got[2])
		}
	}
}

func TestParseJSONPythonQuirks(t *testing.T) {
	doc := "\xef\xbb\xbf" + `{"ks_statistic": NaN, "ks_pvalue": Infinity, "samples": {"S1": {"refinebio_accession_code": "S1",
		"refinebio_title": "NaN mice, Infinity \"NaN\"", "refinebio_age": -Infinity}}}`
	d, err := parseJSON(t, doc)
	if err != nil {
		t.Fatal(err)
	}
	if d.KSStatistic.Valid || d.KSPValue.Valid {
		t.Errorf("NaN/Infinity should read as unknown: %+v %+v", d.KSStatistic, d.KSPValue)
	}
	s := sample(t, d, "S1")
	if s.Title != `NaN mice, Infinity "NaN"` || s.Age != "" {
		t.Errorf("strings must keep NaN; got title %q age %q", s.Title, s.Age)
	}
	d, err = parseJSON(t, `{"ks_statistic": "0.25", "ks_pvalue": "nan", "experiments": {"G": {"pubmed_id": 123456}}}`)
	if err != nil {
		t.Fatal(err)
	}
	if d.KSStatistic != metadata.Some(0.25) || d.KSPValue.Valid || study(t, d, "G").PubmedID != "123456" {
		t.Errorf("numbers as text: %+v %+v %q", d.KSStatistic, d.KSPValue, study(t, d, "G").PubmedID)
	}
	if math.IsNaN(d.KSStatistic.Val) {
		t.Error("NaN stored as a value")
	}
}

func assertJSONErr(t *testing.T, err error, code qc.Code, path string) *qc.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s at %s", code.Name(), path)
	}
	var e *qc.Error
	if !errors.As(err, &e) {
		t.Fatalf("%T %v is not a *qc.Error", err, err)
	}
	if !errors.Is(err, code) {
		t.Errorf("code %s, want %s: %v", e.Code.Name(), code.Name(), err)
	}
	if e.Path != path {
		t.Errorf("path %q, want %q: %v", e.Path, path, err)
	}
	if e.File != "test.json" || e.Severity != qc.SeverityError {
		t.Errorf("file %q severity %s: %v", e.File, e.Severity, err)
	}
	return e
}

func TestParseJSONErrors(t *testing.T) {
	cases := []struct {
		name, doc string
		code      qc.Code
		path      string
		line, col int64
		msg       string
	}{
		{"syntax: bare word", "{\n  \"samples\": {\n    \"S1\": x\n  }\n}", qc.ParseError, "", 3, 11, "malformed JSON"},
		{"syntax: trailing comma", "{\"a\": 1,\n}", qc.ParseError, "", 2, 1, "malformed JSON"},
		{"NUL padding after the document", "{\"a\": 1}\n\x00\x00\x00", qc.EncodingError, "", 2, 1, "NUL bytes (U+0000) follow the end of the document"},
		{"text after the document", "{\"a\": 1}\nx", qc.ParseError, "", 2, 1, "text after the end of the document"},
		{"truncated", "{\n  \"samples\": {\"S1\": {\"refinebio_title\": \"x\"", qc.ParseError, "", 2, 44, "truncated"},
		{"empty document", "", qc.ParseError, "", 1, 1, "truncated"},
		{"top level is a list", `[1, 2]`, qc.ParseError, "$", 0, 0, "found a list"},
		{"top level is null", `null`, qc.ParseError, "$", 0, 0, "expected an object"},
		{"processed is a word", `{"samples": {"GSM1": {"refinebio_accession_code": "GSM1", "refinebio_processed": "maybe"}}}`,
			qc.ParseError, "samples.GSM1.refinebio_processed", 1, 0, `expected a boolean, found "maybe"`},
		{"processed is a number", `{"samples": {"GSM1": {"refinebio_processed": 2}}}`,
			qc.ParseError, "samples.GSM1.refinebio_processed", 1, 0, "found the number 2"},
		{"title is an object", `{"samples": {"GSM1": {"refinebio_title": {"a": 1}}}}`,
			qc.ParseError, "samples.GSM1.refinebio_title", 1, 0, "expected a string, found an object"},
		{"early title is a list", `{"samples": {"GSM1": {"title": ["a"]}}}`,
			qc.ParseError, "samples.GSM1.title", 1, 0, "found a list"},
		{"no accession, keyed by title", `{"samples": {"wild type, sample 1": {"refinebio_accession_code": null, "refinebio_title": "wild type, sample 1"}}}`,
			qc.ParseError, "samples.wild type, sample 1", 1, 0, `has no refinebio_accession_code, and its key "wild type, sample 1" is a title, not an accession`},
		{"sample accession is a boolean", `{"samples": {"GSM1": {"refinebio_accession_code": true}}}`,
			qc.ParseError, "samples.GSM1.refinebio_accession_code", 1, 0, "expected a string (an accession), found a boolean (true)"},
		{"sample accession is a number", `{"samples": {"GSM1": {"refinebio_accession_code": 5}}}`,
			qc.ParseError, "samples.GSM1.refinebio_accession_code", 1, 0, "found the number 5"},
		{"experiment accession is a number", `{"experiments": {"GSE1": {"accession_code": 1}}}`,
			qc.ParseError, "experiments.GSE1.accession_code", 1, 0, "expected a string (an accession), found the number 1"},
		// an invisible character prints like the accession without it, which
		// then matched no matrix column: the sample went unloaded
		{"zero-width space in a sample accession", `{"samples": {"GSM2": {"refinebio_accession_code": "GS\u200bM2"}}}`,
			qc.EncodingError, "samples.GSM2.refinebio_accession_code", 1, 0, `accession "GS\u200bM2" holds the invisible character U+200B at character 3`},
		{"byte order mark in an experiment's sample list", `{"experiments": {"GSE1": {"sample_accession_codes": ["GSM1", null, "\ufeffGSM2"]}}}`,
			qc.EncodingError, "experiments.GSE1.sample_accession_codes[2]", 1, 0, "byte order mark (U+FEFF) at character 1"},
		{"invisible character in an experiment accession", `{"experiments": {"GSE1": {"accession_code": "GSE\u20601"}}}`,
			qc.EncodingError, "experiments.GSE1.accession_code", 1, 0, "U+2060"},
		{"invisible character in the key of an experiment without an accession", `{"experiments": {"GSE1\u200b": {"title": "t"}}}`,
			qc.EncodingError, "experiments", 1, 0, `the key "GSE1\u200b", taken as the accession, holds the invisible character U+200B`},
		{"invisible character in the key of a sample without an accession", `{"samples": {"S1\u200b": {"refinebio_title": "t"}}}`,
			qc.EncodingError, "samples", 1, 0, `the key "S1\u200b", taken as the accession, holds the invisible character U+200B`},
		{"samples is text", `{"samples": "none"}`, qc.ParseError, "samples", 0, 0, "expected an object keyed by accession"},
		{"sample is a list", `{"samples": {"GSM1": [1]}}`, qc.ParseError, "samples.GSM1", 1, 0, "expected an object"},
		{"member is a number", `{"experiments": {"GSE1": {"sample_accession_codes": ["GSM1", 7]}}}`,
			qc.ParseError, "experiments.GSE1.sample_accession_codes[1]", 1, 0, "expected a string"},
		// a sample or an experiment over many lines: the line of the member
		{"title on a later line of its sample", "{\"samples\": {\n  \"GSM1\": {\n    \"refinebio_accession_code\": \"GSM1\",\n" +
			"    \"refinebio_organism\": \"HOMO_SAPIENS\",\n    \"refinebio_title\": {\"a\": 1}\n  }\n}}",
			qc.ParseError, "samples.GSM1.refinebio_title", 5, 0, "expected a string, found an object"},
		{"member on a later line of its experiment", "{\n\"experiments\": {\n  \"GSE1\": {\"title\": \"t\"},\n  \"GSE2\": {\n" +
			"    \"sample_accession_codes\": [\n      \"GSM1\",\n      7\n    ]\n  }\n}}",
			qc.ParseError, "experiments.GSE2.sample_accession_codes[1]", 7, 0, "expected a string"},
		{"member is a number too large for a float64", `{"experiments": {"GSE1": {"sample_titles": ["a", 1e400]}}}`,
			qc.ParseError, "experiments.GSE1.sample_titles[1]", 1, 0, "expected a string, found the number 1e400"},
		{"accession is a number too large for a float64", `{"samples": {"GSM1": {"refinebio_accession_code": 1e400}}}`,
			qc.ParseError, "samples.GSM1.refinebio_accession_code", 1, 0, "expected a string (an accession), found the number 1e400"},
		{"organisms is text", `{"experiments": {"GSE1": {"organisms": "HOMO_SAPIENS"}}}`,
			qc.ParseError, "experiments.GSE1.organisms", 1, 0, "expected a list of strings"},
		{"quant_sf_only is a list", `{"quant_sf_only": []}`, qc.ParseError, "quant_sf_only", 0, 0, "expected a boolean, found a list"},
		{"annotations is text", `{"samples": {"GSM1": {"refinebio_annotations": "x"}}}`,
			qc.ParseError, "samples.GSM1.refinebio_annotations", 1, 0, "expected a list of annotation records"},
		{"annotation item is text", `{"samples": {"GSM1": {"refinebio_annotations": [{"a": ["b"]}, "x"]}}}`,
			qc.ParseError, "samples.GSM1.refinebio_annotations[1]", 1, 0, "annotation record"},
		{"NUL in a title", `{"samples": {"GSM1": {"refinebio_title": "ctl\u0000x"}}}`,
			qc.EncodingError, "samples.GSM1.refinebio_title", 1, 0, "NUL character (U+0000) at character 4"},
		{"NUL in a listed title", `{"experiments": {"GSE1": {"sample_titles": ["a", "b\u0000"]}}}`,
			qc.EncodingError, "experiments.GSE1.sample_titles[1]", 1, 0, "NUL character"},
		{"NUL in an annotation value", "{\"samples\": {\n  \"GSM1\": {\"refinebio_title\": \"a\"},\n  \"GSM2\": {\n    \"refinebio_annotations\": [{\"x\": \"y\"}, {\"tissue\": [\"blood\", \"li\\u0000ver\"]}]}}}",
			qc.EncodingError, "samples.GSM2.refinebio_annotations[1]", 4, 0, `annotation "tissue" holds a NUL character (U+0000) at character 3`},
		{"NUL in an annotation key", `{"samples": {"GSM1": {"refinebio_annotations": [{"characteristics_ch1": ["dis\u0000ease: x"]}]}}}`,
			qc.EncodingError, "samples.GSM1.refinebio_annotations[0]", 1, 0, "NUL character (U+0000) at character 4"},
		{"NUL in an accession, samples listed", "{\"samples\": [\n{\"refinebio_accession_code\": \"GSM1\"},\n\n  {\"refinebio_accession_code\": \"GSM\\u00002\"}]}",
			qc.EncodingError, "samples[1].refinebio_accession_code", 4, 0, "NUL character"},
		{"NUL in a sample key taken for its accession", "{\"samples\": {\n\"GSM1\": {},\n \"GSM\\u00002\": {\"refinebio_title\": \"t\"}}}",
			qc.EncodingError, "samples", 3, 0, `the key "GSM\x002" holds a NUL character (U+0000) at character 4`},
		{"NUL in a study key taken for its accession", `{"experiments": {"GSE\u00001": {"title": "t"}}}`,
			qc.EncodingError, "experiments", 1, 0, `the key "GSE\x001" holds a NUL character`},
		{"two keys, one accession", "{\"samples\": {\n\"a\": {\"refinebio_accession_code\": \"GSM1\"},\n\"b\": {\"refinebio_accession_code\": \"GSM1\"}}}",
			qc.DuplicateSamples, "samples.b", 3, 0, `two samples share the accession "GSM1": the one opening on line 2 and this one`},
		{"two keys, one accession once their blanks are trimmed", `{"samples": {"GSM1": {"refinebio_title": "a"}, "GSM1 ": {"refinebio_title": "b"}}}`,
			qc.DuplicateSamples, "samples.GSM1 ", 1, 0, `"GSM1"`},
		{"one sample key written twice", "{\"samples\": {\n\"GSM1\": {\"refinebio_title\": \"a\"},\n\"GSM1\": {\"refinebio_title\": \"b\"}}}",
			qc.DuplicateSamples, "samples.GSM1", 3, 0, `two samples share the accession "GSM1": the one opening on line 2 and this one`},
		{"samples listed, one accession twice", "{\"samples\": [\n  {\"refinebio_accession_code\": \"GSM1\"},\n  {\"refinebio_accession_code\": \"GSM2\"},\n  {\"refinebio_accession_code\": \"GSM1\"}]}",
			qc.DuplicateSamples, "samples[2]", 4, 0, `the one opening on line 2 and this one`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseJSON(t, tc.doc)
			e := assertJSONErr(t, err, tc.code, tc.path)
			if e.Line != tc.line || e.Column != tc.col {
				t.Errorf("at %d:%d, want %d:%d: %v", e.Line, e.Column, tc.line, tc.col, err)
			}
			if !strings.Contains(e.Error(), tc.msg) {
				t.Errorf("message %q lacks %q", e.Error(), tc.msg)
			}
		})
	}
}

// TestParseJSONKeyTakenForAccessionIsTrimmed: a key taken for an accession
// loses its surrounding blanks as every value does, so that no accession
// reaches the warehouse padded (SQL Server would compare it equal to the
// unpadded one, DuckDB would not).
func TestParseJSONKeyTakenForAccessionIsTrimmed(t *testing.T) {
	d, err := parseJSON(t, `{"experiments": {" GSE1 ": {"title": "t"}}, "samples": {"GSM1 ": {"refinebio_title": "a"}, "\u00a0GSM2": {}}}`)
	if err != nil {
		t.Fatal(err)
	}
	study(t, d, "GSE1")
	sample(t, d, "GSM1")
	sample(t, d, "GSM2")
	if len(d.Samples) != 2 || len(d.Studies) != 1 {
		t.Errorf("%d samples, %d studies; want 2 and 1", len(d.Samples), len(d.Studies))
	}
}

// TestParseJSONKeyTakenForAccession: a sample without
// refinebio_accession_code is keyed by its key when that can be an
// accession, an ArrayExpress sample's with its blanks included; a title is
// refused (TestParseJSONErrors).
func TestParseJSONKeyTakenForAccession(t *testing.T) {
	d, err := parseJSON(t, `{"samples": {"E-MEXP-669-Sample 1": {"refinebio_title": "Sample 1"}, "SRR1.1": {}}}`)
	if err != nil {
		t.Fatal(err)
	}
	sample(t, d, "E-MEXP-669-Sample 1")
	sample(t, d, "SRR1.1")
}

// TestParseJSONAmbiguousTitle: a 2018 experiment that lists a title two
// samples share links neither (never a guess); titles unique to one sample
// still link.
func TestParseJSONAmbiguousTitle(t *testing.T) {
	doc := `{"experiments": {"E-1": {"sample_titles": ["rep", "solo"]}},
	  "samples": {"rep": {"refinebio_accession_code": "A1", "refinebio_title": "rep"},
	              "x": {"refinebio_accession_code": "A2", "refinebio_title": "rep"},
	              "solo": {"refinebio_accession_code": "A3", "refinebio_title": "solo"}}}`
	d, err := parseJSON(t, doc)
	if err != nil {
		t.Fatal(err)
	}
	if got := study(t, d, "E-1").SampleAccessions; !slices.Equal(got, []string{"A3"}) {
		t.Errorf("members %v, want [A3]", got)
	}
	if got := d.SamplesTitled("rep"); len(got) != 2 {
		t.Errorf("SamplesTitled(rep) = %v", accessions(got))
	}
	if len(d.Findings) != 1 {
		t.Fatalf("findings %v, want one for the shared title", d.Findings)
	}
	f := d.Findings[0]
	if f.Code != qc.SampleMismatch || f.Study != "E-1" || f.Path != "experiments.E-1.sample_titles" ||
		!strings.Contains(f.Msg, `"rep", which 2 samples share (A1, A2)`) {
		t.Errorf("finding %+v", f)
	}
}

// TestParseJSONRepeatedKeys: a key written twice in one object would keep
// its last value in silence ("refinebio_disease": "septic shock", then
// "refinebio_disease": "" loads as unknown). It is refused, naming the
// key's JSON path and line, in samples, experiments and at the top.
func TestParseJSONRepeatedKeys(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		path      string
		line      int64
	}{
		{"a sample field", "{\"samples\": {\n \"GSM1\": {\"refinebio_title\": \"a\"},\n \"GSM2\": {\n  \"refinebio_disease\": \"septic shock\",\n  \"refinebio_disease\": \"\"}}}",
			"samples.GSM2.refinebio_disease", 5},
		{"a field spelt with an escape", `{"samples": {"GSM1": {"refinebio_disease": "septic shock", "refinebio\u005fdisease": ""}}}`,
			"samples.GSM1.refinebio_disease", 1},
		{"a sample of a list", "{\"samples\": [{\"refinebio_accession_code\": \"GSM1\"},\n {\"refinebio_accession_code\": \"GSM2\", \"refinebio_sex\": \"male\", \"refinebio_sex\": \"female\"}]}",
			"samples[1].refinebio_sex", 2},
		{"an unprefixed early-2018 field", `{"samples": {"GSM1": {"accession_code": "GSM1", "disease": "sepsis", "disease": null}}}`,
			"samples.GSM1.disease", 1},
		{"a key of an annotation record", `{"samples": {"GSM1": {"refinebio_annotations": [{"a": 1}, {"source": {"name": "x", "name": "y"}}]}}}`,
			"samples.GSM1.refinebio_annotations[1].source.name", 1},
		{"an experiment field", "{\"experiments\": {\n \"GSE1\": {\"title\": \"a\",\n  \"title\": \"b\"}}}",
			"experiments.GSE1.title", 3},
		{"an experiment twice", "{\"experiments\": {\"GSE1\": {\"title\": \"a\"},\n \"GSE1\": {\"title\": \"b\"}}}",
			"experiments.GSE1", 2},
		{"a top-level key", "{\"ks_statistic\": 0.1,\n \"ks_statistic\": 0.9}", "ks_statistic", 2},
		{"samples twice", "{\"samples\": {\"GSM1\": {}},\n \"samples\": {\"GSM2\": {}}}", "samples", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseJSON(t, tc.doc)
			e := assertJSONErr(t, err, qc.ParseError, tc.path)
			if e.Line != tc.line || !strings.Contains(e.Msg, "appears twice") {
				t.Errorf("line %d, want %d: %v", e.Line, tc.line, err)
			}
		})
	}
	// The same key in sibling objects, or in an object and the one it
	// holds, is no repeat.
	d, err := parseJSON(t, `{"samples": {"GSM1": {"refinebio_title": "a", "refinebio_annotations": [{"title": "x", "a": {"title": "y"}}, {"title": "z"}]},
		"GSM2": {"refinebio_title": "b"}}, "experiments": {"GSE1": {"title": "t"}, "GSE2": {"title": "t"}}}`)
	if err != nil || len(d.Samples) != 2 || len(d.Studies) != 2 {
		t.Errorf("siblings sharing keys: %v", err)
	}
}

// TestParseJSONRepeatedFieldInRealFiles repeats one field of the first
// sample, empty, in each generation of the real metadata: it must be
// refused at that line rather than read as unknown.
func TestParseJSONRepeatedFieldInRealFiles(t *testing.T) {
	for _, tc := range []struct{ file, field string }{
		{currentJSON, "refinebio_disease"},
		{json2018, "refinebio_disease"},
		{jsonEarly2018, "disease"},
		{speciesList, "refinebio_disease"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			b, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(string(b), "\n")
			at := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), `"`+tc.field+`": `) })
			if at < 0 || !strings.HasSuffix(lines[at], ",") {
				t.Fatalf("no %q field followed by another", tc.field)
			}
			indent := lines[at][:len(lines[at])-len(strings.TrimLeft(lines[at], " "))]
			lines = slices.Insert(lines, at+1, indent+`"`+tc.field+`": "",`)
			_, err = parseJSON(t, strings.Join(lines, "\n"))
			var e *qc.Error
			if !errors.As(err, &e) || e.Code != qc.ParseError || e.Line != int64(at+2) ||
				!strings.HasPrefix(e.Path, "samples") || !strings.HasSuffix(e.Path, "."+tc.field) {
				t.Errorf("got %v, want a ParseError at line %d, path samples….%s", err, at+2, tc.field)
			}
		})
	}
}

// TestParseJSONNumbersBeyondFloat64: a number too large for a float64
// where text is read (an annotation's value, a title, a pubmed_id) is kept
// as it is written; an annotation's integer keeps all its digits, and
// another number takes its shortest form, as a flag or a count reads it
// (1.0 is 1: Python writes a flag of 1 so). Such a number in an annotation
// record was refused as "expected an annotation record (an object), found
// an object".
func TestParseJSONNumbersBeyondFloat64(t *testing.T) {
	digits := "1" + strings.Repeat("0", 399)
	doc := `{"samples": {
  "septic patient 1": {"refinebio_accession_code": "GSM1", "refinebio_title": "septic patient 1",
    "refinebio_annotations": [{"characteristic": [{"category": "age", "value": 1e400}]}]},
  "GSM2": {"refinebio_title": -1E+400, "refinebio_annotations": [{"run_id": ` + digits + `,
    "spots": 12345678901234567890, "ratio": [2.50, 7], "sepsis": 1.0, "count": 1E5, "zero": -0.0, "pvalue": 0.00001}]}},
 "experiments": {"GSE1": {"pubmed_id": 1e400, "sample_titles": ["septic patient 1"]}}}`
	d, err := parseJSON(t, doc)
	if err != nil {
		t.Fatal(err)
	}
	s1, s2 := sample(t, d, "GSM1"), sample(t, d, "GSM2")
	if a := (metadata.Annotation{Key: "age", Value: "1e400", Characteristic: true}); !hasAnn(s1.Annotations, a) {
		t.Errorf("GSM1 lacks %+v; has %+v", a, s1.Annotations)
	}
	for _, a := range []metadata.Annotation{{Key: "run_id", Value: digits}, {Key: "spots", Value: "12345678901234567890"},
		{Key: "ratio", Value: "2.5"}, {Key: "ratio", Value: "7"}, {Key: "sepsis", Value: "1"}, {Key: "count", Value: "100000"},
		{Key: "zero", Value: "-0"}, {Key: "pvalue", Value: "1e-05"}} {
		if !hasAnn(s2.Annotations, a) {
			t.Errorf("GSM2 lacks %+v; has %+v", a, s2.Annotations)
		}
	}
	if s2.Title != "-1E+400" {
		t.Errorf("GSM2 title %q, want -1E+400", s2.Title)
	}
	if st := study(t, d, "GSE1"); st.PubmedID != "1e400" || !slices.Equal(st.SampleAccessions, []string{"GSM1"}) {
		t.Errorf("GSE1: pubmed_id %q, samples %v; want 1e400, [GSM1]", st.PubmedID, st.SampleAccessions)
	}
}

// TestParseJSONKSOutOfRange: a KS statistic or p-value outside [0, 1], or
// no number at all, cannot be one; it is unknown, with a WARNING naming
// its path, and a value in range is kept as given.
func TestParseJSONKSOutOfRange(t *testing.T) {
	for _, tc := range []struct {
		doc          string
		stat, pvalue metadata.Optional[float64]
		bad          []string
	}{
		{`{"ks_statistic": 5, "ks_pvalue": -0.1}`, metadata.Optional[float64]{}, metadata.Optional[float64]{},
			[]string{"ks_statistic", "ks_pvalue"}},
		{`{"ks_statistic": 0.25, "ks_pvalue": 1e-300}`, metadata.Some(0.25), metadata.Some(1e-300), nil},
		{`{"ks_statistic": 1, "ks_pvalue": 0}`, metadata.Some(1.0), metadata.Some(0.0), nil},
		// refine.bio's figures are only recorded: one that is no number
		// is unknown too, not the download's failure
		{`{"ks_statistic": "high", "ks_pvalue": "0,05"}`, metadata.Optional[float64]{}, metadata.Optional[float64]{},
			[]string{"ks_statistic", "ks_pvalue"}},
		{`{"ks_statistic": [0.05], "ks_pvalue": 1e999}`, metadata.Optional[float64]{}, metadata.Optional[float64]{},
			[]string{"ks_statistic", "ks_pvalue"}},
	} {
		d, err := parseJSON(t, tc.doc)
		if err != nil {
			t.Fatal(err)
		}
		if d.KSStatistic != tc.stat || d.KSPValue != tc.pvalue {
			t.Errorf("%s: ks_statistic %+v, ks_pvalue %+v; want %+v, %+v", tc.doc, d.KSStatistic, d.KSPValue, tc.stat, tc.pvalue)
		}
		var bad []string
		for _, f := range d.Findings {
			if f.Code == qc.ParseError && f.Severity == qc.SeverityWarning && strings.Contains(f.Msg, "recorded as unknown") {
				bad = append(bad, f.Path)
			}
		}
		if !slices.Equal(bad, tc.bad) {
			t.Errorf("%s: warnings at %v, want %v", tc.doc, bad, tc.bad)
		}
	}
}

// TestDownloadFlagForms: refine.bio writes ks_warning as a warning's text
// or null, and its flags as booleans. false was stored as the warning
// "false", so a query for studies with a warning found one with none; a
// flag written 1 or 0 refused the whole download, though "1" and "0" load.
func TestDownloadFlagForms(t *testing.T) {
	for _, tc := range []struct {
		doc     string
		warning string
		qn      metadata.Optional[bool]
		finding bool
	}{
		{`{"ks_warning": "Warning: ks test failed"}`, "Warning: ks test failed", metadata.Optional[bool]{}, false},
		{`{"ks_warning": false}`, "", metadata.Optional[bool]{}, false},
		{`{"ks_warning": "false"}`, "", metadata.Optional[bool]{}, false},
		{`{"ks_warning": " False "}`, "", metadata.Optional[bool]{}, false},
		{`{"ks_warning": ""}`, "", metadata.Optional[bool]{}, false},
		{`{"ks_warning": true}`, "", metadata.Optional[bool]{}, true},
		{`{"ks_warning": 0.12}`, "", metadata.Optional[bool]{}, true},
		{`{"quantile_normalized": 1}`, "", metadata.Some(true), false},
		{`{"quantile_normalized": 0}`, "", metadata.Some(false), false},
	} {
		d, err := parseJSON(t, tc.doc)
		if err != nil {
			t.Fatalf("%s: %v", tc.doc, err)
		}
		var finding bool
		for _, f := range d.Findings {
			finding = finding || f.Path == "ks_warning" && f.Severity == qc.SeverityWarning && errors.Is(f, qc.ParseError)
		}
		if d.KSWarning != tc.warning || d.QuantileNormalized != tc.qn || finding != tc.finding {
			t.Errorf("%s: ks_warning %q, quantile_normalized %+v, finding %v (%v); want %q, %+v, %v",
				tc.doc, d.KSWarning, d.QuantileNormalized, finding, d.Findings, tc.warning, tc.qn, tc.finding)
		}
	}
	if _, err := parseJSON(t, `{"quantile_normalized": 2}`); !errors.Is(err, qc.ParseError) {
		t.Errorf("quantile_normalized 2: %v, want a ParseError", err)
	}
}
