package illness_test

import (
	"fmt"
	"log"
	"strings"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/illness"
	"github.com/genexp/genexp/metadata"
)

// A researcher opens a refine.bio download and lists each sample's illness
// label with the reason for it, deciding each study's samples together as
// a load does (Decide: a sample named by a code alone is read beside its
// study's other samples and its text). The bundled download is a zebrafish
// study, not a sepsis cohort: its genotype controls read as CONTROL and
// the other fish stay UNKNOWN, because nothing in their metadata speaks of
// illness.
func Example() {
	d, err := genexp.OpenDownload("../testdata/refinebio/GSE71270/GSE71270")
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	c := illness.Default()
	for _, st := range d.Metadata.Studies {
		samples := d.Metadata.StudySamples(st.Accession)
		for i, dec := range illness.Decide(c, st, samples) {
			fmt.Printf("%s %-7s %s", samples[i].Accession, dec.Label, dec.Method)
			if dec.Method == illness.MethodRule {
				fmt.Printf(" %s: %q in %s %q", dec.Rule, dec.Matched, dec.Field, dec.Value)
			}
			fmt.Println()
		}
	}
	// Output:
	// GSM1831675 UNKNOWN default
	// GSM1831676 UNKNOWN default
	// GSM1831677 UNKNOWN default
	// GSM1831678 UNKNOWN default
	// GSM1831679 UNKNOWN default
	// GSM1831680 CONTROL rule healthy_control: "control" in characteristics "genotype/variation: control"
	// GSM1831681 CONTROL rule healthy_control: "control" in characteristics "genotype/variation: control"
	// GSM1831682 CONTROL rule healthy_control: "control" in characteristics "genotype/variation: control"
	// GSM1831683 CONTROL rule healthy_control: "control" in characteristics "genotype/variation: control"
	// GSM1831684 CONTROL rule healthy_control: "control" in characteristics "genotype/variation: control"
}

// A study whose samples are named by codes: made-up titles in the style of
// real sepsis cohorts. Alone, "Shock_P2" and "Inf_P4" say nothing; beside
// "Seps_P1" they are the study's septic shock and infection-without-sepsis
// arms, and each decision says which sibling it read.
func ExampleClassifier_ClassifyCohort() {
	var samples []*metadata.Sample
	for i, title := range []string{"Seps_P1", "Shock_P2", "Hlty_3", "Inf_P4"} {
		samples = append(samples, &metadata.Sample{Accession: fmt.Sprintf("GSM%d", i+1), Title: title})
	}
	c := illness.Default()
	for i, d := range c.ClassifyCohort(&metadata.Study{Accession: "GSE1"}, samples) {
		fmt.Printf("%-8s %-12s %-16s %q\n", samples[i].Title, d.Label, d.Rule, d.Matched)
		if d.Rule != illness.RuleGroupCode {
			fmt.Println("   because", d.Evidence[strings.LastIndex(d.Evidence, "; ")+2:])
		}
	}
	// Output:
	// Seps_P1  SEPSIS       group_code       "Seps"
	// Shock_P2 SEPTIC_SHOCK cohort_code      "Shock"
	//    because sepsis cohort: sample GSM1 is SEPSIS by rule group_code matching "Seps" in title
	// Hlty_3   CONTROL      group_code       "Hlty"
	// Inf_P4   NO_SEPSIS    cohort_infection "Inf"
	//    because infection beside the cohort's sepsis arm: sample GSM1 is SEPSIS by rule group_code matching "Seps" in title
}

// byTitle is a researcher's own classifier.
type byTitle struct{}

func (byTitle) Classify(s *metadata.Sample) illness.Decision {
	if strings.Contains(s.Title, "shock") {
		return illness.Decision{Label: illness.SepticShock, Method: illness.MethodRule, Rule: "title", Field: "title", Matched: "shock"}
	}
	return illness.Decision{Label: illness.Unknown, Method: illness.MethodDefault}
}

// Overrides correct single samples whatever classifier runs.
func ExampleOverridden() {
	c, err := illness.Overridden(byTitle{}, map[string]illness.Label{"GSM2": illness.Control})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.Classify(&metadata.Sample{Accession: "GSM1", Title: "septic shock, day 1"}))
	fmt.Println(c.Classify(&metadata.Sample{Accession: "GSM2", Title: "shock-free volunteer"}))
	// Output:
	// SEPTIC_SHOCK (rule title matched "shock" in title)
	// CONTROL (override)
}

// A study that codes its groups in a characteristic of its own ("arm: A"
// for its septic shock patients, "arm: B" for its healthy volunteers)
// gets rules of its own, tried before the default ones: what the default
// rules read of the sample stays as it was.
func ExampleNew() {
	rules := append([]illness.Rule{
		{Name: "arm_a", Label: illness.SepticShock, Priority: 1, Fields: []string{"characteristic:arm"}, Pattern: `^A$`,
			Description: "this study's arm A: septic shock"},
		{Name: "arm_b", Label: illness.Control, Priority: 1, Fields: []string{"characteristic:arm"}, Pattern: `^B$`,
			Description: "this study's arm B: healthy volunteers"},
	}, illness.DefaultRules()...)
	c, err := illness.New(rules, illness.DefaultFields(), nil)
	if err != nil {
		log.Fatal(err)
	}
	for i, arm := range []string{"A", "B", "C"} {
		s := &metadata.Sample{Accession: fmt.Sprintf("GSM%d", i+1), Title: "patient " + arm,
			Annotations: []metadata.Annotation{{Key: "arm", Value: arm, Characteristic: true}}}
		d := c.Classify(s)
		fmt.Println(s.Accession, d.Label, d.Method, d.Rule)
	}
	// Output:
	// GSM1 SEPTIC_SHOCK rule arm_a
	// GSM2 CONTROL rule arm_b
	// GSM3 UNKNOWN default
}
