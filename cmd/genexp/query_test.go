package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/genexp/genexp/qc"
)

// loadedWarehouse returns a warehouse file, alone in its directory, with
// the quick-start study loaded.
func loadedWarehouse(t *testing.T) (dir, db string) {
	t.Helper()
	dir = t.TempDir()
	db = filepath.Join(dir, "w2.duckdb")
	src := filepath.Join("..", "..", "testdata", "refinebio", "quickstart", "GSE71270")
	if code, _, stderr := runCLI(t, "load", "--db", db, src); code != exitOK {
		t.Fatalf("load: exit %d\n%s", code, stderr)
	}
	return dir, db
}

func queryFacts(t *testing.T, db string) string {
	t.Helper()
	code, out, stderr := runCLI(t, "query", "--db", db, "SELECT COUNT(*) AS facts FROM fact_gene_expression")
	if code != exitOK {
		t.Fatalf("counting the facts: exit %d\n%s", code, stderr)
	}
	return out
}

func filesIn(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// TestQueryIsReadOnly: query runs exactly one statement that reads.
// Several statements (the first of which used to run unseen), a statement
// that attaches, deletes, sets or writes a file are refused with code
// 6001 and exit 2, and the warehouse, its facts and its directory stay as
// they were.
func TestQueryIsReadOnly(t *testing.T) {
	dir, db := loadedWarehouse(t)
	facts, files := queryFacts(t, db), filesIn(t, dir)
	if strings.Contains(facts, "\n0\n") {
		t.Fatalf("no facts loaded:\n%s", facts)
	}
	for _, q := range []string{
		"SELECT 1 AS a; SELECT 2 AS b",
		"ATTACH 'other.duckdb' AS o (READ_WRITE); USE o; DETACH w2; ATTACH '" + db + "' AS w (READ_WRITE); DELETE FROM w.fact_gene_expression",
		"ATTACH '" + filepath.Join(dir, "other.duckdb") + "' AS o (READ_WRITE)",
		"DELETE FROM fact_gene_expression",
		"DETACH w2",
		"USE memory",
		"COPY fact_gene_expression TO '" + filepath.Join(dir, "facts.csv") + "'",
		"COPY (SELECT 1) TO '" + filepath.Join(dir, "one.parquet") + "' (FORMAT parquet)",
		"EXPORT DATABASE '" + filepath.Join(dir, "export") + "'",
		"EXPLAIN ANALYZE COPY fact_gene_expression TO '" + filepath.Join(dir, "plan.csv") + "'",
		"SET threads = 1",
		"CHECKPOINT",
		"SELECT * FROM read_csv('" + filepath.Join("..", "..", "testdata", "refinebio", "quickstart", "GSE71270", "GSE71270", "metadata_GSE71270.tsv") + "')",
	} {
		code, out, stderr := runCLI(t, "query", "--db", db, q)
		rec := errorRecord(t, stderr)
		if code != exitUsage || out != "" || rec.Code != int(qc.QueryRefused) {
			t.Errorf("query %q: exit %d, record %+v, want %d and code %d\n%s%s", q, code, rec, exitUsage, qc.QueryRefused, out, stderr)
		}
	}
	for _, q := range []string{"SELECT 1 AS a; SELECT 2 AS b", "SET threads = 1"} {
		_, _, stderr := runCLI(t, "query", "--db", db, q)
		if !strings.Contains(stderr, "SELECT, WITH … SELECT, VALUES") {
			t.Errorf("query %q does not say what is allowed:\n%s", q, stderr)
		}
	}
	if got := queryFacts(t, db); got != facts {
		t.Errorf("the facts changed:\n%s\nwant\n%s", got, facts)
	}
	if got := filesIn(t, dir); !slices.Equal(got, files) {
		t.Errorf("the directory holds %v, want %v", got, files)
	}
}

// TestQueryStillQueries: plain SELECTs, CTEs, DESCRIBE, SHOW, SUMMARIZE and
// EXPLAIN print their rows.
func TestQueryStillQueries(t *testing.T) {
	_, db := loadedWarehouse(t)
	for _, tc := range []struct{ q, want string }{
		{"SELECT study_accession_code FROM dim_study", "GSE71270"},
		{"WITH s AS (SELECT study_accession_code AS acc FROM dim_study) SELECT acc FROM s", "GSE71270"},
		{"DESCRIBE fact_gene_expression", "column_name"},
		{"SHOW TABLES", "fact_gene_expression"},
		{"SUMMARIZE dim_study", "study_accession_code"},
		{"EXPLAIN SELECT COUNT(*) FROM fact_gene_expression", "physical_plan"},
		{"VALUES (42)", "42"},
	} {
		code, out, stderr := runCLI(t, "query", "--db", db, tc.q)
		if code != exitOK || !strings.Contains(out, tc.want) || !strings.Contains(out, " rows)") {
			t.Errorf("query %q: exit %d, want 0 and %q\n%s%s", tc.q, code, tc.want, out, stderr)
		}
	}
}

// TestQueryPrintsInChunks: with --max-rows 0 the rows are written as they
// are read, aligned per chunk of queryChunk rows, rather than held whole by
// the tabwriter: a wide value after the first chunk does not widen its
// column there.
func TestQueryPrintsInChunks(t *testing.T) {
	_, db := loadedWarehouse(t)
	n := 3 * queryChunk
	q := "SELECT CASE WHEN i < 1000 THEN 'a' ELSE 'bbbbbbbbbbbbbbbbbbbb' END AS v, i FROM range(3000) t(i) ORDER BY i"
	code, out, stderr := runCLI(t, "query", "--db", db, "--max-rows", "0", q)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != n+2 || lines[len(lines)-1] != "(3000 rows)" {
		t.Fatalf("%d lines, last %q; want %d and (3000 rows)", len(lines), lines[len(lines)-1], n+2)
	}
	if lines[1] != "a  0" {
		t.Errorf("the first row reads %q, want %q: the first chunk is aligned on the rows after it", lines[1], "a  0")
	}
	if want := "bbbbbbbbbbbbbbbbbbbb  1000"; lines[queryChunk+1] != want {
		t.Errorf("row 1000 reads %q, want %q", lines[queryChunk+1], want)
	}
	code, out, _ = runCLI(t, "query", "--db", db, "--max-rows", "5", q)
	if code != exitOK || !strings.Contains(out, "(stopped after 5 rows; use --max-rows 0 for all)") {
		t.Errorf("--max-rows 5: exit %d\n%s", code, out)
	}
	if code, _, stderr := runCLI(t, "query", "--db", db, "--max-rows", "-1", q); code != exitUsage {
		t.Errorf("--max-rows -1: exit %d, want %d\n%s", code, exitUsage, stderr)
	}
}

// TestCommandsRefuseExtraArguments: a command that takes no positional
// argument refuses one (exit 2) instead of ignoring it: `genexp init
// mywarehouse.duckdb` used to create genexp.duckdb.
func TestCommandsRefuseExtraArguments(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, args := range [][]string{
		{"init", "mywarehouse.duckdb"},
		{"status", "mywarehouse.duckdb"},
		{"health", "mywarehouse.duckdb"},
		{"config", "extra.yaml"},
		{"query", "SELECT 1", "SELECT 2"},
	} {
		var out, errb bytes.Buffer
		code := run(args, &out, &errb)
		if code != exitUsage || !strings.Contains(errb.String(), "genexp "+args[0]+": takes ") {
			t.Errorf("%q: exit %d, want %d and why\n%s%s", args, code, exitUsage, out.String(), errb.String())
		}
		// Under --log-format json the refusal is one JSON record.
		code, _, stderr := runCLI(t, args...)
		if rec := errorRecord(t, stderr); code != exitUsage || !strings.Contains(rec.Msg, "takes ") {
			t.Errorf("%q --log-format json: exit %d, record %+v", args, code, rec)
		}
	}
	if got := filesIn(t, dir); len(got) != 0 {
		t.Errorf("refused commands left %v", got)
	}
	// A DSN given without --dsn is shown redacted.
	const secret = "Zq8KwTv5Rm"
	for _, cmd := range []string{"init", "status", "health"} {
		var out, errb bytes.Buffer
		code := run([]string{cmd, "sqlserver://sa:" + secret + "@127.0.0.1:1"}, &out, &errb)
		if code != exitUsage || strings.Contains(out.String()+errb.String(), secret) {
			t.Errorf("%s with a DSN as its argument: exit %d, the password shown:\n%s%s", cmd, code, out.String(), errb.String())
		}
	}
	// A DSN whose "://" was mistyped reads as a file path that does not
	// exist; saying so must not show the password either.
	for _, dsn := range []string{"sqlserver//sa:" + secret + "@127.0.0.1:1?database=x", "sqlserver:sa:" + secret + "@127.0.0.1:1",
		"sqlserver//sa:Pa/" + secret + "@127.0.0.1:1?database=x", "sqlserver//sa:Pa?" + secret + "@127.0.0.1:1"} {
		for _, cmd := range []string{"status", "health", "query"} {
			args := []string{cmd, "--dsn", dsn}
			if cmd == "query" {
				args = append(args, "SELECT 1")
			}
			code, stdout, stderr := runCLI(t, args...)
			if code == exitOK || strings.Contains(stdout+stderr, secret) {
				t.Errorf("%q: exit %d, the password shown:\n%s%s", args, code, stdout, stderr)
			}
		}
	}
}

// TestLogFlagsCheckedByEveryCommand: a bad --log-format or --log-level is
// a usage error for every command, not only those that log.
func TestLogFlagsCheckedByEveryCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.duckdb")
	if code, _, stderr := runCLI(t, "init", "--db", db); code != exitOK {
		t.Fatalf("init: exit %d\n%s", code, stderr)
	}
	src := filepath.Join("..", "..", "testdata", "refinebio", "quickstart", "GSE71270")
	cmds := [][]string{
		{"init", "--db", db}, {"status", "--db", db}, {"query", "--db", db, "SELECT 1"}, {"health", "--db", db},
		{"config"}, {"features", "--db", db}, {"validate", src}, {"load", "--db", db, src},
	}
	for _, cmd := range cmds {
		for _, bad := range [][]string{{"--log-format", "xml"}, {"--log-level", "TRACE"}} {
			var out, errb bytes.Buffer
			code := run(append(slices.Clone(cmd), bad...), &out, &errb)
			if code != exitUsage || !strings.Contains(errb.String(), bad[0]+": ") {
				t.Errorf("%q %q: exit %d, want %d and the flag named\n%s%s", cmd, bad, code, exitUsage, out.String(), errb.String())
			}
		}
		// A bad level under --log-format json: one JSON record.
		var out, errb bytes.Buffer
		code := run(append(slices.Clone(cmd), "--log-format", "json", "--log-level", "TRACE"), &out, &errb)
		if rec := errorRecord(t, errb.String()); code != exitUsage || !strings.Contains(rec.Msg, "--log-level") {
			t.Errorf("%q --log-level TRACE in JSON: exit %d, record %+v", cmd, code, rec)
		}
	}
	// An unknown flag after --log-format json: one JSON record, no help.
	var out, errb bytes.Buffer
	code := run([]string{"status", "--log-format", "json", "--nope"}, &out, &errb)
	if rec := errorRecord(t, errb.String()); code != exitUsage || !strings.Contains(rec.Msg, "nope") {
		t.Errorf("--nope in JSON: exit %d, record %+v", code, rec)
	}
}

// TestDSNAsPathRefused: a warehouse DSN given where a download belongs is
// refused before anything reads, logs or records it, and the refusal shows
// it redacted.
func TestDSNAsPathRefused(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.duckdb")
	const secret = "hunter2Zq8"
	for _, dsn := range []string{"Server=h;Password=" + secret, "sqlserver://sa:" + secret + "@h"} {
		for _, cmd := range []string{"load", "validate"} {
			args := []string{cmd, dsn}
			if cmd == "load" {
				args = []string{cmd, "--db", db, dsn}
			}
			var out, errb bytes.Buffer
			code := run(args, &out, &errb)
			if code != exitUsage || !strings.Contains(errb.String(), "is a warehouse DSN, not a download") ||
				strings.Contains(out.String()+errb.String(), secret) {
				t.Errorf("%s %q: exit %d\n%s%s", cmd, dsn, code, out.String(), errb.String())
			}
		}
	}
	if got := filesIn(t, dir); len(got) != 0 {
		t.Errorf("the refused loads left %v", got)
	}
}

// TestQueryReadsNoFileInTheTempDirectory: DuckDB lets a statement read the
// files of its temp directory even with external access off, and a
// warehouse's is FILE.tmp beside it, where any file may stand; a query has
// one of its own, so such a file is refused as any other, and a DSN that
// names a temp_directory still opens (DuckDB refuses to set one once
// external access is off, so that option goes last).
func TestQueryReadsNoFileInTheTempDirectory(t *testing.T) {
	_, db := loadedWarehouse(t)
	if err := os.MkdirAll(db+".tmp", 0o755); err != nil {
		t.Fatal(err)
	}
	planted := filepath.Join(db+".tmp", "x.csv")
	if err := os.WriteFile(planted, []byte("a,b\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, "query", "--db", db, "SELECT * FROM read_csv('"+planted+"')")
	if code != exitUsage || !strings.Contains(stderr, "reaches a file other than the warehouse") {
		t.Errorf("reading a file in FILE.tmp: exit %d, want %d refused\n%s%s", code, exitUsage, out, stderr)
	}
	code, out, stderr = runCLI(t, "query", "--db", db+"?temp_directory="+filepath.Join(t.TempDir(), "spill"), "SELECT 41 + 1")
	if code != exitOK || !strings.Contains(out, "42") {
		t.Errorf("a DSN naming a temp_directory: exit %d\n%s%s", code, out, stderr)
	}
}
