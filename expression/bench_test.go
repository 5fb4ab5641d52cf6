package expression_test

import (
	"bytes"
	"sync"
	"testing"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/expression/synth"
)

// benchGenes × benchSamples is the 10M-cell matrix the read benchmarks use.
const benchGenes, benchSamples = 20_000, 500

var benchMatrices sync.Map // synth.Technology → []byte

// benchMatrix generates the benchmark matrix once per technology, in
// memory, so the benchmarks measure the reader and not the disk.
func benchMatrix(b *testing.B, tech synth.Technology) []byte {
	if m, ok := benchMatrices.Load(tech); ok {
		return m.([]byte)
	}
	src, err := synth.NewMatrix(synth.MatrixSpec{Genes: benchGenes, Samples: benchSamples, MissingShare: 0.01, Seed: 1, Technology: tech})
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := src.WriteTo(&buf); err != nil {
		b.Fatal(err)
	}
	benchMatrices.Store(tech, buf.Bytes())
	return buf.Bytes()
}

// BenchmarkReadMeltHash is the ingest hot path: read a 20,000 × 500 matrix
// (10M cells), melt every batch to long rows and hash the bytes. Run it on
// one core: go test ./expression -run '^$' -bench ReadMeltHash -cpu 1
func BenchmarkReadMeltHash(b *testing.B) {
	for _, tech := range []synth.Technology{synth.Microarray, synth.RNASeq} {
		b.Run(string(tech), func(b *testing.B) {
			data := benchMatrix(b, tech)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			var lb expression.LongBatch
			var melter expression.ColumnMelter
			var cells int64
			for b.Loop() {
				r, err := expression.NewReader(bytes.NewReader(data))
				if err != nil {
					b.Fatal(err)
				}
				for r.Next() {
					melter.Melt(&lb, r.Batch())
				}
				if err := r.Err(); err != nil {
					b.Fatal(err)
				}
				if _, err := r.Sum(); err != nil {
					b.Fatal(err)
				}
				cells = r.Stats().Cells
			}
			b.ReportMetric(float64(cells)*float64(b.N)/b.Elapsed().Seconds(), "cells/s")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(cells)/float64(b.N), "ns/cell")
		})
	}
}

// BenchmarkRead reads (and hashes) without melting, to split the hot path's
// cost.
func BenchmarkRead(b *testing.B) {
	data := benchMatrix(b, synth.Microarray)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var cells int64
	for b.Loop() {
		r, err := expression.NewReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		for r.Next() {
		}
		if err := r.Err(); err != nil {
			b.Fatal(err)
		}
		cells = r.Stats().Cells
	}
	b.ReportMetric(float64(cells)*float64(b.N)/b.Elapsed().Seconds(), "cells/s")
}

// BenchmarkMelt melts one full batch (about 1M cells).
func BenchmarkMelt(b *testing.B) {
	data := benchMatrix(b, synth.Microarray)
	r, err := expression.NewReader(bytes.NewReader(data))
	if err != nil || !r.Next() {
		b.Fatal(err, r.Err())
	}
	wb := r.Batch()
	for _, policy := range []struct {
		name string
		p    expression.MissingPolicy
	}{{"skip", expression.SkipMissing}, {"keep", expression.KeepMissing}} {
		b.Run(policy.name, func(b *testing.B) {
			m := expression.ColumnMelter{Missing: policy.p}
			var lb expression.LongBatch
			b.ReportAllocs()
			for b.Loop() {
				m.Melt(&lb, wb)
			}
			b.ReportMetric(float64(len(wb.Values))*float64(b.N)/b.Elapsed().Seconds(), "cells/s")
		})
	}
}
