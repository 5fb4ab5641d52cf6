//go:build unix

package main

import (
	"context"
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
	release := holdOpen(t, db)
	defer release()
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
	release()
	code, out, stderr = runCLI(t, "query", "--db", db, "SELECT COUNT(*) AS facts FROM fact_gene_expression")
	if f := strings.Fields(out); code != exitOK || len(f) < 2 || f[0] != "facts" || f[1] != "0" {
		t.Errorf("after the stopped load: exit %d, want 0 facts\n%s%s", code, out, stderr)
	}
}
