package illness

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/genexp/genexp/metadata"
)

// corpus is one of the labeled files in testdata: real annotations of
// public studies with the label of each sample's group (README.md there
// says where each came from and how the labels were decided).
type corpus struct {
	Studies []struct {
		Accession string `json:"accession"`
		// Holdout (labeled_samples.json) or Split (sepsis_cohorts.json:
		// dev, heldout or seen) says which studies the rules were
		// written from.
		Holdout bool   `json:"holdout"`
		Split   string `json:"split"`
		// Title and Summary are the study's own text where it is known;
		// ClassifyCohort then reads it with the study's samples.
		Title   string `json:"title"`
		Summary string `json:"summary"`
		Samples []struct {
			Accession       string      `json:"accession"`
			Title           string      `json:"title"`
			SourceName      string      `json:"source_name"`
			Disease         string      `json:"disease"`
			Description     string      `json:"description"`
			Characteristics [][2]string `json:"characteristics"`
			Expected        Label       `json:"expected"`
		} `json:"samples"`
	} `json:"studies"`
}

type labeled struct {
	study    string
	split    string
	sample   *metadata.Sample
	context  *metadata.Study
	expected Label
}

func loadCorpus(t *testing.T, file string) []labeled {
	t.Helper()
	data, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var c corpus
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	var out []labeled
	for _, st := range c.Studies {
		split := st.Split
		if split == "" {
			split = map[bool]string{true: "heldout", false: "dev"}[st.Holdout]
		}
		var context *metadata.Study
		if st.Title != "" || st.Summary != "" {
			context = &metadata.Study{Accession: st.Accession, Title: st.Title, Description: st.Summary}
		}
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
			if s.Description != "" {
				smp.Annotations = append(smp.Annotations, metadata.Annotation{Key: "description", Value: s.Description})
			}
			for _, kv := range s.Characteristics {
				smp.Annotations = append(smp.Annotations, metadata.Annotation{Key: kv[0], Value: kv[1], Characteristic: true})
			}
			out = append(out, labeled{study: st.Accession, split: split, sample: smp, context: context, expected: s.Expected})
		}
	}
	return out
}

type tally struct{ n, ok int }

// Floors of TestFresh2CohortsAccuracy: per sample, just under the
// accuracy of its one scoring run (README.md, "Fourth corpus"); by cohort,
// just under the accuracy with RuleDiseaseArm, which was written from that
// run's misses (so the figure is not an estimate for new studies).
const (
	fresh2PerSampleFloor = 0.33
	fresh2CohortFloor    = 0.99
)

func (x tally) acc() float64 {
	if x.n == 0 {
		return 0
	}
	return float64(x.ok) / float64(x.n)
}

// classifyAll decides every sample of a corpus with c: per sample
// (Classify) when cohort is false, else each study's samples together
// (ClassifyCohort), as the pipeline does.
func classifyAll(c *Classifier, samples []labeled, cohort bool) []Decision {
	out := make([]Decision, len(samples))
	if !cohort {
		for i, l := range samples {
			out[i] = c.Classify(l.sample)
		}
		return out
	}
	byStudy := map[string][]int{}
	var order []string
	for i, l := range samples {
		if byStudy[l.study] == nil {
			order = append(order, l.study)
		}
		byStudy[l.study] = append(byStudy[l.study], i)
	}
	for _, st := range order {
		idx := byStudy[st]
		ss := make([]*metadata.Sample, len(idx))
		for j, i := range idx {
			ss[j] = samples[i].sample
		}
		for j, d := range c.ClassifyCohort(samples[idx[0]].context, ss) {
			out[idx[j]] = d
		}
	}
	return out
}

// score classifies every sample of a corpus with the default classifier,
// study by study (ClassifyCohort, with the study's text where it is
// known), logs the confusion matrix, per-study results and every miss,
// and returns the tallies per split. The per-sample accuracy (Classify
// alone) is logged beside it.
func score(t *testing.T, samples []labeled) map[string]tally {
	t.Helper()
	c := Default()
	perSample := map[string]tally{}
	for i, d := range classifyAll(c, samples, false) {
		sp := perSample[samples[i].split]
		sp.n++
		if d.Label == samples[i].expected {
			sp.ok++
		}
		perSample[samples[i].split] = sp
	}
	decisions := classifyAll(c, samples, true)
	splits := map[string]tally{}
	studies := map[string]*tally{}
	var order []string
	confusion := map[Label]map[Label]int{}
	for i, l := range samples {
		d := decisions[i]
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
		sp := splits[l.split]
		for _, tl := range []*tally{st, &sp} {
			tl.n++
			if hit {
				tl.ok++
			}
		}
		splits[l.split] = sp
		if !hit {
			t.Logf("MISS %s/%s %s: want %s, got %s", l.split, l.study, l.sample.Accession, l.expected, d)
		}
	}
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
	sort.Strings(order)
	for _, s := range order {
		t.Logf("%-12s %d/%d", s, studies[s].ok, studies[s].n)
	}
	var names []string
	for s := range splits {
		names = append(names, s)
	}
	sort.Strings(names)
	for _, s := range names {
		t.Logf("accuracy %-8s %.3f (%d/%d) by cohort; %.3f (%d/%d) per sample", s, splits[s].acc(), splits[s].ok, splits[s].n,
			perSample[s].acc(), perSample[s].ok, perSample[s].n)
	}
	return splits
}

// TestDefaultRulesAccuracy classifies the first labeled corpus
// (labeled_samples.json: representatives of 14 studies) and holds it to
// 95% overall and on the studies held out while the first rules were
// written. Run with -v to see the confusion matrix and every miss.
func TestDefaultRulesAccuracy(t *testing.T) {
	samples := loadCorpus(t, "labeled_samples.json")
	splits := score(t, samples)
	all := tally{n: splits["dev"].n + splits["heldout"].n, ok: splits["dev"].ok + splits["heldout"].ok}
	if len(samples) < 60 || splits["heldout"].n == 0 {
		t.Fatalf("corpus too small: %d samples, %d held out", len(samples), splits["heldout"].n)
	}
	if all.acc() < 0.95 {
		t.Errorf("overall accuracy %.3f < 0.95", all.acc())
	}
	if splits["heldout"].acc() < 0.95 {
		t.Errorf("held-out accuracy %.3f < 0.95", splits["heldout"].acc())
	}
}

// TestSepsisCohortsAccuracy classifies the second labeled corpus
// (sepsis_cohorts.json: full per-sample records of 26 studies, labeled by
// each study's stated groups), study by study as the pipeline does. The
// floors sit just under the accuracies measured when the rules, group
// codes and cohort rules were last changed (development 0.992, seen
// 0.948, held out 0.842, the held-out split having been looked at before
// that change): they guard against regressions and are not the target.
// README.md reports the numbers and what still misses.
func TestSepsisCohortsAccuracy(t *testing.T) {
	samples := loadCorpus(t, "sepsis_cohorts.json")
	splits := score(t, samples)
	floors := map[string]float64{"dev": 0.98, "heldout": 0.83, "seen": 0.94}
	for split, floor := range floors {
		if splits[split].n == 0 {
			t.Fatalf("no %s samples", split)
		}
		if got := splits[split].acc(); got < floor {
			t.Errorf("%s accuracy %.3f < %.2f", split, got, floor)
		}
	}
}

// TestFreshCohortsAccuracy classifies the fresh held-out corpus
// (fresh_cohorts.json: studies added after every other split had been
// scored, and scored before any further rule change). It is the most
// honest estimate of how the rules do on a study they have not seen.
func TestFreshCohortsAccuracy(t *testing.T) {
	samples := loadCorpus(t, "fresh_cohorts.json")
	splits := score(t, samples)
	if splits["fresh"].n == 0 {
		t.Fatal("no fresh samples")
	}
	if got := splits["fresh"].acc(); got < 0.95 {
		t.Errorf("fresh accuracy %.3f < 0.95", got)
	}
}

// TestFresh2CohortsAccuracy classifies the second fresh held-out corpus
// (fresh2_cohorts.json: studies added after every other corpus had been
// scored, and scored once with the rules as they stood). The floors sit
// just under the accuracies of that one run, per sample and by cohort, so
// a regression fails; README.md reports the run and every miss.
func TestFresh2CohortsAccuracy(t *testing.T) {
	samples := loadCorpus(t, "fresh2_cohorts.json")
	if len(samples) == 0 {
		t.Fatal("no fresh2 samples")
	}
	perSample := tally{n: len(samples)}
	for i, d := range classifyAll(Default(), samples, false) {
		if d.Label == samples[i].expected {
			perSample.ok++
		}
	}
	byCohort := score(t, samples)["fresh2"]
	if byCohort.n != len(samples) {
		t.Fatalf("%d of %d samples in the fresh2 split", byCohort.n, len(samples))
	}
	if got := perSample.acc(); got < fresh2PerSampleFloor {
		t.Errorf("fresh2 per-sample accuracy %.3f < %.2f", got, fresh2PerSampleFloor)
	}
	if got := byCohort.acc(); got < fresh2CohortFloor {
		t.Errorf("fresh2 by-cohort accuracy %.3f < %.2f", got, fresh2CohortFloor)
	}
}

// TestLeaveOneStudyOut is a sanity check on how much the group codes and
// cohort rules owe to single studies. Every code and cohort rule is
// credited with the studies, over all three corpora, in which it decides
// a sample; each study is then scored by a classifier that knows none of
// the codes and rules only that study supports, as if they had never been
// written. The gap to the full score is what the lexicon and cohort rules
// would lose on a study unlike all the others.
func TestLeaveOneStudyOut(t *testing.T) {
	var all []labeled
	for _, f := range []string{"labeled_samples.json", "sepsis_cohorts.json", "fresh_cohorts.json", "fresh2_cohorts.json"} {
		for _, l := range loadCorpus(t, f) {
			l.study = f + "/" + l.study // GSE28750 and others are in two corpora
			l.split = strings.TrimSuffix(f, ".json") + "/" + l.split
			all = append(all, l)
		}
	}
	codeOf := regexp.MustCompile(`^group code "(\w+)"`)
	support := map[string]map[string]bool{} // "code:x" or "rule:y" -> studies
	credit := func(key, study string) {
		if support[key] == nil {
			support[key] = map[string]bool{}
		}
		support[key][study] = true
	}
	full := classifyAll(Default(), all, true)
	for i, d := range full {
		if m := codeOf.FindStringSubmatch(d.Evidence); m != nil {
			credit("code:"+m[1], all[i].study)
		}
		for _, r := range CohortRules() {
			if d.Rule == r {
				credit("rule:"+r, all[i].study)
			}
		}
	}
	byStudy := map[string][]labeled{}
	var order []string
	for _, l := range all {
		if byStudy[l.study] == nil {
			order = append(order, l.study)
		}
		byStudy[l.study] = append(byStudy[l.study], l)
	}
	loso, whole := map[string]tally{}, map[string]tally{}
	for i, l := range all {
		w := whole[l.split]
		w.n++
		if full[i].Label == l.expected {
			w.ok++
		}
		whole[l.split] = w
	}
	for _, st := range order {
		var codes []GroupCode
		for _, gc := range DefaultGroupCodes() {
			if s := support["code:"+gc.Code]; len(s) == 1 && s[st] {
				continue
			}
			codes = append(codes, gc)
		}
		var off []string
		for _, r := range CohortRules() {
			if s := support["rule:"+r]; len(s) == 1 && s[st] {
				off = append(off, r)
			}
		}
		c, err := New(DefaultRules(), nil, nil, WithGroupCodes(codes), WithoutCohortRules(off...))
		if err != nil {
			t.Fatal(err)
		}
		samples := byStudy[st]
		ok := 0
		for i, d := range classifyAll(c, samples, true) {
			if d.Label == samples[i].expected {
				ok++
			}
		}
		sp := loso[samples[0].split]
		sp.n += len(samples)
		sp.ok += ok
		loso[samples[0].split] = sp
		if removed := len(DefaultGroupCodes()) - len(codes) + len(off); removed > 0 {
			t.Logf("%-32s without %d codes/rules only it supports (%v): %d/%d", st, removed, off, ok, len(samples))
		}
	}
	var names []string
	for s := range loso {
		names = append(names, s)
	}
	sort.Strings(names)
	for _, s := range names {
		t.Logf("leave-one-study-out %-26s %.3f (%d/%d); with everything %.3f", s, loso[s].acc(), loso[s].ok, loso[s].n, whole[s].acc())
		if loso[s].ok > whole[s].ok {
			t.Errorf("%s: leaving codes out gained accuracy (%d > %d): a code or cohort rule does harm", s, loso[s].ok, whole[s].ok)
		}
	}
}
