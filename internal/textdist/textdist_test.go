package textdist

import "testing"

func TestLevenshtein(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "abc", 3}, {"abc", "abc", 0},
		{"kitten", "sitting", 3}, {"sespis", "sepsis", 2}, {"heathy", "healthy", 1},
		{"chunk_sise", "chunk_size", 1},
	} {
		if got := Levenshtein(tc.a, tc.b); got != tc.want {
			t.Errorf("Levenshtein(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := Levenshtein(tc.b, tc.a); got != tc.want {
			t.Errorf("Levenshtein(%q, %q) = %d, want %d (not symmetric)", tc.b, tc.a, got, tc.want)
		}
	}
}

func TestNearest(t *testing.T) {
	commands := []string{"load", "init", "status", "query", "validate", "health", "features", "config", "bench", "version"}
	flags := []string{"db", "dsn", "config", "log-format", "log-level", "dry-run", "metadata", "quiet"}
	for _, tc := range []struct {
		word  string
		names []string
		want  string
	}{
		{"laod", commands, "load"}, // a swap is one edit
		{"lod", commands, "load"},  // one left out
		{"stauts", commands, "status"},
		{"QUERY", commands, "query"}, // case is ignored
		{"valid", commands, "validate"},
		{"feature", commands, "features"},
		{"conf", commands, "config"},
		{"ld", commands, ""},     // too short to tell
		{"create", commands, ""}, // near nothing
		{"bogus", commands, ""},
		{"log", flags, ""}, // begins two flags
		{"log-levl", flags, "log-level"},
		{"dryrun", flags, "dry-run"},
		{"quite", flags, "quiet"},
		{"dbs", flags, "db"},
		{"dsb", flags, ""}, // one edit from db and from dsn
	} {
		if got := Nearest(tc.word, tc.names); got != tc.want {
			t.Errorf("Nearest(%q) = %q, want %q", tc.word, got, tc.want)
		}
	}
}

func TestSwapDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"laod", "load", 1}, {"load", "load", 0}, {"", "ab", 2}, {"ab", "ba", 1},
		{"kitten", "sitting", 3}, {"abc", "ca", 3},
	} {
		if got := swapDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("swapDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
