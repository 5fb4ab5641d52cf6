package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestQuickStart follows README.md's quick start from an empty directory:
// it runs the load command the README shows and checks that it prints the
// table the README promises (every column but the time) and no finding,
// creates genexp.duckdb there, and that a rerun is a duplicate.
func TestQuickStart(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(readme), "## Quick start")
	section, _, _ = strings.Cut(section, "\n## ")
	var args, table []string
	inTable := false
	for _, l := range strings.Split(section, "\n") {
		switch {
		case strings.HasPrefix(l, "go run ./cmd/genexp load "):
			cmd, _, _ := strings.Cut(strings.TrimPrefix(l, "go run ./cmd/genexp "), "#")
			args = strings.Fields(cmd)
		case strings.HasPrefix(l, "STUDY "):
			inTable = true
			table = append(table, l)
		case inTable && strings.HasPrefix(l, "```"):
			inTable = false
		case inTable:
			table = append(table, l)
		}
	}
	if len(args) < 2 || len(table) < 2 {
		t.Fatalf("README's quick start: command %q, table %q; want a load command and the table it prints", args, table)
	}
	for i, a := range args[1:] {
		if !strings.HasPrefix(a, "-") {
			args[i+1] = filepath.Join(root, a)
		}
	}
	dir := t.TempDir()
	t.Chdir(dir)
	var out, stderr bytes.Buffer
	if code := run(args, &out, &stderr); code != exitOK {
		t.Fatalf("%v: exit %d\n%s%s", args, code, out.String(), stderr.String())
	}
	got := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if len(got) != len(table) {
		t.Fatalf("the quick start printed\n%s\nthe README promises\n%s", out.String(), strings.Join(table, "\n"))
	}
	for i := range got {
		g, w := strings.Fields(got[i]), strings.Fields(table[i])
		if len(g) != len(w) || strings.Join(g[:len(g)-1], " ") != strings.Join(w[:len(w)-1], " ") {
			t.Errorf("line %d: printed %q, the README promises %q (the time aside)", i+1, got[i], table[i])
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "genexp.duckdb")); err != nil {
		t.Errorf("the quick start made no genexp.duckdb where it ran: %v", err)
	}
	out.Reset()
	stderr.Reset()
	study := strings.Fields(table[1])[0]
	if code := run(args, &out, &stderr); code != exitOK || len(strings.Fields(lineOf(out.String(), study))) < 2 ||
		strings.Fields(lineOf(out.String(), study))[1] != "duplicate" {
		t.Errorf("rerun: exit %d, want the study reported as a duplicate\n%s%s", code, out.String(), stderr.String())
	}
}
