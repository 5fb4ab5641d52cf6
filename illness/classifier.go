package illness

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/qc"
)

// Rule maps text matching Pattern in one of Fields to Label.
type Rule struct {
	// Name identifies the rule in decisions and in the warehouse; names are
	// unique.
	Name string `yaml:"name"`
	// Label is what the rule assigns. It may be UNKNOWN, for a rule that
	// says a sample is in no group (a sample its study excluded from
	// analysis): the sample is then UNKNOWN by that rule, and a value such
	// a rule matches is never read as naming several cohorts.
	Label Label `yaml:"label"`
	// Priority orders rules within a field: lower first. Rules with equal
	// priority keep their configured order. It decides between rules that
	// match different values of the field, or overlapping text of one
	// value; it does not decide within one value that rules of two
	// different labels match at separate places ("Kidney
	// marrow_Control-zebrafish_4" read by a SEPSIS rule for "kidney" and a
	// CONTROL rule for "control"). Such a value names several cohorts and
	// is skipped whatever the priorities (see WithMixedValues); the next
	// value or field decides, else the sample is UNKNOWN. To let one
	// label win there, give the other rule an Exclude that matches the
	// value, or add a rule of lower Priority whose pattern spans both
	// places ("kidney marrow.control"): an overlapping match is not a
	// second cohort.
	Priority int `yaml:"priority"`
	// Pattern is a Go regular expression, matched case-insensitively with
	// underscores in the text read as spaces. For a characteristic it is
	// matched against the value, not the key.
	Pattern string `yaml:"pattern"`
	// Exclude, if set, vetoes the rule on a value it also matches (for
	// example "healthy" on a rule for "uninfected").
	Exclude string `yaml:"exclude"`
	// Fields restricts the rule to these fields; empty means every field
	// the classifier reads. A rule reads a field only when it is one of
	// the classifier's fields (New), written the same way, case aside;
	// a rule's "characteristic:KEY" is read in the classifier's
	// "characteristics" too, which then gives the rule the characteristics
	// keyed KEY and no others.
	// Field names are open-ended, so a misspelt one is no error: it holds
	// no value, and a pipeline run warns when a configured field held no
	// value in any of its samples. The names:
	//   - "title": refine.bio's title and the submitter's titles;
	//     "source_name", "description": the submitter's source names and
	//     sample descriptions;
	//   - refine.bio's sample fields, with or without the "refinebio_"
	//     prefix: "disease", "disease_stage", "subject", "treatment",
	//     "specimen_part", "cell_line", "compound", "time", "sex", "age",
	//     "race", "organism", "platform", "genetic_information",
	//     "developmental_stage" and the others metadata.Sample.Values
	//     lists;
	//   - "characteristics": every characteristic (GEO
	//     characteristics_ch1, ArrayExpress Characteristics[…]), key and
	//     value;
	//   - "characteristic:KEY": the characteristics keyed KEY as the sample
	//     sheet writes it ("characteristic:disease state" for "disease
	//     state: septic shock"), case ignored and underscores read as
	//     spaces in the sheet's key;
	//   - any other name: the sample's annotations with that key.
	Fields []string `yaml:"fields"`
	// Keys, if set, is a regular expression the characteristic's key must
	// match (case-insensitive, underscores read as spaces); the rule then
	// reads only keyed characteristics. It lets a rule read a study's own
	// code values ("abdominal_sepsis_and_controls: abdo_s") without
	// matching the same codes elsewhere. A rule with Keys also reads keys
	// the classifier otherwise ignores.
	Keys string `yaml:"keys"`
	// Refines, if set, makes the rule one that only refines: it labels a
	// sample only when another rule has labeled it Refines, never alone
	// ("shock: 1" makes a SEPSIS sample SEPTIC_SHOCK, and says nothing of
	// a sample no rule calls septic). The decision names the refining
	// rule, and as Evidence the one it refines.
	Refines Label `yaml:"refines,omitempty"`
	// RefinesMatch, with Refines, narrows the decisions the rule refines
	// to those whose matched text it matches (case-insensitive): a SIRS
	// patient's NO_SEPSIS, not a trauma patient's, is made SEPSIS by an
	// infection flag beside it.
	RefinesMatch string `yaml:"refines_match,omitempty"`
	// Description says what the rule is for.
	Description string `yaml:"description"`
}

type compiled struct {
	Rule
	re, exclude, keys *regexp.Regexp
	refinesMatch      *regexp.Regexp
	fields            map[string]bool
	// charKeys are the keys of the rule's "characteristic:KEY" fields: in
	// the classifier's "characteristics" field the rule reads the
	// characteristics of those keys, as it does in their own fields.
	charKeys []string
	// pre rules out, cheaply, values re cannot match.
	pre prefilter
}

// Classifier is the rule-based IllnessClassifier.
//
// It reads fields in the configured order, most reliable first, and within
// one field tries the rules by priority over all of the field's values: the
// first field in which any rule matches decides, and within it the rule of
// highest priority. Field-major order keeps the submitter's structured
// annotation ahead of a free-text title; rule-major order inside a field
// keeps one stray value (a "control" siRNA) from outvoting "septic shock"
// written in the same field.
//
// Make one with New or Default: a nil *Classifier classifies as Default
// does, and a zero Classifier{} has no rules and labels every sample
// UNKNOWN. A Classifier is safe for concurrent use.
type Classifier struct {
	fields       []string
	rules        []compiled
	overrides    map[string]Label
	ignoredKeys  *regexp.Regexp
	studyContext bool
	keepMixed    bool
	codes        map[string]GroupCode
	codeUnless   map[string]*regexp.Regexp // GroupCode.Unless, compiled
	cohortOff    map[string]bool

	// keysSeen remembers, per characteristic key, what keyOf says of it: a
	// study repeats its few keys in every sample, and the patterns are
	// long. keysCount bounds it (see keyOf).
	keysSeen  sync.Map
	keysCount atomic.Int64
}

// maxKeysSeen bounds how many keys keysSeen remembers, so that metadata
// with ever new keys cannot grow it without end.
const maxKeysSeen = 4096

// keyFacts is what the classifier knows of a characteristic key.
type keyFacts struct {
	ignored bool // the rules without Keys do not read it (WithIgnoredKeys)
	keyed   bool // a rule with Keys reads it, and so knows what its digits mean
	// measurement: the key names a measurement (measurementKey), not an
	// illness nor a diagnosis, and no rule reads it; instrument: it names
	// an analyte, a test or an image (instrumentKey), not a result in
	// general; past: the key names the patient's past (pastKey) and no
	// rule reads it. See flag.
	measurement, instrument, past bool
}

// keyOf returns what the classifier knows of a characteristic key.
func (c *Classifier) keyOf(key string) keyFacts {
	if v, ok := c.keysSeen.Load(key); ok {
		return v.(keyFacts)
	}
	sp := spaced(key)
	var f keyFacts
	f.ignored = c.ignoredKeys != nil && c.ignoredKeys.MatchString(sp)
	for i := range c.rules {
		if k := c.rules[i].keys; k != nil && k.MatchString(sp) {
			f.keyed = true
			break
		}
	}
	f.instrument = !f.keyed && instrumentKey.MatchString(sp) && !illnessKey.MatchString(sp)
	f.measurement = f.instrument || !f.keyed && measurementKey.MatchString(sp) && !illnessKey.MatchString(sp) && !diagnosticKey.MatchString(sp)
	f.past = !f.keyed && pastKey.MatchString(sp) && !presentIllness.MatchString(sp)
	if c.keysCount.Load() < maxKeysSeen {
		if _, loaded := c.keysSeen.LoadOrStore(key, f); !loaded {
			c.keysCount.Add(1)
		}
	}
	return f
}

// ignored reports whether a characteristic key is one the rules without
// Keys do not read (WithIgnoredKeys).
func (c *Classifier) ignored(key string) bool { return c.keyOf(key).ignored }

// Option configures a Classifier beyond its rules, fields and overrides.
type Option func(*Classifier) error

// WithIgnoredKeys replaces DefaultIgnoredKeys: characteristics whose key
// matches pattern (case-insensitive, underscores read as spaces) are not
// read by rules without Keys. An empty pattern ignores no key. A bad
// pattern makes New fail with IllnessInferenceFailed.
func WithIgnoredKeys(pattern string) Option {
	return func(c *Classifier) error {
		if pattern == "" {
			c.ignoredKeys = nil
			return nil
		}
		re, err := regexp.Compile("(?i)" + pattern)
		if err != nil {
			return qc.Wrap(qc.IllnessInferenceFailed, err, fmt.Sprintf("illness: bad ignored-keys pattern %q", pattern))
		}
		c.ignoredKeys = re
		return nil
	}
}

// WithMixedValues turns off (keep true) or on (keep false, the default)
// the guard against values that name several cohorts at once.
//
// Many submitters copy one study-wide sentence into every sample ("Whole
// blood from normal children and children with SIRS, sepsis, or septic
// shock.", "blood gene expression data from healthy subjects and
// critically-ill patients."). Such a value says which cohorts the study
// has, not which one the sample belongs to. With the guard on, a value in
// which rules of two different labels match at separate places, or a
// control rule matches beside patient wording ("patients", "critically
// ill"), is skipped and the next value or field decides.
func WithMixedValues(keep bool) Option {
	return func(c *Classifier) error {
		c.keepMixed = keep
		return nil
	}
}

// New builds a classifier. rules are used as given, nil meaning none (pass
// DefaultRules for the built-in ones). fields lists the metadata fields to
// read, most reliable first (Rule.Fields lists the names; "characteristics"
// reads every characteristic as key and value); nil means DefaultFields.
// overrides maps sample accessions to labels and wins over every rule.
//
// An unusable configuration (an empty or invalid pattern, one that matches
// empty text, an unknown label, two rules with one name, an empty field
// name, Keys on a rule whose Fields hold no characteristics, a rule of
// UNKNOWN that reads the description alone, one sample overridden with two
// labels) is a *qc.Error with code IllnessInferenceFailed naming the rule
// or the sample.
func New(rules []Rule, fields []string, overrides map[string]Label, opts ...Option) (*Classifier, error) {
	if fields == nil {
		fields = DefaultFields()
	}
	c := &Classifier{overrides: map[string]Label{}, ignoredKeys: regexp.MustCompile("(?i)" + DefaultIgnoredKeys()), studyContext: true}
	for i, f := range fields {
		if strings.TrimSpace(f) == "" {
			return nil, qc.Errorf(qc.IllnessInferenceFailed, "illness: field %d is empty", i+1)
		}
		c.fields = append(c.fields, strings.TrimSpace(f))
	}
	ov, err := parseOverrides(overrides)
	if err != nil {
		return nil, err
	}
	c.overrides = ov
	seen := map[string]bool{}
	for i, r := range rules {
		r.Name = strings.TrimSpace(r.Name)
		if r.Name == "" {
			r.Name = fmt.Sprintf("rule%d", i+1)
		}
		if seen[r.Name] {
			return nil, qc.Errorf(qc.IllnessInferenceFailed, "illness: two rules are named %q", r.Name)
		}
		seen[r.Name] = true
		cr, err := compileRule(r)
		if err != nil {
			return nil, err
		}
		c.rules = append(c.rules, cr)
	}
	sort.SliceStable(c.rules, func(i, j int) bool { return c.rules[i].Priority < c.rules[j].Priority })
	if err := WithGroupCodes(DefaultGroupCodes())(c); err != nil {
		return nil, err
	}
	for i, o := range opts {
		if o == nil {
			return nil, qc.Errorf(qc.ConfigInvalid, "illness: option %d of New is nil", i+1)
		}
		if err := o(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func compileRule(r Rule) (compiled, error) {
	fail := func(err error, format string, args ...any) (compiled, error) {
		return compiled{}, qc.Wrap(qc.IllnessInferenceFailed, err, fmt.Sprintf("illness rule %s: ", r.Name)+fmt.Sprintf(format, args...))
	}
	l, err := ParseLabel(string(r.Label))
	if err != nil {
		return fail(err, "bad label")
	}
	r.Label = l
	if r.Refines != "" {
		if r.Refines, err = ParseLabel(string(r.Refines)); err != nil {
			return fail(err, "bad label to refine")
		}
		if r.Refines == r.Label {
			return fail(nil, "refines its own label %s", r.Label)
		}
		if r.Refines == Unknown {
			return fail(nil, "refines UNKNOWN, which is no label to refine: a rule that labels alone does that")
		}
	}
	cr := compiled{Rule: r}
	if r.RefinesMatch != "" {
		if r.Refines == "" {
			return fail(nil, "has refines_match but refines no label (refines_match narrows what a refining rule refines)")
		}
		if cr.refinesMatch, err = regexp.Compile("(?i)" + r.RefinesMatch); err != nil {
			return fail(err, "bad refines_match pattern %q", r.RefinesMatch)
		}
	}
	if strings.TrimSpace(r.Pattern) == "" {
		return fail(nil, "empty pattern")
	}
	if cr.re, err = regexp.Compile("(?i)" + r.Pattern); err != nil {
		return fail(err, "bad pattern %q", r.Pattern)
	}
	if cr.re.MatchString("") {
		// it would label every sample, matching nothing
		return fail(nil, "pattern %q matches empty text", r.Pattern)
	}
	cr.pre = newPrefilter(r.Pattern)
	if r.Exclude != "" {
		if cr.exclude, err = regexp.Compile("(?i)" + r.Exclude); err != nil {
			return fail(err, "bad exclude pattern %q", r.Exclude)
		}
	}
	if r.Keys != "" {
		if cr.keys, err = regexp.Compile("(?i)" + r.Keys); err != nil {
			return fail(err, "bad keys pattern %q", r.Keys)
		}
	}
	if len(r.Fields) > 0 {
		cr.fields = map[string]bool{}
		characteristics, description := false, false
		for _, f := range r.Fields {
			if strings.TrimSpace(f) == "" {
				return fail(nil, "empty field name")
			}
			k := metadata.FieldKey(f)
			cr.fields[k] = true
			if key, ok := strings.CutPrefix(k, metadata.FieldCharacteristicPrefix); ok {
				cr.charKeys = append(cr.charKeys, key)
			}
			characteristics = characteristics || k == metadata.FieldCharacteristics || strings.HasPrefix(k, metadata.FieldCharacteristicPrefix)
			description = description || k == metadata.FieldDescription
		}
		// Configurations that would be accepted and never label a sample:
		if r.Keys != "" && !characteristics {
			return fail(nil, "keys %q name characteristic keys, but its fields (%s) hold no characteristics", r.Keys, strings.Join(r.Fields, ", "))
		}
		if r.Label == Unknown && description && len(cr.fields) == 1 {
			return fail(nil, "labels UNKNOWN from the description alone, which rules of UNKNOWN never read (a description is free text, often of the study)")
		}
	}
	return cr, nil
}

// Default returns the classifier with DefaultRules, DefaultFields,
// DefaultIgnoredKeys and no overrides.
func Default() *Classifier {
	c, err := New(DefaultRules(), nil, nil)
	if err != nil {
		panic("illness: default rules do not compile: " + err.Error())
	}
	return c
}

// shared is Default, compiled once, for the methods of a nil *Classifier.
var shared = sync.OnceValue(Default)

// orDefault is c, or for a nil c the default classifier: a nil *Classifier
// classifies as Default does, as Overridden and Decide document.
func (c *Classifier) orDefault() *Classifier {
	if c == nil {
		return shared()
	}
	return c
}

// value is one text a field holds, ready for matching.
type value struct {
	key     string // the characteristic's key; "" for other fields
	keyed   bool   // a keyed characteristic
	ignored bool   // its key is one the classifier ignores
	text    string // what patterns read: the value, or the key of a yes-valued flag
	shown   string // what the decision reports as Value
}

// Classify implements IllnessClassifier. It never panics, whatever the
// sample holds; a nil sample is UNKNOWN.
//
// A label is looked at once more when another field of the same sample is
// more specific: a sample decided SEPSIS whose other fields say septic
// shock (E-MTAB-1548: "disease: sepsis" beside "clinical information:
// septic shock survivor") is SEPTIC_SHOCK, and a sample decided CONTROL
// whose other fields say it is ill without sepsis (GSE13015: "Illness:
// Control/type 2 diabetes" beside "Whole blood from non-infected patient
// with type 2 diabetes") is NO_SEPSIS: "control" says the sample's role in
// the study, the other field its condition. The decision names the more
// specific text and, as Evidence, the decision it refines.
//
// When no rule matches, a group code that needs no cohort to be read
// ("Hlty", "Con001", "Seps_P"; see GroupCode) decides, with rule
// RuleGroupCode. A rule that labels UNKNOWN (a sample excluded from
// analysis, or mixed from several people) outranks every field, and a
// rule that only refines (Rule.Refines) then relabels the decision,
// however it was reached.
func (c *Classifier) Classify(s *metadata.Sample) Decision {
	return c.orDefault().classify(plainSample(s))
}

// classify is Classify of a sample whose text is already plain
// (plainSample).
func (c *Classifier) classify(s *metadata.Sample) Decision {
	if s == nil {
		return Decision{Label: Unknown, Method: MethodDefault}
	}
	if l, ok := c.overrides[strings.TrimSpace(s.Accession)]; ok {
		return overrideDecision(s.Accession, l)
	}
	// A rule that puts the sample in no group (excluded from analysis,
	// mixed from several people) outranks what any field says of it.
	for _, field := range c.fields {
		if metadata.FieldKey(field) == metadata.FieldDescription {
			continue // free text, often of the study ("low RIN samples were excluded from analysis")
		}
		if _, d := c.decideField(s, field, inNoGroup); d != nil {
			return *d
		}
	}
	var first *Decision
	for _, field := range c.fields {
		_, d := c.decideField(s, field, labelsAlone)
		if d == nil {
			continue
		}
		if first == nil {
			first = d
			if first.Label != Sepsis && first.Label != Control {
				break
			}
			continue
		}
		if (first.Label == Sepsis && d.Label == SepticShock) || (first.Label == Control && d.Label == NoSepsis) {
			d.Evidence = refinesEvidence(*first)
			return c.refine(s, *d)
		}
	}
	if first == nil {
		first = c.codeDecision(s)
	}
	if first == nil {
		first = c.decideIgnored(s)
	}
	if first == nil {
		return Decision{Label: Unknown, Method: MethodDefault}
	}
	return c.refine(s, *first)
}

// decideIgnored is the last resort of a sample nothing else labels: the
// values of its characteristics under keys the classifier ignores, read by
// the labelling rules and then for group codes. A key is ignored for what
// it usually holds (a day, an identifier, an outcome), but some studies
// put the group there too: "group_day: SepticShock_D0", "subject: healthy
// control", "survival status: septic shock - died". The decision names the
// key and says it was ignored.
func (c *Classifier) decideIgnored(s *metadata.Sample) *Decision {
	if !slices.ContainsFunc(c.fields, func(f string) bool { return metadata.FieldKey(f) == metadata.FieldCharacteristics }) {
		return nil
	}
	var tmp metadata.Sample
	var keys []string
	for _, a := range s.Annotations {
		key := strings.TrimSpace(a.Key)
		if !a.Characteristic || key == "" || strings.TrimSpace(a.Value) == "" || !c.ignored(key) || c.flag(key, a.Value) != flagNeither {
			continue
		}
		tmp.Annotations = append(tmp.Annotations, metadata.Annotation{Value: a.Value, Characteristic: true})
		keys = append(keys, key)
	}
	if len(keys) == 0 {
		return nil
	}
	_, d := c.decideField(&tmp, metadata.FieldCharacteristics, labelsAlone)
	if d == nil {
		d = c.codeDecisionIn(&tmp, s)
	}
	if d == nil {
		return nil
	}
	for i, a := range tmp.Annotations {
		if strings.TrimSpace(a.Value) == d.Value {
			d.Key, d.Value = keys[i], keys[i]+": "+d.Value
			break
		}
	}
	note := fmt.Sprintf("read under %q, a key the classifier ignores, since no other field labels the sample", d.Key)
	if d.Evidence != "" {
		note = d.Evidence + "; " + note
	}
	d.Evidence = note
	return d
}

// codeDecision is the decision of the first group code of scope Anywhere
// the sample holds (RuleGroupCode), nil when it holds none.
func (c *Classifier) codeDecision(s *metadata.Sample) *Decision {
	return c.codeDecisionIn(s, s)
}

// codeDecisionIn is codeDecision over the values of vals, part of record
// (findCodeIn).
func (c *Classifier) codeDecisionIn(vals, record *metadata.Sample) *Decision {
	m := c.findCodeIn(vals, record, Anywhere)
	if m == nil {
		return nil
	}
	d := m.decision(RuleGroupCode, m.label, "")
	return &d
}

// refine returns d as a rule that only refines d's label (Rule.Refines)
// relabels it, or d when none matches.
func (c *Classifier) refine(s *metadata.Sample, d Decision) Decision {
	if d.Label == Unknown {
		return d
	}
	for _, field := range c.fields {
		if _, r := c.decideField(s, field, refining(d)); r != nil {
			if c.denies(s, r.Label) {
				// "shock: yes" beside "septic shock: no": the record says
				// which shock it is not
				return d
			}
			r.Evidence = refinesEvidence(d)
			return *r
		}
	}
	return d
}

// refinesEvidence is the Evidence of a decision that refines d, keeping
// d's own evidence (the study text or the other sample a cohort rule
// needed).
func refinesEvidence(d Decision) string {
	ev := fmt.Sprintf("refines %s: rule %s matched %q in %s", d.Label, d.Rule, d.Matched, d.Where())
	if d.Evidence != "" {
		ev += " (" + d.Evidence + ")"
	}
	return ev
}

// ruleSet picks the rules a pass of decideField tries.
type ruleSet func(r *compiled) bool

var (
	// labelsAlone: the rules that label a sample by themselves.
	labelsAlone ruleSet = func(r *compiled) bool { return r.Refines == "" && r.Label != Unknown }
	// inNoGroup: the rules that say a sample is in no group.
	inNoGroup ruleSet = func(r *compiled) bool { return r.Refines == "" && r.Label == Unknown }
)

// refining: the rules that refine d (its label, and its matched text
// where a rule says which it refines).
func refining(d Decision) ruleSet {
	return func(r *compiled) bool {
		return r.Refines == d.Label && (r.refinesMatch == nil || r.refinesMatch.MatchString(d.Matched))
	}
}

// decideField returns, for one field, the match of the rule of highest
// priority among those set picks over all of the field's values (nil if
// none), and that rule. Within a field, values that name several cohorts
// are skipped (see WithMixedValues).
func (c *Classifier) decideField(s *metadata.Sample, field string, set ruleSet) (*compiled, *Decision) {
	vals := c.values(s, field)
	if len(vals) == 0 {
		return nil, nil
	}
	nf := metadata.FieldKey(field)
	texts := make([]matchText, len(vals))
	for j, v := range vals {
		texts[j] = newMatchText(v.text)
	}
	labels := make([]map[Label]bool, len(vals)) // what each value names, read once it is needed
	labelsOf := func(j int) map[Label]bool {
		if labels[j] == nil {
			labels[j] = c.valueLabels(nf, vals[j], texts[j])
		}
		return labels[j]
	}
	for i := range c.rules {
		r := &c.rules[i]
		if !r.reads(nf) || !set(r) {
			continue
		}
		for j, v := range vals {
			if !r.pre.mayMatch(texts[j].lower, texts[j].ascii) || !r.admits(nf, v) {
				continue
			}
			text := texts[j].text
			loc := r.re.FindStringIndex(text)
			if loc == nil || (r.exclude != nil && r.exclude.MatchString(text)) {
				continue
			}
			if r.Label == Sepsis && criteriaOnly(text, [][]int{loc}) && criteriaOnly(text, r.re.FindAllStringIndex(text, -1)) && len(labelsOf(j)) > 0 {
				// "SIRS (Sepsis-2 criteria)": the sepsis named is the
				// definition applied; the value's other label decides
				continue
			}
			// A rule that labels UNKNOWN (a sample its study excluded)
			// says the value names no cohort: it is never mixed.
			if !c.keepMixed && r.Label != Unknown && mixedLabels(labelsOf(j), text) {
				continue
			}
			return r, &Decision{Label: r.Label, Method: MethodRule, Rule: r.Name, Field: field,
				Matched: v.text[loc[0]:loc[1]], Value: v.shown, Key: v.key}
		}
	}
	return nil, nil
}

// matchText is a value as the rules read it (underscores as spaces), with
// its lower-cased form for the prefilters.
type matchText struct {
	text, lower string
	ascii       bool
}

func newMatchText(v string) matchText {
	t := matchText{text: spaced(v)}
	t.lower, t.ascii = lowerASCII(t.text)
	return t
}

// reads reports whether the rule reads the (normalised) field: one of its
// fields, or "characteristics" for a rule that names characteristics by
// key (see admits).
func (r *compiled) reads(field string) bool {
	return r.fields == nil || r.fields[field] || field == metadata.FieldCharacteristics && len(r.charKeys) > 0
}

// admits reports whether the rule reads the value of field: a rule with
// Keys reads only characteristics whose key it names, any other rule every
// value whose key is not ignored. In "characteristics", a rule that does
// not read that field whole reads only the characteristics its
// "characteristic:KEY" fields name, ignored keys included, as it reads
// them in those fields.
func (r *compiled) admits(field string, v value) bool {
	if field == metadata.FieldCharacteristics && r.fields != nil && !r.fields[field] {
		if !v.keyed || !slices.ContainsFunc(r.charKeys, func(k string) bool { return metadata.SameKey(k, v.key) }) {
			return false
		}
		return r.keys == nil || r.keys.MatchString(spaced(v.key))
	}
	if r.keys != nil {
		return v.keyed && r.keys.MatchString(spaced(v.key))
	}
	return !v.ignored
}

// illnessContext is an injury or an operation, which beside sepsis says
// where it arose ("septic burn patient", "sepsis after polytrauma",
// "post-operative sepsis"), not a second cohort.
var illnessContext = regexp.MustCompile(`(?i)^((poly)?trauma|burns?(\s+(injury|injuries|patients?|wounds?))?|post[- ]?(surgical|operative|surgery|op)\d*)$`)

// patientWords mark a value that speaks of patients; beside a control
// rule's match they make the value an enumeration of cohorts.
var patientWords = regexp.MustCompile(`(?i)\bpatients?\b|\bcritically[\s-]+ill\b`)

// isMixed reports whether rules of two different labels match the value at
// places that do not overlap, or a control rule matches beside patient
// wording (valueLabels, mixedLabels).
func (c *Classifier) isMixed(field string, v value, mt matchText) bool {
	return mixedLabels(c.valueLabels(field, v, mt), mt.text)
}

// mixedLabels reports whether a value's labels (valueLabels) name several
// cohorts: two labels, or a control beside patient wording.
func mixedLabels(labels map[Label]bool, text string) bool {
	return len(labels) > 1 || labels[Control] && patientWords.MatchString(text)
}

// valueLabels returns the labels the rules that label alone find in the
// value at places that do not overlap. Rules are taken by priority, so
// "non-septic shock" is one NO_SEPSIS match, not also a septic one; a
// definition's name ("Sepsis-3") is no label, and an illness that only
// says where sepsis arose ("post-operative") is NO_SEPSIS only where no
// sepsis is named.
func (c *Classifier) valueLabels(field string, v value, mt matchText) map[Label]bool {
	text := mt.text
	var spans [][2]int
	labels := map[Label]bool{}
	context := false // a NO_SEPSIS match that only says where sepsis arose
	for i := range c.rules {
		r := &c.rules[i]
		if r.Refines != "" || !r.reads(field) || !r.pre.mayMatch(mt.lower, mt.ascii) || !r.admits(field, v) {
			continue
		}
		locs := r.re.FindAllStringIndex(text, -1)
		if len(locs) == 0 || (r.exclude != nil && r.exclude.MatchString(text)) {
			continue
		}
	next:
		for _, loc := range locs {
			for _, sp := range spans {
				if loc[0] < sp[1] && sp[0] < loc[1] {
					continue next
				}
			}
			spans = append(spans, [2]int{loc[0], loc[1]})
			if r.Label == NoSepsis && illnessContext.MatchString(text[loc[0]:loc[1]]) {
				context = true
				continue
			}
			if r.Label == Sepsis && criteriaOnly(text, [][]int{loc}) {
				continue // a definition's name: "septic shock (Sepsis-3)" is one cohort
			}
			labels[r.Label] = true
		}
	}
	if context && !labels[Sepsis] && !labels[SepticShock] {
		labels[NoSepsis] = true
	}
	return labels
}

// criteriaVersion follows "sepsis" where it names the definition applied.
var criteriaVersion = regexp.MustCompile(`^[\s-]?[123](\.0)?\b`)

// criteriaOnly reports whether every match in locs is the bare word
// "sepsis" followed by a definition's version number ("Sepsis-3"), and
// there is one: the value names sepsis only as the criteria its group was
// decided by.
func criteriaOnly(text string, locs [][]int) bool {
	for _, l := range locs {
		if !strings.EqualFold(text[l[0]:l[1]], "sepsis") || !criteriaVersion.MatchString(text[l[1]:]) {
			return false
		}
	}
	return len(locs) > 0
}

// values returns what a field holds. Characteristics come with their keys
// so that rules read values, not keys: "abdominal_sepsis_and_controls:
// ctrl_GI" must not read as sepsis. A flag-like characteristic ("septic
// shock: yes") is read through its key; a negative flag ("sepsis: no") says
// nothing a rule could use and is skipped.
func (c *Classifier) values(s *metadata.Sample, field string) []value {
	f := metadata.FieldKey(field)
	if f == metadata.FieldCharacteristics {
		var out []value
		for _, a := range s.Annotations {
			if !a.Characteristic {
				continue
			}
			val := strings.TrimSpace(a.Value)
			key := strings.TrimSpace(a.Key)
			if val == "" {
				continue
			}
			if key == "" {
				out = append(out, value{text: unsaid(val), shown: val})
				continue
			}
			v := value{key: key, keyed: true, text: unsaid(val), shown: key + ": " + val,
				ignored: c.ignored(key)}
			switch c.flag(key, val) {
			case flagYes:
				v.text = key
			case flagNo, flagFinding:
				continue
			}
			out = append(out, v)
		}
		return out
	}
	if key, ok := strings.CutPrefix(f, metadata.FieldCharacteristicPrefix); ok {
		var out []value
		for _, t := range s.Values(field) {
			out = append(out, value{key: key, keyed: true, text: unsaid(t), shown: key + ": " + t})
		}
		return out
	}
	var out []value
	for _, t := range s.Values(field) {
		out = append(out, value{text: unsaid(t), shown: t})
	}
	return out
}

// What a value says of something other than the sample's group now: the
// patient's past ("h/o septic shock") and septic shock denied ("no septic
// shock").
var (
	pastText   = regexp.MustCompile(`(?i)` + pastSepsis)
	deniedText = regexp.MustCompile(`(?i)` + deniedShock)
)

// unsaid returns v with the patient's past and, unless sepsis is named
// before it, septic shock denied blanked out, byte for byte, so that every
// rule, code and cohort reading reads the rest ("urosepsis, h/o septic
// shock" is urosepsis; "negative for septic shock" names no cohort) and a
// match's offsets still slice v. Sepsis said to be without septic shock
// is left whole, for the sepsis_without_shock rule.
func unsaid(v string) string {
	var b []byte
	blank := func(l []int) {
		if b == nil {
			b = []byte(v)
		}
		for i := l[0]; i < l[1]; i++ {
			b[i] = ' '
		}
	}
	for _, l := range pastText.FindAllStringIndex(v, -1) {
		blank(l)
	}
	for _, l := range deniedText.FindAllStringIndex(v, -1) {
		if !sepsisKey.MatchString(v[:l[0]]) {
			blank(l)
		}
	}
	if b == nil {
		return v
	}
	return string(b)
}

// What flag says of a characteristic value.
const (
	flagNo      = -1 // a no: "sepsis: no", "control: 0"
	flagNeither = 0  // a value to read
	flagYes     = 1  // a yes, read through its key: "septic shock: yes"
	// flagFinding is a measurement's finding or the patient's history:
	// neither a yes nor a no, and nothing to read.
	flagFinding = 2
)

// flag reports whether a characteristic value is a yes (flagYes), a no
// (flagNo), a finding (flagFinding) or neither (flagNeither). A bare 1 or
// 0 is a yes or a no ("sepsis: 1", "control: 0"), since a lone digit names
// nothing, unless a rule reads the key and so knows what its digits mean
// ("shock: 1", "sepsis response signature group: 1"). A "none" is a no
// unless a rule reads the key ("disease state: None" is a statement, not
// an absent flag). A measurement's qualitative finding ("lactate: normal",
// "procalcitonin: elevated"), or its finding of nothing that names no
// sepsis ("chest x-ray: no evidence of infection"), is a finding: it says
// nothing of anyone's health (a septic patient's normal lactate is no
// healthy control) and denies nothing. A key that names an illness is no
// measurement's ("sepsis (lab confirmed): no" is a no, "septic shock
// lactate: high" no finding of one), and a finding that names sepsis is
// read ("clinical finding: no sepsis"). Anything under a key that names
// the patient's past ("medical history: sepsis", "family history") is a
// finding too: it is not the sample's group.
func (c *Classifier) flag(key, v string) int {
	k := c.keyOf(key)
	if k.past {
		return flagFinding
	}
	low := strings.ToLower(strings.TrimSpace(v))
	if k.measurement && qualitativeFinding(low) || k.instrument && negativeFinding(low) {
		return flagFinding
	}
	switch low {
	case "yes", "y", "true", "positive", "present", "met", "fulfilled", "satisfied", "confirmed", "proven", "definite":
		return flagYes
	case "none":
		if k.keyed {
			return flagNeither
		}
		return flagNo
	case "no", "n", "false", "negative", "absent", "not met", "unmet", "not fulfilled", "unfulfilled", "not satisfied":
		return flagNo
	case "1", "0":
		if k.keyed {
			return flagNeither
		}
		if low == "1" {
			return flagYes
		}
		return flagNo
	}
	return flagNeither
}

// qualitativeFinding reports whether a value (lower case, trimmed) is a
// measurement's finding in words ("normal", "elevated").
func qualitativeFinding(v string) bool {
	switch v {
	case "normal", "abnormal", "within normal limits", "within normal range", "wnl", "unremarkable",
		"elevated", "high", "low", "raised", "decreased", "increased":
		return true
	}
	return false
}

// negativeFinding reports whether a value (lower case, trimmed) is a
// finding of nothing ("no evidence of infection", "no infiltrates") that
// names no sepsis; a bare "no" or "negative" is a no.
func negativeFinding(v string) bool {
	return noneFound.MatchString(v) && strings.Contains(v, " ") && !sepsisKey.MatchString(v)
}

// illnessKey is a key that names an illness, which no measurement's is.
var illnessKey = regexp.MustCompile(`(?i)seps|septic|infect|shock`)

// pastKey is a characteristic key that names the patient's past: a
// medical, family or past history, or "history of …" ("history: sepsis"
// and "clinical history" are left to DefaultIgnoredKeys, read last).
var pastKey = regexp.MustCompile(`(?i)\b(medical|family|past|previous|prior|comorbidit\w*|surgical|social|travel|vaccination|smoking|drug|medication)\s+history\b|\bhistory\s+of\b|^\s*h/o\b`)

// noneFound begins a finding of nothing ("no evidence of infection", "no
// infiltrates", "negative for pneumonia").
var noneFound = regexp.MustCompile(`^(no|without|absence\s+of|negative\s+for)\b`)

// instrumentKey is a measurement key that names an analyte, a culture, a
// test or an image, whose finding of nothing ("chest x-ray: no evidence of
// infection") is about that test; under "result", "finding" or "lab …"
// alone a value may be the adjudicated diagnosis ("final result: no
// infection").
var instrumentKey = regexp.MustCompile(`(?i)\b(` + testNames + `|cultures?|pcr|serology|smear|gram\s+stain|imaging|scan)\b`)

// diagnosticKey is a key under which a record states a diagnosis or an
// adjudication ("lab diagnosis", "clinical finding", "final result"),
// unless it names a test (instrumentKey: "lactate status", "chest x-ray
// final report" are a test's).
var diagnosticKey = regexp.MustCompile(`(?i)diagnos|adjudicat|clinical|final|group|status|category|class`)

// presentIllness is the history of the present illness, which is the
// sample's (HPI), not the patient's past.
var presentIllness = regexp.MustCompile(`(?i)present\s+illness`)

// measurementKey is a characteristic key that names a laboratory value, an
// examination or an organ's function, not a group: its result written as a
// word (normal, abnormal, unremarkable, high) says nothing of the cohort.
var measurementKey = regexp.MustCompile(`(?i)\b(` + testNames + `|(renal|kidney|liver|hepatic|lung|pulmonary)\s+function|blood\s+pressure|heart\s+rate|temperature|spo2|pao2|fio2|ph|lab(oratory)?(\s+\w+)?|test\s+result|result|finding|examination|exam|imaging)\b`)

// testNames are the analytes, examinations and images measurementKey and
// instrumentKey both name.
const testNames = `lactate|lactic\s+acid|wbc|white\s+(blood\s+)?cells?|leu[ck]ocytes?|neutrophils?\s+count|lymphocytes?\s+count|crp|c[\s-]*reactive|procalcitonin|pct|creatinine|urea|bun|bilirubin|platelets?|thrombocytes?|ha?emoglobin|hb|glucose|albumin|troponin|bnp|ferritin|il[\s-]*6|karyotype|x[\s-]*ray|radiograph\w*|ct|mri|ultrasound|echo\w*|ecg|ekg|electrocardiogram|coagulation|inr|urinalysis|urine`

// spaced reads underscores as spaces, so that \b sees the words of
// "Septic_Shock_rep1". It keeps byte offsets, so a match in the spaced text
// slices the original.
func spaced(s string) string { return strings.ReplaceAll(s, "_", " ") }

// Rules returns the classifier's rules in the order they are tried.
func (c *Classifier) Rules() []Rule {
	c = c.orDefault()
	out := make([]Rule, len(c.rules))
	for i, r := range c.rules {
		out[i] = r.Rule
	}
	return out
}

// Fields returns the fields the classifier reads, in order.
func (c *Classifier) Fields() []string { return append([]string(nil), c.orDefault().fields...) }
