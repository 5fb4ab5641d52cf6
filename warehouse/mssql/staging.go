package mssql

import (
	"context"
	"database/sql"
)

// CleanStaging removes the staging rows of loads that died (their process
// was killed, or their connection dropped, before Commit or Abort). Every
// Begin does this too; CleanStaging is for a warehouse that no one loads
// for a while. It returns how many loads it removed.
//
// A live load is told apart from a dead one by its session lock
// (sp_getapplock, owned by the loading session): SQL Server frees the lock
// when the session ends, however it ends.
func (w *Warehouse) CleanStaging(ctx context.Context) (int, error) {
	n, err := w.cleanStale(ctx, 0)
	return n, w.wrap(err, "mssql: cleaning staging")
}

// cleanStale removes the staging rows of every dead load but own (0: none
// is own; load keys start at 1). It runs on the pool: it need not share a
// load's session, and each retry may take a fresh connection.
func (w *Warehouse) cleanStale(ctx context.Context, own int64) (int, error) {
	var dead []int64
	err := w.retry(ctx, opIdempotent, func(ctx context.Context) error {
		dead = dead[:0]
		rows, err := w.db.QueryContext(ctx, stmtStaleLoads, own)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k int64
			if err := rows.Scan(&k); err != nil {
				return err
			}
			dead = append(dead, k)
		}
		return rows.Err()
	})
	if err != nil {
		return 0, w.wrap(err, "mssql: finding dead loads")
	}
	for i, k := range dead {
		// Deleting a dead load's rows is idempotent: repeat it freely.
		err := w.retry(ctx, opIdempotent, func(ctx context.Context) error {
			return w.inSession(ctx, func(conn *sql.Conn) error {
				_, err := conn.ExecContext(ctx, stmtClearLoad, k)
				return err
			})
		})
		if err != nil {
			return i, w.wrap(err, "mssql: removing the staging rows of a dead load")
		}
	}
	return len(dead), nil
}
