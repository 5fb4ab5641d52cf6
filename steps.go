package genexp

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// The pipeline's steps, as meta_etl_process_log names them. A matrix is
// streamed once, so for a study:
//   - extract runs from opening the matrix to its last row (parsing and
//     hashing); rows_read is the study's cells in the gene rows extracted,
//     missing ones included: the genes × the study's samples of its
//     context_json (0 when the matrix stopped at its header because no
//     column matched a sample). A repeated gene's later row is dropped, not
//     extracted, so its cells are not counted; duplicate_genes counts such
//     rows;
//   - transform runs from building the study's dimension rows to the last
//     row melted; rows_written is the long rows it produced;
//   - validate runs after the last row; it fails (with the first ERROR
//     finding's code) when the study must not load;
//   - load runs from opening the warehouse batch to the commit; rows_read is
//     the long rows staged, rows_written the fact rows the commit wrote (0
//     for a duplicate);
//   - analytics runs after the commit, for each study it published and each
//     duplicate whose features are missing (see features.go); rows_read is
//     the values the features read, rows_written the feature rows. It is
//     SKIPPED for a duplicate whose features are current, for every
//     study on a sink that does not compute features (the run then has
//     one WARNING saying so), when the configuration turns it off, in a
//     dry run, and for a study not committed (the reason naming the step
//     that failed, or the study's rejection); FAILED with reason
//     "interrupted" or "timed out" when the run stopped after the commit.
//
// Every attempt at a study writes exactly one row for each of extract,
// transform, validate, load and analytics, unless the process dies (a
// download that cannot be opened is logged under the accession its path
// names, or under no study when it names none):
//   - the step that failed is FAILED, with its code and message;
//   - a step that did not run to its end because another step of the
//     attempt failed, or because validation rejected the study (load), is
//     SKIPPED: nothing of it took effect, and its context_json says why
//     ("reason");
//   - every other step is SUCCESS.
//
// A process killed mid-attempt (kill -9, a crash, a lost machine) leaves
// the steps it had started RUNNING, with no end, and writes no row for the
// steps it never reached. On a sink that allows one writing process (a
// DuckDB file, warehouse.StepAborter) the next load marks such rows FAILED
// (reason "aborted", no code, no end) when it starts, except a load step
// whose batch the killed run had committed, which ends SUCCESS (reason
// "committed"). Elsewhere a RUNNING
// row older than genexp health's StuckAfter (DefaultHealthLimits, 6 h) is
// a killed run's; a younger one may still be a run going on.
//
// The attempt number is 1 plus the runs since the study last loaded
// (its last SUCCESS load row) that failed or were killed (see attemptOf),
// plus the tries at the study earlier in the same run: a download holding
// two copies of a study (two folders of one accession) makes two attempts
// at it, logged as attempts n and n+1 with their own files in
// context_json ("file"), so that no two rows of a run share study, step
// and attempt.
//
// A run on a sink that writes nothing (DryRunSink: genexp validate and
// genexp load --dry-run) logs its load step as SKIPPED with reason
// "dry run", since nothing was loaded; its outcome is what a load would
// do, and is left out when no warehouse was compared (validate).
//
// Extract, transform and load therefore overlap in time; each row's
// context_json says how long the step itself was busy (busy_ms) and how
// long it was open (duration_ms).
const (
	stepExtract   = "extract"
	stepTransform = "transform"
	stepValidate  = "validate"
	stepLoad      = "load"
	stepAnalytics = "analytics"
)

// Step statuses.
const (
	statusRunning = "RUNNING"
	statusSuccess = "SUCCESS"
	statusFailed  = "FAILED"
	statusSkipped = "SKIPPED"
)

// loadSteps are the steps every attempt at a study logs, in order; the
// analytics step, which runs only for a committed study, is logged
// SKIPPED for any other (see finish).
var loadSteps = []string{stepExtract, stepTransform, stepValidate, stepLoad, stepAnalytics}

// reasonRejected is why the load and analytics steps of a study that
// validation rejected are SKIPPED.
const reasonRejected = "validation rejected the study"

// reasonDryRun is why a dry run's load step is SKIPPED.
const reasonDryRun = "dry run: nothing was written"

// step is one meta_etl_process_log row in progress.
type step struct {
	rec  warehouse.StepRecord
	busy time.Duration
	ctx  map[string]any
	// at places a FAILED step's error in its input, for the log: the
	// error's line, column, JSON path, and file when not the step's.
	at []any
}

// steps logs the steps of one matrix, one row per step per study.
type steps struct {
	p       *Pipeline
	runID   string
	file    string
	run     *runTries
	attempt map[string]int
	open    map[string]*step // by study + "/" + step
	closed  map[string]bool  // the rows written in full, by study + "/" + step
	// holding counts the holds under way; held are the rows they keep
	// back until the outermost ends (see hold).
	holding int
	held    []warehouse.StepRecord
	// batches holds each study's batch id once a step ended with it (the
	// content hash is known once the matrix is read): a later step that
	// fails or is skipped (a commit refused, a run stopped) is logged
	// under it too, so that the failure joins meta_batch.
	batches map[string]string
}

// runTries remembers, for one Load, the attempt number each study's latest
// try took, so that a second matrix of the study in the same run numbers
// itself after the first. A Load reads its matrices one after the other,
// so it needs no lock.
type runTries struct {
	last map[string]int
	// featuresSkipped counts the studies whose analytics step was skipped
	// because the sink does not compute features.
	featuresSkipped int
}

// beginRun makes the tries of runID known to the steps of its matrices
// until the returned function is called at the end of the run, which also
// tells a sink that keeps the runs going on (warehouse.RunEnder) that this
// one ended. First, on a
// sink that can tell (warehouse.StepAborter), it marks FAILED the steps
// earlier runs left RUNNING with no process behind them, so that neither
// the process log nor health calls a killed run's step running after
// this run.
func (p *Pipeline) beginRun(ctx context.Context, runID string) (end func()) {
	if a, ok := p.sink.(warehouse.StepAborter); ok {
		n, err := a.AbortAbandonedSteps(context.WithoutCancel(ctx), warehouse.AbortRequest{RunID: runID, Message: fmt.Sprintf(
			"aborted: the process running this step ended before it recorded how the step ended (killed, crashed, or its log could not be written: a full disk, say); found when run %s started", runID)})
		switch {
		case err != nil:
			p.log.Warn("marking abandoned steps failed", "error", p.redact(err.Error()))
		case n > 0:
			p.log.Warn("steps of earlier runs were abandoned; marked FAILED", "run", runID, "steps", n)
		}
	}
	p.runs.Store(runID, &runTries{last: map[string]int{}})
	return func() {
		p.runs.Delete(runID)
		// Deferred, this runs however the run ends, a panic of a
		// caller's component included: a step the run left RUNNING is
		// then the next run's to mark.
		if e, ok := p.sink.(warehouse.RunEnder); ok {
			e.EndRun(runID)
		}
	}
}

func (p *Pipeline) newSteps(runID, file string) *steps {
	run := &runTries{last: map[string]int{}}
	if r, ok := p.runs.Load(runID); ok {
		run = r.(*runTries)
	}
	return &steps{p: p, runID: runID, file: file, run: run, attempt: map[string]int{}, open: map[string]*step{}, closed: map[string]bool{},
		batches: map[string]string{}}
}

// attemptOf returns the study's attempt number: 1 plus the number of
// earlier runs that tried the study and failed (or were killed) since it
// last loaded successfully, when the sink can count them, plus the earlier
// tries of this run; 1 for a step logged under no study.
//
// A step left RUNNING counts as a killed run only once it is older than
// the StuckAfter of DefaultHealthLimits, the age at which genexp health
// calls its run killed. A younger one may be a run still going (health
// says "running"), and a retry must not number itself after a run that has
// not failed; the price is that a retry started within that time of a kill
// logs attempt 1, undercounting rather than inventing a failure. On a sink
// that marks a killed run's rows FAILED when a load starts
// (warehouse.StepAborter, DuckDB), those count at once.
func (s *steps) attemptOf(ctx context.Context, study string) int {
	if study == "" {
		return 1
	}
	if n, ok := s.attempt[study]; ok {
		return n
	}
	n := 1
	if prev, ok := s.run.last[study]; ok {
		n = prev + 1
	} else if c, ok := s.p.sink.(warehouse.AttemptCounter); ok {
		req := warehouse.AttemptsRequest{Study: study, RunID: s.runID,
			KilledBefore: time.Now().Add(-DefaultHealthLimits().StuckAfter)}
		// A stopped run still logs the steps it did not run (finish): the
		// count must not fail because the run's context ended.
		prev, err := c.FailedAttempts(context.WithoutCancel(ctx), req)
		if err != nil {
			s.p.log.Warn("counting earlier attempts failed", "study", study, "error", s.p.redact(err.Error()))
		} else {
			n += prev
		}
	}
	s.attempt[study], s.run.last[study] = n, n
	return n
}

// start logs a RUNNING row for each study; started is when the step began.
func (s *steps) start(ctx context.Context, name string, started time.Time, studies ...string) {
	s.hold()
	defer s.release(ctx)
	for _, study := range studies {
		st := &step{ctx: map[string]any{"file": s.file}, rec: warehouse.StepRecord{
			LogID: NewID(), RunID: s.runID, Study: study, Step: name, Status: statusRunning,
			Attempt: s.attemptOf(ctx, study), StartedAt: started.UTC(),
		}}
		s.open[study+"/"+name] = st
		s.write(ctx, st)
	}
}

// hold keeps back the rows logged from now until the matching release,
// which writes them in one LogSteps call on a sink that takes them
// together (warehouse.StepsLogger): the rows of a SPECIES matrix's
// hundreds of studies, logged at one moment of its load, would otherwise
// cost a commit each. Holds nest; the outermost release writes. On a sink
// without LogSteps nothing is held: each row is written when it is logged.
func (s *steps) hold() {
	if _, ok := s.p.sink.(warehouse.StepsLogger); ok {
		s.holding++
	}
}

// release ends a hold.
func (s *steps) release(ctx context.Context) {
	if s.holding == 0 {
		return
	}
	if s.holding--; s.holding > 0 || len(s.held) == 0 {
		return
	}
	rows := latest(s.held)
	s.held = s.held[:0]
	if len(rows) == 1 {
		s.send(ctx, rows[0])
		return
	}
	if err := s.p.sink.(warehouse.StepsLogger).LogSteps(context.WithoutCancel(ctx), rows); err != nil {
		s.p.log.Warn("process log write failed", "steps", len(rows), "error", s.p.redact(err.Error()))
	}
}

// latest keeps, of rows with one LogID, the last: it holds the whole row as
// the earlier ones would have left it.
func latest(rows []warehouse.StepRecord) []warehouse.StepRecord {
	last := make(map[string]int, len(rows))
	for i, r := range rows {
		last[r.LogID] = i
	}
	out := make([]warehouse.StepRecord, 0, len(last))
	for i, r := range rows {
		if last[r.LogID] == i {
			out = append(out, r)
		}
	}
	return out
}

// get returns the open step of a study, starting one now if there is none.
func (s *steps) get(ctx context.Context, name, study string) *step {
	if st, ok := s.open[study+"/"+name]; ok {
		return st
	}
	s.start(ctx, name, time.Now(), study)
	return s.open[study+"/"+name]
}

// addBusy adds time the step spent working to every study's row.
func (s *steps) addBusy(name string, d time.Duration) {
	for _, st := range s.open {
		if st.rec.Step == name {
			st.busy += d
		}
	}
}

// stepEnd is what a step's row says when it ends.
type stepEnd struct {
	status        string // SUCCESS when empty, FAILED when err is set
	err           error
	read, written *int64
	batchID       string
	context       map[string]any
}

// end closes the study's row of the step.
func (s *steps) end(ctx context.Context, name, study string, e stepEnd) {
	st := s.get(ctx, name, study)
	delete(s.open, study+"/"+name)
	s.closed[study+"/"+name] = true
	now := time.Now().UTC()
	st.rec.EndedAt, st.rec.RowsRead, st.rec.RowsWritten = &now, e.read, e.written
	switch {
	case e.batchID != "":
		st.rec.BatchID = e.batchID
		s.batches[study] = e.batchID
	case st.rec.BatchID == "":
		st.rec.BatchID = s.batches[study]
	}
	st.rec.Status = statusSuccess
	if e.status != "" {
		st.rec.Status = e.status
	}
	if e.err != nil {
		st.rec.Status = statusFailed
		st.rec.ErrorMessage = s.p.redact(e.err.Error())
		c, coded := qc.CodeOf(e.err)
		if reason, msg, ok := stopped(ctx, e.err); ok {
			st.rec.ErrorMessage = s.p.redact(msg)
			st.ctx["reason"] = reason
			// The input and the warehouse were fine: an interrupted
			// step has no code, a timed-out one the timeout's.
			c, coded = qc.TimedOut, reason == reasonTimedOut
		}
		if coded {
			code := int(c)
			st.rec.ErrorCode = &code
		}
		st.at = s.place(e.err)
	}
	for k, v := range e.context {
		st.ctx[k] = v
	}
	if dry, compared := s.dryRun(); name == stepLoad && st.rec.Status == statusSuccess && dry {
		// Nothing was loaded: the row must not say it was.
		st.rec.Status, st.rec.RowsWritten = statusSkipped, nil
		st.ctx["reason"], st.ctx["dry_run"] = reasonDryRun, true
		if !compared {
			// No warehouse was looked at (validate): what a load would
			// do is unknown, not "new".
			delete(st.ctx, "outcome")
			delete(st.ctx, "previous_batch_id")
		}
	}
	duration := now.Sub(st.rec.StartedAt)
	st.ctx["busy_ms"] = st.busy.Milliseconds()
	st.ctx["duration_ms"] = duration.Milliseconds()
	s.write(ctx, st)
	s.report(st, duration)
}

// report logs the end of a step: FAILED at ERROR, so that a consumer
// keeping WARN and above sees every failure, the rest at INFO.
func (s *steps) report(st *step, duration time.Duration) {
	attrs := []any{"run", s.runID, "study", st.rec.Study, "step", st.rec.Step, "status", st.rec.Status,
		"attempt", st.rec.Attempt, "file", s.p.redact(s.file), "duration_ms", duration.Milliseconds()}
	if st.rec.BatchID != "" {
		attrs = append(attrs, "batch", st.rec.BatchID)
	}
	if st.rec.RowsRead != nil {
		attrs = append(attrs, "rows_read", *st.rec.RowsRead)
	}
	if st.rec.RowsWritten != nil {
		attrs = append(attrs, "rows_written", *st.rec.RowsWritten)
	}
	for _, k := range []string{"outcome", "reason"} {
		if v, ok := st.ctx[k]; ok && v != "" {
			attrs = append(attrs, k, v)
		}
	}
	switch st.rec.Status {
	case statusFailed:
		if st.rec.ErrorCode != nil {
			attrs = append(attrs, "code", *st.rec.ErrorCode)
		}
		attrs = append(attrs, st.at...)
		s.p.log.Error("step failed", append(attrs, "error", st.rec.ErrorMessage)...)
	case statusSkipped:
		s.p.log.Info("step skipped", attrs...)
	default:
		s.p.log.Info("step done", attrs...)
	}
}

// place returns the log attributes that place err in the input, when it
// is a *qc.Error that says where: its line, column and JSON path, and its
// file when that is not the step's own.
func (s *steps) place(err error) []any {
	var e *qc.Error
	if !errors.As(err, &e) {
		return nil
	}
	var at []any
	if e.File != "" && e.File != s.file {
		at = append(at, "error_file", s.p.redact(e.File))
	}
	if e.Line > 0 {
		at = append(at, "line", e.Line)
	}
	if e.Column > 0 {
		at = append(at, "column", e.Column)
	}
	if e.Path != "" {
		at = append(at, "path", s.p.redact(e.Path))
	}
	return at
}

// finish completes the attempt at each study: the step named failed, when
// err is set, ends FAILED with err; every other step of loadSteps whose row
// is not yet written ends SKIPPED, the reason naming the failed step (or
// reason, when nothing failed; see analyticsSkipped for the analytics
// step's). Steps that never started are logged as
// starting and ending now, so each attempt has one row per step.
//
// A run interrupted or timed out (see stopped) stopped every step it had
// started, not only the one that noticed: each ends FAILED with reason
// "interrupted" (or "timed out"), and each step never started SKIPPED with
// that reason.
func (s *steps) finish(ctx context.Context, studies []string, failed string, err error, reason string) {
	s.hold()
	defer s.release(ctx)
	cancelled := false
	if err != nil {
		reason = failed + " failed"
		if r, _, ok := stopped(ctx, err); ok {
			cancelled, reason = true, r
		}
	}
	for _, study := range studies {
		for _, name := range loadSteps {
			if s.closed[study+"/"+name] {
				continue
			}
			_, started := s.open[study+"/"+name]
			if err != nil && (name == failed && !cancelled || cancelled && started) {
				s.end(ctx, name, study, stepEnd{err: err})
				continue
			}
			why := reason
			if name == stepAnalytics {
				why = s.analyticsSkipped(reason)
			}
			s.end(ctx, name, study, stepEnd{status: statusSkipped, context: map[string]any{"reason": why}})
		}
	}
}

// analyticsSkipped is why an analytics step that finish ends is SKIPPED:
// the reason its study's attempt ended, unless the step would not have
// run in any case (analyticsOff), so that a stopped run counts as not
// begun only the steps it kept from running.
func (s *steps) analyticsSkipped(reason string) string {
	return cmp.Or(s.analyticsOff(), reason)
}

// analyticsOff is why no analytics step of this run computes features
// (a dry run, or analytics turned off in the configuration), "" when
// they may.
func (s *steps) analyticsOff() string {
	if dry, _ := s.dryRun(); dry {
		return reasonDryRun
	}
	if !s.p.cfg.Analytics.enabled() {
		return reasonAnalyticsOff
	}
	return ""
}

// Reasons of the steps a run's context stopped.
const (
	reasonInterrupted = "interrupted"
	reasonTimedOut    = "timed out"
)

// stopped reports whether err ended a step because the run's context
// ended (an interrupt or a signal, the caller's own deadline, or
// processing.timeout_seconds), with the reason the step's context_json
// records and a message that says so in place of the driver's. Only
// processing.timeout_seconds is "timed out", with qc.TimedOut, as stopErr
// has it; anything else is "interrupted", with no error code: nothing was
// wrong with the input or the warehouse.
func stopped(ctx context.Context, err error) (reason, msg string, ok bool) {
	var t runTimeout
	timedOut := errors.As(context.Cause(ctx), &t) || errors.As(err, &t)
	if !timedOut && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		return "", "", false
	}
	if timedOut {
		return reasonTimedOut, "timed out before the step ended (processing.timeout_seconds); nothing of it was committed", true
	}
	why := "the run was cancelled"
	if c := context.Cause(ctx); c != nil && c != context.Canceled {
		why = c.Error()
	}
	return reasonInterrupted, "interrupted before the step ended (" + why + "); nothing of it was committed", true
}

// dryRun reports whether the pipeline writes to a sink that writes
// nothing, and whether that sink decides outcomes against a warehouse.
func (s *steps) dryRun() (dry, compared bool) {
	d, ok := s.p.sink.(*dryRunSink)
	return ok, ok && d.current != nil
}

func (s *steps) write(ctx context.Context, st *step) {
	b, err := json.Marshal(st.ctx)
	if err != nil {
		b = []byte(`{}`)
	}
	st.rec.Context = s.p.redact(string(b))
	if s.holding > 0 {
		s.held = append(s.held, st.rec)
		return
	}
	s.send(ctx, st.rec)
}

func (s *steps) send(ctx context.Context, rec warehouse.StepRecord) {
	if err := s.p.sink.LogStep(context.WithoutCancel(ctx), rec); err != nil {
		s.p.log.Warn("process log write failed", "step", rec.Step, "study", rec.Study, "error", s.p.redact(err.Error()))
	}
}

// redact makes text bound for a log or the warehouse fit to record: the
// warehouse DSN's secrets removed, and bytes that are not UTF-8 (a file
// name in a legacy encoding, quoted by the system's error) replaced by
// U+FFFD, since a warehouse's text columns take UTF-8 only (DuckDB's
// driver refuses to bind anything else, and the whole record was lost).
func (p *Pipeline) redact(s string) string {
	return strings.ToValidUTF8(qc.RedactText(s, p.secrets...), "\uFFFD")
}

// accessionCode matches refine.bio's experiment accessions: GEO series,
// ArrayExpress experiments, and SRA, ENA and DDBJ studies.
var accessionCode = regexp.MustCompile(`^(?:GSE\d+|E-[A-Z]{4}-\d+|[SED]RP\d+)$`)

// studyNamed is name when it is a study code (isStudyCode), else "": the
// study a matrix or path is logged under before its studies are known.
func (p *Pipeline) studyNamed(name string) string {
	if p.isStudyCode(name) {
		return name
	}
	return ""
}

// isStudyCode reports whether name is a study accession:
// processing.study_code_pattern's when set, else refine.bio's.
func (p *Pipeline) isStudyCode(name string) bool {
	if p.studyRe != nil {
		return p.studyRe.MatchString(name)
	}
	return accessionCode.MatchString(name)
}

// downloadStudy names the study a download that could not be opened is
// logged under: the study its error names, else the accession of the
// sample sheet that failed (metadata_<ACC>.tsv, <ACC>_metadata.tsv), else
// the download's own name (its path's last element, without .zip, .tsv or
// .tsv.gz), which for refine.bio's study folders and matrices is the
// accession. A name taken from a path counts only when it is a study code
// (isStudyCode): "/", "." or a folder named "data" are no study, and the
// failure is then logged under none.
func (p *Pipeline) downloadStudy(dl string, err error) string {
	var e *qc.Error
	if errors.As(err, &e) {
		if e.Study != "" {
			return e.Study
		}
		if e.File != "" {
			name := path.Base(filepath.ToSlash(e.File))
			if i := strings.LastIndexByte(name, '!'); i >= 0 { // zip!entry
				name = path.Base(name[i+1:])
			}
			if base, ok := strings.CutSuffix(name, ".tsv"); ok {
				if acc, ok := strings.CutPrefix(base, "metadata_"); ok && p.isStudyCode(acc) {
					return acc
				}
				if acc, ok := strings.CutSuffix(base, "_metadata"); ok && p.isStudyCode(acc) {
					return acc
				}
			}
		}
	}
	base := filepath.Base(filepath.Clean(dl))
	if ext := filepath.Ext(base); strings.EqualFold(ext, ".zip") {
		base = base[:len(base)-len(ext)]
	}
	if acc := matrixBase(base); p.isStudyCode(acc) {
		return acc
	}
	return ""
}

// jsonForms adds to secrets each one's form inside a JSON string where it
// differs ("&" is "\u0026" there): context_json is JSON, and a path in it
// may hold a secret.
func jsonForms(secrets []string) []string {
	for _, s := range secrets {
		if b, err := json.Marshal(s); err == nil && string(b[1:len(b)-1]) != s {
			secrets = append(secrets, string(b[1:len(b)-1]))
		}
	}
	return secrets
}

// redactFindings removes the warehouse DSN's secrets from the findings a
// log table records (a path may hold one); fs are the caller's copies.
func (p *Pipeline) redactFindings(fs []*qc.Error) []*qc.Error {
	for _, f := range fs {
		f.File, f.Path, f.Msg, f.Err = p.redact(f.File), p.redact(f.Path), p.redact(f.Msg), p.redactErr(f.Err)
	}
	return fs
}

// redactErr returns err with the warehouse DSN's secrets removed from its
// text: a driver's error may quote the DSN, and the report's errors are
// printed as they are. errors.Is matches what err's chain matches (codes,
// sentinels); errors.As finds only what holds no secret (see
// redactedError.As).
func (p *Pipeline) redactErr(err error) error {
	return redactWith(err, p.redact)
}

func redactWith(err error, redact func(string) string) error {
	if err == nil || clean(err, redact) {
		return err
	}
	return &redactedError{msg: redact(err.Error()), err: err, redact: redact}
}

// clean reports whether no error of err's tree (err and every error it
// wraps) holds text redact would change: an error whose text leaves out
// its cause's can still lead to the secret by Unwrap. A tree too long to
// walk is not clean.
func clean(err error, redact func(string) string) bool {
	dirty := false
	whole := walkChain(err, func(x error) bool {
		t := x.Error()
		dirty = redact(t) != t
		return dirty
	})
	return whole && !dirty
}

// maxChain bounds the errors walkChain visits, so that an error whose
// Unwrap leads back to itself cannot hang it.
const maxChain = 1000

// walkChain calls visit on err and every error it wraps, depth first in
// the order errors.As would, skipping nil ones (a nil pointer's Error
// method could not run), until visit returns true. It returns false when
// it stopped at maxChain errors rather than at the chain's end or visit's
// word.
func walkChain(err error, visit func(error) bool) bool {
	stack := []error{err}
	for seen := 0; len(stack) > 0; seen++ {
		if seen == maxChain {
			return false
		}
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if x == nil {
			continue
		}
		if v := reflect.ValueOf(x); v.Kind() == reflect.Pointer && v.IsNil() {
			continue
		}
		if visit(x) {
			return true
		}
		switch u := x.(type) {
		case interface{ Unwrap() error }:
			stack = append(stack, u.Unwrap())
		case interface{ Unwrap() []error }:
			for k := len(u.Unwrap()) - 1; k >= 0; k-- {
				stack = append(stack, u.Unwrap()[k])
			}
		}
	}
	return true
}

// redactedError is an error whose text held a secret. It has no Unwrap:
// its chain is reachable only through Is and As, which never hand out a
// secret.
type redactedError struct {
	msg    string
	err    error
	redact func(string) string
}

func (e *redactedError) Error() string { return e.msg }

// Is reports whether the original chain matches target: a code or a
// sentinel says nothing secret.
func (e *redactedError) Is(target error) bool { return errors.Is(e.err, target) }

// As sets target to the chain's *qc.Error, copied with its text and cause
// redacted, when target is a **qc.Error; for any other type, to the first
// error of that type in the chain that holds no secret, in its text or in
// any error it wraps.
func (e *redactedError) As(target any) bool {
	if t, ok := target.(**qc.Error); ok {
		var q *qc.Error
		if !errors.As(e.err, &q) {
			return false
		}
		c := *q
		c.Msg, c.File, c.Path, c.Study = e.redact(c.Msg), e.redact(c.File), e.redact(c.Path), e.redact(c.Study)
		c.Err = redactWith(c.Err, e.redact)
		*t = &c
		return true
	}
	v := reflect.ValueOf(target)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return false
	}
	want := v.Type().Elem()
	found := false
	walkChain(e.err, func(x error) bool {
		if reflect.TypeOf(x).AssignableTo(want) && clean(x, e.redact) {
			v.Elem().Set(reflect.ValueOf(x))
			found = true
		}
		return found
	})
	return found
}

// invalidated returns the first study error saying the warehouse can take
// nothing more (warehouse.ErrInvalidated or warehouse.ErrDamaged), or nil.
func invalidated(studies []StudyReport) error {
	for _, s := range studies {
		if errors.Is(s.Err, warehouse.ErrInvalidated) || errors.Is(s.Err, warehouse.ErrDamaged) {
			return s.Err
		}
	}
	return nil
}

// maxFindingsLogged is how many findings of one study (or of one run,
// outside any study) are logged one by one; one more record counts the
// rest. The report and meta_data_validation_log hold them all.
const maxFindingsLogged = 20

// logFindings logs each finding as one record: at ERROR for an ERROR, WARN
// for a WARNING, INFO otherwise, with its study, code, file, line, column
// and JSON path when it has them, its text redacted like every other
// record. The most severe come first, so that the cap never hides an
// ERROR behind warnings.
func (p *Pipeline) logFindings(ctx context.Context, runID, study string, fs []*qc.Error) {
	if len(fs) == 0 {
		return
	}
	sorted := slices.Clone(fs)
	slices.SortStableFunc(sorted, func(a, b *qc.Error) int { return cmp.Compare(b.Severity, a.Severity) })
	for i, f := range sorted {
		if i == maxFindingsLogged {
			worst, _ := qc.Worst(sorted[i:])
			p.log.Log(ctx, logLevel(worst), "more findings not logged", "run", runID, "study", study, "findings", len(sorted)-i,
				"logged", i, "note", "the run's report and meta_data_validation_log hold them all")
			return
		}
		attrs := []slog.Attr{slog.String("run", runID)}
		if s := cmp.Or(f.Study, study); s != "" {
			attrs = append(attrs, slog.String("study", s))
		}
		attrs = append(attrs, slog.Int("code", int(f.Code)), slog.String("code_name", f.Code.Name()), slog.String("severity", f.Severity.String()))
		if f.File != "" {
			attrs = append(attrs, slog.String("file", p.redact(f.File)))
		}
		if f.Line > 0 {
			attrs = append(attrs, slog.Int64("line", f.Line))
		}
		if f.Column > 0 {
			attrs = append(attrs, slog.Int64("column", f.Column))
		}
		if f.Path != "" {
			attrs = append(attrs, slog.String("path", p.redact(f.Path)))
		}
		detail := f.Msg
		if f.Err != nil {
			detail = strings.TrimPrefix(detail+": "+f.Err.Error(), ": ")
		}
		attrs = append(attrs, slog.String("detail", p.redact(detail)))
		p.log.LogAttrs(ctx, logLevel(f.Severity), "finding", attrs...)
	}
}

// logLevel is the log level of a finding of severity s.
func logLevel(s qc.Severity) slog.Level {
	switch {
	case s >= qc.SeverityError:
		return slog.LevelError
	case s >= qc.SeverityWarning:
		return slog.LevelWarn
	}
	return slog.LevelInfo
}

// logPlan logs, at DEBUG, how a matrix's columns were matched: how many
// are loaded, how many the study filter left out, and how many were
// skipped otherwise (no sample, or a sample's second column: their
// findings say why).
func (p *Pipeline) logPlan(ctx context.Context, runID, file string, columns int, pl *plan) {
	if !p.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	excluded := 0
	for _, n := range pl.excluded {
		excluded += n
	}
	matched := len(pl.matrixColumns())
	p.log.Debug("column plan", "run", runID, "matrix", p.redact(file), "columns", columns, "matched", matched,
		"excluded", excluded, "skipped", columns-matched-excluded, "studies", strings.Join(pl.studies, ","),
		"excluded_studies", strings.Join(pl.excludedOrder, ","), "findings", len(pl.findings))
}
