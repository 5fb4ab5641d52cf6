package genexp_test

import (
	"context"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// TestDryRunSeesLoadsBetweenRuns: a Pipeline on a DryRunSink of a
// warehouse decides each study's outcome against what the warehouse holds
// when the study is read, not when the sink first looked: after a real
// load, the same dry-run Pipeline calls the same download a duplicate.
// Concurrent dry runs on one sink are safe (go test -race checks it).
func TestDryRunSeesLoadsBetweenRuns(t *testing.T) {
	const path = "testdata/refinebio/species"
	w := openWarehouse(t)
	dry, err := genexp.New(genexp.DryRunSink(w))
	if err != nil {
		t.Fatal(err)
	}
	outcomes := func(want warehouse.Outcome) {
		t.Helper()
		rep, err := dry.Load(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Studies) != 2 {
			t.Fatalf("%d studies, want 2", len(rep.Studies))
		}
		for _, s := range rep.Studies {
			if s.Err != nil || s.Outcome != want {
				t.Errorf("%s: %s (%v), want %s", s.Study, s.Outcome, s.Err, want)
			}
		}
	}
	outcomes(warehouse.Inserted)
	load(t, w, path)
	outcomes(warehouse.Duplicate)

	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep, err := dry.Load(context.Background(), path)
			if err != nil || len(rep.Studies) != 2 || rep.Studies[0].Outcome != warehouse.Duplicate {
				t.Errorf("concurrent dry run: %v, %+v", err, rep)
			}
		}()
	}
	wg.Wait()
}

// TestZeroConfigReadsBack: Config{} written out (EncodeYAML) reads back
// as the configuration it stands for: the default quality thresholds,
// not every threshold 0; and a quality section holding only an empty
// severities map is no section set to zeros.
func TestZeroConfigReadsBack(t *testing.T) {
	y, err := genexp.Config{}.EncodeYAML()
	if err != nil {
		t.Fatal(err)
	}
	back, err := genexp.ParseConfig(y, "zero.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := qc.DefaultThresholds()
	got := back.Quality
	if len(got.Severities) != 0 {
		t.Errorf("severities %v, want none", got.Severities)
	}
	got.Severities = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Config{} read back with thresholds %+v, want the defaults %+v", got, want)
	}
	// The same thresholds decide a load: SRP110235's 300 genes are too few
	// per sample under the default of 1000.
	for name, cfg := range map[string]genexp.Config{
		"read back":        back,
		"empty severities": {Quality: qc.Thresholds{Severities: map[string]string{}}},
		"zero":             {},
	} {
		r := loadOne(t, genexp.DryRunSink(nil), cfg, "testdata/refinebio/SRP110235")
		var low bool
		for _, f := range r.Findings {
			low = low || f.Code == qc.GeneCountLow
		}
		if !low {
			t.Errorf("%s: no %v finding; the default thresholds were not applied", name, qc.GeneCountLow)
		}
	}
}

// countingStatuser counts the Status calls it passes on.
type countingStatuser struct {
	warehouse.Statuser
	calls atomic.Int64
}

func (c *countingStatuser) Status(ctx context.Context, req warehouse.StatusRequest) (warehouse.Status, error) {
	c.calls.Add(1)
	return c.Statuser.Status(ctx, req)
}

// TestDryRunReadsTheWarehouseOncePerRun: a dry run of several matrices
// reads the warehouse's batches once, not at each matrix (a read costs a
// pass over its catalog); the next run reads them again.
func TestDryRunReadsTheWarehouseOncePerRun(t *testing.T) {
	w := openWarehouse(t)
	cs := &countingStatuser{Statuser: w}
	dry, err := genexp.New(genexp.DryRunSink(cs))
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{"testdata/refinebio/GSE71270", "testdata/refinebio/SRP110235", "testdata/refinebio/E-GEOD-39842"}
	for run := int64(1); run <= 2; run++ {
		rep, err := dry.Load(context.Background(), paths...)
		if err != nil || len(rep.Studies) != 3 {
			t.Fatalf("run %d: %v, %d studies", run, err, len(rep.Studies))
		}
		if n := cs.calls.Load(); n != run {
			t.Errorf("after run %d the warehouse was read %d times, want %d", run, n, run)
		}
	}
}

// TestDryRunWithoutRunIDReadsEachBatch: batches begun with no run id (a
// caller driving the sink without a Pipeline) share no view of the
// warehouse: each reads it.
func TestDryRunWithoutRunIDReadsEachBatch(t *testing.T) {
	cs := &countingStatuser{Statuser: openWarehouse(t)}
	sink := genexp.DryRunSink(cs)
	for i := range 2 {
		b, err := sink.Begin(context.Background(), warehouse.BeginRequest{})
		if err != nil {
			t.Fatal(err)
		}
		b.Abort(context.Background())
		if n := cs.calls.Load(); n != int64(i+1) {
			t.Fatalf("after %d batches the warehouse was read %d times, want %d", i+1, n, i+1)
		}
	}
}
