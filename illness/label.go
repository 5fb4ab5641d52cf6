package illness

import (
	"fmt"
	"strings"

	"github.com/genexp/genexp/metadata"
)

// Label is an illness cohort.
type Label string

// The labels genexp assigns.
const (
	Control     Label = "CONTROL"      // healthy controls
	NoSepsis    Label = "NO_SEPSIS"    // ill, but without sepsis (SIRS, post-surgical, non-infectious)
	Sepsis      Label = "SEPSIS"       // sepsis, including severe sepsis
	SepticShock Label = "SEPTIC_SHOCK" // septic shock
	Unknown     Label = "UNKNOWN"      // the metadata does not say
)

// Labels returns every label in warehouse order.
func Labels() []Label { return []Label{Control, NoSepsis, Sepsis, SepticShock, Unknown} }

// Definition describes a label in a sentence.
func (l Label) Definition() string {
	switch l {
	case Control:
		return "Healthy control samples"
	case NoSepsis:
		return "Samples from patients without sepsis (SIRS, post-surgical, non-infectious critical illness)"
	case Sepsis:
		return "Sepsis patients (including severe sepsis)"
	case SepticShock:
		return "Septic shock patients"
	default:
		return "Illness status unknown"
	}
}

// ParseLabel reads a label, accepting any case and '-' or ' ' for '_'.
func ParseLabel(s string) (Label, error) {
	n := strings.ToUpper(strings.NewReplacer("-", "_", " ", "_").Replace(strings.TrimSpace(s)))
	for _, l := range Labels() {
		if string(l) == n {
			return l, nil
		}
	}
	return "", fmt.Errorf("illness: unknown label %q (want one of CONTROL, NO_SEPSIS, SEPSIS, SEPTIC_SHOCK, UNKNOWN)", s)
}

// Method says how a label was decided.
type Method string

// Methods.
const (
	MethodOverride Method = "override" // a per-sample override
	MethodRule     Method = "rule"     // a rule matched a field
	MethodDefault  Method = "default"  // nothing matched: UNKNOWN
)

// Decision is a label and the reason for it.
type Decision struct {
	Label  Label
	Method Method
	// Rule is the name of the rule that matched ("" unless Method is
	// MethodRule).
	Rule string
	// Field is the metadata field the rule matched, as named in the rule
	// configuration.
	Field string
	// Matched is the text the rule's pattern matched, as written in the
	// metadata; Value is the whole field value it was found in.
	Matched string
	Value   string
}

// String explains the decision in one line.
func (d Decision) String() string {
	switch d.Method {
	case MethodOverride:
		return fmt.Sprintf("%s (override)", d.Label)
	case MethodRule:
		return fmt.Sprintf("%s (rule %s matched %q in %s)", d.Label, d.Rule, d.Matched, d.Field)
	default:
		return fmt.Sprintf("%s (no rule matched)", d.Label)
	}
}

// IllnessClassifier decides a sample's illness label.
type IllnessClassifier interface {
	Classify(s *metadata.Sample) Decision
}
