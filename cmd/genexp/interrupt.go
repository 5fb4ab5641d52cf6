package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// stopSignal is the cause of a run's context that a signal ended.
type stopSignal struct{ sig os.Signal }

// Error reads as signal.NotifyContext's cause does ("interrupt signal
// received").
func (s stopSignal) Error() string { return s.sig.String() + " signal received" }

// interruptContext returns a context that the first SIGINT or SIGTERM
// cancels, with a stopSignal as its cause: the run stops at its next
// check, rolling back what it has not committed. The signal handlers are
// released at that point, so a second signal ends the process at once,
// even when the run is blocked in a read that never looks at the context.
func interruptContext() (context.Context, context.CancelFunc) {
	return signalContext(os.Interrupt, syscall.SIGTERM)
}

// ignoreClosedPipe makes a write to a reader that went away an error
// (EPIPE) rather than the end of the process: a run that writes the
// warehouse goes on when the reader of its summary or log goes away
// (genexp load … | head), and every command exits with its own status
// (genexp health | grep -q HEALTHY, under pipefail), not 141. main calls it
// before any command runs.
func ignoreClosedPipe() { signal.Ignore(syscall.SIGPIPE) }

// signalContext returns a context the first of sigs cancels, its cause a
// stopSignal naming it, and the function that releases it.
func signalContext(sigs ...os.Signal) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, sigs...)
	go func() {
		select {
		case s := <-ch:
			cancel(stopSignal{s})
		case <-ctx.Done():
		}
		signal.Stop(ch)
	}()
	return ctx, func() { cancel(nil) }
}
