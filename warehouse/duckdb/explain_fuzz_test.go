package duckdb

import (
	"strings"
	"testing"
)

// FuzzExplained: explained never panics; each reading it returns is a
// non-empty tail of the query that starts with neither a comment nor
// another EXPLAIN, and it accepts nothing that does not start with the
// word EXPLAIN.
func FuzzExplained(f *testing.F) {
	for _, s := range []string{
		"EXPLAIN SELECT 1", "explain analyze SELECT 1", "EXPLAIN (FORMAT json) SELECT 1",
		"/* x */ EXPLAIN ANALYZE SELECT 1", "EXPLAIN ANALYZE EXPLAIN SELECT 1",
		"EXPLAIN", "EXPLAINED SELECT 1", "EXPLAIN (", "/*", "--", "EXPLAIN/**/SELECT 1",
		"EXPLAIN ANALYZE /* /* */ SELECT ' */ SET threads=7 --'",
		"EXPLAIN (ANALYZE, FORMAT json /* ) SELECT 1 -- */) SET threads=5",
		"EXPLAIN (SELECT 1) UNION ALL (SELECT 2)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, query string) {
		readings, ok := explained(query)
		if !ok {
			if readings != nil {
				t.Errorf("explained(%q) refused but returned %q", query, readings)
			}
			return
		}
		if len(readings) == 0 || len(readings) > 2 {
			t.Fatalf("explained(%q) = %q: want one or two readings", query, readings)
		}
		for _, r := range readings {
			if r == "" || !strings.HasSuffix(query, r) {
				t.Errorf("explained(%q) gives %q, not a non-empty tail of the query", query, r)
			}
			if strings.HasPrefix(r, "--") || strings.HasPrefix(r, "/*") {
				t.Errorf("explained(%q) gives %q, which starts with a comment", query, r)
			}
			if _, again := cutWord(r, "EXPLAIN"); again {
				t.Errorf("explained(%q) gives %q, another EXPLAIN", query, r)
			}
		}
		if _, ok := cutWord(strings.TrimLeft(query, blanks), "EXPLAIN"); !ok {
			t.Errorf("explained(%q) accepted a query that does not start with EXPLAIN", query)
		}
	})
}
