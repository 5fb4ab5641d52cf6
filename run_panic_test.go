package genexp_test

import (
	"context"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/illness"
	"github.com/genexp/genexp/metadata"
)

// panicking is a classifier that fails as a bug does.
type panicking struct{}

func (panicking) Classify(*metadata.Sample) illness.Decision { panic("classifier bug") }

// A run that a caller's component ends with a panic leaves its steps
// RUNNING; the process goes on, and its next run marks them FAILED as
// abandoned, as it does the steps of a killed process's run.
func TestPanickedRunStepsAbortedByNextRun(t *testing.T) {
	w := openWarehouse(t)
	bad, err := genexp.New(w, genexp.WithClassifier(panicking{}))
	if err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the classifier's panic did not reach the caller")
			}
		}()
		bad.Load(context.Background(), "testdata/refinebio/GSE71270")
	}()
	running := count(t, w, `SELECT COUNT(*) FROM meta_etl_process_log WHERE status = 'RUNNING'`)
	if running == 0 {
		t.Fatal("the panicked run left no step RUNNING: the test tests nothing")
	}
	good, err := genexp.New(w)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := good.Load(context.Background(), "testdata/refinebio/GSE71270"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM meta_etl_process_log WHERE status = 'RUNNING'`); n != 0 {
		t.Errorf("%d steps still RUNNING after the next run", n)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM meta_etl_process_log WHERE status = 'FAILED' AND context_json LIKE '%aborted%'`); n != running {
		t.Errorf("%d steps marked aborted, want the %d the panicked run left", n, running)
	}
}
