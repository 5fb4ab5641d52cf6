package mssql

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"log/slog"
	"math"
	"strings"
	"testing"

	"github.com/genexp/genexp/warehouse"
)

// The cells of a load are deleted in windows of lines that cover all of
// them, each about clearWindowCells cells; lines that are no matrix's (not
// positive, or so large that a window's bound could overflow) are deleted
// in one statement (0 windows here).
func TestCellWindow(t *testing.T) {
	tests := []struct {
		name        string
		lo, hi, n   int64
		wantWindows int64
	}{
		{"one line", 2, 2, 500, 1},
		{"fits in one window", 2, 1001, 1000 * 500, 1},
		{"exactly one window", 1, 1024, clearWindowCells, 1},
		{"just over one window", 1, 1024, clearWindowCells + 1, 2},
		{"20,000 genes by 500 samples", 2, 20001, 20000 * 500, 10},
		{"60,000 genes by 2,000 samples", 2, 60001, 60000 * 2000, 115},
		{"lines wider than a window", 1, 3, 3 * 4 * clearWindowCells, 3},
		{"a gap in the lines", 1, 100, 10, 1},
		{"lines up to half the int64 range", 1, math.MaxInt64 / 2, 3 * clearWindowCells, 3},
		{"a line at the top of int64", 1, math.MaxInt64, 3, 0},
		{"a negative line", -5, 10, 16, 0},
		{"line zero", 0, 10, 11, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			step, ok := cellWindow(sql.NullInt64{Int64: tc.lo, Valid: true}, sql.NullInt64{Int64: tc.hi, Valid: true}, tc.n)
			if !ok {
				if tc.wantWindows != 0 {
					t.Fatalf("cellWindow(%d, %d, %d): no windows, want %d", tc.lo, tc.hi, tc.n, tc.wantWindows)
				}
				return
			}
			if step < 1 {
				t.Fatalf("cellWindow(%d, %d, %d) = %d, want at least one line", tc.lo, tc.hi, tc.n, step)
			}
			var windows, last int64
			for from := tc.lo; from <= tc.hi && windows <= tc.wantWindows; from += step {
				windows++
				last = from + step
				if last <= from {
					t.Fatalf("window from %d of %d lines overflows", from, step)
				}
			}
			if last <= tc.hi {
				t.Fatalf("windows of %d lines from %d end at %d, before line %d", step, tc.lo, last, tc.hi)
			}
			if windows != tc.wantWindows {
				t.Errorf("cellWindow(%d, %d, %d) = %d lines: %d windows, want %d", tc.lo, tc.hi, tc.n, step, windows, tc.wantWindows)
			}
		})
	}
	if _, ok := cellWindow(sql.NullInt64{}, sql.NullInt64{}, 0); ok {
		t.Error("windows over a load with no cells")
	}
}

// A window's delete that loses the connection sends the cleanup to
// another session, which reads the lines left and clears them and the
// rest, as a clear_load that fails does (see
// TestAbortClearsFromAnotherSessionWhenItsOwnFails).
func TestAbortClearsCellsFromAnotherSessionWhenAWindowFails(t *testing.T) {
	s := newFakeServer(t)
	w := s.open(t, testConfig(4))
	b := stage(t, w, newMatrix(4, 2), 2)
	s.failNext("clear_cells", driver.ErrBadConn)
	if err := b.Abort(context.Background()); err != nil {
		t.Fatalf("Abort: %v", err)
	}
	cells, clears := s.callsOf("clear_cells"), s.callsOf("clear_load")
	if len(cells) != 2 || cells[0].conn == cells[1].conn || cells[1].args[0] != cells[0].args[0] {
		t.Fatalf("clear_cells calls %+v, want the load's and then another connection's, of the same load", cells)
	}
	if len(clears) != 1 || clears[0].conn != cells[1].conn {
		t.Fatalf("clear_load calls %+v, want one, on the connection that cleared the cells (%d)", clears, cells[1].conn)
	}
	// The matrix's four genes are lines 2 to 5.
	for _, c := range cells {
		if lo, hi := c.args[1].(int64), c.args[2].(int64); lo != 2 || hi != 6 {
			t.Errorf("window [%d, %d) on connection %d, want [2, 6): the staged lines", lo, hi, c.conn)
		}
	}
}

// A path longer than the warehouse's file_name columns (1,000 characters)
// is recorded cut short, as the log tables record it, not refused by SQL
// Server (Msg 2628) at Begin or, worse, at Commit after everything was
// staged.
func TestLongPathRecordedCut(t *testing.T) {
	s := newFakeServer(t)
	w := s.open(t, testConfig(5))
	m := newMatrix(2, 2)
	req := m.begin()
	req.FileName = "/data/" + strings.Repeat("d", 1200) + "/m.tsv"
	ctx := context.Background()
	b, err := w.Begin(ctx, req)
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	if err := b.UpsertDimensions(ctx, m.dims()); err != nil {
		t.Fatalf("UpsertDimensions: %v", err)
	}
	for _, lb := range m.batches(2) {
		if err := b.WriteRows(ctx, warehouse.RowsRequest{Rows: lb}); err != nil {
			t.Fatalf("WriteRows: %v", err)
		}
	}
	if _, err := b.Commit(ctx, m.commit("h1")); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	check := func(what string, v any) {
		t.Helper()
		f, ok := v.(string)
		if !ok || utf16Len(f) > logFileWidth || !strings.HasPrefix(f, "/data/ddd") || !strings.HasSuffix(f, "…") {
			t.Errorf("%s file name %.40q… (%d units), want the path cut to at most %d units, ending in …", what, f, utf16Len(f), logFileWidth)
		}
	}
	for _, c := range s.callsOf("register_load") {
		check("register_load", c.args[2])
	}
	for _, c := range s.callsOf("record_batch") {
		check("record_batch", c.args[3])
	}
	rows := s.rowsOf("staging.load_batches")
	if len(rows) == 0 {
		t.Fatal("no staging.load_batches rows")
	}
	for _, r := range rows {
		check("staging.load_batches", r[3])
	}
}

// A chunk smaller than a compressed rowgroup works but is warned of: every
// copy then goes through the delta store. The default is not.
func TestSmallChunkWarned(t *testing.T) {
	for _, tc := range []struct {
		chunk int
		warn  bool
	}{{1000, true}, {MinCompressedRows - 1, true}, {MinCompressedRows, false}, {0, false}} {
		var buf bytes.Buffer
		// sql.Open connects only when used: New reaches no server here.
		db, err := sql.Open("sqlserver", "sqlserver://localhost")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		w, err := New(db, Config{ChunkRows: tc.chunk, Logger: slog.New(slog.NewTextHandler(&buf, nil))})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(buf.String(), "level=WARN") && strings.Contains(buf.String(), "delta store"); got != tc.warn {
			t.Errorf("chunk_rows %d (in effect %d): warned %v, want %v; log %q", tc.chunk, w.Config().ChunkRows, got, tc.warn, buf.String())
		}
	}
}
