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
//
// SIGPIPE is ignored from then on: a reader of the summary or the log that
// goes away (genexp load … | head) does not end a run that writes the
// warehouse; what is written to it is lost, the run goes on.
func interruptContext() (context.Context, context.CancelFunc) {
	signal.Ignore(syscall.SIGPIPE)
	return signalContext(os.Interrupt, syscall.SIGTERM)
}

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
