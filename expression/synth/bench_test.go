package synth_test

import (
	"io"
	"testing"

	"github.com/genexp/genexp/expression/synth"
)

// BenchmarkMatrix measures generation alone, so a benchmark that reads a
// generated matrix on the fly knows how much of its time is the generator's.
func BenchmarkMatrix(b *testing.B) {
	for _, tech := range []synth.Technology{synth.Microarray, synth.RNASeq} {
		b.Run(string(tech), func(b *testing.B) {
			const genes, samples = 2000, 500
			var bytes int64
			for b.Loop() {
				src, err := synth.NewMatrix(synth.MatrixSpec{Genes: genes, Samples: samples, MissingShare: 0.01, Seed: 1, Technology: tech})
				if err != nil {
					b.Fatal(err)
				}
				n, err := src.WriteTo(io.Discard)
				if err != nil {
					b.Fatal(err)
				}
				bytes = n
			}
			b.SetBytes(bytes)
			b.ReportMetric(float64(genes*samples)*float64(b.N)/b.Elapsed().Seconds(), "cells/s")
		})
	}
}
