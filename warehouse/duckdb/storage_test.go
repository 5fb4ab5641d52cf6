package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	duckdbdrv "github.com/duckdb/duckdb-go/v2"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// TestClassifyStorage checks the codes of DuckDB's storage failures, with
// the messages DuckDB gives them: a write-ahead log that cannot be created
// fails the commit with a transaction error, which is not a conflict. An
// interrupted statement is a cancellation, uncoded, even when the driver
// returns it without the context's error. An internal error of DuckDB's
// leaves the database unusable: it was coded a constraint violation.
func TestClassifyStorage(t *testing.T) {
	for _, tc := range []struct {
		name        string
		err         error
		code        qc.Code
		says        string
		invalidated bool
		damaged     bool
	}{
		{"interrupted", &duckdbdrv.Error{Type: duckdbdrv.ErrorTypeInterrupt, Msg: "INTERRUPT Error: Interrupted!"}, 0, "Interrupted!", false, false},
		{"wal permission at commit", &duckdbdrv.Error{Type: duckdbdrv.ErrorTypeTransaction,
			Msg: `TransactionContext Error: Failed to commit: Cannot open file "/d/w.duckdb.wal": Permission denied`},
			qc.ConnectionFailed, "cannot write /d/w.duckdb.wal: permission denied", false, false},
		{"disk full at checkpoint", &duckdbdrv.Error{Type: duckdbdrv.ErrorTypeFatal,
			Msg: `FATAL Error: Failed to create checkpoint because of error: Could not write file "/d/w.duckdb": No space left on device`},
			qc.ConnectionFailed, "cannot write /d/w.duckdb: no space left on device", false, false},
		{"invalidated", &duckdbdrv.Error{Type: duckdbdrv.ErrorTypeFatal,
			Msg: `FATAL Error: Failed: database has been invalidated because of a previous fatal error. Original error: "Could not write file "/d/w.duckdb": No space left on device"`},
			qc.ConnectionFailed, "cannot write /d/w.duckdb: no space left on device", true, false},
		{"internal error", &duckdbdrv.Error{Type: duckdbdrv.ErrorTypeInternal,
			Msg: "INTERNAL Error: Invalid node type for InsertChild: 7"}, qc.ConnectionFailed, "Invalid node type", false, false},
		{"write-write conflict", &duckdbdrv.Error{Type: duckdbdrv.ErrorTypeTransaction,
			Msg: "TransactionContext Error: Conflict on tuple deletion"}, qc.WarehouseBusy, "", false, false},
		{"damaged block", &duckdbdrv.Error{Type: duckdbdrv.ErrorTypeIO,
			Msg: "IO Error: Corrupt database file: computed checksum 13667211778579907976 does not match stored checksum 1468724454465922002 in block at location 12288"},
			qc.ConnectionFailed, "the warehouse file is damaged", false, true},
		{"damaged log", &duckdbdrv.Error{Type: duckdbdrv.ErrorTypeIO,
			Msg: `IO Error: Failure while replaying WAL file "/d/w.duckdb.wal": Corrupt WAL file: entry at byte position 1010 computed checksum 8107156349487681989 does not match stored checksum 2778425099699778570`},
			qc.ConnectionFailed, "the write-ahead log of the warehouse file is damaged", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := classify(tc.err, "duckdb: committing the load")
			if c, _ := qc.CodeOf(err); c != tc.code {
				t.Fatalf("code %v, want %v: %v", c, tc.code, err)
			}
			if !strings.Contains(err.Error(), tc.says) {
				t.Errorf("%q does not say %q", err, tc.says)
			}
			if got := errors.Is(err, warehouse.ErrInvalidated); got != tc.invalidated {
				t.Errorf("errors.Is(ErrInvalidated) = %v, want %v", got, tc.invalidated)
			}
			if got := errors.Is(err, warehouse.ErrDamaged); got != tc.damaged {
				t.Errorf("errors.Is(ErrDamaged) = %v, want %v", got, tc.damaged)
			}
			if got := errors.Is(err, context.Canceled); got != (tc.code == 0) {
				t.Errorf("errors.Is(context.Canceled) = %v, want %v", got, tc.code == 0)
			}
		})
	}
}

// TestOpenRefusesUnwritableWarehouse checks that a warehouse whose
// directory cannot be written fails at Open, coded ConnectionFailed and
// naming the directory, rather than at the first commit.
func TestOpenRefusesUnwritableWarehouse(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "w.duckdb")
	w, err := Open(file)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	if os.Geteuid() == 0 {
		// Permission bits do not bind root; a kernel file system does.
		dir = "/sys"
		file = "/sys/w.duckdb"
		if _, err := os.Stat(dir); err != nil {
			t.Skip("running as root without /sys: no directory root cannot write")
		}
	}
	if err := CheckWritable(file); err == nil {
		t.Fatalf("CheckWritable(%s) = nil in a directory that cannot be written", file)
	}
	_, err = Open(file)
	var e *qc.Error
	if !errors.As(err, &e) || e.Code != qc.ConnectionFailed || !strings.Contains(e.Msg, "cannot write "+dir) {
		t.Fatalf("Open = %v, want ConnectionFailed naming %s", err, dir)
	}
	if ro, err := Open(file + "?access_mode=READ_ONLY"); err == nil {
		ro.Close() // reading needs no write access (only the non-root case gets here)
	} else if os.Geteuid() != 0 {
		t.Errorf("read-only open of a warehouse in a read-only directory: %v", err)
	}
}

// diskFullErrors are DuckDB's errors for a disk that fills during a schema
// migration: the commit's write-ahead log, and the checkpoint of a
// migration committed by one (migration 7).
var diskFullErrors = []*duckdbdrv.Error{
	{Type: duckdbdrv.ErrorTypeIO, Msg: `IO Error: Could not write file "/d/w.duckdb.wal": No space left on device`},
	{Type: duckdbdrv.ErrorTypeFatal, Msg: `FATAL Error: Failed to create checkpoint because of error: Could not write file "/d/w.duckdb": No space left on device`},
}

// failMigrations makes every migration fail with err until the test ends.
func failMigrations(t *testing.T, err error) {
	t.Helper()
	saved := applyMigration
	applyMigration = func(*Warehouse, context.Context, migration, []migration) error { return err }
	t.Cleanup(func() { applyMigration = saved })
}

// TestMigrationOnAFullDisk checks that a migration that fails for lack of
// space says so (ConnectionFailed, the file, "no space left on device"),
// rather than that the schema does not match; a migration that fails for
// another reason stays a SchemaVersion error (TestMigrateStepwise).
func TestMigrationOnAFullDisk(t *testing.T) {
	for _, de := range diskFullErrors {
		t.Run(string(de.Msg[:strings.Index(de.Msg, " ")]), func(t *testing.T) {
			w, err := New(openRaw(t, ""), Config{})
			if err != nil {
				t.Fatal(err)
			}
			failMigrations(t, de)
			err = w.Migrate(t.Context())
			var e *qc.Error
			if !errors.As(err, &e) || e.Code != qc.ConnectionFailed {
				t.Fatalf("Migrate on a full disk = %v, want code ConnectionFailed", err)
			}
			if !strings.Contains(err.Error(), "migrating to schema version 1") || !strings.Contains(err.Error(), "no space left on device") ||
				errors.Is(err, qc.SchemaVersion) {
				t.Errorf("%q: want the migration named and \"no space left on device\", not a schema mismatch", err)
			}
		})
	}
}

// TestMigrationFailingToWrite: a migration that fails on another I/O error
// than a full disk (a file size limit: "File too large") is not a schema
// mismatch either.
func TestMigrationFailingToWrite(t *testing.T) {
	w, err := New(openRaw(t, ""), Config{})
	if err != nil {
		t.Fatal(err)
	}
	failMigrations(t, &duckdbdrv.Error{Type: duckdbdrv.ErrorTypeIO, Msg: `IO Error: Could not write file "/d/w.duckdb": File too large`})
	err = w.Migrate(t.Context())
	var e *qc.Error
	if !errors.As(err, &e) || e.Code != qc.ConnectionFailed || !strings.Contains(err.Error(), "File too large") {
		t.Errorf("Migrate failing to write = %v, want code ConnectionFailed quoting the cause", err)
	}
}

// TestOpenRemovesTheWarehouseItCreated checks that a warehouse file whose
// creation fails (a full disk during its first migration) is removed with
// its write-ahead log, so that the next open creates it afresh instead of
// calling it "not a valid DuckDB database file"; and that a file that
// existed before the open is never removed, whatever it holds.
func TestOpenRemovesTheWarehouseItCreated(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "w.duckdb")
	failMigrations(t, diskFullErrors[0])
	if _, err := Open(file); !errors.Is(err, qc.ConnectionFailed) {
		t.Fatalf("Open with a failing first migration = %v, want code ConnectionFailed", err)
	}
	for _, f := range []string{file, file + ".wal"} {
		if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is left behind after the failed creation (%v)", filepath.Base(f), err)
		}
	}

	// A real failure: a memory limit too small for DuckDB to read the new
	// file's catalog (it writes the file's header first).
	// The stub above still fails every migration: only DuckDB's own
	// out-of-memory error shows the creation failed for the real reason.
	if _, err := Open(file + "?memory_limit=256KB"); err == nil || !strings.Contains(err.Error(), "Out of Memory") {
		t.Fatalf("Open with memory_limit=256KB = %v; the test needs a creation that runs out of memory", err)
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the file of a creation that ran out of memory is left behind (%v)", err)
	}

	// A DuckDB file without the schema, and an empty file: they existed.
	raw := filepath.Join(dir, "raw.duckdb")
	db := openRaw(t, raw)
	if _, err := db.Exec(`CREATE TABLE mine (a INTEGER)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	empty := filepath.Join(dir, "empty.duckdb")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{raw, empty} {
		if _, err := Open(f); err == nil {
			t.Fatalf("Open(%s) succeeded with a failing migration", filepath.Base(f))
		}
		if _, err := os.Stat(f); err != nil {
			t.Errorf("Open removed %s, which existed before it: %v", filepath.Base(f), err)
		}
	}

	// With the disk back, the path that failed creates a warehouse.
	applyMigration = (*Warehouse).apply
	w, err := Open(file)
	if err != nil {
		t.Fatalf("Open after the failed creation: %v", err)
	}
	defer w.Close()
	if v, err := w.Version(t.Context()); err != nil || v != SchemaVersion() {
		t.Fatalf("version %d (%v), want %d", v, err, SchemaVersion())
	}
}

// TestSpillSpaceIsNamed makes DuckDB run out of room for its spill files
// (max_temp_directory_size stands for a full disk) and checks that the
// error says so, names the warehouse's temp directory and the remedy, and
// drops DuckDB's advice on memory, which does not help.
func TestSpillSpaceIsNamed(t *testing.T) {
	file := filepath.Join(t.TempDir(), "w.duckdb")
	w, err := Open(file + "?memory_limit=64MB&threads=1")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.DB().Exec(`SET GLOBAL max_temp_directory_size = '1MiB'`); err != nil {
		t.Fatal(err)
	}
	_, derr := w.DB().Exec(`SELECT count(*) FROM (SELECT random() AS r, range AS i FROM range(20000000) ORDER BY r)`)
	if derr == nil || !strings.Contains(derr.Error(), spillFull) {
		t.Fatalf("the query did not run out of spill space: %v", derr)
	}
	for _, tc := range []struct {
		name  string
		err   error
		where string
	}{
		{"where the warehouse is not known", classify(derr, "duckdb: inserting facts"), "the warehouse's temp directory (FILE.tmp beside the warehouse file FILE"},
		{"named by the warehouse", w.placeResources(classify(derr, "duckdb: inserting facts")), file + ".tmp"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e *qc.Error
			if !errors.As(tc.err, &e) || e.Code != qc.ConnectionFailed {
				t.Fatalf("%v: want code ConnectionFailed", tc.err)
			}
			msg := tc.err.Error()
			for _, want := range []string{"no space left for DuckDB's spill files in " + tc.where, "?temp_directory=", "failed to offload data block"} {
				if !strings.Contains(msg, want) {
					t.Errorf("%q does not say %q", msg, want)
				}
			}
			if strings.Contains(msg, "memory_limit") || strings.Contains(msg, "threads") {
				t.Errorf("%q repeats DuckDB's advice on memory", msg)
			}
			var de *duckdbdrv.Error
			if !errors.As(tc.err, &de) {
				t.Error("DuckDB's error is not in the chain")
			}
		})
	}
}

// TestOpenDamagedWarehouse checks that a warehouse file with a block whose
// checksum no longer matches (as a kill during a checkpoint's in-place
// write of a metadata block leaves it) fails to open with code
// ConnectionFailed and warehouse.ErrDamaged, naming the file and what to
// do, and that Open leaves the file as it was: it is the user's to restore.
func TestOpenDamagedWarehouse(t *testing.T) {
	file := filepath.Join(t.TempDir(), "w.duckdb")
	w, err := Open(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// DuckDB's file: three 4 KiB headers, then 256 KiB blocks, each
	// beginning with its checksum. One byte changed past the checksum of
	// every block damages whichever block DuckDB reads first.
	const headers, block = 3 << 12, 256 << 10
	if len(data) <= headers {
		t.Fatalf("a new warehouse file of %d bytes has no blocks", len(data))
	}
	for off := headers + 4096; off < len(data); off += block {
		data[off] ^= 0xff
	}
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Open(file)
	if err == nil {
		t.Fatal("Open of a damaged warehouse succeeded")
	}
	if c, _ := qc.CodeOf(err); c != qc.ConnectionFailed {
		t.Errorf("code %v, want %v: %v", c, qc.ConnectionFailed, err)
	}
	if !errors.Is(err, warehouse.ErrDamaged) {
		t.Errorf("errors.Is(err, ErrDamaged) = false: %v", err)
	}
	for _, says := range []string{file + " is damaged", "Restore " + file + " from a backup", "Corrupt database file"} {
		if !strings.Contains(err.Error(), says) {
			t.Errorf("%q does not say %q", err, says)
		}
	}
	after, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("the damaged file is gone: %v", err)
	}
	if string(after) != string(data) {
		t.Error("Open changed the damaged file")
	}
}

// TestTornMetadataBlockIsDamage shows how a kill can damage a warehouse
// file, with DuckDB's own files: a later checkpoint rewrites in place a
// metadata block the earlier header still points to (block 0 holds
// metadata in both versions of the file, and its bytes differ), and a
// write of it cut after its first page, as a SIGKILL leaves a write into
// the page cache, makes the earlier file fail its checksum. Open says so
// as warehouse.ErrDamaged.
func TestTornMetadataBlockIsDamage(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "w.duckdb")
	before := smallWarehouseFile(t, file)
	w, err := Open(file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.MaterializeFeatures(context.Background(), warehouse.FeaturesRequest{Study: "GSE1"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	after, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}

	const headers, block, page = 3 << 12, 256 << 10, 4 << 10
	early := filepath.Join(dir, "early.duckdb")
	if err := os.WriteFile(early, before, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{early, file} {
		raw, err := sql.Open("duckdb", f+"?access_mode=READ_ONLY")
		if err != nil {
			t.Fatal(err)
		}
		var n int
		err = raw.QueryRow(`SELECT COUNT(*) FROM pragma_metadata_info() WHERE block_id = 0`).Scan(&n)
		raw.Close()
		if err != nil || n != 1 {
			t.Fatalf("%s: block 0 is not a metadata block (%d, %v): DuckDB's layout changed, and this test with it", f, n, err)
		}
	}
	if len(after) < headers+block || string(before[headers:headers+block]) == string(after[headers:headers+block]) {
		t.Fatal("the later checkpoint left block 0 as it was: DuckDB no longer rewrites it in place, and this test needs rewriting")
	}

	torn := append([]byte(nil), before...)
	copy(torn[headers:headers+page], after[headers:headers+page])
	if err := os.WriteFile(early, torn, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Open(early)
	if !errors.Is(err, warehouse.ErrDamaged) {
		t.Fatalf("Open of the earlier file with block 0 torn: %v, want warehouse.ErrDamaged", err)
	}
	if !strings.Contains(err.Error(), "in block at location 12288") {
		t.Errorf("%v does not name block 0's location", err)
	}
}

// TestOpenNamesDamageFoundReadingTheSchema: a damaged block DuckDB reads
// only when Open reads the schema version (past its first connect) is
// reported the same way, naming the file.
func TestOpenNamesDamageFoundReadingTheSchema(t *testing.T) {
	file := filepath.Join(t.TempDir(), "w.duckdb")
	smallWarehouseFile(t, file)
	raw, err := sql.Open("duckdb", file+"?access_mode=READ_ONLY")
	if err != nil {
		t.Fatal(err)
	}
	var block int64
	err = raw.QueryRow(`SELECT MIN(block_id) FROM pragma_storage_info('meta_schema_version') WHERE block_id >= 0`).Scan(&block)
	raw.Close()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	const headers, blockSize = 3 << 12, 256 << 10
	off := headers + int(block)*blockSize + 100
	if off >= len(data) {
		t.Fatalf("block %d lies past the file's %d bytes", block, len(data))
	}
	data[off] ^= 0xff
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Open(file)
	if !errors.Is(err, warehouse.ErrDamaged) {
		t.Fatalf("Open: %v, want warehouse.ErrDamaged", err)
	}
	if !strings.Contains(err.Error(), file+" is damaged") {
		t.Errorf("%q does not name %s", err, file)
	}
}

// TestOpenTruncatedWarehouse: a warehouse cut short (a copy interrupted)
// ends before blocks it holds. DuckDB says only that it could not read
// enough bytes; Open says the file is damaged and cut short
// (warehouse.ErrDamaged), once, naming it, and leaves it as it is.
func TestOpenTruncatedWarehouse(t *testing.T) {
	file := filepath.Join(t.TempDir(), "w.duckdb")
	data := smallWarehouseFile(t, file)
	const headers = 3 << 12
	if len(data) <= headers+4096 {
		t.Fatalf("a warehouse file of %d bytes has no blocks", len(data))
	}
	cut := data[:headers+4096]
	if err := os.WriteFile(file, cut, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(file)
	if !errors.Is(err, warehouse.ErrDamaged) {
		t.Fatalf("Open: %v, want warehouse.ErrDamaged", err)
	}
	if c, _ := qc.CodeOf(err); c != qc.ConnectionFailed {
		t.Errorf("code %v, want %v", c, qc.ConnectionFailed)
	}
	msg := err.Error()
	if !strings.Contains(msg, file+" is damaged") || !strings.Contains(msg, "cut short") || strings.Count(msg, "is damaged") != 1 {
		t.Errorf("%q does not say once that %s is damaged and cut short", msg, file)
	}
	if after, err := os.ReadFile(file); err != nil || string(after) != string(cut) {
		t.Errorf("Open changed the truncated file (%v)", err)
	}
}

// smallWarehouseFile creates a warehouse at file holding one small study,
// closes it, and returns its bytes.
func smallWarehouseFile(t *testing.T, file string) []byte {
	t.Helper()
	w, err := Open(file)
	if err != nil {
		t.Fatal(err)
	}
	loadSmallStudy(t, w)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
