package mssql

import (
	"context"
	"database/sql"
	"errors"

	mssqldrv "github.com/microsoft/go-mssqldb"

	"github.com/genexp/genexp/qc"
)

// ReadQuery runs query and passes its rows to read, inside a transaction
// that is always rolled back, whatever query did and whether it failed:
// T-SQL cannot be told a read from a write before the server runs it, so
// what a batch changes is undone instead. An error the server gives about
// the statement (a syntax error, a missing table, a permission denied) is
// a *qc.Error of code QueryRefused; a lost connection or a deadlock keeps
// the code the backend gives it elsewhere.
//
// The rollback cannot undo what escapes a transaction: a batch that
// commits it itself (COMMIT, then more statements), a statement that may
// not run inside one, or an effect outside the database. A login that
// may only read (db_datareader) is the guarantee.
func (w *Warehouse) ReadQuery(ctx context.Context, query string, read func(*sql.Rows) error) error {
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return w.wrap(err, "mssql: cannot begin the query's transaction on "+w.name)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return w.queryErr(err)
	}
	defer rows.Close()
	if err := read(rows); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return w.queryErr(err)
	}
	if err := rows.Close(); err != nil {
		return w.queryErr(err)
	}
	return tx.Rollback()
}

// queryErr codes an error of the query: the server's own errors as
// QueryRefused, but for a deadlock or lock timeout (WarehouseBusy); the
// others (a lost connection, a cancelled context) as wrap does.
func (w *Warehouse) queryErr(err error) error {
	var me mssqldrv.Error
	if errors.As(err, &me) && codeFor(err) != qc.WarehouseBusy {
		var e *qc.Error
		if errors.As(err, &e) {
			return err
		}
		return &qc.Error{Code: qc.QueryRefused, Severity: qc.SeverityError, Err: err}
	}
	return w.wrap(err, "mssql: the query failed on "+w.name)
}
