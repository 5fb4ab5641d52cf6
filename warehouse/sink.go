package warehouse

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/qc"
)

// WarehouseSink is a warehouse genexp can load. LogStep and RecordFindings
// may be called while a Batch is open. A genexp.Pipeline is safe for
// concurrent use, and its concurrent Loads call its sink concurrently (Begin,
// LogStep, RecordFindings, and the optional interfaces); a sink given to a
// Pipeline that loads concurrently must be safe for concurrent use, as the
// DuckDB and SQL Server warehouses are.
type WarehouseSink interface {
	// Begin starts loading one matrix file. Nothing the Batch writes is
	// visible to readers until Commit.
	Begin(ctx context.Context, req BeginRequest) (Batch, error)
	// LogStep records one pipeline step in meta_etl_process_log. It writes
	// outside any Batch, so a step's failure is recorded even when its
	// batch rolls back.
	LogStep(ctx context.Context, step StepRecord) error
	// RecordFindings appends validation findings to meta_data_validation_log
	// outside any Batch (for studies rejected before or during loading).
	RecordFindings(ctx context.Context, req FindingsRequest) error
	// Close releases the warehouse.
	Close() error
}

// ErrInvalidated is in the chain of a sink's errors once the warehouse can
// take nothing more in this process (DuckDB invalidates a database after a
// fatal error, such as a checkpoint that found the disk full): a run that
// meets it stops instead of failing every study left.
var ErrInvalidated = errors.New("the warehouse was invalidated by an earlier fatal error; fix its cause and rerun")

// ErrDamaged is in the chain of a sink's errors when the warehouse's
// storage is damaged (DuckDB found a block of its file whose checksum does
// not match): nothing can be read from or written to it until it is
// restored or rebuilt, so a run that meets it stops, as for
// ErrInvalidated.
var ErrDamaged = errors.New("the warehouse file is damaged")

// Batch is one matrix file being loaded. Exactly one of Commit or Abort
// ends it; Abort after Commit is a no-op, so `defer b.Abort(ctx)` is safe.
// Once it has ended, UpsertDimensions, WriteRows and Commit fail.
//
// What the contract suite (warehouse/warehousetest) holds every backend
// to, beyond the method docs: a Commit whose context is done fails and
// writes nothing; a column whose sample DimensionsRequest lists only
// under another study fails Commit with qc.DimensionLookupFailed naming
// the sample; and a duplicate is told from a replacement by
// LoadSignature(study, the study's columns in BeginRequest, its rows
// written), which the backend computes and keeps with each study's
// current batch.
type Batch interface {
	// UpsertDimensions inserts or updates (SCD1) the studies, platforms and
	// samples the file's columns refer to, at Commit. It may be called at
	// any time before Commit, and Commit applies every row it was given:
	// a caller that commits only some of a file's studies gives only
	// theirs (the pipeline calls it after validation, with the studies it
	// commits, so that a rejected study changes no dimension row).
	UpsertDimensions(ctx context.Context, req DimensionsRequest) error
	// WriteRows stages one batch of long rows. The rows' Column values are
	// matrix columns described in BeginRequest.Columns; a row in another
	// column fails the batch (here or at Commit), it is never dropped.
	// req.Rows is the caller's to reuse once WriteRows returns.
	WriteRows(ctx context.Context, req RowsRequest) error
	// Commit publishes the staged rows as the facts of each study in req,
	// replacing the study's previous facts, unless the study's batch id is
	// already its current one and the current batch was loaded with the
	// same LoadSignature (a duplicate: nothing is written twice). The same
	// content loaded with other columns, or another missing-value policy,
	// holds other facts: it replaces them, and the batch id stays. Commit
	// is all or nothing: an error (a study in req without columns in
	// BeginRequest included) leaves the warehouse as it was.
	Commit(ctx context.Context, req CommitRequest) (CommitResult, error)
	// Abort discards everything the batch wrote.
	Abort(ctx context.Context) error
}

// BeginRequest describes the file a Batch loads.
type BeginRequest struct {
	// RunID identifies the pipeline run (one `genexp load`).
	RunID string
	// FileName names the matrix as the user knows it, in messages.
	FileName string
	// SourcePath is where the matrix's bytes came from, as
	// meta_batch.file_name records it (genexp's Pipeline gives FileName
	// made absolute: "/data/x.zip!GSE1/GSE1.tsv"; matrices loaded as one
	// batch joined by " + "); "" records FileName.
	SourcePath string
	// Columns describes the matrix columns the rows will refer to.
	Columns []Column
}

// Column is one matrix column that is loaded, under one study. A column
// whose sample several studies hold (a SPECIES or ALL matrix holds each
// sample once, and its metadata lists the sample under every experiment
// that holds it) is listed once per study: its cells are facts of each,
// counted in each study's rows, and DimensionsRequest lists the sample once
// per study. A study holds a sample in one column: two columns of one
// sample in one study, or a column listed twice for one study, fail the
// batch with code ConstraintViolation (in Begin or at Commit).
type Column struct {
	// Index is the 0-based sample column in the matrix (the value of
	// expression.LongBatch.Column).
	Index int
	// Sample is the sample accession the column holds.
	Sample string
	// Study is the accession of the study the column's facts belong to.
	Study string
}

// DimensionsRequest carries dimension members to upsert.
type DimensionsRequest struct {
	Studies   []Study
	Platforms []Platform
	Samples   []Sample
}

// Study is a dim_study row.
type Study struct {
	Accession       string
	Title           string
	PubmedID        string
	Technology      string
	Organism        string
	PlatformSummary string
	Description     string
	FirstPublished  *time.Time
	LastModified    *time.Time
	// KeepRecorded is set when the load holds no metadata record of the
	// study (its matrix came without aggregated_metadata.json or a
	// sample sheet naming it), so that the fields above are blank for
	// want of knowing, not because the study has none: a sink that
	// already holds the study keeps its row as it is; one that does not
	// inserts it with the fields given.
	KeepRecorded bool
}

// Platform is a dim_platform row.
type Platform struct {
	Accession    string
	Name         string
	Manufacturer string
	Technology   string
}

// Sample is a dim_sample row, with the illness label its study (Study)
// gave it and the reason. A sample may belong to several studies, each
// with its own label: the label and reason are stored per study, in
// dim_study_sample.
type Sample struct {
	Accession        string
	Title            string
	Organism         string
	Platform         string // platform accession; "" for none
	Study            string // study accession
	Treatment        string
	CellLine         string
	Tissue           string
	Processed        *bool
	ProcessorName    string
	ProcessorVersion string
	// Illness is the label (CONTROL, NO_SEPSIS, SEPSIS, SEPTIC_SHOCK,
	// UNKNOWN); IllnessMethod, IllnessRule, IllnessField and IllnessMatched
	// say how it was decided, and IllnessEvidence, when the decision rests
	// on more than the matched text (the study's text, another sample's
	// decision), what it rested on (see illness.Decision).
	Illness         string
	IllnessMethod   string
	IllnessRule     string
	IllnessField    string
	IllnessMatched  string
	IllnessEvidence string
	// ExcludeAnalysis is set when the configuration keeps the sample out
	// of analysis (processing.exclude_samples): its facts load, and the
	// views and the features leave it out.
	ExcludeAnalysis bool
	// KeepAttributes is set when the load holds no metadata record of the
	// sample: a sink that already holds the sample keeps its dim_sample
	// row as it is (its attributes and the columns of its latest load);
	// one that does not inserts it with the fields given.
	KeepAttributes bool
	// KeepIllness is set when, besides, nothing decided the sample's
	// label (it is UNKNOWN for want of metadata, and no override names
	// it): a sink that already holds the sample in Study keeps the label
	// and reason recorded there (dim_study_sample), unless an override set
	// it (illness method "override"): no override names the sample now,
	// and the label given (UNKNOWN, by default) replaces it; a new
	// membership is inserted with the label given. An override is a
	// decision: it replaces the recorded label even when KeepAttributes is
	// set.
	KeepIllness bool
}

// RowsRequest carries one batch of long rows. Rows is valid only during
// the WriteRows call: the pipeline reuses it for the next batch, so a sink
// that keeps rows until Commit copies them.
type RowsRequest struct {
	Rows *expression.LongBatch
}

// CommitRequest finishes a Batch.
type CommitRequest struct {
	// FileHash is the lowercase hex SHA-256 of the matrix's text: of the
	// decompressed bytes of a .tsv.gz or a zip entry, so a matrix has one
	// hash however it was packed (sha256sum of a .tsv.gz differs). Of
	// matrices loaded as one batch (a study split between a SPECIES
	// download's organism matrices), genexp's Pipeline gives the SHA-256
	// of their hashes, each in hex followed by a newline.
	FileHash string
	// ScaleBy is how refine.bio scaled the matrix's values, as its
	// metadata's scale_by says (NONE, MINMAX, STANDARD or ROBUST; "" when
	// it does not say). It is recorded with each study's batch
	// (meta_batch.scale_by, NULL for "").
	ScaleBy string
	// Studies lists each study the file holds, with its batch id and QC.
	Studies []StudyCommit
}

// StudyCommit is one study's part of a commit.
type StudyCommit struct {
	Study string
	// BatchID is the study's content identity (see genexp.BatchID).
	BatchID string
	// RowsRead is the number of the study's matrix cells in the gene rows
	// extracted (genes × its samples), missing ones included; a repeated
	// gene's dropped row is not counted.
	RowsRead int64
	// QC is the study's quality record: its row of meta_study_qc and its
	// batch's LOADED row of meta_batch_qc.
	QC StudyQC
	// Findings are validation findings to record with the batch.
	Findings []*qc.Error
}

// StudyQC is the QC of one validation of a study's batch: a row of
// meta_batch_qc, and of meta_study_qc for the batch a study holds.
type StudyQC struct {
	// From the metadata (refine.bio's own check).
	KSStatistic *float64
	KSPValue    *float64
	// KSWarning is refine.bio's ks_warning text, "" when it gave none.
	KSWarning          string
	QuantileNormalized *bool
	QuantSFOnly        *bool
	// Recomputed from the matrix: the worst sample against the pooled
	// distribution.
	KSStatisticRecomputed *float64
	KSPValueRecomputed    *float64
	KSWorstSample         string
	// KSRowsUsed is the number of matrix rows the recomputed check read,
	// and KSSampled whether they were a sample of the matrix's rows rather
	// than all of them (the figures are then not scipy's on the whole
	// matrix); both nil when the check did not run. Sinks record them
	// together or not at all.
	KSRowsUsed *int64
	KSSampled  *bool
	// Counts.
	Genes          int64
	Samples        int64
	Cells          int64
	MissingCells   int64
	DuplicateGenes int64
}

// LoadSignature identifies which fact rows a load of one study holds,
// beside its content (the batch id): the study's matrix columns and the
// samples they hold, sorted by column, and the number of rows staged for it
// (the missing-value policy decides whether a missing cell is a row). Two
// loads of the same content differ in their facts exactly when their
// signatures differ: a sample the metadata did not describe the first time,
// or missing cells kept as NULL after being skipped. The time of the load
// is no part of it. Sinks record it with the batch and compare it at
// Commit.
func LoadSignature(study string, cols []Column, rows int64) string {
	var own []Column
	for _, c := range cols {
		if c.Study == study {
			own = append(own, c)
		}
	}
	slices.SortFunc(own, func(a, b Column) int { return a.Index - b.Index })
	var sb strings.Builder
	fmt.Fprintf(&sb, "study\t%s\n", study)
	for _, c := range own {
		fmt.Fprintf(&sb, "%d\t%s\n", c.Index, c.Sample)
	}
	fmt.Fprintf(&sb, "rows\t%d\n", rows)
	sum := sha256.Sum256([]byte(sb.String()))
	return hex.EncodeToString(sum[:])
}

// MaxColumns bounds a matrix column index: every backend takes a column
// whose index is below it (16,777,216 columns; no expression matrix comes
// near), and may refuse one that is not.
const MaxColumns = 1 << 24

// CheckColumns reports the first column of a BeginRequest that no batch can
// load: an index below 0 (or, when limit is positive, not below limit), a
// column without a sample or a study, a matrix column described twice for
// one study, or one study's sample in two columns (two facts of one study,
// sample and gene). The error is a ConstraintViolation *qc.Error; a backend
// may refuse more.
func CheckColumns(cols []Column, limit int) error {
	type member struct{ study, sample string }
	type place struct {
		study string
		index int
	}
	columnOf := make(map[member]int, len(cols))
	described := make(map[place]bool, len(cols))
	for _, c := range cols {
		if c.Index < 0 || limit > 0 && c.Index >= limit || c.Sample == "" || c.Study == "" {
			bound := "of 0 or more"
			if limit > 0 {
				bound = fmt.Sprintf("in [0, %d)", limit)
			}
			return qc.Errorf(qc.ConstraintViolation, "column %d (%q of study %q) needs an index %s, a sample and a study", c.Index, c.Sample, c.Study, bound)
		}
		if described[place{c.Study, c.Index}] {
			return qc.Errorf(qc.ConstraintViolation, "matrix column %d is described twice for study %s", c.Index, c.Study)
		}
		described[place{c.Study, c.Index}] = true
		if first, ok := columnOf[member{c.Study, c.Sample}]; ok {
			return qc.Errorf(qc.ConstraintViolation, "sample %s of study %s is in matrix columns %d and %d; facts must be unique by study, sample and gene",
				c.Sample, c.Study, first, c.Index)
		}
		columnOf[member{c.Study, c.Sample}] = c.Index
	}
	return nil
}

// CheckSamples reports what makes samples ones no warehouse can hold: a
// sample without an accession or a study, or an illness label known says
// is none of dim_illness's (every unknown one named, in order). The error
// is a ConstraintViolation *qc.Error.
func CheckSamples(samples []Sample, known func(label string) bool) error {
	var unknown []string
	for _, s := range samples {
		if s.Accession == "" || s.Study == "" {
			return qc.Errorf(qc.ConstraintViolation, "sample %q of study %q needs an accession and a study", s.Accession, s.Study)
		}
		if s.Illness != "" && !known(s.Illness) && !slices.Contains(unknown, s.Illness) {
			unknown = append(unknown, s.Illness)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return UnknownIllness(strings.Join(unknown, ", "))
	}
	return nil
}

// UnknownIllness is the ConstraintViolation of illness labels (labels,
// listed) that are none of dim_illness's.
func UnknownIllness(labels string) error {
	return qc.Errorf(qc.ConstraintViolation, "unknown illness label(s) %s; dim_illness holds CONTROL, NO_SEPSIS, SEPSIS, SEPTIC_SHOCK and UNKNOWN", labels)
}

// CheckCommit reports what makes a CommitRequest one no batch can commit:
// no file hash, a study without a batch id, a study named twice, or one
// the batch has no columns for (has says which it has): its facts would be
// empty or ambiguous. file names the batch's matrix in the message. The
// error is a ConstraintViolation *qc.Error; a backend may refuse more.
func CheckCommit(req CommitRequest, file string, has func(study string) bool) error {
	if req.FileHash == "" {
		return qc.Errorf(qc.ConstraintViolation, "commit of %s has no file hash", file)
	}
	seen := make(map[string]bool, len(req.Studies))
	for _, s := range req.Studies {
		switch {
		case s.BatchID == "":
			return qc.Errorf(qc.ConstraintViolation, "study %s is committed without a batch id", s.Study)
		case seen[s.Study]:
			return qc.Errorf(qc.ConstraintViolation, "study %s is committed twice in one batch", s.Study)
		case !has(s.Study):
			return qc.Errorf(qc.ConstraintViolation, "study %s has no columns in %s; nothing to commit for it", s.Study, file)
		}
		seen[s.Study] = true
	}
	return nil
}

// Outcome is what a commit did to a study.
type Outcome string

// Outcomes.
const (
	Inserted  Outcome = "new"       // the study had no facts
	Replaced  Outcome = "replaced"  // the study's previous facts were replaced
	Duplicate Outcome = "duplicate" // the batch was already loaded, with the same signature; nothing written
)

// CommitResult reports a commit per study: one StudyResult, with an
// Outcome, for each study of the CommitRequest, and none for another (the
// pipeline fails the matrix's load with code 4004 otherwise).
type CommitResult struct {
	Studies []StudyResult
}

// StudyResult is one study's commit outcome.
type StudyResult struct {
	Study   string
	BatchID string
	// Outcome says whether the batch was new to the study, a duplicate of
	// the batch it holds, or replaced another.
	Outcome Outcome
	// PreviousBatchID is the batch the study held before the commit: ""
	// for a study new to the warehouse, BatchID itself for a duplicate or
	// a reload of the same content.
	PreviousBatchID string
	// RowsWritten is the number of fact rows the commit wrote (0 for a
	// duplicate). The pipeline reports it as the study's rows and logs it
	// as the load step's rows_written: a sink counts it itself, per study
	// (a matrix's rows may be several studies').
	RowsWritten int64
}

// StepRecord is one row of meta_etl_process_log. A step is logged when it
// starts (Status "RUNNING") and again when it ends; the second call updates
// the first (matched by LogID).
type StepRecord struct {
	// LogID is the row's key, chosen by the caller (genexp.NewID); a
	// second LogStep with the same LogID updates the row.
	LogID   string
	RunID   string
	BatchID string
	Study   string
	Step    string // extract, validate, transform, load, analytics
	Status  string // RUNNING, SUCCESS, FAILED, SKIPPED
	// Attempt numbers the runs that have tried the study since its last
	// successful load, this one included: 1 for a first try.
	Attempt   int
	StartedAt time.Time
	EndedAt   *time.Time
	// RowsRead and RowsWritten count the step's rows (the matrix cells,
	// or long rows, it read; the fact rows it wrote); nil for a step that
	// counts none.
	RowsRead    *int64
	RowsWritten *int64
	// ErrorCode is the qc.Code of a FAILED step's error; nil when it
	// succeeded or its error had no code.
	ErrorCode    *int
	ErrorMessage string
	// Context is a JSON object with step details; it must hold no secrets.
	Context string
}

// FindingsRequest records validation findings outside a batch.
type FindingsRequest struct {
	RunID    string
	BatchID  string
	Findings []*qc.Error
}

// Statuser is implemented by sinks that can describe what they hold (the
// CLI's `genexp status`). It is optional: find it by type assertion.
type Statuser interface {
	Status(ctx context.Context, req StatusRequest) (Status, error)
}

// StatusRequest selects what Status reports.
type StatusRequest struct {
	// Runs is how many recent process-log rows to return. Default 20.
	Runs int
}

// Status describes a warehouse's contents.
type Status struct {
	SchemaVersion int
	Studies       []StudyStatus
	Steps         []StepRecord
}

// StudyStatus is one study's current batch.
type StudyStatus struct {
	Study   string
	BatchID string
	// LoadSignature is the current batch's warehouse.LoadSignature, ""
	// for a batch loaded before signatures were recorded.
	LoadSignature string
	// Samples and Genes are the batch's matrix columns and rows as its
	// load counted them (StudyQC), Facts the values stored.
	Samples  int64
	Genes    int64
	Facts    int64
	LoadedAt time.Time
}

// StepsLogger is implemented by sinks that can record many rows of
// meta_etl_process_log at once, as LogStep would one after the other. A
// matrix of many studies (a SPECIES download) logs each step once per
// study, and written one by one each row costs the load a commit. It is
// optional: find it by type assertion; without it the rows go to LogStep.
type StepsLogger interface {
	// LogSteps records steps in order, each as LogStep would (a later
	// record with an earlier one's LogID updates its row), outside any
	// Batch, all or none.
	LogSteps(ctx context.Context, steps []StepRecord) error
}

// AttemptCounter is implemented by sinks that can number a study's load
// attempts (meta_etl_process_log.attempt). It is optional: find it by type
// assertion; without it every attempt is 1.
type AttemptCounter interface {
	// FailedAttempts returns how many runs other than req.RunID logged a
	// FAILED step, or a step left RUNNING since before req.KilledBefore (a
	// run that was killed), for the study since its last successful load
	// step. The pipeline logs attempt = 1 + that number, so the first try
	// after a success is 1 again.
	FailedAttempts(ctx context.Context, req AttemptsRequest) (int, error)
}

// AttemptsRequest selects the study whose attempts FailedAttempts counts.
type AttemptsRequest struct {
	Study string
	// RunID is the current run, whose own rows are not counted.
	RunID string
	// KilledBefore: a step still RUNNING that started before it belongs to
	// a run that was killed, and counts; one that started later may belong
	// to a run still going, and does not. Zero counts no RUNNING step.
	KilledBefore time.Time
}

// HealthChecker is implemented by sinks that can report on their own
// operation (the CLI's `genexp health`). It is optional: find it by type
// assertion.
type HealthChecker interface {
	Health(ctx context.Context, req HealthRequest) (Health, error)
}

// HealthRequest selects what Health reports.
type HealthRequest struct {
	// Since starts the window in which failures are counted.
	Since time.Time
	// Runs is how many recent runs to summarize. Default 5.
	Runs int
	// Features asks for the features check (Health.StaleFeatures), which
	// reads every study's facts once: genexp health and init ask for it,
	// status and the dry run do not. TopGenes, when above 0, is the number
	// of top genes the configuration computes the gene pairs over: features
	// computed with another are stale, as FeaturesRequest.IfStale finds.
	Features bool
	TopGenes int
}

// Health is what a warehouse says about its own operation.
type Health struct {
	// SchemaVersion is the warehouse's schema version (0: no schema) and
	// ExpectedSchemaVersion the one this genexp writes.
	SchemaVersion         int `json:"schema_version"`
	ExpectedSchemaVersion int `json:"expected_schema_version"`
	// SchemaMismatch says why the schema, at a version this genexp knows,
	// is not the one its migrations make (a version applied from another
	// text of its migration file: code 4006, which loads are refused
	// with), or, with no schema (SchemaVersion 0) or an older one, why the
	// migrations cannot make it (a database holding a table, view or
	// sequence of other data named as one of genexp's migrations create,
	// which they refuse before changing anything); "" when it is, or when
	// the warehouse cannot tell.
	SchemaMismatch string `json:"schema_mismatch,omitempty"`
	// FailedSteps counts process-log steps FAILED since the request's
	// Since, and FailedRuns the runs they belong to.
	FailedSteps int `json:"failed_steps"`
	FailedRuns  int `json:"failed_runs"`
	// ResolvedFailedSteps counts those of FailedSteps that a later
	// successful step of the same study has made good: the same step
	// succeeding, or the study's load (whose success means its extract,
	// transform and validate succeeded too), of whichever batch, since a
	// success after the failure says the study loads again; a failed
	// analytics step also by a later one SKIPPED with reason
	// ReasonFeaturesCurrent (the study's features describe its current
	// batch: a features run stopped after they were computed kept them). A Ctrl-C or a bad file of a study
	// followed by a good rerun leaves none unresolved; a failure logged
	// under no study (an input whose name is no accession) is never made
	// good, and counts until it leaves the window.
	ResolvedFailedSteps int `json:"resolved_failed_steps"`
	// OpenFailures are the most recent of the failed steps not made good
	// (at most MaxOpenFailures, newest first): what to look at.
	OpenFailures []FailedStep `json:"open_failures,omitempty"`
	// Runs are the most recent runs, newest first.
	Runs []RunSummary `json:"runs"`
	// FeaturesChecked is set when the features below were checked: only
	// when the request asked, at this genexp's schema version, with no
	// SchemaMismatch. FeaturesError says why they could not be (a reader
	// not granted the tables the check reads, say); the rest of the
	// report stands.
	FeaturesChecked bool   `json:"features_checked"`
	FeaturesError   string `json:"features_error,omitempty"`
	// StaleFeatures counts the loaded studies whose features
	// (fact_feature_values) no longer describe what they are computed
	// from: the study's current batch and its rows, its samples' labels
	// and exclusions (a duplicate load that relabelled samples with
	// analytics.enabled off), or how they are computed (a migration that
	// changed it marks them stale). The views serve them as they were
	// computed until a load of the study, or genexp features --if-stale,
	// computes them again. StaleFeatureStudies names the first
	// MaxListedStudies of them, in accession order.
	StaleFeatures       int      `json:"stale_features"`
	StaleFeatureStudies []string `json:"stale_feature_studies,omitempty"`
	// StudiesWithoutFeatures counts the loaded studies that have no
	// features of their current batch, which is all the views serve:
	// loaded with analytics.enabled off (the features of a study's
	// replaced facts are no longer served), or stopped before their
	// analytics step.
	StudiesWithoutFeatures int `json:"studies_without_features"`
	// Path is the file holding the warehouse, "" when it is not a local
	// file (a server, or in memory).
	Path string `json:"path"`
	// NoWriter is set when the warehouse, as opened to report, excludes
	// every writer (a DuckDB file opened read-only: DuckDB lets no process
	// write it while another has it open), so a step still RUNNING belongs
	// to a process that ended without finishing it. It is unset where
	// writers run side by side (SQL Server): only a step's age then tells
	// a killed run from one still going.
	NoWriter bool `json:"no_writer"`
}

// StepAborter is implemented by sinks that can tell, when a run starts,
// which steps other runs left RUNNING have no process behind them: a
// DuckDB file has one writing process, the one starting the run, so every
// RUNNING step of a run it is not running was abandoned (killed, crashed,
// or unable to record how it ended). It is optional: find it by type
// assertion. Sinks that allow concurrent writers do not implement it.
type StepAborter interface {
	// AbortAbandonedSteps marks FAILED every RUNNING step of a run other
	// than req.RunID that no run of this process is going on with, with
	// req.Message as its error message and context_json reason "aborted",
	// and returns how many it marked. A load step whose batch the run
	// committed (killed after the commit, before logging the step) ends
	// SUCCESS instead, with reason "committed", and is not counted; a
	// duplicate's commit writes no batch, and its step is marked.
	AbortAbandonedSteps(ctx context.Context, req AbortRequest) (int64, error)
}

// RunEnder is implemented by sinks that keep, for StepAborter, the runs of
// this process that are going on. EndRun tells the sink that run runID
// logs no more steps, however it ended: a step it left RUNNING (its
// process went on after a panic in one of the run's components) is then
// abandoned, and the next run's AbortAbandonedSteps marks it. The pipeline
// calls it when a run ends. It is optional: find it by type assertion.
type RunEnder interface {
	EndRun(runID string)
}

// AbortRequest is what AbortAbandonedSteps marks, and how.
type AbortRequest struct {
	// RunID is the run starting; its steps are never marked.
	RunID string
	// Message is the marked steps' error message.
	Message string
}

// RunSummary is one run as the process log records it.
type RunSummary struct {
	RunID     string    `json:"run_id"`
	StartedAt time.Time `json:"started_at"`
	// EndedAt is the last step's end; nil while a step is still RUNNING.
	EndedAt *time.Time `json:"ended_at"`
	// Studies is the number of distinct studies the run's steps name.
	Studies int `json:"studies"`
	// Steps is the number of the run's process-log rows; Failed and
	// Running count those FAILED and those still RUNNING.
	Steps   int `json:"steps"`
	Failed  int `json:"failed"`
	Running int `json:"running"`
	// Stopped counts the run's SKIPPED rows whose context_json reason is
	// "interrupted" or "timed out": steps the run never began because its
	// context ended (an interrupt or signal, or processing.timeout_seconds),
	// those of the matrices it never reached and those left of the study it
	// was on. Other SKIPPED rows (after a failed step, a load validation
	// rejected, a dry run's load, a duplicate's current features) are not
	// counted.
	Stopped int `json:"stopped"`
	// StopReason is the reason a stopped run's rows give, "interrupted"
	// or "timed out": its SKIPPED rows, and the FAILED row of the step it
	// was in when it stopped (a run stopped inside its last step has no
	// SKIPPED row). "" for a run that was not stopped.
	StopReason string `json:"stop_reason,omitempty"`
	// Aborted counts the run's FAILED rows whose context_json reason is
	// "aborted": steps a later run found RUNNING and its process gone
	// (killed, or its machine down), which is how a killed run shows.
	Aborted int `json:"aborted"`
	// Load is set when the run read matrices (it has an extract step): a
	// genexp load, not genexp features, which runs the analytics step
	// alone.
	Load bool `json:"load"`
}

// FeatureMaterializer is implemented by sinks that compute a study's
// features inside the warehouse: the values fact_feature_values holds and
// meta_feature_catalog defines (cohort sizes, per-sample summaries, per-gene
// cohort statistics, sepsis-against-control differences, correlations of
// the most variable genes). It is optional: find it by type assertion.
type FeatureMaterializer interface {
	// MaterializeFeatures replaces the study's features with ones computed
	// from its current batch, in one transaction: readers see its previous
	// features or the new ones, never a mix, and an error leaves the
	// previous ones (and the facts) as they were. The new rows carry the
	// current batch id.
	MaterializeFeatures(ctx context.Context, req FeaturesRequest) (FeaturesResult, error)
}

// MaxOpenFailures is how many failed steps not made good
// Health.OpenFailures lists.
const MaxOpenFailures = 5

// MaxListedStudies is how many studies Health.StaleFeatureStudies names.
const MaxListedStudies = 10

// FailedStep is a failed step of the process log, as health lists it.
type FailedStep struct {
	RunID string `json:"run_id"`
	// Study is "" for a step logged under no study (an input whose name
	// is no accession); File names what it read, "" when not recorded.
	Study     string    `json:"study,omitempty"`
	Step      string    `json:"step"`
	File      string    `json:"file,omitempty"`
	ErrorCode int       `json:"error_code,omitempty"`
	StartedAt time.Time `json:"started_at"`
}

// ReasonFeaturesCurrent is the context_json reason of an analytics step
// SKIPPED because the study's features already describe its current batch
// (a duplicate load, or features --if-stale). Health reads it: such a step
// makes good a failed analytics step of the study before it.
const ReasonFeaturesCurrent = "the features of the current batch are already computed"

// DefaultTopGenes is the number of most variable genes whose pairs get a
// correlation when FeaturesRequest.TopGenes is 0: 100 genes, 4,950 pairs.
const DefaultTopGenes = 100

// FeaturesRequest selects the study whose features MaterializeFeatures
// computes.
type FeaturesRequest struct {
	// RunID identifies the run, for meta_feature_state.
	RunID string
	// Study is the study accession.
	Study string
	// TopGenes is N: every pair of the study's N most variable genes gets a
	// correlation, N(N−1)/2 pairs. 0 means DefaultTopGenes; 1 writes no
	// pairs.
	TopGenes int
	// IfStale skips the study (FeaturesResult.Skipped) when its features
	// were computed from its current batch with the same TopGenes and the
	// same input: the batch's load signature, the study's technology, and
	// each of its samples' illness label and exclusion from analysis.
	IfStale bool
}

// FeaturesResult is what MaterializeFeatures did.
type FeaturesResult struct {
	Study string
	// BatchID is the batch the features describe: the study's current one.
	BatchID string
	// Skipped is set when IfStale found the features current; nothing was
	// written.
	Skipped bool
	// Scale is the value scale the features were computed on (ScaleValue or
	// ScaleLog2; see FeatureScale).
	Scale string
	// Values is the number of expression values the features were computed
	// from; Rows the feature rows written and Removed the previous ones
	// deleted.
	Values, Rows, Removed int64
	// Features counts the rows written per feature name.
	Features map[string]int64
}

// Value scales of the features: the value y the expression features are
// computed on.
const (
	ScaleValue = "value"         // y = expression_value
	ScaleLog2  = "log2(value+1)" // y = log2(expression_value + 1)
)

// FeatureScale chooses the scale a study's features are computed on, from
// its technology (dim_study.study_technology) and the smallest and largest
// of its values. refine.bio's microarray values are normalized values
// centred near 0 (not intensities), already fit for means, t statistics
// and correlations; its
// RNA-seq values are count-scale abundances (not integer counts, and not
// TPM: a sample's values sum to tens of millions), heavy-tailed with many
// zeros, which log2(value + 1) makes comparable while keeping a zero a
// zero. So:
// ScaleLog2 for RNA-SEQ, and for a study of unknown or other technology
// whose largest value exceeds 100 (normalized or log-scale microarray
// values stay below about 20);
// ScaleValue otherwise, and always when a value is negative (the data are
// already on a transformed scale, such as z-scores, where log2(value + 1)
// is undefined).
func FeatureScale(technology string, min, max float64) string {
	switch {
	case min < 0:
		return ScaleValue
	case technology == "RNA-SEQ":
		return ScaleLog2
	case technology == "MICROARRAY":
		return ScaleValue
	case max > 100:
		return ScaleLog2
	}
	return ScaleValue
}

// GeneTypeControlProbe is dim_gene.gene_type of an Affymetrix control
// probe set: a matrix line whose id begins "AFFX-" (ControlProbe). Older
// refine.bio microarray downloads keep them beside the Ensembl genes
// (E-GEOD-39842: 115 of 9,341 lines): spike-ins (AFFX-BioB, -BioC, -BioDn,
// -CreX), polyA controls and 3'/5' probes of housekeeping genes, which
// measure the assay, not the sample's biology, and can be the most
// variable lines of a study (E-GEOD-39842's is AFFX-Dr-U43284-1_s, at 3.5
// times the variance of the next line). Backends set the type
// when they add the gene, and leave control probes out of the genes whose
// pairs are correlated (gene_pair_pearson_r); their other features stay.
const GeneTypeControlProbe = "control_probe"

// ControlProbe reports whether a matrix line's gene id names an Affymetrix
// control probe set ("AFFX-BioB-3_at", "affx-r2-ec-bioc-5_at"): it begins
// with "AFFX-", in any case.
func ControlProbe(geneID string) bool {
	return len(geneID) >= 5 && strings.EqualFold(geneID[:5], "AFFX-")
}

// Statuses of a meta_batch_qc row: the batch was loaded, or validation
// rejected it and nothing of it was written but its QC and findings. A
// batch can have a row of each.
const (
	QCLoaded   = "LOADED"
	QCRejected = "REJECTED"
)

// QCRecorder is implemented by sinks that can record the QC of a study
// validation rejected, outside any Batch: meta_batch_qc is keyed by study
// accession, batch id and status, not by dim_study, so the figures of
// exactly the failing studies are kept although no dimension or fact of
// theirs is, and rejecting the content a study holds leaves the LOADED row
// of its load as it was. It is optional: find it by type assertion.
type QCRecorder interface {
	RecordStudyQC(ctx context.Context, req StudyQCRequest) error
}

// StudyQCRequest is one study's QC to record outside a batch.
type StudyQCRequest struct {
	RunID   string
	Study   string
	BatchID string
	// Status is QCRejected (QCLoaded rows are written by Commit).
	Status string
	QC     StudyQC
}
