package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInMemoryTargetRefused: an empty --db (a script's unset variable) or
// :memory: used to load into a warehouse that vanished at exit while the
// summary said "new" and the exit status 0. Every command that opens a
// warehouse refuses it as a usage error, and nothing is written.
func TestInMemoryTargetRefused(t *testing.T) {
	src := filepath.Join("..", "..", "testdata", "refinebio", "quickstart", "GSE71270")
	dir := t.TempDir()
	t.Chdir(dir)
	for _, target := range []string{"", " ", ":memory:", ":memory:?threads=2"} {
		for _, args := range [][]string{
			{"load", "--db", target, src},
			{"init", "--db", target},
			{"status", "--db", target},
			{"health", "--db", target},
			{"features", "--db", target, "GSE71270"},
			{"query", "--db", target, "SELECT 1"},
			{"load", "--dsn", ":memory:", src},
		} {
			code, out, stderr := runCLI(t, args...)
			if code != exitUsage || !strings.Contains(stderr, "names no file") || !strings.Contains(stderr, "1005") {
				t.Errorf("%q: exit %d, want %d naming the missing file\n%s%s", args, code, exitUsage, out, stderr)
			}
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("refused commands left %v behind", entries)
	}
}

// TestFolderTargetIsNoWarehouse: a folder given as the warehouse is named
// as one by the commands that read a warehouse; health used to judge the
// folder's permissions "writable: healthy" beside its failure to open.
func TestFolderTargetIsNoWarehouse(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"health", "--db", dir},
		{"status", "--db", dir},
		{"query", "--db", dir, "SELECT 1"},
	} {
		code, out, stderr := runCLI(t, args...)
		if code == exitOK || !strings.Contains(out+stderr, "is a folder, not a warehouse file") || strings.Contains(out, "writable") {
			t.Errorf("%q: exit %d\n%s%s", args, code, out, stderr)
		}
	}
}
