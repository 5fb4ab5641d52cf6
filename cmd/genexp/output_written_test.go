package main

import (
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
	for _, args := range [][]string{{"config"}, {"status", "--db", db}, {"init", "--db", db}} {
		var errb strings.Builder
		code := run(args, fullWriter{}, &errb)
		if code != exitFailed || !strings.Contains(errb.String(), "writing the output: no space left on device") {
			t.Errorf("%v to a full disk: exit %d, stderr %q; want exit %d saying so", args, code, errb.String(), exitFailed)
		}
	}
}
