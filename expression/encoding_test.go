package expression_test

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/genexp/genexp/qc"
)

// TestReaderUTF16Matrix: a matrix saved as UTF-16 (Excel's "Unicode
// Text": little endian with a byte order mark and CRLF, or either byte
// order with or without the mark) was "header is not valid UTF-8", or,
// without a mark, a header of NUL-riddled names. It is an EncodingError
// at 1:1 that says what the file is and how to convert it.
func TestReaderUTF16Matrix(t *testing.T) {
	const text = "Gene\tGSM1\tGSM2\r\nENSG1\t1.5\t2\r\n"
	encode := func(le, bom bool) []byte {
		units := utf16.Encode([]rune(text))
		if bom {
			units = append([]uint16{0xFEFF}, units...)
		}
		var b []byte
		for _, u := range units {
			if le {
				b = append(b, byte(u), byte(u>>8))
			} else {
				b = append(b, byte(u>>8), byte(u))
			}
		}
		return b
	}
	for name, data := range map[string][]byte{
		"LE with BOM (Excel)": encode(true, true),
		"BE with BOM":         encode(false, true),
		"LE without BOM":      encode(true, false),
		"BE without BOM":      encode(false, false),
		"BOM only":            {0xFF, 0xFE},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, _, err := readMatrix(t, bytes.NewReader(data))
			checkErr(t, err, qc.EncodingError, 1, 1, "UTF-16 text (as Excel's 'Unicode Text' saves it)")
			if msg := err.Error(); !strings.Contains(msg, "iconv -f UTF-16 -t UTF-8") || strings.Contains(msg, "carriage return") {
				t.Errorf("%v: want iconv advice, and no word of CR line ends", err)
			}
		})
	}
	// UTF-8 text that merely starts with a short line is not UTF-16.
	if _, _, _, err := readMatrix(t, strings.NewReader("G\tA\nX\t1\n")); err != nil {
		t.Errorf("a short UTF-8 matrix: %v", err)
	}
}
