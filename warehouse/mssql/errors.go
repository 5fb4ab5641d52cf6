package mssql

import (
	"context"
	"errors"
	"fmt"
	"strings"

	mssqldrv "github.com/microsoft/go-mssqldb"

	"github.com/genexp/genexp/qc"
)

// errDone is returned by a Batch method called after Commit or Abort.
var errDone = errors.New("mssql: the batch has already been committed or aborted")

// batchEnded is the error of a Batch method called after Commit or Abort:
// ConstraintViolation (the warehouse refuses the call), wrapping errDone.
func batchEnded() error {
	return &qc.Error{Code: qc.ConstraintViolation, Severity: qc.SeverityError, Err: errDone}
}

// Error numbers mapped to genexp codes (besides the transient ones, see
// retry.go). A number in none of these lists is reported as a load failure
// (ConnectionFailed: the warehouse could not be written), never as a
// constraint violation: only the server's own words say the data was at
// fault.
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
		220:  true, // a value out of range for a small integer type
		241:  true, // a date or time that cannot be read from a string
		242:  true, // a date or time out of range
		245:  true, // conversion failed
		8114: true, // error converting a data type
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

// serverProblem is what an error number says about the warehouse rather
// than the data: its code and how genexp says it.
type serverProblem struct {
	code qc.Code
	say  string
}

// serverProblems are the numbers that say the warehouse itself cannot take
// the load. A full database is reported as the DuckDB backend reports a
// full disk (ConnectionFailed, "cannot write …: no space"); a missing
// table or column means the warehouse is not the schema this genexp
// expects (SchemaVersion); a server out of memory or locks could not be
// written, whatever the data.
var serverProblems = map[int32]serverProblem{
	9002:  {qc.ConnectionFailed, "cannot write the database: its transaction log is full (SQL Server error 9002); back the log up or give it more space"},
	1105:  {qc.ConnectionFailed, "cannot write the database: no space left in its filegroup (SQL Server error 1105)"},
	1101:  {qc.ConnectionFailed, "cannot write the database: no space left on its disk (SQL Server error 1101)"},
	40544: {qc.ConnectionFailed, "cannot write the database: it has reached its size quota (Azure SQL error 40544)"},
	207:   {qc.SchemaVersion, "a column genexp uses is missing (SQL Server error 207): the warehouse schema is not the one this genexp expects"},
	208:   {qc.SchemaVersion, "a table or view genexp uses is missing (SQL Server error 208): the warehouse schema is not the one this genexp expects"},
	701:   {qc.ConnectionFailed, "the server ran out of memory (SQL Server error 701)"},
	8645:  {qc.ConnectionFailed, "the server waited too long for memory to run the statement (SQL Server error 8645)"},
	1204:  {qc.ConnectionFailed, "the server ran out of memory for locks (SQL Server error 1204)"},
	// An IDENTITY key that has used up its type, or a computed value out
	// of range: the warehouse cannot hold it, whichever row brought it.
	8115: {qc.ConnectionFailed, "a number is too large for its column's type (SQL Server error 8115)"},
}

// codeFor maps an error to a genexp code.
func codeFor(err error) qc.Code {
	code, _ := explain(err)
	return code
}

// explain maps an error to a genexp code and, for the server errors that
// need it, words a researcher understands ("" when the error's own words
// say enough).
func explain(err error) (qc.Code, string) {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return qc.ConnectionFailed, ""
	}
	if errors.Is(err, errBroken) {
		return qc.ConnectionFailed, ""
	}
	var se mssqldrv.ServerError
	if errors.As(err, &se) {
		return qc.ConnectionFailed, ""
	}
	var me mssqldrv.Error
	if errors.As(err, &me) {
		ns := errorNumbers(me)
		for _, n := range ns {
			switch {
			case n == 547:
				if strings.Contains(strings.ToUpper(me.Message), "FOREIGN KEY") {
					return qc.ForeignKeyViolation, ""
				}
				return qc.ConstraintViolation, ""
			case n == 1205 || n == 1222 || n == 40501 || n == 49918 || n == 49919 || n == 49920 || n == 10928 || n == 10929:
				return qc.WarehouseBusy, ""
			case permissionNumbers[n] || connectNumbers[n] || n == 40613 || n == 40197:
				return qc.ConnectionFailed, ""
			case constraintNumbers[n]:
				return qc.ConstraintViolation, ""
			}
			if p, ok := serverProblems[n]; ok {
				return p.code, p.say
			}
		}
		return qc.ConnectionFailed, fmt.Sprintf("SQL Server error %d", ns[0])
	}
	if errors.Is(err, errLockDeadlock) {
		return qc.WarehouseBusy, ""
	}
	// Anything else (a network error, a lost connection, a failure in the
	// driver) is the warehouse that could not be written.
	return qc.ConnectionFailed, ""
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
	code, say := explain(err)
	if say != "" {
		msg += ": " + say
	}
	return w.wrapCode(code, err, msg)
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
