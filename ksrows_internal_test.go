package genexp

import "testing"

// TestKSRowsCountARowAsFiveCells: the recomputed KS check keeps as many
// rows as the cell budget holds, a row counting as at least five cells,
// since it costs its id besides its values: a one-sample matrix of 5
// million genes kept every row (450 MB) under the default budget of 5
// million cells, and now keeps a million. Matrices of five columns or more
// keep what they kept.
func TestKSRowsCountARowAsFiveCells(t *testing.T) {
	for _, tc := range []struct {
		budget     int64
		sampleSize int
		cols, want int
	}{
		{0, 0, 1, 1_000_000},
		{0, 0, 4, 1_000_000},
		{0, 0, 5, 1_000_000},
		{0, 0, 250, 20_000}, // a 20,000-gene × 250-sample matrix is checked whole
		{0, 0, 2000, 5000},  // at least ks_sample_size rows
		{100_000_000, 0, 1, 20_000_000},
		{0, 2_000_000, 1, 2_000_000},
		{0, -1, 1, 0}, // no recomputed check
		{0, 0, 0, 5000},
	} {
		c := DefaultConfig()
		c.Processing.KSMaxCells, c.Processing.KSSampleSize = tc.budget, tc.sampleSize
		if got := c.ksRows(tc.cols); got != tc.want {
			t.Errorf("ks_max_cells %d, ks_sample_size %d, %d columns: %d rows, want %d", tc.budget, tc.sampleSize, tc.cols, got, tc.want)
		}
	}
}
