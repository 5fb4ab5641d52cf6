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
	NoSepsis    Label = "NO_SEPSIS"    // ill, but without sepsis (SIRS, post-surgical, non-septic shock)
	Sepsis      Label = "SEPSIS"       // sepsis, including severe sepsis
	SepticShock Label = "SEPTIC_SHOCK" // septic shock
	Unknown     Label = "UNKNOWN"      // the metadata does not say
)

// Labels returns every label in warehouse order.
func Labels() []Label { return []Label{Control, NoSepsis, Sepsis, SepticShock, Unknown} }

// Definition describes a label in a sentence (doc.go has the full
// definitions and the decisions on borderline wordings).
func (l Label) Definition() string {
	switch l {
	case Control:
		return "Healthy controls: volunteers, healthy donors, normal controls"
	case NoSepsis:
		return "Ill without sepsis: SIRS, post-surgical or non-infected ICU patients, non-septic shock, trauma"
	case Sepsis:
		return "Sepsis, including severe sepsis, septicaemia, urosepsis and sepsis survivors or non-survivors"
	case SepticShock:
		return "Septic shock, at any sampling time"
	default:
		return "Illness status unknown: the metadata does not say"
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
	// Field is the metadata field the rule matched, as named in the
	// classifier's field list ("accession" for an override).
	Field string
	// Matched is the text the rule's pattern matched, as written in the
	// metadata; Value is the whole field value it was found in (a
	// characteristic as "key: value"). For an override both hold the
	// sample accession.
	Matched string
	Value   string
	// Key is the characteristic's key when the value matched is a keyed
	// characteristic ("disease state" of "disease state: septic shock");
	// "" otherwise. See Where.
	Key string
	// Evidence, set when a decision rests on more than the matched value,
	// says what else it rests on: for a cohort rule (ClassifyCohort) the
	// study text or the sibling sample that made the study a sepsis cohort
	// or gave it its one illness arm (for RuleStudyContext, whose matched
	// value is the study's text, what made the sample one of its
	// patients); for a group code the reading of the
	// code; for a label refined by another field of the same sample
	// (septic shock after sepsis, an illness after "control") the decision
	// it refines.
	Evidence string
}

// Where names the field the decision read, narrowed to the
// characteristic's key when it read one: "characteristic:disease state"
// rather than "characteristics". Either is a field name the classifier's
// field list accepts.
func (d Decision) Where() string {
	if d.Key != "" && (d.Field == metadata.FieldCharacteristics || strings.HasPrefix(d.Field, metadata.FieldCharacteristicPrefix)) {
		return metadata.FieldCharacteristicPrefix + d.Key
	}
	return d.Field
}

// String explains the decision in one line.
func (d Decision) String() string {
	switch d.Method {
	case MethodOverride:
		return fmt.Sprintf("%s (override)", d.Label)
	case MethodRule:
		if d.Evidence != "" {
			return fmt.Sprintf("%s (rule %s matched %q in %s; %s)", d.Label, d.Rule, d.Matched, d.Where(), d.Evidence)
		}
		return fmt.Sprintf("%s (rule %s matched %q in %s)", d.Label, d.Rule, d.Matched, d.Where())
	default:
		return fmt.Sprintf("%s (no rule matched)", d.Label)
	}
}

// IllnessClassifier decides a sample's illness label. The pipeline takes
// a Decision's Label as ParseLabel reads it, and "" as Unknown; a label
// that is not one of Labels fails the sample's study
// (IllnessInferenceFailed) before anything of it is loaded. Classifiers
// may also implement StudyClassifier or CohortClassifier (see Decide).
type IllnessClassifier interface {
	Classify(s *metadata.Sample) Decision
}
