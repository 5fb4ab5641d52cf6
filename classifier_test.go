package genexp_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/illness"
	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/qc"
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

// byStudy gives the samples of one study a label no warehouse holds.
type byStudy string

func (b byStudy) Classify(s *metadata.Sample) illness.Decision {
	if slices.Contains(s.Experiments, string(b)) {
		return illness.Decision{Label: "FOO", Method: illness.MethodRule}
	}
	return illness.Decision{Label: illness.Control, Method: illness.MethodRule}
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

// TestCustomClassifierLabels: a custom classifier's labels are checked
// before anything is written. A label the warehouse does not hold fails
// the study in its transform step (3001, naming study and sample), an
// empty one is UNKNOWN, and ParseLabel's spellings are read.
func TestCustomClassifierLabels(t *testing.T) {
	cases := []struct {
		label    string
		stored   storedIllness // every sample's; zero when the study fails
		reported illness.Label
	}{
		{label: "FOO"},
		{label: "BAD LABEL WITH SPACES"},
		{label: "", stored: storedIllness{"UNKNOWN", "rule", "fixed", ""}, reported: illness.Unknown},
		{label: "septic-shock", stored: storedIllness{"SEPTIC_SHOCK", "rule", "fixed", ""}, reported: illness.SepticShock},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%q", tc.label), func(t *testing.T) {
			w := openWarehouse(t)
			p, err := genexp.New(w, genexp.WithClassifier(fixedLabel(tc.label)))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := p.Load(context.Background(), gse71270Dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Studies) != 1 {
				t.Fatalf("studies: %+v", rep.Studies)
			}
			sr := rep.Studies[0]
			if tc.reported != "" {
				if sr.Err != nil {
					t.Fatal(sr.Err)
				}
				if diff := cmp.Diff(map[illness.Label]int{tc.reported: 10}, sr.Illness); diff != "" {
					t.Errorf("reported illness (-want +got):\n%s", diff)
				}
				got := sampleIllness(t, w)
				if len(got) != 10 {
					t.Fatalf("%d samples stored, want 10", len(got))
				}
				for acc, g := range got {
					if g != tc.stored {
						t.Errorf("%s: stored %+v, want %+v", acc, g, tc.stored)
					}
				}
				return
			}
			var e *qc.Error
			if !errors.As(sr.Err, &e) || !errors.Is(sr.Err, qc.IllnessInferenceFailed) {
				t.Fatalf("err = %v, want IllnessInferenceFailed", sr.Err)
			}
			if e.Severity != qc.SeverityError || e.Study != "GSE71270" || !strings.HasSuffix(e.File, "GSE71270.tsv") ||
				!strings.Contains(e.Msg, "GSM1831675") || !strings.Contains(e.Msg, "study GSE71270") || !strings.Contains(e.Msg, fmt.Sprintf("%q", tc.label)) {
				t.Errorf("error %#v does not name its study, file, sample and label", e)
			}
			if sr.Outcome != "" || len(sr.Illness) != 0 || sr.Samples != 0 {
				t.Errorf("failed study reports outcome %q, illness %v, %d samples", sr.Outcome, sr.Illness, sr.Samples)
			}
			for _, table := range []string{"dim_sample", "dim_study", "dim_platform", "fact_gene_expression", "meta_batch"} {
				if n := count(t, w, "SELECT COUNT(*) FROM "+table); n != 0 {
					t.Errorf("%s holds %d rows after the study failed", table, n)
				}
			}
			steps := stepsOf(t, w, "GSE71270")
			status := map[string]string{}
			for name, rows := range steps {
				if len(rows) != 1 {
					t.Fatalf("%s: %d rows", name, len(rows))
				}
				status[name] = rows[0].Status
				if rows[0].Code != nil {
					status[name] += fmt.Sprint(" ", *rows[0].Code)
				}
			}
			wantSteps := map[string]string{"extract": "SKIPPED", "transform": "FAILED 3001", "validate": "SKIPPED", "load": "SKIPPED", "analytics": "SKIPPED"}
			if diff := cmp.Diff(wantSteps, status); diff != "" {
				t.Errorf("process log (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(map[finding]int{{3001, "ERROR"}: 1}, findings(t, w, "GSE71270")); diff != "" {
				t.Errorf("validation log (-want +got):\n%s", diff)
			}
		})
	}
}

// TestBadLabelFailsOnlyItsStudy: in a matrix of two studies, a bad label
// in one fails that study alone; the other loads, and nothing of the
// failed one is in the warehouse.
func TestBadLabelFailsOnlyItsStudy(t *testing.T) {
	w := openWarehouse(t)
	p, err := genexp.New(w, genexp.WithClassifier(byStudy("GSE71270")))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Load(context.Background(), speciesDir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range rep.Studies {
		c, _ := qc.CodeOf(s.Err)
		got[s.Study] = fmt.Sprintf("%s %d samples, code %d", s.Outcome, s.Samples, c)
	}
	want := map[string]string{"E-GEOD-39842": "new 12 samples, code 0", "GSE71270": " 0 samples, code 3001"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("report (-want +got):\n%s", diff)
	}
	studies := keyMap(t, w, `SELECT study_accession_code, COUNT(*) FROM dim_study GROUP BY 1`)
	if diff := cmp.Diff(map[string]int64{"E-GEOD-39842": 1}, studies); diff != "" {
		t.Errorf("dim_study (-want +got):\n%s", diff)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM dim_sample`); n != 12 {
		t.Errorf("dim_sample holds %d rows, want 12", n)
	}
	facts := keyMap(t, w, `SELECT s.study_accession_code, COUNT(*) FROM fact_gene_expression f JOIN dim_study s USING (study_key) GROUP BY 1`)
	if len(facts) != 1 || facts["E-GEOD-39842"] == 0 {
		t.Errorf("fact rows by study: %v", facts)
	}
	steps := stepsOf(t, w, "E-GEOD-39842")
	for _, name := range []string{"extract", "transform", "validate", "load"} {
		if len(steps[name]) != 1 || steps[name][0].Status != "SUCCESS" {
			t.Errorf("E-GEOD-39842 %s: %+v", name, steps[name])
		}
	}
}

func sampleIllness(t *testing.T, w *duckdb.Warehouse) map[string]storedIllness {
	t.Helper()
	rows, err := w.DB().Query(`SELECT s.sample_accession_code, i.illness_label, COALESCE(ss.illness_method, ''),
		COALESCE(ss.illness_rule, ''), COALESCE(ss.illness_field, '')
		FROM dim_study_sample ss JOIN dim_sample s USING (sample_key) JOIN dim_illness i ON i.illness_key = ss.illness_key`)
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

// keyedDecision decides every sample by a characteristic of the given key.
type keyedDecision string

func (k keyedDecision) Classify(*metadata.Sample) illness.Decision {
	return illness.Decision{Label: illness.Control, Method: illness.MethodRule, Rule: "keyed", Field: "characteristics", Key: string(k)}
}

// TestStoredFieldNamesTheCharacteristic: a label read from a characteristic
// is recorded with the characteristic's key (which one of a sample's
// characteristics said it), unless the name would be wider than the
// warehouses' illness_field column, where the configured field stands.
func TestStoredFieldNamesTheCharacteristic(t *testing.T) {
	w := openWarehouse(t)
	if r := loadOne(t, w, genexp.DefaultConfig(), gse71270Dir); r.Err != nil {
		t.Fatal(r.Err)
	}
	controls := 0
	for acc, s := range sampleIllness(t, w) {
		if s.Label != "CONTROL" {
			continue
		}
		controls++
		if want := (storedIllness{"CONTROL", "rule", "healthy_control", "characteristic:genotype/variation"}); s != want {
			t.Errorf("%s: stored %+v, want %+v", acc, s, want)
		}
	}
	if controls != 5 {
		t.Fatalf("%d CONTROL samples, want GSE71270's 5", controls)
	}

	for _, tc := range []struct{ key, field string }{
		{strings.Repeat("k", 185), "characteristic:" + strings.Repeat("k", 185)},
		{strings.Repeat("k", 186), "characteristics"},
	} {
		w := openWarehouse(t)
		p, err := genexp.New(w, genexp.WithClassifier(keyedDecision(tc.key)))
		if err != nil {
			t.Fatal(err)
		}
		if rep, err := p.Load(context.Background(), gse71270Dir); err != nil || rep.Studies[0].Err != nil {
			t.Fatalf("load: %v %+v", err, rep)
		}
		for acc, s := range sampleIllness(t, w) {
			if s.Field != tc.field {
				t.Errorf("key of %d characters: %s stored field %q, want %q", len(tc.key), acc, s.Field, tc.field)
			}
		}
	}
}

// TestMaxWorkersIsDuckDBsBound: processing.max_workers becomes the DuckDB
// DSN's threads, so the two bounds must be one.
func TestMaxWorkersIsDuckDBsBound(t *testing.T) {
	if genexp.MaxWorkers != duckdb.MaxThreads {
		t.Errorf("MaxWorkers %d, duckdb.MaxThreads %d", genexp.MaxWorkers, duckdb.MaxThreads)
	}
}
