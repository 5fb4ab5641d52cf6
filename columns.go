package genexp

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// Skipped is the Outcome of a study that processing.study_code_pattern
// excludes: nothing of it is read or written.
const Skipped warehouse.Outcome = "skipped"

// maxColumnFindings caps the findings about individual matrix columns; the
// rest are summed up in one.
const maxColumnFindings = 20

// plan is what a matrix's header and the metadata say to load.
type plan struct {
	// columns are the columns to load, in matrix order, one per study
	// that holds the column's sample; indexes are their matrix column
	// indexes (a column of a sample several studies hold is listed once
	// per study).
	columns []warehouse.Column
	indexes []int
	studies []string // the studies they belong to, in first-seen order
	// ofSeveral: the matrix is not one experiment's (its columns' studies
	// come from the metadata, as in a SPECIES or ALL download), however
	// many of its studies are loaded: rows of other studies' genes may
	// hold none of a loaded study's values.
	ofSeveral bool
	// partOf, for matrices loaded together (mergePlans), names each
	// column's matrix (its Base: the organism, in a SPECIES download);
	// nil for one matrix.
	partOf  []string
	samples map[string]*metadata.Sample
	// named are the samples the header names, loaded or not (a study the
	// study filter excludes, a repeated column).
	named []string
	// reason, when set, is the one finding that says why nothing of the
	// matrix loads (a lone matrix named for no study); it is among
	// findings too.
	reason   *qc.Error
	findings []*qc.Error
	// missing are the findings, among findings, of a study's samples
	// with no column here (mergePlans takes them over the matrices
	// loaded together).
	missing []*qc.Error
	// excluded counts, per study the study filter excludes, its columns;
	// excludedOrder lists those studies in first-seen order.
	excluded      map[string]int
	excludedOrder []string
}

// resolveColumns maps each header name to a sample and a study.
//
// A name is a sample accession, or else the title of exactly one sample
// (of the matrix's own study first); anything else is a finding, never a
// guess. A study is an experiment, not a folder: the matrix's own study
// when the metadata knows its folder or file name as an experiment
// (refine.bio's EXPERIMENT layout), else each sample's experiment from the
// metadata (SPECIES and ALL layouts, where one matrix holds many
// experiments). Without metadata, names are taken as accessions of the
// study the matrix is named for. A sample the metadata lists under several
// experiments is held by each of them, as it is when each experiment's own
// matrix holds a copy of its column: the plan lists the column once per
// study (see sharedFindings). studyFilter, when not nil, excludes the
// studies it does not match.
func resolveColumns(h *expression.Header, d *metadata.Dataset, m *Matrix, studyFilter *regexp.Regexp) *plan {
	p := &plan{samples: map[string]*metadata.Sample{}, excluded: map[string]int{}}
	// add records a finding at matrix column col (header line 1).
	add := func(code qc.Code, sev qc.Severity, study string, col int, format string, args ...any) {
		p.findings = append(p.findings, &qc.Error{Code: code, Severity: sev, Study: study, File: m.Name,
			Line: 1, Column: int64(col + 2), Msg: fmt.Sprintf(format, args...)})
	}
	columnFindings := 0
	columnFinding := func(code qc.Code, col int, format string, args ...any) {
		columnFindings++
		if columnFindings <= maxColumnFindings {
			add(code, qc.SeverityWarning, "", col, format, args...)
		}
	}
	padded := 0 // columns read without the blanks around their names
	// A sample in two columns is an ERROR of its study by default: either
	// column may hold its values. Each such study gets a finding, however
	// many columns the cap above leaves unlisted; lowered to a WARNING by
	// configuration, the sample loads from its first column.
	dupsUnlisted := map[string]int{}
	var dupStudies []string
	dupFinding := func(study string, col int, format string, args ...any) {
		columnFindings++
		if columnFindings > maxColumnFindings {
			if dupsUnlisted[study] == 0 {
				dupStudies = append(dupStudies, study)
			}
			dupsUnlisted[study]++
			return
		}
		add(qc.DuplicateSamples, qc.SeverityError, study, col, format, args...)
	}
	own, known := ownStudy(d, m, studyFilter)
	p.ofSeveral = !known
	var unattributed []string // columns whose study cannot be told
	var titles []int          // without metadata, columns named by what can only be a title
	seen := map[string]int{}
	studySeen := map[string]bool{}
	badStudies := map[string]string{}         // study → what is wrong with its accession ("" when nothing)
	var byTitle map[string][]*metadata.Sample // built at the first column named by title
	var byFold caseIndex                      // built at the first column that names no sample
	// garbled reports a name that holds an invisible or control character
	// and matches no sample: it prints like the accession it was meant to
	// be, so a mismatch would hide why the column is left out. It is an
	// ERROR of the matrix's study (of every study in it when the matrix
	// is not one study's): the study would otherwise load without that
	// sample.
	garbled := func(i int, name string) bool {
		why, code := expression.IDProblem([]byte(name), expression.MaxSampleLength)
		if code != qc.EncodingError {
			return false
		}
		add(code, qc.SeverityError, own, i, "column %q names no sample: it %s", columnName(name), why)
		return true
	}
	for i, name := range h.Names {
		var s *metadata.Sample
		var trimmed bool // s was found by the name without the blanks around it
		if len(d.Samples) == 0 {
			if garbled(i, name) {
				continue
			}
			if trimBlanks(name) == name && !accessionLike(name, own) {
				// Without metadata a column's name is its accession; a name
				// that cannot be one is a title, which only the metadata
				// maps to its sample (a finding after the loop). (Blanks
				// around a name are refused below, as an id problem of the
				// accession.)
				titles = append(titles, i)
				continue
			}
			s = &metadata.Sample{Accession: name}
		} else if s, trimmed = lookupSample(d, name); s == nil {
			if byTitle == nil {
				byTitle = titleIndex(d)
			}
			var titled, elsewhere []*metadata.Sample
			titled, elsewhere, trimmed = titledSamples(byTitle, name, own, known)
			switch len(titled) {
			case 1:
				s = titled[0]
			case 0:
				if garbled(i, name) {
					continue
				}
				if len(elsewhere) > 0 {
					columnFinding(qc.SampleMismatch, i, "column %q is the title of %s, a sample of %s, not of this matrix's study %s; it is not loaded",
						columnName(name), listSome(sampleAccessions(elsewhere), 3), listSome(elsewhere[0].Experiments, 3), own)
					continue
				}
				if byFold == nil {
					byFold = foldIndex(d.Samples)
				}
				columnFinding(qc.SampleMismatch, i, "column %q names no sample of the metadata (neither an accession nor a title%s); it is not loaded",
					columnName(name), byFold.hint(name))
				continue
			default:
				columnFinding(qc.SampleMismatch, i, "column %q is the title of %d samples (%s); it is not loaded",
					columnName(name), len(titled), listSome(sampleAccessions(titled), 3))
				continue
			}
		} else if known && foreignSample(s, own) {
			// The accession of another study's sample in this study's
			// matrix: the title of a sample of this study, if it is one
			// (the matrix names its samples by title), else a sample the
			// metadata does not place here, which is not loaded as one of
			// this study's.
			if byTitle == nil {
				byTitle = titleIndex(d)
			}
			if titled, _, _ := titledSamples(byTitle, trimBlanks(name), own, known); len(titled) == 1 && inStudy(titled[0], own) {
				columnFinding(qc.SampleMismatch, i, "column %q is the accession of sample %s of %s, not of this matrix's study %s, and the title of %s of %s: it is read as %s",
					columnName(name), s.Accession, listSome(s.Experiments, 3), own, titled[0].Accession, own, titled[0].Accession)
				s, trimmed = titled[0], false
			} else {
				columnFinding(qc.SampleMismatch, i, "column %q is sample %s of %s, which the metadata does not list in this matrix's study %s; it is not loaded (list it under %s in the metadata to load it as one of its samples)",
					columnName(name), s.Accession, listSome(s.Experiments, 3), own, own)
				continue
			}
		} else if len(d.Samples) > 1 {
			// An accession is never taken for a title, but a name that is
			// one sample's accession and another's title is ambiguous all
			// the same, and said: the other sample may be the one meant.
			if byTitle == nil {
				byTitle = titleIndex(d)
			}
			if others := titledBesides(byTitle[trimBlanks(name)], s); len(others) > 0 {
				columnFinding(qc.SampleMismatch, i, "column %q is the accession of sample %s and the title of %s of its study: it is read as %s's accession; "+
					"if %s is meant, name the column by its accession", columnName(name), s.Accession, listSome(sampleAccessions(others), 3),
					s.Accession, listSome(sampleAccessions(others), 3))
			}
		}
		if trimmed {
			// Spreadsheets pad names; the sample is certain, but the
			// header is not as written in the metadata, so it is said,
			// under a cap of its own: these columns load, and must not
			// take the places of those that do not.
			if padded++; padded <= maxColumnFindings {
				add(qc.SampleMismatch, qc.SeverityInfo, "", i, "column %q has blanks around the name; read as %s, sample %s",
					columnName(name), columnName(trimBlanks(name)), s.Accession)
			}
		}
		// Without metadata to say which is meant, names that differ only in
		// case ("GSM1", "gsm1") are one sample: a SQL Server warehouse
		// compares accessions without case and would refuse the second
		// only at commit.
		key := s.Accession
		if len(d.Samples) == 0 {
			key = strings.ToUpper(key)
		}
		first, dup := seen[key]
		if !dup {
			seen[key] = i
			p.named = append(p.named, s.Accession)
		}
		studies := []string{own}
		if !known && len(s.Experiments) > 0 {
			// Each experiment that lists the sample holds its column, as
			// each holds a copy when its own matrix is downloaded.
			studies = s.Experiments
		}
		for _, study := range studies {
			if study == "" {
				unattributed = append(unattributed, columnName(name))
				continue
			}
			if studyFilter != nil && !studyFilter.MatchString(study) {
				if p.excluded[study] == 0 {
					p.excludedOrder = append(p.excludedOrder, study)
				}
				p.excluded[study]++
				continue
			}
			if _, checked := badStudies[study]; !checked {
				why, code := expression.IDProblem([]byte(study), expression.MaxStudyLength)
				badStudies[study] = why
				if why != "" {
					// A finding of the matrix, not of the study: the log
					// tables hold no longer study accessions than dim_study.
					columnFinding(code, i, "column %q: study accession %q %s; none of the study's columns is loaded",
						columnName(name), qc.Shorten(study, 40), why)
				}
			}
			if badStudies[study] != "" {
				continue
			}
			// A sample accession the warehouse cannot store (too long, or
			// holding a control character) is an ERROR of its study, never
			// loaded: SQL Server would refuse it only at commit, after the
			// whole matrix. Each such column is listed, as they are few.
			if why, code := expression.IDProblem([]byte(s.Accession), expression.MaxSampleLength); why != "" {
				add(code, qc.SeverityError, study, i, "column %q: sample accession %q %s; study %s is rejected (with this code lowered below ERROR in quality_thresholds.severities, only this column is left out)",
					columnName(name), qc.Shorten(s.Accession, 40), why, study)
				continue
			}
			if dup {
				repeated, note := s.Accession, ""
				if len(d.Samples) == 0 {
					repeated = h.Names[first] // without metadata a name is its accession
					if repeated != name {
						note = " (the names differ only in case)"
					}
				}
				dupFinding(study, i, "column %q repeats sample %s of column %d%s: which of the two holds its values cannot be told; remove or rename one of them",
					columnName(name), repeated, first+2, note)
				continue
			}
			p.columns = append(p.columns, warehouse.Column{Index: i, Sample: s.Accession, Study: study})
			p.indexes = append(p.indexes, i)
			p.samples[s.Accession] = s
			if !studySeen[study] {
				studySeen[study] = true
				p.studies = append(p.studies, study)
			}
		}
	}
	unlisted := 0
	for _, study := range dupStudies {
		n := dupsUnlisted[study]
		unlisted += n
		p.findings = append(p.findings, &qc.Error{Code: qc.DuplicateSamples, Severity: qc.SeverityError, Study: study, File: m.Name, Line: 1,
			Msg: fmt.Sprintf("%d more columns repeat a sample of study %s; remove or rename them", n, study)})
	}
	if len(titles) > 0 && len(titles) == len(h.Names) {
		// Every column is a title: one finding says so, not one a column.
		what := fmt.Sprintf("none of the matrix's %d columns is a sample accession: they are sample titles", len(titles))
		if len(titles) == 1 {
			what = "the matrix's one column is not a sample accession: it is a sample title"
		}
		p.reason = &qc.Error{Code: qc.SampleMismatch, Severity: qc.SeverityError, File: m.Name, Line: 1, Column: 2,
			Msg: fmt.Sprintf("%s (%s), which only the download's metadata maps to samples; nothing of it is loaded: load the whole "+
				"download, or give the metadata (aggregated_metadata.json, metadata.json or a sample sheet) with --metadata",
				what, listSome(columnNames(h.Names, titles), 2))}
		p.findings = append(p.findings, p.reason)
	} else {
		for _, i := range titles {
			columnFinding(qc.SampleMismatch, i, "column %q is not a sample accession, and no metadata maps it to one "+
				"(a title needs the download's aggregated_metadata.json or sample sheet); it is not loaded", columnName(h.Names[i]))
		}
	}
	if n := columnFindings - maxColumnFindings - unlisted; n > 0 {
		p.findings = append(p.findings, &qc.Error{Code: qc.SampleMismatch, Severity: qc.SeverityWarning, File: m.Name, Line: 1,
			Msg: fmt.Sprintf("%d more columns could not be matched to a sample; they are not loaded", n)})
	}
	if n := padded - maxColumnFindings; n > 0 {
		p.findings = append(p.findings, &qc.Error{Code: qc.SampleMismatch, Severity: qc.SeverityInfo, File: m.Name, Line: 1,
			Msg: fmt.Sprintf("%d more columns have blanks around the name; read without them", n)})
	}
	// lone: a matrix named for no organism outside SPECIES and ALL
	// downloads, which only its own name could place in a study.
	lone := !strings.EqualFold(d.AggregateBy, "SPECIES") && !strings.EqualFold(d.AggregateBy, "ALL") && studyHint(m.Base) != ""
	switch {
	case len(unattributed) > 0 && lone && len(p.columns) == 0:
		p.reason = &qc.Error{Code: qc.SampleMismatch, Severity: qc.SeverityError, File: m.Name, Line: 1,
			Msg: fmt.Sprintf("the matrix names no study: its file name %q is no study accession (GSE…, E-MTAB-…, SRP…) and no metadata names the experiment of its %d columns (%s); nothing of it is loaded: "+
				"name the file after its study (GSE12345.tsv), or give its metadata (aggregated_metadata.json, or a sample sheet named metadata_<ACC>.tsv, beside it or with --metadata)", m.Base, len(unattributed), listSome(unattributed, 3))}
		p.findings = append(p.findings, p.reason)
	case len(unattributed) > 0:
		p.findings = append(p.findings, &qc.Error{Code: qc.SampleMismatch, Severity: qc.SeverityWarning, File: m.Name, Line: 1,
			Msg: fmt.Sprintf("%s (%s) %s to no experiment the metadata names, and the matrix %s is not one experiment's; %s not loaded (a SPECIES or ALL matrix's samples are placed by the metadata: list them under their experiment there)",
				plural(len(unattributed), "column"), listSome(unattributed, 3), agree(len(unattributed), "belongs", "belong"),
				m.Base, agree(len(unattributed), "it is", "they are"))})
	}
	p.findings = append(p.findings, sharedFindings(p.columns, m.Name)...)
	for _, study := range p.excludedOrder {
		p.findings = append(p.findings, &qc.Error{Code: qc.SampleMismatch, Severity: qc.SeverityInfo, Study: study, File: m.Name,
			Msg: fmt.Sprintf("study %s does not match processing.study_code_pattern; its %d columns are not loaded", study, p.excluded[study])})
	}
	p.missing = missingSamples(d, p.studies, m.Name, func(s *metadata.Sample) bool {
		_, ok := seen[s.Accession]
		return !ok && sameOrganism(d, s, m)
	})
	p.findings = append(p.findings, p.missing...)
	return p
}

// missingSamples returns a WARNING for each of studies that has samples
// the metadata lists and missing reports absent from file.
func missingSamples(d *metadata.Dataset, studies []string, file string, missing func(*metadata.Sample) bool) []*qc.Error {
	var out []*qc.Error
	for _, study := range studies {
		var absent []string
		for _, s := range d.StudySamples(study) {
			if missing(s) {
				absent = append(absent, s.Accession)
			}
		}
		if len(absent) > 0 {
			out = append(out, &qc.Error{Code: qc.SampleMismatch, Severity: qc.SeverityWarning, Study: study, File: file,
				Msg: fmt.Sprintf("%s of study %s %s no column in the matrix: %s; the study's batch holds no facts of %s, and when it replaces an earlier one, the facts that one held of %s are gone",
					plural(len(absent), "sample"), study, agree(len(absent), "has", "have"), listSome(absent, 10),
					agree(len(absent), "it", "them"), agree(len(absent), "it", "them"))})
		}
	}
	return out
}

// matrixColumns returns the matrix columns the plan loads, each once, in
// matrix order: what is read and melted, whichever studies hold them.
func (p *plan) matrixColumns() []int {
	var out []int
	for _, i := range p.indexes {
		if len(out) == 0 || out[len(out)-1] != i {
			out = append(out, i)
		}
	}
	return out
}

// skipped reports the studies the study filter excluded, for a matrix of
// which nothing is loaded.
func (p *plan) skipped(matrix string) []StudyReport {
	out := make([]StudyReport, 0, len(p.excludedOrder))
	for _, s := range p.excludedOrder {
		r := StudyReport{Study: s, Matrix: matrix, Outcome: Skipped}
		for _, f := range p.findings {
			if f.Study == s {
				r.Findings = append(r.Findings, f)
			}
		}
		out = append(out, r)
	}
	return out
}

// ownStudy returns the study a matrix is named for: its file or folder name
// when that is an experiment of the metadata (known is then true), or,
// outside SPECIES and ALL downloads, a file name the metadata does not list
// that is a study accession (a matrix given with a sample sheet only, or
// alone): of refine.bio's forms (GSE…, E-MTAB-…, SRP…, in capitals; the
// study filter then keeps or skips it), or one the study filter matches.
// Any other name ("expression.tsv",
// "GSE71270 (1).tsv") is no study: "" (two unrelated files of one name
// would otherwise be one study, the second replacing the first).
func ownStudy(d *metadata.Dataset, m *Matrix, studyFilter *regexp.Regexp) (study string, known bool) {
	for _, c := range []string{m.Base, m.Folder} {
		if c != "" && d.Study(c) != nil {
			return c, true
		}
	}
	// A name the metadata writes in another case (a folder gse1 whose
	// sheet and JSON write GSE1, which merging made one study in capitals)
	// is that study.
	for _, c := range []string{m.Base, m.Folder} {
		for _, st := range d.Studies {
			if c != "" && strings.EqualFold(st.Accession, c) {
				return st.Accession, true
			}
		}
	}
	switch strings.ToUpper(d.AggregateBy) {
	case "SPECIES", "ALL":
		return "", false
	}
	if accessionCode.MatchString(m.Base) || studyFilter != nil && studyFilter.MatchString(m.Base) {
		return studyHint(m.Base), false
	}
	return "", false
}

// sharedFindings tells each study that holds samples of the matrix's
// columns together with other studies (a SuperSeries and its SubSeries)
// which samples, at INFO: the column loads under each of them, so the
// studies' facts hold the same values.
func sharedFindings(cols []warehouse.Column, file string) []*qc.Error {
	studiesOf := map[int][]string{}
	for _, c := range cols {
		studiesOf[c.Index] = append(studiesOf[c.Index], c.Study)
	}
	shared := map[string]map[string][]string{} // study → other study → samples
	for _, c := range cols {
		for _, other := range studiesOf[c.Index] {
			if other == c.Study {
				continue
			}
			if shared[c.Study] == nil {
				shared[c.Study] = map[string][]string{}
			}
			shared[c.Study][other] = append(shared[c.Study][other], c.Sample)
		}
	}
	var out []*qc.Error
	for _, study := range slices.Sorted(maps.Keys(shared)) {
		for _, other := range slices.Sorted(maps.Keys(shared[study])) {
			accs := shared[study][other]
			out = append(out, &qc.Error{Code: qc.SampleMismatch, Severity: qc.SeverityInfo, Study: study, File: file,
				Msg: fmt.Sprintf("study %s shares %d samples (%s) with study %s: the metadata lists them under both, so their columns load under each study",
					study, len(accs), listSome(accs, 3), other)})
		}
	}
	return out
}

// lookupSample finds the sample a column names by accession, as written
// or else without the blanks around it (trimmed).
func lookupSample(d *metadata.Dataset, name string) (s *metadata.Sample, trimmed bool) {
	if s := d.Sample(name); s != nil {
		return s, false
	}
	if t := trimBlanks(name); t != name {
		s = d.Sample(t)
		return s, s != nil
	}
	return nil, false
}

// trimBlanks drops the blanks spreadsheets leave around a header name:
// spaces of every width (no-break, narrow no-break, ideographic: Unicode's
// space separators), not a line or paragraph separator (U+2028, U+2029),
// which is an id problem, not padding.
func trimBlanks(name string) string { return strings.TrimFunc(name, isBlank) }

// isBlank reports whether r is a space separator (Unicode category Zs).
func isBlank(r rune) bool { return unicode.Is(unicode.Zs, r) }

// inStudy reports whether the metadata lists s in study (case ignored).
func inStudy(s *metadata.Sample, study string) bool {
	return slices.ContainsFunc(s.Experiments, func(e string) bool { return strings.EqualFold(e, study) })
}

// foreignSample reports whether the metadata lists s in studies other than
// study, and not in study: a sample of another experiment.
func foreignSample(s *metadata.Sample, study string) bool {
	return len(s.Experiments) > 0 && !inStudy(s, study)
}

// titleIndex maps each title of d's samples to the samples of that title.
func titleIndex(d *metadata.Dataset) map[string][]*metadata.Sample {
	byTitle := make(map[string][]*metadata.Sample, len(d.Samples))
	for _, s := range d.Samples {
		if strings.TrimSpace(s.Title) != "" {
			byTitle[s.Title] = append(byTitle[s.Title], s)
		}
	}
	return byTitle
}

// titledBesides returns the samples of titled other than s that share a
// study with it (or list none, as s may not): those a column named by s's
// accession might have meant by their title.
func titledBesides(titled []*metadata.Sample, s *metadata.Sample) []*metadata.Sample {
	var out []*metadata.Sample
	for _, t := range titled {
		if t == s || t.Accession == s.Accession {
			continue
		}
		if len(t.Experiments) == 0 || len(s.Experiments) == 0 || slices.ContainsFunc(t.Experiments, func(e string) bool { return slices.Contains(s.Experiments, e) }) {
			out = append(out, t)
		}
	}
	return out
}

// titledSamples returns the samples a column names by title, from the
// metadata's samples by title. A title shared across studies resolves to
// the samples of the matrix's own study. When the metadata knows that
// study (known), a title is never taken from another one: the samples that
// list only other studies are returned as elsewhere, for a finding, and
// only those that list no study at all remain candidates. trimmed reports
// that the title matched only without the blanks around name.
func titledSamples(byTitle map[string][]*metadata.Sample, name, own string, known bool) (titled, elsewhere []*metadata.Sample, trimmed bool) {
	titled = byTitle[name]
	if len(titled) == 0 {
		if t := trimBlanks(name); t != name {
			titled = byTitle[t]
			trimmed = len(titled) > 0
		}
	}
	if own == "" || len(titled) == 0 {
		return titled, nil, trimmed
	}
	var mine, unlisted []*metadata.Sample
	for _, s := range titled {
		switch {
		case slices.Contains(s.Experiments, own):
			mine = append(mine, s)
		case len(s.Experiments) == 0:
			unlisted = append(unlisted, s)
		default:
			elsewhere = append(elsewhere, s)
		}
	}
	switch {
	case len(mine) > 0:
		return mine, nil, trimmed
	case known:
		return unlisted, elsewhere, trimmed
	}
	return titled, nil, trimmed
}

// sameOrganism reports whether a sample belongs in the matrix by organism:
// a SPECIES matrix holds one organism's samples, so a study's samples of
// another organism are in another matrix, not missing.
func sameOrganism(d *metadata.Dataset, s *metadata.Sample, m *Matrix) bool {
	if !strings.EqualFold(d.AggregateBy, "SPECIES") || s.Organism == "" {
		return true
	}
	return strings.EqualFold(s.Organism, m.Base) || strings.EqualFold(s.Organism, m.Folder)
}

// caseIndex finds the samples whose accession, or else title, a column
// name matches when case is ignored, by the name folded to lower case.
type caseIndex map[string][]string

func foldIndex(samples []*metadata.Sample) caseIndex {
	accs, titles := caseIndex{}, caseIndex{}
	for _, s := range samples {
		k := strings.ToLower(s.Accession)
		accs[k] = append(accs[k], "sample "+s.Accession)
		if s.Title != "" {
			k := strings.ToLower(s.Title)
			titles[k] = append(titles[k], "the title of sample "+s.Accession)
		}
	}
	for k, v := range titles {
		if accs[k] == nil {
			accs[k] = v
		}
	}
	return accs
}

// hint says which sample a column name that matches none matches when case
// is ignored: a column is never linked by such a match (GSM1 and gsm1 may
// be two samples, and which one a name meant is a guess), but the user
// who sees it can fix the header or the metadata.
func (c caseIndex) hint(name string) string {
	switch m := c[strings.ToLower(name)]; len(m) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("; it matches %s if case is ignored", m[0])
	default:
		return fmt.Sprintf("; it matches %d samples if case is ignored: %s", len(m), listSome(m, 3))
	}
}

func sampleAccessions(ss []*metadata.Sample) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Accession
	}
	return out
}

// accessionLike reports whether a matrix column's name can be a sample
// accession: GSM123, SRR123, E-GEOD-39842-GSM980273 (letters, digits and
// . _ : - only), or an ArrayExpress sample's, which refine.bio makes of its
// experiment's accession and the assay or source name and may hold blanks
// ("E-MEXP-669-Sample 1"): a name that starts with the matrix's own study
// and "-", or with an ArrayExpress experiment accession and "-". A title
// ("Unamputated wildtype adult zebrafish, sample 1") is neither.
func accessionLike(name, own string) bool {
	return own != "" && strings.HasPrefix(name, own+"-") || metadata.AccessionLike(name)
}

// columnName is a matrix column's name as a finding quotes it: whole up to
// 80 bytes, else its beginning and its end, where the titles of one
// study's samples often differ ("…, sample 2").
func columnName(name string) string { return qc.ShortenMiddle(name, 80) }

// columnNames returns the names of the columns at indexes, quoted and
// shortened as columnName does.
func columnNames(names []string, indexes []int) []string {
	out := make([]string, len(indexes))
	for k, i := range indexes {
		out[k] = strconv.Quote(columnName(names[i]))
	}
	return out
}

// Columns says which sample and study each column of the matrix m holds,
// as a load of m would match them: m's header is h (an
// expression.Reader's Header), m a matrix of d, read with the metadata it
// is read with in a load (that of the zip it is in when d is a folder
// holding zips). The columns come in matrix order, a column whose sample
// several studies hold once per study; a column that names no sample, or
// several, is left out, and a finding says why (with the other findings
// about the header: a repeated column, a title matched after trimming).
// No study filter applies (processing.study_code_pattern is the
// Pipeline's).
//
// A program reading matrices itself (expression.NewReader and a melter of
// its own) uses the columns to key its long rows: LongBatch.Column is a
// Column's Index.
func (d *Download) Columns(m *Matrix, h *expression.Header) ([]warehouse.Column, []*qc.Error) {
	if m == nil || h == nil {
		return nil, nil
	}
	md := d.Metadata
	if m.in != nil {
		md = m.in.Metadata
	}
	if md == nil {
		md = &metadata.Dataset{}
	}
	p := resolveColumns(h, md, m, nil)
	return p.columns, p.findings
}
