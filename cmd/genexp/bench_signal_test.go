//go:build unix

package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBenchSignalHelper is the child process of TestBenchStopRemovesData:
// a benchmark that generates a matrix far larger than the test waits for
// (bench read), or a download of more small studies than it waits for
// (bench load: files come and go while the folder is removed).
func TestBenchSignalHelper(t *testing.T) {
	tmp := os.Getenv("GENEXP_BENCH_SIGNAL_TMP")
	if tmp == "" {
		t.Skip("run by TestBenchStopRemovesData")
	}
	args := []string{"bench", "read", "--tmp", tmp, "--genes", "5000000", "--samples", "200"}
	if os.Getenv("GENEXP_BENCH_SIGNAL_LOAD") != "" {
		args = []string{"bench", "load", "--tmp", tmp, "--studies", "20000", "--cells", "400000", "--genes", "10"}
	}
	os.Exit(run(args, os.Stdout, os.Stderr))
}

// TestBenchStopRemovesData: bench stopped by a signal left its generated
// data (hundreds of megabytes) in the temporary folder and died by the
// signal itself; it removes the data and exits 130 or 143, as load does.
// A download of many small studies was left in part: the generator went
// on writing files while the folder was removed.
func TestBenchStopRemovesData(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	for _, tc := range []struct {
		name string
		sig  syscall.Signal
		want int
	}{{"read", syscall.SIGINT, 130}, {"read", syscall.SIGTERM, 143}, {"load", syscall.SIGTERM, 143}} {
		t.Run(tc.name+"/"+tc.sig.String(), func(t *testing.T) {
			tmp := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^TestBenchSignalHelper$", "-test.count=1")
			cmd.Env = append(os.Environ(), "GENEXP_BENCH_SIGNAL_TMP="+tmp)
			if tc.name == "load" {
				cmd.Env = append(cmd.Env, "GENEXP_BENCH_SIGNAL_LOAD=1")
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Signal once the data is being written: for a download, once
			// its studies' files are (after the README, the licence and
			// the metadata JSON).
			deadline := time.Now().Add(30 * time.Second)
			for {
				entries, _ := os.ReadDir(tmp)
				if len(entries) > 0 && tc.name == "read" {
					break
				}
				if len(entries) > 0 {
					if studies, _ := os.ReadDir(filepath.Join(tmp, entries[0].Name(), "download")); len(studies) > 20 {
						break
					}
				}
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatal("the benchmark made no folder")
				}
				time.Sleep(20 * time.Millisecond)
			}
			if tc.name == "read" {
				time.Sleep(200 * time.Millisecond)
			}
			cmd.Process.Signal(tc.sig)
			err := cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != tc.want {
				t.Errorf("exit %v, want status %d", err, tc.want)
			}
			if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
				t.Errorf("the stopped benchmark left %v in its temporary folder", entries)
			}
		})
	}
}

// TestQuerySignalHelper is the child process of TestQueryStopped: a
// statement that runs for minutes.
func TestQuerySignalHelper(t *testing.T) {
	db := os.Getenv("GENEXP_QUERY_SIGNAL_DB")
	if db == "" {
		t.Skip("run by TestQueryStopped")
	}
	os.Stdout.WriteString("ready\n")
	os.Exit(run([]string{"query", "--db", db, "SELECT count(*) FROM range(1000000000000) a WHERE a.range % 7 = 3"}, os.Stdout, os.Stderr))
}

// TestQueryStopped: query died by SIGINT itself; it interrupts the
// statement and exits 130, as the other commands do.
func TestQueryStopped(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	db := filepath.Join(t.TempDir(), "w.duckdb")
	if code, out, stderr := runCLI(t, "init", "--db", db); code != exitOK {
		t.Fatalf("init: exit %d\n%s%s", code, out, stderr)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestQuerySignalHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), "GENEXP_QUERY_SIGNAL_DB="+db)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if !bufio.NewScanner(out).Scan() {
		t.Fatal("the child never started")
	}
	time.Sleep(time.Second)
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the interrupted query did not end")
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted || !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("exit %v, want status %d saying interrupted\n%s", err, exitInterrupted, stderr.String())
	}
}
