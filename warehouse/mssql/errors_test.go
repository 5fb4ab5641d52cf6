package mssql

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	mssqldrv "github.com/microsoft/go-mssqldb"

	"github.com/genexp/genexp/qc"
)

// TestServerErrorCodes checks the code, and the words, a SQL Server error
// number is reported with. A full disk is a ConnectionFailed saying "no
// space", as the DuckDB backend reports it; a missing table or column is a
// SchemaVersion; a server out of memory or locks cannot be written, like
// an unreachable one; a number genexp does not know is a load failure,
// never a claim that the data broke a constraint.
func TestServerErrorCodes(t *testing.T) {
	tests := []struct {
		name   string
		number int32
		code   qc.Code
		says   string // in the message, besides the error number
	}{
		{"log full", 9002, qc.ConnectionFailed, "transaction log is full"},
		{"filegroup full", 1105, qc.ConnectionFailed, "no space left"},
		{"no disk space for a page", 1101, qc.ConnectionFailed, "no space left"},
		{"azure size quota", 40544, qc.ConnectionFailed, "size quota"},
		{"invalid object name", 208, qc.SchemaVersion, "schema"},
		{"invalid column name", 207, qc.SchemaVersion, "schema"},
		{"out of memory", 701, qc.ConnectionFailed, "memory"},
		{"memory grant timeout", 8645, qc.ConnectionFailed, "memory"},
		{"out of locks", 1204, qc.ConnectionFailed, "lock"},
		{"arithmetic overflow", 8115, qc.ConnectionFailed, "too large"},
		{"syntax (unknown)", 102, qc.ConnectionFailed, ""},
		{"some future number", 59999, qc.ConnectionFailed, ""},
		// The data errors stay what they were.
		{"duplicate key", 2627, qc.ConstraintViolation, ""},
		{"truncation", 2628, qc.ConstraintViolation, ""},
		{"null", 515, qc.ConstraintViolation, ""},
		{"conversion", 245, qc.ConstraintViolation, ""},
		{"bulk copy column type", 4816, qc.ConstraintViolation, ""},
	}
	w := &Warehouse{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			server := mssqldrv.Error{Number: tc.number, Class: 16, Message: fmt.Sprintf("message of error %d", tc.number)}
			// The error that matters can come after others in one
			// batch, with "the statement has been terminated" last.
			for _, err := range []error{
				server,
				fmt.Errorf("committing: %w", server),
				mssqldrv.Error{Number: 3621, Message: "The statement has been terminated.", All: []mssqldrv.Error{server, {Number: 3621}}},
			} {
				if got := codeFor(err); got != tc.code {
					t.Errorf("codeFor(%v) = %d %s, want %d %s", err, got, got.Name(), tc.code, tc.code.Name())
				}
				wrapped := w.wrap(err, "mssql: committing the load")
				var qe *qc.Error
				if !errors.As(wrapped, &qe) || qe.Code != tc.code {
					t.Fatalf("wrap = %#v, want a *qc.Error with code %s", wrapped, tc.code.Name())
				}
				msg := wrapped.Error()
				if !strings.HasPrefix(msg, "mssql: committing the load") || !strings.Contains(msg, server.Message) {
					t.Errorf("message %q does not keep what genexp was doing and the server's words", msg)
				}
				if tc.says != "" && (!strings.Contains(qe.Msg, tc.says) || !strings.Contains(qe.Msg, fmt.Sprint(tc.number))) {
					t.Errorf("message %q does not say %q and name error %d", qe.Msg, tc.says, tc.number)
				}
			}
		})
	}
}

// A load whose connection failed earlier reports the connection, not the
// data.
func TestBrokenLoadIsAConnectionFailure(t *testing.T) {
	err := (&Warehouse{}).wrap(errBroken, "mssql: bulk copy into staging.expression_values")
	if !errors.Is(err, qc.ConnectionFailed) {
		t.Fatalf("wrap(errBroken) = %v, want ConnectionFailed", err)
	}
}
