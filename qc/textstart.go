package qc

import (
	"bytes"
	"fmt"
	"path"
	"strings"
)

// TextStartBytes is how many first bytes of a file NotText looks at.
const TextStartBytes = 16

// NotText returns an error at line 1, column 1 of file when its first
// bytes (head, up to TextStartBytes of them) say that it is not UTF-8
// text at all: gzip-compressed under a name without .gz, a zip file, or
// UTF-16 text. It returns nil for anything else. what names the file as
// the user knows it ("matrix", "sample sheet", "metadata JSON"), and ext
// is the extension it should have (".tsv", ".json") when it is renamed to
// end in .gz.
//
// Looking at the start only costs nothing per line, and these are the
// three ways a file a researcher saved or renamed by hand most often is
// not the text its name says.
func NotText(head []byte, file, what, ext string) *Error {
	head = head[:min(len(head), TextStartBytes)]
	var code Code
	var msg string
	switch {
	case bytes.HasPrefix(head, []byte("\x1f\x8b")) && strings.HasSuffix(strings.ToLower(file), ".gz"):
		// The head of a .gz file is its decompressed text: gzip data
		// again are a file compressed twice.
		code = InvalidFormat
		base := file[strings.LastIndexAny(file, `/\!`)+1:]
		msg = fmt.Sprintf("this file is gzip-compressed twice (decompressed once, it is gzip data again): decompress it once, keeping the name (gunzip -c %s > once.gz, then move once.gz to %s)", base, base)
	case bytes.HasPrefix(head, []byte("\x1f\x8b")):
		code = InvalidFormat
		msg = fmt.Sprintf("this file is gzip-compressed but its name does not end in .gz: rename it to %s (genexp reads %s.gz files directly) or decompress it with gunzip",
			gzName(file, ext), ext)
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		code = InvalidFormat
		msg = fmt.Sprintf("this is a zip file, not a %s: unzip it, or load the zip itself (genexp reads zipped downloads directly)", what)
	case looksUTF32(head):
		// Its byte order mark begins as UTF-16's does: told apart first,
		// or the advice to convert from UTF-16 would garble it.
		code = EncodingError
		msg = fmt.Sprintf("this file is UTF-32 text, and genexp reads UTF-8 only: "+
			"save it as UTF-8 (e.g. iconv -f UTF-32 -t UTF-8 old%s > new%s) and load again", ext, ext)
	case LooksUTF16(head):
		// Read as UTF-8, UTF-16 looks like a stray character and a NUL
		// between every two letters, which other checks misname (a
		// carriage return with no line feed, malformed JSON), and whose
		// usual cure, converting line ends, leaves the file unreadable.
		code = EncodingError
		msg = fmt.Sprintf("this file is UTF-16 text (as Excel's 'Unicode Text' saves it), and genexp reads UTF-8 only: "+
			"save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8 old%s > new%s) and load again", ext, ext)
	default:
		return nil
	}
	return &Error{Code: code, Severity: SeverityError, File: file, Line: 1, Column: 1, Msg: msg}
}

// LooksUTF16 reports whether a file starting with head is UTF-16 text: it
// begins with a UTF-16 byte order mark (FF FE or FE FF), or, without one,
// its first bytes pair a NUL with a non-NUL byte in the same order
// throughout (the ASCII letters of UTF-16LE or UTF-16BE). At least four
// bytes are needed to tell without a mark; the last byte of an odd count
// is not looked at.
func LooksUTF16(head []byte) bool {
	if bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}) {
		return true
	}
	n := len(head) &^ 1
	if n < 4 {
		return false
	}
	le, be := true, true
	for i := 0; i < n; i += 2 {
		a, b := head[i], head[i+1]
		le = le && a != 0 && b == 0
		be = be && a == 0 && b != 0
	}
	return le || be
}

// looksUTF32 reports whether a file starting with head is UTF-32 text: it
// begins with a UTF-32 byte order mark (FF FE 00 00 or 00 00 FE FF), or,
// without one, its first eight bytes or more are ASCII letters each padded
// with three NULs, after it (UTF-32LE) or before it (UTF-32BE).
func looksUTF32(head []byte) bool {
	if bytes.HasPrefix(head, []byte{0xFF, 0xFE, 0, 0}) || bytes.HasPrefix(head, []byte{0, 0, 0xFE, 0xFF}) {
		return true
	}
	n := len(head) &^ 3
	if n < 8 {
		return false
	}
	le, be := true, true
	for i := 0; i < n; i += 4 {
		a, b, c, d := head[i], head[i+1], head[i+2], head[i+3]
		le = le && a != 0 && b == 0 && c == 0 && d == 0
		be = be && a == 0 && b == 0 && c == 0 && d != 0
	}
	return le || be
}

// gzName is the name a gzip-compressed file called file should have: its
// base name (after the last /, \ or the ! of a zip entry) with ext (".tsv"
// for a matrix or sheet) for its extension, and .gz after it.
func gzName(file, ext string) string {
	base := file[strings.LastIndexAny(file, `/\!`)+1:]
	if e := path.Ext(base); !strings.EqualFold(e, ext) {
		base = strings.TrimSuffix(base, e)
		if !strings.EqualFold(path.Ext(base), ext) {
			base += ext
		}
	}
	if len(base) == len(ext) {
		base = "NAME" + ext
	}
	return base + ".gz"
}
