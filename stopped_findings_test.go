package genexp_test

import (
	"log/slog"
	"testing"

	"github.com/genexp/genexp"
)

// TestStoppedRunRecordsItsFindings: the findings a run made before a
// signal stopped it are rows of meta_data_validation_log, as its steps are
// rows of the process log; they were written under the run's cancelled
// context, and lost.
func TestStoppedRunRecordsItsFindings(t *testing.T) {
	w := openWarehouse(t)
	cfg := genexp.DefaultConfig()
	ctx, stop := stoppable(t, false, &cfg)
	p, err := genexp.New(w, genexp.WithConfig(cfg), genexp.WithLogger(slog.New(onStepDone{step: "validate", f: stop})))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Load(ctx, "testdata/refinebio/GSE71270")
	if err == nil {
		t.Fatal("Load of a stopped run returned no error")
	}
	var reported int
	for _, s := range rep.Studies {
		for _, f := range s.Findings {
			if f.Code == 2002 {
				reported++
			}
		}
	}
	if reported == 0 {
		t.Fatalf("the run reported no 2002 finding of the 300-gene slice: %+v", rep.Studies)
	}
	var rows int
	if err := w.DB().QueryRow(`SELECT COUNT(*) FROM meta_data_validation_log WHERE validation_code = 2002 AND study_accession_code = 'GSE71270'`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != reported {
		t.Errorf("%d rows of the 2002 finding in meta_data_validation_log, want %d: the run reported it", rows, reported)
	}
}
