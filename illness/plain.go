package illness

import (
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/genexp/genexp/metadata"
)

// plainText rewrites the typography of s that rules would otherwise read as
// other letters: every kind of space (no-break, thin, ideographic) becomes
// a space, every hyphen and dash (non-breaking, en, em, minus) a hyphen,
// full-width Latin letters and digits their ASCII forms, and invisible
// characters (zero-width space and joiners, soft hyphen, byte-order mark)
// are dropped. GEO and spreadsheet text is full of them: "septic\u00a0shock"
// or "non–septic" must read as "septic shock" and "non-septic", not as
// words the rules do not know (or, worse, as "septic"). ASCII text is
// returned as it is.
func plainText(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	return strings.Map(plainRune, s)
}

func plainRune(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		return r
	case r == '\u00ad' || r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\u2060' || r == '\ufeff':
		return -1
	case r >= '\u2010' && r <= '\u2015' || r == '\u2212' || r == '\ufe58' || r == '\ufe63' || r == '\uff0d':
		return '-'
	case unicode.IsSpace(r) || unicode.Is(unicode.Zs, r):
		return ' '
	case r >= '\uff01' && r <= '\uff5e':
		return r - 0xfee0 // full-width ASCII
	}
	return r
}

// plainSample returns s with plain text in every field the rules may read
// (its accession, which overrides name, as it is); s itself when nothing
// changes, and nil for nil.
func plainSample(s *metadata.Sample) *metadata.Sample {
	if s == nil {
		return nil
	}
	var c *metadata.Sample
	own := func() *metadata.Sample {
		if c == nil {
			x := *s
			x.Annotations = append([]metadata.Annotation(nil), s.Annotations...)
			c = &x
		}
		return c
	}
	v := reflect.ValueOf(s).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if f.Kind() != reflect.String || v.Type().Field(i).Name == "Accession" {
			continue
		}
		if p := plainText(f.String()); p != f.String() {
			reflect.ValueOf(own()).Elem().Field(i).SetString(p)
		}
	}
	for i, a := range s.Annotations {
		k, val := plainText(a.Key), plainText(a.Value)
		if k != a.Key || val != a.Value {
			own().Annotations[i].Key, own().Annotations[i].Value = k, val
		}
	}
	if c == nil {
		return s
	}
	return c
}

// plainStudy returns study with plain title and description.
func plainStudy(study *metadata.Study) *metadata.Study {
	if study == nil {
		return nil
	}
	t, d := plainText(study.Title), plainText(study.Description)
	if t == study.Title && d == study.Description {
		return study
	}
	c := *study
	c.Title, c.Description = t, d
	return &c
}
