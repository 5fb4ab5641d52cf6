package main

import (
	"flag"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestParseFlags: flags may follow the arguments, and only an argument
// that can be a flag is taken for one, so that SQL beginning with a
// comment or a minus sign reaches the command as its argument.
func TestParseFlags(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		pos     []string
		db      string
		verbose bool
		wantErr string
	}{
		{"flags after the argument", []string{"x.zip", "--db", "w.duckdb"}, []string{"x.zip"}, "w.duckdb", false, ""},
		{"flag with =", []string{"--db=my dir/w.duckdb", "x"}, []string{"x"}, "my dir/w.duckdb", false, ""},
		{"SQL opening with a comment", []string{"--db", "w", "-- count\nSELECT 1"}, []string{"-- count\nSELECT 1"}, "w", false, ""},
		{"a comment glued to its word", []string{"--count\nSELECT 1"}, []string{"--count\nSELECT 1"}, "genexp.duckdb", false, ""},
		{"a comment of three dashes", []string{"--- note\nSELECT 1"}, []string{"--- note\nSELECT 1"}, "genexp.duckdb", false, ""},
		{"a negative number", []string{"-1"}, []string{"-1"}, "genexp.duckdb", false, ""},
		{"a lone dash is stdin", []string{"-", "-v"}, []string{"-"}, "genexp.duckdb", true, ""},
		{"a value that looks like a flag", []string{"--db", "-w.duckdb", "x"}, []string{"x"}, "-w.duckdb", false, ""},
		{"after -- everything is an argument", []string{"--", "-v", "--db", "w"}, []string{"-v", "--db", "w"}, "genexp.duckdb", false, ""},
		{"a boolean takes no value", []string{"-v", "x"}, []string{"x"}, "genexp.duckdb", true, ""},
		{"unknown flag", []string{"x", "--bogus"}, nil, "", false, "flag provided but not defined: -bogus"},
		{"missing value", []string{"x", "--db"}, nil, "", false, "flag needs an argument: -db"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			db := fs.String("db", "genexp.duckdb", "")
			verbose := fs.Bool("v", false, "")
			pos, err := parseFlags(fs, tc.args, io.Discard)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(pos, tc.pos) || *db != tc.db || *verbose != tc.verbose {
				t.Errorf("arguments %q, --db %q, -v %v; want %q, %q, %v", pos, *db, *verbose, tc.pos, tc.db, tc.verbose)
			}
		})
	}
}

// TestQueryOpeningWithAComment: `genexp query "-- note\nSELECT …"` runs
// the statement instead of refusing "- note" as an unknown flag.
func TestQueryOpeningWithAComment(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.duckdb")
	if code, _, stderr := runCLI(t, "init", "--db", db); code != exitOK {
		t.Fatalf("init: exit %d, %s", code, stderr)
	}
	code, stdout, stderr := runCLI(t, "query", "--db", db, "--format", "csv", "-- the labels\nSELECT COUNT(*) AS n FROM dim_illness")
	if code != exitOK || stdout != "n\n5\n" {
		t.Fatalf("exit %d, stdout %q, stderr %s; want the 5 labels", code, stdout, stderr)
	}
	if code, _, stderr := runCLI(t, "query", "--db", db, "-1"); code != exitUsage || !strings.Contains(stderr, "6001") {
		t.Errorf("query -1: exit %d, %s; want the warehouse's refusal (6001)", code, stderr)
	}
}
