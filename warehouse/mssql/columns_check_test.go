package mssql

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// TestBeginChecksColumns: Begin refuses the columns no batch can load
// (warehouse.CheckColumns) before anything reaches the server, as the
// DuckDB warehouse and the dry run do; an index past any list used to
// panic, and a negative one was sent to the server.
func TestBeginChecksColumns(t *testing.T) {
	for name, cols := range map[string][]warehouse.Column{
		"a negative index":           {{Index: -1, Sample: "S1", Study: "ST"}},
		"the widest index":           {{Index: warehouse.MaxColumns, Sample: "S1", Study: "ST"}},
		"an index past any list":     {{Index: math.MaxInt, Sample: "S1", Study: "ST"}},
		"a sample in two columns":    {{Index: 0, Sample: "S1", Study: "ST"}, {Index: 1, Sample: "S1", Study: "ST"}},
		"a column twice for study":   {{Index: 0, Sample: "S1", Study: "ST"}, {Index: 0, Sample: "S2", Study: "ST"}},
		"a column of no study":       {{Index: 0, Sample: "S1"}},
		"a column of no sample name": {{Index: 0, Study: "ST"}},
	} {
		s := newFakeServer(t)
		w := s.open(t, testConfig(5))
		b, err := w.Begin(context.Background(), warehouse.BeginRequest{RunID: "r", FileName: "m.tsv", Columns: cols})
		if b != nil || !errors.Is(err, qc.ConstraintViolation) {
			t.Errorf("%s: Begin gave a batch: %v, error %v; want a ConstraintViolation", name, b != nil, err)
		}
		if calls := s.names(); len(calls) > 0 {
			t.Errorf("%s: the server received %q", name, calls)
		}
	}
}
