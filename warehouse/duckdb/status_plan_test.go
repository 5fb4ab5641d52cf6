package duckdb

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp/warehouse"
)

// TestStatusReadsNoFactsWithQC: Status counts a current batch's samples
// and genes from its QC row, and reads the facts only for a batch without
// one. DuckDB's profile of stmtStatusStudies on a warehouse whose every
// batch has its QC row shows the fact table's scan stopped at its first
// chunk, not reading the study's 12,000 facts (as the COALESCE of
// correlated subqueries did, at 0.45 s a call for 30M facts); without the
// QC row the counts still come from the facts.
func TestStatusReadsNoFactsWithQC(t *testing.T) {
	w, err := Open(filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	loadBundled(t, w, "quickstart")
	ctx := context.Background()
	facts := int64(count(t, w.db, `SELECT COUNT(*) FROM fact_gene_expression`))
	if facts != 12000 {
		t.Fatalf("%d facts, want 12000", facts)
	}
	if got := factsScanned(t, w, stmtStatusStudies); got >= facts {
		t.Errorf("the status statement read %d of %d facts; want it to stop at the first chunk when every batch has its QC row", got, facts)
	}

	want := func(what string) {
		t.Helper()
		st, err := w.Status(ctx, warehouse.StatusRequest{Runs: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Studies) != 1 || st.Studies[0].Samples != 10 || st.Studies[0].Genes != 1200 {
			t.Errorf("%s: status %+v, want GSE71270 with 10 samples and 1200 genes", what, st.Studies)
		}
	}
	want("with its QC row")
	if _, err := w.db.Exec(`DELETE FROM meta_batch_qc`); err != nil {
		t.Fatal(err)
	}
	want("counted from the facts")
}

// factsScanned runs query with DuckDB's JSON profile on and returns the
// rows its scans of fact_gene_expression produced.
func factsScanned(t *testing.T, w *Warehouse, query string) int64 {
	t.Helper()
	ctx := context.Background()
	conn, err := w.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	out := filepath.Join(t.TempDir(), "profile.json")
	for _, s := range []string{`PRAGMA enable_profiling = 'json'`, `PRAGMA profiling_output = '` + out + `'`} {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := conn.QueryContext(ctx, query)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
	}
	rows.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA disable_profiling`); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(b, &root); err != nil {
		t.Fatalf("profile: %v", err)
	}
	var scanned int64
	found := false
	var walk func(n map[string]any)
	walk = func(n map[string]any) {
		info, _ := json.Marshal(n["extra_info"])
		if name, _ := n["operator_name"].(string); strings.Contains(name, "SCAN") && strings.Contains(string(info), "fact_gene_expression") {
			c, _ := n["operator_cardinality"].(float64)
			scanned += int64(c)
			found = true
		}
		children, _ := n["children"].([]any)
		for _, c := range children {
			if m, ok := c.(map[string]any); ok {
				walk(m)
			}
		}
	}
	walk(root)
	if !found {
		t.Fatalf("no scan of fact_gene_expression in the profile:\n%.2000s", b)
	}
	return scanned
}
