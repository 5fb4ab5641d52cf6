package genexp_test

import (
	"bufio"
	"bytes"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/genexp/genexp/warehouse/duckdb"
)

// runCLI runs the genexp binary and returns its exit status and output.
func runCLI(t *testing.T, bin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, stdout.String(), stderr.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), stdout.String(), stderr.String()
	}
	t.Fatalf("running %s: %v", bin, err)
	return 0, "", ""
}

// TestLoaderProcessBusy holds a warehouse open in one process and loads
// into it from another: without busy_timeout the CLI fails at once with
// "warehouse busy" and exit status 3; with busy_timeout it waits for the
// holder to let go, then loads.
func TestLoaderProcessBusy(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes; skipped with -short")
	}
	bin := buildCLI(t)
	dir := t.TempDir()
	m := synthDownload(t, filepath.Join(dir, "d"), 1, 200, 8, 3)
	db := filepath.Join(dir, "w.duckdb")

	holder := startLoader(t, db, "")
	if _, ok := holder.until("open", 30*time.Second); !ok {
		t.Fatalf("the holder did not open the warehouse: %s", holder.stderr)
	}
	start := time.Now()
	code, stdout, stderr := runCLI(t, bin, "load", "--quiet", "--db", db, m.Path)
	if code != 3 || !strings.Contains(stderr, "warehouse busy") {
		t.Fatalf("load while another process holds the warehouse: exit %d, stderr %q, stdout %q; want 3 and \"warehouse busy\"", code, stderr, stdout)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("without busy_timeout the refusal took %v", took)
	}

	// With busy_timeout the loader waits: the holder lets go only once the
	// loader has said that it is waiting for it.
	cmd := exec.Command(bin, "load", "--quiet", "--db", db+"?busy_timeout=60s", m.Path)
	var out bytes.Buffer
	cmd.Stdout = &out
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var logged strings.Builder
	waiting := false
	sc := bufio.NewScanner(errPipe)
	for sc.Scan() {
		logged.WriteString(sc.Text() + "\n")
		if !waiting && strings.Contains(sc.Text(), "warehouse busy: another process has it open; waiting for it to let go") &&
			strings.Contains(sc.Text(), `"busy_timeout":"1m0s"`) {
			waiting = true
			holder.stdin.Close()
		}
	}
	runErr := cmd.Wait()
	if !waiting {
		holder.stdin.Close()
	}
	if _, err := holder.wait(); err != nil {
		t.Fatalf("holder: %v\n%s", err, holder.stderr)
	}
	if runErr != nil || !waiting || !strings.Contains(out.String(), "new") {
		t.Fatalf("load with busy_timeout: %v, said it was waiting: %v; stdout %q, stderr %q", runErr, waiting, out.String(), logged.String())
	}
	w, err := duckdb.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var facts int64
	if err := w.DB().QueryRow(`SELECT COUNT(*) FROM fact_gene_expression`).Scan(&facts); err != nil {
		t.Fatal(err)
	}
	if want := m.Cells - m.Missing; facts != want {
		t.Fatalf("%d facts, want %d", facts, want)
	}
}

// TestTwoLoaderProcesses starts two CLI loads of the same download at the
// same moment, both willing to wait: both must succeed, one loading the
// studies and the other finding them loaded, with one batch per study.
func TestTwoLoaderProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes; skipped with -short")
	}
	bin := buildCLI(t)
	dir := t.TempDir()
	m := synthDownload(t, filepath.Join(dir, "d"), 2, 1000, 40, 5)
	db := filepath.Join(dir, "w.duckdb") + "?busy_timeout=120s"
	if code, _, stderr := runCLI(t, bin, "init", "--db", db); code != 0 {
		t.Fatalf("init: %s", stderr)
	}
	type result struct {
		code           int
		stdout, stderr string
	}
	results := make([]result, 2)
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &results[i]
			r.code, r.stdout, r.stderr = runCLI(t, bin, "load", "--quiet", "--db", db, m.Path)
		}()
	}
	wg.Wait()
	outcomes := map[string]int{}
	for i, r := range results {
		if r.code != 0 {
			t.Fatalf("loader %d: exit %d\n%s\n%s", i, r.code, r.stdout, r.stderr)
		}
		for _, st := range m.Studies {
			for _, line := range strings.Split(r.stdout, "\n") {
				if f := strings.Fields(line); len(f) > 1 && f[0] == st.Accession {
					outcomes[f[1]]++
				}
			}
		}
	}
	if outcomes["new"] != 2 || outcomes["duplicate"] != 2 {
		t.Fatalf("outcomes %v, want each study new once and duplicate once", outcomes)
	}
	w, err := duckdb.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var batches, current, facts int64
	if err := w.DB().QueryRow(`SELECT COUNT(*), COUNT(*) FILTER (WHERE is_current), SUM(rows_written) FROM meta_batch`).Scan(&batches, &current, &facts); err != nil {
		t.Fatal(err)
	}
	if batches != 2 || current != 2 || facts != m.Cells-m.Missing {
		t.Fatalf("meta_batch: %d rows, %d current, %d facts; want 2, 2, %d", batches, current, facts, m.Cells-m.Missing)
	}
}

// TestSecondOpenKeepsTheLock opens one warehouse file twice in this process,
// as a program with two Warehouses on it does, then starts another process
// on the file: DuckDB's lock must still keep it out. (Opening and closing
// the file to test it for writing dropped the lock: POSIX releases all of a
// process's locks on a file when any of its descriptors closes.)
func TestSecondOpenKeepsTheLock(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process; skipped with -short")
	}
	db := filepath.Join(t.TempDir(), "w.duckdb")
	for range 2 {
		w, err := duckdb.Open(db)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
	}
	other := startLoader(t, db, "")
	if _, ok := other.until("open", 30*time.Second); ok {
		other.stdin.Close()
		other.wait()
		t.Fatal("another process opened the warehouse this process holds open")
	}
	if _, err := other.wait(); err == nil || !strings.Contains(other.stderr.String(), "warehouse busy") {
		t.Fatalf("the other process: %v, stderr %q; want it refused as busy", err, other.stderr)
	}
}
