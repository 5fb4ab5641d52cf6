package mssql

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode"

	mssqldrv "github.com/microsoft/go-mssqldb"

	"github.com/genexp/genexp/qc"
)

// TestReadQueryAlwaysRollsBack: a query runs inside a transaction that is
// rolled back, never committed, whether it succeeds, the server refuses
// it, or reading its rows fails; the server's complaint about the
// statement is QueryRefused, a deadlock stays WarehouseBusy.
func TestReadQueryAlwaysRollsBack(t *testing.T) {
	const query = "SELECT 1 AS one"
	errRead := errors.New("stdout closed")
	for _, tc := range []struct {
		name      string
		serverErr error
		readErr   error
		want      qc.Code // 0: no error
	}{
		{name: "rows read"},
		{name: "refused", serverErr: mssqldrv.Error{Number: 208, Class: 16, Message: "Invalid object name 'nope'."}, want: qc.QueryRefused},
		{name: "denied", serverErr: mssqldrv.Error{Number: 229, Class: 14, Message: "The DELETE permission was denied."}, want: qc.QueryRefused},
		{name: "deadlock", serverErr: mssqldrv.Error{Number: 1205, Class: 13, Message: "deadlock victim"}, want: qc.WarehouseBusy},
		{name: "read fails", readErr: errRead},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newFakeServer(t)
			s.byText[query] = "schema_version_read" // answers one row
			if tc.serverErr != nil {
				s.failNext("schema_version_read", tc.serverErr)
			}
			w := s.open(t, Config{})
			rowsSeen := 0
			err := w.ReadQuery(context.Background(), query, func(rows *sql.Rows) error {
				for rows.Next() {
					rowsSeen++
				}
				return tc.readErr
			})
			switch {
			case tc.readErr != nil:
				if !errors.Is(err, tc.readErr) {
					t.Errorf("error %v, want the reader's", err)
				}
			case tc.want != 0:
				if c, ok := qc.CodeOf(err); !ok || c != tc.want {
					t.Errorf("error %v, want code %d", err, tc.want)
				}
			case err != nil || rowsSeen != 1:
				t.Errorf("error %v, %d rows; want the one row", err, rowsSeen)
			}
			want := []string{"BEGIN", "schema_version_read", "tran_count", "ROLLBACK"}
			if tc.serverErr != nil || tc.readErr != nil {
				want = []string{"BEGIN", "schema_version_read", "ROLLBACK"}
			}
			if got := s.names(); !slices.Equal(got, want) {
				t.Errorf("statements %v, want %v", got, want)
			}
			if c := s.callsOf("schema_version_read"); len(c) != 1 || !c[0].inTx {
				t.Errorf("the query ran outside the transaction: %+v", c)
			}
		})
	}
}

// TestReadOnlyQuery: what ReadQuery sends the server is one statement that
// reads; anything else is refused with QueryRefused before it is sent.
func TestReadOnlyQuery(t *testing.T) {
	for _, tc := range []struct {
		query  string
		refuse string // a piece of the refusal, "" to run
	}{
		{"SELECT 1", ""},
		{"select gene_id, AVG(v) from dbo.x group by gene_id;", ""},
		{"WITH t AS (SELECT 1 AS a) SELECT a FROM t", ""},
		{"SELECT [update], \"delete\" FROM dbo.t -- DELETE in a comment\n", ""},
		{"SELECT 'DROP TABLE x; COMMIT', N'it''s; EXEC' /* INSERT /* nested */ */", ""},
		{"SELECT * FROM dbo.t ORDER BY a OFFSET 10 ROWS FETCH NEXT 5 ROWS ONLY", ""},
		{"SELECT update_time FROM dbo.t", ""},
		{"COMMIT; DELETE FROM dbo.fact_gene_expression; SELECT 1", "several statements"},
		{"SELECT 1; SELECT 2", "several statements"},
		{"DELETE FROM dbo.fact_gene_expression", "begins with DELETE"},
		{"WITH t AS (SELECT 1 AS a) DELETE FROM dbo.x", "holds DELETE"},
		{"SELECT * INTO dbo.copy FROM dbo.fact_gene_expression", "holds INTO"},
		{"SELECT NEXT VALUE FOR staging.seq_load_key", "NEXT VALUE FOR"},
		{"EXEC sp_getapplock 'x', 'Exclusive'", "begins with EXEC"},
		{"SELECT * FROM OPENQUERY(other, 'SELECT 1')", "holds OPENQUERY"},
		{"SELECT 1 /* not closed", "comment is not closed"},
		{"SELECT 1 --x\rCOMMIT DELETE FROM dbo.t", "holds COMMIT"}, // a CR ends a -- comment too
		{"SELECT a FROM dbo.t OPTION (USE HINT ('DISABLE_OPTIMIZER_ROWGOAL'))", ""},
		{"SELECT 'not closed", "string literal is not closed"},
		{"   ", "empty"},
		{"; ;", "empty"},
		{"(SELECT 1)", ""},
		{"0WITH t AS (SELECT 1 AS a) SELECT a FROM t", `begins with "0"`},
		{"N''SELECT 1", `begins with "'"`},
		{"[x] SELECT 1", `begins with "["`},
		{"SELECT 1 USE master", "holds USE"},
		{"SELECT 1 WAITFOR DELAY '01:00'", "holds WAITFOR"},
		{"SELECT 1 RECEIVE TOP (1) * FROM dbo.q", "holds RECEIVE"},
		{"SELECT 1 EXECUTE AS USER = 'dbo'", "holds EXECUTE"},
		{"SELECT 1 SETUSER 'dbo'", "holds SETUSER"},
		{"SELECT 1 DECLARE c CURSOR FOR SELECT 1 OPEN c", "holds DECLARE"},
		{"SELECT [use], [open] FROM dbo.t", ""},
		{"SELECT 1 USE", "holds USE"},
	} {
		err := readOnlyQuery(tc.query)
		var e *qc.Error
		switch {
		case tc.refuse == "" && err != nil:
			t.Errorf("%q refused: %v", tc.query, err)
		case tc.refuse != "" && (!errors.As(err, &e) || e.Code != qc.QueryRefused || !strings.Contains(e.Msg, tc.refuse)):
			t.Errorf("%q: %v, want QueryRefused saying %q", tc.query, err, tc.refuse)
		}
	}
}

// A refused query is not sent; a batch that ended its transaction all the
// same is reported as such, not as a read.
func TestReadQueryRefusesBeforeAndAfter(t *testing.T) {
	s := newFakeServer(t)
	w := s.open(t, Config{})
	err := w.ReadQuery(context.Background(), "DELETE FROM dbo.fact_gene_expression", func(*sql.Rows) error { return nil })
	if c, _ := qc.CodeOf(err); c != qc.QueryRefused || len(s.names()) != 0 {
		t.Fatalf("a DELETE: %v, statements %v; want QueryRefused and nothing sent", err, s.names())
	}
	const query = "SELECT 1 AS one"
	s.byText[query] = "schema_version_read"
	s.tranEnded = true
	defer func() {
		// as go-mssqldb refuses the next statement of a transaction the
		// server ended
		s.tranEnded = false
		s.failNext("tran_count", mssqldrv.Error{Number: 0, Message: "Transaction has been aborted by the server"})
		err := w.ReadQuery(context.Background(), query, func(rows *sql.Rows) error {
			for rows.Next() {
			}
			return nil
		})
		var e *qc.Error
		if !errors.As(err, &e) || e.Code != qc.QueryRefused || !strings.Contains(e.Msg, "ended the transaction") {
			t.Errorf("a query after which the driver says the transaction was aborted: %v, want QueryRefused saying it ended the transaction", err)
		}
	}()
	err = w.ReadQuery(context.Background(), query, func(rows *sql.Rows) error {
		for rows.Next() {
		}
		return nil
	})
	var e *qc.Error
	if !errors.As(err, &e) || e.Code != qc.QueryRefused || !strings.Contains(e.Msg, "ended the transaction") {
		t.Fatalf("a query that ended its transaction: %v, want QueryRefused saying so", err)
	}
}

// FuzzReadOnlyQuery: the check never panics, and what it lets through,
// read by an independent reading of T-SQL text (stripTSQL), begins with
// SELECT or WITH, holds one statement and none of the words that write or
// control a session. The seeds that are refused hold such a word where a
// check that missed it would let them through.
func FuzzReadOnlyQuery(f *testing.F) {
	for _, s := range []string{"SELECT 1", "WITH t AS (SELECT 1) SELECT * FROM t;", "SELECT '';--x\n", "SELECT [a]]b] FROM \"c\"\"d\"",
		"/*/**/*/SELECT 1", "COMMIT; SELECT 1", "SELECT N'x'",
		"WITH d AS (SELECT 1 AS x) DELETE FROM d", "SELECT 1 --x\rDELETE FROM t", "SELECT * INTO t2 FROM t",
		"SELECT 1 /* a */ ; EXEC sp_who", "SELECT 'it''s' AS [x]", "SELECT NEXT VALUE FOR s"} {
		f.Add(s)
	}
	denied := strings.Fields(`insert update delete merge into truncate create alter drop grant revoke deny exec execute
		sp_executesql commit rollback begin save set dbcc kill backup restore shutdown reconfigure checkpoint bulk
		openrowset openquery opendatasource writetext updatetext enable disable waitfor receive send setuser revert
		declare open close deallocate`)
	f.Fuzz(func(t *testing.T, q string) {
		if readOnlyQuery(q) != nil {
			return
		}
		text, ok := stripTSQL(q)
		if !ok {
			t.Fatalf("%q let through with a literal, identifier or comment not closed", q)
		}
		statements := 0
		for _, st := range strings.Split(text, ";") {
			if strings.TrimSpace(st) != "" {
				statements++
			}
		}
		words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
			return !(r == '_' || r == '@' || r == '#' || r == '$' || r >= 0x80 || unicode.IsLetter(r) || unicode.IsDigit(r))
		})
		if statements != 1 || len(words) == 0 || (words[0] != "select" && words[0] != "with") {
			t.Fatalf("%q let through: %d statements, words %q", q, statements, words)
		}
		for i, w := range words {
			if slices.Contains(denied, w) || (w == "next" && i+2 < len(words) && words[i+1] == "value" && words[i+2] == "for") ||
				(w == "use" && (i+1 == len(words) || words[i+1] != "hint")) {
				t.Fatalf("%q let through with %q", q, w)
			}
		}
	})
}

// stripTSQL blanks the string literals, quoted identifiers and comments of
// a T-SQL text, each replaced by one space; ok is false when one is not
// closed. It is written apart from queryWords, to check it.
func stripTSQL(q string) (text string, ok bool) {
	var b strings.Builder
	r := []rune(q)
	for i := 0; i < len(r); i++ {
		switch {
		case r[i] == '\'' || r[i] == '[' || r[i] == '"':
			closer := map[rune]rune{'\'': '\'', '[': ']', '"': '"'}[r[i]]
			for i++; ; i++ {
				if i >= len(r) {
					return "", false
				}
				if r[i] == closer {
					if i+1 < len(r) && r[i+1] == closer {
						i++
						continue
					}
					break
				}
			}
			b.WriteByte(' ')
		case r[i] == '-' && i+1 < len(r) && r[i+1] == '-':
			for i < len(r) && r[i] != '\n' && r[i] != '\r' {
				i++
			}
			b.WriteByte(' ')
		case r[i] == '/' && i+1 < len(r) && r[i+1] == '*':
			depth := 0
			for ; ; i++ {
				if i+1 >= len(r) {
					return "", false
				}
				if r[i] == '/' && r[i+1] == '*' {
					depth++
					i++
				} else if r[i] == '*' && r[i+1] == '/' {
					depth--
					i++
					if depth == 0 {
						break
					}
				}
			}
			b.WriteByte(' ')
		default:
			b.WriteRune(r[i])
		}
	}
	return b.String(), true
}
