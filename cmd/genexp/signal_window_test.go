//go:build unix

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSignalsHeldWhileTheWarehouseOpensOrCloses sends this process SIGTERM
// while a writing command opens the warehouse (its migration) and while it
// closes it (DuckDB's last checkpoint). Either used to end the process in
// the middle of writing the file; now the open or the close ends first. A
// signal during the open stops the command there (143, nothing loaded);
// one during the close, after the load committed, lets the close finish:
// the load's status stands, and no write-ahead log is left behind.
func TestSignalsHeldWhileTheWarehouseOpensOrCloses(t *testing.T) {
	src := filepath.Join("..", "..", "testdata", "refinebio", "quickstart", "GSE71270")
	for _, stage := range []string{"open", "close"} {
		for _, cmd := range []string{"load", "features", "init"} {
			t.Run(stage+"/"+cmd, func(t *testing.T) {
				_, db := loadedWarehouse(t)
				signalWindow = func(ctx context.Context, at string) {
					if at != stage {
						return
					}
					terminate(t, ctx)
				}
				defer func() { signalWindow = nil }()
				args := map[string][]string{"load": {"load", "--db", db, src}, "features": {"features", "--db", db}, "init": {"init", "--db", db}}[cmd]
				code, out, stderr := runCLI(t, args...)
				switch stage {
				case "open":
					if code != exitTerminated || !strings.Contains(stderr, "interrupted") {
						t.Errorf("exit %d, want %d saying interrupted\n%s%s", code, exitTerminated, out, stderr)
					}
					if !strings.Contains(stderr, "after the warehouse opened, at schema version ") {
						t.Errorf("the stop does not say where the open left the schema:\n%s", stderr)
					}
					if cmd == "load" && strings.Contains(out, "GSE71270") {
						t.Errorf("a load stopped while the warehouse opened went on:\n%s", out)
					}
				case "close":
					if code != exitOK {
						t.Errorf("exit %d, want %d: the command had finished\n%s%s", code, exitOK, out, stderr)
					}
				}
				if _, err := os.Stat(db + ".wal"); err == nil {
					t.Errorf("a write-ahead log is left beside the warehouse")
				}
				if code, _, stderr := runCLI(t, "status", "--db", db); code != exitOK {
					t.Errorf("status after the signal: exit %d\n%s", code, stderr)
				}
			})
		}
	}
}

// TestSecondSignalHeldWhileTheWarehouseCloses: a first SIGTERM while the
// warehouse opens stops the load; a second while it closes (DuckDB's last
// checkpoint) does not end the process in the middle of that write.
func TestSecondSignalHeldWhileTheWarehouseCloses(t *testing.T) {
	_, db := loadedWarehouse(t)
	src := filepath.Join("..", "..", "testdata", "refinebio", "quickstart", "GSE71270")
	signalWindow = func(ctx context.Context, at string) {
		if at == "open" {
			terminate(t, ctx)
			return
		}
		// A second signal: nothing but the held handler waits for it.
		if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	defer func() { signalWindow = nil }()
	code, out, stderr := runCLI(t, "load", "--db", db, src)
	if code != exitTerminated {
		t.Errorf("exit %d, want %d\n%s%s", code, exitTerminated, out, stderr)
	}
	if _, err := os.Stat(db + ".wal"); err == nil {
		t.Errorf("a write-ahead log is left beside the warehouse")
	}
}

// TestFailedOpenIsNoStop: an open that fails (a file that is no DuckDB
// warehouse) is that failure, exit 3 with its code, even when a signal
// came while it ran; only a wait a signal ended is a stop.
func TestFailedOpenIsNoStop(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.duckdb")
	if err := os.WriteFile(db, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	signalWindow = func(ctx context.Context, at string) {
		if at == "open" {
			terminate(t, ctx)
		}
	}
	defer func() { signalWindow = nil }()
	code, _, stderr := runCLI(t, "init", "--db", db)
	if code != exitNoAccess || !strings.Contains(stderr, "4001") || strings.Contains(stderr, "interrupted") {
		t.Errorf("exit %d, want %d with the open's failure (4001), not a stop\n%s", code, exitNoAccess, stderr)
	}
}

// terminate sends this process SIGTERM and returns once the command's
// context ctx has ended for it.
func terminate(t *testing.T, ctx context.Context) {
	t.Helper()
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the signal did not reach the command's context")
	}
}
