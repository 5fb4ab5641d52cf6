package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"syscall"

	"github.com/genexp/genexp/qc"
)

// Exit statuses beyond those of cli.go, by what went wrong.
const (
	exitInput     = 4 // an input could not be read (codes 1001–1004)
	exitAnalytics = 5 // analytics could not be built (codes 5001–5002)
	exitWarnings  = 6 // validate: findings at WARNING, none at ERROR

	// A run a signal stopped exits as a shell reports a process the
	// signal killed, 128 + its number, whatever else failed: the run did
	// not finish.
	exitInterrupted = 128 + int(syscall.SIGINT)  // 130
	exitTerminated  = 128 + int(syscall.SIGTERM) // 143
)

// stoppedExit returns the exit status of a run whose context ctx ended:
// exitInterrupted or exitTerminated when SIGINT or SIGTERM ended it (the
// cause signal.NotifyContext gives), else exitFailed (a timeout).
func stoppedExit(ctx context.Context) int {
	cause := context.Cause(ctx)
	if cause == nil {
		return exitFailed
	}
	for sig, status := range map[syscall.Signal]int{syscall.SIGINT: exitInterrupted, syscall.SIGTERM: exitTerminated} {
		if cause.Error() == sig.String()+" signal received" {
			return status
		}
	}
	return exitFailed
}

// stopped says why a run that returned err before its end stopped: the
// signal that interrupted it (ctx's cause), or the configured timeout
// (processing.timeout_seconds), whose deadline lives inside the run.
func stopped(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil {
		return fmt.Errorf("interrupted: %w", cause)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("timed out: the run took longer than processing.timeout_seconds: %w", err)
	}
	return err
}

// exitStatus returns the exit status an error calls for: by its code's
// class, with configuration errors as usage errors and errors that carry no
// code as a failure.
func exitStatus(err error) int {
	if err == nil {
		return exitOK
	}
	c, ok := qc.CodeOf(err)
	if !ok {
		return exitFailed
	}
	switch {
	case c == qc.WarehouseBusy || c == qc.ConnectionFailed || c == qc.SchemaVersion:
		return exitNoAccess
	case c == qc.ConfigInvalid:
		return exitUsage
	case c >= 1000 && c < 2000:
		return exitInput
	case c >= 5000 && c < 6000:
		return exitAnalytics
	}
	return exitFailed
}

// exitPrecedence orders exit statuses when a run has several failures: the
// one a user must act on first wins.
var exitPrecedence = map[int]int{exitOK: 0, exitWarnings: 1, exitFailed: 2, exitAnalytics: 3, exitInput: 4, exitNoAccess: 5, exitUsage: 6,
	exitInterrupted: 7, exitTerminated: 7}

func worseExit(a, b int) int {
	if exitPrecedence[b] > exitPrecedence[a] {
		return b
	}
	return a
}

// message returns err as one line: what it means, then the details, for
// example "too many expression values are missing: GSE1: 40.0% of … [2003
// VALIDATION_NULL_PERCENTAGE_HIGH]".
func message(err error) string {
	if c, ok := qc.CodeOf(err); ok {
		return c.Summary() + ": " + oneLine(err)
	}
	return oneLine(err)
}

// fail prints err in one line a researcher understands and returns the exit
// status its code calls for.
func fail(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "genexp: %s\n", message(err))
	return exitStatus(err)
}
