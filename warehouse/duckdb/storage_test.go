package duckdb

import (
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
// fails the commit with a transaction error, which is not a conflict.
func TestClassifyStorage(t *testing.T) {
	for _, tc := range []struct {
		name        string
		err         error
		code        qc.Code
		says        string
		invalidated bool
	}{
		{"wal permission at commit", &duckdbdrv.Error{Type: duckdbdrv.ErrorTypeTransaction,
			Msg: `TransactionContext Error: Failed to commit: Cannot open file "/d/w.duckdb.wal": Permission denied`},
			qc.ConnectionFailed, "cannot write /d/w.duckdb.wal: permission denied", false},
		{"disk full at checkpoint", &duckdbdrv.Error{Type: duckdbdrv.ErrorTypeFatal,
			Msg: `FATAL Error: Failed to create checkpoint because of error: Could not write file "/d/w.duckdb": No space left on device`},
			qc.ConnectionFailed, "cannot write /d/w.duckdb: no space left on device", false},
		{"invalidated", &duckdbdrv.Error{Type: duckdbdrv.ErrorTypeFatal,
			Msg: `FATAL Error: Failed: database has been invalidated because of a previous fatal error. Original error: "Could not write file "/d/w.duckdb": No space left on device"`},
			qc.ConnectionFailed, "cannot write /d/w.duckdb: no space left on device", true},
		{"write-write conflict", &duckdbdrv.Error{Type: duckdbdrv.ErrorTypeTransaction,
			Msg: "TransactionContext Error: Conflict on tuple deletion"}, qc.WarehouseBusy, "", false},
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
