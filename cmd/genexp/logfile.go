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

	"github.com/genexp/genexp"
)

// logger returns the structured logger the flags and the configuration's
// logging section ask for, and a function that closes its file, if any.
//
// Format: --log-format, else logging.format, else text on a terminal and
// JSON lines otherwise. Level: --log-level, else logging.level when the
// configuration file sets it, else INFO, except that a log written to a
// terminal shows warnings and errors only unless a level was set, so that
// progress and the summary stay readable. File: logging.file, when set,
// receives the log instead of stderr, rotated at logging.max_size_mb
// keeping logging.backup_count old files when logging.rotation is on; the
// command's own failure (see printErr) is then written to it too.
//
// prog, when not nil, is the load's progress line on stderr: the logger
// tells it the load's phases and erases it around every record it writes
// to stderr.
func (c *common) logger(stderr io.Writer, cfg genexp.Config, prog *progressLine) (*slog.Logger, func() error, error) {
	lc := cfg.Logging
	level, explicit, err := c.level(lc)
	if err != nil {
		return nil, nil, err
	}
	format := strings.ToLower(strings.TrimSpace(c.logFormat))
	if format == "" {
		format = strings.ToLower(strings.TrimSpace(lc.Format))
	}
	if format == "" {
		format = "json"
		if lc.File == "" && isTerminal(stderr) {
			format = "text"
		}
	}
	if format != "json" && format != "text" {
		return nil, nil, fmt.Errorf("--log-format: %q is neither text nor json", format)
	}
	if !explicit && lc.File == "" && isTerminal(stderr) {
		level = slog.LevelWarn
	}
	out := stderr
	closer := func() error { return nil }
	if lc.File != "" {
		f, err := openLogFile(lc.File, lc.Rotation, int64(lc.MaxSizeMB)<<20, lc.BackupCount)
		if err == nil {
			f.fallback = stderr
		}
		if err != nil {
			// logging.file comes only from the configuration file: the
			// fix is there.
			return nil, nil, genexp.ConfigKeyError(c.configFile, "logging.file", "the log file cannot be opened", err)
		}
		out, closer = f, f.Close
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewJSONHandler(out, opts)
	if format == "text" {
		h = slog.NewTextHandler(out, opts)
	}
	if lc.File != "" {
		c.fileLog = h
	}
	if prog != nil {
		h = &progressHandler{next: h, prog: prog, terminal: lc.File == "", analytics: cfg.Analytics.Enabled == nil || *cfg.Analytics.Enabled}
	}
	if lc.File == "" && isTerminal(stderr) {
		h = noFindings{h}
	}
	return slog.New(h), closer, nil
}

// logToFile opens logging.file, when the configuration sets it, for a
// command that logs nothing else (init, status, health, query): its
// failure record (see printErr) is written there too, as load's is. It
// returns the file's closer, or false after reporting why the file cannot
// be opened (exitUsage: the fix is in the configuration).
func (c *common) logToFile(stderr io.Writer, cfg genexp.Config) (func() error, bool) {
	if cfg.Logging.File == "" {
		return func() error { return nil }, true
	}
	_, closeLog, err := c.logger(stderr, cfg, nil)
	if err != nil {
		c.printErr(stderr, err, "") // a 1005 for logging.file; a flag's otherwise
		return nil, false
	}
	return closeLog, true
}

// noFindings leaves out the "finding" records of a log written to a
// terminal, where the command's summary lists every finding at WARNING and
// above: each would show twice.
type noFindings struct{ slog.Handler }

// Handle implements slog.Handler.
func (h noFindings) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "finding" {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h noFindings) WithAttrs(as []slog.Attr) slog.Handler {
	return noFindings{h.Handler.WithAttrs(as)}
}

// WithGroup implements slog.Handler.
func (h noFindings) WithGroup(name string) slog.Handler { return noFindings{h.Handler.WithGroup(name)} }

// level is the log level --log-level or the configuration asks for, and
// whether either set one; INFO when neither did.
func (c *common) level(lc genexp.LoggingConfig) (slog.Level, bool, error) {
	name, explicit := c.logLevel, c.logLevel != ""
	if !explicit {
		name, explicit = lc.Level, c.cfgLevelSet
	}
	switch strings.ToUpper(strings.TrimSpace(name)) {
	case "DEBUG":
		return slog.LevelDebug, explicit, nil
	case "", "INFO":
		return slog.LevelInfo, explicit, nil
	case "WARN", "WARNING":
		return slog.LevelWarn, explicit, nil
	case "ERROR":
		return slog.LevelError, explicit, nil
	}
	return 0, false, fmt.Errorf("--log-level: %q is not DEBUG, INFO, WARN or ERROR", name)
}

// rotatingFile is an append-only log file that, when rotation is on, moves
// itself to FILE.1 (and FILE.1 to FILE.2, …, keeping backups old files)
// before a write would take it past max bytes.
//
// A write that fails (a full disk) is not lost in silence: the first
// failure is said on fallback (stderr), and from then on the records go
// there instead.
type rotatingFile struct {
	mu       sync.Mutex
	path     string
	rotate   bool
	max      int64
	backups  int
	f        *os.File
	size     int64
	fallback io.Writer
	failed   bool
}

func openLogFile(path string, rotate bool, max int64, backups int) (*rotatingFile, error) {
	r := &rotatingFile{path: path, rotate: rotate && max > 0, max: max, backups: backups}
	if err := r.open(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *rotatingFile) open() error {
	f, err := os.OpenFile(r.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		return errors.Join(err, f.Close())
	}
	r.f, r.size = f, st.Size()
	return nil
}

// Write implements io.Writer; each call is one log record.
func (r *rotatingFile) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failed {
		return r.fallback.Write(p)
	}
	n, err := r.write(p)
	if err != nil && r.fallback != nil {
		r.failed = true
		fmt.Fprintf(r.fallback, "genexp: logging.file %s cannot be written (%s); the log goes to stderr from here\n", oneLineStr(r.path), oneLineStr(err.Error()))
		return r.fallback.Write(p)
	}
	return n, err
}

func (r *rotatingFile) write(p []byte) (int, error) {
	if r.rotate && r.size > 0 && r.size+int64(len(p)) > r.max {
		if err := r.rollover(); err != nil {
			return 0, err
		}
	}
	n, err := r.f.Write(p)
	r.size += int64(n)
	return n, err
}

func (r *rotatingFile) rollover() error {
	if err := r.f.Close(); err != nil {
		return err
	}
	if r.backups <= 0 {
		if err := os.Remove(r.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return r.open()
	}
	for i := r.backups - 1; i >= 1; i-- {
		from := fmt.Sprintf("%s.%d", r.path, i)
		if err := os.Rename(from, fmt.Sprintf("%s.%d", r.path, i+1)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if err := os.Rename(r.path, r.path+".1"); err != nil {
		return err
	}
	return r.open()
}

// Close closes the file.
func (r *rotatingFile) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.f.Close()
}
