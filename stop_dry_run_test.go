package genexp_test

import (
	"testing"

	"github.com/genexp/genexp"
)

// TestStopReachesASinkThatWritesNothing: a run that writes nothing
// (validate, load --dry-run) stops between two batches of a matrix when its
// context ends, as a load does; the dry-run sink never looks at the
// context, so the pipeline must. It used to read the whole matrix first.
func TestStopReachesASinkThatWritesNothing(t *testing.T) {
	for _, tc := range []struct {
		name    string
		timeout bool
	}{{"interrupt", false}, {"timeout", true}} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := genexp.DefaultConfig()
			cfg.Processing.ChunkSize = 10 // 120 batches of the 1,200 genes
			ctx, stop := stoppable(t, tc.timeout, &cfg)
			batches := 0
			p, err := genexp.New(genexp.DryRunSink(nil), genexp.WithConfig(cfg), genexp.WithProgress(func(genexp.Progress) {
				batches++
				stop()
			}))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := p.Load(ctx, "testdata/refinebio/quickstart/GSE71270")
			if err == nil {
				t.Fatal("a stopped run returned no error")
			}
			if batches != 1 {
				t.Errorf("the run went on for %d batches after it was stopped", batches-1)
			}
			if len(rep.Studies) != 1 || rep.Studies[0].Err == nil || rep.Studies[0].Outcome != "" {
				t.Errorf("want GSE71270 stopped, not validated: %+v", rep.Studies)
			}
		})
	}
}
