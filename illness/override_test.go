package illness

import (
	"errors"
	"testing"

	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/qc"
	"github.com/google/go-cmp/cmp"
)

// plain, inStudy and inCohort record which of their methods decided: the
// decision's Rule names it.
type plain struct{}

func (plain) Classify(*metadata.Sample) Decision {
	return Decision{Label: Control, Method: MethodRule, Rule: "classify"}
}

type inStudy struct{ plain }

func (inStudy) ClassifyInStudy(_ *metadata.Sample, st *metadata.Study) Decision {
	return Decision{Label: Sepsis, Method: MethodRule, Rule: "in_study", Field: st.Accession}
}

// inCohort decides at most n samples of a cohort (n < 0: all of them).
type inCohort struct {
	inStudy
	n int
}

func (c inCohort) ClassifyCohort(_ *metadata.Study, ss []*metadata.Sample) []Decision {
	if c.n >= 0 && c.n < len(ss) {
		ss = ss[:c.n]
	}
	out := make([]Decision, len(ss))
	for i := range out {
		out[i] = Decision{Label: NoSepsis, Method: MethodRule, Rule: "cohort"}
	}
	return out
}

func TestDecideAndOverridden(t *testing.T) {
	study := &metadata.Study{Accession: "GSE1"}
	samples := []*metadata.Sample{{Accession: "GSM1"}, {Accession: "GSM2"}, {Accession: "GSM3"}}
	cls := Decision{Label: Control, Method: MethodRule, Rule: "classify"}
	std := Decision{Label: Sepsis, Method: MethodRule, Rule: "in_study", Field: "GSE1"}
	coh := Decision{Label: NoSepsis, Method: MethodRule, Rule: "cohort"}
	over := Decision{Label: SepticShock, Method: MethodOverride, Field: "accession", Matched: "GSM2", Value: "GSM2"}
	cases := []struct {
		name           string
		c              IllnessClassifier
		decide, withOv []Decision
		inStudy        Decision // what ClassifyInStudy decides
	}{
		{"Classify only", plain{}, []Decision{cls, cls, cls}, []Decision{cls, over, cls}, cls},
		{"StudyClassifier", inStudy{}, []Decision{std, std, std}, []Decision{std, over, std}, std},
		{"CohortClassifier", inCohort{n: -1}, []Decision{coh, coh, coh}, []Decision{coh, over, coh}, std},
		{"CohortClassifier deciding fewer", inCohort{n: 1}, []Decision{coh, std, std}, []Decision{coh, over, std}, std},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.decide, Decide(tc.c, study, samples)); diff != "" {
				t.Errorf("Decide (-want +got):\n%s", diff)
			}
			o, err := Overridden(tc.c, map[string]Label{" GSM2 ": "septic shock"})
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := o.(CohortClassifier); !ok {
				t.Fatal("an overridden classifier must read cohorts")
			}
			if diff := cmp.Diff(tc.withOv, Decide(o, study, samples)); diff != "" {
				t.Errorf("Decide overridden (-want +got):\n%s", diff)
			}
			if d := o.(StudyClassifier).ClassifyInStudy(samples[1], study); d != over {
				t.Errorf("ClassifyInStudy of the overridden sample = %v", d)
			}
			if d := o.(StudyClassifier).ClassifyInStudy(samples[0], study); d != tc.inStudy {
				t.Errorf("ClassifyInStudy = %+v, want %+v", d, tc.inStudy)
			}
			if d := o.Classify(samples[1]); d != over {
				t.Errorf("Classify of the overridden sample = %v", d)
			}
			// A sample's accession with blanks around it, as a hand-made
			// Sample may have, is overridden too.
			if d := o.Classify(&metadata.Sample{Accession: " GSM2\t"}); d.Label != SepticShock || d.Method != MethodOverride {
				t.Errorf("Classify of the overridden sample, its accession padded = %v", d)
			}
			if d := o.Classify(samples[0]); d != tc.c.Classify(samples[0]) {
				t.Errorf("Classify = %v", d)
			}
			if d := o.Classify(nil); d != tc.c.Classify(nil) {
				t.Errorf("Classify(nil) = %v", d)
			}
		})
	}
}

func TestOverriddenNeedsValidLabels(t *testing.T) {
	c := plain{}
	if o, err := Overridden(c, nil); err != nil || o != IllnessClassifier(c) {
		t.Errorf("no overrides: got %v, %v; want the classifier itself", o, err)
	}
	_, err := Overridden(c, map[string]Label{"GSM9": "FOO"})
	var e *qc.Error
	if !errors.As(err, &e) || e.Code != qc.IllnessInferenceFailed {
		t.Fatalf("err = %v, want IllnessInferenceFailed", err)
	}
	if want := "illness: override for sample GSM9"; len(e.Msg) < len(want) || e.Msg[:len(want)] != want {
		t.Errorf("message %q does not name the sample", e.Msg)
	}
}

// TestNilClassifierMeansDefault: Overridden and Decide given no classifier
// (nil, or a nil *Classifier) use the default rules rather than return a
// classifier that panics.
func TestNilClassifierMeansDefault(t *testing.T) {
	study := &metadata.Study{Accession: "GSE1", Title: "Whole blood in sepsis"}
	samples := []*metadata.Sample{
		{Accession: "GSM1", Title: "patient with septic shock, day 1"},
		{Accession: "GSM2", Title: "healthy control 2"},
		{Accession: "GSM3", Title: "sepsis patient 3"},
	}
	want := Decide(Default(), study, samples)
	if want[0].Label != SepticShock || want[1].Label != Control {
		t.Fatalf("the default rules decide %v: the samples do not exercise them", want)
	}
	overrides := map[string]Label{"GSM3": Control}
	wantOv := append([]Decision(nil), want...)
	wantOv[2] = overrideDecision("GSM3", Control)
	for _, c := range []IllnessClassifier{nil, (*Classifier)(nil)} {
		if diff := cmp.Diff(want, Decide(c, study, samples)); diff != "" {
			t.Errorf("Decide(%#v) (-want +got):\n%s", c, diff)
		}
		for _, ov := range []map[string]Label{nil, overrides} {
			o, err := Overridden(c, ov)
			if err != nil {
				t.Fatal(err)
			}
			w := want
			if ov != nil {
				w = wantOv
			}
			if diff := cmp.Diff(w, Decide(o, study, samples)); diff != "" {
				t.Errorf("Overridden(%#v, %v) (-want +got):\n%s", c, ov, diff)
			}
			for i, s := range samples {
				if d := o.Classify(s); d != Default().Classify(s) && (ov == nil || i != 2) {
					t.Errorf("Overridden(%#v, %v).Classify(%s) = %v", c, ov, s.Accession, d)
				}
			}
		}
	}
}
