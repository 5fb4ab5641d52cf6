package duckdb

import (
	"context"
	"testing"
)

func TestHealthStatementsPrepare(t *testing.T) {
	w, err := Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for name, stmt := range healthStatements {
		s, err := w.DB().PrepareContext(context.Background(), stmt)
		if err != nil {
			t.Errorf("%s does not prepare against the schema: %v", name, err)
			continue
		}
		s.Close()
	}
}
