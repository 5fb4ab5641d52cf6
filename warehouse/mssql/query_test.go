package mssql

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"

	mssqldrv "github.com/microsoft/go-mssqldb"

	"github.com/genexp/genexp/qc"
)

// TestReadQueryAlwaysRollsBack: a query runs inside a transaction that is
// rolled back, never committed, whether it succeeds, the server refuses
// it, or reading its rows fails; the server's complaint about the
// statement is QueryRefused, a deadlock stays WarehouseBusy.
func TestReadQueryAlwaysRollsBack(t *testing.T) {
	const query = "DELETE FROM dbo.fact_gene_expression; SELECT 1"
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
			if got, want := s.names(), []string{"BEGIN", "schema_version_read", "ROLLBACK"}; !slices.Equal(got, want) {
				t.Errorf("statements %v, want %v", got, want)
			}
			if c := s.callsOf("schema_version_read"); len(c) != 1 || !c[0].inTx {
				t.Errorf("the query ran outside the transaction: %+v", c)
			}
		})
	}
}
