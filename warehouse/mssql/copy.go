package mssql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	mssqldrv "github.com/microsoft/go-mssqldb"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/qc"
)

// preparer is a *sql.Conn or a *sql.Tx.
type preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// copyIn sends n rows to spec's table with one mssql.CopyIn: the rows
// stream to the server as they are encoded (the driver holds one TDS packet,
// not the batch), and the server applies them as one batch when the copy
// ends. fill writes row i into dst (len(spec.columns)) and returns it.
//
// connOK reports whether the connection is still usable after an error: an
// error the server returns at the end of the copy leaves it usable, while
// an error in the middle leaves a half-sent bulk load on the wire.
func copyIn(ctx context.Context, p preparer, spec copySpec, n int, fill func(i int, dst []any) []any) (written int64, connOK bool, err error) {
	if n == 0 {
		return 0, true, nil
	}
	row := make([]any, len(spec.columns))
	if err := spec.fits(n, func(i int) []any { return fill(i, row) }); err != nil {
		return 0, true, err
	}
	stmt, err := p.PrepareContext(ctx, spec.stmt())
	if err != nil {
		// go-mssqldb prepares a copy without a round trip.
		return 0, true, err
	}
	defer stmt.Close()
	for i := 0; i < n; i++ {
		if _, err := stmt.ExecContext(ctx, fill(i, row)...); err != nil {
			// Before the first row is sent nothing is on the wire: the
			// first row sends INSERT BULK (a server error there leaves the
			// session clean), and database/sql refuses a cancelled context
			// before calling the driver.
			clean := serverAnswered(err) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
			return 0, i == 0 && clean, err
		}
	}
	res, err := stmt.ExecContext(ctx)
	if err != nil {
		return 0, serverAnswered(err), err
	}
	written, err = res.RowsAffected()
	return written, err == nil, err
}

// serverAnswered reports whether err is an error the server returned on a
// session it keeps: an mssql.Error, but not one inside a ServerError,
// which go-mssqldb returns for a fatal error after which it has marked
// the connection bad (ServerError unwraps to the mssql.Error it holds).
func serverAnswered(err error) bool {
	var me mssqldrv.Error
	return errors.As(err, &me) && !errors.As(err, new(mssqldrv.ServerError))
}

// cellBuffer holds the cells and gene lines of one bulk copy. Its size is
// fixed by the chunk size, so a load's memory does not grow with the file.
type cellBuffer struct {
	limit int
	// One entry per cell.
	lines   []int64
	columns []int32
	values  []float64
	// One entry per gene line.
	geneLines []int64
	genes     []string
}

func newCellBuffer(limit int) *cellBuffer {
	return &cellBuffer{limit: limit}
}

func (c *cellBuffer) len() int { return len(c.values) }

func (c *cellBuffer) reset() {
	c.lines, c.columns, c.values = c.lines[:0], c.columns[:0], c.values[:0]
	c.geneLines, c.genes = c.geneLines[:0], c.genes[:0]
}

// add copies lb into the buffer, calling flush each time the buffer holds
// limit cells; flush must empty it. lb's storage is reused by the caller,
// so nothing of it is kept.
func (c *cellBuffer) add(lb *expression.LongBatch, flush func() error) error {
	if c.values == nil {
		// Allocate once, at first use, so that an empty load costs nothing.
		n := min(c.limit, max(lb.Len(), 1))
		c.lines, c.columns, c.values = make([]int64, 0, n), make([]int32, 0, n), make([]float64, 0, n)
	}
	c.geneLines = append(c.geneLines, lb.GeneLines...)
	c.genes = append(c.genes, lb.Genes...)
	for i, v := range lb.Value {
		c.lines = append(c.lines, lb.GeneLines[lb.Row[i]])
		c.columns = append(c.columns, lb.Column[i])
		c.values = append(c.values, v)
		if len(c.values) >= c.limit {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// fits checks, before anything is sent, that every text value of the n
// rows fits its column. The server would refuse a wider value only when the
// copy ends, with an error that names no column (4815), and go-mssqldb
// panics encoding a value of more than 32,767 UTF-16 units for an
// NVARCHAR(n) column; a value the warehouse cannot hold is the caller's
// data error (code 4004), naming the table, the column and the row.
func (c copySpec) fits(n int, row func(i int) []any) error {
	type bound struct{ col, width int }
	var bounds []bound
	key := -1
	for i, name := range c.columns {
		if w := c.widths[name]; w > 0 {
			bounds = append(bounds, bound{i, w})
		}
		if name == c.key {
			key = i
		}
	}
	if len(bounds) == 0 {
		return nil
	}
	for i := 0; i < n; i++ {
		r := row(i)
		for _, b := range bounds {
			s, ok := r[b.col].(string)
			if !ok || len(s) <= b.width {
				continue // len(s) bytes are at least as many code units
			}
			if units := utf16Len(s); units > b.width {
				where := ""
				if key >= 0 {
					where = fmt.Sprintf(" of %s %v", c.key, r[key])
				}
				return qc.Errorf(qc.ConstraintViolation,
					"mssql: %s%s is %d characters (UTF-16 units), wider than %s.%s, NVARCHAR(%d) on SQL Server",
					c.columns[b.col], where, units, c.table, c.columns[b.col], b.width)
			}
		}
	}
	return nil
}
