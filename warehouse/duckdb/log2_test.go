package duckdb

import (
	"math"
	"testing"
)

// TestLog2Accuracy pins what the README says of expression_log2_value,
// which DuckDB computes with its log2: at v = 1.0000483 DuckDB gives the
// correctly rounded log2 (6.968048770470656170…e-05, computed to 50 digits
// with mpmath), and Go's math.Log2 is off by about 2e-12 relative, so
// values computed in Go are compared with a tolerance.
func TestLog2Accuracy(t *testing.T) {
	const v, exact = 1.0000483, 6.968048770470656170e-05
	db := openRaw(t, "")
	var got float64
	if err := db.QueryRow(`SELECT log2($1::DOUBLE)`, v).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != exact {
		t.Errorf("DuckDB log2(%v) = %.17g, want the correctly rounded %.17g", v, got, exact)
	}
	if rel := math.Abs(math.Log2(v)-exact) / exact; rel < 1e-12 || rel > 1e-11 {
		t.Errorf("math.Log2(%v) is %.3g relative from the correctly rounded value; the README says about 2e-12", v, rel)
	}
}
