package mssql

import (
	"context"
	"errors"
	"net"
	"strings"

	mssqldrv "github.com/microsoft/go-mssqldb"

	"github.com/genexp/genexp/qc"
)

// errDone is returned by a Batch method called after Commit or Abort.
var errDone = errors.New("mssql: the batch has already been committed or aborted")

// Error numbers mapped to genexp codes (besides the transient ones, see
// retry.go).
var (
	constraintNumbers = map[int32]bool{
		515:  true, // NULL into a NOT NULL column
		2601: true, // duplicate key in a unique index
		2627: true, // duplicate key in a unique or primary key constraint
		2628: true, // string or binary data would be truncated (names the column)
		8152: true, // string or binary data would be truncated
		8672: true, // MERGE source has a key twice
		4815: true, // bulk copy: invalid column length
		4816: true, // bulk copy: invalid column type
	}
	permissionNumbers = map[int32]bool{
		229:   true, // permission denied on an object
		262:   true, // permission denied in the database (CREATE TABLE, …)
		297:   true, // no permission to perform the action
		300:   true, // a database-level permission is missing
		1088:  true, // cannot find the object or no permission
		15247: true, // no permission to perform the action
		18456: true, // login failed
	}
)

// codeFor maps an error to a genexp code.
func codeFor(err error) qc.Code {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return qc.ConnectionFailed
	}
	var se mssqldrv.ServerError
	if errors.As(err, &se) {
		return qc.ConnectionFailed
	}
	var me mssqldrv.Error
	if errors.As(err, &me) {
		for _, n := range errorNumbers(me) {
			switch {
			case n == 547:
				if strings.Contains(strings.ToUpper(me.Message), "FOREIGN KEY") {
					return qc.ForeignKeyViolation
				}
				return qc.ConstraintViolation
			case n == 1205 || n == 1222 || n == 40501 || n == 49918 || n == 49919 || n == 49920 || n == 10928 || n == 10929:
				return qc.WarehouseBusy
			case permissionNumbers[n] || connectNumbers[n] || n == 40613 || n == 40197:
				return qc.ConnectionFailed
			case constraintNumbers[n]:
				return qc.ConstraintViolation
			}
		}
		return qc.ConstraintViolation
	}
	if errors.Is(err, errLockDeadlock) {
		return qc.WarehouseBusy
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return qc.ConnectionFailed
	}
	switch classify(err) {
	case classConnLost, classConnect:
		return qc.ConnectionFailed
	}
	return qc.ConstraintViolation
}

// wrap turns err into a *qc.Error with msg, choosing the code from the
// error; a *qc.Error passes through unchanged.
func (w *Warehouse) wrap(err error, msg string) error {
	if err == nil {
		return nil
	}
	var e *qc.Error
	if errors.As(err, &e) {
		return err
	}
	return w.wrapCode(codeFor(err), err, msg)
}

// wrapCode is wrap with a fixed code (a *qc.Error still passes through).
func (w *Warehouse) wrapCode(code qc.Code, err error, msg string) error {
	if err == nil {
		return nil
	}
	var e *qc.Error
	if errors.As(err, &e) {
		return err
	}
	return qc.Wrap(code, err, msg)
}
