package metadata

import (
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/genexp/genexp/qc"
)

// endless gives prefix, then the byte fill for ever: a value or a line
// that never ends, as a small compressed file can expand to.
type endless struct {
	prefix string
	fill   byte
	read   int64
}

func (e *endless) Read(p []byte) (int, error) {
	n := copy(p, e.prefix)
	e.prefix = e.prefix[n:]
	for i := n; i < len(p); i++ {
		p[i] = e.fill
	}
	e.read += int64(len(p))
	return len(p), nil
}

// TestLongValuesStop: a JSON value or a sheet line longer than the bound
// is a coded error at where it starts, read no further than the bound
// (and a little read-ahead), never memory that grows with the file.
func TestLongValuesStop(t *testing.T) {
	defer func(j int, s int64) { maxJSONValue, maxSheetLine = j, s }(maxJSONValue, maxSheetLine)
	maxJSONValue, maxSheetLine = 1<<20, 1<<20

	r := &endless{prefix: "{\"samples\": {\n  \"GSM1\": {\"refinebio_title\": \"", fill: 'a'}
	_, err := ParseJSON(r, "aggregated_metadata.json")
	var qe *qc.Error
	if !errors.As(err, &qe) || qe.Code != qc.InvalidFormat || qe.Line != 2 || qe.Column != 11 ||
		!strings.Contains(qe.Msg, "longer than 1048576 bytes") {
		t.Fatalf("JSON: %v (%+v)", err, qe)
	}
	if r.read > 4<<20 {
		t.Errorf("JSON: read %d bytes of an endless value", r.read)
	}

	r = &endless{prefix: "refinebio_accession_code\trefinebio_title\nGSM1\t", fill: 'a'}
	_, err = ParseTSV(r, "metadata_GSE1.tsv", "GSE1")
	if !errors.As(err, &qe) || qe.Code != qc.InvalidFormat || qe.Line != 2 || !strings.Contains(qe.Msg, "longer than 1048576 bytes") {
		t.Fatalf("sheet: %v (%+v)", err, qe)
	}
	if r.read > 4<<20 {
		t.Errorf("sheet: read %d bytes of an endless line", r.read)
	}

	// A quote never closed carries one field over endless short lines.
	lines := &endless{prefix: "refinebio_accession_code\trefinebio_title\nGSM1\t\"", fill: '\n'}
	_, err = ParseTSV(lines, "metadata_GSE1.tsv", "GSE1")
	if !errors.As(err, &qe) || qe.Code != qc.InvalidFormat || !strings.Contains(qe.Msg, "longer than 1048576 bytes") {
		t.Fatalf("sheet, one record over many lines: %v (%+v)", err, qe)
	}
	if lines.read > 4<<20 {
		t.Errorf("sheet: read %d bytes of an endless record", lines.read)
	}
}

// spaces gives prefix, n spaces, then suffix.
type spaces struct {
	prefix, suffix string
	n              int64
}

func (r *spaces) Read(p []byte) (int, error) {
	switch {
	case r.prefix != "":
		n := copy(p, r.prefix)
		r.prefix = r.prefix[n:]
		return n, nil
	case r.n > 0:
		k := int64(len(p))
		if k > r.n {
			k = r.n
		}
		for i := range k {
			p[i] = ' '
		}
		r.n -= k
		return int(k), nil
	case r.suffix != "":
		n := copy(p, r.suffix)
		r.suffix = r.suffix[n:]
		return n, nil
	}
	return 0, io.EOF
}

// TestLongSpaceHoldsNoMemory: white space between values, which JSON
// allows in any amount, is let go as it is read; the document still reads,
// and a value after it is placed on its line.
func TestLongSpaceHoldsNoMemory(t *testing.T) {
	const run = 64 << 20
	r := &spaces{prefix: "{\"samples\": {\"GSM1\": {\"refinebio_title\": \"a\"},", n: run,
		suffix: "\n\"GSM2\": {\"refinebio_title\": tru}}}"}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := ParseJSON(r, "aggregated_metadata.json")
	runtime.ReadMemStats(&after)
	var qe *qc.Error
	if !errors.As(err, &qe) || qe.Code != qc.ParseError || qe.Line != 2 {
		t.Fatalf("the value after the space: %v", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > run/4 {
		t.Errorf("reading %d MiB of space allocated %d MiB", run>>20, grew>>20)
	}
}
