package warehouse_test

import (
	"errors"
	"testing"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

func TestCheckColumns(t *testing.T) {
	ok := []warehouse.Column{{Index: 0, Sample: "S1", Study: "A"}, {Index: 1, Sample: "S2", Study: "A"}, {Index: 1, Sample: "S2", Study: "B"}}
	if err := warehouse.CheckColumns(ok, 2); err != nil {
		t.Errorf("a column shared by two studies: %v", err)
	}
	for name, tc := range map[string]struct {
		cols  []warehouse.Column
		limit int
	}{
		"negative index":        {[]warehouse.Column{{Index: -1, Sample: "S1", Study: "A"}}, 0},
		"index at the limit":    {[]warehouse.Column{{Index: 2, Sample: "S1", Study: "A"}}, 2},
		"no sample":             {[]warehouse.Column{{Index: 0, Study: "A"}}, 0},
		"no study":              {[]warehouse.Column{{Index: 0, Sample: "S1"}}, 0},
		"column twice":          {[]warehouse.Column{{Index: 0, Sample: "S1", Study: "A"}, {Index: 0, Sample: "S2", Study: "A"}}, 0},
		"sample in two columns": {[]warehouse.Column{{Index: 0, Sample: "S1", Study: "A"}, {Index: 1, Sample: "S1", Study: "A"}}, 0},
	} {
		if err := warehouse.CheckColumns(tc.cols, tc.limit); !errors.Is(err, qc.ConstraintViolation) {
			t.Errorf("%s: %v, want a ConstraintViolation", name, err)
		}
	}
	if err := warehouse.CheckColumns([]warehouse.Column{{Index: 5, Sample: "S1", Study: "A"}}, 0); err != nil {
		t.Errorf("no limit: %v", err)
	}
}
