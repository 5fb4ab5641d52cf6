package duckdb_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// TestStudyDatesOutsideUTC loads the SPECIES fixture twice into a
// warehouse whose DuckDB time zone is not UTC: a study's publication date
// is stored as the metadata gives it (UTC), by the first load as by the
// second, so the second, a duplicate, changes no study (SCD1: a row is
// updated only when an attribute changed).
func TestStudyDatesOutsideUTC(t *testing.T) {
	ctx := context.Background()
	w, err := duckdb.Open(filepath.Join(t.TempDir(), "w.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.DB().ExecContext(ctx, `SET GLOBAL TimeZone = 'America/New_York'`); err != nil {
		t.Fatal(err)
	}
	p, err := genexp.New(w)
	if err != nil {
		t.Fatal(err)
	}
	for load := 1; load <= 2; load++ {
		if _, err := p.Load(ctx, filepath.Join("..", "..", "testdata", "refinebio", "species")); err != nil {
			t.Fatal(err)
		}
		var dated, wrong, updated int
		if err := w.DB().QueryRowContext(ctx, `SELECT COUNT(source_first_published),
				COUNT(*) FILTER (WHERE source_first_published <> TIMESTAMP '2016-12-06 00:00:00'),
				COUNT(*) FILTER (WHERE etl_updated_date <> etl_created_date)
			FROM dim_study`).Scan(&dated, &wrong, &updated); err != nil {
			t.Fatal(err)
		}
		if dated != 1 || wrong != 0 || updated != 0 {
			t.Errorf("after load %d: %d studies dated (want 1), %d not 2016-12-06 00:00:00 (want 0), %d updated (want 0)",
				load, dated, wrong, updated)
		}
	}
}
