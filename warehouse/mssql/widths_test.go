package mssql

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

var nvarcharWidth = regexp.MustCompile(`^NVARCHAR\((\d+)\)$`)

// Every bounded text column a copy sends has its width in the copy's
// widths, as the schema declares it, and nothing else does.
func TestCopyWidthsMatchTheSchema(t *testing.T) {
	specs := copySpecs()
	specs["values"] = copyValues(1)
	for name, spec := range specs {
		types := map[string]string{}
		for _, c := range tableByName(t, spec.table).columns {
			types[c.name] = c.typ
		}
		listed := map[string]bool{}
		for _, col := range spec.columns {
			listed[col] = true
			want := 0
			if m := nvarcharWidth.FindStringSubmatch(types[col]); m != nil {
				want, _ = strconv.Atoi(m[1])
			}
			if got := spec.widths[col]; got != want {
				t.Errorf("%s: %s.%s is %s, the copy checks a width of %d", name, spec.table, col, types[col], got)
			}
		}
		for col := range spec.widths {
			if !listed[col] {
				t.Errorf("%s: width of %s, which the copy does not send", name, col)
			}
		}
		if spec.key != "" && !listed[spec.key] {
			t.Errorf("%s: key %s is not a column of the copy", name, spec.key)
		}
	}
}

// reached is a preparer that records whether a copy got as far as
// preparing its statement, and stops it there.
type reached struct{ called bool }

var errReached = errors.New("prepared")

func (r *reached) PrepareContext(context.Context, string) (*sql.Stmt, error) {
	r.called = true
	return nil, errReached
}

// A value wider than its column is refused before anything is sent, naming
// the column and the row: the server would refuse it only at the end of
// the copy without naming the column, and go-mssqldb panics encoding more
// than 32,767 UTF-16 units for an NVARCHAR(n) column. Width counts UTF-16
// units, as NVARCHAR does, not bytes or runes.
func TestCopyRefusesTooWideValues(t *testing.T) {
	emoji := "\U0001F600" // 4 bytes, 2 UTF-16 units
	tests := []struct {
		name  string
		title string
		fits  bool
	}{
		{"short", "Septic shock, day 1", true},
		{"exactly the width in ASCII", strings.Repeat("a", 2000), true},
		{"exactly the width in surrogate pairs", strings.Repeat(emoji, 1000), true},
		{"the width in runes is twice it in units", strings.Repeat(emoji, 1001), false},
		{"one unit over", strings.Repeat("é", 2001), false},
		{"more than the driver can encode", strings.Repeat("a", 40000), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			samples := []warehouse.Sample{{Accession: "GSM1", Title: "fine"}, {Accession: "GSM2", Title: tc.title}}
			var p reached
			n, connOK, err := copyIn(context.Background(), &p, copySamples, len(samples), func(i int, _ []any) []any {
				return sampleRow(7, int32(i), samples[i])
			})
			if tc.fits {
				if !errors.Is(err, errReached) || !p.called {
					t.Fatalf("copy of a value that fits: err %v, prepared %v", err, p.called)
				}
				return
			}
			var e *qc.Error
			if !errors.As(err, &e) || e.Code != qc.ConstraintViolation {
				t.Fatalf("err = %v, want code %d", err, qc.ConstraintViolation)
			}
			for _, want := range []string{"sample_title", "staging.dim_sample", "GSM2", "NVARCHAR(2000)"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%q does not name %s", err, want)
				}
			}
			if p.called || n != 0 || !connOK {
				t.Errorf("prepared %v, wrote %d, connection usable %v: want nothing sent and the connection kept", p.called, n, connOK)
			}
		})
	}
}

// The cells' copy has no text column, so nothing reads its rows twice.
func TestValuesCopyHasNoWidths(t *testing.T) {
	calls := 0
	if err := copyValues(10).fits(3, func(int) []any { calls++; return nil }); err != nil || calls != 0 {
		t.Errorf("fits: %v after %d rows read", err, calls)
	}
}
