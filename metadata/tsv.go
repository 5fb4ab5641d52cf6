package metadata

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/genexp/genexp/internal/ident"
	"github.com/genexp/genexp/qc"
)

// sampleColumns maps refine.bio TSV columns (without the "refinebio_"
// prefix) to Sample fields.
var sampleColumns = map[string]func(*Sample) *string{
	"accession_code":      func(s *Sample) *string { return &s.Accession },
	"title":               func(s *Sample) *string { return &s.Title },
	"organism":            func(s *Sample) *string { return &s.Organism },
	"platform":            func(s *Sample) *string { return &s.Platform },
	"source_database":     func(s *Sample) *string { return &s.SourceDatabase },
	"source_archive_url":  func(s *Sample) *string { return &s.SourceArchiveURL },
	"sex":                 func(s *Sample) *string { return &s.Sex },
	"age":                 func(s *Sample) *string { return &s.Age },
	"specimen_part":       func(s *Sample) *string { return &s.SpecimenPart },
	"genetic_information": func(s *Sample) *string { return &s.GeneticInformation },
	"disease":             func(s *Sample) *string { return &s.Disease },
	"disease_stage":       func(s *Sample) *string { return &s.DiseaseStage },
	"cell_line":           func(s *Sample) *string { return &s.CellLine },
	"treatment":           func(s *Sample) *string { return &s.Treatment },
	"race":                func(s *Sample) *string { return &s.Race },
	"subject":             func(s *Sample) *string { return &s.Subject },
	"compound":            func(s *Sample) *string { return &s.Compound },
	"time":                func(s *Sample) *string { return &s.Time },
	"developmental_stage": func(s *Sample) *string { return &s.DevelopmentalStage },
	"processor_id":        func(s *Sample) *string { return &s.ProcessorID },
	"processor_name":      func(s *Sample) *string { return &s.ProcessorName },
	"processor_version":   func(s *Sample) *string { return &s.ProcessorVersion },
}

// ParseTSV reads a refine.bio sample sheet (metadata_<ACC>.tsv or
// <ACC>_metadata.tsv): a header row, then one row per sample. The refine.bio
// columns fill the Sample fields (early-2018 sheets name them without the
// "refinebio_" prefix); every other non-empty column becomes an Annotation.
// Columns named characteristics_ch<N>_<key>, characteristic_<key> and
// variable_<key> are characteristics; so are, in older sheets without
// such columns, the GEO-style columns the sheet flattened from
// characteristics.
//
// study, when not empty, is a study every sample belongs to (the folder or
// file the sheet came from); an experiment_accession column adds the study
// it names. name is used in errors, whose Column is the 1-based field
// number.
func ParseTSV(r io.Reader, name, study string) (*Dataset, error) {
	if isNilReader(r) {
		return nil, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: name, Msg: "metadata: ParseTSV: no source to read"}
	}
	lc := &lineCounter{r: r}
	br := bufio.NewReader(lc)
	head, _ := br.Peek(qc.TextStartBytes)
	if err := qc.NotText(head, name, "sample sheet", ".tsv"); err != nil {
		return nil, err
	}
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
		lc.col -= 3
	}
	cr := csv.NewReader(br)
	cr.Comma = '\t'
	// refine.bio's writer quotes every field that needs it; a hand-edited
	// sheet may hold a bare quote. A quote that joins lines is caught by
	// the field count below.
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: name, Msg: "empty sample sheet"}
	}
	if err != nil {
		return nil, csvErr(name, err, lc)
	}
	// encoding/csv ends records at LF and CRLF only: a CR it leaves in the
	// header means lines that end in CR only, all read as this one record.
	for i, h := range header {
		if strings.IndexByte(h, '\r') >= 0 {
			return nil, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: name, Line: 1, Column: int64(i + 1),
				Msg: qc.MsgCROnly}
		}
	}
	cols, accCol, err := sheetColumns(header, name)
	if err != nil {
		return nil, err
	}
	d := &Dataset{Sources: []string{name}}
	repeats := repeatedColumns(cols)
	studies := map[string]*Study{}
	addStudy := func(acc string, s *Sample) {
		st := studies[acc]
		if st == nil {
			st = &Study{Accession: acc}
			studies[acc] = st
			d.Studies = append(d.Studies, st)
		}
		st.SampleAccessions = append(st.SampleAccessions, s.Accession) // deduplicated by sortAll
		s.Experiments = appendUnique(s.Experiments, acc)
	}
	seen := map[string]int{}
	// unnamed counts the values of columns with no name in the header
	// (read as nothing), the first at unnamedLine, unnamedCol.
	var unnamed, unnamedLine, unnamedCol int
	var unnamedValue string
	for {
		// A record may span lines (a quoted field holding line breaks):
		// its bytes, not its line's, are what the bound counts.
		lc.recordStart = lc.total - int64(br.Buffered())
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvErr(name, err, lc)
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		if len(rec) != len(header) {
			return nil, raggedRow(name, int64(line), rec, len(header))
		}
		s := &Sample{}
		var experiment string
		for i, v := range rec {
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			fieldLine, _ := cr.FieldPos(i)
			if !utf8.ValidString(v) {
				return nil, &qc.Error{Code: qc.EncodingError, Severity: qc.SeverityError, File: name, Line: int64(fieldLine), Column: int64(i + 1),
					Msg: fmt.Sprintf("column %q is not valid UTF-8 text", header[i])}
			}
			if err := nulErr(v); err != nil {
				err.File, err.Line, err.Column = name, int64(fieldLine), int64(i+1)
				err.Msg = fmt.Sprintf("column %q %s", header[i], err.Msg)
				return nil, err
			}
			if i == 0 && strings.HasPrefix(v, "\uFEFF") {
				// A sheet joined from several keeps the mark of each at
				// the start of a line: the accession it opens would name
				// no sample of the matrix. (One inside a free text, a
				// title's, is the text's own.)
				return nil, &qc.Error{Code: qc.EncodingError, Severity: qc.SeverityError, File: name, Line: int64(fieldLine), Column: 1,
					Msg: fmt.Sprintf("line %d begins with a byte order mark (U+FEFF), as a file joined from several keeps the mark of each; remove it", fieldLine)}
			}
			if i == accCol || cols[i].experiment {
				// An accession holding an invisible character (a zero-width
				// space, a mark in the middle) prints like the accession
				// without it and matches no matrix column: the sample would
				// go unloaded with only a mismatch to show for it.
				// Only spaces (of any width) are padding: a line
				// separator (U+2028) at either end is the id's problem.
				raw := strings.TrimFunc(rec[i], func(r rune) bool { return r == '\t' || unicode.Is(unicode.Zs, r) })
				if why, code := ident.Problem([]byte(raw), math.MaxInt); code == qc.EncodingError {
					return nil, &qc.Error{Code: code, Severity: qc.SeverityError, File: name, Line: int64(fieldLine), Column: int64(i + 1),
						Msg: fmt.Sprintf("column %q: accession %q %s", header[i], raw, why)}
				}
			}
			if header[i] == "" && i != accCol {
				if unnamed == 0 {
					unnamedLine, unnamedCol, unnamedValue = fieldLine, i+1, v
				}
				unnamed++
			}
			c := cols[i]
			switch {
			case c.set != nil:
				*c.set(s) = v
			case c.processed:
				b, err := parseBool(v, func() error {
					return &qc.Error{Code: qc.ParseError, Severity: qc.SeverityError, File: name, Line: int64(fieldLine), Column: int64(i + 1),
						Msg: fmt.Sprintf("%s is not a boolean: %q", header[i], v)}
				})
				if err != nil {
					return nil, err
				}
				s.Processed = b
			case c.experiment:
				experiment = v
			case c.key != "":
				s.Annotations = appendAnnotation(s.Annotations, Annotation{Key: c.key, Value: v, Characteristic: c.char}, false)
			}
		}
		if s.Accession == "" {
			return nil, &qc.Error{Code: qc.ParseError, Severity: qc.SeverityError, File: name, Line: int64(line), Column: int64(accCol + 1),
				Msg: fmt.Sprintf("sample has no accession code (column %q is empty)", header[accCol])}
		}
		for _, r := range repeats {
			r.check(rec, s.Accession, int64(line))
		}
		if prev, dup := seen[s.Accession]; dup {
			return nil, &qc.Error{Code: qc.DuplicateSamples, Severity: qc.SeverityError, File: name, Line: int64(line), Column: int64(accCol + 1),
				Msg: fmt.Sprintf("sample %s already appears on line %d", s.Accession, prev)}
		}
		seen[s.Accession] = line
		d.Samples = append(d.Samples, s)
		if study != "" {
			addStudy(study, s)
		}
		for _, e := range joinedAccessions(experiment) {
			addStudy(e, s)
		}
	}
	if len(d.Samples) == 0 {
		// Taken for no metadata, it would load every sample UNKNOWN.
		return nil, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: name,
			Msg: "the sample sheet has a header but no sample rows"}
	}
	for _, r := range repeats {
		if r.differ > 0 {
			d.Findings = append(d.Findings, r.finding(name, study, header))
		}
	}
	if unnamed > 0 {
		// A blank header cell over values: a name deleted by hand, or a
		// field the writer did not name. Its values reach neither the
		// warehouse nor the illness rules.
		d.Findings = append(d.Findings, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityWarning, Study: study, File: name,
			Line: int64(unnamedLine), Column: int64(unnamedCol),
			Msg: fmt.Sprintf("column %d has no name in the header (line 1) yet holds %d value(s), the first %q: they are not read; give the column its name", unnamedCol, unnamed, unnamedValue)})
	}
	d.readSRA()
	d.sortAll()
	return d, nil
}

// repeat is a field that several columns of a sample sheet hold (a
// column repeated by hand, or by a spreadsheet): the values of each are
// kept as annotations of one key, so two that differ both reach the
// illness classifier, and the label may follow either.
type repeat struct {
	cols []int
	// differ counts the samples the columns give different values; the
	// first is sample, on line, in columns a and b.
	differ     int
	sample     string
	line       int64
	a, b       int
	valA, valB string
}

// repeatedColumns returns the fields that more than one annotation column
// holds, by the key their values are kept under.
func repeatedColumns(cols []sheetColumn) []*repeat {
	byKey := map[string]*repeat{}
	var out []*repeat
	for i, c := range cols {
		if c.key == "" {
			continue
		}
		k := normKey(c.key)
		r := byKey[k]
		if r == nil {
			r = &repeat{}
			byKey[k] = r
		}
		r.cols = append(r.cols, i)
		if len(r.cols) == 2 {
			out = append(out, r)
		}
	}
	return out
}

// check compares the repeated columns of one sample's row.
func (r *repeat) check(rec []string, sample string, line int64) {
	for i, a := range r.cols {
		va := strings.TrimSpace(rec[a])
		if va == "" {
			continue
		}
		for _, b := range r.cols[i+1:] {
			if vb := strings.TrimSpace(rec[b]); vb != "" && vb != va {
				if r.differ == 0 {
					r.sample, r.line, r.a, r.b, r.valA, r.valB = sample, line, a, b, va, vb
				}
				r.differ++
				return
			}
		}
	}
}

// finding is the WARNING a repeat whose columns differ is: at the header
// (line 1) and the second column, naming both and the first sample.
func (r *repeat) finding(name, study string, header []string) *qc.Error {
	samples := "1 sample"
	if r.differ > 1 {
		samples = fmt.Sprintf("%d samples", r.differ)
	}
	msg := fmt.Sprintf("columns %d (%q) and %d (%q) hold the same field and give %s different values "+
		"(first %s, line %d: %q and %q); both values are kept and the illness classifier reads both, so the sample's label may follow either: "+
		"remove or rename one of the columns",
		r.a+1, qc.Shorten(header[r.a], 60), r.b+1, qc.Shorten(header[r.b], 60), samples, r.sample, r.line, qc.Shorten(r.valA, 60), qc.Shorten(r.valB, 60))
	return &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityWarning, Study: study, File: name, Line: 1, Column: int64(r.b + 1), Msg: msg}
}

// sheetColumn says what one sample-sheet column holds.
type sheetColumn struct {
	set        func(*Sample) *string
	processed  bool
	experiment bool
	key        string // annotation key; "" for columns that are not kept
	char       bool
}

// sheetColumns classifies a sample sheet's header and returns the index of
// its accession column.
func sheetColumns(header []string, name string) ([]sheetColumn, int, error) {
	prefixed, current := false, false
	for i, h := range header {
		h = strings.TrimSpace(h)
		header[i] = h
		lh := strings.ToLower(h)
		prefixed = prefixed || strings.HasPrefix(h, "refinebio_")
		current = current || hasCharacteristicPrefix(lh)
	}
	cols := make([]sheetColumn, len(header))
	accCol := -1
	owner := map[string]int{} // Sample field → column that fills it
	for i, h := range header {
		if !utf8.ValidString(h) {
			return nil, -1, &qc.Error{Code: qc.EncodingError, Severity: qc.SeverityError, File: name, Line: 1, Column: int64(i + 1),
				Msg: "column name is not valid UTF-8 text"}
		}
		if err := nulErr(h); err != nil {
			err.File, err.Line, err.Column = name, 1, int64(i+1)
			err.Msg = "column name " + err.Msg
			return nil, -1, err
		}
		field := ""
		switch {
		case h == "":
			// an unnamed column (a trailing tab) carries nothing
		case h == "experiment_accession" || h == "experiment_accession_code":
			cols[i].experiment = true
			field = "experiment_accession"
		case h == "refinebio_annotations" || (!prefixed && h == "annotations"):
			// a dump of the raw records; the sheet also flattens them into
			// columns
		case prefixed && strings.HasPrefix(h, "refinebio_"):
			base := strings.TrimPrefix(h, "refinebio_")
			switch {
			case base == "processed":
				cols[i].processed, field = true, base
			case sampleColumns[base] != nil:
				cols[i].set, field = sampleColumns[base], base
			default:
				cols[i].key = h // a refine.bio field this version does not know
			}
		case !prefixed && h == "processed":
			cols[i].processed, field = true, h
		case !prefixed && h == "genotype":
			cols[i].set, field = sampleColumns["genetic_information"], "genetic_information"
		case !prefixed && sampleColumns[h] != nil:
			cols[i].set, field = sampleColumns[h], h
		default:
			cols[i].key, cols[i].char = annotationKey(h, current)
		}
		if field == "" {
			continue
		}
		if first, dup := owner[field]; dup {
			return nil, -1, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: name, Line: 1, Column: int64(i + 1),
				Msg: fmt.Sprintf("columns %d (%q) and %d (%q) both hold the sample's %s", first+1, header[first], i+1, h, field)}
		}
		owner[field] = i
		if field == "accession_code" {
			accCol = i
		}
	}
	if accCol < 0 {
		return nil, -1, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: name, Line: 1,
			Msg: fmt.Sprintf("sample sheet has no refinebio_accession_code column (its columns begin %s)", firstNames(header, 4))}
	}
	return cols, accCol, nil
}

// joinedAccessions splits an experiment cell into its accessions. One
// accession a row is how refine.bio writes the sheet; a sample of a
// SuperSeries and its SubSeries joined into one cell by hand ("GSE1,GSE2",
// "GSE1; GSE2", "GSE1|GSE2", "GSE1 GSE2") is in each, not in a study named
// "GSE1,GSE2": no accession holds any of these. Blanks split a part only
// when every word of it is written as an accession is (letters, digits
// and dashes, with a digit), so that words ("not available") stay one
// value, which matches no study, rather than studies named "not" and
// "available".
func joinedAccessions(cell string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(cell, func(r rune) bool { return r == ',' || r == ';' || r == '|' }) {
		words := strings.Fields(part)
		if len(words) > 1 && !slices.ContainsFunc(words, func(w string) bool { return !accessionWord.MatchString(w) || !strings.ContainsAny(w, "0123456789") }) {
			out = append(out, words...)
		} else if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// accessionWord is a word written as a study accession is: GSE123,
// E-MTAB-1234, SRP012345.
var accessionWord = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*$`)

func raggedRow(name string, line int64, rec []string, want int) error {
	for i, f := range rec {
		if at := strings.IndexByte(f, 0); at >= 0 {
			// A row of NUL bytes, as a file padded with zeros after a
			// crash or a copy cut short ends, shows as an empty line in
			// an editor: the count alone would not say what is there.
			return &qc.Error{Code: qc.EncodingError, Severity: qc.SeverityError, File: name, Line: line, Column: int64(i + 1),
				Msg: fmt.Sprintf("the row holds a NUL character (U+0000) at character %d of its field, and %d fields where the header has %d: "+
					"NUL bytes in a text file mean it was padded or damaged (a copy or download cut short); get the file again", utf8.RuneCountInString(f[:at])+1, len(rec), want)}
		}
	}
	e := &qc.Error{Code: qc.ParseError, Severity: qc.SeverityError, File: name, Line: line,
		Msg: fmt.Sprintf("row has %d fields, the header %d", len(rec), want)}
	if len(rec) > want {
		e.Column = int64(want + 1)
	} else {
		e.Column = int64(len(rec))
	}
	for _, f := range rec {
		if strings.ContainsAny(f, "\n\r") {
			e.Msg += `; a field holds a line break, so a stray double quote (") may have joined lines`
			break
		}
	}
	return e
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func firstNames(header []string, n int) string {
	var parts []string
	for i, h := range header {
		if i == n {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, fmt.Sprintf("%q", h))
	}
	if len(parts) == 0 {
		return "(none)"
	}
	return strings.Join(parts, ", ")
}

// characteristicPrefixes are the column-name prefixes under which
// refine.bio flattens the submitter's characteristics: GEO
// characteristics_ch1 "key: value" items, ArrayExpress characteristic and
// variable (factor) items.
var characteristicPrefixes = []string{
	"characteristics_ch1_", "characteristics_ch2_", "characteristics_ch1.", "characteristics_ch2.",
	"characteristic_", "characteristics.", "variable_", "factorvalue_", "factor_value_",
}

func hasCharacteristicPrefix(lh string) bool {
	for _, p := range characteristicPrefixes {
		if strings.HasPrefix(lh, p) {
			return true
		}
	}
	return false
}

// geoOtherColumns are columns a sample sheet holds that are not
// characteristics of the sample: GEO record fields and ArrayExpress
// record parts.
var geoOtherColumns = map[string]bool{
	"title": true, "geo_accession": true, "status": true, "submission_date": true,
	"last_update_date": true, "type": true, "channel_count": true, "source_name_ch1": true,
	"source_name_ch2": true, "organism_ch1": true, "organism_ch2": true, "taxid_ch1": true,
	"taxid_ch2": true, "molecule_ch1": true, "molecule_ch2": true, "extract_protocol_ch1": true,
	"extract_protocol_ch2": true, "label_ch1": true, "label_ch2": true, "label_protocol_ch1": true,
	"label_protocol_ch2": true, "hyb_protocol": true, "scan_protocol": true, "description": true,
	"data_processing": true, "platform_id": true, "contact_name": true, "contact_email": true,
	"contact_phone": true, "contact_laboratory": true, "contact_department": true,
	"contact_institute": true, "contact_address": true, "contact_city": true, "contact_state": true,
	"contact_zip/postal_code": true, "contact_country": true, "supplementary_file": true,
	"data_row_count": true, "series_id": true, "relation": true, "growth_protocol_ch1": true,
	"treatment_protocol_ch1": true, "instrument_model": true, "library_selection": true,
	"library_source": true, "library_strategy": true, "contact_fax": true, "contact_web_link": true,
	"assay": true, "extract": true, "file": true, "labeled-extract": true, "source": true,
	"sample_id": true, "geo_columns": true,
}

// annotationKey names the annotation a submitter column becomes and says
// whether it is a characteristic. current says the sheet names its
// characteristic columns with a prefix, so that unprefixed columns are
// other fields.
func annotationKey(h string, current bool) (string, bool) {
	lh := strings.ToLower(h)
	for _, p := range characteristicPrefixes {
		if strings.HasPrefix(lh, p) {
			return strings.TrimSpace(h[len(p):]), true
		}
	}
	if strings.HasPrefix(lh, "characteristics_ch") {
		return h, true
	}
	if current {
		return h, false
	}
	return h, !geoOtherColumns[lh]
}

// csvErr turns an error of the CSV reader into a *qc.Error. A read error
// (a gzipped sheet cut short, a failing disk) happens where the input
// stops, which lc, counting what the input gave, knows.
func csvErr(name string, err error, lc *lineCounter) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &qc.Error{Code: qc.ParseError, Severity: qc.SeverityError, File: name, Line: int64(pe.Line), Column: int64(pe.Column),
			Msg: "malformed sample sheet", Err: pe.Err}
	}
	if errors.Is(err, errSheetLineTooLong) {
		return &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: name, Line: lc.lines + 1,
			Msg: fmt.Sprintf("a line, or a record a quoted field carries over several lines, is longer than %d bytes, more than any sample sheet holds (is this a sample sheet, and is every quote closed?)", maxSheetLine)}
	}
	return &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: name, Line: lc.lines + 1, Column: lc.col + 1,
		Msg: "reading sample sheet failed where its input stopped", Err: err}
}

// MaxSheetLineBytes is the longest line a sample sheet may have. A line
// is one sample's record, a few kilobytes in any refine.bio sheet; the
// bound keeps a corrupt or hostile file (a field of gigabytes, which a
// zip or gzip stores in a few hundred kilobytes) from holding memory that
// grows with it.
const MaxSheetLineBytes = 64 << 20

// maxSheetLine is MaxSheetLineBytes, lowered by tests.
var maxSheetLine int64 = MaxSheetLineBytes

var errSheetLineTooLong = errors.New("sample sheet line too long")

// lineCounter counts the lines and the bytes of the last line that r
// has given, and stops at a line, or a record from recordStart on, longer
// than MaxSheetLineBytes.
type lineCounter struct {
	r          io.Reader
	lines, col int64
	// total counts the bytes given; recordStart is where the record being
	// read starts, as the caller sets it.
	total, recordStart int64
}

func (c *lineCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	b := p[:n]
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		c.lines += int64(bytes.Count(b, []byte{'\n'}))
		c.col = int64(len(b) - i - 1)
	} else {
		c.col += int64(n)
	}
	c.total += int64(n)
	if c.col > maxSheetLine || c.total-c.recordStart > maxSheetLine+64<<10 {
		return n, errSheetLineTooLong
	}
	return n, err
}
