package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/expression/synth"
	"github.com/genexp/genexp/qc"
)

const benchUsage = `Usage:
  genexp bench read [--genes N] [--samples M] [--missing SHARE] [--tech T] [MATRIX]
  genexp bench load [--cells N] [--studies K] [--species] [--db FILE] [--missing SHARE] [--tech T]

bench read generates a matrix into a temporary folder (or takes MATRIX, a
.tsv file), then times reading, melting and hashing it: the ingest hot path,
without a database. Run it on one core with GOMAXPROCS=1.

bench load generates a download of about N cells in K studies into a
temporary folder, then times loading it end to end into a fresh DuckDB
warehouse (read, hash, melt, dimensions, staging, facts, logs). With
--species the K studies share one matrix, as in a SPECIES download;
otherwise each study is its own matrix.

Generation is not timed. Both print the wall time, the rate, the CPU time
(on a machine shared with other work the CPU time is the steadier measure)
and the process's peak resident memory.

Exit status: 0 measured; 2 bad usage; 130, 143 or 129 stopped by SIGINT,
SIGTERM or SIGHUP (the generated data is removed); otherwise the failure's
status as genexp load gives it.

Run 'genexp bench read -h' or 'genexp bench load -h' for the flags.
`

func cmdBench(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, benchUsage)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	switch args[0] {
	case "read":
		return benchRead(args[1:], stdout, stderr)
	case "load":
		return benchLoad(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "genexp bench: unknown benchmark %q\n\n%s", args[0], benchUsage)
	return exitUsage
}

// benchFlags are the flags both benchmarks take.
type benchFlags struct {
	missing    float64
	tech       string
	seed       uint64
	tmp        string
	keep       bool
	cpuprofile string
}

func (b *benchFlags) register(fs *flag.FlagSet) {
	fs.Float64Var(&b.missing, "missing", 0.01, "share of missing cells in the generated data")
	fs.StringVar(&b.tech, "tech", "microarray", "generated values: microarray, rna-seq or mixed (load only)")
	fs.Uint64Var(&b.seed, "seed", 1, "generator seed")
	fs.StringVar(&b.tmp, "tmp", "", "folder for the generated data, made if need be (default: the system's temporary folder)")
	fs.BoolVar(&b.keep, "keep", false, "keep the generated data instead of deleting it")
	fs.StringVar(&b.cpuprofile, "cpuprofile", "", "write a CPU profile of the timed part to FILE")
}

func (b *benchFlags) technology() (synth.Technology, error) {
	switch strings.ToLower(b.tech) {
	case "microarray":
		return synth.Microarray, nil
	case "rna-seq", "rnaseq":
		return synth.RNASeq, nil
	case "mixed":
		return synth.Mixed, nil
	}
	return "", fmt.Errorf("--tech: %q is not microarray, rna-seq or mixed", b.tech)
}

// workdir creates the folder the generated data goes in and returns a
// context for the work in it and a function that removes it (unless
// --keep). Until that function runs, one of stopSignals ends the context,
// removes the folder too and ends the process with 130, 143 or 129, as a stopped
// load does: the generated download and the warehouse are hundreds of
// megabytes, and a benchmark has nothing to roll back. The generator and
// DuckDB go on writing for a moment after the signal (a file in progress,
// the write-ahead log), so the folder is removed again until it stays gone.
func (b *benchFlags) workdir(stderr io.Writer) (string, context.Context, func(), error) {
	if b.tmp != "" {
		// --tmp names a folder the user chose: made if it is not there.
		if err := os.MkdirAll(b.tmp, 0o755); err != nil {
			return "", nil, nil, err
		}
	}
	dir, err := os.MkdirTemp(b.tmp, "genexp-bench-")
	if err != nil {
		return "", nil, nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	remove := func() {
		once.Do(func() {
			if b.keep {
				fmt.Fprintf(stderr, "generated data kept in %s\n", dir)
				return
			}
			os.RemoveAll(dir)
		})
	}
	stop := onStopSignal(func(sig os.Signal) {
		cancel()
		if !b.keep {
			removeSettled(dir, 5*time.Second)
		}
		remove()
		fmt.Fprintf(stderr, "genexp bench: stopped by %v\n", sig)
		os.Exit(signalExit(sig))
	})
	return dir, ctx, func() { stop(); cancel(); remove() }, nil
}

// removeSettled removes dir, and again while something still writes into
// it, until it has been gone for a moment or wait has passed.
func removeSettled(dir string, wait time.Duration) {
	for deadline := time.Now().Add(wait); ; {
		err := os.RemoveAll(dir)
		if _, serr := os.Lstat(dir); err == nil && errors.Is(serr, os.ErrNotExist) {
			time.Sleep(50 * time.Millisecond)
			if _, serr := os.Lstat(dir); errors.Is(serr, os.ErrNotExist) {
				return
			}
		}
		if time.Now().After(deadline) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// onStopSignal runs stopped, in a goroutine of its own, at the first
// of stopSignals, until the returned function is called.
func onStopSignal(stopped func(os.Signal)) (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, stopSignals()...)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			stopped(sig)
		case <-done:
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			signal.Stop(ch)
			close(done)
		})
	}
}

// profile starts the CPU profile, if asked, and returns its stop function.
func (b *benchFlags) profile() (func(), error) {
	if b.cpuprofile == "" {
		return func() {}, nil
	}
	f, err := os.Create(b.cpuprofile)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func benchRead(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("bench read", `Usage: genexp bench read [flags] [MATRIX]

Times reading, melting and hashing a generated matrix (or MATRIX, a .tsv
file), without a database.

Exit status: 0 measured; 2 bad usage; 4 MATRIX could not be read; 130, 143
or 129 stopped by SIGINT, SIGTERM or SIGHUP (the generated data is removed);
1 another failure.
`, stderr)
	var bf benchFlags
	bf.register(fs)
	genes := fs.Int("genes", 20000, "gene rows of the generated matrix")
	samples := fs.Int("samples", 500, "sample columns of the generated matrix")
	pos, err := parseFlags(fs, args, stdout)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) > 1 {
		fs.Usage()
		return exitUsage
	}
	tech, err := bf.technology()
	if err == nil && tech == synth.Mixed {
		err = errors.New("--tech: a single matrix is microarray or rna-seq")
	}
	if err != nil {
		fmt.Fprintf(stderr, "genexp bench: %s\n", err)
		return exitUsage
	}
	path := ""
	if len(pos) == 1 {
		path = pos[0]
	} else {
		dir, _, cleanup, err := bf.workdir(stderr)
		if err != nil {
			return fail(stderr, err)
		}
		defer cleanup()
		path = filepath.Join(dir, "matrix.tsv")
		start := time.Now()
		st, err := writeMatrix(path, synth.MatrixSpec{Genes: *genes, Samples: *samples, MissingShare: bf.missing, Technology: tech, Seed: bf.seed})
		if err != nil {
			fmt.Fprintf(stderr, "genexp bench: %s\n", err)
			return exitUsage
		}
		fmt.Fprintf(stderr, "generated %d × %d %s matrix (%d cells, %d missing, %s) in %.2f s: %s\n",
			*genes, *samples, strings.ToLower(string(tech)), st.Cells, st.Missing, mib(st.Bytes), time.Since(start).Seconds(), path)
	}

	stop, err := bf.profile()
	if err != nil {
		return fail(stderr, err)
	}
	cpu0, _ := cpuTime()
	start := time.Now()
	res, err := readMeltHash(path)
	elapsed := time.Since(start)
	cpu1, cpuOK := cpuTime()
	stop()
	if err != nil {
		return fail(stderr, err)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "benchmark\tread + melt + hash\n")
	fmt.Fprintf(tw, "matrix\t%s\n", path)
	fmt.Fprintf(tw, "genes × samples\t%d × %d\n", res.rows, res.cols)
	fmt.Fprintf(tw, "cells\t%d\n", res.cells)
	fmt.Fprintf(tw, "missing\t%d\n", res.missing)
	fmt.Fprintf(tw, "long rows\t%d\n", res.long)
	fmt.Fprintf(tw, "bytes\t%d (%s)\n", res.bytes, mib(res.bytes))
	fmt.Fprintf(tw, "sha256\t%s\n", res.sum)
	fmt.Fprintf(tw, "seconds\t%.3f\n", elapsed.Seconds())
	fmt.Fprintf(tw, "cells/s\t%.0f\n", float64(res.cells)/elapsed.Seconds())
	fmt.Fprintf(tw, "MB/s\t%.1f\n", float64(res.bytes)/1e6/elapsed.Seconds())
	if cpuOK {
		cpu := (cpu1 - cpu0).Seconds()
		fmt.Fprintf(tw, "CPU seconds\t%.3f\n", cpu)
		fmt.Fprintf(tw, "cells/CPU-s\t%.0f\n", float64(res.cells)/cpu)
	}
	fmt.Fprintf(tw, "GOMAXPROCS\t%d\n", runtime.GOMAXPROCS(0))
	fmt.Fprintf(tw, "peak RSS\t%s\n", peakRSS())
	tw.Flush()
	return exitOK
}

func writeMatrix(path string, spec synth.MatrixSpec) (synth.MatrixStats, error) {
	src, err := synth.NewMatrix(spec)
	if err != nil {
		return synth.MatrixStats{}, err
	}
	f, err := os.Create(path)
	if err != nil {
		return synth.MatrixStats{}, err
	}
	_, err = src.WriteTo(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return src.Stats(), err
}

type readResult struct {
	rows, cols, cells, missing, long, bytes int64
	sum                                     string
}

// readMeltHash is the ingest hot path as the pipeline runs it: stream the
// matrix in batches, melt each to long rows, hash the bytes on the way.
func readMeltHash(path string) (readResult, error) {
	var res readResult
	f, err := os.Open(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the message names the file already
		}
		return res, &qc.Error{Code: qc.FileNotFound, Severity: qc.SeverityError, File: path,
			Msg: "the matrix cannot be opened", Err: err}
	}
	defer f.Close()
	r, err := expression.NewReader(f, expression.WithName(path))
	if err != nil {
		return res, err
	}
	var melter expression.ColumnMelter
	var lb expression.LongBatch
	for r.Next() {
		melter.Melt(&lb, r.Batch())
		res.long += int64(lb.Len())
	}
	if err := r.Err(); err != nil {
		return res, err
	}
	if res.sum, err = r.Sum(); err != nil {
		return res, err
	}
	st := r.Stats()
	res.rows, res.cols, res.cells, res.missing, res.bytes = st.Rows, int64(len(r.Header().Names)), st.Cells, st.Missing, st.Bytes
	return res, nil
}

func benchLoad(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("bench load", `Usage: genexp bench load [flags]

Times loading a generated download end to end into a fresh DuckDB warehouse.

Exit status: 0 measured; 2 bad usage (or --db exists); 130, 143 or 129
stopped by SIGINT, SIGTERM or SIGHUP (the generated data is removed);
otherwise, when the load
fails, its status as genexp load gives it (1, 3, 4 or 5).
`, stderr)
	var bf benchFlags
	bf.register(fs)
	cells := fs.Int64("cells", 10_000_000, "cells to generate (rounded to whole samples)")
	studies := fs.Int("studies", 1, "studies (matrices) to split the samples into")
	species := fs.Bool("species", false, "write one SPECIES matrix holding every study's samples instead of one matrix per study")
	genes := fs.Int("genes", 20000, "gene rows of every matrix")
	db := fs.String("db", "", "warehouse file to create (must not exist; default: a temporary file)")
	var c common
	fs.StringVar(&c.configFile, "config", "", "pipeline configuration (YAML) of the load: processing, quality and analytics as genexp load reads them (its database section is not read)")
	pos, err := parseFlags(fs, args, stdout)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) > 0 {
		fs.Usage()
		return exitUsage
	}
	tech, err := bf.technology()
	if err == nil && (*cells <= 0 || *studies <= 0 || *genes <= 0) {
		err = errors.New("--cells, --studies and --genes must be positive")
	}
	if err == nil && *species && tech == synth.Mixed {
		err = errors.New("--tech: a SPECIES matrix is microarray or rna-seq")
	}
	if err != nil {
		fmt.Fprintf(stderr, "genexp bench: %s\n", err)
		return exitUsage
	}
	cfg, ok := c.config(stderr)
	if !ok {
		return exitUsage
	}
	if *db != "" {
		if _, err := os.Stat(*db); err == nil {
			fmt.Fprintf(stderr, "genexp bench: %s exists; the benchmark loads into a fresh warehouse\n", *db)
			return exitUsage
		}
	}
	spec := loadSpec(*cells, *genes, *studies)
	spec.MissingShare, spec.Technology, spec.Seed, spec.Species = bf.missing, tech, bf.seed, *species

	dir, ctx, cleanup, err := bf.workdir(stderr)
	if err != nil {
		return fail(stderr, err)
	}
	defer cleanup()
	start := time.Now()
	m, err := synth.WriteContext(ctx, filepath.Join(dir, "download"), spec)
	if err != nil && ctx.Err() != nil {
		select {} // stopped by a signal, whose handler removes the data and ends the process
	}
	if err != nil {
		fmt.Fprintf(stderr, "genexp bench: %s\n", err)
		return exitUsage
	}
	fmt.Fprintf(stderr, "generated %s (%s): %d genes × %d samples (%d cells, %d missing) in %.2f s: %s\n",
		countStudies(len(m.Studies)), layout(m), m.Genes, m.Samples, m.Cells, m.Missing, time.Since(start).Seconds(), m.Path)
	dbPath := *db
	if dbPath == "" {
		dbPath = filepath.Join(dir, "bench.duckdb")
	}

	stop, err := bf.profile()
	if err != nil {
		return fail(stderr, err)
	}
	cpu0, _ := cpuTime()
	start = time.Now()
	rep, err := loadOnce(duckdbTuning(dbPath, cfg), m.Path, cfg)
	elapsed := time.Since(start)
	cpu1, cpuOK := cpuTime()
	stop()
	if err != nil {
		return fail(stderr, err)
	}
	var rows int64
	var analytics time.Duration
	for _, s := range rep.Studies {
		if s.Err != nil {
			fmt.Fprintf(stderr, "genexp bench: %s: %s\n", s.Study, oneLine(s.Err))
			return exitFailed
		}
		rows += s.Rows
		if s.Features != nil {
			analytics += s.Features.Duration
		}
	}
	// The load proper (read, hash, melt, validate, dimensions, staging,
	// facts, logs) and the analytics step that follows each commit are
	// reported apart: the step computes features, not facts.
	loading := elapsed - analytics
	want, of := m.Cells-m.Missing, "cells − missing"
	if cfg.MissingPolicy() == expression.KeepMissing {
		want, of = m.Cells, "cells, missing ones kept as NULL"
	}
	if rows != want {
		fmt.Fprintf(stderr, "genexp bench: the warehouse holds %d fact rows, want %d (%s)\n", rows, want, of)
		return exitFailed
	}
	size := int64(-1)
	if info, err := os.Stat(dbPath); err == nil {
		size = info.Size()
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "benchmark\tload into DuckDB\n")
	fmt.Fprintf(tw, "warehouse\t%s (%s)\n", dbPath, mib(size))
	fmt.Fprintf(tw, "studies\t%d (%s)\n", len(m.Studies), layout(m))
	fmt.Fprintf(tw, "genes × samples\t%d × %d\n", m.Genes, m.Samples)
	fmt.Fprintf(tw, "cells\t%d\n", m.Cells)
	fmt.Fprintf(tw, "fact rows\t%d\n", rows)
	fmt.Fprintf(tw, "seconds\t%.3f (load %.3f + analytics %.3f)\n", elapsed.Seconds(), loading.Seconds(), analytics.Seconds())
	fmt.Fprintf(tw, "rows/s\t%.0f (load alone %.0f)\n", float64(rows)/elapsed.Seconds(), float64(rows)/loading.Seconds())
	fmt.Fprintf(tw, "cells/s\t%.0f\n", float64(m.Cells)/elapsed.Seconds())
	if cpuOK {
		fmt.Fprintf(tw, "CPU seconds\t%.3f (all threads)\n", (cpu1 - cpu0).Seconds())
	}
	fmt.Fprintf(tw, "GOMAXPROCS\t%d\n", runtime.GOMAXPROCS(0))
	fmt.Fprintf(tw, "peak RSS\t%s\n", peakRSS())
	tw.Flush()
	return exitOK
}

// loadSpec shapes a download of about cells cells: genes rows per matrix
// (fewer when the cells would not give each study three samples), and as
// many samples as make up the rest.
func loadSpec(cells int64, genes, studies int) synth.Spec {
	if min3 := int64(3 * studies); cells/int64(genes) < min3 {
		genes = int(max(1, cells/min3))
	}
	samples := int((cells + int64(genes)/2) / int64(genes))
	return synth.Spec{Genes: genes, Samples: max(samples, studies), Studies: studies}
}

// layout says how a generated download's studies are laid out in matrices.
func layout(m *synth.Manifest) string {
	if m.Spec.Species {
		return "one SPECIES matrix"
	}
	if len(m.Studies) == 1 {
		return "one matrix"
	}
	return "one matrix each"
}

func loadOnce(dbPath, download string, cfg genexp.Config) (*genexp.Report, error) {
	w, err := openStore(dbPath, false, nil)
	if err != nil {
		return nil, err
	}
	p, err := genexp.New(w, genexp.WithConfig(cfg))
	if err != nil {
		w.Close()
		return nil, err
	}
	rep, err := p.Load(context.Background(), download)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err == nil && len(rep.Errors) > 0 {
		err = errors.Join(rep.Errors...)
	}
	return rep, err
}

func mib(n int64) string {
	if n < 0 {
		return "unknown size"
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}
