package genexp_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/illness"
	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/warehouse/duckdb"
	"github.com/google/go-cmp/cmp"
)

const gse71270Dir = "testdata/refinebio/GSE71270"

// fixedLabel labels every sample alike, by its plain Classify.
type fixedLabel illness.Label

func (f fixedLabel) Classify(*metadata.Sample) illness.Decision {
	return illness.Decision{Label: illness.Label(f), Method: illness.MethodRule, Rule: "fixed"}
}

// inStudy also reads the sample's study: its decisions name the study, so
// the test sees which method ran.
type inStudy struct{ fixedLabel }

func (inStudy) ClassifyInStudy(_ *metadata.Sample, st *metadata.Study) illness.Decision {
	return illness.Decision{Label: illness.Sepsis, Method: illness.MethodRule, Rule: "in_study", Field: st.Accession}
}

// cohort decides a study's samples together; its decisions say how many
// samples it was given at once.
type cohort struct{ fixedLabel }

func (cohort) ClassifyCohort(_ *metadata.Study, ss []*metadata.Sample) []illness.Decision {
	out := make([]illness.Decision, len(ss))
	for i := range out {
		out[i] = illness.Decision{Label: illness.NoSepsis, Method: illness.MethodRule, Rule: "cohort", Field: fmt.Sprint(len(ss))}
	}
	return out
}

type storedIllness struct{ Label, Method, Rule, Field string }

// TestCustomClassifierKeepsOverrides: the configuration's overrides decide
// the samples they name whatever classifier runs, and a custom
// classifier's study and cohort methods are still the ones used for the
// other samples.
func TestCustomClassifierKeepsOverrides(t *testing.T) {
	const overridden = "GSM1831675"
	cases := []struct {
		name string
		c    illness.IllnessClassifier
		want storedIllness // every other sample's
	}{
		{"Classify only", fixedLabel(illness.Control), storedIllness{"CONTROL", "rule", "fixed", ""}},
		{"StudyClassifier", inStudy{fixedLabel(illness.Control)}, storedIllness{"SEPSIS", "rule", "in_study", "GSE71270"}},
		{"CohortClassifier", cohort{fixedLabel(illness.Control)}, storedIllness{"NO_SEPSIS", "rule", "cohort", "10"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := openWarehouse(t)
			cfg := genexp.DefaultConfig()
			cfg.Illness.Overrides = map[string]illness.Label{overridden: "septic shock"}
			p, err := genexp.New(w, genexp.WithClassifier(tc.c), genexp.WithConfig(cfg))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := p.Load(context.Background(), gse71270Dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Studies) != 1 || rep.Studies[0].Err != nil {
				t.Fatalf("load: %+v", rep.Studies)
			}
			wantMap := map[illness.Label]int{illness.Label(tc.want.Label): 9, illness.SepticShock: 1}
			if diff := cmp.Diff(wantMap, rep.Studies[0].Illness); diff != "" {
				t.Errorf("reported illness (-want +got):\n%s", diff)
			}
			got := sampleIllness(t, w)
			want := map[string]storedIllness{}
			for acc := range got {
				want[acc] = tc.want
			}
			want[overridden] = storedIllness{"SEPTIC_SHOCK", "override", "", "accession"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("dim_sample (-want +got):\n%s", diff)
			}
		})
	}
}

func sampleIllness(t *testing.T, w *duckdb.Warehouse) map[string]storedIllness {
	t.Helper()
	rows, err := w.DB().Query(`SELECT s.sample_accession_code, i.illness_label, COALESCE(s.illness_method, ''),
		COALESCE(s.illness_rule, ''), COALESCE(s.illness_field, '')
		FROM dim_sample s JOIN dim_illness i USING (illness_key)`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]storedIllness{}
	for rows.Next() {
		var acc string
		var s storedIllness
		if err := rows.Scan(&acc, &s.Label, &s.Method, &s.Rule, &s.Field); err != nil {
			t.Fatal(err)
		}
		out[acc] = s
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
