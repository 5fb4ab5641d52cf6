package main

import (
	"bufio"
	"database/sql"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	duckdbdrv "github.com/duckdb/duckdb-go/v2"

	"github.com/genexp/genexp/qc"
)

// queryFormat is how `genexp query` writes rows.
type queryFormat string

const (
	formatTable queryFormat = "table"
	formatTSV   queryFormat = "tsv"
	formatCSV   queryFormat = "csv"
	formatJSON  queryFormat = "json"
)

func parseQueryFormat(s string) (queryFormat, error) {
	switch f := queryFormat(strings.ToLower(strings.TrimSpace(s))); f {
	case formatTable, formatTSV, formatCSV, formatJSON:
		return f, nil
	}
	return "", fmt.Errorf("--format: %q is none of table, tsv, csv and json", s)
}

// outputOptions says how writeRows writes a result.
type outputOptions struct {
	format    queryFormat
	maxRows   int    // 0: all
	null      string // tsv and csv: what a NULL is written as
	nullGiven bool   // null was chosen, so no other value may be written as it
}

// writeResult is what writeRows wrote.
type writeResult struct {
	rows    int  // rows written
	stopped bool // more rows followed the maxRows written
}

// formatError says that a value, or a column name, cannot be written in
// the format asked for as it stands.
type formatError struct {
	row    int    // 1 for the first row; 0 for the header
	column string // the column's name
	msg    string
}

func (e *formatError) Error() string {
	if e.row == 0 {
		return fmt.Sprintf("column %q: %s", e.column, e.msg)
	}
	return fmt.Sprintf("row %d, column %q: %s", e.row, e.column, e.msg)
}

// queryChunk is how many rows query aligns as one table, and how often
// the other formats flush what they wrote.
const queryChunk = 1000

// rowWriter writes a result in one format.
type rowWriter interface {
	header(cols []string) error
	row(n int, vals []any) error // n: the row's number, from 1
	flush() error                // at the end of each chunk of rows
	end(res writeResult) error   // after the last row
}

// writeRows writes a query's rows to w as o says, at most o.maxRows of
// them (0: all), as they are read: per queryChunk rows the table is
// aligned and written, the other formats flushed, so that memory does not
// grow with the result.
func writeRows(w io.Writer, rows *sql.Rows, o outputOptions) (writeResult, error) {
	cols, err := rows.Columns()
	if err != nil {
		return writeResult{}, err
	}
	types := make([]*sqlType, len(cols))
	if cts, err := rows.ColumnTypes(); err == nil && len(cts) == len(cols) {
		for i, ct := range cts {
			types[i] = parseSQLType(ct.DatabaseTypeName())
		}
	}
	var rw rowWriter
	switch o.format {
	case formatTSV, formatCSV:
		rw = newDelimitedWriter(w, o, cols, types)
	case formatJSON:
		rw = &jsonWriter{b: bufio.NewWriterSize(w, 64<<10), types: types}
	default:
		rw = &tableWriter{w: w, tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0), types: types}
	}
	if err := rw.header(cols); err != nil {
		return writeResult{}, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var res writeResult
	for rows.Next() {
		if o.maxRows > 0 && res.rows == o.maxRows {
			res.stopped = true
			break
		}
		if err := rows.Scan(ptrs...); err != nil {
			return res, err
		}
		if err := rw.row(res.rows+1, vals); err != nil {
			// The rows before it are whole: write them (a row is checked
			// before any of it is written).
			if ferr := rw.flush(); ferr != nil {
				return res, ferr
			}
			return res, err
		}
		res.rows++
		if res.rows%queryChunk == 0 {
			if err := rw.flush(); err != nil {
				return res, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return res, err
	}
	return res, rw.end(res)
}

// tableWriter writes an aligned table for reading, with a footer.
type tableWriter struct {
	w     io.Writer
	tw    *tabwriter.Writer
	types []*sqlType
	cells []string
}

func (t *tableWriter) header(cols []string) error {
	t.cells = make([]string, len(cols))
	for i, c := range cols {
		t.cells[i] = oneLineStr(c)
	}
	_, err := fmt.Fprintln(t.tw, strings.Join(t.cells, "\t"))
	return err
}

func (t *tableWriter) row(_ int, vals []any) error {
	for i, v := range vals {
		s := string(appendTable(nil, v, t.types[i], false))
		// A value's leading spaces are its own (' lead' is not 'lead');
		// oneLineStr, for labels, trims them.
		lead := len(s) - len(strings.TrimLeft(s, " "))
		t.cells[i] = s[:lead] + oneLineStr(s[lead:])
	}
	_, err := fmt.Fprintln(t.tw, strings.Join(t.cells, "\t"))
	return err
}

func (t *tableWriter) flush() error { return t.tw.Flush() }

func (t *tableWriter) end(res writeResult) error {
	if err := t.tw.Flush(); err != nil {
		return err
	}
	if res.stopped {
		_, err := fmt.Fprintf(t.w, "(stopped after %d rows; use --max-rows 0 for all)\n", res.rows)
		return err
	}
	_, err := fmt.Fprintf(t.w, "(%d rows)\n", res.rows)
	return err
}

// delimitedWriter writes tsv or csv: a header, then one line (csv: one
// record) per row.
type delimitedWriter struct {
	tsv       bool
	b         *bufio.Writer // the output (csv: under c)
	c         *csv.Writer   // csv
	cols      []string
	types     []*sqlType
	null      string
	nullGiven bool
	fields    []string
	buf       []byte
}

func newDelimitedWriter(w io.Writer, o outputOptions, cols []string, types []*sqlType) *delimitedWriter {
	d := &delimitedWriter{tsv: o.format == formatTSV, cols: cols, types: types, null: o.null, nullGiven: o.nullGiven,
		fields: make([]string, len(cols))}
	d.b = bufio.NewWriterSize(w, 64<<10)
	if !d.tsv {
		d.c = csv.NewWriter(d.b)
	}
	return d
}

func (d *delimitedWriter) header(cols []string) error {
	for _, c := range cols {
		if d.tsv && strings.ContainsAny(c, "\t\n\r") {
			return &formatError{column: c, msg: "a tsv field cannot hold a tab or line break, and this column's name does; name the column with AS, or use --format csv"}
		}
	}
	return d.write(cols)
}

func (d *delimitedWriter) row(n int, vals []any) error {
	for i, v := range vals {
		if v == nil {
			d.fields[i] = d.null
			continue
		}
		f, ok := v.(string)
		if !ok {
			d.buf = appendText(d.buf[:0], v, d.types[i])
			f = string(d.buf)
		}
		if d.tsv && strings.ContainsAny(f, "\t\n\r") {
			return &formatError{row: n, column: d.cols[i],
				msg: fmt.Sprintf("the value %s holds a tab or line break, which a tsv field cannot; use --format csv, which quotes it, or replace it in the SQL (regexp_replace(col, '[\\t\\r\\n]', ' ', 'g'))", strconv.Quote(qc.Shorten(f, 60)))}
		}
		if d.nullGiven && f == d.null {
			return &formatError{row: n, column: d.cols[i],
				msg: fmt.Sprintf("the value %s is the --null marker, and would read back as NULL; choose a marker the result does not hold", strconv.Quote(qc.Shorten(f, 60)))}
		}
		d.fields[i] = f
	}
	if d.tsv && len(d.fields) == 1 && d.fields[0] == "" {
		// An empty line: readers (encoding/csv, pandas, R) skip it.
		msg := "the row is one empty field (NULL or empty text), which a tsv file can only write as an empty line, and readers skip those; give --null MARKER, or use --format csv, which quotes it"
		if d.nullGiven {
			msg = "the row is one empty text field, which a tsv file can only write as an empty line, and readers skip those; use --format csv, which quotes it, or turn empty text into something else in the SQL (NULLIF(col, ''))"
		}
		return &formatError{row: n, column: d.cols[0], msg: msg}
	}
	return d.write(d.fields)
}

func (d *delimitedWriter) write(fields []string) error {
	if !d.tsv && len(fields) == 1 && fields[0] == "" {
		// encoding/csv writes a record of one empty field as an empty
		// line, which readers skip: quoted, it reads back as the record.
		d.c.Flush()
		if err := d.c.Error(); err != nil {
			return err
		}
		_, err := d.b.WriteString("\"\"\n")
		return err
	}
	if !d.tsv {
		return d.c.Write(fields)
	}
	for i, f := range fields {
		if i > 0 {
			d.b.WriteByte('\t')
		}
		d.b.WriteString(f)
	}
	return d.b.WriteByte('\n')
}

func (d *delimitedWriter) flush() error {
	if !d.tsv {
		if d.c.Flush(); d.c.Error() != nil {
			return d.c.Error()
		}
	}
	return d.b.Flush()
}

func (d *delimitedWriter) end(writeResult) error { return d.flush() }

// jsonWriter writes JSON lines: one object per row.
type jsonWriter struct {
	b     *bufio.Writer
	types []*sqlType
	keys  [][]byte // each column's `"name":`
	buf   []byte
}

func (j *jsonWriter) header(cols []string) error {
	seen := map[string]int{}
	for i, c := range cols {
		if first, dup := seen[c]; dup {
			return &formatError{column: c, msg: fmt.Sprintf("JSON lines key each value by its column's name, and columns %d and %d are both named so; name them apart with AS", first+1, i+1)}
		}
		seen[c] = i
		j.keys = append(j.keys, append(appendJSONString(nil, c), ':'))
	}
	return nil
}

func (j *jsonWriter) row(_ int, vals []any) error {
	b := append(j.buf[:0], '{')
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, j.keys[i]...)
		b = appendJSON(b, v, j.types[i])
	}
	b = append(b, '}', '\n')
	j.buf = b
	_, err := j.b.Write(b)
	return err
}

func (j *jsonWriter) flush() error          { return j.b.Flush() }
func (j *jsonWriter) end(writeResult) error { return j.b.Flush() }

// appendText appends the text of a non-NULL value as tsv and csv write
// it: a scalar as its text, a list, struct or map as its JSON.
func appendText(b []byte, v any, t *sqlType) []byte {
	switch x := v.(type) {
	case string:
		return append(b, x...)
	case []any, map[string]any, duckdbdrv.OrderedMap:
		return appendJSON(b, v, t)
	case duckdbdrv.Union:
		return appendText(b, x.Value, t.field(x.Tag))
	}
	return appendScalar(b, v, t, false)
}

// appendScalar appends the text of a non-NULL scalar value of type t (nil
// when unknown); inJSON asks for timestamps with a T, as JavaScript's Date
// reads them.
func appendScalar(b []byte, v any, t *sqlType, inJSON bool) []byte {
	switch x := v.(type) {
	case bool:
		return strconv.AppendBool(b, x)
	case int8:
		return strconv.AppendInt(b, int64(x), 10)
	case int16:
		return strconv.AppendInt(b, int64(x), 10)
	case int32:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case uint8:
		return strconv.AppendUint(b, uint64(x), 10)
	case uint16:
		return strconv.AppendUint(b, uint64(x), 10)
	case uint32:
		return strconv.AppendUint(b, uint64(x), 10)
	case uint64:
		return strconv.AppendUint(b, x, 10)
	case float64:
		return appendFloat(b, x, 64)
	case float32:
		return appendFloat(b, float64(x), 32)
	case *big.Int:
		return x.Append(b, 10)
	case duckdbdrv.Decimal:
		return append(b, x.String()...)
	case []byte:
		return appendBytes(b, x, t)
	case time.Time:
		return appendTime(b, x, t, inJSON)
	case duckdbdrv.Interval:
		return appendInterval(b, x)
	case duckdbdrv.UUID:
		return append(b, x.String()...)
	}
	return fmt.Append(b, v)
}

// appendFloat writes f in the fewest digits that parse back to the same
// bits at its size (strconv.ParseFloat reads every form written here,
// NaN and Inf included).
func appendFloat(b []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "Inf"...)
	case math.IsInf(f, -1):
		return append(b, "-Inf"...)
	}
	return strconv.AppendFloat(b, f, 'g', -1, bits)
}

// appendBytes writes a binary value: a UUID in its usual form, a SQL
// Server DECIMAL or MONEY (which go-mssqldb scans as its digits) as those,
// anything else in base64.
func appendBytes(b []byte, x []byte, t *sqlType) []byte {
	switch {
	case t.is("UUID") && len(x) == 16:
		return appendUUID(b, x)
	case t.is("UNIQUEIDENTIFIER") && len(x) == 16:
		// SQL Server stores the first three groups little-endian.
		u := []byte{x[3], x[2], x[1], x[0], x[5], x[4], x[7], x[6]}
		return appendUUID(b, append(u, x[8:]...))
	case t.is("DECIMAL", "NUMERIC", "MONEY", "SMALLMONEY"):
		return append(b, x...)
	}
	return base64.StdEncoding.AppendEncode(b, x)
}

func appendUUID(b, u []byte) []byte {
	for i, g := range [][2]int{{0, 4}, {4, 6}, {6, 8}, {8, 10}, {10, 16}} {
		if i > 0 {
			b = append(b, '-')
		}
		b = hex.AppendEncode(b, u[g[0]:g[1]])
	}
	return b
}

// appendTime writes a date, time or timestamp as its column's type says
// (the driver gives each as a time.Time): a DATE without a time, a TIME
// without a date, a TIMESTAMP without a zone and a TIMESTAMPTZ with its
// offset (Z for UTC); fractions of a second as far as they go.
func appendTime(b []byte, x time.Time, t *sqlType, inJSON bool) []byte {
	if inf := infinite(x); inf != "" {
		return append(b, inf...)
	}
	// Constant layouts: joined per value, they cost an allocation each.
	layout, zoned := "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00"
	if inJSON {
		layout, zoned = "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05.999999999Z07:00"
	}
	switch {
	case t.is("DATE"):
		return x.AppendFormat(b, time.DateOnly)
	case t.is("TIME"):
		return x.AppendFormat(b, "15:04:05.999999999")
	case t.is("TIMETZ"):
		return x.AppendFormat(b, "15:04:05.999999999Z07:00")
	case t.is("TIMESTAMPTZ", "DATETIMEOFFSET"), t == nil && x.Location() != time.UTC:
		return x.AppendFormat(b, zoned)
	}
	return x.AppendFormat(b, layout)
}

// DuckDB's infinite dates and timestamps, as the driver gives them: the
// largest and smallest values each type's storage holds (days for DATE;
// microseconds for TIMESTAMP and TIMESTAMPTZ, nano-, milli- and whole
// seconds for TIMESTAMP_NS, _MS and _S), one past its last finite value
// (DATE 5881580-07-10, TIMESTAMP 294247-01-10 04:00:54.775806).
var infinities = func() map[instant]string {
	epoch := time.Unix(0, 0).UTC()
	m := map[instant]string{}
	for sign, word := range map[int64]string{1: "infinity", -1: "-infinity"} {
		for _, t := range []time.Time{
			epoch.AddDate(0, 0, int(sign*math.MaxInt32)),
			time.UnixMicro(sign * math.MaxInt64),
			time.Unix(0, sign*math.MaxInt64),
			time.UnixMilli(sign * math.MaxInt64),
			time.Unix(sign*math.MaxInt64, 0),
		} {
			m[instantOf(t)] = word
		}
	}
	return m
}()

// infinite returns "infinity" or "-infinity" for DuckDB's infinite date
// or timestamp, "" for any other time: written as dates they would read
// back as finite ones.
func infinite(x time.Time) string {
	if s := x.Unix(); s > -9e9 && s < 9e9 {
		return "" // within years 1685 to 2255: the nearest, TIMESTAMP_NS's, are ±9.2e9 s
	}
	return infinities[instantOf(x)]
}

// instant is a time as a map key: seconds and nanoseconds since the epoch,
// whatever its location.
type instant struct {
	s  int64
	ns int
}

func instantOf(t time.Time) instant { return instant{t.Unix(), t.Nanosecond()} }

// appendInterval writes an INTERVAL in ISO 8601: P, months, days, T,
// seconds (DuckDB keeps the three apart: a month is no fixed number of
// days).
func appendInterval(b []byte, x duckdbdrv.Interval) []byte {
	b = fmt.Appendf(b, "P%dM%dDT", x.Months, x.Days)
	us := x.Micros
	if us < 0 {
		b = append(b, '-')
		us = -us
	}
	b = strconv.AppendInt(b, us/1e6, 10)
	if frac := us % 1e6; frac != 0 {
		b = append(b, strings.TrimRight(fmt.Sprintf(".%06d", frac), "0")...)
	}
	return append(b, 'S')
}

// appendJSON appends v, of type t (nil when unknown), as JSON: NULL as
// null, numbers as numbers (NaN and infinities, which JSON has none for, as
// the strings "NaN", "Infinity" and "-Infinity"), a list as an array, a
// struct as an object in its fields' order, a map as an object keyed by
// the text of its keys, everything else as a string of its text.
func appendJSON(b []byte, v any, t *sqlType) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool, int8, int16, int32, int64, int, uint8, uint16, uint32, uint64, *big.Int, duckdbdrv.Decimal:
		return appendScalar(b, v, t, true)
	case float64:
		return appendJSONFloat(b, x, 64)
	case float32:
		return appendJSONFloat(b, float64(x), 32)
	case []byte:
		if t.is("DECIMAL", "NUMERIC", "MONEY", "SMALLMONEY") {
			return append(b, x...)
		}
		// A UUID's text and base64 need no escaping.
		b = append(b, '"')
		return append(appendBytes(b, x, t), '"')
	case time.Time, duckdbdrv.UUID:
		// Digits, letters and -:.+T need no escaping.
		b = append(b, '"')
		return append(appendScalar(b, v, t, true), '"')
	case string:
		return appendJSONString(b, x)
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, e, t.elemType())
		}
		return append(b, ']')
	case map[string]any:
		b = append(b, '{')
		for i, k := range structKeys(x, t) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendJSON(b, x[k], t.field(k))
		}
		return append(b, '}')
	case duckdbdrv.OrderedMap:
		var kt, vt *sqlType
		if t != nil {
			kt, vt = t.key, t.value
		}
		b = append(b, '{')
		vals := x.Values()
		for i, k := range x.Keys() {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, string(appendText(nil, k, kt)))
			b = append(b, ':')
			b = appendJSON(b, vals[i], vt)
		}
		return append(b, '}')
	case duckdbdrv.Union:
		return appendJSON(b, x.Value, t.field(x.Tag))
	case duckdbdrv.Interval:
		return fmt.Appendf(b, `{"months":%d,"days":%d,"micros":%d}`, x.Months, x.Days, x.Micros)
	}
	return appendJSONString(b, string(appendScalar(nil, v, t, true)))
}

func appendJSONFloat(b []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(b, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(b, `"-Infinity"`...)
	}
	// strconv's shortest 'g' form is a valid JSON number: 1e+21, 5e-324.
	return strconv.AppendFloat(b, f, 'g', -1, bits)
}

// structKeys returns a struct's field names in the order its type
// declares them; sorted when the type is unknown (a Go map has no order).
func structKeys(m map[string]any, t *sqlType) []string {
	if t != nil && len(t.fields) == len(m) {
		keys := make([]string, 0, len(m))
		for _, f := range t.fields {
			if _, ok := m[f.name]; !ok {
				break
			}
			keys = append(keys, f.name)
		}
		if len(keys) == len(m) {
			return keys
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// appendJSONString appends s as a JSON string. HTML characters are left
// as they are (this is not for a web page); bytes that are not UTF-8
// become U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			// Valid JSON, but not valid JavaScript source before ES2019.
			b = fmt.Appendf(b, `\u%04x`, r)
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// appendTable appends a value as the table shows it: NULL as NULL, at any
// depth; a list as [a, b], a struct as {'f': v}, a map as {k=v}, as DuckDB
// prints them, with text inside them quoted; binary data with bytes that
// are not printable ASCII as \xHH.
func appendTable(b []byte, v any, t *sqlType, nested bool) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "NULL"...)
	case string:
		if nested {
			return appendSQLQuoted(b, x)
		}
		return append(b, x...)
	case []byte:
		if t.is("UUID", "UNIQUEIDENTIFIER", "DECIMAL", "NUMERIC", "MONEY", "SMALLMONEY") {
			return appendBytes(b, x, t)
		}
		for _, c := range x {
			if c >= 0x20 && c < 0x7f && c != '\\' {
				b = append(b, c)
			} else {
				b = fmt.Appendf(b, `\x%02X`, c)
			}
		}
		return b
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendTable(b, e, t.elemType(), true)
		}
		return append(b, ']')
	case map[string]any:
		b = append(b, '{')
		for i, k := range structKeys(x, t) {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendSQLQuoted(b, k)
			b = append(b, ": "...)
			b = appendTable(b, x[k], t.field(k), true)
		}
		return append(b, '}')
	case duckdbdrv.OrderedMap:
		var kt, vt *sqlType
		if t != nil {
			kt, vt = t.key, t.value
		}
		b = append(b, '{')
		vals := x.Values()
		for i, k := range x.Keys() {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendTable(b, k, kt, true)
			b = append(b, '=')
			b = appendTable(b, vals[i], vt, true)
		}
		return append(b, '}')
	case duckdbdrv.Union:
		return appendTable(b, x.Value, t.field(x.Tag), nested)
	}
	return appendScalar(b, v, t, false)
}

// appendSQLQuoted appends s in single quotes, a quote in it doubled.
func appendSQLQuoted(b []byte, s string) []byte {
	b = append(b, '\'')
	b = append(b, strings.ReplaceAll(s, "'", "''")...)
	return append(b, '\'')
}
