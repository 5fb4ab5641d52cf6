package illness

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/qc"
)

// Rule maps text matching Pattern in one of Fields to Label.
type Rule struct {
	// Name identifies the rule in decisions and in the warehouse.
	Name string `yaml:"name"`
	// Label is what the rule assigns.
	Label Label `yaml:"label"`
	// Priority orders rules within a field: lower first. Rules with equal
	// priority keep their configured order.
	Priority int `yaml:"priority"`
	// Pattern is a Go regular expression, matched case-insensitively with
	// underscores in the text read as spaces.
	Pattern string `yaml:"pattern"`
	// Exclude, if set, vetoes the rule on a value it also matches (for
	// example "cardiogenic" for a rule on "shock").
	Exclude string `yaml:"exclude"`
	// Fields restricts the rule to these fields; empty means every field
	// the classifier reads.
	Fields []string `yaml:"fields"`
	// Description says what the rule is for.
	Description string `yaml:"description"`
}

type compiled struct {
	Rule
	re, exclude *regexp.Regexp
	fields      map[string]bool
}

// Classifier is the rule-based IllnessClassifier.
type Classifier struct {
	fields    []string
	rules     []compiled
	overrides map[string]Label
}

// New builds a classifier. fields lists the metadata fields to read, most
// reliable first (see metadata.Sample.Values for the names); nil means
// DefaultFields. overrides maps sample accessions to labels and wins over
// every rule. An invalid rule is a *qc.Error with code
// IllnessInferenceFailed.
func New(rules []Rule, fields []string, overrides map[string]Label) (*Classifier, error) {
	if fields == nil {
		fields = DefaultFields()
	}
	c := &Classifier{fields: fields, overrides: map[string]Label{}}
	for acc, l := range overrides {
		if _, err := ParseLabel(string(l)); err != nil {
			return nil, qc.Wrap(qc.IllnessInferenceFailed, err, fmt.Sprintf("override for sample %s", acc))
		}
		c.overrides[strings.TrimSpace(acc)] = l
	}
	seen := map[string]bool{}
	for i, r := range rules {
		if r.Name == "" {
			r.Name = fmt.Sprintf("rule%d", i+1)
		}
		if seen[r.Name] {
			return nil, qc.Errorf(qc.IllnessInferenceFailed, "illness: two rules are named %q", r.Name)
		}
		seen[r.Name] = true
		l, err := ParseLabel(string(r.Label))
		if err != nil {
			return nil, qc.Wrap(qc.IllnessInferenceFailed, err, fmt.Sprintf("illness rule %s", r.Name))
		}
		r.Label = l
		cr := compiled{Rule: r}
		if cr.re, err = regexp.Compile("(?i)" + r.Pattern); err != nil || r.Pattern == "" {
			return nil, qc.Wrap(qc.IllnessInferenceFailed, err, fmt.Sprintf("illness rule %s: bad pattern %q", r.Name, r.Pattern))
		}
		if r.Exclude != "" {
			if cr.exclude, err = regexp.Compile("(?i)" + r.Exclude); err != nil {
				return nil, qc.Wrap(qc.IllnessInferenceFailed, err, fmt.Sprintf("illness rule %s: bad exclude pattern %q", r.Name, r.Exclude))
			}
		}
		if len(r.Fields) > 0 {
			cr.fields = map[string]bool{}
			for _, f := range r.Fields {
				cr.fields[normField(f)] = true
			}
		}
		c.rules = append(c.rules, cr)
	}
	sort.SliceStable(c.rules, func(i, j int) bool { return c.rules[i].Priority < c.rules[j].Priority })
	return c, nil
}

// Default returns the classifier with DefaultRules, DefaultFields and no
// overrides.
func Default() *Classifier {
	c, err := New(DefaultRules(), nil, nil)
	if err != nil {
		panic("illness: default rules do not compile: " + err.Error())
	}
	return c
}

// Classify implements IllnessClassifier.
func (c *Classifier) Classify(s *metadata.Sample) Decision {
	if l, ok := c.overrides[s.Accession]; ok {
		return Decision{Label: l, Method: MethodOverride}
	}
	for _, field := range c.fields {
		nf := normField(field)
		for _, value := range s.Values(field) {
			text := strings.ReplaceAll(value, "_", " ")
			for i := range c.rules {
				r := &c.rules[i]
				if r.fields != nil && !r.fields[nf] {
					continue
				}
				loc := r.re.FindStringIndex(text)
				if loc == nil || (r.exclude != nil && r.exclude.MatchString(text)) {
					continue
				}
				return Decision{Label: r.Label, Method: MethodRule, Rule: r.Name, Field: field,
					Matched: value[loc[0]:loc[1]], Value: value}
			}
		}
	}
	return Decision{Label: Unknown, Method: MethodDefault}
}

// Rules returns the classifier's rules in the order they are tried.
func (c *Classifier) Rules() []Rule {
	out := make([]Rule, len(c.rules))
	for i, r := range c.rules {
		out[i] = r.Rule
	}
	return out
}

func normField(f string) string {
	return strings.TrimPrefix(strings.ToLower(strings.TrimSpace(f)), "refinebio_")
}
