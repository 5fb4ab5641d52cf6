package genexp_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/expression/synth"
	"github.com/genexp/genexp/qc"
)

// TestUnknownTechnologyField: an experiment's technology field that is
// neither MICROARRAY nor RNA-SEQ ("Illumina", a number) was stored as
// OTHER in silence, though its samples' platforms said RNA-SEQ, and a
// query for RNA-seq studies missed it. The platforms now decide, and a
// WARNING says the field was not read; an empty field, or OTHER, is no
// finding. Where the platforms name no technology either, the study is
// OTHER and the WARNING says so; with no field, its technology is unknown
// (NULL). A known technology that the samples'
// platform's name contradicts is kept, with a WARNING naming the samples.
func TestUnknownTechnologyField(t *testing.T) {
	for _, tc := range []struct {
		name, field string // the JSON value written for technology
		platform    string // the samples' platform, if not the generator's
		finding     bool
		want        string // the study's technology
		says        string // what the finding says of it
	}{
		{"known", `"RNA-SEQ"`, "", false, "RNA-SEQ", ""},
		{"empty", `""`, "", false, "RNA-SEQ", ""},
		{"null", `null`, "", false, "RNA-SEQ", ""},
		{"OTHER", `"OTHER"`, "", false, "RNA-SEQ", ""},
		{"a manufacturer", `"Illumina"`, "", true, "RNA-SEQ", "taken from its samples' platforms: RNA-SEQ"},
		{"a number", `1`, "", true, "RNA-SEQ", "taken from its samples' platforms: RNA-SEQ"},
		{"a manufacturer, an unknown platform", `"Illumina"`, "Prototype Reader 7 (proto7)", true, "OTHER",
			"its samples' platforms do not name one either, so it is recorded as OTHER"},
		// The experiment decides, but a platform whose name says otherwise
		// is said: the study's technology picks the features' scale.
		{"contradicted by the platform", `"MICROARRAY"`, "", true, "MICROARRAY",
			"are on Illumina HiSeq 2500 (IlluminaHiSeq2500), whose name says RNA-SEQ; the study is recorded as MICROARRAY"},
		{"an unknown platform", `"MICROARRAY"`, "Prototype Reader 7 (proto7)", false, "MICROARRAY", ""},
		// Neither the experiment nor the platform names one: unknown,
		// NULL (it was OTHER, which a query for the studies of unknown
		// technology, study_technology IS NULL, missed).
		{"no field, an unknown platform", `""`, "Prototype Reader 7 (proto7)", false, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := synth.Write(t.TempDir(), synth.Spec{Genes: 1100, Samples: 4, Studies: 1, Technology: synth.RNASeq, Seed: 3})
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(m.Path, "aggregated_metadata.json")
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			edited := strings.Replace(string(b), `"technology": "RNA-SEQ"`, `"technology": `+tc.field, 1)
			if tc.platform != "" {
				edited = strings.ReplaceAll(edited, "Illumina HiSeq 2500 (IlluminaHiSeq2500)", tc.platform)
			}
			if edited == string(b) && tc.field != `"RNA-SEQ"` {
				t.Fatalf("no technology field to edit in %s", path)
			}
			if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
				t.Fatal(err)
			}
			w := openWarehouse(t)
			sr := loadOne(t, w, genexp.DefaultConfig(), m.Path)
			if sr.Err != nil {
				t.Fatal(sr.Err)
			}
			var stored sql.NullString
			if err := w.DB().QueryRow(`SELECT study_technology FROM dim_study`).Scan(&stored); err != nil {
				t.Fatal(err)
			}
			tech := stored.String
			if !stored.Valid {
				tech = "" // NULL
			} else if tech == "" {
				t.Fatal("study_technology is '', not NULL")
			}
			var said bool
			for _, f := range sr.Findings {
				if f.Code == qc.PlatformNormalizationFailed && strings.Contains(f.Msg, "the experiment's technology") {
					said = f.Severity == qc.SeverityWarning && strings.Contains(f.Msg, tc.says)
					if !said {
						t.Errorf("finding %v", f)
					}
				}
			}
			if tech != tc.want || said != tc.finding {
				t.Errorf("study_technology %q, finding %v; want %s, finding %v (findings %v)", tech, said, tc.want, tc.finding, sr.Findings)
			}
		})
	}
}
