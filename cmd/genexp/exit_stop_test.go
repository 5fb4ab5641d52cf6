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

// TestAfterStopSaysWhatTheStopLeft: after a timeout, a study the
// deadline cut short carries the coded timeout instead of the driver's
// words for a cancelled statement, and the rows the pipeline reports as
// not started (a matrix named after a study, a path named after none) are
// printed as such, under the path when no study names them.
func TestAfterStopSaysWhatTheStopLeft(t *testing.T) {
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
	afterStop(rep, true, nil, 7, false, false)
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

	// An interrupt rewords the driver's text of a study it cut short,
	// keeping its error for errors.Is, and leaves a coded error (the
	// features of a committed study, here) as it was.
	cancelled := fmt.Errorf("duckdb: staging values: %w INTERRUPT Error: Interrupted!", context.Canceled)
	features := &qc.Error{Code: qc.MaterializationFailed, Severity: qc.SeverityError, Study: "GSE1", Msg: "the study's facts are loaded, but the run was interrupted", Err: context.Canceled}
	rep = &genexp.Report{Studies: []genexp.StudyReport{
		{Study: "GSE1", Outcome: warehouse.Inserted, Err: features},
		{Study: "GSE2", Err: cancelled},
		{Study: "GSE3", Outcome: genexp.NotStarted},
	}}
	afterStop(rep, false, errors.New("interrupt signal received"), 7, false, false)
	if rep.Studies[0].Err != features || rep.Studies[2].Err != nil {
		t.Errorf("after an interrupt, the committed and the not started rows changed: %+v", rep.Studies)
	}
	err := rep.Studies[1].Err
	if want := "interrupted (interrupt signal received) before the study was committed; nothing of it was loaded"; err.Error() != want ||
		!errors.Is(err, context.Canceled) || !errors.Is(err, cancelled) {
		t.Errorf("the interrupted study's error %q, want %q wrapping the driver's", err, want)
	}
	out.Reset()
	printReport(&out, rep)
	if strings.Contains(out.String(), "INTERRUPT Error") {
		t.Errorf("the summary shows the driver's words:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "\nGSE1 failed: the study's facts are loaded") {
		t.Errorf("the features failure does not name its study once, first:\n%s", out.String())
	}

	// validate and the dry run commit nothing: an interrupted study was
	// not checked to its end, and its verdict says so, not REJECTED.
	rep = &genexp.Report{Studies: []genexp.StudyReport{{Study: "GSE2", Err: cancelled}, {Study: "GSE3", Err: cancelled}}}
	afterStop(rep, false, errors.New("interrupt signal received"), 7, true, false)
	if want := "interrupted (interrupt signal received) before the study was checked to its end; nothing was written"; rep.Studies[0].Err.Error() != want {
		t.Errorf("validate: the interrupted study's error %q, want %q", rep.Studies[0].Err, want)
	}
	rep.Studies[1].Err = &qc.Error{Code: qc.TimedOut, Severity: qc.SeverityError, Msg: "timed out"}
	out.Reset()
	printChecks(&out, rep, false)
	for label, verdict := range map[string]string{"GSE2": "interrupted", "GSE3": "timed"} {
		if f := strings.Fields(lineOf(out.String(), label)); len(f) < 2 || f[1] != verdict {
			t.Errorf("validate: %s's row %q, want its verdict %q:\n%s", label, lineOf(out.String(), label), verdict, out.String())
		}
	}

	// A study whose checks had ended when the signal came: validate
	// reports it by its findings; the dry run says it was stopped before
	// it said what loading the study would do, not that it was rejected.
	checked := func() *genexp.Report {
		warn := &qc.Error{Code: qc.NullPercentageHigh, Severity: qc.SeverityWarning, Msg: "many missing"}
		return &genexp.Report{Studies: []genexp.StudyReport{{Study: "GSE4", Err: cancelled, Checked: true, Findings: []*qc.Error{warn}}}}
	}
	rep = checked()
	afterStop(rep, false, errors.New("interrupt signal received"), 7, true, false)
	if s := rep.Studies[0]; s.Err != nil || len(s.Findings) != 1 {
		t.Errorf("validate: a checked study's error %v, findings %v; want no error, its warning alone", s.Err, s.Findings)
	}
	out.Reset()
	printChecks(&out, rep, false)
	if f := strings.Fields(lineOf(out.String(), "GSE4")); len(f) < 2 || f[1] != "warnings" || strings.Contains(out.String(), "rejected") {
		t.Errorf("validate: a checked study's report, want its verdict by its findings:\n%s", out.String())
	}
	rep = checked()
	afterStop(rep, false, errors.New("interrupt signal received"), 7, true, true)
	if want := "interrupted (interrupt signal received) after its checks, which are complete, before the dry run said what loading it would do; nothing was written"; rep.Studies[0].Err == nil || rep.Studies[0].Err.Error() != want {
		t.Errorf("dry run: a checked study's error %v, want %q", rep.Studies[0].Err, want)
	}
	out.Reset()
	printChecks(&out, rep, true)
	if !strings.Contains(out.String(), "\nGSE4 stopped: interrupted") || strings.Contains(out.String(), "rejected") {
		t.Errorf("dry run: a checked study's report:\n%s", out.String())
	}

	// A load (checking false) stopped after a study's checks, before its
	// commit: the study failed, whatever its checks said.
	rep = checked()
	afterStop(rep, false, errors.New("interrupt signal received"), 7, false, false)
	if want := "interrupted (interrupt signal received) before the study was committed; nothing of it was loaded"; rep.Studies[0].Err == nil || rep.Studies[0].Err.Error() != want {
		t.Errorf("load: a checked study's error %v, want %q", rep.Studies[0].Err, want)
	}

	// Neither a timeout nor a signal: nothing changes.
	rep = stoppedRun()
	afterStop(rep, false, nil, 7, false, false)
	if rep.Studies[1].Err != cut || len(rep.Studies) != 4 {
		t.Errorf("after a run that was not stopped: %+v", rep.Studies)
	}
}
