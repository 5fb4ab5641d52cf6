package duckdb

import (
	"strings"
	"testing"
)

// FuzzExplained: explained never panics; what it returns is a non-empty
// tail of the query that does not itself start with EXPLAIN, and it
// accepts nothing that does not start with the word EXPLAIN.
func FuzzExplained(f *testing.F) {
	for _, s := range []string{
		"EXPLAIN SELECT 1", "explain analyze SELECT 1", "EXPLAIN (FORMAT json) SELECT 1",
		"/* x */ EXPLAIN -- y\n ANALYZE SELECT 1", "EXPLAIN ANALYZE EXPLAIN SELECT 1",
		"EXPLAIN", "EXPLAINED SELECT 1", "EXPLAIN (", "/*", "--", "EXPLAIN/**/SELECT 1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, query string) {
		rest, ok := explained(query)
		if !ok {
			if rest != "" {
				t.Errorf("explained(%q) refused but returned %q", query, rest)
			}
			return
		}
		if rest == "" || !strings.HasSuffix(query, rest) {
			t.Errorf("explained(%q) = %q, not a non-empty tail of the query", query, rest)
		}
		if _, again := cutWord(rest, "EXPLAIN"); again {
			t.Errorf("explained(%q) = %q, which is another EXPLAIN", query, rest)
		}
		if !strings.Contains(strings.ToUpper(query), "EXPLAIN") {
			t.Errorf("explained(%q) accepted a query without EXPLAIN", query)
		}
	})
}
