package metadata_test

import (
	"bytes"
	"errors"
	"os"
	"sort"
	"testing"

	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/qc"
)

func addFileSeeds(f *testing.F, paths ...string) {
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// checkResult holds ParseJSON and ParseTSV to their contract on any input:
// a *qc.Error, or a dataset whose samples are sorted, keyed by distinct
// non-empty accessions and linked to studies both ways.
func checkResult(t *testing.T, d *metadata.Dataset, err error) {
	t.Helper()
	if err != nil {
		var e *qc.Error
		if !errors.As(err, &e) {
			t.Fatalf("error %T is not a *qc.Error: %v", err, err)
		}
		if e.File != "fuzz" || e.Severity != qc.SeverityError || e.Msg == "" {
			t.Fatalf("error lacks its file, severity or message: %+v", e)
		}
		return
	}
	if !sort.SliceIsSorted(d.Samples, func(i, j int) bool { return d.Samples[i].Accession < d.Samples[j].Accession }) {
		t.Fatal("samples not sorted")
	}
	for i, s := range d.Samples {
		if s.Accession == "" {
			t.Fatal("sample without accession")
		}
		if i > 0 && d.Samples[i-1].Accession == s.Accession {
			t.Fatalf("sample %q twice", s.Accession)
		}
		for _, e := range s.Experiments {
			if st := d.Study(e); st == nil || !contains(st.SampleAccessions, s.Accession) {
				t.Fatalf("sample %s says study %s, which does not list it", s.Accession, e)
			}
		}
		for _, f := range []string{"title", "characteristics", "source_name", "disease"} {
			for _, v := range s.Values(f) {
				if v == "" {
					t.Fatalf("Values(%q) returned an empty string", f)
				}
			}
		}
	}
	metadata.Merge(d, d)
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func FuzzParseJSON(f *testing.F) {
	addFileSeeds(f, currentJSON, json2018, jsonEarly2018, speciesList)
	for _, s := range []string{
		`{}`, `null`, `[]`, `{"samples": []}`, `{"samples": {"a": null}}`, `{"ks_statistic": NaN}`,
		`{"experiments": {"E": {"sample_titles": ["t"]}}, "samples": {"t": {"title": "t"}}}`,
		`{"samples": {"S": {"refinebio_annotations": [{"characteristics_ch1": ["a: b", ":", "x"]}]}}}`,
		"\xef\xbb\xbf{\"samples\": {\"S\": {\"refinebio_processed\": \"True\"}}}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := metadata.ParseJSON(bytes.NewReader(data), "fuzz")
		checkResult(t, d, err)
	})
}

func FuzzParseTSV(f *testing.F) {
	addFileSeeds(f, sheet2018, sheetGSE71270, sheetSRP110235, sheetEarly2018, sheetSpecies)
	for _, s := range []string{
		"", "refinebio_accession_code\n", "refinebio_accession_code\tx\nA\t\"b\nc\"\n",
		"accession_code\ttitle\tannotations\nA\tt\t[]\n", "\xef\xbb\xbfrefinebio_accession_code\r\nA\r\nA\r\n",
		"refinebio_accession_code\tx\rA\t1\r",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := metadata.ParseTSV(bytes.NewReader(data), "fuzz", "GSE1")
		checkResult(t, d, err)
	})
}
