package genexp_test

import (
	"testing"

	"github.com/genexp/genexp"
)

// TestBatchIDGolden pins the batch ids of fixed inputs. A batch id is
// stored with every fact and compared at each load: a change of its
// formula would make every reload of unchanged content a replace. The
// values were computed outside Go, as the first 32 hex digits of
// SHA-256(study, NUL, hash).
func TestBatchIDGolden(t *testing.T) {
	tests := []struct{ study, hash, want string }{
		{"GSE1", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "2235b1a66c28ee1c8479aafa3899230c"},
		{"E-GEOD-39842", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "2e9b30db95436a6cbc5b247415cc4664"},
	}
	for _, tc := range tests {
		if got := genexp.BatchID(tc.study, tc.hash); got != tc.want {
			t.Errorf("BatchID(%q, %q) = %s, want %s", tc.study, tc.hash, got, tc.want)
		}
	}
	// The separator keeps a study's digits from running into the hash.
	if genexp.BatchID("GSE12", "3abc") == genexp.BatchID("GSE123", "abc") {
		t.Error("BatchID does not separate the study from the hash")
	}
}
