package metadata_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/qc"
)

const mergeSheet = "refinebio_accession_code\texperiment_accession\trefinebio_title\trefinebio_cell_line\trefinebio_processed\tcharacteristics_ch1_disease state\tcharacteristics_ch1_severity\n" +
	"GSM9000001\tGSE999901\tA DIFFERENT TITLE\tPBMC\tFalse\tseptic shock patient\tAPACHE 30\n" +
	"GSM9000099\tGSE999901\tOnly in the sheet\t\tTrue\tsepsis\t\n"

func TestMergeJSONWinsSheetFills(t *testing.T) {
	js := parseJSONFile(t, currentJSON)
	sheet, err := metadata.ParseTSV(strings.NewReader(mergeSheet), "metadata_GSE999901.tsv", "GSE999901")
	if err != nil {
		t.Fatal(err)
	}
	jsBefore, sheetBefore := parseJSONFile(t, currentJSON), mustTSV(t, mergeSheet)

	m := metadata.Merge(js, nil, sheet)

	if !reflect.DeepEqual(js, jsBefore) {
		t.Error("Merge modified its first input")
	}
	sheetBefore.Sources = sheet.Sources
	if !reflect.DeepEqual(sheet, sheetBefore) {
		t.Error("Merge modified its second input")
	}
	if m.AggregateBy != "EXPERIMENT" || m.KSPValue != metadata.Some(0.9731) {
		t.Errorf("dataset fields from the JSON lost: %q %+v", m.AggregateBy, m.KSPValue)
	}
	if !slices.Equal(m.Sources, []string{currentJSON, "metadata_GSE999901.tsv"}) {
		t.Errorf("sources %v", m.Sources)
	}
	s := sample(t, m, "GSM9000001")
	if s.Title != "Septic Shock_biological rep1" {
		t.Errorf("title %q: the JSON must win", s.Title)
	}
	if s.Processed != metadata.Some(true) {
		t.Errorf("processed %+v: the JSON's true must win over the sheet's False", s.Processed)
	}
	if s.CellLine != "PBMC" {
		t.Errorf("cell line %q: the sheet fills what the JSON leaves unknown", s.CellLine)
	}
	n := 0
	for _, a := range s.Annotations {
		if a.Key == "disease state" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("disease state appears %d times; the sheet repeats the JSON's and must not add it again", n)
	}
	if !hasAnn(s.Annotations, metadata.Annotation{Key: "severity", Value: "APACHE 30", Characteristic: true}) {
		t.Errorf("the sheet's own characteristic is missing: %+v", s.Annotations)
	}
	extra := sample(t, m, "GSM9000099")
	if extra.Title != "Only in the sheet" || !slices.Equal(extra.Experiments, []string{"GSE999901"}) {
		t.Errorf("sheet-only sample: %+v", *extra)
	}
	if got := study(t, m, "GSE999901").SampleAccessions; !slices.Equal(got, []string{"GSM9000001", "GSM9000002", "GSM9000003", "GSM9000099"}) {
		t.Errorf("members %v", got)
	}
	if st := study(t, m, "GSE999901"); st.Title == "" || st.PubmedID != "99999901" {
		t.Errorf("study fields lost in merge: %+v", *st)
	}

	// The order decides who wins.
	rev := metadata.Merge(sheet, js)
	if got := sample(t, rev, "GSM9000001"); got.Title != "A DIFFERENT TITLE" || got.Processed != metadata.Some(false) {
		t.Errorf("sheet first: title %q processed %+v", got.Title, got.Processed)
	}
}

func mustTSV(t *testing.T, sheet string) *metadata.Dataset {
	t.Helper()
	d, err := metadata.ParseTSV(strings.NewReader(sheet), "metadata_GSE999901.tsv", "GSE999901")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestMergeReal2018(t *testing.T) {
	js := parseJSONFile(t, json2018)
	sheet := parseTSVFile(t, sheet2018, "E-GEOD-39842")
	m := metadata.Merge(js, sheet)
	if len(m.Samples) != 12 || len(m.Studies) != 1 || len(m.Studies[0].SampleAccessions) != 12 {
		t.Fatalf("%d samples, studies %+v", len(m.Samples), m.Studies)
	}
	if m.Studies[0].PubmedID != "23151342" {
		t.Errorf("study from the JSON lost: %+v", *m.Studies[0])
	}
	for _, s := range m.Samples {
		seen := map[string]bool{}
		for _, a := range s.Annotations {
			k := strings.ToLower(strings.ReplaceAll(a.Key, "_", " ")) + "=" + a.Value
			if seen[k] {
				t.Errorf("%s: annotation %+v twice", s.Accession, a)
			}
			seen[k] = true
		}
		if !seen["file="+firstValue(sheet.Sample(s.Accession), "file")] {
			t.Errorf("%s: the sheet's file column was not added", s.Accession)
		}
	}
}

func firstValue(s *metadata.Sample, key string) string {
	if v := s.Values(key); len(v) > 0 {
		return v[0]
	}
	return ""
}

func TestDisagreement(t *testing.T) {
	base := func() *metadata.Sample {
		return &metadata.Sample{Accession: "GSM1", Title: "ctl 1", Organism: "HOMO_SAPIENS",
			Annotations: []metadata.Annotation{{Key: "disease state", Value: "control", Characteristic: true}}}
	}
	for _, tc := range []struct {
		name   string
		change func(s *metadata.Sample)
		field  string
	}{
		{"same", func(*metadata.Sample) {}, ""},
		{"one says less", func(s *metadata.Sample) { s.Title, s.Annotations = "", nil }, ""},
		{"one says more", func(s *metadata.Sample) {
			s.Disease = "sepsis"
			s.Annotations = append(s.Annotations, metadata.Annotation{Key: "tissue", Value: "blood"})
		}, ""},
		{"title", func(s *metadata.Sample) { s.Title = "shock 1" }, "title"},
		{"refine.bio field", func(s *metadata.Sample) { s.Organism = "MUS_MUSCULUS" }, "organism"},
		{"annotation", func(s *metadata.Sample) { s.Annotations[0].Value = "septic shock" }, "disease state"},
		{"annotation key spelt otherwise", func(s *metadata.Sample) { s.Annotations[0].Key = "Disease_State" }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := base()
			tc.change(b)
			field, x, y := metadata.Disagreement(base(), b)
			if field != tc.field || (field != "" && x == y) {
				t.Errorf("Disagreement = %q (%q, %q), want %q", field, x, y, tc.field)
			}
		})
	}
}

// TestMergeKeyFirstWins: a characteristic the first dataset gives a sample
// keeps its values; a later dataset's other value of that key is dropped,
// not added beside it (the classifier would read both), while its keys the
// first lacks are added, every value of them.
func TestMergeKeyFirstWins(t *testing.T) {
	js := parseJSONFile(t, currentJSON)
	sheet := mustTSV(t, "refinebio_accession_code\texperiment_accession\tcharacteristics_ch1_disease state\tcharacteristics_ch1_outcome\n"+
		"GSM9000001\tGSE999901\tcontrol\tsurvivor\n")
	s := sample(t, metadata.Merge(js, sheet), "GSM9000001")
	if got := s.Values("characteristic:disease state"); !slices.Equal(got, []string{"septic shock patient"}) {
		t.Errorf("disease state %q: the JSON's value must win, the sheet's other value must not be added", got)
	}
	if got := s.Values("characteristic:outcome"); !slices.Equal(got, []string{"survivor"}) {
		t.Errorf("outcome %q: a key only the sheet has must be added", got)
	}
	s = sample(t, metadata.Merge(sheet, js), "GSM9000001")
	if got := s.Values("characteristic:disease state"); !slices.Equal(got, []string{"control"}) {
		t.Errorf("sheet first: disease state %q", got)
	}
}

// TestMergeMembershipDisagreement: a later file that puts a sample in a
// study the earlier one does not is a WARNING naming both files (the
// memberships are kept together, as a SuperSeries' are); a later file that
// repeats a membership, or names fewer, says nothing.
func TestMergeMembershipDisagreement(t *testing.T) {
	json := func(studies ...string) *metadata.Dataset {
		t.Helper()
		doc := `{"experiments": {`
		for i, st := range studies {
			if i > 0 {
				doc += ", "
			}
			doc += `"` + st + `": {"accession_code": "` + st + `", "sample_accession_codes": ["GSM1"]}`
		}
		doc += `}, "samples": {"GSM1": {"refinebio_accession_code": "GSM1"}}}`
		d, err := metadata.ParseJSON(strings.NewReader(doc), "aggregated_metadata.json")
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	sheet := func(study string) *metadata.Dataset {
		t.Helper()
		d, err := metadata.ParseTSV(strings.NewReader("refinebio_accession_code\texperiment_accession\nGSM1\t"+study+"\n"), "metadata_HOMO_SAPIENS.tsv", "")
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	m := metadata.Merge(json("GSE1"), sheet("GSE2"))
	if got := m.Sample("GSM1").Experiments; !slices.Equal(got, []string{"GSE1", "GSE2"}) {
		t.Errorf("experiments %v", got)
	}
	if len(m.Findings) != 1 || m.Findings[0].Code != qc.SampleMismatch || m.Findings[0].Severity != qc.SeverityWarning ||
		m.Findings[0].Study != "GSE2" || m.Findings[0].File != "metadata_HOMO_SAPIENS.tsv" ||
		!strings.Contains(m.Findings[0].Msg, "sample GSM1 is in GSE1 by aggregated_metadata.json, but metadata_HOMO_SAPIENS.tsv puts it in GSE2 too") {
		t.Errorf("findings %v", m.Findings)
	}
	for name, sets := range map[string][]*metadata.Dataset{
		"the same membership":                    {json("GSE1"), sheet("GSE1")},
		"a SuperSeries and one of its SubSeries": {json("GSE1", "GSE2"), sheet("GSE2")},
	} {
		if m := metadata.Merge(sets...); len(m.Findings) != 0 {
			t.Errorf("%s: findings %v", name, m.Findings)
		}
	}
}

// TestContradiction: of two descriptions in different formats, only values
// that cannot both hold contradict: not a number written otherwise, not
// space around a value, not a key one side gives several values.
func TestContradiction(t *testing.T) {
	base := func() *metadata.Sample {
		return &metadata.Sample{Accession: "GSM1", Title: "ctl 1", Age: "55", Organism: "HOMO_SAPIENS",
			Annotations: []metadata.Annotation{{Key: "disease state", Value: "control", Characteristic: true},
				{Key: "treatment", Value: "none", Characteristic: true}}}
	}
	for _, tc := range []struct {
		name   string
		change func(s *metadata.Sample)
		field  string
	}{
		{"same", func(*metadata.Sample) {}, ""},
		{"one says less", func(s *metadata.Sample) { s.Title, s.Age, s.Annotations = "", "", nil }, ""},
		{"number written otherwise", func(s *metadata.Sample) { s.Age = "55.0" }, ""},
		{"space around a value", func(s *metadata.Sample) { s.Title, s.Annotations[0].Value = " ctl 1\t", "control " }, ""},
		{"space inside a value", func(s *metadata.Sample) { s.Title = "ctl\t 1" }, ""},
		{"case", func(s *metadata.Sample) { s.Title, s.Annotations[0].Value = "CTL 1", "Control" }, ""},
		{"several values of a key", func(s *metadata.Sample) {
			s.Annotations = append(s.Annotations, metadata.Annotation{Key: "treatment", Value: "LPS", Characteristic: true})
			s.Annotations[1].Value = "vehicle"
		}, ""},
		{"title", func(s *metadata.Sample) { s.Title = "shock 1" }, "title"},
		{"another number", func(s *metadata.Sample) { s.Age = "56" }, "age"},
		{"refine.bio field", func(s *metadata.Sample) { s.Organism = "MUS_MUSCULUS" }, "organism"},
		{"annotation", func(s *metadata.Sample) { s.Annotations[0].Value = "septic shock" }, "disease state"},
		{"annotation key spelt otherwise", func(s *metadata.Sample) { s.Annotations[0].Key, s.Annotations[0].Value = "Disease_State", "sepsis" }, "disease state"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := base()
			tc.change(b)
			field, x, y := metadata.Contradiction(base(), b)
			if field != tc.field || (field != "" && x == y) {
				t.Errorf("Contradiction = %q (%q, %q), want %q", field, x, y, tc.field)
			}
			// Either way round.
			if field, x, y := metadata.Contradiction(b, base()); field != tc.field || (field != "" && x == y) {
				t.Errorf("changed first: Contradiction = %q (%q, %q), want %q", field, x, y, tc.field)
			}
		})
	}
	if field, x, y := metadata.Contradiction(&metadata.Sample{Age: "NaN"}, &metadata.Sample{Age: "nan"}); field != "" {
		t.Errorf("NaN written otherwise: Contradiction = %q (%q, %q), want none", field, x, y)
	}
}

// TestMergeStudyDifference: two descriptions of one study (two JSON files,
// or two spellings of its accession in one) that give it another title or
// technology keep the first, with a WARNING naming both values; the same
// values, written with other case or blanks, say nothing.
func TestMergeStudyDifference(t *testing.T) {
	json := func(file, acc, title, technology string) *metadata.Dataset {
		t.Helper()
		doc := `{"experiments": {"` + acc + `": {"accession_code": "` + acc + `", "title": "` + title + `", "technology": "` + technology +
			`", "sample_accession_codes": ["GSM1"]}}, "samples": {"GSM1": {"refinebio_accession_code": "GSM1"}}}`
		d, err := metadata.ParseJSON(strings.NewReader(doc), file)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	m := metadata.Merge(json("a.json", "GSE1", "Sepsis study", "MICROARRAY"), json("b.json", "GSE1", "Another study", "RNA-SEQ"))
	if st := m.Study("GSE1"); st == nil || st.Title != "Sepsis study" || st.Technology != "MICROARRAY" {
		t.Fatalf("study %+v, want the first description's values", st)
	}
	want := `study GSE1 is described by a.json and by b.json with different values: title "Sepsis study" against "Another study"; technology "MICROARRAY" against "RNA-SEQ"; the first description's are kept`
	if len(m.Findings) != 1 || m.Findings[0].Code != qc.SampleMismatch || m.Findings[0].Severity != qc.SeverityWarning ||
		m.Findings[0].File != "b.json" || m.Findings[0].Msg != want {
		t.Errorf("findings %v, want one WARNING: %s", m.Findings, want)
	}
	if m := metadata.Merge(json("a.json", "GSE1", "Sepsis  study", "MICROARRAY"), json("b.json", "GSE1", "sepsis study", "microarray")); len(m.Findings) != 0 {
		t.Errorf("the same values written otherwise: findings %v", m.Findings)
	}
}

// TestMergeUpgradesCharacteristic: a value one dataset gives as a plain
// field and a later one as a characteristic of the same key is kept once,
// as a characteristic, so the classifier's characteristics field reads it;
// a characteristic a later dataset repeats as a plain field stays one.
func TestMergeUpgradesCharacteristic(t *testing.T) {
	ds := func(characteristic bool) *metadata.Dataset {
		return &metadata.Dataset{Samples: []*metadata.Sample{{Accession: "GSM1",
			Annotations: []metadata.Annotation{{Key: "disease state", Value: "septic shock", Characteristic: characteristic}}}}}
	}
	for _, order := range [][2]bool{{false, true}, {true, false}} {
		s := metadata.Merge(ds(order[0]), ds(order[1])).Sample("GSM1")
		if len(s.Annotations) != 1 || !s.Annotations[0].Characteristic {
			t.Errorf("characteristic %v then %v: annotations %+v, want one characteristic", order[0], order[1], s.Annotations)
		}
		if got := s.Values("characteristics"); !slices.Equal(got, []string{"disease state: septic shock"}) {
			t.Errorf("characteristic %v then %v: characteristics %q", order[0], order[1], got)
		}
	}
}
