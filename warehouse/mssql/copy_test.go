package mssql

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"testing"

	mssqldrv "github.com/microsoft/go-mssqldb"
)

func TestCellBufferFlushesAtTheLimit(t *testing.T) {
	tests := []struct {
		name          string
		limit, genes  int
		samples, rows int
		want          []int // cells per flush, the last at the end
	}{
		{"exact multiple", 6, 4, 3, 2, []int{6, 6}},
		{"splits a batch", 5, 4, 3, 2, []int{5, 5, 2}},
		{"one cell per copy", 1, 2, 2, 1, []int{1, 1, 1, 1}},
		{"larger than the file", 100, 3, 3, 2, []int{9}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := newMatrix(tc.genes, tc.samples)
			c := newCellBuffer(tc.limit)
			var sizes []int
			var cells [][3]float64
			var genes []int64
			flush := func() error {
				sizes = append(sizes, c.len())
				for i := range c.values {
					cells = append(cells, [3]float64{float64(c.lines[i]), float64(c.columns[i]), c.values[i]})
				}
				genes = append(genes, c.geneLines...)
				if c.len() > tc.limit || cap(c.values) > max(tc.limit, tc.samples*tc.rows) {
					t.Fatalf("buffer holds %d cells (capacity %d) with limit %d", c.len(), cap(c.values), tc.limit)
				}
				c.reset()
				return nil
			}
			for _, lb := range m.batches(tc.rows) {
				if err := c.add(lb, flush); err != nil {
					t.Fatal(err)
				}
				// The caller reuses its batch: the buffer must have copied it.
				for i := range lb.Value {
					lb.Value[i], lb.GeneLines[lb.Row[i]] = -1, -1
				}
			}
			if c.len() > 0 {
				flush()
			}
			if !slices.Equal(sizes, tc.want) {
				t.Fatalf("flushes of %v cells, want %v", sizes, tc.want)
			}
			i := 0
			for g := range m.genes {
				for s, v := range m.values[g] {
					if cells[i] != [3]float64{float64(g + 2), float64(s), v} {
						t.Fatalf("cell %d = %v, want line %d column %d value %v", i, cells[i], g+2, s, v)
					}
					i++
				}
			}
			if len(genes) != tc.genes {
				t.Fatalf("gene lines flushed %v, want %d", genes, tc.genes)
			}
		})
	}
}

func TestCellBufferStopsOnFlushError(t *testing.T) {
	c := newCellBuffer(2)
	boom := errors.New("boom")
	calls := 0
	err := c.add(newMatrix(2, 2).batches(2)[0], func() error { calls++; return boom })
	if !errors.Is(err, boom) || calls != 1 {
		t.Fatalf("add = %v after %d flushes", err, calls)
	}
}

func BenchmarkCellBuffer(b *testing.B) {
	m := newMatrix(1000, 100)
	lbs := m.batches(100)
	c := newCellBuffer(DefaultChunkRows)
	b.ReportAllocs()
	b.SetBytes(int64(len(m.genes) * len(m.samples) * 20))
	for b.Loop() {
		for _, lb := range lbs {
			c.add(lb, func() error { c.reset(); return nil })
		}
		c.reset()
	}
}

// TestServerAnswered: an error the server returned leaves the session
// usable unless go-mssqldb wrapped it as the fatal ServerError; anything
// else (a lost connection, a cancelled context) does not say.
func TestServerAnswered(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"server error", mssqldrv.Error{Number: 2627, Message: "Violation of PRIMARY KEY constraint"}, true},
		{"wrapped server error", fmt.Errorf("copy: %w", mssqldrv.Error{Number: 4815}), true},
		{"fatal server error", mssqldrv.ServerError{}, false},
		{"wrapped fatal server error", fmt.Errorf("copy: %w", mssqldrv.ServerError{}), false},
		{"lost connection", io.ErrUnexpectedEOF, false},
		{"cancelled", context.Canceled, false},
	} {
		if got := serverAnswered(tc.err); got != tc.want {
			t.Errorf("%s: serverAnswered = %v, want %v", tc.name, got, tc.want)
		}
	}
}
