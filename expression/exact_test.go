package expression_test

import (
	"encoding/csv"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/genexp/genexp/expression"
)

// refMatrix parses a matrix independently of package expression, with
// encoding/csv and strconv.ParseFloat.
type refMatrix struct {
	header []string
	genes  []string
	values [][]float64
}

func parseRef(t *testing.T, path string) *refMatrix {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.Comma = '\t'
	cr.LazyQuotes = true
	m := &refMatrix{}
	if m.header, err = cr.Read(); err != nil {
		t.Fatal(err)
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return m
		}
		if err != nil {
			t.Fatal(err)
		}
		row := make([]float64, len(rec)-1)
		for i, cell := range rec[1:] {
			if row[i], err = strconv.ParseFloat(cell, 64); err != nil {
				t.Fatalf("%s: reference parse of %q: %v", path, cell, err)
			}
		}
		m.genes = append(m.genes, rec[0])
		m.values = append(m.values, row)
	}
}

// originalsEnv names the folder holding the full refine.bio downloads the
// trimmed copies in testdata come from, when they are not found beside the
// checkout.
const originalsEnv = "GENEXP_REFINEBIO_ORIGINALS"

// findOriginals returns the folder of the full downloads: $GENEXP_REFINEBIO_ORIGINALS,
// else shared/data/refinebio in the module root's parent or a folder above
// it; "" when there is none.
func findOriginals(t *testing.T) string {
	if dir := os.Getenv(originalsEnv); dir != "" {
		if _, err := os.Stat(dir); err != nil {
			t.Fatalf("%s=%s: %v", originalsEnv, dir, err)
		}
		return dir
	}
	root, err := filepath.Abs("..") // the module root: this package's parent
	if err != nil {
		t.Fatal(err)
	}
	for dir := filepath.Dir(root); ; dir = filepath.Dir(dir) {
		candidate := filepath.Join(dir, "shared", "data", "refinebio")
		if info, err := os.Stat(candidate); err == nil && info.IsDir() {
			return candidate
		}
		if filepath.Dir(dir) == dir {
			return ""
		}
	}
}

// studyMatrices keeps the paths that are a study's matrix: named like
// their folder.
func studyMatrices(paths []string) []string {
	var out []string
	for _, p := range paths {
		if base := filepath.Base(p); base[:len(base)-4] == filepath.Base(filepath.Dir(p)) {
			out = append(out, p)
		}
	}
	return out
}

// TestRealMatricesExact reads every real matrix with the Reader and compares
// every cell, bit for bit, with the independent parse: the trimmed copies
// in testdata always, the full downloads they come from when present.
func TestRealMatricesExact(t *testing.T) {
	paths, _ := filepath.Glob("../testdata/refinebio/*/*/*.tsv")
	trimmed := studyMatrices(paths)
	if len(trimmed) < 3 {
		t.Fatalf("found only %d trimmed matrices in testdata", len(trimmed))
	}
	t.Run("trimmed", func(t *testing.T) { checkExact(t, trimmed) })
	t.Run("originals", func(t *testing.T) {
		dir := findOriginals(t)
		if dir == "" {
			t.Skipf("NOT CHECKED: the full downloads were not found (set %s to the folder holding GSE71270/GSE71270/GSE71270.tsv and the others)", originalsEnv)
		}
		full, _ := filepath.Glob(filepath.Join(dir, "*", "*", "*.tsv"))
		full = studyMatrices(full)
		if len(full) < 3 {
			t.Fatalf("%s holds only %d study matrices, want the 3 the trimmed copies come from", dir, len(full))
		}
		t.Logf("checking the %d full matrices in %s", len(full), dir)
		checkExact(t, full)
	})
}

func checkExact(t *testing.T, matrices []string) {
	for _, p := range matrices {
		t.Run(p, func(t *testing.T) {
			want := parseRef(t, p)
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			// Small batches and buffer, so rows straddle both.
			r, err := expression.NewReader(f, expression.WithName(p), expression.WithBatchRows(7), expression.WithBufferSize(4096))
			if err != nil {
				t.Fatal(err)
			}
			h := r.Header()
			if h.GeneColumn != want.header[0] || len(h.Names) != len(want.header)-1 {
				t.Fatalf("header %q + %d names, want %q + %d", h.GeneColumn, len(h.Names), want.header[0], len(want.header)-1)
			}
			for i, n := range h.Names {
				if n != want.header[i+1] {
					t.Fatalf("column %d is %q, want %q", i+2, n, want.header[i+1])
				}
			}
			row := 0
			cells := 0
			for r.Next() {
				b := r.Batch()
				for i, g := range b.Genes {
					if g != want.genes[row] {
						t.Fatalf("row %d: gene %q, want %q", row, g, want.genes[row])
					}
					if b.Lines[i] != int64(row+2) {
						t.Fatalf("row %d: line %d, want %d", row, b.Lines[i], row+2)
					}
					for c, v := range b.Row(i) {
						if math.Float64bits(v) != math.Float64bits(want.values[row][c]) {
							t.Fatalf("%s column %q: %v (%#x), want %v (%#x)", g, h.Names[c], v, math.Float64bits(v), want.values[row][c], math.Float64bits(want.values[row][c]))
						}
						cells++
					}
					row++
				}
			}
			if err := r.Err(); err != nil {
				t.Fatal(err)
			}
			if row != len(want.genes) || cells != len(want.genes)*len(h.Names) {
				t.Fatalf("read %d rows and %d cells, want %d rows", row, cells, len(want.genes))
			}
			t.Logf("%d rows, %d cells equal", row, cells)
		})
	}
}
