package genexp

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/warehouse"
)

// BenchmarkAccumulatorAdd times the validation counts of one batch of
// 2,000 rows × 500 columns of microarray-like values (about three in ten
// below zero), the row loop every loaded cell passes through, for a matrix
// of one study, for one of 50 (where the rows holding each study's values
// are counted as well), and for one of 50 studies of two organisms each
// (where the rows holding each organism's values are counted too):
//
//	go test -run '^$' -bench AccumulatorAdd -cpu 1 .
func BenchmarkAccumulatorAdd(b *testing.B) {
	// one study, as an experiment's matrix; 50 of 10 samples each, as a
	// SPECIES matrix, whose rows with each study's values are counted too
	for _, c := range []struct{ studies, organisms int }{{1, 1}, {50, 1}, {50, 2}} {
		name := fmt.Sprintf("studies=%d", c.studies)
		if c.organisms > 1 {
			name += fmt.Sprintf(",organisms=%d", c.organisms)
		}
		b.Run(name, func(b *testing.B) { benchmarkAccumulatorAdd(b, c.studies, c.organisms) })
	}
}

func benchmarkAccumulatorAdd(b *testing.B, studies, organisms int) {
	const cols, rows = 500, 2000
	pl := &plan{samples: map[string]*metadata.Sample{}}
	names := make([]string, cols)
	for i := range cols {
		names[i] = fmt.Sprintf("GSM%d", i)
		pl.columns = append(pl.columns, warehouse.Column{Study: fmt.Sprintf("GSE%d", 1+i*studies/cols), Sample: names[i]})
		pl.indexes = append(pl.indexes, i)
		pl.samples[names[i]] = &metadata.Sample{Accession: names[i], Organism: fmt.Sprintf("ORGANISM_%d", i%organisms)}
	}
	r := rand.New(rand.NewPCG(1, 2))
	wb := &expression.WideBatch{Header: &expression.Header{Names: names}, Genes: make([]string, rows), Values: make([]float64, rows*cols)}
	for i := range wb.Values {
		wb.Values[i] = r.NormFloat64()*0.5 + 0.3
	}
	b.SetBytes(int64(rows * cols)) // "MB/s" reads as millions of cells a second
	b.ResetTimer()
	for range b.N {
		a := newAccumulator(pl, 0)
		if (a.groups != nil) != (organisms > 1) {
			b.Fatalf("organism groups %v with %d organisms", a.groups != nil, organisms)
		}
		a.add(wb)
		if a.rows != rows {
			b.Fatalf("%d rows counted", a.rows)
		}
	}
}
