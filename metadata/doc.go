// Package metadata reads refine.bio sample and experiment metadata into typed
// values: a Dataset of Studies (experiments) and Samples.
//
// It reads every generation refine.bio has written: aggregated_metadata.json
// (current), metadata.json (2018 downloads, whose sample keys may be titles
// and whose experiments list their members by title), the unprefixed keys
// of early 2018 (accession_code, title, genotype, annotations, …),
// metadata_<ORGANISM>.json of SPECIES downloads (samples as a list), and the
// sample sheets metadata_<ACC>.tsv and <ACC>_metadata.tsv. When a download
// carries both JSON and TSV, Merge combines them: the first wins, the others
// fill what it leaves unknown.
//
// A malformed file is a *qc.Error naming the file and the line and column
// of a JSON syntax error, the JSON path of a value of the wrong type
// (samples.GSM1.refinebio_processed, with the line of its key inside a
// sample or an experiment) or of a key written twice in one object, or the
// line and field of a sheet row; two samples of one accession, in a JSON
// file or a sheet, are a DuplicateSamples error naming both. A date in a form genexp
// does not read (created_at, source_first_published, source_last_modified)
// does not stop the parse: the date is unknown and a WARNING in
// Dataset.Findings names its path.
//
// Unknown is always the zero value: an empty string for text (whether the
// file had "", null or no key), and an Optional with Valid false for
// booleans, numbers and times.
//
// The submitter's own metadata (GEO characteristics such as
// "disease state: septic shock", ArrayExpress characteristics and factor
// values, source names) is flattened into Sample.Annotations, so that
// classifiers can read it by name through Sample.Values.
package metadata
