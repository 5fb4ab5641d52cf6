//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStoppedExit sends this process SIGINT, SIGTERM and SIGHUP while a context
// of signalContext waits for them, as the commands do, and checks the exit
// status each calls for: 128 + the signal's number; a context cancelled
// with the same words but no signal is no signal.
func TestStoppedExit(t *testing.T) {
	for _, tc := range []struct {
		sig  syscall.Signal
		want int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}, {syscall.SIGHUP, 129}} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			if tc.sig == syscall.SIGHUP {
				// signalContext swallows SIGHUP once one came: give this
				// process its own disposition back for the tests after.
				t.Cleanup(func() { signal.Stop(hangups) })
			}
			ctx, stop := signalContext(tc.sig)
			defer stop()
			if err := syscall.Kill(syscall.Getpid(), tc.sig); err != nil {
				t.Fatal(err)
			}
			select {
			case <-ctx.Done():
			case <-time.After(10 * time.Second):
				t.Fatal("the signal did not end the context")
			}
			if got := stoppedExit(ctx); got != tc.want {
				t.Errorf("stoppedExit = %d, want %d (cause %v)", got, tc.want, context.Cause(ctx))
			}
			if worseExit(exitNoAccess, stoppedExit(ctx)) != tc.want {
				t.Errorf("an interrupt does not win over exit %d", exitNoAccess)
			}
		})
	}
	worded, cancelWorded := context.WithCancelCause(context.Background())
	cancelWorded(errors.New("interrupt signal received"))
	if got := stoppedExit(worded); got != exitFailed {
		t.Errorf("stoppedExit of a cause worded as a signal = %d, want %d", got, exitFailed)
	}
	timeout, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	<-timeout.Done()
	if got := stoppedExit(timeout); got != exitFailed {
		t.Errorf("stoppedExit after a timeout = %d, want %d", got, exitFailed)
	}
}

// TestStoppedSaysWhy: a run stopped by a signal says interrupted, one that
// ran past processing.timeout_seconds (a deadline inside the run, not on
// the command's context) says timed out, never "%!w(<nil>)".
func TestStoppedSaysWhy(t *testing.T) {
	signalled, cancel := context.WithCancelCause(context.Background())
	cancel(stopSignal{syscall.SIGINT})
	deadline := fmt.Errorf("loading GSE1: %w", context.DeadlineExceeded)
	for _, tc := range []struct {
		name string
		ctx  context.Context
		err  error
		want string
	}{
		{"signal", signalled, context.Canceled, "interrupted: interrupt signal received"},
		{"timeout", context.Background(), deadline, "timed out after 90 s [4007 LOAD_TIMED_OUT]"},
	} {
		err := stopped(tc.ctx, tc.err, 90)
		got := err.Error()
		if !strings.HasPrefix(got, tc.want) || strings.Contains(got, "%!") {
			t.Errorf("%s: %q, want it to start with %q", tc.name, got, tc.want)
		}
		if timedOut(tc.ctx, tc.err) != (tc.name == "timeout") {
			t.Errorf("%s: timedOut says %v", tc.name, !(tc.name == "timeout"))
		}
	}
	// The timeout is coded, and exits as a failure (1), as documented.
	var stderr bytes.Buffer
	if code := fail(&stderr, stopped(context.Background(), deadline, 90)); code != exitFailed ||
		stderr.String() != "genexp: the run took longer than processing.timeout_seconds allows: timed out after 90 s [4007 LOAD_TIMED_OUT]\n" {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}
