package metadata

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/genexp/genexp/qc"
)

// repeatedKey finds the first object in v, a valid JSON value, that holds
// a key twice. encoding/json keeps the last of two values in silence, so a
// sample that says "refinebio_disease": "septic shock" and then
// "refinebio_disease": "" would load as unknown with nothing said. It
// returns the repeated key, its JSON path below path and its offset in v;
// ok is false when no object repeats a key.
func (kc *keyChecker) repeatedKey(v []byte, path string) (key, at string, off int, ok bool) {
	stack := kc.stack[:0]
	defer func() { kc.stack = stack[:0] }()
	// push reuses the frames, and their key lists, of objects already
	// closed: a document has millions of small objects.
	push := func(object bool) {
		if len(stack) < cap(stack) {
			stack = stack[:len(stack)+1]
			keys := stack[len(stack)-1].keys[:0]
			stack[len(stack)-1] = keyFrame{object: object, expectKey: object, keys: keys}
			return
		}
		stack = append(stack, keyFrame{object: object, expectKey: object})
	}
	pathOf := func(last []byte) string {
		p := path
		for _, f := range stack[:len(stack)-1] {
			if f.object {
				p += "." + string(f.key)
			} else {
				p += "[" + strconv.Itoa(f.index) + "]"
			}
		}
		return p + "." + string(last)
	}
	for i := 0; i < len(v); {
		switch c := v[i]; c {
		case '{', '[':
			push(c == '{')
			i++
		case '}', ']':
			stack = stack[:len(stack)-1]
			i++
		case ',':
			if top := &stack[len(stack)-1]; top.object {
				top.expectKey = true
			} else {
				top.index++
			}
			i++
		case '"':
			end := stringEnd(v, i)
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].expectKey {
				top := &stack[n-1]
				k := v[i+1 : end-1]
				if bytes.IndexByte(k, '\\') >= 0 {
					var dec string
					json.Unmarshal(v[i:end], &dec) // valid JSON: it decodes
					k = []byte(dec)
				}
				var seen bool
				if top.set != nil {
					seen = top.set[string(k)]
				} else {
					seen = slices.ContainsFunc(top.keys, func(x []byte) bool { return bytes.Equal(x, k) })
				}
				if seen {
					return string(k), pathOf(k), i, true
				}
				// Samples have a few dozen fields; an object keyed by
				// accession may have many thousand keys.
				if top.set == nil && len(top.keys) >= 32 {
					top.set = make(map[string]bool, 2*len(top.keys))
					for _, x := range top.keys {
						top.set[string(x)] = true
					}
				}
				if top.set != nil {
					top.set[string(k)] = true
				} else {
					top.keys = append(top.keys, k)
				}
				top.key, top.expectKey = k, false
			}
			i = end
		default:
			i++ // space, ':', or a byte of a number, true, false or null
		}
	}
	return "", "", 0, false
}

// keyChecker keeps repeatedKey's frames, and their key lists, from one
// value to the next: the samples of a document are checked one by one.
type keyChecker struct {
	stack []keyFrame
}

// keyFrame is an object or a list repeatedKey is inside.
type keyFrame struct {
	object    bool
	expectKey bool
	key       []byte   // an object's key whose value is being read
	index     int      // a list's member being read
	keys      [][]byte // an object's keys so far (slices of the value unless escaped)
	set       map[string]bool
}

// stringEnd returns the offset just past the string that starts with the
// quote at v[i].
func stringEnd(v []byte, i int) int {
	for j := i + 1; j < len(v); j++ {
		switch v[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(v)
}

// noRepeatedKeys refuses a value of the document, starting on line, in
// which an object holds a key twice: which of the two values is meant
// cannot be told. The error names the key's JSON path and its line.
func (p *jsonParser) noRepeatedKeys(raw json.RawMessage, path string, line int64) error {
	key, at, off, ok := p.keys.repeatedKey(raw, path)
	if !ok {
		return nil
	}
	if line > 0 {
		line += int64(bytes.Count(raw[:off], []byte{'\n'}))
	}
	return &qc.Error{Code: qc.ParseError, Severity: qc.SeverityError, File: p.file, Line: line, Path: at,
		Msg: fmt.Sprintf("the key %q appears twice in one object; which of its values is meant cannot be told, so the file is refused (remove one)", key)}
}
