package genexp

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// The features the analytics step materializes in fact_feature_values, by
// the names meta_feature_catalog defines them under (the catalog holds each
// one's scope, entities, formula and minimum samples; the analytics views
// vw_feature_catalog and vw_feature_values show them with names). They are
// computed per study, inside the warehouse, by set-based SQL, and replaced
// as a whole in one transaction whenever the study's facts change; every
// row carries the batch id it was computed from, and the views show only
// those of each study's current batch.
//
// The values. A study's features read its non-NULL values: a missing cell
// (skipped, or kept as NULL) is no measurement, so it counts nowhere, and n
// below is the number of values actually present. Samples excluded from
// analysis are left out. A sample with no illness label counts as UNKNOWN.
//
// The scale. The expression features are computed on y, the study's
// analysis value, chosen per study by warehouse.FeatureScale and recorded
// in meta_feature_state.value_scale: y = log2(value + 1) for RNA-seq (TPM-
// like abundances, heavy-tailed and zero-rich; log2(value + 1) keeps a zero
// a zero) and for a study of unknown technology whose values exceed 100;
// y = value for microarrays, whose refine.bio values are already
// normalized values centred near 0 (not intensities: about three in ten
// are negative), and for any study holding a negative value (already
// transformed, such as z-scores). On the value scale the "log2fc" feature
// is a plain difference of the stored values. Only sample_detected_genes reads
// the stored value.
//
// The features, with entity_id_1 and entity_id_2:
//
//   - STUDY_COHORT cohort_sample_count (illness key): the samples of each
//     illness label with at least one value. UNKNOWN and NO_SEPSIS are
//     cohorts like the others.
//   - SAMPLE sample_detected_genes, sample_mean, sample_median (sample
//     key): genes with a stored value above 0; the mean and the median of
//     y (the mean of the two middle values for an even count).
//   - GENE gene_cohort_mean, gene_cohort_sd, gene_cohort_n (gene key,
//     illness key): per illness cohort, the mean of y, its sample standard
//     deviation (n − 1 denominator; n ≥ 2) and n.
//   - GENE gene_variance (gene key): the sample variance of y over all the
//     study's samples (n ≥ 2); it ranks the genes for the pairs.
//   - GENE gene_sepsis_vs_control_log2fc, gene_sepsis_vs_control_welch_t,
//     gene_sepsis_vs_control_welch_df (gene key): sepsis (SEPSIS and
//     SEPTIC_SHOCK) against CONTROL, written when each side has at least 2
//     values: d = mean_S − mean_C (a log2 fold change when y is log2-scale)
//     and Welch's t = d / se with se² = q_S + q_C, q = var/n, written when
//     se is above 0, with its Welch–Satterthwaite degrees of freedom
//     se⁴ / (q_S²/(n_S − 1) + q_C²/(n_C − 1)): the two-sided p-value is
//     2·P(T > |t|) for Student's T of those degrees of freedom. NO_SEPSIS
//     and UNKNOWN samples take no part.
//   - GENE_PAIR gene_pair_pearson_r, gene_pair_n (gene key, gene key,
//     first < second): the Pearson correlation of y across the samples
//     measuring both genes (at least 3, both variances above 0), and the
//     number of those samples, for every pair of the study's N most
//     variable genes (AnalyticsConfig.TopVariableGenes, default 100: 4,950
//     pairs; ties in gene_variance go to the lower gene key) among those
//     measured in at least 3 of the study's samples and at least half of
//     them (the samples with at least one value), leaving out
//     the lines dim_gene types as control probes
//     (warehouse.GeneTypeControlProbe: the Affymetrix AFFX- probe sets
//     older microarray downloads keep, which measure the assay, not the
//     sample).
//
// The pairs are where gene-pair mining starts; a study's strongest:
//
//	SELECT gene_id, gene_id_2, feature_value FROM analytics.vw_feature_values
//	WHERE study_accession_code = 'GSE71270' AND feature_name = 'gene_pair_pearson_r'
//	ORDER BY ABS(feature_value) DESC
//
// A 10M-value study (20,000 genes × 500 samples) gets about 330,000 feature
// rows, most of them the per-cohort gene rows.
const (
	FeatureCohortSampleCount   = "cohort_sample_count"
	FeatureSampleDetectedGenes = "sample_detected_genes"
	FeatureSampleMean          = "sample_mean"
	FeatureSampleMedian        = "sample_median"
	FeatureGeneCohortMean      = "gene_cohort_mean"
	FeatureGeneCohortSD        = "gene_cohort_sd"
	FeatureGeneCohortN         = "gene_cohort_n"
	FeatureGeneVariance        = "gene_variance"
	FeatureGeneSepsisLog2FC    = "gene_sepsis_vs_control_log2fc"
	FeatureGeneSepsisWelchT    = "gene_sepsis_vs_control_welch_t"
	FeatureGeneSepsisWelchDF   = "gene_sepsis_vs_control_welch_df"
	FeatureGenePairPearsonR    = "gene_pair_pearson_r"
	FeatureGenePairN           = "gene_pair_n"
)

// FeatureReport is what computing one study's features did.
type FeatureReport struct {
	Study string
	// BatchID is the batch the features describe.
	BatchID string
	// Skipped is set when the features of the current batch were already
	// computed (a duplicate load, or FeatureOptions.IfStale).
	Skipped bool
	// Scale is the value scale (warehouse.ScaleValue or ScaleLog2).
	Scale string
	// Values is the number of expression values read; Rows the feature
	// rows written, Removed the previous ones replaced; Features the rows
	// per feature name.
	Values, Rows, Removed int64
	Features              map[string]int64
	Duration              time.Duration
	// Err is the failure, a *qc.Error of code MaterializationFailed; the
	// study's facts and previous features are as they were.
	Err error
	// NotStarted is set for a study that Pipeline.Features never began,
	// its context having ended before: nothing of it was computed, and its
	// features are as they were (its analytics step is logged SKIPPED with
	// the reason the run stopped).
	NotStarted bool
}

// FeatureOptions selects what Pipeline.Features computes.
type FeatureOptions struct {
	// Studies lists study accessions; empty means every loaded study.
	Studies []string
	// IfStale skips a study whose features already describe its current
	// batch as it stands, computed with the configuration's top genes: the
	// same batch and load signature, and the same illness labels and
	// exclusions of its samples (a duplicate load can relabel them in
	// place).
	IfStale bool
}

// FeaturesRun is what Pipeline.Features did.
type FeaturesRun struct {
	RunID   string
	Studies []FeatureReport
}

// Err returns the studies' failures joined (errors.Join); nil when none
// failed.
func (r *FeaturesRun) Err() error {
	var errs []error
	for _, s := range r.Studies {
		if s.Err != nil {
			errs = append(errs, s.Err)
		}
	}
	return errors.Join(errs...)
}

// Failed reports whether any study's features failed.
func (r *FeaturesRun) Failed() bool { return r.Err() != nil }

// Features computes the features of loaded studies on demand, with the
// configuration's top genes, whether or not the analytics step is enabled,
// and logs an analytics step per study in meta_etl_process_log. Like a
// load, it first marks FAILED the steps a killed run left RUNNING, on a
// sink that can tell (warehouse.StepAborter). A study
// that fails does not stop the others; its error is in its report. The
// returned error is set when the warehouse cannot compute features or list
// its studies, when a study of opt.Studies is not loaded (code
// DimensionLookupFailed, naming it and the loaded ones, before anything is
// computed or logged: a mistyped accession), or when ctx ends: the studies
// it had not begun are then in the run as NotStarted. A study named twice
// in opt.Studies is computed once.
func (p *Pipeline) Features(ctx context.Context, opt FeatureOptions) (*FeaturesRun, error) {
	if err := p.made(); err != nil {
		return &FeaturesRun{}, err
	}
	run := &FeaturesRun{RunID: NewID()}
	fm, ok := p.sink.(warehouse.FeatureMaterializer)
	if !ok {
		return run, qc.Errorf(qc.MaterializationFailed, "genexp: this warehouse cannot compute features")
	}
	// A study named twice is computed once, in the order first named.
	var studies []string
	for _, s := range opt.Studies {
		if !slices.Contains(studies, s) {
			studies = append(studies, s)
		}
	}
	st, canList := p.sink.(warehouse.Statuser)
	if len(studies) == 0 && !canList {
		return run, qc.Errorf(qc.MaterializationFailed, "genexp: this warehouse cannot list its studies; name them")
	}
	if canList {
		s, err := st.Status(ctx, warehouse.StatusRequest{Runs: 1})
		if err != nil {
			return run, p.redactErr(err)
		}
		var loaded []string
		for _, x := range s.Studies {
			loaded = append(loaded, x.Study)
		}
		if len(studies) == 0 {
			studies = loaded
		} else if err := notLoaded(studies, loaded); err != nil {
			return run, err
		}
	}
	p.log.Info("features started", "run", run.RunID, "studies", len(studies))
	// As a load does: a killed run's RUNNING steps are marked FAILED, or
	// health would keep pointing at them after this run.
	defer p.beginRun(ctx, run.RunID)()
	log := p.newSteps(run.RunID, "")
	for i, s := range studies {
		if err := ctx.Err(); err != nil {
			p.featuresNotStarted(ctx, log, run, studies[i:])
			return run, err
		}
		run.Studies = append(run.Studies, p.materialize(ctx, log, fm, s, opt.IfStale))
	}
	return run, ctx.Err()
}

// featuresNotStarted reports the studies a stopped features run never
// began, each NotStarted, and logs their analytics step SKIPPED with the
// reason the run stopped ("interrupted" or "timed out"), so that the
// process log and health say what is left to compute, as a stopped load's
// steps do.
func (p *Pipeline) featuresNotStarted(ctx context.Context, log *steps, run *FeaturesRun, studies []string) {
	reason, _, _ := stopped(ctx, ctx.Err())
	log.hold()
	defer log.release(ctx)
	for _, s := range studies {
		log.start(ctx, stepAnalytics, time.Now(), s)
		log.end(ctx, stepAnalytics, s, stepEnd{status: statusSkipped, context: map[string]any{"reason": reason}})
		run.Studies = append(run.Studies, FeatureReport{Study: s, NotStarted: true})
	}
	p.log.Warn("features stopped: studies not started", "run", run.RunID, "not_started", len(studies), "reason", reason)
}

// notLoaded returns the DimensionLookupFailed error naming the studies of
// want that are not loaded, with the loaded ones; nil when all are.
func notLoaded(want, loaded []string) error {
	have := make(map[string]bool, len(loaded))
	for _, s := range loaded {
		have[s] = true
	}
	var missing []string
	for _, s := range want {
		if !have[s] {
			missing = append(missing, s)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	names := "no study is loaded"
	if len(loaded) > 0 {
		names = "loaded: " + listSome(loaded, 10)
	}
	return &qc.Error{Code: qc.DimensionLookupFailed, Severity: qc.SeverityError,
		Msg: fmt.Sprintf("not a loaded study: %s (%s)", strings.Join(missing, ", "), names)}
}

// analytics is the pipeline's analytics step: after a commit it computes
// the features of each study the commit published, and of each duplicate
// whose features are missing or stale (a load killed before its analytics
// step, one that ran with it off, or a duplicate that relabelled samples). A failure fails the study's report
// (its facts stay loaded) with code MaterializationFailed. On a sink that
// does not compute features the step is logged SKIPPED, and the run says so
// once (see featuresUnsupported); a run stopped after the commit logs it
// FAILED, as it does the other steps it stopped.
func (p *Pipeline) analytics(ctx context.Context, log *steps, results []warehouse.StudyResult, reports map[string]*StudyReport) {
	skip := func(reason string) {
		log.hold()
		defer log.release(ctx)
		for _, r := range results {
			log.start(ctx, stepAnalytics, time.Now(), r.Study)
			log.end(ctx, stepAnalytics, r.Study, stepEnd{status: statusSkipped, batchID: r.BatchID,
				context: map[string]any{"reason": reason}})
		}
	}
	if why := log.analyticsOff(); why != "" {
		skip(why)
		return
	}
	fm, ok := p.sink.(warehouse.FeatureMaterializer)
	if !ok {
		skip(reasonNoFeatures)
		log.run.featuresSkipped += len(results)
		return
	}
	for _, r := range results {
		sr := reports[r.Study]
		if ctx.Err() != nil {
			// The study is committed; its features are not computed. The
			// next load finds them stale, but this run must say so.
			err := stoppedFeaturesError(ctx, r.Study)
			log.start(ctx, stepAnalytics, time.Now(), r.Study)
			log.end(ctx, stepAnalytics, r.Study, stepEnd{err: err, batchID: r.BatchID})
			sr.Features = &FeatureReport{Study: r.Study, BatchID: r.BatchID, Err: err}
			if sr.Err == nil {
				sr.Err = err
			}
			continue
		}
		fr := p.materialize(ctx, log, fm, r.Study, r.Outcome == warehouse.Duplicate)
		sr.Features = &fr
		if fr.Err != nil && sr.Err == nil {
			sr.Err = fr.Err
		}
	}
}

// reasonAnalyticsOff is why the analytics step is SKIPPED when the
// configuration turns it off.
const reasonAnalyticsOff = "analytics.enabled is false in the configuration"

// reasonNoFeatures is why the analytics step is SKIPPED on a sink that does
// not compute features.
const reasonNoFeatures = "the warehouse sink does not compute features (it is no warehouse.FeatureMaterializer)"

// stoppedFeaturesError is the MaterializationFailed error of a study whose
// run stopped after its commit, before or while its features were
// computed (their statement rolled back: none of them is written).
func stoppedFeaturesError(ctx context.Context, study string) error {
	why := "was interrupted"
	if reason, _, _ := stopped(ctx, ctx.Err()); reason == reasonTimedOut {
		why = "timed out (processing.timeout_seconds)"
	}
	return &qc.Error{Code: qc.MaterializationFailed, Severity: qc.SeverityError, Study: study,
		Msg: "the study's facts are loaded, but the run " + why + " before its features were written: " +
			"the features it had before, if any, stand; `genexp features " + study + "` (Pipeline.Features), " +
			"or the next load of the study, computes them", Err: context.Cause(ctx)}
}

// featuresUnsupported adds to rep, once per run, the WARNING that the
// analytics step was skipped for the studies the run committed because
// the sink does not compute features, and logs and records it.
func (p *Pipeline) featuresUnsupported(ctx context.Context, rep *Report) {
	r, ok := p.runs.Load(rep.RunID)
	if !ok {
		return
	}
	n := r.(*runTries).featuresSkipped
	if n == 0 {
		return
	}
	f := &qc.Error{Code: qc.MaterializationFailed, Severity: qc.SeverityWarning, Path: "analytics.enabled",
		Msg: fmt.Sprintf("analytics.enabled is on, but the warehouse sink does not compute features: the analytics step of %s "+
			"this run loaded was skipped, so this run computed no features for them (a sink that wraps a warehouse must forward "+
			"warehouse.FeatureMaterializer for the step to run; a sink that computes none runs with analytics.enabled off)", studiesCount(n))}
	p.cfg.Quality.Apply([]*qc.Error{f})
	ctx = context.WithoutCancel(ctx)
	p.logFindings(ctx, rep.RunID, "", []*qc.Error{f})
	p.recordFindings(ctx, rep.RunID, "", "", []*qc.Error{f})
	rep.Findings = append(rep.Findings, f)
}

// materialize computes one study's features and logs the analytics step.
func (p *Pipeline) materialize(ctx context.Context, log *steps, fm warehouse.FeatureMaterializer, study string, ifStale bool) FeatureReport {
	t0 := time.Now()
	log.start(ctx, stepAnalytics, t0, study)
	top := p.cfg.Analytics.topGenes()
	res, err := fm.MaterializeFeatures(ctx, warehouse.FeaturesRequest{RunID: log.runID, Study: study, TopGenes: top, IfStale: ifStale})
	fr := FeatureReport{Study: study, BatchID: res.BatchID, Skipped: res.Skipped, Scale: res.Scale, Values: res.Values,
		Rows: res.Rows, Removed: res.Removed, Features: res.Features, Duration: time.Since(t0)}
	log.addBusy(stepAnalytics, fr.Duration)
	switch {
	case err != nil:
		fr.Err = p.redactErr(materializationError(study, err))
		if ctx.Err() != nil { // the driver's words for a cancelled statement say less
			fr.Err = stoppedFeaturesError(ctx, study)
		}
		log.end(ctx, stepAnalytics, study, stepEnd{err: fr.Err, batchID: res.BatchID})
	case res.Skipped:
		log.end(ctx, stepAnalytics, study, stepEnd{status: statusSkipped, batchID: res.BatchID,
			context: map[string]any{"reason": warehouse.ReasonFeaturesCurrent, "top_genes": top}})
	default:
		log.end(ctx, stepAnalytics, study, stepEnd{read: &fr.Values, written: &fr.Rows, batchID: res.BatchID,
			context: map[string]any{"scale": res.Scale, "top_genes": top, "removed": res.Removed, "features": res.Features}})
	}
	return fr
}

// materializationError makes err a MaterializationFailed error about the
// study, unless it is one already.
func materializationError(study string, err error) error {
	var e *qc.Error
	if errors.As(err, &e) && e.Code == qc.MaterializationFailed {
		return err
	}
	return &qc.Error{Code: qc.MaterializationFailed, Severity: qc.SeverityError, Study: study,
		Msg: "genexp: the study's facts are loaded, but its features could not be computed", Err: err}
}

// studiesCount is "the study" or "the N studies".
func studiesCount(n int) string {
	if n == 1 {
		return "the study"
	}
	return fmt.Sprintf("the %d studies", n)
}
