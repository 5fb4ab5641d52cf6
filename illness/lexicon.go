package illness

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/qc"
)

// CodeScope says where a group code may be trusted.
type CodeScope string

// Code scopes.
const (
	// Anywhere: the code has one reading in sample metadata.
	Anywhere CodeScope = "anywhere"
	// InSepsisCohort: the code is read only in a study that is a sepsis
	// cohort (see ClassifyCohort); elsewhere it is too ambiguous.
	InSepsisCohort CodeScope = "sepsis_cohort"
)

// GroupCode is an abbreviation studies use for a cohort in titles, source
// names and short characteristic values: "Hlty", "Seps_P", "Con001",
// "se/ARDS Day 0". Codes are read where no rule matches: group codes of
// scope Anywhere by Classify, the others by ClassifyCohort.
//
// Codes are matched against whole tokens, case-insensitively: a value is
// cut into runs of letters at underscores, hyphens, spaces, digits and
// punctuation, so "Inf1_P" holds the token "Inf" and "Con001" the token
// "Con". Only short values are read (at most four tokens of two letters or
// more): a sentence is not a code. A lowercase code between two spaces is
// a word of a phrase, not a code ("paciente con neumonía"). A code
// directly after "non" or "no" ("Non-Inf", "non_seps") says the opposite
// of a sepsis or infection code and reads as NO_SEPSIS. A control code is
// not read in a value that speaks of patients ("Patient_HC_2" may be a
// hydrocortisone arm).
type GroupCode struct {
	// Code is the abbreviation, letters only.
	Code string `yaml:"code"`
	// Label is what the code stands for. Infection codes have none.
	Label Label `yaml:"label"`
	// Scope says where the code may be trusted.
	Scope CodeScope `yaml:"scope"`
	// Infection marks a code for infection ("Inf", "infected"). Its label
	// depends on the cohort: inside a sepsis cohort that has a separate
	// sepsis arm it is that study's infection-without-sepsis arm
	// (NO_SEPSIS); inside a sepsis cohort that names no other illness arm
	// it is the sepsis arm (SEPSIS); anywhere else infection is not sepsis
	// and the code says nothing. Infection codes are always InSepsisCohort.
	Infection bool `yaml:"infection"`
	// Unless, if set, is a pattern (matched case-insensitively, underscores
	// read as spaces) of the code's other reading: when any value of the
	// sample's record, alone or after its key ("cell type: CTL"), matches
	// it, the code is not read ("HC" beside
	// "compound: hydrocortisone" is the hydrocortisone arm, not a healthy
	// control). For an infection code only the value holding the code is
	// matched ("urinary tract infection" is a diagnosis; "infection"
	// beside a diagnosis is still the study's infection arm).
	Unless string `yaml:"unless,omitempty"`
	// Reason says why the code means what it does; decisions quote it.
	Reason string `yaml:"reason"`
}

// DefaultGroupCodes returns the built-in lexicon of group codes. Each entry
// is a common abbreviation in clinical sample naming; entries that another
// common reading would contradict are left out, and that is said here:
//
//   - "SS": severe sepsis or septic shock (E-MTAB-1548 writes severe sepsis
//     "SS" and septic shock "SSs"/"SSd"), also Sjögren's syndrome.
//   - "NS": non-survivor (GSE95233 "Blood-NS_102_D01") or non-septic.
//   - "SV", "S", "NR", "R": outcomes and responses, not cohorts.
//   - "CS", "PC": control subject or cardiogenic shock, C-section;
//     patient control or positive control.
//   - "NI": non-infected or "not identified" (a pathogen field of a sepsis
//     patient).
//   - "HS": healthy subject or hidradenitis suppurativa.
//   - "untreated": untreated cells or patients, never a cohort by itself.
//   - "Sus" (suspected infection), "NEC", "Vir" (viral): infections or
//     conditions the labels leave UNKNOWN.
func DefaultGroupCodes() []GroupCode {
	return []GroupCode{
		// healthy controls
		{Code: "hlty", Label: Control, Scope: Anywhere, Reason: "abbreviation of healthy"},
		{Code: "hlthy", Label: Control, Scope: Anywhere, Reason: "abbreviation of healthy"},
		{Code: "hc", Label: Control, Scope: Anywhere, Unless: `\bhydrocortison`,
			Reason: "healthy control (GSE54514 group_day HC_D1); not in a record that names hydrocortisone, whose HC is the hydrocortisone arm, nor beside patient wording"},
		{Code: "hv", Label: Control, Scope: Anywhere, Reason: "healthy volunteer (GSE57065 Blood_HV01)"},
		{Code: "hd", Label: Control, Scope: InSepsisCohort, Unless: `dialy|\brenal\s+replacement|\bcrrt\b|\bhigh[\s-]+dose\b|\bhuntington|\bhodgkin`,
			Reason: "healthy donor (GSE64457 HD_21); also Huntington's or Hodgkin's disease, hence only in a sepsis cohort and not in a record that names dialysis, renal replacement, a high dose or either disease, nor beside patient wording"},
		{Code: "ctrl", Label: Control, Scope: Anywhere, Reason: "abbreviation of control"},
		{Code: "ctl", Label: Control, Scope: Anywhere, Unless: `\bcytotoxic\b|\bcell\s*types?\s*:\s*ctls?\b`,
			Reason: "abbreviation of control; not in a record that names cytotoxic T lymphocytes (cell type: CTL)"},
		{Code: "cntrl", Label: Control, Scope: Anywhere, Reason: "abbreviation of control"},
		{Code: "con", Label: Control, Scope: Anywhere, Reason: "abbreviation of control (GSE25504 Con001); not before \"A\" (Con A, concanavalin A)"},
		{Code: "cont", Label: Control, Scope: Anywhere, Reason: "abbreviation of control"},
		{Code: "contr", Label: Control, Scope: Anywhere, Reason: "abbreviation of control"},
		{Code: "nc", Label: Control, Scope: Anywhere, Unless: `\b(si|sh)[\s-]*nc\b|\b(sirna|shrna|sgrna)\b|\bnegative\s+control\b|\bneural\s+crest\b|\bnasal\s+cannula\w*|\b(oxygen|o2)(\s+(delivery|support|therapy|device))?\s*:\s*nc\b`,
			Reason: "normal control; not in a record that names an siRNA's negative control (si-NC), the neural crest or oxygen by nasal cannula"},
		{Code: "mock", Label: Control, Scope: Anywhere, Reason: "mock-infected or mock-treated: the control condition of an infection or stimulation study (GSE65088 infection: mock); not in a sample whose record names a patient, whose mock-treated cells are the patient's"},
		{Code: "sham", Label: Control, Scope: InSepsisCohort, Reason: "sham-operated or sham-treated: the control arm of an animal model of sepsis (caecal ligation and puncture against sham surgery); only in a sepsis cohort of animals (by the sample's organism or the study's text), since a sham arm of patients is a trial's placebo procedure (sham hemoperfusion), and not in a sample whose record names a patient"},
		// sepsis
		{Code: "seps", Label: Sepsis, Scope: Anywhere, Reason: "abbreviation of sepsis (GSE154918 Seps_P)"},
		{Code: "sepsi", Label: Sepsis, Scope: Anywhere, Reason: "abbreviation of sepsis"},
		{Code: "sep", Label: Sepsis, Scope: InSepsisCohort, Reason: "abbreviation of sepsis; also the month September, hence only in a sepsis cohort and never in a date"},
		{Code: "sept", Label: Sepsis, Scope: InSepsisCohort, Reason: "abbreviation of sepsis; also the month September, hence only in a sepsis cohort and never in a date"},
		{Code: "se", Label: Sepsis, Scope: InSepsisCohort, Reason: "abbreviation of sepsis in ICU cohort codes (GSE32707 se/ARDS: sepsis with ARDS); too short to trust outside a sepsis cohort"},
		{Code: "sp", Label: Sepsis, Scope: InSepsisCohort, Reason: "sepsis patient; also S. pneumoniae or sputum, hence only in a sepsis cohort"},
		{Code: "clp", Label: Sepsis, Scope: InSepsisCohort, Unless: `\bcleft|\bpalat|\blip\b`,
			Reason: "caecal ligation and puncture, the polymicrobial sepsis model (CLP_24h against Sham_24h); also cleft lip and palate, hence only in a sepsis cohort and not in a record that names a cleft"},
		{Code: "saki", Label: Sepsis, Scope: InSepsisCohort, Reason: "sepsis-associated acute kidney injury (S-AKI), a septic arm; also a given name, hence only in a sepsis cohort"},
		// septic shock
		{Code: "shock", Label: SepticShock, Scope: InSepsisCohort, Unless: `\b(heat|osmotic|hyperosmotic|oxidative|thermal|hypoxic|electric\w*|acid|endotoxi[nc]|spinal|insulin|cardiogenic|ha?emorrhagic|hypovola?emic|anaphylactic|obstructive|neurogenic|traumatic|non[\s-]*septic)[\s-]+shock\b`,
			Reason: "shock in a sepsis cohort is septic shock (GSE154918 Shock_P); elsewhere shock has other causes, and a record that names heat, osmotic or endotoxic shock is a stress or a model, and cardiogenic, haemorrhagic, hypovolaemic, anaphylactic or non-septic shock another illness (cold and warm shock are septic shock's phenotypes)"},
		{Code: "ssh", Label: SepticShock, Scope: InSepsisCohort, Reason: "abbreviation of septic shock"},
		{Code: "sshock", Label: SepticShock, Scope: InSepsisCohort, Reason: "abbreviation of septic shock"},
		// ill without sepsis
		{Code: "noninf", Label: NoSepsis, Scope: Anywhere, Reason: "non-infected"},
		{Code: "noninfected", Label: NoSepsis, Scope: Anywhere, Reason: "non-infected"},
		{Code: "uninf", Label: NoSepsis, Scope: Anywhere, Reason: "uninfected"},
		// infection: the cohort decides
		{Code: "inf", Infection: true, Scope: InSepsisCohort, Reason: "abbreviation of infected (GSE154918 Inf1_P, GSE25504 Inf012); also infant, hence only in a sepsis cohort"},
		{Code: "infected", Infection: true, Scope: InSepsisCohort, Unless: specificInfection,
			Reason: "an infection arm; not where the record names its site or pathogen (influenza-infected), a diagnosis that says nothing of sepsis"},
		{Code: "infection", Infection: true, Scope: InSepsisCohort, Unless: specificInfection,
			Reason: "an infection arm; not where the record names its site or pathogen (urinary tract infection), a diagnosis that says nothing of sepsis"},
	}
}

// specificInfection is the other reading of the infection codes: an
// infection named by its site or its pathogen ("urinary tract infection",
// "viral infection", "SARS-CoV-2 infection", "influenza-infected",
// "infected with RSV") is a diagnosis, which says nothing of sepsis, as
// "pneumonia" does not (UNKNOWN), not a study's infection-without-sepsis
// arm. Generic words before the code ("serious bacterial infection",
// "confirmed infection") leave it an arm.
const specificInfection = `\b(urinary(\s+tract)?|uti|(upper\s+|lower\s+)?respiratory(\s+tract)?|chest|lung|pulmonary|skin(\s+and)?(\s+soft\s+tissue)?|soft\s+tissue|wound|bone|joint|(intra-?)?abdominal|catheter(-related)?|device(-related)?|surgical\s+site|cns|ear|eye|viral|virus|fungal|parasitic|influenza|flu|rsv|hiv(-?1)?|cmv|ebv|hbv|hcv|hpv|sars-?cov-?2|covid(-?19)?|dengue|malaria|plasmodium|tb|tuberculosis|mycobacterial|helminth|(icu|hospital|community|ventilator)-?acquired|nosocomial|syncytial\s+virus|rhinovirus|adenovirus|enterovirus|norovirus|rotavirus|zika|ebola|herpes|staphylococcal|streptococcal|pneumococcal|meningococcal|aureus|coli|salmonella|pseudomonas|klebsiella|candida)[\s-]+infect(ion|ed)\b|\binfected\s+with\b`

// WithGroupCodes replaces DefaultGroupCodes; nil or empty reads no codes.
// A code that is empty or not letters only, a label that is not one of
// the five, an infection code with a label, an Unless pattern that does
// not compile or a code given twice makes New fail with
// IllnessInferenceFailed.
func WithGroupCodes(codes []GroupCode) Option {
	return func(c *Classifier) error {
		c.codes, c.codeUnless = map[string]GroupCode{}, map[string]*regexp.Regexp{}
		for i, gc := range codes {
			code := strings.ToLower(strings.TrimSpace(gc.Code))
			if code == "" || strings.IndexFunc(code, func(r rune) bool { return !unicode.IsLetter(r) }) >= 0 {
				return qc.Errorf(qc.IllnessInferenceFailed, "illness: group code %d (%q) must be letters only", i+1, gc.Code)
			}
			if _, dup := c.codes[code]; dup {
				return qc.Errorf(qc.IllnessInferenceFailed, "illness: group code %q is given twice", code)
			}
			switch {
			case gc.Infection && gc.Label != "":
				return qc.Errorf(qc.IllnessInferenceFailed, "illness: infection code %q takes its label from the cohort; it has none of its own", code)
			case gc.Infection:
				gc.Scope = InSepsisCohort
			default:
				l, err := ParseLabel(string(gc.Label))
				if err != nil {
					return qc.Wrap(qc.IllnessInferenceFailed, err, fmt.Sprintf("illness: group code %q", code))
				}
				gc.Label = l
			}
			switch gc.Scope {
			case "":
				gc.Scope = Anywhere
			case Anywhere, InSepsisCohort:
			default:
				return qc.Errorf(qc.IllnessInferenceFailed, "illness: group code %q has scope %q (want %q or %q)", code, gc.Scope, Anywhere, InSepsisCohort)
			}
			if gc.Unless != "" {
				re, err := regexp.Compile("(?i)" + gc.Unless)
				if err != nil {
					return qc.Wrap(qc.IllnessInferenceFailed, err, fmt.Sprintf("illness: group code %q: unless pattern", code))
				}
				c.codeUnless[code] = re
			}
			gc.Code = code
			c.codes[code] = gc
		}
		return nil
	}
}

// token is a run of letters in a value, with its byte offsets.
type token struct {
	text       string
	start, end int
}

// tokens cuts a value into runs of letters.
func tokens(v string) []token {
	var out []token
	start := -1
	for i, r := range v {
		if unicode.IsLetter(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = append(out, token{v[start:i], start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, token{v[start:], start, len(v)})
	}
	return out
}

// maxCodeWords is the most words (tokens of two letters or more) a value
// may hold to be read for codes: "se/ARDS Day 0" and "Sepsis gram-positive
// TP1" are codes, "Whole blood from patient with septicemic melioidosis" is
// a sentence.
const maxCodeWords = 4

var (
	// controlGuard marks a value that speaks of patients: a control code
	// in it may be a treatment ("Patient_HC_2": hydrocortisone).
	controlGuard = regexp.MustCompile(`(?i)\bpatients?\b|\bpts?\b|\bcases?\b|\b(non[- ]?)?survivors?\b|\bicu\b`)
	// dateLike marks a month abbreviation between day and year.
	dateLike = regexp.MustCompile(`(?i)\d\s*[-_/ .]\s*sept?\s*[-_/ .]\s*\d`)
	negators = map[string]bool{"non": true, "no": true}
	// hedges make an infection code they precede a suspicion ("Suspected
	// Infected Test Set", "possible serious bacterial infection"): a
	// patient suspected of infection is in no infection arm.
	hedges = map[string]bool{"suspected": true, "suspect": true, "possible": true, "probable": true, "presumed": true, "potential": true, "likely": true}
)

// patientRecord marks text that names a patient.
var patientRecord = regexp.MustCompile(`(?i)\bpatients?\d*\b|\b(non[- ]?)?survivors?\b|\bcritically[\s-]+ill\b`)

// namesPatient reports whether any of a sample's own texts names a patient;
// characteristics are read by value, and not under keys the classifier
// ignores ("patient id: 7" names no patient).
func (c *Classifier) namesPatient(s *metadata.Sample) bool {
	return c.recordSays(s, patientRecord, metadata.FieldTitle, metadata.FieldSourceName, metadata.FieldCharacteristics, metadata.FieldSubject, metadata.FieldDescription)
}

// recordSays reports whether re matches one of the values the sample
// holds in fields, underscores read as spaces, values under ignored
// characteristic keys aside.
func (c *Classifier) recordSays(s *metadata.Sample, re *regexp.Regexp, fields ...string) bool {
	for _, field := range fields {
		for _, v := range c.values(s, field) {
			if !v.ignored && re.MatchString(spaced(v.text)) {
				return true
			}
		}
	}
	return false
}

// readsCode reports whether a code found in one of a sample's values
// reads as its group: not a mock or sham condition in a patient's record
// (the patient's cells, a trial's placebo procedure), nor a code whose other reading the record names.
func (c *Classifier) readsCode(s *metadata.Sample, m *codeMatch) bool {
	if (m.code.Code == "mock" || m.code.Code == "sham") && c.namesPatient(s) {
		return false
	}
	if m.code.Infection {
		// An infection code's other reading is of its own value: "group:
		// infection" beside "diagnosis: urinary tract infection" is the
		// study's infection arm, the diagnosis a detail of it.
		return !c.valueReading(m)
	}
	return !c.otherReading(s, m.code.Code)
}

// valueReading reports whether the value holding a code, alone or after
// its key, names the code's other reading (GroupCode.Unless).
func (c *Classifier) valueReading(m *codeMatch) bool {
	re := c.codeUnless[m.code.Code]
	if re == nil {
		return false
	}
	return re.MatchString(spaced(m.shown)) || (m.key != "" && re.MatchString(spaced(m.key+": "+m.shown)))
}

// otherReading reports whether the sample's record names the code's other
// reading (GroupCode.Unless) in any of its values.
func (c *Classifier) otherReading(s *metadata.Sample, code string) bool {
	re := c.codeUnless[code]
	if re == nil {
		return false
	}
	if re.MatchString(spaced(s.Title)) {
		return true
	}
	for _, a := range s.Annotations {
		if re.MatchString(spaced(a.Value)) || (a.Key != "" && re.MatchString(spaced(a.Key+": "+a.Value))) {
			return true
		}
	}
	for _, v := range []string{s.Treatment, s.Compound, s.Subject, s.Disease} {
		if re.MatchString(spaced(v)) {
			return true
		}
	}
	return false
}

// codeMatch is a group code found in one value of one field.
type codeMatch struct {
	code    GroupCode
	label   Label // the code's label, or NO_SEPSIS when negated; "" for an infection code
	field   string
	matched string // as written, "Non-Inf" for a negated code
	shown   string // the whole value, as decisions show it
	key     string // the value's characteristic key, if any
}

// findCode returns the first field, in the classifier's order, whose values
// hold a group code of the given scope, and the code. A value in which
// codes of two labels are found says several cohorts and is skipped.
func (c *Classifier) findCode(s *metadata.Sample, scope CodeScope) *codeMatch {
	return c.findCodeIn(s, s, scope)
}

// findCodeIn is findCode over the values of vals, each code checked
// against the whole record (readsCode): vals may be part of it (the values
// of ignored keys, decideIgnored), and "HC" beside "compound:
// hydrocortisone" elsewhere in the record is still no healthy control.
func (c *Classifier) findCodeIn(vals, record *metadata.Sample, scope CodeScope) *codeMatch {
	for _, field := range c.fields {
		for _, v := range c.values(vals, field) {
			if v.ignored {
				continue
			}
			if m := c.codeIn(v, scope); m != nil {
				if !c.readsCode(record, m) {
					continue
				}
				if c.namesCohorts(field, v) {
					// The rules read the value and found several cohorts
					// in it ("severe sepsis/septic shock"): a code in it
					// is one of them, not the sample's group.
					continue
				}
				m.field = field
				return m
			}
		}
	}
	return nil
}

// namesCohorts reports whether the labelling rules find several cohorts
// in a value (Classifier.isMixed).
func (c *Classifier) namesCohorts(field string, v value) bool {
	return c.isMixed(metadata.FieldKey(field), v, newMatchText(v.text))
}

// codeIn returns the code of the given scope a value holds, or nil.
func (c *Classifier) codeIn(v value, scope CodeScope) *codeMatch {
	if len(c.codes) == 0 {
		return nil
	}
	toks := tokens(v.text)
	words := 0
	for _, t := range toks {
		if len([]rune(t.text)) > 1 {
			words++
		}
	}
	if words == 0 || words > maxCodeWords {
		return nil
	}
	var found *codeMatch
	for i, t := range toks {
		gc, ok := c.codes[strings.ToLower(t.text)]
		if !ok || gc.Scope != scope || isPhraseWord(v.text, t) {
			continue
		}
		m := &codeMatch{code: gc, label: gc.Label, matched: t.text, shown: v.shown, key: v.key}
		if i > 0 && negators[strings.ToLower(toks[i-1].text)] && onlySeparators(v.text[toks[i-1].end:t.start]) {
			if gc.Label != Sepsis && !gc.Infection {
				continue // "non-shock" may be sepsis without shock; "non-control" says nothing
			}
			m.label, m.matched = NoSepsis, v.text[toks[i-1].start:t.end]
		}
		switch {
		case m.label == Control && controlGuard.MatchString(spaced(v.text)):
			continue
		case gc.Infection && hedgedBefore(toks[:i]):
			continue
		case (gc.Code == "sep" || gc.Code == "sept") && dateLike.MatchString(v.text):
			continue
		case gc.Code == "con" && i+1 < len(toks) && toks[i+1].text == "A":
			continue
		}
		if found != nil && (found.label != m.label || found.code.Infection != m.code.Infection) {
			return nil
		}
		if found == nil {
			found = m
		}
	}
	return found
}

// hedgedBefore reports whether a hedge comes before an infection code in
// its value ("Suspected Infected", "possible serious bacterial
// infection"): the value is a suspicion, not an infection arm.
func hedgedBefore(toks []token) bool {
	for _, t := range toks {
		if hedges[strings.ToLower(t.text)] {
			return true
		}
	}
	return false
}

// isPhraseWord reports whether a token is a lowercase word between two
// spaces: a word of a phrase ("paciente con neumonía"), not a code.
func isPhraseWord(v string, t token) bool {
	return t.start > 0 && t.end < len(v) && v[t.start-1] == ' ' && v[t.end] == ' ' && strings.ToLower(t.text) == t.text
}

func onlySeparators(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r != ' ' && r != '-' && r != '_' && r != '/' }) < 0
}

// decision is the decision a code makes under rule, with label; cohort
// names the cohort evidence it needed, if any.
func (m *codeMatch) decision(rule string, label Label, cohort string) Decision {
	ev := fmt.Sprintf("group code %q: %s", m.code.Code, m.code.Reason)
	if m.label == NoSepsis && m.code.Label != NoSepsis {
		ev = fmt.Sprintf("group code %q negated: %s", m.code.Code, m.code.Reason)
	}
	if cohort != "" {
		ev += "; " + cohort
	}
	return Decision{Label: label, Method: MethodRule, Rule: rule, Field: m.field, Matched: m.matched, Value: m.shown, Key: m.key, Evidence: ev}
}
