package main

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	duckdbdrv "github.com/duckdb/duckdb-go/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/genexp/genexp/qc"
)

// emptyWarehouse returns a new, empty warehouse file.
func emptyWarehouse(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "w.duckdb")
	if code, _, stderr := runCLI(t, "init", "--db", db); code != exitOK {
		t.Fatalf("init: exit %d\n%s", code, stderr)
	}
	return db
}

// formatCase is one value and how each format writes it: text is the tsv
// and csv field (after csv's unquoting), json the JSON text of the value.
type formatCase struct {
	name, expr string
	text, json string
}

var formatCases = []formatCase{
	{"null", "NULL::VARCHAR", "", "null"},
	{"spaces_comma", "'Subject 1, day 1'", "Subject 1, day 1", `"Subject 1, day 1"`},
	{"quotes", `'say "hi", ''twice'''`, `say "hi", 'twice'`, `"say \"hi\", 'twice'"`},
	{"unicode", "'Zürich – 東京 🧬'", "Zürich – 東京 🧬", `"Zürich – 東京 🧬"`},
	{"empty", "''", "", `""`},
	{"backslash", `'C:\temp\n'`, `C:\temp\n`, `"C:\\temp\\n"`},
	{"html", "'<a&b>'", "<a&b>", `"<a&b>"`},
	{"nan", "'NaN'::DOUBLE", "NaN", `"NaN"`},
	{"inf", "'Infinity'::DOUBLE", "Inf", `"Infinity"`},
	{"ninf", "'-Infinity'::DOUBLE", "-Inf", `"-Infinity"`},
	{"max_double", "1.7976931348623157e308::DOUBLE", "1.7976931348623157e+308", "1.7976931348623157e+308"},
	{"subnormal", "5e-324::DOUBLE", "5e-324", "5e-324"},
	{"third", "1::DOUBLE / 3", "0.3333333333333333", "0.3333333333333333"},
	{"tenth", "0.1::DOUBLE", "0.1", "0.1"},
	{"negative", "-2.5e-8::DOUBLE", "-2.5e-08", "-2.5e-08"},
	{"float32", "0.1::FLOAT", "0.1", "0.1"},
	{"bigint_2p53_plus_1", "9007199254740993::BIGINT", "9007199254740993", "9007199254740993"},
	{"bigint_min", "(-9223372036854775808)::BIGINT", "-9223372036854775808", "-9223372036854775808"},
	{"ubigint_max", "18446744073709551615::UBIGINT", "18446744073709551615", "18446744073709551615"},
	{"hugeint", "170141183460469231731687303715884105727::HUGEINT", "170141183460469231731687303715884105727", "170141183460469231731687303715884105727"},
	{"decimal", "12.50::DECIMAL(10,2)", "12.5", "12.5"},
	{"true", "true", "true", "true"},
	{"false", "false", "false", "false"},
	{"date", "DATE '2024-02-29'", "2024-02-29", `"2024-02-29"`},
	{"timestamp", "TIMESTAMP '2024-02-29 23:59:59.123456'", "2024-02-29 23:59:59.123456", `"2024-02-29T23:59:59.123456"`},
	{"timestamp_whole", "TIMESTAMP '2024-01-02 03:04:05'", "2024-01-02 03:04:05", `"2024-01-02T03:04:05"`},
	{"timestamptz", "TIMESTAMPTZ '2024-01-02 03:04:05.5+00'", "2024-01-02 03:04:05.5Z", `"2024-01-02T03:04:05.5Z"`},
	{"time", "TIME '13:14:15.25'", "13:14:15.25", `"13:14:15.25"`},
	{"uuid", "'0e5b5a43-3e36-4b42-9b0f-7a7ffd7d21a2'::UUID", "0e5b5a43-3e36-4b42-9b0f-7a7ffd7d21a2", `"0e5b5a43-3e36-4b42-9b0f-7a7ffd7d21a2"`},
	{"blob", `'\x00\xFFab'::BLOB`, "AP9hYg==", `"AP9hYg=="`},
	{"list_with_null", "[1.5, NULL]", "[1.5,null]", "[1.5,null]"},
	{"list_of_text", "['a', NULL, 'b,\"c\"']", `["a",null,"b,\"c\""]`, `["a",null,"b,\"c\""]`},
	{"list_of_nan", "['NaN'::DOUBLE, 1e300]", `["NaN",1e+300]`, `["NaN",1e+300]`},
	{"empty_list", "[]::INTEGER[]", "[]", "[]"},
	{"struct_in_order", "{'z': 1, 'a': NULL, 'm': [DATE '2024-01-02']}", `{"z":1,"a":null,"m":["2024-01-02"]}`, `{"z":1,"a":null,"m":["2024-01-02"]}`},
	{"map", "MAP {'k': 1.25, 'j': NULL}", `{"k":1.25,"j":null}`, `{"k":1.25,"j":null}`},
	{"array", "[1, 2, 3]::INTEGER[3]", "[1,2,3]", "[1,2,3]"},
	{"interval", "INTERVAL '1 year 2 days 3.5 seconds'", "P12M2DT3.5S", `{"months":12,"days":2,"micros":3500000}`},
	{"negative_interval", "INTERVAL '-1.5 seconds'", "P0M0DT-1.5S", `{"months":0,"days":0,"micros":-1500000}`},
}

// formatQuery selects every formatCase as a column named after it.
func formatQuery(cases []formatCase) string {
	var cols []string
	for _, c := range cases {
		cols = append(cols, c.expr+" AS "+c.name)
	}
	return "SELECT " + strings.Join(cols, ", ")
}

// TestQueryFormats: tsv, csv and json write each kind of value as they
// promise, with a header naming the columns.
func TestQueryFormats(t *testing.T) {
	db := emptyWarehouse(t)
	q := formatQuery(formatCases)
	var names []string
	for _, c := range formatCases {
		names = append(names, c.name)
	}

	code, out, stderr := runCLI(t, "query", "--db", db, "--format", "tsv", q)
	if code != exitOK {
		t.Fatalf("tsv: exit %d\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("tsv: %d lines, want a header and one row:\n%s", len(lines), out)
	}
	if got := strings.Split(lines[0], "\t"); !slices.Equal(got, names) {
		t.Errorf("tsv header %q, want %q", got, names)
	}
	checkFields(t, "tsv", strings.Split(lines[1], "\t"))

	code, out, stderr = runCLI(t, "query", "--db", db, "--format", "csv", q)
	if code != exitOK {
		t.Fatalf("csv: exit %d\n%s", code, stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("csv: %d records, %v:\n%s", len(recs), err, out)
	}
	if !slices.Equal(recs[0], names) {
		t.Errorf("csv header %q, want %q", recs[0], names)
	}
	checkFields(t, "csv", recs[1])
	for _, raw := range []string{`"Subject 1, day 1"`, `"say ""hi"", 'twice'"`, `,"[1.5,null]",`} {
		if !strings.Contains(out, raw) {
			t.Errorf("csv does not quote as RFC 4180 says: %s is missing from\n%s", raw, out)
		}
	}

	code, out, stderr = runCLI(t, "query", "--db", db, "--format", "json", q)
	if code != exitOK {
		t.Fatalf("json: exit %d\n%s", code, stderr)
	}
	if strings.Count(out, "\n") != 1 || !json.Valid([]byte(out)) {
		t.Fatalf("json: want one valid JSON line, got\n%s", out)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &obj); err != nil {
		t.Fatal(err)
	}
	for _, c := range formatCases {
		if got := string(obj[c.name]); got != c.json {
			t.Errorf("json %s (%s): %s, want %s", c.name, c.expr, got, c.json)
		}
	}
	// The keys are in the columns' order.
	if !strings.HasPrefix(out, `{"null":null,"spaces_comma":`) {
		t.Errorf("json keys out of order:\n%s", out)
	}
}

func checkFields(t *testing.T, format string, got []string) {
	t.Helper()
	if len(got) != len(formatCases) {
		t.Fatalf("%s: %d fields, want %d: %q", format, len(got), len(formatCases), got)
	}
	for i, c := range formatCases {
		if got[i] != c.text {
			t.Errorf("%s %s (%s): %q, want %q", format, c.name, c.expr, got[i], c.text)
		}
	}
}

// TestQueryFormatLineBreaks: csv quotes a value with a line break, a
// carriage return or a tab, and json escapes them; tsv refuses them (exit 2,
// naming the row and column), and a column name that holds one.
func TestQueryFormatLineBreaks(t *testing.T) {
	db := emptyWarehouse(t)
	q := `SELECT i, CASE WHEN i = 2 THEN 'a' || chr(9) || 'b' || chr(13) || chr(10) || 'c' ELSE 'plain' END AS note FROM range(1, 4) t(i)`
	code, out, stderr := runCLI(t, "query", "--db", db, "--format", "csv", q)
	if code != exitOK || !strings.Contains(out, "2,\"a\tb\r\nc\"\n") {
		t.Errorf("csv: exit %d, want the value quoted with its tab and CRLF\n%q%s", code, out, stderr)
	}
	code, out, stderr = runCLI(t, "query", "--db", db, "--format", "json", q)
	if code != exitOK || !strings.Contains(out, `{"i":2,"note":"a\tb\r\nc"}`) || strings.Count(out, "\n") != 3 {
		t.Errorf("json: exit %d\n%s%s", code, out, stderr)
	}
	code, _, stderr = runCLI(t, "query", "--db", db, "--format", "tsv", q)
	rec := errorRecord(t, stderr)
	if code != exitUsage || rec.Code != 6001 || !strings.Contains(rec.Msg, `row 2, column "note"`) || !strings.Contains(rec.Msg, "--format csv") {
		t.Errorf("tsv with a tab in a value: exit %d, record %+v, want %d naming row 2, column note", code, rec, exitUsage)
	}
	code, _, stderr = runCLI(t, "query", "--db", db, "--format", "tsv", `SELECT 1 AS "a`+"\t"+`b"`)
	if rec := errorRecord(t, stderr); code != exitUsage || !strings.Contains(rec.Msg, "column's name") {
		t.Errorf("tsv with a tab in a column name: exit %d, record %+v", code, rec)
	}
}

// TestQueryNullMarker: --null writes NULL as its marker in tsv and csv,
// refuses a value that would be written as the marker, and is refused
// with table and json, which have a NULL of their own.
func TestQueryNullMarker(t *testing.T) {
	db := emptyWarehouse(t)
	q := "SELECT * FROM (VALUES (1, 'x', 2.5), (2, NULL, NULL), (3, '', 0.5)) v(i, s, d) ORDER BY i"
	for _, tc := range []struct {
		format, null, want string
	}{
		{"tsv", "", "i\ts\td\n1\tx\t2.5\n2\t\t\n3\t\t0.5\n"},
		{"tsv", `\N`, "i\ts\td\n1\tx\t2.5\n2\t\\N\t\\N\n3\t\t0.5\n"},
		{"csv", "NA", "i,s,d\n1,x,2.5\n2,NA,NA\n3,,0.5\n"},
		{"csv", "", "i,s,d\n1,x,2.5\n2,,\n3,,0.5\n"},
	} {
		args := []string{"query", "--db", db, "--format", tc.format, q}
		if tc.null != "" {
			args = append(args, "--null", tc.null)
		}
		code, out, stderr := runCLI(t, args...)
		if code != exitOK || out != tc.want {
			t.Errorf("%s --null %q: exit %d\n%q\nwant\n%q\n%s", tc.format, tc.null, code, out, tc.want, stderr)
		}
	}
	// An explicit empty marker makes empty text ambiguous: refused.
	code, _, stderr := runCLI(t, "query", "--db", db, "--format", "csv", "--null", "", q)
	if rec := errorRecord(t, stderr); code != exitUsage || !strings.Contains(rec.Msg, `row 3, column "s"`) {
		t.Errorf("--null '' with empty text: exit %d, record %+v", code, rec)
	}
	code, _, stderr = runCLI(t, "query", "--db", db, "--format", "tsv", "--null", "NaN", "SELECT 'NaN'::DOUBLE AS d")
	if rec := errorRecord(t, stderr); code != exitUsage || rec.Code != 6001 || rec.CodeName != "QUERY_REFUSED" || !strings.Contains(rec.Msg, "--null marker") {
		t.Errorf("--null NaN with a NaN: exit %d, record %+v", code, rec)
	}
	for _, f := range []string{"table", "json"} {
		code, _, stderr := runCLI(t, "query", "--db", db, "--format", f, "--null", "NA", q)
		if rec := errorRecord(t, stderr); code != exitUsage || !strings.Contains(rec.Msg, "--null applies to") {
			t.Errorf("--format %s --null: exit %d, record %+v", f, code, rec)
		}
	}
}

// TestQueryTableValues: the table prints a NULL inside a list or struct
// as NULL (it printed <nil>), and text inside them quoted; a value's
// leading spaces are shown (' lead' printed as 'lead' was another value),
// and a line break inside is one blank.
func TestQueryTableValues(t *testing.T) {
	db := emptyWarehouse(t)
	for _, tc := range []struct{ name, sql, want string }{
		{"nested NULL", "SELECT [1.5, NULL] AS l, {'a': NULL, 'b': 'x y'} AS s, ['it''s'] AS q",
			"l            s                        q\n[1.5, NULL]  {'a': NULL, 'b': 'x y'}  ['it''s']\n(1 rows)\n"},
		{"leading spaces", "SELECT ' lead' AS a, 'x' || chr(10) || 'y' AS b", "a      b\n lead  x y\n(1 rows)\n"},
	} {
		code, out, stderr := runCLI(t, "query", "--db", db, tc.sql)
		if code != exitOK || out != tc.want {
			t.Errorf("%s: exit %d\n%q\nwant\n%q\n%s", tc.name, code, out, tc.want, stderr)
		}
	}
}

// TestQueryFormatChecks: an unknown format and JSON's duplicate column
// names are refused (exit 2).
func TestQueryFormatChecks(t *testing.T) {
	db := emptyWarehouse(t)
	code, _, stderr := runCLI(t, "query", "--db", db, "--format", "xml", "SELECT 1")
	if rec := errorRecord(t, stderr); code != exitUsage || !strings.Contains(rec.Msg, `"xml"`) {
		t.Errorf("--format xml: exit %d, record %+v", code, rec)
	}
	code, out, stderr := runCLI(t, "query", "--db", db, "--format", "json", "SELECT 1 AS a, 2 AS b, 3 AS a")
	if rec := errorRecord(t, stderr); code != exitUsage || out != "" || !strings.Contains(rec.Msg, "columns 1 and 3") {
		t.Errorf("json with a repeated column name: exit %d, record %+v\n%s", code, rec, out)
	}
}

// TestQueryExportPrintsEveryRow: tsv, csv and json print every row unless
// --max-rows is given, and then say on stderr, not in the data, that they
// stopped.
func TestQueryExportPrintsEveryRow(t *testing.T) {
	db := emptyWarehouse(t)
	q := "SELECT i FROM range(3 * 1000 + 7) t(i)"
	for _, f := range []string{"tsv", "csv", "json"} {
		code, out, stderr := runCLI(t, "query", "--db", db, "--format", f, q)
		want := 3*queryChunk + 7
		if f != "json" {
			want++ // the header
		}
		if code != exitOK || strings.Count(out, "\n") != want || strings.Contains(out, "rows") {
			t.Errorf("%s: exit %d, %d lines, want %d and no footer\n%s", f, code, strings.Count(out, "\n"), want, stderr)
		}
		code, out, stderr = runCLI(t, "query", "--db", db, "--format", f, "--max-rows", "5", q)
		if code != exitOK || strings.Count(out, "\n") != want-3*queryChunk-2 || !strings.Contains(stderr, "stopped after 5 rows") {
			t.Errorf("%s --max-rows 5: exit %d\n%s%s", f, code, out, stderr)
		}
	}
}

// TestQueryExportRoundTrips: doubles written as csv, tsv and json parse
// back with strconv.ParseFloat to the bits DuckDB holds, and text to the
// same text, for 20,000 generated rows spanning the doubles' range.
func TestQueryExportRoundTrips(t *testing.T) {
	db := emptyWarehouse(t)
	const q = `SELECT i,
  CASE WHEN i % 11 = 0 THEN NULL
       ELSE ((hash(i) % 2000003)::DOUBLE - 1000001) / 7919 * pow(10, (hash(i * 7) % 600)::INTEGER - 300) END AS d,
  CASE WHEN i % 13 = 0 THEN NULL
       ELSE 'g' || i || CASE i % 5 WHEN 0 THEN ', "quoted"' WHEN 1 THEN chr(10) || 'next line' WHEN 2 THEN ' ü 東' ELSE '' END END AS s
FROM range(20000) t(i) ORDER BY i`
	want := readDirect(t, db, q)

	code, out, stderr := runCLI(t, "query", "--db", db, "--format", "csv", "--null", "NA", q)
	if code != exitOK {
		t.Fatalf("csv: exit %d\n%s", code, stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	compareExport(t, "csv", recs[1:], want, "NA")

	// tsv cannot hold the line breaks: the doubles alone.
	code, out, stderr = runCLI(t, "query", "--db", db, "--format", "tsv", "SELECT i, d, NULL AS s FROM ("+q+") ORDER BY i")
	if code != exitOK {
		t.Fatalf("tsv: exit %d\n%s", code, stderr)
	}
	var rows [][]string
	for l := range strings.SplitSeq(strings.TrimSuffix(out, "\n"), "\n") {
		rows = append(rows, strings.Split(l, "\t"))
	}
	noText := make([]directRow, len(want))
	for i, r := range want {
		noText[i] = directRow{i: r.i, d: r.d}
	}
	compareExport(t, "tsv", rows[1:], noText, "")

	code, out, stderr = runCLI(t, "query", "--db", db, "--format", "json", q)
	if code != exitOK {
		t.Fatalf("json: exit %d\n%s", code, stderr)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	dec.UseNumber()
	for n := 0; dec.More(); n++ {
		var r struct {
			I json.Number
			D *json.Number
			S *string
		}
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		w := want[n]
		if r.I.String() != strconv.FormatInt(w.i, 10) || (r.D == nil) != !w.d.Valid || (r.S == nil) != !w.s.Valid {
			t.Fatalf("json row %d: %+v, want %+v", n, r, w)
		}
		if r.D != nil {
			if f, err := strconv.ParseFloat(r.D.String(), 64); err != nil || math.Float64bits(f) != math.Float64bits(w.d.Float64) {
				t.Errorf("json row %d: %s reads as %v (%v), want %v", n, *r.D, f, err, w.d.Float64)
			}
		}
		if r.S != nil && *r.S != w.s.String {
			t.Errorf("json row %d: %q, want %q", n, *r.S, w.s.String)
		}
	}
}

type directRow struct {
	i int64
	d sql.NullFloat64
	s sql.NullString
}

// readDirect runs q on the warehouse file through database/sql, as the
// reference the exports are compared with.
func readDirect(t *testing.T, db, q string) []directRow {
	t.Helper()
	conn, err := sql.Open("duckdb", db+"?access_mode=READ_ONLY")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []directRow
	for rows.Next() {
		var r directRow
		if err := rows.Scan(&r.i, &r.d, &r.s); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func compareExport(t *testing.T, format string, got [][]string, want []directRow, null string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d", format, len(got), len(want))
	}
	bad := 0
	for n, rec := range got {
		w := want[n]
		if len(rec) != 3 || rec[0] != strconv.FormatInt(w.i, 10) {
			t.Fatalf("%s row %d: %q, want id %d", format, n, rec, w.i)
		}
		switch f, err := strconv.ParseFloat(rec[1], 64); {
		case !w.d.Valid:
			if rec[1] != null {
				t.Errorf("%s row %d: %q, want NULL as %q", format, n, rec[1], null)
				bad++
			}
		case err != nil || math.Float64bits(f) != math.Float64bits(w.d.Float64):
			t.Errorf("%s row %d: %q reads as %v (%v), want %v", format, n, rec[1], f, err, w.d.Float64)
			bad++
		}
		switch {
		case !w.s.Valid && rec[2] != null, w.s.Valid && rec[2] != w.s.String:
			t.Errorf("%s row %d: %q, want %q", format, n, rec[2], w.s.String)
			bad++
		}
		if bad > 10 {
			t.FailNow()
		}
	}
}

// TestQueryFile: --file reads the SQL from a file, or stdin for "-", which
// takes a statement no command line could: 1.4 MB, an IN list of 50,000
// gene ids. The SQL is the argument or --file, never both or neither; a
// file that cannot be read exits 4 (code 1001), one with no SQL 2.
func TestQueryFile(t *testing.T) {
	db := emptyWarehouse(t)
	dir := t.TempDir()
	var sb strings.Builder
	sb.WriteString("SELECT count(*) AS n, sum(i) AS s FROM range(100000) t(i) WHERE 'GENE' || lpad(i::VARCHAR, 20, '0') IN (")
	for i := 0; i < 100000; i += 2 {
		if i > 0 {
			sb.WriteString(", ")
		}
		fmt.Fprintf(&sb, "'GENE%020d'", i)
	}
	sb.WriteString(")")
	if sb.Len() <= 1<<20 {
		t.Fatalf("the statement is %d bytes, want more than 1 MB", sb.Len())
	}
	big := filepath.Join(dir, "big.sql")
	if err := os.WriteFile(big, []byte("\xef\xbb\xbf"+sb.String()+";\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const want = "n\ts\n50000\t2499950000\n"
	if code, out, stderr := runCLI(t, "query", "--db", db, "--format", "tsv", "--file", big); code != exitOK || out != want {
		t.Errorf("--file: exit %d\n%s\nwant\n%s\n%s", code, out, want, stderr)
	}
	queryStdin = strings.NewReader(sb.String())
	t.Cleanup(func() { queryStdin = os.Stdin })
	if code, out, stderr := runCLI(t, "query", "--db", db, "--format", "tsv", "--file", "-"); code != exitOK || out != want {
		t.Errorf("--file -: exit %d\n%s\nwant\n%s\n%s", code, out, want, stderr)
	}

	code, _, stderr := runCLI(t, "query", "--db", db, "--file", big, "SELECT 1")
	if rec := errorRecord(t, stderr); code != exitUsage || !strings.Contains(rec.Msg, "not both") {
		t.Errorf("--file and an argument: exit %d, record %+v", code, rec)
	}
	code, _, stderr = runCLI(t, "query", "--db", db)
	if rec := errorRecord(t, stderr); code != exitUsage || !strings.Contains(rec.Msg, "--file") {
		t.Errorf("no SQL: exit %d, record %+v", code, rec)
	}
	code, _, stderr = runCLI(t, "query", "--db", db, "--file", "")
	if rec := errorRecord(t, stderr); code != exitUsage || !strings.Contains(rec.Msg, "needs a path") {
		t.Errorf("--file '': exit %d, record %+v", code, rec)
	}
	missing := filepath.Join(dir, "missing.sql")
	code, _, stderr = runCLI(t, "query", "--db", db, "--file", missing)
	if rec := errorRecord(t, stderr); code != exitInput || rec.Code != int(qc.FileNotFound) || !strings.Contains(rec.Msg, "missing.sql") {
		t.Errorf("a missing --file: exit %d, record %+v, want %d and code %d", code, rec, exitInput, qc.FileNotFound)
	}
	blank := filepath.Join(dir, "blank.sql")
	if err := os.WriteFile(blank, []byte(" \n\t\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCLI(t, "query", "--db", db, "--file", blank)
	if rec := errorRecord(t, stderr); code != exitUsage || !strings.Contains(rec.Msg, "holds no SQL") {
		t.Errorf("a blank --file: exit %d, record %+v", code, rec)
	}
}

// TestQueryFileIsReadOnly: a statement from --file meets the same guard
// as one given as the argument: writes, several statements, COPY and
// ATTACH are refused (code 6001), and nothing changes.
func TestQueryFileIsReadOnly(t *testing.T) {
	dir, db := loadedWarehouse(t)
	facts, files := queryFacts(t, db), filesIn(t, dir)
	sqlDir := t.TempDir()
	for i, q := range []string{
		"DELETE FROM fact_gene_expression",
		"SELECT 1;\nDELETE FROM fact_gene_expression;\n",
		"COPY (SELECT * FROM fact_gene_expression) TO '" + filepath.Join(dir, "out.csv") + "'",
		"ATTACH '" + filepath.Join(dir, "other.duckdb") + "' AS o",
		"-- a comment first\nDROP TABLE fact_gene_expression",
	} {
		p := filepath.Join(sqlDir, fmt.Sprintf("q%d.sql", i))
		if err := os.WriteFile(p, []byte(q), 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, stderr := runCLI(t, "query", "--db", db, "--format", "csv", "--file", p)
		if rec := errorRecord(t, stderr); code != exitUsage || out != "" || rec.Code != int(qc.QueryRefused) {
			t.Errorf("--file holding %q: exit %d, record %+v, want %d and code %d\n%s", q, code, rec, exitUsage, qc.QueryRefused, out)
		}
	}
	if got := queryFacts(t, db); got != facts {
		t.Errorf("the facts changed:\n%s\nwant\n%s", got, facts)
	}
	if got := filesIn(t, dir); !slices.Equal(got, files) {
		t.Errorf("the directory holds %v, want %v", got, files)
	}
}

// TestQueryPivotExport is docs/commands.md's recipe for a samples × genes
// matrix with labels, on the quick-start study: one query writes the PIVOT
// over every gene of the study, a second runs it from --file; every cell
// of the csv is the value in analytics.vw_expression_long.
func TestQueryPivotExport(t *testing.T) {
	_, db := loadedWarehouse(t)
	dir := t.TempDir()
	const study = "GSE71270"
	mk := filepath.Join(dir, "make_pivot.sql")
	if err := os.WriteFile(mk, []byte(pivotRecipe(t, study)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, "query", "--db", db, "--format", "tsv", "--file", mk)
	if code != exitOK {
		t.Fatalf("writing the PIVOT: exit %d\n%s", code, stderr)
	}
	_, pivotSQL, _ := strings.Cut(out, "\n") // past the header
	pivot := filepath.Join(dir, "pivot.sql")
	if err := os.WriteFile(pivot, []byte(pivotSQL), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr = runCLI(t, "query", "--db", db, "--format", "csv", "--file", pivot)
	if code != exitOK {
		t.Fatalf("the PIVOT: exit %d\n%s", code, stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}

	conn, err := sql.Open("duckdb", db+"?access_mode=READ_ONLY")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.Query(`SELECT sample_accession_code, illness_label, gene_id, expression_value
		FROM analytics.vw_expression_long WHERE study_accession_code = ?`, study)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	want := map[[2]string]string{} // sample, gene → value
	labels := map[string]string{}
	genes := map[string]bool{}
	for rows.Next() {
		var s, l, g string
		var v sql.NullFloat64
		if err := rows.Scan(&s, &l, &g, &v); err != nil {
			t.Fatal(err)
		}
		labels[s], genes[g] = l, true
		if v.Valid {
			want[[2]string{s, g}] = strconv.FormatFloat(v.Float64, 'g', -1, 64)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(labels)+1 || len(recs[0]) != len(genes)+2 || len(genes) < 1000 {
		t.Fatalf("the matrix is %d × %d, want %d samples and %d genes (and the header, sample and label)", len(recs), len(recs[0]), len(labels), len(genes))
	}
	if diff := cmp.Diff([]string{"sample_accession_code", "illness_label"}, recs[0][:2]); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	got := map[[2]string]string{}
	for _, rec := range recs[1:] {
		if rec[1] != labels[rec[0]] {
			t.Errorf("sample %s labelled %q, want %q", rec[0], rec[1], labels[rec[0]])
		}
		for j, g := range recs[0][2:] {
			if v := rec[j+2]; v != "" {
				got[[2]string{rec[0], g}] = v
			}
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the matrix's cells (-want +got):\n%s", diff)
	}
}

// pivotRecipe is docs/commands.md's query that writes a PIVOT of study's
// expression values, samples × genes with each sample's label, naming
// every gene (a PIVOT without IN is two statements, which query refuses).
func pivotRecipe(t *testing.T, study string) string {
	t.Helper()
	b, err := os.ReadFile("../../docs/commands.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "cat > make_pivot.sql <<'SQL'\n")
	recipe, _, ok2 := strings.Cut(rest, "\nSQL\n")
	if !ok || !ok2 || !strings.Contains(recipe, "'"+study+"'") {
		t.Fatalf("docs/commands.md has no make_pivot.sql recipe for %s", study)
	}
	return recipe + "\n"
}

// TestParseSQLType: the driver's type names read into trees; a name it
// cannot read is nil.
func TestParseSQLType(t *testing.T) {
	dbl, vc := &sqlType{name: "DOUBLE"}, &sqlType{name: "VARCHAR"}
	for _, tc := range []struct {
		in   string
		want *sqlType
	}{
		{"DOUBLE", dbl},
		{"DECIMAL(18,3)", &sqlType{name: "DECIMAL"}},
		{"VARCHAR[]", &sqlType{name: "LIST", elem: vc}},
		{"DOUBLE[3][]", &sqlType{name: "LIST", elem: &sqlType{name: "ARRAY", elem: dbl}}},
		{`STRUCT("z" DOUBLE, "a b" VARCHAR[], "q""t" MAP(VARCHAR, DOUBLE))`, &sqlType{name: "STRUCT", fields: []sqlField{
			{"z", dbl}, {"a b", &sqlType{name: "LIST", elem: vc}}, {`q"t`, &sqlType{name: "MAP", key: vc, value: dbl}}}}},
		{`UNION("n" INTEGER, "s" VARCHAR)`, &sqlType{name: "UNION", fields: []sqlField{{"n", &sqlType{name: "INTEGER"}}, {"s", vc}}}},
		{`STRUCT("a" DOUBLE`, nil},
		{`STRUCT(a DOUBLE)`, nil},
		{"MAP(VARCHAR)", nil},
		{"", nil},
		{"DOUBLE[", nil},
		{"DOUBLE junk", nil},
	} {
		got := parseSQLType(tc.in)
		if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(sqlType{}, sqlField{})); diff != "" {
			t.Errorf("parseSQLType(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

// FuzzParseSQLType: any text either reads as a type or as nil, never a
// panic; a type read writes back as a name that reads as the same type.
func FuzzParseSQLType(f *testing.F) {
	for _, s := range []string{"DOUBLE", "DECIMAL(18,3)", "VARCHAR[]", `STRUCT("a" INTEGER, "b""c" DOUBLE[2])`, "MAP(VARCHAR, STRUCT(\"x\" DATE))", `UNION("n" INTEGER)`, `STRUCT("`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		typ := parseSQLType(s)
		if typ == nil {
			return
		}
		again := parseSQLType(typeName(typ))
		if diff := cmp.Diff(typ, again, cmp.AllowUnexported(sqlType{}, sqlField{})); diff != "" {
			t.Errorf("%q reads as %s, which reads back differently (-first +again):\n%s", s, typeName(typ), diff)
		}
	})
}

// typeName writes t as the driver names types.
func typeName(t *sqlType) string {
	switch {
	case t.elem != nil && t.name == "LIST":
		return typeName(t.elem) + "[]"
	case t.elem != nil:
		return typeName(t.elem) + "[2]"
	case t.key != nil:
		return "MAP(" + typeName(t.key) + ", " + typeName(t.value) + ")"
	case len(t.fields) > 0:
		var b bytes.Buffer
		b.WriteString(t.name + "(")
		for i, f := range t.fields {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(`"` + strings.ReplaceAll(f.name, `"`, `""`) + `" ` + typeName(f.typ))
		}
		return b.String() + ")"
	}
	return t.name
}

// TestQueryOneColumnEmptyRows: a one-column row that is NULL or empty text
// would be an empty line, which csv and tsv readers skip. csv quotes it and
// every row reads back; tsv refuses it unless --null gives NULL a marker.
func TestQueryOneColumnEmptyRows(t *testing.T) {
	db := emptyWarehouse(t)
	q := "SELECT a FROM (VALUES (1, 'x'), (2, NULL), (3, ''), (4, 'y')) v(i, a) ORDER BY i"
	code, out, stderr := runCLI(t, "query", "--db", db, "--format", "csv", q)
	if want := "a\nx\n\"\"\n\"\"\ny\n"; code != exitOK || out != want {
		t.Fatalf("csv: exit %d\n%q\nwant %q\n%s", code, out, want, stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(recs) != 5 {
		t.Fatalf("csv read back %d records (%v), want the header and 4 rows: %q", len(recs), err, recs)
	}
	code, _, stderr = runCLI(t, "query", "--db", db, "--format", "tsv", q)
	if rec := errorRecord(t, stderr); code != exitUsage || !strings.Contains(rec.Msg, `row 2, column "a"`) || !strings.Contains(rec.Msg, "--null") {
		t.Errorf("tsv with an empty one-column row: exit %d, record %+v", code, rec)
	}
	code, out, stderr = runCLI(t, "query", "--db", db, "--format", "tsv", "--null", `\N`,
		"SELECT a FROM (VALUES (1, 'x'), (2, NULL)) v(i, a) ORDER BY i")
	if want := "a\nx\n\\N\n"; code != exitOK || out != want {
		t.Errorf("tsv --null: exit %d\n%q\nwant %q\n%s", code, out, want, stderr)
	}
}

// BenchmarkRowWriters writes one row of common column types per iteration
// in each export format, to io.Discard:
//
//	go test -run '^$' -bench RowWriters -benchmem ./cmd/genexp
func BenchmarkRowWriters(b *testing.B) {
	cols := []string{"gene_id", "sample_count", "mean_expression", "loaded_at", "day", "id"}
	types := []*sqlType{parseSQLType("VARCHAR"), parseSQLType("BIGINT"), parseSQLType("DOUBLE"),
		parseSQLType("TIMESTAMP"), parseSQLType("DATE"), parseSQLType("UUID")}
	at := time.Date(2024, 1, 2, 3, 4, 5, 123000000, time.UTC)
	row := []any{"ENSG00000000003", int64(12), 7.123456789012345, at, at, duckdbdrv.UUID{1, 2, 3}}
	for _, f := range []queryFormat{formatTSV, formatCSV, formatJSON} {
		b.Run(string(f), func(b *testing.B) {
			o := outputOptions{format: f}
			var rw rowWriter = newDelimitedWriter(io.Discard, o, cols, types)
			if f == formatJSON {
				rw = &jsonWriter{b: bufio.NewWriterSize(io.Discard, 64<<10), types: types}
			}
			if err := rw.header(cols); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if err := rw.row(i+1, row); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
