package duckdb_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// TestBeginReadOnly checks that a warehouse opened read-only refuses a load
// at Begin, before the caller streams a whole file into it.
func TestBeginReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	open(t, path).Close()
	w := open(t, path+"?access_mode=READ_ONLY")
	ctx := context.Background()
	b, err := w.Begin(ctx, warehouse.BeginRequest{FileName: "GSE1.tsv",
		Columns: []warehouse.Column{{Index: 0, Sample: "GSM1", Study: "GSE1"}}})
	if err == nil {
		b.Abort(ctx)
		t.Fatal("Begin on a read-only warehouse succeeded")
	}
	if !errors.Is(err, qc.ConnectionFailed) {
		t.Errorf("Begin: %v, want code ConnectionFailed", err)
	}
}
