package main

import (
	"encoding/json"
	"os"
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

// TestConfigDSNErrorIsPlaced: a DSN mistake in the configuration's
// database.connection_string is reported at its line and column in the
// file, as every other mistake there is; given by --db, it names no file.
func TestConfigDSNErrorIsPlaced(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(cfg, []byte("processing:\n  chunk_size: 0\ndatabase:\n  connection_string: \""+filepath.Join(dir, "w.duckdb")+"?bogus_opt=1\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := runCLI(t, "init", "--db", filepath.Join(dir, "w.duckdb")); code != exitOK {
		t.Fatalf("init: exit %d\n%s%s", code, out, stderr)
	}
	for _, cmd := range [][]string{{"status"}, {"health"}, {"init"}} {
		code, out, stderr := runCLI(t, append(cmd, "--config", cfg, "--log-format", "json")...)
		if code != exitUsage || !strings.Contains(stderr, `"file":"`+cfg+`","line":4,"column":22,"path":"database.connection_string"`) ||
			strings.Count(stderr, "database.connection_string") != 2 {
			t.Errorf("%v: exit %d, want %d with the error at %s:4:22 (database.connection_string)\n%s%s", cmd, code, exitUsage, cfg, out, stderr)
		}
		code, _, stderr = runCLI(t, append(cmd, "--config", cfg, "--log-format", "json", "--db", filepath.Join(dir, "w.duckdb")+"?bogus_opt=1")...)
		if code != exitUsage || strings.Contains(stderr, `"file":"`+cfg) {
			t.Errorf("%v --db: exit %d, want %d and no place in the configuration\n%s", cmd, code, exitUsage, stderr)
		}
	}
}
