package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/illness"
	"github.com/genexp/genexp/qc"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func cmdLoad(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("load", `Usage: genexp load [flags] PATH...

Loads refine.bio downloads into the warehouse, creating it if need be. PATH
is a download (.zip or folder), a study folder, or a matrix (.tsv, .tsv.gz).
Each study commits on its own: a failed study does not stop the others, and
a study already loaded with the same content is not loaded twice.

Exit status: 0 every study loaded (or was already loaded); 1 a study failed,
or the run passed processing.timeout_seconds; 2 bad usage or configuration;
3 the warehouse could not be opened or written (busy, unreachable, written
by a newer genexp, no permission, disk full); 4 an input could not be read;
5 a study loaded but its features failed; 130 (SIGINT), 143 (SIGTERM) or
129 (SIGHUP: the terminal closed; under nohup the load goes on)
interrupted. When several apply, the first of 130/143/129, 2, 3, 4, 5, 1
wins.
With --dry-run, 6 means warnings about the data only (not about the
configuration), and 3 a warehouse a load would fail to write or would
refuse (the studies are still read and shown).
`, stderr)
	var c common
	c.register(fs)
	var meta stringList
	fs.Var(&meta, "metadata", "metadata file for a matrix given alone (repeatable)")
	quiet := fs.Bool("quiet", false, "print no progress (there is none unless stderr is a terminal, nor when stderr carries JSON)")
	dryRun := fs.Bool("dry-run", false, "read and validate everything as a load would, print what would load, and write nothing (the log goes to stderr, not logging.file)")
	paths, code, ok := c.parse(fs, args, stdout, arity{min: 1, max: -1, what: "PATH: a download (.zip or folder), a study folder or a matrix"})
	if !ok {
		return code
	}
	if msg := dsnAsPath(paths); msg != "" {
		return c.usageFail(fs, msg)
	}
	cfg, ok := c.config(stderr)
	if !ok {
		return exitUsage
	}
	target := c.target(fs, cfg)
	if *dryRun {
		return dryRunLoad(stdout, stderr, &c, cfg, target, meta, paths)
	}
	var prog *progressLine
	// A progress line redraws itself with terminal escapes: among JSON
	// records it would only garble them.
	if !*quiet && isTerminal(stderr) && !c.jsonMessages(stderr) {
		prog = newProgressLine(stderr)
	}
	log, closeLog, err := c.logger(stderr, cfg, prog)
	if err != nil {
		c.printErr(stderr, err, "") // a 1005 for logging.file; a flag's otherwise
		return exitUsage
	}
	defer closeLog()
	w, ctx, done, status, ok := c.openWriting(stderr, target, log, "nothing was loaded")
	if !ok {
		return status
	}
	defer done()

	opts := []genexp.Option{genexp.WithConfig(cfg), genexp.WithLogger(log), genexp.WithWarehouseDSN(target),
		genexp.WithDownloadOptions(genexp.WithMetadataFiles(meta...))}
	if prog != nil {
		opts = append(opts, genexp.WithProgress(prog.update))
	}
	p, err := genexp.New(w, opts...)
	if err != nil {
		return c.fail(stderr, err)
	}
	rep, err := p.Load(ctx, paths...)
	prog.finish()
	if err != nil {
		afterStop(rep, timedOut(ctx, err), context.Cause(ctx), cfg.Processing.TimeoutSeconds, false, false)
	}
	printReport(stdout, rep)
	status = exitOK
	for _, e := range rep.Errors {
		if !inTable(rep, e) {
			c.printErr(stderr, e, "")
		}
		status = worseExit(status, exitStatus(e))
	}
	for _, s := range rep.Studies {
		if s.Err != nil {
			status = worseExit(status, exitStatus(s.Err))
		}
	}
	if err != nil {
		c.printErr(stderr, stopped(ctx, err, cfg.Processing.TimeoutSeconds), "(committed studies stay loaded; the steps it stopped are FAILED with reason \"interrupted\" or \"timed out\"; rerun to load the rest)")
		return worseExit(status, stoppedExit(ctx))
	}
	return status
}

// printReport prints one row per study, and a FAILED row per input that
// could not be opened (no table when no study was read: the errors on
// stderr say why), then why each failed and the findings at WARNING and
// above.
func printReport(w io.Writer, rep *genexp.Report) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if len(rep.Studies) > 0 {
		fmt.Fprintln(tw, "STUDY\tRESULT\tSAMPLES\tGENES\tROWS\tMISSING\tILLNESS\tTIME")
	}
	for _, s := range rep.Studies {
		result := string(s.Outcome)
		if s.Outcome == genexp.NotStarted {
			fmt.Fprintf(tw, "%s\t%s\t-\t-\t-\t-\t-\t-\n", studyLabel(s), result)
			continue
		}
		if s.Err != nil {
			result = "FAILED"
			if s.Outcome != "" { // loaded; its features failed
				result = string(s.Outcome) + ", features FAILED"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\n", studyLabel(s), result, s.Samples, s.Genes, s.Rows, s.Missing,
			illnessCounts(s.Illness, s.IllnessKept, s.Excluded), s.Duration.Round(time.Millisecond))
	}
	unopenedRows(tw, rep, "\t-\t-\t-\t-\t-\t-")
	tw.Flush()
	unopenedReasons(w, rep, oneLine)
	once := printedOnce()
	for _, s := range rep.Studies {
		if s.Err != nil {
			fmt.Fprintf(w, "\n%s failed: %s\n", studyLabel(s), oneLine(unprefixed(s.Err, studyLabel(s))))
		}
		for _, f := range s.Findings {
			// A study skipped says why (an INFO note) under its row.
			if (f.Severity >= qc.SeverityWarning || s.Outcome == genexp.Skipped) && f != s.Err && once(f) {
				fmt.Fprintf(w, "  %s %s%s\n", f.Severity, ofStudy(f), oneLine(f))
			}
		}
	}
	printRunFindings(w, rep.Findings, oneLine)
}

// ofStudy is the prefix that names the study of a finding f whose line
// names only a file the study is not named in: a finding about one study
// of a matrix that holds several (a SPECIES download's HOMO_SAPIENS.tsv)
// reads the same for each of them otherwise.
func ofStudy(f *qc.Error) string {
	if f.Study == "" || f.File == "" || strings.Contains(filepath.Base(f.File), f.Study) {
		return ""
	}
	return f.Study + ": "
}

// printedOnce returns a filter that passes each finding the first time
// only: a finding of a matrix rather than of one study (columns no
// experiment claims) is in the report of every study the matrix holds,
// and is printed under the first.
func printedOnce() func(*qc.Error) bool {
	seen := map[*qc.Error]bool{}
	return func(f *qc.Error) bool {
		if seen[f] {
			return false
		}
		seen[f] = true
		return true
	}
}

// unprefixed is err without the study's name in front of its message when
// the line that shows it names the study already.
func unprefixed(err error, study string) error {
	if e, ok := err.(*qc.Error); ok && e.File == "" && e.Study == study {
		c := *e
		c.Study = ""
		return &c
	}
	return err
}

// printRunFindings prints the findings of a run outside any study, each
// worded by say; a configuration finding in words of its own, as the
// code's summary ("the illness rules could not be applied") would misread
// it.
func printRunFindings(w io.Writer, fs []*qc.Error, say func(error) string) {
	for _, f := range fs {
		switch {
		case genexp.ConfigurationFinding(f):
			fmt.Fprintf(w, "  %s configuration: %s\n", f.Severity, oneLine(f))
		case f.Severity < qc.SeverityWarning:
			// A note says what was done (a file skipped); its code's
			// summary speaks of a problem.
			fmt.Fprintf(w, "  %s %s\n", f.Severity, oneLine(f))
		default:
			fmt.Fprintf(w, "  %s %s\n", f.Severity, say(f))
		}
	}
}

// illnessCounts lists the samples by label, then as no-metadata=N those
// whose label the run did not decide (no metadata of them): the warehouse
// keeps the label it recorded, UNKNOWN for a sample it did not hold; then
// as (excluded=N) those of them the configuration keeps out of analysis.
func illnessCounts(m map[illness.Label]int, kept, excluded int) string {
	var parts []string
	for _, l := range illness.Labels() {
		if n := m[l]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", l, n))
		}
	}
	sort.Strings(parts)
	if kept > 0 {
		parts = append(parts, fmt.Sprintf("no-metadata=%d", kept))
	}
	if excluded > 0 {
		// counted above too: loaded, but out of the views and features
		parts = append(parts, fmt.Sprintf("(excluded=%d)", excluded))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " ")
}

// shortName is a matrix's file name without its folders or zip, for the
// progress line; matrices loaded together ("a/H.tsv + a/M.tsv") are each
// shortened ("H.tsv + M.tsv").
func shortName(s string) string {
	if parts := strings.Split(s, " + "); len(parts) > 1 {
		// matrices loaded together
		for i, p := range parts {
			parts[i] = shortName(p)
		}
		return strings.Join(parts, " + ")
	}
	if i := strings.LastIndexAny(s, "/!"); i >= 0 {
		return s[i+1:]
	}
	return s
}

func human(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.1fG", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.1fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

// unopenedRows writes to a summary table a FAILED row per input that could
// not be opened, its other cells rest, when the table lists studies (with
// none there is no table: the errors on stderr say why).
func unopenedRows(tw io.Writer, rep *genexp.Report, rest string) {
	if len(rep.Studies) == 0 {
		return
	}
	for _, u := range rep.Unopened {
		fmt.Fprintf(tw, "%s\tFAILED%s\n", unopenedLabel(u), rest)
	}
}

// unopenedReasons writes, below the table unopenedRows wrote to, why each
// of those inputs failed, as say words it.
func unopenedReasons(w io.Writer, rep *genexp.Report, say func(error) string) {
	if len(rep.Studies) == 0 {
		return
	}
	for _, u := range rep.Unopened {
		fmt.Fprintf(w, "\n%s failed: %s\n", unopenedLabel(u), say(u.Err))
	}
}

// unopenedLabel names an input that could not be opened in the summary: by
// the study it names, else by its path.
func unopenedLabel(u genexp.Unopened) string {
	if u.Study != "" {
		return oneLineStr(u.Study)
	}
	return oneLineStr(u.Path)
}

// inTable reports whether err is that of an input the summary table lists
// (an input that could not be opened, beside studies that were read), and
// so is not repeated on stderr. Errors are told apart by identity, which
// only a pointer has: any other error is printed on stderr as well.
func inTable(rep *genexp.Report, err error) bool {
	if len(rep.Studies) == 0 || err == nil || reflect.ValueOf(err).Kind() != reflect.Pointer {
		return false
	}
	for _, u := range rep.Unopened {
		if reflect.ValueOf(u.Err).Kind() == reflect.Pointer && u.Err == err {
			return true
		}
	}
	return false
}
