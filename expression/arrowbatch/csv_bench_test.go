package arrowbatch_test

import (
	"bytes"
	"crypto/sha256"
	"io"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/csv"

	"github.com/genexp/genexp/expression"
)

// The two benchmarks below parse the same 20,000 × 500 matrix (10M cells)
// and hash its bytes: one with arrow/csv into Arrow arrays, one with
// expression.Reader (melting too). They are why the reader does not use
// Arrow. Run: go test ./expression/arrowbatch -run '^$' -bench Parse -cpu 1

var benchData []byte

func benchMatrix(b *testing.B) []byte {
	if benchData == nil {
		benchData = generated(b, 20_000, 500, 0.01)
	}
	return benchData
}

func BenchmarkParseArrowCSV(b *testing.B) {
	data := benchMatrix(b)
	fields := []arrow.Field{{Name: "Gene", Type: arrow.BinaryTypes.String}}
	header, _, _ := bytes.Cut(data, []byte("\n"))
	for _, name := range bytes.Split(header, []byte("\t"))[1:] {
		fields = append(fields, arrow.Field{Name: string(name), Type: arrow.PrimitiveTypes.Float64, Nullable: true})
	}
	schema := arrow.NewSchema(fields, nil)
	b.SetBytes(int64(len(data)))
	var cells int64
	for b.Loop() {
		h := sha256.New()
		r := csv.NewReader(io.TeeReader(bytes.NewReader(data), h), schema, csv.WithComma('\t'), csv.WithHeader(true),
			csv.WithChunk(2000), csv.WithNullReader(true, "NA"))
		cells = 0
		for r.Next() {
			rec := r.RecordBatch()
			cells += rec.NumRows() * (rec.NumCols() - 1)
		}
		if err := r.Err(); err != nil {
			b.Fatal(err)
		}
		r.Release()
		h.Sum(nil)
	}
	b.ReportMetric(float64(cells)*float64(b.N)/b.Elapsed().Seconds(), "cells/s")
}

func BenchmarkParseReader(b *testing.B) {
	data := benchMatrix(b)
	b.SetBytes(int64(len(data)))
	var cells int64
	var lb expression.LongBatch
	for b.Loop() {
		r, err := expression.NewReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		for r.Next() {
			expression.ColumnMelter{}.Melt(&lb, r.Batch())
		}
		if err := r.Err(); err != nil {
			b.Fatal(err)
		}
		cells = r.Stats().Cells
	}
	b.ReportMetric(float64(cells)*float64(b.N)/b.Elapsed().Seconds(), "cells/s")
}
