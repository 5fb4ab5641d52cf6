package mssql

import (
	"context"
	"database/sql"
	"math"
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
	if err := w.usable(); err != nil {
		return 0, err
	}
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
				return clearLoad(ctx, conn, k)
			})
		})
		if err != nil {
			return i, w.wrap(err, "mssql: removing the staging rows of a dead load")
		}
	}
	return len(dead), nil
}

// clearWindowCells is about how many staged cells one statement of
// clearLoad deletes. A delete from a columnstore logs and marks every row
// it deletes, about as much work as writing it: the cells of a large load
// (120M of a 60,000-gene, 2,000-sample study) take minutes, and one
// statement cut short by a deadline or a lost connection rolls all of
// them back. In windows, each committed on its own, a cut undoes one
// window, and the next attempt (Abort's second session, the next load's
// Begin, CleanStaging) goes on from where it stopped.
const clearWindowCells = 1 << 20

// stagingExecer is what clearLoad needs of a session.
type stagingExecer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// clearLoad deletes a load's staging rows: its cells window by window of
// lines (cellWindow), then the rest with stmtClearLoad. It must run
// outside a transaction for the windows to commit one by one.
func clearLoad(ctx context.Context, conn stagingExecer, key int64) error {
	var lo, hi sql.NullInt64
	var n int64
	if err := conn.QueryRowContext(ctx, stmtStagedLines, key).Scan(&lo, &hi, &n); err != nil {
		return err
	}
	if step, ok := cellWindow(lo, hi, n); ok {
		for from := lo.Int64; from <= hi.Int64; from += step {
			if _, err := conn.ExecContext(ctx, stmtClearCells, key, from, from+step); err != nil {
				return err
			}
		}
	}
	_, err := conn.ExecContext(ctx, stmtClearLoad, key)
	return err
}

// cellWindow is how many lines of [lo, hi] one window of clearLoad covers
// so that n cells spread over them take windows of about
// clearWindowCells: all of them in one window when they fit, and at least
// one line a window however wide a line is. It reports false, and
// clearLoad then deletes the cells in one statement, when there are none
// or their lines are not the positive numbers a matrix's are, and so
// large that the windows' bounds could overflow (a program's own rows
// may number lines as they like).
func cellWindow(lo, hi sql.NullInt64, n int64) (int64, bool) {
	if !lo.Valid || !hi.Valid || lo.Int64 < 1 || hi.Int64 < lo.Int64 || hi.Int64 > math.MaxInt64/2 {
		return 0, false
	}
	lines := hi.Int64 - lo.Int64 + 1
	windows := (n + clearWindowCells - 1) / clearWindowCells
	if lines <= 1 || windows <= 1 {
		return lines, true
	}
	return max((lines+windows-1)/windows, 1), true
}
