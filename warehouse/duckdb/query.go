package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	duckdbdrv "github.com/duckdb/duckdb-go/v2"

	"github.com/genexp/genexp/qc"
)

// ReadOnlyStatements says, for a refusal, which statements ReadQuery runs.
const ReadOnlyStatements = "SELECT, WITH … SELECT, VALUES, FROM …, DESCRIBE, SHOW, SUMMARIZE or EXPLAIN"

// ReadQuery runs query, which must be exactly one statement that DuckDB
// classifies as a query (SELECT, which covers WITH, VALUES, DESCRIBE, SHOW,
// SUMMARIZE and PRAGMA table functions, or EXPLAIN), and passes its rows
// to read. Anything else (several statements, COPY, EXPORT, ATTACH, SET,
// INSERT, CALL, …) is refused with a *qc.Error of code QueryRefused before
// it runs, as is a statement DuckDB cannot prepare.
//
// The classification is DuckDB's own, from the prepared statement, not a
// reading of the SQL text. The statement then runs in a transaction that
// is always rolled back, so that EXPLAIN ANALYZE, which runs the statement
// it explains, leaves the database as it was. Files are another matter:
// EXPLAIN ANALYZE COPY … TO writes one unless the database was opened with
// enable_external_access=false, as genexp query opens it.
func (w *Warehouse) ReadQuery(ctx context.Context, query string, read func(*sql.Rows) error) error {
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.Raw(func(dc any) error { return checkReadOnly(dc, query) }); err != nil {
		return err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	// Rolled back whatever happens: a query has nothing to commit.
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return refused(err)
	}
	defer rows.Close()
	if err := read(rows); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return refused(err)
	}
	return rows.Close()
}

// checkReadOnly prepares query on the driver connection dc and refuses it
// unless it is one statement of a reading type. The driver's Prepare
// without a context is used on purpose: given several statements, its
// context variant runs every statement but the last to prepare the last,
// while this one refuses them.
func checkReadOnly(dc any, query string) error {
	c, ok := dc.(*duckdbdrv.Conn)
	if !ok {
		return fmt.Errorf("duckdb: not a DuckDB connection (%T)", dc)
	}
	st, err := c.Prepare(query)
	if err != nil {
		var de *duckdbdrv.Error
		if !errors.As(err, &de) && strings.Contains(err.Error(), "multi-statement") {
			return &qc.Error{Code: qc.QueryRefused, Severity: qc.SeverityError,
				Msg: "exactly one statement can run, and this is several (statements separated by ';', " +
					"or a PIVOT without IN, which DuckDB runs as two); allowed is one query: " + ReadOnlyStatements}
		}
		if errors.As(err, &de) && de.Type == duckdbdrv.ErrorTypePermission {
			return &qc.Error{Code: qc.QueryRefused, Severity: qc.SeverityError,
				Msg: "the statement reaches a file other than the warehouse, and this connection may neither read nor write one", Err: err}
		}
		return refused(err)
	}
	defer st.Close()
	s, ok := st.(*duckdbdrv.Stmt)
	if !ok {
		return fmt.Errorf("duckdb: not a DuckDB statement (%T)", st)
	}
	t, err := s.StatementType()
	if err != nil {
		return refused(err)
	}
	switch t {
	case duckdbdrv.STATEMENT_TYPE_SELECT, duckdbdrv.STATEMENT_TYPE_EXPLAIN:
		return nil
	}
	return &qc.Error{Code: qc.QueryRefused, Severity: qc.SeverityError,
		Msg: fmt.Sprintf("the statement is %s, and only a query that reads is allowed: %s", statementName(t), ReadOnlyStatements)}
}

// refused codes an error of DuckDB about the statement as QueryRefused.
func refused(err error) error {
	var e *qc.Error
	if errors.As(err, &e) {
		return err
	}
	return &qc.Error{Code: qc.QueryRefused, Severity: qc.SeverityError, Err: err}
}

// statementName names a statement type as SQL spells it.
func statementName(t duckdbdrv.StmtType) string {
	names := map[duckdbdrv.StmtType]string{
		duckdbdrv.STATEMENT_TYPE_INSERT:       "INSERT",
		duckdbdrv.STATEMENT_TYPE_UPDATE:       "UPDATE",
		duckdbdrv.STATEMENT_TYPE_DELETE:       "DELETE",
		duckdbdrv.STATEMENT_TYPE_PREPARE:      "PREPARE",
		duckdbdrv.STATEMENT_TYPE_CREATE:       "CREATE",
		duckdbdrv.STATEMENT_TYPE_EXECUTE:      "EXECUTE",
		duckdbdrv.STATEMENT_TYPE_ALTER:        "ALTER",
		duckdbdrv.STATEMENT_TYPE_TRANSACTION:  "transaction (BEGIN, COMMIT, ROLLBACK)",
		duckdbdrv.STATEMENT_TYPE_COPY:         "COPY",
		duckdbdrv.STATEMENT_TYPE_ANALYZE:      "ANALYZE",
		duckdbdrv.STATEMENT_TYPE_VARIABLE_SET: "SET VARIABLE",
		duckdbdrv.STATEMENT_TYPE_CREATE_FUNC:  "CREATE FUNCTION",
		duckdbdrv.STATEMENT_TYPE_DROP:         "DROP",
		duckdbdrv.STATEMENT_TYPE_EXPORT:       "EXPORT",
		duckdbdrv.STATEMENT_TYPE_PRAGMA:       "PRAGMA",
		duckdbdrv.STATEMENT_TYPE_VACUUM:       "VACUUM",
		duckdbdrv.STATEMENT_TYPE_CALL:         "CALL (or CHECKPOINT)",
		duckdbdrv.STATEMENT_TYPE_SET:          "SET (or RESET, USE)",
		duckdbdrv.STATEMENT_TYPE_LOAD:         "LOAD (or INSTALL)",
		duckdbdrv.STATEMENT_TYPE_ATTACH:       "ATTACH",
		duckdbdrv.STATEMENT_TYPE_DETACH:       "DETACH",
	}
	if n, ok := names[t]; ok {
		return n
	}
	return "not a query"
}
