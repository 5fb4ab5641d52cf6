package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// Exit statuses of `genexp health`, by overall status.
const (
	exitHealthWarning  = 1
	exitHealthCritical = 3
)

func cmdHealth(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("health", `Usage: genexp health [flags]

Checks the warehouse without changing it: that it opens, its schema version,
its last runs (a warning when the last was interrupted or timed out before it
finished, or when the latest load was killed or stopped and only genexp
features ran since: rerun it), the steps that failed in the last 24 hours, the
features (a warning when a loaded study's features are stale: they no longer
describe its facts, labels or exclusions, or a migration changed how they are
computed; genexp features --if-stale computes them again), and, for a
DuckDB file, that its permissions allow writing and the free disk space where it
lives.
The overall status is the worst check's.

Exit status: 0 healthy; 1 warning, or a healthy report that could not be
written (a full disk; a reader that went away keeps the status); 3 critical;
2 bad usage or configuration.
`, stderr)
	var c common
	c.register(fs)
	asJSON := fs.Bool("json", false, "print the report as JSON (for monitoring)")
	if _, code, ok := c.parse(fs, args, stdout, noArgs); !ok {
		return code
	}
	cfg, ok := c.config(stderr)
	if !ok {
		return exitUsage
	}
	closeLog, ok := c.logToFile(stderr, cfg)
	if !ok {
		return exitUsage
	}
	defer closeLog()
	target := c.target(fs, cfg)
	// A DSN genexp cannot read is the caller's configuration to mend, as
	// for every other command, not a state of the warehouse.
	if err := checkTarget(target); err != nil {
		return c.fail(stderr, redactErr(err, target))
	}
	rep, err := checkHealth(context.Background(), target, time.Now(), cfg.Analytics.TopGenes())
	if err != nil {
		return c.fail(stderr, redactErr(err, target))
	}
	if *asJSON {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			c.say(stderr, slog.LevelError, err.Error())
			return exitFailed
		}
		// A write that fails is run's to judge: a reader that went away
		// (genexp health --json | head) leaves the status the report's.
		stdout.Write(append(b, '\n'))
	} else {
		printHealth(stdout, rep)
	}
	switch rep.Status {
	case genexp.Healthy:
		return exitOK
	case genexp.Degraded:
		return exitHealthWarning
	}
	return exitHealthCritical
}

// checkHealth observes the warehouse target names, read-only, and judges
// what it saw. A DuckDB file that does not exist is reported, not created.
// The error is a DSN option the warehouse refuses (ConfigInvalid): the
// caller's to mend, not a state of the warehouse. Features computed over
// another number of top genes than top are stale.
func checkHealth(ctx context.Context, target string, now time.Time, top int) (genexp.HealthReport, error) {
	in := genexp.HealthInputs{Warehouse: qc.RedactDSN(target), Now: now}
	if !genexp.IsSQLServerDSN(target) {
		file, _, _ := strings.Cut(target, "?")
		if !inMemory(file) {
			in.Disk, in.DiskErr = genexp.FreeDisk(file)
			if err := noWarehouseFile(target); err != nil {
				if code, _ := qc.CodeOf(err); code == qc.ConfigInvalid {
					return genexp.HealthReport{}, err // the DSN's mistake, not the warehouse's state
				}
				in.OpenErr = err
				return genexp.DeriveHealth(in, genexp.DefaultHealthLimits()), nil
			}
			in.WriteChecked, in.WriteErr = true, duckdb.CheckWritable(file)
		}
	}
	w, err := openStore(target, true, nil)
	if code, _ := qc.CodeOf(err); code == qc.ConfigInvalid {
		// A DSN option the warehouse refuses (a password, an unknown
		// option) is the caller's configuration to mend, as for every
		// other command, not a state of the warehouse.
		return genexp.HealthReport{}, err
	}
	if err != nil {
		in.OpenErr = err
		return genexp.DeriveHealth(in, genexp.DefaultHealthLimits()), nil
	}
	defer w.Close()
	if hc, ok := w.(warehouse.HealthChecker); ok {
		h, err := hc.Health(ctx, warehouse.HealthRequest{Since: now.Add(-24 * time.Hour), Runs: 5, Features: true, TopGenes: top})
		in.Health = &h
		if err != nil {
			in.HealthErr = redactErr(err, target)
		}
	}
	return genexp.DeriveHealth(in, genexp.DefaultHealthLimits()), nil
}

func printHealth(w io.Writer, rep genexp.HealthReport) {
	fmt.Fprintf(w, "%s: %s\n\n", rep.Warehouse, strings.ToUpper(string(rep.Status)))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tSTATUS\tDETAIL")
	for _, c := range rep.Checks {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Name, c.Status, oneLineStr(c.Detail))
	}
	tw.Flush()
	if rep.Health != nil && len(rep.Health.Runs) > 0 {
		fmt.Fprintln(w, "\nrecent runs:")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "STARTED\tRUN\tKIND\tSTUDIES\tSTEPS\tFAILED\tRUNNING\tNOT STARTED")
		for _, r := range rep.Health.Runs {
			stopped := strconv.Itoa(r.Stopped)
			if r.StopReason != "" {
				stopped += " (" + r.StopReason + ")"
			}
			kind, failed := "features", strconv.Itoa(r.Failed)
			if r.Load {
				kind = "load"
			}
			if r.Aborted > 0 {
				failed += fmt.Sprintf(" (%d aborted)", r.Aborted)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%d\t%s\n", r.StartedAt.Format(time.DateTime), r.RunID, kind, r.Studies, r.Steps, failed, r.Running, stopped)
		}
		tw.Flush()
	}
}

// dryRunLoad is `genexp load --dry-run`: the load path on a sink that
// writes nothing, deciding new/replaced/duplicate against the warehouse
// opened read-only when it exists. A warehouse file that does not exist is
// not created: every study would then be new, and its DSN is checked as a
// load would check it (a foreign URL, no file, a secret, an option DuckDB
// does not take), so that the dry run fails where the load would.
func dryRunLoad(stdout, stderr io.Writer, c *common, cfg genexp.Config, target string, meta, paths []string) int {
	var current warehouse.Statuser
	// wouldFail: the warehouse is one a load would fail to write or would
	// refuse; the studies are still read and shown, and the dry run exits
	// as the load would (exitNoAccess), so that a script gating a load on
	// it does not go on to one that fails.
	wouldFail := false
	warnFail := func(why string) {
		c.say(stderr, slog.LevelWarn, "a load would fail: "+why)
		wouldFail = true
	}
	file, _, _ := strings.Cut(target, "?")
	// Only a file that is not there is new; one that cannot be looked at
	// (no permission) is opened, and the open says why not.
	if !duckDBFileMissing(target) {
		w, err := openStore(target, true, nil)
		if err != nil {
			return c.fail(stderr, err)
		}
		defer w.Close()
		st, ok := w.(warehouse.Statuser)
		if !ok {
			c.say(stderr, slog.LevelWarn, "this warehouse cannot say what it holds; outcomes assume an empty warehouse")
		}
		current = st
		if !genexp.IsSQLServerDSN(target) && !inMemory(file) {
			// Opened read-only, the file says nothing of whether a load
			// could write it (or its directory, where DuckDB writes the
			// write-ahead log at the first commit).
			if err := duckdb.CheckWritable(file); err != nil {
				warnFail(message(redactErr(err, target)))
			}
			// The dry run opens every warehouse read-only; the load opens
			// it as its DSN says.
			if duckdb.OpensReadOnly(target) {
				warnFail("the warehouse DSN opens it read-only (access_mode=READ_ONLY or read_only=true): a load could not write it")
			}
		}
		// Read-only, the schema is not migrated: a file the migration would
		// refuse (objects of other data named as genexp's, a version applied
		// from another text of its migration) reads as an empty or current
		// warehouse, and only its health says a load would be refused.
		if hc, ok := w.(warehouse.HealthChecker); ok {
			h, err := hc.Health(context.Background(), warehouse.HealthRequest{Runs: 1})
			if err == nil && h.SchemaMismatch != "" {
				warnFail(qc.RedactText(h.SchemaMismatch, qc.DSNSecrets(target)...))
			}
		}
	} else {
		if err := checkTarget(target); err != nil {
			return c.fail(stderr, redactErr(err, target))
		}
		if err := duckdb.CheckDSN(target); err != nil {
			return c.fail(stderr, redactErr(err, target))
		}
		// A mistyped --db would otherwise pass for an empty warehouse.
		c.say(stderr, slog.LevelWarn, fmt.Sprintf("no warehouse at %s yet: every study would be new (a load would create it)", qc.RedactDSN(file)))
		if !inMemory(file) {
			// The load would create it in its folder: one that does not
			// exist or cannot be written fails the load.
			if err := duckdb.CheckWritable(file); err != nil {
				warnFail(message(redactErr(err, target)))
			}
		}
	}
	code := runChecks(stdout, stderr, c, cfg, genexp.DryRunSink(current), target, meta, paths, true)
	if wouldFail {
		code = worseExit(code, exitNoAccess)
	}
	return code
}

// rewordedError shows text in place of err's message (the DSN's secrets
// removed, or words a researcher reads better than a driver's) while
// keeping err for errors.Is and errors.As.
type rewordedError struct {
	err  error
	text string
}

func (e *rewordedError) Error() string { return e.text }
func (e *rewordedError) Unwrap() error { return e.err }

// redactErr hides the secrets of dsn in err's message.
func redactErr(err error, dsn string) error {
	if err == nil {
		return nil
	}
	secrets := qc.DSNSecrets(dsn)
	text := qc.RedactText(err.Error(), secrets...)
	if text == err.Error() {
		return err
	}
	return &rewordedError{err: err, text: text}
}
