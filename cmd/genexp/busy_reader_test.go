package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/genexp/genexp/warehouse/duckdb"
)

// TestReaderHelper is the child process of TestLoadBlockedByAReader: it
// opens the warehouse read-only, as genexp query does, and holds it until
// its standard input closes.
func TestReaderHelper(t *testing.T) {
	db := os.Getenv("GENEXP_READER_HELPER")
	if db == "" {
		t.Skip("run by TestLoadBlockedByAReader")
	}
	w, err := duckdb.Open(db + "?access_mode=READ_ONLY")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	os.Stdout.WriteString("open\n")
	bufio.NewReader(os.Stdin).ReadString('\n')
}

// holdOpen starts a process that opens the warehouse db read-only
// (TestReaderHelper) and returns when it has; the returned function (safe
// to call twice) lets it go and waits for it to end.
func holdOpen(t *testing.T, db string) (release func()) {
	t.Helper()
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
	var once sync.Once
	release = func() {
		once.Do(func() {
			stdin.Close()
			cmd.Wait()
		})
	}
	if line, err := bufio.NewReader(stdout).ReadString('\n'); line != "open\n" {
		release()
		t.Fatalf("the reader did not open the warehouse: %q %v", line, err)
	}
	return release
}

// TestLoadBlockedByAReader loads into a warehouse another process has open
// read-only: the load is refused as busy, and the message says that
// another process has the warehouse open, not that a genexp is writing it.
func TestLoadBlockedByAReader(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "w.duckdb")
	if code, _, stderr := runCLI(t, "init", "--db", db); code != exitOK {
		t.Fatalf("init: %s", stderr)
	}
	defer holdOpen(t, db)()
	code, _, stderr := runCLI(t, "load", "--db", db, craftStudy(t, dir, "GSE1", false))
	rec := errorRecord(t, stderr)
	if code != exitNoAccess || !strings.Contains(rec.Msg, "another process has the warehouse open (a load, a query, …)") ||
		strings.Contains(rec.Msg, "genexp is writing") {
		t.Errorf("load beside a reader: exit %d, message %q; want %d and \"another process has the warehouse open\"", code, rec.Msg, exitNoAccess)
	}
}
