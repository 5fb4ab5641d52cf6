package mssql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	mssqldrv "github.com/microsoft/go-mssqldb"

	"github.com/genexp/genexp/qc"
)

func sqlErr(n int32) error {
	return mssqldrv.Error{Number: n, Message: fmt.Sprintf("error %d", n)}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want errClass
		code qc.Code
	}{
		{"deadlock", sqlErr(1205), classTransient, qc.WarehouseBusy},
		{"lock timeout", sqlErr(1222), classTransient, qc.WarehouseBusy},
		{"azure busy", sqlErr(40501), classTransient, qc.WarehouseBusy},
		{"azure database unavailable", sqlErr(40613), classTransient, qc.ConnectionFailed},
		{"azure service error", sqlErr(40197), classTransient, qc.ConnectionFailed},
		{"azure resources", sqlErr(49918), classTransient, qc.WarehouseBusy},
		{"azure too many create", sqlErr(49919), classTransient, qc.WarehouseBusy},
		{"azure too many operations", sqlErr(49920), classTransient, qc.WarehouseBusy},
		{"azure resource limit", sqlErr(10928), classTransient, qc.WarehouseBusy},
		{"cannot open database", sqlErr(4060), classConnect, qc.ConnectionFailed},
		{"deadlock among several errors", mssqldrv.Error{Number: 3621, All: []mssqldrv.Error{{Number: 1205}, {Number: 3621}}}, classTransient, qc.WarehouseBusy},
		{"wrapped deadlock", fmt.Errorf("merging genes: %w", sqlErr(1205)), classTransient, qc.WarehouseBusy},
		{"application lock deadlock", errLockDeadlock, classTransient, qc.WarehouseBusy},
		{"login failed", sqlErr(18456), classPermanent, qc.ConnectionFailed},
		{"permission denied", sqlErr(229), classPermanent, qc.ConnectionFailed},
		{"duplicate key", sqlErr(2627), classPermanent, qc.ConstraintViolation},
		{"truncation", sqlErr(2628), classPermanent, qc.ConstraintViolation},
		{"null", sqlErr(515), classPermanent, qc.ConstraintViolation},
		{"foreign key", mssqldrv.Error{Number: 547, Message: `The INSERT statement conflicted with the FOREIGN KEY constraint "fk_x".`}, classPermanent, qc.ForeignKeyViolation},
		{"check constraint", mssqldrv.Error{Number: 547, Message: `The INSERT statement conflicted with the CHECK constraint "ck_x".`}, classPermanent, qc.ConstraintViolation},
		{"conversion", sqlErr(245), classPermanent, qc.ConstraintViolation},
		{"syntax", sqlErr(102), classPermanent, qc.ConnectionFailed},
		{"fatal server error", mssqldrv.ServerError{}, classConnLost, qc.ConnectionFailed},
		{"bad connection", driver.ErrBadConn, classConnLost, qc.ConnectionFailed},
		{"connection done", sql.ErrConnDone, classConnLost, qc.ConnectionFailed},
		{"eof", io.EOF, classConnLost, qc.ConnectionFailed},
		{"stream", mssqldrv.StreamError{InnerError: errors.New("bad token")}, classConnLost, qc.ConnectionFailed},
		{"reset", &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}, classConnLost, qc.ConnectionFailed},
		{"refused", fmt.Errorf("dial: %w", syscall.ECONNREFUSED), classConnLost, qc.ConnectionFailed},
		{"unknown host", &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "db.invalid", IsNotFound: true}}, classPermanent, qc.ConnectionFailed},
		{"dns timeout", &net.DNSError{Err: "i/o timeout", Name: "db", IsTimeout: true}, classConnLost, qc.ConnectionFailed},
		{"cancelled", context.Canceled, classPermanent, qc.ConnectionFailed},
		{"deadline", fmt.Errorf("x: %w", context.DeadlineExceeded), classPermanent, qc.ConnectionFailed},
		// go-mssqldb's dial timeout, a context of its own: a server silent
		// while it fails over or restarts, retried like a refusal
		{"dial timeout", dialTimeout(t), classConnLost, qc.ConnectionFailed},
		{"other", errors.New("something else"), classPermanent, qc.ConnectionFailed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := classify(tc.err); got != tc.want {
				t.Errorf("classify = %s, want %s", got, tc.want)
			}
			if got := codeFor(tc.err); got != tc.code {
				t.Errorf("codeFor = %s, want %s", got.Name(), tc.code.Name())
			}
		})
	}
}

func TestWhatEachKindRetries(t *testing.T) {
	want := map[opKind]map[errClass]bool{
		opAtomic:     {classTransient: true},
		opIdempotent: {classTransient: true, classConnLost: true},
		opConnect:    {classTransient: true, classConnLost: true, classConnect: true},
	}
	for kind, retried := range want {
		for _, c := range []errClass{classPermanent, classTransient, classConnLost, classConnect} {
			if got := kind.retries(c); got != retried[c] {
				t.Errorf("kind %d retries %s = %v, want %v", kind, c, got, retried[c])
			}
		}
	}
}

func TestRetryDo(t *testing.T) {
	p := RetryPolicy{Attempts: 4, BaseDelay: 100 * time.Millisecond, MaxDelay: 250 * time.Millisecond}
	tests := []struct {
		name   string
		kind   opKind
		errs   []error // returned by successive tries; then nil
		tries  int
		waits  []time.Duration
		failed bool
	}{
		{"success", opAtomic, nil, 1, nil, false},
		{"deadlock then success", opAtomic, []error{sqlErr(1205)}, 2, []time.Duration{100 * time.Millisecond}, false},
		{"backoff doubles up to the cap", opAtomic, []error{sqlErr(1205), sqlErr(1205), sqlErr(1222)}, 4,
			[]time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 250 * time.Millisecond}, false},
		{"gives up after the attempts", opAtomic, []error{sqlErr(1205), sqlErr(1205), sqlErr(1205), sqlErr(1205), sqlErr(1205)}, 4,
			[]time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 250 * time.Millisecond}, true},
		{"azure busy waits 10 s", opAtomic, []error{sqlErr(40501)}, 2, []time.Duration{10 * time.Second}, false},
		{"data error once", opAtomic, []error{sqlErr(2627)}, 1, nil, true},
		{"lost connection, atomic", opAtomic, []error{io.EOF}, 1, nil, true},
		{"lost connection, idempotent", opIdempotent, []error{io.EOF}, 2, []time.Duration{100 * time.Millisecond}, false},
		{"4060 outside connect", opIdempotent, []error{sqlErr(4060)}, 1, nil, true},
		{"4060 while connecting", opConnect, []error{sqlErr(4060)}, 2, []time.Duration{100 * time.Millisecond}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var waits []time.Duration
			sleep := func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
			tries := 0
			err := retryDo(context.Background(), p, tc.kind, sleep, func() float64 { return 0 }, func(context.Context) error {
				tries++
				if tries <= len(tc.errs) {
					return tc.errs[tries-1]
				}
				return nil
			})
			if (err != nil) != tc.failed || tries != tc.tries || fmt.Sprint(waits) != fmt.Sprint(tc.waits) {
				t.Fatalf("err %v after %d tries waiting %v; want failed=%v after %d tries waiting %v",
					err, tries, waits, tc.failed, tc.tries, tc.waits)
			}
			if tc.failed && len(tc.errs) > 0 && err.Error() != tc.errs[min(tries, len(tc.errs))-1].Error() {
				t.Fatalf("returned %v, want the last try's error", err)
			}
		})
	}
}

// TestRetryJitterStaysInRange: the wait doubles from BaseDelay up to
// MaxDelay, and jitter r takes off r/2 of it, so retrying loaders spread
// out over [d/2, d].
func TestRetryJitterStaysInRange(t *testing.T) {
	p := RetryPolicy{Attempts: 5, BaseDelay: time.Second, MaxDelay: 8 * time.Second}
	for _, tc := range []struct {
		try  int
		r    float64
		want time.Duration
	}{
		{1, 0, time.Second},
		{1, 0.5, 750 * time.Millisecond},
		{2, 0, 2 * time.Second},
		{3, 0.5, 3 * time.Second},
		{4, 1, 4 * time.Second},
		{5, 0, 8 * time.Second}, // 16 s, capped
		{5, 0.25, 7 * time.Second},
	} {
		if got := p.delay(tc.try, tc.r, nil); got != tc.want {
			t.Errorf("try %d, jitter %v: wait %v, want %v", tc.try, tc.r, got, tc.want)
		}
	}
}

func TestRetryStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	tries := 0
	err := retryDo(ctx, DefaultRetry, opAtomic, sleepCtx, func() float64 { return 0 }, func(context.Context) error {
		tries++
		cancel()
		return sqlErr(1205)
	})
	if tries != 1 || !hasNumber(err, 1205) {
		t.Fatalf("after cancel: %d tries, err %v", tries, err)
	}
}

// dialTimeout returns the error a dial whose context's deadline passes
// gives: a *net.OpError "i/o timeout" that errors.Is reads as
// context.DeadlineExceeded too.
func dialTimeout(t *testing.T) error {
	t.Helper()
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	c, err := (&net.Dialer{}).DialContext(ctx, "tcp", "127.0.0.1:1")
	if err == nil {
		c.Close()
		t.Fatal("a dial past its deadline connected")
	}
	if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, new(*net.OpError)) {
		t.Fatalf("dial error %v (%T) is not the network timeout this test is about", err, err)
	}
	return err
}

// TestRetryStopsAtTheCallersDeadline: a dial timeout is retried while
// connecting, but not once the caller's own context has ended: its
// deadline reads as the same "i/o timeout".
func TestRetryStopsAtTheCallersDeadline(t *testing.T) {
	timeout := dialTimeout(t)
	for _, tc := range []struct {
		name  string
		ended bool
		tries int
	}{{"the caller's context live", false, 3}, {"the caller's context ended", true, 1}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.ended {
				cancel()
			}
			tries := 0
			noSleep := func(context.Context, time.Duration) error { return nil }
			err := retryDo(ctx, RetryPolicy{Attempts: 3}, opConnect, noSleep, func() float64 { return 0 }, func(context.Context) error {
				tries++
				return timeout
			})
			if tries != tc.tries || !errors.Is(err, timeout) {
				t.Errorf("%d tries, err %v; want %d", tries, err, tc.tries)
			}
		})
	}
}

// TestRetryThrottleWaitsAtLeast10s: Azure SQL's "service busy" (40501)
// asks for 10 s before the next try: a shorter backoff is raised to it, a
// longer one is kept.
func TestRetryThrottleWaitsAtLeast10s(t *testing.T) {
	p := RetryPolicy{Attempts: 8, BaseDelay: time.Second, MaxDelay: 30 * time.Second}
	for _, tc := range []struct {
		try  int
		want time.Duration
	}{
		{1, 10 * time.Second},
		{4, 10 * time.Second}, // 8 s, raised
		{5, 16 * time.Second},
		{6, 30 * time.Second}, // 32 s, capped
	} {
		if got := p.delay(tc.try, 0, sqlErr(40501)); got != tc.want {
			t.Errorf("try %d after 40501: wait %v, want %v", tc.try, got, tc.want)
		}
	}
}
