package main

import (
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
// JSON lines otherwise. Level: logging.level (default INFO; a terminal's
// text log shows warnings and errors only unless a level is configured, so
// that progress and the summary stay readable). File: logging.file, when
// set, receives the log instead of stderr, rotated at logging.max_size_mb
// keeping logging.backup_count old files when logging.rotation is on.
func (c *common) logger(stderr io.Writer, cfg genexp.Config) (*slog.Logger, func() error, error) {
	lc := cfg.Logging
	out := stderr
	closer := func() error { return nil }
	if lc.File != "" {
		f, err := openLogFile(lc.File, lc.Rotation, int64(lc.MaxSizeMB)<<20, lc.BackupCount)
		if err != nil {
			return nil, nil, fmt.Errorf("logging.file: %w", err)
		}
		out, closer = f, f.Close
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
	level := slog.LevelInfo
	switch strings.ToUpper(strings.TrimSpace(lc.Level)) {
	case "DEBUG":
		level = slog.LevelDebug
	case "WARN", "WARNING":
		level = slog.LevelWarn
	case "ERROR":
		level = slog.LevelError
	case "":
		if format == "text" && lc.File == "" {
			level = slog.LevelWarn
		}
	}
	opts := &slog.HandlerOptions{Level: level}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(out, opts)), closer, nil
	case "text":
		return slog.New(slog.NewTextHandler(out, opts)), closer, nil
	}
	closer()
	return nil, nil, fmt.Errorf("--log-format: %q is neither text nor json", format)
}

// rotatingFile is an append-only log file that, when rotation is on, moves
// itself to FILE.1 (and FILE.1 to FILE.2, …, keeping backups old files)
// before a write would take it past max bytes.
type rotatingFile struct {
	mu      sync.Mutex
	path    string
	rotate  bool
	max     int64
	backups int
	f       *os.File
	size    int64
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
