package metadata

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/genexp/genexp/qc"
)

// Merge combines datasets read from one download: typically
// aggregated_metadata.json and the per-folder sample sheets. The first
// dataset wins where two disagree; later ones fill what it leaves unknown,
// add the samples and studies it lacks, and add annotations under keys it
// does not have: a key an earlier dataset gives a sample keeps that
// dataset's values, so two disagreeing values of one characteristic never
// both reach the classifier. Inputs are not modified.
func Merge(sets ...*Dataset) *Dataset {
	out := &Dataset{}
	studies := map[string]*Study{}
	samples := map[string]*Sample{}
	from := map[string]string{}      // sample → the file that first described it
	studyFrom := map[string]string{} // study → the file that first described it
	spell, spellings := experimentSpellings(sets)
	out.Findings = append(out.Findings, spellings...)
	for _, d := range sets {
		if d == nil {
			continue
		}
		fillZero(out, d, "Studies", "Samples", "Sources", "Findings")
		out.Sources = append(out.Sources, d.Sources...)
		out.Findings = append(out.Findings, d.Findings...)
		for _, st := range d.Studies {
			if a, ok := spell[st.Accession]; ok {
				c := *st
				c.Accession = a
				st = &c
			}
			if have := studies[st.Accession]; have != nil {
				if f := studyDifference(have, st, studyFrom[st.Accession], firstSource(d)); f != nil {
					out.Findings = append(out.Findings, f)
				}
				// slices are merged item by item, never shared with an
				// input, so sorting the result cannot reorder an input
				fillZero(have, st, "SampleAccessions", "Organisms")
				for _, o := range st.Organisms {
					have.Organisms = appendUnique(have.Organisms, o)
				}
				// deduplicated by sortAll
				have.SampleAccessions = append(have.SampleAccessions, st.SampleAccessions...)
				continue
			}
			c := *st
			c.SampleAccessions = append([]string(nil), st.SampleAccessions...)
			c.Organisms = append([]string(nil), st.Organisms...)
			studies[c.Accession] = &c
			studyFrom[c.Accession] = firstSource(d)
			out.Studies = append(out.Studies, &c)
		}
		for _, s := range d.Samples {
			if slices.ContainsFunc(s.Experiments, func(e string) bool { _, ok := spell[e]; return ok }) {
				c := *s
				c.Experiments = nil
				for _, e := range s.Experiments {
					if a, ok := spell[e]; ok {
						e = a
					}
					c.Experiments = appendUnique(c.Experiments, e)
				}
				s = &c
			}
			if have := samples[s.Accession]; have != nil {
				fillZero(have, s, "Annotations", "Experiments")
				if f := membershipFinding(have, s, from[s.Accession], firstSource(d)); f != nil {
					out.Findings = append(out.Findings, f)
				}
				for _, e := range s.Experiments {
					have.Experiments = appendUnique(have.Experiments, e)
				}
				earlier := map[string]bool{}
				for _, a := range have.Annotations {
					earlier[normKey(a.Key)] = true
				}
				for _, a := range s.Annotations {
					have.Annotations = appendAnnotation(have.Annotations, a, earlier[normKey(a.Key)])
				}
				continue
			}
			c := *s
			c.Experiments = append([]string(nil), s.Experiments...)
			c.Annotations = append([]Annotation(nil), s.Annotations...)
			samples[c.Accession] = &c
			from[c.Accession] = firstSource(d)
			out.Samples = append(out.Samples, &c)
		}
	}
	out.sortAll()
	return out
}

// experimentSpellings finds the experiment accessions the datasets write
// in more than one case (gse2002 in a JSON, GSE2002 in a sheet): one
// study, not two holding the same samples, and one a SQL Server warehouse,
// which compares accessions without case, could not hold apart. It maps
// each spelling to be read otherwise to the one kept, the one in capitals
// if any is (as refine.bio writes accessions), else the first, and
// returns a WARNING per experiment so written.
func experimentSpellings(sets []*Dataset) (map[string]string, []*qc.Error) {
	type spelling struct{ text, file string }
	var order []string
	seen := map[string][]spelling{} // upper case → its spellings, first seen first
	note := func(acc, file string) {
		k := strings.ToUpper(acc)
		list := seen[k]
		if slices.ContainsFunc(list, func(s spelling) bool { return s.text == acc }) {
			return
		}
		if list == nil {
			order = append(order, k)
		}
		seen[k] = append(list, spelling{acc, file})
	}
	for _, d := range sets {
		if d == nil {
			continue
		}
		for _, st := range d.Studies {
			note(st.Accession, firstSource(d))
		}
		for _, s := range d.Samples {
			for _, e := range s.Experiments {
				note(e, firstSource(d))
			}
		}
	}
	var spell map[string]string
	var out []*qc.Error
	for _, k := range order {
		list := seen[k]
		if len(list) < 2 {
			continue
		}
		keep := list[0].text
		if slices.ContainsFunc(list, func(s spelling) bool { return s.text == k }) {
			keep = k
		}
		var written []string
		for _, s := range list {
			written = append(written, fmt.Sprintf("%s (%s)", s.text, s.file))
			if s.text != keep {
				if spell == nil {
					spell = map[string]string{}
				}
				spell[s.text] = keep
			}
		}
		out = append(out, &qc.Error{Code: qc.SampleMismatch, Severity: qc.SeverityWarning, Study: keep, File: list[len(list)-1].file,
			Msg: fmt.Sprintf("experiment %s is written in more than one case: %s; it is read as one study, %s", keep, strings.Join(written, ", "), keep)})
	}
	return spell, out
}

// studyDifference warns when a later description of a study gives its
// title, description or technology another value than the earlier one
// (two JSON files of a download, or two spellings of its accession in
// one): the earlier values are kept, but not in silence, as the
// technology decides how the study's values are read.
func studyDifference(have, later *Study, haveFile, laterFile string) *qc.Error {
	var diffs []string
	for _, f := range []struct{ name, a, b string }{
		{"title", have.Title, later.Title},
		{"technology", have.Technology, later.Technology},
		{"description", have.Description, later.Description},
	} {
		if valuesDiffer(f.a, f.b) {
			diffs = append(diffs, fmt.Sprintf("%s %q against %q", f.name, qc.Shorten(f.a, 60), qc.Shorten(f.b, 60)))
		}
	}
	if len(diffs) == 0 {
		return nil
	}
	where := fmt.Sprintf("by %s and by %s", orUnnamed(haveFile), orUnnamed(laterFile))
	if haveFile == laterFile {
		where = "twice in " + orUnnamed(haveFile)
	}
	return &qc.Error{Code: qc.SampleMismatch, Severity: qc.SeverityWarning, Study: have.Accession, File: laterFile,
		Msg: fmt.Sprintf("study %s is described %s with different values: %s; the first description's are kept",
			have.Accession, where, strings.Join(diffs, "; "))}
}

// membershipFinding warns when a later description of a sample puts it in
// studies the earlier one, which placed it in others, does not: one of the
// two files is wrong about where the sample belongs. The memberships are
// kept together (the sample loads under each study), as a sample of a
// SuperSeries and its SubSeries is, but not in silence.
func membershipFinding(have, later *Sample, haveFile, laterFile string) *qc.Error {
	if len(have.Experiments) == 0 {
		return nil
	}
	var added []string
	for _, e := range later.Experiments {
		if !slices.Contains(have.Experiments, e) {
			added = append(added, e)
		}
	}
	if len(added) == 0 {
		return nil
	}
	return &qc.Error{Code: qc.SampleMismatch, Severity: qc.SeverityWarning, Study: added[0], File: laterFile,
		Msg: fmt.Sprintf("sample %s is in %s by %s, but %s puts it in %s too; it is kept in each (and loaded with each whose matrix holds it), so check which study holds it",
			later.Accession, strings.Join(have.Experiments, ", "), orUnnamed(haveFile), orUnnamed(laterFile), strings.Join(added, ", "))}
}

func firstSource(d *Dataset) string {
	if len(d.Sources) == 0 {
		return ""
	}
	return d.Sources[0]
}

func orUnnamed(file string) string {
	if file == "" {
		return "a description without a file name"
	}
	return file
}

// appendAnnotation appends a unless it is empty, list already says it, or
// keyTaken (an earlier dataset gives a's key other values). A repeat that
// knows a to be a characteristic upgrades the earlier one.
func appendAnnotation(list []Annotation, a Annotation, keyTaken bool) []Annotation {
	if a.Value == "" {
		return list
	}
	for i, x := range list {
		if x.Value == a.Value && normKey(x.Key) == normKey(a.Key) {
			list[i].Characteristic = x.Characteristic || a.Characteristic
			return list
		}
	}
	if keyTaken {
		return list
	}
	return append(list, a)
}

// fillZero copies every exported field of src into dst where dst's field is
// the zero value, except the fields named in skip. dst and src are pointers
// to the same struct type.
func fillZero(dst, src any, skip ...string) {
	dv, sv := reflect.ValueOf(dst).Elem(), reflect.ValueOf(src).Elem()
	t := dv.Type()
outer:
	for i := 0; i < t.NumField(); i++ {
		for _, s := range skip {
			if t.Field(i).Name == s {
				continue outer
			}
		}
		if f := dv.Field(i); f.CanSet() && f.IsZero() {
			f.Set(sv.Field(i))
		}
	}
}

// Disagreement returns the first field that two descriptions of one sample
// give different values, and the two values: the title, a refine.bio
// field, or an annotation key both describe. It returns "" when they agree
// wherever both say something. Merge keeps the first of two values; a
// caller merging descriptions that should be one record (two sample sheets
// of one download) asks this first, so that a disagreement is never
// settled by file order.
func Disagreement(a, b *Sample) (field, va, vb string) {
	differ := func(x, y string) bool { return x != "" && y != "" && x != y }
	if field, va, vb = firstScalarDifference(a, b, differ); field != "" {
		return field, va, vb
	}
	av, bv := annotationValues(a, false), annotationValues(b, false)
	for _, k := range slices.Sorted(maps.Keys(av)) {
		y, ok := bv[k]
		if !ok {
			continue
		}
		x := slices.Sorted(slices.Values(av[k]))
		y = slices.Sorted(slices.Values(y))
		if !slices.Equal(x, y) {
			return k, strings.Join(x, "; "), strings.Join(y, "; ")
		}
	}
	return "", "", ""
}

// Contradiction is Disagreement for two descriptions written in different
// formats, as a download's aggregated_metadata.json and its sample sheet
// are: where one format keeps what the other flattens, only values that
// cannot both hold count. It returns the first of the title, a refine.bio
// field, or an annotation key to which each description gives exactly one
// value, whose values differ once runs of space are read as one space,
// case is ignored (the classifier ignores it too) and numbers are read as
// numbers ("55" and "55.0" agree; "NaN" and "nan" by case); a key with
// several values on either side (a sheet's column may join what the JSON
// lists) is not compared. It returns "" when nothing contradicts.
func Contradiction(a, b *Sample) (field, va, vb string) {
	if ds := contradictions(a, b, true); len(ds) > 0 {
		return ds[0].Field, ds[0].A, ds[0].B
	}
	return "", "", ""
}

// A Difference is a field two descriptions of a sample give different
// values (see Contradiction).
type Difference struct {
	Field string
	A, B  string
}

// Contradictions returns every field Contradiction compares whose values
// differ, in its order: the title, refine.bio's fields by name, then the
// annotation keys sorted. A sample's disease may be told apart in one
// field after its title in another, and a report naming only the first
// would hide the one the illness rules read.
func Contradictions(a, b *Sample) []Difference { return contradictions(a, b, false) }

// valuesDiffer reports whether two descriptions' values of one field
// differ: both given, and not the same once runs of blanks are one blank
// and case is ignored, nor the same number.
func valuesDiffer(x, y string) bool {
	if x == y {
		return false // the common case, without the work below
	}
	x, y = strings.Join(strings.Fields(x), " "), strings.Join(strings.Fields(y), " ")
	if x == "" || y == "" || strings.EqualFold(x, y) {
		return false
	}
	fx, ex := strconv.ParseFloat(x, 64)
	fy, ey := strconv.ParseFloat(y, 64)
	return ex != nil || ey != nil || fx != fy
}

func contradictions(a, b *Sample, first bool) []Difference {
	differ := valuesDiffer
	var out []Difference
	add := func(field, x, y string) bool {
		out = append(out, Difference{field, x, y})
		return first
	}
	if differ(a.Title, b.Title) && add("title", a.Title, b.Title) {
		return out
	}
	for _, name := range sampleFieldNames {
		if x, y := sampleFields[name](a), sampleFields[name](b); differ(x, y) && add(name, x, y) {
			return out
		}
	}
	av, bv := annotationValues(a, true), annotationValues(b, true)
	for _, k := range slices.Sorted(maps.Keys(av)) {
		if x, y := av[k], bv[k]; len(x) == 1 && len(y) == 1 && differ(x[0], y[0]) && add(k, x[0], y[0]) {
			return out
		}
	}
	return out
}

// firstScalarDifference returns the first of a and b's single-valued
// fields, the title and then refine.bio's fields by name, whose values
// differ, and the two values; "" when none does.
func firstScalarDifference(a, b *Sample, differ func(x, y string) bool) (field, va, vb string) {
	if differ(a.Title, b.Title) {
		return "title", a.Title, b.Title
	}
	for _, name := range sampleFieldNames {
		if x, y := sampleFields[name](a), sampleFields[name](b); differ(x, y) {
			return name, x, y
		}
	}
	return "", "", ""
}

// annotationValues maps each annotation key of s, normalized, to its
// values; distinct drops blank values and repeats, trimming space.
func annotationValues(s *Sample, distinct bool) map[string][]string {
	m := map[string][]string{}
	for _, an := range s.Annotations {
		k := normKey(an.Key)
		if !distinct {
			m[k] = append(m[k], an.Value)
		} else if v := strings.TrimSpace(an.Value); v != "" {
			m[k] = appendUnique(m[k], v)
		}
	}
	return m
}
