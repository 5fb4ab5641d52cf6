package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Common flags may come before the command; they are moved after it (and
// after bench's benchmark), and nothing else is.
func TestCommandFirst(t *testing.T) {
	cmds := []command{{name: "load"}, {name: "query"}, {name: "bench"}}
	tests := []struct {
		in, want string
	}{
		{"--log-level WARN load x.zip", "load --log-level WARN x.zip"},
		{"--db=w.duckdb --log-format json query SELECT", "query --db=w.duckdb --log-format json SELECT"},
		{"-db w.duckdb load x.zip --config c.yaml", "load -db w.duckdb x.zip --config c.yaml"},
		{"--log-level WARN bench load --cells 10", "bench load --log-level WARN --cells 10"},
		{"load --db w.duckdb x.zip", "load --db w.duckdb x.zip"},
		// not common flags, a flag without its value, no command: as given
		{"--cells 10 load", "--cells 10 load"},
		{"--db load", "--db load"},
		{"--db w.duckdb nope x", "--db w.duckdb nope x"},
		{"---db w load", "---db w load"},
		{"-h", "-h"},
	}
	for _, tt := range tests {
		if got := strings.Join(commandFirst(strings.Fields(tt.in), cmds), " "); got != tt.want {
			t.Errorf("commandFirst(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCommonFlagsBeforeTheCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.duckdb")
	var out, errb bytes.Buffer
	if code := run([]string{"--log-format", "json", "--db", db, "init"}, &out, &errb); code != exitOK {
		t.Fatalf("genexp --log-format json --db W init: exit %d\n%s%s", code, out.String(), errb.String())
	}
	if _, err := os.Stat(db); err != nil {
		t.Fatalf("init before which --db was given did not create it: %v", err)
	}
	out.Reset()
	errb.Reset()
	code := run([]string{"--db=" + db, "--log-format=json", "query", "SELECT 41 + 1 AS answer"}, &out, &errb)
	if code != exitOK || !slices.Contains(strings.Fields(out.String()), "42") {
		t.Fatalf("genexp --db=W query: exit %d\n%s%s", code, out.String(), errb.String())
	}
}

// Common flags followed by no command, or by a word that is none, say so
// (not that the first flag is an unknown command), as a JSON record when
// the flags ask for JSON.
func TestNoCommandAfterCommonFlags(t *testing.T) {
	for _, tc := range []struct {
		args string
		says string
		json bool
	}{
		{"--db x.duckdb bogus", `unknown command "bogus"`, false},
		{"--db=x.duckdb --log-level WARN", "missing command", false},
		{"--log-format json", "missing command", true},
		{"--log-format json bogus", `unknown command "bogus"`, true},
		{"--log-format=JSON --db x.duckdb bogus", `unknown command "bogus"`, true},
		{"--dsn sqlserver://sa:S3cretPW@db:1433", "missing command after the flags --dsn", false},
		{"--log-format json --dsn=sqlserver://sa:S3cretPW@db:1433", "missing command after the flags --log-format --dsn", true},
	} {
		var out, errb bytes.Buffer
		code := run(strings.Fields(tc.args), &out, &errb)
		stderr, said := errb.String(), errb.String()
		var rec map[string]any
		isJSON := json.Unmarshal([]byte(strings.TrimSpace(stderr)), &rec) == nil && rec["level"] == "ERROR"
		if isJSON {
			said, _ = rec["msg"].(string)
		}
		if isJSON != tc.json {
			t.Errorf("genexp %s: stderr a JSON record %v, want %v: %q", tc.args, isJSON, tc.json, stderr)
		}
		if code != exitUsage || !strings.Contains(said, tc.says) || out.Len() != 0 {
			t.Errorf("genexp %s: exit %d, stderr %q, want %d saying %s", tc.args, code, stderr, exitUsage, tc.says)
		}
		if strings.Contains(stderr, "S3cretPW") || strings.Contains(stderr, "x.duckdb") {
			t.Errorf("genexp %s: stderr shows a flag's value: %q", tc.args, stderr)
		}
	}
}

// "help" after common flags is the usage, as without them.
func TestHelpAfterCommonFlags(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"--db", "x.duckdb", "help"}, &out, &errb); code != exitOK || !strings.HasPrefix(out.String(), "genexp loads") {
		t.Errorf("genexp --db x.duckdb help: exit %d\n%s%s", code, out.String(), errb.String())
	}
}
