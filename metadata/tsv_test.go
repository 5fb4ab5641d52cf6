package metadata_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/qc"
)

func parseTSVFile(t *testing.T, path, study string) *metadata.Dataset {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := metadata.ParseTSV(f, path, study)
	if err != nil {
		t.Fatalf("ParseTSV(%s): %v", path, err)
	}
	return d
}

func TestParseTSVRealSheets(t *testing.T) {
	for _, path := range []string{sheet2018, sheetGSE71270, sheetSRP110235, sheetEarly2018, sheetSpecies} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte("\r\n")) {
			t.Errorf("%s is expected to be a CRLF sheet", path)
		}
	}

	t.Run("GSE71270: current GEO sheet, flattened characteristics", func(t *testing.T) {
		d := parseTSVFile(t, sheetGSE71270, "GSE71270")
		if len(d.Samples) != 10 || len(d.Studies) != 1 || len(d.Studies[0].SampleAccessions) != 10 {
			t.Fatalf("%d samples, studies %+v", len(d.Samples), d.Studies)
		}
		s := sample(t, d, "GSM1831683")
		if s.Title != "Kidney marrow_Control-zebrafish_4" || s.SourceDatabase != "GEO" || s.SpecimenPart != "kidney marrow" ||
			s.Organism != "DANIO_RERIO" || s.Processed.Valid || !slices.Equal(s.Experiments, []string{"GSE71270"}) {
			t.Errorf("GSM1831683: %+v", *s)
		}
		for _, a := range []metadata.Annotation{
			{Key: "genotype/variation", Value: "control", Characteristic: true},
			{Key: "tissue", Value: "kidney marrow", Characteristic: true},
			{Key: "source_name_ch1", Value: "Kidney marrow_Control-zebrafish"},
			{Key: "title", Value: "Kidney marrow_Control-zebrafish_4"},
			{Key: "contact_name", Value: "Chiara,,Borga"},
		} {
			if !hasAnn(s.Annotations, a) {
				t.Errorf("lacks %+v", a)
			}
		}
		// the last column's value must not keep the CR of the line end
		if got := s.Values("type"); !slices.Equal(got, []string{"RNA"}) {
			t.Errorf("type = %q", got)
		}
	})

	t.Run("E-GEOD-39842: 2018 ArrayExpress sheet", func(t *testing.T) {
		d := parseTSVFile(t, sheet2018, "E-GEOD-39842")
		if len(d.Samples) != 12 {
			t.Fatalf("%d samples", len(d.Samples))
		}
		s := sample(t, d, "E-GEOD-39842-GSM980280")
		if s.Title != "7 days post-amputation dnHIF1a-expressing adult zebrafish, sample 2" || s.Treatment != "amputation" {
			t.Errorf("GSM980280: %+v", *s)
		}
		for _, a := range []metadata.Annotation{
			{Key: "time post-treatment", Value: "7 days", Characteristic: true},
			{Key: "TREATMENT", Value: "amputation", Characteristic: true},
			{Key: "assay", Value: "GSM980280"},
		} {
			if !hasAnn(s.Annotations, a) {
				t.Errorf("lacks %+v", a)
			}
		}
		for _, a := range s.Annotations {
			if a.Key == "file" && a.Characteristic {
				t.Errorf("file column taken as a characteristic")
			}
		}
	})

	t.Run("SRP110235: RNA-seq sheet with experiment_accession", func(t *testing.T) {
		d := parseTSVFile(t, sheetSRP110235, "")
		if len(d.Samples) != 4 || len(d.Studies) != 1 || d.Studies[0].Accession != "SRP110235" {
			t.Fatalf("%d samples, studies %+v", len(d.Samples), d.Studies)
		}
		s := sample(t, d, "SRR5828214")
		if s.Processed != metadata.Some(true) || s.CellLine != "c57bl/6" || s.Treatment != "mock" || s.Title != "Control_rep1" ||
			s.Platform != "Illumina HiSeq 2000 (IlluminaHiSeq2000)" || len(s.Annotations) != 0 {
			t.Errorf("SRR5828214: %+v", *s)
		}
	})

	t.Run("early 2018: unprefixed columns", func(t *testing.T) {
		d := parseTSVFile(t, sheetEarly2018, "E-GEOD-39842")
		if len(d.Samples) != 12 {
			t.Fatalf("%d samples", len(d.Samples))
		}
		s := sample(t, d, "E-GEOD-39842-GSM980277")
		if s.Title != "Unamputated wildtype adult zebrafish, sample 2" || s.Organism != "DANIO_RERIO" ||
			s.Platform != "Affymetrix Zebrafish Genome Array (zebrafish)" || s.SpecimenPart != "heart" || s.Treatment != "none" {
			t.Errorf("GSM980277: %+v", *s)
		}
		for _, a := range s.Annotations {
			if a.Key == "annotations" || a.Key == "organism" || a.Key == "platform" || a.Characteristic {
				t.Errorf("early refine.bio column kept as annotation %+v", a)
			}
		}
		if !hasAnn(s.Annotations, metadata.Annotation{Key: "sample_id", Value: "Unamputated wildtype adult zebrafish, sample 2"}) {
			t.Errorf("sample_id: %+v", s.Annotations)
		}
	})

	t.Run("SPECIES sheet: several experiments", func(t *testing.T) {
		d := parseTSVFile(t, sheetSpecies, "")
		if len(d.Samples) != 22 || len(d.Studies) != 2 {
			t.Fatalf("%d samples, %d studies", len(d.Samples), len(d.Studies))
		}
		if got := d.StudySamples("E-GEOD-39842"); len(got) != 12 {
			t.Errorf("E-GEOD-39842: %d samples", len(got))
		}
		g := sample(t, d, "GSM1831675")
		for _, a := range []metadata.Annotation{
			{Key: "tissue", Value: "kidney marrow", Characteristic: true},
			{Key: "genotype/variation", Value: "overexpressing the human CREB", Characteristic: true},
			{Key: "source_name_ch1", Value: "Kidney marrow_CREB-zebrafish"},
		} {
			if !hasAnn(g.Annotations, a) {
				t.Errorf("GSM1831675 lacks %+v; has %+v", a, g.Annotations)
			}
		}
		for _, a := range g.Annotations {
			if a.Characteristic && a.Key != "tissue" && a.Key != "genotype/variation" {
				t.Errorf("GSM1831675: %+v is not a characteristic in a sheet with prefixed characteristic columns", a)
			}
		}
		ae := sample(t, d, "E-GEOD-39842-GSM980280")
		if !hasAnn(ae.Annotations, metadata.Annotation{Key: "organism part", Value: "heart", Characteristic: true}) {
			t.Errorf("characteristic_ column: %+v", ae.Annotations)
		}
	})
}

func TestParseTSVColumns(t *testing.T) {
	sheet := "\xef\xbb\xbf" + strings.Join([]string{
		"refinebio_accession_code\texperiment_accession\trefinebio_title\trefinebio_processed\tcharacteristics_ch1_disease state\tcharacteristics_ch1_tissue\tsource_name_ch1\tdescription\tvariable_time\tMetaSRA_sex",
		"GSM1\tGSE2\t\"Septic \"\"shock\"\" patient\"\tTrue\tseptic shock\twhole blood\tblood\t\"line one\nline two\"\tday 1\tfemale",
		"GSM2\tGSE2\tControl 1\tFalse\t\t\t\t\t\t",
		"",
		"\t\t\t\t\t\t\t\t\t",
		"GSM3\tGSE2\tp3\t\thealthy\t\t\t\t\t",
	}, "\r\n") + "\r\n"
	d, err := metadata.ParseTSV(strings.NewReader(sheet), "m.tsv", "GSE1")
	if err != nil {
		t.Fatal(err)
	}
	if got := accessions(d.Samples); !slices.Equal(got, []string{"GSM1", "GSM2", "GSM3"}) {
		t.Fatalf("samples %v (blank rows must be skipped)", got)
	}
	s := sample(t, d, "GSM1")
	if s.Title != `Septic "shock" patient` || s.Processed != metadata.Some(true) {
		t.Errorf("quoted title %q, processed %+v", s.Title, s.Processed)
	}
	// the folder's study and the sheet's experiment_accession both hold it
	if !slices.Equal(s.Experiments, []string{"GSE1", "GSE2"}) {
		t.Errorf("experiments %v", s.Experiments)
	}
	want := []metadata.Annotation{
		{Key: "disease state", Value: "septic shock", Characteristic: true},
		{Key: "tissue", Value: "whole blood", Characteristic: true},
		{Key: "source_name_ch1", Value: "blood"},
		{Key: "description", Value: "line one\nline two"},
		{Key: "time", Value: "day 1", Characteristic: true},
		{Key: "MetaSRA_sex", Value: "female"},
	}
	if !slices.Equal(s.Annotations, want) {
		t.Errorf("annotations\n got %+v\nwant %+v", s.Annotations, want)
	}
	if s2 := sample(t, d, "GSM2"); s2.Processed != metadata.Some(false) || len(s2.Annotations) != 0 {
		t.Errorf("GSM2: %+v", *s2)
	}
	if s3 := sample(t, d, "GSM3"); s3.Processed.Valid {
		t.Errorf("GSM3 processed %+v, want unknown", s3.Processed)
	}
	if len(d.Studies) != 2 {
		t.Errorf("studies %+v", d.Studies)
	}
}

func TestParseTSVErrors(t *testing.T) {
	const head = "refinebio_accession_code\trefinebio_title\trefinebio_processed\n"
	cases := []struct {
		name, sheet string
		code        qc.Code
		line, col   int64
		msg         string
	}{
		{"empty file", "", qc.InvalidFormat, 0, 0, "empty sample sheet"},
		{"no accession column", "title\tdisease\nx\ty\n", qc.InvalidFormat, 1, 0, `no refinebio_accession_code column (its columns begin "title", "disease")`},
		{"row too long", head + "GSM1\tt\tTrue\n" + "GSM2\tt\tTrue\textra\n", qc.ParseError, 3, 4, "row has 4 fields, the header 3"},
		{"row too short", head + "GSM1\tt\n", qc.ParseError, 2, 2, "row has 2 fields, the header 3"},
		{"a row of NUL padding", head + "GSM1\tt\tTrue\n\x00\x00\x00\x00\n", qc.EncodingError, 3, 1,
			"the row holds a NUL character (U+0000) at character 1 of its field, and 1 fields where the header has 3: NUL bytes in a text file mean it was padded or damaged"},
		{"quote joins lines", head + "GSM1\t\"t\tTrue\nGSM2\tu\tTrue\n", qc.ParseError, 2, 2, "stray double quote"},
		{"missing accession", head + "GSM1\tt\tTrue\n\tt2\tFalse\n", qc.ParseError, 3, 1, "no accession code"},
		{"duplicate sample", head + "GSM1\tt\tTrue\nGSM2\tu\tTrue\nGSM1\tv\tFalse\n", qc.DuplicateSamples, 4, 1, "GSM1 already appears on line 2"},
		{"bad boolean", head + "GSM1\tt\tperhaps\n", qc.ParseError, 2, 3, `refinebio_processed is not a boolean: "perhaps"`},
		{"two title columns", "refinebio_accession_code\trefinebio_title\trefinebio_title\n", qc.InvalidFormat, 1, 3, `columns 2 ("refinebio_title") and 3 ("refinebio_title") both hold the sample's title`},
		{"bad UTF-8 value", head + "GSM1\tt\xff\tTrue\n", qc.EncodingError, 2, 2, `column "refinebio_title" is not valid UTF-8`},
		{"NUL in a title", head + "GSM1\tt\tTrue\nGSM2\tab\x00c\tTrue\n", qc.EncodingError, 3, 2, `column "refinebio_title" holds a NUL character (U+0000) at character 3`},
		{"byte order mark opening a later line", head + "GSM1\tt\tTrue\n\ufeffGSM2\tt\tTrue\n", qc.EncodingError, 3, 1,
			`line 3 begins with a byte order mark (U+FEFF)`},
		{"zero-width space ending an accession", head + "GSM1\tt\tTrue\nGSM2\u200b\tt\tTrue\n", qc.EncodingError, 3, 1,
			`column "refinebio_accession_code": accession "GSM2\u200b" holds the invisible character U+200B at character 5`},
		{"byte order mark inside an accession", head + "GSM\ufeff1\tt\tTrue\n", qc.EncodingError, 2, 1, "holds a byte order mark (U+FEFF) at character 4"},
		{"line separator ending an accession", head + "GSM1\tt\tTrue\nGSM2\u2028\tt\tTrue\n", qc.EncodingError, 3, 1,
			`column "refinebio_accession_code": accession "GSM2\u2028" holds the invisible character U+2028 at character 5`},
		{"zero-width joiner in an experiment accession", "refinebio_accession_code\texperiment_accession\nGSM1\tGSE\u200d1\n", qc.EncodingError, 2, 2,
			`column "experiment_accession": accession "GSE\u200d1" holds the invisible character U+200D`},
		{"bad UTF-8 header", "refinebio_accession_code\tti\xfftle\n", qc.EncodingError, 1, 2, "column name is not valid UTF-8"},
		{"NUL in a column name", "refinebio_accession_code\ttitle\tcharacteristics_ch1_a\x00ge\nGSM1\tt\t3\n", qc.EncodingError, 1, 3, "column name holds a NUL character (U+0000) at character 22"},
		{"header only", head, qc.InvalidFormat, 0, 0, "a header but no sample rows"},
		{"header and blank rows", head + "\n\t\t\n", qc.InvalidFormat, 0, 0, "a header but no sample rows"},
		{"CR-only lines", strings.ReplaceAll(head+"GSM1\tt\tTrue\nGSM2\tu\tFalse\n", "\n", "\r"), qc.InvalidFormat, 1, 3, "end in CR only"},
		{"CR-only lines after a BOM", "\ufeffrefinebio_accession_code\rGSM1\r", qc.InvalidFormat, 1, 1, "tr '\\r' '\\n'"},
		{"CR inside a header name", "refinebio_accession_code\tti\rtle\nGSM1\tt\n", qc.InvalidFormat, 1, 2, "CR"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := metadata.ParseTSV(strings.NewReader(tc.sheet), "m.tsv", "")
			var e *qc.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %v is not a *qc.Error", err, err)
			}
			if !errors.Is(err, tc.code) || e.File != "m.tsv" || e.Line != tc.line || e.Column != tc.col {
				t.Errorf("got %s at %s:%d:%d, want %s at %d:%d: %v", e.Code.Name(), e.File, e.Line, e.Column, tc.code.Name(), tc.line, tc.col, err)
			}
			if !strings.Contains(e.Error(), tc.msg) {
				t.Errorf("message %q lacks %q", e.Error(), tc.msg)
			}
		})
	}
}

func TestParseTSVMultilineRowsKeepTheirLine(t *testing.T) {
	sheet := "refinebio_accession_code\tdescription\trefinebio_processed\n" +
		"GSM1\t\"a\nb\nc\"\tTrue\n" +
		"GSM2\tplain\tnope\n"
	_, err := metadata.ParseTSV(strings.NewReader(sheet), "m.tsv", "")
	var e *qc.Error
	if !errors.As(err, &e) || e.Line != 5 || e.Column != 3 {
		t.Fatalf("want the error on line 5 column 3 (after a three-line field), got %v", err)
	}
}

// TestParseTSVCutGzip: a gzipped sheet cut short fails where its text
// stops, and says on which line, not only "unexpected EOF".
func TestParseTSVCutGzip(t *testing.T) {
	var sheet strings.Builder
	sheet.WriteString("\ufeffrefinebio_accession_code\trefinebio_title\n")
	for i := range 200 {
		fmt.Fprintf(&sheet, "GSM%d\tsample %d of a sheet that gzip cannot shrink much: %x\n", i, i, sha256.Sum256([]byte{byte(i)}))
	}
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte(sheet.String()))
	w.Close()
	cut := gz.Bytes()[:gz.Len()/2]
	// what gunzip gives of the cut file: where the text stops
	zr, err := gzip.NewReader(bytes.NewReader(cut))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("reading the cut gzip: %v", err)
	}
	line := int64(bytes.Count(got, []byte{'\n'}) + 1)
	col := int64(len(got) - bytes.LastIndexByte(got, '\n'))

	zr, _ = gzip.NewReader(bytes.NewReader(cut))
	_, err = metadata.ParseTSV(zr, "m.tsv.gz", "")
	var e *qc.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %v is not a *qc.Error", err, err)
	}
	if !errors.Is(err, qc.InvalidFormat) || !errors.Is(err, io.ErrUnexpectedEOF) || e.File != "m.tsv.gz" || e.Line != line || e.Column != col {
		t.Errorf("got %v at line %d column %d, want InvalidFormat wrapping unexpected EOF at %d:%d", err, e.Line, e.Column, line, col)
	}
	if line < 3 {
		t.Errorf("the cut is on line %d: the test means it past the header", line)
	}
}

// TestParseTSVByteOrderMarkInText: a byte order mark inside a free text (a
// title copied from elsewhere) is the text's own and is kept; only one
// opening a line, where a joined file leaves it, is refused.
func TestParseTSVByteOrderMarkInText(t *testing.T) {
	sheet := "refinebio_accession_code\trefinebio_title\nGSM1\tKidney\ufeff marrow\n"
	d, err := metadata.ParseTSV(strings.NewReader(sheet), "m.tsv", "GSE1")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Samples) != 1 || d.Samples[0].Title != "Kidney\ufeff marrow" {
		t.Fatalf("samples %+v, want GSM1 titled as written", d.Samples)
	}
}

// A column with no name in the header is read as nothing: a trailing tab's
// empty column says nothing, but one over values (a name deleted by hand)
// would lose them in silence, so it is a WARNING naming the first value's
// line and column.
func TestParseTSVUnnamedColumn(t *testing.T) {
	for _, tc := range []struct {
		name, sheet string
		line, col   int64
		says        string
	}{
		{"trailing tab", "refinebio_accession_code\trefinebio_title\t\nGSM1\tp1\t\nGSM2\tp2\t\n", 0, 0, ""},
		{"blank header over values", "refinebio_accession_code\t\trefinebio_title\nGSM1\t\tp1\nGSM2\tsepsis\tp2\nGSM3\thealthy\tp3\n", 3, 2,
			`column 2 has no name in the header (line 1) yet holds 2 value(s), the first "sepsis": they are not read`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := metadata.ParseTSV(strings.NewReader(tc.sheet), "m.tsv", "GSE1")
			if err != nil {
				t.Fatal(err)
			}
			if tc.says == "" {
				if len(d.Findings) != 0 {
					t.Errorf("findings %v, want none", d.Findings)
				}
				return
			}
			if len(d.Findings) != 1 {
				t.Fatalf("findings %v, want one", d.Findings)
			}
			f := d.Findings[0]
			if f.Code != qc.InvalidFormat || f.Severity != qc.SeverityWarning || f.File != "m.tsv" || f.Line != tc.line || f.Column != tc.col || !strings.Contains(f.Msg, tc.says) {
				t.Errorf("finding %v, want a 1002 WARNING at m.tsv:%d:%d saying %q", f, tc.line, tc.col, tc.says)
			}
		})
	}
}

// A sheet row whose experiment_accession joins several accessions by hand
// puts its sample in each, not in a study named by the joined text.
func TestParseTSVJoinedExperiments(t *testing.T) {
	sheet := "refinebio_accession_code\texperiment_accession\nGSM1\tGSE1, GSE2\nGSM2\tGSE1;GSE3\nGSM3\tGSE1\nGSM4\tGSE1 GSE4\nGSM5\tGSE1|GSE5\nGSM6\tnot available\n"
	d, err := metadata.ParseTSV(strings.NewReader(sheet), "m.tsv", "")
	if err != nil {
		t.Fatal(err)
	}
	var studies []string
	for _, st := range d.Studies {
		studies = append(studies, st.Accession)
	}
	if !slices.Equal(studies, []string{"GSE1", "GSE2", "GSE3", "GSE4", "GSE5", "not available"}) {
		t.Errorf("studies %v, want GSE1 to GSE5 and the words as written", studies)
	}
	if s := d.Sample("GSM1"); s == nil || !slices.Equal(s.Experiments, []string{"GSE1", "GSE2"}) {
		t.Errorf("GSM1 in %v, want GSE1 and GSE2", s)
	}
}

// TestParseTSVCharacteristicPrefixes: every prefix under which refine.bio
// flattens a submitter's characteristics (GEO characteristics_ch1/ch2,
// ArrayExpress characteristic, variable and factor value columns) gives
// a characteristic of the key after it, in any case.
func TestParseTSVCharacteristicPrefixes(t *testing.T) {
	for _, prefix := range []string{
		"characteristics_ch1_", "characteristics_ch2_", "characteristics_ch1.", "characteristics_ch2.",
		"characteristic_", "characteristics.", "variable_", "factorvalue_", "factor_value_", "Factor_Value_",
	} {
		d, err := metadata.ParseTSV(strings.NewReader("refinebio_accession_code\t"+prefix+"disease state\nGSM1\tseptic shock\n"), "m.tsv", "GSE1")
		if err != nil {
			t.Fatalf("%s: %v", prefix, err)
		}
		want := []metadata.Annotation{{Key: "disease state", Value: "septic shock", Characteristic: true}}
		if got := sample(t, d, "GSM1").Annotations; !slices.Equal(got, want) {
			t.Errorf("column %sdisease state: annotations %+v, want %+v", prefix, got, want)
		}
	}
}
