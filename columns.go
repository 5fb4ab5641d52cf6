package genexp

import (
	"fmt"
	"regexp"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// plan is what a matrix's header and the metadata say to load.
type plan struct {
	columns  []warehouse.Column // the columns to load, in matrix order
	indexes  []int              // their matrix column indexes
	studies  []string           // the studies they belong to, in first-seen order
	samples  map[string]*metadata.Sample
	findings []*qc.Error
}

// resolveColumns maps each header name to a sample and a study. A name is a
// sample accession, or else the title of exactly one sample; anything else
// is a finding, never a guess. Without metadata, names are taken as
// accessions of the matrix's own study.
func resolveColumns(h *expression.Header, d *metadata.Dataset, m *Matrix, studyFilter *regexp.Regexp) *plan {
	p := &plan{samples: map[string]*metadata.Sample{}}
	finding := func(code qc.Code, sev qc.Severity, col int, format string, args ...any) {
		f := &qc.Error{Code: code, Severity: sev, File: m.Name, Msg: fmt.Sprintf(format, args...)}
		if col >= 0 {
			f.Line, f.Column = 1, int64(col+2)
		}
		p.findings = append(p.findings, f)
	}
	fallback := studyHint(m.Base, m.Folder)
	if fallback == "" {
		fallback = m.Base
	}
	seen := map[string]int{}
	studySeen := map[string]bool{}
	for i, name := range h.Names {
		var s *metadata.Sample
		switch {
		case len(d.Samples) == 0:
			s = &metadata.Sample{Accession: name}
		case d.Sample(name) != nil:
			s = d.Sample(name)
		default:
			switch titled := d.SamplesTitled(name); len(titled) {
			case 1:
				s = titled[0]
			case 0:
				finding(qc.SampleMismatch, qc.SeverityWarning, i, "column %q names no sample of the metadata (neither an accession nor a title); it is not loaded", name)
				continue
			default:
				finding(qc.SampleMismatch, qc.SeverityWarning, i, "column %q is the title of %d samples (%s, %s, …); it is not loaded", name, len(titled), titled[0].Accession, titled[1].Accession)
				continue
			}
		}
		if first, dup := seen[s.Accession]; dup {
			finding(qc.DuplicateSamples, qc.SeverityWarning, i, "column %q repeats sample %s of column %d; the first column is kept", name, s.Accession, first+2)
			continue
		}
		seen[s.Accession] = i
		study := sampleStudy(s, m, fallback)
		if studyFilter != nil && !studyFilter.MatchString(study) {
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
	for _, study := range p.studies {
		for _, s := range d.StudySamples(study) {
			if _, ok := seen[s.Accession]; !ok {
				finding(qc.SampleMismatch, qc.SeverityWarning, -1, "sample %s of study %s has no column in the matrix", s.Accession, study)
				p.findings[len(p.findings)-1].Study = study
			}
		}
	}
	return p
}

// sampleStudy picks the study a sample's facts belong to: the matrix's
// folder when the sample belongs to that experiment, else the sample's first
// experiment, else the matrix's own accession.
func sampleStudy(s *metadata.Sample, m *Matrix, fallback string) string {
	for _, e := range s.Experiments {
		if e == m.Folder || e == m.Base {
			return e
		}
	}
	if len(s.Experiments) > 0 {
		return s.Experiments[0]
	}
	return fallback
}
