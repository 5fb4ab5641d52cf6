package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// TestAfterStopSaysWhatTheTimeoutLeft: after a timeout, a study the
// deadline cut short carries the coded timeout instead of the driver's
// words for a cancelled statement, and every matrix the run never reached
// (in a download it began, or in one it never opened) gets a row marked
// not started, so that the summary says what remains to load.
func TestAfterStopSaysWhatTheTimeoutLeft(t *testing.T) {
	dir := t.TempDir()
	first, second := filepath.Join(dir, "dl1"), filepath.Join(dir, "dl2")
	a, b := craftStudy(t, first, "GSE1", false), craftStudy(t, first, "GSE2", false)
	craftStudy(t, second, "GSE3", false)
	cut := fmt.Errorf("duckdb: staging values: %w", context.DeadlineExceeded)
	rep := &genexp.Report{Studies: []genexp.StudyReport{
		{Study: "GSE1", Matrix: filepath.Join(a, "GSE1.tsv"), Outcome: warehouse.Inserted},
		{Study: "GSE2", Matrix: filepath.Join(b, "GSE2.tsv"), Err: cut},
	}}
	afterStop(rep, true, 7, []string{first, second, filepath.Join(dir, "no-such-download")})
	var got []string
	for _, s := range rep.Studies {
		got = append(got, s.Study+" "+string(s.Outcome))
	}
	if want := []string{"GSE1 new", "GSE2 ", "GSE3 not started"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("studies %q, want %q", got, want)
	}
	if rep.Studies[0].Err != nil {
		t.Errorf("the committed study got an error: %v", rep.Studies[0].Err)
	}
	if err := rep.Studies[1].Err; !errors.Is(err, qc.TimedOut) || !strings.Contains(err.Error(), "timed out after 7 s before the study was committed") ||
		strings.Contains(err.Error(), "staging") || exitStatus(err) != exitFailed {
		t.Errorf("the cut study's error %v, want the coded timeout (exit 1)", err)
	}
	var out bytes.Buffer
	printReport(&out, rep)
	if f := strings.Fields(lineOf(out.String(), "GSE3")); len(f) < 3 || f[1]+" "+f[2] != "not started" {
		t.Errorf("GSE3's row %q, want it not started:\n%s", lineOf(out.String(), "GSE3"), out.String())
	}

	// An interrupt leaves the studies' own errors: only the timeout is
	// coded as such.
	rep = &genexp.Report{Studies: []genexp.StudyReport{{Study: "GSE2", Matrix: filepath.Join(b, "GSE2.tsv"), Err: cut}}}
	afterStop(rep, false, 7, []string{first})
	if rep.Studies[0].Err != cut || len(rep.Studies) != 2 || rep.Studies[1].Outcome != notStartedOutcome {
		t.Errorf("after an interrupt: %+v", rep.Studies)
	}
}
