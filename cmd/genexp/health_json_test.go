package main

import (
	"encoding/json"
	"path/filepath"
	"testing"
)

// TestHealthJSONRunsIsAList: a warehouse with no runs yet reports "runs":
// [] in health --json, as one with runs reports a list; it was null, which
// monitoring code had to special-case.
func TestHealthJSONRunsIsAList(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.duckdb")
	if code, out, stderr := runCLI(t, "init", "--db", db); code != exitOK {
		t.Fatalf("init: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr := runCLI(t, "health", "--json", "--db", db)
	if code != exitOK {
		t.Fatalf("health: exit %d\n%s%s", code, out, stderr)
	}
	var rep struct {
		Details struct {
			Runs json.RawMessage `json:"runs"`
		} `json:"details"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if string(rep.Details.Runs) != "[]" {
		t.Errorf(`details.runs = %s, want []`, rep.Details.Runs)
	}
}
