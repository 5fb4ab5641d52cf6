package metadata_test

import (
	"fmt"
	"strings"

	"github.com/genexp/genexp/metadata"
)

// A sample sheet (metadata_<ACC>.tsv) read into typed samples: refine.bio's
// own columns become fields, the submitter's characteristics annotations.
func ExampleParseTSV() {
	sheet := "refinebio_accession_code\texperiment_accession\trefinebio_title\trefinebio_disease\tcharacteristics_ch1_time point\n" +
		"GSM1\tGSE1\tPatient 1, Day 1\tseptic shock\tD1\n" +
		"GSM2\tGSE1\tHealthy volunteer 1\t\t\n"
	d, err := metadata.ParseTSV(strings.NewReader(sheet), "metadata_GSE1.tsv", "GSE1")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range d.Samples {
		fmt.Printf("%s %q disease=%q time=%q studies=%v\n", s.Accession, s.Title, s.Disease,
			s.Values("characteristic:time point"), s.Experiments)
	}
	// Output:
	// GSM1 "Patient 1, Day 1" disease="septic shock" time=["D1"] studies=[GSE1]
	// GSM2 "Healthy volunteer 1" disease="" time=[] studies=[GSE1]
}

// Two descriptions of one download merged: the first wins where they
// disagree, the later fills what the first leaves unknown.
func ExampleMerge() {
	json := `{"experiments": {"GSE1": {"accession_code": "GSE1", "sample_accession_codes": ["GSM1"]}},
	  "samples": {"GSM1": {"refinebio_accession_code": "GSM1", "refinebio_title": "Patient 1", "refinebio_disease": "sepsis"}}}`
	first, err := metadata.ParseJSON(strings.NewReader(json), "aggregated_metadata.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	second, err := metadata.ParseTSV(strings.NewReader("refinebio_accession_code\texperiment_accession\trefinebio_title\trefinebio_sex\n"+
		"GSM1\tGSE1\tA different title\tfemale\n"), "metadata_GSE1.tsv", "GSE1")
	if err != nil {
		fmt.Println(err)
		return
	}
	s := metadata.Merge(first, second).Sample("GSM1")
	fmt.Printf("%q %q %q\n", s.Title, s.Disease, s.Sex)
	// Output: "Patient 1" "sepsis" "female"
}
