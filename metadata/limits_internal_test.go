package metadata

import (
	"errors"
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
}
