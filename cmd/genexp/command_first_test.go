package main

import (
	"bytes"
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
