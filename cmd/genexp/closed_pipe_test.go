package main

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMainHelper runs main with the arguments GENEXP_MAIN_ARGS holds
// (separated by newlines), as the genexp binary would; it is run by
// TestClosedPipeKeepsEveryCommandsStatus.
func TestMainHelper(t *testing.T) {
	args := os.Getenv("GENEXP_MAIN_ARGS")
	if args == "" {
		t.Skip("run by TestClosedPipeKeepsEveryCommandsStatus")
	}
	os.Args = append([]string{"genexp"}, strings.Split(args, "\n")...)
	main()
}

// TestClosedPipeKeepsEveryCommandsStatus: every command, not only those
// that write the warehouse, exits with the status it has when its reader
// reads everything, when the reader is gone before it writes a line
// (genexp health | grep -q …, genexp status | head): not killed by SIGPIPE
// (141 in a shell).
func TestClosedPipeKeepsEveryCommandsStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	db := filepath.Join(t.TempDir(), "w.duckdb")
	for _, args := range [][]string{
		{"init", "--db", db},
		{"status", "--db", db},
		{"health", "--db", db},
		{"health", "--json", "--db", db},
		{"query", "--db", db, "SELECT 1"},
		{"config"},
		{"help"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			read := runMain(t, args, nil)
			gone := runMain(t, args, closedPipe(t))
			if gone != read {
				t.Errorf("exit status %d into a closed pipe, %d into a reader; want the same", gone, read)
			}
		})
	}
}

// closedPipe returns the write end of a pipe whose read end is closed.
func closedPipe(t *testing.T) *os.File {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	t.Cleanup(func() { w.Close() })
	return w
}

// runMain runs main in a child process with args, its stdout out (a
// reader that reads everything when nil), and returns its exit status, or
// -1 when a signal ended it.
func runMain(t *testing.T, args []string, out *os.File) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestMainHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), "GENEXP_MAIN_ARGS="+strings.Join(args, "\n"))
	cmd.Stdout = io.Discard
	if out != nil {
		cmd.Stdout = out
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		if !ee.Exited() {
			t.Logf("%v: %v; stderr %q", args, ee, stderr.String())
		}
		return ee.ExitCode()
	default:
		t.Fatal(err)
		return 0
	}
}
