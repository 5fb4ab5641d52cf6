package metadata

import "testing"

// TestNilDatasetHoldsNothing: a nil *Dataset answers every lookup with
// nothing rather than panicking.
func TestNilDatasetHoldsNothing(t *testing.T) {
	var d *Dataset
	if d.Study("GSE1") != nil || d.Sample("GSM1") != nil || d.SamplesTitled("x") != nil || d.StudySamples("GSE1") != nil {
		t.Error("a nil Dataset found something")
	}
}
