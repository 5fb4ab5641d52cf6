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
// the study's label. SIRS named in a definition of sepsis ("a systemic
// inflammatory response to infection") is no comparison group.
//
// Most studies of septic shock also speak of sepsis ("septic shock, the
// most severe form of sepsis"), so a text that names both is read for the
// patients it enrolled: "septic shock patients" or "children with septic
// shock" with no patients named for sepsis gives SEPTIC_SHOCK, and the
// converse SEPSIS. A text that names both groups ("severe sepsis and
// septic shock", "patients with and without septic shock", septic and
// septic shock patients both) is UNKNOWN. The decision says so: rule
// "study_context", field "study_title" or "study_description", and the
// matched study text.
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
	// sirsDefinition is SIRS named to define sepsis, not as a group.
	sirsDefinition = regexp.MustCompile(`(?i)\binfection[- ](induced|associated|related)\s+(sirs|systemic inflammatory response(\s+syndrome)?)\b` +
		`|\b(sirs|systemic inflammatory response(\s+syndrome)?)(\s*\(sirs\))?\s+(to|due to|caused by|induced by|in response to|resulting from|secondary to|with|plus|in the presence of)\s+(an?\s+)?((suspected|documented|proven|confirmed|known)\s+)?(infection|infectious|microbial|bacterial|pathogens?)\b`)
	// people are the words for those a study enrolls.
	people = `(patients?|children|adults|infants|neonates|newborns|subjects|individuals|cases)`
	// shockPatients and sepsisPatients name the patients a study enrolled
	// ("28 septic shock patients", "children with septic shock"), as
	// against the illness named as a topic. sepsisPatients is matched on
	// text with septic shock blanked out.
	shockPatients  = regexp.MustCompile(`(?i)\bseptic[\s-]*shock\s+` + people + `\b|\b` + people + `\s+(with|in|having|suffering\s+from|admitted\s+(\w+\s+){0,3}?(with|for))\s+septic[\s-]*shock\b`)
	sepsisPatients = regexp.MustCompile(`(?i)\b(severe\s+)?(sepsis|septic)\s+` + people + `\b|\b` + people + `\s+(with|in|having|suffering\s+from|admitted\s+(\w+\s+){0,3}?(with|for))\s+(severe\s+)?(sepsis|septicae?mia)\b`)
	// bothCohorts names sepsis and septic shock as two groups.
	bothCohorts = regexp.MustCompile(`(?i)\b(sepsis|septic)\s*(and|or|/|versus|vs\.?|,)\s*(with\s+)?septic[\s-]*shock\b|\bseptic[\s-]*shock\s*(and|or|/|versus|vs\.?|,)\s*(severe\s+)?(sepsis|septic)\b|\bwith(out)?\s+(and|or)\s+with(out)?\s+septic[\s-]*shock\b`)
)

// nonSepticGroup returns where text names a non-septic comparison group,
// nil if it names none; SIRS in a definition of sepsis does not count.
func nonSepticGroup(text string) []int {
	return studyNoSepsis.FindStringIndex(sirsDefinition.ReplaceAllStringFunc(text, blank))
}

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
	var shock, sepsis, shockP, sepsisP bool
	for _, f := range texts {
		text := spaced(f.text)
		if nonSepticGroup(text) != nil {
			return Decision{}, false // the study compares septic with non-septic patients: the sample's group is unknown
		}
		if bothCohorts.MatchString(text) {
			return Decision{}, false // sepsis and septic shock named as two groups
		}
		noShock := studyShock.ReplaceAllStringFunc(text, blank)
		shock = shock || studyShock.MatchString(text)
		sepsis = sepsis || studySepsis.MatchString(noShock)
		shockP = shockP || shockPatients.MatchString(text)
		sepsisP = sepsisP || sepsisPatients.MatchString(noShock)
	}
	var re *regexp.Regexp
	var label Label
	switch {
	case shock && !sepsis:
		re, label = studyShock, SepticShock
	case sepsis && !shock:
		re, label = studySepsis, Sepsis
	case shockP && !sepsisP:
		re, label = shockPatients, SepticShock
	case sepsisP && !shockP:
		re, label = sepsisPatients, Sepsis
	default:
		return Decision{}, false // no illness cohort named, or septic and septic shock patients both
	}
	for _, f := range texts {
		text := spaced(f.text)
		if label == Sepsis {
			text = studyShock.ReplaceAllStringFunc(text, blank)
		}
		if loc := re.FindStringIndex(text); loc != nil {
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
