package main

import (
	"bytes"
	"strings"
	"testing"
)

// A word that is no command is refused in a line that names the command
// it is probably a typo of, and says where the commands are listed,
// without the whole usage (whose first lines would scroll the refusal
// out of sight).
func TestUnknownCommandHint(t *testing.T) {
	for _, tc := range []struct {
		args string
		want string // the refusal's first line
	}{
		{"lod x.zip", `genexp: unknown command "lod" (did you mean "load"?)`},
		{"laod x.zip", `genexp: unknown command "laod" (did you mean "load"?)`},
		{"stauts", `genexp: unknown command "stauts" (did you mean "status"?)`},
		{"Query SELECT", `genexp: unknown command "Query" (did you mean "query"?)`},
		{"--db x.duckdb helth", `genexp: unknown command "helth" (did you mean "health"?)`},
		{"help valdate", `genexp: unknown command "valdate" (did you mean "validate"?)`},
		{"--versoin", `genexp: unknown command "--versoin" (did you mean "version"?)`},
		{"bogus", `genexp: unknown command "bogus"`},
		{"ls", `genexp: unknown command "ls"`},
	} {
		var out, errb bytes.Buffer
		code := run(strings.Fields(tc.args), &out, &errb)
		lines := strings.Split(strings.TrimSuffix(errb.String(), "\n"), "\n")
		if code != exitUsage || out.Len() != 0 || len(lines) != 2 || lines[0] != tc.want || lines[1] != helpLine {
			t.Errorf("genexp %s: exit %d, stdout %q, stderr\n%s\nwant exit %d and\n%s\n%s", tc.args, code, out.String(), errb.String(), exitUsage, tc.want, helpLine)
		}
	}
}

// A command is never refused as a typo of itself, whatever letters its
// name shares with another.
func TestHelpOfEveryCommand(t *testing.T) {
	for _, name := range []string{"load", "init", "status", "query", "validate", "health", "features", "config", "bench", "version"} {
		var out, errb bytes.Buffer
		run([]string{"help", name}, &out, &errb)
		if strings.Contains(errb.String(), "unknown command") {
			t.Errorf("genexp help %s: %s", name, errb.String())
		}
	}
}
