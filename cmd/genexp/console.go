package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// isTerminal reports whether w is a terminal. A writer that is not a file
// may say so itself with an IsTerminal method (the tests' fake terminal
// does).
func isTerminal(w io.Writer) bool {
	if t, ok := w.(interface{ IsTerminal() bool }); ok {
		return t.IsTerminal()
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// jsonMessages reports whether the command's own messages on stderr (a
// failure, an interruption) are JSON records rather than "genexp: …"
// lines: when stderr carries JSON, so that a reader of stderr never gets a
// mix. That is --log-format, else logging.format when the log goes to
// stderr, else JSON unless stderr is a terminal: the same choice as the
// log's.
func (c *common) jsonMessages(stderr io.Writer) bool {
	format := strings.ToLower(strings.TrimSpace(c.logFormat))
	if format == "" && c.cfgLogFile == "" {
		format = strings.ToLower(strings.TrimSpace(c.cfgLogFormat))
	}
	if format == "" {
		return !isTerminal(stderr)
	}
	return format == "json"
}

// fail prints err as the command's failure, in the form stderr carries,
// and returns the exit status its code calls for.
func (c *common) fail(stderr io.Writer, err error) int {
	c.printErr(stderr, err, "")
	return exitStatus(err)
}

// placeTargetError places at database.connection_string in the
// configuration file a ConfigInvalid error that names no file, when the
// warehouse came from there: the DSN's own mistakes (an option DuckDB does
// not take, a secret, a URL of another scheme) are then the file's, at its
// line and column, as every other mistake in it is.
func (c *common) placeTargetError(err error) error {
	var e *qc.Error
	if !c.targetFromConfig || c.configFile == "" || !errors.As(err, &e) || e.Code != qc.ConfigInvalid || e.File != "" {
		return err
	}
	placed := genexp.ConfigKeyError(c.configFile, "database.connection_string", e.Msg, e.Err)
	placed.Severity = e.Severity
	return placed
}

// printErr prints err, with a note after it when note is not empty: one
// "genexp: …" line, or a JSON record at level ERROR with the error's code,
// study, file, line, column and JSON path as fields when it carries them.
// When the log goes to logging.file, the record is written there too.
func (c *common) printErr(stderr io.Writer, err error, note string) {
	err = c.placeTargetError(err)
	msg := message(err)
	if note != "" {
		msg += " " + note
	}
	var attrs []slog.Attr
	if code, ok := qc.CodeOf(err); ok {
		attrs = append(attrs, slog.Int("code", int(code)), slog.String("code_name", code.Name()))
	}
	var e *qc.Error
	if errors.As(err, &e) {
		if e.Study != "" {
			attrs = append(attrs, slog.String("study", e.Study))
		}
		if e.File != "" {
			attrs = append(attrs, slog.String("file", e.File))
		}
		if e.Line > 0 {
			attrs = append(attrs, slog.Int64("line", e.Line))
		}
		if e.Column > 0 {
			attrs = append(attrs, slog.Int64("column", e.Column))
		}
		if e.Path != "" {
			attrs = append(attrs, slog.String("path", e.Path))
		}
	}
	c.emit(stderr, slog.LevelError, msg, attrs)
}

// say prints a message that is not an error's, at level, in the form
// stderr carries, and to logging.file when the log goes there.
func (c *common) say(stderr io.Writer, level slog.Level, msg string) {
	c.emit(stderr, level, msg, nil)
}

func (c *common) emit(stderr io.Writer, level slog.Level, msg string, attrs []slog.Attr) {
	ctx := context.Background()
	if c.fileLog != nil && c.fileLog.Enabled(ctx, level) {
		r := slog.NewRecord(time.Now(), level, msg, 0)
		r.AddAttrs(attrs...)
		// A log file that cannot be written must not hide the failure:
		// stderr still gets it.
		_ = c.fileLog.Handle(ctx, r)
	}
	if !c.jsonMessages(stderr) {
		fmt.Fprintf(stderr, "genexp: %s\n", printable(msg))
		return
	}
	slog.New(slog.NewJSONHandler(stderr, nil)).LogAttrs(ctx, level, msg, attrs...)
}

// Load phases the progress line shows once a matrix has been read.
const (
	phaseValidating = "validating…"
	phaseCommitting = "committing…"
	phaseAnalytics  = "analytics…"
)

// progressLine draws one updating line on a terminal: the matrix being
// loaded, the cells read, the rate, the share read and the time left; once
// the matrix is read, the phase the load is in. Whatever else is written to
// the terminal while it is shown goes through around, which erases the line
// first and draws it again after, so that a log record never lands on it;
// finish erases it for good before the summary.
type progressLine struct {
	w io.Writer
	// every is the least time between two redraws for new cell counts.
	every time.Duration

	mu     sync.Mutex
	last   time.Time
	matrix string
	cells  int64
	text   string // the line as drawn; "" when nothing is shown
	done   bool
}

func newProgressLine(w io.Writer) *progressLine {
	return &progressLine{w: w, every: 200 * time.Millisecond}
}

// update shows a matrix's progress: at most every p.every, except that the
// end of a matrix is always shown, as the validation phase.
func (p *progressLine) update(pr genexp.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return
	}
	read := pr.TotalBytes > 0 && pr.Bytes >= pr.TotalBytes
	if pr.Matrix == p.matrix && !read && time.Since(p.last) < p.every {
		return
	}
	p.last = time.Now()
	p.matrix, p.cells = pr.Matrix, pr.Cells
	if read {
		p.draw(p.phaseText(phaseValidating))
		return
	}
	rate := float64(pr.Cells) / max(pr.Elapsed.Seconds(), 1e-9)
	line := fmt.Sprintf("%s  %s cells  %s cells/s", oneLineStr(shortName(pr.Matrix)), human(float64(pr.Cells)), human(rate))
	if pr.TotalBytes > 0 && pr.Bytes > 0 {
		frac := float64(pr.Bytes) / float64(pr.TotalBytes)
		eta := time.Duration(float64(pr.Elapsed) * (1 - frac) / frac)
		line += fmt.Sprintf("  %3.0f%%  ETA %s", 100*frac, eta.Round(time.Second))
	}
	p.draw(line)
}

// phase shows what the load of the current matrix is doing after reading
// it.
func (p *progressLine) phase(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done || p.matrix == "" {
		return
	}
	p.draw(p.phaseText(name))
}

func (p *progressLine) phaseText(name string) string {
	return fmt.Sprintf("%s  %s cells  %s", oneLineStr(shortName(p.matrix)), human(float64(p.cells)), name)
}

// draw replaces the line on the terminal; called with p.mu held.
func (p *progressLine) draw(text string) {
	fmt.Fprintf(p.w, "\r\033[K%s", text)
	p.text = text
}

// erase clears the line and leaves the cursor at its start; called with
// p.mu held.
func (p *progressLine) erase() {
	if p.text != "" {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// around runs write, which writes whole lines to the terminal, with the
// progress line erased, and draws the line again after it.
func (p *progressLine) around(write func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.erase()
	write()
	if p.text != "" && !p.done {
		fmt.Fprintf(p.w, "\r\033[K%s", p.text)
	}
}

// finish erases the line for good: nothing is drawn after it.
func (p *progressLine) finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.erase()
	p.text, p.done = "", true
}

// progressHandler stands between the pipeline's log and the handler the
// configuration asked for. It reads the pipeline's step records to tell the
// progress line which phase a load is in, whatever the log level, and,
// when the log goes to the terminal the line is drawn on, erases the line
// around each record it passes on.
type progressHandler struct {
	next      slog.Handler
	prog      *progressLine
	terminal  bool // the log is written to the progress line's terminal
	analytics bool // a load computes features after its commit
}

// Enabled implements slog.Handler: step records are wanted for the phases
// even when the log does not show them.
func (h *progressHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelInfo || h.next.Enabled(ctx, l)
}

// Handle implements slog.Handler.
func (h *progressHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "step done" {
		var step, status, outcome string
		r.Attrs(func(a slog.Attr) bool {
			switch a.Key {
			case "step":
				step = a.Value.String()
			case "status":
				status = a.Value.String()
			case "outcome":
				outcome = a.Value.String()
			}
			return true
		})
		switch {
		case status != "SUCCESS":
		case step == "validate":
			h.prog.phase(phaseCommitting)
		case step == "load" && h.analytics && outcome != string(warehouse.Duplicate):
			// A duplicate's features are only checked, and almost always
			// found current: its analytics step is SKIPPED, so the line
			// does not announce it.
			h.prog.phase(phaseAnalytics)
		}
	}
	if !h.next.Enabled(ctx, r.Level) {
		return nil
	}
	if !h.terminal {
		return h.next.Handle(ctx, r)
	}
	var err error
	h.prog.around(func() { err = h.next.Handle(ctx, r) })
	return err
}

// WithAttrs implements slog.Handler.
func (h *progressHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.next = h.next.WithAttrs(attrs)
	return &c
}

// WithGroup implements slog.Handler.
func (h *progressHandler) WithGroup(name string) slog.Handler {
	c := *h
	c.next = h.next.WithGroup(name)
	return &c
}
