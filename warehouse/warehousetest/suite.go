package warehousetest

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// Target is a backend under test.
type Target struct {
	// Sink is a fresh warehouse with its schema created and no data.
	Sink warehouse.WarehouseSink
	// DB reads the same warehouse, for assertions.
	DB *sql.DB
}

// Opener returns a fresh Target. The suite calls it once per subtest; the
// opener registers its own cleanup with t.
type Opener func(t *testing.T) Target

// Run runs the contract suite.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, Target)
	}{
		{"NewBatch", testNewBatch},
		{"DuplicateBatchIsNoOp", testDuplicate},
		{"ChangedContentReplaces", testReplace},
		{"ReaderSeesOldOrNew", testIsolation},
		{"AbortLeavesPreviousState", testAbort},
		{"FailedCommitLeavesPreviousState", testFailedCommit},
		{"DimensionsUpdateInPlace", testSCD1},
		{"MissingValuesKeptAsNull", testNullValues},
		{"ViewsAnswer", testViews},
		{"QualityAndFindings", testQuality},
		{"StepLogUpdatesByID", testStepLog},
		{"MultiStudyMatrix", testMultiStudy},
		{"BatchEndsOnce", testEndsOnce},
		{"RowsWrittenMatchFacts", testRowsWritten},
		{"DuplicateWritesNoBatchRow", testDuplicateBatchRow},
		{"StudyAndPlatformUpdateInPlace", testSCD1Study},
		{"RefusedCommitChangesNothing", testRefusedCommit},
		{"UndeclaredColumnFailsTheBatch", testUndeclaredColumn},
		{"UnknownIllnessFailsTheBatch", testUnknownIllness},
		{"BatchRecordsSourcePath", testSourcePath},
		{"RepeatedGeneLinesFailTheBatch", testRepeatedLines},
		{"CancelAtAnyPointLeavesOldOrNew", testCancelAnywhere},
		{"ReadersSeeOldOrNewDuringReplace", testReadersDuringReplace},
		{"SparseColumnsAndLines", testSparse},
		{"EmptyBatch", testEmpty},
		{"SameContentOtherColumnsReplaces", testSameContentOtherColumns},
		{"BatchRecordsScale", testBatchRecordsScale},
		{"SameContentOtherMissingPolicyReplaces", testSameContentOtherPolicy},
		{"ConcurrentLoads", testConcurrentLoads},
		{"RejectedStudyQCWithoutDimensions", testRejectedStudyQC},
		{"AttemptsCountFailedAndKilledRuns", testAttempts},
		{"SharedSamplesKeepEachStudysLabels", testSharedSamples},
		{"ReplacementDropsItsStudysMissingSamples", testReplacementDropsSamples},
		{"SamplesMustBeListedWithTheirStudy", testMembershipRequired},
		{"DuplicateBesideReplacedKeepsItsFacts", testDuplicateBesideReplaced},
		{"ReplacementDropsASampleStagedUnderAnotherStudy", testMembershipMovesStudy},
		{"Log2ValueOfPositiveValuesOnly", testLog2Value},
		{"UnrecordedMembersKeepWhatWasRecorded", testUnrecorded},
		{"ColumnOfTwoStudiesCountsInBoth", testColumnOfTwoStudies},
		{"SampleTwiceInOneStudyIsRefused", testSampleTwiceInOneStudy},
		{"StatusDescribesCurrentBatchesAndSteps", testStatus},
		{"LogStepsRecordsInOrder", testStepsLogger},
		{"HealthCountsFailuresAndRuns", testHealth},
		{"AbandonedStepsAreMarkedFailed", testStepAborter},
		{"IllnessEvidenceExplainsLabels", testIllnessEvidence},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

// fixture is a small matrix of one or more studies, described the way the
// pipeline hands it to a sink.
type fixture struct {
	genes   []string
	samples []string // one per matrix column
	studies []string // study of each column
	values  [][]float64
	illness []string // label of each sample
	// evidence is each sample's IllnessEvidence; nil or "" for none.
	evidence []string
	// skipMissing leaves NaN cells out of the long rows, as the skip
	// policy does; otherwise they are sent as NaN and stored as NULL.
	skipMissing bool
	// title is the studies' title ("Study <accession>" when empty).
	title string
	// platformName names GPL570 (its real name when empty).
	platformName string
	// unrecorded, when set, describes the studies and samples as a load
	// without their metadata does (see unrecorded.go).
	unrecorded func(*warehouse.DimensionsRequest)
	// counted, when set, gives each study's QC the genes and samples the
	// matrix holds, as the pipeline counts them.
	counted bool
	// scaleBy is the commit's ScaleBy: how refine.bio scaled the values.
	scaleBy string
}

func newFixture(study string, genes, samples int, scale float64) fixture {
	f := fixture{}
	for g := 0; g < genes; g++ {
		f.genes = append(f.genes, fmt.Sprintf("ENSG%011d", g+1))
	}
	labels := []string{"CONTROL", "SEPSIS", "SEPTIC_SHOCK", "UNKNOWN"}
	for s := 0; s < samples; s++ {
		f.samples = append(f.samples, fmt.Sprintf("%s_S%d", study, s+1))
		f.studies = append(f.studies, study)
		f.illness = append(f.illness, labels[s%len(labels)])
	}
	for g := range f.genes {
		row := make([]float64, samples)
		for s := range row {
			// Values with full 17-digit mantissas, to catch lossy paths.
			row[s] = scale * (float64(g+1) + float64(s+1)/7.0)
		}
		f.values = append(f.values, row)
	}
	return f
}

func (f fixture) columns() []warehouse.Column {
	cols := make([]warehouse.Column, len(f.samples))
	for i := range f.samples {
		cols[i] = warehouse.Column{Index: i, Sample: f.samples[i], Study: f.studies[i]}
	}
	return cols
}

func (f fixture) dimensions() warehouse.DimensionsRequest {
	var d warehouse.DimensionsRequest
	seen := map[string]bool{}
	for i, s := range f.samples {
		st := f.studies[i]
		var evidence string
		if i < len(f.evidence) {
			evidence = f.evidence[i]
		}
		if !seen[st] {
			seen[st] = true
			pub := time.Date(2019, 3, 4, 5, 6, 7, 0, time.UTC)
			title := f.title
			if title == "" {
				title = "Study " + st
			}
			d.Studies = append(d.Studies, warehouse.Study{Accession: st, Title: title, Technology: "MICROARRAY",
				Organism: "HOMO_SAPIENS", FirstPublished: &pub})
		}
		d.Samples = append(d.Samples, warehouse.Sample{Accession: s, Title: "title of " + s, Organism: "HOMO_SAPIENS",
			Platform: "GPL570", Study: st, Illness: f.illness[i], IllnessMethod: "rule", IllnessRule: "r", IllnessField: "title",
			IllnessMatched: strings.ToLower(f.illness[i]), IllnessEvidence: evidence})
	}
	name := f.platformName
	if name == "" {
		name = "Affymetrix HG-U133 Plus 2.0"
	}
	d.Platforms = []warehouse.Platform{{Accession: "GPL570", Name: name, Manufacturer: "Affymetrix", Technology: "MICROARRAY"}}
	if f.unrecorded != nil {
		f.unrecorded(&d)
	}
	return d
}

// batches melts the matrix in batches of at most rows genes.
func (f fixture) batches(rows int) []*expression.LongBatch {
	var out []*expression.LongBatch
	for start := 0; start < len(f.genes); start += rows {
		end := min(start+rows, len(f.genes))
		lb := &expression.LongBatch{}
		for g := start; g < end; g++ {
			lb.Genes = append(lb.Genes, f.genes[g])
			lb.GeneLines = append(lb.GeneLines, int64(g+2))
			for s, v := range f.values[g] {
				if f.skipMissing && math.IsNaN(v) {
					continue
				}
				lb.Row = append(lb.Row, int32(g-start))
				lb.Column = append(lb.Column, int32(s))
				lb.Value = append(lb.Value, v)
			}
		}
		out = append(out, lb)
	}
	return out
}

func (f fixture) commit(hash string) warehouse.CommitRequest {
	req := warehouse.CommitRequest{FileHash: hash, ScaleBy: f.scaleBy}
	seen := map[string]bool{}
	for _, st := range f.studies {
		if !seen[st] {
			seen[st] = true
			req.Studies = append(req.Studies, warehouse.StudyCommit{Study: st, BatchID: batchID(st, hash),
				RowsRead: int64(len(f.genes) * f.count(st))})
			if f.counted {
				last := &req.Studies[len(req.Studies)-1]
				last.QC.Genes, last.QC.Samples = int64(len(f.genes)), int64(f.count(st))
			}
		}
	}
	return req
}

// cells returns the number of long rows the fixture sends for a study.
func (f fixture) cells(study string) int64 {
	var n int64
	for _, row := range f.values {
		for s, v := range row {
			if f.studies[s] == study && !(f.skipMissing && math.IsNaN(v)) {
				n++
			}
		}
	}
	return n
}

func (f fixture) count(study string) int {
	n := 0
	for _, s := range f.studies {
		if s == study {
			n++
		}
	}
	return n
}

// batchID imitates genexp.BatchID without importing the root package.
func batchID(study, hash string) string {
	id := fmt.Sprintf("%x", []byte(study+"|"+hash))
	for len(id) < 32 {
		id += "0"
	}
	return id[:32]
}

// load runs a whole batch and returns the commit result.
func load(t *testing.T, sink warehouse.WarehouseSink, f fixture, hash string) warehouse.CommitResult {
	t.Helper()
	res, err := tryLoad(context.Background(), sink, f, hash)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// tryLoad runs a whole batch under ctx and returns the commit result, or the
// first error, having aborted the batch.
func tryLoad(ctx context.Context, sink warehouse.WarehouseSink, f fixture, hash string) (warehouse.CommitResult, error) {
	return loadAs(ctx, sink, f, hash, "run-"+hash)
}

func loadAs(ctx context.Context, sink warehouse.WarehouseSink, f fixture, hash, runID string) (warehouse.CommitResult, error) {
	b, err := sink.Begin(ctx, warehouse.BeginRequest{RunID: runID, FileName: "m.tsv", Columns: f.columns()})
	if err != nil {
		return warehouse.CommitResult{}, fmt.Errorf("begin: %w", err)
	}
	defer b.Abort(context.Background())
	if err := b.UpsertDimensions(ctx, f.dimensions()); err != nil {
		return warehouse.CommitResult{}, fmt.Errorf("upserting dimensions: %w", err)
	}
	for _, lb := range f.batches(7) {
		if err := b.WriteRows(ctx, warehouse.RowsRequest{Rows: lb}); err != nil {
			return warehouse.CommitResult{}, fmt.Errorf("writing rows: %w", err)
		}
	}
	res, err := b.Commit(ctx, f.commit(hash))
	if err != nil {
		return warehouse.CommitResult{}, fmt.Errorf("commit: %w", err)
	}
	return res, nil
}

// stage begins a batch of f's columns under runID, upserts f's dimensions
// and writes its rows, rows genes at a time (none when rows is 0), and
// returns the open batch, aborted when the test ends.
func stage(t *testing.T, sink warehouse.WarehouseSink, f fixture, runID string, rows int) warehouse.Batch {
	t.Helper()
	ctx := context.Background()
	b, err := sink.Begin(ctx, warehouse.BeginRequest{RunID: runID, FileName: "m.tsv", Columns: f.columns()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Abort(context.Background()) })
	if err := b.UpsertDimensions(ctx, f.dimensions()); err != nil {
		t.Fatal(err)
	}
	if rows > 0 {
		for _, lb := range f.batches(rows) {
			if err := b.WriteRows(ctx, warehouse.RowsRequest{Rows: lb}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return b
}

func outcome(t *testing.T, res warehouse.CommitResult, study string) warehouse.StudyResult {
	t.Helper()
	for _, r := range res.Studies {
		if r.Study == study {
			return r
		}
	}
	t.Fatalf("commit result has no study %s: %+v", study, res)
	return warehouse.StudyResult{}
}

func scalar(t *testing.T, db *sql.DB, query string) int64 {
	t.Helper()
	var n sql.NullInt64
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n.Int64
}

func lit(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func factCount(t *testing.T, db *sql.DB, study string) int64 {
	return scalar(t, db, `SELECT COUNT(*) FROM fact_gene_expression f JOIN dim_study s ON s.study_key = f.study_key
		WHERE s.study_accession_code = `+lit(study))
}

// checkFacts compares every fact of the study with the fixture, bit for bit.
func checkFacts(t *testing.T, db *sql.DB, f fixture, study, wantBatch string) {
	t.Helper()
	// The view names each fact's batch id in every backend, whether the
	// fact table holds it or a key standing for it; the fixtures exclude
	// no sample from analysis, so it shows every fact.
	rows, err := db.Query(`SELECT gene_id, sample_accession_code, expression_value, batch_id
		FROM analytics.vw_expression_long
		WHERE study_accession_code = ` + lit(study))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	want := map[[2]string]float64{}
	for g, gene := range f.genes {
		for s, sample := range f.samples {
			if f.studies[s] == study && !(f.skipMissing && math.IsNaN(f.values[g][s])) {
				want[[2]string{gene, sample}] = f.values[g][s]
			}
		}
	}
	n := 0
	for rows.Next() {
		var gene, sample, batch string
		var nv sql.NullFloat64
		if err := rows.Scan(&gene, &sample, &nv, &batch); err != nil {
			t.Fatal(err)
		}
		w, ok := want[[2]string{gene, sample}]
		if !ok {
			t.Fatalf("unexpected fact (%s, %s)", gene, sample)
		}
		v := math.NaN() // a NULL fact stands for a missing cell
		if nv.Valid {
			v = nv.Float64
		}
		if math.Float64bits(w) != math.Float64bits(v) && !(math.IsNaN(w) && math.IsNaN(v)) {
			t.Fatalf("fact (%s, %s) = %v, want %v", gene, sample, v, w)
		}
		if batch != wantBatch {
			t.Fatalf("fact (%s, %s) has batch %s, want %s", gene, sample, batch, wantBatch)
		}
		delete(want, [2]string{gene, sample})
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(want) > 0 {
		t.Fatalf("%d facts missing (of %d)", len(want), n+len(want))
	}
}

func testNewBatch(t *testing.T, tg Target) {
	f := newFixture("GSE1", 20, 4, 1)
	res := load(t, tg.Sink, f, "h1")
	r := outcome(t, res, "GSE1")
	if r.Outcome != warehouse.Inserted || r.RowsWritten != 80 || r.PreviousBatchID != "" {
		t.Fatalf("result %+v, want new with 80 rows", r)
	}
	checkFacts(t, tg.DB, f, "GSE1", batchID("GSE1", "h1"))
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM meta_batch WHERE is_current = 1 AND study_accession_code = 'GSE1'`); n != 1 {
		t.Fatalf("current batches = %d", n)
	}
	for _, table := range []string{"staging.expression_values", "staging.matrix_rows", "staging.matrix_columns", "staging.load_batches"} {
		if n := scalar(t, tg.DB, "SELECT COUNT(*) FROM "+table); n != 0 {
			t.Errorf("%s keeps %d rows after commit", table, n)
		}
	}
}

func testDuplicate(t *testing.T, tg Target) {
	f := newFixture("GSE1", 10, 3, 1)
	load(t, tg.Sink, f, "h1")
	before := scalar(t, tg.DB, `SELECT COUNT(*) FROM fact_gene_expression`)
	res := load(t, tg.Sink, f, "h1")
	r := outcome(t, res, "GSE1")
	if r.Outcome != warehouse.Duplicate || r.RowsWritten != 0 || r.PreviousBatchID != batchID("GSE1", "h1") {
		t.Fatalf("second load: %+v, want duplicate", r)
	}
	if after := scalar(t, tg.DB, `SELECT COUNT(*) FROM fact_gene_expression`); after != before {
		t.Fatalf("facts %d → %d after a duplicate", before, after)
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM meta_batch`); n != 1 {
		t.Fatalf("meta_batch rows = %d, want 1", n)
	}
}

func testReplace(t *testing.T, tg Target) {
	old := newFixture("GSE1", 10, 3, 1)
	load(t, tg.Sink, old, "h1")
	changed := newFixture("GSE1", 6, 3, 2)
	res := load(t, tg.Sink, changed, "h2")
	r := outcome(t, res, "GSE1")
	if r.Outcome != warehouse.Replaced || r.PreviousBatchID != batchID("GSE1", "h1") || r.RowsWritten != 18 {
		t.Fatalf("result %+v, want replaced with 18 rows", r)
	}
	checkFacts(t, tg.DB, changed, "GSE1", batchID("GSE1", "h2"))
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM meta_batch WHERE is_current = 1`); n != 1 {
		t.Fatalf("current batches = %d, want 1", n)
	}
	// Going back to the first content makes its batch current again.
	res = load(t, tg.Sink, old, "h1")
	if r := outcome(t, res, "GSE1"); r.Outcome != warehouse.Replaced {
		t.Fatalf("reloading the first content: %+v", r)
	}
	checkFacts(t, tg.DB, old, "GSE1", batchID("GSE1", "h1"))
}

func testIsolation(t *testing.T, tg Target) {
	old := newFixture("GSE1", 10, 3, 1)
	load(t, tg.Sink, old, "h1")
	changed := newFixture("GSE1", 12, 3, 3)
	ctx := context.Background()
	b, err := tg.Sink.Begin(ctx, warehouse.BeginRequest{RunID: "r", FileName: "m.tsv", Columns: changed.columns()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Abort(ctx)
	if err := b.UpsertDimensions(ctx, changed.dimensions()); err != nil {
		t.Fatal(err)
	}
	for _, lb := range changed.batches(5) {
		if err := b.WriteRows(ctx, warehouse.RowsRequest{Rows: lb}); err != nil {
			t.Fatal(err)
		}
		// Mid-load, readers see exactly the old batch.
		checkFacts(t, tg.DB, old, "GSE1", batchID("GSE1", "h1"))
	}
	if _, err := b.Commit(ctx, changed.commit("h2")); err != nil {
		t.Fatal(err)
	}
	checkFacts(t, tg.DB, changed, "GSE1", batchID("GSE1", "h2"))
}

func testAbort(t *testing.T, tg Target) {
	old := newFixture("GSE1", 10, 3, 1)
	load(t, tg.Sink, old, "h1")
	ctx := context.Background()
	changed := newFixture("GSE1", 4, 3, 5)
	changed.studies = []string{"GSE1", "GSE1", "GSE1"}
	b, err := tg.Sink.Begin(ctx, warehouse.BeginRequest{RunID: "r", FileName: "m.tsv", Columns: changed.columns()})
	if err != nil {
		t.Fatal(err)
	}
	dims := changed.dimensions()
	dims.Studies[0].Title = "a title that must not survive the abort"
	if err := b.UpsertDimensions(ctx, dims); err != nil {
		t.Fatal(err)
	}
	for _, lb := range changed.batches(3) {
		if err := b.WriteRows(ctx, warehouse.RowsRequest{Rows: lb}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Abort(ctx); err != nil {
		t.Fatalf("Abort: %v", err)
	}
	if err := b.Abort(ctx); err != nil {
		t.Fatalf("second Abort: %v", err)
	}
	checkFacts(t, tg.DB, old, "GSE1", batchID("GSE1", "h1"))
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM dim_study WHERE study_title = 'a title that must not survive the abort'`); n != 0 {
		t.Fatal("an aborted batch's dimension update is visible")
	}
	if _, err := b.Commit(ctx, changed.commit("h2")); err == nil {
		t.Fatal("Commit after Abort succeeded")
	}
	// The warehouse still loads after an abort.
	load(t, tg.Sink, changed, "h2")
	checkFacts(t, tg.DB, changed, "GSE1", batchID("GSE1", "h2"))
}

func testFailedCommit(t *testing.T, tg Target) {
	old := newFixture("GSE1", 10, 3, 1)
	load(t, tg.Sink, old, "h1")
	ctx, cancel := context.WithCancel(context.Background())
	changed := newFixture("GSE1", 8, 3, 7)
	b := stage(t, tg.Sink, changed, "r", 4)
	cancel()
	if _, err := b.Commit(ctx, changed.commit("h2")); err == nil {
		t.Fatal("Commit with a cancelled context succeeded")
	}
	checkFacts(t, tg.DB, old, "GSE1", batchID("GSE1", "h1"))
	load(t, tg.Sink, changed, "h2")
	checkFacts(t, tg.DB, changed, "GSE1", batchID("GSE1", "h2"))
}

func testSCD1(t *testing.T, tg Target) {
	f := newFixture("GSE1", 5, 2, 1)
	load(t, tg.Sink, f, "h1")
	key := scalar(t, tg.DB, `SELECT sample_key FROM dim_sample WHERE sample_accession_code = 'GSE1_S1'`)
	f.illness[0] = "SEPTIC_SHOCK"
	res := load(t, tg.Sink, f, "h1")
	if r := outcome(t, res, "GSE1"); r.Outcome != warehouse.Duplicate {
		t.Fatalf("%+v", r)
	}
	if got := scalar(t, tg.DB, `SELECT sample_key FROM dim_sample WHERE sample_accession_code = 'GSE1_S1'`); got != key {
		t.Fatalf("sample key changed %d → %d", key, got)
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM dim_sample s JOIN dim_illness i ON i.illness_key = s.illness_key
		WHERE s.sample_accession_code = 'GSE1_S1' AND i.illness_label = 'SEPTIC_SHOCK'`); n != 1 {
		t.Fatal("the sample's illness label was not updated in place")
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM dim_study_sample ss JOIN dim_sample s ON s.sample_key = ss.sample_key
		JOIN dim_illness i ON i.illness_key = ss.illness_key
		WHERE s.sample_accession_code = 'GSE1_S1' AND i.illness_label = 'SEPTIC_SHOCK' AND ss.illness_matched = 'septic_shock'`); n != 1 {
		t.Fatal("the sample's label in its study was not updated in place")
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM dim_sample`); n != 2 {
		t.Fatalf("dim_sample rows = %d, want 2", n)
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM dim_study_sample`); n != 2 {
		t.Fatalf("dim_study_sample rows = %d, want 2", n)
	}
}

func testNullValues(t *testing.T, tg Target) {
	f := newFixture("GSE1", 4, 2, 1)
	f.values[1][0] = math.NaN()
	load(t, tg.Sink, f, "h1")
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM fact_gene_expression WHERE expression_value IS NULL`); n != 1 {
		t.Fatalf("NULL facts = %d, want 1", n)
	}
	if n := factCount(t, tg.DB, "GSE1"); n != 8 {
		t.Fatalf("facts = %d, want 8", n)
	}
}

func testViews(t *testing.T, tg Target) {
	f := newFixture("GSE1", 3, 4, 1)
	load(t, tg.Sink, f, "h1")
	// Every sample, UNKNOWN included, appears in the long view.
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM analytics.vw_expression_long`); n != 12 {
		t.Fatalf("vw_expression_long rows = %d, want 12", n)
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM analytics.vw_expression_long WHERE illness_label = 'UNKNOWN'`); n != 3 {
		t.Fatalf("UNKNOWN rows = %d, want 3", n)
	}
	var cnt int64
	var mean, lo, hi, median float64
	var sd sql.NullFloat64
	err := tg.DB.QueryRow(`SELECT sample_count, mean_expression, min_expression, max_expression, median_expression, std_expression
		FROM analytics.vw_expression_by_cohort
		WHERE study_accession_code = 'GSE1' AND illness_label = 'UNKNOWN' AND gene_id = `+lit(f.genes[2])).Scan(&cnt, &mean, &lo, &hi, &median, &sd)
	if err != nil {
		t.Fatalf("vw_expression_by_cohort: %v", err)
	}
	v := f.values[2][3]
	if cnt != 1 || mean != v || lo != v || hi != v || median != v {
		t.Fatalf("cohort row = (%d, %v, %v, %v, %v), want (1, %v…)", cnt, mean, lo, hi, median, v)
	}
	// One sample has no sample standard deviation.
	if sd.Valid {
		t.Fatalf("std_expression of a cohort of one = %v, want NULL", sd.Float64)
	}
	testCohortStdev(t, tg)
	// Two samples in one cohort: median of two values is their mean.
	g := newFixture("GSE2", 2, 2, 1)
	g.illness = []string{"SEPSIS", "SEPSIS"}
	load(t, tg.Sink, g, "h2")
	err = tg.DB.QueryRow(`SELECT sample_count, median_expression FROM analytics.vw_expression_by_cohort
		WHERE study_accession_code = 'GSE2' AND illness_label = 'SEPSIS' AND gene_id = `+lit(g.genes[0])).Scan(&cnt, &median)
	if err != nil {
		t.Fatal(err)
	}
	if want := (g.values[0][0] + g.values[0][1]) / 2; cnt != 2 || math.Abs(median-want) > 1e-12 {
		t.Fatalf("median = %v over %d samples, want %v over 2", median, cnt, want)
	}
}

func testQuality(t *testing.T, tg Target) {
	f := newFixture("GSE1", 4, 2, 1)
	ctx := context.Background()
	b := stage(t, tg.Sink, f, "run-q", 10)
	req := f.commit("hq")
	ks, p := 0.25, 0.03
	rowsUsed, sampled := int64(3), true
	req.Studies[0].QC = warehouse.StudyQC{KSStatistic: &ks, KSPValue: &p, KSWarning: "check this", Genes: 4, Samples: 2, Cells: 8,
		KSRowsUsed: &rowsUsed, KSSampled: &sampled}
	req.Studies[0].Findings = []*qc.Error{{Code: qc.GeneCountLow, Severity: qc.SeverityWarning, Study: "GSE1", File: "m.tsv", Msg: "low"}}
	if _, err := b.Commit(ctx, req); err != nil {
		t.Fatal(err)
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM meta_study_qc q JOIN dim_study s ON s.study_key = q.study_key
		WHERE s.study_accession_code = 'GSE1' AND q.ks_statistic = 0.25 AND q.ks_warning = 'check this' AND q.gene_count = 4`); n != 1 {
		t.Fatal("meta_study_qc row missing or wrong")
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM meta_batch_qc WHERE study_accession_code = 'GSE1' AND qc_status = 'LOADED'
		AND run_id = 'run-q' AND ks_statistic = 0.25 AND gene_count = 4 AND ks_rows_used = 3 AND ks_sampled = 1
		AND batch_id = `+lit(batchID("GSE1", "hq"))); n != 1 {
		t.Fatal("meta_batch_qc lacks the loaded batch's QC, or how many rows its KS check read")
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM meta_data_validation_log
		WHERE validation_code = 2002 AND severity = 'WARNING' AND study_accession_code = 'GSE1' AND run_id = 'run-q'`); n != 1 {
		t.Fatal("validation finding not recorded with the batch")
	}
	err := tg.Sink.RecordFindings(ctx, warehouse.FindingsRequest{RunID: "run-r", Findings: []*qc.Error{
		{Code: qc.NullPercentageHigh, Severity: qc.SeverityError, Study: "GSE9", File: "x.tsv", Line: 3, Column: 4, Msg: "too many"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM meta_data_validation_log
		WHERE validation_code = 2003 AND severity = 'ERROR' AND study_accession_code = 'GSE9' AND line_no = 3 AND column_no = 4`); n != 1 {
		t.Fatal("finding recorded outside a batch is missing")
	}
}

func testStepLog(t *testing.T, tg Target) {
	ctx := context.Background()
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	rec := warehouse.StepRecord{LogID: "log-1", RunID: "run-1", Study: "GSE1", Step: "load", Status: "RUNNING", Attempt: 1, StartedAt: start}
	if err := tg.Sink.LogStep(ctx, rec); err != nil {
		t.Fatal(err)
	}
	end := start.Add(time.Second)
	read, written, code := int64(100), int64(90), 2003
	rec.Status, rec.EndedAt, rec.RowsRead, rec.RowsWritten, rec.ErrorCode, rec.ErrorMessage = "FAILED", &end, &read, &written, &code, "boom"
	if err := tg.Sink.LogStep(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM meta_etl_process_log`); n != 1 {
		t.Fatalf("log rows = %d, want 1 (updated in place)", n)
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM meta_etl_process_log WHERE log_id = 'log-1' AND status = 'FAILED'
		AND rows_read = 100 AND rows_written = 90 AND error_code = 2003 AND ended_at IS NOT NULL`); n != 1 {
		t.Fatal("log row not updated")
	}
}

func testMultiStudy(t *testing.T, tg Target) {
	f := newFixture("GSE1", 6, 4, 1)
	f.studies = []string{"GSE1", "GSE1", "GSE2", "GSE2"}
	res := load(t, tg.Sink, f, "hm")
	for _, st := range []string{"GSE1", "GSE2"} {
		if r := outcome(t, res, st); r.Outcome != warehouse.Inserted || r.RowsWritten != 12 {
			t.Fatalf("%s: %+v", st, r)
		}
		checkFacts(t, tg.DB, f, st, batchID(st, "hm"))
	}
	// Reload the same bytes: both duplicate.
	res = load(t, tg.Sink, f, "hm")
	for _, st := range []string{"GSE1", "GSE2"} {
		if r := outcome(t, res, st); r.Outcome != warehouse.Duplicate {
			t.Fatalf("%s: %+v", st, r)
		}
	}
}

// testCohortStdev checks vw_expression_by_cohort.std_expression, the sample
// standard deviation (n − 1 denominator), against a two-pass computation in
// Go, for cohorts of 2 to 5 samples of one study.
func testCohortStdev(t *testing.T, tg Target) {
	f := newFixture("GSE3", 4, 14, 1)
	f.illness = []string{"SEPSIS", "SEPSIS", "CONTROL", "CONTROL", "CONTROL", "SEPTIC_SHOCK", "SEPTIC_SHOCK", "SEPTIC_SHOCK",
		"SEPTIC_SHOCK", "SEPTIC_SHOCK", "SEPSIS", "CONTROL", "NO_SEPSIS", "NO_SEPSIS"}
	for g := range f.values {
		for s := range f.values[g] {
			// Spread the values unevenly, so no two cohorts share a spread.
			f.values[g][s] = float64(g+1)*math.Sqrt(float64(s+2)) + math.Sin(float64(7*g+s))
		}
	}
	load(t, tg.Sink, f, "h3")
	for g, gene := range f.genes {
		byLabel := map[string][]float64{}
		for s, label := range f.illness {
			byLabel[label] = append(byLabel[label], f.values[g][s])
		}
		for label, xs := range byLabel {
			var n int64
			var sd sql.NullFloat64
			err := tg.DB.QueryRow(`SELECT sample_count, std_expression FROM analytics.vw_expression_by_cohort
				WHERE study_accession_code = 'GSE3' AND illness_label = `+lit(label)+` AND gene_id = `+lit(gene)).Scan(&n, &sd)
			if err != nil {
				t.Fatalf("%s %s: %v", gene, label, err)
			}
			var m float64
			for _, x := range xs {
				m += x
			}
			m /= float64(len(xs))
			var ss float64
			for _, x := range xs {
				ss += (x - m) * (x - m)
			}
			want := math.Sqrt(ss / float64(len(xs)-1))
			if n != int64(len(xs)) || !sd.Valid || math.Abs(sd.Float64-want) > 1e-12*math.Max(1, want) {
				t.Fatalf("%s %s: std_expression %v over %d samples, want %v over %d", gene, label, sd, n, want, len(xs))
			}
		}
	}
}
