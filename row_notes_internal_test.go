package genexp

import (
	"fmt"
	"testing"

	"github.com/genexp/genexp/qc"
)

// TestRowFindingsNote: the "and N more" note counts every row the reader
// found, not only the ones it kept, and says where they are recorded: in
// the validation log after a load, nowhere yet in a run that writes
// nothing.
func TestRowFindingsNote(t *testing.T) {
	rows := func(n int) []*qc.Error {
		fs := make([]*qc.Error, n)
		for i := range fs {
			fs[i] = &qc.Error{Code: qc.DuplicateGenes, Severity: qc.SeverityWarning, File: "m.tsv", Line: int64(i + 2), Msg: fmt.Sprint("row ", i)}
		}
		return fs
	}
	for _, tc := range []struct {
		name  string
		kept  int
		found int64
		dry   bool
		want  string // "" when no note
	}{
		{"few", 5, 5, false, ""},
		{"all kept", 40, 40, false, "and 35 more rows like the 5 above (all 40 are in meta_data_validation_log)"},
		{"reader capped", 100, 1000, false, "and 995 more rows like the 5 above (the first 100 are in meta_data_validation_log)"},
		{"dry run", 40, 40, true, "and 35 more rows like the 5 above (a load records all 40 in meta_data_validation_log)"},
		{"dry run capped", 100, 1000, true, "and 995 more rows like the 5 above (a load records the first 100 in meta_data_validation_log)"},
		{"total not counted", 40, 0, false, "and 35 more rows like the 5 above (all 40 are in meta_data_validation_log)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rf := summarizeRowFindings(rows(tc.kept), rowFindingsShown, func(c qc.Code) int64 {
				if c != qc.DuplicateGenes {
					t.Errorf("total asked for code %v", c)
				}
				return tc.found
			}, tc.dry)
			var notes []string
			for _, f := range rf.shown {
				if rf.notes[f] {
					notes = append(notes, f.Msg)
				}
			}
			switch {
			case tc.want == "" && len(notes) != 0:
				t.Errorf("notes %q, want none", notes)
			case tc.want != "" && (len(notes) != 1 || notes[0] != tc.want):
				t.Errorf("notes %q, want %q", notes, tc.want)
			}
			if shown := len(rf.shown) - len(notes); shown != min(tc.kept, rowFindingsShown) {
				t.Errorf("%d rows shown, want %d", shown, min(tc.kept, rowFindingsShown))
			}
			if len(rf.logOnly) != max(tc.kept-rowFindingsShown, 0) {
				t.Errorf("%d rows for the log only, want %d", len(rf.logOnly), max(tc.kept-rowFindingsShown, 0))
			}
		})
	}
}
