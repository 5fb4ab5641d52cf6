package illness

import (
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A prefilter holds words of which every match of a rule's pattern
// contains at least one, lower-cased: a value that holds none of them
// cannot match, and the regular expression, which costs far more than a
// substring search on a long description, is not run. It is derived from
// the pattern, so it holds for any configured rule; a pattern it cannot
// reason about gets no prefilter and always runs.
type prefilter []string

// newPrefilter derives the prefilter of a pattern, nil when none is found.
func newPrefilter(pattern string) prefilter {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	return required(re.Simplify())
}

// required returns words (lower-cased ASCII) of which every match of re
// contains one, or nil when it cannot tell.
func required(re *syntax.Regexp) prefilter {
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if r >= utf8.RuneSelf && foldsToASCII(r) {
				return nil // the Kelvin sign matches k: lower-casing cannot tell
			}
		}
		// A word with letters beyond ASCII (脓毒症, séptico) is in no
		// ASCII text, which mayMatch alone filters.
		return prefilter{strings.ToLower(string(re.Rune))}
	case syntax.OpCapture:
		return required(re.Sub[0])
	case syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
	case syntax.OpConcat:
		// Every part occurs in a match: any part's words will do; take the
		// most selective (longest shortest word, then fewest words).
		var best prefilter
		for _, sub := range re.Sub {
			if p := required(sub); p != nil && p.better(best) {
				best = p
			}
		}
		return best
	case syntax.OpAlternate:
		var all prefilter
		for _, sub := range re.Sub {
			p := required(sub)
			if p == nil {
				return nil // a branch may match without any known word
			}
			all = append(all, p...)
		}
		return all
	}
	return nil
}

// foldsToASCII reports whether a rune beyond ASCII matches an ASCII one
// case-insensitively (U+212A KELVIN SIGN matches k, U+017F LONG S s).
func foldsToASCII(r rune) bool {
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < utf8.RuneSelf {
			return true
		}
	}
	return false
}

func (p prefilter) better(q prefilter) bool {
	if q == nil {
		return true
	}
	if a, b := p.shortest(), q.shortest(); a != b {
		return a > b
	}
	return len(p) < len(q)
}

func (p prefilter) shortest() int {
	n := -1
	for _, w := range p {
		if n < 0 || len(w) < n {
			n = len(w)
		}
	}
	return n
}

// mayMatch reports whether a value may match: true when the prefilter is
// nil, the text is not ASCII (folding then is not lower-casing), or the
// lower-cased text holds one of the words. lower is the text lower-cased,
// "" when it is not ASCII.
func (p prefilter) mayMatch(lower string, ascii bool) bool {
	if p == nil || !ascii {
		return true
	}
	for _, w := range p {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// lowerASCII returns s lower-cased and true when s is ASCII, else "" and
// false.
func lowerASCII(s string) (string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return "", false
		}
	}
	return strings.ToLower(s), true
}
