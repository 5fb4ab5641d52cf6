package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// interruptContext returns a context that the first SIGINT or SIGTERM
// cancels: the run stops at its next check, rolling back what it has not
// committed. The signal handlers are released at that point, so a second
// signal ends the process at once, even when the run is blocked in a read
// that never looks at the context.
//
// SIGPIPE is ignored from then on: a reader of the summary or the log that
// goes away (genexp load … | head) does not end a run that writes the
// warehouse; what is written to it is lost, the run goes on.
func interruptContext() (context.Context, context.CancelFunc) {
	signal.Ignore(syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	return ctx, stop
}
