package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

func cmdInit(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("init", stderr)
	var c common
	c.register(fs)
	if _, err := parseFlags(fs, args); err != nil {
		return exitUsage
	}
	cfg, ok := c.config(stderr)
	if !ok {
		return exitUsage
	}
	target := c.target(fs, cfg)
	w, err := openStore(target, false)
	if err != nil {
		return c.fail(stderr, redactErr(err, target))
	}
	defer w.Close()
	fmt.Fprintf(stdout, "warehouse %s is at schema version %d\n", qc.RedactDSN(target), schemaVersionFor(target))
	return exitOK
}

func cmdStatus(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("status", stderr)
	var c common
	c.register(fs)
	// --runs always counted process-log rows (one per step), not runs; it
	// stays as an alias of --steps so that scripts using it keep working.
	var steps int
	fs.IntVar(&steps, "steps", 20, "recent process-log rows (one per study and step) to show")
	fs.IntVar(&steps, "runs", 20, "deprecated: the same as --steps (it counts steps, not runs)")
	if _, err := parseFlags(fs, args); err != nil {
		return exitUsage
	}
	cfg, ok := c.config(stderr)
	if !ok {
		return exitUsage
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "runs" {
			c.say(stderr, slog.LevelWarn, "--runs is deprecated: it counts process-log rows, not runs; use --steps")
		}
	})
	target := c.target(fs, cfg)
	w, err := openStore(target, true)
	if err != nil {
		return c.fail(stderr, redactErr(err, target))
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
	fmt.Fprintf(stdout, "schema version %d, %d studies\n\n", st.SchemaVersion, len(st.Studies))
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STUDY\tBATCH\tSAMPLES\tGENES\tFACTS\tLOADED")
	for _, s := range st.Studies {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\n", s.Study, s.BatchID, s.Samples, s.Genes, s.Facts, s.LoadedAt.Format(time.DateTime))
	}
	tw.Flush()
	if len(st.Steps) > 0 {
		fmt.Fprintln(stdout, "\nrecent steps:")
		tw = tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "STARTED\tRUN\tSTUDY\tSTEP\tSTATUS\tROWS READ\tROWS WRITTEN\tERROR OR REASON")
		for _, r := range st.Steps {
			why := r.ErrorMessage
			if r.Status == "SKIPPED" {
				why = skipReason(r.Context)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.StartedAt.Format(time.DateTime), shortRunID(r.RunID), dash(r.Study),
				r.Step, r.Status, optInt(r.RowsRead), optInt(r.RowsWritten), oneLineStr(why))
		}
		tw.Flush()
	}
	return exitOK
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

func cmdQuery(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("query", stderr)
	var c common
	c.register(fs)
	maxRows := fs.Int("max-rows", 1000, "print at most this many rows (0: all)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, `Usage: genexp query [--db FILE] "SQL"`)
		return exitUsage
	}
	cfg, ok := c.config(stderr)
	if !ok {
		return exitUsage
	}
	target := c.target(fs, cfg)
	w, err := openStore(target, true)
	if err != nil {
		return c.fail(stderr, redactErr(err, target))
	}
	defer w.Close()
	if err := printQuery(stdout, w.DB(), pos[0], *maxRows); err != nil {
		c.printErr(stderr, fmt.Errorf("query failed: %w", err), "")
		return exitFailed
	}
	return exitOK
}

// printQuery runs a query and prints its rows as an aligned table.
func printQuery(w io.Writer, db *sql.DB, query string, maxRows int) error {
	rows, err := db.Query(query)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(cols, "\t"))
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if maxRows > 0 && n == maxRows {
			tw.Flush()
			fmt.Fprintf(w, "(stopped after %d rows; use --max-rows 0 for all)\n", maxRows)
			return nil
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		cells := make([]string, len(vals))
		for i, v := range vals {
			cells[i] = formatCell(v)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
		n++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	tw.Flush()
	fmt.Fprintf(w, "(%d rows)\n", n)
	return nil
}

func formatCell(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return string(x)
	case time.Time:
		return x.Format(time.DateTime)
	case float64:
		return fmt.Sprint(x)
	}
	return oneLineStr(fmt.Sprint(v))
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

func oneLineStr(s string) string { return strings.Join(strings.Fields(s), " ") }
