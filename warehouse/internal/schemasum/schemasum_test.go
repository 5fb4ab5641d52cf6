package schemasum

import (
	"errors"
	"strings"
	"testing"

	"github.com/genexp/genexp/qc"
)

func TestOfIsSha256sum(t *testing.T) {
	// sha256sum of an empty file and of "a\n".
	for text, want := range map[string]string{
		"":    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"a\n": "87428fc522803d31065e7bce3cf03fe475096631e5e07bbd7a0fde60c4cf25c7",
	} {
		if got := Of([]byte(text)); got != want {
			t.Errorf("Of(%q) = %s, want %s", text, got, want)
		}
	}
}

func TestMismatch(t *testing.T) {
	err := Mismatch("duckdb", 3, "003_features.sql", "x", "y")
	var qe *qc.Error
	if !errors.As(err, &qe) || qe.Code != qc.SchemaVersion {
		t.Fatalf("%v: want a *qc.Error of code SchemaVersion", err)
	}
	for _, want := range []string{"duckdb: ", "schema version 3 ", "003_features.sql", "recorded SHA-256 x", "this genexp's y", "another build's text of that migration"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
}
