package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// TestAfterStopSaysWhatTheTimeoutLeft: after a timeout, a study the
// deadline cut short carries the coded timeout instead of the driver's
// words for a cancelled statement, and the rows the pipeline reports as
// not started (a matrix named after a study, a path named after none) are
// printed as such, under the path when no study names them.
func TestAfterStopSaysWhatTheTimeoutLeft(t *testing.T) {
	cut := fmt.Errorf("duckdb: staging values: %w", context.DeadlineExceeded)
	stoppedRun := func() *genexp.Report {
		return &genexp.Report{Studies: []genexp.StudyReport{
			{Study: "GSE1", Matrix: "dl1/GSE1/GSE1.tsv", Outcome: warehouse.Inserted},
			{Study: "GSE2", Matrix: "dl1/GSE2/GSE2.tsv", Err: cut},
			{Study: "GSE3", Matrix: "dl1/GSE3/GSE3.tsv", Outcome: genexp.NotStarted},
			{Matrix: "/data/dl2.zip", Outcome: genexp.NotStarted},
		}}
	}
	rep := stoppedRun()
	afterStop(rep, true, 7)
	var got []string
	for _, s := range rep.Studies {
		got = append(got, studyLabel(s)+" "+string(s.Outcome))
	}
	if want := []string{"GSE1 new", "GSE2 ", "GSE3 not started", "/data/dl2.zip not started"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("studies %q, want %q", got, want)
	}
	if rep.Studies[0].Err != nil || rep.Studies[2].Err != nil || rep.Studies[3].Err != nil {
		t.Errorf("a committed or not started row got an error: %+v", rep.Studies)
	}
	if err := rep.Studies[1].Err; !errors.Is(err, qc.TimedOut) || !strings.Contains(err.Error(), "timed out after 7 s before the study was committed") ||
		strings.Contains(err.Error(), "staging") || exitStatus(err) != exitFailed {
		t.Errorf("the cut study's error %v, want the coded timeout (exit 1)", err)
	}
	var out bytes.Buffer
	printReport(&out, rep)
	for _, label := range []string{"GSE3", "/data/dl2.zip"} {
		if f := strings.Fields(lineOf(out.String(), label)); len(f) < 3 || f[0] != label || f[1]+" "+f[2] != "not started" {
			t.Errorf("%s's row %q, want it not started:\n%s", label, lineOf(out.String(), label), out.String())
		}
	}

	// An interrupt leaves the studies' own errors: only the timeout is
	// coded as such.
	rep = stoppedRun()
	afterStop(rep, false, 7)
	if rep.Studies[1].Err != cut || len(rep.Studies) != 4 {
		t.Errorf("after an interrupt: %+v", rep.Studies)
	}
}
