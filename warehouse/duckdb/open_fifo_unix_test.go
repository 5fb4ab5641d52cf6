//go:build unix

package duckdb

import (
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/genexp/genexp/qc"
)

// A named pipe given as the warehouse is refused before DuckDB reads it:
// reading a pipe nothing writes to blocks, and no signal would stop it.
func TestOpenRefusesANamedPipe(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "w.duckdb")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	for _, dsn := range []string{fifo, fifo + "?access_mode=READ_ONLY"} {
		w, err := Open(dsn)
		if err == nil {
			w.Close()
			t.Fatalf("%s opened", dsn)
		}
		if !errors.Is(err, qc.ConnectionFailed) || !strings.Contains(err.Error(), "is a named pipe or a socket, not a warehouse file") {
			t.Errorf("%s: %v; want a ConnectionFailed saying it is a named pipe", dsn, err)
		}
	}
}
