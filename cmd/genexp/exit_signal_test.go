//go:build unix

package main

import (
	"context"
	"os/signal"
	"syscall"
	"testing"
	"time"
)

// TestStoppedExit sends this process SIGINT and SIGTERM while a context
// of signal.NotifyContext waits for them, as the commands do, and checks
// the exit status each calls for: 128 + the signal's number.
func TestStoppedExit(t *testing.T) {
	for _, tc := range []struct {
		sig  syscall.Signal
		want int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			ctx, stop := signal.NotifyContext(context.Background(), tc.sig)
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
	timeout, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	<-timeout.Done()
	if got := stoppedExit(timeout); got != exitFailed {
		t.Errorf("stoppedExit after a timeout = %d, want %d", got, exitFailed)
	}
}
