package genexp_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
)

// TestDuplicateNoteSaysWhatChanges: the note of a duplicate batch says what
// its load changes: the descriptions when the run holds metadata, only
// override labels when it holds none, and that a dry run writes nothing.
// It said the descriptions were updated in every case, a dry run's and a
// metadata-less one's included.
func TestDuplicateNoteSaysWhatChanges(t *testing.T) {
	lone := filepath.Join(t.TempDir(), "GSE71270.tsv")
	b, err := os.ReadFile("testdata/refinebio/quickstart/GSE71270/GSE71270.tsv")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(lone, b, 0o644); err != nil {
		t.Fatal(err)
	}
	w := openWarehouse(t)
	load(t, w, "testdata/refinebio/quickstart/GSE71270")
	note := func(sink func() *genexp.Pipeline, path string) string {
		t.Helper()
		rep, err := sink().Load(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range rep.Studies {
			for _, f := range s.Findings {
				if f.Code == qc.BatchDuplicate {
					return f.Msg
				}
			}
		}
		t.Fatalf("%s: no duplicate note: %+v", path, rep.Studies)
		return ""
	}
	pipe := func(dry bool) func() *genexp.Pipeline {
		return func() *genexp.Pipeline {
			sink := genexp.DryRunSink(w)
			if !dry {
				sink = w
			}
			p, err := genexp.New(sink)
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
	}
	for _, tc := range []struct {
		name string
		dry  bool
		path string
		want string
	}{
		{"load with metadata", false, "testdata/refinebio/quickstart/GSE71270", "and only the descriptions of the study and its samples are updated from this run's metadata"},
		{"load without metadata", false, lone, "this run holds no metadata of the study: the descriptions the warehouse recorded are kept, and only labels the configuration's overrides set change"},
		{"dry run with metadata", true, "testdata/refinebio/quickstart/GSE71270", "and a load would update only the descriptions"},
		{"dry run without metadata", true, lone, "a load would keep the descriptions the warehouse recorded"},
	} {
		if got := note(pipe(tc.dry), tc.path); !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
