// Package qc is genexp's quality vocabulary: the coded errors every stage
// returns, the severities that decide whether a study loads, the validation
// thresholds a run is held to, and the statistics (such as the
// Kolmogorov–Smirnov check) recorded per study.
//
// Every failure or finding in genexp is a *Error carrying a Code from the
// ranges 1000–1999 (extraction), 2000–2999 (validation), 3000–3999
// (transformation), 4000–4999 (loading), 5000–5999 (analytics) and
// 6000–6999 (a statement given to genexp query), but one: the errors of
// work its caller stopped (its context canceled) match context.Canceled
// with errors.Is and carry no code, as the caller's own doing (a run that
// outlives processing.timeout_seconds is TimedOut). Codes are
// errors themselves, so callers match them with errors.Is:
//
//	if errors.Is(err, qc.ParseError) { ... }
//
// and reach the location with errors.As:
//
//	var e *qc.Error
//	if errors.As(err, &e) { fmt.Println(e.File, e.Line, e.Column) }
//
// Every code is raised somewhere except ViewCreationFailed (5001), which is
// reserved: genexp creates its analytics views only in schema migrations,
// which run in one transaction per version, so a view that cannot be
// created fails the migration as SchemaVersion (4006) and leaves the
// previous version in place; the features a load computes fail as
// MaterializationFailed (5002). The code keeps its number for a backend
// that creates views outside a migration. PlatformNormalizationFailed
// (3002) is a WARNING about samples whose platform string says neither a
// known manufacturer nor a technology (and whose study names no
// technology): they load, with the platform as written.
//
// Thresholds (the configuration's quality_thresholds) decide which findings
// a study gets and how severe they are; Validate applies them to a study's
// counts. KS2Samp is the two-sample Kolmogorov–Smirnov test, matching
// scipy.stats.ks_2samp; RowSample and WorstKS recompute the per-study check
// from a matrix with bounded memory. RedactDSN and RedactText keep
// passwords out of anything genexp prints or records.
package qc
