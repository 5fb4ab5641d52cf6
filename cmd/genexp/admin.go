package main

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

func cmdInit(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("init", `Usage: genexp init [flags]

Creates the warehouse, or migrates an older one to this genexp's schema
version, and prints the version. A load does the same when it opens the
warehouse; init does it alone, for instance before granting access.

Exit status: 0 the warehouse is at the current schema version; 2 bad usage
or configuration; 3 the warehouse could not be opened, written or migrated
(busy, unreachable, written by a newer genexp, no permission, disk full, a
migration that failed or was refused); 1 another failure.
`, stderr)
	var c common
	c.register(fs)
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
	created := duckDBFileMissing(target) // the open creates it: say so
	w, _, done, status, ok := c.openWriting(stderr, target, nil, "nothing else was done")
	if !ok {
		return status
	}
	defer done()
	want := schemaVersionFor(target)
	if v, ok := w.(interface {
		Version(context.Context) (int, error)
	}); ok {
		// Opened read-only (read_only=true in the DSN), a warehouse is
		// neither created nor migrated: say what it is, not what it would be.
		have, err := v.Version(context.Background())
		if err != nil {
			return c.fail(stderr, err)
		}
		if have != want {
			return c.fail(stderr, &qc.Error{Code: qc.SchemaVersion, Severity: qc.SeverityError,
				Msg: fmt.Sprintf("warehouse %s is at schema version %d, not %d: it was opened without migrating it (is the DSN read-only?)", qc.RedactDSN(target), have, want)})
		}
	}
	if created {
		fmt.Fprintf(stdout, "created warehouse %s at schema version %d\n", qc.RedactDSN(target), want)
	} else {
		fmt.Fprintf(stdout, "warehouse %s is at schema version %d\n", qc.RedactDSN(target), want)
	}
	if hc, ok := w.(warehouse.HealthChecker); ok {
		// A migration that changes how features are computed leaves them
		// stale; so may loads run with analytics off.
		if h, err := hc.Health(context.Background(), warehouse.HealthRequest{Runs: 1, Features: true, TopGenes: cfg.Analytics.TopGenes()}); err == nil && h.StaleFeatures > 0 {
			fmt.Fprintf(stdout, "the features of %s are stale (%s); genexp features --if-stale computes them again, as does a load of the study\n",
				countStudies(h.StaleFeatures), strings.Join(h.StaleFeatureStudies, ", ")+moreStudies(h.StaleFeatures-len(h.StaleFeatureStudies)))
		}
	}
	return exitOK
}

// moreStudies says how many studies a list left out: "" or " and N more".
func moreStudies(n int) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf(" and %d more", n)
}

// countStudies says "1 study" or "N studies".
func countStudies(n int) string { return count(n, "study", "studies") }

// count says n and the noun: one when n is 1, else many.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func cmdStatus(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("status", `Usage: genexp status [flags]

Shows the loaded studies with their current batch, then the most recent
process-log rows (one per study and step), grouped by run, newest run first,
each study's steps in pipeline order. It opens the warehouse read-only.
SAMPLES and GENES are the batch's matrix columns and rows as its load counted
them (the load summary's figures: a sample column with no value counts), FACTS
the fact rows stored (with processing.missing_values: null, a missing cell is a
row whose value is NULL).

Exit status: 0 shown; 1 the warehouse could not be read; 2 bad usage or
configuration; 3 the warehouse could not be opened (missing, busy: a load is
writing it, unreachable, or written by a newer genexp).
`, stderr)
	var c common
	c.register(fs)
	// --runs always counted process-log rows (one per step), not runs; it
	// stays as an alias of --steps so that scripts using it keep working.
	var steps int
	fs.IntVar(&steps, "steps", 20, "recent process-log rows (one per study and step) to show; at least 1")
	fs.IntVar(&steps, "runs", 20, "deprecated: the same as --steps (it counts steps, not runs)")
	if _, code, ok := c.parse(fs, args, stdout, noArgs); !ok {
		return code
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["steps"] && set["runs"] {
		return c.usageFail(fs, "--runs is the deprecated name of --steps: give one of them")
	}
	if steps < 1 {
		return c.usageFail(fs, fmt.Sprintf("--steps must be at least 1, got %d", steps))
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
	if set["runs"] {
		c.say(stderr, slog.LevelWarn, "--runs is deprecated: it counts process-log rows, not runs; use --steps")
	}
	target := c.target(fs, cfg)
	if err := noWarehouseFile(target); err != nil {
		return c.fail(stderr, err)
	}
	w, err := openStore(target, true, nil)
	if err != nil {
		return c.fail(stderr, err)
	}
	defer w.Close()
	s, ok := w.(warehouse.Statuser)
	if !ok {
		c.say(stderr, slog.LevelError, "this warehouse cannot report its status")
		return exitFailed
	}
	st, err := s.Status(context.Background(), warehouse.StatusRequest{Runs: steps})
	if err != nil {
		return c.fail(stderr, err)
	}
	mismatch := false
	openFailures := 0
	killed := ""
	if hc, ok := w.(warehouse.HealthChecker); ok {
		// A schema made by another text of a migration reads, but no load
		// will write it: say so here too, not only in genexp health.
		h, err := hc.Health(context.Background(), warehouse.HealthRequest{Since: time.Now().Add(-24 * time.Hour), Runs: 1})
		if err == nil && h.SchemaMismatch != "" {
			c.say(stderr, slog.LevelWarn, "loads will fail: "+h.SchemaMismatch)
			mismatch = true
		}
		if err == nil {
			openFailures = h.FailedSteps - h.ResolvedFailedSteps
			killed = killedRun(h)
		}
	}
	if st.SchemaVersion == 0 && !mismatch {
		// A file of other data, or a --db that names the wrong file: the
		// empty table below would look like an empty warehouse.
		c.say(stderr, slog.LevelWarn, fmt.Sprintf("%s holds no genexp schema: is it the warehouse? (genexp init or a load creates one)", qc.RedactDSN(target)))
	}
	fmt.Fprintf(stdout, "schema version %d, %s\n\n", st.SchemaVersion, countStudies(len(st.Studies)))
	if len(st.Studies) == 0 {
		// A header over no row reads as a table that failed to print.
		fmt.Fprintln(stdout, "no study is loaded yet: genexp load PATH loads one")
	} else {
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "STUDY\tBATCH\tSAMPLES\tGENES\tFACTS\tLOADED")
		for _, s := range st.Studies {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\n", s.Study, s.BatchID, s.Samples, s.Genes, s.Facts, s.LoadedAt.Format(time.DateTime))
		}
		tw.Flush()
	}
	if len(st.Steps) > 0 {
		fmt.Fprintln(stdout, "\nrecent steps:")
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "STARTED\tRUN\tSTUDY\tSTEP\tSTATUS\tROWS READ\tROWS WRITTEN\tERROR OR REASON")
		for _, r := range pipelineOrder(st.Steps) {
			why := r.ErrorMessage
			if r.Status == "SKIPPED" {
				why = skipReason(r.Context)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.StartedAt.Format(time.DateTime), shortRunID(r.RunID), dash(r.Study),
				r.Step, r.Status, optInt(r.RowsRead), optInt(r.RowsWritten), oneLineStr(why))
		}
		tw.Flush()
	}
	if killed != "" {
		fmt.Fprintf(stdout, "\n%s\n", killed)
	}
	if openFailures > 0 {
		// The steps above are the latest rows only: a failure a rerun's
		// SKIPPED rows pushed out of them is still counted here.
		fmt.Fprintf(stdout, "\n%s in the last 24 h not made good by a later success; genexp health names them\n",
			count(openFailures, "failed step", "failed steps"))
	}
	return exitOK
}

// killedRun says, when the latest run still has steps RUNNING although no
// process can be writing to the warehouse (warehouse.Health.NoWriter: the
// DuckDB file opened for this report excludes every writer), that the run
// was killed: without it, the RUNNING rows above read as a load going on.
// It returns "" otherwise.
func killedRun(h warehouse.Health) string {
	if !h.NoWriter || len(h.Runs) == 0 || h.Runs[0].Running == 0 {
		return ""
	}
	r := h.Runs[0]
	return fmt.Sprintf("run %s still has %s RUNNING, but no process is writing to the warehouse: "+
		"it was killed or could not record its end; rerun it (the next load or genexp features marks those steps FAILED)",
		shortRunID(r.RunID), count(r.Running, "step", "steps"))
}

// stepOrder ranks the pipeline's steps in the order a study goes through
// them.
var stepOrder = map[string]int{"extract": 0, "transform": 1, "validate": 2, "load": 3, "analytics": 4}

// pipelineOrder orders the most recent process-log rows (given newest
// first) for reading: by run, the newest first; within a run by study, the
// one with the newest step first; within a study in pipeline order, then by
// start time. Start times alone do not give that order: a load step starts
// before the validation it waits for ends, and steps logged within the
// same instant tie.
func pipelineOrder(steps []warehouse.StepRecord) []warehouse.StepRecord {
	type group struct{ run, study string }
	runRank, studyRank := map[string]int{}, map[group]int{}
	for i, s := range steps {
		if _, ok := runRank[s.RunID]; !ok {
			runRank[s.RunID] = i
		}
		if _, ok := studyRank[group{s.RunID, s.Study}]; !ok {
			studyRank[group{s.RunID, s.Study}] = i
		}
	}
	rank := func(step string) int {
		if r, ok := stepOrder[step]; ok {
			return r
		}
		return len(stepOrder) // a step this genexp does not know: last
	}
	out := slices.Clone(steps)
	slices.SortStableFunc(out, func(a, b warehouse.StepRecord) int {
		return cmp.Or(
			cmp.Compare(runRank[a.RunID], runRank[b.RunID]),
			cmp.Compare(studyRank[group{a.RunID, a.Study}], studyRank[group{b.RunID, b.Study}]),
			cmp.Compare(rank(a.Step), rank(b.Step)),
			a.StartedAt.Compare(b.StartedAt),
		)
	})
	return out
}

// skipReason returns the reason a SKIPPED step gives in its context
// ("reason"), "" if it gives none.
func skipReason(contextJSON string) string {
	var c struct {
		Reason string `json:"reason"`
	}
	if json.Unmarshal([]byte(contextJSON), &c) != nil {
		return ""
	}
	return c.Reason
}

// shortRunID is how status shows a run id: a UUID's first eight characters
// tell runs apart on one screen; a shorter id is shown whole.
func shortRunID(id string) string {
	if id == "" {
		return "-"
	}
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

func optInt(p *int64) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprint(*p)
}

// oneLineStr puts s on one line: each run of blanks that holds a line
// break or a tab becomes one space, and a run of spaces alone is kept, so
// that a quoted title that fails to match for its double space shows it.
// Any other control character, and a byte that is not UTF-8, is written
// as an escape (\x1b, \u202e): a path or a metadata value holding a
// terminal's escape sequence must not reach the terminal as one.
func oneLineStr(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsSpace(r) {
			writePrintable(&b, s[i:i+n])
			i += n
			continue
		}
		j, broken := i, false
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if !unicode.IsSpace(r) {
				break
			}
			broken = broken || lineBreakOrTab(r)
			j += n
		}
		if broken {
			b.WriteByte(' ')
		} else {
			b.WriteString(s[i:j])
		}
		i = j
	}
	return strings.TrimSpace(b.String())
}

// printable is s with every control character but the blanks, and every
// byte that is not UTF-8, written as an escape (see oneLineStr); its line
// breaks and tabs are kept.
func printable(s string) string {
	var b strings.Builder
	writePrintable(&b, s)
	return b.String()
}

func writePrintable(b *strings.Builder, s string) {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(b, `\x%02x`, s[i])
		case unsafeRune(r) && !unicode.IsSpace(r):
			if r < 0x100 {
				fmt.Fprintf(b, `\x%02x`, r)
			} else {
				fmt.Fprintf(b, `\u%04x`, r)
			}
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
}

// unsafeRune reports whether r is a control character a terminal acts on
// (C0 but the blanks, DEL, C1) or one that reorders the text around it
// (the bidirectional embeddings, overrides and isolates).
func unsafeRune(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// lineBreakOrTab reports whether r breaks a line or tabulates.
func lineBreakOrTab(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}
