package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp/qc"
)

// TestHelpSaysExitStatuses: every command's -h, and `genexp help
// COMMAND`, prints what the command does and its exit statuses on stdout
// and exits 0; a bad flag exits 2 with the help on stderr.
func TestHelpSaysExitStatuses(t *testing.T) {
	for _, tc := range []struct {
		cmd  []string
		head string
	}{
		{[]string{"load"}, "Usage: genexp load [flags] PATH..."},
		{[]string{"init"}, "Usage: genexp init [flags]"},
		{[]string{"status"}, "Usage: genexp status [flags]"},
		{[]string{"query"}, `Usage: genexp query [flags] "SQL"`},
		{[]string{"validate"}, "Usage: genexp validate [flags] PATH..."},
		{[]string{"health"}, "Usage: genexp health [flags]"},
		{[]string{"features"}, "Usage: genexp features [flags] [STUDY...]"},
		{[]string{"config"}, "Usage: genexp config [--config FILE]"},
		{[]string{"bench"}, "Usage:"},
		{[]string{"bench", "read"}, "Usage: genexp bench read [flags] [MATRIX]"},
		{[]string{"bench", "load"}, "Usage: genexp bench load [flags]"},
	} {
		name := strings.Join(tc.cmd, " ")
		var helpOut string
		for _, args := range [][]string{append(tc.cmd, "-h"), append(tc.cmd, "--help"), append([]string{"help"}, tc.cmd...)} {
			var out, errb bytes.Buffer
			code := run(args, &out, &errb)
			if code != exitOK || errb.Len() != 0 || !strings.HasPrefix(out.String(), tc.head) || !strings.Contains(out.String(), "\nExit status: 0 ") {
				t.Errorf("%q: exit %d (want 0), stderr %q; want stdout to start %q and state the exit statuses:\n%s", args, code, errb.String(), tc.head, out.String())
			}
			if helpOut == "" {
				helpOut = out.String()
			} else if out.String() != helpOut {
				t.Errorf("%q prints other help than %s -h:\n%s", args, name, out.String())
			}
		}
		if len(tc.cmd) == 1 && tc.cmd[0] == "bench" {
			continue // bench takes a benchmark's name first
		}
		var out, errb bytes.Buffer
		code := run(append(tc.cmd, "--no-such-flag"), &out, &errb)
		// The error and where the help is, not the help: dozens of lines
		// of it buried the one that matters.
		if code != exitUsage || out.Len() != 0 || !strings.HasPrefix(errb.String(), "genexp "+name+": flag provided but not defined: -no-such-flag\n") ||
			!strings.HasSuffix(errb.String(), "\nRun 'genexp "+name+" -h' for what it does, its flags and its exit statuses.\n") || strings.Contains(errb.String(), "Flags:") {
			t.Errorf("%s --no-such-flag: exit %d (want %d), stdout %q, stderr %q: want the error and where the help is on stderr", name, code, exitUsage, out.String(), errb.String())
		}
	}
	var out, errb bytes.Buffer
	if code := run([]string{"help"}, &out, &errb); code != exitOK || !strings.Contains(out.String(), "\nExit status: 0 ") {
		t.Errorf("genexp help: exit %d, want 0 and the exit statuses:\n%s", code, out.String())
	}
	if code := run([]string{"help", "nope"}, &out, &errb); code != exitUsage {
		t.Errorf("genexp help nope: exit %d, want %d", code, exitUsage)
	}
}

// TestQueryRefusedSQLIsUsage: SQL the warehouse refuses exits 2, as input
// to correct, not 1 (a study failed).
func TestQueryRefusedSQLIsUsage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.duckdb")
	if code, _, stderr := runCLI(t, "init", "--db", db); code != exitOK {
		t.Fatalf("init: exit %d\n%s", code, stderr)
	}
	for _, q := range []string{"SELECT nope", "SELEC 1", "SELECT * FROM no_such_table"} {
		code, out, stderr := runCLI(t, "query", "--db", db, q)
		if code != exitUsage || out != "" || !strings.Contains(stderr, "the warehouse could not run the SQL statement: ") {
			t.Errorf("query %q: exit %d, want %d and the error\n%s%s", q, code, exitUsage, out, stderr)
		}
		code, _, stderr = runCLI(t, "query", "--db", db, "--log-format", "json", q)
		if rec := errorRecord(t, stderr); code != exitUsage || rec.Code != int(qc.QueryRefused) || rec.CodeName != qc.QueryRefused.Name() {
			t.Errorf("query %q in JSON: exit %d, record %+v, want %d and code %d\n%s", q, code, rec, exitUsage, qc.QueryRefused, stderr)
		}
	}
	if code, out, stderr := runCLI(t, "query", "--db", db, "SELECT 1 AS one"); code != exitOK || !strings.Contains(out, "(1 rows)") {
		t.Errorf("a good query: exit %d\n%s%s", code, out, stderr)
	}
}

// errorRecord returns the one ERROR record of a JSON stderr.
func errorRecord(t *testing.T, stderr string) (rec struct {
	Level    string `json:"level"`
	Msg      string `json:"msg"`
	Code     int    `json:"code"`
	CodeName string `json:"code_name"`
}) {
	t.Helper()
	n := 0
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		var r = rec
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Errorf("stderr line %q is not JSON: %v", l, err)
			continue
		}
		if r.Level == "ERROR" {
			rec = r
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d ERROR records, want 1:\n%s", n, stderr)
	}
	return rec
}

// TestLogFormatDocumented: the configuration's logging.format is the
// default of --log-format, and the usage, every command's flag help and
// README.md say so.
func TestLogFormatDocumented(t *testing.T) {
	var out, errb bytes.Buffer
	run([]string{"help"}, &out, &errb)
	if !strings.Contains(strings.Join(strings.Fields(out.String()), " "), "--log-format F text or json (default: logging.format,") {
		t.Errorf("genexp help does not name logging.format for --log-format:\n%s", out.String())
	}
	for _, cmd := range []string{"load", "init", "status", "query", "validate", "health", "features", "config"} {
		out.Reset()
		run([]string{cmd, "-h"}, &out, &errb)
		if !strings.Contains(strings.Join(strings.Fields(out.String()), " "), "log format: text or json (default: logging.format,") {
			t.Errorf("%s -h does not name logging.format for --log-format:\n%s", cmd, out.String())
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "`logging.format: json`") {
		t.Error("README.md does not mention logging.format")
	}
}

// TestMistypedFlagNamesTheFlag: a flag that is not defined but is close to
// one that is (a typo, or a prefix) is answered with that flag, as a
// mistyped configuration key is; one close to none gets no guess.
func TestMistypedFlagNamesTheFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"load", "--dbb", "x"}, "did you mean --db?"},
		{[]string{"load", "--dry-rn", "x"}, "did you mean --dry-run?"},
		{[]string{"status", "--step", "3"}, "did you mean --steps?"},
		{[]string{"query", "--max", "3", "SELECT 1"}, "did you mean --max-rows?"},
		{[]string{"bench", "load", "--cellz", "5"}, "did you mean --cells?"},
		{[]string{"load", "--zzzzzz", "x"}, ""},
		// too short to tell, or as near to two flags: no guess
		{[]string{"load", "-v", "x"}, ""},
		{[]string{"status", "-n", "3"}, ""},
		{[]string{"load", "--ds", "x"}, ""},
		{[]string{"query", "--json", "SELECT 1"}, ""},
		{[]string{"load", "--log", "x"}, ""},
		{[]string{"load", "--log-lvl", "INFO", "x"}, "did you mean --log-level?"},
	} {
		code, out, stderr := runCLI(t, tc.args...)
		if code != exitUsage || out != "" {
			t.Errorf("%q: exit %d, stdout %q; want %d and nothing", tc.args, code, out, exitUsage)
		}
		if got := strings.Contains(stderr, "did you mean"); got != (tc.want != "") || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: stderr %q; want %q", tc.args, stderr, tc.want)
		}
	}
	code, _, stderr := runCLI(t, "load", "--log-format", "json", "--dbb", "x")
	if rec := errorRecord(t, stderr); code != exitUsage || !strings.Contains(rec.Msg, "(did you mean --db?)") {
		t.Errorf("json: exit %d, record %+v; want the guess in the record", code, rec)
	}
}

// validate takes no --db: the common flag of the commands that open a
// warehouse, given to it, is refused with what to run instead.
func TestValidateRefusesDBWithAHint(t *testing.T) {
	for _, args := range [][]string{{"--db", "x.duckdb", "validate", "p"}, {"validate", "--dsn", "x.duckdb", "p"}} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), "validate opens no warehouse, so it takes no --d") ||
			!strings.Contains(errb.String(), "genexp load --dry-run") {
			t.Errorf("%q: exit %d, stderr %q; want a usage error saying validate opens no warehouse", args, code, errb.String())
		}
	}
}

// An empty --config (an unset variable: --config "$CFG") is refused: read
// as no file, the command would run on the built-in defaults.
func TestEmptyConfigIsRefused(t *testing.T) {
	for _, args := range [][]string{{"config", "--config", ""}, {"validate", "--config=", "p"}, {"status", "--config", " "}} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), "--config names no file") {
			t.Errorf("%q: exit %d, stderr %q; want a usage error saying --config names no file", args, code, errb.String())
		}
	}
}
