package qc_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/genexp/genexp/qc"
)

func TestLooksUTF16(t *testing.T) {
	for _, c := range []struct {
		head string
		want bool
	}{
		{"\xff\xfeG\x00", true},             // little endian, with its mark
		{"\xfe\xff\x00G", true},             // big endian, with its mark
		{"G\x00e\x00n\x00e\x00", true},      // little endian, ASCII letters
		{"\x00G\x00e\x00n\x00e", true},      // big endian, ASCII letters
		{"G\x00e\x00n\x00e\x00\t", true},    // an odd last byte is not looked at
		{"\xef\xbb\xbfGene\t", false},       // UTF-8 with its mark
		{"Gene\tGSM1\n", false},             // UTF-8
		{"G\x00", false},                    // too short to tell
		{"G\x00e\x00n\x00\tA\n", false},     // a NUL or two, not every other byte
		{"\x00\x00\x00\x00", false},         // NULs only
		{"\x1f\x8b\x08\x00\x00\x00", false}, // gzip
	} {
		if got := qc.LooksUTF16([]byte(c.head)); got != c.want {
			t.Errorf("LooksUTF16(%q) = %v, want %v", c.head, got, c.want)
		}
	}
}

func TestNotText(t *testing.T) {
	for _, c := range []struct {
		head, file, ext string
		code            qc.Code
		says            string
	}{
		{"\x1f\x8b\x08\x00", "d/GSE1/GSE1.tsv", ".tsv", qc.InvalidFormat, "rename it to GSE1.tsv.gz"},
		{"\x1f\x8b\x08\x00", "d.zip!aggregated_metadata.json", ".json", qc.InvalidFormat, "rename it to aggregated_metadata.json.gz"},
		{"\x1f\x8b\x08\x00", "d/GSE1/GSE1.tsv.gz", ".tsv", qc.InvalidFormat, "gzip-compressed twice (decompressed once, it is gzip data again): decompress it once, keeping the name (gunzip -c GSE1.tsv.gz > once.gz, then move once.gz to GSE1.tsv.gz)"},
		{"PK\x03\x04", "metadata_GSE1.tsv", ".tsv", qc.InvalidFormat, "a zip file, not a sample sheet"},
		{"\xff\xfeG\x00", "metadata_GSE1.tsv", ".tsv", qc.EncodingError, "iconv -f UTF-16 -t UTF-8 old.tsv > new.tsv"},
		{"\xff\xfe\x00\x00G\x00\x00\x00", "GSE1.tsv", ".tsv", qc.EncodingError, "UTF-32 text, and genexp reads UTF-8 only: save it as UTF-8 (e.g. iconv -f UTF-32 -t UTF-8 old.tsv"},
		{"\x00\x00\xfe\xff\x00\x00\x00G", "GSE1.tsv", ".tsv", qc.EncodingError, "iconv -f UTF-32"},
		{"G\x00\x00\x00e\x00\x00\x00n\x00\x00\x00", "GSE1.tsv", ".tsv", qc.EncodingError, "iconv -f UTF-32"},
		{"\x00\x00\x00G\x00\x00\x00e", "GSE1.tsv", ".tsv", qc.EncodingError, "iconv -f UTF-32"},
		{"G\x00e\x00n\x00e\x00", "GSE1.tsv", ".tsv", qc.EncodingError, "iconv -f UTF-16"},
	} {
		e := qc.NotText([]byte(c.head), c.file, "sample sheet", c.ext)
		if e == nil || e.Code != c.code || e.File != c.file || e.Line != 1 || e.Column != 1 || e.Severity != qc.SeverityError || !strings.Contains(e.Msg, c.says) {
			t.Errorf("NotText(%q, %s) = %v, want %s at 1:1 saying %q", c.head, c.file, e, c.code.Name(), c.says)
		}
	}
	if e := qc.NotText([]byte("refinebio_accession_code\t"), "s.tsv", "sample sheet", ".tsv"); e != nil {
		t.Errorf("UTF-8 text: %v", e)
	}
}

func TestShorten(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"GSM1", 10, "GSM1"},
		{"0123456789", 10, "0123456789"},
		{"0123456789A", 10, "0123456..."},
		{"ééééé", 8, "éé..."},    // 10 bytes: the cut backs off to a character start
		{"0123456789", 2, "..."}, // a limit below 3: the "..." alone, not a panic
		{"0123456789", 0, "..."},
	} {
		if got := qc.Shorten(tc.in, tc.max); got != tc.want {
			t.Errorf("Shorten(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

func TestShortenMiddle(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"GSM1", 10, "GSM1"},
		{"0123456789", 10, "0123456789"},
		{"0123456789A", 10, "0123...89A"},
		{"7 days post-amputation wildtype adult zebrafish, sample 2", 40, "7 days post-amputat...ebrafish, sample 2"},
		{"éééééé", 10, "éé...é"}, // 12 bytes: each cut backs off to a character start
		{"0123456789", 2, "..."},
		{"0123456789", 0, "..."},
	} {
		got := qc.ShortenMiddle(tc.in, tc.max)
		if got != tc.want || len(got) > max(tc.max, 3) || !utf8.ValidString(got) {
			t.Errorf("ShortenMiddle(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}
