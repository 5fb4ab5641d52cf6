package illness

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/genexp/genexp/metadata"
)

// corpus is testdata/labeled_samples.json: real annotations of public
// studies with the label their record supports (README.md there says where
// each came from).
type corpus struct {
	Studies []struct {
		Accession string `json:"accession"`
		Holdout   bool   `json:"holdout"`
		Samples   []struct {
			Accession       string      `json:"accession"`
			Title           string      `json:"title"`
			SourceName      string      `json:"source_name"`
			Disease         string      `json:"disease"`
			Characteristics [][2]string `json:"characteristics"`
			Expected        Label       `json:"expected"`
		} `json:"samples"`
	} `json:"studies"`
}

type labeled struct {
	study    string
	holdout  bool
	sample   *metadata.Sample
	expected Label
}

func loadCorpus(t *testing.T) []labeled {
	t.Helper()
	data, err := os.ReadFile("testdata/labeled_samples.json")
	if err != nil {
		t.Fatal(err)
	}
	var c corpus
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	var out []labeled
	for _, st := range c.Studies {
		for i, s := range st.Samples {
			if _, err := ParseLabel(string(s.Expected)); err != nil {
				t.Fatalf("%s sample %d: %v", st.Accession, i, err)
			}
			acc := s.Accession
			if acc == "" {
				acc = fmt.Sprintf("%s#%d", st.Accession, i+1)
			}
			smp := &metadata.Sample{Accession: acc, Title: s.Title, Disease: s.Disease, Experiments: []string{st.Accession}}
			if s.SourceName != "" {
				smp.Annotations = append(smp.Annotations, metadata.Annotation{Key: "source_name_ch1", Value: s.SourceName})
			}
			for _, kv := range s.Characteristics {
				smp.Annotations = append(smp.Annotations, metadata.Annotation{Key: kv[0], Value: kv[1], Characteristic: true})
			}
			out = append(out, labeled{study: st.Accession, holdout: st.Holdout, sample: smp, expected: s.Expected})
		}
	}
	return out
}

// TestDefaultRulesAccuracy classifies every labeled real sample with the
// default rules and holds them to 95% overall and on the studies held out
// while the rules were written. Run with -v to see the confusion matrix
// and every miss.
func TestDefaultRulesAccuracy(t *testing.T) {
	samples := loadCorpus(t)
	c := Default()
	type tally struct{ n, ok int }
	var all, held, dev tally
	studies := map[string]*tally{}
	var order []string
	confusion := map[Label]map[Label]int{}
	for _, l := range samples {
		d := c.Classify(l.sample)
		if confusion[l.expected] == nil {
			confusion[l.expected] = map[Label]int{}
		}
		confusion[l.expected][d.Label]++
		st := studies[l.study]
		if st == nil {
			st = &tally{}
			studies[l.study] = st
			order = append(order, l.study)
		}
		hit := d.Label == l.expected
		for _, tl := range []*tally{&all, st, map[bool]*tally{true: &held, false: &dev}[l.holdout]} {
			tl.n++
			if hit {
				tl.ok++
			}
		}
		if !hit {
			t.Logf("MISS %s %s: want %s, got %s", l.study, l.sample.Accession, l.expected, d)
		}
	}
	acc := func(x tally) float64 { return float64(x.ok) / float64(x.n) }
	var b strings.Builder
	fmt.Fprintf(&b, "confusion matrix (rows: expected, columns: classified)\n%-13s", "")
	for _, l := range Labels() {
		fmt.Fprintf(&b, "%13s", l)
	}
	for _, want := range Labels() {
		fmt.Fprintf(&b, "\n%-13s", want)
		for _, got := range Labels() {
			fmt.Fprintf(&b, "%13d", confusion[want][got])
		}
	}
	t.Log(b.String())
	for _, s := range order {
		t.Logf("%-10s %d/%d", s, studies[s].ok, studies[s].n)
	}
	t.Logf("accuracy: overall %.3f (%d/%d, %d studies); development %.3f (%d/%d); held-out %.3f (%d/%d)",
		acc(all), all.ok, all.n, len(order), acc(dev), dev.ok, dev.n, acc(held), held.ok, held.n)
	if len(order) < 12 || held.n == 0 {
		t.Fatalf("corpus too small: %d studies, %d held-out samples", len(order), held.n)
	}
	if acc(all) < 0.95 {
		t.Errorf("overall accuracy %.3f < 0.95", acc(all))
	}
	if acc(held) < 0.95 {
		t.Errorf("held-out accuracy %.3f < 0.95", acc(held))
	}
}
