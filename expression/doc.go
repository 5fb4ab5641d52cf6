// Package expression streams refine.bio expression matrices (genes × samples,
// tab-separated) with memory bounded by one batch of rows, and melts them
// from wide to long form.
//
// A Reader is an iterator in the style of bufio.Scanner: construct it over an
// io.Reader, call Next until it returns false, read each WideBatch, then check
// Err. The Reader hashes every byte it reads (SHA-256), so when the stream is
// exhausted Sum returns the content hash without a second read. Values are
// parsed exactly: every stored float64 equals strconv.ParseFloat of its cell,
// bit for bit. Missing cells (empty, NA, NaN, …) become NaN; an infinite or
// non-numeric cell, a ragged row or an empty gene id stops the stream with a
// *qc.Error naming the file, line and column.
//
// A Melter turns each WideBatch into a LongBatch: one row per (gene, sample)
// cell, keeping the source line so every warehouse row can be traced back to
// its file.
package expression
