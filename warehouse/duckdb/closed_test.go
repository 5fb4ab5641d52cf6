package duckdb

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// TestClosedWarehouseIsNoConstraintViolation: a call on a closed
// warehouse fails as one that cannot be reached (4001), not as a
// constraint the data broke (4004, which it used to say).
func TestClosedWarehouseIsNoConstraintViolation(t *testing.T) {
	w, err := Open(filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = w.MaterializeFeatures(context.Background(), warehouse.FeaturesRequest{Study: "GSE1"})
	if !errors.Is(err, qc.ConnectionFailed) {
		t.Errorf("features on a closed warehouse: %v, want code ConnectionFailed", err)
	}
	if _, err := w.Begin(context.Background(), warehouse.BeginRequest{RunID: "r"}); !errors.Is(err, qc.ConnectionFailed) {
		t.Errorf("Begin on a closed warehouse: %v, want code ConnectionFailed", err)
	}
	if _, err := w.Version(context.Background()); !errors.Is(err, qc.ConnectionFailed) {
		t.Errorf("Version of a closed warehouse: %v, want code ConnectionFailed", err)
	}
	if err := w.Migrate(context.Background()); !errors.Is(err, qc.ConnectionFailed) {
		t.Errorf("Migrate of a closed warehouse: %v, want code ConnectionFailed (it said SchemaVersion)", err)
	}
}
