package metadata

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/genexp/genexp/internal/ident"
	"github.com/genexp/genexp/qc"
)

// ParseJSON reads aggregated_metadata.json, metadata.json or
// metadata_<ORGANISM>.json. name is used in errors. A malformed document is
// a *qc.Error (ParseError) naming the file and the line and (byte) column
// of a syntax error, or the JSON path of a value of the wrong type; text that
// is not UTF-8 is an EncodingError at its line and column. A number or a
// boolean where text is expected is read as its text (ids such as
// pubmed_id are sometimes written as numbers), a number as it is written
// however large (an annotation's 1e400 or 20-digit id is text for the
// illness classifier, not a float64 to round), but an accession code
// (refinebio_accession_code, an experiment's accession_code) must be a
// string. A key written
// twice in one object (a sample's field, an experiment, a top-level key)
// is a ParseError naming its path and line: encoding/json would keep the
// last value in silence. Two samples of one accession (a sample's key
// written twice in the samples object, or two entries of a list naming
// one accession) are a DuplicateSamples error naming both lines.
//
// The samples may be an object keyed by accession (current downloads), an
// object keyed by title (2018 downloads), or a list of sample objects
// (metadata_<ORGANISM>.json of SPECIES downloads). Bare NaN and Infinity,
// which Python's JSON writer emits, read as unknown.
//
// The document streams: samples are typed one at a time, so memory holds
// the Dataset and one sample's text, not the file (82 MB of metadata for
// 40,000 samples peaks at about 150 MB resident: BenchmarkParseJSON).
func ParseJSON(r io.Reader, name string) (*Dataset, error) {
	if isNilReader(r) {
		return nil, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: name, Msg: "metadata: ParseJSON: no source to read"}
	}
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(qc.TextStartBytes)
	if err := qc.NotText(head, name, "metadata JSON file", ".json"); err != nil {
		return nil, err
	}
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	p := newJSONParser(br, name)
	d, err := p.parse()
	if err != nil {
		return nil, err
	}
	d.Sources = []string{name}
	d.readSRA()
	d.sortAll()
	return d, nil
}

// jsonParser reads one document as a stream: the samples are decoded and
// typed one at a time, so memory holds the typed dataset and one sample's
// text, never the whole document (a SPECIES download's metadata can run to
// hundreds of megabytes).
type jsonParser struct {
	file string
	sc   *jsonScanner
	keys keyChecker
	// findings are the problems that did not stop the parse (a date in
	// a form genexp does not read), handed to the Dataset at its end.
	findings []*qc.Error
}

func newJSONParser(r io.Reader, name string) *jsonParser {
	return &jsonParser{file: name, sc: newJSONScanner(r, name)}
}

type object = map[string]json.RawMessage

func (p *jsonParser) parse() (*Dataset, error) {
	if c, ok := p.sc.peek(); ok && c != '{' {
		raw, err := p.sc.value()
		if err != nil {
			return nil, err
		}
		return nil, p.typeErr("", "an object", raw)
	}
	if _, err := p.sc.next("{"); err != nil {
		return nil, err
	}
	d := &Dataset{}
	// 2018 downloads key samples by title and list each experiment's
	// members by title: index both the key and the title.
	byTitle := map[string][]*Sample{}
	index := func(t string, s *Sample) {
		for _, x := range byTitle[t] {
			if x == s {
				return
			}
		}
		byTitle[t] = append(byTitle[t], s)
	}
	// seenAt holds the line each accession's sample opens on, so that a
	// second sample of one accession names both.
	seenAt := map[string]int64{}
	addSample := func(e sampleEntry) error {
		if err := p.noRepeatedKeys(e.raw, e.path, e.line); err != nil {
			return err
		}
		s, err := p.sample(e.raw, e.path, e.key)
		if err != nil {
			return placeAt(err, e.raw, e.path, e.line)
		}
		if first, dup := seenAt[s.Accession]; dup {
			return &qc.Error{Code: qc.DuplicateSamples, Severity: qc.SeverityError, File: p.file, Line: e.line, Path: e.path,
				Msg: fmt.Sprintf("two samples share the accession %q: the one opening on line %d and this one; "+
					"which describes it cannot be told, so the file is refused (remove one)", s.Accession, first)}
		}
		seenAt[s.Accession] = e.line
		d.Samples = append(d.Samples, s)
		if e.key != "" {
			index(e.key, s)
		}
		if s.Title != "" {
			index(s.Title, s)
		}
		return nil
	}
	top := object{}
	seen := map[string]bool{}
	var experimentsLine int64
	for more := !p.sc.empty('}'); more; {
		key, err := p.sc.key()
		if err != nil {
			return nil, err
		}
		if seen[key] {
			line, col := p.sc.lineCol(p.sc.start)
			return nil, &qc.Error{Code: qc.ParseError, Severity: qc.SeverityError, File: p.file, Line: line, Column: col, Path: key,
				Msg: fmt.Sprintf("the key %q appears twice at the top of the document; which of its values is meant cannot be told, so the file is refused (remove one)", key)}
		}
		seen[key] = true
		if _, err := p.sc.next(":"); err != nil {
			return nil, err
		}
		if key == "samples" {
			err = p.samples(addSample)
		} else {
			top[key], err = p.sc.value()
			if key == "experiments" {
				experimentsLine = p.sc.startLine()
			}
		}
		if err != nil {
			return nil, err
		}
		if more, err = p.sc.more('}'); err != nil {
			return nil, err
		}
	}
	if err := p.sc.end(); err != nil {
		return nil, err
	}

	var err error
	str := func(key string) string {
		if err != nil {
			return ""
		}
		var s string
		s, err = p.str(top[key], key)
		return s
	}
	d.AggregateBy = p.enum(strings.ToUpper(str("aggregate_by")), "aggregate_by", "EXPERIMENT", "SPECIES", "ALL")
	d.ScaleBy = p.enum(strings.ToUpper(str("scale_by")), "scale_by", "NONE", "MINMAX", "STANDARD", "ROBUST")
	if err == nil {
		d.KSWarning, err = p.warningText(top["ks_warning"], "ks_warning")
	}
	d.CompendiumVersion = str("compendium_version")
	created := str("created_at")
	if err != nil {
		return nil, err
	}
	d.CreatedAt = p.time(created, "created_at", "")
	if d.QuantileNormalized, err = p.boolean(top["quantile_normalized"], "quantile_normalized"); err != nil {
		return nil, err
	}
	if d.QuantSFOnly, err = p.boolean(top["quant_sf_only"], "quant_sf_only"); err != nil {
		return nil, err
	}
	// refine.bio's KS figures are recorded, never computed with: one that
	// is no number is unknown with a WARNING, as one out of range is,
	// rather than the whole download's failure.
	d.KSStatistic = p.qcNumber(top["ks_statistic"], "ks_statistic")
	d.KSPValue = p.qcNumber(top["ks_pvalue"], "ks_pvalue")
	d.KSStatistic = p.probability(d.KSStatistic, "ks_statistic", "a Kolmogorov–Smirnov statistic")
	d.KSPValue = p.probability(d.KSPValue, "ks_pvalue", "a p-value")

	sort.SliceStable(d.Samples, func(i, j int) bool { return d.Samples[i].Accession < d.Samples[j].Accession })

	if err := p.noRepeatedKeys(top["experiments"], "experiments", experimentsLine); err != nil {
		return nil, err
	}
	experiments, err := p.objects(top["experiments"], "experiments")
	if err != nil {
		return nil, err
	}
	for _, key := range slices.Sorted(maps.Keys(experiments)) {
		st, titles, err := p.study(experiments[key], "experiments."+key, key)
		if err != nil {
			return nil, placeAt(err, top["experiments"], "experiments", experimentsLine)
		}
		// A title shared by two samples names neither: the samples stay
		// unlinked rather than being guessed, and a finding says so.
		for _, t := range titles {
			switch ss := byTitle[t]; len(ss) {
			case 0:
			case 1:
				st.SampleAccessions = append(st.SampleAccessions, ss[0].Accession) // deduplicated by sortAll
			default:
				accs := make([]string, len(ss))
				for i, x := range ss {
					accs[i] = x.Accession
				}
				d.Findings = append(d.Findings, &qc.Error{Code: qc.SampleMismatch, Severity: qc.SeverityWarning, Study: key, File: p.file,
					Path: "experiments." + key + ".sample_titles",
					Msg: fmt.Sprintf("the study lists the sample title %q, which %d samples share (%s); none of them is linked to the study by it",
						qc.Shorten(t, 60), len(ss), strings.Join(accs[:min(len(accs), 3)], ", ")+map[bool]string{true: ", …"}[len(accs) > 3])})
			}
		}
		d.Studies = append(d.Studies, st)
	}
	d.Findings = append(d.Findings, p.findings...)
	return d, nil
}

// samples streams the value of "samples": an object keyed by accession or
// title, or a list of sample objects, handing each sample to add.
func (p *jsonParser) samples(add func(sampleEntry) error) error {
	c, ok := p.sc.peek()
	if !ok {
		return p.sc.truncated()
	}
	if c != '[' && c != '{' {
		raw, err := p.sc.value()
		if err != nil || isNull(raw) {
			return err
		}
		return p.typeErr("samples", "an object keyed by accession", raw)
	}
	p.sc.i++
	closing := map[byte]byte{'[': ']', '{': '}'}[c]
	for i, more := 0, !p.sc.empty(closing); more; i++ {
		e := sampleEntry{path: fmt.Sprintf("samples[%d]", i)}
		if c == '{' {
			var err error
			if e.key, err = p.sc.key(); err != nil {
				return err
			}
			if _, err := p.sc.next(":"); err != nil {
				return err
			}
			e.path = "samples." + e.key
		}
		var err error
		if e.raw, err = p.sc.value(); err != nil {
			return err
		}
		e.line = p.sc.startLine()
		if err := add(e); err != nil {
			return err
		}
		if more, err = p.sc.more(closing); err != nil {
			return err
		}
	}
	return nil
}

// sampleEntry is one sample object of the document, with its key (""
// when the samples are a list), its JSON path and the line it starts on.
type sampleEntry struct {
	key, path string
	raw       json.RawMessage
	line      int64
}

func (p *jsonParser) study(raw json.RawMessage, path, key string) (*Study, []string, error) {
	var m object
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, nil, p.typeErr(path, "an object", raw)
	}
	f := fields{p: p, m: m, path: path, study: key}
	st := &Study{
		Accession:            f.accession(),
		Title:                f.str("title"),
		Description:          f.str("description"),
		Technology:           strings.ToUpper(f.str("technology")),
		Organisms:            f.strs("organisms"),
		SampleAccessions:     f.accessions("sample_accession_codes"),
		PublicationTitle:     f.str("publication_title"),
		PublicationDOI:       f.str("publication_doi"),
		PubmedID:             f.str("pubmed_id"),
		SubmitterInstitution: f.str("submitter_institution"),
		HasPublication:       f.boolean("has_publication"),
		FirstPublished:       f.time("source_first_published"),
		LastModified:         f.time("source_last_modified"),
	}
	titles := f.strs("sample_titles")
	if f.err != nil {
		return nil, nil, f.err
	}
	if st.Accession == "" {
		key := strings.TrimSpace(key) // as every value is: blanks around an accession are not part of it
		if err := nulErr(key); err != nil {
			// the path would hold the NUL: name the key quoted instead
			err.File, err.Path, err.Msg = p.file, "experiments", fmt.Sprintf("the key %q %s", key, err.Msg)
			return nil, nil, err
		}
		if err := invisibleKey(p.file, "experiments", key); err != nil {
			return nil, nil, err
		}
		st.Accession = key
	}
	return st, titles, nil
}

func (p *jsonParser) sample(raw json.RawMessage, path, key string) (*Sample, error) {
	var m object
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, p.typeErr(path, "an object", raw)
	}
	// Current and 2018 downloads prefix every key with "refinebio_"; early
	// 2018 downloads do not.
	f := fields{p: p, m: m, path: path, prefix: "refinebio_"}
	s := &Sample{
		Accession:          f.accession(),
		Title:              f.str("title"),
		Organism:           f.str("organism"),
		Platform:           f.str("platform"),
		SourceDatabase:     f.str("source_database"),
		SourceArchiveURL:   f.str("source_archive_url"),
		Sex:                f.str("sex"),
		Age:                f.str("age"),
		SpecimenPart:       f.str("specimen_part"),
		GeneticInformation: f.str("genetic_information"),
		Disease:            f.str("disease"),
		DiseaseStage:       f.str("disease_stage"),
		CellLine:           f.str("cell_line"),
		Treatment:          f.str("treatment"),
		Race:               f.str("race"),
		Subject:            f.str("subject"),
		Compound:           f.str("compound"),
		Time:               f.str("time"),
		DevelopmentalStage: f.str("developmental_stage"),
		Processed:          f.boolean("processed"),
		ProcessorID:        f.str("processor_id"),
		ProcessorName:      f.str("processor_name"),
		ProcessorVersion:   f.str("processor_version"),
	}
	if s.GeneticInformation == "" {
		// early 2018 called it genotype
		s.GeneticInformation = f.str("genotype")
	}
	if f.err != nil {
		return nil, f.err
	}
	if s.Accession == "" {
		key := strings.TrimSpace(key) // as every value is: blanks around an accession are not part of it
		if key == "" {
			return nil, &qc.Error{Code: qc.ParseError, Severity: qc.SeverityError, File: p.file, Path: path,
				Msg: "sample has no refinebio_accession_code"}
		}
		if err := nulErr(key); err != nil {
			err.File, err.Path, err.Msg = p.file, "samples", fmt.Sprintf("the key %q %s", key, err.Msg)
			return nil, err
		}
		if err := invisibleKey(p.file, "samples", key); err != nil {
			return nil, err
		}
		if !AccessionLike(key) {
			// 2018's metadata.json keys its samples by title: a title is
			// no accession, and taken as one it would be stored as one.
			return nil, &qc.Error{Code: qc.ParseError, Severity: qc.SeverityError, File: p.file, Path: path,
				Msg: fmt.Sprintf("sample has no refinebio_accession_code, and its key %q is a title, not an accession", key)}
		}
		s.Accession = key
	}
	ann, ok := m["refinebio_annotations"]
	annPath := path + ".refinebio_annotations"
	if !ok {
		ann, annPath = m["annotations"], path+".annotations"
	}
	var err error
	if s.Annotations, err = p.annotations(ann, annPath); err != nil {
		return nil, err
	}
	return s, nil
}

// annotations flattens refinebio_annotations: a list of the raw records of
// the source database (GEO, ArrayExpress, SRA). A number in a record is
// kept as it is written (decodeKeepingNumbers), as text for the illness
// classifier to read.
func (p *jsonParser) annotations(raw json.RawMessage, path string) ([]Annotation, error) {
	if isNull(raw) {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		var one object
		if err2 := json.Unmarshal(raw, &one); err2 != nil {
			return nil, p.typeErr(path, "a list of annotation records", raw)
		}
		items = []json.RawMessage{raw}
	}
	var out []Annotation
	for i, it := range items {
		if isNull(it) {
			continue
		}
		var m map[string]any
		if err := decodeKeepingNumbers(it, &m); err != nil {
			return nil, p.typeErr(fmt.Sprintf("%s[%d]", path, i), "an annotation record (an object)", it)
		}
		n := len(out)
		out = flattenRecord(out, m)
		for _, a := range out[n:] {
			for _, v := range []string{a.Key, a.Value} {
				if err := nulErr(v); err != nil {
					err.File, err.Path = p.file, fmt.Sprintf("%s[%d]", path, i)
					err.Msg = fmt.Sprintf("annotation %q %s", a.Key, err.Msg)
					return nil, err
				}
			}
		}
	}
	return out, nil
}

// flattenRecord turns one source-database record into annotations. Empty
// values are dropped, and so are repeats (ArrayExpress often states a
// factor both as a characteristic and as a variable).
func flattenRecord(out []Annotation, m map[string]any) []Annotation {
	add := func(a Annotation) {
		a.Key, a.Value = strings.TrimSpace(a.Key), strings.TrimSpace(a.Value)
		out = appendAnnotation(out, a, false)
	}
	for _, key := range slices.Sorted(maps.Keys(m)) {
		v := m[key]
		lk := strings.ToLower(key)
		switch {
		case lk == "geo_columns":
			// refine.bio's list of the GEO sample table's columns, not
			// metadata about the sample
		case strings.HasPrefix(lk, "characteristics_ch"):
			// GEO: ["disease state: septic shock", "tissue: blood", "Septic shock"]
			for _, s := range nestedTexts(v) {
				k, val, found := strings.Cut(s, ":")
				if found && !strings.Contains(k, "://") && len(k) <= 80 && strings.TrimSpace(k) != "" {
					add(Annotation{Key: k, Value: val, Characteristic: true})
				} else {
					add(Annotation{Value: s, Characteristic: true})
				}
			}
			// The same pairs written as objects, by a tool that rebuilt
			// the record: {"disease state": "septic shock"}, or
			// {"tag": "disease state", "value": "septic shock"}, alone or
			// in a list (texts reads only the strings).
			for _, kv := range objectsOf(v, true) {
				if k := firstText(kv, "tag", "category", "key", "name"); k != "" {
					// a pair: its value, or nothing when it has none (its
					// keys are no characteristics)
					if val := firstText(kv, "value"); val != "" {
						add(Annotation{Key: k, Value: val, Characteristic: true})
					}
					continue
				}
				for _, k := range slices.Sorted(maps.Keys(kv)) {
					for _, val := range texts(kv[k]) {
						add(Annotation{Key: k, Value: val, Characteristic: true})
					}
				}
			}
		case lk == "characteristic" || lk == "variable" || lk == "factorvalue":
			// ArrayExpress: [{"category": "disease", "value": "sepsis"}]
			for _, kv := range objectsOf(v, false) {
				add(Annotation{Key: firstText(kv, "category", "name"), Value: firstText(kv, "value"), Characteristic: true})
			}
		case lk == "source":
			// ArrayExpress: {"name": …, "comment": [{"name": "Sample_source_name", "value": …}]}
			for _, src := range objectsOf(v, false) {
				for _, c := range objectsOf(src["comment"], false) {
					if k := firstText(c, "name"); k != "" {
						add(Annotation{Key: k, Value: firstText(c, "value")})
					}
				}
			}
		default:
			if obj, ok := v.(map[string]any); ok && len(obj) == 1 {
				// ArrayExpress {"assay": {"name": "GSM980279"}}: the sample
				// sheet flattens it to its name
				add(Annotation{Key: key, Value: firstText(obj, "name")})
				continue
			}
			for _, s := range texts(v) {
				add(Annotation{Key: key, Value: s})
			}
		}
	}
	return out
}

// texts returns the strings of a scalar or a list of scalars, a number
// as its literal text.
func texts(v any) []string {
	switch x := v.(type) {
	case string:
		if s := strings.TrimSpace(x); s != "" {
			return []string{s}
		}
	case json.Number:
		return []string{numberText(x)}
	case bool:
		return []string{strconv.FormatBool(x)}
	case []any:
		var out []string
		for _, e := range x {
			switch e.(type) {
			case string, json.Number, bool:
				out = append(out, texts(e)...)
			}
		}
		return out
	}
	return nil
}

// numberText is the text of a JSON number in an annotation: a whole
// number as written (an id of 20 digits keeps them all), any other in its
// shortest form ("1.0" is 1, "1E5" 100000, as a flag or a count reads
// it: Python writes 1.0 for a flag of 1), and one beyond a float64's range
// (1e400) as written.
func numberText(n json.Number) string {
	t := n.String()
	if strings.TrimPrefix(t, "-") != "" && strings.Trim(strings.TrimPrefix(t, "-"), "0123456789") == "" {
		return t
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return t
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// nestedTexts is texts of v, with the strings of lists nested in its
// lists too ([["disease state: sepsis"]]).
func nestedTexts(v any) []string {
	l, ok := v.([]any)
	if !ok {
		return texts(v)
	}
	var out []string
	for _, e := range l {
		out = append(out, nestedTexts(e)...)
	}
	return out
}

// objectsOf returns the objects of v, an object or a list of them; with
// nested, those of lists within its list too, at any depth.
func objectsOf(v any, nested bool) []map[string]any {
	switch x := v.(type) {
	case map[string]any:
		return []map[string]any{x}
	case []any:
		var out []map[string]any
		for _, e := range x {
			switch e := e.(type) {
			case map[string]any:
				out = append(out, e)
			case []any:
				if nested {
					out = append(out, objectsOf(e, true)...)
				}
			}
		}
		return out
	}
	return nil
}

func firstText(m map[string]any, keys ...string) string {
	for _, k := range keys {
		if t := texts(m[k]); len(t) > 0 {
			return t[0]
		}
	}
	return ""
}

// fields reads typed values from one JSON object, remembering the first
// error.
type fields struct {
	p      *jsonParser
	m      object
	path   string
	prefix string
	// study is the key of the study these fields describe, "" for a
	// sample's: it names the study of a finding.
	study string
	err   error
}

func (f *fields) raw(key string) (json.RawMessage, string) {
	if f.prefix != "" {
		if v, ok := f.m[f.prefix+key]; ok {
			return v, f.path + "." + f.prefix + key
		}
	}
	return f.m[key], f.path + "." + key
}

func (f *fields) str(key string) string {
	if f.err != nil {
		return ""
	}
	raw, path := f.raw(key)
	s, err := f.p.str(raw, path)
	f.err = err
	return s
}

// accession is the accession_code field, which must be a string: an
// accession is never a bare number or a boolean, which would be stored as
// one ("true").
func (f *fields) accession() string {
	if f.err != nil {
		return ""
	}
	raw, path := f.raw("accession_code")
	var v any
	if !isNull(raw) && decodeKeepingNumbers(raw, &v) == nil {
		if _, ok := v.(string); !ok {
			f.err = f.p.typeErr(path, "a string (an accession)", raw)
			return ""
		}
	}
	acc := f.str("accession_code")
	f.invisible(acc, path)
	return acc
}

// invisible refuses an accession holding an invisible or control
// character (a zero-width space, a byte order mark), which prints like the
// accession without it and would match no matrix column: the sample would
// go unloaded with only a mismatch to show for it. It is an EncodingError
// at path, as in a sample sheet.
func (f *fields) invisible(acc, path string) {
	if f.err == nil {
		f.err = invisibleIn(f.p.file, path, "accession %q", acc)
	}
}

// invisibleKey refuses, as fields.invisible refuses an accession, the key
// of an object taken as its accession (it gives none): at path, the
// object that holds it, since a path holding the key would hold the
// character.
func invisibleKey(file, path, key string) error {
	return invisibleIn(file, path, "the key %q, taken as the accession,", key)
}

// invisibleIn returns the EncodingError of acc, named by what (a format
// of one %q), at path, when it holds an invisible or control character;
// nil when it holds none.
func invisibleIn(file, path, what, acc string) error {
	if why, code := ident.Problem([]byte(acc), math.MaxInt); code == qc.EncodingError {
		return &qc.Error{Code: code, Severity: qc.SeverityError, File: file, Path: path, Msg: fmt.Sprintf(what, acc) + " " + why}
	}
	return nil
}

// accessions is strs of a list of accessions, each checked as accession
// checks one.
func (f *fields) accessions(key string) []string { return f.strsChecked(key, f.invisible) }

func (f *fields) strs(key string) []string { return f.strsChecked(key, nil) }

// strsChecked reads a list of strings, passing each (trimmed, not empty)
// with its path to check, when not nil, which may set f.err.
func (f *fields) strsChecked(key string, check func(s, path string)) []string {
	if f.err != nil {
		return nil
	}
	raw, path := f.raw(key)
	if isNull(raw) {
		return nil
	}
	var list []any
	if err := decodeKeepingNumbers(raw, &list); err != nil {
		f.err = f.p.typeErr(path, "a list of strings", raw)
		return nil
	}
	var out []string
	for i, v := range list {
		switch x := v.(type) {
		case nil:
		case string:
			if err := nulErr(x); err != nil {
				err.File, err.Path = f.p.file, fmt.Sprintf("%s[%d]", path, i)
				f.err = err
				return nil
			}
			if x = strings.TrimSpace(x); x != "" {
				if check != nil {
					if check(x, fmt.Sprintf("%s[%d]", path, i)); f.err != nil {
						return nil
					}
				}
				out = append(out, x)
			}
		default:
			b, _ := json.Marshal(v)
			f.err = f.p.typeErr(fmt.Sprintf("%s[%d]", path, i), "a string", b)
			return nil
		}
	}
	return out
}

func (f *fields) boolean(key string) Optional[bool] {
	if f.err != nil {
		return Optional[bool]{}
	}
	raw, path := f.raw(key)
	b, err := f.p.boolean(raw, path)
	f.err = err
	return b
}

func (f *fields) time(key string) Optional[time.Time] {
	s := f.str(key)
	if f.err != nil {
		return Optional[time.Time]{}
	}
	_, path := f.raw(key)
	return f.p.time(s, path, f.study)
}

// nulErr refuses a text value that holds a NUL character, which no
// sample sheet or JSON text has reason to hold and which a title compared
// with a matrix column, or stored, would carry unseen. Other control
// characters are kept: a title or description may hold a tab or a line
// break.
func nulErr(v string) *qc.Error {
	i := strings.IndexByte(v, 0)
	if i < 0 {
		return nil
	}
	return &qc.Error{Code: qc.EncodingError, Severity: qc.SeverityError,
		Msg: fmt.Sprintf("holds a NUL character (U+0000) at character %d", utf8.RuneCountInString(v[:i])+1)}
}

func (p *jsonParser) str(raw json.RawMessage, path string) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	var v any
	if err := decodeKeepingNumbers(raw, &v); err != nil {
		return "", p.typeErr(path, "a string", raw)
	}
	switch x := v.(type) {
	case string:
		if err := nulErr(x); err != nil {
			err.File, err.Path = p.file, path
			return "", err
		}
		return strings.TrimSpace(x), nil
	case json.Number:
		// pubmed_id and similar ids are sometimes written as numbers
		return x.String(), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return "", p.typeErr(path, "a string", raw)
}

// warningText reads a field that is a warning's text or null, as
// refine.bio writes ks_warning: false is no warning, written as JSON or as
// text ("false", as a sheet would carry it); any other value that
// is not text (true, a number, an object) is a WARNING finding and no
// text, so that a query for studies with a warning does not find one that
// has none.
func (p *jsonParser) warningText(raw json.RawMessage, path string) (string, error) {
	t := bytes.TrimSpace(raw)
	switch {
	case isNull(raw), bytes.Equal(t, []byte("false")):
		return "", nil
	case len(t) > 0 && t[0] == '"':
		s, err := p.str(raw, path)
		if strings.EqualFold(strings.TrimSpace(s), "false") {
			return "", err
		}
		return s, err
	}
	p.findings = append(p.findings, &qc.Error{Code: qc.ParseError, Severity: qc.SeverityWarning, File: p.file, Path: path,
		Msg: fmt.Sprintf("expected a warning's text or null, found %s; it is recorded as no warning", describeJSON(raw))})
	return "", nil
}

func (p *jsonParser) boolean(raw json.RawMessage, path string) (Optional[bool], error) {
	if isNull(raw) {
		return Optional[bool]{}, nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return Optional[bool]{}, p.typeErr(path, "a boolean", raw)
	}
	switch x := v.(type) {
	case bool:
		return Some(x), nil
	case string:
		return parseBool(x, func() error { return p.typeErr(path, "a boolean", raw) })
	case float64:
		// 1 and 0, as "1" and "0" are read
		switch x {
		case 1:
			return Some(true), nil
		case 0:
			return Some(false), nil
		}
	}
	return Optional[bool]{}, p.typeErr(path, "a boolean", raw)
}

func (p *jsonParser) float(raw json.RawMessage, path string) (Optional[float64], error) {
	if isNull(raw) {
		return Optional[float64]{}, nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		var re *json.UnmarshalTypeError
		if errors.As(err, &re) && re.Value == "number "+strings.TrimSpace(string(raw)) {
			return Optional[float64]{}, &qc.Error{Code: qc.ParseError, Severity: qc.SeverityError, File: p.file, Path: path,
				Msg: fmt.Sprintf("%s is beyond the range of a float64", qc.Shorten(strings.TrimSpace(string(raw)), 40))}
		}
		return Optional[float64]{}, p.typeErr(path, "a number", raw)
	}
	switch x := v.(type) {
	case float64:
		return Some(x), nil
	case string:
		x = strings.TrimSpace(x)
		if x == "" || strings.EqualFold(x, "nan") || strings.EqualFold(x, "none") {
			return Optional[float64]{}, nil
		}
		if f, err := strconv.ParseFloat(x, 64); err == nil && !isNonFinite(f) {
			return Some(f), nil
		}
	}
	return Optional[float64]{}, p.typeErr(path, "a number", raw)
}

func isNonFinite(f float64) bool { return math.IsNaN(f) || math.IsInf(f, 0) }

// time reads a date of the study or the download. The dates describe
// where the data came from and no value genexp computes rests on them, so
// one in a form genexp does not read is unknown and a WARNING finding
// names it, rather than costing the whole file: refine.bio has written
// its dates in more than one form, and the next form should not stop a
// load.
func (p *jsonParser) time(s, path, study string) Optional[time.Time] {
	t, ok := parseTime(s)
	if !ok {
		p.findings = append(p.findings, &qc.Error{Code: qc.ParseError, Severity: qc.SeverityWarning, Study: study, File: p.file, Path: path,
			Msg: fmt.Sprintf("not a date: %q (expected YYYY-MM-DDTHH:MM:SS); the date is left unknown", qc.Shorten(s, 60))})
	}
	return t
}

// qcNumber reads a number that is only recorded: one that cannot be read
// is unknown, and the error that says why is a WARNING finding.
func (p *jsonParser) qcNumber(raw json.RawMessage, path string) Optional[float64] {
	v, err := p.float(raw, path)
	if err == nil {
		return v
	}
	var e *qc.Error
	if !errors.As(err, &e) {
		e = &qc.Error{Code: qc.ParseError, File: p.file, Path: path, Msg: err.Error()}
	}
	w := *e
	w.Severity = qc.SeverityWarning
	w.Msg += "; it is recorded as unknown"
	p.findings = append(p.findings, &w)
	return Optional[float64]{}
}

// probability keeps v when it lies in [0, 1], the range of what refine.bio
// records there (named by what), and otherwise makes it unknown with a
// WARNING: meta_study_qc must not hold a statistic that cannot be one.
func (p *jsonParser) probability(v Optional[float64], path, what string) Optional[float64] {
	if !v.Valid || v.Val >= 0 && v.Val <= 1 {
		return v
	}
	p.findings = append(p.findings, &qc.Error{Code: qc.ParseError, Severity: qc.SeverityWarning, File: p.file, Path: path,
		Msg: fmt.Sprintf("%v is not %s, which lies between 0 and 1; it is recorded as unknown", v.Val, what)})
	return Optional[float64]{}
}

// enum returns v, a value of one of the download's settings, and adds a
// WARNING finding when v is none of the values refine.bio writes: a newer
// refine.bio may add one, so the value is kept as given, and the finding
// says that genexp does not know what it means.
func (p *jsonParser) enum(v, path string, known ...string) string {
	if v != "" && !slices.Contains(known, v) {
		p.findings = append(p.findings, &qc.Error{Code: qc.ParseError, Severity: qc.SeverityWarning, File: p.file, Path: path,
			Msg: fmt.Sprintf("%q is none of %s; it is recorded as given", qc.Shorten(v, 60), strings.Join(known, ", "))})
	}
	return v
}

func (p *jsonParser) objects(raw json.RawMessage, path string) (map[string]json.RawMessage, error) {
	if isNull(raw) {
		return nil, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, p.typeErr(path, "an object keyed by accession", raw)
	}
	return m, nil
}

// typeErr reports a value of the wrong type at path, saying what was found.
func (p *jsonParser) typeErr(path, want string, found []byte) error {
	if path == "" {
		path = "$"
	}
	return &qc.Error{Code: qc.ParseError, Severity: qc.SeverityError, File: p.file, Path: path,
		Msg: "expected " + want + ", found " + describeJSON(found)}
}

// describeJSON names a JSON value's kind, with a short excerpt of scalars.
func describeJSON(raw []byte) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return "nothing"
	}
	switch t[0] {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		var s string
		if json.Unmarshal(t, &s) == nil {
			if r := []rune(s); len(r) > 40 {
				s = string(r[:40]) + "…"
			}
			return strconv.Quote(s)
		}
	case 't', 'f':
		return "a boolean (" + string(t) + ")"
	case 'n':
		return "null"
	}
	if len(t) > 40 {
		t = append(t[:40:40], "…"...)
	}
	return "the number " + string(t)
}

// decodeKeepingNumbers decodes raw, one JSON value, into v with each number
// as a json.Number, its literal text: a number too large for a float64
// (1e400, an id of 400 digits) is then text like any other, where
// json.Unmarshal would fail on it, and an integer beyond 2^53 keeps its
// digits rather than being rounded.
func decodeKeepingNumbers(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(v)
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

func parseBool(s string, bad func() error) (Optional[bool], error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return Optional[bool]{}, nil
	case "true", "t", "yes", "1":
		return Some(true), nil
	case "false", "f", "no", "0":
		return Some(false), nil
	}
	return Optional[bool]{}, bad()
}

// timeLayouts are the date forms refine.bio writes. A layout's fractional
// seconds (.999999) are optional in what it parses.
var timeLayouts = []string{
	"2006-01-02T15:04:05.999999",
	"2006-01-02T15:04:05.999999Z07:00",
	"2006-01-02 15:04:05.999999",
	"2006-01-02 15:04:05.999999Z07:00",
	"2006-01-02 15:04:05.999999-07",
	"2006-01-02",
}

// parseTime reads the date forms refine.bio writes; "" is unknown. Times
// without a zone are UTC.
func parseTime(s string) (Optional[time.Time], bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Optional[time.Time]{}, true
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return Some(t.UTC()), true
		}
	}
	return Optional[time.Time]{}, false
}

// isNilReader reports whether r is nil or an interface holding a nil
// pointer (a *os.File or *bytes.Reader left unset), which would panic on
// its first Read.
func isNilReader(r io.Reader) bool {
	if r == nil {
		return true
	}
	v := reflect.ValueOf(r)
	return v.Kind() == reflect.Pointer && v.IsNil()
}
