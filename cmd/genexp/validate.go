package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

func cmdValidate(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("validate", `Usage: genexp validate [flags] PATH...

Reads every download as a load would and applies the quality thresholds,
then prints each study's verdict and findings. It writes nothing: no
warehouse is opened or created (the configuration's database section is not
read), and the log goes to stderr even when the configuration names a log
file.

Exit status: 0 nothing to report; 6 warnings about the data only (not
about the configuration); 1 a study would be rejected, or the run passed
processing.timeout_seconds; 2 bad usage or configuration; 4 an input
could not be read; 130 (SIGINT), 143 (SIGTERM) or 129 (SIGHUP)
interrupted.
`, stderr)
	var c common
	c.registerNoWarehouse(fs)
	var meta stringList
	fs.Var(&meta, "metadata", "metadata file for a matrix given alone (repeatable)")
	paths, code, ok := c.parse(fs, args, stdout, arity{min: 1, max: -1, what: "PATH: a download (.zip or folder), a study folder or a matrix"})
	if !ok {
		return code
	}
	if msg := dsnAsPath(paths); msg != "" {
		return c.usageFail(fs, msg)
	}
	// validate opens no warehouse: an unset ${DB_PASSWORD} in the database
	// section is none of its business.
	cfg, ok := c.config(stderr, genexp.WithoutDatabase())
	if !ok {
		return exitUsage
	}
	return runChecks(stdout, stderr, &c, cfg, genexp.DryRunSink(nil), "", meta, paths, false)
}

// runChecks runs a pipeline on a sink that writes nothing (validate, load
// --dry-run) and prints what it found. Writing nothing includes the log
// file: a configured logging.file is set aside and the log goes to stderr.
func runChecks(stdout, stderr io.Writer, c *common, cfg genexp.Config, sink warehouse.WarehouseSink, dsn string,
	meta, paths []string, dryRun bool) int {
	cfg.Logging.File, c.cfgLogFile = "", ""
	log, closeLog, err := c.logger(stderr, cfg, nil)
	if err != nil {
		c.printErr(stderr, err, "") // a 1005 for logging.file; a flag's otherwise
		return exitUsage
	}
	defer closeLog()
	p, err := genexp.New(sink, genexp.WithConfig(cfg), genexp.WithLogger(log), genexp.WithWarehouseDSN(dsn),
		genexp.WithDownloadOptions(genexp.WithMetadataFiles(meta...)))
	if err != nil {
		return c.fail(stderr, err)
	}
	ctx, stop := interruptContext()
	defer stop()
	rep, err := p.Load(ctx, paths...)
	if err != nil {
		afterStop(rep, timedOut(ctx, err), context.Cause(ctx), cfg.Processing.TimeoutSeconds, true, dryRun)
	}
	printChecks(stdout, rep, dryRun)
	for _, e := range rep.Errors {
		if !inTable(rep, e) {
			c.printErr(stderr, e, "")
		}
	}
	if err != nil {
		c.printErr(stderr, stopped(ctx, err, cfg.Processing.TimeoutSeconds), "")
		return worseExit(checksExit(rep), stoppedExit(ctx))
	}
	return checksExit(rep)
}

// checksExit is the exit status of a validation: the most pressing failure,
// else exitWarnings when anything was found at WARNING, else exitOK.
func checksExit(rep *genexp.Report) int {
	status := exitOK
	worst := qc.SeverityInfo
	for _, e := range rep.Errors {
		status = worseExit(status, exitStatus(e))
	}
	for _, s := range rep.Studies {
		if s.Err != nil {
			status = worseExit(status, exitStatus(s.Err))
		}
		if w, ok := qc.Worst(s.Findings); ok {
			worst = max(worst, w)
		}
	}
	for _, f := range rep.Findings {
		if !genexp.ConfigurationFinding(f) || f.Severity >= qc.SeverityError {
			worst = max(worst, f.Severity)
		}
	}
	if status == exitOK && worst >= qc.SeverityWarning {
		status = exitWarnings
	}
	return status
}

// printChecks prints one line per study with its verdict and the labels
// a load would give its samples (no table when no study was read: the
// errors say why), then the findings at WARNING and above.
func printChecks(w io.Writer, rep *genexp.Report, dryRun bool) {
	if dryRun {
		fmt.Fprintln(w, "dry run: nothing was written")
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := "STUDY\tVERDICT\tSAMPLES\tGENES\tCELLS\tMISSING\tKS WORST (D, p)"
	if dryRun {
		head += "\tWOULD BE\tROWS"
	}
	head += "\tILLNESS"
	if len(rep.Studies) > 0 {
		fmt.Fprintln(tw, head)
	}
	for _, s := range rep.Studies {
		// A study processing.study_code_pattern excludes was not read:
		// nothing about it is ok or not.
		verdict := "ok"
		switch worst, ok := qc.Worst(s.Findings); {
		case errors.Is(s.Err, context.Canceled):
			verdict = "interrupted" // not checked to its end: nothing is known against it
		case errors.Is(s.Err, qc.TimedOut), errors.Is(s.Err, context.DeadlineExceeded):
			verdict = "timed out"
		case s.Err != nil:
			verdict = "REJECTED"
		case s.Outcome == genexp.Skipped, s.Outcome == genexp.NotStarted:
			verdict = string(s.Outcome)
		case ok && worst == qc.SeverityWarning:
			verdict = "warnings"
		}
		ks := "-"
		if s.KS != nil {
			ks = fmt.Sprintf("%s (%.4g, %.3g)", s.KS.Sample, s.KS.D, s.KS.P)
		}
		line := fmt.Sprintf("%s\t%s\t%d\t%d\t%d\t%d\t%s", studyLabel(s), verdict, s.Samples, s.Genes, s.Cells, s.Missing, ks)
		if dryRun {
			outcome := string(s.Outcome)
			if s.Err != nil {
				outcome = "not loaded"
			}
			line += fmt.Sprintf("\t%s\t%d", outcome, s.Rows)
		}
		labels := illnessCounts(s.Illness, s.IllnessKept, s.Excluded)
		if s.Outcome == genexp.Skipped || s.Outcome == genexp.NotStarted {
			labels = "-"
		}
		fmt.Fprintln(tw, line+"\t"+labels)
	}
	rest := "\t-\t-\t-\t-\t-"
	if dryRun {
		rest += "\tnot loaded\t-"
	}
	unopenedRows(tw, rep, rest+"\t-")
	tw.Flush()
	unopenedReasons(w, rep, message)
	once := printedOnce()
	for _, s := range rep.Studies {
		if s.Err != nil {
			how := "rejected"
			if errors.Is(s.Err, context.Canceled) || errors.Is(s.Err, qc.TimedOut) || errors.Is(s.Err, context.DeadlineExceeded) {
				how = "stopped" // nothing was found against it
			}
			fmt.Fprintf(w, "\n%s %s: %s\n", studyLabel(s), how, message(s.Err))
		}
		for _, f := range s.Findings {
			switch {
			case f == s.Err || !once(f):
			case f.Severity >= qc.SeverityWarning:
				fmt.Fprintf(w, "  %s %s%s\n", f.Severity, ofStudy(f), message(f))
			default:
				// a note (why a study was skipped, that no metadata
				// describes it), which its code's summary would word as
				// a problem: validate says everything it found
				fmt.Fprintf(w, "  %s %s%s\n", f.Severity, ofStudy(f), oneLine(f))
			}
		}
	}
	printRunFindings(w, rep.Findings, message)
}
