package platform

import (
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Measurement technologies.
const (
	Microarray = "MICROARRAY"
	RNASeq     = "RNA-SEQ"
	Other      = "OTHER"
)

// Platform is a normalized platform.
type Platform struct {
	// Accession is refine.bio's platform accession ("IlluminaHiSeq2000",
	// "zebrafish", "GPL570"); "" when the sample names no platform.
	Accession    string
	Name         string
	Manufacturer string // "Unknown" when the lookup finds none
	Technology   string // MICROARRAY, RNA-SEQ or OTHER
}

// PlatformNormalizer normalizes a raw platform string given the technology
// the sample's study reports ("" when unknown).
type PlatformNormalizer interface {
	Normalize(raw, studyTechnology string) Platform
}

// DefaultManufacturers is the built-in manufacturer lookup: a key found
// (case-insensitively, as whole words) in a platform name gives the
// manufacturer.
func DefaultManufacturers() map[string]string {
	return map[string]string{
		"illumina":           "Illumina",
		"affymetrix":         "Affymetrix",
		"agilent":            "Agilent",
		"roche":              "Roche",
		"454":                "Roche 454",
		"nimblegen":          "Roche NimbleGen",
		"ion torrent":        "Thermo Fisher (Ion Torrent)",
		"applied biosystems": "Applied Biosystems",
		"abi solid":          "Applied Biosystems",
		"ab solid":           "Applied Biosystems",
		"ab 5500":            "Applied Biosystems",
		"bgiseq":             "BGI",
		"dnbseq":             "BGI",
		"mgiseq":             "BGI",
		"pacbio":             "Pacific Biosciences",
		"nanopore":           "Oxford Nanopore",
		"hiseq":              "Illumina",
		"nextseq":            "Illumina",
		"novaseq":            "Illumina",
		"miseq":              "Illumina",
		"genechip":           "Affymetrix",
		"codelink":           "GE Healthcare (CodeLink)",
	}
}

// Normalizer is the lookup-based PlatformNormalizer.
type Normalizer struct {
	keys []string // lookup keys, longest first, so "abi solid" wins over "solid"
	m    map[string]string
}

// New returns a Normalizer with the manufacturer lookup m. A key matches
// case-insensitively as whole words of the platform's name, never of its
// accession: "454" names Roche 454 in "454 GS FLX" but not in "GPL14548".
// Words run together in the camel case of an accession-like name
// ("IlluminaHiSeq2500") count as words. Nil means DefaultManufacturers.
// Keys that differ only in case or surrounding blanks are one key: the
// first of them in byte order stands (see LookupKey).
func New(m map[string]string) *Normalizer {
	if m == nil {
		m = DefaultManufacturers()
	}
	n := &Normalizer{m: map[string]string{}}
	for _, raw := range slices.Sorted(maps.Keys(m)) {
		k := LookupKey(raw)
		if _, dup := n.m[k]; dup {
			continue
		}
		n.m[k] = m[raw]
		n.keys = append(n.keys, k)
	}
	sort.Slice(n.keys, func(i, j int) bool {
		if len(n.keys[i]) != len(n.keys[j]) {
			return len(n.keys[i]) > len(n.keys[j])
		}
		return n.keys[i] < n.keys[j]
	})
	return n
}

// LookupKey is a manufacturer lookup key as New matches it: trimmed and
// lower-cased (ASCII letters only).
func LookupKey(k string) string { return asciiLower(strings.TrimSpace(k)) }

// pretty is refine.bio's "Name (accession)": an accession is one word
// (hgu133plus2, IlluminaHiSeq2500, GPL123). Words in parentheses are part
// of the name: "Illumina HiSeq 2500 (Homo sapiens)" and "Illumina NextSeq
// 500 (Homo sapiens)" are two platforms, not one whose accession is an
// organism, and Agilent's "(Probe Name version)" is no accession either.
var pretty = regexp.MustCompile(`^(.*\S)\s*\(([^()\s]+)\)\s*$`)

// Normalize implements PlatformNormalizer.
func (n *Normalizer) Normalize(raw, studyTechnology string) Platform {
	raw = strings.TrimSpace(raw)
	p := Platform{Name: raw, Accession: raw}
	if m := pretty.FindStringSubmatch(raw); m != nil {
		p.Name, p.Accession = strings.TrimSpace(m[1]), strings.TrimSpace(m[2])
	}
	p.Manufacturer = n.manufacturer(p.Name)
	p.Technology = Technology(studyTechnology)
	if p.Technology == Other {
		p.Technology = technologyFromName(raw)
	}
	return p
}

func (n *Normalizer) manufacturer(name string) string {
	l := asciiLower(name) // byte for byte, so offsets in l are offsets in name
	for _, k := range n.keys {
		if k == "" {
			continue
		}
		for from := 0; from < len(l); {
			i := strings.Index(l[from:], k)
			if i < 0 {
				break
			}
			i += from
			if wordBoundary(name, i) && wordBoundary(name, i+len(k)) {
				return n.m[k]
			}
			from = i + 1
		}
	}
	return "Unknown"
}

// wordBoundary reports whether a word of s starts or ends at byte i: at
// either end of s, beside a character that is neither letter nor digit,
// between a letter and a digit, or where a lower-case letter meets an
// upper-case one ("Illumina|HiSeq"). A non-ASCII byte counts as a letter.
func wordBoundary(s string, i int) bool {
	if i <= 0 || i >= len(s) {
		return true
	}
	a, b := s[i-1], s[i]
	switch {
	case !isWordByte(a) || !isWordByte(b):
		return true
	case isDigit(a) != isDigit(b):
		return true
	}
	return 'a' <= a && a <= 'z' && 'A' <= b && b <= 'Z'
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isWordByte(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80
}

// Technology normalizes an experiment's technology field: MICROARRAY,
// RNA-SEQ, or OTHER when it is empty or unrecognized.
func Technology(s string) string {
	switch strings.ToUpper(strings.NewReplacer("_", "-", " ", "-").Replace(strings.TrimSpace(s))) {
	case "MICROARRAY", "ARRAY":
		return Microarray
	case "RNA-SEQ", "RNASEQ", "SEQUENCING", "HIGH-THROUGHPUT-SEQUENCING":
		return RNASeq
	}
	return Other
}

var (
	seqWords   = regexp.MustCompile(`(?i)hiseq|nextseq|novaseq|miseq|genome analyzer|ion torrent|solid|\b454\b|bgiseq|dnbseq|mgiseq|pacbio|nanopore|sequencer|genetic analyzer|illumina \w*seq`)
	arrayWords = regexp.MustCompile(`(?i)array|genechip|beadchip|\bchip\b|affymetrix|agilent|codelink|nimblegen|\bexon\b|\bst\b|u133|u95|hg-focus|\bgpl\d+`)
)

// NameTechnology is the technology a platform's name (raw, as the
// metadata gives it) names on its own: RNASeq for a sequencer, Microarray
// for an array, Other when the name does not say; a caller can compare it
// with the experiment's. A GEO platform number (GPL…) names no technology
// here: GEO numbers sequencers as it numbers arrays. Normalize, which
// reads the name only when the experiment does not say, reads it as this
// does but for such a number, which it takes for an array's: refine.bio
// names a sequencer by its instrument ("Illumina HiSeq 2500
// (IlluminaHiSeq2500)"), an array it knows only by GEO's number.
func NameTechnology(raw string) string {
	return technologyFromName(gplNumber.ReplaceAllString(strings.TrimSpace(raw), ""))
}

var gplNumber = regexp.MustCompile(`(?i)\bgpl\d+`)

// technologyFromName guesses the technology from a platform name, for
// samples whose study does not say.
func technologyFromName(name string) string {
	switch {
	case seqWords.MatchString(name):
		return RNASeq
	case arrayWords.MatchString(name):
		return Microarray
	}
	return Other
}
