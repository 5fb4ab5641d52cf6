//go:build unix

package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSignalEndsTheWaitForABusyWarehouse: a load waiting for a warehouse
// another process holds (busy_timeout) stops waiting at SIGTERM, exits 143
// saying so, and has written nothing; it used to be held until the other
// process let go or the timeout ran out (here a minute: a load that waited
// it out would end busy, exit 3).
func TestSignalEndsTheWaitForABusyWarehouse(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "w.duckdb")
	if code, _, stderr := runCLI(t, "init", "--db", db); code != exitOK {
		t.Fatalf("init: %s", stderr)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestReaderHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), "GENEXP_READER_HELPER="+db)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close()
		cmd.Wait()
	}()
	if line, err := bufio.NewReader(stdout).ReadString('\n'); line != "open\n" {
		t.Fatalf("the reader did not open the warehouse: %q %v", line, err)
	}
	signalWindow = func(ctx context.Context, at string) {
		if at == "open" {
			go func() {
				time.Sleep(500 * time.Millisecond) // into the wait
				syscall.Kill(syscall.Getpid(), syscall.SIGTERM)
			}()
		}
	}
	defer func() { signalWindow = nil }()
	src := filepath.Join("..", "..", "testdata", "refinebio", "quickstart", "GSE71270")
	code, out, stderr := runCLI(t, "load", "--db", db+"?busy_timeout=1m", src)
	if code != exitTerminated || !strings.Contains(stderr, "stopped waiting for the warehouse another process holds") {
		t.Errorf("exit %d, want %d saying it stopped waiting\n%s%s", code, exitTerminated, out, stderr)
	}
	stdin.Close()
	cmd.Wait()
	code, out, stderr = runCLI(t, "query", "--db", db, "SELECT COUNT(*) AS facts FROM fact_gene_expression")
	if f := strings.Fields(out); code != exitOK || len(f) < 2 || f[0] != "facts" || f[1] != "0" {
		t.Errorf("after the stopped load: exit %d, want 0 facts\n%s%s", code, out, stderr)
	}
}
