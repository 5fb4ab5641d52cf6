package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/illness"
	"github.com/genexp/genexp/qc"
)

// TestNoStudyNoTable: a run that read no study prints no empty table, only
// the error; a run with a study prints its table as usual, the inputs that
// could not be opened among its rows.
func TestNoStudyNoTable(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	missing := filepath.Join(dir, "nothing-here")
	db := filepath.Join(dir, "w.duckdb")
	for _, args := range [][]string{
		{"load", "--db", db, missing},
		{"load", "--dry-run", "--db", db, missing},
		{"validate", missing},
	} {
		code, out, stderr := runCLI(t, args...)
		if code != exitInput || strings.Contains(out, "STUDY") || !strings.Contains(stderr, "1001") {
			t.Errorf("%v: exit %d, want %d, the error and no table\nstdout %q\nstderr %s", args, code, exitInput, out, stderr)
		}
	}
	// Beside a study that was read, an input that could not be opened is
	// a FAILED row of the table, by the study its name is or else by its
	// path, its reason below the table and not again on stderr.
	study := craftStudy(t, dir, "GSE1", false)
	gse404 := filepath.Join(dir, "GSE404")
	for _, args := range [][]string{
		{"load", "--db", db, study, missing, gse404},
		{"load", "--dry-run", "--db", db, study, missing, gse404},
		{"validate", study, missing, gse404},
	} {
		code, out, stderr := runCLI(t, args...)
		if !strings.Contains(out, "STUDY") || lineOf(out, "GSE1") == "" {
			t.Errorf("%v: want the table with GSE1's row:\n%s", args, out)
		}
		for _, label := range []string{missing, "GSE404"} {
			if f := strings.Fields(lineOf(out, label)); len(f) < 2 || f[0] != label || f[1] != "FAILED" ||
				!strings.Contains(out, "\n"+label+" failed: ") {
				t.Errorf("%v: want a FAILED row for %s and why it failed:\n%s", args, label, out)
			}
		}
		// (the log's records of the failed steps stay)
		if code != exitInput || strings.Contains(stderr, `"code_name":"EXTRACTION_FILE_NOT_FOUND"`) {
			t.Errorf("%v: exit %d, want %d, and the errors not repeated on stderr:\n%s", args, code, exitInput, stderr)
		}
	}
}

// TestJSONStderrIsAllJSON: with --log-format json every line on stderr is
// a JSON record, the command's own failure included, with the error's
// code and place as fields; with text, the failure is one plain line.
func TestJSONStderrIsAllJSON(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.duckdb")
	broken := filepath.Join(dir, "broken")
	craftStudy(t, broken, "GSE9", false)
	if err := os.WriteFile(filepath.Join(broken, "aggregated_metadata.json"), []byte(`{"experiments": {"GSE9": [1,}`), 0o644); err != nil {
		t.Fatal(err)
	}
	badConfig := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(badConfig, []byte("processing:\n  chunk_sizee: 5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args       []string
		code       int
		file       string
		line, col  float64
		wantStatus int
	}{
		{[]string{"load", "--db", db, broken}, 1004, "aggregated_metadata.json", 1, 29, exitInput},
		{[]string{"validate", broken}, 1004, "aggregated_metadata.json", 1, 29, exitInput},
		{[]string{"load", "--db", db, filepath.Join(dir, "nothing-here")}, 1001, "", 0, 0, exitInput},
		{[]string{"load", "--config", badConfig, "--db", db, broken}, 1005, "bad.yaml", 2, 3, exitUsage},
		{[]string{"status", "--db", filepath.Join(dir, "none.duckdb")}, 4001, "", 0, 0, exitNoAccess},
		{[]string{"features", "--db", filepath.Join(dir, "none.duckdb")}, 0, "", 0, 0, exitNoAccess},
	} {
		var out, stderr bytes.Buffer
		status := run(append(tc.args, "--log-format", "json"), &out, &stderr)
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		var last map[string]any
		for _, l := range lines {
			last = nil
			if err := json.Unmarshal([]byte(l), &last); err != nil {
				t.Errorf("%v: a line of stderr is not JSON: %q", tc.args, l)
			}
		}
		if status != tc.wantStatus || last["level"] != "ERROR" || last["msg"] == "" {
			t.Errorf("%v: exit %d (want %d), last record %v", tc.args, status, tc.wantStatus, last)
			continue
		}
		if tc.code != 0 && last["code"] != float64(tc.code) {
			t.Errorf("%v: code %v, want %d", tc.args, last["code"], tc.code)
		}
		if file, _ := last["file"].(string); !strings.HasSuffix(file, tc.file) || tc.file != "" && last["line"] != tc.line || tc.col != 0 && last["column"] != tc.col {
			t.Errorf("%v: place %v:%v:%v, want %s:%v:%v", tc.args, last["file"], last["line"], last["column"], tc.file, tc.line, tc.col)
		}
		stderr.Reset()
		run(append(tc.args, "--log-format", "text"), &out, &stderr)
		if got := lastLine(stderr.String()); !strings.HasPrefix(got, "genexp: ") {
			t.Errorf("%v with text: last line %q, want a plain genexp: line", tc.args, got)
		}
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// fakeTerminal is a writer that says it is a terminal.
type fakeTerminal struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (f *fakeTerminal) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.buf.Write(p)
}

func (f *fakeTerminal) IsTerminal() bool { return true }

func (f *fakeTerminal) String() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.buf.String()
}

// checkTerminal checks what a load wrote to one terminal (stdout and
// stderr both): cut at every erase of the line, a piece that is the
// progress line of matrix must hold nothing else, and the last piece must
// not be one (the line is erased at the end).
func checkTerminal(t *testing.T, name, screen, matrix string) {
	t.Helper()
	pieces := strings.Split(screen, "\r\033[K")
	drawn := 0
	for i, p := range pieces {
		if !strings.HasPrefix(p, matrix+"  ") {
			continue
		}
		drawn++
		if strings.Contains(p, "\n") {
			t.Errorf("%s: the progress line shares a line with other output: %q", name, p)
		}
		if i == len(pieces)-1 {
			t.Errorf("%s: the progress line is left on the terminal: %q", name, p)
		}
	}
	if drawn == 0 {
		t.Errorf("%s: no progress line drawn:\n%q", name, screen)
	}
	if strings.Count(screen, "\r") != len(pieces)-1 {
		t.Errorf("%s: a carriage return outside an erase:\n%q", name, screen)
	}
}

// TestLoadOnATerminal loads on a fake terminal that is stdout and stderr
// at once: the log shows warnings only unless a level is set (by flag or
// in the configuration file), the progress line ends in the load's phases
// rather than "100% ETA 0s", and it never shares a line with a log record
// or the summary. With a JSON log there is no progress line: its escapes
// would land among the records.
func TestLoadOnATerminal(t *testing.T) {
	dir := t.TempDir()
	study := craftStudy(t, dir, "GSE1", false)
	withLevel := filepath.Join(dir, "info.yaml")
	withoutLevel := filepath.Join(dir, "text.yaml")
	os.WriteFile(withLevel, []byte("logging:\n  level: INFO\n"), 0o644)
	os.WriteFile(withoutLevel, []byte("logging:\n  format: text\n"), 0o644)
	withJSON := filepath.Join(dir, "json.yaml")
	os.WriteFile(withJSON, []byte("logging:\n  format: json\n"), 0o644)
	for i, tc := range []struct {
		name  string
		args  []string
		steps bool // "step done" records on the terminal
		json  bool // the log is JSON: no progress line
	}{
		{"default", nil, false, false},
		{"json default", []string{"--log-format", "json"}, false, true},
		{"--log-level info", []string{"--log-level", "info"}, true, false},
		{"json --log-level info", []string{"--log-format", "json", "--log-level", "INFO"}, true, true},
		{"config sets INFO", []string{"--config", withLevel}, true, false},
		{"config leaves the level", []string{"--config", withoutLevel}, false, false},
		{"config sets json", []string{"--config", withJSON}, false, true},
	} {
		tty := &fakeTerminal{}
		db := filepath.Join(dir, fmt.Sprintf("w%d.duckdb", i))
		code := run(append([]string{"load", "--db", db, study}, tc.args...), tty, tty)
		screen := tty.String()
		if code != exitOK || !strings.Contains(screen, "STUDY") {
			t.Errorf("%s: exit %d\n%s", tc.name, code, screen)
			continue
		}
		if got := strings.Contains(screen, "step done"); got != tc.steps {
			t.Errorf("%s: step records on the terminal: %v, want %v\n%q", tc.name, got, tc.steps, screen)
		}
		if tc.json {
			if strings.Contains(screen, "\r") || strings.Contains(screen, "\033[K") || strings.Contains(screen, phaseValidating) {
				t.Errorf("%s: a progress line among JSON records:\n%q", tc.name, screen)
			}
			continue
		}
		for _, phase := range []string{phaseValidating, phaseCommitting, phaseAnalytics} {
			if !strings.Contains(screen, "GSE1.tsv  90 cells  "+phase) {
				t.Errorf("%s: no %q phase on the progress line:\n%q", tc.name, phase, screen)
			}
		}
		if strings.Contains(screen, "ETA 0s") {
			t.Errorf("%s: the line shows a finished matrix as 100%% ETA 0s:\n%q", tc.name, screen)
		}
		checkTerminal(t, tc.name, screen, "GSE1.tsv")
	}
}

// TestDuplicateLoadAnnouncesNoAnalytics loads the same bytes twice on a
// fake terminal: the second load's analytics step is SKIPPED, so its
// progress line must not show the analytics phase.
func TestDuplicateLoadAnnouncesNoAnalytics(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.duckdb")
	study := craftStudy(t, dir, "GSE1", false)
	for i, want := range []bool{true, false} {
		tty := &fakeTerminal{}
		code := run([]string{"load", "--db", db, study}, tty, tty)
		screen := tty.String()
		if code != exitOK {
			t.Fatalf("load %d: exit %d\n%s", i+1, code, screen)
		}
		if !strings.Contains(screen, "GSE1.tsv  90 cells  "+phaseCommitting) {
			t.Errorf("load %d: no %q phase:\n%q", i+1, phaseCommitting, screen)
		}
		if got := strings.Contains(screen, phaseAnalytics); got != want {
			t.Errorf("load %d: %q on the progress line: %v, want %v\n%q", i+1, phaseAnalytics, got, want, screen)
		}
		checkTerminal(t, fmt.Sprintf("load %d", i+1), screen, "GSE1.tsv")
	}
}

func TestProgressLine(t *testing.T) {
	tty := &fakeTerminal{}
	p := newProgressLine(tty)
	p.every = time.Hour
	p.update(genexp.Progress{Matrix: "d.zip!GSE1/GSE1.tsv", Bytes: 50, TotalBytes: 100, Cells: 2000, Elapsed: time.Second})
	p.update(genexp.Progress{Matrix: "d.zip!GSE1/GSE1.tsv", Bytes: 60, TotalBytes: 100, Cells: 2400, Elapsed: time.Second})
	if got, want := tty.String(), "\r\033[KGSE1.tsv  2.0k cells  2.0k cells/s   50%  ETA 1s"; got != want {
		t.Errorf("first update: %q, want %q (the second comes too soon to draw)", got, want)
	}
	p.update(genexp.Progress{Matrix: "d.zip!GSE1/GSE1.tsv", Bytes: 100, TotalBytes: 100, Cells: 4000, Elapsed: 2 * time.Second})
	p.around(func() { fmt.Fprintln(tty, "a record") })
	p.phase(phaseCommitting)
	p.finish()
	p.phase(phaseAnalytics)
	p.update(genexp.Progress{Matrix: "GSE2.tsv", Bytes: 1, TotalBytes: 100, Cells: 1})
	want := "\r\033[KGSE1.tsv  2.0k cells  2.0k cells/s   50%  ETA 1s" +
		"\r\033[KGSE1.tsv  4.0k cells  validating…" +
		"\r\033[Ka record\n\r\033[KGSE1.tsv  4.0k cells  validating…" +
		"\r\033[KGSE1.tsv  4.0k cells  committing…" +
		"\r\033[K"
	if got := tty.String(); got != want {
		t.Errorf("terminal:\n%q\nwant\n%q", got, want)
	}
}

// TestFindingsOnceOnATerminal: a finding is logged as a record and listed
// in the summary; on a terminal it shows once, in the summary, while a log
// file still receives its record.
func TestFindingsOnceOnATerminal(t *testing.T) {
	dir := t.TempDir()
	study := craftStudy(t, dir, "GSE1", false)
	logFile := filepath.Join(dir, "genexp.log")
	cfg := filepath.Join(dir, "warn.yaml")
	os.WriteFile(cfg, []byte("quality_thresholds:\n  min_genes_per_sample: 5000\n"), 0o644)
	withFile := filepath.Join(dir, "file.yaml")
	os.WriteFile(withFile, []byte("quality_thresholds:\n  min_genes_per_sample: 5000\nlogging:\n  file: "+logFile+"\n"), 0o644)
	for i, tc := range []struct {
		cfg  string
		args []string
		exit int
	}{
		{cfg, []string{"load"}, exitOK},
		{withFile, []string{"load"}, exitOK},
		{cfg, []string{"validate"}, exitWarnings},
		{cfg, []string{"load", "--dry-run"}, exitWarnings},
	} {
		tty := &fakeTerminal{}
		args := append(tc.args, "--config", tc.cfg, study)
		if tc.args[0] == "load" {
			args = append(tc.args, "--db", filepath.Join(dir, fmt.Sprintf("w%d.duckdb", i)), "--config", tc.cfg, study)
		}
		code := run(args, tty, tty)
		screen := tty.String()
		if code != tc.exit {
			t.Fatalf("%v: exit %d, want %d\n%s", tc.args, code, tc.exit, screen)
		}
		if n := strings.Count(screen, "VALIDATION_GENE_COUNT_LOW"); n != 1 {
			t.Errorf("%v %s: the 2002 finding shows %d times on the terminal, want once (in the summary):\n%s", tc.args, tc.cfg, n, screen)
		}
	}
	b, err := os.ReadFile(logFile)
	if err != nil || !strings.Contains(string(b), "VALIDATION_GENE_COUNT_LOW") {
		t.Errorf("the log file lost the finding record (%v):\n%s", err, b)
	}
}

// TestValidateConfigurationWarnings: an override kept for another download
// is reported in words of its own, and leaves validate's exit status to
// the data; the full defaults genexp config writes read as no setting at
// all (no warning, the same log level on a terminal).
func TestValidateConfigurationWarnings(t *testing.T) {
	dir := t.TempDir()
	study := craftStudy(t, dir, "GSE1", false)
	other := filepath.Join(dir, "other.yaml")
	os.WriteFile(other, []byte("illness_inference:\n  overrides:\n    SRR9999999: CONTROL\n"), 0o644)
	defaults := filepath.Join("..", "..", "testdata", "config", "defaults.yaml")
	plain := &fakeTerminal{}
	base := run([]string{"validate", study}, plain, plain) // 6: the crafted study has few genes
	if base != exitWarnings {
		t.Fatalf("validate without a configuration: exit %d\n%s", base, plain)
	}
	for _, tc := range []struct {
		cfg  string
		want string // in the output
	}{
		{other, "WARNING configuration: illness_inference.overrides: SRR9999999 is no sample of this run"},
		{defaults, ""},
	} {
		tty := &fakeTerminal{}
		code := run([]string{"validate", "--config", tc.cfg, study}, tty, tty)
		out := tty.String()
		if code != base {
			t.Errorf("%s: exit %d, want %d as without it\n%s", tc.cfg, code, base, out)
		}
		if !strings.Contains(out, tc.want) || strings.Contains(out, qc.IllnessInferenceFailed.Summary()) {
			t.Errorf("%s: want %q, and not the code's summary:\n%s", tc.cfg, tc.want, out)
		}
		if tc.want == "" && out != plain.String() {
			t.Errorf("the defaults genexp config writes change validate's output:\n%s\nwithout them:\n%s", out, plain)
		}
	}
}

// TestIllnessCounts: the summary's illness column lists each label's
// count, then samples kept without metadata and those excluded from
// analysis, one of each included; "-" when there is none.
func TestIllnessCounts(t *testing.T) {
	for _, tc := range []struct {
		m              map[illness.Label]int
		kept, excluded int
		want           string
	}{
		{nil, 0, 0, "-"},
		{map[illness.Label]int{illness.Sepsis: 3, illness.Control: 1}, 0, 0, "CONTROL=1 SEPSIS=3"},
		{map[illness.Label]int{illness.Unknown: 2}, 1, 1, "UNKNOWN=2 no-metadata=1 (excluded=1)"},
		{nil, 0, 1, "(excluded=1)"},
	} {
		if got := illnessCounts(tc.m, tc.kept, tc.excluded); got != tc.want {
			t.Errorf("illnessCounts(%v, %d, %d) = %q, want %q", tc.m, tc.kept, tc.excluded, got, tc.want)
		}
	}
}
