//go:build duckdb_arrow

package main

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/expression/arrowbatch"
	"github.com/genexp/genexp/expression/synth"
)

// matrixRecords is an array.RecordReader over a matrix: each Next reads,
// melts and converts one batch. Every batch gets a LongBatch of its own
// rather than reusing one, because DuckDB may hold several records at once.
type matrixRecords struct {
	refs int64
	r    *expression.Reader
	conv *arrowbatch.Converter
	cur  arrow.RecordBatch
	err  error
	rows int64
}

func (m *matrixRecords) Retain()                        { atomic.AddInt64(&m.refs, 1) }
func (m *matrixRecords) Release()                       { atomic.AddInt64(&m.refs, -1) }
func (m *matrixRecords) Schema() *arrow.Schema          { return arrowbatch.Schema }
func (m *matrixRecords) Record() arrow.Record           { return m.cur }
func (m *matrixRecords) RecordBatch() arrow.RecordBatch { return m.cur }
func (m *matrixRecords) Err() error                     { return m.err }

func (m *matrixRecords) Next() bool {
	if m.cur != nil {
		m.cur.Release()
		m.cur = nil
	}
	if !m.r.Next() {
		m.err = m.r.Err()
		return false
	}
	lb := new(expression.LongBatch)
	expression.ColumnMelter{}.Melt(lb, m.r.Batch())
	m.cur, m.err = m.conv.Record(lb)
	m.rows += int64(lb.Len())
	return m.err == nil
}

// BenchmarkArrowIntoDuckDB measures how fast long rows reach a DuckDB table
// through DuckDB's Arrow scan (read, melt, convert, INSERT … SELECT from the
// registered stream) — a measure for warehouse backends choosing between
// appenders and Arrow. It needs DuckDB's Arrow interface:
//
//	go test -tags duckdb_arrow ./examples/arrow -run '^$' -bench ArrowIntoDuckDB
func BenchmarkArrowIntoDuckDB(b *testing.B) {
	const genes, samples = 20_000, 500
	src, err := synth.NewMatrix(synth.MatrixSpec{Genes: genes, Samples: samples, MissingShare: 0.01, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	var matrix bytes.Buffer
	src.WriteTo(&matrix)
	want := src.Stats().Cells - src.Stats().Missing
	studies := make([]string, samples)
	for i := range studies {
		studies[i] = "GSE1"
	}
	ctx := context.Background()
	var rows int64
	for b.Loop() {
		c, err := duckdb.NewConnector(filepath.Join(b.TempDir(), "w.duckdb"), nil)
		if err != nil {
			b.Fatal(err)
		}
		db := sql.OpenDB(c)
		conn, err := db.Conn(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := conn.ExecContext(ctx, "CREATE TABLE facts (study VARCHAR, sample VARCHAR, gene VARCHAR, value DOUBLE)"); err != nil {
			b.Fatal(err)
		}
		r, err := expression.NewReader(bytes.NewReader(matrix.Bytes()))
		if err != nil {
			b.Fatal(err)
		}
		conv, err := arrowbatch.NewConverter(r.Header().Names, studies)
		if err != nil {
			b.Fatal(err)
		}
		recs := &matrixRecords{r: r, conv: conv}
		err = conn.Raw(func(dc any) error {
			ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
			if err != nil {
				return err
			}
			release, err := ar.RegisterView(recs, "batches")
			if err != nil {
				return err
			}
			defer release()
			_, err = dc.(driver.ExecerContext).ExecContext(ctx, "INSERT INTO facts SELECT * FROM batches", nil)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM facts WHERE value IS NOT NULL").Scan(&rows); err != nil {
			b.Fatal(err)
		}
		if rows != want || recs.rows != want {
			b.Fatalf("%d rows in the table, %d streamed, want %d", rows, recs.rows, want)
		}
		conv.Release()
		conn.Close()
		db.Close()
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
