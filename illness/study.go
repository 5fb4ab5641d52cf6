package illness

import (
	"regexp"
	"strings"

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
// patient's (patient, case, survivor, a day or hour of sampling, T0,
// baseline, ICU; child, infant or subject only in a study whose text
// names no healthy people or controls) and leaves its group in no doubt
// (not "suspected", "possible"), and the study's title and description,
// read together, name exactly one illness cohort (septic shock, or
// sepsis) and no non-septic comparison group (SIRS, non-infectious,
// trauma, post-surgical), the sample takes the study's label. A sample
// whose record says nothing of a patient ("disease state: ARDS") takes it
// too when the text counts the patients it enrolled ("30 septic patients
// with and without ARDS"), no sample's own record names an illness, and
// the text names healthy people or controls only if some sample's record
// labels itself a control: the samples no rule labels are then the
// patients counted. SIRS named in a definition of sepsis ("a systemic
// inflammatory response to infection") is no comparison group.
//
// Most studies of septic shock also speak of sepsis ("septic shock, the
// most severe form of sepsis"), so a text that names both is read for the
// patients it enrolled: "septic shock patients" or "children with septic
// shock" with no patients named for sepsis gives SEPTIC_SHOCK, and the
// converse SEPSIS. A text that names both groups ("severe sepsis and
// septic shock", "patients with and without septic shock", septic and
// septic shock patients both) is UNKNOWN, unless the title names one kind
// of patient ("… in septic shock patients") or the text counts only one
// kind ("six children with meningococcal sepsis" beside "patients with
// meningococcal septic shock"): a title states the study's cohort, and a
// text counts the patients it enrolled. A study of blood infected in a
// laboratory model ("a human whole-blood model") that counts no patients
// it enrolled has none, and the fallback leaves it alone; so does a study
// of volunteers given endotoxin (a human endotoxemia model). The decision
// says so: rule "study_context", field "study_title" or
// "study_description", and the matched study text.
func WithStudyContext(on bool) Option {
	return func(c *Classifier) error {
		c.studyContext = on
		return nil
	}
}

var (
	// patientText reads a sample as a patient's; a sample number may be
	// glued on ("patient01_t0", "Patient1/Monocyte/T0"). A Pt numbered
	// ("PT01", "Pt 5", "Pt5_T1") is a patient, where a numbered subject
	// may be a healthy one; "pt" alone may be a prothrombin time ("pt:
	// 12.1 s"), and is read only as personText is. T0, T1, T24h and
	// a baseline are a clinical time course's draws, and a recovery,
	// convalescence, follow-up or discharge its later ones.
	patientText = regexp.MustCompile(`(?i)\bpatients?\d*\b|\bpts?[\s#-]?\d+\b|\bcases?\b|\b(non[- ]?)?survivors?\b|\bday\s*-?\d+\b|\bd\d{1,2}\b|\bh\d{1,2}\b|\bicu\b|\badmission\b|\bt\d{1,3}(h|hrs?)?\b|\bbaseline\b` +
		`|\b(recover(y|ed|ing)|convalescen(t|ce)|follow[- ]?up|discharge)\b`)
	// personText names a person enrolled ("Child 2", "Infant_5",
	// "Subject 5", "Pt"); it is read where the sample names itself, not under a
	// key the classifier ignores ("developmental stage: infant" is said
	// of controls too). "P12" alone is not read: p53 and p38 are proteins.
	controlWord   = regexp.MustCompile(`(?i)\bcontrols?\b|\bctrl\b|\bhealthy\b|\bvolunteers?\b`)
	personText    = regexp.MustCompile(`(?i)\b(child|children|infants?|neonates?|newborns?|bab(y|ies)|subjects?|pts?)\d*\b`)
	studyShock    = regexp.MustCompile(`(?i)\bseptic[\s-]*shock\b`)
	studySepsis   = regexp.MustCompile(`(?i)\b(uro)?sepsis\b|\bseptic\b|\bsepticae?mia\b`)
	studyNoSepsis = regexp.MustCompile(`(?i)\bsirs\b|\bsystemic inflammatory response\b|\bnon[- ]?(septic|infectious|infected)\b|\b(poly)?trauma\b|\bpost[- ]?(surgical|operative)\b|\bwithout\s+((subsequent|secondary|later|post[- ]?operative|neonatal|early[- ]onset|late[- ]onset)\s+)?(sepsis|(an? )?infection)\b|\bcardiogenic\b`)
	// modelStudy is a study of blood or cells infected or stimulated
	// outside the body: its samples are no patients of the illness its
	// text names ("the transcriptional footprint of infections … in a
	// human whole-blood model", GSE65088).
	// Only a model named as the study's is read: "in contrast to previous
	// in vitro studies" (GSE11755) is no model of its own.
	modelStudy = regexp.MustCompile(`(?i)\b(whole[\s-])?blood[\s-]+(infection[\s-]+)?model\b|\b(infection|stimulation)[\s-]+model\b` +
		`|\b(in\s+vitro|ex\s+vivo|cell|cellular|mouse|murine|animal)\s+model\s+of\s+(\w+\s+){0,2}?sep(sis|tic)\b|\bendotox(a)?emia\b|\b(lps|endotoxin)\s+(challenge|infusion|injection|administration)\b|\b(injected|infused|challenged)\s+with\s+(lps|endotoxin)\b`)
	// sirsDefinition is SIRS named to define sepsis, not as a group.
	sirsDefinition = regexp.MustCompile(`(?i)\binfection[- ](induced|associated|related|positive)\s+(sirs|systemic inflammatory response(\s+syndrome)?)(\s*\(ipsirs\))?|(^|[^\w-])(infectious|infected)\s+sirs\b|\bipsirs\b` +
		`|\b(sirs|systemic inflammatory response(\s+syndrome)?)(\s*\(sirs\))?\s+(to|due to|caused by|induced by|in response to|resulting from|secondary to|with|plus|in the presence of)\s+(an?\s+)?((suspected|documented|proven|confirmed|known)\s+)?(infection|infectious|microbial|bacterial|pathogens?)\b`)
	// people are the words for those a study enrolls.
	people = `(patients?|children|adults|infants|neonates|newborns|subjects|individuals|participants|cases)`
	// withIllness joins people to the illness they have ("patients
	// diagnosed with sepsis", "adults meeting Sepsis-3 criteria"); one
	// qualifier may stand before the illness ("children with
	// meningococcal sepsis"), never a negation (patientsNamed drops
	// those).
	withIllness = `\s+(with|in|having|suffering\s+from|diagnosed\s+with|meeting|fulfilling|admitted\s+(\w+\s+){0,3}?(with|for)|presenting\s+(\w+\s+){0,4}?with)\s+([\w-]+\s+)?`
	shockWords  = `septic[\s-]*shock`
	sepsisWords = `(sepsis|septicae?mia)`
	// shockPatients and sepsisPatients name the patients a study enrolled
	// ("28 septic shock patients", "children with septic shock"), as
	// against the illness named as a topic. sepsisPatients is matched on
	// text with septic shock blanked out.
	shockPatients  = regexp.MustCompile(`(?i)\b` + shockWords + `\s+` + people + `\b|\b` + people + withIllness + shockWords + `\b`)
	sepsisPatients = regexp.MustCompile(`(?i)\b(severe\s+)?(sepsis|septic)\s+` + people + `\b|\b` + people + withIllness + sepsisWords + `\b`)
	// count is a number of people, in digits or in words.
	count = `(\d[\d,]*|(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(-(one|two|three|four|five|six|seven|eight|nine))?` +
		`|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|hundred)`
	// countedShock and countedSepsis are patients counted, as a text
	// counts those it enrolled ("9 septic shock patients", "six children
	// with meningococcal sepsis"), with up to two words between.
	countedShock  = regexp.MustCompile(`(?i)\b` + count + `\s+([\w-]+\s+){0,2}?(` + shockWords + `\s+` + people + `\b|` + people + withIllness + shockWords + `\b)`)
	countedSepsis = regexp.MustCompile(`(?i)\b` + count + `\s+([\w-]+\s+){0,2}?((severe\s+)?(sepsis|septic)\s+` + people + `\b|` + people + withIllness + sepsisWords + `\b)`)
	// bothCohorts names sepsis and septic shock as two groups.
	bothCohorts = regexp.MustCompile(`(?i)\b(sepsis|septic)\s*(and|or|/|versus|vs\.?|,)\s*(with\s+)?septic[\s-]*shock\b|\bseptic[\s-]*shock\s*(and|or|/|versus|vs\.?|,)\s*(severe\s+)?(sepsis|septic)\b|\bwith(out)?\s+(and|or)\s+with(out)?\s+septic[\s-]*shock\b`)
)

// studyText is one text of a study, with the field a decision names.
type studyText struct {
	field string
	// text is the study's text as the cohort rules read it (studyReading);
	// orig is the text as written, which decisions quote. The two have
	// the same length, byte for byte.
	text, orig string
}

// studyTexts returns the study's title and description, in that order,
// with the local infections called septic (localSeptic) and the drugs
// against sepsis (againstSepsis) blanked out, and
// the description's sentences that name sepsis only in passing
// (passingMentions); a title only when it names sepsis in passing
// (titleReading).
func studyTexts(study *metadata.Study) []studyText {
	return []studyText{
		{"study_title", titleReading(study.Title), study.Title},
		{"study_description", studyReading(study.Description), study.Description},
	}
}

// localSepticText is localSeptic or againstSepsis, compiled.
var localSepticText = regexp.MustCompile(`(?i)` + localSeptic + `|` + againstSepsis)

// titlePassing marks a title that names sepsis without being about
// septic patients: their exclusion, the prevention of sepsis, its risk
// factors, people at risk of it, a sepsis-free outcome. Each must govern
// sepsis itself: a title that weighs a risk of septic patients
// ("Mortality risk of children with septic shock", "Gene expression risk
// factors for mortality in septic shock", "Prevention of organ failure in
// septic shock") is about them.
var titlePassing = regexp.MustCompile(`(?i)\bexclu(ded|sion|ding|des)\b|\b(prevent\w*|prophyla\w*)\s+(of\s+|against\s+)?([\w-]+\s+)?sep|\brisk\s+factors?\s+(of|for)\s+([\w-]+\s+)?sep` +
	`|\bat\s+(high\s+|increased\s+)?risk\s+(of|for)\s+([\w-]+\s+)?sep|\bsep(sis|tic)[\s-]*free\b|\bfree\s+(of|from)\s+sep`)

// titleReading is a study title as the cohort rules read it: blank when it
// names sepsis only in passing (titlePassing) and enrolls no septic
// patients, its local infections called septic blanked otherwise.
func titleReading(title string) string {
	t := localSepticText.ReplaceAllStringFunc(title, blank)
	if sepsisMention.MatchString(t) && titlePassing.MatchString(t) && !enrollsSepticPatients(spaced(t)) {
		return blank(t)
	}
	return t
}

// studyReading is a study text as the cohort rules read it (studyTexts).
func studyReading(text string) string {
	return passingMentions(localSepticText.ReplaceAllStringFunc(text, blank))
}

var (
	// sentenceEnd ends a sentence, or a clause a semicolon closes.
	sentenceEnd = regexp.MustCompile(`[.;!?](\s|$)|\n`)
	// passingCue marks a sentence in which a study names sepsis without
	// studying it: an exclusion criterion ("patients with sepsis were
	// excluded"), a risk, a cause or an outcome of something else ("a leading cause of sepsis", "at high risk of
	// sepsis", "sepsis-free survival"), or a likeness ("shares clinical
	// features with bacterial sepsis").
	passingCue = regexp.MustCompile(`(?i)\bexclu(ded|sion|ding|des)\b|` + leftOut + `|\bno\s+(history|evidence|signs?)\s+of\b` +
		`|\bsep(sis|tic)[\s-]*free\b|\bfree\s+(of|from)\s+sep|\brisks?\s+(of|for)\b|\brisk\s+factors?\b|\bmediators?\s+of\b|\b(leading|most\s+common|common|commonest|frequent|major|main)\s+causes?\s+of\b|\bprevent\w*\b` +
		`|\bshar(e|es|ing)\s+(\w+\s+){0,3}?features\b|\bresembl\w*|\bmimic\w*|\bsimilar\s+to\b|\bindistinguishable\b|\bconfused\s+with\b|\bmistaken\s+for\b`)
	// sepsisMention is sepsis or septic shock named anywhere.
	sepsisMention = regexp.MustCompile(`(?i)\bsep(sis|tic)`)
)

// passingMentions blanks, with spaces of the same length (so offsets into
// the text still hold), each sentence that names sepsis and carries a
// passingCue but names no septic patients: such a sentence says what the
// study is not ("patients with sepsis were excluded" names patients only
// to exclude them, and is blanked; "we enrolled 30 septic patients,
// excluding those with cancer" is kept). A sepsis study
// says what it is in its other sentences ("Sepsis is a leading cause of
// death. We profiled 30 septic patients.").
func passingMentions(text string) string {
	if !sepsisMention.MatchString(text) {
		return text
	}
	var b strings.Builder
	start := 0
	for start < len(text) {
		end := len(text)
		if loc := sentenceEnd.FindStringIndex(text[start:]); loc != nil {
			end = start + loc[1]
		}
		sentence := text[start:end]
		if sepsisMention.MatchString(sentence) && passingCue.MatchString(sentence) && !enrollsSepticPatients(spaced(sentence)) {
			body := strings.TrimSuffix(sentence, "\n")
			b.WriteString(blank(body) + sentence[len(body):])
		} else {
			b.WriteString(sentence)
		}
		start = end
	}
	return b.String()
}

// patientsNamed returns where re first names patients in text, nil if it
// never does; a match that denies the illness ("patients with no sepsis")
// does not count, nor, for countedShock and countedSepsis, a number that
// counts no patients (notACount).
func patientsNamed(re *regexp.Regexp, text string) []int {
	counted := re == countedShock || re == countedSepsis
	for _, loc := range re.FindAllStringIndex(text, -1) {
		if negatedSepsis.MatchString(text[loc[0]:loc[1]]) || (counted && notACount(text, loc)) {
			continue
		}
		return loc
	}
	return nil
}

var (
	// countOfMany is a number that picks from patients ("One of the
	// septic patients"), a year ("In 2014 septic patients …") or a
	// number that measures time or age ("Day 28 mortality in septic
	// patients", "aged 65 …").
	countOfMany  = regexp.MustCompile(`(?i)\bof\b`)
	countIsYear  = regexp.MustCompile(`^(1[89]|20)\d\d\b`)
	countMeasure = regexp.MustCompile(`(?i)\b(day|d|h|hours?|weeks?|months?|years?|aged?)\s*-?\s*$`)
)

// namesSepticPatients reports whether a study text names septic or septic
// shock patients, as a study names those it enrolled (shockPatients,
// sepsisPatients).
func namesSepticPatients(text string) bool {
	return patientsNamed(shockPatients, text) != nil || patientsNamed(sepsisPatients, studyShock.ReplaceAllStringFunc(text, blank)) != nil
}

// leftOut is a sentence's word for patients a study did not take: not
// eligible, ineligible, not enrolled or recruited.
const leftOut = `\b(in|not\s+(be\s+|been\s+)?)eligible\b|\bnot\s+(be\s+|been\s+)?(enrolled|recruited|included|studied|sampled)\b`

// notEnrolled says a sentence names patients to leave them out ("patients
// admitted with sepsis were excluded", "patients with sepsis excluded",
// "septic patients were not eligible").
var notEnrolled = regexp.MustCompile(`(?i)` + leftOut + `|\b(were|was|are|is|be|been)\s+(\w+\s+)?excluded\b|\bsep(sis|tic)[\w-]*\s+(\w+\s+){0,3}?excluded\b|\bexclu(ded|sion|ding|des)\s+(\w+\s+){0,2}?(septic|sepsis|patients?\s+with\s+sep)`)

// enrollsSepticPatients reports whether a sentence names septic patients
// as the study's ("We enrolled 30 septic patients, excluding those with
// cancer"; "45 adults admitted to the ICU with sepsis, the most common
// cause of death in intensive care"), as against naming them to leave
// them out ("Patients with sepsis were excluded").
func enrollsSepticPatients(sentence string) bool {
	return namesSepticPatients(sentence) && !notEnrolled.MatchString(sentence)
}

// notACount reports whether the number a counted-patients match starts
// with counts no patients the study enrolled (see countOfMany).
func notACount(text string, loc []int) bool {
	m := text[loc[0]:loc[1]]
	return countOfMany.MatchString(m) || countIsYear.MatchString(m) || countMeasure.MatchString(text[max(0, loc[0]-12):loc[0]])
}

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

// studyFallback returns the decision for a patient no rule labels: the one
// illness cohort the study's title and description name (see
// WithStudyContext). It reads the study alone; the caller checks that the
// sample reads as a patient's (Classifier.patientWording).
func studyFallback(study *metadata.Study) (Decision, bool) {
	texts := studyTexts(study)
	var shock, sepsis, shockP, sepsisP, model, counted bool
	// titled: the title names the illness the text names, so the study
	// is about it; a description that names it only as a topic ("a form
	// of viral sepsis", "outcomes included sepsis") makes no study of
	// septic patients unless it names those patients (shockP, sepsisP).
	titled := false
	for i, f := range texts {
		text := spaced(f.text)
		if nonSepticGroup(text) != nil {
			return Decision{}, false // the study compares septic with non-septic patients: the sample's group is unknown
		}
		if bothCohorts.MatchString(text) {
			return Decision{}, false // sepsis and septic shock named as two groups
		}
		model = model || modelStudy.MatchString(text)
		noShock := studyShock.ReplaceAllStringFunc(text, blank)
		shock = shock || studyShock.MatchString(text)
		sepsis = sepsis || studySepsis.MatchString(noShock)
		if i == 0 {
			titled = studyShock.MatchString(text) || studySepsis.MatchString(noShock)
		}
		shockP = shockP || patientsNamed(shockPatients, text) != nil
		sepsisP = sepsisP || patientsNamed(sepsisPatients, noShock) != nil
		counted = counted || patientsNamed(countedShock, text) != nil || patientsNamed(countedSepsis, noShock) != nil
	}
	if model && !counted {
		// Blood infected or stimulated outside the body: only patients
		// the text counts as enrolled make it a study of patients, not a
		// passing "septic patients".
		return Decision{}, false
	}
	var re *regexp.Regexp
	var label Label
	only := texts
	switch {
	case shock && !sepsis && (titled || shockP || sepsisP):
		re, label = studyShock, SepticShock
	case sepsis && !shock && (titled || shockP || sepsisP):
		re, label = studySepsis, Sepsis
	case shockP && !sepsisP:
		re, label = shockPatients, SepticShock
	case sepsisP && !shockP:
		re, label = sepsisPatients, Sepsis
	case shockP && sepsisP:
		// Patients of both are named. The title's patients are the
		// study's ("… in septic shock patients" over "severe septic
		// patients" in the background); else the patients the text
		// counts, as a text counts those it enrolled ("six children with
		// meningococcal sepsis" over "patients with meningococcal septic
		// shock" in the results).
		re, label, only = enrolled(texts)
		if re == nil {
			return Decision{}, false // septic and septic shock patients both
		}
	default:
		return Decision{}, false // no illness cohort named
	}
	for _, f := range only {
		text := spaced(f.text)
		if label == Sepsis {
			text = studyShock.ReplaceAllStringFunc(text, blank)
		}
		if loc := patientsNamed(re, text); loc != nil {
			return Decision{Label: label, Method: MethodRule, Rule: RuleStudyContext, Field: f.field,
				Matched: f.orig[loc[0]:loc[1]], Value: f.orig}, true
		}
	}
	return Decision{}, false
}

// enrolled decides between septic and septic shock patients that a
// study's texts both name: the title's patients when it names one kind,
// else the patients counted when one kind is. It returns the pattern and
// label that decide and the texts to read them in, nil when neither does.
func enrolled(texts []studyText) (*regexp.Regexp, Label, []studyText) {
	oneKind := func(shockRe, sepsisRe *regexp.Regexp, in []studyText) (*regexp.Regexp, Label) {
		var shock, sepsis bool
		for _, f := range in {
			text := spaced(f.text)
			shock = shock || patientsNamed(shockRe, text) != nil
			sepsis = sepsis || patientsNamed(sepsisRe, studyShock.ReplaceAllStringFunc(text, blank)) != nil
		}
		switch {
		case shock && !sepsis:
			return shockRe, SepticShock
		case sepsis && !shock:
			return sepsisRe, Sepsis
		}
		return nil, Unknown
	}
	if re, l := oneKind(shockPatients, sepsisPatients, texts[:1]); re != nil {
		return re, l, texts[:1]
	}
	re, l := oneKind(countedShock, countedSepsis, texts)
	return re, l, texts
}

// patientWording returns the first field value of a sample that reads as a
// patient's (patient, case, survivor, child, infant, subject, a day or
// hour of sampling, T0, baseline, ICU), and the words that do.
//
// persons says whether a person named without a word of illness ("Subject
// 5", "Child 2") counts: not in a study whose text names healthy people or
// controls too, where such a person may be either.
//
// A sample whose own record names a control or a healthy person anywhere
// ("control matched to a patient", "Patient 3 control") does not read as
// a patient: a cohort's illness is not given to a record that says it may
// be the control.
func (c *Classifier) patientWording(s *metadata.Sample, persons bool) (field, shown, matched string, ok bool) {
	for _, f := range [...]string{metadata.FieldTitle, metadata.FieldSourceName, metadata.FieldCharacteristics, metadata.FieldSubject} {
		for _, v := range c.values(s, f) {
			text := spaced(v.shown)
			loc := patientText.FindStringIndex(text)
			if loc == nil && !v.ignored && persons {
				loc = personText.FindStringIndex(text)
			}
			if loc != nil {
				if c.recordNamesControl(s) {
					return "", "", "", false
				}
				return f, v.shown, v.shown[loc[0]:loc[1]], true
			}
		}
	}
	return "", "", "", false
}

// recordNamesControl reports whether a sample's own title, source names or
// characteristics (ignored keys aside) name a control or a healthy person,
// in words or by a control group code ("HD1" beside the patients of a
// sepsis cohort).
func (c *Classifier) recordNamesControl(s *metadata.Sample) bool {
	for _, f := range [...]string{metadata.FieldTitle, metadata.FieldSourceName, metadata.FieldCharacteristics} {
		for _, v := range c.values(s, f) {
			if v.ignored {
				continue
			}
			if namesControl(v.text) {
				return true
			}
			for _, scope := range [...]CodeScope{Anywhere, InSepsisCohort} {
				if m := c.codeIn(v, scope); m != nil && m.label == Control && c.readsCode(s, m) {
					return true
				}
			}
		}
	}
	return false
}

// namesControl reports whether a value names a control or a healthy
// person. Most values name neither, so a look for the words' stems comes
// before the expression.
func namesControl(v string) bool {
	l := strings.ToLower(v)
	if !strings.Contains(l, "contr") && !strings.Contains(l, "ctrl") && !strings.Contains(l, "health") && !strings.Contains(l, "volunt") {
		return false
	}
	return controlWord.MatchString(notAControl.ReplaceAllStringFunc(spaced(v), blank))
}

// notAControl is wording with a control word that names no control: a
// patient previously healthy, a sepsis source brought under control.
var notAControl = regexp.MustCompile(`(?i)\bpreviously\s+healthy\b|\bsource\s+control\b`)
