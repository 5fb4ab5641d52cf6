package metadata

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/genexp/genexp/qc"
)

// jsonScanner walks a JSON document one value at a time: the top-level
// object's fields and the members of "samples" are read whole, validated by
// encoding/json, and handed over, while the scanner keeps only the value in
// hand and the bytes read ahead. Offsets of syntax errors are the scanner's
// own, so every error names the line and column of its byte.
//
// The bare NaN, Infinity and -Infinity that Python's json module writes
// (encoding/json rejects them) are rewritten as null in a copy of the
// value that holds them; the buffer keeps the document's bytes, so an
// error after them still names its own column.
type jsonScanner struct {
	r      io.Reader
	buf    []byte // buf[i:] is unread
	i      int
	base   int64 // offset of buf[0]
	lines  int64 // newlines before base
	lastNL int64 // offset of the last newline before base, -1 if none
	err    error // the error that ended reading (io.EOF at the end)
	file   string
	// start is the offset of the last value read; lineOff and lineNo
	// cache the line of an earlier offset, so that asking the line of
	// each sample in turn counts every byte once.
	start, lineOff, lineNo int64
	// nonFinite holds the offsets in buf, outside strings, of each "N"
	// and "I" of the value being read: where a non-finite token may
	// start. rewritten is the value with them replaced.
	nonFinite []int
	rewritten []byte
}

func newJSONScanner(r io.Reader, file string) *jsonScanner {
	return &jsonScanner{r: r, buf: make([]byte, 0, 64<<10), lastNL: -1, file: file}
}

// MaxJSONValueBytes is the longest value of a metadata JSON document that
// is read: a top-level field (the "experiments" object is the largest, some
// megabytes for a download of thousands of studies) or one sample. The
// bound keeps a corrupt or hostile file (a string of gigabytes, which a zip
// stores in a few hundred kilobytes) from holding memory that grows with it.
const MaxJSONValueBytes = 256 << 20

// maxJSONValue is MaxJSONValueBytes, lowered by tests.
var maxJSONValue = MaxJSONValueBytes

var errJSONValueTooLong = errors.New("JSON value too long")

// fill reads more into buf, growing it; false when nothing more comes or
// the value in hand (from buf[i]) outgrows MaxJSONValueBytes.
func (s *jsonScanner) fill() bool {
	for s.err == nil {
		if len(s.buf)-s.i > maxJSONValue {
			s.err = errJSONValueTooLong
			return false
		}
		if cap(s.buf)-len(s.buf) < 16<<10 {
			s.buf = append(make([]byte, 0, 2*cap(s.buf)), s.buf...)
		}
		n, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
		s.buf = s.buf[:len(s.buf)+n]
		s.err = err
		if n > 0 {
			return true
		}
	}
	return false
}

// release drops the bytes already read, once a megabyte of them has
// gathered, keeping their line count.
func (s *jsonScanner) release() {
	if s.i < 1<<20 {
		return
	}
	seg := s.buf[:s.i]
	s.lines += int64(bytes.Count(seg, []byte{'\n'}))
	if j := bytes.LastIndexByte(seg, '\n'); j >= 0 {
		s.lastNL = s.base + int64(j)
	}
	s.base += int64(s.i)
	s.buf = append(s.buf[:0], s.buf[s.i:]...)
	s.i = 0
}

// peek skips space and returns the next byte; false at the end. Space read
// is released as it goes, so a long run of it holds no memory; the line of
// the last value read is noted first, as its bytes may go with it.
func (s *jsonScanner) peek() (byte, bool) {
	for {
		for ; s.i < len(s.buf); s.i++ {
			if c := s.buf[s.i]; !isJSONSpace(c) {
				return c, true
			}
		}
		if s.i >= 1<<20 {
			if s.start >= s.base {
				s.startLine()
			}
			s.release()
		}
		if !s.fill() {
			return 0, false
		}
	}
}

// next consumes the next byte, which must be one of want.
func (s *jsonScanner) next(want string) (byte, error) {
	c, ok := s.peek()
	if !ok {
		return 0, s.truncated()
	}
	if strings.IndexByte(want, c) < 0 {
		return 0, s.syntaxErr(s.base+int64(s.i), fmt.Errorf("expected %s, found %s", quoteChars(want), quoteByte(c)))
	}
	s.i++
	return c, nil
}

// value reads the next value whole.
func (s *jsonScanner) value() (json.RawMessage, error) {
	s.release()
	c, ok := s.peek()
	if !ok {
		return nil, s.truncated()
	}
	start := s.i
	s.nonFinite = s.nonFinite[:0]
	end, complete := s.valueEnd(start)
	if end == start {
		return nil, s.syntaxErr(s.base+int64(start), fmt.Errorf("expected a value, found %s", quoteByte(c)))
	}
	v := s.buf[start:end]
	data, shifts := s.rewriteNonFinite(start, end)
	var raw json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		// encoding/json counts one past the offending byte; an error at
		// the value's end is about what follows it (the end of the file,
		// or the delimiter that cut "tr ue").
		off := int64(start)
		if se := (*json.SyntaxError)(nil); errors.As(err, &se) && se.Offset > 0 {
			off += int64(originalOffset(int(se.Offset-1), shifts))
			atEnd := strings.Contains(se.Error(), "unexpected end") || strings.Contains(se.Error(), "invalid character ' '")
			if se.Offset >= int64(len(data)) && atEnd {
				off = int64(end)
			}
		}
		if off == int64(end) && end == len(s.buf) && s.err != nil {
			return nil, s.truncated()
		}
		return nil, s.syntaxErr(s.base+off, err)
	}
	if !complete { // the file ends inside brackets that hold nothing wrong
		return nil, s.truncated()
	}
	// The value is valid JSON, so every byte past ASCII is in a string:
	// encoding/json would turn one that is not UTF-8 into U+FFFD unseen.
	if !utf8.Valid(v) {
		return nil, s.utf8Err(start + invalidUTF8(v))
	}
	s.i = end
	s.start = s.base + int64(start)
	return raw, nil
}

// A shift records where a rewrite ends: offset out of the rewritten value
// is offset in of the original.
type shift struct{ out, in int }

var nonFiniteTokens = [...]string{"-Infinity", "Infinity", "NaN"}

// rewriteNonFinite returns buf[start:end] with its non-finite tokens
// replaced by null, and where each replacement ends; the value itself
// when it holds none.
func (s *jsonScanner) rewriteNonFinite(start, end int) ([]byte, []shift) {
	v := s.buf[start:end]
	if len(s.nonFinite) == 0 {
		return v, nil
	}
	out := s.rewritten[:0]
	var shifts []shift
	last := 0
	for _, at := range s.nonFinite {
		at -= start
		if at > 0 && v[at] == 'I' && v[at-1] == '-' {
			at--
		}
		if at < last {
			continue // inside a token already replaced
		}
		for _, tok := range nonFiniteTokens {
			if bytes.HasPrefix(v[at:], []byte(tok)) {
				out = append(append(out, v[last:at]...), "null"...)
				last = at + len(tok)
				shifts = append(shifts, shift{out: len(out), in: last})
				break
			}
		}
	}
	out = append(out, v[last:]...)
	s.rewritten = out
	return out, shifts
}

// originalOffset maps an offset of a rewritten value back to the value as
// written.
func originalOffset(off int, shifts []shift) int {
	i := sort.Search(len(shifts), func(i int) bool { return shifts[i].out > off })
	if i == 0 {
		return off
	}
	return shifts[i-1].in + off - shifts[i-1].out
}

// invalidUTF8 returns the offset of the first byte of v that is not part
// of a UTF-8 character; v must hold one.
func invalidUTF8(v []byte) int {
	for i := 0; i < len(v); {
		r, n := utf8.DecodeRune(v[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(v)
}

// startLine returns the 1-based line on which the last value read starts.
func (s *jsonScanner) startLine() int64 {
	if s.lineNo != 0 && s.lineOff == s.start {
		return s.lineNo
	}
	if s.lineNo == 0 || s.lineOff < s.base || s.lineOff > s.start {
		s.lineNo, _ = s.lineCol(s.start)
	} else {
		s.lineNo += int64(bytes.Count(s.buf[s.lineOff-s.base:s.start-s.base], []byte{'\n'}))
	}
	s.lineOff = s.start
	return s.lineNo
}

// valueEnd finds where the value starting at buf[from] ends, reading more
// as needed: after the bracket that closes an object or list, the quote
// that closes a string, or before the delimiter after a number or word.
// Brackets are only counted (encoding/json then checks the value); false
// means the file ends inside the value, and end is then the end of the
// file.
func (s *jsonScanner) valueEnd(from int) (int, bool) {
	depth, inString, escaped := 0, false, false
	j := from
	for {
		for ; j < len(s.buf); j++ {
			c := s.buf[j]
			if inString {
				switch {
				case escaped:
					escaped = false
				case c == '\\':
					escaped = true
				case c == '"':
					inString = false
					if depth == 0 {
						return j + 1, true
					}
				}
				continue
			}
			switch c {
			case '"':
				inString = true
			case '{', '[':
				depth++
			case 'N', 'I':
				s.nonFinite = append(s.nonFinite, j)
			case '}', ']':
				if depth == 0 {
					return j, true
				}
				if depth--; depth == 0 {
					return j + 1, true
				}
			case ',', ':', ' ', '\t', '\r', '\n':
				if depth == 0 {
					return j, true
				}
			}
		}
		if !s.fill() {
			return j, depth == 0 && !inString
		}
	}
}

// key reads an object key.
func (s *jsonScanner) key() (string, error) {
	c, ok := s.peek()
	if !ok {
		return "", s.truncated()
	}
	if c != '"' {
		return "", s.syntaxErr(s.base+int64(s.i), fmt.Errorf("expected a key (a string in double quotes), found %s", quoteByte(c)))
	}
	raw, err := s.value()
	if err != nil {
		return "", err
	}
	var k string
	if err := json.Unmarshal(raw, &k); err != nil {
		return "", s.syntaxErr(s.base+int64(s.i), err)
	}
	return k, nil
}

// more reads the separator after a member of an object or list: true when
// another member follows, false at the closing bracket.
func (s *jsonScanner) more(closing byte) (bool, error) {
	c, err := s.next(string([]byte{',', closing}))
	return c == ',', err
}

// empty consumes the closing bracket of an object or list just opened, if
// it is there.
func (s *jsonScanner) empty(closing byte) bool {
	if c, ok := s.peek(); ok && c == closing {
		s.i++
		return true
	}
	return false
}

// end checks that nothing but space follows the document.
func (s *jsonScanner) end() error {
	if c, ok := s.peek(); ok {
		if c == 0 {
			line, col := s.lineCol(s.base + int64(s.i))
			return &qc.Error{Code: qc.EncodingError, Severity: qc.SeverityError, File: s.file, Line: line, Column: col,
				Msg: "NUL bytes (U+0000) follow the end of the document: NUL bytes in a text file mean it was padded or damaged (a copy or download cut short); get the file again"}
		}
		return s.syntaxErr(s.base+int64(s.i), errors.New("text after the end of the document"))
	}
	if s.err != io.EOF {
		return s.readErr()
	}
	return nil
}

// readErr reports a failed read (a gzipped file cut short, a failing
// disk) where the input stopped.
func (s *jsonScanner) readErr() error {
	if s.err == errJSONValueTooLong {
		line, col := s.lineCol(s.base + int64(s.i))
		return &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: s.file, Line: line, Column: col,
			Msg: fmt.Sprintf("the value that starts here is longer than %d bytes, more than any refine.bio metadata holds (is this a metadata file?)", maxJSONValue)}
	}
	line, col := s.lineCol(s.base + int64(len(s.buf)))
	return &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: s.file, Line: line, Column: col,
		Msg: "reading metadata failed where its input stopped", Err: s.err}
}

func (s *jsonScanner) truncated() error {
	if s.err != io.EOF {
		return s.readErr()
	}
	line, col := s.lineCol(s.base + int64(len(s.buf)))
	return &qc.Error{Code: qc.ParseError, Severity: qc.SeverityError, File: s.file, Line: line, Column: col,
		Msg: "malformed JSON (the file ends too early: is it truncated?)"}
}

// utf8Err reports a string byte, at buf[i], that is not UTF-8, as a
// sample sheet's is reported: encoding/json would read it as U+FFFD.
func (s *jsonScanner) utf8Err(i int) error {
	line, col := s.lineCol(s.base + int64(i))
	return &qc.Error{Code: qc.EncodingError, Severity: qc.SeverityError, File: s.file, Line: line, Column: col,
		Msg: fmt.Sprintf("text is not valid UTF-8 (byte 0x%02X); metadata must be UTF-8", s.buf[i])}
}

func (s *jsonScanner) syntaxErr(off int64, err error) error {
	line, col := s.lineCol(off)
	return &qc.Error{Code: qc.ParseError, Severity: qc.SeverityError, File: s.file, Line: line, Column: col,
		Msg: "malformed JSON", Err: err}
}

// lineCol converts a 0-based offset at or after the last release into a
// 1-based line and column (counted in bytes).
func (s *jsonScanner) lineCol(off int64) (int64, int64) {
	off = max(s.base, min(off, s.base+int64(len(s.buf))))
	seg := s.buf[:off-s.base]
	line := s.lines + int64(bytes.Count(seg, []byte{'\n'})) + 1
	last := s.lastNL
	if j := bytes.LastIndexByte(seg, '\n'); j >= 0 {
		last = s.base + int64(j)
	}
	return line, off - last
}

func quoteChars(want string) string {
	var q []string
	for _, c := range []byte(want) {
		q = append(q, quoteByte(c))
	}
	return strings.Join(q, " or ")
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// quoteByte quotes one byte of the document; a byte of a multi-byte
// character shows as its escape.
func quoteByte(c byte) string { return strconv.Quote(string([]byte{c})) }
