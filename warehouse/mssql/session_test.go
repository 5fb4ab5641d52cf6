package mssql

import (
	"context"
	"testing"
)

// TestWritesRunWithSessionOptions: every statement the backend sends,
// but the reads listed here, runs in a session that ran stmtSessionOptions
// first: on its connection and since the pool last handed that connection
// out (go-mssqldb resets the session then, SET options included). It
// drives a migration with the gene index, a load that removes dead loads'
// staging rows, and CleanStaging.
func TestWritesRunWithSessionOptions(t *testing.T) {
	reads := map[string]bool{"schema_version_exists": true, "stale_loads": true}
	s := newFakeServer(t)
	s.stale = []int64{7}
	cfg := testConfig(5)
	cfg.GeneIndex = true
	w := s.open(t, cfg)
	ctx := context.Background()
	if err := w.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	m := newMatrix(4, 3)
	b := stage(t, w, m, 2)
	if _, err := b.Commit(ctx, m.commit("h1")); err != nil {
		t.Fatal(err)
	}
	s.stale = []int64{9}
	if n, err := w.CleanStaging(ctx); err != nil || n != 1 {
		t.Fatalf("CleanStaging = %d, %v, want 1", n, err)
	}

	type session struct{ conn, resets int }
	set := map[session]bool{}
	seen := map[string]bool{}
	for _, c := range s.calls {
		at := session{c.conn, c.session}
		seen[c.name] = true
		switch {
		case c.name == "session_options":
			set[at] = true
		case !set[at] && !reads[c.name]:
			t.Errorf("%s ran on connection %d without the session options", c.name, c.conn)
		}
	}
	for _, name := range []string{"gene_index", "clear_load", "insert_facts"} {
		if !seen[name] {
			t.Errorf("%s did not run: the test does not cover it", name)
		}
	}
}
