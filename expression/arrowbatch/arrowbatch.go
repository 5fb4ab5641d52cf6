// Package arrowbatch hands long expression rows to Apache Arrow without
// copying them: a Converter exposes each expression.LongBatch as an
// arrow.RecordBatch whose value column is the batch's own []float64 and
// whose gene and sample columns are dictionaries indexed by the batch's own
// Row and Column slices.
//
// Use it to pass rows to Arrow-speaking code (Parquet and IPC writers,
// Flight, DuckDB's Arrow scan) in the middle of a stream. The reader and
// melter themselves do not use Arrow: see the package benchmarks, where
// parsing the same matrix with arrow/csv is several times slower than
// expression.Reader.
package arrowbatch

import (
	"errors"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/genexp/genexp/expression"
)

// The record's columns.
const (
	FieldStudy  = "study"  // study accession, dictionary<int32, utf8>
	FieldSample = "sample" // sample accession, dictionary<int32, utf8>
	FieldGene   = "gene"   // gene id, dictionary<int32, utf8>
	FieldValue  = "value"  // float64; null where the cell is missing
)

var dictType = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}

// Schema is the schema of every record a Converter makes.
var Schema = arrow.NewSchema([]arrow.Field{
	{Name: FieldStudy, Type: dictType},
	{Name: FieldSample, Type: dictType},
	{Name: FieldGene, Type: dictType},
	{Name: FieldValue, Type: arrow.PrimitiveTypes.Float64, Nullable: true},
}, nil)

// Converter turns the long batches of one matrix into Arrow records.
type Converter struct {
	mem    memory.Allocator
	study  columnDict
	sample columnDict
	valid  []byte
}

// columnDict is a string column whose value depends only on the matrix
// column: a dictionary of its distinct values, and the dictionary index of
// each matrix column.
type columnDict struct {
	dict     arrow.Array
	index    []int32 // matrix column → dictionary index
	identity bool    // index[c] == c: the batch's Column slice is the index column
	constant bool    // one value for every column: the index column is all zeros
	rows     []int32 // per-row indices, reused between records
}

// NewConverter returns a converter for a matrix whose column c (the value
// of expression.LongBatch.Column) holds sample samples[c] of study
// studies[c]. Columns that are not loaded may hold any names.
func NewConverter(samples, studies []string) (*Converter, error) {
	if len(samples) != len(studies) {
		return nil, fmt.Errorf("arrowbatch: %d samples for %d studies", len(samples), len(studies))
	}
	if len(samples) == 0 {
		return nil, errors.New("arrowbatch: a matrix has at least one column")
	}
	mem := memory.DefaultAllocator
	return &Converter{mem: mem, study: newColumnDict(mem, studies), sample: newColumnDict(mem, samples)}, nil
}

func newColumnDict(mem memory.Allocator, values []string) columnDict {
	d := columnDict{index: make([]int32, len(values)), identity: true, constant: true}
	at := map[string]int32{}
	b := array.NewStringBuilder(mem)
	defer b.Release()
	for c, v := range values {
		i, ok := at[v]
		if !ok {
			i = int32(len(at))
			at[v] = i
			b.Append(v)
		}
		d.index[c] = i
		d.identity = d.identity && i == int32(c)
		d.constant = d.constant && i == 0
	}
	d.dict = b.NewArray()
	return d
}

// Release frees the converter's dictionaries.
func (c *Converter) Release() {
	c.study.dict.Release()
	c.sample.dict.Release()
}

// Record returns the batch as a record with Schema's columns. The record
// shares memory with b and with the converter: it is valid until b is
// changed (the next Melt into it) or Record is called again, and its value,
// gene-index and (usually) sample-index buffers are b's own slices. Release
// the record when done. b must be well formed, as Melt makes it: Row
// indexes Genes, Column indexes the converter's columns, and Genes are
// distinct.
func (c *Converter) Record(b *expression.LongBatch) (arrow.RecordBatch, error) {
	n := b.Len()
	if len(b.Row) != n || len(b.Column) != n {
		return nil, fmt.Errorf("arrowbatch: batch has %d values, %d rows and %d columns", n, len(b.Row), len(b.Column))
	}
	genes := array.NewStringBuilder(c.mem)
	genes.Reserve(len(b.Genes))
	for _, g := range b.Genes {
		genes.Append(g)
	}
	geneDict := genes.NewArray()
	genes.Release()

	cols := []arrow.Array{
		c.study.column(b.Column),
		c.sample.column(b.Column),
		dictionary(int32Data(b.Row), geneDict),
		c.values(b.Value),
	}
	geneDict.Release()
	rec := array.NewRecordBatch(Schema, cols, int64(n))
	for _, a := range cols {
		a.Release()
	}
	return rec, nil
}

// column returns the dictionary column for a batch's Column slice.
func (d *columnDict) column(columns []int32) arrow.Array {
	var idx []int32
	switch {
	case d.identity:
		idx = columns
	case d.constant:
		// All zeros: grown when needed, never written, so the same
		// storage serves every batch.
		if cap(d.rows) < len(columns) {
			d.rows = make([]int32, len(columns))
		}
		idx = d.rows[:len(columns)]
	default:
		if cap(d.rows) < len(columns) {
			d.rows = make([]int32, len(columns))
		}
		idx = d.rows[:len(columns)]
		for i, c := range columns {
			idx[i] = d.index[c]
		}
	}
	return dictionary(int32Data(idx), d.dict)
}

// values wraps the value slice; NaN cells (missing cells kept by
// expression.KeepMissing) become nulls through a validity bitmap.
func (c *Converter) values(v []float64) arrow.Array {
	nulls := 0
	for _, x := range v {
		if x != x {
			nulls++
		}
	}
	bufs := []*memory.Buffer{nil, memory.NewBufferBytes(arrow.Float64Traits.CastToBytes(v))}
	if nulls > 0 {
		nb := int(bitutil.BytesForBits(int64(len(v))))
		if cap(c.valid) < nb {
			c.valid = make([]byte, nb)
		}
		c.valid = c.valid[:nb]
		clear(c.valid)
		for i, x := range v {
			if !math.IsNaN(x) {
				bitutil.SetBit(c.valid, i)
			}
		}
		bufs[0] = memory.NewBufferBytes(c.valid)
	}
	data := array.NewData(arrow.PrimitiveTypes.Float64, len(v), bufs, nil, nulls, 0)
	defer data.Release()
	return array.MakeFromData(data)
}

func int32Data(v []int32) arrow.Array {
	data := array.NewData(arrow.PrimitiveTypes.Int32, len(v), []*memory.Buffer{nil, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(v))}, nil, 0, 0)
	defer data.Release()
	return array.MakeFromData(data)
}

func dictionary(indices, dict arrow.Array) arrow.Array {
	defer indices.Release()
	return array.NewDictionaryArray(dictType, indices, dict)
}
