package expression

import (
	"errors"
	"testing"

	"github.com/genexp/genexp/qc"
)

// TestNewReaderWithoutSource: a nil source is an error, not a panic at the
// first read.
func TestNewReaderWithoutSource(t *testing.T) {
	if _, err := NewReader(nil); !errors.Is(err, qc.InvalidFormat) {
		t.Errorf("err = %v, want InvalidFormat", err)
	}
}
