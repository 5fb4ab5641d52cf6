// Command arrow streams the expression matrices of a refine.bio download
// into one Parquet file (or an Arrow IPC stream) of long rows — study,
// sample, gene, value — for analysis in Python, R or DuckDB. Memory stays
// bounded by one batch of rows however large the download.
//
//	go run ./examples/arrow -o GSE71270.parquet testdata/refinebio/GSE71270
//	go run ./examples/arrow -format ipc -o E-GEOD-39842.arrows testdata/refinebio/E-GEOD-39842.zip
//
// Then, in Python: pyarrow.parquet.read_table("GSE71270.parquet").to_pandas(),
// or in R: arrow::read_parquet("GSE71270.parquet").
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/expression/arrowbatch"
)

func main() {
	out := flag.String("o", "", "output file (required)")
	format := flag.String("format", "parquet", "output format: parquet, or ipc (an Arrow IPC stream)")
	keep := flag.Bool("keep-missing", false, "write missing cells as null values instead of leaving them out")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "Usage: arrow [-format parquet|ipc] [-keep-missing] -o FILE DOWNLOAD")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *out == "" || flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	rows, err := convert(flag.Arg(0), *out, *format, *keep, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "arrow:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %d rows to %s\n", rows, *out)
}

// recordWriter is what both output formats offer.
type recordWriter interface {
	Write(arrow.RecordBatch) error
	Close() error
}

// convert writes every matrix of the download at path to out and returns
// the number of rows written. Warnings go to log.
func convert(path, out, format string, keepMissing bool, log io.Writer) (rows int64, err error) {
	d, err := genexp.OpenDownload(path)
	if err != nil {
		return 0, err
	}
	defer d.Close()
	f, err := os.Create(out)
	if err != nil {
		return 0, err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(out) // nothing half-written
		}
	}()
	// The writers see only an io.Writer: pqarrow would otherwise close the
	// file itself, and this function closes it once, checking the error.
	sink := struct{ io.Writer }{f}
	var w recordWriter
	switch format {
	case "parquet":
		props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd))
		fw, err := pqarrow.NewFileWriter(arrowbatch.Schema, sink, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
		if err != nil {
			return 0, err
		}
		w = fw
	case "ipc":
		// The stream format, not the file format: each batch carries its
		// own gene dictionary, which only the stream format allows.
		w = ipc.NewWriter(sink, ipc.WithSchema(arrowbatch.Schema))
	default:
		return 0, fmt.Errorf("unknown format %q (want parquet or ipc)", format)
	}
	for _, m := range d.Matrices {
		n, err := writeMatrix(w, d, m, keepMissing, log)
		rows += n
		if err != nil {
			w.Close()
			return rows, err
		}
	}
	return rows, w.Close()
}

// writeMatrix streams one matrix: read a batch, melt it, hand it to the
// writer as an Arrow record that shares the batch's memory.
func writeMatrix(w recordWriter, d *genexp.Download, m *genexp.Matrix, keepMissing bool, log io.Writer) (int64, error) {
	rc, err := m.Open()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	r, err := expression.NewReader(rc, expression.WithName(m.Name))
	if err != nil {
		return 0, err
	}
	samples, studies, keep := columns(d, m, r.Header(), log)
	if len(keep) == 0 {
		return 0, fmt.Errorf("%s: no column names a sample of the metadata", m.Name)
	}
	conv, err := arrowbatch.NewConverter(samples, studies)
	if err != nil {
		return 0, err
	}
	defer conv.Release()
	melter := expression.ColumnMelter{Columns: keep}
	if keepMissing {
		melter.Missing = expression.KeepMissing
	}
	var lb expression.LongBatch
	var rows int64
	for r.Next() {
		melter.Melt(&lb, r.Batch())
		rec, err := conv.Record(&lb)
		if err != nil {
			return rows, err
		}
		err = w.Write(rec)
		rec.Release()
		if err != nil {
			return rows, err
		}
		rows += int64(lb.Len())
	}
	return rows, r.Err()
}

// columns names each matrix column's sample and study as a load would
// (Download.Columns), reporting the columns it leaves out. A column whose
// sample several studies hold is written once, under the first of them.
func columns(d *genexp.Download, m *genexp.Matrix, h *expression.Header, log io.Writer) (samples, studies []string, keep []int) {
	cols, findings := d.Columns(m, h)
	for _, f := range findings {
		fmt.Fprintln(log, f)
	}
	samples, studies = make([]string, len(h.Names)), make([]string, len(h.Names))
	for _, c := range cols {
		if len(keep) > 0 && keep[len(keep)-1] == c.Index {
			continue
		}
		samples[c.Index], studies[c.Index] = c.Sample, c.Study
		keep = append(keep, c.Index)
	}
	return samples, studies, keep
}
