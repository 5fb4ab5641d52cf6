package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// stopSignal is the cause of a run's context that a signal ended.
type stopSignal struct{ sig os.Signal }

// Error reads as signal.NotifyContext's cause does ("interrupt signal
// received").
func (s stopSignal) Error() string { return s.sig.String() + " signal received" }

// stopSignals returns the signals that stop a run: SIGINT (Ctrl-C), SIGTERM
// (kill, a service manager) and SIGHUP (the terminal or ssh session it ran
// in closed), unless the process started with SIGHUP ignored (nohup):
// that choice stands, and the run goes on after the session ends.
func stopSignals() []os.Signal {
	sigs := []os.Signal{os.Interrupt, syscall.SIGTERM}
	if !signal.Ignored(syscall.SIGHUP) {
		sigs = append(sigs, syscall.SIGHUP)
	}
	return sigs
}

// interruptContext returns a context that the first of stopSignals
// cancels, with a stopSignal as its cause: the run stops at its next
// check, rolling back what it has not committed. The signal handlers are
// released at that point, so a second signal ends the process at once,
// even when the run is blocked in a read that never looks at the context.
func interruptContext() (context.Context, context.CancelFunc) {
	return signalContext(stopSignals()...)
}

// ignoreClosedPipe makes a write to a reader that went away an error
// (EPIPE) rather than the end of the process: a run that writes the
// warehouse goes on when the reader of its summary or log goes away
// (genexp load … | head), and every command exits with its own status
// (genexp health | grep -q HEALTHY, under pipefail), not 141. main calls it
// before any command runs.
func ignoreClosedPipe() { signal.Ignore(syscall.SIGPIPE) }

// hangups takes every SIGHUP after the first that stopped a run, and is
// never read: they end nothing. (signal.Ignore would do the same, but
// leaves signal.Ignored reporting a nohup that never was.)
var hangups = make(chan os.Signal, 1)

// signalContext returns a context the first of sigs cancels, its cause a
// stopSignal naming it, and the function that releases it. After a
// SIGHUP, later ones are ignored rather than ending the process: a
// terminal that closes sends one through the shell and one to its
// foreground process group, and the second is no request to hurry.
func signalContext(sigs ...os.Signal) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, sigs...)
	go func() {
		select {
		case s := <-ch:
			if s == syscall.SIGHUP {
				signal.Notify(hangups, syscall.SIGHUP)
			}
			cancel(stopSignal{s})
		case <-ctx.Done():
		}
		signal.Stop(ch)
	}()
	return ctx, func() { cancel(nil) }
}

// signalWindow, when not nil, is called where a command that writes the
// warehouse holds signals: "open" before it opens the warehouse, "close"
// before it closes it. Tests send a signal there.
var signalWindow func(ctx context.Context, stage string)

// openWriting opens the warehouse for a command that writes it (load,
// features, init) under a context that the first of stopSignals cancels.
// While the warehouse opens (a migration) and while it closes (DuckDB's
// last checkpoint, which rewrites blocks of the file in place),
// every such signal is held: the first cancels the context, and neither it
// nor a second ends the process in the middle of that write. Between the
// two, a second signal ends the process at once, as interruptContext
// says. SIGKILL is never held. A signal while the open waits for a
// warehouse another process holds (busy_timeout) ends the wait.
//
// When the open fails, or a signal came while it ran, openWriting says so
// on stderr (unwritten says what the command did not do) and reports false
// with the exit status; otherwise the command runs under ctx and calls
// done, which closes the warehouse and then releases the handlers.
func (c *common) openWriting(stderr io.Writer, target string, log *slog.Logger, unwritten string) (w store, ctx context.Context, done func(), status int, ok bool) {
	ctx, stop := interruptContext()
	release := holdSignals()
	if signalWindow != nil {
		signalWindow(ctx, "open")
	}
	w, err := openStoreUntil(ctx, target, false, log)
	release()
	stoppedHere := func(err error) int {
		c.printErr(stderr, err, "(while the warehouse opened; "+unwritten+")")
		return stoppedExit(ctx)
	}
	switch {
	case err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled):
		// A wait a signal ended; any other failure is one, whenever a
		// signal came.
		status = stoppedHere(fmt.Errorf("%w: %w", stopped(ctx, err, 0), err))
		stop()
		return nil, nil, nil, status, false
	case err != nil:
		stop()
		return nil, nil, nil, c.fail(stderr, err), false
	}
	done = func() {
		release := holdSignals()
		if signalWindow != nil {
			signalWindow(ctx, "close")
		}
		w.Close()
		release()
		stop()
	}
	if ctx.Err() != nil {
		// The open ended first, migration included: say where it left
		// the schema.
		at := ""
		if v, ok := w.(interface {
			Version(context.Context) (int, error)
		}); ok {
			if have, err := v.Version(context.WithoutCancel(ctx)); err == nil {
				at = fmt.Sprintf(", at schema version %d", have)
			}
		}
		c.printErr(stderr, stopped(ctx, ctx.Err(), 0), "(after the warehouse opened"+at+"; "+unwritten+")")
		status = stoppedExit(ctx)
		done()
		return nil, nil, nil, status, false
	}
	return w, ctx, done, 0, true
}

// holdSignals catches stopSignals, beside any other handler, so that none
// of them ends the process until the returned function releases them.
func holdSignals() (release func()) {
	held := make(chan os.Signal, 4)
	signal.Notify(held, stopSignals()...)
	return func() { signal.Stop(held) }
}
