package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"

	duckdbdrv "github.com/duckdb/duckdb-go/v2"

	"github.com/genexp/genexp/expression"
)

// stageFunction is the table function through which a batch hands its long
// rows to DuckDB. The batch stages each LongBatch with
//
//	INSERT INTO temp.main.load_values … SELECT … FROM genexp_stage_values(token)
//
// and DuckDB pulls the rows vector by vector straight out of the
// expression.LongBatch: no per-value boxing as with the appender's
// AppendRow, and DuckDB inserts a whole batch as one set.
const stageFunction = "genexp_stage_values"

// stageSources maps a token (the table function's argument) to the rows
// being staged. It is package-wide because a DuckDB table function is
// registered per database instance, not per Warehouse value.
var (
	stageSources sync.Map // int64 → *stageSource
	stageTokens  atomic.Int64
)

// stageSource is the LongBatch one WriteRows call is staging.
type stageSource struct {
	rows *expression.LongBatch
}

// registerStageFunction makes genexp_stage_values known to the database
// behind conn. Registering is idempotent: a database that has it already
// (another Warehouse over the same *sql.DB) is left as it is.
func registerStageFunction(ctx context.Context, conn *sql.Conn) error {
	var n int
	err := conn.QueryRowContext(ctx, stmtStageFunctionExists).Scan(&n)
	if err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	bigint, err := duckdbdrv.NewTypeInfo(duckdbdrv.TYPE_BIGINT)
	if err != nil {
		return err
	}
	return duckdbdrv.RegisterTableUDF(conn, stageFunction, duckdbdrv.ChunkTableFunction{
		Config:        duckdbdrv.TableFunctionConfig{Arguments: []duckdbdrv.TypeInfo{bigint}},
		BindArguments: bindStageValues,
	})
}

func bindStageValues(_ map[string]any, args ...any) (duckdbdrv.ChunkTableSource, error) {
	token, ok := args[0].(int64)
	if !ok {
		return nil, fmt.Errorf("%s: the argument must be a BIGINT token", stageFunction)
	}
	v, ok := stageSources.Load(token)
	if !ok {
		return nil, fmt.Errorf("%s: no rows are being staged under token %d", stageFunction, token)
	}
	return &stageCursor{rows: v.(*stageSource).rows}, nil
}

// stageCursor walks one LongBatch for one statement.
type stageCursor struct {
	rows *expression.LongBatch
	next int
}

var stageColumns = func() []duckdbdrv.ColumnInfo {
	mk := func(name string, t duckdbdrv.Type) duckdbdrv.ColumnInfo {
		ti, err := duckdbdrv.NewTypeInfo(t)
		if err != nil {
			panic("duckdb: building the staging column types: " + err.Error())
		}
		return duckdbdrv.ColumnInfo{Name: name, T: ti}
	}
	return []duckdbdrv.ColumnInfo{
		mk("cell", duckdbdrv.TYPE_BIGINT),
		mk("expression_value", duckdbdrv.TYPE_DOUBLE),
	}
}()

func (c *stageCursor) ColumnInfos() []duckdbdrv.ColumnInfo { return stageColumns }

func (c *stageCursor) Cardinality() *duckdbdrv.CardinalityInfo {
	return &duckdbdrv.CardinalityInfo{Cardinality: uint(len(c.rows.Value)), Exact: true}
}

func (c *stageCursor) Init() {}

// cellColumnBits is how far a staged cell's line is shifted left of its
// column in temp.main.load_values (see stmtCreateStageValues); cellColumn
// and cellLine are the SQL that unpacks a staged cell v.cell again
// (TestCellSQLUnpacks holds them to cellColumnBits).
const (
	cellColumnBits = 24
	cellColumn     = "(v.cell & 16777215)"
	cellLine       = "(v.cell >> 24)"
)

// maxCellLine bounds the line of a staged cell, so that line × 2^24 fits a
// BIGINT.
const maxCellLine = 1<<(63-cellColumnBits) - 1

// FillChunk copies the next vector's worth of rows. A NaN value (a missing
// cell kept under the keep policy) becomes SQL NULL.
func (c *stageCursor) FillChunk(chunk duckdbdrv.DataChunk) error {
	lb := c.rows
	n := min(duckdbdrv.GetDataChunkCapacity(), len(lb.Value)-c.next)
	for i := 0; i < n; i++ {
		k := c.next + i
		cell := lb.GeneLines[lb.Row[k]]<<cellColumnBits | int64(lb.Column[k])
		if err := duckdbdrv.SetChunkValue(chunk, 0, i, cell); err != nil {
			return err
		}
		v := lb.Value[k]
		var err error
		if v != v {
			err = duckdbdrv.SetChunkValue[any](chunk, 1, i, nil)
		} else {
			err = duckdbdrv.SetChunkValue(chunk, 1, i, v)
		}
		if err != nil {
			return err
		}
	}
	c.next += n
	return chunk.SetSize(n)
}

// registerStage registers genexp_stage_values once per Warehouse.
func (w *Warehouse) registerStage(ctx context.Context, conn *sql.Conn) error {
	w.stageMu.Lock()
	defer w.stageMu.Unlock()
	if w.stageRegistered {
		return nil
	}
	if err := registerStageFunction(ctx, conn); err != nil {
		return classify(err, "duckdb: registering "+stageFunction)
	}
	w.stageRegistered = true
	return nil
}
