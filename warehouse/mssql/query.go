package mssql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode"

	mssqldrv "github.com/microsoft/go-mssqldb"

	"github.com/genexp/genexp/qc"
)

// ReadQuery runs query and passes its rows to read, inside a transaction
// that is always rolled back, whatever query did and whether it failed.
// Before it is sent, the query must be one statement that reads
// (readOnlyQuery): a batch of several statements, a write, a procedure
// call, transaction control or a sequence's next value is refused with
// code QueryRefused, since go-mssqldb sends a query without parameters as
// a batch the server runs whole, and a batch that ended the transaction
// itself (COMMIT, then a DELETE) would have left nothing to roll back. If
// the transaction was ended all the same, that is refused too, after the
// fact. An error the server gives about the statement (a syntax error, a
// missing table, a permission denied) is a *qc.Error of code QueryRefused;
// a lost connection or a deadlock keeps the code the backend gives it
// elsewhere.
//
// The check reads words, not a parse of T-SQL: it refuses some reads (a
// column named like a keyword must be written [bracketed]), and what a
// function or a view does when read is the server's. A login that may only
// read (db_datareader) is the guarantee.
func (w *Warehouse) ReadQuery(ctx context.Context, query string, read func(*sql.Rows) error) error {
	if err := w.usable(); err != nil {
		return err
	}
	if err := readOnlyQuery(query); err != nil {
		return err
	}
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
	ended := &qc.Error{Code: qc.QueryRefused, Severity: qc.SeverityError,
		Msg: "mssql: the query ended the transaction it ran in, so what it changed could not be rolled back; run queries with a login that may only read (db_datareader)"}
	var open int
	if err := tx.QueryRowContext(ctx, stmtTranCount).Scan(&open); err != nil {
		// go-mssqldb refuses to send anything more in a transaction the
		// server ended, with an error of number 0 that says it was
		// rolled back, which a COMMIT in the batch belies.
		var me mssqldrv.Error
		if errors.As(err, &me) && me.Number == 0 {
			ended.Err = err
			return ended
		}
		return w.queryErr(err)
	}
	if open == 0 {
		return ended
	}
	return tx.Rollback()
}

// stmtTranCount counts the session's open transactions: 0 after a query
// that committed or rolled back the one ReadQuery began.
const stmtTranCount = `SELECT @@TRANCOUNT`

// queryDenied are the words a query may not hold (outside strings, quoted
// identifiers and comments): writes and definitions (INTO, for SELECT …
// INTO writes a table), procedure calls, transaction and session control,
// the rowset functions that reach other servers, and the statements a
// query could run after its SELECT with no separator. NEXT is refused only
// as NEXT VALUE FOR, and USE everywhere but in a USE HINT query hint (see
// readOnlyQuery).
var queryDenied = map[string]bool{
	"insert": true, "update": true, "delete": true, "merge": true, "into": true, "truncate": true,
	"create": true, "alter": true, "drop": true, "grant": true, "revoke": true, "deny": true,
	"exec": true, "execute": true, "sp_executesql": true, "commit": true, "rollback": true, "begin": true, "save": true,
	"set": true, "dbcc": true, "kill": true, "backup": true, "restore": true, "shutdown": true,
	"reconfigure": true, "checkpoint": true, "bulk": true, "openrowset": true, "openquery": true,
	"opendatasource": true, "writetext": true, "updatetext": true, "enable": true, "disable": true,
	// T-SQL needs no separator between statements ("SELECT 1 USE master"
	// is two): the words that begin one that changes the session's
	// database or user, waits, or moves Service Broker messages, and the
	// cursor statements, none of which a read needs.
	"waitfor": true, "receive": true, "send": true, "setuser": true, "revert": true,
	"declare": true, "open": true, "close": true, "deallocate": true,
}

// readOnlyQuery refuses, with code QueryRefused, a query that is not one
// statement beginning with SELECT or WITH (a trailing semicolon allowed),
// or that holds a word of queryDenied or NEXT VALUE FOR, outside string
// literals, [bracketed] and "quoted" identifiers and comments.
func readOnlyQuery(query string) error {
	refuse := func(format string, args ...any) error {
		return &qc.Error{Code: qc.QueryRefused, Severity: qc.SeverityError,
			Msg: "mssql: only one statement that reads (SELECT, or WITH … SELECT) is run: " + fmt.Sprintf(format, args...)}
	}
	words, statements, err := queryWords(query)
	if err != nil {
		return refuse("%v", err)
	}
	switch {
	case len(words) == 0:
		return refuse("the query is empty")
	case statements > 1:
		return refuse("it holds several statements")
	case words[0] != "select" && words[0] != "with":
		return refuse("it begins with %s", strings.ToUpper(words[0]))
	}
	for i, w := range words {
		if queryDenied[w] {
			return refuse("it holds %s", strings.ToUpper(w))
		}
		if w == "next" && i+2 < len(words) && words[i+1] == "value" && words[i+2] == "for" {
			return refuse("NEXT VALUE FOR draws from a sequence")
		}
		if w == "use" && (i+1 == len(words) || words[i+1] != "hint") {
			return refuse("it holds USE, which changes the session's database")
		}
	}
	return nil
}

// queryWords returns the lower-cased words of a T-SQL text outside string
// literals ('…' and N'…', a quote inside written twice), quoted identifiers ([…], "…") and
// comments (-- to the end of the line, /* … */, nested), and the number of
// statements it holds (text after a semicolon starts another). Only a word
// or an opening parenthesis may come first.
func queryWords(q string) (words []string, statements int, err error) {
	pending := false // text seen since the last semicolon
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case (c == '\'' || c == '[' || c == '"') && len(words) == 0:
			return nil, 0, fmt.Errorf("it begins with %q", q[i:i+1])
		case c == '\'':
			j := i + 1
			for {
				k := strings.IndexByte(q[j:], '\'')
				if k < 0 {
					return nil, 0, errors.New("a string literal is not closed")
				}
				j += k + 1
				if j < len(q) && q[j] == '\'' {
					j++
					continue
				}
				break
			}
			i, pending = j, true
		case c == '[' || c == '"':
			end := byte(']')
			if c == '"' {
				end = '"'
			}
			j := i + 1
			for {
				k := strings.IndexByte(q[j:], end)
				if k < 0 {
					return nil, 0, errors.New("a quoted identifier is not closed")
				}
				j += k + 1
				if j < len(q) && q[j] == end {
					j++
					continue
				}
				break
			}
			i, pending = j, true
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			k := strings.IndexAny(q[i:], "\r\n") // SQL Server ends it at either
			if k < 0 {
				k = len(q) - i
			}
			i += k
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			depth, j := 1, i+2
			for depth > 0 {
				switch {
				case j+1 >= len(q):
					return nil, 0, errors.New("a /* comment is not closed")
				case q[j] == '/' && q[j+1] == '*':
					depth, j = depth+1, j+2
				case q[j] == '*' && q[j+1] == '/':
					depth, j = depth-1, j+2
				default:
					j++
				}
			}
			i = j
		case c == ';':
			if pending {
				statements++
				pending = false
			}
			i++
		case c == '_' || c == '@' || c == '#' || c >= 0x80 || unicode.IsLetter(rune(c)):
			j := i + 1
			for j < len(q) && (q[j] == '_' || q[j] == '@' || q[j] == '#' || q[j] == '$' || q[j] >= 0x80 ||
				unicode.IsLetter(rune(q[j])) || unicode.IsDigit(rune(q[j]))) {
				j++
			}
			// N'…' is a string: its N is no word
			if !(j == i+1 && (c == 'N' || c == 'n') && j < len(q) && q[j] == '\'') {
				words = append(words, strings.ToLower(q[i:j]))
			}
			i, pending = j, true
		case unicode.IsSpace(rune(c)):
			i++
		default:
			if len(words) == 0 && c != '(' {
				// "0WITH", "+SELECT": only a word or a parenthesis
				// begins a query
				return nil, 0, fmt.Errorf("it begins with %q", q[i:i+1])
			}
			i, pending = i+1, true
		}
	}
	if pending {
		statements++
	}
	return words, statements, nil
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
