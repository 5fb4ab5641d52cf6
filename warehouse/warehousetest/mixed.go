package warehousetest

import (
	"database/sql"
	"fmt"
	"math"
	"testing"

	"github.com/genexp/genexp/warehouse"
)

// only is f's columns of one study: the fixture a reader of that study
// should see.
func only(f fixture, study string) fixture {
	g := f
	g.samples, g.studies, g.illness = nil, nil, nil
	var keep []int
	for i, st := range f.studies {
		if st == study {
			keep = append(keep, i)
			g.samples = append(g.samples, f.samples[i])
			g.studies = append(g.studies, st)
			g.illness = append(g.illness, f.illness[i])
		}
	}
	g.values = make([][]float64, len(f.values))
	for r, row := range f.values {
		for _, i := range keep {
			g.values[r] = append(g.values[r], row[i])
		}
	}
	return g
}

// testDuplicateBesideReplaced: one file holds two studies; loaded again
// (the same hash) with a column more for the second, the first is a
// duplicate and the second is replaced in the same commit. The replace
// must delete only the replaced study's facts: the duplicate's are not
// written again, so deleting them would lose them.
func testDuplicateBesideReplaced(t *testing.T, tg Target) {
	full := newFixture("GSE1", 6, 5, 1)
	full.studies = []string{"GSE1", "GSE1", "GSE1", "GSE2", "GSE2"}
	full.samples = []string{"GSE1_S1", "GSE1_S2", "GSE1_S3", "GSE2_S1", "GSE2_S2"}
	partial := withoutLastSample(full) // GSE2 without its second sample

	res := load(t, tg.Sink, partial, "h1")
	for st, rows := range map[string]int64{"GSE1": 18, "GSE2": 6} {
		if r := outcome(t, res, st); r.Outcome != warehouse.Inserted || r.RowsWritten != rows {
			t.Fatalf("first load, %s: %+v, want new with %d rows", st, r, rows)
		}
	}

	res = load(t, tg.Sink, full, "h1")
	if r := outcome(t, res, "GSE1"); r.Outcome != warehouse.Duplicate || r.RowsWritten != 0 {
		t.Fatalf("GSE1, identical: %+v, want duplicate", r)
	}
	if r := outcome(t, res, "GSE2"); r.Outcome != warehouse.Replaced || r.RowsWritten != 12 || r.PreviousBatchID != batchID("GSE2", "h1") {
		t.Fatalf("GSE2, a column more: %+v, want replaced with 12 rows", r)
	}
	if n := factCount(t, tg.DB, "GSE1"); n != 18 {
		t.Fatalf("GSE1 holds %d facts after its duplicate beside GSE2's replace, want 18", n)
	}
	checkFacts(t, tg.DB, only(full, "GSE1"), "GSE1", batchID("GSE1", "h1"))
	checkFacts(t, tg.DB, only(full, "GSE2"), "GSE2", batchID("GSE2", "h1"))
	if n := scalar(t, tg.DB, `SELECT COUNT(*) FROM meta_batch WHERE study_accession_code = 'GSE1'`); n != 1 {
		t.Fatalf("GSE1 has %d meta_batch rows, want 1: a duplicate writes none", n)
	}
}

// testMembershipMovesStudy: study GSE2 held sample S; a file that holds S
// under GSE1 and GSE2's other sample replaces GSE2 without S. S leaves
// GSE2 (its membership and its vw_sample_illness row) although the same
// load stages it, under another study, and joins GSE1.
func testMembershipMovesStudy(t *testing.T, tg Target) {
	const s, x, y = "GSM9001", "GSM9002", "GSM9003"
	before := newFixture("GSE2", 6, 2, 1)
	before.samples = []string{s, x}
	before.illness = []string{"SEPSIS", "CONTROL"}
	load(t, tg.Sink, before, "h1")
	checkStudy(t, tg, before, "GSE2", "h1")

	after := newFixture("GSE1", 6, 3, 2)
	after.samples = []string{s, x, y}
	after.studies = []string{"GSE1", "GSE2", "GSE1"}
	after.illness = []string{"SEPTIC_SHOCK", "CONTROL", "NO_SEPSIS"}
	res := load(t, tg.Sink, after, "h2")
	if r := outcome(t, res, "GSE2"); r.Outcome != warehouse.Replaced {
		t.Fatalf("GSE2 without %s: %+v, want replaced", s, r)
	}
	if r := outcome(t, res, "GSE1"); r.Outcome != warehouse.Inserted {
		t.Fatalf("GSE1: %+v, want new", r)
	}
	member := func(study, sample string) int64 {
		return scalar(t, tg.DB, `SELECT COUNT(*) FROM dim_study_sample ss
			JOIN dim_study st ON st.study_key = ss.study_key
			JOIN dim_sample sa ON sa.sample_key = ss.sample_key
			WHERE st.study_accession_code = `+lit(study)+` AND sa.sample_accession_code = `+lit(sample))
	}
	if n := member("GSE2", s); n != 0 {
		t.Errorf("dim_study_sample keeps (GSE2, %s) after GSE2 was replaced without it", s)
	}
	if n := member("GSE1", s); n != 1 {
		t.Errorf("dim_study_sample has %d rows of (GSE1, %s), want 1", n, s)
	}
	checkStudy(t, tg, only(after, "GSE2"), "GSE2", "h2")
	checkStudy(t, tg, only(after, "GSE1"), "GSE1", "h2")
}

// testLog2Value: expression_log2_value is log2 of a positive value, and
// NULL for zero, a negative value and a missing one (docs/warehouse.md: "NULL where v ≤ 0").
func testLog2Value(t *testing.T, tg Target) {
	f := newFixture("GSE1", 6, 1, 1)
	in := []float64{8, 1, 0.25, 0, -3, math.NaN()}
	want := []sql.NullFloat64{{Float64: 3, Valid: true}, {Float64: 0, Valid: true}, {Float64: -2, Valid: true}, {}, {}, {}}
	for g := range f.values {
		f.values[g][0] = in[g]
	}
	load(t, tg.Sink, f, "h1")
	for g, gene := range f.genes {
		var got sql.NullFloat64
		err := tg.DB.QueryRow(`SELECT f.expression_log2_value FROM fact_gene_expression f
			JOIN dim_gene g ON g.gene_key = f.gene_key WHERE g.gene_id = ` + lit(gene)).Scan(&got)
		if err != nil {
			t.Fatalf("log2 of %v: %v", in[g], err)
		}
		w := want[g]
		if got.Valid != w.Valid || (w.Valid && math.Abs(got.Float64-w.Float64) > 1e-12) {
			t.Errorf("expression_log2_value of %v = %s, want %s", in[g], showNull(got), showNull(w))
		}
	}
}

func showNull(v sql.NullFloat64) string {
	if !v.Valid {
		return "NULL"
	}
	return fmt.Sprint(v.Float64)
}
