package illness

import (
	"fmt"
	"strings"
	"testing"

	"github.com/genexp/genexp/metadata"
)

// BenchmarkClassifyCohort classifies one study of 20,000 samples as the
// pipeline does, in three shapes: patients whose group only the study's
// text states (the study-context reading), group codes read by their
// siblings, and groups written in a characteristic. Each reports the time
// per sample.
//
//	go test ./illness -run '^$' -bench ClassifyCohort -benchtime 5x
//
// The study text is about 2 KB, as refine.bio descriptions are. The study
// text was read again for every patient no rule labels: the first shape
// took 7.2 s per study, 12.1 s once the reading also counted patients; read
// once per cohort, it took 44-56 ms (2.2-2.8 µs a sample). The third took
// 264 ms before the classifier remembered which characteristic keys it
// ignores, and 124 ms after. With the no-group rules tried over every field
// first (a pass more per sample) the three take 61, 75 and 143 ms; with the
// wordings of denied and doubted sepsis, the same-patient rule, the ignored
// keys read last and codes checked against the rules, 87-97, 117-121 and
// 218-239 ms (4.5, 5.9 and 11-12 µs a sample). The rules the wording
// reviews added (passing mentions in study text, experimental controls,
// local septic infections, control words and codes checked before a
// cohort's illness is given) cost, run alternately with the version before
// them on a day the machine was slower (fastest of three runs each):
// 142 -> 151, 181 -> 193 and 313 -> 409 ms (7.5, 9.7 and 20 µs a sample).
func BenchmarkClassifyCohort(b *testing.B) {
	const n = 20000
	long := &metadata.Study{Title: "Early and dynamic changes in gene expression in septic shock patients: a genome wide approach",
		Description: strings.Repeat("As early and appropriate care of severe septic patients is associated with better outcome, understanding of very first events in the disease process is needed. ", 12)}
	shapes := []struct {
		name   string
		study  *metadata.Study
		sample func(i int) *metadata.Sample
	}{
		{"study text", long, func(i int) *metadata.Sample {
			return &metadata.Sample{Accession: fmt.Sprintf("GSM%d", i), Title: fmt.Sprintf("patient %03d, H%d", i, i%3*24)}
		}},
		{"group codes", long, func(i int) *metadata.Sample {
			return &metadata.Sample{Accession: fmt.Sprintf("GSM%d", i), Title: []string{"Seps_P", "Shock_P", "Hlty", "Inf1_P"}[i%4] + fmt.Sprint(i)}
		}},
		{"characteristics", long, func(i int) *metadata.Sample {
			return &metadata.Sample{Accession: fmt.Sprintf("GSM%d", i), Title: fmt.Sprintf("sample %d", i), Annotations: []metadata.Annotation{
				{Key: "disease state", Value: []string{"septic shock", "sepsis", "healthy control", "SIRS"}[i%4], Characteristic: true},
				{Key: "age", Value: fmt.Sprint(20 + i%60), Characteristic: true}}}
		}},
	}
	c := Default()
	for _, sh := range shapes {
		samples := make([]*metadata.Sample, n)
		for i := range samples {
			samples[i] = sh.sample(i)
		}
		b.Run(sh.name, func(b *testing.B) {
			for b.Loop() {
				c.ClassifyCohort(sh.study, samples)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/sample")
		})
	}
}

// TestClassifierConcurrentUse: one Classifier used from several goroutines
// at once (as a pipeline classifying studies in parallel would) decides
// every sample of the real corpora as it does alone. Run with -race, it
// also checks the classifier's shared state (the cache of ignored keys).
func TestClassifierConcurrentUse(t *testing.T) {
	samples := loadCorpus(t, "sepsis_cohorts.json")
	want := classifyAll(Default(), samples, byCohortText)
	c := Default()
	const workers = 4
	got := make([][]Decision, workers)
	done := make(chan int)
	for w := range workers {
		go func() {
			got[w] = classifyAll(c, samples, byCohortText)
			done <- w
		}()
	}
	for range workers {
		<-done
	}
	for w := range workers {
		for i := range want {
			if got[w][i] != want[i] {
				t.Fatalf("worker %d, sample %s: %+v, alone %+v", w, samples[i].sample.Accession, got[w][i], want[i])
			}
		}
	}
}
