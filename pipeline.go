package genexp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/illness"
	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/platform"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// Pipeline loads downloads into a warehouse. Make one with New: Load and
// Features of a zero or nil Pipeline fail with ConfigInvalid. A Pipeline is safe for concurrent use (its
// concurrent Loads call its sink concurrently: a sink of one's own must be
// safe for that, see warehouse.WarehouseSink), and Loads read side by side; into one DuckDB warehouse, though, one load holds it
// from its first matrix's Begin to that matrix's commit, and another that
// wants it then waits up to the DSN's busy_timeout (none by default) and
// fails busy (qc.WarehouseBusy), as a second process would.
type Pipeline struct {
	sink       warehouse.WarehouseSink
	cfg        Config
	classifier illness.IllnessClassifier
	normalizer platform.PlatformNormalizer
	log        *slog.Logger
	progress   func(Progress)
	openOpts   []DownloadOption
	studyRe    *regexp.Regexp
	dsn        string
	secrets    []string
	runs       sync.Map // run id → *runTries, while its Load runs (steps.go)
	// fields are the sample fields the configuration's illness settings
	// name, checked against each run's samples (see configUse); none when
	// WithClassifier replaced the configuration's classifier.
	fields []configField
	// openMatrix and melter replace the expression.Reader and the
	// expression.ColumnMelter when set (WithMatrixReader, WithMelter).
	openMatrix func(io.Reader, string) (expression.MatrixReader, error)
	melter     expression.Melter
	// exclude holds processing.exclude_samples, trimmed.
	exclude map[string]bool
}

// Option configures a Pipeline.
type Option func(*Pipeline)

// WithConfig sets the configuration. Default DefaultConfig().
func WithConfig(c Config) Option { return func(p *Pipeline) { p.cfg = c } }

// WithClassifier replaces the illness classifier. Default: the one the
// configuration describes. The configuration's overrides
// (illness_inference.overrides) still decide the samples they name
// (illness.Overridden); its other illness settings do not apply. The
// pipeline reads a study's samples through ClassifyCohort or
// ClassifyInStudy when c has them (illness.Decide). A label must be one of
// illness.Labels, in any spelling illness.ParseLabel reads, or "" for
// UNKNOWN; any other label fails the sample's study in its transform step
// with IllnessInferenceFailed, before anything of it is written. A nil c,
// typed or not, keeps the configuration's classifier.
func WithClassifier(c illness.IllnessClassifier) Option {
	return func(p *Pipeline) { p.classifier = c }
}

// WithNormalizer replaces the platform normalizer. Default (and for a nil
// n, typed or not): the one the configuration describes.
func WithNormalizer(n platform.PlatformNormalizer) Option {
	return func(p *Pipeline) { p.normalizer = n }
}

// WithMatrixReader replaces how a matrix's rows are read. open is given
// each matrix's bytes (decompressed when the file is gzipped) and its name,
// and returns the reader of its rows; default expression.NewReader, with
// batches of processing.chunk_size rows.
//
// What the pipeline needs beyond Next, Batch and Err it takes without a
// second read: it hashes the bytes open's reader reads (the content hash
// of the batch id, BatchID), and reads the rest of them into the hash once
// the rows end, so that the same bytes give the same batch id whichever
// reader read them; it takes the header from a Header() *expression.Header
// method when the reader has one (expression.HeaderReader; else from its
// first batch), the reader's findings from a Findings() []*qc.Error method
// (expression.FindingsReader), and its count of dropped repeated gene rows
// from a Stats() expression.Stats method (expression.StatsReader). A batch must
// have len(Genes) × len(Header.Names) values; its rows are numbered from
// line 2 when its Lines are not one per gene, which must increase from row
// to row. Gene ids must be unique in a matrix, as expression.Reader makes
// them. A batch that breaks these fails its study with an InvalidFormat
// error naming the matrix, before anything is written; so does a reader
// whose first Next gives no batch. A value or a gene id expression.Reader
// would refuse in a file (infinite or beyond ±expression.MaxMagnitude;
// an id expression.IDProblem finds fault with) fails it with the code
// that reader gives, at its line and column; an error of the reader that
// is not a *qc.Error is reported as a ParseError naming the matrix.
//
// An open that returns neither a reader (nil, typed or not) nor an error
// fails the matrix with InvalidFormat. A nil open keeps the default,
// expression.NewReader. In a SPECIES download of several matrices, open is
// called twice for each: first to read its header only (which matrices
// hold parts of one study, loaded together), then to read it.
func WithMatrixReader(open func(r io.Reader, name string) (expression.MatrixReader, error)) Option {
	return func(p *Pipeline) { p.openMatrix = open }
}

// WithMelter replaces how each batch of rows is melted to long rows.
// Default (also for a nil m, or an interface holding a nil pointer): an
// expression.ColumnMelter of the matrix's loaded columns with the
// configuration's missing policy. m melts every batch of every matrix,
// whichever columns it keeps (Columns nil keeps all); of its long rows the
// pipeline keeps those of the columns it loads (matched to a sample of a
// study being loaded) and drops missing values unless
// processing.missing_values keeps them. A long row naming a gene or a
// column outside the batch, a gene that is not the batch's gene of the same
// line, or a cell that another long row already gave fails the matrix with
// DimensionLookupFailed; a value infinite or beyond
// ±expression.MaxMagnitude fails it with ParseError. An
// expression.ColumnMelter keeping a column the matrix does not have fails
// it with DimensionLookupFailed before it melts (it would index past the
// batch). The checks of the quality thresholds read the matrix as read,
// not as melted.
func WithMelter(m expression.Melter) Option { return func(p *Pipeline) { p.melter = m } }

// WithLogger sets the structured logger. Default: discard.
//
// A run logs the end of each step of each study at INFO ("step done",
// "step skipped"), or at ERROR ("step failed", with the error's code and,
// when it says, its line, column and JSON path), and each finding as one
// "finding" record: at WARN for a WARNING, ERROR for an ERROR, INFO
// otherwise, with run, study, code, code_name, severity, file, line,
// column, path and detail as it has them. A study logs at most 20
// findings, the most severe first, then one record counting the rest (the
// report and meta_data_validation_log hold them all). DEBUG adds, per
// matrix, its column plan ("column plan": columns matched, left out by the
// study filter, skipped); per study, the classifier's decisions by method
// and by rule ("illness decided"); per commit, its file hash and each
// study's batch and outcome ("committing", "committed"). Secrets are
// redacted from every record (WithWarehouseDSN).
func WithLogger(l *slog.Logger) Option { return func(p *Pipeline) { p.log = l } }

// WithProgress sets a function called as each batch of a matrix is loaded.
// Default: none.
func WithProgress(f func(Progress)) Option { return func(p *Pipeline) { p.progress = f } }

// WithWarehouseDSN names the warehouse the sink writes to, for the logs:
// each run logs it with its secrets redacted (qc.RedactDSN), and its
// secrets, and those of the configuration's connection string, are scrubbed
// from every message the pipeline logs or records. Default: none.
func WithWarehouseDSN(dsn string) Option { return func(p *Pipeline) { p.dsn = dsn } }

// WithDownloadOptions passes options to OpenDownload for every path loaded.
func WithDownloadOptions(opts ...DownloadOption) Option {
	return func(p *Pipeline) { p.openOpts = append(p.openOpts, opts...) }
}

// Progress reports a matrix being loaded.
type Progress struct {
	// Matrix names the matrix being read (matrices loaded together:
	// joined by " + ", and Bytes and TotalBytes are theirs together).
	Matrix string
	// Bytes of the matrix read so far, of TotalBytes (-1 when unknown).
	Bytes, TotalBytes int64
	// Cells read so far.
	Cells   int64
	Elapsed time.Duration
}

// New returns a pipeline that loads into sink. It does not touch the
// warehouse: the sink's Open (duckdb.Open, mssql.Open) creates or
// migrates its schema. A section of the configuration (WithConfig) left at
// its zero value takes DefaultConfig's (see Config). A nil sink or option,
// or a nil DownloadOption given to WithDownloadOptions, is a ConfigInvalid
// error.
func New(sink warehouse.WarehouseSink, opts ...Option) (*Pipeline, error) {
	if isNil(sink) {
		return nil, qc.Errorf(qc.ConfigInvalid, "genexp: New needs a warehouse sink, got nil")
	}
	p := &Pipeline{sink: sink, cfg: DefaultConfig()}
	for i, o := range opts {
		if o == nil {
			return nil, qc.Errorf(qc.ConfigInvalid, "genexp: option %d of New is nil", i+1)
		}
		o(p)
	}
	for i, o := range p.openOpts {
		if o == nil {
			return nil, qc.Errorf(qc.ConfigInvalid, "genexp: download option %d (WithDownloadOptions) is nil", i+1)
		}
	}
	p.cfg = p.cfg.withDefaults()
	if err := p.cfg.Validate(); err != nil {
		return nil, &qc.Error{Code: qc.ConfigInvalid, Severity: qc.SeverityError, Msg: "genexp: invalid configuration", Err: err}
	}
	if isNil(p.classifier) {
		c, err := p.cfg.Classifier()
		if err != nil {
			return nil, err
		}
		p.classifier = c
		p.fields = configFields(p.cfg.Illness, c.Fields())
	} else {
		c, err := illness.Overridden(p.classifier, p.cfg.Illness.Overrides)
		if err != nil {
			return nil, err
		}
		p.classifier = c
	}
	if isNil(p.normalizer) {
		p.normalizer = p.cfg.Normalizer()
	}
	if isNil(p.melter) {
		p.melter = nil // a typed nil (a nil *ColumnMelter) is no melter: the default melts
	}
	p.exclude = map[string]bool{}
	for _, acc := range p.cfg.Processing.ExcludeSamples {
		p.exclude[strings.TrimSpace(acc)] = true
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	p.secrets = jsonForms(append(qc.DSNSecrets(p.cfg.Database.ConnectionString), qc.DSNSecrets(p.dsn)...))
	if pat := p.cfg.Processing.StudyCodePattern; pat != "" {
		p.studyRe = regexp.MustCompile(`^(?:` + pat + `)$`)
	}
	return p, nil
}

// made reports a Pipeline that New did not make (nil, or the zero value,
// which has no sink, configuration or classifier) as a ConfigInvalid
// error rather than a nil dereference deep inside a run.
func (p *Pipeline) made() error {
	if p == nil || p.sink == nil || p.classifier == nil {
		return qc.Errorf(qc.ConfigInvalid, "genexp: the Pipeline was not made by New")
	}
	return nil
}

// Report is what a Load did.
type Report struct {
	RunID   string
	Studies []StudyReport
	// Findings are problems not tied to one study (unreadable downloads,
	// skipped files), and, at the end of a run that read all its paths,
	// the illness settings that nothing of the run used: an override that
	// names no sample of the run, a configured field that held no value in
	// any of its samples, or a rule's field the classifier does not read
	// (IllnessInferenceFailed at WARNING, each logged at WARN). They are
	// warnings, not errors: overrides may name samples of other downloads.
	// A run on a sink that does not compute features, with the analytics
	// step on, ends with one MaterializationFailed WARNING saying so.
	Findings []*qc.Error
	// Errors are failures not tied to one study, such as a download that
	// cannot be opened.
	Errors []error
	// Unopened are the inputs that could not be opened at all, in the
	// order given; each one's error is in Errors too.
	Unopened []Unopened
}

// Unopened is an input of a run that could not be opened: a path that
// does not exist, a zip that is not one, a folder with no matrix.
type Unopened struct {
	// Path is the input as given.
	Path string
	// Study is the study accession the path or its error names, "" when
	// none does; the process log records the failed extract under it.
	Study string
	// Err is why it could not be opened (also in Report.Errors).
	Err error
}

// Err returns the run's failures, the downloads' (Errors) and then the
// studies', joined (errors.Join); nil when none failed. errors.Is and
// errors.As see each one.
func (r *Report) Err() error {
	errs := append([]error(nil), r.Errors...)
	for _, s := range r.Studies {
		if s.Err != nil {
			errs = append(errs, s.Err)
		}
	}
	return errors.Join(errs...)
}

// Failed reports whether any study or download failed.
func (r *Report) Failed() bool { return r.Err() != nil }

// StudyReport is what a Load did to one study.
type StudyReport struct {
	Study string
	// Matrix names the matrix the study was read from; matrices loaded
	// together (a study split between a SPECIES download's organism
	// matrices) are named joined by " + ".
	Matrix  string
	BatchID string
	// Outcome is new, replaced or duplicate; "" when the study failed;
	// Skipped or NotStarted when it was not read.
	Outcome warehouse.Outcome
	// Samples and Genes are the study's samples and genes in its matrix
	// (its columns that are the study's samples, and its gene rows).
	Samples int
	Genes   int64
	// Cells read for the study, Missing among them; Rows the fact rows
	// the study holds after the load, and RowsWritten those this load
	// wrote. They differ for a duplicate, which writes nothing and holds
	// the rows of its first load: the same rows, since a duplicate has the
	// same content and load signature (see warehouse.LoadSignature). Both
	// are 0 for a study that failed before its commit.
	Cells, Missing, Rows, RowsWritten int64
	// Illness counts the study's samples by the label this run decided;
	// IllnessKept counts those it decided nothing for: the run holds no
	// metadata of them, so the warehouse keeps the label it recorded
	// (UNKNOWN for a sample it did not hold; see
	// warehouse.Sample.KeepIllness).
	Illness     map[illness.Label]int
	IllnessKept int
	// Excluded counts the study's samples the configuration keeps out of
	// analysis (processing.exclude_samples): loaded and counted in Illness
	// or IllnessKept, but left out of the views and the features.
	Excluded int
	Duration time.Duration
	// KS is the recomputed Kolmogorov–Smirnov check (the worst sample
	// against the study's pool); nil when it could not run (fewer than two
	// samples with values, or the check turned off).
	KS *qc.KSResult
	// Findings are every finding about the study, in the order they were
	// made; Err is the first ERROR among them (or the failure that stopped
	// the study), nil when the study loaded. When the study loaded but its
	// features failed, Outcome is set and Err is the MaterializationFailed
	// error. A study the caller's context stopped has the error that
	// stopped it, which errors.Is matches with context.Canceled.
	Findings []*qc.Error
	Err      error
	// Checked reports that the study's checks ran to their end (its
	// validate step ended), so that its findings are complete, whatever
	// stopped the run after them.
	Checked bool
	// Features is what the analytics step did; nil when it did not run.
	// A run stopped after the study's commit reports its features failed
	// (Features.Err and Err are set, the facts are loaded).
	Features *FeatureReport
}

// runTimeout is the cause of a run's context that processing.timeout_seconds
// ended.
type runTimeout struct{ seconds int }

func (t runTimeout) Error() string {
	return fmt.Sprintf("the run took longer than processing.timeout_seconds (%d s)", t.seconds)
}

// Is makes the cause a deadline to errors.Is, as the context's own error
// is: a step's error wrapping the cause still says the run timed out.
func (runTimeout) Is(target error) bool { return target == context.DeadlineExceeded }

// stopErr is the error a run its context stopped returns: for
// processing.timeout_seconds, a *qc.Error of code TimedOut wrapping err
// (context.DeadlineExceeded); for anything else (the caller's own deadline
// or cancellation) err itself.
func stopErr(ctx context.Context, err error) error {
	var t runTimeout
	if errors.As(context.Cause(ctx), &t) {
		return &qc.Error{Code: qc.TimedOut, Severity: qc.SeverityError, Msg: t.Error(), Err: err}
	}
	return err
}

// stoppedRun returns stopErr(ctx, err) for a run its context stopped, and
// gives the studies processing.timeout_seconds cut short the same coded
// error: a study's error was the driver's words for a cancelled
// statement, which carry no code.
func stoppedRun(ctx context.Context, rep *Report, err error) error {
	var t runTimeout
	if !errors.As(context.Cause(ctx), &t) {
		return err
	}
	for i := range rep.Studies {
		s := &rep.Studies[i]
		if _, coded := qc.CodeOf(s.Err); s.Err == nil || coded || !errors.Is(s.Err, context.DeadlineExceeded) {
			continue
		}
		s.Err = stopErr(ctx, s.Err)
	}
	return stopErr(ctx, err)
}

// Load loads each path (a download zip or folder, a study folder, or a
// matrix). A failed study does not stop the others: its error is in the
// report; only a warehouse that can take nothing more
// (warehouse.ErrInvalidated, warehouse.ErrDamaged) stops the run, with an error in the report's
// Errors. The returned error is non-nil only when the context ends (ctx's
// error) or processing.timeout_seconds passes (a *qc.Error of code
// TimedOut, which errors.Is also matches with context.DeadlineExceeded):
// the report then holds a NotStarted row for each matrix and path the run
// never began, whose Err is nil, so Report.Err alone does not tell a
// stopped run; or when p was not made by New (a zero or nil Pipeline: a
// ConfigInvalid error, and an empty report).
func (p *Pipeline) Load(ctx context.Context, paths ...string) (*Report, error) {
	if err := p.made(); err != nil {
		return &Report{}, err
	}
	rep := &Report{RunID: NewID()}
	defer p.beginRun(ctx, rep.RunID)()
	defer p.featuresUnsupported(ctx, rep)
	target := p.dsn
	if target == "" {
		target = p.cfg.Database.ConnectionString
	}
	p.log.Info("run started", "run", rep.RunID, "warehouse", p.redact(qc.RedactDSN(target)), "paths", len(paths))
	if d := p.cfg.Processing.TimeoutSeconds; d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, time.Duration(d)*time.Second, runTimeout{d})
		defer cancel()
	}
	// claimed is the first matrix of this run to hold each study: a later
	// matrix holding it (a study in two differently named matrices of one
	// download, or in two downloads) must not replace what the first loaded.
	// A claim whose study failed before its commit is given up, so that a
	// later copy may load.
	claimed := map[string]claimRecord{}
	// sources are the matrices the run read, by where their bytes are: a
	// matrix two paths reach (a folder and a folder or zip inside it) is
	// read once.
	sources := map[string]string{}
	// read are the matrices earlier paths held, to tell a copy of one
	// byte for byte in a later path (a zip given beside the folder it was
	// unzipped to): it is read once, as it is inside one folder given.
	var read []*stored
	use := p.newConfigUse()
	paths, notes := downloadFiles(paths)
	paths = p.distinctPaths(paths)
	p.recordFindings(ctx, rep.RunID, "", "", notes)
	p.logFindings(ctx, rep.RunID, "", notes)
	rep.Findings = append(rep.Findings, notes...)
	for i, path := range paths {
		if err := ctx.Err(); err != nil {
			p.notStarted(ctx, rep, nil, paths[i:])
			return rep, stoppedRun(ctx, rep, err)
		}
		d, err := OpenDownload(path, p.openOpts...)
		if err != nil {
			use.unplanned++
			p.downloadFailed(ctx, rep.RunID, path, err)
			study := p.downloadStudy(path, err)
			err = p.redactErr(err)
			rep.Errors = append(rep.Errors, err)
			rep.Unopened = append(rep.Unopened, Unopened{Path: p.redact(path), Study: study, Err: err})
			continue
		}
		p.cfg.Quality.Apply(d.Findings)
		p.recordFindings(ctx, rep.RunID, "", "", d.Findings)
		p.logFindings(ctx, rep.RunID, "", d.Findings)
		rep.Findings = append(rep.Findings, d.Findings...)
		use.download(path, d.Metadata, d.added)
		var here []*stored // the matrices of this path read, for later paths
		units := p.matrixUnits(d)
		for j, unit := range units {
			if err := ctx.Err(); err != nil {
				p.notStarted(ctx, rep, slices.Concat(units[j:]...), paths[i+1:])
				d.Close()
				return rep, stoppedRun(ctx, rep, err)
			}
			var kept []*Matrix
			for _, m := range unit {
				if k := sourceKey(m); k != "" {
					if first, ok := sources[k]; ok {
						p.log.Info("matrix reached again, read once", "matrix", m.Name, "same_as", first)
						continue
					}
					sources[k] = m.Name
				}
				var st *stored
				if m.err == nil {
					st = storedOf(m)
					st.meta = d.holding(m).Metadata
				}
				if first := sameAsRead(read, st); first != nil {
					fs := []*qc.Error{sameFileFinding(m, first)}
					p.cfg.Quality.Apply(fs)
					p.recordFindings(ctx, rep.RunID, "", "", fs)
					p.logFindings(ctx, rep.RunID, "", fs)
					rep.Findings = append(rep.Findings, fs...)
					continue
				}
				if st != nil {
					here = append(here, st)
				}
				kept = append(kept, m)
			}
			if len(kept) == 0 {
				continue
			}
			name := unitName(kept)
			studies := p.loadMatrix(ctx, rep.RunID, d, kept, claimed, use)
			for _, sr := range studies {
				p.logFindings(ctx, rep.RunID, sr.Study, sr.Findings)
				if c, ok := claimed[sr.Study]; ok && c.file == name && sr.Outcome == "" {
					delete(claimed, sr.Study) // nothing of it loaded
				}
			}
			rep.Studies = append(rep.Studies, studies...)
			if err := invalidated(studies); err != nil {
				d.Close()
				p.log.Error("run stopped: the warehouse can take nothing more", "run", rep.RunID, "error", p.redact(err.Error()))
				rep.Errors = append(rep.Errors, fmt.Errorf("run stopped at %s, nothing after it was loaded: %w", name, err))
				return rep, nil
			}
		}
		read = append(read, here...)
		if err := d.Close(); err != nil {
			rep.Errors = append(rep.Errors, p.redactErr(err))
		}
	}
	if err := ctx.Err(); err != nil {
		return rep, stoppedRun(ctx, rep, err)
	}
	unused := p.redactFindings(use.findings())
	p.cfg.Quality.Apply(unused)
	p.logFindings(ctx, rep.RunID, "", unused)
	p.recordFindings(ctx, rep.RunID, "", "", unused)
	rep.Findings = append(rep.Findings, unused...)
	return rep, nil
}

// NotStarted is the Outcome of a matrix, or of a path, that a run stopped
// by its context or by processing.timeout_seconds never began. Its
// StudyReport names the study the matrix or path is named after ("" when
// its name is no study code, such as a species matrix, whose studies are
// known only once its header is read) and, in Matrix, the matrix or the
// path; its counts are 0 and it has no error.
const NotStarted warehouse.Outcome = "not started"

// notStarted reports the matrices ms of an open download and the paths a
// stopped run never began, each as a NotStarted row, and logs the four
// steps of each one named after a study SKIPPED with the reason the run
// stopped ("interrupted" or "timed out"), so that the process log and
// health say what is left to load. The paths are not opened: opening a
// download parses its metadata, seconds for a large one, which a stopped
// run must not spend; a path is reported once, under the study its name
// is (see downloadStudy), or under no study, by its file, when its name
// is none.
func (p *Pipeline) notStarted(ctx context.Context, rep *Report, ms []*Matrix, paths []string) {
	cause := ctx.Err()
	add := func(study, file string) {
		rep.Studies = append(rep.Studies, StudyReport{Study: study, Matrix: file, Outcome: NotStarted})
		// A path or matrix whose name is no study code is logged under
		// no study, by its file: health counts what is left to load.
		p.newSteps(rep.RunID, file).finish(ctx, []string{study}, "", cause, "")
	}
	for _, m := range ms {
		add(p.studyNamed(m.Base), m.Name)
	}
	for _, path := range paths {
		add(p.downloadStudy(path, nil), path)
	}
	if n := len(ms) + len(paths); n > 0 {
		p.log.Warn("run stopped: matrices and paths not started", "run", rep.RunID, "not_started", n, "reason", p.redact(cause.Error()))
	}
}

// downloadFiles reads a shell glob of an unzipped download (genexp load
// dl/*) as the download: when the paths name every entry of one folder
// (hidden ones aside, as a glob leaves them out) and that folder is a
// download's (a README, LICENSE or metadata JSON among them), they are
// replaced, where the first of them stands, by that folder, which is then
// read as genexp load dl reads it, its metadata JSON, filtered-samples
// files and README included, with an INFO note. Of paths that name only some
// entries of a folder, a file a download holds beside its studies (a
// README or LICENSE, aggregated_metadata.json or metadata.json, a
// filtered-samples file) is taken out with an INFO note when another path
// of that folder is a study (its folder, a matrix or a zip): it is no
// download, and would fail as one; its metadata is read when the folder is
// loaded. A path given alone, or beside only such files, is kept, and
// fails as what it is: no matrix.
func downloadFiles(paths []string) (kept []string, notes []*qc.Error) {
	dirOf := func(path string) string {
		abs, err := filepath.Abs(path)
		if err != nil {
			return ""
		}
		dir := filepath.Dir(abs)
		if real, err := filepath.EvalSymlinks(dir); err == nil {
			return real
		}
		return dir
	}
	byDir := map[string][]string{}
	dirs := make(map[string]string, len(paths))
	siteFiles := map[string]bool{} // a download's files beside its studies
	for _, path := range paths {
		d := dirOf(path)
		dirs[path] = d
		if d != "" {
			byDir[d] = append(byDir[d], path)
		}
		if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
			switch k, acc := classifyFile(filepath.Base(path)); k {
			case kindIgnored, kindFiltered:
				siteFiles[path] = true
			case kindJSON:
				siteFiles[path] = acc == "" // not an organism's metadata_HOMO_SAPIENS.json
			}
		}
	}
	siteFile := func(path string) bool { return siteFiles[path] }
	whole := map[string]bool{} // download folders every entry of which is given
	for dir, given := range byDir {
		if len(given) < 2 {
			continue
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		names := map[string]bool{}
		for _, p := range given {
			names[filepath.Base(filepath.Clean(p))] = true
		}
		all := true
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), ".") && !names[e.Name()] {
				all = false
				break
			}
		}
		// Only a download's own folder: one holding the files a download
		// holds beside its studies. A folder of downloads (dl1/ dl2/) or
		// of zips is read path by path, each its own download.
		whole[dir] = all && slices.ContainsFunc(given, siteFile)
	}
	hasStudy := map[string]bool{}
	for dir, given := range byDir {
		for _, p := range given {
			if !siteFile(p) {
				hasStudy[dir] = true
			}
		}
	}
	for _, path := range paths {
		dir := dirs[path]
		switch {
		case whole[dir]:
			if given := byDir[dir]; path == given[0] {
				folder := filepath.Dir(filepath.Clean(path))
				kept = append(kept, folder)
				notes = append(notes, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityInfo, File: folder,
					Msg: fmt.Sprintf("its %d entries were given one by one, as a shell glob gives them: read as the download folder they are", len(given))})
			}
		case siteFile(path) && hasStudy[dir]:
			msg := "skipped: not a download but a file of the folder that holds one (README and LICENSE files are not read)"
			if k, _ := classifyFile(filepath.Base(path)); k != kindIgnored {
				msg = "skipped: not a download but its metadata, which is read when its folder is loaded (genexp load " +
					filepath.Dir(filepath.Clean(path)) + "); the study folders given are read with their own sample sheets"
			}
			notes = append(notes, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityInfo, File: path, Msg: msg})
		default:
			kept = append(kept, path)
		}
	}
	return kept, notes
}

// distinctPaths drops each path that names the same file or folder as an
// earlier one (given twice, spelled two ways, or reached through a
// symbolic link, as overlapping shell globs do): read again, its studies
// would be refused as copies of themselves (see claim). A path that
// cannot be read is kept, for OpenDownload to say why.
func (p *Pipeline) distinctPaths(paths []string) []string {
	type read struct {
		path string
		fi   os.FileInfo
	}
	out := make([]string, 0, len(paths))
	var seen []read
next:
	for _, path := range paths {
		fi, err := os.Stat(path)
		if err != nil {
			out = append(out, path)
			continue
		}
		for _, s := range seen {
			if os.SameFile(s.fi, fi) {
				p.log.Info("path given more than once, read once", "path", path, "same_as", s.path)
				continue next
			}
		}
		out = append(out, path)
		seen = append(seen, read{path, fi})
	}
	return out
}

// sourceKey names where a matrix's bytes are, whichever path reached them:
// the real path of its file, or of its zip with the entry's name; "" when
// that cannot be told.
func sourceKey(m *Matrix) string {
	if real, err := realPath(m.Name); err == nil {
		return real
	}
	if i := strings.LastIndexByte(m.Name, '!'); i > 0 {
		if real, err := realPath(m.Name[:i]); err == nil {
			return real + "!" + m.Name[i+1:]
		}
	}
	return ""
}

// downloadFailed logs a download that could not be opened: an extract
// FAILED row (and the other steps SKIPPED) under the study its path or the
// failing file names, and its finding, so that the failure is in the
// warehouse's logs and health, not only on the terminal. The FAILED step's
// record is the one ERROR record of the failure: it names the path (file),
// the error and its code.
func (p *Pipeline) downloadFailed(ctx context.Context, runID, path string, err error) {
	study := p.downloadStudy(path, err)
	log := p.newSteps(runID, path)
	log.start(ctx, stepExtract, time.Now(), study)
	log.finish(ctx, []string{study}, stepExtract, err, "")
	p.recordInputError(ctx, runID, "", study, err)
}

// recordInputError writes err to meta_data_validation_log when it is a
// finding about the input (codes below 4000): a file that cannot be read is
// as much a finding as a rule it breaks. Warehouse failures are in the
// process log only.
func (p *Pipeline) recordInputError(ctx context.Context, runID, batchID, study string, err error) {
	var e *qc.Error
	if !errors.As(err, &e) || e.Code >= 4000 {
		return
	}
	p.recordFindings(ctx, runID, batchID, study, []*qc.Error{e})
}

// loadMatrix loads one matrix and reports on each of its studies. The
// matrix is streamed once: its rows are staged in the warehouse batch as
// they are read, validation runs when the last row is in, and only the
// studies that pass are committed; nothing of a rejected study is ever
// visible. Every step is logged per study (see steps.go). claimed holds,
// by study, the matrix of this run that first held it (see claim).
func (p *Pipeline) loadMatrix(ctx context.Context, runID string, d *Download, ms []*Matrix, claimed map[string]claimRecord, use *configUse) []StudyReport {
	m := ms[0]
	d = d.holding(m)
	start := time.Now()
	if len(ms) > 1 {
		m = &Matrix{Name: unitName(ms)}
	}
	log := p.newSteps(runID, m.Name)
	// fail reports a matrix that could not be read far enough to know its
	// studies: it is logged under the matrix's own accession, once, by the
	// failed step's record (which names the matrix); under no study when
	// its name is no study code (a species matrix, or a zip named
	// "download_2"), as a download that does not open is. The extract of
	// a matrix stopped at its header read no rows.
	planned := false
	fail := func(step string, err error, found ...*qc.Error) []StudyReport {
		if !planned {
			use.unplanned++
		}
		study := p.studyNamed(m.Base)
		if study != "" {
			err = errorOfStudy(err, study)
		}
		log.start(ctx, stepExtract, start, study)
		if step != stepExtract {
			zero := int64(0)
			log.end(ctx, stepExtract, study, stepEnd{read: &zero, context: map[string]any{"header_only": true}})
		}
		log.finish(ctx, []string{study}, step, err, "")
		if len(found) == 0 {
			p.recordInputError(ctx, runID, "", study, err)
		}
		return []StudyReport{{Study: study, Matrix: m.Name, Err: err, Findings: found, Duration: time.Since(start)}}
	}
	var (
		r      matrixRows
		closer io.Closer
		pl     *plan
		err    error
	)
	if len(ms) == 1 {
		if r, closer, err = p.openRows(m); err == nil {
			pl = resolveColumns(r.Header(), d.Metadata, m, p.studyRe)
		}
	} else {
		m, r, closer, pl, err = p.openUnit(d, ms)
	}
	if err != nil {
		return fail(stepExtract, err)
	}
	defer closer.Close()
	planned = true
	use.named(pl.named)
	p.cfg.Quality.Apply(pl.findings)
	p.logPlan(ctx, runID, m.Name, len(r.Header().Names), pl)
	if len(pl.columns) == 0 && len(pl.excludedOrder) > 0 {
		return pl.skipped(m.Name) // excluded by the study filter: not a failure
	}
	if len(pl.columns) == 0 {
		study := p.studyNamed(m.Base)
		err := &qc.Error{Code: qc.SampleMismatch, Severity: qc.SeverityError, File: m.Name, Study: study,
			Msg: "no matrix column could be matched to a sample; nothing to load"}
		found := append([]*qc.Error{err}, pl.findings...)
		if pl.reason != nil && pl.reason.Severity == qc.SeverityError {
			// The finding about the whole matrix says it all, as the
			// study's failure and as its one finding: one error, under
			// its study, printed once.
			if pl.reason.Study == "" {
				pl.reason.Study = study
			}
			err, found = pl.reason, pl.findings
		} else if len(pl.findings) > 0 {
			// Its message only: the finding is listed (with its code) on
			// its own.
			err.Msg += " (first: " + pl.findings[0].Msg + ")"
		}
		p.recordFindings(ctx, runID, "", study, found)
		return fail(stepValidate, err, found...)
	}
	log.start(ctx, stepExtract, start, pl.studies...)
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
	// out finishes the reports; err, when set, is the failure of step: it
	// fails every study that has no error yet, and is logged as that step's
	// failure. Every step not yet logged ends SKIPPED.
	all := pl.studies // pl loses the studies that fail before the load
	// uncommitted are the findings of each study that validation passed,
	// which its commit writes with its batch: when the load fails or is
	// stopped before that, out records them on their own, as a rejected
	// study's are.
	uncommitted := map[string][]*qc.Error{}
	out := func(step string, err error) []StudyReport {
		if len(all) == 1 {
			err = errorOfStudy(err, all[0])
		}
		err = p.redactErr(err)
		var failed []string
		res := make([]StudyReport, 0, len(all))
		for _, s := range all {
			sr := reports[s]
			sr.Duration = time.Since(start)
			if err != nil && sr.Err == nil {
				sr.Err = err
				failed = append(failed, s)
				p.recordFindings(ctx, runID, sr.BatchID, s, uncommitted[s])
				p.recordInputError(ctx, runID, "", s, err)
			}
			res = append(res, *sr)
		}
		log.finish(ctx, failed, step, err, "")
		log.finish(ctx, all, "", nil, "the study was rejected")
		return res
	}

	// reject fails the studies in bad at step; the plan loses their
	// columns, so the matrix's other studies load.
	reject := func(step string, bad map[string]*qc.Error) {
		for _, s := range pl.studies {
			if err, ok := bad[s]; ok {
				sr := reports[s]
				sr.Findings = append(sr.Findings, err)
				sr.Err, sr.Duration = err, time.Since(start)
				p.recordInputError(ctx, runID, "", s, err)
				log.finish(ctx, []string{s}, step, err, "")
			}
		}
		pl = pl.without(bad)
	}
	reject(stepValidate, claim(claimed, pl, m.Name, d.holding(ms[0])))
	if len(pl.studies) == 0 {
		return out("", nil)
	}

	t0 := time.Now()
	log.start(ctx, stepTransform, t0, pl.studies...)
	decisions, bad := p.classify(ctx, runID, d.Metadata, pl, m.Name, use)
	reject(stepTransform, bad)
	if len(pl.studies) == 0 {
		return out("", nil)
	}
	dims := p.dimensions(d.Metadata, pl, m.Name, reports, decisions)
	log.addBusy(stepTransform, time.Since(t0))

	t0 = time.Now()
	log.start(ctx, stepLoad, t0, pl.studies...)
	source := make([]string, len(ms))
	for i, m := range ms {
		source[i] = absoluteName(m.Name)
	}
	batch, err := p.sink.Begin(ctx, warehouse.BeginRequest{RunID: runID, FileName: p.redact(m.Name), SourcePath: p.redact(strings.Join(source, groupSeparator)), Columns: pl.columns})
	if err != nil {
		return out(stepLoad, err)
	}
	defer batch.Abort(context.WithoutCancel(ctx))
	log.addBusy(stepLoad, time.Since(t0))
	acc := newAccumulator(pl, p.cfg.ksRows(len(pl.columns)))
	keep := p.cfg.MissingPolicy() == expression.KeepMissing
	acc.keepMissing = keep
	melter := expression.ColumnMelter{Columns: pl.matrixColumns(), Missing: p.cfg.MissingPolicy()}
	// A melter of the caller's (WithMelter) is kept to the loaded columns,
	// and what it staged is counted by column.
	var loaded []bool
	var perColumn []int64
	if p.melter != nil {
		loaded = make([]bool, len(r.Header().Names))
		for _, c := range melter.Columns {
			loaded[c] = true
		}
		perColumn = make([]int64, len(loaded))
	}
	// Matrices loaded together are melted one matrix's columns at a time:
	// a row of one holds nothing of the others' samples, not even a
	// missing cell kept as NULL.
	unit, _ := r.(*groupRows)
	var partCols [][]int
	var partLoaded [][]bool
	if unit != nil {
		partCols = unit.byPart(melter.Columns)
		acc.parts = make([]int, len(pl.indexes))
		for i, c := range pl.indexes {
			acc.parts[i] = unit.partOf(c)
		}
		if loaded != nil {
			for _, cols := range partCols {
				l := make([]bool, len(loaded))
				for _, c := range cols {
					l[c] = true
				}
				partLoaded = append(partLoaded, l)
			}
		}
	}
	var lb expression.LongBatch
	for {
		t0 = time.Now()
		more := r.Next()
		if more {
			acc.add(r.Batch())
		}
		log.addBusy(stepExtract, time.Since(t0))
		if !more {
			break
		}
		t0 = time.Now()
		if unit != nil {
			melter.Columns = partCols[unit.cur]
			if partLoaded != nil {
				loaded = partLoaded[unit.cur]
			}
		}
		if p.melter == nil {
			melter.Melt(&lb, r.Batch())
		} else if err := customMelt(p.melter, &lb, r.Batch(), loaded, keep, perColumn, m.Name); err != nil {
			return out(stepTransform, err)
		}
		t1 := time.Now()
		log.addBusy(stepTransform, t1.Sub(t0))
		if err := ctx.Err(); err != nil {
			// A stopped run ends here whatever the sink: one that writes
			// nothing (validate, a dry run) never looks at the context.
			return out(stepLoad, fmt.Errorf("staging the rows of %s: %w", m.Name, err))
		}
		if err := batch.WriteRows(ctx, warehouse.RowsRequest{Rows: &lb}); err != nil {
			return out(stepLoad, err)
		}
		log.addBusy(stepLoad, time.Since(t1))
		if p.progress != nil {
			st := r.Stats()
			p.progress(Progress{Matrix: m.Name, Bytes: st.Bytes, TotalBytes: m.Size, Cells: st.Cells, Elapsed: time.Since(start)})
		}
	}
	if err := r.Err(); err != nil {
		return out(stepExtract, err)
	}
	if unit != nil {
		acc.partRows = unit.partRows
	}
	hash, err := r.Sum()
	if err != nil {
		return out(stepExtract, err)
	}
	rs := r.Stats()
	p.cfg.Quality.Apply(r.Findings())
	dry, _ := log.dryRun()
	rowFound := summarizeRowFindings(r.Findings(), rowFindingsShown, func(c qc.Code) int64 {
		if c == qc.DuplicateGenes {
			return rs.DuplicateGenes
		}
		return 0
	}, dry)
	for _, f := range rowFound.shown {
		for _, s := range pl.studies {
			reports[s].Findings = append(reports[s].Findings, f)
		}
	}
	// A supplied melter's rows were counted by column as they were kept.
	staged := map[string]int64{}
	if perColumn != nil {
		for i, c := range pl.columns {
			staged[c.Study] += perColumn[pl.indexes[i]]
		}
	}
	log.hold()
	for _, s := range pl.studies {
		st := acc.study(s)
		switch {
		case perColumn != nil:
		case keep:
			staged[s] = st.Cells
		default:
			staged[s] = st.Cells - st.Missing
		}
		cells := st.Cells
		log.end(ctx, stepExtract, s, stepEnd{read: &cells, batchID: BatchID(s, hash), context: map[string]any{
			"sha256": hash, "bytes": rs.Bytes, "genes": acc.genes(st, rs.Rows), "duplicate_genes": rs.DuplicateGenes, "samples": len(st.Measured)}})
		melted := staged[s]
		transform := map[string]any{"samples": reports[s].Samples, "illness": reports[s].Illness}
		if n := reports[s].IllnessKept; n > 0 {
			// labels this run did not decide: the warehouse keeps its own
			transform["illness_no_metadata"] = n
		}
		log.end(ctx, stepTransform, s, stepEnd{written: &melted, batchID: BatchID(s, hash), context: transform})
	}
	log.release(ctx)

	var commits []warehouse.StudyCommit
	// Each study's technology as the warehouse will record it, for the
	// check of negative RNA-seq values; unknown for a study loaded without
	// metadata of its own, whose recorded row the warehouse keeps.
	technology := map[string]string{}
	for _, st := range dims.Studies {
		if !st.KeepRecorded {
			technology[st.Accession] = st.Technology
		}
	}
	// A matrix of several studies writes their validate rows together when
	// the last study is validated: each row is written once, in full, with
	// no RUNNING row before it. The load step's RUNNING rows, written
	// before the matrix was read, still show a run killed meanwhile. A
	// matrix of one study logs its validate step as it goes.
	many := len(pl.studies) > 1
	if many {
		log.hold()
	}
	for _, s := range pl.studies {
		t0 := time.Now()
		log.start(ctx, stepValidate, t0, s)
		sr := reports[s]
		st := acc.study(s)
		sr.Genes, sr.Cells, sr.Missing = acc.genes(st, rs.Rows), st.Cells, st.Missing
		sr.BatchID = BatchID(s, hash)
		q, found, ks := p.validateStudy(d.Metadata, st, technology[s], m.Name, rs, acc)
		p.cfg.Quality.Apply(found)
		sr.Findings = append(sr.Findings, found...)
		sr.KS = ks
		worst, _ := qc.Worst(sr.Findings)
		vctx := map[string]any{"findings": len(sr.Findings), "worst": worst.String()}
		if q.KSPValueRecomputed != nil {
			vctx["ks_statistic"], vctx["ks_pvalue"], vctx["ks_worst_sample"] = *q.KSStatisticRecomputed, *q.KSPValueRecomputed, q.KSWorstSample
			vctx["ks_rows_used"], vctx["ks_sampled"] = *q.KSRowsUsed, *q.KSSampled
		}
		cells := st.Cells
		if worst == qc.SeverityError {
			sr.Err = firstError(sr.Findings)
			p.recordFindings(ctx, runID, sr.BatchID, s, rowFound.logged(sr.Findings))
			p.recordRejectedQC(ctx, runID, s, sr.BatchID, q)
			log.end(ctx, stepValidate, s, stepEnd{err: sr.Err, read: &cells, batchID: sr.BatchID, context: vctx})
			sr.Checked = true
			log.finish(ctx, []string{s}, "", nil, reasonRejected) // load and analytics SKIPPED, under the batch
			continue
		}
		log.end(ctx, stepValidate, s, stepEnd{read: &cells, batchID: sr.BatchID, context: vctx})
		sr.Checked = true
		uncommitted[s] = rowFound.logged(sr.Findings)
		commits = append(commits, warehouse.StudyCommit{
			Study: s, BatchID: sr.BatchID, RowsRead: st.Cells, Findings: p.redactFindings(withStudy(uncommitted[s], s)), QC: q,
		})
	}
	if many {
		log.release(ctx)
	}
	if len(commits) == 0 {
		return out("", nil)
	}
	t0 = time.Now()
	// The dimensions go to the sink once validation has spoken, and only
	// the committed studies': a study it rejected changes no dimension row
	// (neither a new study without facts nor another run's descriptions
	// of a study it holds).
	if err := batch.UpsertDimensions(ctx, committedDimensions(dims, commits)); err != nil {
		log.addBusy(stepLoad, time.Since(t0))
		return out(stepLoad, err)
	}
	p.log.Debug("committing", "run", runID, "matrix", p.redact(m.Name), "sha256", hash, "studies", len(commits))
	if err := ctx.Err(); err != nil {
		// Stopped after the last rows were staged, or while the dimensions
		// were sent: nothing is committed, whether or not the sink looks
		// at the context itself.
		log.addBusy(stepLoad, time.Since(t0))
		return out(stepLoad, fmt.Errorf("committing the rows of %s: %w", m.Name, err))
	}
	res, err := batch.Commit(ctx, warehouse.CommitRequest{FileHash: hash, ScaleBy: d.Metadata.ScaleBy, Studies: commits})
	log.addBusy(stepLoad, time.Since(t0))
	if err == nil {
		err = resultMatches(commits, res)
	}
	if err != nil {
		return out(stepLoad, err)
	}
	for _, r := range res.Studies {
		p.log.Debug("committed", "run", runID, "study", r.Study, "batch", r.BatchID, "outcome", string(r.Outcome),
			"previous_batch", r.PreviousBatchID, "rows_written", r.RowsWritten)
	}
	log.hold()
	for _, r := range res.Studies {
		sr := reports[r.Study]
		sr.Outcome = r.Outcome
		sr.Rows, sr.RowsWritten = r.RowsWritten, r.RowsWritten
		if r.Outcome == warehouse.Duplicate {
			// The current batch has this content and signature, so the
			// study holds exactly the rows this load staged.
			sr.Rows = staged[r.Study]
			dup := &qc.Error{Code: qc.BatchDuplicate, Severity: qc.SeverityInfo, Study: r.Study,
				File: m.Name, Msg: fmt.Sprintf("batch %s is already loaded with the same columns and rows; its facts are kept as they are (none written)%s",
					r.BatchID, duplicateUpdates(p.sink, d.Metadata.Study(r.Study) != nil || sr.IllnessKept < sr.Samples, p.cfg.Analytics.enabled()))}
			sr.Findings = append(sr.Findings, dup)
			p.recordFindings(ctx, runID, r.BatchID, r.Study, []*qc.Error{dup})
		}
		read, written := staged[r.Study], r.RowsWritten
		log.end(ctx, stepLoad, r.Study, stepEnd{read: &read, written: &written, batchID: r.BatchID,
			context: map[string]any{"outcome": string(r.Outcome), "previous_batch_id": r.PreviousBatchID}})
	}
	log.release(ctx)
	p.analytics(ctx, log, res.Studies, reports)
	return out("", nil)
}

// duplicateUpdates ends the note of a duplicate batch with what its load
// does change: the descriptions of the study and its samples when the run
// holds metadata of them (described), only labels overrides set when it
// holds none; that a dry run, which writes nothing, changes nothing; and
// what a changed label does to the study's features, which the load
// recomputes only when analytics is on.
func duplicateUpdates(sink warehouse.WarehouseSink, described, analytics bool) string {
	_, dry := sink.(*dryRunSink)
	relabelled := " (the study's features are recomputed when a label or an exclusion changed)"
	if !analytics {
		relabelled = " (analytics.enabled is off: when a label or an exclusion changed, the study's features stay as they were, " +
			"stale, until genexp features --if-stale computes them)"
	}
	switch {
	case dry && described:
		return ", and a load would update only the descriptions of the study and its samples from this run's metadata and configuration, " +
			"their illness labels and exclusions from analysis among them" + relabelled
	case dry:
		return "; a load would keep the descriptions the warehouse recorded (this run holds no metadata of the study), changing only labels the configuration's overrides set, and making UNKNOWN those set by an override it no longer holds" + relabelled
	case described:
		return ", and only the descriptions of the study and its samples are updated from this run's metadata and configuration, " +
			"their illness labels and exclusions from analysis among them" + relabelled
	}
	return "; this run holds no metadata of the study: the descriptions the warehouse recorded are kept, and only labels the configuration's overrides set change, besides those set by an override it no longer holds, which become UNKNOWN" + relabelled
}

// committedDimensions keeps of dims the studies committed, their samples,
// and the platforms those samples are on.
func committedDimensions(dims warehouse.DimensionsRequest, commits []warehouse.StudyCommit) warehouse.DimensionsRequest {
	keep := make(map[string]bool, len(commits))
	for _, c := range commits {
		keep[c.Study] = true
	}
	var out warehouse.DimensionsRequest
	platforms := map[string]bool{}
	for _, st := range dims.Studies {
		if keep[st.Accession] {
			out.Studies = append(out.Studies, st)
		}
	}
	for _, s := range dims.Samples {
		if keep[s.Study] {
			out.Samples = append(out.Samples, s)
			platforms[s.Platform] = true
		}
	}
	for _, pf := range dims.Platforms {
		if platforms[pf.Accession] {
			out.Platforms = append(out.Platforms, pf)
		}
	}
	return out
}

// resultMatches checks a sink's commit result against the studies
// committed: one result, with an outcome, for each, and none for another
// study. A custom sink that breaks this would leave a study reported
// neither loaded nor failed.
func resultMatches(commits []warehouse.StudyCommit, res warehouse.CommitResult) error {
	sent := make(map[string]bool, len(commits))
	for _, c := range commits {
		sent[c.Study] = true
	}
	got := make(map[string]bool, len(res.Studies))
	for _, r := range res.Studies {
		switch {
		case !sent[r.Study]:
			return qc.Errorf(qc.ConstraintViolation, "the warehouse's commit reported study %q, which it was not given", r.Study)
		case got[r.Study]:
			return qc.Errorf(qc.ConstraintViolation, "the warehouse's commit reported study %s twice", r.Study)
		case r.Outcome == "":
			return qc.Errorf(qc.ConstraintViolation, "the warehouse's commit reported study %s with no outcome", r.Study)
		case r.Outcome != warehouse.Inserted && r.Outcome != warehouse.Replaced && r.Outcome != warehouse.Duplicate:
			return qc.Errorf(qc.ConstraintViolation, "the warehouse's commit reported study %s with the outcome %q, which is none of %q, %q and %q",
				r.Study, qc.Shorten(string(r.Outcome), 40), warehouse.Inserted, warehouse.Replaced, warehouse.Duplicate)
		}
		got[r.Study] = true
	}
	for _, c := range commits {
		if !got[c.Study] {
			return qc.Errorf(qc.ConstraintViolation, "the warehouse's commit reported nothing of study %s", c.Study)
		}
	}
	return nil
}

// errorOfStudy returns err naming study when it is a *qc.Error that names
// none (a matrix's parse error knows its file, not its study): a copy, so
// that the reader's own error is left as it is.
func errorOfStudy(err error, study string) error {
	e, ok := err.(*qc.Error)
	if !ok || e.Study != "" {
		return err
	}
	c := *e
	c.Study = study
	return &c
}

// recordFindings writes findings to meta_data_validation_log outside any
// batch; a failure to record is logged, not fatal.
func (p *Pipeline) recordFindings(ctx context.Context, runID, batchID, study string, fs []*qc.Error) {
	if len(fs) == 0 {
		return
	}
	// Not cancelled with the run: a stopped run's findings are rows, as
	// its steps are (steps.end).
	if err := p.sink.RecordFindings(context.WithoutCancel(ctx), warehouse.FindingsRequest{RunID: runID, BatchID: batchID, Findings: p.redactFindings(withStudy(fs, study))}); err != nil {
		p.log.Error("recording findings failed", "study", study, "error", p.redact(err.Error()))
	}
}

// recordRejectedQC records the QC of a study validation rejected, when the
// sink can (warehouse.QCRecorder): its figures are kept although nothing
// else of the study is written. A failure to record is logged, not fatal.
func (p *Pipeline) recordRejectedQC(ctx context.Context, runID, study, batchID string, q warehouse.StudyQC) {
	rec, ok := p.sink.(warehouse.QCRecorder)
	if !ok {
		return
	}
	err := rec.RecordStudyQC(ctx, warehouse.StudyQCRequest{RunID: runID, Study: study, BatchID: batchID, Status: warehouse.QCRejected, QC: q})
	if err != nil {
		p.log.Error("recording the QC of a rejected study failed", "study", study, "error", p.redact(err.Error()))
	}
}

// claimRecord is the matrix of the run that holds a study, and the
// samples of the study it holds.
type claimRecord struct {
	file    string
	samples []string
	// in is the download holding the matrix.
	in *Download
}

// claim records file as the matrix of the run that holds each of the
// plan's studies, and returns, with a DuplicateSamples error naming both
// matrices, the studies an earlier matrix of the run already held (and
// loaded, or is loading): loaded again, the later matrix would replace the
// earlier one's batch in silence, the copy that wins chosen by the order
// of the paths and of their folder names. Which copy is right cannot be
// told, so the first stands and the later one fails. A study whose samples
// two matrices of one download split between them (a SPECIES download's
// matrices of two organisms) is loaded from both together (matrixUnits);
// split between two downloads, or between matrices of one download that
// could not be loaded together, it is loaded from the first only: a
// study's batch is one load's, and the error says which samples are not
// loaded. in is the download holding file.
func claim(claimed map[string]claimRecord, pl *plan, file string, in *Download) map[string]*qc.Error {
	samples := map[string][]string{}
	for _, c := range pl.columns {
		samples[c.Study] = append(samples[c.Study], c.Sample)
	}
	bad := map[string]*qc.Error{}
	for _, s := range pl.studies {
		first, ok := claimed[s]
		if !ok {
			claimed[s] = claimRecord{file: file, samples: samples[s], in: in}
			continue
		}
		msg := fmt.Sprintf("study %s is also in %s, which this run read first: this matrix's samples of it are not loaded, "+
			"so that one copy is not replaced by the other; load this matrix in a run of its own to replace it", s, first.file)
		switch {
		case slices.ContainsFunc(samples[s], func(a string) bool { return slices.Contains(first.samples, a) }):
		case first.in == in:
			msg = fmt.Sprintf("study %s has samples in %s too, which this run read first, and none of this matrix's (%s) is among them: "+
				"the matrices of a SPECIES download that split a study between them are loaded together only when nothing of them can clash "+
				"(the metadata names the organism of their samples, no two hold one organism, no study has a sample in two of them); "+
				"these could not be, so this matrix's samples of the study are not loaded, and loading this matrix alone would replace "+
				"the study's samples with these", s, first.file, listSome(samples[s], 5))
		default:
			msg = fmt.Sprintf("study %s has samples in %s too, which this run read first, and none of this matrix's (%s) is among them: "+
				"the matrices of one download that split a study between them (a SPECIES download's organisms) are loaded together, "+
				"but these are in another download, so they are not loaded; loading this matrix alone would replace the study's samples with these "+
				"(download the study's samples together to load them all)", s, first.file, listSome(samples[s], 5))
		}
		bad[s] = &qc.Error{Code: qc.DuplicateSamples, Severity: qc.SeverityError, Study: s, File: file, Msg: msg}
	}
	return bad
}

// classify decides the illness of the plan's samples, each study's
// samples together (illness.Decide: a terse sample is read by what its
// study and its other samples say), and returns the decisions by study and
// sample (a sample several studies hold is decided in each). A study whose classifier gave a sample a
// label that is not one of illness.Labels is in bad, with the
// IllnessInferenceFailed error that fails it: the warehouse would refuse
// the label only at the commit, after the whole matrix was read. use notes
// what the samples hold of the illness configuration.
func (p *Pipeline) classify(ctx context.Context, runID string, d *metadata.Dataset, pl *plan, file string, use *configUse) (decisions map[studySample]illness.Decision, bad map[string]*qc.Error) {
	cohorts := map[string][]*metadata.Sample{}
	for _, c := range pl.columns {
		s := pl.samples[c.Sample]
		cohorts[c.Study] = append(cohorts[c.Study], s)
		use.sample(s)
	}
	decisions, bad = map[studySample]illness.Decision{}, map[string]*qc.Error{}
	for _, study := range pl.studies {
		var wrong []string
		methods, rules := map[illness.Method]int{}, map[string]int{}
		for i, dec := range illness.Decide(p.classifier, d.Study(study), cohorts[study]) {
			methods[dec.Method]++
			if dec.Rule != "" {
				rules[dec.Rule]++
			}
			acc := cohorts[study][i].Accession
			switch l, err := illness.ParseLabel(string(dec.Label)); {
			case dec.Label == "":
				// The zero Decision: the classifier had nothing to say.
				dec.Label = illness.Unknown
				if dec.Method == "" {
					dec.Method = illness.MethodDefault
				}
			case err != nil:
				wrong = append(wrong, fmt.Sprintf("%s %q", acc, dec.Label))
			default:
				dec.Label = l
			}
			decisions[studySample{study, acc}] = dec
		}
		if p.log.Enabled(ctx, slog.LevelDebug) {
			var byRule []string
			for _, r := range slices.Sorted(maps.Keys(rules)) {
				byRule = append(byRule, fmt.Sprintf("%s=%d", r, rules[r]))
			}
			p.log.Debug("illness decided", "run", runID, "study", study, "samples", len(cohorts[study]),
				"override", methods[illness.MethodOverride], "rule", methods[illness.MethodRule],
				"default", methods[illness.MethodDefault], "rules", strings.Join(byRule, " "))
		}
		if len(wrong) > 0 {
			bad[study] = &qc.Error{Code: qc.IllnessInferenceFailed, Severity: qc.SeverityError, Study: study, File: file,
				Msg: fmt.Sprintf("the illness classifier gave %d sample(s) of study %s a label that is not one of CONTROL, NO_SEPSIS, SEPSIS, SEPTIC_SHOCK, UNKNOWN: %s",
					len(wrong), study, listSome(wrong, 3))}
		}
	}
	return decisions, bad
}

// studySample is a sample in one of the studies that hold it.
type studySample struct{ study, sample string }

// without returns the plan less the columns of the studies in drop.
func (p *plan) without(drop map[string]*qc.Error) *plan {
	if len(drop) == 0 {
		return p
	}
	out := *p
	out.columns, out.indexes, out.studies, out.partOf = nil, nil, nil, nil
	for i, c := range p.columns {
		if _, ok := drop[c.Study]; !ok {
			out.columns = append(out.columns, c)
			out.indexes = append(out.indexes, p.indexes[i])
			if p.partOf != nil {
				out.partOf = append(out.partOf, p.partOf[i])
			}
		}
	}
	for _, s := range p.studies {
		if _, ok := drop[s]; !ok {
			out.studies = append(out.studies, s)
		}
	}
	return &out
}

// dimensions builds the dimension rows for the plan's studies and samples of
// matrix file, their illness as classify decided it.
func (p *Pipeline) dimensions(d *metadata.Dataset, pl *plan, file string, reports map[string]*StudyReport, decisions map[studySample]illness.Decision) warehouse.DimensionsRequest {
	var req warehouse.DimensionsRequest
	platforms := map[string]bool{}
	studyPlatforms := map[string][]string{}
	// studyTechs are the technologies of each study's own samples'
	// platforms: a SPECIES matrix's other studies say nothing of it.
	studyTechs := map[string][]string{}
	studyOrganism := map[string]string{}
	unnormalized := map[string]map[string][]string{} // study → platform → samples
	// contradicted: study → platform → samples whose platform's name
	// names another technology than the study's experiment
	contradicted := map[string]map[string][]string{}
	bare := map[string]int{} // study → its samples the metadata does not describe
	for _, c := range pl.columns {
		s := pl.samples[c.Sample]
		// A column taken as an accession for want of metadata: its blank
		// fields and UNKNOWN label are an absence, which must not overwrite
		// what an earlier load recorded of the sample.
		unrecorded := d.Sample(s.Accession) == nil
		if unrecorded {
			bare[c.Study]++
		}
		tech := ""
		if st := d.Study(c.Study); st != nil {
			tech = st.Technology
		}
		pf := p.normalizer.Normalize(s.Platform, tech)
		if named := platform.NameTechnology(s.Platform); named != platform.Other && platform.Technology(tech) != platform.Other && named != pf.Technology {
			if contradicted[c.Study] == nil {
				contradicted[c.Study] = map[string][]string{}
			}
			contradicted[c.Study][s.Platform] = append(contradicted[c.Study][s.Platform], s.Accession)
		}
		if platformUnnormalized(s.Platform, pf) {
			if unnormalized[c.Study] == nil {
				unnormalized[c.Study] = map[string][]string{}
			}
			unnormalized[c.Study][s.Platform] = append(unnormalized[c.Study][s.Platform], s.Accession)
		}
		if pf.Accession != "" && !platforms[pf.Accession] {
			platforms[pf.Accession] = true
			req.Platforms = append(req.Platforms, warehouse.Platform{Accession: pf.Accession, Name: pf.Name, Manufacturer: pf.Manufacturer, Technology: pf.Technology})
		}
		if pf.Accession != "" && !contains(studyTechs[c.Study], pf.Technology) {
			studyTechs[c.Study] = append(studyTechs[c.Study], pf.Technology)
		}
		if pf.Name != "" && !contains(studyPlatforms[c.Study], pf.Name) {
			studyPlatforms[c.Study] = append(studyPlatforms[c.Study], pf.Name)
		}
		if studyOrganism[c.Study] == "" {
			studyOrganism[c.Study] = s.Organism
		}
		dec := decisions[studySample{c.Study, s.Accession}]
		keepIllness := unrecorded && dec.Method != illness.MethodOverride
		if keepIllness {
			reports[c.Study].IllnessKept++
		} else {
			reports[c.Study].Illness[dec.Label]++
		}
		reports[c.Study].Samples++
		if p.excluded(s.Accession) {
			reports[c.Study].Excluded++
		}
		var processed *bool
		if s.Processed.Valid {
			processed = &s.Processed.Val
		}
		req.Samples = append(req.Samples, warehouse.Sample{
			Accession: s.Accession, Title: s.Title, Organism: s.Organism, Platform: pf.Accession, Study: c.Study,
			Treatment: s.Treatment, CellLine: s.CellLine, Tissue: s.SpecimenPart, Processed: processed,
			ProcessorName: s.ProcessorName, ProcessorVersion: s.ProcessorVersion,
			Illness: string(dec.Label), IllnessMethod: string(dec.Method), IllnessRule: dec.Rule,
			IllnessField: illnessField(dec), IllnessMatched: dec.Matched, IllnessEvidence: dec.Evidence, ExcludeAnalysis: p.excluded(s.Accession),
			KeepAttributes: unrecorded, KeepIllness: keepIllness,
		})
	}
	for study, byPlatform := range unnormalized {
		for _, raw := range slices.Sorted(maps.Keys(byPlatform)) {
			f := &qc.Error{Code: qc.PlatformNormalizationFailed, Severity: qc.SeverityWarning, Study: study,
				Msg: fmt.Sprintf("platform %q of %d samples (%s) names no known manufacturer or technology; they load with the platform as written",
					raw, len(byPlatform[raw]), listSome(byPlatform[raw], 3))}
			p.cfg.Quality.Apply([]*qc.Error{f})
			reports[study].Findings = append(reports[study].Findings, f)
		}
	}
	for study, byPlatform := range contradicted {
		tech := platform.Technology(d.Study(study).Technology)
		for _, raw := range slices.Sorted(maps.Keys(byPlatform)) {
			samples := byPlatform[raw]
			f := &qc.Error{Code: qc.PlatformNormalizationFailed, Severity: qc.SeverityWarning, Study: study, File: file,
				Msg: fmt.Sprintf("the experiment's technology is %s, but its %s (%s) %s on %s, whose name says %s; the study is recorded as %s, "+
					"as the experiment says (which picks the features' scale), and the platform's row takes the technology of the study it is "+
					"loaded with (in a matrix of several studies, the first of them on it): check the download's metadata",
					tech, plural(len(samples), "sample"), listSome(samples, 5), agree(len(samples), "is", "are"), qc.Shorten(raw, 80),
					platform.NameTechnology(raw), tech)}
			p.cfg.Quality.Apply([]*qc.Error{f})
			reports[study].Findings = append(reports[study].Findings, f)
		}
	}
	for _, acc := range pl.studies {
		row := warehouse.Study{Accession: acc, Organism: studyOrganism[acc], PlatformSummary: strings.Join(studyPlatforms[acc], "; ")}
		st := d.Study(acc)
		if f := unrecordedFinding(acc, file, st == nil, bare[acc]); f != nil {
			p.cfg.Quality.Apply([]*qc.Error{f})
			reports[acc].Findings = append(reports[acc].Findings, f)
		}
		row.KeepRecorded = st == nil
		if st != nil {
			row.Title, row.PubmedID, row.Description = st.Title, st.PubmedID, st.Description
			switch tech := platform.Technology(st.Technology); {
			case tech != platform.Other:
				row.Technology = tech
			case st.Technology != "":
				// A technology genexp does not know: the samples'
				// platforms say, when they agree, and an unknown value is
				// said, as the study's technology picks its scale.
				row.Technology = studyTechnologyFromSamples(studyTechs[acc])
				if !strings.EqualFold(strings.TrimSpace(st.Technology), platform.Other) {
					taken := "its samples' platforms do not name one either, so it is recorded as " + platform.Other
					if row.Technology != "" && row.Technology != platform.Other {
						taken = "it is taken from its samples' platforms: " + row.Technology
					}
					f := &qc.Error{Code: qc.PlatformNormalizationFailed, Severity: qc.SeverityWarning, Study: acc,
						Msg: fmt.Sprintf("the experiment's technology %q is neither %s nor %s; %s", qc.Shorten(st.Technology, 60), platform.Microarray, platform.RNASeq, taken)}
					p.cfg.Quality.Apply([]*qc.Error{f})
					reports[acc].Findings = append(reports[acc].Findings, f)
				}
				if row.Technology == "" {
					row.Technology = platform.Other
				}
			}
			if len(st.Organisms) > 0 {
				row.Organism = st.Organisms[0]
			}
			row.FirstPublished = timePtr(st.FirstPublished)
			row.LastModified = timePtr(st.LastModified)
		}
		if row.Technology == "" {
			row.Technology = studyTechnologyFromSamples(studyTechs[acc])
		}
		req.Studies = append(req.Studies, row)
	}
	return req
}

// unrecordedFinding is the INFO finding of a study whose matrix file was
// loaded without metadata for the study itself (noStudy) or for samples of
// its columns: what the warehouse
// recorded of them is kept (warehouse.Study.KeepRecorded,
// warehouse.Sample.KeepAttributes and KeepIllness). nil when the metadata
// describes the study and all its samples.
func unrecordedFinding(study, file string, noStudy bool, samples int) *qc.Error {
	var msg string
	kept := "what the warehouse recorded of them earlier (titles, attributes, illness labels and their reasons) is kept; " +
		"samples it does not hold yet are added by accession only, labelled UNKNOWN unless an override names them"
	switch {
	case samples > 0 && noStudy:
		msg = fmt.Sprintf("no metadata describes study %s or its %d samples (no aggregated_metadata.json or sample sheet names them): %s", study, samples, kept)
	case samples > 0:
		msg = fmt.Sprintf("the metadata describes study %s but not %d of its samples (neither aggregated_metadata.json's samples nor a sample sheet names them): %s", study, samples, kept)
	case noStudy:
		msg = fmt.Sprintf("no metadata describes study %s itself (its samples are described): what the warehouse recorded of the study earlier "+
			"(title, description, organism, technology, dates) is kept", study)
	default:
		return nil
	}
	// INFO: a matrix given without metadata is a supported input, not a
	// defect of it; the summary shows its samples as no-metadata=N.
	return &qc.Error{Code: qc.SampleMismatch, Severity: qc.SeverityInfo, Study: study, File: file, Msg: msg}
}

// illnessField is the field a sample's decision read, as the warehouse
// records it: the characteristic's key when it read one
// ("characteristic:health status", see illness.Decision.Where), unless
// that is wider than the narrowest backend's column (SQL Server's
// illness_field holds 200 UTF-16 code units), where the field as
// configured stands.
func illnessField(d illness.Decision) string {
	// A string's UTF-8 bytes are never fewer than its UTF-16 units.
	if w := d.Where(); len(w) <= maxIllnessField || len(utf16.Encode([]rune(w))) <= maxIllnessField {
		return w
	}
	return d.Field
}

// maxIllnessField is the width of the warehouses' illness_field column.
const maxIllnessField = 200

// platformUnnormalized reports whether a sample's platform string was given
// but normalization made nothing of it: no manufacturer it knows, and no
// technology from the study or the name.
func platformUnnormalized(raw string, pf platform.Platform) bool {
	return strings.TrimSpace(raw) != "" && pf.Technology == platform.Other &&
		(pf.Manufacturer == "" || pf.Manufacturer == "Unknown")
}

// studyTechnologyFromSamples returns the technology of a study whose
// samples' platforms (their distinct technologies, techs) agree on one, or
// "" (unknown, NULL) when they disagree or none names one (platform.Other).
func studyTechnologyFromSamples(techs []string) string {
	if len(techs) != 1 || techs[0] == platform.Other {
		return ""
	}
	return techs[0]
}

// isNil reports whether v is nil or an interface holding a nil pointer,
// map, slice, channel or function.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Chan, reflect.Func, reflect.Interface:
		return rv.IsNil()
	}
	return false
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

// configField is a sample field the illness configuration names: one of
// illness_inference.fields, or of a rule's fields.
type configField struct {
	name string // as configured
	key  string // as the classifier compares it (lower case, no refinebio_)
	// where is the configuration key that names it; rule the rule's name,
	// for a rule's field.
	where, rule string
	// read is false for a rule's field that is not one of the fields the
	// classifier reads: the rule reads nothing there.
	read bool
}

// configFields returns the fields ic names, in the order it names them;
// reads are the fields the classifier built from ic reads. The fields the
// classifier reads by default are not checked: a run whose samples have no
// disease_stage is no mistake of the configuration.
func configFields(ic IllnessConfig, reads []string) []configField {
	read := map[string]bool{}
	for _, f := range reads {
		read[metadata.FieldKey(f)] = true
	}
	// A rule reads its "characteristic:KEY" fields in "characteristics"
	// too (illness.Rule.Fields).
	reading := func(k string) bool {
		return read[k] || read[metadata.FieldCharacteristics] && strings.HasPrefix(k, metadata.FieldCharacteristicPrefix)
	}
	// A built-in field (written out by Config.Effective, or listed by hand)
	// is no typo: a run whose samples lack it says nothing of the
	// configuration, as with the default list.
	builtin := map[string]bool{}
	for _, f := range illness.DefaultFields() {
		builtin[metadata.FieldKey(f)] = true
	}
	var out []configField
	for _, f := range ic.Fields {
		if k := metadata.FieldKey(f); !builtin[k] {
			out = append(out, configField{name: strings.TrimSpace(f), key: k, where: "illness_inference.fields", read: true})
		}
	}
	for _, list := range ic.ruleLists() {
		for i, r := range list.rules {
			name := strings.TrimSpace(r.Name)
			if name == "" {
				name = fmt.Sprintf("rule%d", i+1)
			}
			for _, f := range r.Fields {
				if k := metadata.FieldKey(f); !builtin[k] || !reading(k) {
					out = append(out, configField{name: strings.TrimSpace(f), key: k, rule: name,
						where: fmt.Sprintf("%s[%d].fields", list.key, i), read: reading(k)})
				}
			}
		}
	}
	return out
}

// configUse is what the samples of one run held of what the illness
// configuration names. An override or a field nothing of the run matched
// is most often a typo that changes no label and says nothing; findings
// reports them.
type configUse struct {
	// overrides and excluded are the samples illness_inference.overrides
	// and processing.exclude_samples name.
	overrides, excluded listedSamples
	fields              []configField
	held                map[string]bool // field keys some sample of the run has a value in
	// downloads and samples count what the run read: with none, nothing
	// can be said of the configuration.
	downloads, samples int
	// read are the accessions of the samples the run's matrices name;
	// added the metadata files given with the downloads
	// (WithMetadataFiles), by path: one that describes none of them
	// labelled nothing. unplanned counts the matrices that failed before
	// their header was matched to samples: with any, a file may describe
	// their samples, and nothing is said.
	read map[string]bool
	// described are the accessions of the samples the run's metadata
	// describes or its classifier read, for a hint at an override that
	// names one but for case.
	described map[string]bool
	added     map[string]*metadata.Dataset
	unplanned int
	// listed are the experiments the downloads' own metadata lists with
	// samples (not those only a file WithMetadataFiles added lists), by
	// accession: one none of whose samples a matrix of the run names was
	// not loaded at all.
	listed map[string]listedExperiment
}

// listedExperiment is an experiment a download's metadata lists.
type listedExperiment struct {
	download string
	samples  []string
}

// named notes the samples a matrix's header names.
func (u *configUse) named(accessions []string) {
	for _, a := range accessions {
		u.read[a] = true
	}
}

func (p *Pipeline) newConfigUse() *configUse {
	return &configUse{overrides: listSamples(maps.Keys(p.cfg.Illness.Overrides)), excluded: listSamples(slices.Values(p.cfg.Processing.ExcludeSamples)),
		fields: p.fields, held: map[string]bool{}, read: map[string]bool{}, added: map[string]*metadata.Dataset{}, listed: map[string]listedExperiment{}}
}

// listedSamples are the sample accessions a configuration list names, and
// those a sample of the run has.
type listedSamples struct {
	names map[string]string // trimmed accession → as configured
	seen  map[string]bool
}

func listSamples(accessions iter.Seq[string]) listedSamples {
	l := listedSamples{names: map[string]string{}, seen: map[string]bool{}}
	for acc := range accessions {
		l.names[strings.TrimSpace(acc)] = acc
	}
	return l
}

// note marks the listed samples d describes, and the sample accession acc
// ("" for none).
func (l listedSamples) note(d *metadata.Dataset, acc string) {
	if d != nil {
		for a := range l.names {
			if !l.seen[a] && d.Sample(a) != nil {
				l.seen[a] = true
			}
		}
	}
	if _, ok := l.names[strings.TrimSpace(acc)]; ok {
		l.seen[strings.TrimSpace(acc)] = true
	}
}

// missed returns the listed accessions no sample of the run has, as
// configured, sorted.
func (l listedSamples) missed() []string {
	var out []string
	for a, as := range l.names {
		if !l.seen[a] {
			out = append(out, as)
		}
	}
	slices.Sort(out)
	return out
}

// excluded reports whether the configuration keeps the sample out of
// analysis (processing.exclude_samples).
func (p *Pipeline) excluded(accession string) bool { return p.exclude[strings.TrimSpace(accession)] }

// download notes the overrides that name a sample of d, loaded or not: a
// sample the study filter leaves out is no typo.
func (u *configUse) download(path string, d *metadata.Dataset, added []sheetSet) {
	fromAdded := map[string]bool{}
	for _, a := range added {
		u.added[a.file] = a.ds
		for _, st := range a.ds.Studies {
			fromAdded[st.Accession] = true
		}
	}
	for _, st := range d.Studies {
		if _, ok := u.listed[st.Accession]; !ok && len(st.SampleAccessions) > 0 && !fromAdded[st.Accession] {
			u.listed[st.Accession] = listedExperiment{download: path, samples: st.SampleAccessions}
		}
	}
	u.downloads++
	u.overrides.note(d, "")
	u.excluded.note(d, "")
	if d != nil {
		for _, s := range d.Samples {
			u.describe(s.Accession)
		}
	}
}

// describe notes a sample accession the run's metadata or matrices hold.
func (u *configUse) describe(acc string) {
	if u.described == nil {
		u.described = map[string]bool{}
	}
	u.described[acc] = true
}

// sample notes what a sample the classifier reads holds: its accession,
// for the overrides, and the configured fields it has a value in.
func (u *configUse) sample(s *metadata.Sample) {
	if s == nil {
		return
	}
	u.samples++
	u.describe(s.Accession)
	u.overrides.note(nil, s.Accession)
	u.excluded.note(nil, s.Accession)
	for _, f := range u.fields {
		if !u.held[f.key] && len(s.Values(f.name)) > 0 {
			u.held[f.key] = true
		}
	}
}

// ConfigurationFinding reports whether f, one of Report.Findings, is about
// the configuration (an override or an illness field nothing of the run
// used) rather than about the data read. Such a finding is a WARNING, so
// that a typo is seen, but it says nothing of the studies: genexp validate
// leaves it out of its exit status.
func ConfigurationFinding(f *qc.Error) bool {
	return f != nil && f.File == "" && (strings.HasPrefix(f.Path, "illness_inference.") || strings.HasPrefix(f.Path, "processing.exclude_samples"))
}

// sameButCase returns the sample of the run whose accession is acc but for
// case (gsm123 for GSM123), the first in byte order when several are, or
// "".
func (u *configUse) sameButCase(acc string) string {
	acc = strings.TrimSpace(acc)
	same := ""
	for _, set := range []map[string]bool{u.read, u.described} {
		for known := range set {
			if strings.EqualFold(known, acc) && (same == "" || known < same) {
				same = known
			}
		}
	}
	return same
}

// findings returns a WARNING for each override no sample of the run has,
// each configured field no sample held a value in, and each rule's field
// the classifier does not read, sorted by configuration key; and one for
// each metadata file given with the downloads that describes none of the
// samples the run's matrices hold.
func (u *configUse) findings() []*qc.Error {
	warn := func(path, format string, args ...any) *qc.Error {
		return &qc.Error{Code: qc.IllnessInferenceFailed, Severity: qc.SeverityWarning, Path: path, Msg: fmt.Sprintf(format, args...)}
	}
	var out []*qc.Error
	var missed, unexcluded []string
	if u.downloads > 0 { // with nothing read, nothing can be said of them
		missed, unexcluded = u.overrides.missed(), u.excluded.missed()
	}
	// An override that names a sample of the run but for case is one
	// finding of its own, with the sample it meant; the others are one
	// finding together, however many (a configuration kept for many
	// downloads, loaded one at a time, names many samples of others).
	var unknown []string
	for _, acc := range missed {
		if same := u.sameButCase(acc); same != "" {
			out = append(out, warn("illness_inference.overrides."+acc,
				"illness_inference.overrides: %s is no sample of this run, so its override was not used (did you mean %s? accessions are matched as written)", acc, same))
		} else {
			unknown = append(unknown, acc)
		}
	}
	switch {
	case len(unknown) == 1:
		out = append(out, warn("illness_inference.overrides."+unknown[0],
			"illness_inference.overrides: %s is no sample of this run, so its override was not used (a misspelt accession, or a sample of another download)", unknown[0]))
	case len(unknown) > 1:
		out = append(out, warn("illness_inference.overrides",
			"illness_inference.overrides: %d overrides name no sample of this run, so they were not used (misspelt accessions, or samples of other downloads): %s",
			len(unknown), listSome(unknown, 20)))
	}
	if len(unexcluded) > 0 {
		out = append(out, &qc.Error{Code: qc.ConfigInvalid, Severity: qc.SeverityWarning, Path: "processing.exclude_samples",
			Msg: fmt.Sprintf("processing.exclude_samples: %s %s no sample of this run, so nothing was excluded for %s (a misspelt accession, or a sample of another download)",
				listSome(unexcluded, 20), agree(len(unexcluded), "is", "are"), agree(len(unexcluded), "it", "them"))})
	}
	if len(u.read) > 0 && u.unplanned == 0 {
		for _, file := range slices.Sorted(maps.Keys(u.added)) {
			ds := u.added[file]
			if len(ds.Samples) == 0 || slices.ContainsFunc(ds.Samples, func(s *metadata.Sample) bool { return u.read[s.Accession] }) {
				continue
			}
			var accs []string
			for _, s := range ds.Samples {
				accs = append(accs, s.Accession)
			}
			out = append(out, &qc.Error{Code: qc.SampleMismatch, Severity: qc.SeverityWarning, File: file,
				Msg: fmt.Sprintf("describes none of the samples this run's matrices hold (it describes %s), so nothing of it was used: the metadata of another download?",
					listSome(accs, 3))})
		}
		for _, acc := range slices.Sorted(maps.Keys(u.listed)) {
			e := u.listed[acc]
			if slices.ContainsFunc(e.samples, func(a string) bool { return u.read[a] }) {
				continue
			}
			out = append(out, &qc.Error{Code: qc.SampleMismatch, Severity: qc.SeverityWarning, Study: acc, File: e.download,
				Msg: fmt.Sprintf("study %s: the download's metadata lists %s (%s), and no matrix of this run holds any of them, so nothing of the study was loaded (its matrix missing from the download?)",
					acc, plural(len(e.samples), "sample"), listSome(e.samples, 3))})
		}
	}
	reported := map[string]bool{}
	for _, f := range u.fields {
		where := f.where
		if f.rule != "" {
			where += " (rule " + f.rule + ")"
		}
		switch {
		case !f.read:
			out = append(out, warn(f.where, "%s: field %q is not one the classifier reads (illness_inference.fields), so the rule reads nothing there", where, f.name))
		case u.samples > 0 && !u.held[f.key] && !reported[f.key]:
			reported[f.key] = true
			out = append(out, warn(f.where, "%s: field %q held no value in any sample of this run, so nothing was read there "+
				"(a misspelt name? fields are refine.bio's sample fields such as title, source_name, disease or characteristics, "+
				"or characteristic:KEY for the characteristics keyed KEY)", where, f.name))
		}
	}
	return out
}

// absoluteName is a matrix's name (Matrix.Name) made absolute: the batch
// records where its bytes came from, which a name relative to the
// directory of the run would not say to a reader of the warehouse
// elsewhere. A zip's entry ("x.zip!GSE1/GSE1.tsv") stays a path inside the
// zip, the zip's made absolute, since the name is relative as a whole. A
// name that cannot be made absolute is kept as it is.
func absoluteName(name string) string {
	abs, err := filepath.Abs(name)
	if err != nil {
		return name
	}
	return abs
}
