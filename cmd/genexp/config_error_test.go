package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
)

// TestConfigErrorsSayConfiguration checks that a bad --config is reported
// as a configuration problem, with its place, and exits as bad usage; not
// as an unreadable download.
func TestConfigErrorsSayConfiguration(t *testing.T) {
	dir := t.TempDir()
	study := craftStudy(t, dir, "GSE5", false)
	cases := []struct {
		name, doc, place, detail string
	}{
		{"typo", "processing:\n  chunk_sizee: 5\n", ":2:3: processing.chunk_sizee: ", `did you mean "chunk_size"?`},
		{"unset variable", "logging:\n  file: ${GENEXP_TEST_NO_SUCH_VAR}\n", ":2:9: logging.file: ", "GENEXP_TEST_NO_SUCH_VAR, which is not set"},
		{"wrong type", "processing:\n  chunk_size: many\n", ":2:15: processing.chunk_size: ", `must be a whole number, not "many"`},
		{"bad missing_values", "processing:\n  missing_values: drop\n", ":2:19: processing.missing_values: ", "neither skip nor null"},
		{"unknown threshold", "quality_thresholds:\n  min_gene_per_sample: 5\n", ":2:3: quality_thresholds.min_gene_per_sample: ", "did you mean"},
		{"broken YAML", "processing: [1,\n", ":2: ", "not valid YAML"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := filepath.Join(t.TempDir(), "c.yaml")
			if err := os.WriteFile(cfg, []byte(tc.doc), 0o644); err != nil {
				t.Fatal(err)
			}
			var out, errb bytes.Buffer
			code := run([]string{"validate", "--log-format", "text", "--config", cfg, study}, &out, &errb)
			stderr := errb.String()
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			line, _, _ := strings.Cut(stderr, "\n")
			want := "genexp: the configuration is invalid: " + cfg + tc.place
			if !strings.HasPrefix(line, want) || !strings.Contains(line, tc.detail) ||
				!strings.HasSuffix(line, "[1005 EXTRACTION_CONFIG_INVALID]") || strings.Contains(stderr, "refine.bio download") {
				t.Errorf("stderr %q\nwant it to start %q and hold %q and the code", stderr, want, tc.detail)
			}
		})
	}
}

// TestCLINeverPrintsAConfiguredPassword: a password holding a semicolon,
// pasted into the configuration's ADO connection string from the
// environment, shows in no output of a command that fails to connect.
func TestCLINeverPrintsAConfiguredPassword(t *testing.T) {
	t.Setenv("GENEXP_TEST_PW", "Part1;Part2Tail")
	cfg := filepath.Join(t.TempDir(), "c.yaml")
	doc := "database:\n  connection_string: \"server=db.invalid;port=1;user id=sa;password=${GENEXP_TEST_PW};database=x\"\n"
	if err := os.WriteFile(cfg, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	study := craftStudy(t, t.TempDir(), "GSE6", false)
	for _, args := range [][]string{
		{"load", "--config", cfg, study},
		{"health", "--config", cfg},
		{"health", "--json", "--config", cfg},
	} {
		code, out, stderr := runCLI(t, args...)
		if code == exitOK || strings.Contains(out+stderr, "Part1") || strings.Contains(out+stderr, "Part2Tail") {
			t.Errorf("%v: exit %d; the command succeeded or its output holds the password:\n%s%s", args[:2], code, out, stderr)
		}
		if !strings.Contains(out+stderr, "db.invalid") {
			t.Errorf("%v: the output does not say which server failed:\n%s%s", args[:2], out, stderr)
		}
	}
}

// TestValidateIgnoresTheDatabase: validate opens no warehouse, so the
// README's configuration, whose connection string needs DB_PASSWORD, is
// accepted without it, and --db and --dsn are not flags of validate. An
// unset variable in a key validate uses stays an error (see
// TestConfigErrorsSayConfiguration).
func TestValidateIgnoresTheDatabase(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(readme), "\n```yaml\n")
	doc, _, ok := strings.Cut(rest, "\n```")
	if !ok || !strings.Contains(doc, "${DB_PASSWORD}") {
		t.Fatalf("the README's configuration example no longer uses ${DB_PASSWORD}:\n%s", doc)
	}
	dir := t.TempDir()
	t.Chdir(dir) // the example's logging.file is relative
	cfg := filepath.Join(dir, "pipeline.yaml")
	if err := os.WriteFile(cfg, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DB_PASSWORD", "") // restored after the test
	os.Unsetenv("DB_PASSWORD")
	study := craftStudy(t, dir, "GSE1", false)
	code, out, stderr := runCLI(t, "validate", "--config", cfg, study)
	if code == exitUsage || !strings.Contains(out, "GSE1") || strings.Contains(stderr, "DB_PASSWORD") {
		t.Errorf("validate with the README's configuration and no DB_PASSWORD: exit %d\n%s%s", code, out, stderr)
	}
	for _, flag := range []string{"--db", "--dsn"} {
		if code, _, stderr := runCLI(t, "validate", flag, "w.duckdb", study); code != exitUsage || !strings.Contains(stderr, "not defined") {
			t.Errorf("validate %s: exit %d, want %d\n%s", flag, code, exitUsage, stderr)
		}
	}
}

// TestDatabaseNameReachesTheWarehouse: `health` connects to the database
// that database.database_name names when the connection string names none,
// and a database_name beside a DuckDB file is a configuration error at its
// line, not a setting silently ignored.
func TestDatabaseNameReachesTheWarehouse(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	doc := "database:\n  connection_string: \"sqlserver://sa:pw@127.0.0.1:1?encrypt=disable&dial+timeout=1\"\n  database_name: Elsewhere\n"
	if err := os.WriteFile(cfg, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, "health", "--json", "--config", cfg)
	if code != exitHealthCritical || !strings.Contains(out, "database=Elsewhere") {
		t.Errorf("health: exit %d, want %d and the warehouse named with database=Elsewhere:\n%s%s", code, exitHealthCritical, out, stderr)
	}
	doc = "database:\n  connection_string: " + filepath.Join(dir, "w.duckdb") + "\n  database_name: Elsewhere\n"
	if err := os.WriteFile(cfg, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	var o, e bytes.Buffer
	code = run([]string{"init", "--log-format", "text", "--config", cfg}, &o, &e)
	if want := cfg + ":3:18: database.database_name: "; code != exitUsage || !strings.Contains(e.String(), want) || !strings.Contains(e.String(), "DuckDB file") {
		t.Errorf("init with database_name beside a DuckDB file: exit %d, want %d and %q:\n%s", code, exitUsage, want, e.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "w.duckdb")); err == nil {
		t.Error("the refused configuration still created the warehouse")
	}
}

// TestUnopenableLogFileIsAConfigError: a logging.file that cannot be
// opened is the configuration's problem: a 1005 naming the configuration
// file, the line and column of the value and the key, exit 2, for every
// command that writes the log file.
func TestUnopenableLogFileIsAConfigError(t *testing.T) {
	dir := t.TempDir()
	study := craftStudy(t, dir, "GSE7", false)
	cfg := filepath.Join(dir, "c.yaml")
	doc := "processing:\n  chunk_size: 10\nlogging:\n  level: INFO\n  file:   " + filepath.Join(dir, "no-such-dir", "x.log") + "\n"
	if err := os.WriteFile(cfg, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "w.duckdb")
	for _, args := range [][]string{
		{"load", "--db", db, "--config", cfg, study},
		{"features", "--db", db, "--config", cfg},
	} {
		var out, errb bytes.Buffer
		code := run(append(args, "--log-format", "text"), &out, &errb)
		want := "genexp: the configuration is invalid: " + cfg + ":5:11: logging.file: the log file cannot be opened: "
		if line := errb.String(); code != exitUsage || !strings.HasPrefix(line, want) || !strings.Contains(line, "no such file or directory") ||
			!strings.HasSuffix(line, "[1005 EXTRACTION_CONFIG_INVALID]\n") {
			t.Errorf("%s: exit %d, want %d and stderr starting %q:\n%s", args[0], code, exitUsage, want, line)
		}
	}
}

// TestConfigCommand: `genexp config` prints the effective configuration,
// which genexp reads back as the same values (the redacted password
// aside) and which never holds the password; with no file it prints the
// defaults, kept in testdata/config/defaults.yaml as the full list of keys.
func TestConfigCommand(t *testing.T) {
	t.Setenv("GENEXP_TEST_PW", `Se;cr"et@Pass`)
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "c.yaml")
	doc := "database:\n  connection_string: \"server=db.invalid;user id=sa;password=${GENEXP_TEST_PW}\"\n  database_name: genexp\n" +
		"processing:\n  timeout_seconds: 30\n  study_code_pattern: \"GSE\\\\d+\"\nlogging:\n  level: WARN\n"
	if err := os.WriteFile(cfgFile, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"config", "--config", cfgFile}, &out, &errb); code != exitOK || errb.Len() != 0 {
		t.Fatalf("exit %d, stderr %s", code, errb.String())
	}
	for _, part := range []string{"Se;cr", "Pass", `cr""et`} {
		if strings.Contains(out.String(), part) {
			t.Fatalf("the output holds the password:\n%s", out.String())
		}
	}
	printed := filepath.Join(dir, "printed.yaml")
	if err := os.WriteFile(printed, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	back, err := genexp.LoadConfig(printed)
	if err != nil {
		t.Fatalf("genexp does not read its own output back: %v\n%s", err, out.String())
	}
	orig, err := genexp.LoadConfig(cfgFile)
	if err != nil {
		t.Fatal(err)
	}
	want := orig.Effective()
	want.Database.ConnectionString = qc.RedactDSN(want.Database.ConnectionString)
	if diff := cmp.Diff(want, back); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
	if back.Processing.TimeoutSeconds != 30 || back.Processing.StudyCodePattern != `GSE\d+` || back.Logging.Level != "WARN" ||
		!strings.HasSuffix(back.Database.ConnectionString, "password="+qc.Redacted) {
		t.Errorf("read back %v", back)
	}

	out.Reset()
	if code := run([]string{"config"}, &out, &errb); code != exitOK {
		t.Fatalf("config with no file: exit %d", code)
	}
	golden, err := os.ReadFile("../../testdata/config/defaults.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != string(golden) {
		t.Errorf("testdata/config/defaults.yaml is not what `genexp config` prints; rewrite it with\n  go run ./cmd/genexp config > testdata/config/defaults.yaml\n%s", out.String())
	}

	if code := run([]string{"config", "extra"}, &out, &errb); code != exitUsage {
		t.Errorf("config extra: exit %d, want %d", code, exitUsage)
	}
}

// TestMissingConfigFileIsAConfigError: a --config file that cannot be
// read is a configuration problem (code 1005, exit 2) naming the file, not
// an input that could not be read (1001, whose exit status is 4).
func TestMissingConfigFileIsAConfigError(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "no-such.yaml")
	var out, errb bytes.Buffer
	code := run([]string{"config", "--log-format", "text", "--config", cfg}, &out, &errb)
	line, _, _ := strings.Cut(errb.String(), "\n")
	if code != exitUsage || !strings.Contains(line, cfg) || !strings.Contains(line, "no such file") ||
		!strings.HasSuffix(line, "[1005 EXTRACTION_CONFIG_INVALID]") {
		t.Errorf("exit %d, stderr %q; want %d and one line naming the file with code 1005", code, errb.String(), exitUsage)
	}
}

// TestConfigRefusesAConnectionStringOthersRefuse: genexp config checks the
// connection string as the commands that open the warehouse do, and
// refuses, at its line and column, one they would refuse (it printed them
// and exited 0); one they take prints.
func TestConfigRefusesAConnectionStringOthersRefuse(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		dsn  string
		want int
	}{
		{"postgres://u:p@h/x", exitUsage},
		{":memory:", exitUsage},
		{"x.duckdb?threads=0", exitUsage},
		{"x.duckdb?bogus=1", exitUsage},
		{"x.duckdb?threads=2", exitOK},
		{"sqlserver://u:pw@h?database=x", exitOK},
	} {
		file := filepath.Join(dir, "c.yaml")
		if err := os.WriteFile(file, []byte("database:\n  connection_string: \""+tc.dsn+"\"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, stderr := runCLI(t, "config", "--config", file)
		if code != tc.want || (tc.want == exitUsage && !strings.Contains(stderr, "c.yaml:2:22")) {
			t.Errorf("connection_string %q: exit %d, want %d (an error at c.yaml:2:22)\n%s%s", tc.dsn, code, tc.want, out, stderr)
		}
		if strings.Contains(out+stderr, "u:pw@") {
			t.Errorf("connection_string %q: the password is shown:\n%s%s", tc.dsn, out, stderr)
		}
	}
}
