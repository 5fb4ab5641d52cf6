package metadata_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/genexp/genexp/expression/synth"
	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/qc"
	"github.com/google/go-cmp/cmp"
)

// TestParseJSONReadSizes parses every JSON fixture from readers that hand
// over one byte, or a few, at a time: a token, a key, a NaN or a
// line count cut by a read's end must read as when whole.
func TestParseJSONReadSizes(t *testing.T) {
	quirks := "\xef\xbb\xbf" + `{"ks_statistic": NaN, "ks_pvalue": -Infinity, "samples": [{"refinebio_accession_code": "S1",
		"refinebio_title": "NaN \"Infinity\\\\\" -Infinity", "refinebio_age": Infinity}, {"refinebio_accession_code": "S2"}]}`
	docs := map[string][]byte{"quirks": []byte(quirks)}
	for _, p := range []string{currentJSON, json2018, jsonEarly2018, speciesJSON, speciesList} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		docs[p] = b
	}
	for name, doc := range docs {
		want, err := metadata.ParseJSON(bytes.NewReader(doc), name)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []struct {
			how string
			r   io.Reader
		}{
			{"one byte", iotest.OneByteReader(bytes.NewReader(doc))},
			{"half", iotest.HalfReader(bytes.NewReader(doc))},
			{"data with EOF", iotest.DataErrReader(bytes.NewReader(doc))},
		} {
			got, err := metadata.ParseJSON(r.r, name)
			if err != nil {
				t.Fatalf("%s, %s: %v", name, r.how, err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s, %s: differs from one read (-want +got):\n%s", name, r.how, diff)
			}
		}
	}
	d, err := metadata.ParseJSON(iotest.OneByteReader(strings.NewReader(quirks)), "quirks")
	if err != nil {
		t.Fatal(err)
	}
	if s := sample(t, d, "S1"); s.Title != `NaN "Infinity\\" -Infinity` || s.Age != "" || d.KSStatistic.Valid || d.KSPValue.Valid {
		t.Errorf("non-finite tokens: title %q age %q ks %+v %+v", s.Title, s.Age, d.KSStatistic, d.KSPValue)
	}
}

// TestParseJSONErrorsFarIn puts a syntax error and a truncation after
// several megabytes of samples: the line and column are still exact once
// the parser has let go of what it read before.
func TestParseJSONErrorsFarIn(t *testing.T) {
	var b strings.Builder
	b.WriteString("{\n \"samples\": {\n")
	const n = 30000
	for i := range n {
		fmt.Fprintf(&b, "  \"GSM%d\": {\"refinebio_accession_code\": \"GSM%d\", \"refinebio_title\": \"sample %d of a long document\"},\n", i, i, i)
	}
	good := b.String()
	lines := int64(strings.Count(good, "\n")) // the next line is lines+1
	if len(good) < 3<<20 {
		t.Fatalf("document of %d bytes is too short to test releasing", len(good))
	}
	for _, tc := range []struct {
		name, tail string
		line, col  int64
		msg        string
	}{
		{"bare word", `  "GSMx": {"refinebio_title": nope}}}`, lines + 1, 32, "in literal null"},
		{"missing colon", `  "GSMx" {}}}`, lines + 1, 10, `expected ":"`},
		{"truncated", `  "GSMx": {"refinebio_title": "cut`, lines + 1, 35, "truncated"},
		{"second document", "  \"GSMx\": {}}}\n{}", lines + 2, 1, "after the end of the document"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseJSON(t, good+tc.tail)
			e := assertJSONErr(t, err, qc.ParseError, "")
			if e.Line != tc.line || e.Column != tc.col || !strings.Contains(e.Error(), tc.msg) {
				t.Errorf("got %d:%d %q, want %d:%d %q", e.Line, e.Column, e.Error(), tc.line, tc.col, tc.msg)
			}
		})
	}
	// a value's error names the line its sample starts on
	for _, tc := range []struct {
		name, tail string
		line       int64
	}{
		{"NUL on the next line", `  "GSMx": {"refinebio_title": "a\u0000"}}}`, lines + 1},
		{"NUL after a sample of two lines", "  \"GSMy\": {\n \"refinebio_title\": \"b\"},\n  \"GSMx\":\n  {\"refinebio_title\": \"a\\u0000\"}}}", lines + 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseJSON(t, good+tc.tail)
			e := assertJSONErr(t, err, qc.EncodingError, "samples.GSMx.refinebio_title")
			if e.Line != tc.line || e.Column != 0 {
				t.Errorf("at %d:%d, want %d:0: %v", e.Line, e.Column, tc.line, err)
			}
		})
	}
	d, err := parseJSON(t, good+"  \"GSMx\": {}}}\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Samples) != n+1 {
		t.Errorf("%d samples, want %d", len(d.Samples), n+1)
	}
}

// TestParseJSONReadFailure: a reader that fails mid-document is an
// unreadable file (InvalidFormat) that wraps the reader's error, never a
// syntax error, and names where the input stopped.
func TestParseJSONReadFailure(t *testing.T) {
	cause := errors.New("disk on fire")
	doc := "{\"samples\": {\n\"GSM1\": {\"refinebio_accession_code\": \"GSM1\"}"
	_, err := parseJSONReader(io.MultiReader(strings.NewReader(doc), iotest.ErrReader(cause)))
	e := assertJSONErr(t, err, qc.InvalidFormat, "")
	if !errors.Is(err, cause) {
		t.Errorf("%v does not wrap the reader's error", err)
	}
	// where the input stopped: one past the last byte of line 2
	if e.Line != 2 || e.Column != int64(len(doc)-strings.IndexByte(doc, '\n')) {
		t.Errorf("at %d:%d, want 2:%d: %v", e.Line, e.Column, len(doc)-strings.IndexByte(doc, '\n'), err)
	}
}

func parseJSONReader(r io.Reader) (*metadata.Dataset, error) {
	return metadata.ParseJSON(r, "test.json")
}

// BenchmarkParseJSON parses, from its file, the aggregated metadata of a
// synthetic SPECIES download: 10,000 samples in 50 studies, about 20 MB
// (GENEXP_BENCH_SAMPLES sets another count, in studies of 200 samples).
// With GENEXP_BENCH_METADATA=FILE it parses FILE, generating it there
// first if it does not exist, so that a second run's peak resident memory
// is the parser's alone (generation holds the whole document):
//
//	export GENEXP_BENCH_SAMPLES=40000 GENEXP_BENCH_METADATA=/tmp/genexp-meta-40k.json
//	go test -run '^$' -bench ParseJSON -benchmem ./metadata
//	go test -c -o /tmp/metadata.test ./metadata
//	/usr/bin/time -f '%M KB' /tmp/metadata.test -test.run '^$' -test.bench ParseJSON -test.benchtime 1x
func BenchmarkParseJSON(b *testing.B) {
	path := os.Getenv("GENEXP_BENCH_METADATA")
	if _, err := os.Stat(path); path == "" || errors.Is(err, os.ErrNotExist) {
		n := 10000
		if v := os.Getenv("GENEXP_BENCH_SAMPLES"); v != "" {
			if n, err = strconv.Atoi(v); err != nil || n < 200 {
				b.Fatalf("GENEXP_BENCH_SAMPLES=%q: want a count of at least 200", v)
			}
		}
		m, err := synth.Write(b.TempDir(), synth.Spec{Genes: 1, Samples: n, Studies: n / 200})
		if err != nil {
			b.Fatal(err)
		}
		generated := m.Path + "/aggregated_metadata.json"
		if path == "" {
			path = generated
		} else if err := os.Rename(generated, path); err != nil {
			b.Fatal(err)
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	b.ReportAllocs()
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		d, err := metadata.ParseJSON(f, path)
		f.Close()
		if err != nil || len(d.Samples) == 0 {
			b.Fatalf("%v samples: %v", d != nil && len(d.Samples) > 0, err)
		}
	}
}

// TestParseJSONColumnsAfterNonFinite: NaN, Infinity and -Infinity read as
// null, yet an error after them on the same line names the column of its
// own byte, read whole or a byte at a time.
func TestParseJSONColumnsAfterNonFinite(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		line      int64
		at        string // the text the error is at, first found after the last newline
	}{
		{"four Infinity in a list", `{"samples": {"S": {"title": "t"}}, "x": [Infinity, Infinity, Infinity, Infinity, y]}`, 1, "y]"},
		{"NaN grows when rewritten", `{"x": [NaN, NaN, NaN, NaN, NaN, NaN, oops]}`, 1, "oops"},
		{"every token, then a bad key", `{"a": NaN, "b": -Infinity, "c": Infinity, "d": [NaN, -Infinity], e: 1}`, 1, "e: 1"},
		{"inside a sample", "{\"samples\": {\n  \"S1\": {\"refinebio_age\": NaN, \"refinebio_sex\": -Infinity, \"refinebio_title\": Infinity, \"x\": tru}}}", 2, "}}}"},
		{"on a later line", "{\"x\": [NaN,\n NaN, Infinity, -Infinity, NaN, 1 2]}", 2, "2]"},
		{"strings keep their tokens", `{"x": ["NaN", "Infinity", NaN, "-Infinity\"NaN", Infinity, *]}`, 1, "*]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lineStart := strings.LastIndexByte(tc.doc, '\n') + 1
			col := int64(strings.Index(tc.doc[lineStart:], tc.at) + 1)
			for _, r := range []io.Reader{strings.NewReader(tc.doc), iotest.OneByteReader(strings.NewReader(tc.doc))} {
				_, err := metadata.ParseJSON(r, "test.json")
				e := assertJSONErr(t, err, qc.ParseError, "")
				if e.Line != tc.line || e.Column != col {
					t.Errorf("error at %d:%d, want %d:%d (%q): %v", e.Line, e.Column, tc.line, col, tc.at, err)
				}
			}
		})
	}
}

// TestParseJSONInvalidUTF8: a byte that is not UTF-8 in a string is an
// EncodingError at its line and column, as in a sample sheet; encoding/json
// alone would read it as U+FFFD.
func TestParseJSONInvalidUTF8(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		line      int64
		bad       string // the first byte that is not UTF-8
	}{
		{"Latin-1 title", "{\"samples\": {\n  \"S1\": {\"refinebio_title\": \"caf\xe9\"}}}", 2, "\xe9"},
		{"in a key", "{\"samples\": {\"S\xff1\": {}}}", 1, "\xff"},
		{"in an unused field after NaN", "{\"x\": NaN, \"y\": \"a\xc3\"}", 1, "\xc3"},
		{"cut sequence in a list", "{\"experiments\": {\"E\": {\"sample_titles\": [\"ok\", \"\xe2\x82\"]}}}", 1, "\xe2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseJSON(t, tc.doc)
			e := assertJSONErr(t, err, qc.EncodingError, "")
			col := int64(strings.Index(tc.doc, tc.bad) - strings.LastIndexByte(tc.doc, '\n'))
			if e.Line != tc.line || e.Column != col || !strings.Contains(e.Msg, "UTF-8") {
				t.Errorf("error at %d:%d, want %d:%d: %v", e.Line, e.Column, tc.line, col, err)
			}
		})
	}
	// U+FFFD itself, written as UTF-8 or escaped, is text like any other
	d, err := parseJSON(t, `{"samples": {"S1": {"refinebio_title": "a`+"\uFFFD"+`b\ufffd"}}}`)
	if err != nil {
		t.Fatal(err)
	}
	if got := sample(t, d, "S1").Title; got != "a\uFFFDb\uFFFD" {
		t.Errorf("title %q", got)
	}
}

// BenchmarkLinkOneLargeStudy reads the metadata of one study of 20,000
// samples as a download gives it, its aggregated_metadata.json and its
// sample sheet, and merges the two: the linking of each sample to its
// study must stay linear in the samples of the study (it was quadratic,
// about 15 s for 40,000).
//
//	go test -run '^$' -bench LinkOneLargeStudy ./metadata
func BenchmarkLinkOneLargeStudy(b *testing.B) {
	const samples = 20000
	m, err := synth.Write(b.TempDir(), synth.Spec{Genes: 1, Samples: samples, Studies: 1})
	if err != nil {
		b.Fatal(err)
	}
	sheets, err := filepath.Glob(filepath.Join(m.Path, "*", "metadata_*.tsv"))
	if err != nil || len(sheets) != 1 {
		b.Fatalf("sample sheets %q (%v), want one", sheets, err)
	}
	for b.Loop() {
		var sets []*metadata.Dataset
		for _, p := range []string{filepath.Join(m.Path, "aggregated_metadata.json"), sheets[0]} {
			f, err := os.Open(p)
			if err != nil {
				b.Fatal(err)
			}
			var d *metadata.Dataset
			if strings.HasSuffix(p, ".json") {
				d, err = metadata.ParseJSON(f, p)
			} else {
				d, err = metadata.ParseTSV(f, p, "")
			}
			f.Close()
			if err != nil {
				b.Fatal(err)
			}
			sets = append(sets, d)
		}
		d := metadata.Merge(sets...)
		if len(d.Studies) != 1 || len(d.Studies[0].SampleAccessions) != samples {
			b.Fatalf("%d studies, want one of %d samples", len(d.Studies), samples)
		}
	}
}
