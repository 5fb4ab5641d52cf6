package metadata_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/qc"
)

// addSeeds adds each file cut by trim to the shape of its format in a few
// lines or kilobytes (two samples, two experiments, two rows) and, except
// when fuzzing, each whole file. The fuzzer minimizes every new input it
// finds, for up to 60 s by default, and inputs grown from whole files of
// 60–110 KB kept it minimizing: it ran no input past its seeds.
func addSeeds(f *testing.F, trim func(*testing.F, []byte) []byte, paths ...string) {
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if !fuzzing() {
			f.Add(b)
		}
		f.Add(trim(f, b))
	}
}

// firstRows cuts a sample sheet to its header and first two rows.
func firstRows(_ *testing.F, b []byte) []byte {
	lines := bytes.SplitAfter(b, []byte("\n"))
	return bytes.Join(lines[:min(3, len(lines))], nil)
}

// smallJSON cuts a metadata JSON with trimJSON.
func smallJSON(f *testing.F, b []byte) []byte {
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		f.Fatal(err)
	}
	small, err := json.Marshal(trimJSON(v))
	if err != nil {
		f.Fatal(err)
	}
	return small
}

// trimJSON keeps the first two members, in key order, of every object or
// list of more than two.
func trimJSON(v any) any {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		long := len(keys) > 2
		out := map[string]any{}
		for i, k := range keys {
			if long && i >= 2 && isObject(v[k]) {
				continue
			}
			out[k] = trimJSON(v[k])
		}
		return out
	case []any:
		if len(v) > 2 {
			v = v[:2]
		}
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = trimJSON(x)
		}
		return out
	}
	return v
}

func isObject(v any) bool { _, ok := v.(map[string]any); return ok }

// fuzzing reports whether go test runs with -fuzz.
func fuzzing() bool {
	fl := flag.Lookup("test.fuzz")
	return fl != nil && fl.Value.String() != ""
}

// checkResult holds ParseJSON and ParseTSV to their contract on any input:
// a *qc.Error of the parse family (InvalidFormat, EncodingError,
// ParseError, DuplicateSamples) at a place inside the input, or a dataset
// whose samples are sorted, keyed by distinct non-empty accessions and
// linked to studies both ways, and whose every text is UTF-8 without NUL.
// byteColumns says that every Column counts bytes of its line (JSON); a
// sample sheet's may count fields.
func checkResult(t *testing.T, data []byte, byteColumns bool, d *metadata.Dataset, err error) {
	t.Helper()
	if err != nil {
		var e *qc.Error
		if !errors.As(err, &e) {
			t.Fatalf("error %T is not a *qc.Error: %v", err, err)
		}
		if e.File != "fuzz" || e.Severity != qc.SeverityError || e.Msg == "" {
			t.Fatalf("error lacks its file, severity or message: %+v", e)
		}
		switch e.Code {
		case qc.InvalidFormat, qc.EncodingError, qc.ParseError, qc.DuplicateSamples:
		default:
			t.Fatalf("code %s is not a parse code: %v", e.Code.Name(), err)
		}
		checkPosition(t, data, byteColumns, e)
		return
	}
	checkTexts(t, reflect.ValueOf(d), "Dataset")
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

// checkPosition: a line and column, when given, lie inside data; a
// column may stand one past its line's end (where a file stops).
func checkPosition(t *testing.T, data []byte, byteColumns bool, e *qc.Error) {
	t.Helper()
	lines := bytes.Split(data, []byte{'\n'})
	if e.Line < 0 || e.Column < 0 || e.Line > int64(len(lines)) || e.Column > 0 && e.Line == 0 {
		t.Fatalf("error at %d:%d of a %d-line input: %v", e.Line, e.Column, len(lines), e)
	}
	if e.Line == 0 {
		return
	}
	limit := int64(len(data)) + 1
	if byteColumns {
		limit = int64(len(lines[e.Line-1])) + 1
	}
	if e.Column > limit {
		t.Fatalf("error at column %d of line %d, which has %d bytes: %v", e.Column, e.Line, len(lines[e.Line-1]), e)
	}
}

// checkTexts fails on any string in v that is not UTF-8 or holds a NUL.
func checkTexts(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	switch v.Kind() {
	case reflect.String:
		if s := v.String(); !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
			t.Fatalf("%s = %q is not UTF-8 text without NUL", path, s)
		}
	case reflect.Pointer:
		if !v.IsNil() {
			checkTexts(t, v.Elem(), path)
		}
	case reflect.Slice:
		for i := range v.Len() {
			checkTexts(t, v.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			return
		}
		for i := range v.NumField() {
			checkTexts(t, v.Field(i), path+"."+v.Type().Field(i).Name)
		}
	}
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
	addSeeds(f, smallJSON, currentJSON, json2018, jsonEarly2018, speciesList)
	for _, s := range []string{
		`{}`, `null`, `[]`, `{"samples": []}`, `{"samples": {"a": null}}`, `{"ks_statistic": NaN}`,
		`{"experiments": {"E": {"sample_titles": ["t"]}}, "samples": {"t": {"title": "t"}}}`,
		`{"samples": {"S": {"refinebio_annotations": [{"characteristics_ch1": ["a: b", ":", "x"]}]}}}`,
		`{"samples": {"S": {"title": "t"}}, "x": [Infinity, Infinity, Infinity, Infinity, y]}`,
		`{"samples": {"S": {"refinebio_annotations": [{"characteristic": [{"category": "age", "value": 1e400}], "n": [-1E+999, 0.50]}]}}, "experiments": {"E": {"pubmed_id": 1e400, "sample_titles": [1e400]}}}`,
		"{\"x\": [NaN, -Infinity,\n NaN, \"caf\xe9\"]}", `{"samples": {"a\u0000": {}}, "experiments": {"E\u0000": {}}}`,
		"\xef\xbb\xbf{\"samples\": {\"S\": {\"refinebio_processed\": \"True\"}}}",
		"\xff\xfe{\x00}\x00", "\xfe\xff\x00{\x00}", "{\x00\"\x00s\x00\"\x00", "\x1f\x8b\x08\x00\x00\x00\x00\x00",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := metadata.ParseJSON(bytes.NewReader(data), "fuzz")
		checkResult(t, data, true, d, err)
	})
}

func FuzzParseTSV(f *testing.F) {
	addSeeds(f, firstRows, sheet2018, sheetGSE71270, sheetSRP110235, sheetEarly2018, sheetSpecies)
	for _, s := range []string{
		"", "refinebio_accession_code\n", "refinebio_accession_code\tx\nA\t\"b\nc\"\n",
		"accession_code\ttitle\tannotations\nA\tt\t[]\n", "\xef\xbb\xbfrefinebio_accession_code\r\nA\r\nA\r\n",
		"refinebio_accession_code\tx\rA\t1\r",
		"refinebio_accession_code\tcharacteristics_ch1_a\x00b\nA\t1\n", "refinebio_accession_code\tx\n\"A\nB\"\t1\t\t\n",
		// Excel's "Unicode Text" (UTF-16LE, BOM, CRLF), UTF-16 without a
		// BOM, a gzipped sheet, and a repeated column that disagrees.
		"\xff\xfer\x00e\x00f\x00\t\x00x\x00\r\x00\n\x00A\x00\t\x001\x00\r\x00\n\x00", "r\x00e\x00f\x00\t\x00x\x00\n\x00",
		"\x1f\x8b\x08\x00\x00\x00\x00\x00", "refinebio_accession_code\tx\tx\tX\nA\t1\t2\t\nB\t1\t\t3\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := metadata.ParseTSV(bytes.NewReader(data), "fuzz", "GSE1")
		checkResult(t, data, false, d, err)
	})
}
