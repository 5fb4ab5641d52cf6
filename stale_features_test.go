package genexp_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/illness"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// TestHealthFindsStaleFeatures: health warns when a study's features no
// longer describe it (a duplicate load that relabels a sample with
// analytics.enabled off; a migration that changes how features are
// computed, which clears their fingerprint) and names the study, and is
// healthy once features --if-stale computed them again. A study loaded
// with analytics off has no features, which is said, and is no warning:
// nothing wrong is served.
func TestHealthFindsStaleFeatures(t *testing.T) {
	w := openWarehouse(t)
	featuresCheck := func(when string) (warehouse.Health, genexp.HealthCheck) {
		t.Helper()
		h, err := w.Health(t.Context(), warehouse.HealthRequest{Features: true})
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		rep := genexp.DeriveHealth(genexp.HealthInputs{Health: &h, Now: time.Now()}, genexp.DefaultHealthLimits())
		for _, c := range rep.Checks {
			if c.Name == "features" {
				return h, c
			}
		}
		t.Fatalf("%s: no features check among %+v", when, rep.Checks)
		return h, genexp.HealthCheck{}
	}
	load(t, w, "testdata/refinebio/GSE71270")
	if h, c := featuresCheck("after a load"); c.Status != genexp.Healthy || h.StaleFeatures != 0 || h.StudiesWithoutFeatures != 0 {
		t.Errorf("after a load: %s %q, %+v", c.Status, c.Detail, h)
	}

	off := false
	cfg := genexp.DefaultConfig()
	cfg.Analytics.Enabled = &off
	cfg.Illness.Overrides = map[string]illness.Label{"GSM1831675": illness.SepticShock}
	rep := loadWith(t, w, cfg, "testdata/refinebio/GSE71270")
	if len(rep.Studies) != 1 || rep.Studies[0].Outcome != warehouse.Duplicate {
		t.Fatalf("relabelling reload: %+v", rep.Studies)
	}
	var note string
	for _, f := range rep.Studies[0].Findings {
		if f.Code == qc.BatchDuplicate {
			note = f.Msg
		}
	}
	if !strings.Contains(note, "analytics.enabled is off") || strings.Contains(note, "features are recomputed") {
		t.Errorf("the duplicate's note with analytics off: %q; want it to say the features stay stale", note)
	}
	h, c := featuresCheck("after a relabelling duplicate with analytics off")
	if c.Status != genexp.Degraded || h.StaleFeatures != 1 || strings.Join(h.StaleFeatureStudies, ",") != "GSE71270" ||
		!strings.Contains(c.Detail, "GSE71270") || !strings.Contains(c.Detail, "genexp features --if-stale") {
		t.Errorf("after a relabelling duplicate with analytics off: %s %q, %+v", c.Status, c.Detail, h)
	}

	rep = loadWith(t, w, cfg, "testdata/refinebio/SRP110235")
	if len(rep.Studies) != 1 || rep.Studies[0].Err != nil {
		t.Fatalf("load with analytics off: %+v", rep.Studies)
	}
	if h, c := featuresCheck("after a load with analytics off"); h.StudiesWithoutFeatures != 1 || h.StaleFeatures != 1 ||
		!strings.Contains(c.Detail, "1 loaded study has no features") {
		t.Errorf("after a load with analytics off: %s %q, %+v", c.Status, c.Detail, h)
	}

	p, err := genexp.New(w, genexp.WithConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Features(t.Context(), genexp.FeatureOptions{IfStale: true}); err != nil {
		t.Fatal(err)
	}
	if h, c := featuresCheck("after features --if-stale"); c.Status != genexp.Healthy || h.StaleFeatures != 0 || h.StudiesWithoutFeatures != 0 ||
		c.Detail != "no loaded study's features are stale" {
		t.Errorf("after features --if-stale: %s %q, %+v", c.Status, c.Detail, h)
	}

	// Features computed over another number of top genes than the
	// configuration's are stale, as features --if-stale finds them.
	if h, err := w.Health(t.Context(), warehouse.HealthRequest{Features: true, TopGenes: 50}); err != nil || h.StaleFeatures != 2 {
		t.Errorf("top genes 50 against the features' 100: %d stale, %v; want 2", h.StaleFeatures, err)
	}
	if h, err := w.Health(t.Context(), warehouse.HealthRequest{Features: true, TopGenes: 100}); err != nil || h.StaleFeatures != 0 {
		t.Errorf("top genes 100, as computed: %d stale, %v; want none", h.StaleFeatures, err)
	}

	// What a migration that changes the features does (schema 14, 15, 17).
	if _, err := w.DB().Exec(`UPDATE meta_feature_state SET input_fingerprint = NULL`); err != nil {
		t.Fatal(err)
	}
	if h, c := featuresCheck("after a migration"); c.Status != genexp.Degraded || h.StaleFeatures != 2 ||
		strings.Join(h.StaleFeatureStudies, ",") != "GSE71270,SRP110235" || !strings.Contains(c.Detail, "2 studies") {
		t.Errorf("after a migration: %s %q, %+v", c.Status, c.Detail, h)
	}

	// Replaced facts, loaded with analytics off: the views serve no
	// features of the study (they pick its current batch's), which is no
	// stale one served.
	changed := filepath.Join(t.TempDir(), "GSE71270")
	copyTree(t, "testdata/refinebio/GSE71270", changed, nil)
	matrix := filepath.Join(changed, "GSE71270", "GSE71270.tsv")
	b, err := os.ReadFile(matrix)
	if err != nil {
		t.Fatal(err)
	}
	first, rest, _ := strings.Cut(string(b), "\n")
	row, more, _ := strings.Cut(rest, "\n")
	cells := strings.Split(row, "\t")
	cells[1] = "12.5"
	if err := os.WriteFile(matrix, []byte(first+"\n"+strings.Join(cells, "\t")+"\n"+more), 0o644); err != nil {
		t.Fatal(err)
	}
	rep = loadWith(t, w, cfg, changed)
	if len(rep.Studies) != 1 || rep.Studies[0].Outcome != warehouse.Replaced {
		t.Fatalf("changed matrix: %+v", rep.Studies)
	}
	if h, c := featuresCheck("after replaced facts with analytics off"); h.StudiesWithoutFeatures != 1 ||
		strings.Contains(strings.Join(h.StaleFeatureStudies, ","), "GSE71270") {
		t.Errorf("after replaced facts with analytics off: %s %q, %+v; want GSE71270 without features, not stale", c.Status, c.Detail, h)
	}
}
