package main

import (
	"context"
	"encoding/csv"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// cellsOf reads a matrix with encoding/csv: column name → gene → value.
func cellsOf(t *testing.T, path string) map[string]map[string]float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = '\t'
	r.LazyQuotes = true
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]float64{}
	for _, rec := range recs[1:] {
		for i, cell := range rec[1:] {
			v, err := strconv.ParseFloat(cell, 64)
			if err != nil {
				t.Fatal(err)
			}
			col := recs[0][i+1]
			if out[col] == nil {
				out[col] = map[string]float64{}
			}
			out[col][rec[0]] = v
		}
	}
	return out
}

// rowsOf collects the written rows: study|sample|gene → value.
func rowsOf(t *testing.T, recs []arrow.RecordBatch) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	str := func(a arrow.Array, i int) string {
		d := a.(*array.Dictionary)
		return d.Dictionary().(*array.String).Value(d.GetValueIndex(i))
	}
	for _, rec := range recs {
		vals := rec.Column(3).(*array.Float64)
		for i := range int(rec.NumRows()) {
			key := str(rec.Column(0), i) + "|" + str(rec.Column(1), i) + "|" + str(rec.Column(2), i)
			if _, dup := out[key]; dup {
				t.Fatalf("row %s written twice", key)
			}
			out[key] = vals.Value(i)
		}
	}
	return out
}

func TestConvert(t *testing.T) {
	cases := []struct {
		name, download, matrix, format, study string
		// sampleOf maps a matrix column name to the sample accession the
		// output must show.
		sampleOf func(col string) string
	}{
		{"parquet, accession columns", "../../testdata/refinebio/GSE71270", "../../testdata/refinebio/GSE71270/GSE71270/GSE71270.tsv", "parquet", "GSE71270",
			func(col string) string { return col }},
		{"ipc stream, title columns from a zip", "../../testdata/refinebio/E-GEOD-39842.zip", "../../testdata/refinebio/E-GEOD-39842/E-GEOD-39842/E-GEOD-39842.tsv", "ipc", "E-GEOD-39842",
			nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out."+tc.format)
			var log strings.Builder
			n, err := convert(tc.download, out, tc.format, false, &log)
			if err != nil {
				t.Fatal(err)
			}
			var recs []arrow.RecordBatch
			f, err := os.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if tc.format == "parquet" {
				tbl, err := pqarrow.ReadTable(context.Background(), f, nil, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
				if err != nil {
					t.Fatal(err)
				}
				defer tbl.Release()
				tr := array.NewTableReader(tbl, 0)
				defer tr.Release()
				for tr.Next() {
					rec := tr.RecordBatch()
					rec.Retain()
					recs = append(recs, rec)
				}
			} else {
				r, err := ipc.NewReader(f)
				if err != nil {
					t.Fatal(err)
				}
				defer r.Release()
				for r.Next() {
					rec := r.RecordBatch()
					rec.Retain()
					recs = append(recs, rec)
				}
				if r.Err() != nil && r.Err() != io.EOF {
					t.Fatal(r.Err())
				}
			}
			got := rowsOf(t, recs)
			for _, r := range recs {
				r.Release()
			}
			want := cellsOf(t, tc.matrix)
			total := 0
			for col, genes := range want {
				sample := col
				if tc.sampleOf == nil {
					sample = "" // titles: find the accession by value below
				}
				for gene, v := range genes {
					total++
					if sample != "" {
						g, ok := got[tc.study+"|"+sample+"|"+gene]
						if !ok || math.Float64bits(g) != math.Float64bits(v) {
							t.Fatalf("%s %s: %v (%v), want %v", sample, gene, g, ok, v)
						}
					}
				}
			}
			if int(n) != total || len(got) != total {
				t.Fatalf("wrote %d rows, read back %d, the matrix has %d cells", n, len(got), total)
			}
			if tc.sampleOf == nil {
				for key := range got {
					if parts := strings.Split(key, "|"); parts[0] != tc.study || !strings.HasPrefix(parts[1], "E-GEOD-39842-GSM") {
						t.Fatalf("row %s: the title column was not mapped to a sample accession", key)
					}
				}
			}
			if log.Len() > 0 {
				t.Errorf("warnings: %s", log.String())
			}
		})
	}
}

func TestConvertFailsCleanly(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.parquet")
	if _, err := convert("../../testdata/refinebio/GSE71270", out, "csv", false, io.Discard); err == nil {
		t.Fatal("unknown format accepted")
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatal("a failed conversion left its output behind")
	}
}
