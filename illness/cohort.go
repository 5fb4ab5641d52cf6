package illness

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/genexp/genexp/internal/textdist"
	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/qc"
)

// CohortClassifier is implemented by classifiers that decide the samples
// of one study together, reading what the study and its other samples say
// to interpret a terse or silent sample. It is optional: the pipeline uses
// it when the classifier implements it, StudyClassifier otherwise, and
// Classify when neither.
type CohortClassifier interface {
	// ClassifyCohort returns one decision per sample, in order. study may
	// be nil; samples are the study's samples being loaded.
	ClassifyCohort(study *metadata.Study, samples []*metadata.Sample) []Decision
}

// Names of the rules that read more than the sample: group codes read
// anywhere (Classify), and the cohort rules of ClassifyCohort.
const (
	// RuleGroupCode: a group code that needs no cohort ("Hlty", "Con001").
	RuleGroupCode = "group_code"
	// RuleCohortCode: a group code read only in a sepsis cohort ("Shock_P",
	// "se/ARDS").
	RuleCohortCode = "cohort_code"
	// RuleCohortInfection: an infection code ("Inf1_P", "infected") read by
	// what else the sepsis cohort holds.
	RuleCohortInfection = "cohort_infection"
	// RuleSoleArm: a patient whose record states no group takes the one
	// illness label the rest of the cohort states.
	RuleSoleArm = "cohort_sole_arm"
	// RuleIllControls: a bare "control" is an ill non-septic patient when
	// the study's text says its controls are.
	RuleIllControls = "cohort_ill_controls"
	// RuleSamePatient: a sample of a patient whose other samples' own
	// records state its group ("patient id: P5" on day 1 says septic shock,
	// on day 7 nothing) takes that group.
	RuleSamePatient = "cohort_same_patient"
	// RuleDiseaseArm: in a sepsis cohort, another group of the field that
	// holds its sepsis arm names a disease that is not sepsis ("diseasestatus:
	// ALS" beside "diseasestatus: Sepsis"): a disease control, NO_SEPSIS.
	RuleDiseaseArm = "cohort_disease_arm"
	// RuleFlagArm: a sepsis flag that says yes of the cohort's septic
	// samples and no of others ("sepsis: yes" and "sepsis: no") gives the
	// others NO_SEPSIS: the study's patients without sepsis.
	RuleFlagArm = "cohort_flag_arm"
)

// CohortRules returns the names of the rules ClassifyCohort applies, in
// the order it applies them.
func CohortRules() []string {
	return []string{RuleStudyAbbreviation, RuleSamePatient, RuleCohortCode, RuleCohortInfection, RuleDiseaseArm, RuleFlagArm, RuleSoleArm, RuleStudyContext, RuleIllControls}
}

// WithoutCohortRules turns off the named cohort rules (see CohortRules);
// RuleStudyContext is the same as WithStudyContext(false). An unknown name
// makes New fail with IllnessInferenceFailed.
func WithoutCohortRules(names ...string) Option {
	return func(c *Classifier) error {
		for _, n := range names {
			known := false
			for _, r := range CohortRules() {
				known = known || r == n
			}
			if !known {
				return qc.Errorf(qc.IllnessInferenceFailed, "illness: no cohort rule is named %q (want one of %s)", n, strings.Join(CohortRules(), ", "))
			}
			if n == RuleStudyContext {
				c.studyContext = false
				continue
			}
			if c.cohortOff == nil {
				c.cohortOff = map[string]bool{}
			}
			c.cohortOff[n] = true
		}
		return nil
	}
}

func (c *Classifier) on(rule string) bool {
	if rule == RuleStudyContext {
		return c.studyContext
	}
	return !c.cohortOff[rule]
}

// ClassifyCohort implements CohortClassifier: it classifies every sample
// on its own (Classify), then reads the cohort as a curator would, for the
// samples whose own record left them UNKNOWN or, for the last rule, called
// them a bare "control". In order:
//
//  1. RuleStudyAbbreviation: a code in the sample's record that the
//     study's title or description defines, in parentheses after the
//     words it stands for ("septic shock (SS)", "late-onset sepsis
//     (LOS)", "healthy controls (HC)"), takes the label those words have
//     as a sample's own text. The same code can mean other things in
//     other studies ("severe sepsis (SS)"): only the study's own
//     definition is read, and a code it defines twice with different
//     labels is not; one capital letter is read only as the one word
//     before it ("sepsis (S)"). A code the study defines as words that
//     name no cohort ("hydrocortisone (HC)") is not read as the lexicon's
//     group code of the same spelling. A record carrying codes of
//     different labels is left alone. What this rule decides counts, for the rules below, as the
//     sample's own record.
//  2. RuleSamePatient: a sample of a patient (an identifier characteristic
//     such as "patient id: P5" or "pt: P11", or "Patient 12" in the title) whose other
//     samples' own records state one illness (SEPSIS, SEPTIC_SHOCK or
//     NO_SEPSIS) takes it: a patient's group holds at every time point. A
//     control is not carried over (a donor's mock-infected sample is the
//     control, the same donor's infected one is not). This too counts as
//     the sample's own record below.
//  3. RuleCohortCode: in a sepsis cohort, group codes that are ambiguous
//     elsewhere ("Shock_P" is septic shock, "se/ARDS" sepsis with ARDS).
//     A study is a sepsis cohort when its title or description says
//     sepsis or septic shock, or when one of its samples is labeled SEPSIS
//     or SEPTIC_SHOCK by its own record. A bare "shock" stays UNKNOWN when
//     the study or a sample names shock of a non-infectious cause.
//  4. RuleCohortInfection: an infection code ("Inf1_P", "neonate:
//     infected") in a sepsis cohort is the infection-without-sepsis arm
//     (NO_SEPSIS) when other samples form a sepsis arm, and the sepsis arm
//     (SEPSIS) when only the study's text says sepsis and no sample names
//     another illness arm.
//  5. RuleDiseaseArm: in a cohort whose sepsis or septic-shock arm is
//     stated by the samples' own records, a sample whose record puts it in
//     another group of the same field (refine.bio's disease, or the same
//     characteristic key) is a disease control, NO_SEPSIS, when that group
//     names a disease and neither an infection, a control, a patient
//     without a group, a missing value, nor a bare code that may be the
//     study's own septic arm or outcome ("SS", "NS": see DefaultGroupCodes)
//     (GSE60424 "diseasestatus: Type 1
//     Diabetes", "ALS", "MS pretreatment" beside "diseasestatus: Sepsis" and
//     "Healthy Control"). The study compares them with its septic patients
//     as people ill without sepsis.
//  6. RuleFlagArm: a flag that names sepsis itself ("sepsis", "sepsis
//     (y/n)", "neonatal sepsis"; not "secondary sepsis" or "septic
//     shock") which says yes of samples the rules call SEPSIS or
//     SEPTIC_SHOCK and no of others: those are the study's patients
//     without sepsis, NO_SEPSIS, unless the record names a control or a
//     healthy person, or the study's text names healthy people or
//     controls that no sample's own record calls so (they may be the ones
//     flagged no). Alone, a "sepsis: no" says
//     nothing usable: it may be anyone's.
//  7. RuleSoleArm: a sample that reads as a patient (patient, case,
//     survivor, child, subject, a day or T0 of sampling, ICU), names
//     no infection, control or healthy person of its own, states no group
//     of its own where the arm states its group (a value no rule reads,
//     "dx: SS" beside "dx: sepsis"; "NA" or "recovery" is none) and denies
//     no sepsis by a flag ("sepsis: no") takes the illness label of the cohort's
//     other samples when they state exactly one (SEPSIS, SEPTIC_SHOCK or
//     NO_SEPSIS; controls aside), at least two samples state it, and the
//     study's text names no other (GAinS "sepsis response signature group: NA" beside group 1
//     and 2 patients; GSE10474 "ALI patient" beside "patient with sepsis
//     only").
//  8. RuleStudyContext: the study-context fallback of ClassifyInStudy,
//     for a patient whose record neither hedges ("suspected") nor denies
//     sepsis by a flag.
//  9. RuleIllControls: a bare "control" (not "healthy control") is
//     NO_SEPSIS when the study's text says its controls are ill without
//     sepsis ("non-septic ICU controls", "controls were critically ill
//     patients without infection", "febrile controls"), names no healthy
//     people, and no other sample forms a separate non-septic arm.
//
// Every such decision has Method rule, the cohort rule's name, the field
// and text of the sample it rests on, and Evidence: the study text or the
// other sample (accession, rule, matched text) that it needed.
//
// A study whose samples state nothing is left as Classify leaves it, and
// a sample's own label is never replaced except by rule 9. Overrides win.
func (c *Classifier) ClassifyCohort(study *metadata.Study, samples []*metadata.Sample) []Decision {
	c = c.orDefault()
	study = plainStudy(study)
	samples = slices.Clone(samples)
	out := make([]Decision, len(samples))
	for i, s := range samples {
		samples[i] = plainSample(s)
		out[i] = c.classify(samples[i])
	}
	// neutral are the codes the study spells out as no cohort.
	var neutral map[string]bool
	if c.on(RuleStudyAbbreviation) {
		var abbrs map[string]abbreviation
		abbrs, neutral = c.studyAbbreviations(study)
		for i, d := range out {
			// The study spells out what the code stands for, and it is
			// no cohort ("hydrocortisone (HC)"): the lexicon's reading
			// ("HC", healthy control) is not this study's.
			if d.Rule == RuleGroupCode && neutral[d.Matched] {
				out[i] = Decision{Label: Unknown, Method: MethodDefault}
			}
		}
		if len(abbrs) > 0 {
			for i, s := range samples {
				if s != nil && out[i].Method == MethodDefault && !c.hedged(s) {
					if d, ok := c.byAbbreviation(s, abbrs); ok {
						out[i] = c.refine(s, d)
					}
				}
			}
		}
	}
	if c.on(RuleSamePatient) {
		c.samePatient(samples, out)
	}
	// What the records say, with the study's abbreviations read and each
	// patient's group given to all of the patient's samples: the evidence
	// of the rules below.
	base := append([]Decision(nil), out...)
	co := readCohort(study, samples, base)
	if co.sepsis != "" && (c.on(RuleCohortCode) || c.on(RuleCohortInfection)) {
		for i, s := range samples {
			if s == nil || out[i].Method != MethodDefault {
				continue
			}
			m := c.findCode(s, InSepsisCohort)
			if m == nil || neutral[m.matched] || m.code.Code == "sham" && !animalModel(study, s) {
				// "sputum (SP)" in the study's text: its SP is no sepsis
				// patient, in a sepsis cohort either; a trial's sham
				// procedure ("sham hemoperfusion") in septic patients is
				// no healthy control.
				continue
			}
			if d, ok := c.cohortCode(m, co); ok && !c.denies(s, d.Label) {
				out[i] = d
			}
		}
	}
	if co.sepsisArm+co.shockArm != "" && c.on(RuleDiseaseArm) {
		c.diseaseArms(samples, out, base)
	}
	if co.sepsisArm+co.shockArm != "" && c.on(RuleFlagArm) && (!namesHealthy(study) || ownControls(base)) {
		c.flagArms(samples, out, base)
	}
	// A person named without a word of illness ("Subject 5") may be a
	// patient or a healthy person where the text names both.
	persons := !namesHealthy(study)
	if c.on(RuleSoleArm) {
		c.soleArm(samples, out, co, persons)
	}
	if c.studyContext && study != nil {
		// The study's reading is the same for every patient: it is taken
		// once, at the first patient no rule labels.
		var fallback *Decision
		read := false
		everyone := allEnrolled(study, base, !persons)
		compares := comparesInfection(study)
		var sources *sepsisSources
		for i, s := range samples {
			if s == nil || out[i].Method != MethodDefault {
				continue
			}
			wField, wShown, wMatched, worded := c.patientWording(s, persons)
			// A sample diagnosed with a source of sepsis the study names
			// ("diagnosis: faecal peritonitis" in a study of "sepsis due
			// to faecal peritonitis or community acquired pneumonia") is
			// one of its patients, whatever its title.
			sourced := false
			if !worded && !compares {
				if sources == nil {
					sources = sepsisSourcesOf(study) // the same for every sample
				}
				sourced = c.sourceDiagnosed(sources, s)
			}
			worded = worded || sourced
			if (!worded && !everyone) || c.hedged(s) || compares && c.diagnosedInfection(s) {
				continue
			}
			if !read {
				read = true
				if d, ok := studyFallback(study); ok {
					fallback = &d
				}
			}
			if fallback != nil && !c.denies(s, fallback.Label) && !c.beforeIllness(s) {
				out[i] = *fallback
				switch {
				case sourced:
					out[i].Evidence = "the sample's diagnosis is a source of sepsis the study's text names"
				case !worded:
					out[i].Evidence = "the study's text counts the patients it enrolled, and no sample's own record names another illness: every sample no rule labels is one of them"
				default:
					out[i].Evidence = patientEvidence(wField, wShown, wMatched)
				}
			}
		}
	}
	if c.on(RuleIllControls) {
		illControls(out, co)
	}
	// A label a cohort rule gave is refined as a sample's own is: a
	// study-context SEPSIS patient flagged "shock: 1" is SEPTIC_SHOCK.
	for i, d := range out {
		if samples[i] != nil && d != base[i] && d.Method == MethodRule {
			out[i] = c.refine(samples[i], d)
		}
	}
	return out
}

// patientEvidence is the evidence of a study-context label given to a
// sample that reads as a patient's: where it does, as patientWording
// found it ("the sample reads as one of the study's patients: "Patient" in
// its title "Patient 19, Day1"").
func patientEvidence(field, shown, matched string) string {
	return fmt.Sprintf("the sample reads as one of the study's patients: %q in its %s %q", matched, field, shown)
}

// cohort is what a study and the own records of its samples say.
type cohort struct {
	// sepsis says why the study is a sepsis cohort, "" if it is not.
	sepsis string
	// sepsisArm and shockArm name a sample labeled SEPSIS or SEPTIC_SHOCK
	// by its own record, "" if none is.
	sepsisArm, shockArm string
	// textOnly is set when only the study's text makes it a sepsis cohort.
	textOnly bool
	// nonSepticShock is set when the study or a sample names shock of a
	// non-infectious cause.
	nonSepticShock bool
	// textLabels are the labels the study's text names.
	textLabels map[Label]string
	// illControls is the study text saying its controls are ill, "" if
	// it does not (or also names healthy people).
	illControls string
}

var (
	// nonSepticShockKind is a study's text naming a non-infectious cause
	// of shock before the word, as a comparison does ("cardiogenic versus
	// septic shock", "haemorrhagic and septic shock").
	nonSepticShockKind = regexp.MustCompile(`(?i)\b(cardiogenic|ha?emorrhagic|hypovola?emic|anaphylactic|neurogenic|vasoplegic)\b[^.;]{0,40}?\bshock\b`)
	nonSepticShockText = regexp.MustCompile(`(?i)\b(cardiogenic|ha?emorrhagic|hypovol[a]?emic|anaphylactic|obstructive|neurogenic|traumatic|vasoplegic|non[- ]?septic)\s+shock\b`)
	studyHealthy       = regexp.MustCompile(`(?i)\bhealthy\b|\bvolunteers?\b|\bdonors?\b|\bnormal\s+(subjects?|controls?|individuals?|children|adults?|neonates?|infants?)\b`)
	illWord            = `(non[- ]?septic|critically[- ]ill|n?icu|intensive[- ]care|ventilated|surgical|sirs|trauma|febrile)`
	// notFebrile denies a fever ("non-febrile controls", "controls
	// without febrile illness", "controls were not febrile"): it is blanked
	// before the text is read for ill controls, where \b would see
	// "febrile" after a hyphen or a denying word ("afebrile" has no
	// boundary to see).
	notFebrile       = regexp.MustCompile(`(?i)\b(non[- ]?|not\s+|no\s+|never\s+|without\s+(a\s+|any\s+)?)febrile\b`)
	studyIllControls = regexp.MustCompile(`(?i)\b` + illWord + `(\s+[\w-]+)?\s+controls?\b|\bpost[- ]?operative\s+(patients?\s+)?controls?\b` +
		`|\b` + illWord + `(\s+(patients?|subjects?|individuals?|adults?|children|neonates|infants))?(\s+(without|with\s+no)\s+(sepsis|infections?))?` +
		`(\s+((served|were\s+(used|included|enrolled|recruited|sampled))\s+)?as\s+(the\s+)?controls?\b|\s*\(\s*controls?\s*\))` +
		`|\bcontrols?\s*(were|are|:|,)?\s*([\w-]+\s+){0,3}?` + illWord + `\b` +
		`|\bcontrols?\s*(were|are|:|,)?\s*([\w-]+\s+){0,3}?(patients\s+)?without\s+(sepsis|infection)\b`)
	// negatedSepsis is sepsis named to be denied: a study of "non-septic
	// ICU patients" is no sepsis cohort.
	negatedSepsis = regexp.MustCompile(`(?i)\bnon[- ]?(sepsis|septic)\b|\b(no|not|without)\s+(sepsis|septic)\b`)
	bareControl   = regexp.MustCompile(`(?i)^(controls?|ctrls?|ctl|cntrl|con|cont|contr)$`)
	ownInfection  = regexp.MustCompile(`(?i)pneumonia|influenza|\bh1n1\b|mening|infect|\bviral\b|\bvirus|bacterial|suspected|enterocolitis|\bnec\b|malaria|dengue|tubercul|covid|sars-cov`)
)

// comparisonCue introduces what a study compares its patients with.
var comparisonCue = regexp.MustCompile(`(?i)\b(distinguish\w*|differentiat\w*|discriminat\w*|versus|vs|compared\s+(with|to)|comparison\s+(with|to))\b`)

// comparedNonSeptic returns where text names a non-septic group in a
// sentence that compares ("distinguish sepsis from non-infectious causes
// of SIRS", "SIRS vs. sepsis", "non-infectious SIRS patients were compared
// with septic patients"); nil if it names none so. A non-septic word in a
// sentence that compares nothing ("a leading cause of death after
// trauma", "post-operative sepsis") is no comparison group.
func comparedNonSeptic(text string) []int {
	for _, sn := range comparisons(text) {
		if g := nonSepticGroup(text[sn[0]:sn[3]]); g != nil {
			return []int{sn[0] + g[0], sn[0] + g[1]}
		}
	}
	return nil
}

// comparisons returns, for each comparisonCue of text, the bounds of its
// sentence (or part between semicolons) and of the cue: start, cue start,
// cue end, end.
func comparisons(text string) [][4]int {
	var out [][4]int
	for _, loc := range comparisonCue.FindAllStringIndex(text, -1) {
		start := strings.LastIndexAny(text[:loc[0]], ".;") + 1
		after := strings.TrimLeft(text[loc[1]:], ".") // the dot of "vs."
		end := len(text)
		if i := strings.IndexAny(after, ".;"); i >= 0 {
			end = len(text) - len(after) + i
		}
		out = append(out, [4]int{start, loc[0], loc[1], end})
	}
	return out
}

// comparesInfection reports whether the study's title or description
// compares its septic patients with an infection: after the comparison's
// word ("… compared with
// patients with localized infections", "to distinguish viral infections
// from bacterial sepsis", "Sepsis versus infection without organ
// dysfunction"), or before it where that side names no sepsis ("Dengue
// versus bacterial sepsis", "H1N1 versus bacterial sepsis"). A sample whose
// diagnosis names an infection may then be the compared infection's, which
// is no sepsis by itself (diagnosedInfection). Septic
// patients compared with healthy people ("patients with suspected sepsis
// were compared with healthy volunteers", "febrile children with bacterial
// sepsis compared with healthy controls"), or the sources of their sepsis
// compared ("sepsis due to faecal peritonitis versus community-acquired
// pneumonia"), compare no infection, and such a study's septic patients
// diagnosed with pneumonia or a urinary tract infection are its septic
// patients.
func comparesInfection(study *metadata.Study) bool {
	for _, text := range []string{study.Title, study.Description} {
		for _, sn := range comparisons(text) {
			if sepsisSource.MatchString(text[sn[0]:sn[3]]) {
				continue
			}
			before := text[sn[0]:sn[1]]
			after := septicInfection.ReplaceAllString(text[sn[2]:sn[3]], " ")
			if comparedInfection.MatchString(after) ||
				!sepsisKey.MatchString(before) && comparedInfection.MatchString(before) {
				return true
			}
		}
	}
	return false
}

// septicInfection is sepsis named with its kind of infection ("bacterial
// sepsis", "viral septic shock"), which names no infection besides it.
var septicInfection = regexp.MustCompile(`(?i)\b(bacterial|viral|fungal|gram[\s-]*(negative|positive))\s+(sepsis|septic\w*)`)

// comparedInfection is an infection, or a fever, as a group a study may
// compare septic patients with.
var comparedInfection = regexp.MustCompile(`(?i)pneumonia|influenza|\bh1n1\b|mening|infect|\bviral\b|\bvirus|bacterial|enterocolitis|\bnec\b|malaria|dengue|tubercul|covid|sars-cov|\bfebrile\b|\bfever\b`)

// sepsisSource names where a sepsis came from ("sepsis due to", "septic
// patients from pneumonia"): a sentence comparing such sources compares
// septic patients with septic patients.
var sepsisSource = regexp.MustCompile(`(?i)\b(sepsis|septic\w*(\s+patients)?)\s+(due\s+to|from|secondary\s+to|caused\s+by|following|of\s+(pulmonary|abdominal|urinary)\b)`)

// readCohort gathers the cohort evidence from the study's text and the
// samples' own decisions.
func readCohort(study *metadata.Study, samples []*metadata.Sample, base []Decision) cohort {
	co := cohort{textLabels: map[Label]string{}}
	for i, d := range base {
		s := samples[i]
		if s == nil || d.Method == MethodDefault {
			continue
		}
		switch {
		case d.Label == Sepsis && co.sepsisArm == "":
			co.sepsisArm = siblingEvidence(s, d)
		case d.Label == SepticShock && co.shockArm == "":
			co.shockArm = siblingEvidence(s, d)
		case d.Label == NoSepsis && (nonSepticShockText.MatchString(d.Value) || d.Rule == "non_septic_shock_type" || nonSepticShockKind.MatchString(d.Value)):
			co.nonSepticShock = true
		}
	}
	if study != nil {
		for _, f := range studyTexts(study) {
			text := spaced(f.text)
			if nonSepticShockText.MatchString(text) || nonSepticShockKind.MatchString(text) {
				co.nonSepticShock = true
			}
			// A description names the study's illness only where it names
			// its patients; elsewhere sepsis is a topic ("a form of viral
			// sepsis", "outcomes included sepsis").
			about := f.field == "study_title" || namesSepticPatients(text)
			if loc := studyShock.FindStringIndex(text); loc != nil && about && co.textLabels[SepticShock] == "" {
				co.textLabels[SepticShock] = fmt.Sprintf("%s %q", f.field, f.text[loc[0]:loc[1]])
			}
			if loc := studySepsis.FindStringIndex(negatedSepsis.ReplaceAllStringFunc(studyShock.ReplaceAllStringFunc(text, blank), blank)); loc != nil && about && co.textLabels[Sepsis] == "" {
				co.textLabels[Sepsis] = fmt.Sprintf("%s %q", f.field, f.text[loc[0]:loc[1]])
			}
			if loc := nonSepticGroup(text); loc != nil && co.textLabels[NoSepsis] == "" {
				co.textLabels[NoSepsis] = fmt.Sprintf("%s %q", f.field, f.text[loc[0]:loc[1]])
			}
		}
		both := spaced(study.Title + "\n" + study.Description)
		if loc := studyIllControls.FindStringIndex(notFebrile.ReplaceAllStringFunc(both, blank)); loc != nil && !studyHealthy.MatchString(both) {
			co.illControls = fmt.Sprintf("the study's text says its controls are ill without sepsis: %q", (study.Title + "\n" + study.Description)[loc[0]:loc[1]])
		} else if loc := comparedNonSeptic(both); loc != nil && !studyHealthy.MatchString(both) && co.textLabels[Sepsis]+co.textLabels[SepticShock] != "" {
			// "distinguish sepsis from non-infectious causes of SIRS": the
			// one comparison group the text names is who its controls are
			co.illControls = fmt.Sprintf("the study's text compares sepsis with a non-septic group and names no healthy people: %q", (study.Title + "\n" + study.Description)[loc[0]:loc[1]])
		}
	}
	switch {
	case co.textLabels[SepticShock] != "":
		co.sepsis, co.textOnly = "sepsis cohort: "+co.textLabels[SepticShock], true
	case co.textLabels[Sepsis] != "":
		co.sepsis, co.textOnly = "sepsis cohort: "+co.textLabels[Sepsis], true
	}
	if arm := co.sepsisArm + co.shockArm; arm != "" {
		co.textOnly = false
		if co.sepsis == "" {
			co.sepsis = "sepsis cohort: " + firstOf(co.sepsisArm, co.shockArm)
		}
	}
	return co
}

// blank replaces a match by spaces, keeping byte offsets.
func blank(s string) string { return strings.Repeat(" ", len(s)) }

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// siblingEvidence names another sample's decision.
func siblingEvidence(s *metadata.Sample, d Decision) string {
	if d.Method == MethodOverride {
		return fmt.Sprintf("sample %s is %s by override", s.Accession, d.Label)
	}
	return fmt.Sprintf("sample %s is %s by rule %s matching %q in %s", s.Accession, d.Label, d.Rule, d.Matched, d.Where())
}

// cohortCode decides a sample by a code that needs a sepsis cohort.
func (c *Classifier) cohortCode(m *codeMatch, co cohort) (Decision, bool) {
	if !m.code.Infection || m.label == NoSepsis {
		if !c.on(RuleCohortCode) || (m.label == SepticShock && co.nonSepticShock) {
			return Decision{}, false
		}
		return m.decision(RuleCohortCode, m.label, co.sepsis), true
	}
	if !c.on(RuleCohortInfection) {
		return Decision{}, false
	}
	switch {
	case co.sepsisArm != "":
		return m.decision(RuleCohortInfection, NoSepsis, "infection beside the cohort's sepsis arm: "+co.sepsisArm), true
	case co.textOnly && co.shockArm == "" && co.textLabels[NoSepsis] == "":
		return m.decision(RuleCohortInfection, Sepsis, "the infected arm of a "+co.sepsis), true
	}
	return Decision{}, false
}

// soleArm gives the cohort's one stated illness label to the patients whose
// record states none.
func (c *Classifier) soleArm(samples []*metadata.Sample, out []Decision, co cohort, persons bool) {
	arms := map[Label][]int{}
	for i, d := range out {
		if samples[i] != nil && d.Method != MethodDefault && (d.Label == Sepsis || d.Label == SepticShock || d.Label == NoSepsis) {
			arms[d.Label] = append(arms[d.Label], i)
		}
	}
	if len(arms) != 1 {
		return
	}
	for l, members := range arms {
		if len(members) < 2 {
			return
		}
		for tl := range co.textLabels {
			if tl != l {
				return
			}
		}
		first := members[0]
		ev := fmt.Sprintf("the cohort's only illness arm is %s (%d samples; %s)", l, len(members), siblingEvidence(samples[first], out[first]))
		var fields []groupField // where the arm's members state their group
		for _, m := range members {
			if g, ok := c.groupOf(samples[m], out[m]); ok && !slices.Contains(fields, g) {
				fields = append(fields, g)
			}
		}
		for i, s := range samples {
			if s == nil || out[i].Method != MethodDefault || c.namesInfection(s) || c.denies(s, l) || c.beforeIllness(s) || c.statesGroup(s, fields) {
				continue
			}
			if field, value, matched, ok := c.patientWording(s, persons); ok {
				out[i] = Decision{Label: l, Method: MethodRule, Rule: RuleSoleArm, Field: field, Matched: matched, Value: value, Evidence: ev}
			}
		}
	}
}

var (
	// patientIDKey is a characteristic that names the patient a sample
	// was drawn from.
	patientIDKey = regexp.MustCompile(`(?i)^\s*(patient|pt|subject|individual|donor|participant|case)s?(\s*(id|identifier|number|no\.?|code|#))?\s*$`)
	// titlePatient is a patient's number in a title ("Patient 19, Day1",
	// "pt_07_D3").
	titlePatient = regexp.MustCompile(`(?i)\b(patient|pt|subject|case)[\s_#-]*0*(\d+)\b`)
)

// patientOf returns the patient a sample was drawn from, as its record
// names it ("" when it names none): an identifier characteristic, else a
// patient's number in its title.
func patientOf(s *metadata.Sample) string {
	for _, a := range s.Annotations {
		if !a.Characteristic || !patientIDKey.MatchString(spaced(a.Key)) {
			continue
		}
		if v := strings.TrimSpace(a.Value); v != "" && !missingValue.MatchString(v) {
			return strings.ToLower(spaced(strings.TrimSpace(a.Key))) + ": " + v
		}
	}
	if m := titlePatient.FindStringSubmatch(spaced(s.Title)); m != nil {
		return "title: patient " + m[2]
	}
	return ""
}

// samePatient gives a sample no rule labels the illness its patient's
// other samples state (SEPSIS, SEPTIC_SHOCK or NO_SEPSIS), when those that
// state one agree (RuleSamePatient).
func (c *Classifier) samePatient(samples []*metadata.Sample, out []Decision) {
	type stated struct {
		label Label
		from  int
		mixed bool
	}
	groups := map[string]*stated{}
	patients := make([]string, len(samples))
	for i, s := range samples {
		if s == nil {
			continue
		}
		p := patientOf(s)
		patients[i] = p
		// A control's label may be its sample's, not its person's: a
		// donor's mock-infected blood is the control, the same donor's
		// infected blood is not (GSE65088). Only an illness is the
		// patient's own.
		if p == "" || out[i].Method == MethodDefault || out[i].Label == Unknown || out[i].Label == Control {
			continue
		}
		g := groups[p]
		switch {
		case g == nil:
			groups[p] = &stated{label: out[i].Label, from: i}
		case g.label != out[i].Label:
			g.mixed = true
		}
	}
	for i, s := range samples {
		g := groups[patients[i]]
		if s == nil || g == nil || g.mixed || out[i].Method != MethodDefault || c.recordNamesControl(s) || c.beforeIllness(s) {
			continue
		}
		field, value, matched := patientShown(s)
		out[i] = Decision{Label: g.label, Method: MethodRule, Rule: RuleSamePatient, Field: field, Matched: matched, Value: value,
			Evidence: "the same patient's other sample: " + siblingEvidence(samples[g.from], out[g.from])}
	}
}

// patientShown is where patientOf found the sample's patient, as the
// record writes it: the field, its value, and the text that names the
// patient, inside the value ("Patient_ID: P5", "pt_07" in "pt_07_D3").
// patientOf's identity is spelt to compare patients, not to quote.
func patientShown(s *metadata.Sample) (field, value, matched string) {
	for _, a := range s.Annotations {
		if !a.Characteristic || !patientIDKey.MatchString(spaced(a.Key)) {
			continue
		}
		if v := strings.TrimSpace(a.Value); v != "" && !missingValue.MatchString(v) {
			shown := strings.TrimSpace(a.Key) + ": " + v
			return "characteristics", shown, shown
		}
	}
	// spaced keeps every offset: it only writes "_" as " ".
	if m := titlePatient.FindStringIndex(spaced(s.Title)); m != nil {
		return "title", s.Title, s.Title[m[0]:m[1]]
	}
	return "characteristics", "", ""
}

// allEnrolled reports whether every sample no rule labels is one of the
// patients the study's text counts, though its record says nothing of a
// patient ("ARDS", "no ARDS" in a study of "30 septic patients with and
// without ARDS"): the text counts the patients it enrolled, no sample's
// own record names an illness, and the text names healthy people only
// when some sample's record labels itself a control (healthy: the text
// names healthy people or controls, namesHealthy). Whether the text names
// one illness and no other group is studyFallback's to decide.
func allEnrolled(study *metadata.Study, base []Decision, healthy bool) bool {
	controls := false
	for _, d := range base {
		if d.Method == MethodDefault {
			continue
		}
		if d.Label != Control {
			return false
		}
		controls = true
	}
	counted := false
	for _, f := range studyTexts(study) {
		text := spaced(f.text)
		counted = counted || patientsNamed(countedShock, text) != nil || patientsNamed(countedSepsis, studyShock.ReplaceAllStringFunc(text, blank)) != nil
	}
	return counted && (!healthy || controls)
}

// namesHealthy reports whether a study's text names healthy people or
// controls.
func namesHealthy(study *metadata.Study) bool {
	if study == nil {
		return false
	}
	for _, f := range studyTexts(study) {
		if text := spaced(f.text); studyHealthy.MatchString(text) || studyControls.MatchString(text) {
			return true
		}
	}
	return false
}

// studyControls is a text naming controls.
var studyControls = regexp.MustCompile(`(?i)\bcontrols?\b`)

// hedgedWord marks a record that leaves its own group in doubt.
var hedgedWord = regexp.MustCompile(`(?i)\b(suspected|suspect|possible|probable|presumed|potential|likely|evaluated\s+for|evaluation\s+for|work[\s-]?up|rule[\s-]?out)\b` +
	`|` + sepsisWorkup)

// hedged reports whether a sample's own record says its group is a
// suspicion ("neonate: suspected", "possible infection"): the study's
// cohort is then not read as its own.
func (c *Classifier) hedged(s *metadata.Sample) bool {
	return c.recordSays(s, hedgedWord, metadata.FieldTitle, metadata.FieldSourceName, metadata.FieldCharacteristics)
}

// beforeSurgery is a sample drawn before an operation (not before another
// procedure: a septic-shock patient before plasma exchange is in shock).
var beforeSurgery = regexp.MustCompile(`(?i)\bpre[\s-]?(op|operative(ly)?|operation|surgery|surgical|cpb|bypass)\b|\b(before|prior\s+to)\s+(the\s+)?(surgery|operation|(cardiopulmonary\s+)?bypass|cpb)\b|\bpreop\b`)

// beforeIllness reports whether a sample's record says it was drawn before
// an operation: the patient's state after it (post-operative SIRS, a
// sepsis after surgery) is not this sample's. A septic patient sampled
// before source-control surgery is left UNKNOWN by the cohort rules too:
// the record does not say which.
func (c *Classifier) beforeIllness(s *metadata.Sample) bool {
	before := func(v string) bool {
		l := strings.ToLower(v)
		return (strings.Contains(l, "pre") || strings.Contains(l, "before") || strings.Contains(l, "prior")) && beforeSurgery.MatchString(spaced(v))
	}
	if before(s.Title) {
		return true
	}
	for _, a := range s.Annotations {
		if before(a.Value) {
			return true
		}
	}
	return false
}

// denies reports whether a sample's record denies it the label by a flag:
// sepsis ("neonatal sepsis: no", "sepsis: 0") or an infection ("infection:
// no": sepsis is an infection's dysregulated response) denies SEPSIS and
// SEPTIC_SHOCK; septic shock ("septic shock: no") denies SEPTIC_SHOCK only,
// since a septic patient without shock is still septic. The cohort's or
// the study's illness is then not read as the sample's.
func (c *Classifier) denies(s *metadata.Sample, l Label) bool {
	if l != Sepsis && l != SepticShock {
		return false
	}
	for _, a := range s.Annotations {
		if !a.Characteristic || c.ignored(a.Key) || c.flag(a.Key, a.Value) != flagNo {
			continue // "days since sepsis onset: 0" is a time, not a no
		}
		key := spaced(a.Key)
		switch {
		case studySepsis.MatchString(key) && !complicationKey.MatchString(key):
			return true // "sepsis yn: no", "culture-proven sepsis: no", "urosepsis: no"
		case infectionKey.MatchString(key):
			return true // "infection: no", "confirmed infection (y/n): no"
		case l == SepticShock && studyShock.MatchString(key) && !complicationKey.MatchString(studyShock.ReplaceAllStringFunc(key, blank)):
			return true // "septic shock (y/n): no"
		}
	}
	return false
}

var (
	// infectionKey is a key that flags an infection as such, present or
	// not ("infection", "infected", "confirmed infection (y/n)"), not one
	// that names a kind or a site of it.
	infectionKey = regexp.MustCompile(`(?i)^\s*((confirmed|proven|documented|culture[\s-]*(proven|confirmed)|microbiologically\s+(proven|confirmed))\s+)?(infection|infected|infectious)(\s*(status|present|\(?\s*y\s*/\s*n\s*\)?|yn))?\s*$`)

	// complicationKey is a key that names a complication, a grade or a
	// later episode of sepsis rather than sepsis ("sepsis-associated AKI",
	// "septic shock", "secondary sepsis", "ICU-acquired sepsis"): a no
	// there leaves the patient's sepsis open.
	complicationKey = regexp.MustCompile(`(?i)\b(associated|induced|related|aki|ards|ali|dic|encephalopathy|cardiomyopathy|death|mortality|surviv\w*|shock` +
		`|secondary|second|new|subsequent|recurren\w*|re-?current|nosocomial|acquired|episodes?)\b`)
)

// namesInfection reports whether a sample's own record names an infection
// (pneumonia, meningitis, "suspected infection", a virus): such a patient
// may belong to another arm than the cohort's one stated illness.
func (c *Classifier) namesInfection(s *metadata.Sample) bool {
	for _, field := range c.fields {
		for _, v := range c.values(s, field) {
			if !v.ignored && ownInfection.MatchString(v.text) {
				return true
			}
		}
	}
	return false
}

// diagnosisKey is a characteristic key under which a record states the
// sample's own diagnosis or group, not where a septic patient's infection
// is ("infection: pneumonia", "source of infection").
var diagnosisKey = regexp.MustCompile(`(?i)^\s*((final|primary|clinical|discharge|admission|working)\s+)?(diagnos[ie]s|dx|disease(\s+(state|status|type|group))?|condition|illness|(patient|subject|study|clinical|disease)?\s*group|cohort|phenotype)\s*$`)

// diagnosedInfection reports whether the sample's own diagnosis names an
// infection other than sepsis ("diagnosis: dengue fever", "disease:
// COVID-19"). In a study whose text compares that infection
// ("Dengue versus bacterial sepsis", "distinguishing COVID-19 from
// bacterial sepsis"; comparesInfection) the sample is then the compared
// infection's, which is no sepsis by itself, not one of the study's septic
// patients. A septic patient's infection written under its own key
// ("infection: pneumonia", GSE33118) is not a diagnosis.
func (c *Classifier) diagnosedInfection(s *metadata.Sample) bool {
	for _, field := range c.fields {
		f := metadata.FieldKey(field)
		for _, v := range c.values(s, field) {
			diagnosis := f == metadata.FieldDisease || v.keyed && diagnosisKey.MatchString(v.key)
			if diagnosis && !v.ignored && !sepsisKey.MatchString(v.text) && ownInfection.MatchString(v.text) {
				return true
			}
		}
	}
	return false
}

// sepsisSources are the sources of sepsis a study's title and description
// name: the items of each list that follows "sepsis due to", "septic
// patients from" and the like, up to the end of its clause ("faecal
// peritonitis", and "cap" where the text writes "community acquired
// pneumonia (CAP)"), each as words; and, as words, the sentences outside
// those lists that deny sepsis or compare (patients "with pneumonia who
// did not develop sepsis" beside "sepsis from pneumonia" are a group of
// their own).
type sepsisSources struct {
	names, apart []string
}

func sepsisSourcesOf(study *metadata.Study) *sepsisSources {
	src := &sepsisSources{}
	var outside strings.Builder // the texts without their lists of sources
	for _, text := range []string{study.Title, study.Description} {
		text = strings.ToLower(spaced(text))
		prev := 0
		for _, loc := range sepsisSource.FindAllStringIndex(text, -1) {
			if loc[0] < prev {
				continue
			}
			span := text[loc[1]:]
			if end := clauseEnd.FindStringIndex(span); end != nil {
				span = span[:end[0]]
			}
			outside.WriteString(text[prev:loc[1]])
			prev = loc[1] + len(span)
			for _, item := range listItem.Split(span, -1) {
				name, code, _ := strings.Cut(item, "(")
				code, _, _ = strings.Cut(code, ")")
				for _, w := range []string{leadingArticle.ReplaceAllString(words(name), " "), words(code)} {
					if aWord.MatchString(w) {
						src.names = append(src.names, w)
					}
				}
			}
		}
		outside.WriteString(text[prev:])
		outside.WriteString(". ")
	}
	if len(src.names) > 0 {
		for _, sentence := range strings.FieldsFunc(outside.String(), func(r rune) bool { return r == '.' || r == ';' }) {
			if sepsisDenied.MatchString(sentence) || comparisonCue.MatchString(sentence) {
				src.apart = append(src.apart, words(sentence))
			}
		}
	}
	return src
}

// sourceDiagnosed reports whether the sample's own diagnosis (refine.bio's
// disease field, or a characteristic under a diagnosis key) is one of the
// study's sources of sepsis that no sentence denying sepsis or comparing
// names apart. A record that names a control is none.
func (c *Classifier) sourceDiagnosed(src *sepsisSources, s *metadata.Sample) bool {
	if len(src.names) == 0 {
		return false
	}
	for _, field := range c.fields {
		f := metadata.FieldKey(field)
		for _, v := range c.values(s, field) {
			if v.ignored || !(f == metadata.FieldDisease || v.keyed && diagnosisKey.MatchString(v.key)) {
				continue
			}
			t := strings.TrimSpace(v.text)
			dx := words(strings.ToLower(spaced(t)))
			if len(dx) < 4 || !aWord.MatchString(dx) || namesNoGroup(t) ||
				!slices.Contains(src.names, dx) || slices.ContainsFunc(src.apart, func(sentence string) bool { return strings.Contains(sentence, dx) }) {
				continue
			}
			return !c.recordNamesControl(s)
		}
	}
	return false
}

var (
	// clauseEnd ends the list of sources that follows "sepsis due to":
	// the sentence's end, or a word that opens another clause ("… from
	// pneumonia and patients with pneumonia who …", "septic patients from
	// the ICU were compared with …").
	clauseEnd = regexp.MustCompile(`[.;:]|\b(compared|who|whom|which|that|were|was|are|is|with|without|in|at|among|admitted|enrolled|than|but|while|whereas)\b`)
	// listItem separates the items of a list of sources; sources compared
	// ("sepsis due to faecal peritonitis versus community-acquired
	// pneumonia") are a list too.
	listItem = regexp.MustCompile(`,|/|&|\bor\b|\band\b|\bversus\b|\bvs\b`)
	// sepsisDenied is sepsis denied in a study's text ("patients who did
	// not develop sepsis", "non-septic").
	sepsisDenied = regexp.MustCompile(`(?i)\bnon[- ]?(sepsis|septic)\b|\b(no|not|without|never)\s+(\w+\s+){0,2}?(sepsis|septic)\b|\bsepsis[- ]free\b`)
	// leadingArticle is an article or "either" before an item's name.
	leadingArticle = regexp.MustCompile(`^ (a|an|the|either|both) `)
)

// words is s's words, lower case, each between single spaces (" community
// acquired pneumonia "), so that a phrase is found as words of its own by
// strings.Contains: hyphens, brackets and other punctuation separate words.
func words(s string) string {
	f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(f) == 0 {
		return ""
	}
	return " " + strings.Join(f, " ") + " "
}

// illControls relabels bare controls NO_SEPSIS when the study's text says
// its controls are ill and no other sample forms a non-septic arm.
func illControls(out []Decision, co cohort) {
	if co.illControls == "" {
		return
	}
	for _, d := range out {
		if d.Label == NoSepsis {
			return
		}
	}
	for i, d := range out {
		if d.Label == Control && d.Method == MethodRule && bareControl.MatchString(strings.TrimSpace(d.Matched)) && !studyHealthy.MatchString(d.Value) {
			out[i] = Decision{Label: NoSepsis, Method: MethodRule, Rule: RuleIllControls, Field: d.Field, Matched: d.Matched, Value: d.Value, Key: d.Key, Evidence: co.illControls}
		}
	}
}

var (
	// missingValue is a group value that says nothing.
	missingValue = regexp.MustCompile(`(?i)^(na|n/a|nan|none|null|unknown|not (applicable|available|determined|known|recorded)|missing|nd|-+|\?+|\.)$`)
	// notADisease marks values a disease-control reading must leave alone:
	// controls and healthy people the rules did not recognise (in any of
	// the languages healthy_control reads), infections
	// (their sepsis status is what the study does not say), organisms, and
	// sepsis named by its onset, its codes or its signs (early- or
	// late-onset, EOS, LOS, SAKI, purpura fulminans), sepsis models
	// (caecal ligation and puncture, CASP), an experiment's condition
	// ("sham-operated mice", "saline 6 h", "vehicle (PBS)"; "untreated"
	// only as the whole value or of animals, since "untreated diabetes" is
	// a disease) and a bare grade ("severity: moderate" beside "severity:
	// septic shock").
	notADisease = regexp.MustCompile(`(?i)\b(controls?|ctrls?|healthy|normal|volunteers?|donors?|reference)\b|recover|convalesc|resolv|follow[- ]?up|discharg` +
		`|\bvolunt|\bsadi[oa]s?\b|\bsaud[aá]ve|\bsan[oa]s?\b|\bsani\b|\bgesund|\bsaines?\b|\bsains?\b|\bgezond|\bt[eé]moin|\bkontroll|\bcontr[oô]le|健康|对照|健常` +
		`|\buti\b|urinary|pyelo|cellulit|\bcap\b|pneumon|rhino|virus|viral|infect|abscess|periton|mening|endocard|osteomyel|cholangit|appendic|shock` +
		`|\blps\b|endotox|cell\s*line|\bthp-?1\b|huvec|\bcells?\b|stimulat|purpura|fulminans|\b(eos|los|saki)\b|onset` +
		`|sep(sis|tic)|bacter|gram|staph|aureus|coli\b|escherichia|strep|pneumococ|meningococ|pseudomonas|klebsiella|candida|fung|burkholderia|melioid|pseudomallei|plasmod|parasit|\bhiv\b|hepatitis|\brsv\b|\bcmv\b|tuberc|sirs` +
		`|typh|leptospir|rickett|scrub|brucell|salmonell|shigell|cholera|listeri|borreli|\blyme\b|culture` +
		`|ligation|puncture|\bclp\b|\bcasp\b|^(mild|moderate|severe|critical)$` +
		`|sham|mock|vehicle|placebo|saline|\bpbs\b|^untreated([\s_-]+(mice|mouse|rats?|animals?|controls?|group|arm|cells?|\d+\s*\w*))*$`)
	// noDiagnosis is a group value that names no group of patients: an
	// adjudication that could not decide, a sample left out, the rest
	// ("indeterminate", "excluded", "other"). Beside a sepsis arm it is no
	// disease arm.
	noDiagnosis = regexp.MustCompile(`(?i)^(unclear|indeterminate|undetermined|inconclusive|uncertain|equivocal|unclassified|unassigned|unspecified|undefined|` +
		`others?|excluded|exclusion|withdrawn|pending|tbd|to be determined|unknown\b.*|not\s+(classified|assigned|adjudicated|evaluable|evaluated|done))$`)
	// aWord is a value with a word in it, not a bare code or number.
	aWord = regexp.MustCompile(`[A-Za-z]{2,}`)
	// ambiguousCode is a value that is only one of the codes
	// DefaultGroupCodes leaves out for their sepsis readings ("SS" severe
	// sepsis or septic shock, E-MTAB-1548's "SSs" and "SSd", "NS"
	// non-survivor, "SV" survivor, "CS", "PC", "NI", "HS"), with a number
	// or a separator at most: beside a sepsis arm it may be septic shock or
	// a septic patient's outcome, never safely another disease.
	ambiguousCode = regexp.MustCompile(`(?i)^(ss[sd]?|ns|sv|s|nr|r|cs|pc|ni|hs)[\s_\-./]*\d*$`)
	// sepsisKey is a characteristic key that names sepsis: its values grade
	// or qualify the sepsis ("sepsis severity: uncomplicated"), and name no
	// other disease.
	sepsisKey = regexp.MustCompile(`(?i)seps|septic`)
)

// labelWords are the words a misspelt group most often is.
var labelWords = []string{"sepsis", "septic", "healthy", "control", "controls", "normal", "volunteer", "volunteers"}

// namesNoGroup reports whether a group value names no group: a missing
// value ("NA") or no diagnosis ("indeterminate", "excluded").
func namesNoGroup(t string) bool { return missingValue.MatchString(t) || noDiagnosis.MatchString(t) }

// nearLabelWord reports whether a one-word value is within two edits of a
// word of the labels ("sespis", "Heathy", "contorl"): a typo of the
// cohort's own groups, not another disease.
func nearLabelWord(v string) bool {
	w := strings.ToLower(strings.TrimSpace(v))
	if len(w) < 4 || strings.ContainsAny(w, " _-/") {
		return false
	}
	for _, l := range labelWords {
		if textdist.Levenshtein(w, l) <= 2 {
			return true
		}
	}
	return false
}

// diseaseArms labels NO_SEPSIS the samples in a disease-control group of
// the field that holds the cohort's sepsis arm (RuleDiseaseArm).
func (c *Classifier) diseaseArms(samples []*metadata.Sample, out, base []Decision) {
	arms := map[groupField]string{} // evidence of the sepsis arm in each field
	var order []groupField          // the fields in the order the samples show them: a sample in two is decided by the first, every run
	for i, d := range base {
		s := samples[i]
		if s == nil || d.Method != MethodRule || (d.Label != Sepsis && d.Label != SepticShock) {
			continue
		}
		g, ok := c.groupOf(s, d)
		if ok && arms[g] == "" {
			arms[g] = siblingEvidence(s, d)
			order = append(order, g)
		}
	}
	if len(arms) == 0 {
		return
	}
	for i, s := range samples {
		// A sample drawn before an operation is not the operated
		// cohort's disease control: the patient's state after it is not
		// this sample's.
		if s == nil || out[i].Method != MethodDefault || c.namesInfection(s) || c.beforeIllness(s) {
			continue
		}
	fields:
		for _, g := range order {
			ev := arms[g]
			for _, v := range c.values(s, g.field) {
				if v.ignored || !strings.EqualFold(v.key, g.key) {
					continue
				}
				t := strings.TrimSpace(v.text)
				if namesNoGroup(t) || !aWord.MatchString(t) || notADisease.MatchString(t) || patientText.MatchString(spaced(t)) ||
					sepsisKey.MatchString(v.key) || nearLabelWord(t) || ambiguousCode.MatchString(t) {
					continue
				}
				out[i] = Decision{Label: NoSepsis, Method: MethodRule, Rule: RuleDiseaseArm, Field: g.field, Matched: t, Value: v.shown, Key: v.key,
					Evidence: "another group of the field that holds the cohort's sepsis arm: " + ev}
				break fields
			}
		}
	}
}

// sepsisFlagKey is a characteristic key that flags sepsis itself, yes or
// no ("sepsis", "sepsis (y/n)", "neonatal sepsis", "Sepsis-3"), or its
// onset in a cohort that began without it ("developed sepsis",
// "post-operative sepsis" of trauma or surgical patients), not a sepsis of
// a kind or a second one of septic patients ("culture-proven sepsis",
// "secondary sepsis") nor septic shock; or a bacteraemia ("bacteremia:
// yes" is a bloodstream infection, which the rules read as SEPSIS).
var sepsisFlagKey = regexp.MustCompile(`(?i)^\s*((developed|subsequent|later|incident|post[\s-]*operative|postop|neonatal|early[\s-]*onset|late[\s-]*onset)\s+)?(sepsis|septic|septica?e?mia|bacteri?a?emia)(\s*-?\s*[1-3])?` +
	`\s*(\(?\s*(y\s*/?\s*n|yes\s*/\s*no)\s*\)?|status|diagnosis|present|\?)?\s*$`)

// flagArms labels NO_SEPSIS the samples a sepsis flag says no of, in a
// cohort where the same flag says yes of samples the rules call SEPSIS or
// SEPTIC_SHOCK (RuleFlagArm).
func (c *Classifier) flagArms(samples []*metadata.Sample, out, base []Decision) {
	type flagged struct{ key, evidence string } // a septic sample flagged yes
	var yes []flagged
	for i, d := range base {
		s := samples[i]
		if s == nil || d.Method != MethodRule || (d.Label != Sepsis && d.Label != SepticShock) {
			continue
		}
		for _, a := range s.Annotations {
			if a.Characteristic && sepsisFlagKey.MatchString(spaced(a.Key)) && c.flag(a.Key, a.Value) == flagYes &&
				!slices.ContainsFunc(yes, func(f flagged) bool { return metadata.SameKey(f.key, a.Key) }) {
				yes = append(yes, flagged{a.Key, siblingEvidence(s, d)})
			}
		}
	}
	if len(yes) == 0 {
		return
	}
	for i, s := range samples {
		if s == nil || out[i].Method != MethodDefault || c.recordNamesControl(s) {
			continue
		}
	annotations:
		for _, a := range s.Annotations {
			if !a.Characteristic || c.flag(a.Key, a.Value) != flagNo {
				continue
			}
			for _, f := range yes {
				if metadata.SameKey(f.key, a.Key) {
					out[i] = Decision{Label: NoSepsis, Method: MethodRule, Rule: RuleFlagArm, Field: metadata.FieldCharacteristicPrefix + a.Key,
						Matched: strings.TrimSpace(a.Value), Value: a.Key + ": " + a.Value, Key: a.Key,
						Evidence: "the flag says yes of the cohort's septic samples: " + f.evidence}
					break annotations
				}
			}
		}
	}
}

// animalWords name an animal model of sepsis in a study's text: a
// species or the model itself ("animal studies" are cited by human
// trials too).
var animalWords = regexp.MustCompile(`(?i)\b(mice|mouse|murine|rats?|rodents?|piglets?|pigs?|porcine|swine|sheep|ovine|baboons?|zebrafish|c(a|ae)?ecal\s+ligation|clp|casp|sham[\s-]*operated)\b`)

// animalModel reports whether a sample is an animal's, by its organism or
// its study's text: only there is a sham-operated sample the control arm
// of a sepsis model.
func animalModel(study *metadata.Study, s *metadata.Sample) bool {
	if o := strings.TrimSpace(s.Organism); o != "" && !strings.EqualFold(o, "HOMO_SAPIENS") && !strings.EqualFold(o, "homo sapiens") {
		return true
	}
	if study == nil {
		return false
	}
	for _, t := range studyTexts(study) {
		if animalWords.MatchString(t.text) {
			return true
		}
	}
	return false
}

// ownControls reports whether a sample's own record (a rule) calls it a
// control: the healthy people a study's text names are then known by
// their records, not among the samples a flag says no of.
func ownControls(base []Decision) bool {
	return slices.ContainsFunc(base, func(d Decision) bool { return d.Label == Control && d.Method == MethodRule })
}

// statesGroup reports whether a sample states a group of its own, one no
// rule read, where the cohort's arm states its group ("dx: niSIRS" beside
// "dx: sepsis"): the arm's label would then be a guess over what the
// record says. A missing value ("NA") states none, nor does a patient's
// time or course ("recovery", "day 7").
func (c *Classifier) statesGroup(s *metadata.Sample, fields []groupField) bool {
	for _, g := range fields {
		for _, v := range c.values(s, g.field) {
			if g.key != "" && (!v.keyed || !strings.EqualFold(v.key, g.key)) {
				continue
			}
			if t := strings.TrimSpace(v.text); t != "" && !namesNoGroup(t) && !patientText.MatchString(spaced(t)) {
				return true
			}
		}
	}
	return false
}

// refines returns the label the named rule refines (Rule.Refines), ""
// when it refines none or is no rule of the classifier's.
func (c *Classifier) refines(rule string) Label {
	for i := range c.rules {
		if c.rules[i].Name == rule {
			return c.rules[i].Refines
		}
	}
	return ""
}

// ownDecision returns the decision, in the first field that gives one, of
// a rule that labels alone and gives label l: where the sample's own
// record states l, before any rule refined it. Nil when no field does.
func (c *Classifier) ownDecision(s *metadata.Sample, l Label) *Decision {
	for _, field := range c.fields {
		if _, d := c.decideField(s, field, labelsAlone); d != nil && d.Label == l {
			return d
		}
	}
	return nil
}

// groupField is a field that holds a study's groups: a field name and, for
// characteristics, the key.
type groupField struct{ field, key string }

// groupOf returns the field (and, for characteristics, the key) in which a
// decision found a sample's group: refine.bio's disease field or a keyed
// characteristic. Titles, source names and descriptions are free text, not
// a group field.
func (c *Classifier) groupOf(s *metadata.Sample, d Decision) (g groupField, ok bool) {
	if d.Method == MethodRule {
		if refines := c.refines(d.Rule); refines != "" {
			// A refining rule's field (a vasopressor, a shock flag) holds
			// no group: the group is where the label it refined was
			// found, if a field of the sample's own gave it.
			b := c.ownDecision(s, refines)
			if b == nil {
				return g, false
			}
			d = *b
		}
	}
	nf := metadata.FieldKey(d.Field)
	switch {
	case nf == metadata.FieldDisease:
		g.field = d.Field
		return g, true
	case nf == metadata.FieldCharacteristics || strings.HasPrefix(nf, metadata.FieldCharacteristicPrefix):
		for _, v := range c.values(s, d.Field) {
			if v.keyed && v.shown == d.Value {
				g.field, g.key = d.Field, v.key
				return g, true
			}
		}
	}
	return g, false
}
