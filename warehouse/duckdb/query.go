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
const ReadOnlyStatements = "SELECT, WITH … SELECT, VALUES, FROM …, DESCRIBE, SHOW, SUMMARIZE, a PRAGMA that reads (PRAGMA table_info), or EXPLAIN [ANALYZE] of one of these"

// ReadQuery runs query, which must be exactly one statement that DuckDB
// classifies as a query (SELECT, which covers WITH, VALUES, DESCRIBE, SHOW,
// SUMMARIZE and PRAGMA table functions, or EXPLAIN), and passes its rows
// to read. Anything else (several statements, COPY, EXPORT, ATTACH, SET,
// INSERT, CALL, …) is refused with a *qc.Error of code QueryRefused before
// it runs, as is a statement DuckDB cannot prepare.
//
// The classification is DuckDB's own, from the prepared statement, not a
// reading of the SQL text; EXPLAIN is allowed of a statement that passes
// the same check, since EXPLAIN ANALYZE runs what it explains. The
// statement then runs in a transaction that is always rolled back, as a
// second guard. What a query can still change is what no transaction
// holds: nextval advances a sequence (surrogate keys then skip numbers),
// and a table function that writes a file does so unless the database
// was opened with enable_external_access=false, as genexp query opens it.
func (w *Warehouse) ReadQuery(ctx context.Context, query string, read func(*sql.Rows) error) error {
	if err := w.usable(); err != nil {
		return err
	}
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
	case duckdbdrv.STATEMENT_TYPE_SELECT:
		return nil
	case duckdbdrv.STATEMENT_TYPE_EXPLAIN:
		// EXPLAIN ANALYZE runs what it explains, and a setting it changes
		// is not undone by the rollback: the explained statement must be a
		// query too. Every reading of the text DuckDB could take must be
		// one (see explained), and at least one must prepare.
		cands, ok := explained(query)
		if !ok {
			return &qc.Error{Code: qc.QueryRefused, Severity: qc.SeverityError,
				Msg: "EXPLAIN is allowed of one query only, written EXPLAIN [ANALYZE] [(options)] and the query, with no comment before the query"}
		}
		prepared := false
		for _, c := range cands {
			err := checkReadOnly(dc, c)
			var e *qc.Error
			switch {
			case err == nil:
				prepared = true
			case errors.Is(err, errNotQuery):
				return &qc.Error{Code: qc.QueryRefused, Severity: qc.SeverityError, Msg: "EXPLAIN is allowed of a query only", Err: err}
			case !errors.As(err, &e) || e.Code != qc.QueryRefused:
				return err
			}
		}
		if !prepared {
			return &qc.Error{Code: qc.QueryRefused, Severity: qc.SeverityError, Msg: "EXPLAIN is allowed of a query only, and what it explains is not one"}
		}
		return nil
	}
	return &qc.Error{Code: qc.QueryRefused, Severity: qc.SeverityError,
		Msg: fmt.Sprintf("the statement is %s, and only a query that reads is allowed: %s", statementName(t), ReadOnlyStatements),
		Err: errNotQuery}
}

// errNotQuery is the cause of a refusal of a statement for its type (one
// DuckDB prepared, of a kind that is not a query).
var errNotQuery = errors.New("not a query")

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

// explained returns the readings of the statement an EXPLAIN [ANALYZE]
// [(options)] query explains: the text after the options, and, when what
// follows EXPLAIN [ANALYZE] starts with "(", also that whole text, since
// "(SELECT 1) UNION ALL (SELECT 2)" is a query and "(FORMAT json)" is not.
// ok is false when the text before the explained statement holds anything
// but blanks, the keywords and plain options (letters, digits, _ and ,):
// no comment, quote or nested parenthesis, which would need DuckDB's own
// parser to read.
func explained(query string) (readings []string, ok bool) {
	s, ok := cutWord(strings.TrimLeft(query, blanks), "EXPLAIN")
	if !ok {
		return nil, false
	}
	s = strings.TrimLeft(s, blanks)
	for _, w := range []string{"ANALYZE", "ANALYSE"} {
		if r, ok := cutWord(s, w); ok {
			s = strings.TrimLeft(r, blanks)
			break
		}
	}
	if s == "" || strings.HasPrefix(s, "--") || strings.HasPrefix(s, "/*") {
		return nil, false
	}
	if _, again := cutWord(s, "EXPLAIN"); again {
		return nil, false
	}
	if !strings.HasPrefix(s, "(") {
		return []string{s}, true
	}
	readings = []string{s}
	if end := strings.IndexByte(s, ')'); end > 0 && plainOptions(s[1:end]) {
		if rest := strings.TrimLeft(s[end+1:], blanks); rest != "" {
			if _, again := cutWord(rest, "EXPLAIN"); again || strings.HasPrefix(rest, "--") || strings.HasPrefix(rest, "/*") {
				return nil, false
			}
			readings = append(readings, rest)
		}
	}
	return readings, true
}

// blanks are the characters DuckDB skips between words.
const blanks = " \t\r\n\f\v"

// plainOptions reports whether an EXPLAIN options list holds only
// letters, digits, _, commas and blanks.
func plainOptions(s string) bool {
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == ',', strings.ContainsRune(blanks, r):
		default:
			return false
		}
	}
	return true
}

// cutWord cuts the keyword word (any case) from the start of s when a
// blank or '(' follows it, or nothing.
func cutWord(s, word string) (string, bool) {
	if len(s) < len(word) || !strings.EqualFold(s[:len(word)], word) {
		return s, false
	}
	rest := s[len(word):]
	if rest == "" || strings.ContainsRune(blanks+"(", rune(rest[0])) {
		return rest, true
	}
	return s, false
}
