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
		var got string
		if err := db.QueryRowContext(ctx, stmtDisabledOptimizers).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("disabled_optimizers %q → %q, want %q", tc.before, got, tc.want)
		}
	}
}
