package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp"
)

func TestLogFileRotates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pipeline.log")
	f, err := openLogFile(path, true, 100, 2)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.Repeat("x", 39) + "\n" // 40 bytes: two fit in 100, a third rotates
	for i := 0; i < 7; i++ {
		if _, err := f.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]int{"pipeline.log": 40, "pipeline.log.1": 80, "pipeline.log.2": 80} {
		st, err := os.Stat(filepath.Join(filepath.Dir(path), name))
		if err != nil || st.Size() != int64(want) {
			t.Errorf("%s: size %v (err %v), want %d", name, st, err, want)
		}
	}
	if _, err := os.Stat(path + ".3"); !os.IsNotExist(err) {
		t.Errorf("a third backup exists with backup_count 2: %v", err)
	}
}

func TestLogFileWithoutRotationAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.log")
	for i := 0; i < 2; i++ {
		f, err := openLogFile(path, false, 10, 1)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(f, strings.Repeat("y", 20))
		f.Close()
	}
	if b, _ := os.ReadFile(path); len(b) != 42 {
		t.Fatalf("log holds %d bytes, want both runs' 42", len(b))
	}
}

func TestLoggerFollowsTheLoggingSection(t *testing.T) {
	dir := t.TempDir()
	cfg := genexp.DefaultConfig()
	cfg.Logging.File = filepath.Join(dir, "g.log")
	cfg.Logging.Level = "WARN"
	var stderr bytes.Buffer
	c := common{}
	log, closeLog, err := c.logger(&stderr, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	log.Info("hidden")
	log.Warn("shown", "study", "GSE1")
	closeLog()
	if stderr.Len() != 0 {
		t.Errorf("the log went to stderr too: %q", stderr.String())
	}
	b, err := os.ReadFile(cfg.Logging.File)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var rec map[string]any
	if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &rec) != nil || rec["msg"] != "shown" || rec["study"] != "GSE1" {
		t.Fatalf("log file %q: want one JSON record of the warning", b)
	}
	cfg.Logging.File, cfg.Logging.Format = "", "text"
	c.logFormat = "json" // the flag wins over the file
	log, closeLog, err = c.logger(&stderr, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	log.Warn("flag")
	closeLog()
	if !strings.HasPrefix(stderr.String(), "{") {
		t.Fatalf("--log-format json gave %q", stderr.String())
	}
}

func TestDuckDBTuningFromProcessing(t *testing.T) {
	cfg := genexp.DefaultConfig()
	cfg.Processing.MemoryLimitMB, cfg.Processing.MaxWorkers = 8192, 4
	for in, want := range map[string]string{
		"w.duckdb":                       "w.duckdb?memory_limit=8192MB&threads=4",
		"w.duckdb?busy_timeout=1m":       "w.duckdb?busy_timeout=1m&memory_limit=8192MB&threads=4",
		"w.duckdb?memory_limit=1GB":      "w.duckdb?memory_limit=1GB&threads=4",
		"sqlserver://sa@db?database=x":   "sqlserver://sa@db?database=x",
		"server=db;user id=sa;password=": "server=db;user id=sa;password=",
	} {
		if got := duckdbTuning(in, cfg); got != want {
			t.Errorf("duckdbTuning(%q) = %q, want %q", in, got, want)
		}
	}
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	var c common
	c.register(fs)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if got := c.target(fs, genexp.DefaultConfig()); got != "genexp.duckdb" {
		t.Errorf("default target %q: nothing to tune without limits", got)
	}
}

// TestLogFileGetsTheFailure: with logging.file set, the record of the
// failure that ends a command is in the file as well as on stderr, and a
// password in the DSN reaches neither.
func TestLogFileGetsTheFailure(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join(dir, "op.log")
	cfg := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(cfg, []byte("logging:\n  file: "+logPath+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	study := craftStudy(t, dir, "GSE7", false)
	junk := filepath.Join(dir, "junk.duckdb")
	if err := os.WriteFile(junk, []byte("not a database\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want int // the code the last record carries
	}{
		{"missing path", []string{"load", "--db", filepath.Join(dir, "w.duckdb"), filepath.Join(dir, "nope")}, exitInput, 1001},
		{"unreachable server", []string{"load", "--dsn", "sqlserver://sa:Pw0rdInFile@127.0.0.1:1?database=x", study}, exitNoAccess, 4001},
		// a DSN that does not parse is bad configuration, not a server down
		{"malformed server DSN", []string{"load", "--dsn", "sqlserver://sa:Pw0rdInFile@127.0.0.1:1?database=x&encrypt=maybe", study}, exitUsage, 1005},
		{"server DSN with a bad port", []string{"load", "--dsn", "sqlserver://sa:Pw0rdInFile@localhost:notaport?database=x", study}, exitUsage, 1005},
		{"a mistyped scheme read as a file", []string{"load", "--dsn", "sqlserver//sa:Pw0rdInFile@localhost:1?database=x", study}, exitNoAccess, 4001},
		{"no warehouse for features", []string{"features", "--db", filepath.Join(dir, "none.duckdb")}, exitNoAccess, 4001},
		// the commands that log nothing else write their failure there too
		{"init of a file that is no warehouse", []string{"init", "--db", junk}, exitNoAccess, 4001},
		{"status of a file that is no warehouse", []string{"status", "--db", junk}, exitNoAccess, 4001},
		{"query of a file that is no warehouse", []string{"query", "--db", junk, "SELECT 1"}, exitNoAccess, 4001},
		{"health of a DSN of another database", []string{"health", "--dsn", "postgres://sa:Pw0rdInFile@127.0.0.1/x"}, exitUsage, 1005},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(logPath, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			code, _, stderr := runCLI(t, append(tc.args, "--config", cfg)...)
			b, err := os.ReadFile(logPath)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(string(b)), "\n")
			var rec map[string]any
			if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rec); err != nil {
				t.Fatalf("exit %d; the log file's last line is not a record: %q\nstderr %s", code, b, stderr)
			}
			gotCode, _ := rec["code"].(float64)
			if code != tc.code || rec["level"] != "ERROR" || int(gotCode) != tc.want || lastLine(stderr) == "" ||
				!strings.Contains(lastLine(stderr), rec["msg"].(string)) {
				t.Errorf("exit %d (want %d); last record %v (want ERROR, code %d, as on stderr)\nstderr %s", code, tc.code, rec, tc.want, stderr)
			}
			if strings.Contains(string(b)+stderr, "Pw0rdInFile") {
				t.Errorf("the password reached the log file or stderr:\n%s\n%s", b, stderr)
			}
		})
	}
}

// TestLogFileThatCannotBeWritten: a logging.file every write to which
// fails (a full disk, here /dev/full) lost the whole log in silence while
// the load exited 0. The first failure is said on stderr, and the records
// go there from then on.
func TestLogFileThatCannotBeWritten(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full on this system")
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(cfg, []byte("logging:\n  file: /dev/full\n  level: INFO\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join("..", "..", "testdata", "refinebio", "quickstart", "GSE71270")
	code, out, stderr := runCLI(t, "load", "--db", filepath.Join(dir, "w.duckdb"), "--config", cfg, src)
	if code != exitOK || !strings.Contains(out, "GSE71270") {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}
	if n := strings.Count(stderr, "logging.file /dev/full cannot be written"); n != 1 {
		t.Errorf("the failure is said %d times, want once:\n%s", n, stderr)
	}
	if !strings.Contains(stderr, `"msg":"run started"`) || !strings.Contains(stderr, `"step":"load","status":"SUCCESS"`) {
		t.Errorf("the log's records did not reach stderr:\n%s", stderr)
	}
}
