package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

func TestExitStatusAndMessagePerCode(t *testing.T) {
	want := map[qc.Code]int{
		qc.FileNotFound: exitInput, qc.InvalidFormat: exitInput, qc.EncodingError: exitInput, qc.ParseError: exitInput, qc.ConfigInvalid: exitUsage,
		qc.SampleMismatch: exitFailed, qc.GeneCountLow: exitFailed, qc.NullPercentageHigh: exitFailed,
		qc.DuplicateSamples: exitFailed, qc.DuplicateGenes: exitFailed, qc.SampleCountLow: exitFailed,
		qc.DistributionShift: exitFailed, qc.NegativeAbundance: exitFailed,
		qc.IllnessInferenceFailed: exitFailed, qc.PlatformNormalizationFailed: exitFailed, qc.DimensionLookupFailed: exitFailed,
		qc.ConnectionFailed: exitNoAccess, qc.BatchDuplicate: exitFailed, qc.ForeignKeyViolation: exitFailed,
		qc.ConstraintViolation: exitFailed, qc.WarehouseBusy: exitNoAccess, qc.SchemaVersion: exitNoAccess, qc.TimedOut: exitFailed,
		qc.ViewCreationFailed: exitAnalytics, qc.MaterializationFailed: exitAnalytics,
		qc.QueryRefused: exitUsage,
	}
	if len(want) != len(qc.Codes()) {
		t.Fatalf("the table covers %d codes of %d", len(want), len(qc.Codes()))
	}
	for _, c := range qc.Codes() {
		t.Run(c.Name(), func(t *testing.T) {
			err := fmt.Errorf("genexp: loading: %w", &qc.Error{Code: c, Severity: qc.SeverityError, File: "x.tsv", Line: 3,
				Msg: "detail\nover two lines"})
			if got := exitStatus(err); got != want[c] {
				t.Errorf("exit status %d, want %d", got, want[c])
			}
			var stderr bytes.Buffer
			if got := fail(&stderr, err); got != want[c] {
				t.Errorf("fail returned %d, want %d", got, want[c])
			}
			line := stderr.String()
			if strings.Count(line, "\n") != 1 || !strings.HasPrefix(line, "genexp: "+c.Summary()+": ") ||
				!strings.Contains(line, "x.tsv:3") || !strings.Contains(line, fmt.Sprint(int(c))) {
				t.Errorf("message %q: want one line with the summary, the place and the code", line)
			}
		})
	}
	if got := exitStatus(fmt.Errorf("plain")); got != exitFailed {
		t.Errorf("uncoded error: exit %d, want %d", got, exitFailed)
	}
}

// craftStudy writes a small study folder; missing makes every cell missing
// (a 2003 error).
func craftStudy(t *testing.T, dir, study string, missing bool) string {
	t.Helper()
	folder := filepath.Join(dir, study)
	if err := os.MkdirAll(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	var m strings.Builder
	m.WriteString("Gene\tGSM1\tGSM2\tGSM3\n")
	for g := 0; g < 30; g++ {
		fmt.Fprintf(&m, "ENSG%05d", g)
		for c := 0; c < 3; c++ {
			if missing {
				m.WriteString("\tNA")
			} else {
				fmt.Fprintf(&m, "\t%d.5", (g*31+c*17)%100)
			}
		}
		m.WriteString("\n")
	}
	sheet := "refinebio_accession_code\texperiment_accession\nGSM1\t" + study + "\nGSM2\t" + study + "\nGSM3\t" + study + "\n"
	for name, body := range map[string]string{study + ".tsv": m.String(), "metadata_" + study + ".tsv": sheet} {
		if err := os.WriteFile(filepath.Join(folder, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return folder
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append(args, "--log-format", "json"), &out, &errb)
	return code, out.String(), errb.String()
}

func listDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			info, _ := d.Info()
			b, _ := os.ReadFile(p)
			out[p] = fmt.Sprintf("%d %v %x", info.Size(), info.ModTime().UnixNano(), len(b))
		}
		return nil
	})
	return out
}

func TestValidateWritesNothing(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	good := craftStudy(t, dir, "GSE1", false)
	before := listDir(t, dir)
	code, out, stderr := runCLI(t, "validate", good)
	if code != exitWarnings || !strings.Contains(out, "GSE1") || !strings.Contains(out, "2002") {
		t.Errorf("validate of a 30-gene study: exit %d (want %d, the 2002 warning)\n%s%s", code, exitWarnings, out, stderr)
	}
	if after := listDir(t, dir); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("validate changed the directory:\nbefore %v\nafter  %v", before, after)
	}
	bad := craftStudy(t, dir, "GSE2", true)
	before = listDir(t, dir)
	code, out, _ = runCLI(t, "validate", good, bad, filepath.Join(dir, "nothing-here"))
	if code != exitInput || !strings.Contains(out, "GSE2 rejected") {
		t.Errorf("exit %d, want %d (an unreadable input outranks a rejected study)\n%s", code, exitInput, out)
	}
	code, _, _ = runCLI(t, "validate", bad)
	if code != exitFailed {
		t.Errorf("a rejected study: exit %d, want %d", code, exitFailed)
	}
	// A matrix no study could be read from is named by its file.
	empty := filepath.Join(dir, "empty.tsv")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runCLI(t, "validate", empty)
	if code != exitInput || !strings.Contains(out, "\n"+empty+" rejected: ") {
		t.Errorf("an empty matrix: exit %d, its rejection not named by its file\n%s", code, out)
	}
	os.Remove(empty)
	// A configured log file is not written either: its messages go to
	// stderr.
	cfg := filepath.Join(t.TempDir(), "q.yaml")
	os.WriteFile(cfg, []byte("quality_thresholds:\n  min_genes_per_sample: 10\nlogging:\n  file: "+filepath.Join(dir, "genexp.log")+"\n"), 0o644)
	code, out, stderr = runCLI(t, "validate", "--config", cfg, good)
	if code != exitOK || !strings.Contains(stderr, "run started") {
		t.Errorf("clean study: exit %d, want 0 and the log on stderr\n%s%s", code, out, stderr)
	}
	if after := listDir(t, dir); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("validate changed the directory:\nbefore %v\nafter  %v", before, after)
	}
}

func TestLoadDryRunWritesNothing(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	study := craftStudy(t, dir, "GSE3", false)
	db := filepath.Join(t.TempDir(), "w.duckdb")
	code, out, stderr := runCLI(t, "load", "--dry-run", "--db", db, study)
	// Like validate, a dry run exits by the worst severity: the 30-gene
	// study has a 2002 warning.
	if code != exitWarnings || !strings.Contains(out, "dry run") || !strings.Contains(out, "new") {
		t.Fatalf("dry run on no warehouse: exit %d\n%s%s", code, out, stderr)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Fatalf("dry run created %s", db)
	}
	if code, out, stderr := runCLI(t, "load", "--db", db, study); code != exitOK {
		t.Fatalf("load: exit %d\n%s%s", code, out, stderr)
	}
	before := listDir(t, filepath.Dir(db))
	cfg := filepath.Join(t.TempDir(), "log.yaml")
	os.WriteFile(cfg, []byte("logging:\n  file: "+filepath.Join(filepath.Dir(db), "genexp.log")+"\n"), 0o644)
	code, out, _ = runCLI(t, "load", "--dry-run", "--config", cfg, "--db", db, study)
	if code != exitWarnings || !strings.Contains(out, "duplicate") {
		t.Errorf("dry run of a loaded study: exit %d, want it reported as duplicate\n%s", code, out)
	}
	if after := listDir(t, filepath.Dir(db)); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("dry run changed the warehouse:\nbefore %v\nafter  %v", before, after)
	}
}

func TestHealthCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.duckdb")
	code, out, _ := runCLI(t, "health", "--db", db)
	if code != exitHealthCritical || !strings.Contains(out, "critical") {
		t.Errorf("missing warehouse: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Fatal("health created the warehouse file")
	}
	if code, _, _ := runCLI(t, "init", "--db", db); code != exitOK {
		t.Fatal("init failed")
	}
	code, out, _ = runCLI(t, "health", "--db", db, "--json")
	var rep struct {
		Status string
		Checks []struct{ Name, Status string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if code != exitOK || rep.Status != "healthy" || len(rep.Checks) != 7 {
		t.Errorf("fresh warehouse: exit %d, %+v", code, rep)
	}
	runCLI(t, "load", "--db", db, craftStudy(t, t.TempDir(), "GSE4", true))
	code, out, _ = runCLI(t, "health", "--db", db, "--json")
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if code != exitHealthWarning {
		t.Errorf("health --json after a failed load: exit %d, want %d\n%s", code, exitHealthWarning, out)
	}
	if bad := nonSnakeKeys(doc, ""); len(bad) > 0 {
		t.Errorf("health --json has keys that are not snake_case: %v\n%s", bad, out)
	}
	details, _ := doc["details"].(map[string]any)
	disk, _ := doc["disk"].(map[string]any)
	runs, _ := details["runs"].([]any)
	if details["schema_version"] == nil || details["failed_steps"] != 1.0 || len(runs) != 1 || disk["free_bytes"] == nil {
		t.Errorf("health --json after a failed load: details %v, disk %v", details, disk)
	} else if run, _ := runs[0].(map[string]any); run["run_id"] == nil || run["failed"] != 1.0 {
		t.Errorf("health --json run %v: want its run_id and one failed step", run)
	}
	code, out, _ = runCLI(t, "health", "--db", db)
	if code != exitHealthWarning || !strings.Contains(out, "1 failed step in 1 run in the last 24 h") ||
		!strings.Contains(out, "(1 study, 5 steps), finished with 1 failed step") {
		t.Errorf("after a failed load: exit %d\n%s", code, out)
	}
}

// nonSnakeKeys lists the keys of a decoded JSON document, at any depth,
// that are not snake_case.
func nonSnakeKeys(v any, at string) []string {
	var bad []string
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if k != strings.ToLower(k) || strings.ContainsAny(k, " -") {
				bad = append(bad, at+"."+k)
			}
			bad = append(bad, nonSnakeKeys(e, at+"."+k)...)
		}
	case []any:
		for i, e := range x {
			bad = append(bad, nonSnakeKeys(e, fmt.Sprintf("%s[%d]", at, i))...)
		}
	}
	return bad
}

// TestCLINeverPrintsThePassword runs every command that takes a warehouse
// against DSNs holding a secret: a SQL Server URL, an ADO string (neither
// can connect here), and DuckDB files whose DSN carries a password or a
// token (refused: query read a DuckDB password back with current_setting).
// No output, on success or failure, may hold the secret.
func TestCLINeverPrintsThePassword(t *testing.T) {
	dir := t.TempDir()
	study := craftStudy(t, dir, "GSE5", false)
	for _, tc := range []struct {
		name, dsn, secret string
		reachable         bool
	}{
		{"url", "sqlserver://sa:Hunter2Secret@db.invalid:1433?database=genexp", "Hunter2Secret", false},
		{"ado", "server=db.invalid;user id=sa;password=S3cretAdo;", "S3cretAdo", false},
		// refused: DuckDB would keep it as a setting a query reads back
		{"duckdb password", filepath.Join(dir, "w.duckdb") + "?password=S3cretDuck", "S3cretDuck", false},
		{"duckdb token", filepath.Join(dir, "t.duckdb") + "?motherduck_token=S3cretTok", "S3cretTok", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, args := range [][]string{
				{"init"},
				{"load", study},
				{"load", "--dry-run", study},
				{"status"},
				{"health"},
				{"health", "--json"},
				{"query", "SELECT COUNT(*) FROM dim_study"},
				{"query", "SELECT current_setting('password')"},
				{"features"},
				{"validate", study},
			} {
				code, out, stderr := runCLI(t, append(args, "--dsn", tc.dsn)...)
				if strings.Contains(out+stderr, tc.secret) {
					t.Errorf("%v: the output holds the secret:\n%s%s", args, out, stderr)
				}
				if args[0] == "init" && code == exitOK != tc.reachable {
					t.Errorf("init: exit %d\n%s%s", code, out, stderr)
				}
			}
		})
	}
}

// TestChecksShowAStudyTheFilterSkips: a study processing.study_code_pattern
// excludes is "skipped" in validate's verdict and in a dry run's, never
// "ok", and the other studies are checked as usual; validate, the dry run
// and the load say why it was skipped.
func TestChecksShowAStudyTheFilterSkips(t *testing.T) {
	dir := t.TempDir()
	kept, dropped := craftStudy(t, dir, "GSE1", false), craftStudy(t, dir, "SRP2", false)
	cfg := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(cfg, []byte("processing:\n  study_code_pattern: \"GSE\\\\d+\"\nquality_thresholds:\n  min_genes_per_sample: 10\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"validate", "--config", cfg, kept, dropped},
		{"load", "--dry-run", "--db", filepath.Join(dir, "w.duckdb"), "--config", cfg, kept, dropped},
		{"load", "--db", filepath.Join(dir, "w.duckdb"), "--config", cfg, kept, dropped},
	} {
		code, out, stderr := runCLI(t, args...)
		if code != exitOK {
			t.Errorf("%v: exit %d, want 0\n%s%s", args[:2], code, out, stderr)
		}
		// The summary says why: the reason was an INFO record only, which
		// a terminal's default level hides.
		if !strings.Contains(out, "INFO ") || !strings.Contains(out, "study SRP2 does not match processing.study_code_pattern") {
			t.Errorf("%v: the summary does not say why SRP2 was skipped:\n%s", args[:2], out)
		}
		if args[1] != "--dry-run" && args[0] == "load" {
			if f := strings.Fields(lineOf(out, "GSE1")); len(f) < 2 || f[1] != "new" {
				t.Errorf("load: GSE1's row %q, want new:\n%s", lineOf(out, "GSE1"), out)
			}
			continue
		}
		if f := strings.Fields(lineOf(out, "SRP2")); len(f) < 2 || f[1] != "skipped" {
			t.Errorf("%v: SRP2's row %q, want the verdict skipped:\n%s", args[:2], lineOf(out, "SRP2"), out)
		}
		if f := strings.Fields(lineOf(out, "GSE1")); len(f) < 2 || f[1] != "ok" {
			t.Errorf("%v: GSE1's row %q, want the verdict ok:\n%s", args[:2], lineOf(out, "GSE1"), out)
		}
	}
}

// The recent-runs table says whether each run was a load or features, how
// many of its failed steps a later run found abandoned, and how many steps
// it never started because it was stopped, and why, as the runs check
// does.
func TestPrintHealthShowsStepsNotStarted(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	rep := genexp.HealthReport{Status: genexp.Degraded, Warehouse: "w.duckdb", Health: &warehouse.Health{Runs: []warehouse.RunSummary{
		{RunID: "r2", StartedAt: at, Studies: 3, Steps: 12, Stopped: 8, StopReason: "timed out", Load: true},
		{RunID: "r1", StartedAt: at, Studies: 1, Steps: 4, Failed: 1, Aborted: 1},
	}}}
	var b strings.Builder
	printHealth(&b, rep)
	var rows [][]string
	for _, line := range strings.Split(b.String(), "\n") {
		if f := strings.Fields(line); len(f) > 0 && (f[0] == "STARTED" || f[0] == "2026-01-02") {
			rows = append(rows, f)
		}
	}
	want := [][]string{
		{"STARTED", "RUN", "KIND", "STUDIES", "STEPS", "FAILED", "RUNNING", "NOT", "STARTED"},
		{"2026-01-02", "03:04:05", "r2", "load", "3", "12", "0", "0", "8", "(timed", "out)"},
		{"2026-01-02", "03:04:05", "r1", "features", "1", "4", "1", "(1", "aborted)", "0", "0"},
	}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Errorf("recent runs\n%v\nwant\n%v\n%s", rows, want, b.String())
	}
}

// TestInfoNotesSayWhatWasDone: an INFO note of the run (a zip skipped as a
// byte-for-byte copy of the folder beside it) is printed as what was
// done, without the summary of its code, which speaks of a problem ("not
// a download genexp can read").
func TestInfoNotesSayWhatWasDone(t *testing.T) {
	dir := t.TempDir()
	copyTreeCLI(t, "../../testdata/refinebio/E-GEOD-39842", filepath.Join(dir, "E-GEOD-39842"))
	b, err := os.ReadFile("../../testdata/refinebio/E-GEOD-39842.zip")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "E-GEOD-39842.zip"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "validate", dir)
	if code != exitWarnings { // the trimmed copy has few genes per sample
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, ".tsv: skipped: the same file as") || strings.Contains(stdout, qc.InvalidFormat.Summary()) {
		t.Errorf("the note of the skipped copy:\n%s", stdout)
	}
}

// copyTreeCLI copies the folder src to dst.
func copyTreeCLI(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
