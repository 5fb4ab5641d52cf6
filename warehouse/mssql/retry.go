package mssql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"syscall"
	"time"

	mssqldrv "github.com/microsoft/go-mssqldb"
)

// RetryPolicy says how often, and how patiently, a transient error is
// retried. Errors in the data (constraint, conversion, truncation) and the
// caller's own cancellation are never retried.
type RetryPolicy struct {
	// Attempts is the number of tries in all, the first included; 1
	// disables retrying.
	Attempts int
	// BaseDelay is the wait before the second try; each later wait doubles,
	// up to MaxDelay, and is jittered down by up to half so that loaders
	// that collided do not collide again.
	BaseDelay time.Duration
	// MaxDelay caps a single wait.
	MaxDelay time.Duration
}

// DefaultRetry is the policy Open uses: 5 tries, waiting about 0.5 s, 1 s,
// 2 s and 4 s between them (Azure SQL's "service busy" asks for 10 s, and
// gets at least that).
var DefaultRetry = RetryPolicy{Attempts: 5, BaseDelay: 500 * time.Millisecond, MaxDelay: 30 * time.Second}

// throttleDelay is the wait Azure SQL asks for with error 40501.
const throttleDelay = 10 * time.Second

// delay returns the wait before try n+1 (n counts from 1), with jitter
// drawn from r in [0, 1).
func (p RetryPolicy) delay(n int, r float64, err error) time.Duration {
	d := p.BaseDelay
	for i := 1; i < n && d < p.MaxDelay; i++ {
		d *= 2
	}
	if p.MaxDelay > 0 && d > p.MaxDelay {
		d = p.MaxDelay
	}
	d -= time.Duration(float64(d) / 2 * r)
	if hasNumber(err, 40501) && d < throttleDelay {
		d = throttleDelay
	}
	return d
}

// errClass is what a failure says about retrying.
type errClass int

const (
	// classPermanent: retrying cannot help (bad data, bad SQL, permission,
	// login failure, the caller's cancellation).
	classPermanent errClass = iota
	// classTransient: the server refused or rolled back the request
	// (deadlock victim, lock timeout, throttling, database moving); the
	// same request may succeed later, and nothing of it took effect.
	classTransient
	// classConnLost: the connection broke; what the server did with the
	// request in flight is unknown.
	classConnLost
	// classConnect: an error that is transient while connecting (the
	// database is starting, failing over or resuming) but permanent on an
	// established session.
	classConnect
)

func (c errClass) String() string {
	switch c {
	case classTransient:
		return "transient"
	case classConnLost:
		return "connection lost"
	case classConnect:
		return "transient while connecting"
	}
	return "permanent"
}

// transientNumbers are the SQL Server error numbers retried:
//
//	1205  deadlock victim (the transaction was rolled back)
//	1222  lock request time out
//	40197 Azure SQL: the service hit an error processing the request
//	40501 Azure SQL: the service is busy
//	40613 Azure SQL: the database is not currently available
//	49918, 49919, 49920 Azure SQL: not enough resources / too many operations
//	10928, 10929 Azure SQL: resource limit reached / server too busy
var transientNumbers = map[int32]bool{
	1205: true, 1222: true,
	40197: true, 40501: true, 40613: true,
	49918: true, 49919: true, 49920: true,
	10928: true, 10929: true,
}

// connectNumbers are retried only while connecting: 4060 "cannot open
// database" is what a database that is recovering, failing over or resuming
// from pause answers, but it is also what a misspelled database name
// answers, so it is retried only within the connect budget.
var connectNumbers = map[int32]bool{4060: true}

// errLockDeadlock reports that sp_getapplock chose this session as a
// deadlock victim (its return value -3).
var errLockDeadlock = errors.New("mssql: chosen as deadlock victim while waiting for an application lock")

// classify says whether err is worth retrying.
func classify(err error) errClass {
	switch {
	case err == nil:
		return classPermanent
	case errors.Is(err, context.Canceled):
		return classPermanent
	case errors.Is(err, context.DeadlineExceeded) && !errors.As(err, new(*net.OpError)):
		// A context's deadline. A network operation's timeout (go-mssqldb's
		// dial timeout is one: an "i/o timeout" *net.OpError, which reads
		// as DeadlineExceeded too) is a lost connection, below; retryDo
		// stops when the caller's own context has ended, whatever the
		// error.
		return classPermanent
	case errors.Is(err, errLockDeadlock):
		return classTransient
	}
	var se mssqldrv.ServerError
	if errors.As(err, &se) {
		// A fatal server error severs the connection.
		return classConnLost
	}
	var me mssqldrv.Error
	if errors.As(err, &me) {
		for _, n := range errorNumbers(me) {
			if transientNumbers[n] {
				return classTransient
			}
		}
		for _, n := range errorNumbers(me) {
			if connectNumbers[n] {
				return classConnect
			}
		}
		return classPermanent
	}
	// A host name that does not resolve will not resolve on a retry: a typo
	// in the DSN must fail at once, not after the connect budget.
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.IsNotFound {
		return classPermanent
	}
	var stream mssqldrv.StreamError
	var ne net.Error
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.As(err, &stream), errors.As(err, &ne),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EPIPE):
		return classConnLost
	}
	return classPermanent
}

func errorNumbers(e mssqldrv.Error) []int32 {
	if len(e.All) == 0 {
		return []int32{e.Number}
	}
	ns := make([]int32, 0, len(e.All)+1)
	for _, a := range e.All {
		ns = append(ns, a.Number)
	}
	return append(ns, e.Number)
}

func hasNumber(err error, n int32) bool {
	var me mssqldrv.Error
	if !errors.As(err, &me) {
		return false
	}
	for _, x := range errorNumbers(me) {
		if x == n {
			return true
		}
	}
	return false
}

// opKind says which failures a unit of work may be repeated after.
type opKind int

const (
	// opAtomic: the unit is all-or-nothing on the server but not safe to
	// run twice (an insert); repeat it only when the server certainly did
	// not apply it.
	opAtomic opKind = iota
	// opIdempotent: running the unit twice is the same as running it once
	// (a read, an upsert by key); repeat it after a lost connection too.
	opIdempotent
	// opConnect: establishing a connection.
	opConnect
)

func (k opKind) retries(c errClass) bool {
	switch c {
	case classTransient:
		return true
	case classConnLost:
		return k == opIdempotent || k == opConnect
	case classConnect:
		return k == opConnect
	}
	return false
}

// retry runs fn until it succeeds, fails in a way kind may not repeat, or
// the policy's tries run out. It returns fn's last error.
func (w *Warehouse) retry(ctx context.Context, kind opKind, fn func(context.Context) error) error {
	return retryDo(ctx, w.cfg.Retry, kind, w.sleep, rand.Float64, fn)
}

func retryDo(ctx context.Context, p RetryPolicy, kind opKind, sleep func(context.Context, time.Duration) error,
	jitter func() float64, fn func(context.Context) error) error {
	attempts := max(p.Attempts, 1)
	for n := 1; ; n++ {
		err := fn(ctx)
		if err == nil || n >= attempts || ctx.Err() != nil || !kind.retries(classify(err)) {
			return err
		}
		if serr := sleep(ctx, p.delay(n, jitter(), err)); serr != nil {
			return err
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
