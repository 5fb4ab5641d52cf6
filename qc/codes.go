package qc

import (
	"fmt"
	"strconv"
	"strings"
)

// Code identifies a class of failure or finding. A Code is an error, so
// errors.Is(err, qc.ParseError) reports whether err, or any error it wraps,
// is a *Error with that code.
type Code int

// Extraction codes (1000–1999): the input could not be read as a refine.bio
// download, or the configuration could not be read.
const (
	// FileNotFound: a path or a file the download refers to does not exist,
	// or cannot be read (no permission, a loop of symbolic links).
	FileNotFound Code = 1001
	// InvalidFormat: the file exists but is not the expected kind (not a
	// matrix, not metadata, an unusable zip, a header with no samples).
	InvalidFormat Code = 1002
	// EncodingError: the bytes are not valid UTF-8 text, or a value holds
	// a control character genexp refuses (a NUL, a line break in a gene id).
	EncodingError Code = 1003
	// ParseError: a cell, line or JSON value cannot be parsed; the error names
	// the file and the line and column or JSON path.
	ParseError Code = 1004
	// ConfigInvalid: the configuration file cannot be read, is not valid
	// YAML, has an unknown or repeated key, a value of the wrong type or an
	// invalid value, or refers to an unset environment variable (the error
	// names the file, and where it applies the line, column and key path);
	// or a configuration given from Go is invalid (a nil option or sink), or
	// the Go API is called out of order (a Reader's Sum before its end).
	ConfigInvalid Code = 1005
)

// Validation codes (2000–2999): the input reads but breaks a quality rule.
const (
	// SampleMismatch: matrix columns and metadata samples disagree (a column
	// with no sample, an ambiguous title, a sample with no column).
	SampleMismatch Code = 2001
	// GeneCountLow: a sample has fewer measured genes than the threshold
	// (an ERROR when the matrix has no gene rows at all).
	GeneCountLow Code = 2002
	// NullPercentageHigh: the share of missing cells exceeds the threshold.
	NullPercentageHigh Code = 2003
	// DuplicateSamples: a sample or a study appears more than once (in two
	// matrix columns, on two lines of a sample sheet, in two sheets that
	// describe it differently, or a study in two matrices of one run).
	DuplicateSamples Code = 2004
	// DuplicateGenes: a gene id appears on more than one matrix row.
	DuplicateGenes Code = 2005
	// SampleCountLow: a study has fewer samples than the threshold.
	SampleCountLow Code = 2006
	// DistributionShift: the Kolmogorov–Smirnov check found a sample whose
	// distribution differs from the pooled distribution of its study.
	DistributionShift Code = 2007
	// NegativeAbundance: an RNA-seq study holds negative values, which no
	// abundance is: its features are then computed on the stored values,
	// not on log2(value + 1) (see warehouse.FeatureScale).
	NegativeAbundance Code = 2008
)

// Transformation codes (3000–3999): metadata could not be turned into
// dimension rows.
const (
	// IllnessInferenceFailed: the illness rules or overrides are unusable.
	IllnessInferenceFailed Code = 3001
	// PlatformNormalizationFailed: a platform could not be normalized.
	PlatformNormalizationFailed Code = 3002
	// DimensionLookupFailed: a fact refers to a dimension member that does
	// not exist.
	DimensionLookupFailed Code = 3003
)

// Loading codes (4000–4999): the warehouse refused or could not take the
// data.
const (
	// ConnectionFailed: the warehouse cannot be reached, opened or written
	// (a lost connection, a full disk or database, a server error that is
	// not about the data).
	ConnectionFailed Code = 4001
	// BatchDuplicate: the batch (same study, same bytes) is already loaded;
	// reported at INFO, nothing is written twice.
	BatchDuplicate Code = 4002
	// ForeignKeyViolation: the warehouse rejected a row for a missing parent.
	ForeignKeyViolation Code = 4003
	// ConstraintViolation: the warehouse rejected a row for another
	// constraint, or a call it cannot take (a Batch used after its Commit
	// or Abort).
	ConstraintViolation Code = 4004
	// WarehouseBusy: another process has the warehouse open or locked (a
	// load, a query, …).
	WarehouseBusy Code = 4005
	// SchemaVersion: the warehouse schema is newer than this genexp, or a
	// migration failed.
	SchemaVersion Code = 4006
	// TimedOut: the run took longer than processing.timeout_seconds; what
	// it had not committed was rolled back. The process log records the
	// steps it stopped as FAILED with this code and the reason "timed out".
	TimedOut Code = 4007
)

// Analytics codes (5000–5999).
const (
	// ViewCreationFailed: an analytics view could not be created.
	ViewCreationFailed Code = 5001
	// MaterializationFailed: an analytics table could not be materialized.
	MaterializationFailed Code = 5002
)

// Query codes (6000–6999): a statement given to `genexp query`.
const (
	// QueryRefused: the warehouse could not run the SQL statement (a syntax
	// error, an unknown table or column, a write to the read-only
	// warehouse, a failure while running it), or its result cannot be
	// written as asked (a value that is the --null marker, a tab in a tsv
	// field). The fix is in the statement or the command line, not in the
	// input or the warehouse.
	QueryRefused Code = 6001
)

var codeNames = map[Code]string{
	FileNotFound:                "EXTRACTION_FILE_NOT_FOUND",
	InvalidFormat:               "EXTRACTION_INVALID_FORMAT",
	EncodingError:               "EXTRACTION_ENCODING_ERROR",
	ParseError:                  "EXTRACTION_PARSE_ERROR",
	ConfigInvalid:               "EXTRACTION_CONFIG_INVALID",
	SampleMismatch:              "VALIDATION_SAMPLE_MISMATCH",
	GeneCountLow:                "VALIDATION_GENE_COUNT_LOW",
	NullPercentageHigh:          "VALIDATION_NULL_PERCENTAGE_HIGH",
	DuplicateSamples:            "VALIDATION_DUPLICATE_SAMPLES",
	DuplicateGenes:              "VALIDATION_DUPLICATE_GENES",
	SampleCountLow:              "VALIDATION_SAMPLE_COUNT_LOW",
	DistributionShift:           "VALIDATION_DISTRIBUTION_SHIFT",
	NegativeAbundance:           "VALIDATION_NEGATIVE_ABUNDANCE",
	IllnessInferenceFailed:      "TRANSFORMATION_ILLNESS_INFERENCE_FAILED",
	PlatformNormalizationFailed: "TRANSFORMATION_PLATFORM_NORMALIZATION_FAILED",
	DimensionLookupFailed:       "TRANSFORMATION_DIMENSION_LOOKUP_FAILED",
	ConnectionFailed:            "LOAD_CONNECTION_FAILED",
	BatchDuplicate:              "LOAD_BATCH_DUPLICATE",
	ForeignKeyViolation:         "LOAD_FOREIGN_KEY_VIOLATION",
	ConstraintViolation:         "LOAD_CONSTRAINT_VIOLATION",
	WarehouseBusy:               "LOAD_WAREHOUSE_BUSY",
	SchemaVersion:               "LOAD_SCHEMA_VERSION",
	TimedOut:                    "LOAD_TIMED_OUT",
	ViewCreationFailed:          "ANALYTICS_VIEW_CREATION_FAILED",
	MaterializationFailed:       "ANALYTICS_MATERIALIZATION_FAILED",
	QueryRefused:                "QUERY_REFUSED",
}

// Name returns the code's symbolic name, such as "EXTRACTION_PARSE_ERROR".
func (c Code) Name() string {
	if n, ok := codeNames[c]; ok {
		return n
	}
	return fmt.Sprintf("CODE_%d", int(c))
}

// Error makes a Code usable as an errors.Is target.
func (c Code) Error() string { return fmt.Sprintf("%d %s", int(c), c.Name()) }

// ParseCode reads a code by number ("2006") or name
// ("VALIDATION_SAMPLE_COUNT_LOW", case-insensitive).
func ParseCode(s string) (Code, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil {
		_, ok := codeNames[Code(n)]
		return Code(n), ok
	}
	for c, name := range codeNames {
		if strings.EqualFold(name, s) {
			return c, true
		}
	}
	return 0, false
}

// Codes lists every code genexp defines, in numeric order.
func Codes() []Code {
	return []Code{
		FileNotFound, InvalidFormat, EncodingError, ParseError, ConfigInvalid,
		SampleMismatch, GeneCountLow, NullPercentageHigh, DuplicateSamples, DuplicateGenes,
		SampleCountLow, DistributionShift, NegativeAbundance,
		IllnessInferenceFailed, PlatformNormalizationFailed, DimensionLookupFailed,
		ConnectionFailed, BatchDuplicate, ForeignKeyViolation, ConstraintViolation,
		WarehouseBusy, SchemaVersion, TimedOut,
		ViewCreationFailed, MaterializationFailed,
		QueryRefused,
	}
}

var codeSummaries = map[Code]string{
	FileNotFound:                "a file or folder was not found or cannot be read",
	InvalidFormat:               "a file is not laid out as a refine.bio download or an expression matrix should be",
	EncodingError:               "the file holds text genexp cannot store (not UTF-8, or a control character)",
	ParseError:                  "a value in the file could not be read",
	ConfigInvalid:               "the configuration is invalid",
	SampleMismatch:              "the matrix columns and the sample metadata do not match",
	GeneCountLow:                "some samples have too few measured genes",
	NullPercentageHigh:          "too many expression values are missing",
	DuplicateSamples:            "a sample is listed more than once",
	DuplicateGenes:              "a gene appears on more than one matrix row",
	SampleCountLow:              "the study has too few samples",
	DistributionShift:           "a sample's values are distributed unlike the rest of its study",
	NegativeAbundance:           "an RNA-seq study holds values below zero",
	IllnessInferenceFailed:      "the illness rules could not be applied",
	PlatformNormalizationFailed: "a platform could not be normalized",
	DimensionLookupFailed:       "a study, sample or gene is missing from the warehouse",
	ConnectionFailed:            "the warehouse could not be reached or written",
	BatchDuplicate:              "this data is already loaded",
	ForeignKeyViolation:         "the warehouse refused rows that refer to something missing",
	ConstraintViolation:         "the warehouse refused the data",
	WarehouseBusy:               "another process has the warehouse open (a load, a query, …); try again when it ends",
	SchemaVersion:               "the warehouse schema does not match this genexp",
	TimedOut:                    "the run took longer than processing.timeout_seconds allows",
	ViewCreationFailed:          "an analytics view could not be created",
	MaterializationFailed:       "an analytics table could not be built",
	QueryRefused:                "the warehouse could not run the SQL statement",
}

// Summary returns what the code means, in one short phrase a researcher
// understands ("too many expression values are missing").
func (c Code) Summary() string {
	if s, ok := codeSummaries[c]; ok {
		return s
	}
	return "unexpected failure"
}
