package main

import (
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
)

func cmdFeatures(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("features", `Usage: genexp features [flags] [STUDY...]

Computes the features of the named loaded studies (every loaded study when
none is named) into fact_feature_values, replacing their previous ones; see
analytics.vw_feature_catalog. A load (a duplicate too) and --if-stale
recompute a study whose features were computed with another --top-genes
than the configuration's: set analytics.top_variable_genes to keep one.

Exit status: 0 every study's features computed (or current); 2 bad usage or
configuration, or a named study is not loaded; 3 the warehouse could not be
opened, does not exist, or could not be written (busy, disk full) while a
study's features were; 5 a study's features failed; 130 (SIGINT), 143
(SIGTERM) or 129 (SIGHUP) interrupted.
`, stderr)
	var c common
	c.register(fs)
	top := fs.Int("top-genes", 0, "correlate every pair of each study's N most variable genes (default: the configuration's analytics.top_variable_genes, 100)")
	ifStale := fs.Bool("if-stale", false, "skip studies whose features already describe their current batch with the --top-genes in force (the configuration's unless given: a study computed with another count is recomputed)")
	studies, code, ok := c.parse(fs, args, stdout, arity{max: -1})
	if !ok {
		return code
	}
	if *top < 0 || *top > genexp.MaxTopVariableGenes {
		return c.usageFail(fs, fmt.Sprintf("--top-genes must be between 1 and %d (0: the configuration's), got %d: N genes make N(N-1)/2 pairs, each correlated over every sample",
			genexp.MaxTopVariableGenes, *top))
	}
	cfg, ok := c.config(stderr)
	if !ok {
		return exitUsage
	}
	if *top != 0 {
		cfg.Analytics.TopVariableGenes = *top
	}
	log, closeLog, err := c.logger(stderr, cfg, nil)
	if err != nil {
		c.printErr(stderr, err, "") // a 1005 for logging.file; a flag's otherwise
		return exitUsage
	}
	defer closeLog()
	target := c.target(fs, cfg)
	// Features describe loaded studies: a DuckDB file that does not exist
	// (a mistyped --db) is reported, not created empty.
	if err := noWarehouseFile(target); err != nil {
		return c.fail(stderr, err)
	}
	w, ctx, done, status, ok := c.openWriting(stderr, target, log, "no features were computed")
	if !ok {
		return status
	}
	defer done()
	p, err := genexp.New(w, genexp.WithConfig(cfg), genexp.WithLogger(log), genexp.WithWarehouseDSN(target))
	if err != nil {
		return c.fail(stderr, err)
	}
	run, err := p.Features(ctx, genexp.FeatureOptions{Studies: studies, IfStale: *ifStale})
	printFeatures(stdout, run)
	if err != nil && ctx.Err() != nil {
		c.printErr(stderr, stopped(ctx, err, cfg.Processing.TimeoutSeconds), "(features computed stay; the study it stopped keeps its previous features; rerun to finish)")
		return stoppedExit(ctx)
	}
	if errors.Is(err, qc.DimensionLookupFailed) {
		// A mistyped study: the fix is in the command line.
		c.printErr(stderr, err, "")
		return exitUsage
	}
	if err != nil {
		return c.fail(stderr, redactErr(err, target))
	}
	status = exitOK
	for _, s := range run.Studies {
		if s.Err != nil {
			c.printErr(stderr, s.Err, "")
			status = worseExit(status, exitStatus(s.Err))
		}
	}
	if len(run.Studies) == 0 {
		fmt.Fprintln(stdout, "no loaded study")
	}
	return status
}

func printFeatures(w io.Writer, run *genexp.FeaturesRun) {
	if run == nil || len(run.Studies) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STUDY\tRESULT\tSCALE\tVALUES\tFEATURES\tPAIRS\tTIME")
	for _, s := range run.Studies {
		result := "computed"
		counts := fmt.Sprintf("%d\t%d\t%d", s.Values, s.Rows, s.Features[genexp.FeatureGenePairPearsonR])
		switch {
		case s.Err != nil:
			// Its transaction rolled back: the counts it reached were not
			// written, and the study keeps its previous features.
			result, counts = "FAILED", "-\t-\t-"
		case s.NotStarted:
			// The run stopped before it: its features are as they were.
			result, counts = "not started", "-\t-\t-"
		case s.Skipped:
			// Nothing was computed: the zeros the run reports would read
			// as a study without features, which it is not.
			result, counts = "current", "-\t-\t-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Study, result, dash(s.Scale), counts, s.Duration.Round(time.Millisecond))
	}
	tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
