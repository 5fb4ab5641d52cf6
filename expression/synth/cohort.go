package synth

import (
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/genexp/genexp/illness"
)

// A cohort style is one of the ways real GEO sepsis studies label their
// samples. Each style puts the label in a different place, so a download
// with four or more studies exercises every field a classifier reads.
type cohortStyle struct {
	name  string
	title string // study title, with %d for the study number
	// sample describes one sample of the label; n numbers samples of the
	// style (and label, where the title shows it) across the download.
	sample func(l illness.Label, n int) sampleText
}

// sampleText is what a style says about one sample.
type sampleText struct {
	title, source, disease string
	// characteristics are GEO characteristics_ch1 items, "key: value".
	characteristics []string
}

var styles = []cohortStyle{
	{
		// refine.bio copies a "disease state" characteristic into
		// refinebio_disease.
		name:  "disease state",
		title: "Whole-blood transcriptome of sepsis and septic shock (synthetic cohort %d)",
		sample: func(l illness.Label, n int) sampleText {
			t := map[illness.Label][2]string{
				illness.Control:     {"healthy control", "Healthy control %d"},
				illness.NoSepsis:    {"SIRS", "SIRS patient %d"},
				illness.Sepsis:      {"sepsis", "Sepsis patient %d"},
				illness.SepticShock: {"septic shock", "Septic shock patient %d"},
			}[l]
			state, title := t[0], t[1]
			return sampleText{
				title: fmt.Sprintf(title, n), source: "whole blood", disease: state,
				characteristics: []string{"disease state: " + state, "tissue: whole blood"},
			}
		},
	},
	{
		// The label is only in a characteristic refine.bio does not copy.
		name:  "health status",
		title: "Peripheral blood gene expression after major surgery and in sepsis (synthetic cohort %d)",
		sample: func(l illness.Label, n int) sampleText {
			status := map[illness.Label]string{
				illness.Control:     "healthy",
				illness.NoSepsis:    "POST_SURGICAL",
				illness.Sepsis:      "sepsis",
				illness.SepticShock: "septic shock patient",
			}[l]
			return sampleText{
				title: fmt.Sprintf("Subject %d, day 1", n), source: "peripheral blood",
				characteristics: []string{"health status: " + status, "tissue: peripheral blood", "time point: day 1"},
			}
		},
	},
	{
		// The label is only in the title, underscores and all.
		name:  "title",
		title: "Neutrophil expression profiles in septic shock (synthetic cohort %d)",
		sample: func(l illness.Label, n int) sampleText {
			title := map[illness.Label]string{
				illness.Control:     "Experiment_Control_%d",
				illness.NoSepsis:    "Non-septic SIRS_rep%d",
				illness.Sepsis:      "Experiment_Sepsis_%d",
				illness.SepticShock: "Septic Shock_biological rep%d",
			}[l]
			return sampleText{
				title: fmt.Sprintf(title, n), source: "neutrophils",
				characteristics: []string{"cell type: neutrophils", "tissue: blood"},
			}
		},
	},
	{
		// A "study group" characteristic, as some ICU cohorts write it.
		name:  "study group",
		title: "ICU cohort: infection status and outcome (synthetic cohort %d)",
		sample: func(l illness.Label, n int) sampleText {
			group := map[illness.Label]string{
				illness.Control:     "Uninfected healthy",
				illness.NoSepsis:    "Critically ill, non-infectious",
				illness.Sepsis:      "Sepsis survivor",
				illness.SepticShock: "Septic shock non-survivor",
			}[l]
			return sampleText{
				title: fmt.Sprintf("Blood_ICU_%d_24h", n), source: "whole blood",
				characteristics: []string{"study group: " + group, "tissue: whole blood"},
			}
		},
	},
}

// cohortShares is the mix of labels in every study, roughly that of an
// adult ICU sepsis cohort with healthy controls.
var cohortShares = []struct {
	label   illness.Label
	percent int
}{
	{illness.SepticShock, 35},
	{illness.Sepsis, 30},
	{illness.NoSepsis, 15},
	{illness.Control, 20},
}

// cohortLabels returns n labels in the cohort mix, shuffled.
func cohortLabels(n int, rng *rand.Rand) []illness.Label {
	out := make([]illness.Label, 0, n)
	acc := 0
	for _, c := range cohortShares {
		// Integer arithmetic, so rounding cannot depend on how 0.35 + 0.30
		// comes out in binary.
		acc += c.percent
		upto := (acc*n + 50) / 100
		for len(out) < upto {
			out = append(out, c.label)
		}
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// septic reports whether a label's samples carry the sepsis signal.
func septic(l illness.Label) bool { return l == illness.Sepsis || l == illness.SepticShock }

func sexOf(rng *rand.Rand) string {
	if rng.IntN(2) == 0 {
		return "female"
	}
	return "male"
}

func ageOf(rng *rand.Rand) string { return strconv.Itoa(18 + rng.IntN(70)) }
