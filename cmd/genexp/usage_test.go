package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp/qc"
)

// TestInitHelpSaysDiskFullExits3: a disk that fills while init writes the
// schema is reported as ConnectionFailed, which exits 3, and the help says
// so rather than promising 1.
func TestInitHelpSaysDiskFullExits3(t *testing.T) {
	var out, errb bytes.Buffer
	run([]string{"init", "-h"}, &out, &errb)
	help := strings.Join(strings.Fields(out.String()), " ")
	full := qc.Wrap(qc.ConnectionFailed, nil, "cannot write w.duckdb: no space left on device")
	if exitStatus(full) != exitNoAccess {
		t.Fatalf("a full disk exits %d", exitStatus(full))
	}
	// So does analytics that failed on a full disk, which used to exit 5.
	features := qc.Wrap(qc.MaterializationFailed, full, "duckdb: features of GSE1")
	if exitStatus(features) != exitNoAccess {
		t.Fatalf("features failed on a full disk exit %d", exitStatus(features))
	}
	if other := qc.Wrap(qc.MaterializationFailed, nil, "duckdb: features of GSE1"); exitStatus(other) != exitAnalytics {
		t.Fatalf("features failed for themselves exit %d", exitStatus(other))
	}
	if !strings.Contains(help, "3 the warehouse could not be opened, written or migrated (busy, unreachable, written by a newer genexp, no permission, disk full") {
		t.Errorf("init -h does not say a full disk exits 3:\n%s", out.String())
	}
	if strings.Contains(help, "(the disk, for instance)") {
		t.Errorf("init -h still promises exit 1 for the disk:\n%s", out.String())
	}
}

// TestFlagValuesRefused: values a flag cannot take are usage errors (exit
// 2) naming the flag: --steps below 1 (it used to show 20 rows),
// --top-genes beyond the bound (it used to name the configuration key and
// print its code twice), a busy_timeout that is not a duration (it used
// to exit 3, as if the warehouse could not be opened).
func TestFlagValuesRefused(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.duckdb")
	if code, _, stderr := runCLI(t, "init", "--db", db); code != exitOK {
		t.Fatalf("init: exit %d\n%s", code, stderr)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"status", "--db", db, "--steps", "0"}, "--steps must be at least 1"},
		{[]string{"status", "--db", db, "--steps", "-1"}, "--steps must be at least 1"},
		{[]string{"status", "--db", db, "--runs", "0"}, "--steps must be at least 1"},
		{[]string{"status", "--db", db, "--steps", "1", "--runs", "3"}, "--runs is the deprecated name of --steps: give one of them"},
		{[]string{"features", "--db", db, "--top-genes", "5000"}, "--top-genes must be between 1 and 1000 (0: the configuration's), got 5000"},
		{[]string{"features", "--db", db, "--top-genes", "-3"}, "--top-genes must be between 1 and 1000 (0: the configuration's), got -3"},
		{[]string{"status", "--db", db + "?busy_timeout=abc"}, `busy_timeout="abc" is not a duration`},
		{[]string{"init", "--db", db + "?busy_timeout=abc"}, `busy_timeout="abc" is not a duration`},
		{[]string{"query", "--db", db + "?busy_timeout=abc", "SELECT 1"}, `busy_timeout="abc" is not a duration`},
		{[]string{"health", "--db", db + "?busy_timeout=abc"}, `busy_timeout="abc" is not a duration`},
		{[]string{"health", "--json", "--db", db + "?busy_timeout=abc"}, `busy_timeout="abc" is not a duration`},
	} {
		code, out, stderr := runCLI(t, tc.args...)
		rec := errorRecord(t, stderr)
		if code != exitUsage || !strings.Contains(rec.Msg, tc.want) {
			t.Errorf("%q: exit %d, record %+v; want %d and %q\n%s", tc.args, code, rec, exitUsage, tc.want, out)
		}
		if strings.Count(rec.Msg, "[") > 1 || strings.Contains(rec.Msg, "analytics.top_variable_genes") {
			t.Errorf("%q: %q names its code twice or the configuration key", tc.args, rec.Msg)
		}
	}
	if code, _, stderr := runCLI(t, "status", "--db", db+"?busy_timeout=2s", "--steps", "1"); code != exitOK {
		t.Errorf("a good busy_timeout and --steps 1: exit %d\n%s", code, stderr)
	}
}
