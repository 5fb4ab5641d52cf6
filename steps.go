package genexp

import (
	"context"
	"encoding/json"
	"time"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// The pipeline's steps, as meta_etl_process_log names them. A matrix is
// streamed once, so for a study:
//   - extract runs from opening the matrix to its last row (parsing and
//     hashing); rows_read is the study's cells, missing ones included;
//   - transform runs from building the study's dimension rows to the last
//     row melted; rows_written is the long rows it produced;
//   - validate runs after the last row; it fails (with the first ERROR
//     finding's code) when the study must not load;
//   - load runs from opening the warehouse batch to the commit; rows_read is
//     the long rows staged, rows_written the fact rows the commit wrote (0
//     for a duplicate). It is SKIPPED for a study that failed validation;
//   - analytics runs after the commit, for each study it published and each
//     duplicate whose features are missing (see features.go); rows_read is
//     the values the features read, rows_written the feature rows. It is
//     SKIPPED for a duplicate whose features are current, and absent when
//     the configuration turns it off.
//
// Extract, transform and load therefore overlap in time; each row's
// context_json says how long the step itself was busy (busy_ms).
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

// step is one meta_etl_process_log row in progress.
type step struct {
	rec  warehouse.StepRecord
	busy time.Duration
	ctx  map[string]any
}

// steps logs the steps of one matrix, one row per step per study.
type steps struct {
	p       *Pipeline
	runID   string
	file    string
	attempt map[string]int
	open    map[string]*step // by study + "/" + step
}

func (p *Pipeline) newSteps(runID, file string) *steps {
	return &steps{p: p, runID: runID, file: file, attempt: map[string]int{}, open: map[string]*step{}}
}

// attemptOf returns the study's attempt number: 1 plus the number of
// earlier runs that tried the study and failed (or never finished) since it
// last loaded successfully, when the sink can count them; else 1.
func (s *steps) attemptOf(ctx context.Context, study string) int {
	if n, ok := s.attempt[study]; ok {
		return n
	}
	n := 1
	if c, ok := s.p.sink.(warehouse.AttemptCounter); ok {
		prev, err := c.FailedAttempts(ctx, warehouse.AttemptsRequest{Study: study, RunID: s.runID})
		if err != nil {
			s.p.log.Warn("counting earlier attempts failed", "study", study, "error", s.p.redact(err.Error()))
		} else {
			n += prev
		}
	}
	s.attempt[study] = n
	return n
}

// start logs a RUNNING row for each study; started is when the step began.
func (s *steps) start(ctx context.Context, name string, started time.Time, studies ...string) {
	for _, study := range studies {
		st := &step{ctx: map[string]any{"file": s.file}, rec: warehouse.StepRecord{
			LogID: NewID(), RunID: s.runID, Study: study, Step: name, Status: statusRunning,
			Attempt: s.attemptOf(ctx, study), StartedAt: started.UTC(),
		}}
		s.open[study+"/"+name] = st
		s.write(ctx, st)
	}
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
	now := time.Now().UTC()
	st.rec.EndedAt, st.rec.RowsRead, st.rec.RowsWritten = &now, e.read, e.written
	if e.batchID != "" {
		st.rec.BatchID = e.batchID
	}
	st.rec.Status = statusSuccess
	if e.status != "" {
		st.rec.Status = e.status
	}
	if e.err != nil {
		st.rec.Status = statusFailed
		st.rec.ErrorMessage = s.p.redact(e.err.Error())
		if c, ok := qc.CodeOf(e.err); ok {
			code := int(c)
			st.rec.ErrorCode = &code
		}
	}
	for k, v := range e.context {
		st.ctx[k] = v
	}
	st.ctx["busy_ms"] = st.busy.Milliseconds()
	st.ctx["duration_ms"] = now.Sub(st.rec.StartedAt).Milliseconds()
	s.write(ctx, st)
	level := "step done"
	if st.rec.Status == statusFailed {
		level = "step failed"
	}
	s.p.log.Info(level, "run", s.runID, "study", study, "step", name, "status", st.rec.Status,
		"attempt", st.rec.Attempt, "error", st.rec.ErrorMessage)
}

// endAll closes every still-open row of the given studies: the step failed
// with err, or, when err is nil, was skipped.
func (s *steps) endAll(ctx context.Context, studies []string, err error) {
	for _, name := range []string{stepExtract, stepTransform, stepValidate, stepLoad} {
		for _, study := range studies {
			if _, ok := s.open[study+"/"+name]; !ok {
				continue
			}
			e := stepEnd{err: err}
			if err == nil {
				e.status = statusSkipped
			}
			s.end(ctx, name, study, e)
		}
	}
}

func (s *steps) write(ctx context.Context, st *step) {
	b, err := json.Marshal(st.ctx)
	if err != nil {
		b = []byte(`{}`)
	}
	st.rec.Context = s.p.redact(string(b))
	if err := s.p.sink.LogStep(context.WithoutCancel(ctx), st.rec); err != nil {
		s.p.log.Warn("process log write failed", "step", st.rec.Step, "study", st.rec.Study, "error", s.p.redact(err.Error()))
	}
}

// redact removes the warehouse DSN's secrets from text bound for a log.
func (p *Pipeline) redact(s string) string { return qc.RedactText(s, p.secrets...) }
