package genexp_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// rowByRow is a sink that writes the process log one row at a time (it
// has no LogSteps, as the SQL Server sink has none) and records each row
// as "study step status".
type rowByRow struct {
	warehouse.WarehouseSink
	rows *[]string
}

func (s rowByRow) LogStep(ctx context.Context, r warehouse.StepRecord) error {
	*s.rows = append(*s.rows, r.Study+" "+r.Step+" "+r.Status)
	return s.WarehouseSink.LogStep(ctx, r)
}

// together is rowByRow with LogSteps, recording the rows it is given.
type together struct {
	rowByRow
	sl warehouse.StepsLogger
}

func (s together) LogSteps(ctx context.Context, rs []warehouse.StepRecord) error {
	for _, r := range rs {
		*s.rows = append(*s.rows, r.Study+" "+r.Step+" "+r.Status)
	}
	return s.sl.LogSteps(ctx, rs)
}

// TestHeldStepRows checks which process-log rows reach the sink. A sink
// without LogSteps gets every row as it is logged, RUNNING rows included;
// one with it gets the RUNNING row of a one-study matrix's validate step
// too, and the validate rows of a matrix of several studies once each,
// in full, when the last is validated.
func TestHeldStepRows(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		steps    bool
		download string
		studies  []string
		running  bool // validate RUNNING rows written
	}{
		{"one by one, one study", false, "testdata/refinebio/GSE71270", []string{"GSE71270"}, true},
		{"one by one, species", false, "testdata/refinebio/species", []string{"E-GEOD-39842", "GSE71270"}, true},
		{"together, one study", true, "testdata/refinebio/GSE71270", []string{"GSE71270"}, true},
		{"together, species", true, "testdata/refinebio/species", []string{"E-GEOD-39842", "GSE71270"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := duckdb.Open(filepath.Join(t.TempDir(), "w.duckdb"))
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			var rows []string
			var sink warehouse.WarehouseSink = rowByRow{w, &rows}
			if tc.steps {
				sink = together{rowByRow{w, &rows}, w}
			}
			p, err := genexp.New(sink)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := p.Load(ctx, tc.download)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Studies) != len(tc.studies) {
				t.Fatalf("%d studies loaded, want %d", len(rep.Studies), len(tc.studies))
			}
			for _, st := range tc.studies {
				for _, step := range []string{"extract", "transform", "load"} {
					if !slices.Contains(rows, st+" "+step+" RUNNING") || !slices.Contains(rows, st+" "+step+" SUCCESS") {
						t.Errorf("%s %s: rows written %q, want a RUNNING and a SUCCESS row", st, step, rows)
					}
				}
				if got := slices.Contains(rows, st+" validate RUNNING"); got != tc.running {
					t.Errorf("%s validate RUNNING written: %v, want %v (rows %q)", st, got, tc.running, rows)
				}
				if !slices.Contains(rows, st+" validate SUCCESS") {
					t.Errorf("%s: no validate SUCCESS row in %q", st, rows)
				}
			}
		})
	}
}
