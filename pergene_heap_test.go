package genexp_test

import (
	"context"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"testing"
	"time"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/warehouse"
)

// TestHeapProfile runs a dry run (what genexp validate does), or
// with GENEXP_HEAP_LOAD=1 a load into a new DuckDB warehouse, of the
// download in $GENEXP_HEAP_ZIP and writes a heap profile to
// $GENEXP_HEAP_OUT each time the live heap reaches a new peak, so that the
// last one written shows what is held at the peak. Make a tall matrix with
// testdata/pergene/gen_tall.py, then:
//
//	python3 testdata/pergene/gen_tall.py /tmp/g.zip 2000000
//	GENEXP_HEAP_ZIP=/tmp/g.zip GENEXP_HEAP_OUT=/tmp/heap.pprof go test -run HeapProfile -count 1 .
//	go tool pprof -top -inuse_space /tmp/heap.pprof
func TestHeapProfile(t *testing.T) {
	zip, out := os.Getenv("GENEXP_HEAP_ZIP"), os.Getenv("GENEXP_HEAP_OUT")
	if zip == "" || out == "" {
		t.Skip("set GENEXP_HEAP_ZIP and GENEXP_HEAP_OUT")
	}
	var sink warehouse.WarehouseSink = genexp.DryRunSink(nil)
	if os.Getenv("GENEXP_HEAP_LOAD") == "1" {
		sink = openWarehouse(t)
	}
	p, err := genexp.New(sink)
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg   sync.WaitGroup
		done = make(chan struct{})
		peak uint64
	)
	write := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if ms.HeapAlloc <= peak+peak/20 {
			return
		}
		runtime.GC() // the profile counts what the last GC found live
		runtime.ReadMemStats(&ms)
		if ms.HeapAlloc <= peak {
			return
		}
		peak = ms.HeapAlloc
		f, err := os.Create(out)
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		if err := pprof.WriteHeapProfile(f); err != nil {
			t.Error(err)
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				write()
			}
		}
	}()
	rep, err := p.Load(context.Background(), zip)
	close(done)
	wg.Wait()
	if err != nil || rep.Failed() {
		t.Fatalf("%v %v", err, rep.Errors)
	}
	t.Logf("peak live heap after GC %d MiB", peak>>20)
}
