package duckdb

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	duckdbdrv "github.com/duckdb/duckdb-go/v2"

	"github.com/genexp/genexp/qc"
)

// TestMemoryErrorSaysWhatToDo checks the words a features run that ran out
// of memory fails with: the CLI's way to raise the limit, DuckDB's first
// line, and none of DuckDB's SQL advice.
func TestMemoryErrorSaysWhatToDo(t *testing.T) {
	duck := errors.New("Out of Memory Error: failed to pin block of size 256.0 KiB (488.1 MiB/488.2 MiB used)\n\n" +
		"Possible solutions:\n* Reducing the number of threads (SET threads=X)\n* Increasing the memory limit (SET memory_limit='...GB')")
	for _, tc := range []struct {
		file, want string
	}{
		{"/data/w.duckdb", "--db '/data/w.duckdb?memory_limit=2GB'"},
		{"", "--db 'FILE?memory_limit=2GB'"},
	} {
		err := fmt.Errorf("wrapped: %w", duck)
		if !outOfMemory(err) {
			t.Fatalf("outOfMemory(%v) = false", err)
		}
		e := &memoryError{file: tc.file, cause: err}
		msg := e.Error()
		for _, s := range []string{tc.want, "processing.memory_limit_mb", "(488.1 MiB/488.2 MiB used)", DefaultMemoryLimit} {
			if !strings.Contains(msg, s) {
				t.Errorf("%q does not say %q", msg, s)
			}
		}
		if strings.Contains(msg, "SET ") || strings.Contains(msg, "\n") {
			t.Errorf("%q keeps DuckDB's advice", msg)
		}
		if !errors.Is(e, duck) {
			t.Error("the error does not wrap DuckDB's")
		}
	}
	if outOfMemory(errors.New("Constraint Error: NOT NULL constraint failed")) {
		t.Error("a constraint error taken for lack of memory")
	}
}

// TestLoadOutOfMemorySaysWhatToDo: a load statement that runs out of
// memory is coded ConnectionFailed (the warehouse could not take it, the
// data is not at fault) and says, once the batch names its warehouse, how
// to raise the limit for that file.
func TestLoadOutOfMemorySaysWhatToDo(t *testing.T) {
	duck := &duckdbdrv.Error{Type: duckdbdrv.ErrorTypeOutOfMemory,
		Msg: "Out of Memory Error: failed to pin block of size 256.0 KiB (488.1 MiB/488.2 MiB used)\n\nPossible solutions:\n* SET threads=X"}
	err := classify(duck, "duckdb: inserting facts")
	if c, _ := qc.CodeOf(err); c != qc.ConnectionFailed {
		t.Fatalf("code %v, want ConnectionFailed: %v", c, err)
	}
	err = (&Warehouse{path: "/data/w.duckdb", memoryLimit: "61.0 MiB"}).placeResources(err)
	msg := err.Error()
	if !strings.Contains(msg, "duckdb: inserting facts") || !strings.Contains(msg, "--db '/data/w.duckdb?memory_limit=2GB'") ||
		!strings.Contains(msg, "(memory_limit: 61.0 MiB)") || strings.Contains(msg, "SET ") {
		t.Errorf("%q: want the statement, the limit in force, the DSN advice for the file and none of DuckDB's SET advice", msg)
	}
	if !errors.Is(err, duck) {
		t.Error("the error does not wrap DuckDB's")
	}
}
