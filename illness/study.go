package illness

import (
	"regexp"
	"strings"

	"github.com/genexp/genexp/metadata"
)

// StudyClassifier is implemented by classifiers that can also read the
// sample's study. It is optional: the pipeline uses it when the classifier
// it is given implements it, and Classify otherwise.
type StudyClassifier interface {
	ClassifyInStudy(s *metadata.Sample, study *metadata.Study) Decision
}

// RuleStudyContext names the study-context fallback in decisions.
const RuleStudyContext = "study_context"

// WithStudyContext turns the study-context fallback on or off. Default on.
//
// Many cohorts write the group only at study level: a septic-shock study
// titles its patients "Patient 19, Day1" and only its healthy volunteers
// say what they are. When no rule matches a sample, its own text reads as a
// patient's (patient, case, survivor, a day or hour of sampling, ICU), and
// the study's title and description, read together, name exactly one
// illness cohort (septic shock, or sepsis) and no non-septic comparison
// group (SIRS, non-infectious, trauma, post-surgical), the sample takes
// the study's label. A title that says sepsis over a description that
// also speaks of septic shock patients names two cohorts: UNKNOWN. The decision
// says so: rule "study_context", field "study_title" or
// "study_description", and the matched study text.
func WithStudyContext(on bool) Option {
	return func(c *Classifier) error {
		c.studyContext = on
		return nil
	}
}

var (
	patientText   = regexp.MustCompile(`(?i)\bpatients?\b|\bcases?\b|\b(non[- ]?)?survivors?\b|\bday\s*-?\d+\b|\bd\d{1,2}\b|\bh\d{1,2}\b|\bicu\b|\badmission\b`)
	studyShock    = regexp.MustCompile(`(?i)\bseptic[\s-]*shock\b`)
	studySepsis   = regexp.MustCompile(`(?i)\b(uro)?sepsis\b|\bseptic\b|\bsepticae?mia\b`)
	studyNoSepsis = regexp.MustCompile(`(?i)\bsirs\b|\bsystemic inflammatory response\b|\bnon[- ]?(septic|infectious|infected)\b|\btrauma\b|\bpost[- ]?(surgical|operative)\b|\bwithout sepsis\b|\bcardiogenic\b`)
)

// ClassifyInStudy implements StudyClassifier: Classify, then the
// study-context fallback for samples no rule labels.
func (c *Classifier) ClassifyInStudy(s *metadata.Sample, study *metadata.Study) Decision {
	d := c.Classify(s)
	if !c.studyContext || d.Method != MethodDefault || s == nil || study == nil || !looksLikePatient(s) {
		return d
	}
	texts := []struct{ field, text string }{{"study_title", study.Title}, {"study_description", study.Description}}
	var shock, sepsis bool
	for _, f := range texts {
		text := strings.ReplaceAll(f.text, "_", " ")
		if studyNoSepsis.MatchString(text) {
			return d // the study compares septic with non-septic patients: the sample's group is unknown
		}
		shock = shock || studyShock.MatchString(text)
		sepsis = sepsis || studySepsis.MatchString(studyShock.ReplaceAllString(text, " "))
	}
	if shock == sepsis {
		return d // no illness cohort named, or sepsis and septic shock patients both
	}
	re := map[bool]*regexp.Regexp{true: studyShock, false: studySepsis}[shock]
	label := map[bool]Label{true: SepticShock, false: Sepsis}[shock]
	for _, f := range texts {
		if loc := re.FindStringIndex(strings.ReplaceAll(f.text, "_", " ")); loc != nil {
			return Decision{Label: label, Method: MethodRule, Rule: RuleStudyContext, Field: f.field,
				Matched: f.text[loc[0]:loc[1]], Value: f.text}
		}
	}
	return d
}

func looksLikePatient(s *metadata.Sample) bool {
	for _, field := range []string{metadata.FieldTitle, metadata.FieldSourceName, metadata.FieldCharacteristics, metadata.FieldSubject} {
		for _, v := range s.Values(field) {
			if patientText.MatchString(strings.ReplaceAll(v, "_", " ")) {
				return true
			}
		}
	}
	return false
}
