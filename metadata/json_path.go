package metadata

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/genexp/genexp/qc"
)

// placeAt gives err, when it is a *qc.Error of the value raw (which starts
// on line of the file, at JSON path base) with no line yet, the line of
// the member its Path names: a sample or an experiment is decoded whole,
// and without this a wrong field deep inside a long one was reported at
// the line the object opens on. A member the path does not reach gets the
// line of the deepest one it does; an error of the value as a whole (its
// key, say), the line it opens on.
func placeAt(err error, raw json.RawMessage, base string, line int64) error {
	var qe *qc.Error
	if line <= 0 || !errors.As(err, &qe) || qe.Line != 0 {
		return err
	}
	qe.Line = line
	if rest, ok := strings.CutPrefix(qe.Path, base); ok {
		qe.Line += int64(bytes.Count(raw[:pathOffset(raw, rest)], []byte{'\n'}))
	}
	return err
}

// pathOffset returns the offset in raw of the member a relative JSON path
// (".key", "[3]", ".a[2].b") names, or of the deepest member on the way
// that exists: 0 for the whole value.
func pathOffset(raw json.RawMessage, rel string) int {
	dec := json.NewDecoder(bytes.NewReader(raw))
	at := 0
	for rel != "" {
		var key string
		index := -1
		switch rel[0] {
		case '.':
			end := strings.IndexAny(rel[1:], ".[")
			if end < 0 {
				end = len(rel) - 1
			}
			key, rel = rel[1:1+end], rel[1+end:]
		case '[':
			end := strings.IndexByte(rel, ']')
			if end < 0 {
				return at
			}
			n, err := strconv.Atoi(rel[1:end])
			if err != nil || n < 0 {
				return at
			}
			index, rel = n, rel[end+1:]
		default:
			return at
		}
		open, err := dec.Token()
		if err != nil {
			return at
		}
		switch {
		case index < 0 && open == json.Delim('{'):
			for {
				t, err := dec.Token()
				k, isKey := t.(string)
				if err != nil || !isKey {
					return at // the object ended without the key
				}
				if k == key {
					at = int(dec.InputOffset())
					break
				}
				if skipValue(dec) != nil {
					return at
				}
			}
		case index >= 0 && open == json.Delim('['):
			for range index {
				if !dec.More() || skipValue(dec) != nil {
					return at
				}
			}
			if !dec.More() {
				return at
			}
			// The decoder stands after the last value it read: the
			// element begins after the blanks and the comma that follow.
			at = int(dec.InputOffset())
			for at < len(raw) && bytes.IndexByte([]byte(" \t\r\n,["), raw[at]) >= 0 {
				at++
			}
		default:
			return at
		}
	}
	return at
}

func skipValue(dec *json.Decoder) error {
	var v json.RawMessage
	return dec.Decode(&v)
}
