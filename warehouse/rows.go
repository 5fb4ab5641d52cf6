package warehouse

import (
	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/qc"
)

// RowsChecker checks, in order, the batches of long rows one Batch is
// given, before a backend stages them. Its zero value is ready to use.
//
// Backends place a cell's gene by its line: a line names one gene of the
// matrix for the whole load. So the lines of a load must strictly increase,
// within each batch and from one batch to the next, as a matrix's lines
// do; two genes on one line would shift every later cell onto another
// gene. A batch that breaks this, or whose slices do not describe one
// another, fails with qc.ConstraintViolation before anything is staged.
type RowsChecker struct {
	last int64
	seen bool
}

// Check checks one batch, and remembers its last gene line for the next.
func (c *RowsChecker) Check(rows *expression.LongBatch) error {
	if rows == nil {
		return qc.Errorf(qc.ConstraintViolation, "warehouse: a rows request without rows")
	}
	if len(rows.GeneLines) != len(rows.Genes) || len(rows.Row) != len(rows.Value) || len(rows.Column) != len(rows.Value) {
		return qc.Errorf(qc.ConstraintViolation, "warehouse: malformed LongBatch: %d genes, %d lines, %d rows, %d columns, %d values",
			len(rows.Genes), len(rows.GeneLines), len(rows.Row), len(rows.Column), len(rows.Value))
	}
	genes := int32(len(rows.Genes))
	for i, r := range rows.Row {
		if r < 0 || r >= genes {
			return qc.Errorf(qc.ConstraintViolation, "warehouse: row %d refers to gene %d of a batch of %d", i, r, genes)
		}
	}
	last, seen := c.last, c.seen
	for i, l := range rows.GeneLines {
		if seen && l <= last {
			return qc.Errorf(qc.ConstraintViolation, "warehouse: gene %q is on line %d, after line %d: a load's gene lines must strictly increase (a line names one gene)", rows.Genes[i], l, last)
		}
		last, seen = l, true
	}
	c.last, c.seen = last, seen
	return nil
}
