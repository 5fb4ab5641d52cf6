package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
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

// TestHealthBadDSNOptionIsUsage: a DSN option the warehouse refuses (a
// password, an option DuckDB does not know, an extension's option such as
// s3_region) is a configuration error, exit 2 as for every other command,
// not a critical warehouse (exit 3) that would page whoever monitors it;
// the password is not printed.
func TestHealthBadDSNOptionIsUsage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.duckdb")
	if code, out, stderr := runCLI(t, "init", "--db", db); code != exitOK {
		t.Fatalf("init: exit %d\n%s%s", code, out, stderr)
	}
	for _, dsn := range []string{db + "?password=Zz99Secret", db + "?bogus_option=1", db + "?s3_region=us-east-1"} {
		for _, cmd := range [][]string{{"health"}, {"health", "--json"}, {"status"}} {
			code, out, stderr := runCLI(t, append(cmd, "--db", dsn)...)
			if code != exitUsage || !strings.Contains(stderr, `"code":1005`) {
				t.Errorf("%v --db %s: exit %d, want %d with code 1005\n%s%s", cmd, dsn, code, exitUsage, out, stderr)
			}
			if strings.Contains(out+stderr, "Zz99Secret") {
				t.Errorf("%v: the password was printed:\n%s%s", cmd, out, stderr)
			}
		}
	}
}
