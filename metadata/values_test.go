package metadata_test

import (
	"slices"
	"testing"

	"github.com/genexp/genexp/metadata"
)

func TestSampleValues(t *testing.T) {
	s := &metadata.Sample{
		Accession: "GSM1", Title: "Septic Shock_rep1", Organism: "HOMO_SAPIENS", Platform: "HG-U133 Plus 2 (hgu133plus2)",
		SourceDatabase: "GEO", SourceArchiveURL: "https://example.org/GSM1", Sex: "male", Age: "61", SpecimenPart: "whole blood",
		GeneticInformation: "wildtype", Disease: "septic shock", DiseaseStage: "day 1", CellLine: "none", Treatment: "hydrocortisone",
		Race: "white", Subject: "patient 12", Compound: "saline", Time: "24 h", DevelopmentalStage: "adult",
		ProcessorID: "41", ProcessorName: "Affymetrix SCAN", ProcessorVersion: "v1.26.1",
		Annotations: []metadata.Annotation{
			{Key: "disease state", Value: "septic shock patient", Characteristic: true},
			{Key: "health_status", Value: "ICU", Characteristic: true},
			{Value: "Septic shock", Characteristic: true},
			{Key: "title", Value: "Septic Shock_rep1"}, // same as the refine.bio title: not repeated
			{Key: "Sample_title", Value: "SS patient 12, day 1"},
			{Key: "source_name_ch1", Value: "whole blood, septic shock"},
			{Key: "Sample_source_name", Value: "blood"},
			{Key: "description", Value: "admission"},
			{Key: "Sample_description", Value: "first draw"},
			{Key: "tissue", Value: "blood"},
			{Key: "study group", Value: "  "},
		},
	}
	cases := []struct {
		field string
		want  []string
	}{
		{"title", []string{"Septic Shock_rep1", "SS patient 12, day 1"}},
		{"refinebio_title", []string{"Septic Shock_rep1", "SS patient 12, day 1"}},
		{"accession_code", []string{"GSM1"}},
		{"organism", []string{"HOMO_SAPIENS"}},
		{"platform", []string{"HG-U133 Plus 2 (hgu133plus2)"}},
		{"source_database", []string{"GEO"}},
		{"source_archive_url", []string{"https://example.org/GSM1"}},
		{"sex", []string{"male"}},
		{"age", []string{"61"}},
		{"specimen_part", []string{"whole blood"}},
		{"genetic_information", []string{"wildtype"}},
		{"disease", []string{"septic shock"}},
		{"refinebio_disease", []string{"septic shock"}},
		{" Disease ", []string{"septic shock"}},
		{"disease_stage", []string{"day 1"}},
		{"cell_line", []string{"none"}},
		{"treatment", []string{"hydrocortisone"}},
		{"race", []string{"white"}},
		{"subject", []string{"patient 12"}},
		{"compound", []string{"saline"}},
		{"time", []string{"24 h"}},
		{"developmental_stage", []string{"adult"}},
		{"processor_id", []string{"41"}},
		{"processor_name", []string{"Affymetrix SCAN"}},
		{"processor_version", []string{"v1.26.1"}},
		{"source_name", []string{"whole blood, septic shock", "blood"}},
		{"description", []string{"admission", "first draw"}},
		{"characteristics", []string{"disease state: septic shock patient", "health_status: ICU", "Septic shock"}},
		{"characteristic:disease state", []string{"septic shock patient"}},
		{"characteristic:disease_state", []string{"septic shock patient"}},
		{"characteristic:Health Status", []string{"ICU"}},
		{"characteristic:disease\u00a0state", []string{"septic shock patient"}}, // a no-break space is a space
		{"characteristic:health\u2009status", []string{"ICU"}},
		{"characteristic:disease\tstate", []string{"septic shock patient"}},
		{"characteristic:tissue", nil}, // tissue here is not a characteristic
		{"tissue", []string{"blood"}},
		{"health status", []string{"ICU"}},
		{"study group", nil}, // blank values are never returned
		{"no such field", nil},
	}
	for _, tc := range cases {
		if got := s.Values(tc.field); !slices.Equal(got, tc.want) {
			t.Errorf("Values(%q) = %q, want %q", tc.field, got, tc.want)
		}
	}
	if got := (&metadata.Sample{}).Values("title"); got != nil {
		t.Errorf("an empty sample has title values %q", got)
	}
	if got := (*metadata.Sample)(nil).Values("characteristics"); got != nil {
		t.Errorf("a nil sample has characteristics %q", got)
	}
}

func TestSampleValuesOnRealMetadata(t *testing.T) {
	d := parseJSONFile(t, json2018)
	s := sample(t, d, "E-GEOD-39842-GSM980279")
	for field, want := range map[string][]string{
		"source_name":                        {"7 days post-amputation dnHIF1a-expressing adult zebrafish"},
		"description":                        {"HIF1_7 Gene expression data from 7 day post-amputation dnHIF1a-expressing adult zebrafish hearts."},
		"title":                              {"7 days post-amputation dnHIF1a-expressing adult zebrafish, sample 1"},
		"characteristic:time post-treatment": {"7 days"},
		"characteristic:treatment":           {"amputation"},
	} {
		if got := s.Values(field); !slices.Equal(got, want) {
			t.Errorf("Values(%q) = %q, want %q", field, got, want)
		}
	}
}

// TestSameKey: keys compare as a sample sheet's header and a GEO record
// write them: case, underscores and runs of spaces (a tab, a no-break
// space from a spreadsheet) aside.
func TestSameKey(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"disease state", "Disease_State", true},
		{"sepsis (y/n)", "sepsis  (y/n)", true},
		{"disease\u00a0state", " disease\tstate ", true},
		{"disease state", "diseasestate", false},
		{"sepsis", "sepsis (y/n)", false},
	} {
		if got := metadata.SameKey(tc.a, tc.b); got != tc.same {
			t.Errorf("SameKey(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}
