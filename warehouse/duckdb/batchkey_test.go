package duckdb

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/genexp/genexp/warehouse"
)

// TestUpgradeKeysBatches upgrades buildVersion4's warehouse, whose facts
// hold their batch ids, through schema 6: every fact is kept with its
// value and batch (read back through meta_batch_key and the long view),
// the batches get keys in the order of their ids, a reload of a batch
// keeps its key, and a new batch loaded after the upgrade takes the next.
func TestUpgradeKeysBatches(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	buildVersion4(t, path)
	w, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for q, want := range map[string]int{
		`SELECT COUNT(*) FROM fact_gene_expression`:                  24,
		`SELECT COUNT(*) FROM meta_batch_key`:                        2,
		`SELECT COUNT(DISTINCT batch_key) FROM meta_batch_key`:       2,
		`SELECT batch_key FROM meta_batch_key WHERE batch_id = 'b1'`: 1,
		`SELECT batch_key FROM meta_batch_key WHERE batch_id = 'b2'`: 2,
		`SELECT SUM(f.expression_value) FROM fact_gene_expression f JOIN meta_batch_key k USING (batch_key) WHERE k.batch_id = 'b1' AND f.study_key = 1`: 440,
		`SELECT SUM(f.expression_value) FROM fact_gene_expression f JOIN meta_batch_key k USING (batch_key) WHERE k.batch_id = 'b2' AND f.study_key = 2`: 2820,
		`SELECT COUNT(*) FROM analytics.vw_expression_long WHERE batch_id = 'b2'`:                                                                        8,
	} {
		if n := count(t, w.db, q); n != want {
			t.Errorf("%s = %d, want %d", q, n, want)
		}
	}
	key := count(t, w.db, `SELECT batch_key FROM meta_batch_key WHERE batch_id = 'b1'`)
	if r := loadSmallStudy(t, w).Studies[0]; r.Outcome != warehouse.Replaced || r.BatchID != "b1" {
		t.Fatalf("reload of GSE1: %+v, want b1 replaced", r)
	}
	if n := count(t, w.db, `SELECT COUNT(*) FROM fact_gene_expression WHERE study_key = 1 AND batch_key = `+strconv.Itoa(key)); n != 16 {
		t.Fatalf("GSE1 holds %d facts of b1's key %d after its reload, want 16", n, key)
	}
	rep := loadBundled(t, w, "GSE71270")
	batch := rep.Studies[0].BatchID
	if n := count(t, w.db, `SELECT COUNT(*) FROM meta_batch_key WHERE batch_id = '`+batch+`' AND batch_key = 3`); n != 1 {
		t.Fatalf("the new batch %s has no key after the migrated ones", batch)
	}
	if n := count(t, w.db, `SELECT COUNT(*) FROM analytics.vw_expression_long WHERE batch_id = '`+batch+`'`); n != int(rep.Studies[0].RowsWritten) {
		t.Fatalf("the view shows %d facts of batch %s, want %d", n, batch, rep.Studies[0].RowsWritten)
	}
}
