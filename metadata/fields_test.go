package metadata_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/qc"
)

// TestParseJSONPrefixedKeyWins: a sample holding a key with and without
// the "refinebio_" prefix reads the prefixed one, the key current
// downloads write; the unprefixed key is read only when alone (early 2018).
func TestParseJSONPrefixedKeyWins(t *testing.T) {
	tests := []struct {
		name, sample, want string
	}{
		{"both, prefixed first", `{"refinebio_accession_code": "A1", "refinebio_title": "A", "title": "B"}`, "A"},
		{"both, unprefixed first", `{"refinebio_accession_code": "A1", "title": "B", "refinebio_title": "A"}`, "A"},
		{"unprefixed alone", `{"refinebio_accession_code": "A1", "title": "B"}`, "B"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := parseJSON(t, `{"samples": {"A1": `+tc.sample+`}}`)
			if err != nil {
				t.Fatal(err)
			}
			if got := sample(t, d, "A1").Title; got != tc.want {
				t.Errorf("Title = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestParseJSONTimesAreUTC: a time given with an offset is the same
// instant in UTC (the clock and here the date shift); one without a zone
// is read as UTC.
func TestParseJSONTimesAreUTC(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2020-01-02T01:30:00+02:00", time.Date(2020, 1, 1, 23, 30, 0, 0, time.UTC)},
		{"2020-01-02T01:30:00.25-05:00", time.Date(2020, 1, 2, 6, 30, 0, 250e6, time.UTC)},
		{"2020-01-02 01:30:00+02:00", time.Date(2020, 1, 1, 23, 30, 0, 0, time.UTC)},
		{"2020-01-02 01:30:00+02", time.Date(2020, 1, 1, 23, 30, 0, 0, time.UTC)},
		{"2020-01-02T01:30:00Z", time.Date(2020, 1, 2, 1, 30, 0, 0, time.UTC)},
		{"2020-01-02 01:30:00", time.Date(2020, 1, 2, 1, 30, 0, 0, time.UTC)},
		{"2020-01-02 01:30:00-05", time.Date(2020, 1, 2, 6, 30, 0, 0, time.UTC)},
		{"2020-01-02 01:30:00.5-05", time.Date(2020, 1, 2, 6, 30, 0, 500e6, time.UTC)},
		{"2020-01-02T01:30:00.123456", time.Date(2020, 1, 2, 1, 30, 0, 123456e3, time.UTC)},
		{"2020-01-02", time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			d, err := parseJSON(t, `{"created_at": "`+tc.in+`", "experiments": {"E-1": {"accession_code": "E-1",
				"source_first_published": "`+tc.in+`"}}}`)
			if err != nil {
				t.Fatal(err)
			}
			for what, got := range map[string]time.Time{"created_at": d.CreatedAt.Val, "source_first_published": study(t, d, "E-1").FirstPublished.Val} {
				if !got.Equal(tc.want) || got.Location() != time.UTC || got.Hour() != tc.want.Hour() || got.Day() != tc.want.Day() {
					t.Errorf("%s = %v (zone %v), want %v", what, got, got.Location(), tc.want)
				}
			}
			if !d.CreatedAt.Valid {
				t.Error("created_at read as unknown")
			}
		})
	}
}

// TestParseJSONUnreadableDateIsAWarning: a date in a form genexp does not
// read leaves that date unknown and is a WARNING naming the file, the
// study and the JSON path; the rest of the file is read as it would be
// without it.
func TestParseJSONUnreadableDateIsAWarning(t *testing.T) {
	d, err := parseJSON(t, `{"created_at": "2018-13-45", "ks_statistic": 0.25,
		"experiments": {"GSE1": {"title": "Sepsis study", "source_first_published": "last Tuesday",
			"source_last_modified": "2019-02-03T04:05:06", "sample_accession_codes": ["GSM1"]}},
		"samples": {"GSM1": {"refinebio_title": "septic shock 1"}}}`)
	if err != nil {
		t.Fatal(err)
	}
	if d.CreatedAt.Valid {
		t.Errorf("created_at = %v, want unknown", d.CreatedAt.Val)
	}
	st := study(t, d, "GSE1")
	if st.FirstPublished.Valid {
		t.Errorf("source_first_published = %v, want unknown", st.FirstPublished.Val)
	}
	if !st.LastModified.Valid || st.LastModified.Val.Year() != 2019 {
		t.Errorf("source_last_modified = %+v, want 2019-02-03", st.LastModified)
	}
	if st.Title != "Sepsis study" || len(st.SampleAccessions) != 1 || sample(t, d, "GSM1").Title != "septic shock 1" ||
		!d.KSStatistic.Valid || d.KSStatistic.Val != 0.25 {
		t.Errorf("the rest of the file was not read: study %+v, ks %+v", st, d.KSStatistic)
	}
	want := []struct{ study, path, text string }{
		{"", "created_at", `not a date: "2018-13-45"`},
		{"GSE1", "experiments.GSE1.source_first_published", `not a date: "last Tuesday"`},
	}
	if len(d.Findings) != len(want) {
		t.Fatalf("findings %v, want %d", d.Findings, len(want))
	}
	for i, w := range want {
		f := d.Findings[i]
		if f.Code != qc.ParseError || f.Severity != qc.SeverityWarning || f.Study != w.study || f.Path != w.path ||
			f.File != "test.json" || !strings.Contains(f.Error(), w.text) {
			t.Errorf("finding %d = %+v (%v), want a %s WARNING of %q at %s", i, f, f, qc.ParseError, w.study, w.path)
		}
	}
}

// TestParseJSONUnknownSettingIsAWarning: an aggregate_by or scale_by that
// is none of the values refine.bio writes ("scale_by": 5) was stored
// without a word; it is kept as given and a WARNING names it, since a
// newer refine.bio may add a value. The known ones, in any case, are not.
func TestParseJSONUnknownSettingIsAWarning(t *testing.T) {
	d, err := parseJSON(t, `{"aggregate_by": "FOO", "scale_by": 5,
		"samples": {"GSM1": {"refinebio_title": "septic shock 1"}}}`)
	if err != nil {
		t.Fatal(err)
	}
	if d.AggregateBy != "FOO" || d.ScaleBy != "5" {
		t.Errorf("aggregate_by %q, scale_by %q: want them as given", d.AggregateBy, d.ScaleBy)
	}
	want := []struct{ path, text string }{
		{"aggregate_by", `"FOO" is none of EXPERIMENT, SPECIES, ALL`},
		{"scale_by", `"5" is none of NONE, MINMAX, STANDARD, ROBUST`},
	}
	if len(d.Findings) != len(want) {
		t.Fatalf("findings %v, want %d", d.Findings, len(want))
	}
	for i, w := range want {
		f := d.Findings[i]
		if f.Code != qc.ParseError || f.Severity != qc.SeverityWarning || f.Path != w.path || !strings.Contains(f.Error(), w.text) {
			t.Errorf("finding %d = %v, want a WARNING at %s saying %q", i, f, w.path, w.text)
		}
	}
	d, err = parseJSON(t, `{"aggregate_by": "species", "scale_by": "minmax", "samples": {}}`)
	if err != nil || len(d.Findings) != 0 || d.AggregateBy != "SPECIES" || d.ScaleBy != "MINMAX" {
		t.Errorf("known settings: %v, findings %v, %q %q", err, d.Findings, d.AggregateBy, d.ScaleBy)
	}
}

// GEO characteristics written as objects (by a tool that rebuilt the
// record) or in nested lists are read as the strings are: they were
// dropped in silence, and with them a sample's only disease.
func TestParseJSONCharacteristicObjects(t *testing.T) {
	for _, tc := range []struct{ name, chars string }{
		{"strings", `["disease state: septic shock"]`},
		{"nested list", `[["disease state: septic shock"]]`},
		{"object", `{"disease state": "septic shock"}`},
		{"list of objects", `[{"disease state": "septic shock"}]`},
		{"tag and value", `[{"tag": "disease state", "value": "septic shock"}]`},
		{"category and value", `[{"category": "disease state", "value": "septic shock"}]`},
		{"a pair without a value beside", `[{"tag": "tissue", "value": ""}, {"tag": "age", "value": null}, {"disease state": "septic shock"}]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := `{"samples": {"GSM1": {"refinebio_accession_code": "GSM1", "refinebio_annotations": [{"characteristics_ch1": ` + tc.chars + `}]}}}`
			d, err := metadata.ParseJSON(strings.NewReader(doc), "m.json")
			if err != nil {
				t.Fatal(err)
			}
			s := d.Sample("GSM1")
			want := []metadata.Annotation{{Key: "disease state", Value: "septic shock", Characteristic: true}}
			if s == nil || !slices.Equal(s.Annotations, want) {
				t.Fatalf("annotations %+v, want %+v", s, want)
			}
		})
	}
}

// TestBooleanSpellings: the spellings of true and false a JSON string or a
// sheet cell may give a boolean field, in any case and with blanks around
// them; an empty one is unknown.
func TestBooleanSpellings(t *testing.T) {
	for in, want := range map[string]metadata.Optional[bool]{
		"true": metadata.Some(true), "T": metadata.Some(true), " Yes ": metadata.Some(true), "1": metadata.Some(true),
		"False": metadata.Some(false), "f": metadata.Some(false), "NO": metadata.Some(false), "0": metadata.Some(false),
		"": {},
	} {
		d, err := parseJSON(t, `{"samples": {"GSM1": {"refinebio_accession_code": "GSM1", "refinebio_processed": "`+in+`"}}}`)
		if err != nil {
			t.Fatalf("JSON %q: %v", in, err)
		}
		if got := d.Sample("GSM1").Processed; got != want {
			t.Errorf("JSON %q: processed %+v, want %+v", in, got, want)
		}
		sheet, err := metadata.ParseTSV(strings.NewReader("refinebio_accession_code\trefinebio_processed\nGSM1\t"+in+"\n"), "metadata_GSE1.tsv", "GSE1")
		if err != nil {
			t.Fatalf("sheet %q: %v", in, err)
		}
		if got := sheet.Sample("GSM1").Processed; got != want {
			t.Errorf("sheet %q: processed %+v, want %+v", in, got, want)
		}
	}
}
