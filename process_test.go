package genexp_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/expression/synth"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// The crash and concurrency tests run loaders in other processes: DuckDB
// locks its file per process, and only a process can be killed for real.
// A loader is this test binary re-executed into TestLoaderProcess, which
// runs the library's pipeline and reports its progress on stdout; the CLI
// tests build cmd/genexp.

// Environment of a loader process.
const (
	envLoaderDB   = "GENEXP_TEST_LOADER_DB"   // warehouse DSN
	envLoaderPath = "GENEXP_TEST_LOADER_PATH" // download to load; "" only opens and holds
	envLoaderHold = "GENEXP_TEST_LOADER_HOLD" // "rows" or "commit": stop there until killed
)

// TestLoaderProcess is not a test: it is the body of a loader process,
// started by loaderCmd. It prints one line per event ("start", "open",
// "begin M", "rows M", "commit M", "committed M", "done", "closed"), so
// the parent can kill it at a chosen point. With no download to load it
// opens the warehouse, prints "open" and holds it until stdin closes.
func TestLoaderProcess(t *testing.T) {
	dsn := os.Getenv(envLoaderDB)
	if dsn == "" {
		t.Skip("runs only as a loader process started by another test")
	}
	say := func(format string, args ...any) { fmt.Fprintf(os.Stdout, format+"\n", args...) }
	say("start")
	w, err := duckdb.Open(dsn)
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(3)
	}
	say("open")
	path := os.Getenv(envLoaderPath)
	if path == "" {
		io.Copy(io.Discard, os.Stdin)
		w.Close()
		os.Exit(0)
	}
	p, err := genexp.New(&reportingSink{Warehouse: w, say: say})
	if err != nil {
		fmt.Fprintln(os.Stderr, "pipeline:", err)
		os.Exit(2)
	}
	rep, err := p.Load(context.Background(), path)
	if err != nil || rep.Failed() {
		fmt.Fprintln(os.Stderr, "load:", err, rep.Errors)
		for _, s := range rep.Studies {
			if s.Err != nil {
				fmt.Fprintln(os.Stderr, s.Study, s.Err)
			}
		}
		os.Exit(1)
	}
	for _, s := range rep.Studies {
		say("result %s %s", s.Study, s.Outcome)
	}
	say("done")
	if err := w.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "close:", err)
		os.Exit(1)
	}
	say("closed")
	os.Exit(0)
}

// reportingSink is the DuckDB warehouse (all its optional interfaces
// included, through embedding) with its batches reporting their progress.
type reportingSink struct {
	*duckdb.Warehouse
	say func(string, ...any)
}

func (s *reportingSink) Begin(ctx context.Context, req warehouse.BeginRequest) (warehouse.Batch, error) {
	b, err := s.Warehouse.Begin(ctx, req)
	if err != nil {
		return nil, err
	}
	name := filepath.Base(req.FileName)
	s.say("begin %s", name)
	return &reportingBatch{Batch: b, say: s.say, name: name}, nil
}

type reportingBatch struct {
	warehouse.Batch
	say  func(string, ...any)
	name string
	rows bool
}

func (b *reportingBatch) WriteRows(ctx context.Context, req warehouse.RowsRequest) error {
	err := b.Batch.WriteRows(ctx, req)
	if !b.rows {
		b.rows = true
		b.say("rows %s", b.name)
		hold("rows")
	}
	return err
}

func (b *reportingBatch) Commit(ctx context.Context, req warehouse.CommitRequest) (warehouse.CommitResult, error) {
	b.say("commit %s", b.name)
	hold("commit")
	res, err := b.Batch.Commit(ctx, req)
	if err == nil {
		b.say("committed %s", b.name)
	}
	return res, err
}

// hold stops the loader for good at phase when the test asked for it, so
// that a kill lands there whatever the machine's speed: after the first
// rows are handed to the batch (its transaction open, rows staged or being
// staged), or just before Commit.
func hold(phase string) {
	if os.Getenv(envLoaderHold) == phase {
		select {}
	}
}

// loader is a running loader process.
type loader struct {
	cmd    *exec.Cmd
	events chan event
	stderr *strings.Builder
	stdin  io.WriteCloser
	waited chan error
}

// event is a line the loader printed, and when the parent read it.
type event struct {
	line string
	at   time.Time
}

// startLoader starts a loader process on the warehouse dsn; path "" makes
// it hold the warehouse open until stop.
func startLoader(t *testing.T, dsn, path string) *loader {
	return startHeldLoader(t, dsn, path, "")
}

// startHeldLoader starts a loader that stops at phase (see hold).
func startHeldLoader(t *testing.T, dsn, path, phase string) *loader {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoaderProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), envLoaderDB+"="+dsn, envLoaderPath+"="+path, envLoaderHold+"="+phase)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	l := &loader{cmd: cmd, events: make(chan event, 64), stderr: &strings.Builder{}, waited: make(chan error, 1)}
	cmd.Stderr = l.stderr
	if l.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			l.events <- event{sc.Text(), time.Now()}
		}
		close(l.events)
		l.waited <- cmd.Wait()
	}()
	return l
}

// wait waits for the process to end and returns its events.
func (l *loader) wait() ([]event, error) {
	var evs []event
	for ev := range l.events {
		evs = append(evs, ev)
	}
	return evs, <-l.waited
}

// until reads events until one equals line; it returns false if the process
// ended (or timeout passed) first.
func (l *loader) until(line string, timeout time.Duration) ([]event, bool) {
	var evs []event
	deadline := time.After(timeout)
	for {
		select {
		case ev, ok := <-l.events:
			if !ok {
				return evs, false
			}
			evs = append(evs, ev)
			if ev.line == line {
				return evs, true
			}
		case <-deadline:
			return evs, false
		}
	}
}

var cli struct {
	once sync.Once
	path string
	err  error
}

// buildCLI builds cmd/genexp once per test binary run.
func buildCLI(t *testing.T) string {
	t.Helper()
	cli.once.Do(func() {
		dir, err := os.MkdirTemp("", "genexp-cli-")
		if err != nil {
			cli.err = err
			return
		}
		cli.path = filepath.Join(dir, "genexp")
		// go test puts its own go first on the PATH of the tests it runs.
		out, err := exec.Command("go", "build", "-o", cli.path, "./cmd/genexp").CombinedOutput()
		if err != nil {
			cli.err = fmt.Errorf("go build ./cmd/genexp: %v\n%s", err, out)
		}
	})
	if cli.err != nil {
		t.Fatal(cli.err)
	}
	return cli.path
}

// synthDownload writes a synthetic download of studies × genes with
// samples in all, the same accessions for any genes given the same seed.
func synthDownload(t *testing.T, dir string, studies, genes, samples int, seed uint64) *synth.Manifest {
	t.Helper()
	m, err := synth.Write(dir, synth.Spec{Genes: genes, Samples: samples, Studies: studies, Seed: seed, MissingShare: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	return m
}
