package genexp

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// meta builds a dataset from a compact description: studies map to their
// samples as "ACC" or "ACC=title" or "ACC=title@ORGANISM".
func meta(t *testing.T, aggregateBy string, studies map[string][]string) *metadata.Dataset {
	t.Helper()
	d := &metadata.Dataset{AggregateBy: aggregateBy}
	samples := map[string]*metadata.Sample{}
	for _, st := range slices.Sorted(maps.Keys(studies)) {
		study := &metadata.Study{Accession: st}
		for _, spec := range studies[st] {
			acc, rest, _ := strings.Cut(spec, "=")
			title, org, _ := strings.Cut(rest, "@")
			s := samples[acc]
			if s == nil {
				s = &metadata.Sample{Accession: acc, Title: title, Organism: org}
				samples[acc] = s
				d.Samples = append(d.Samples, s)
			}
			study.SampleAccessions = append(study.SampleAccessions, acc)
		}
		d.Studies = append(d.Studies, study)
	}
	return metadata.Merge(d)
}

type wantFinding struct {
	code qc.Code
	sev  qc.Severity
	col  int64  // 0: no column
	text string // in the message
}

func TestResolveColumns(t *testing.T) {
	twoStudies := map[string][]string{
		"GSE1": {"GSM1=control", "GSM2=sepsis 1", "GSM3=sepsis 2"},
		"GSE2": {"GSM7=control", "GSM8=shock"},
	}
	species := map[string][]string{
		"GSE1":       {"GSM1=a@HOMO_SAPIENS", "GSM2=b@HOMO_SAPIENS", "GSM9=mouse@MUS_MUSCULUS"},
		"E-MTAB-123": {"E-MTAB-123-P1=p1@HOMO_SAPIENS", "E-MTAB-123-P2=p2@HOMO_SAPIENS"},
		"SRP5":       {"SRR1=s1@HOMO_SAPIENS"},
	}
	cases := []struct {
		name        string
		d           *metadata.Dataset
		folder      string
		base        string
		header      []string
		filter      string
		want        []warehouse.Column
		wantSkipped []string
		findings    []wantFinding
	}{
		{
			name: "accessions, one study, a sample without a column", d: meta(t, "EXPERIMENT", twoStudies),
			folder: "GSE1", base: "GSE1", header: []string{"GSM1", "GSM3"},
			want:     []warehouse.Column{{Index: 0, Sample: "GSM1", Study: "GSE1"}, {Index: 1, Sample: "GSM3", Study: "GSE1"}},
			findings: []wantFinding{{qc.SampleMismatch, qc.SeverityWarning, 0, "1 sample of study GSE1 has no column in the matrix: GSM2; the study's batch holds no facts of it, and when it replaces an earlier one, the facts that one held of it are gone"}},
		},
		{
			name: "an accession over the warehouse's width", d: &metadata.Dataset{},
			folder: "GSE1", base: "GSE1", header: []string{"GSM1", strings.Repeat("A", 101)},
			want:     []warehouse.Column{{Index: 0, Sample: "GSM1", Study: "GSE1"}},
			findings: []wantFinding{{qc.ParseError, qc.SeverityError, 3, "is 101 characters long; the warehouse holds at most 100; study GSE1 is rejected"}},
		},
		{
			name: "a control character in an accession of the metadata", d: meta(t, "EXPERIMENT", map[string][]string{"GSE1": {"GSM\v1=ctl", "GSM2=b"}}),
			folder: "GSE1", base: "GSE1", header: []string{"ctl", "GSM2"},
			want:     []warehouse.Column{{Index: 1, Sample: "GSM2", Study: "GSE1"}},
			findings: []wantFinding{{qc.EncodingError, qc.SeverityError, 2, "U+000B"}},
		},
		{
			name: "an invisible character in a column name, with metadata", d: meta(t, "EXPERIMENT", map[string][]string{"GSE1": {"GSM1=a", "GSM2=b"}}),
			folder: "GSE1", base: "GSE1", header: []string{"GSM1", "GSM2\u200b"},
			want: []warehouse.Column{{Index: 0, Sample: "GSM1", Study: "GSE1"}},
			findings: []wantFinding{
				{qc.EncodingError, qc.SeverityError, 3, `column "GSM2\u200b" names no sample: it holds the invisible character U+200B at character 5`},
				{qc.SampleMismatch, qc.SeverityWarning, 0, "1 sample of study GSE1 has no column in the matrix: GSM2"},
			},
		},
		{
			name: "spaces of other widths around a column name are blanks", d: meta(t, "EXPERIMENT", map[string][]string{"GSE1": {"GSM1=a", "GSM2=b"}}),
			folder: "GSE1", base: "GSE1", header: []string{"GSM1\u202f", "\u3000GSM2"},
			want: []warehouse.Column{{Index: 0, Sample: "GSM1", Study: "GSE1"}, {Index: 1, Sample: "GSM2", Study: "GSE1"}},
			findings: []wantFinding{
				{qc.SampleMismatch, qc.SeverityInfo, 2, `column "GSM1\u202f" has blanks around the name; read as GSM1, sample GSM1`},
				{qc.SampleMismatch, qc.SeverityInfo, 3, `column "\u3000GSM2" has blanks around the name; read as GSM2, sample GSM2`},
			},
		},
		{
			name: "a line separator ending a column name is no blank", d: meta(t, "EXPERIMENT", map[string][]string{"GSE1": {"GSM1=a", "GSM2=b"}}),
			folder: "GSE1", base: "GSE1", header: []string{"GSM1", "GSM2\u2028"},
			want: []warehouse.Column{{Index: 0, Sample: "GSM1", Study: "GSE1"}},
			findings: []wantFinding{
				{qc.EncodingError, qc.SeverityError, 3, `column "GSM2\u2028" names no sample: it holds the invisible character U+2028 at character 5`},
				{qc.SampleMismatch, qc.SeverityWarning, 0, "1 sample of study GSE1 has no column in the matrix: GSM2"},
			},
		},
		{
			name: "an invisible character in a column name, without metadata", d: &metadata.Dataset{},
			folder: "GSE1", base: "GSE1", header: []string{"GSM1", "GSM\ufeff2"},
			want:     []warehouse.Column{{Index: 0, Sample: "GSM1", Study: "GSE1"}},
			findings: []wantFinding{{qc.EncodingError, qc.SeverityError, 3, "holds a byte order mark (U+FEFF) at character 4"}},
		},
		{
			name: "a title longer than an accession may be", d: meta(t, "EXPERIMENT", map[string][]string{"GSE1": {"GSM1=" + strings.Repeat("t", 150)}}),
			folder: "GSE1", base: "GSE1", header: []string{strings.Repeat("t", 150)},
			want: []warehouse.Column{{Index: 0, Sample: "GSM1", Study: "GSE1"}},
		},
		{
			name: "titles map to accessions", d: meta(t, "EXPERIMENT", twoStudies),
			folder: "GSE1", base: "GSE1", header: []string{"sepsis 2", "sepsis 1", " control "},
			want: []warehouse.Column{{Index: 0, Sample: "GSM3", Study: "GSE1"}, {Index: 1, Sample: "GSM2", Study: "GSE1"},
				{Index: 2, Sample: "GSM1", Study: "GSE1"}},
			findings: []wantFinding{{qc.SampleMismatch, qc.SeverityInfo, 4, `column " control " has blanks around the name; read as control, sample GSM1`}},
		},
		{
			name: "another study's accession that is the title of one of this study's samples", d: meta(t, "EXPERIMENT", map[string][]string{
				"GSE1": {"GSM1=a", "GSM2=b"}, "GSE2": {"GSM7=GSM1", "GSM8=shock"}}),
			folder: "GSE2", base: "GSE2", header: []string{"GSM1", "shock"},
			want: []warehouse.Column{{Index: 0, Sample: "GSM7", Study: "GSE2"}, {Index: 1, Sample: "GSM8", Study: "GSE2"}},
			findings: []wantFinding{{qc.SampleMismatch, qc.SeverityWarning, 2,
				`column "GSM1" is the accession of sample GSM1 of GSE1, not of this matrix's study GSE2, and the title of GSM7 of GSE2: it is read as GSM7`}},
		},
		{
			name: "another study's sample is not loaded as this one's", d: meta(t, "EXPERIMENT", twoStudies),
			folder: "GSE2", base: "GSE2", header: []string{"GSM1", "GSM7", "GSM8"},
			want: []warehouse.Column{{Index: 1, Sample: "GSM7", Study: "GSE2"}, {Index: 2, Sample: "GSM8", Study: "GSE2"}},
			findings: []wantFinding{{qc.SampleMismatch, qc.SeverityWarning, 2,
				`column "GSM1" is sample GSM1 of GSE1, which the metadata does not list in this matrix's study GSE2; it is not loaded`}},
		},
		{
			name: "a sample both studies list loads in either's matrix", d: meta(t, "EXPERIMENT", map[string][]string{
				"GSE1": {"GSM1=a", "GSM2=b"}, "GSE2": {"GSM1=a", "GSM8=shock"}}),
			folder: "GSE2", base: "GSE2", header: []string{"GSM1", "GSM8"},
			want: []warehouse.Column{{Index: 0, Sample: "GSM1", Study: "GSE2"}, {Index: 1, Sample: "GSM8", Study: "GSE2"}},
		},
		{
			name: "a title two studies share resolves within the matrix's study", d: meta(t, "EXPERIMENT", twoStudies),
			folder: "GSE2", base: "GSE2", header: []string{"control", "shock"},
			want: []warehouse.Column{{Index: 0, Sample: "GSM7", Study: "GSE2"}, {Index: 1, Sample: "GSM8", Study: "GSE2"}},
		},
		{
			name:   "a name that is one sample's accession and another's title is read as the accession, and said",
			d:      meta(t, "EXPERIMENT", map[string][]string{"GSE1": {"GSM1=GSM2", "GSM2=ctl", "GSM3=c3"}, "GSE2": {"GSM9=GSM3"}}),
			folder: "GSE1", base: "GSE1", header: []string{"GSM2", "GSM3"},
			want: []warehouse.Column{{Index: 0, Sample: "GSM2", Study: "GSE1"}, {Index: 1, Sample: "GSM3", Study: "GSE1"}},
			findings: []wantFinding{
				{qc.SampleMismatch, qc.SeverityWarning, 2, `column "GSM2" is the accession of sample GSM2 and the title of GSM1 of its study: it is read as GSM2's accession`},
				{qc.SampleMismatch, qc.SeverityWarning, 0, "1 sample of study GSE1 has no column in the matrix: GSM1"},
			},
		},
		{
			name: "a sample no study lists, named by accession, and another's title, is said too",
			d: metadata.Merge(meta(t, "EXPERIMENT", map[string][]string{"GSE1": {"GSM1=GSM5", "GSM2=ctl"}}),
				&metadata.Dataset{Samples: []*metadata.Sample{{Accession: "GSM5", Title: "lone"}}}),
			folder: "GSE1", base: "GSE1", header: []string{"GSM5", "GSM2"},
			want: []warehouse.Column{{Index: 0, Sample: "GSM5", Study: "GSE1"}, {Index: 1, Sample: "GSM2", Study: "GSE1"}},
			findings: []wantFinding{
				{qc.SampleMismatch, qc.SeverityWarning, 2, `column "GSM5" is the accession of sample GSM5 and the title of GSM1 of its study: it is read as GSM5's accession`},
				{qc.SampleMismatch, qc.SeverityWarning, 0, "1 sample of study GSE1 has no column in the matrix: GSM1"},
			},
		},
		{
			name:   "a title two samples of the study share is a finding, never a guess",
			d:      meta(t, "EXPERIMENT", map[string][]string{"GSE1": {"GSM1=rep", "GSM2=rep", "GSM3=solo"}}),
			folder: "GSE1", base: "GSE1", header: []string{"solo", "rep"},
			want: []warehouse.Column{{Index: 0, Sample: "GSM3", Study: "GSE1"}},
			findings: []wantFinding{
				{qc.SampleMismatch, qc.SeverityWarning, 3, `column "rep" is the title of 2 samples (GSM1, GSM2)`},
				{qc.SampleMismatch, qc.SeverityWarning, 0, "2 samples of study GSE1 have no column"},
			},
		},
		{
			name: "a title of another study's sample is a finding, never loaded under this one", d: meta(t, "EXPERIMENT", twoStudies),
			folder: "GSE1", base: "GSE1", header: []string{"sepsis 1", "shock"},
			want: []warehouse.Column{{Index: 0, Sample: "GSM2", Study: "GSE1"}},
			findings: []wantFinding{
				{qc.SampleMismatch, qc.SeverityWarning, 3, `column "shock" is the title of GSM8, a sample of GSE2, not of this matrix's study GSE1`},
				{qc.SampleMismatch, qc.SeverityWarning, 0, "2 samples of study GSE1 have no column in the matrix: GSM1, GSM3; the study's batch holds no facts of them"},
			},
		},
		{
			name: "a blank name is the title of no untitled sample", d: meta(t, "EXPERIMENT", map[string][]string{"GSE1": {"GSM1=ctl", "GSM2"}}),
			folder: "GSE1", base: "GSE1", header: []string{"ctl", " "},
			want: []warehouse.Column{{Index: 0, Sample: "GSM1", Study: "GSE1"}},
			findings: []wantFinding{
				{qc.SampleMismatch, qc.SeverityWarning, 3, `column " " names no sample`},
				{qc.SampleMismatch, qc.SeverityWarning, 0, "1 sample of study GSE1 has no column in the matrix: GSM2"},
			},
		},
		{
			name: "an unmatched name is a finding at its column", d: meta(t, "EXPERIMENT", twoStudies),
			folder: "GSE1", base: "GSE1", header: []string{"GSM1", "GSM2", "GSM3", "mystery"},
			want: []warehouse.Column{{Index: 0, Sample: "GSM1", Study: "GSE1"}, {Index: 1, Sample: "GSM2", Study: "GSE1"},
				{Index: 2, Sample: "GSM3", Study: "GSE1"}},
			findings: []wantFinding{{qc.SampleMismatch, qc.SeverityWarning, 5, `column "mystery" names no sample`}},
		},
		{
			name: "a sample twice (accession, then title) is an ERROR", d: meta(t, "EXPERIMENT", twoStudies),
			folder: "GSE1", base: "GSE1", header: []string{"GSM1", "GSM2", "GSM3", "sepsis 1"},
			want: []warehouse.Column{{Index: 0, Sample: "GSM1", Study: "GSE1"}, {Index: 1, Sample: "GSM2", Study: "GSE1"},
				{Index: 2, Sample: "GSM3", Study: "GSE1"}},
			findings: []wantFinding{{qc.DuplicateSamples, qc.SeverityError, 5, `column "sepsis 1" repeats sample GSM2 of column 3: which of the two holds its values cannot be told`}},
		},
		{
			name: "SPECIES: each sample's study comes from the metadata", d: meta(t, "SPECIES", species),
			folder: "HOMO_SAPIENS", base: "HOMO_SAPIENS", header: []string{"GSM1", "E-MTAB-123-P1", "SRR1", "GSM2", "E-MTAB-123-P2"},
			want: []warehouse.Column{{Index: 0, Sample: "GSM1", Study: "GSE1"}, {Index: 1, Sample: "E-MTAB-123-P1", Study: "E-MTAB-123"},
				{Index: 2, Sample: "SRR1", Study: "SRP5"}, {Index: 3, Sample: "GSM2", Study: "GSE1"}, {Index: 4, Sample: "E-MTAB-123-P2", Study: "E-MTAB-123"}},
			// GSM9 is a mouse: it belongs in MUS_MUSCULUS/, so it is not missing here
		},
		{
			name:   "SPECIES: a sample of no known organism without a column is missing from each matrix",
			d:      meta(t, "SPECIES", map[string][]string{"GSE1": {"GSM1=a@HOMO_SAPIENS", "GSM9=mouse@MUS_MUSCULUS", "GSM10=b"}}),
			folder: "HOMO_SAPIENS", base: "HOMO_SAPIENS", header: []string{"GSM1"},
			want:     []warehouse.Column{{Index: 0, Sample: "GSM1", Study: "GSE1"}},
			findings: []wantFinding{{qc.SampleMismatch, qc.SeverityWarning, 0, "1 sample of study GSE1 has no column in the matrix: GSM10;"}},
		},
		{
			name:   "SPECIES: an experiment accession over the warehouse's width loads none of its columns",
			d:      meta(t, "SPECIES", map[string][]string{"GSE1": {"GSM1=a"}, "GSE" + strings.Repeat("9", 98): {"GSM5=x", "GSM6=y"}}),
			folder: "HOMO_SAPIENS", base: "HOMO_SAPIENS", header: []string{"GSM5", "GSM1", "GSM6"},
			want: []warehouse.Column{{Index: 1, Sample: "GSM1", Study: "GSE1"}},
			findings: []wantFinding{{qc.ParseError, qc.SeverityWarning, 2,
				`column "GSM5": study accession "GSE9999999999999999999999999999999999..." is 101 characters long; the warehouse holds at most 100; none of the study's columns is loaded`}},
		},
		{
			// no study accession: without metadata nothing places its
			// columns in a study (with a study filter that matches it, the
			// accession's control character is refused instead)
			name: "a control character in the study a matrix is named for", d: &metadata.Dataset{},
			folder: "GSE\x001", base: "GSE\x001", header: []string{"GSM1", "GSM2"},
			findings: []wantFinding{{qc.SampleMismatch, qc.SeverityError, 0, `the matrix names no study: its file name "GSE\x001" is no study accession`}},
		},
		{
			name: "ALL: the same", d: meta(t, "ALL", species),
			folder: "ALL", base: "ALL", header: []string{"SRR1", "GSM9"},
			want:     []warehouse.Column{{Index: 0, Sample: "SRR1", Study: "SRP5"}, {Index: 1, Sample: "GSM9", Study: "GSE1"}},
			findings: []wantFinding{{qc.SampleMismatch, qc.SeverityWarning, 0, "2 samples of study GSE1 have no column in the matrix: GSM1, GSM2"}},
		},
		{
			name:   "SPECIES: a sample of two experiments is a column of each",
			d:      meta(t, "SPECIES", map[string][]string{"GSE1": {"GSM1"}, "GSE2": {"GSM1", "GSM2"}}),
			folder: "HOMO_SAPIENS", base: "HOMO_SAPIENS", header: []string{"GSM1", "GSM2"},
			want: []warehouse.Column{{Index: 0, Sample: "GSM1", Study: "GSE1"}, {Index: 0, Sample: "GSM1", Study: "GSE2"},
				{Index: 1, Sample: "GSM2", Study: "GSE2"}},
			findings: []wantFinding{
				{qc.SampleMismatch, qc.SeverityInfo, 0, "study GSE1 shares 1 samples (GSM1) with study GSE2: the metadata lists them under both, so their columns load under each study"},
				{qc.SampleMismatch, qc.SeverityInfo, 0, "study GSE2 shares 1 samples (GSM1) with study GSE1"},
			},
		},
		{
			name:   "SPECIES: a sample of two experiments in two columns is an ERROR of each",
			d:      meta(t, "SPECIES", map[string][]string{"GSE1": {"GSM1"}, "GSE2": {"GSM1", "GSM2"}}),
			folder: "HOMO_SAPIENS", base: "HOMO_SAPIENS", header: []string{"GSM1", "GSM2", "GSM1"},
			want: []warehouse.Column{{Index: 0, Sample: "GSM1", Study: "GSE1"}, {Index: 0, Sample: "GSM1", Study: "GSE2"},
				{Index: 1, Sample: "GSM2", Study: "GSE2"}},
			findings: []wantFinding{
				{qc.DuplicateSamples, qc.SeverityError, 4, `column "GSM1" repeats sample GSM1 of column 2`},
				{qc.DuplicateSamples, qc.SeverityError, 4, `column "GSM1" repeats sample GSM1 of column 2`},
				{qc.SampleMismatch, qc.SeverityInfo, 0, "study GSE1 shares 1 samples (GSM1) with study GSE2"},
				{qc.SampleMismatch, qc.SeverityInfo, 0, "study GSE2 shares 1 samples (GSM1) with study GSE1"},
			},
		},
		{
			name:   "SPECIES: a sample of two experiments, one of them excluded by the study filter",
			d:      meta(t, "SPECIES", map[string][]string{"GSE1": {"GSM1"}, "SRP2": {"GSM1", "GSM2"}}),
			filter: `GSE\d+`, folder: "HOMO_SAPIENS", base: "HOMO_SAPIENS", header: []string{"GSM1", "GSM2"},
			want: []warehouse.Column{{Index: 0, Sample: "GSM1", Study: "GSE1"}},
			findings: []wantFinding{
				{qc.SampleMismatch, qc.SeverityInfo, 0, "study SRP2 does not match processing.study_code_pattern; its 2 columns are not loaded"},
			},
		},
		{
			name:   "EXPERIMENT: the folder's study holds every column, even a sample of two experiments",
			d:      meta(t, "EXPERIMENT", map[string][]string{"GSE1": {"GSM1"}, "GSE2": {"GSM1", "GSM2"}}),
			folder: "GSE2", base: "GSE2", header: []string{"GSM1", "GSM2"},
			want: []warehouse.Column{{Index: 0, Sample: "GSM1", Study: "GSE2"}, {Index: 1, Sample: "GSM2", Study: "GSE2"}},
		},
		{
			name: "SPECIES: a sample with no experiment is not loaded, and says why",
			d: metadata.Merge(&metadata.Dataset{AggregateBy: "SPECIES", Samples: []*metadata.Sample{{Accession: "GSM1"}, {Accession: "GSM2"}},
				Studies: []*metadata.Study{{Accession: "GSE1", SampleAccessions: []string{"GSM1"}}}}),
			folder: "HOMO_SAPIENS", base: "HOMO_SAPIENS", header: []string{"GSM1", "GSM2"},
			want:     []warehouse.Column{{Index: 0, Sample: "GSM1", Study: "GSE1"}},
			findings: []wantFinding{{qc.SampleMismatch, qc.SeverityWarning, 0, "1 column (GSM2) belongs to no experiment"}},
		},
		{
			name: "no metadata: names are accessions of the matrix's study", d: &metadata.Dataset{},
			folder: "", base: "E-GEOD-39842", header: []string{"A", "B"},
			want: []warehouse.Column{{Index: 0, Sample: "A", Study: "E-GEOD-39842"}, {Index: 1, Sample: "B", Study: "E-GEOD-39842"}},
		},
		{
			// a SQL Server warehouse compares accessions without case
			name: "no metadata: names that differ only in case are one sample", d: &metadata.Dataset{},
			folder: "", base: "GSE7", header: []string{"GSM1", "GSM2", "gsm1"},
			want: []warehouse.Column{{Index: 0, Sample: "GSM1", Study: "GSE7"}, {Index: 1, Sample: "GSM2", Study: "GSE7"}},
			findings: []wantFinding{{qc.DuplicateSamples, qc.SeverityError, 4,
				`column "gsm1" repeats sample GSM1 of column 2 (the names differ only in case): which of the two holds its values cannot be told`}},
		},
		{
			name: "no metadata, a SPECIES matrix: nothing can be attributed", d: &metadata.Dataset{},
			folder: "HOMO_SAPIENS", base: "HOMO_SAPIENS", header: []string{"A", "B"},
			findings: []wantFinding{{qc.SampleMismatch, qc.SeverityWarning, 0, "2 columns (A, B) belong to no experiment the metadata names, and the matrix HOMO_SAPIENS is not one experiment's"}},
		},
		{
			name: "the study filter excludes, and says so", d: meta(t, "SPECIES", species), filter: `GSE\d+|SRP\d+`,
			folder: "HOMO_SAPIENS", base: "HOMO_SAPIENS", header: []string{"GSM1", "E-MTAB-123-P1", "E-MTAB-123-P2", "GSM2"},
			want:     []warehouse.Column{{Index: 0, Sample: "GSM1", Study: "GSE1"}, {Index: 3, Sample: "GSM2", Study: "GSE1"}},
			findings: []wantFinding{{qc.SampleMismatch, qc.SeverityInfo, 0, "study E-MTAB-123 does not match processing.study_code_pattern; its 2 columns are not loaded"}},
		},
		{
			name: "the study filter excludes everything: skipped, not failed", d: meta(t, "EXPERIMENT", twoStudies), filter: `E-\w+-\d+`,
			folder: "GSE2", base: "GSE2", header: []string{"GSM7", "GSM8"},
			wantSkipped: []string{"GSE2"},
			findings:    []wantFinding{{qc.SampleMismatch, qc.SeverityInfo, 0, "study GSE2 does not match"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var re *regexp.Regexp
			if tc.filter != "" {
				re = regexp.MustCompile(`^(?:` + tc.filter + `)$`)
			}
			m := &Matrix{Name: "m.tsv", Folder: tc.folder, Base: tc.base}
			p := resolveColumns(&expression.Header{GeneColumn: "Gene", Names: tc.header}, tc.d, m, re)
			if !slices.Equal(p.columns, tc.want) {
				t.Errorf("columns\n got %+v\nwant %+v", p.columns, tc.want)
			}
			for i, c := range p.columns {
				if p.indexes[i] != c.Index || p.samples[c.Sample] == nil || !slices.Contains(p.studies, c.Study) {
					t.Errorf("plan is inconsistent at %+v: indexes %v studies %v", c, p.indexes, p.studies)
				}
			}
			if got := p.skipped("m.tsv"); len(p.columns) == 0 && len(tc.wantSkipped) > 0 {
				var studies []string
				for _, r := range got {
					studies = append(studies, r.Study)
					if r.Outcome != Skipped || r.Err != nil || len(r.Findings) == 0 {
						t.Errorf("skipped report %+v", r)
					}
				}
				if !slices.Equal(studies, tc.wantSkipped) {
					t.Errorf("skipped %v, want %v", studies, tc.wantSkipped)
				}
			}
			checkFindings(t, p.findings, tc.findings)
		})
	}
}

func checkFindings(t *testing.T, got []*qc.Error, want []wantFinding) {
	t.Helper()
	if len(got) != len(want) {
		for _, f := range got {
			t.Logf("finding: %v", f)
		}
		t.Fatalf("%d findings, want %d", len(got), len(want))
	}
	for i, w := range want {
		f := got[i]
		if !errors.Is(f, w.code) || f.Severity != w.sev || f.Column != w.col || !strings.Contains(f.Msg, w.text) {
			t.Errorf("finding %d: %v (severity %s, column %d); want %s %s column %d containing %q", i, f, f.Severity, f.Column, w.code.Name(), w.sev, w.col, w.text)
		}
		if w.col > 0 && (f.Line != 1 || f.File != "m.tsv") {
			t.Errorf("finding %d is not located at the header: %v", i, f)
		}
	}
}

func TestResolveColumnsCapsColumnFindings(t *testing.T) {
	d := meta(t, "EXPERIMENT", map[string][]string{"GSE1": {"GSM1"}})
	header := []string{"GSM1"}
	for i := range 25 {
		header = append(header, fmt.Sprintf("junk%d", i))
	}
	p := resolveColumns(&expression.Header{Names: header}, d, &Matrix{Name: "m.tsv", Folder: "GSE1", Base: "GSE1"}, nil)
	if len(p.columns) != 1 || len(p.findings) != maxColumnFindings+1 {
		t.Fatalf("%d columns, %d findings", len(p.columns), len(p.findings))
	}
	if last := p.findings[maxColumnFindings]; !strings.Contains(last.Msg, "5 more columns") {
		t.Errorf("summary finding: %v", last)
	}
}

// TestResolveColumnsDuplicateSamples: a sample in two columns is an ERROR
// of its own study only, however many columns the findings cap leaves
// unlisted, and nothing for a study the filter excludes.
func TestResolveColumnsDuplicateSamples(t *testing.T) {
	species := meta(t, "SPECIES", map[string][]string{
		"GSE1":       {"GSM1=a@HOMO_SAPIENS", "GSM2=b@HOMO_SAPIENS"},
		"E-MTAB-123": {"E-MTAB-123-P1=p1@HOMO_SAPIENS"},
		"SRP5":       {"SRR1=s1@HOMO_SAPIENS"},
	})
	junk := func(n int) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("junk%d", i))
		}
		return out
	}
	type dupFinding struct {
		study string
		col   int64
		text  string
	}
	cases := []struct {
		name     string
		header   []string
		filter   string
		columns  int
		dups     []dupFinding
		mismatch string // the summary of unlisted unmatched columns, if any
	}{
		{"the repeated sample's study only", []string{"GSM1", "SRR1", "GSM2", "GSM1"}, "", 3,
			[]dupFinding{{"GSE1", 5, `column "GSM1" repeats sample GSM1 of column 2`}}, ""},
		{"past the cap: summed up per study", append(append([]string{"GSM1", "SRR1", "GSM2"}, junk(25)...), "GSM1", "SRR1", "GSM1"), "", 3,
			[]dupFinding{{"GSE1", 0, "2 more columns repeat a sample of study GSE1"}, {"SRP5", 0, "1 more columns repeat a sample of study SRP5"}},
			"5 more columns could not be matched to a sample"},
		{"a study the filter excludes", []string{"GSM1", "E-MTAB-123-P1", "E-MTAB-123-P1"}, `GSE\d+`, 1, nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var re *regexp.Regexp
			if tc.filter != "" {
				re = regexp.MustCompile(`^(?:` + tc.filter + `)$`)
			}
			p := resolveColumns(&expression.Header{Names: tc.header}, species, &Matrix{Name: "m.tsv", Folder: "HOMO_SAPIENS", Base: "HOMO_SAPIENS"}, re)
			if len(p.columns) != tc.columns {
				t.Errorf("%d columns loaded, want %d: %+v", len(p.columns), tc.columns, p.columns)
			}
			var dups []dupFinding
			mismatch := ""
			for _, f := range p.findings {
				switch {
				case f.Code == qc.DuplicateSamples:
					if f.Severity != qc.SeverityError || f.File != "m.tsv" || f.Line != 1 {
						t.Errorf("duplicate finding not an ERROR at the header: %v (%s)", f, f.Severity)
					}
					dups = append(dups, dupFinding{f.Study, f.Column, f.Msg})
				case f.Code == qc.SampleMismatch && strings.Contains(f.Msg, "more columns"):
					mismatch = f.Msg
				}
			}
			if len(dups) != len(tc.dups) {
				t.Fatalf("duplicate findings %+v, want %+v", dups, tc.dups)
			}
			for i, w := range tc.dups {
				if g := dups[i]; g.study != w.study || g.col != w.col || !strings.Contains(g.text, w.text) {
					t.Errorf("duplicate finding %+v, want %+v", g, w)
				}
			}
			if !strings.Contains(mismatch, tc.mismatch) || (tc.mismatch == "") != (mismatch == "") {
				t.Errorf("unmatched summary %q, want %q", mismatch, tc.mismatch)
			}
		})
	}
}

// TestStudyFromNameNotPattern: a matrix with no metadata is the study its
// name is when that name is a study accession, in any archive's style, or
// matches processing.study_code_pattern; any other name ("expression",
// "GSE71270 (1)", a browser's second copy) is no study, so that two
// unrelated files of one name are not one study, the second replacing the
// first. Organism folders and ALL are never studies.
func TestStudyFromNameNotPattern(t *testing.T) {
	mine := regexp.MustCompile(`^(?:my_.*|GSE\d+)$`)
	for _, tc := range []struct {
		name, hint, want string
		filter           *regexp.Regexp
	}{
		{"E-GEOD-39842", "E-GEOD-39842", "E-GEOD-39842", nil}, {"E-MTAB-1234", "E-MTAB-1234", "E-MTAB-1234", nil},
		{"E-TABM-292", "E-TABM-292", "E-TABM-292", nil}, {"SRP110235", "SRP110235", "SRP110235", nil},
		{"ERP000447", "ERP000447", "ERP000447", nil}, {"DRP000017", "DRP000017", "DRP000017", nil},
		{"GSE71270", "GSE71270", "GSE71270", nil},
		{"my_study", "my_study", "", nil}, {"my_study", "my_study", "my_study", mine},
		{"expression", "expression", "", nil}, {"GSE71270 (1)", "GSE71270 (1)", "", nil},
		{"HOMO_SAPIENS", "", "", nil}, {"DANIO_RERIO", "", "", nil}, {"SARS_COV_2", "", "", nil}, {"ALL", "", "", nil},
		{"HOMO_SAPIENS", "", "", mine}, {"expression", "expression", "", mine}, {"gse71270", "gse71270", "", nil},
		{"SRP110235", "SRP110235", "", mine}, // an accession, which the filter then skips (below)
	} {
		if got := studyHint(tc.name); got != tc.hint {
			t.Errorf("studyHint(%q) = %q, want %q", tc.name, got, tc.hint)
		}
		p := resolveColumns(&expression.Header{Names: []string{"S1"}}, &metadata.Dataset{}, &Matrix{Name: tc.name + ".tsv", Base: tc.name}, tc.filter)
		var studies []string
		for _, c := range p.columns {
			studies = append(studies, c.Study)
		}
		if tc.want == "" && len(studies) != 0 || tc.want != "" && !slices.Equal(studies, []string{tc.want}) {
			t.Errorf("matrix %s.tsv without metadata (filter %v): studies %v, want %q", tc.name, tc.filter, studies, tc.want)
		}
		if skipped := p.excluded[tc.name] == 1; skipped != (tc.name == "SRP110235" && tc.filter != nil) {
			t.Errorf("matrix %s.tsv (filter %v): excluded by the filter %v", tc.name, tc.filter, skipped)
		}
	}
}

// TestResolveColumnsShortensLongNames: a header cell of a megabyte is quoted
// in a finding cut to 80 bytes, its beginning and its end, so that neither
// the summary nor meta_data_validation_log.details holds the whole cell.
func TestResolveColumnsShortensLongNames(t *testing.T) {
	long := "GSM" + strings.Repeat("x", 1<<20)
	cases := []struct {
		name string
		d    *metadata.Dataset
		m    *Matrix
	}{
		{"no such sample", meta(t, "EXPERIMENT", map[string][]string{"GSE1": {"GSM1"}}),
			&Matrix{Name: "m.tsv", Folder: "GSE1", Base: "GSE1"}},
		{"no experiment", &metadata.Dataset{AggregateBy: "SPECIES", Samples: []*metadata.Sample{{Accession: long}}},
			&Matrix{Name: "m.tsv", Folder: "HOMO_SAPIENS", Base: "HOMO_SAPIENS"}},
		{"accession too long", nil, &Matrix{Name: "m.tsv", Folder: "GSE1", Base: "GSE1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.d
			if d == nil {
				d = &metadata.Dataset{}
			}
			p := resolveColumns(&expression.Header{Names: []string{"GSM1", long}}, metadata.Merge(d), tc.m, nil)
			about := 0
			for _, f := range p.findings {
				if !strings.Contains(f.Msg, "GSMxxxxxxxx") {
					continue
				}
				about++
				if len(f.Msg) > 400 || !strings.Contains(f.Msg, "GSM"+strings.Repeat("x", 36)+"..."+strings.Repeat("x", 38)+")") && !strings.Contains(f.Msg, "GSM"+strings.Repeat("x", 36)+"..."+strings.Repeat("x", 38)+`"`) {
					t.Errorf("finding of %d bytes does not quote the column shortened: %.200s", len(f.Msg), f.Msg)
				}
			}
			if about == 0 {
				t.Fatalf("no finding about the long column: %v", p.findings)
			}
		})
	}
}
