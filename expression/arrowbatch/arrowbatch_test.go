package arrowbatch_test

import (
	"bytes"
	"fmt"
	"math"
	"testing"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/expression/arrowbatch"
	"github.com/genexp/genexp/expression/synth"
)

func generated(t testing.TB, genes, samples int, missing float64) []byte {
	t.Helper()
	src, err := synth.NewMatrix(synth.MatrixSpec{Genes: genes, Samples: samples, MissingShare: missing, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := src.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func dictString(t *testing.T, col arrow.Array, i int) string {
	t.Helper()
	d := col.(*array.Dictionary)
	return d.Dictionary().(*array.String).Value(d.GetValueIndex(i))
}

func TestRecordEqualsBatch(t *testing.T) {
	data := generated(t, 60, 6, 0.1)
	names := []string{"SYN0000001", "SYN0000002", "SYN0000003", "SYN0000004", "SYN0000005", "SYN0000006"}
	cases := []struct {
		name             string
		samples, studies []string
		melter           expression.ColumnMelter
	}{
		{"one study, keep missing", names, []string{"S1", "S1", "S1", "S1", "S1", "S1"}, expression.ColumnMelter{Missing: expression.KeepMissing}},
		{"a study per column", names, []string{"A", "B", "C", "D", "E", "F"}, expression.ColumnMelter{}},
		{"two studies, a repeated sample, some columns", []string{"x", "y", "x", "z", "w", "v"}, []string{"A", "B", "A", "B", "A", "B"}, expression.ColumnMelter{Columns: []int{5, 0, 2, 3}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conv, err := arrowbatch.NewConverter(tc.samples, tc.studies)
			if err != nil {
				t.Fatal(err)
			}
			defer conv.Release()
			r, err := expression.NewReader(bytes.NewReader(data), expression.WithBatchRows(16))
			if err != nil {
				t.Fatal(err)
			}
			var lb expression.LongBatch
			total, nulls := 0, 0
			for r.Next() {
				tc.melter.Melt(&lb, r.Batch())
				rec, err := conv.Record(&lb)
				if err != nil {
					t.Fatal(err)
				}
				if !rec.Schema().Equal(arrowbatch.Schema) || rec.NumRows() != int64(lb.Len()) {
					t.Fatalf("record %v with %d rows for %d", rec.Schema(), rec.NumRows(), lb.Len())
				}
				for c := range 3 {
					d := rec.Column(c).(*array.Dictionary)
					v, err := array.NewValidatedDictionaryArray(d.DataType().(*arrow.DictionaryType), d.Indices(), d.Dictionary())
					if err != nil {
						t.Fatalf("column %d: %v", c, err)
					}
					v.Release()
				}
				values := rec.Column(3).(*array.Float64)
				// Zero copy: the record's values and gene indices are the
				// batch's own memory.
				if lb.Len() > 0 {
					if unsafe.SliceData(values.Float64Values()) != unsafe.SliceData(lb.Value) {
						t.Fatal("the value column is a copy")
					}
					idx := rec.Column(2).(*array.Dictionary).Indices().(*array.Int32).Int32Values()
					if unsafe.SliceData(idx) != unsafe.SliceData(lb.Row) {
						t.Fatal("the gene index column is a copy")
					}
				}
				for i := range lb.Len() {
					col := lb.Column[i]
					if got := dictString(t, rec.Column(0), i); got != tc.studies[col] {
						t.Fatalf("row %d: study %q, want %q", i, got, tc.studies[col])
					}
					if got := dictString(t, rec.Column(1), i); got != tc.samples[col] {
						t.Fatalf("row %d: sample %q, want %q", i, got, tc.samples[col])
					}
					if got := dictString(t, rec.Column(2), i); got != lb.Gene(i) {
						t.Fatalf("row %d: gene %q, want %q", i, got, lb.Gene(i))
					}
					v := lb.Value[i]
					if math.IsNaN(v) {
						if !values.IsNull(i) {
							t.Fatalf("row %d: missing cell is not null", i)
						}
						nulls++
					} else if values.IsNull(i) || math.Float64bits(values.Value(i)) != math.Float64bits(v) {
						t.Fatalf("row %d: value %v, want %v", i, values.Value(i), v)
					}
				}
				total += lb.Len()
				rec.Release()
			}
			if r.Err() != nil || total == 0 {
				t.Fatal(total, r.Err())
			}
			if keep := tc.melter.Missing == expression.KeepMissing; keep != (nulls > 0) {
				t.Errorf("%d nulls with policy %v", nulls, tc.melter.Missing)
			}
		})
	}
}

func TestConverterErrors(t *testing.T) {
	if _, err := arrowbatch.NewConverter([]string{"a"}, nil); err == nil {
		t.Error("mismatched lengths accepted")
	}
	if _, err := arrowbatch.NewConverter(nil, nil); err == nil {
		t.Error("no columns accepted")
	}
	conv, _ := arrowbatch.NewConverter([]string{"a"}, []string{"s"})
	defer conv.Release()
	if _, err := conv.Record(&expression.LongBatch{Value: []float64{1}}); err == nil {
		t.Error("a batch without rows and columns accepted")
	}
}

// BenchmarkRecord measures the hand-off of one 1M-cell batch: what a sink
// pays to see a LongBatch as Arrow.
func BenchmarkRecord(b *testing.B) {
	data := generated(b, 2000, 500, 0.01)
	r, err := expression.NewReader(bytes.NewReader(data))
	if err != nil || !r.Next() {
		b.Fatal(err, r.Err())
	}
	names := r.Header().Names
	for _, tc := range []struct {
		name   string
		policy expression.MissingPolicy
	}{{"skip missing", expression.SkipMissing}, {"keep missing as null", expression.KeepMissing}} {
		b.Run(tc.name, func(b *testing.B) {
			var lb expression.LongBatch
			expression.ColumnMelter{Missing: tc.policy}.Melt(&lb, r.Batch())
			studies := make([]string, len(names))
			for i := range studies {
				studies[i] = "GSE1"
			}
			conv, err := arrowbatch.NewConverter(names, studies)
			if err != nil {
				b.Fatal(err)
			}
			defer conv.Release()
			b.ReportAllocs()
			for b.Loop() {
				rec, err := conv.Record(&lb)
				if err != nil {
					b.Fatal(err)
				}
				rec.Release()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(lb.Len()), "ns/cell")
			b.ReportMetric(float64(lb.Len()), "cells/batch")
		})
	}
}

func ExampleConverter() {
	matrix := "Gene\tGSM1\tGSM2\nENSG01\t1.5\tNA\nENSG02\t0.25\t3\n"
	r, _ := expression.NewReader(bytes.NewReader([]byte(matrix)))
	conv, _ := arrowbatch.NewConverter(r.Header().Names, []string{"GSE9", "GSE9"})
	defer conv.Release()
	var lb expression.LongBatch
	for r.Next() {
		expression.ColumnMelter{Missing: expression.KeepMissing}.Melt(&lb, r.Batch())
		rec, _ := conv.Record(&lb)
		fmt.Println(rec.NumRows(), "rows:", rec.Schema().Field(3).Name, rec.Column(3))
		rec.Release()
	}
	// Output: 4 rows: value [1.5 (null) 0.25 3]
}
