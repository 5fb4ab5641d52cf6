package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestInterruptHelper is the child process of TestSecondSignalEndsProcess:
// it takes the interrupt context and then blocks without looking at it, as
// a read of a stalled pipe does.
func TestInterruptHelper(t *testing.T) {
	if os.Getenv("GENEXP_INTERRUPT_HELPER") != "1" {
		t.Skip("run by TestSecondSignalEndsProcess")
	}
	ctx, stop := interruptContext()
	defer stop()
	os.Stdout.WriteString("ready\n")
	<-ctx.Done()
	os.Stdout.WriteString("cancelled\n" + context.Cause(ctx).Error() + "\n")
	select {}
}

func TestSecondSignalEndsProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			if sig == syscall.SIGHUP && signal.Ignored(syscall.SIGHUP) {
				t.Skip("these tests run with SIGHUP ignored (nohup), which the child inherits and keeps")
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestInterruptHelper$", "-test.count=1")
			cmd.Env = append(os.Environ(), "GENEXP_INTERRUPT_HELPER=1")
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := bufio.NewScanner(out)
			expect := func(want string) {
				t.Helper()
				if !lines.Scan() || lines.Text() != want {
					cmd.Process.Kill()
					t.Fatalf("child said %q (%v), want %q", lines.Text(), lines.Err(), want)
				}
			}
			expect("ready")
			cmd.Process.Signal(sig)
			expect("cancelled")
			expect(stopSignal{sig}.Error())
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			second := sig
			if sig == syscall.SIGHUP {
				// A closing terminal sends SIGHUP twice (through the
				// shell, and to the foreground process group): later
				// ones are ignored, the stop goes on; a SIGTERM still
				// ends the process.
				for range 5 {
					cmd.Process.Signal(syscall.SIGHUP)
					time.Sleep(50 * time.Millisecond)
				}
				select {
				case err := <-exited:
					t.Fatalf("a second SIGHUP ended the process (%v)", err)
				case <-time.After(300 * time.Millisecond):
				}
				second = syscall.SIGTERM
			}
			// The handlers are released just after the context is
			// cancelled; signal until the process goes.
			deadline := time.After(20 * time.Second)
			tick := time.NewTicker(50 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case err := <-exited:
					var ee *exec.ExitError
					if !errors.As(err, &ee) {
						t.Fatalf("child ended with %v, want death by %v", err, second)
					}
					if ws, ok := ee.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != second {
						t.Fatalf("child ended with %v, want death by %v", err, second)
					}
					return
				case <-tick.C:
					cmd.Process.Signal(second)
				case <-deadline:
					cmd.Process.Kill()
					<-exited
					t.Fatalf("a %v after the first signal did not end the process", second)
				}
			}
		})
	}
}

// TestHangupIgnoredUnderNohup starts the child of TestSecondSignalEndsProcess
// with SIGHUP ignored, as nohup does: a hangup neither stops its run nor
// ends it, and a SIGTERM after it still stops the run.
func TestHangupIgnoredUnderNohup(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestInterruptHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), "GENEXP_INTERRUPT_HELPER=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	// The child inherits the ignored disposition, as under nohup; this
	// process takes its own back at once.
	wasIgnored := signal.Ignored(syscall.SIGHUP)
	signal.Ignore(syscall.SIGHUP)
	err = cmd.Start()
	if !wasIgnored {
		signal.Reset(syscall.SIGHUP)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	lines := bufio.NewScanner(out)
	if !lines.Scan() || lines.Text() != "ready" {
		t.Fatalf("child said %q (%v), want ready", lines.Text(), lines.Err())
	}
	cmd.Process.Signal(syscall.SIGHUP)
	time.Sleep(200 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	for _, want := range []string{"cancelled", stopSignal{syscall.SIGTERM}.Error()} {
		if !lines.Scan() || lines.Text() != want {
			t.Fatalf("child said %q (%v), want %q: the hangup reached a run started under nohup", lines.Text(), lines.Err(), want)
		}
	}
}

// TestClosedPipeHelper is the child process of
// TestClosedPipeDoesNotEndRun: it takes the interrupt context, as load,
// features and validate do, and writes to its stdout after the reader has
// closed it.
func TestClosedPipeHelper(t *testing.T) {
	if os.Getenv("GENEXP_PIPE_HELPER") != "1" {
		t.Skip("run by TestClosedPipeDoesNotEndRun")
	}
	ignoreClosedPipe()
	_, stop := interruptContext()
	defer stop()
	os.Stdout.WriteString("ready\n")
	var err error
	for i := 0; i < 200 && err == nil; i++ {
		time.Sleep(10 * time.Millisecond)
		_, err = os.Stdout.WriteString("a line of the summary\n")
	}
	os.Stderr.WriteString("went on after: " + fmt.Sprint(err) + "\n")
}

// TestClosedPipeDoesNotEndRun: a run whose stdout reader goes away gets
// write errors and goes on; SIGPIPE would kill it half way.
func TestClosedPipeDoesNotEndRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestClosedPipeHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), "GENEXP_PIPE_HELPER=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
		cmd.Process.Kill()
		t.Fatalf("child said %q (%v)", line, err)
	}
	out.Close()
	err = cmd.Wait()
	if err != nil || !strings.Contains(stderr.String(), "went on after: write") {
		t.Fatalf("child ended with %v, stderr %q: want it to go on past the closed pipe", err, stderr.String())
	}
}
