package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"syscall"

	"github.com/genexp/genexp"
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
	exitHangup      = 128 + int(syscall.SIGHUP)  // 129
	exitInterrupted = 128 + int(syscall.SIGINT)  // 130
	exitTerminated  = 128 + int(syscall.SIGTERM) // 143
)

// stoppedExit returns the exit status of a run whose context ctx ended:
// signalExit of the signal that ended it (a stopSignal cause, as
// interruptContext gives), else exitFailed (a timeout).
func stoppedExit(ctx context.Context) int {
	var s stopSignal
	if !errors.As(context.Cause(ctx), &s) {
		return exitFailed
	}
	return signalExit(s.sig)
}

// signalExit returns the exit status of a run that sig stopped:
// exitHangup, exitInterrupted or exitTerminated for SIGHUP, SIGINT or
// SIGTERM, else exitFailed.
func signalExit(sig os.Signal) int {
	switch sig {
	case syscall.SIGHUP:
		return exitHangup
	case syscall.SIGINT:
		return exitInterrupted
	case syscall.SIGTERM:
		return exitTerminated
	}
	return exitFailed
}

// stopped says why a run that returned err before its end stopped: the
// signal that interrupted it (ctx's cause), or the configured timeout of
// timeout seconds (processing.timeout_seconds), whose deadline lives
// inside the run: a TimedOut error.
func stopped(ctx context.Context, err error, timeout int) error {
	if cause := context.Cause(ctx); cause != nil {
		return fmt.Errorf("interrupted: %w", cause)
	}
	if timedOut(ctx, err) {
		return &qc.Error{Code: qc.TimedOut, Severity: qc.SeverityError, Msg: fmt.Sprintf("timed out after %d s", timeout)}
	}
	return err
}

// timedOut reports whether a run's context ctx and the error err it
// returned say that processing.timeout_seconds stopped it.
func timedOut(ctx context.Context, err error) bool {
	return context.Cause(ctx) == nil && errors.Is(err, context.DeadlineExceeded)
}

// afterStop completes the report of a run that its timeout or a signal
// stopped: a study cut short failed with the driver's words for a
// cancelled statement. After a timeout it is given the TimedOut error
// instead; after a signal (cause, the run's context's), when its error
// carries no code of its own, words that say what the signal left, the
// driver's error still wrapped. The matrices and paths the run never
// reached are in the report already (genexp.NotStarted). checking is set
// for validate and the dry run, which commit nothing: their words say the
// study was not checked to its end, or, for a study whose checks had ended
// (genexp.StudyReport.Checked), that the dry run was stopped before it
// said what loading the study would do; validate, which has nothing left
// to do after the checks, reports such a study by its findings, as if
// nothing had stopped it (dryRun false).
func afterStop(rep *genexp.Report, timedOut bool, cause error, timeout int, checking, dryRun bool) {
	cut := "before the study was committed; nothing of it was loaded"
	if checking {
		cut = "before the study was checked to its end; nothing was written"
	}
	if !timedOut && cause == nil {
		return
	}
	for i := range rep.Studies {
		s := &rep.Studies[i]
		if s.Err == nil || !(errors.Is(s.Err, context.DeadlineExceeded) || errors.Is(s.Err, context.Canceled)) {
			continue
		}
		cut := cut
		if checking && s.Checked {
			if !dryRun {
				s.Findings = slices.DeleteFunc(s.Findings, func(f *qc.Error) bool { return f == s.Err })
				s.Err = nil
				continue
			}
			cut = "after its checks, which are complete, before the dry run said what loading it would do; nothing was written"
		}
		var msg string
		switch {
		case timedOut && s.Outcome != "":
			msg = fmt.Sprintf("timed out after %d s while its features were computed; the study itself is loaded", timeout)
		case timedOut:
			msg = fmt.Sprintf("timed out after %d s %s", timeout, cut)
		case s.Outcome == "":
			if _, coded := qc.CodeOf(s.Err); !coded {
				s.Err = &rewordedError{err: s.Err, text: fmt.Sprintf("interrupted (%s) %s", cause, cut)}
			}
			continue
		default:
			continue
		}
		e := &qc.Error{Code: qc.TimedOut, Severity: qc.SeverityError, Msg: msg}
		for j, f := range s.Findings {
			if f == s.Err {
				s.Findings[j] = e
			}
		}
		s.Err = e
	}
}

// studyLabel names a report's row: its study, or, for a matrix or path
// named after no study (one a stopped run never began, one that failed
// before its studies were known), the matrix or path.
func studyLabel(s genexp.StudyReport) string {
	if s.Study == "" {
		return oneLineStr(s.Matrix)
	}
	return oneLineStr(s.Study)
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
	case c == qc.ConfigInvalid || c == qc.QueryRefused:
		return exitUsage
	case c >= 1000 && c < 2000:
		return exitInput
	case c >= 5000 && c < 6000:
		if errors.Is(err, qc.WarehouseBusy) || errors.Is(err, qc.ConnectionFailed) || errors.Is(err, qc.SchemaVersion) {
			// Analytics that failed for the warehouse (a disk that filled
			// while the features were written, a busy warehouse): what
			// the user must act on is the warehouse.
			return exitNoAccess
		}
		return exitAnalytics
	}
	return exitFailed
}

// exitPrecedence orders exit statuses when a run has several failures: the
// one a user must act on first wins.
var exitPrecedence = map[int]int{exitOK: 0, exitWarnings: 1, exitFailed: 2, exitAnalytics: 3, exitInput: 4, exitNoAccess: 5, exitUsage: 6,
	exitHangup: 7, exitInterrupted: 7, exitTerminated: 7}

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
