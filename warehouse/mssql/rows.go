package mssql

import (
	"math"
	"time"
	"unicode/utf16"

	mssqldrv "github.com/microsoft/go-mssqldb"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// The bulk copy rows, one function per staging table, each returning its
// values in the order of the table's copySpec. The Go types are the ones
// go-mssqldb's bulk copy encodes for the column's SQL type: int32 or int64
// for INT and BIGINT, float64 for FLOAT, string for NVARCHAR, bool for BIT,
// time.Time (UTC) for DATETIME2, and nil for NULL (see TestRowTypes).

// maxColumn is the largest matrix column index staging.matrix_columns holds
// (an INT).
const maxColumn = math.MaxInt32

func columnRow(loadKey int64, c warehouse.Column) ([]any, error) {
	if c.Index < 0 || c.Index > maxColumn {
		return nil, qc.Errorf(qc.ConstraintViolation, "mssql: matrix column %d is out of range", c.Index)
	}
	return []any{loadKey, int32(c.Index), c.Sample, c.Study}, nil
}

// geneRow fills row (len 3) with one gene line; the caller reuses row, as
// every gene of a copy is read twice (the width check, then the copy).
func geneRow(row []any, loadKey, line int64, gene string) []any {
	row[0], row[1], row[2] = loadKey, line, gene
	return row
}

// valueRow fills row (len 4) with one cell; a NaN (a missing cell kept by
// the missing-value policy) becomes NULL. The caller reuses row.
func valueRow(row []any, loadKey, line int64, column int32, v float64) {
	row[0], row[1], row[2] = loadKey, line, column
	if math.IsNaN(v) {
		row[3] = nil
	} else {
		row[3] = v
	}
}

func platformRow(loadKey int64, ordinal int32, p warehouse.Platform) []any {
	return []any{loadKey, ordinal, p.Accession, null(p.Name), null(p.Manufacturer), null(p.Technology)}
}

func studyRow(loadKey int64, ordinal int32, s warehouse.Study) []any {
	return []any{loadKey, ordinal, s.Accession, null(s.Title), null(s.PubmedID), null(s.Technology), null(s.Organism),
		null(s.PlatformSummary), null(s.Description), utcPtr(s.FirstPublished), utcPtr(s.LastModified), s.KeepRecorded}
}

func sampleRow(loadKey int64, ordinal int32, s warehouse.Sample) []any {
	return []any{loadKey, ordinal, s.Accession, null(s.Title), null(s.Organism), null(s.Platform), null(s.Treatment),
		null(s.CellLine), null(s.Tissue), boolPtr(s.Processed), null(s.ProcessorName), null(s.ProcessorVersion),
		null(s.Illness), null(s.IllnessMethod), null(s.IllnessRule), null(s.IllnessField), null(s.IllnessMatched),
		null(s.Study), s.ExcludeAnalysis, s.KeepAttributes, s.KeepIllness, null(s.IllnessEvidence)}
}

func batchRow(loadKey int64, s warehouse.StudyCommit, file, hash, signature string) []any {
	return []any{loadKey, s.Study, s.BatchID, null(file), null(hash), signature}
}

// batchQCArgs are stmtUpsertBatchQC's parameters for one validation of a
// batch. The rows the KS check read and whether they were sampled go
// together or not at all: the count alone does not say whether the
// figures are scipy's on the whole matrix (and ck_meta_batch_qc_ks_rows
// refuses half of it).
func batchQCArgs(runID, study, batchID, status string, q warehouse.StudyQC) []any {
	var rowsUsed, sampled any
	if q.KSRowsUsed != nil && q.KSSampled != nil {
		rowsUsed, sampled = *q.KSRowsUsed, *q.KSSampled
	}
	return []any{study, batchID, status, null(runID), floatPtr(q.KSStatistic), floatPtr(q.KSPValue), null(clip(q.KSWarning, ksWarningWidth)),
		boolPtr(q.QuantileNormalized), boolPtr(q.QuantSFOnly), floatPtr(q.KSStatisticRecomputed),
		floatPtr(q.KSPValueRecomputed), null(q.KSWorstSample), q.Genes, q.Samples, q.Cells, q.MissingCells,
		q.DuplicateGenes, rowsUsed, sampled}
}

// qcArgs are stmtUpsertStudyQC's parameters for one study.
func qcArgs(s warehouse.StudyCommit) []any {
	q := s.QC
	return []any{s.Study, s.BatchID, floatPtr(q.KSStatistic), floatPtr(q.KSPValue), null(clip(q.KSWarning, ksWarningWidth)),
		boolPtr(q.QuantileNormalized), boolPtr(q.QuantSFOnly), floatPtr(q.KSStatisticRecomputed),
		floatPtr(q.KSPValueRecomputed), null(q.KSWorstSample), q.Genes, q.Samples, q.Cells, q.MissingCells,
		q.DuplicateGenes}
}

// findingArgs are one finding's values, in findingColumns order. A
// finding's own Study wins over study.
func findingArgs(runID, batchID, study string, f *qc.Error) []any {
	st := f.Study
	if st == "" {
		st = study
	}
	details := f.Details()
	return []any{null(runID), null(batchID), null(clip(st, logStudyWidth)), int32(f.Code), f.Code.Name(), f.Severity.String(), text(details),
		text(clip(f.File, logFileWidth)), nonZero(f.Line), nonZero(f.Column)}
}

// logArgs are stmtLogStep's parameters.
func logArgs(s warehouse.StepRecord) []any {
	attempt := s.Attempt
	if attempt == 0 {
		attempt = 1
	}
	var code any
	if s.ErrorCode != nil {
		code = int32(*s.ErrorCode)
	}
	return []any{s.LogID, s.RunID, null(s.BatchID), null(clip(s.Study, logStudyWidth)), s.Step, s.Status, int32(attempt),
		s.StartedAt.UTC(), utcPtr(s.EndedAt), int64Ptr(s.RowsRead), int64Ptr(s.RowsWritten), code,
		text(s.ErrorMessage), text(s.Context)}
}

// The widths of the log tables' study_accession_code and file_name
// columns, and of the QC tables' ks_warning, in UTF-16 code units as
// NVARCHAR counts (TestLogWidths holds them to the schema). refine.bio's
// ks_warning is free text of any length: a longer one is clipped, since
// SQL Server refuses to truncate it (Msg 2628) and the commit would fail
// on every attempt.
const (
	logStudyWidth  = expression.MaxStudyLength
	logFileWidth   = 1000
	ksWarningWidth = 1000
)

// clip cuts s to at most width UTF-16 code units, ending a cut value with
// "…". The log tables record what failed, including a study or file whose
// name is too long for the warehouse (the pipeline refuses to load those):
// a record cut short is better than a record SQL Server refuses.
func clip(s string, width int) string {
	if len(s) <= width || utf16Len(s) <= width {
		return s // len(s) bytes are at least as many code units
	}
	units := 0
	for i, r := range s {
		// An invalid byte travels as U+FFFD; one unit is kept for "…".
		units += max(utf16.RuneLen(r), 1)
		if units > width-1 {
			return s[:i] + "…"
		}
	}
	return s
}

// utf16Len counts s in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += max(utf16.RuneLen(r), 1)
	}
	return n
}

// null turns "" into SQL NULL.
func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// text is a free-text parameter (a message, a context's JSON, a file
// name): NULL when empty, else sent as nvarchar(max). go-mssqldb declares
// a plain string parameter as nvarchar of its own length, so a statement
// given text of every length would be compiled and cached once per
// length; nvarchar(max) gives it one plan. Keys and other short values
// keep their sized declaration, which an index seek compares best.
func text(s string) any {
	if s == "" {
		return nil
	}
	return mssqldrv.NVarCharMax(s)
}

func utcPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

func boolPtr(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

// floatPtr is a QC figure as a parameter: NULL when absent, and when it is
// a value SQL Server's float cannot hold (NaN, an infinity, a subnormal),
// which the server would refuse with the whole statement (error 8023).
func floatPtr(f *float64) any {
	if f == nil || math.IsNaN(*f) || math.IsInf(*f, 0) || *f != 0 && math.Abs(*f) < minNormalFloat {
		return nil
	}
	return *f
}

func int64Ptr(n *int64) any {
	if n == nil {
		return nil
	}
	return *n
}

// nonZero turns 0 (no line, no column) into SQL NULL.
func nonZero(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}
