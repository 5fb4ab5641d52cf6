package illness

import (
	"regexp"

	"github.com/genexp/genexp/metadata"
)

// StudyClassifier is implemented by classifiers that can also read the
// sample's study. It is optional: the pipeline uses it when the classifier
// it is given implements it but not CohortClassifier, and Classify when it
// implements neither.
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

// ClassifyInStudy implements StudyClassifier: the sample classified as a
// cohort of one (ClassifyCohort), so that the study's text is read: the
// study-context fallback for a patient no rule labels, group codes that
// need a sepsis cohort, and controls the study calls ill.
func (c *Classifier) ClassifyInStudy(s *metadata.Sample, study *metadata.Study) Decision {
	return c.ClassifyCohort(study, []*metadata.Sample{s})[0]
}

// studyFallback gives a patient no rule labels the one illness cohort the
// study's title and description name (see WithStudyContext).
func studyFallback(s *metadata.Sample, study *metadata.Study) (Decision, bool) {
	if _, _, _, ok := patientWording(s); !ok {
		return Decision{}, false
	}
	texts := []struct{ field, text string }{{"study_title", study.Title}, {"study_description", study.Description}}
	var shock, sepsis bool
	for _, f := range texts {
		text := spaced(f.text)
		if studyNoSepsis.MatchString(text) {
			return Decision{}, false // the study compares septic with non-septic patients: the sample's group is unknown
		}
		shock = shock || studyShock.MatchString(text)
		sepsis = sepsis || studySepsis.MatchString(studyShock.ReplaceAllString(text, " "))
	}
	if shock == sepsis {
		return Decision{}, false // no illness cohort named, or sepsis and septic shock patients both
	}
	re := map[bool]*regexp.Regexp{true: studyShock, false: studySepsis}[shock]
	label := map[bool]Label{true: SepticShock, false: Sepsis}[shock]
	for _, f := range texts {
		if loc := re.FindStringIndex(spaced(f.text)); loc != nil {
			return Decision{Label: label, Method: MethodRule, Rule: RuleStudyContext, Field: f.field,
				Matched: f.text[loc[0]:loc[1]], Value: f.text}, true
		}
	}
	return Decision{}, false
}

// patientWording returns the first field value of a sample that reads as a
// patient's (patient, case, survivor, a day or hour of sampling, ICU), and
// the words that do.
func patientWording(s *metadata.Sample) (field, value, matched string, ok bool) {
	for _, field := range []string{metadata.FieldTitle, metadata.FieldSourceName, metadata.FieldCharacteristics, metadata.FieldSubject} {
		for _, v := range s.Values(field) {
			if loc := patientText.FindStringIndex(spaced(v)); loc != nil {
				return field, v, v[loc[0]:loc[1]], true
			}
		}
	}
	return "", "", "", false
}
