package illness_test

import (
	"fmt"
	"log"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/illness"
)

// A researcher opens a refine.bio download and lists each sample's illness
// label with the reason for it. The bundled download is a zebrafish study,
// not a sepsis cohort: its genotype controls read as CONTROL and the other
// fish stay UNKNOWN, because nothing in their metadata speaks of illness.
func Example() {
	d, err := genexp.OpenDownload("../testdata/refinebio/GSE71270/GSE71270")
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	c := illness.Default()
	for _, s := range d.Metadata.Samples {
		dec := c.Classify(s)
		fmt.Printf("%s %-7s %s", s.Accession, dec.Label, dec.Method)
		if dec.Method == illness.MethodRule {
			fmt.Printf(" %s: %q in %s %q", dec.Rule, dec.Matched, dec.Field, dec.Value)
		}
		fmt.Println()
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
