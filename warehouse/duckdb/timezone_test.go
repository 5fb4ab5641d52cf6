package duckdb

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestTimestampsAreUTC opens a warehouse whose DuckDB time zone starts as
// another (as it does on a machine outside UTC) and loads a study: the
// times DuckDB writes (now(), column defaults) and the times genexp writes
// (the process log's) are both UTC wall times.
func TestTimestampsAreUTC(t *testing.T) {
	ctx := context.Background()
	db := openRaw(t, filepath.Join(t.TempDir(), "w.duckdb"))
	if _, err := db.ExecContext(ctx, `SET GLOBAL TimeZone = 'Asia/Kolkata'`); err != nil {
		t.Fatal(err)
	}
	w, err := New(db, Config{AutoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	before := time.Now().UTC().Add(-time.Minute)
	loadBundled(t, w, "GSE71270")
	after := time.Now().UTC().Add(time.Minute)
	for _, q := range []string{
		`SELECT MIN(loaded_at), MAX(loaded_at) FROM meta_batch`,
		`SELECT MIN(etl_created_date), MAX(etl_updated_date) FROM dim_study`,
		`SELECT MIN(started_at), MAX(ended_at) FROM meta_etl_process_log`,
	} {
		var lo, hi time.Time
		if err := db.QueryRowContext(ctx, q).Scan(&lo, &hi); err != nil {
			t.Fatal(err)
		}
		if lo.Before(before) || hi.After(after) {
			t.Errorf("%s: %v … %v, want UTC wall times between %v and %v", q, lo, hi, before, after)
		}
	}
}
