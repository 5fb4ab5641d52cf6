package main

import (
	"bytes"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"syscall"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
)

// queryStdin is where `genexp query --file -` reads the SQL.
var queryStdin io.Reader = os.Stdin

func cmdQuery(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("query", `Usage: genexp query [flags] "SQL"
       genexp query [flags] --file FILE   (or --file - for stdin)

Runs one query on the warehouse and prints its rows. Only a query runs:
exactly one statement, of a kind that only reads (SELECT, WITH … SELECT,
VALUES, FROM …, DESCRIBE, SHOW, SUMMARIZE, a PRAGMA that reads such as
PRAGMA table_info('dim_sample'), and EXPLAIN of one of these);
anything else, or several statements, is refused (code 6001). The SQL is the
argument, or the contents of --file (for a statement longer than the shell
passes, such as a PIVOT over every gene of a study).

--format table (the default) aligns the columns per 1000 rows, for reading;
at most --max-rows rows (default 1000). The other formats are for export;
they print every row unless --max-rows is given, with no footer:
  tsv   a header line, then one line per row, fields separated by tabs and
        written as they are: a value (or column name) holding a tab, line
        feed or carriage return is refused (exit 2, naming its row and
        column); use csv for such text
  csv   RFC 4180, as Go's encoding/csv writes it: a header record, then one
        record per row, a field quoted when it holds a comma, quote, line
        break or leading space; lines end in LF
  json  JSON lines: one object per row, keyed by column name (names must be
        unique), NULL as null, numbers as numbers, lists as arrays, structs
        and maps as objects; NaN and infinities, which JSON has no number
        for, as the strings "NaN", "Infinity" and "-Infinity"
In tsv and csv a NULL is an empty field, as is empty text; --null MARKER
writes NULL as MARKER instead, and then a value that would be written as
MARKER is refused (exit 2), so that every MARKER read back is a NULL. A
one-column row with an empty field is written "" in csv and refused in tsv
(an empty line, which readers skip). A DOUBLE is written in the fewest
digits that read back to the same bits (NaN,
Inf, -Inf); a list, struct or map as its JSON text; a timestamp as
2006-01-02 15:04:05.999999 (a T for the space in json; TIMESTAMPTZ with its
offset, Z for UTC), a DATE as 2006-01-02; a BLOB in base64 (table: printable
ASCII as is, other bytes as \xHH). genexp writes each row as it reads it and
keeps none; DuckDB's Go driver, though, holds the whole result before the
first row (some 75 bytes a row of four columns): export a very long result
in parts.

A DuckDB warehouse is opened read-only and without access to other files
(no ATTACH, COPY … TO or read_csv), and DuckDB itself tells a query from
anything else. T-SQL cannot be told apart before SQL Server runs it: there
the statement runs in a transaction that is always rolled back. A batch
that commits by itself escapes the rollback: query SQL Server with a login
that may only read.

Exit status: 0 the rows were printed (or as many as a reader that went away,
such as head, took); 1 the rows could not be written (a full disk); 2 bad
usage or configuration, the SQL
was refused (not a query, several statements, or refused by the warehouse),
or a value could not be written in the format (what was printed before is
incomplete); 3 the warehouse could not be opened (missing, busy: a load is
writing it, unreachable, or written by a newer genexp); 4 --file could not
be read; 130 (SIGINT), 143 (SIGTERM) or 129 (SIGHUP) interrupted (the rows
printed before are all there is).
`, stderr)
	var c common
	c.register(fs)
	maxRows := fs.Int("max-rows", 1000, "print at most this many rows (0: all); with --format tsv, csv or json, all unless given")
	format := fs.String("format", "table", "output format: table, tsv, csv or json")
	file := fs.String("file", "", "read the SQL from `FILE` (- for stdin) instead of the argument")
	null := fs.String("null", "", "with --format tsv or csv, write NULL as `MARKER` (default: an empty field)")
	pos, code, ok := c.parse(fs, args, stdout, arity{min: 0, max: 1, what: "the SQL statement, in quotes"})
	if !ok {
		return code
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if *maxRows < 0 {
		return c.usageFail(fs, fmt.Sprintf("--max-rows must be 0 (all rows) or more, got %d", *maxRows))
	}
	f, err := parseQueryFormat(*format)
	if err != nil {
		return c.usageFail(fs, err.Error())
	}
	if f != formatTable && !given["max-rows"] {
		*maxRows = 0
	}
	if given["null"] && f != formatTSV && f != formatCSV {
		return c.usageFail(fs, fmt.Sprintf("--null applies to --format tsv and csv only (table prints NULL, json null), not %s", f))
	}
	if given["null"] && f == formatTSV && strings.ContainsAny(*null, "\t\n\r") {
		return c.usageFail(fs, fmt.Sprintf("--null %q holds a tab or line break, which tsv cannot hold in a field", *null))
	}
	switch {
	case given["file"] && len(pos) > 0:
		return c.usageFail(fs, "the SQL is either the argument or --file, not both")
	case !given["file"] && len(pos) == 0:
		return c.usageFail(fs, `missing the SQL statement: give it in quotes, or name a file holding it with --file FILE (--file - reads stdin)`)
	}
	if given["file"] && *file == "" {
		return c.usageFail(fs, "--file needs a path, or - for stdin")
	}
	var query string
	if given["file"] {
		if query, err = readQueryFile(*file); err != nil {
			return c.fail(stderr, err)
		}
		if strings.TrimSpace(query) == "" {
			return c.usageFail(fs, fmt.Sprintf("--file %s holds no SQL", *file))
		}
	} else {
		query = pos[0]
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
	if err := noWarehouseFile(target); err != nil {
		return c.fail(stderr, err)
	}
	// DuckDB lets a statement read the files in its temp directory even
	// without external access (FILE.tmp beside the warehouse, where any
	// file may stand): the query's is one of its own, empty, removed after.
	temp, err := os.MkdirTemp("", "genexp-query-")
	if err == nil {
		defer os.RemoveAll(temp)
	} else {
		temp = ""
	}
	w, err := openStore(queryDSN(target, temp), true, nil)
	if err != nil {
		return c.fail(stderr, redactErr(err, target))
	}
	defer w.Close()
	out := outputOptions{format: f, maxRows: *maxRows, null: *null, nullGiven: given["null"]}
	var res writeResult
	ctx, stop := interruptContext()
	defer stop()
	ow := &outputWriter{w: stdout}
	err = w.ReadQuery(ctx, query, func(rows *sql.Rows) error {
		var err error
		res, err = writeRows(ow, rows, out)
		return err
	})
	if ow.err != nil {
		if errors.Is(ow.err, syscall.EPIPE) {
			// The reader has what it wanted (genexp query … | head).
			return exitOK
		}
		c.printErr(stderr, fmt.Errorf("writing the result: %w", ow.err), "")
		return exitFailed
	}
	if err != nil && ctx.Err() != nil {
		// Stopped by a signal: the statement was interrupted, and what was
		// written of its rows is all there is.
		c.printErr(stderr, stopped(ctx, err, 0), "")
		return stoppedExit(ctx)
	}
	if err != nil {
		var fe *formatError
		if errors.As(err, &fe) {
			// The value is fine; the format cannot carry it as asked. The
			// fix is in the command line.
			return c.fail(stderr, &qc.Error{Code: qc.QueryRefused, Severity: qc.SeverityError, Err: err})
		}
		if _, coded := qc.CodeOf(err); !coded {
			// The statement is the query's input: whatever the warehouse
			// says of it, the fix is in the command line (QueryRefused
			// exits as a usage error).
			err = &qc.Error{Code: qc.QueryRefused, Severity: qc.SeverityError, Err: err}
		}
		return c.fail(stderr, redactErr(err, target))
	}
	if res.stopped && f != formatTable {
		// The footer table prints would corrupt an export: the note goes
		// to stderr, so that a cut-short file does not pass unseen.
		c.say(stderr, slog.LevelWarn, fmt.Sprintf("stopped after %d rows (--max-rows %d); the output holds those only", res.rows, *maxRows))
	}
	return exitOK
}

// outputWriter remembers the first error writing the result met: a reader
// that went away or a full disk is not the statement's fault.
type outputWriter struct {
	w   io.Writer
	err error
	// say, once the command has read its flags, says a failure as the
	// command says its own (see common.parse); nil before.
	say func(msg string)
}

func (o *outputWriter) Write(p []byte) (int, error) {
	if o.err != nil {
		return 0, o.err
	}
	n, err := o.w.Write(p)
	if err != nil {
		o.err = err
	}
	return n, err
}

// maxQueryBytes is the longest SQL --file reads: far above any query a
// person writes, and a path to something endless (/dev/zero) is refused
// at this size instead of filling memory.
const maxQueryBytes = 16 << 20

// readQueryFile reads the SQL of --file: the file, or stdin for "-". A
// file that cannot be read is an input that could not be read (code 1001);
// one longer than maxQueryBytes is refused (code 6001).
func readQueryFile(path string) (string, error) {
	src := queryStdin
	if path == "-" {
		path = "stdin"
	} else {
		f, err := os.Open(path)
		if err != nil {
			return "", &qc.Error{Code: qc.FileNotFound, Severity: qc.SeverityError, File: path, Msg: "--file: the SQL could not be read", Err: err}
		}
		defer f.Close()
		src = f
	}
	b, err := io.ReadAll(io.LimitReader(src, maxQueryBytes+1))
	if err != nil {
		return "", &qc.Error{Code: qc.FileNotFound, Severity: qc.SeverityError, File: path, Msg: "--file: the SQL could not be read", Err: err}
	}
	if len(b) > maxQueryBytes {
		return "", &qc.Error{Code: qc.QueryRefused, Severity: qc.SeverityError, File: path,
			Msg: fmt.Sprintf("--file: the SQL is longer than %d MiB: is this the right file?", maxQueryBytes>>20)}
	}
	// A BOM an editor left would reach DuckDB's parser as a character.
	return string(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))), nil
}

// queryDSN is the DSN query opens: for DuckDB, read-only and without
// access to any file but the warehouse, whatever the DSN says, so that no
// statement can attach another database or read or write a file; temp,
// when not "", is its temp_directory (which DuckDB lets a statement read).
// duckdb.Open turns external access off once the file is open, after the
// temp_directory is set; openStore opens it read-only (readOnlyDSN), once
// it has checked the options the DSN gives.
func queryDSN(target, temp string) string {
	if genexp.IsSQLServerDSN(target) {
		return target
	}
	return editDSNParams(target, func(params url.Values) {
		params.Set("enable_external_access", "false")
		if temp != "" {
			params.Set("temp_directory", temp)
		}
	})
}
