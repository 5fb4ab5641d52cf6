package genexp_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// TestPipelineNotMadeByNew: Load and Features of a zero or nil Pipeline
// fail with ConfigInvalid; they used to panic on a nil dereference.
func TestPipelineNotMadeByNew(t *testing.T) {
	var zero genexp.Pipeline
	var none *genexp.Pipeline
	for name, p := range map[string]*genexp.Pipeline{"zero": &zero, "nil": none} {
		rep, err := p.Load(context.Background(), "testdata/refinebio/quickstart/GSE71270")
		if !errors.Is(err, qc.ConfigInvalid) || rep == nil {
			t.Errorf("%s Pipeline: Load gave %v, %v; want a report and ConfigInvalid", name, rep, err)
		}
		run, err := p.Features(context.Background(), genexp.FeatureOptions{})
		if !errors.Is(err, qc.ConfigInvalid) || run == nil {
			t.Errorf("%s Pipeline: Features gave %v, %v; want a run and ConfigInvalid", name, run, err)
		}
	}
}

// TestTypedNilsAreNil: an interface holding a nil pointer, given as a
// melter or as the dry run's current warehouse, means none, as a typed nil
// classifier or normalizer does; both used to panic inside Load.
func TestTypedNilsAreNil(t *testing.T) {
	const study = "testdata/refinebio/quickstart/GSE71270"
	var melter *expression.ColumnMelter
	p, err := genexp.New(openWarehouse(t), genexp.WithMelter(melter))
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := p.Load(context.Background(), study); err != nil || rep.Failed() || rep.Studies[0].Rows != 12000 {
		t.Errorf("a typed nil melter: %v %+v; want the default melter's 12,000 rows", err, rep)
	}
	var current *duckdb.Warehouse
	p, err = genexp.New(genexp.DryRunSink(current))
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := p.Load(context.Background(), study); err != nil || rep.Failed() || rep.Studies[0].Outcome != warehouse.Inserted {
		t.Errorf("a dry run on a typed nil warehouse: %v %+v; want GSE71270 new", err, rep)
	}
}

// TestReportErr: Report.Err joins the run's failures, nil when there are
// none, and errors.Is sees each.
func TestReportErr(t *testing.T) {
	p, err := genexp.New(openWarehouse(t))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Load(context.Background(), "testdata/refinebio/quickstart/GSE71270")
	if err != nil || rep.Err() != nil {
		t.Fatalf("a good load: %v, Err() = %v; want nil", err, rep.Err())
	}
	rep, err = p.Load(context.Background(), "testdata/refinebio/quickstart/GSE71270", "testdata/no-such-download")
	if err != nil || !errors.Is(rep.Err(), qc.FileNotFound) || !rep.Failed() {
		t.Errorf("a load with a missing path: %v, Err() = %v; want FileNotFound", err, rep.Err())
	}
}

// TestMisuseIsCoded: calls out of order fail with a code, as qc's doc says
// every failure does: a Reader's Sum before its end (ConfigInvalid), a
// dry run's batch used after its Commit (ConstraintViolation; the
// warehouses' batches are held to the same by warehousetest). They were
// plain errors.
func TestMisuseIsCoded(t *testing.T) {
	r, err := expression.NewReader(strings.NewReader("Gene\tGSM1\nG1\t1\nG2\t2\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Sum(); !errors.Is(err, qc.ConfigInvalid) {
		t.Errorf("Sum before the end: %v, want ConfigInvalid", err)
	}
	for r.Next() {
	}
	if _, err := r.Sum(); err != nil {
		t.Errorf("Sum at the end: %v", err)
	}
	ctx := context.Background()
	b, err := genexp.DryRunSink(nil).Begin(ctx, warehouse.BeginRequest{RunID: "r", FileName: "m.tsv",
		Columns: []warehouse.Column{{Index: 0, Sample: "GSM1", Study: "GSE1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Abort(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.UpsertDimensions(ctx, warehouse.DimensionsRequest{}); !errors.Is(err, qc.ConstraintViolation) {
		t.Errorf("UpsertDimensions after Abort: %v, want ConstraintViolation", err)
	}
	if _, err := b.Commit(ctx, warehouse.CommitRequest{}); !errors.Is(err, qc.ConstraintViolation) {
		t.Errorf("Commit after Abort: %v, want ConstraintViolation", err)
	}
}

// TestNilSourcesAreCoded: a nil source given to the metadata parsers, a
// Matrix not listed by OpenDownload, and a nil or zero DuckDB warehouse
// closed fail (or close) without a panic; they panicked.
func TestNilSourcesAreCoded(t *testing.T) {
	var f *os.File
	for name, parse := range map[string]func() error{
		"ParseJSON(nil)":       func() error { _, err := metadata.ParseJSON(nil, "m.json"); return err },
		"ParseTSV(nil)":        func() error { _, err := metadata.ParseTSV(nil, "m.tsv", "GSE1"); return err },
		"ParseJSON(nil *File)": func() error { _, err := metadata.ParseJSON(f, "m.json"); return err },
		"ParseTSV(nil *File)":  func() error { _, err := metadata.ParseTSV(f, "m.tsv", ""); return err },
		"zero Matrix.Open":     func() error { _, err := (&genexp.Matrix{Name: "m.tsv"}).Open(); return err },
		"nil Matrix.Open":      func() error { var m *genexp.Matrix; _, err := m.Open(); return err },
	} {
		err := parse()
		if _, coded := qc.CodeOf(err); !coded {
			t.Errorf("%s: %v, want a coded error", name, err)
		}
	}
	var none *duckdb.Warehouse
	if err := none.Close(); err != nil {
		t.Errorf("Close of a nil warehouse: %v", err)
	}
	if err := (&duckdb.Warehouse{}).Close(); err != nil {
		t.Errorf("Close of a zero warehouse: %v", err)
	}
}
