package main

import (
	"strings"
	"testing"

	"github.com/genexp/genexp/warehouse/duckdb"
)

// TestInitAndHealthSayFeaturesAreStale: after a migration that changes how
// features are computed (it clears their fingerprints, as schema 17 did),
// init says whose features are stale and how to compute them again, health
// warns with the same, and after features --if-stale neither does.
func TestInitAndHealthSayFeaturesAreStale(t *testing.T) {
	_, db := loadedWarehouse(t)
	w, err := duckdb.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.DB().Exec(`UPDATE meta_feature_state SET input_fingerprint = NULL`)
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, "init", "--db", db)
	if code != exitOK || !strings.Contains(out, "the features of 1 study are stale (GSE71270); genexp features --if-stale computes them again") {
		t.Errorf("init: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = runCLI(t, "health", "--db", db)
	if code == exitOK || !strings.Contains(lineOf(out, "features"), "GSE71270") {
		t.Errorf("health with stale features: exit %d, features line %q\n%s%s", code, lineOf(out, "features"), out, stderr)
	}
	if code, _, stderr := runCLI(t, "features", "--if-stale", "--db", db); code != exitOK {
		t.Fatalf("features --if-stale: exit %d\n%s", code, stderr)
	}
	code, out, stderr = runCLI(t, "init", "--db", db)
	if code != exitOK || strings.Contains(out, "stale") {
		t.Errorf("init after features: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = runCLI(t, "health", "--db", db)
	if code != exitOK {
		t.Errorf("health after features: exit %d\n%s%s", code, out, stderr)
	}
}
