package illness

import (
	"fmt"
	"sort"
	"strings"

	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/qc"
)

// Decide classifies the samples of one study with what c can do: all
// together when it is a CohortClassifier, each with its study when it is a
// StudyClassifier, else each alone (Classify). It returns one decision per
// sample, in order; a sample a CohortClassifier left without a decision (a
// shorter result) is decided on its own. study may be nil; a nil c (or nil
// *Classifier) means the default rules, Default().
func Decide(c IllnessClassifier, study *metadata.Study, samples []*metadata.Sample) []Decision {
	c = orDefault(c)
	out := make([]Decision, len(samples))
	done := 0
	if cc, ok := c.(CohortClassifier); ok {
		done = copy(out, cc.ClassifyCohort(study, samples))
	}
	sc, isStudy := c.(StudyClassifier)
	for i := done; i < len(samples); i++ {
		if isStudy {
			out[i] = sc.ClassifyInStudy(samples[i], study)
		} else {
			out[i] = c.Classify(samples[i])
		}
	}
	return out
}

// Overridden returns c with per-sample overrides put over its decisions:
// a sample whose accession overrides names takes that label, with Method
// MethodOverride, whatever c decides; every other sample is decided by c,
// through its CohortClassifier or StudyClassifier when it has them (the
// result implements both; see Decide). An override is the curator's last
// word on one sample, so it applies around any classifier; c does not see
// it, and so cannot use it as evidence about the sample's siblings the
// way the rule-based Classifier, given the overrides itself (New), does.
//
// A label ParseLabel does not read is a *qc.Error with code
// IllnessInferenceFailed naming the sample. A nil c (or nil *Classifier)
// means the default rules, Default(), as it does to Decide. With no
// overrides, c is returned as it is.
func Overridden(c IllnessClassifier, overrides map[string]Label) (IllnessClassifier, error) {
	c = orDefault(c)
	if len(overrides) == 0 {
		return c, nil
	}
	labels, err := parseOverrides(overrides)
	if err != nil {
		return nil, err
	}
	return &overridden{c: c, labels: labels}, nil
}

// parseOverrides reads overrides keyed by accession, blanks around it
// trimmed. Two keys that are one accession once trimmed (" GSM1" and
// "GSM1") with different labels are refused: which won depended on the
// order Go's map gave them.
func parseOverrides(overrides map[string]Label) (map[string]Label, error) {
	out := make(map[string]Label, len(overrides))
	accs := make([]string, 0, len(overrides))
	for acc := range overrides {
		accs = append(accs, acc)
	}
	sort.Strings(accs)
	for _, acc := range accs {
		pl, err := ParseLabel(string(overrides[acc]))
		if err != nil {
			return nil, qc.Wrap(qc.IllnessInferenceFailed, err, fmt.Sprintf("illness: override for sample %s", acc))
		}
		key := strings.TrimSpace(acc)
		if prev, ok := out[key]; ok && prev != pl {
			return nil, qc.Errorf(qc.IllnessInferenceFailed, "illness: sample %s is overridden twice, as %s and as %s (its accession written with blanks around it, once)", key, prev, pl)
		}
		out[key] = pl
	}
	return out, nil
}

// orDefault returns c, or Default() for a nil c: a caller that gives no
// classifier gets the rules genexp uses, not one that panics when asked.
func orDefault(c IllnessClassifier) IllnessClassifier {
	if cl, ok := c.(*Classifier); c == nil || ok && cl == nil {
		return Default()
	}
	return c
}

type overridden struct {
	c      IllnessClassifier
	labels map[string]Label
}

func (o *overridden) override(s *metadata.Sample) (Decision, bool) {
	if s == nil {
		return Decision{}, false
	}
	l, ok := o.labels[strings.TrimSpace(s.Accession)]
	if !ok {
		return Decision{}, false
	}
	return overrideDecision(s.Accession, l), true
}

func (o *overridden) Classify(s *metadata.Sample) Decision {
	if d, ok := o.override(s); ok {
		return d
	}
	return o.c.Classify(s)
}

func (o *overridden) ClassifyInStudy(s *metadata.Sample, study *metadata.Study) Decision {
	if d, ok := o.override(s); ok {
		return d
	}
	if sc, ok := o.c.(StudyClassifier); ok {
		return sc.ClassifyInStudy(s, study)
	}
	return Decide(o.c, study, []*metadata.Sample{s})[0]
}

func (o *overridden) ClassifyCohort(study *metadata.Study, samples []*metadata.Sample) []Decision {
	out := Decide(o.c, study, samples)
	for i, s := range samples {
		if d, ok := o.override(s); ok {
			out[i] = d
		}
	}
	return out
}

// overrideDecision is the decision an override makes.
func overrideDecision(accession string, l Label) Decision {
	return Decision{Label: l, Method: MethodOverride, Field: "accession", Matched: accession, Value: accession}
}
