package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// fullWriter fails every write, as a full disk does.
type fullWriter struct{}

func (fullWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

// TestOutputNotWrittenIsAFailure: a command whose output could not be
// written exited 0 with nothing written (status, config, load's summary);
// it exits 1 and says why.
func TestOutputNotWrittenIsAFailure(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.duckdb")
	if code, _, stderr := runCLI(t, "init", "--db", db); code != exitOK {
		t.Fatalf("init: exit %d, %s", code, stderr)
	}
	for _, args := range [][]string{{"config"}, {"status", "--db", db}, {"init", "--db", db},
		{"help"}, {"help", "load"}, {"load", "-h"}, {"--db", db, "help"}} {
		var errb strings.Builder
		code := run(args, fullWriter{}, &errb)
		if code != exitFailed || !strings.Contains(errb.String(), "writing the output: no space left on device") {
			t.Errorf("%v to a full disk: exit %d, stderr %q; want exit %d saying so", args, code, errb.String(), exitFailed)
		}
	}
}

// TestOutputNotWrittenOnFailure: a command that fails keeps its status when
// its output could not be written either, but says so on stderr: its
// summary is lost, and nothing else tells the user.
func TestOutputNotWrittenOnFailure(t *testing.T) {
	// 3 genes of a real study: a WARNING (too few genes per sample).
	src := "../../testdata/refinebio/GSE71270/GSE71270/"
	b, err := os.ReadFile(src + "GSE71270.tsv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfterN(string(b), "\n", 5)
	dir := filepath.Join(t.TempDir(), "GSE71270")
	sheet, err := os.ReadFile(src + "metadata_GSE71270.tsv")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "GSE71270.tsv"), []byte(strings.Join(lines[:4], "")), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "metadata_GSE71270.tsv"), sheet, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{}, {"validate", dir}} {
		want, _, _ := runCLI(t, args...)
		if want == exitOK {
			t.Fatalf("%v: exit 0, want a failure to test with", args)
		}
		var errb strings.Builder
		code := run(args, fullWriter{}, &errb)
		if code != want || !strings.Contains(errb.String(), "writing the output: no space left on device") {
			t.Errorf("%v to a full disk: exit %d, stderr %q; want exit %d saying the output was not written", args, code, errb.String(), want)
		}
	}
}

// TestOutputNotWrittenSaidAsJSON: with --log-format json, the loss of the
// output is a JSON record like the command's other failures; it was a
// line of text among the JSON lines, which a reader of them could not
// parse.
func TestOutputNotWrittenSaidAsJSON(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.duckdb")
	src := filepath.Join("..", "..", "testdata", "refinebio", "quickstart", "GSE71270")
	for _, args := range [][]string{{"load", "--db", db, src}, {"status", "--db", db}, {"validate", src}} {
		var errb strings.Builder
		code := run(append(args, "--log-format", "json"), fullWriter{}, &errb)
		said := false
		for _, line := range strings.Split(strings.TrimSpace(errb.String()), "\n") {
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Errorf("%v: stderr line %q is no JSON record", args, line)
				continue
			}
			msg, _ := rec["msg"].(string)
			said = said || rec["level"] == "ERROR" && strings.Contains(msg, "writing the output: no space left on device")
		}
		if code == exitOK || !said {
			t.Errorf("%v to a full disk: exit %d, stderr\n%s\nwant a failure and an ERROR record saying the output was not written", args, code, errb.String())
		}
	}
}
