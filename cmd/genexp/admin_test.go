package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// TestStatusShowsStepsOfAnyRunID logs steps under run ids of any length
// (the contract suite's "run-1" is shorter than the eight characters a
// UUID is cut to) and checks that status lists each with its study.
func TestStatusShowsStepsOfAnyRunID(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.duckdb")
	w, err := duckdb.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i, r := range []struct{ run, study string }{
		{"run-1", "GSE1"},
		{"", "GSE2"},
		{"0123456789abcdef-long", "E-GEOD-39842"},
	} {
		rec := warehouse.StepRecord{LogID: "log-" + r.study, RunID: r.run, Study: r.study, Step: "load", Status: "SUCCESS",
			Attempt: 1, StartedAt: start.Add(time.Duration(i) * time.Minute)}
		if err := w.LogStep(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	code, out, stderr := runCLI(t, "status", "--db", db)
	if code != exitOK {
		t.Fatalf("status: exit %d\n%s%s", code, out, stderr)
	}
	_, steps, _ := strings.Cut(out, "recent steps:")
	if f := strings.Fields(lineOf(steps, "STARTED")); len(f) < 4 || f[1] != "RUN" || f[2] != "STUDY" {
		t.Errorf("steps header %q: want a STUDY column after RUN", lineOf(steps, "STARTED"))
	}
	for _, want := range [][]string{{"run-1", "GSE1"}, {"-", "GSE2"}, {"01234567", "E-GEOD-39842"}} {
		found := false
		for _, l := range strings.Split(steps, "\n") {
			if f := strings.Fields(l); len(f) > 4 && f[2] == want[0] && f[3] == want[1] {
				found = true
			}
		}
		if !found {
			t.Errorf("no step row with run %q and study %q:\n%s", want[0], want[1], steps)
		}
	}
}
