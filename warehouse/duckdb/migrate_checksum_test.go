package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/internal/frozen"
)

// TestGoldenMigrationsFrozen holds every shipped schema file to the
// SHA-256 testdata/migrations.sha256 lists for it: a warehouse past a
// version never sees an edit to its file. `go test ./warehouse/duckdb -run
// Golden -update` adds the line of a new file, and never rewrites a listed
// one.
func TestGoldenMigrationsFrozen(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	sums := map[string]string{}
	for _, m := range ms {
		sums[m.name] = m.checksum
	}
	frozen.Check(t, filepath.Join("testdata", "migrations.sha256"), sums, *update, "go test ./warehouse/duckdb -run Golden -update")
}

// checksums reads meta_schema_version's checksums by version ("" for NULL).
func checksums(t *testing.T, db *sql.DB) map[int]string {
	t.Helper()
	rows, err := db.Query(`SELECT version, checksum FROM meta_schema_version ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int]string{}
	for rows.Next() {
		var v int
		var sum sql.NullString
		if err := rows.Scan(&v, &sum); err != nil {
			t.Fatal(err)
		}
		out[v] = sum.String
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMigrationChecksumVersion(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if m := ms[checksumVersion-1]; !strings.Contains(m.sql, "ALTER TABLE meta_schema_version ADD COLUMN checksum") {
		t.Fatalf("checksumVersion %d is %s, which does not add meta_schema_version.checksum", checksumVersion, m.name)
	}
}

// TestMigrateRecordsChecksums: a new warehouse records the checksum of every
// version, those applied before the column existed included; one migrated
// from an older genexp's version keeps NULL for the versions it had, and
// records the ones this genexp applied.
func TestMigrateRecordsChecksums(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, from := range []int{0, 5, checksumVersion - 1} {
		t.Run(fmt.Sprintf("from %d", from), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "w.duckdb")
			if from > 0 {
				old := warehouseAt(t, path, from)
				if err := old.db.Close(); err != nil {
					t.Fatal(err)
				}
			}
			w, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			got := checksums(t, w.db)
			if len(got) != len(ms) {
				t.Fatalf("%d versions recorded, want %d", len(got), len(ms))
			}
			for _, m := range ms {
				want := m.checksum
				if m.version <= from {
					want = "" // applied by an older genexp: unknown
				}
				if got[m.version] != want {
					t.Errorf("version %d: checksum %q, want %q", m.version, got[m.version], want)
				}
			}
		})
	}
}

// tamper records another checksum for version v of the warehouse at path.
func tamper(t *testing.T, path string, v int, sum any) {
	t.Helper()
	w, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.Exec(`UPDATE meta_schema_version SET checksum = $1 WHERE version = $2`, sum, v); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestMigrateRefusesAnotherMigrationText: a version recorded with another
// checksum than this genexp's file was made by another text of the file;
// Open, Migrate, the first write of a warehouse New opened without
// migrating, and Health refuse it with code SchemaVersion, naming the
// version and the file.
func TestMigrateRefusesAnotherMigrationText(t *testing.T) {
	ctx := context.Background()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	const v = 3
	path := filepath.Join(t.TempDir(), "w.duckdb")
	tamper(t, path, v, strings.Repeat("0", 64))
	check := func(what string, err error) {
		t.Helper()
		var qe *qc.Error
		if !errors.As(err, &qe) || qe.Code != qc.SchemaVersion {
			t.Fatalf("%s: err = %v, want a *qc.Error of code SchemaVersion (4006)", what, err)
		}
		for _, want := range []string{fmt.Sprintf("schema version %d ", v), ms[v-1].name, "another build's text of that migration"} {
			if !strings.Contains(qe.Error(), want) {
				t.Errorf("%s: %q does not say %q", what, qe.Error(), want)
			}
		}
	}
	_, err = Open(path)
	check("Open", err)

	ro, err := Open(path + "?access_mode=READ_ONLY")
	if err != nil {
		t.Fatalf("read-only Open: %v", err)
	}
	// Health reports the mismatch, and still reads the runs and failures.
	h, err := ro.Health(ctx, warehouse.HealthRequest{})
	if err != nil {
		t.Fatalf("Health: %v; a mismatch is reported in the health, not as its failure", err)
	}
	for _, want := range []string{fmt.Sprintf("schema version %d ", v), ms[v-1].name, "another build's text of that migration"} {
		if !strings.Contains(h.SchemaMismatch, want) {
			t.Errorf("Health: SchemaMismatch %q does not say %q", h.SchemaMismatch, want)
		}
	}
	if err := ro.Close(); err != nil {
		t.Fatal(err)
	}

	w, err := New(openRaw(t, path), Config{})
	if err != nil {
		t.Fatalf("New without AutoMigrate: %v", err)
	}
	step := warehouse.StepRecord{LogID: "l1", RunID: "r1", Study: "GSE1", Step: "load", Status: "RUNNING", StartedAt: time.Now()}
	check("LogStep", w.LogStep(ctx, step))
	check("Migrate", w.Migrate(ctx))
	if n := count(t, w.db, `SELECT COUNT(*) FROM meta_etl_process_log`); n != 0 {
		t.Fatalf("the refused warehouse was written: %d log rows", n)
	}
}

// TestMigrateAcceptsUnknownChecksum: a version recorded without a checksum
// (a warehouse an older genexp migrated) is unknown, and accepted; nothing
// fills the checksum in.
func TestMigrateAcceptsUnknownChecksum(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	tamper(t, path, checksumVersion, nil)
	w, err := Open(path)
	if err != nil {
		t.Fatalf("Open with a NULL checksum: %v", err)
	}
	defer w.Close()
	if err := w.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Health(ctx, warehouse.HealthRequest{}); err != nil {
		t.Fatal(err)
	}
	if sum := checksums(t, w.db)[checksumVersion]; sum != "" {
		t.Fatalf("the unknown checksum was filled in: %q", sum)
	}
}

// envChecksumCrashDB names the version-10 warehouse that
// TestChecksumMigrationSurvivesACrash's child process migrates and then
// abandons.
const envChecksumCrashDB = "GENEXP_TEST_CHECKSUM_CRASH_DB"

// TestChecksumMigrationSurvivesACrash: a process that migrated a version-10
// warehouse to version 11 and exited without closing it leaves a warehouse
// that opens. DuckDB cannot replay version 11's ADD COLUMN from its
// write-ahead log; the migration is committed by a checkpoint.
func TestChecksumMigrationSurvivesACrash(t *testing.T) {
	if path := os.Getenv(envChecksumCrashDB); path != "" {
		if _, err := Open(path); err != nil {
			t.Fatal(err)
		}
		os.Exit(0) // no Close: no checkpoint
	}
	path := filepath.Join(t.TempDir(), "w.duckdb")
	old := warehouseAt(t, path, checksumVersion-1)
	if err := old.db.Close(); err != nil {
		t.Fatal(err)
	}
	runChild(t, envChecksumCrashDB, path)
	w, err := Open(path)
	if err != nil {
		t.Fatalf("opening after a crash right after migrating to version %d: %v", checksumVersion, err)
	}
	defer w.Close()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if got := checksums(t, w.db)[checksumVersion]; got != ms[checksumVersion-1].checksum {
		t.Fatalf("version %d recorded with checksum %q", checksumVersion, got)
	}
}
