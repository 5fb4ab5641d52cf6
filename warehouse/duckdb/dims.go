package duckdb

import (
	"context"
	"database/sql/driver"
	"errors"
	"maps"
	"slices"

	duckdbdrv "github.com/duckdb/duckdb-go/v2"

	"github.com/genexp/genexp/warehouse"
)

// UpsertDimensions implements warehouse.Batch. It checks the samples and
// keeps the request for Commit, which upserts the dimensions in the load's
// transaction: the transaction opens only once the cells are staged.
func (b *batch) UpsertDimensions(ctx context.Context, req warehouse.DimensionsRequest) error {
	if b.done {
		return batchEnded()
	}
	if err := b.stageErr(); err != nil {
		return err
	}
	if err := warehouse.CheckSamples(req.Samples, func(l string) bool { return b.illness[l] }); err != nil {
		return err
	}
	b.dims = append(b.dims, warehouse.DimensionsRequest{
		Studies:   slices.Clone(req.Studies),
		Platforms: slices.Clone(req.Platforms),
		Samples:   slices.Clone(req.Samples),
	})
	return nil
}

// upsertDimensions writes one UpsertDimensions request in the load's
// transaction. Studies and platforms are upserted one by one (a SPECIES
// matrix holds hundreds of studies: see upsert); samples (hundreds per file) are staged with the appender and
// upserted by one set-based statement.
func (b *batch) upsertDimensions(ctx context.Context, req warehouse.DimensionsRequest) error {
	for _, s := range req.Studies {
		args := []any{s.Accession, null(s.Title), null(s.PubmedID), null(s.Technology),
			null(s.Organism), null(s.PlatformSummary), null(s.Description), s.FirstPublished, s.LastModified}
		var err error
		if s.KeepRecorded {
			// Inserted when new; a study the warehouse holds keeps its row.
			_, err = b.conn.ExecContext(ctx, stmtInsertStudy, args...)
		} else {
			_, err = upsert(ctx, b.conn, stmtUpsertStudy, stmtInsertStudy, args...)
		}
		if err != nil {
			return classify(err, "duckdb: upserting study "+s.Accession)
		}
	}
	for _, p := range req.Platforms {
		if _, err := b.conn.ExecContext(ctx, stmtUpsertPlatform, p.Accession, null(p.Name), null(p.Manufacturer), null(p.Technology)); err != nil {
			return classify(err, "duckdb: upserting platform "+p.Accession)
		}
	}
	if len(req.Samples) == 0 {
		return nil
	}
	if err := b.stageSamples(req.Samples); err != nil {
		return err
	}
	var unknown string
	if err := b.conn.QueryRowContext(ctx, stmtUnknownIllness, b.loadKey).Scan(&unknown); err != nil {
		return classify(err, "duckdb: checking illness labels")
	}
	if unknown != "" {
		return warehouse.UnknownIllness(unknown)
	}
	keepAttributes, keepIllness := kept(req.Samples)
	if _, err := b.conn.ExecContext(ctx, stmtUpsertSamples, b.loadKey, keepAttributes); err != nil {
		return classify(err, "duckdb: upserting samples")
	}
	if _, err := b.conn.ExecContext(ctx, stmtUpsertStudySamples, b.loadKey, keepIllness); err != nil {
		return classify(err, "duckdb: upserting the samples' study memberships")
	}
	if len(keepIllness) > 0 {
		if _, err := b.conn.ExecContext(ctx, stmtExcludeKeptStudySamples, b.loadKey, keepIllness); err != nil {
			return classify(err, "duckdb: writing the exclusions of kept memberships")
		}
	}
	if _, err := b.conn.ExecContext(ctx, stmtClearStagedSamples, b.loadKey); err != nil {
		return classify(err, "duckdb: clearing staged samples")
	}
	return nil
}

// kept lists the samples whose recorded attributes, and those whose
// recorded labels, the upsert keeps (warehouse.Sample.KeepAttributes and
// KeepIllness), each as the last description of a sample listed twice says,
// as stageSamples stages it. The lists are never nil: the statements take
// an empty list, not NULL.
func kept(samples []warehouse.Sample) (attributes, illness []string) {
	last := make(map[string]warehouse.Sample, len(samples))
	for _, s := range samples {
		last[s.Accession] = s
	}
	attributes, illness = []string{}, []string{}
	for _, acc := range slices.Sorted(maps.Keys(last)) {
		if last[acc].KeepAttributes {
			attributes = append(attributes, acc)
		}
		if last[acc].KeepIllness {
			illness = append(illness, acc)
		}
	}
	return attributes, illness
}

// stageSamples appends the samples to staging.samples, one row per study
// that holds a sample (each with the label given there). A sample listed
// twice in one study keeps its last description, as a second upsert would:
// one INSERT … ON CONFLICT statement cannot update a row twice, and
// stmtUpsertSamples takes one of a sample's studies' rows for dim_sample.
func (b *batch) stageSamples(samples []warehouse.Sample) error {
	type member struct{ sample, study string }
	last := make(map[member]int, len(samples))
	for i, s := range samples {
		last[member{s.Accession, s.Study}] = i
	}
	return b.conn.Raw(func(dc any) error {
		a, err := duckdbdrv.NewAppender(dc.(driver.Conn), "", "staging", "samples")
		if err != nil {
			return classify(err, "duckdb: opening the staging appender")
		}
		for i, s := range samples {
			if last[member{s.Accession, s.Study}] != i {
				continue
			}
			var processed any
			if s.Processed != nil {
				processed = *s.Processed
			}
			err := a.AppendRow(b.loadKey, s.Accession, null(s.Title), null(s.Organism), null(s.Platform), s.Study,
				null(s.Treatment), null(s.CellLine), null(s.Tissue), processed, null(s.ProcessorName), null(s.ProcessorVersion),
				null(s.Illness), null(s.IllnessMethod), null(s.IllnessRule), null(s.IllnessField), null(s.IllnessMatched),
				s.ExcludeAnalysis, null(s.IllnessEvidence))
			if err != nil {
				return classify(errors.Join(err, a.Close()), "duckdb: staging samples")
			}
		}
		return classify(a.Close(), "duckdb: staging samples")
	})
}
