package mssql

import (
	"io/fs"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	mssqldrv "github.com/microsoft/go-mssqldb"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// bulkAccepts lists, per SQL type, the Go types go-mssqldb v1.11.2's bulk
// copy encodes for it (Bulk.makeParam in bulkcopy.go); anything else fails
// the copy half-way. nil is always accepted.
var bulkAccepts = map[string][]reflect.Type{
	"INT":       {reflect.TypeFor[int](), reflect.TypeFor[int32](), reflect.TypeFor[int64](), reflect.TypeFor[float32](), reflect.TypeFor[float64]()},
	"BIGINT":    {reflect.TypeFor[int](), reflect.TypeFor[int32](), reflect.TypeFor[int64](), reflect.TypeFor[float32](), reflect.TypeFor[float64]()},
	"FLOAT":     {reflect.TypeFor[float32](), reflect.TypeFor[float64](), reflect.TypeFor[int](), reflect.TypeFor[int64]()},
	"NVARCHAR":  {reflect.TypeFor[string](), reflect.TypeFor[[]byte](), reflect.TypeFor[int](), reflect.TypeFor[int32](), reflect.TypeFor[int64]()},
	"BIT":       {reflect.TypeFor[bool]()},
	"DATETIME2": {reflect.TypeFor[time.Time](), reflect.TypeFor[string]()},
}

func baseType(sqlType string) string {
	t, _, _ := strings.Cut(sqlType, "(")
	return t
}

// checkRow checks one bulk copy row against the table the copy targets.
func checkRow(t *testing.T, spec copySpec, row []any) {
	t.Helper()
	table := tableByName(t, spec.table)
	cols := map[string]ddlColumn{}
	for _, c := range table.columns {
		cols[c.name] = c
	}
	if len(row) != len(spec.columns) {
		t.Fatalf("%s: row has %d values for %d columns", spec.table, len(row), len(spec.columns))
	}
	for i, name := range spec.columns {
		c, ok := cols[name]
		if !ok {
			t.Fatalf("%s has no column %s", spec.table, name)
		}
		v := row[i]
		if v == nil {
			if c.notNull {
				t.Errorf("%s.%s is NOT NULL but the row gives NULL", spec.table, name)
			}
			continue
		}
		accepted, ok := bulkAccepts[baseType(c.typ)]
		if !ok {
			t.Fatalf("%s.%s: no bulk type list for %s", spec.table, name, c.typ)
		}
		if !slices.Contains(accepted, reflect.TypeOf(v)) {
			t.Errorf("%s.%s (%s) gets a %T, which go-mssqldb's bulk copy does not encode for it", spec.table, name, c.typ, v)
		}
		if tm, ok := v.(time.Time); ok && tm.Location() != time.UTC {
			t.Errorf("%s.%s gets a time in %v, want UTC", spec.table, name, tm.Location())
		}
	}
}

// Every copy names existing columns, and names every column the server
// cannot fill itself.
func TestCopySpecsMatchTheSchema(t *testing.T) {
	for name, spec := range copySpecs() {
		table := tableByName(t, spec.table)
		listed := map[string]bool{}
		for _, c := range spec.columns {
			listed[c] = true
		}
		for _, c := range table.columns {
			if c.notNull && !c.implicit && !listed[c.name] {
				t.Errorf("%s: %s.%s is NOT NULL with no default, and the copy leaves it out", name, spec.table, c.name)
			}
		}
		var found int
		for _, c := range table.columns {
			if listed[c.name] {
				found++
			}
		}
		if found != len(spec.columns) {
			t.Errorf("%s: copies %d columns, %d of them exist in %s", name, len(spec.columns), found, spec.table)
		}
	}
}

func TestRowTypes(t *testing.T) {
	pub := time.Date(2019, 3, 4, 5, 6, 7, 0, time.FixedZone("CET", 3600))
	yes := true
	ks := 0.25
	full := struct {
		study    warehouse.Study
		platform warehouse.Platform
		sample   warehouse.Sample
	}{
		warehouse.Study{Accession: "GSE1", Title: "t", PubmedID: "1", Technology: "MICROARRAY", Organism: "HOMO_SAPIENS",
			PlatformSummary: "GPL570", Description: strings.Repeat("long ", 2000), FirstPublished: &pub, LastModified: &pub},
		warehouse.Platform{Accession: "GPL570", Name: "Affymetrix", Manufacturer: "Affymetrix", Technology: "MICROARRAY"},
		warehouse.Sample{Accession: "GSM1", Title: "t", Organism: "o", Platform: "GPL570", Study: "GSE1", Treatment: "x",
			CellLine: "c", Tissue: "blood", Processed: &yes, ProcessorName: "p", ProcessorVersion: "1", Illness: "SEPSIS",
			IllnessMethod: "rule", IllnessRule: "r", IllnessField: "title", IllnessMatched: "sepsis", ExcludeAnalysis: true},
	}
	col, err := columnRow(42, warehouse.Column{Index: 3, Sample: "GSM1", Study: "GSE1"})
	if err != nil {
		t.Fatal(err)
	}
	checkRow(t, copyColumns, col)
	checkRow(t, copyRows, geneRow(make([]any, 3), 42, 7, "ENSG1"))
	row := make([]any, 4)
	valueRow(row, 42, 7, 3, 1.5)
	checkRow(t, copyValues(DefaultChunkRows), row)
	valueRow(row, 42, 7, 3, math.NaN())
	checkRow(t, copyValues(DefaultChunkRows), row)
	if row[3] != nil {
		t.Errorf("a missing cell is copied as %v, want NULL", row[3])
	}
	for _, r := range [][]any{studyRow(42, 0, full.study), studyRow(42, 0, warehouse.Study{Accession: "GSE1"})} {
		checkRow(t, copyStudies, r)
	}
	for _, r := range [][]any{platformRow(42, 1, full.platform), platformRow(42, 1, warehouse.Platform{Accession: "GPL1"})} {
		checkRow(t, copyPlatforms, r)
	}
	for _, r := range [][]any{sampleRow(42, 2, full.sample), sampleRow(42, 2, warehouse.Sample{Accession: "GSM1"})} {
		checkRow(t, copySamples, r)
	}
	checkRow(t, copyBatches, batchRow(42, warehouse.StudyCommit{Study: "GSE1", BatchID: "b", QC: warehouse.StudyQC{KSStatistic: &ks}}, "m.tsv", "abc", "sig"))
	checkRow(t, copyBatches, batchRow(42, warehouse.StudyCommit{Study: "GSE1", BatchID: "b"}, "", "", "sig"))
	if _, err := columnRow(42, warehouse.Column{Index: math.MaxInt32 + 1}); err == nil {
		t.Error("a column index beyond INT was accepted")
	}
}

// Empty strings are NULL, as in the DuckDB warehouse.
func TestRowsTurnEmptyIntoNull(t *testing.T) {
	r := sampleRow(1, 0, warehouse.Sample{Accession: "GSM1"})
	for i, name := range copySamples.columns {
		switch name {
		case "load_key", "ordinal", "sample_accession_code", "exclude_from_analysis", "keep_attributes", "keep_illness":
			if r[i] == nil {
				t.Errorf("%s is NULL", name)
			}
		default:
			if r[i] != nil {
				t.Errorf("%s = %#v for an empty field, want NULL", name, r[i])
			}
		}
	}
}

func TestFindingArgs(t *testing.T) {
	f := &qc.Error{Code: qc.NullPercentageHigh, Severity: qc.SeverityError, File: "x.tsv", Line: 3, Column: 4, Path: "a.b",
		Msg: "too many", Err: errTest}
	args := findingArgs("run", "", "GSE9", f)
	if len(args) != len(findingColumns) {
		t.Fatalf("%d args for %d columns", len(args), len(findingColumns))
	}
	// The free text goes as nvarchar(max): one plan whatever its length.
	want := []any{"run", nil, "GSE9", int32(2003), "VALIDATION_NULL_PERCENTAGE_HIGH", "ERROR",
		mssqldrv.NVarCharMax("too many: boom (at a.b)"), mssqldrv.NVarCharMax("x.tsv"), int64(3), int64(4)}
	if !reflect.DeepEqual(args, want) {
		t.Fatalf("findingArgs = %#v, want %#v", args, want)
	}
	f.Study = "GSE1"
	if got := findingArgs("run", "", "GSE9", f)[2]; got != "GSE1" {
		t.Fatalf("a finding's own study lost to the batch's: %v", got)
	}
	long := &qc.Error{Code: qc.ParseError, Study: strings.Repeat("S", 150), File: strings.Repeat("f", 1200)}
	if got := findingArgs("run", "", "", long); got[2] != strings.Repeat("S", 99)+"…" || got[7] != mssqldrv.NVarCharMax(strings.Repeat("f", 999)+"…") {
		t.Fatalf("a study or file name wider than the log's columns went as %v and %v", got[2], got[7])
	}
	if got := logArgs(warehouse.StepRecord{Study: strings.Repeat("S", 101)})[3]; got != strings.Repeat("S", 99)+"…" {
		t.Fatalf("the process log's study went as %v", got)
	}
	step := logArgs(warehouse.StepRecord{ErrorMessage: "failed", Context: `{"k":1}`})
	if step[12] != mssqldrv.NVarCharMax("failed") || step[13] != mssqldrv.NVarCharMax(`{"k":1}`) {
		t.Fatalf("the process log's message and context went as %#v and %#v, want nvarchar(max)", step[12], step[13])
	}
	if step := logArgs(warehouse.StepRecord{}); step[12] != nil || step[13] != nil {
		t.Fatalf("an empty message and context went as %#v and %#v, want NULL", step[12], step[13])
	}
	if got := findingArgs("run", "", "", &qc.Error{Code: qc.GeneCountLow})[8]; got != nil {
		t.Fatalf("line 0 passed as %v, want NULL", got)
	}
}

func TestClip(t *testing.T) {
	for _, tc := range []struct {
		in    string
		width int
		want  string
	}{
		{"GSE1", 4, "GSE1"},
		{"GSE12", 4, "GSE…"},
		{"ééé", 3, "ééé"}, // 6 bytes, 3 code units
		{"a😀b", 4, "a😀b"}, // 😀 is a surrogate pair: two units
		{"a😀bc", 4, "a😀…"},
		{"😀😀", 2, "…"},             // the first pair does not fit beside the ellipsis
		{"ab\xffcd", 4, "ab\xff…"}, // an invalid byte counts as one unit
		{strings.Repeat("G", 101), logStudyWidth, strings.Repeat("G", 99) + "…"},
	} {
		got := clip(tc.in, tc.width)
		if got != tc.want {
			t.Errorf("clip(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
		if utf16Len(got) > tc.width {
			t.Errorf("clip(%q, %d) is %d units long", tc.in, tc.width, utf16Len(got))
		}
	}
}

// TestLogWidths holds the log and QC columns' clip widths to the schema: a
// wider value than the column's would fail the whole write.
func TestLogWidths(t *testing.T) {
	var ddl strings.Builder
	files, err := fs.Glob(schemaFS, "schema/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("schema files: %v, %v", files, err)
	}
	for _, f := range files {
		b, err := schemaFS.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ddl.Write(b)
	}
	for _, tc := range []struct {
		column string
		width  int
	}{{"study_accession_code", logStudyWidth}, {"file_name", logFileWidth}, {"ks_warning", ksWarningWidth}} {
		re := regexp.MustCompile(`(?i)\b` + tc.column + `\s+NVARCHAR\s*\(\s*(\d+)\s*\)`)
		found := re.FindAllStringSubmatch(ddl.String(), -1)
		if len(found) == 0 {
			t.Errorf("no %s NVARCHAR(n) in the schema", tc.column)
		}
		for _, m := range found {
			if n, _ := strconv.Atoi(m[1]); n != tc.width {
				t.Errorf("%s is NVARCHAR(%d) in the schema, clipped to %d", tc.column, n, tc.width)
			}
		}
	}
}

var errTest = errString("boom")

type errString string

func (e errString) Error() string { return string(e) }

func TestFloatPtrOnlyFloatsSQLServerHolds(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want any
	}{
		{0.25, 0.25}, {0, 0.0}, {-1e300, -1e300}, {minNormalFloat, minNormalFloat},
		{math.NaN(), nil}, {math.Inf(1), nil}, {math.Inf(-1), nil}, {5e-324, nil},
	} {
		if got := floatPtr(&tc.in); got != tc.want {
			t.Errorf("floatPtr(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
	if got := floatPtr(nil); got != nil {
		t.Errorf("floatPtr(nil) = %v", got)
	}
}

// TestQCArgsClipTheWarning: refine.bio's ks_warning is free text; one
// longer than the QC tables' column goes to SQL Server clipped to it, in
// both the study's QC row and the batch's.
func TestQCArgsClipTheWarning(t *testing.T) {
	long := strings.Repeat("é warning ", 400) // 4,000 units
	q := warehouse.StudyQC{KSWarning: long}
	for name, args := range map[string][]any{
		"qcArgs":      qcArgs(warehouse.StudyCommit{Study: "GSE1", BatchID: "b", QC: q}),
		"batchQCArgs": batchQCArgs("run", "GSE1", "b", "LOADED", q),
	} {
		var got string
		for _, a := range args {
			if s, ok := a.(string); ok && strings.HasPrefix(s, "é warning") {
				got = s
			}
		}
		if got == "" || utf16Len(got) > ksWarningWidth || !strings.HasSuffix(got, "…") {
			t.Errorf("%s sends a %d-unit ks_warning, want it clipped to %d ending in …", name, utf16Len(got), ksWarningWidth)
		}
	}
}
