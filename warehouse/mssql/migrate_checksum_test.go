package mssql

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse/internal/frozen"
)

// TestGoldenMigrationsFrozen holds every shipped schema file to the
// SHA-256 testdata/migrations.sha256 lists for it: a warehouse past a
// version never sees an edit to its file. `go test ./warehouse/mssql -run
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
	frozen.Check(t, filepath.Join("testdata", "migrations.sha256"), sums, *update, "go test ./warehouse/mssql -run Golden -update")
}

func TestMigrationChecksumVersion(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	m := ms[checksumVersion-1]
	if !slices.ContainsFunc(m.batches, func(b string) bool {
		return strings.Contains(b, "ALTER TABLE dbo.meta_schema_version ADD checksum")
	}) {
		t.Fatalf("checksumVersion %d is %s, which does not add meta_schema_version.checksum", checksumVersion, m.name)
	}
}

// TestMigrateChecksOtherMigrationTexts: Migrate refuses, untouched, a
// warehouse a version of which is recorded with another checksum than this
// genexp's file, naming the version and the file; it accepts a version
// recorded without one (unknown) and fills nothing in.
func TestMigrateChecksOtherMigrationTexts(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s := newFakeServer(t)
	w := s.open(t, testConfig(100))
	if err := w.Migrate(ctx); err != nil {
		t.Fatal(err)
	}

	const v = 3
	s.checksums[v] = strings.Repeat("0", 64)
	before := len(s.names())
	err = w.Migrate(ctx)
	var qe *qc.Error
	if !errors.As(err, &qe) || qe.Code != qc.SchemaVersion {
		t.Fatalf("Migrate with another text of version %d: %v, want code SchemaVersion", v, err)
	}
	for _, want := range []string{fmt.Sprintf("schema version %d ", v), ms[v-1].name, "another build's text of that migration"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err.Error(), want)
		}
	}
	if got := s.names()[before:]; slices.Contains(got, "BEGIN") {
		t.Fatalf("Migrate of a refused warehouse ran %q", got)
	}

	delete(s.checksums, v) // NULL
	if err := w.Migrate(ctx); err != nil {
		t.Fatalf("Migrate with an unknown checksum: %v", err)
	}
	if _, ok := s.checksums[v]; ok {
		t.Fatal("Migrate filled in an unknown checksum")
	}
}

// TestMigrateFromOlderVersionRecordsItsOwn: the versions an older genexp
// applied stay unknown; those this Migrate applied are recorded.
func TestMigrateFromOlderVersionRecordsItsOwn(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	s := newFakeServer(t)
	s.version = 5
	w := s.open(t, testConfig(100))
	if err := w.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		want := m.checksum
		if m.version <= 5 {
			want = ""
		}
		if got := s.checksums[int64(m.version)]; got != want {
			t.Errorf("version %d: checksum %q, want %q", m.version, got, want)
		}
	}
}
