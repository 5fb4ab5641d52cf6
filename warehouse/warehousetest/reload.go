package warehousetest

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// withoutLastSample is the fixture as a load sees it when the metadata does
// not describe the matrix's last column: the same file (same hash), one
// column fewer.
func withoutLastSample(f fixture) fixture {
	g := f
	n := len(f.samples) - 1
	g.samples, g.studies, g.illness = f.samples[:n], f.studies[:n], f.illness[:n]
	g.values = make([][]float64, len(f.values))
	for i, row := range f.values {
		g.values[i] = row[:n]
	}
	return g
}

func currentSignatureRows(t *testing.T, tg Target, study string) int64 {
	t.Helper()
	return scalar(t, tg.DB, `SELECT COUNT(*) FROM meta_batch WHERE is_current = 1 AND study_accession_code = `+lit(study))
}

// testSameContentOtherColumns: a load that left a column out (its sample
// was not described) and a later load of the same file with the column are
// the same batch id, but not the same facts: the second replaces the first,
// and only a third, identical load is a duplicate.
func testSameContentOtherColumns(t *testing.T, tg Target) {
	full := newFixture("GSE1", 6, 4, 1)
	partial := withoutLastSample(full)
	id := batchID("GSE1", "h1")
	if r := outcome(t, load(t, tg.Sink, partial, "h1"), "GSE1"); r.Outcome != warehouse.Inserted || r.RowsWritten != 18 {
		t.Fatalf("partial load: %+v, want new with 18 rows", r)
	}
	r := outcome(t, load(t, tg.Sink, full, "h1"), "GSE1")
	if r.Outcome != warehouse.Replaced || r.BatchID != id || r.PreviousBatchID != id || r.RowsWritten != 24 {
		t.Fatalf("same file with every column: %+v, want replaced (batch %s kept) with 24 rows", r, id)
	}
	checkFacts(t, tg.DB, full, "GSE1", id)
	if n := scalar(t, tg.DB, `SELECT COUNT(DISTINCT f.sample_key) FROM fact_gene_expression f`); n != 4 {
		t.Fatalf("facts hold %d samples, want 4", n)
	}
	if n := currentSignatureRows(t, tg, "GSE1"); n != 1 {
		t.Fatalf("current batches = %d, want 1", n)
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM meta_batch WHERE study_accession_code = 'GSE1' AND rows_written = 24`); n != 1 {
		t.Fatal("meta_batch does not record the replacing load's rows")
	}
	if r := outcome(t, load(t, tg.Sink, full, "h1"), "GSE1"); r.Outcome != warehouse.Duplicate {
		t.Fatalf("identical third load: %+v, want duplicate", r)
	}
	// Going back to fewer columns replaces again: the signature, not the
	// order of loads, decides.
	if r := outcome(t, load(t, tg.Sink, partial, "h1"), "GSE1"); r.Outcome != warehouse.Replaced {
		t.Fatalf("partial again: %+v, want replaced", r)
	}
	checkFacts(t, tg.DB, partial, "GSE1", id)
}

// testBatchRecordsScale: meta_batch.scale_by records the commit's ScaleBy
// for each study of the file, NULL when it is "", and a load that makes a
// batch current again (same content, other columns) records its own.
func testBatchRecordsScale(t *testing.T, tg Target) {
	const q = `SELECT study_accession_code, COALESCE(scale_by, 'NULL') FROM meta_batch ORDER BY study_accession_code`
	two := newFixture("GSE1", 6, 4, 1)
	two.studies = []string{"GSE1", "GSE1", "GSE2", "GSE2"}
	two.scaleBy = "STANDARD"
	load(t, tg.Sink, two, "h1")
	plain := newFixture("GSE3", 6, 3, 2)
	load(t, tg.Sink, plain, "h3")
	if got, want := strings.Join(texts(t, tg.DB, q), "; "), "GSE1\tSTANDARD; GSE2\tSTANDARD; GSE3\tNULL"; got != want {
		t.Fatalf("meta_batch scale_by: %s, want %s", got, want)
	}
	// The same file again with a column fewer replaces GSE2's facts with
	// the same batch id: the row is updated, with this load's scale.
	partial := withoutLastSample(two)
	partial.scaleBy = ""
	if r := outcome(t, load(t, tg.Sink, partial, "h1"), "GSE2"); r.Outcome != warehouse.Replaced {
		t.Fatalf("GSE2 with a column fewer: %+v, want replaced", r)
	}
	if got, want := strings.Join(texts(t, tg.DB, q), "; "), "GSE1\tSTANDARD; GSE2\tNULL; GSE3\tNULL"; got != want {
		t.Fatalf("meta_batch scale_by after the second load: %s, want %s", got, want)
	}
}

// testSameContentOtherPolicy: the same file loaded with missing cells
// skipped, then kept as NULL, holds other rows: replaced, not a duplicate.
func testSameContentOtherPolicy(t *testing.T, tg Target) {
	f := newFixture("GSE1", 5, 3, 1)
	f.values[1][0], f.values[3][2] = math.NaN(), math.NaN()
	f.skipMissing = true
	if r := outcome(t, load(t, tg.Sink, f, "h1"), "GSE1"); r.Outcome != warehouse.Inserted || r.RowsWritten != 13 {
		t.Fatalf("skipping: %+v, want new with 13 rows", r)
	}
	f.skipMissing = false
	r := outcome(t, load(t, tg.Sink, f, "h1"), "GSE1")
	if r.Outcome != warehouse.Replaced || r.PreviousBatchID != batchID("GSE1", "h1") || r.RowsWritten != 15 {
		t.Fatalf("keeping as NULL: %+v, want replaced with 15 rows", r)
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM fact_gene_expression WHERE expression_value IS NULL`); n != 2 {
		t.Fatalf("NULL facts = %d, want 2", n)
	}
	checkFacts(t, tg.DB, f, "GSE1", batchID("GSE1", "h1"))
	if r := outcome(t, load(t, tg.Sink, f, "h1"), "GSE1"); r.Outcome != warehouse.Duplicate {
		t.Fatalf("keeping again: %+v, want duplicate", r)
	}
	// A file without missing cells holds the same rows under either
	// policy: a duplicate.
	g := newFixture("GSE2", 3, 2, 1)
	g.skipMissing = true
	load(t, tg.Sink, g, "h2")
	g.skipMissing = false
	if r := outcome(t, load(t, tg.Sink, g, "h2"), "GSE2"); r.Outcome != warehouse.Duplicate {
		t.Fatalf("no missing cells, other policy: %+v, want duplicate", r)
	}
}

// testConcurrentLoads: two loaders of the same content at once. One
// inserts; the other is a duplicate, or is refused with a clear
// warehouse-busy error. Never two batches, never a fact written twice.
func testConcurrentLoads(t *testing.T, tg Target) {
	f := newFixture("GSE1", 40, 6, 1)
	var wg sync.WaitGroup
	results := make([]warehouse.CommitResult, 2)
	errs := make([]error, 2)
	start := make(chan struct{})
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i], errs[i] = loadAs(context.Background(), tg.Sink, f, "h1", "run-concurrent")
		}()
	}
	close(start)
	wg.Wait()
	outcomes := map[warehouse.Outcome]int{}
	for i := range 2 {
		if errs[i] != nil {
			if !errors.Is(errs[i], qc.WarehouseBusy) {
				t.Fatalf("loader %d failed with something other than warehouse busy: %v", i, errs[i])
			}
			var e *qc.Error
			if !errors.As(errs[i], &e) || e.Msg == "" {
				t.Fatalf("loader %d: the busy error says nothing: %v", i, errs[i])
			}
			outcomes["busy"]++
			continue
		}
		outcomes[outcome(t, results[i], "GSE1").Outcome]++
	}
	if outcomes[warehouse.Inserted] != 1 || outcomes[warehouse.Duplicate]+outcomes["busy"] != 1 {
		t.Fatalf("outcomes %v, want one new and one duplicate (or busy)", outcomes)
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM meta_batch WHERE study_accession_code = 'GSE1'`); n != 1 {
		t.Fatalf("meta_batch rows = %d, want 1", n)
	}
	checkFacts(t, tg.DB, f, "GSE1", batchID("GSE1", "h1"))
	if n := factCount(t, tg.DB, "GSE1"); n != 240 {
		t.Fatalf("facts = %d, want 240", n)
	}
}

// testRejectedStudyQC: the QC of a batch validation rejected is recorded
// without any dimension or fact of the study; a loaded batch's QC is kept
// beside it, one row per batch.
func testRejectedStudyQC(t *testing.T, tg Target) {
	rec, ok := tg.Sink.(warehouse.QCRecorder)
	if !ok {
		t.Skip("the sink does not record the QC of rejected batches (warehouse.QCRecorder)")
	}
	ctx := context.Background()
	d, p := 0.61, 1e-9
	err := rec.RecordStudyQC(ctx, warehouse.StudyQCRequest{RunID: "run-x", Study: "GSE9", BatchID: batchID("GSE9", "hx"),
		Status: warehouse.QCRejected, QC: warehouse.StudyQC{KSStatisticRecomputed: &d, KSPValueRecomputed: &p, KSWorstSample: "GSM9",
			Genes: 10, Samples: 3, Cells: 30, MissingCells: 20}})
	if err != nil {
		t.Fatal(err)
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM meta_batch_qc WHERE study_accession_code = 'GSE9' AND qc_status = 'REJECTED'
		AND run_id = 'run-x' AND ks_statistic_recomputed = 0.61 AND ks_worst_sample = 'GSM9' AND missing_cells = 20
		AND batch_id = `+lit(batchID("GSE9", "hx"))); n != 1 {
		t.Fatal("the rejected batch's QC is not in meta_batch_qc")
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM dim_study WHERE study_accession_code = 'GSE9'`); n != 0 {
		t.Fatal("recording a rejected batch's QC wrote a dim_study row")
	}
	// The same study loaded later: its loaded batch's QC is a row of its
	// own, and the rejected one stays.
	f := newFixture("GSE9", 4, 2, 1)
	load(t, tg.Sink, f, "h9")
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM meta_batch_qc WHERE study_accession_code = 'GSE9'`); n != 2 {
		t.Fatalf("meta_batch_qc rows of GSE9 = %d, want 2 (rejected and loaded)", n)
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM meta_batch_qc q JOIN meta_batch b ON b.batch_id = q.batch_id AND b.is_current = 1
		WHERE q.study_accession_code = 'GSE9' AND q.qc_status = 'LOADED' AND q.gene_count = 0`); n != 1 {
		t.Fatal("the loaded batch's QC row is missing")
	}
	// A stricter validation then rejects the content the study holds: its
	// REJECTED row stands beside the LOADED one, which keeps its status and
	// figures, and the batch stays current.
	loaded := batchID("GSE9", "h9")
	rows := int64(7)
	err = rec.RecordStudyQC(ctx, warehouse.StudyQCRequest{RunID: "run-strict", Study: "GSE9", BatchID: loaded,
		Status: warehouse.QCRejected, QC: warehouse.StudyQC{Genes: 4, Samples: 2, Cells: 8, KSRowsUsed: &rows}})
	if err != nil {
		t.Fatal(err)
	}
	qcRows := func(status, where string) int64 {
		return scalar(t, tg.DB, `SELECT COUNT(*) FROM meta_batch_qc WHERE study_accession_code = 'GSE9' AND batch_id = `+lit(loaded)+`
			AND qc_status = `+lit(status)+` AND `+where)
	}
	if n := qcRows("LOADED", `gene_count = 0 AND run_id = 'run-h9'`); n != 1 {
		t.Fatal("rejecting the current content relabelled or rewrote its LOADED row")
	}
	// Rows read without saying whether they were sampled is half a
	// figure: neither is kept.
	if n := qcRows("REJECTED", `run_id = 'run-strict' AND gene_count = 4 AND ks_rows_used IS NULL AND ks_sampled IS NULL`); n != 1 {
		t.Fatal("the rejected validation of the current content is not recorded beside its LOADED row, or kept half a KS figure")
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM meta_batch WHERE is_current = 1 AND batch_id = `+lit(loaded)); n != 1 {
		t.Fatal("recording a rejected validation changed the current batch")
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM meta_batch_qc WHERE study_accession_code = 'GSE9'`); n != 3 {
		t.Fatalf("meta_batch_qc rows of GSE9 = %d, want 3", n)
	}
	if err := rec.RecordStudyQC(ctx, warehouse.StudyQCRequest{Study: "GSE9"}); err == nil {
		t.Fatal("QC without a batch id was accepted")
	}
}

// testFeatureStaleAfterRelabel: a duplicate load that relabels a sample
// (its dim_study_sample row is updated in place, the batch stays) makes the features
// stale; so do a sample excluded from analysis, and the same content
// reloaded with other rows under the same batch id.
func testFeatureStaleAfterRelabel(t *testing.T, tg Target, fm warehouse.FeatureMaterializer) {
	labels := []string{"CONTROL", "SEPSIS", "CONTROL", "SEPSIS", "CONTROL", "UNKNOWN"}
	f := newFeatureFixture("GSE1", 8, labels, 5, log2Intensity)
	f.technology = "MICROARRAY"
	f.load(t, tg.Sink, "h1")
	req := warehouse.FeaturesRequest{Study: "GSE1", TopGenes: 4, IfStale: true}
	materialize(t, fm, req)
	if res := materialize(t, fm, req); !res.Skipped {
		t.Fatalf("unchanged: %+v, want skipped", res)
	}
	cohort := func(label string) int64 {
		return scalar(t, tg.DB, `SELECT COALESCE(MAX(feature_value), 0) FROM analytics.vw_feature_values
			WHERE study_accession_code = 'GSE1' AND feature_name = 'cohort_sample_count' AND illness_label = `+lit(label))
	}
	if cohort("SEPSIS") != 2 || cohort("SEPTIC_SHOCK") != 0 {
		t.Fatalf("cohorts before the relabel: SEPSIS %d, SEPTIC_SHOCK %d", cohort("SEPSIS"), cohort("SEPTIC_SHOCK"))
	}
	check := func(what string, want featureFixture) {
		t.Helper()
		res := materialize(t, fm, req)
		if res.Skipped {
			t.Fatalf("%s: the features were found current", what)
		}
		compareFeatures(t, storedFeatures(t, tg.DB, "GSE1", res.BatchID), expected(want, "GSE1", warehouse.ScaleValue, 4, readKeys(t, tg.DB)))
		if res := materialize(t, fm, req); !res.Skipped {
			t.Fatalf("%s, recomputed: %+v, want skipped", what, res)
		}
	}

	f.illness[1] = "SEPTIC_SHOCK"
	before := scalar(t, tg.DB, `SELECT COUNT(*) FROM meta_batch`)
	b, err := tg.Sink.Begin(context.Background(), warehouse.BeginRequest{RunID: "relabel", FileName: "m.tsv", Columns: f.columns()})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.UpsertDimensions(context.Background(), f.dimensions()); err != nil {
		t.Fatal(err)
	}
	for _, lb := range f.batches(5) {
		if err := b.WriteRows(context.Background(), warehouse.RowsRequest{Rows: lb}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := b.Commit(context.Background(), f.commit("h1"))
	if err != nil {
		t.Fatal(err)
	}
	if r := outcome(t, res, "GSE1"); r.Outcome != warehouse.Duplicate {
		t.Fatalf("relabelling load: %+v, want duplicate", r)
	}
	if after := scalar(t, tg.DB, `SELECT COUNT(*) FROM meta_batch`); after != before {
		t.Fatalf("meta_batch rows %d → %d after a duplicate", before, after)
	}
	check("relabelled sample", f)
	if cohort("SEPSIS") != 1 || cohort("SEPTIC_SHOCK") != 1 {
		t.Fatalf("cohorts after the relabel: SEPSIS %d, SEPTIC_SHOCK %d, want 1 and 1", cohort("SEPSIS"), cohort("SEPTIC_SHOCK"))
	}

	f.excluded[0] = true
	f.load(t, tg.Sink, "h1")
	check("sample excluded from analysis", f)

	// The same content, a missing cell now kept as NULL rather than
	// skipped: replaced under the same batch id.
	f.values[2][3] = math.NaN()
	f.skipMissing = true
	f.load(t, tg.Sink, "h1")
	materialize(t, fm, req)
	f.skipMissing = false
	f.load(t, tg.Sink, "h1")
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM fact_gene_expression WHERE expression_value IS NULL`); n != 1 {
		t.Fatalf("NULL facts = %d, want 1", n)
	}
	if res := materialize(t, fm, req); res.Skipped {
		t.Fatal("features of replaced facts under the same batch id were found current")
	}
}

// testFeatureSameBatchReplace: the views pick a study's features by its
// current batch id, so features computed from facts that a load replaced
// under the same batch id (the same content, other rows) would still look
// current. The replacing commit removes them, and another study's stay; a
// duplicate load removes nothing.
func testFeatureSameBatchReplace(t *testing.T, tg Target, fm warehouse.FeatureMaterializer) {
	labels := []string{"CONTROL", "SEPSIS", "CONTROL", "SEPSIS", "CONTROL"}
	f := newFeatureFixture("GSE1", 6, labels, 11, log2Intensity)
	f.technology = "MICROARRAY"
	other := newFeatureFixture("GSE2", 6, labels, 12, log2Intensity)
	other.technology = "MICROARRAY"
	f.values[1][2] = math.NaN()
	f.skipMissing = true
	f.load(t, tg.Sink, "h1")
	other.load(t, tg.Sink, "h2")
	req := warehouse.FeaturesRequest{Study: "GSE1", TopGenes: 3, IfStale: true}
	materialize(t, fm, req)
	materialize(t, fm, warehouse.FeaturesRequest{Study: "GSE2", TopGenes: 3})
	features := func(study string) (stored, shown int64) {
		return scalar(t, tg.DB, `SELECT COUNT(*) FROM fact_feature_values f JOIN dim_study st ON st.study_key = f.study_key
				WHERE st.study_accession_code = `+lit(study)),
			scalar(t, tg.DB, `SELECT COUNT(*) FROM analytics.vw_feature_values WHERE study_accession_code = `+lit(study))
	}
	stored, shown := features("GSE1")
	if stored == 0 || shown != stored {
		t.Fatalf("computed features: %d stored, %d shown", stored, shown)
	}
	otherStored, _ := features("GSE2")

	f.load(t, tg.Sink, "h1")
	if n, m := features("GSE1"); n != stored || m != shown {
		t.Fatalf("a duplicate load changed the features: %d stored, %d shown; want %d, %d", n, m, stored, shown)
	}

	// The missing cell now kept as NULL: the same batch id, other facts.
	f.skipMissing = false
	res := load(t, tg.Sink, f.fixture, "h1")
	if r := outcome(t, res, "GSE1"); r.Outcome != warehouse.Replaced || r.PreviousBatchID != r.BatchID {
		t.Fatalf("reload keeping the missing cell: %+v, want replaced under the same batch id", r)
	}
	if n, m := features("GSE1"); n != 0 || m != 0 {
		t.Fatalf("after the replace under the same batch id: %d features stored, %d shown as current; want none", n, m)
	}
	if n, _ := features("GSE2"); n != otherStored {
		t.Fatalf("another study's features: %d, want %d", n, otherStored)
	}
	if res := materialize(t, fm, req); res.Skipped || res.Rows == 0 {
		t.Fatalf("features after the replace: %+v, want recomputed", res)
	}
}

// testSourcePath: meta_batch.file_name records BeginRequest.SourcePath
// when it is set, FileName otherwise.
func testSourcePath(t *testing.T, tg Target) {
	ctx := context.Background()
	f := newFixture("GSE1", 4, 2, 1)
	b, err := tg.Sink.Begin(ctx, warehouse.BeginRequest{RunID: "run-src", FileName: "GSE1/m.tsv", SourcePath: "/data/dl.zip!GSE1/m.tsv", Columns: f.columns()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Abort(ctx)
	if err := b.UpsertDimensions(ctx, f.dimensions()); err != nil {
		t.Fatal(err)
	}
	for _, lb := range f.batches(7) {
		if err := b.WriteRows(ctx, warehouse.RowsRequest{Rows: lb}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Commit(ctx, f.commit("h1")); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := tg.DB.QueryRowContext(ctx, `SELECT file_name FROM meta_batch WHERE batch_id = '`+batchID("GSE1", "h1")+`'`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != "/data/dl.zip!GSE1/m.tsv" {
		t.Errorf("meta_batch.file_name %q, want the SourcePath", got)
	}
	load(t, tg.Sink, newFixture("GSE2", 4, 2, 1), "h2") // FileName "m.tsv", no SourcePath
	if err := tg.DB.QueryRowContext(ctx, `SELECT file_name FROM meta_batch WHERE batch_id = '`+batchID("GSE2", "h2")+`'`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != "m.tsv" {
		t.Errorf("meta_batch.file_name %q without a SourcePath, want the FileName", got)
	}
}
