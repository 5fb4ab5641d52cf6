package illness

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/genexp/genexp/metadata"
)

// RuleStudyAbbreviation names the cohort rule by which a code in a
// sample's record that the study's text defines ("septic shock (SS)" in
// the summary, "SS_12" as a title) is read as the words it stands for.
const RuleStudyAbbreviation = "study_abbreviation"

// abbreviationDef is an abbreviation in parentheses after its words, as a
// study defines it: "septic shock (SS)", "healthy controls (HCs)",
// "late-onset sepsis (LOS, n = 12)". The short form starts with a letter
// and holds at most ten letters, digits or hyphens.
var abbreviationDef = regexp.MustCompile(`\(\s*([A-Za-z][A-Za-z0-9-]{0,9})\s*[),;]`)

// abbreviation is one short form a study defines, with the decision its
// long form reads as.
type abbreviation struct {
	short, long string
	field       string // study_title or study_description
	d           Decision
}

// studyAbbreviations returns the abbreviations the study's title and
// description define whose long form the classifier labels (CONTROL,
// NO_SEPSIS, SEPSIS or SEPTIC_SHOCK), keyed by short form. A short form
// defined twice with different labels ("severe sepsis (SS)" and "septic
// shock (SS)") is dropped: the study's key is then no key.
//
// neutral are the short forms the text defines as words the classifier
// labels nothing ("hydrocortisone (HC)"): a group code of the same
// spelling is then not read in the study's samples.
func (c *Classifier) studyAbbreviations(study *metadata.Study) (out map[string]abbreviation, neutral map[string]bool) {
	if study == nil {
		return nil, nil
	}
	dropped := map[string]bool{}
	for _, f := range studyTexts(study) {
		for _, m := range abbreviationDef.FindAllStringSubmatchIndex(f.text, -1) {
			short := f.text[m[2]:m[3]]
			if strings.HasSuffix(short, "s") && upperCount(short) >= 2 {
				short = short[:len(short)-1] // "HCs"
			}
			// One capital is an abbreviation only of the one word before
			// it ("sepsis (S)").
			single := len(short) == 1 && upperCount(short) == 1
			if (upperCount(short) < 2 && !single) || dropped[short] {
				continue
			}
			long, ok := longForm(f.text[:m[0]], short)
			if !ok || (single && strings.ContainsAny(long, " -")) {
				continue
			}
			d := c.classifyLongForm(long)
			if d.Label == Unknown || d.Method != MethodRule || timeWords.MatchString(long) {
				// "postoperative days (POD)" is a time, not the
				// post-operative patients: no cohort
				if neutral == nil {
					neutral = map[string]bool{}
				}
				neutral[short] = true
				continue
			}
			if prev, ok := out[short]; ok {
				if prev.d.Label != d.Label {
					delete(out, short)
					dropped[short] = true
				}
				continue
			}
			if out == nil {
				out = map[string]abbreviation{}
			}
			out[short] = abbreviation{short: short, long: long, field: f.field, d: d}
		}
	}
	for short := range neutral {
		if _, ok := out[short]; ok {
			delete(neutral, short) // defined as a cohort too: read as one
		}
	}
	return out, neutral
}

// upperCount is the number of upper-case letters in s.
func upperCount(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsUpper(r) {
			n++
		}
	}
	return n
}

// longForm finds the words an abbreviation stands for at the end of the
// text before it. The words whose initials spell it come first ("severe
// sepsis" for SS, "late-onset sepsis" for LOS); else the shortest tail of
// at most min(len+5, 2·len) words in which every letter and digit of the
// short form occurs in order, the first at the start of a word (the
// Schwartz–Hearst reading: "septicaemia" for SCM).
func longForm(before, short string) (string, bool) {
	before = strings.TrimRight(before, " \t\n")
	var chars []byte
	for i := 0; i < len(short); i++ {
		if b := short[i]; isAlnum(b) {
			chars = append(chars, lower(b))
		}
	}
	words := strings.Fields(before)
	n := min(len(chars)+5, 2*len(chars), len(words))
	if n == 0 {
		return "", false
	}
	tail := strings.Join(words[len(words)-n:], " ")
	if long, ok := byInitials(tail, chars); ok {
		return long, true
	}
	li := len(tail) - 1
	for si := len(chars) - 1; si >= 0; si-- {
		for li >= 0 && (lower(tail[li]) != chars[si] || (si == 0 && li > 0 && isAlnum(tail[li-1]))) {
			li--
		}
		if li < 0 {
			return "", false
		}
		li--
	}
	long := strings.TrimLeft(tail[li+1:], " ")
	if strings.Contains(long, "(") || strings.Contains(long, ")") || strings.EqualFold(long, short) {
		return "", false
	}
	return long, true
}

// byInitials returns the tail of text whose last len(chars) words, a
// hyphen parting words, start with chars in order.
func byInitials(text string, chars []byte) (string, bool) {
	end, k := len(text), len(chars)-1
	for i := len(text) - 1; i >= 0 && k >= 0; i-- {
		if !isAlnum(text[i]) || (i > 0 && isAlnum(text[i-1])) {
			continue // not the first byte of a word
		}
		if lower(text[i]) != chars[k] {
			return "", false
		}
		if k == 0 {
			return text[i:end], true
		}
		k--
	}
	return "", false
}

func isAlnum(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

func lower(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// timeWords mark a long form that is a time of sampling ("postoperative
// day (POD)", "hours after admission (HAA)"), which no code of a cohort is;
// a cohort sampled at a time ("septic shock on day 1 (SSD)") is still one.
var timeWords = regexp.MustCompile(`(?i)^\s*((post[\s-]*(operative|op|surgical|surgery|admission|injury|trauma|burn|infection)|pre[\s-]*(operative|op|surgical|surgery))\s+)?(days?|hours?|weeks?|months?|time\s*points?)\b`)

// codeToken splits a value into its words and codes, a number glued on
// dropped ("SS12" is SS, "HC_03" HC).
var codeToken = regexp.MustCompile(`[A-Za-z][A-Za-z-]*[A-Za-z]|[A-Za-z]`)

// byAbbreviation returns the decision for a sample whose record carries
// one of the study's abbreviations as a word of its own, in the fields
// the classifier reads (ignored keys aside). The value is read with the
// code written out, so the words around it count: "no LOS" is "no
// late-onset sepsis" (NO_SEPSIS) and "possible LOS" a suspicion (no
// label). A record carrying abbreviations of different labels is left
// alone.
func (c *Classifier) byAbbreviation(s *metadata.Sample, abbrs map[string]abbreviation) (Decision, bool) {
	var found *Decision
	for _, field := range c.fields {
		for _, v := range c.values(s, field) {
			if v.ignored {
				continue
			}
			for _, loc := range codeToken.FindAllStringIndex(v.text, -1) {
				tok := v.text[loc[0]:loc[1]]
				a, denied, ok := abbreviated(abbrs, tok)
				if !ok {
					continue
				}
				d := a.d
				if written := v.text[:loc[0]] + denied + a.long + v.text[loc[1]:]; written != a.long {
					if d = c.classifyLongForm(written); d.Label == Unknown {
						continue
					}
				}
				if found != nil {
					if found.Label != d.Label {
						return Decision{}, false
					}
					continue
				}
				found = &Decision{Label: d.Label, Method: MethodRule, Rule: RuleStudyAbbreviation, Field: field,
					Matched: tok, Value: v.shown, Key: v.key,
					Evidence: fmt.Sprintf("the %s defines %q as %q: %s by rule %s matching %q",
						strings.ReplaceAll(a.field, "_", " "), a.short, a.long, d.Label, d.Rule, d.Matched)}
			}
		}
	}
	if found == nil {
		return Decision{}, false
	}
	return *found, true
}

// abbreviated returns the abbreviation a word of a record is: the code
// itself, its plural ("LOSs"), or the code denied by a "no" or "non"
// glued on ("noLOS", "NoLOS", "non-LOS", "NON-LOS"; glued without a hyphen
// in capitals it is a word: "NOS", not otherwise specified), when denied
// is the "no " to write before its long form.
func abbreviated(abbrs map[string]abbreviation, tok string) (a abbreviation, denied string, ok bool) {
	if a, ok = abbrs[tok]; ok {
		return a, "", true
	}
	if a, ok = abbrs[strings.TrimSuffix(tok, "s")]; ok {
		return a, "", true
	}
	lower := strings.ToLower(tok)
	for _, p := range []string{"non-", "no-", "non", "no"} {
		if !strings.HasPrefix(lower, p) {
			continue
		}
		if head := tok[:len(p)]; !strings.HasSuffix(p, "-") && strings.ToUpper(head) == head {
			continue // "NOS", "NONE": a word, not a code denied
		}
		if a, ok = abbrs[tok[len(p):]]; ok {
			return a, "no ", true
		}
	}
	return abbreviation{}, "", false
}

// classifyLongForm labels the words an abbreviation stands for as a
// sample's title would be labelled, whether or not the configured fields
// read titles: with fields of characteristics alone, every long form read
// as naming no cohort, and the study's codes ("healthy controls (HC)")
// were then refused as neutral.
func (c *Classifier) classifyLongForm(long string) Decision {
	s := &metadata.Sample{Title: long}
	if slices.ContainsFunc(c.fields, func(f string) bool { return metadata.FieldKey(f) == metadata.FieldTitle }) {
		return c.classify(s)
	}
	if _, d := c.decideField(s, metadata.FieldTitle, labelsAlone); d != nil {
		return c.refine(s, *d)
	}
	return Decision{Label: Unknown, Method: MethodDefault}
}
