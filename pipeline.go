package genexp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/illness"
	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/platform"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// Pipeline loads downloads into a warehouse.
type Pipeline struct {
	sink       warehouse.WarehouseSink
	cfg        Config
	classifier illness.IllnessClassifier
	normalizer platform.PlatformNormalizer
	log        *slog.Logger
	progress   func(Progress)
	openOpts   []DownloadOption
	studyRe    *regexp.Regexp
}

// Option configures a Pipeline.
type Option func(*Pipeline)

// WithConfig sets the configuration. Default DefaultConfig().
func WithConfig(c Config) Option { return func(p *Pipeline) { p.cfg = c } }

// WithClassifier replaces the illness classifier. Default: the one the
// configuration describes.
func WithClassifier(c illness.IllnessClassifier) Option {
	return func(p *Pipeline) { p.classifier = c }
}

// WithNormalizer replaces the platform normalizer. Default: the one the
// configuration describes.
func WithNormalizer(n platform.PlatformNormalizer) Option {
	return func(p *Pipeline) { p.normalizer = n }
}

// WithLogger sets the structured logger. Default: discard.
func WithLogger(l *slog.Logger) Option { return func(p *Pipeline) { p.log = l } }

// WithProgress sets a function called as each batch of a matrix is loaded.
// Default: none.
func WithProgress(f func(Progress)) Option { return func(p *Pipeline) { p.progress = f } }

// WithDownloadOptions passes options to OpenDownload for every path loaded.
func WithDownloadOptions(opts ...DownloadOption) Option {
	return func(p *Pipeline) { p.openOpts = append(p.openOpts, opts...) }
}

// Progress reports a matrix being loaded.
type Progress struct {
	Matrix string
	// Bytes of the matrix read so far, of TotalBytes (-1 when unknown).
	Bytes, TotalBytes int64
	// Cells read so far.
	Cells   int64
	Elapsed time.Duration
}

// New returns a pipeline that loads into sink.
func New(sink warehouse.WarehouseSink, opts ...Option) (*Pipeline, error) {
	p := &Pipeline{sink: sink, cfg: DefaultConfig()}
	for _, o := range opts {
		o(p)
	}
	if err := p.cfg.Validate(); err != nil {
		return nil, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, Msg: "genexp: invalid configuration", Err: err}
	}
	if p.classifier == nil {
		c, err := p.cfg.Classifier()
		if err != nil {
			return nil, err
		}
		p.classifier = c
	}
	if p.normalizer == nil {
		p.normalizer = p.cfg.Normalizer()
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if pat := p.cfg.Processing.StudyCodePattern; pat != "" {
		p.studyRe = regexp.MustCompile(`^(?:` + pat + `)$`)
	}
	return p, nil
}

// Report is what a Load did.
type Report struct {
	RunID   string
	Studies []StudyReport
	// Findings are problems not tied to one study (unreadable downloads,
	// skipped files).
	Findings []*qc.Error
	// Errors are failures not tied to one study, such as a download that
	// cannot be opened.
	Errors []error
}

// Failed reports whether any study or download failed.
func (r *Report) Failed() bool {
	if len(r.Errors) > 0 {
		return true
	}
	for _, s := range r.Studies {
		if s.Err != nil {
			return true
		}
	}
	return false
}

// StudyReport is what a Load did to one study.
type StudyReport struct {
	Study   string
	Matrix  string
	BatchID string
	// Outcome is new, replaced or duplicate; "" when the study failed.
	Outcome warehouse.Outcome
	Samples int
	Genes   int64
	// Cells read for the study, Missing among them, and Rows the fact rows
	// the study holds after the load.
	Cells, Missing, Rows int64
	Illness              map[illness.Label]int
	Duration             time.Duration
	Findings             []*qc.Error
	Err                  error
}

// Load loads each path (a download zip or folder, a study folder, or a
// matrix). A failed study does not stop the others: its error is in the
// report. The returned error is non-nil only when the context ends.
func (p *Pipeline) Load(ctx context.Context, paths ...string) (*Report, error) {
	rep := &Report{RunID: NewID()}
	if d := p.cfg.Processing.TimeoutSeconds; d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(d)*time.Second)
		defer cancel()
	}
	for _, path := range paths {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		d, err := OpenDownload(path, p.openOpts...)
		if err != nil {
			p.log.Error("download failed", "path", path, "error", err)
			rep.Errors = append(rep.Errors, err)
			continue
		}
		rep.Findings = append(rep.Findings, d.Findings...)
		for _, m := range d.Matrices {
			if err := ctx.Err(); err != nil {
				d.Close()
				return rep, err
			}
			rep.Studies = append(rep.Studies, p.loadMatrix(ctx, rep.RunID, d, m)...)
		}
		if err := d.Close(); err != nil {
			rep.Errors = append(rep.Errors, err)
		}
	}
	return rep, ctx.Err()
}

// loadMatrix loads one matrix and reports on each of its studies.
func (p *Pipeline) loadMatrix(ctx context.Context, runID string, d *Download, m *Matrix) []StudyReport {
	start := time.Now()
	fail := func(studies []string, err error) []StudyReport {
		if len(studies) == 0 {
			studies = []string{m.Base}
		}
		out := make([]StudyReport, len(studies))
		for i, s := range studies {
			out[i] = StudyReport{Study: s, Matrix: m.Name, Err: err, Duration: time.Since(start)}
		}
		p.log.Error("matrix failed", "matrix", m.Name, "error", err)
		return out
	}
	extract := p.startStep(ctx, runID, "", "extract")
	rc, err := m.Open()
	if err != nil {
		extract.end(ctx, err, nil, nil)
		return fail(nil, err)
	}
	defer rc.Close()
	r, err := expression.NewReader(rc, expression.WithName(m.Name), expression.WithBatchRows(p.cfg.Processing.ChunkSize))
	if err != nil {
		extract.end(ctx, err, nil, nil)
		return fail(nil, err)
	}
	pl := resolveColumns(r.Header(), d.Metadata, m, p.studyRe)
	extract.end(ctx, nil, nil, nil)
	if len(pl.columns) == 0 && len(pl.excludedOrder) > 0 {
		return pl.skipped(m.Name) // excluded by the study filter: not a failure
	}
	if len(pl.columns) == 0 {
		err := &qc.Error{Code: qc.SampleMismatch, Severity: qc.SeverityError, File: m.Name,
			Msg: "no matrix column could be matched to a sample; nothing to load"}
		if len(pl.findings) > 0 {
			err.Err = pl.findings[0]
		}
		return fail(nil, err)
	}
	reports := make(map[string]*StudyReport, len(pl.studies))
	for _, s := range pl.studies {
		reports[s] = &StudyReport{Study: s, Matrix: m.Name, Illness: map[illness.Label]int{}}
	}
	for _, f := range pl.findings {
		if f.Study != "" && reports[f.Study] != nil {
			reports[f.Study].Findings = append(reports[f.Study].Findings, f)
		} else {
			for _, s := range pl.studies {
				reports[s].Findings = append(reports[s].Findings, f)
			}
		}
	}
	out := func(err error) []StudyReport {
		res := make([]StudyReport, 0, len(pl.studies))
		for _, s := range pl.studies {
			sr := reports[s]
			sr.Duration = time.Since(start)
			if err != nil && sr.Err == nil {
				sr.Err = err
			}
			res = append(res, *sr)
		}
		return res
	}

	transform := p.startStep(ctx, runID, "", "transform")
	dims := p.dimensions(d.Metadata, pl, reports)
	transform.end(ctx, nil, nil, nil)

	load := p.startStep(ctx, runID, "", "load")
	batch, err := p.sink.Begin(ctx, warehouse.BeginRequest{RunID: runID, FileName: m.Name, Columns: pl.columns})
	if err != nil {
		load.end(ctx, err, nil, nil)
		return out(err)
	}
	defer batch.Abort(context.WithoutCancel(ctx))
	if err := batch.UpsertDimensions(ctx, dims); err != nil {
		load.end(ctx, err, nil, nil)
		return out(err)
	}
	acc := newAccumulator(pl)
	melter := expression.ColumnMelter{Columns: pl.indexes, Missing: p.cfg.MissingPolicy()}
	var lb expression.LongBatch
	for r.Next() {
		wb := r.Batch()
		acc.add(wb)
		melter.Melt(&lb, wb)
		if err := batch.WriteRows(ctx, warehouse.RowsRequest{Rows: &lb}); err != nil {
			load.end(ctx, err, nil, nil)
			return out(err)
		}
		if p.progress != nil {
			st := r.Stats()
			p.progress(Progress{Matrix: m.Name, Bytes: st.Bytes, TotalBytes: m.Size, Cells: st.Cells, Elapsed: time.Since(start)})
		}
	}
	if err := r.Err(); err != nil {
		load.end(ctx, err, nil, nil)
		return out(err)
	}
	hash, err := r.Sum()
	if err != nil {
		load.end(ctx, err, nil, nil)
		return out(err)
	}
	rs := r.Stats()
	for _, f := range r.Findings() {
		for _, s := range pl.studies {
			reports[s].Findings = append(reports[s].Findings, f)
		}
	}

	validate := p.startStep(ctx, runID, "", "validate")
	var commits []warehouse.StudyCommit
	for _, s := range pl.studies {
		sr := reports[s]
		st := acc.study(s)
		sr.Genes, sr.Cells, sr.Missing = rs.Rows, st.Cells, st.Missing
		sr.BatchID = BatchID(s, hash)
		st.Rows, st.DuplicateRows, st.File = rs.Rows, rs.DuplicateGenes, m.Name
		found := qc.Validate(st, p.cfg.Quality)
		sr.Findings = append(sr.Findings, found...)
		if worst, _ := qc.Worst(sr.Findings); worst == qc.SeverityError {
			sr.Err = firstError(sr.Findings)
			if err := p.sink.RecordFindings(ctx, warehouse.FindingsRequest{RunID: runID, BatchID: sr.BatchID, Findings: withStudy(sr.Findings, s)}); err != nil {
				p.log.Error("recording findings failed", "study", s, "error", err)
			}
			continue
		}
		commits = append(commits, warehouse.StudyCommit{
			Study: s, BatchID: sr.BatchID, RowsRead: st.Cells, Findings: withStudy(sr.Findings, s),
			QC: p.studyQC(d.Metadata, s, rs, st),
		})
	}
	validate.end(ctx, nil, nil, nil)
	if len(commits) == 0 {
		load.end(ctx, errors.New("every study failed validation"), &rs.Cells, nil)
		return out(nil)
	}
	res, err := batch.Commit(ctx, warehouse.CommitRequest{FileHash: hash, Studies: commits})
	if err != nil {
		load.end(ctx, err, &rs.Cells, nil)
		return out(err)
	}
	var written int64
	for _, r := range res.Studies {
		sr := reports[r.Study]
		sr.Outcome = r.Outcome
		sr.Rows = r.RowsWritten
		written += r.RowsWritten
		if r.Outcome == warehouse.Duplicate {
			sr.Findings = append(sr.Findings, &qc.Error{Code: qc.BatchDuplicate, Severity: qc.SeverityInfo, Study: r.Study,
				File: m.Name, Msg: fmt.Sprintf("batch %s is already loaded; nothing written", r.BatchID)})
		}
	}
	load.end(ctx, nil, &rs.Cells, &written)
	return out(nil)
}

func firstError(fs []*qc.Error) error {
	for _, f := range fs {
		if f.Severity == qc.SeverityError {
			return f
		}
	}
	return nil
}

func withStudy(fs []*qc.Error, study string) []*qc.Error {
	out := make([]*qc.Error, len(fs))
	for i, f := range fs {
		c := *f
		if c.Study == "" {
			c.Study = study
		}
		out[i] = &c
	}
	return out
}

// dimensions builds the dimension rows for the plan's studies and samples,
// classifying each sample's illness.
func (p *Pipeline) dimensions(d *metadata.Dataset, pl *plan, reports map[string]*StudyReport) warehouse.DimensionsRequest {
	var req warehouse.DimensionsRequest
	platforms := map[string]bool{}
	studyPlatforms := map[string][]string{}
	studyOrganism := map[string]string{}
	for _, c := range pl.columns {
		s := pl.samples[c.Sample]
		tech := ""
		if st := d.Study(c.Study); st != nil {
			tech = st.Technology
		}
		pf := p.normalizer.Normalize(s.Platform, tech)
		if pf.Accession != "" && !platforms[pf.Accession] {
			platforms[pf.Accession] = true
			req.Platforms = append(req.Platforms, warehouse.Platform{Accession: pf.Accession, Name: pf.Name, Manufacturer: pf.Manufacturer, Technology: pf.Technology})
		}
		if pf.Name != "" && !contains(studyPlatforms[c.Study], pf.Name) {
			studyPlatforms[c.Study] = append(studyPlatforms[c.Study], pf.Name)
		}
		if studyOrganism[c.Study] == "" {
			studyOrganism[c.Study] = s.Organism
		}
		dec := p.classifier.Classify(s)
		reports[c.Study].Illness[dec.Label]++
		reports[c.Study].Samples++
		var processed *bool
		if s.Processed.Valid {
			processed = &s.Processed.Val
		}
		req.Samples = append(req.Samples, warehouse.Sample{
			Accession: s.Accession, Title: s.Title, Organism: s.Organism, Platform: pf.Accession, Study: c.Study,
			Treatment: s.Treatment, CellLine: s.CellLine, Tissue: s.SpecimenPart, Processed: processed,
			ProcessorName: s.ProcessorName, ProcessorVersion: s.ProcessorVersion,
			Illness: string(dec.Label), IllnessMethod: string(dec.Method), IllnessRule: dec.Rule,
			IllnessField: dec.Field, IllnessMatched: dec.Matched,
		})
	}
	for _, acc := range pl.studies {
		row := warehouse.Study{Accession: acc, Organism: studyOrganism[acc], PlatformSummary: strings.Join(studyPlatforms[acc], "; ")}
		if st := d.Study(acc); st != nil {
			row.Title, row.PubmedID, row.Description = st.Title, st.PubmedID, st.Description
			row.Technology = platform.Technology(st.Technology)
			if row.Technology == platform.Other && st.Technology == "" {
				row.Technology = ""
			}
			if len(st.Organisms) > 0 {
				row.Organism = st.Organisms[0]
			}
			row.FirstPublished = timePtr(st.FirstPublished)
			row.LastModified = timePtr(st.LastModified)
		}
		if row.Technology == "" {
			row.Technology = studyTechnologyFromSamples(req.Platforms)
		}
		req.Studies = append(req.Studies, row)
	}
	return req
}

// studyTechnologyFromSamples returns the one technology the platforms agree
// on, or "".
func studyTechnologyFromSamples(ps []warehouse.Platform) string {
	t := ""
	for _, p := range ps {
		if t != "" && p.Technology != t {
			return ""
		}
		t = p.Technology
	}
	return t
}

func (p *Pipeline) studyQC(d *metadata.Dataset, study string, rs expression.Stats, st qc.StudyStats) warehouse.StudyQC {
	q := warehouse.StudyQC{
		KSWarning: d.KSWarning,
		Genes:     rs.Rows, Samples: int64(len(st.Measured)), Cells: st.Cells, MissingCells: st.Missing,
		DuplicateGenes: rs.DuplicateGenes,
	}
	if d.KSStatistic.Valid {
		q.KSStatistic = &d.KSStatistic.Val
	}
	if d.KSPValue.Valid {
		q.KSPValue = &d.KSPValue.Val
	}
	if d.QuantileNormalized.Valid {
		q.QuantileNormalized = &d.QuantileNormalized.Val
	}
	if d.QuantSFOnly.Valid {
		q.QuantSFOnly = &d.QuantSFOnly.Val
	}
	return q
}

// accumulator counts, per study, what validation needs while rows stream.
type accumulator struct {
	cols     []int    // matrix column indexes
	studyOf  []string // study of each loaded column
	sampleOf []string
	measured []int64 // non-missing cells per loaded column
	rows     int64
}

func newAccumulator(pl *plan) *accumulator {
	a := &accumulator{cols: pl.indexes, measured: make([]int64, len(pl.columns))}
	for _, c := range pl.columns {
		a.studyOf = append(a.studyOf, c.Study)
		a.sampleOf = append(a.sampleOf, c.Sample)
	}
	return a
}

func (a *accumulator) add(b *expression.WideBatch) {
	for r := range b.Genes {
		row := b.Row(r)
		for i, c := range a.cols {
			if v := row[c]; v == v {
				a.measured[i]++
			}
		}
	}
	a.rows += int64(len(b.Genes))
}

func (a *accumulator) study(s string) qc.StudyStats {
	st := qc.StudyStats{Study: s, Measured: map[string]int64{}}
	for i, study := range a.studyOf {
		if study != s {
			continue
		}
		st.Measured[a.sampleOf[i]] = a.measured[i]
		st.Cells += a.rows
		st.Missing += a.rows - a.measured[i]
	}
	return st
}

// step logs one pipeline step to the warehouse's process log.
type step struct {
	p     *Pipeline
	rec   warehouse.StepRecord
	start time.Time
}

func (p *Pipeline) startStep(ctx context.Context, runID, study, name string) *step {
	s := &step{p: p, start: time.Now(), rec: warehouse.StepRecord{
		LogID: NewID(), RunID: runID, Study: study, Step: name, Status: "RUNNING", Attempt: 1, StartedAt: time.Now().UTC(),
	}}
	if err := p.sink.LogStep(ctx, s.rec); err != nil {
		p.log.Warn("process log write failed", "step", name, "error", err)
	}
	return s
}

func (s *step) end(ctx context.Context, err error, read, written *int64) {
	now := time.Now().UTC()
	s.rec.EndedAt, s.rec.RowsRead, s.rec.RowsWritten = &now, read, written
	s.rec.Status = "SUCCESS"
	ctxJSON := map[string]any{"duration_ms": time.Since(s.start).Milliseconds()}
	if err != nil {
		s.rec.Status = "FAILED"
		s.rec.ErrorMessage = err.Error()
		if c, ok := qc.CodeOf(err); ok {
			code := int(c)
			s.rec.ErrorCode = &code
		}
	}
	b, _ := json.Marshal(ctxJSON)
	s.rec.Context = string(b)
	if err := s.p.sink.LogStep(context.WithoutCancel(ctx), s.rec); err != nil {
		s.p.log.Warn("process log write failed", "step", s.rec.Step, "error", err)
	}
}

// NewID returns a random identifier (a UUID version 4 string).
func NewID() string {
	var b [16]byte
	if _, err := io.ReadFull(rand.Reader, b[:]); err != nil {
		panic("genexp: crypto/rand failed: " + err.Error())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func timePtr(o metadata.Optional[time.Time]) *time.Time {
	if !o.Valid {
		return nil
	}
	t := o.Val
	return &t
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
