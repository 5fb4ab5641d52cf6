package duckdb

import (
	"context"
	"path/filepath"
	"testing"
)

// TestConsistentReadsKeepsOtherOptimizersOff adds statistics propagation to
// the optimizers a user already turned off, once, whatever the spelling.
func TestConsistentReadsKeepsOtherOptimizersOff(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct{ before, want string }{
		{"", "statistics_propagation"},
		{"join_order", "join_order,statistics_propagation"},
		{"statistics_propagation,join_order", "join_order,statistics_propagation"}, // DuckDB keeps its own order
	} {
		db := openRaw(t, filepath.Join(t.TempDir(), "w.duckdb"))
		if _, err := db.ExecContext(ctx, `SET GLOBAL disabled_optimizers = '`+tc.before+`'`); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := consistentReads(ctx, db); err != nil {
				t.Fatal(err)
			}
		}
		var got, access string
		if err := db.QueryRowContext(ctx, stmtDisabledOptimizers).Scan(&got, &access); err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("disabled_optimizers %q → %q, want %q", tc.before, got, tc.want)
		}
	}
}

// TestConsistentReadsOnlyWhereAWriterCanBe: a warehouse opened for writing
// turns statistics propagation off; one opened read-only, where no writer
// can run beside it, keeps the optimizer.
func TestConsistentReadsOnlyWhereAWriterCanBe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	for _, tc := range []struct {
		dsn  string
		want string
	}{
		{path, "statistics_propagation"},
		{path + "?read_only=true", ""},
		{path, "statistics_propagation"},
	} {
		w, err := Open(tc.dsn)
		if err != nil {
			t.Fatal(err)
		}
		var got, access string
		err = w.db.QueryRow(stmtDisabledOptimizers).Scan(&got, &access)
		w.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("%s (access %s): disabled_optimizers %q, want %q", tc.dsn, access, got, tc.want)
		}
	}
}
