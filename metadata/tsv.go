package metadata

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/genexp/genexp/qc"
)

// sampleColumns maps refine.bio TSV columns to Sample fields. Each column
// may appear with or without the "refinebio_" prefix.
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
// columns fill the Sample fields; every other non-empty column becomes an
// Annotation. Columns named characteristics_ch<N>_<key> (and GEO-style
// columns the sheet flattened from characteristics) are characteristics.
//
// study, when not empty, is the study every sample belongs to unless the
// sheet has an experiment_accession column. name is used in errors.
func ParseTSV(r io.Reader, name, study string) (*Dataset, error) {
	cr := csv.NewReader(r)
	cr.Comma = '\t'
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: name, Msg: "empty sample sheet"}
	}
	if err != nil {
		return nil, csvErr(name, err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	type column struct {
		set        func(*Sample) *string
		processed  bool
		experiment bool
		key        string
		char       bool
	}
	cols := make([]column, len(header))
	accCol := -1
	for i, h := range header {
		h = strings.TrimSpace(h)
		if !utf8.ValidString(h) {
			return nil, &qc.Error{Code: qc.EncodingError, Severity: qc.SeverityError, File: name, Line: 1, Column: int64(i + 1), Msg: "column name is not valid UTF-8"}
		}
		base := strings.TrimPrefix(h, "refinebio_")
		switch {
		case base == "accession_code":
			accCol = i
			cols[i].set = sampleColumns[base]
		case base == "processed":
			cols[i].processed = true
		case h == "experiment_accession":
			cols[i].experiment = true
		case h == "refinebio_annotations":
			// a JSON dump of the raw record; its items also appear as columns
		case strings.HasPrefix(h, "refinebio_") && sampleColumns[base] != nil:
			cols[i].set = sampleColumns[base]
		case h == "title" || h == "accession_code":
			// early sheets without the prefix
			if sampleColumns[h] != nil && !hasColumn(header, "refinebio_"+h) {
				cols[i].set = sampleColumns[h]
				if h == "accession_code" {
					accCol = i
				}
			} else {
				cols[i].key = h
			}
		default:
			key, char := annotationKey(h)
			cols[i].key, cols[i].char = key, char
		}
	}
	if accCol < 0 {
		return nil, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: name, Line: 1,
			Msg: "sample sheet has no refinebio_accession_code column"}
	}
	d := &Dataset{Sources: []string{name}}
	studies := map[string]*Study{}
	addStudy := func(acc string, s *Sample) {
		st := studies[acc]
		if st == nil {
			st = &Study{Accession: acc}
			studies[acc] = st
			d.Studies = append(d.Studies, st)
		}
		st.SampleAccessions = appendUnique(st.SampleAccessions, s.Accession)
		s.Experiments = appendUnique(s.Experiments, acc)
	}
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvErr(name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) > len(header) {
			return nil, &qc.Error{Code: qc.ParseError, Severity: qc.SeverityError, File: name, Line: int64(line),
				Column: int64(len(header) + 1), Msg: fmt.Sprintf("row has %d fields, the header %d", len(rec), len(header))}
		}
		s := &Sample{}
		var experiment string
		for i, v := range rec {
			v = strings.TrimSpace(v)
			if !utf8.ValidString(v) {
				_, col := cr.FieldPos(i)
				return nil, &qc.Error{Code: qc.EncodingError, Severity: qc.SeverityError, File: name, Line: int64(line), Column: int64(col), Msg: "field is not valid UTF-8"}
			}
			if v == "" {
				continue
			}
			c := cols[i]
			switch {
			case c.set != nil:
				*c.set(s) = v
			case c.processed:
				b, err := parseBool(v, func() error {
					_, col := cr.FieldPos(i)
					return &qc.Error{Code: qc.ParseError, Severity: qc.SeverityError, File: name, Line: int64(line), Column: int64(col),
						Msg: fmt.Sprintf("refinebio_processed is not a boolean: %q", v)}
				})
				if err != nil {
					return nil, err
				}
				s.Processed = b
			case c.experiment:
				experiment = v
			case c.key != "":
				s.Annotations = append(s.Annotations, Annotation{Key: c.key, Value: v, Characteristic: c.char})
			}
		}
		if s.Accession == "" {
			return nil, &qc.Error{Code: qc.ParseError, Severity: qc.SeverityError, File: name, Line: int64(line), Column: int64(accCol + 1),
				Msg: "sample has no accession code"}
		}
		if prev, dup := seen[s.Accession]; dup {
			return nil, &qc.Error{Code: qc.DuplicateSamples, Severity: qc.SeverityError, File: name, Line: int64(line), Column: int64(accCol + 1),
				Msg: fmt.Sprintf("sample %s already appears on line %d", s.Accession, prev)}
		}
		seen[s.Accession] = line
		d.Samples = append(d.Samples, s)
		switch {
		case experiment != "":
			addStudy(experiment, s)
		case study != "":
			addStudy(study, s)
		}
	}
	d.sortAll()
	return d, nil
}

// geoCharacteristicColumns are columns a GEO sample sheet holds that are not
// characteristics of the sample; every other submitter column of a GEO sheet
// is a flattened characteristic.
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
	"assay": true, "extract": true, "file": true, "labeled-extract": true,
}

// annotationKey names the annotation a submitter column becomes and says
// whether it is a characteristic.
func annotationKey(h string) (string, bool) {
	lh := strings.ToLower(h)
	for _, p := range []string{"characteristics_ch1_", "characteristics_ch2_", "characteristics_ch1.", "characteristics_ch2.", "characteristic_", "characteristics."} {
		if strings.HasPrefix(lh, p) {
			return strings.TrimSpace(h[len(p):]), true
		}
	}
	if strings.HasPrefix(lh, "characteristics_ch") {
		return h, true
	}
	return h, !geoOtherColumns[lh]
}

func hasColumn(header []string, name string) bool {
	for _, h := range header {
		if strings.TrimSpace(h) == name {
			return true
		}
	}
	return false
}

func csvErr(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &qc.Error{Code: qc.ParseError, Severity: qc.SeverityError, File: name, Line: int64(pe.Line), Column: int64(pe.Column),
			Msg: "malformed sample sheet", Err: pe.Err}
	}
	return &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: name, Msg: "reading sample sheet failed", Err: err}
}
