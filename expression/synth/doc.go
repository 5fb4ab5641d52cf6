// Package synth writes synthetic refine.bio downloads: any number of genes ×
// samples × studies, laid out as refine.bio lays out a real download, with
// sepsis cohorts in the metadata and realistic values in the matrices.
//
// Benchmarks and tests use it where a real download would be too small or
// too big to keep in the repository. Everything is a pure function of the
// Spec (its Seed included): writing the same Spec twice gives the same
// bytes. Matrices are generated row by row, so memory does not grow with
// the number of genes; a 50-million-cell download is written with a few
// megabytes of memory.
//
// Write produces a download directory (or zip) and a Manifest listing what
// it holds, so a test can check counts without hard-coding them. A download
// is laid out as refine.bio's EXPERIMENT aggregation lays it out (one
// matrix per study) or, with Spec.Species, as its SPECIES aggregation does
// (one matrix holding every study's samples). NewMatrix
// generates one matrix as an io.Reader, for benchmarks that read a matrix
// without touching the disk.
package synth
