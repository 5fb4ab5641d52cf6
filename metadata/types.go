package metadata

import (
	"cmp"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/genexp/genexp/qc"
)

// Optional is a value that may be unknown.
type Optional[T any] struct {
	Val   T
	Valid bool
}

// Some returns a known Optional.
func Some[T any](v T) Optional[T] { return Optional[T]{Val: v, Valid: true} }

// Dataset is everything a download's metadata says.
type Dataset struct {
	// AggregateBy is EXPERIMENT, SPECIES or ALL ("" when unknown).
	AggregateBy string
	// ScaleBy is NONE, MINMAX, STANDARD or ROBUST ("" when unknown).
	ScaleBy            string
	QuantileNormalized Optional[bool]
	QuantSFOnly        Optional[bool]
	// KSStatistic, KSPValue and KSWarning are refine.bio's own
	// Kolmogorov–Smirnov check after quantile normalization.
	KSStatistic Optional[float64]
	KSPValue    Optional[float64]
	KSWarning   string
	// CreatedAt is when refine.bio built the download (created_at).
	CreatedAt Optional[time.Time]
	// CompendiumVersion is the version of a compendium download; "" for
	// the others.
	CompendiumVersion string
	// Studies and Samples are sorted by accession.
	Studies []*Study
	Samples []*Sample
	// Sources names the files the dataset was read from.
	Sources []string
	// Findings are problems noticed while reading that did not stop it,
	// such as two columns of a sample sheet that give one sample two
	// values of one field.
	Findings []*qc.Error
}

// Study is one experiment (a GEO series, an ArrayExpress experiment, an SRA
// project).
type Study struct {
	// Accession, Title and Description are the experiment's, "" when
	// unknown.
	Accession   string
	Title       string
	Description string
	// Technology is MICROARRAY or RNA-SEQ as refine.bio reports it.
	Technology string
	// Organisms are the organisms of the study's samples as refine.bio
	// names them (HOMO_SAPIENS), and SampleAccessions its samples, each
	// sorted. The fields below are the experiment record's: its
	// publication, its submitter and its dates, unknown when the metadata
	// leaves them out.
	Organisms            []string
	SampleAccessions     []string
	HasPublication       Optional[bool]
	PublicationTitle     string
	PublicationDOI       string
	PubmedID             string
	SubmitterInstitution string
	FirstPublished       Optional[time.Time]
	LastModified         Optional[time.Time]
}

// Sample is one refine.bio sample.
type Sample struct {
	// Accession … DevelopmentalStage are refine.bio's own sample fields
	// (refinebio_accession_code, refinebio_title, refinebio_age, …), as
	// text, "" when unknown.
	Accession          string
	Title              string
	Organism           string
	Platform           string // as refine.bio writes it: "Name (accession)"
	SourceDatabase     string
	SourceArchiveURL   string
	Sex                string
	Age                string
	SpecimenPart       string
	GeneticInformation string
	Disease            string
	DiseaseStage       string
	CellLine           string
	Treatment          string
	Race               string
	Subject            string
	Compound           string
	Time               string
	DevelopmentalStage string
	// Processed is refine.bio's flag that the sample was processed (its
	// values are in the matrices); unknown when the metadata leaves it out.
	Processed        Optional[bool]
	ProcessorID      string
	ProcessorName    string
	ProcessorVersion string
	// Experiments lists the accessions of the studies the sample belongs
	// to, sorted.
	Experiments []string
	// Annotations is the submitter's metadata, flattened.
	Annotations []Annotation
}

// Annotation is one item of submitter metadata.
type Annotation struct {
	// Key is the item's name ("disease state", "source_name_ch1",
	// "tissue"); "" for an unkeyed characteristic.
	Key string
	// Value is its text.
	Value string
	// Characteristic is true for a characteristic of the sample (GEO
	// characteristics_ch*, ArrayExpress characteristics and factor values),
	// false for other fields (titles, source names, descriptions, …).
	Characteristic bool
}

// Study returns the study with the accession, or nil (also for a nil
// Dataset, which holds nothing; so do the methods below).
func (d *Dataset) Study(accession string) *Study {
	if d == nil {
		return nil
	}
	i := sort.Search(len(d.Studies), func(i int) bool { return d.Studies[i].Accession >= accession })
	if i < len(d.Studies) && d.Studies[i].Accession == accession {
		return d.Studies[i]
	}
	return nil
}

// Sample returns the sample with the accession, or nil.
func (d *Dataset) Sample(accession string) *Sample {
	if d == nil {
		return nil
	}
	i := sort.Search(len(d.Samples), func(i int) bool { return d.Samples[i].Accession >= accession })
	if i < len(d.Samples) && d.Samples[i].Accession == accession {
		return d.Samples[i]
	}
	return nil
}

// SamplesTitled returns the samples whose title is exactly title.
func (d *Dataset) SamplesTitled(title string) []*Sample {
	if d == nil {
		return nil
	}
	var out []*Sample
	for _, s := range d.Samples {
		if s.Title == title {
			out = append(out, s)
		}
	}
	return out
}

// StudySamples returns the samples of the study, in accession order.
func (d *Dataset) StudySamples(study string) []*Sample {
	if d == nil {
		return nil
	}
	var out []*Sample
	for _, s := range d.Samples {
		for _, e := range s.Experiments {
			if e == study {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// readSRA reads the SRA runs' records of a dataset just parsed (sraKeys),
// once: a merge of parsed datasets must not read their keys again, since
// an attribute stripped of its "sample_" ("sample_run_group" is the
// characteristic run_group) may then look like an archive's field.
func (d *Dataset) readSRA() {
	for _, s := range d.Samples {
		sraKeys(s)
	}
}

// sortAll orders studies, samples and membership lists and links each
// study's SampleAccessions with each sample's Experiments both ways.
func (d *Dataset) sortAll() {
	sort.Slice(d.Studies, func(i, j int) bool { return d.Studies[i].Accession < d.Studies[j].Accession })
	sort.Slice(d.Samples, func(i, j int) bool { return d.Samples[i].Accession < d.Samples[j].Accession })
	for _, st := range d.Studies {
		for _, acc := range st.SampleAccessions {
			if s := d.Sample(acc); s != nil {
				s.Experiments = appendUnique(s.Experiments, st.Accession)
			}
		}
	}
	for _, s := range d.Samples {
		for _, e := range s.Experiments {
			if st := d.Study(e); st != nil {
				st.SampleAccessions = append(st.SampleAccessions, s.Accession)
			}
		}
		sort.Strings(s.Experiments)
	}
	// A study's list is deduplicated here, once, rather than on every
	// append, which made linking quadratic in the samples of a study.
	for _, st := range d.Studies {
		sort.Strings(st.SampleAccessions)
		st.SampleAccessions = slices.Compact(st.SampleAccessions)
	}
	d.sraStudyText()
}

// sraStudyText fills what a study leaves empty of its title and
// description with the ones refine.bio copies into each of its SRA runs'
// records (study_title; study_abstract, else study_description): a
// sample sheet read without aggregated_metadata.json holds the study's
// text only there, and the classifier reads a study's samples in the
// light of its text. A field is taken only when every run that holds it
// gives the same text.
func (d *Dataset) sraStudyText() {
	for _, st := range d.Studies {
		if st.Title != "" && st.Description != "" {
			continue
		}
		texts := map[string]string{} // key → the runs' one text, "" where they differ
		for _, acc := range st.SampleAccessions {
			s := d.Sample(acc)
			if s == nil || !sraRun.MatchString(s.Accession) {
				continue
			}
			for _, a := range s.Annotations {
				k, v := strings.ToLower(a.Key), strings.TrimSpace(a.Value)
				if v == "" || k != "study_title" && k != "study_abstract" && k != "study_description" {
					continue
				}
				if have, ok := texts[k]; ok && have != v {
					v = ""
				}
				texts[k] = v
			}
		}
		if st.Title == "" {
			st.Title = texts["study_title"]
		}
		if st.Description == "" {
			st.Description = cmp.Or(texts["study_abstract"], texts["study_description"])
		}
	}
}

// appendUnique appends v to a short list (a sample's experiments, a
// study's organisms) unless it holds v already.
func appendUnique(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

// Field names understood by Sample.Values.
const (
	FieldTitle           = "title"
	FieldDisease         = "disease"
	FieldDiseaseStage    = "disease_stage"
	FieldSubject         = "subject"
	FieldTreatment       = "treatment"
	FieldSpecimenPart    = "specimen_part"
	FieldSourceName      = "source_name"
	FieldDescription     = "description"
	FieldCharacteristics = "characteristics"
	// FieldCharacteristicPrefix followed by a key ("characteristic:disease
	// state") selects the characteristics with that key.
	FieldCharacteristicPrefix = "characteristic:"
)

// sampleFields maps the names of refine.bio's own sample fields (without
// the "refinebio_" prefix) to their values.
var sampleFields = map[string]func(*Sample) string{
	"accession_code":      func(s *Sample) string { return s.Accession },
	"organism":            func(s *Sample) string { return s.Organism },
	"platform":            func(s *Sample) string { return s.Platform },
	"source_database":     func(s *Sample) string { return s.SourceDatabase },
	"source_archive_url":  func(s *Sample) string { return s.SourceArchiveURL },
	"sex":                 func(s *Sample) string { return s.Sex },
	"age":                 func(s *Sample) string { return s.Age },
	"specimen_part":       func(s *Sample) string { return s.SpecimenPart },
	"genetic_information": func(s *Sample) string { return s.GeneticInformation },
	"disease":             func(s *Sample) string { return s.Disease },
	"disease_stage":       func(s *Sample) string { return s.DiseaseStage },
	"cell_line":           func(s *Sample) string { return s.CellLine },
	"treatment":           func(s *Sample) string { return s.Treatment },
	"race":                func(s *Sample) string { return s.Race },
	"subject":             func(s *Sample) string { return s.Subject },
	"compound":            func(s *Sample) string { return s.Compound },
	"time":                func(s *Sample) string { return s.Time },
	"developmental_stage": func(s *Sample) string { return s.DevelopmentalStage },
	"processor_id":        func(s *Sample) string { return s.ProcessorID },
	"processor_name":      func(s *Sample) string { return s.ProcessorName },
	"processor_version":   func(s *Sample) string { return s.ProcessorVersion },
}

// sampleFieldNames are sampleFields' names, sorted.
var sampleFieldNames = slices.Sorted(maps.Keys(sampleFields))

// Values returns the texts of a sample field, for classifiers that read
// samples by configurable field names:
//
//   - "title": the refine.bio title, then the submitter's titles that
//     differ from it (GEO title, ArrayExpress Sample_title);
//   - any other refine.bio field, with or without the "refinebio_" prefix
//     ("disease", "disease_stage", "subject", "treatment", "specimen_part",
//     "organism", "platform", "sex", "age", "cell_line", "race",
//     "compound", "time", "genetic_information", "developmental_stage",
//     "source_database", "source_archive_url", "accession_code",
//     "processor_id", "processor_name", "processor_version"): that field;
//   - "source_name": the submitter's source names (GEO source_name_ch*,
//     ArrayExpress Sample_source_name);
//   - "description": the submitter's sample descriptions;
//   - "characteristics": every characteristic as "key: value" (or the bare
//     value when it has no key);
//   - "characteristic:KEY": the values of characteristics named KEY
//     (case-insensitive; spaces and underscores are the same);
//   - anything else: the values of annotations with that key (same
//     comparison).
//
// Empty values are never returned, nor the same text twice; a nil Sample
// has none.
func (s *Sample) Values(field string) []string {
	if s == nil {
		return nil
	}
	f := FieldKey(field)
	var out []string
	add := func(v string) {
		if v = strings.TrimSpace(v); v != "" {
			for _, x := range out {
				if x == v {
					return
				}
			}
			out = append(out, v)
		}
	}
	if get, ok := sampleFields[f]; ok {
		add(get(s))
		return out
	}
	switch f {
	case FieldTitle:
		add(s.Title)
		s.eachAnnotation(func(a Annotation) {
			if !a.Characteristic && isKey(a.Key, "title", "sample_title") {
				add(a.Value)
			}
		})
	case FieldSourceName:
		s.eachAnnotation(func(a Annotation) {
			if !a.Characteristic && isKey(a.Key, "source_name_ch1", "source_name_ch2", "source_name", "sample_source_name", "source name") {
				add(a.Value)
			}
		})
	case FieldDescription:
		s.eachAnnotation(func(a Annotation) {
			if !a.Characteristic && isKey(a.Key, "description", "sample_description") {
				add(a.Value)
			}
		})
	case FieldCharacteristics:
		s.eachAnnotation(func(a Annotation) {
			if a.Characteristic {
				if a.Key == "" {
					add(a.Value)
				} else {
					add(a.Key + ": " + a.Value)
				}
			}
		})
	default:
		if key, ok := strings.CutPrefix(f, FieldCharacteristicPrefix); ok {
			s.eachAnnotation(func(a Annotation) {
				if a.Characteristic && isKey(a.Key, key) {
					add(a.Value)
				}
			})
			break
		}
		s.eachAnnotation(func(a Annotation) {
			if isKey(a.Key, f) {
				add(a.Value)
			}
		})
	}
	return out
}

func (s *Sample) eachAnnotation(fn func(Annotation)) {
	for _, a := range s.Annotations {
		fn(a)
	}
}

// SameKey reports whether two annotation keys name one field, as
// Sample.Values compares them: case ignored, surrounding space trimmed,
// underscores and any other white space read as spaces ("Disease_State"
// and "disease state" are one key).
func SameKey(a, b string) bool { return normKey(a) == normKey(b) }

// isKey reports whether key is one of names, compared as SameKey does.
func isKey(key string, names ...string) bool {
	k := normKey(key)
	for _, n := range names {
		if k == normKey(n) {
			return true
		}
	}
	return false
}

func normKey(s string) string {
	s = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "_", " ")
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || c != ' ' && unicode.IsSpace(rune(c)) {
			// a tab, or a no-break or thin space in a spreadsheet's
			// header, is a space
			s = strings.Map(func(r rune) rune {
				if unicode.IsSpace(r) {
					return ' '
				}
				return r
			}, s)
			break
		}
	}
	if strings.Contains(s, "  ") {
		s = strings.Join(strings.Fields(s), " ") // "sepsis  (y/n)" is "sepsis (y/n)"
	}
	return s
}

// FieldKey is a field name as Values compares it: trimmed, lower case,
// without refinebio_.
func FieldKey(field string) string {
	return strings.TrimPrefix(strings.ToLower(strings.TrimSpace(field)), "refinebio_")
}

// AccessionLike reports whether name can be a sample accession as written:
// GSM123, SRR123, E-GEOD-39842-GSM980273 (letters, digits and . _ : -
// only), or an ArrayExpress sample's, which refine.bio makes of its
// experiment's accession, "-" and the assay or source name, and which may
// hold blanks ("E-MEXP-669-Sample 1"). A title ("Unamputated wildtype
// adult zebrafish, sample 1") is neither; a one-word title ("Control_1")
// cannot be told from an accession by its spelling.
func AccessionLike(name string) bool {
	return arrayExpressSample.MatchString(name) || plainAccession.MatchString(name)
}

var (
	// arrayExpressSample: an ArrayExpress experiment accession, "-", and
	// anything.
	arrayExpressSample = regexp.MustCompile(`(?s)^E-[A-Z]{4}-\d+-.`)
	plainAccession     = regexp.MustCompile(`^[A-Za-z0-9._:-]+$`)
)

// sraRun matches the accession of an SRA run, the sample of an SRA study.
var sraRun = regexp.MustCompile(`^[SED]RR\d+$`)

// sraArchiveKeys are the fields of an SRA study, and of its submission, that
// refine.bio copies into every run's record, and the run's, experiment's
// and library's own fields that its SRA surveyor writes beside them (an
// experiment title such as "Illumina NovaSeq 6000 sequencing; GSM1: Infant_02;
// Homo sapiens; RNA-Seq", a library name): the archive's, not the
// submitter's characteristics.
var sraArchiveKeys = regexp.MustCompile(`(?i)^(study_(title|abstract|description|alias|accession|type|ena_.*)|submission_.*` +
	`|run_.*|experiment_(accession|title|design_description)|library_\w+|spot_\w+|platform_instrument_model|organism_(id|name)` +
	`|center_name|center_project_name|broker_name|alias|pubmed_id|external_id|lab_name)$`)

// sraSampleFields are the fields of an SRA sample that refine.bio writes
// with the "sample_" of its attributes but that are the archive's, not
// the submitter's: the sample's accession, title and centre, and ENA's
// counts and dates.
var sraSampleFields = regexp.MustCompile(`(?i)^sample_(id|accession|title|center_name|ena_.*)$`)

// sraKeys reads an SRA run's record as a GEO sample's is read. refine.bio
// writes the sample's BioSample attributes as "sample_" and the attribute
// (sample_disease_state): they are its characteristics, under the
// attribute's name, as GEO's "disease state" is; the sample's own fields
// (sample_title, sample_accession, …) are not, and sample_title is the
// sample's title where refine.bio's is empty. It copies the study's
// title and abstract into every run's record: they are kept, but are no
// characteristic of the sample (read as one, a study titled for sepsis
// labelled its healthy controls septic). Only runs (SRR, ERR, DRR) are
// read so: a GEO or ArrayExpress record's "sample_type" or "study_group"
// is the submitter's own characteristic. The parsers run it once
// (readSRA).
func sraKeys(s *Sample) {
	if s == nil || !sraRun.MatchString(s.Accession) {
		return
	}
	for i, a := range s.Annotations {
		lk := strings.ToLower(a.Key)
		switch {
		case sraSampleFields.MatchString(lk):
			s.Annotations[i].Characteristic = false
			if lk == "sample_title" && s.Title == "" {
				s.Title = a.Value
			}
		case strings.HasPrefix(lk, "sample_") && len(lk) > len("sample_"):
			s.Annotations[i].Key, s.Annotations[i].Characteristic = strings.TrimSpace(a.Key[len("sample_"):]), true
		case sraArchiveKeys.MatchString(lk):
			s.Annotations[i].Characteristic = false
		}
	}
}
