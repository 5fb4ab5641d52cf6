package warehousetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// A SPECIES download holds a sample in one column of one matrix, and its
// metadata lists the sample under every experiment that holds it (a
// SuperSeries and its SubSeries). The pipeline then declares the column
// once per study (warehouse.Column), and lists the sample once per study in
// the dimensions, each with its own label.

// speciesMatrix is a matrix of several studies in which some columns are
// held by a second study too.
type speciesMatrix struct {
	fixture // one column per sample, under its first study
	// also maps a column to the second study that holds it, and label to
	// the sample's label there.
	also  map[int]string
	label map[int]string
}

// shared returns the columns also lists, in order.
func (m speciesMatrix) shared() []int {
	return slices.Sorted(maps.Keys(m.also))
}

func (m speciesMatrix) columns() []warehouse.Column {
	cols := m.fixture.columns()
	for _, c := range m.shared() {
		cols = append(cols, warehouse.Column{Index: c, Sample: m.samples[c], Study: m.also[c]})
	}
	return cols
}

func (m speciesMatrix) dimensions() warehouse.DimensionsRequest {
	d := m.fixture.dimensions()
	for _, c := range m.shared() {
		s := d.Samples[c]
		s.Study, s.Illness, s.IllnessMatched = m.also[c], m.label[c], strings.ToLower(m.label[c])
		d.Samples = append(d.Samples, s)
	}
	return d
}

// of is what a reader of study should see: its own columns and the
// columns it shares, with its labels.
func (m speciesMatrix) of(study string) fixture {
	g := only(m.fixture, study)
	for _, c := range m.shared() {
		if m.also[c] != study {
			continue
		}
		g.samples = append(g.samples, m.samples[c])
		g.studies = append(g.studies, study)
		g.illness = append(g.illness, m.label[c])
		for r := range g.values {
			g.values[r] = append(g.values[r], m.values[r][c])
		}
	}
	return g
}

func (m speciesMatrix) load(t *testing.T, sink warehouse.WarehouseSink, hash string) warehouse.CommitResult {
	t.Helper()
	ctx := context.Background()
	b, err := sink.Begin(ctx, warehouse.BeginRequest{RunID: "run-" + hash, FileName: "DANIO_RERIO.tsv", Columns: m.columns()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Abort(ctx)
	if err := b.UpsertDimensions(ctx, m.dimensions()); err != nil {
		t.Fatal(err)
	}
	for _, lb := range m.batches(5) {
		if err := b.WriteRows(ctx, warehouse.RowsRequest{Rows: lb}); err != nil {
			t.Fatal(err)
		}
	}
	req := m.commit(hash)
	for i, s := range req.Studies {
		req.Studies[i].RowsRead = int64(len(m.genes) * len(m.of(s.Study).samples))
	}
	res, err := b.Commit(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// testColumnOfTwoStudies: a column both studies of a matrix hold gives
// facts to each, a membership with each study's own label, and counts in
// each study's rows written. Loaded again it is a duplicate for both; when
// one study no longer holds it, that study is replaced without it and the
// other keeps it.
func testColumnOfTwoStudies(t *testing.T, tg Target) {
	f := newFixture("GSE2", 6, 6, 1)
	for i := range f.samples {
		f.samples[i] = fmt.Sprintf("GSM%d", 7001+i)
	}
	f.studies = []string{"GSE1", "GSE1", "GSE1", "GSE2", "GSE2", "GSE2"}
	m := speciesMatrix{fixture: f, also: map[int]string{1: "GSE2", 2: "GSE2"}, label: map[int]string{1: "SEPSIS", 2: "CONTROL"}}
	// The shared samples' labels in GSE1 differ from those in GSE2.
	m.illness[1], m.illness[2] = "CONTROL", "SEPTIC_SHOCK"

	res := m.load(t, tg.Sink, "h1")
	for _, study := range []string{"GSE1", "GSE2"} {
		want := m.of(study)
		r := outcome(t, res, study)
		if r.Outcome != warehouse.Inserted || r.RowsWritten != int64(len(want.genes)*len(want.samples)) {
			t.Fatalf("%s: %+v, want new with %d rows", study, r, len(want.genes)*len(want.samples))
		}
		checkStudy(t, tg, want, study, "h1")
		if n := scalar(t, tg.DB, `SELECT rows_written FROM meta_batch WHERE is_current = 1 AND study_accession_code = `+lit(study)); n != r.RowsWritten {
			t.Errorf("%s: meta_batch.rows_written = %d, want %d", study, n, r.RowsWritten)
		}
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM dim_sample`); n != int64(len(f.samples)) {
		t.Errorf("dim_sample rows = %d, want %d: a shared sample is one member", n, len(f.samples))
	}
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM dim_study_sample`); n != int64(len(f.samples)+len(m.also)) {
		t.Errorf("dim_study_sample rows = %d, want %d", n, len(f.samples)+len(m.also))
	}

	res = m.load(t, tg.Sink, "h1")
	for _, study := range []string{"GSE1", "GSE2"} {
		if r := outcome(t, res, study); r.Outcome != warehouse.Duplicate || r.RowsWritten != 0 {
			t.Fatalf("%s again: %+v, want a duplicate", study, r)
		}
	}

	// GSE2 no longer holds column 1: the same file, replaced for GSE2 only.
	fewer := m
	fewer.also, fewer.label = map[int]string{2: "GSE2"}, map[int]string{2: "CONTROL"}
	res = fewer.load(t, tg.Sink, "h1")
	if r := outcome(t, res, "GSE1"); r.Outcome != warehouse.Duplicate {
		t.Fatalf("GSE1: %+v, want a duplicate", r)
	}
	if r := outcome(t, res, "GSE2"); r.Outcome != warehouse.Replaced {
		t.Fatalf("GSE2 without %s: %+v, want replaced", f.samples[1], r)
	}
	checkStudy(t, tg, fewer.of("GSE1"), "GSE1", "h1")
	checkStudy(t, tg, fewer.of("GSE2"), "GSE2", "h1")
}

// testSampleTwiceInOneStudy: two columns of one sample in one study would
// give two facts for one (study, sample, gene); the commit fails with
// ConstraintViolation and writes nothing, while the same sample held by
// two studies loads.
func testSampleTwiceInOneStudy(t *testing.T, tg Target) {
	f := newFixture("GSE1", 4, 3, 1)
	f.samples[2] = f.samples[0]
	ctx := context.Background()
	_, err := tryLoad(ctx, tg.Sink, f, "h1")
	if !errors.Is(err, qc.ConstraintViolation) {
		t.Fatalf("a sample in two columns of one study: %v, want %v", err, qc.ConstraintViolation)
	}
	if n := factCount(t, tg.DB, "GSE1"); n != 0 {
		t.Fatalf("GSE1 has %d facts after a refused load", n)
	}
}
