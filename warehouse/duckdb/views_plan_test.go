package duckdb

import (
	"context"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/genexp/genexp/warehouse"
)

// TestViewsJoinByHash: every analytics view plans its joins as hash joins.
// A join DuckDB cannot hash (a nested loop, a cross product) costs the
// product of its sides: analytics.vw_feature_values joined genes and
// samples that way until schema 8, 14 s to count 610,000 feature rows.
func TestViewsJoinByHash(t *testing.T) {
	w, err := Open(filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	loadSmallStudy(t, w)
	ctx := context.Background()
	if _, err := w.MaterializeFeatures(ctx, warehouse.FeaturesRequest{Study: "GSE1"}); err != nil {
		t.Fatal(err)
	}
	rows, err := w.db.QueryContext(ctx, `SELECT view_name FROM duckdb_views() WHERE schema_name = 'analytics' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var views []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		views = append(views, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(views) < 5 {
		t.Fatalf("analytics views %q: want at least five", views)
	}
	unhashed := regexp.MustCompile(`[A-Z_]*NL_JOIN|CROSS_PRODUCT`)
	for _, v := range views {
		var plan string
		var key string
		if err := w.db.QueryRowContext(ctx, `EXPLAIN SELECT * FROM analytics.`+v).Scan(&key, &plan); err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		if m := unhashed.FindAllString(plan, -1); len(m) > 0 {
			t.Errorf("analytics.%s plans %q:\n%s", v, m, plan)
		}
	}
}
