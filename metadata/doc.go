// Package metadata reads refine.bio sample and experiment metadata into typed
// values: a Dataset of Studies (experiments) and Samples.
//
// It reads every generation refine.bio has written: aggregated_metadata.json
// (current), metadata.json (2018 downloads, whose sample keys may be titles),
// the unprefixed keys of early 2018 (accession_code, title, …), and the
// per-folder sample sheets metadata_<ACC>.tsv and <ACC>_metadata.tsv. When a
// download carries both JSON and TSV, Merge combines them.
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
