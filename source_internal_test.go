package genexp

import (
	"os"
	"path/filepath"
	"testing"
)

// TestIsZip: a download is a zip by its name, or, saved without one, by a
// zip's local file header (PK\x03\x04); a matrix whose first bytes only
// begin with "PK" is none.
func TestIsZip(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, data string
		want       bool
	}{
		{"download.zip", "", true},
		{"download.ZIP", "not read", true},
		{"download", "PK\x03\x04\x14\x00", true},
		{"GSE1", "PK\tGSM1\nG1\t1\n", false},
		{"GSE2", "PK\x05\x06", false}, // an empty zip's end record: no entry to read
		{"short", "PK", false},
	} {
		p := filepath.Join(dir, tc.name)
		if err := os.WriteFile(p, []byte(tc.data), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := isZip(p); got != tc.want {
			t.Errorf("isZip(%s holding %q) = %v, want %v", tc.name, tc.data, got, tc.want)
		}
	}
	if isZip(filepath.Join(dir, "absent")) {
		t.Error("isZip of a file that does not exist")
	}
}
