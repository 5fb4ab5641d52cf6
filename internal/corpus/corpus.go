// Package corpus reads the labeled illness corpora of illness/testdata:
// real annotations of public studies, each sample with the label of its
// study's group (illness/testdata/README.md says where each came from).
// The illness package scores its classifier on them, and the module's
// end-to-end tests load them as downloads; both build each sample here,
// so both score the same records.
package corpus

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/genexp/genexp/metadata"
)

// Corpus is one labeled file.
type Corpus struct {
	Studies []Study `json:"studies"`
}

// Study is one study of a corpus.
type Study struct {
	Accession string `json:"accession"`
	// Holdout (labeled_samples.json) or Split (the later files: dev,
	// heldout, seen, fresh…) says which studies the rules were written
	// from.
	Holdout bool   `json:"holdout"`
	Split   string `json:"split"`
	// Text is the study's own text (GEO series title and summary,
	// ArrayExpress title and description) where a public copy of it was
	// found; nil for most.
	Text    *Text    `json:"study"`
	Samples []Record `json:"samples"`
}

// Text is a study's title and description, with where they were taken
// from.
type Text struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	// Truncated is set when the source holds only the beginning of the
	// description.
	Truncated bool   `json:"truncated"`
	Source    string `json:"source"`
}

// Record is one sample's annotations and its expected label.
type Record struct {
	// Accession is empty for a value pattern (a record that stands for
	// the samples holding its values).
	Accession       string      `json:"accession"`
	Title           string      `json:"title"`
	SourceName      string      `json:"source_name"`
	Disease         string      `json:"disease"`
	Description     string      `json:"description"`
	Characteristics [][2]string `json:"characteristics"`
	Expected        string      `json:"expected"`
}

// Read reads a corpus file. A study with text but without the text's
// source is an error: every text says where it came from.
func Read(path string) (*Corpus, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c Corpus
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, st := range c.Studies {
		if t := st.Text; t != nil && (t.Source == "" || t.Title+t.Description == "") {
			return nil, fmt.Errorf("%s: %s: study text without its text or source", path, st.Accession)
		}
	}
	return &c, nil
}

// Context returns the study's text as the classifier reads it, nil when
// the corpus has none.
func (s Study) Context() *metadata.Study {
	if s.Text == nil {
		return nil
	}
	return &metadata.Study{Accession: s.Accession, Title: s.Text.Title, Description: s.Text.Description}
}

// Sample builds the record as the classifier reads a sample, under the
// accession acc, in the study: refine.bio's title and disease fields, the
// source name and description as the GEO record's fields, and each
// characteristic keyed as the sample sheet keys it.
func (r Record) Sample(acc, study string) *metadata.Sample {
	s := &metadata.Sample{Accession: acc, Title: r.Title, Disease: r.Disease, Experiments: []string{study}}
	if r.SourceName != "" {
		s.Annotations = append(s.Annotations, metadata.Annotation{Key: "source_name_ch1", Value: r.SourceName})
	}
	if r.Description != "" {
		s.Annotations = append(s.Annotations, metadata.Annotation{Key: "description", Value: r.Description})
	}
	for _, kv := range r.Characteristics {
		s.Annotations = append(s.Annotations, metadata.Annotation{Key: kv[0], Value: kv[1], Characteristic: true})
	}
	return s
}
