package genexp_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/microsoft/go-mssqldb/msdsn"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/illness"
	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/qc"
)

// A password with the characters that break YAML when pasted into it.
const testPassword = `Tr0ub4dor&3 "#x' y`

func setDBEnv(t *testing.T) {
	t.Setenv("DB_SERVER", "db.example.org")
	t.Setenv("DB_USER", "etl_loader")
	t.Setenv("DB_PASSWORD", testPassword)
}

func TestLoadConfigArchitectureYAML(t *testing.T) {
	setDBEnv(t)
	cfg, err := genexp.LoadConfig("testdata/config/architecture.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := genexp.DefaultConfig()
	want.Database = genexp.DatabaseConfig{
		// quoted as go-mssqldb reads a value holding a quote or a space
		ConnectionString: "Driver={ODBC Driver 17 for SQL Server};Server=db.example.org;UID=etl_loader;PWD=\"" + strings.ReplaceAll(testPassword, `"`, `""`) + "\";",
		DatabaseName:     "BioinformaticsWarehouse",
	}
	want.Processing.ChunkSize, want.Processing.MaxWorkers, want.Processing.MemoryLimitMB, want.Processing.TimeoutSeconds = 50000, 4, 8192, 7200
	want.Illness.Rules = []illness.Rule{
		{Pattern: `\b(septic\s*shock|sshock|septic_shock|shock)\b`, Label: illness.SepticShock, Priority: 1},
		{Pattern: `\bno[-_\s]?sepsis\b|\bnon[-_\s]?sepsis\b`, Label: illness.NoSepsis, Priority: 2},
		{Pattern: `\bsepsis\b`, Label: illness.Sepsis, Priority: 3},
		{Pattern: `\bcontrol\b|\bhealthy\b`, Label: illness.Control, Priority: 4},
	}
	want.Illness.Overrides = map[string]illness.Label{"SRR1652895": illness.Control, "SRR1652896": illness.Sepsis}
	want.Platforms.ManufacturerLookup = map[string]string{"illumina": "Illumina", "affymetrix": "Affymetrix", "agilent": "Agilent"}
	want.Quality = qc.Thresholds{MaxNullPercentage: 0.1, MaxDuplicatePercentage: 0.05, MinGenesPerSample: 1000, MinSamplesPerStudy: 3, MinKSPValue: qc.DefaultThresholds().MinKSPValue, MinKSStatistic: qc.DefaultThresholds().MinKSStatistic}
	want.Logging = genexp.LoggingConfig{Level: "INFO", File: "/var/log/etl/pipeline.log", Rotation: true, MaxSizeMB: 100, BackupCount: 5}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("config\n got %#v\nwant %#v", cfg, want)
	}
	if cfg.Database.ConnectionString != want.Database.ConnectionString {
		t.Errorf("connection string %q", cfg.Database.ConnectionString)
	}
	if dsn, err := cfg.Database.DSN(); err != nil || !strings.HasSuffix(dsn, ";database=BioinformaticsWarehouse") {
		t.Errorf("DSN() = %q, %v: want database_name added", qc.RedactDSN(dsn), err)
	}

	c, err := cfg.Classifier()
	if err != nil {
		t.Fatal(err)
	}
	if d := c.Classify(&metadata.Sample{Accession: "SRR1652895", Title: "sepsis"}); d.Label != illness.Control || d.Method != illness.MethodOverride {
		t.Errorf("override: %+v", d)
	}
	if d := c.Classify(&metadata.Sample{Accession: "X", Title: "Sepsis patient 3"}); d.Label != illness.Sepsis {
		t.Errorf("rule: %+v", d)
	}
	if err := cfg.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestParseConfigDefaults(t *testing.T) {
	cases := map[string]func(*genexp.Config){
		"":          nil,
		"# nothing": nil,
		"processing:\nquality_thresholds:\nlogging:\n": nil,
		"quality_thresholds:\n  max_null_percentage:\n  min_samples_per_study: 5\n": func(c *genexp.Config) {
			c.Quality.MinSamplesPerStudy = 5
		},
		"processing: {chunk_size: 100, missing_values: NULL}\n": func(c *genexp.Config) {
			c.Processing.ChunkSize, c.Processing.MissingValues = 100, "NULL"
		},
		// YAML reads null as no value; here it is the policy's name
		"processing:\n  missing_values: null\n":           func(c *genexp.Config) { c.Processing.MissingValues = "null" },
		"processing:\n  missing_values: ~\n":              func(c *genexp.Config) { c.Processing.MissingValues = "null" },
		"processing:\n  missing_values:\n":                nil,
		"processing:\n  missing_values: keep\n":           func(c *genexp.Config) { c.Processing.MissingValues = "keep" },
		"analytics:\n":                                    nil,
		"---\nprocessing:\n  chunk_size: 7\n...\n---\n":   func(c *genexp.Config) { c.Processing.ChunkSize = 7 },
		"analytics:\n  enabled:\n  top_variable_genes:\n": nil,
		"analytics:\n  enabled: false\n":                  func(c *genexp.Config) { c.Analytics.Enabled = new(false) },
		"analytics: {enabled: true, top_variable_genes: 20}\n": func(c *genexp.Config) {
			c.Analytics.Enabled, c.Analytics.TopVariableGenes = new(true), 20
		},
		"analytics:\n  top_variable_genes: 1000\n": func(c *genexp.Config) { c.Analytics.TopVariableGenes = 1000 },
	}
	for doc, edit := range cases {
		cfg, err := genexp.ParseConfig([]byte(doc), "c.yaml")
		if err != nil {
			t.Errorf("%q: %v", doc, err)
			continue
		}
		want := genexp.DefaultConfig()
		if edit != nil {
			edit(&want)
		}
		if !reflect.DeepEqual(cfg, want) {
			t.Errorf("%q:\n got %+v\nwant %+v", doc, cfg, want)
		}
	}
	d := genexp.DefaultConfig()
	if d.Processing.MissingValues != "skip" || !reflect.DeepEqual(d.Quality, qc.DefaultThresholds()) || d.Logging.Level != "INFO" || d.Processing.KSSampleSize != 5000 {
		t.Errorf("defaults %+v", d)
	}
	for _, v := range []string{"null", "Null", "NULL", "keep", "'null'"} {
		cfg, err := genexp.ParseConfig([]byte("processing: {missing_values: "+v+"}"), "c.yaml")
		if err != nil || cfg.MissingPolicy() == genexp.DefaultConfig().MissingPolicy() {
			t.Errorf("missing_values: %s must keep missing cells (err %v)", v, err)
		}
	}
}

func TestParseConfigAnchorsAndMergeKeys(t *testing.T) {
	doc := `illness_inference:
  rules:
    - &sepsis {name: sepsis, pattern: "\\bsepsis\\b", label: SEPSIS, priority: 3}
    - <<: *sepsis
      name: septic
      pattern: "\\bseptic\\b"
`
	cfg, err := genexp.ParseConfig([]byte(doc), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := []illness.Rule{
		{Name: "sepsis", Pattern: `\bsepsis\b`, Label: illness.Sepsis, Priority: 3},
		{Name: "septic", Pattern: `\bseptic\b`, Label: illness.Sepsis, Priority: 3},
	}
	if !reflect.DeepEqual(cfg.Illness.Rules, want) {
		t.Errorf("rules %+v", cfg.Illness.Rules)
	}
	_, err = genexp.ParseConfig([]byte(doc+"    - <<: *sepsis\n      lable: CONTROL\n"), "c.yaml")
	if e := configErr(t, err, qc.ConfigInvalid); e.Path != "illness_inference.rules[2].lable" {
		t.Errorf("unknown key beside a merge: %v", e)
	}

	// A merge key in a map (not a section) merges entries, each checked as
	// a value of the map; an entry given beside it wins.
	doc = "platform_normalization:\n  manufacturer_lookup:\n    <<: {illumina: Illumina, agilent: Agilent}\n    agilent: Agilent Technologies\n"
	cfg, err = genexp.ParseConfig([]byte(doc), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"illumina": "Illumina", "agilent": "Agilent Technologies"}; !reflect.DeepEqual(cfg.Platforms.ManufacturerLookup, want) {
		t.Errorf("merged lookup %v, want %v", cfg.Platforms.ManufacturerLookup, want)
	}
}

func TestParseConfigEnvironment(t *testing.T) {
	t.Setenv("CHUNK", "1234")
	t.Setenv("EMPTY", "")
	t.Setenv("LOG_DIR", "/data/logs")
	doc := `# connection_string: "PWD=${IN_A_COMMENT}"
database:
  connection_string: "${EMPTY}genexp.duckdb"
processing:
  chunk_size: ${CHUNK}
  study_code_pattern: 'GSE\d+$|E-[A-Z]+-\d+$|${NOT_EXPANDED}'
logging:
  file: ${LOG_DIR}/genexp-$HOME.log
illness_inference:
  rules:
    - pattern: "(sepsis|septic)$"
      exclude: "^${NOT_SET}$"
      label: SEPSIS
`
	cfg, err := genexp.ParseConfig([]byte(doc), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Processing.ChunkSize != 1234 || cfg.Database.ConnectionString != "genexp.duckdb" || cfg.Logging.File != "/data/logs/genexp-$HOME.log" {
		t.Errorf("expanded: %d %q %q", cfg.Processing.ChunkSize, cfg.Database.ConnectionString, cfg.Logging.File)
	}
	if cfg.Processing.StudyCodePattern != `GSE\d+$|E-[A-Z]+-\d+$|${NOT_EXPANDED}` ||
		cfg.Illness.Rules[0].Pattern != "(sepsis|septic)$" || cfg.Illness.Rules[0].Exclude != "^${NOT_SET}$" {
		t.Errorf("regular expressions must not be expanded: %q %+v", cfg.Processing.StudyCodePattern, cfg.Illness.Rules[0])
	}

	for _, tc := range []struct {
		name, doc string
		line, col int64
		path, msg string
	}{
		{"unset", "database:\n  connection_string: \"Server=x;PWD=${NO_SUCH_VAR_1};\"\n", 2, 22, "database.connection_string",
			"refers to the environment variable NO_SUCH_VAR_1, which is not set"},
		{"two unset", "logging:\n  file: ${NO_SUCH_VAR_1}/${NO_SUCH_VAR_2}\n", 2, 9, "logging.file", "NO_SUCH_VAR_2"},
		{"quoted number", "processing:\n  chunk_size: \"${CHUNK}\"\n", 2, 15, "processing.chunk_size",
			"must be a whole number, not the value of an environment variable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := genexp.ParseConfig([]byte(tc.doc), "c.yaml")
			e := configErr(t, err, qc.ConfigInvalid)
			if e.Line != tc.line || e.Column != tc.col || e.Path != tc.path || !strings.Contains(e.Error(), tc.msg) {
				t.Errorf("got %v (line %d col %d path %q), want line %d col %d path %q containing %q", e, e.Line, e.Column, e.Path, tc.line, tc.col, tc.path, tc.msg)
			}
		})
	}
}

// TestParseConfigWithoutDatabase: for work that opens no warehouse, an
// unset variable in the database section is no error and the section is
// left out; its keys are still checked, and a variable elsewhere must
// still be set.
func TestParseConfigWithoutDatabase(t *testing.T) {
	doc := "database:\n  connection_string: \"sqlserver://loader:${NO_SUCH_VAR_1}@db:1433?database=genexp\"\n  database_name: x\nprocessing:\n  chunk_size: 7\n"
	if _, err := genexp.ParseConfig([]byte(doc), "c.yaml"); !errors.Is(err, qc.ConfigInvalid) {
		t.Fatalf("without the option, an unset variable: %v", err)
	}
	cfg, err := genexp.ParseConfig([]byte(doc), "c.yaml", genexp.WithoutDatabase())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Database != (genexp.DatabaseConfig{}) || cfg.Processing.ChunkSize != 7 {
		t.Errorf("database %+v (want it left out), chunk_size %d (want 7)", cfg.Database, cfg.Processing.ChunkSize)
	}
	for _, tc := range []struct {
		name, doc string
		line, col int64
		path, msg string
	}{
		{"unknown database key", "database:\n  conection_string: x\n", 2, 3, "database.conection_string", `did you mean "connection_string"?`},
		{"database value as a list", "database:\n  connection_string: [a]\n", 2, 22, "database.connection_string", "must be a single value"},
		{"unset variable elsewhere", "database:\n  connection_string: ${NO_SUCH_VAR_1}\nlogging:\n  file: ${NO_SUCH_VAR_2}\n", 4, 9, "logging.file", "NO_SUCH_VAR_2, which is not set"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := genexp.ParseConfig([]byte(tc.doc), "c.yaml", genexp.WithoutDatabase())
			e := configErr(t, err, qc.ConfigInvalid)
			if e.Line != tc.line || e.Column != tc.col || e.Path != tc.path || !strings.Contains(e.Error(), tc.msg) || strings.Contains(e.Error(), "NO_SUCH_VAR_1") {
				t.Errorf("got %v (line %d col %d path %q), want line %d col %d path %q containing %q and not the database's variable", e, e.Line, e.Column, e.Path, tc.line, tc.col, tc.path, tc.msg)
			}
		})
	}
}

func configErr(t *testing.T, err error, code qc.Code) *qc.Error {
	t.Helper()
	var e *qc.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %v is not a *qc.Error", err, err)
	}
	if !errors.Is(err, code) || e.File != "c.yaml" || e.Severity != qc.SeverityError {
		t.Errorf("got %s in %q, want %s: %v", e.Code.Name(), e.File, code.Name(), err)
	}
	return e
}

func TestParseConfigUnknownKeys(t *testing.T) {
	cases := []struct {
		name, doc string
		line, col int64
		path, msg string
	}{
		{"top level", "databse:\n  connection_string: x\n", 1, 1, "databse", `unknown key "databse" at the top level (did you mean "database"?)`},
		{"the architecture's other keys", "json_metadata_file: aggregated_metadata.json\n", 1, 1, "json_metadata_file", `unknown key "json_metadata_file" at the top level (known keys: analytics, database, illness_inference, logging`},
		{"in a section", "processing:\n  chunk_size: 5\n  chunksize: 5\n", 3, 3, "processing.chunksize", `unknown key "chunksize" in processing (did you mean "chunk_size"?)`},
		{"in a rule", "illness_inference:\n  rules:\n    - pattern: x\n      label: SEPSIS\n    - pattern: y\n      lable: CONTROL\n", 6, 7,
			"illness_inference.rules[1].lable", `unknown key "lable" in illness_inference.rules[1] (did you mean "label"?)`},
		{"deep", "logging:\n  levle: DEBUG\n", 2, 3, "logging.levle", `(did you mean "level"?)`},
		{"several", "logging:\n  levle: DEBUG\nprocesing: {}\nquality_thresholds: {min_gene_per_sample: 5}\n", 2, 3, "logging.levle",
			`also procesing (line 3): unknown key "procesing" at the top level (did you mean "processing"?); quality_thresholds.min_gene_per_sample (line 4)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := genexp.ParseConfig([]byte(tc.doc), "c.yaml")
			e := configErr(t, err, qc.ConfigInvalid)
			if e.Line != tc.line || e.Column != tc.col || e.Path != tc.path || !strings.Contains(e.Error(), tc.msg) {
				t.Errorf("got %v (line %d col %d path %q), want line %d col %d path %q containing %q", e, e.Line, e.Column, e.Path, tc.line, tc.col, tc.path, tc.msg)
			}
		})
	}
}

// TestParseConfigBadRegexAtItsOwnKey: a regular expression that does not
// compile is reported at its own line and column, not at its rule's, and
// echoed as the file writes it, not as genexp wraps it to compile it.
func TestParseConfigBadRegexAtItsOwnKey(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		line, col int64
		path, msg string
	}{
		{"rule pattern", "illness_inference:\n  rules:\n    - name: bad\n      label: SEPSIS\n      pattern: \"sep(sis\"\n",
			5, 16, "illness_inference.rules[0].pattern", "`sep(sis` is not a regular expression: missing closing )"},
		{"rule exclude", "illness_inference:\n  rules:\n    - name: ok\n      label: SEPSIS\n      pattern: sepsis\n    - name: bad\n      label: CONTROL\n      pattern: control\n      exclude: 'healthy|[a-'\n",
			9, 16, "illness_inference.rules[1].exclude", "`healthy|[a-` is not a regular expression: missing closing ] at `[a-`"},
		{"rule keys", "illness_inference:\n  rules:\n    - {name: k, label: SEPSIS, pattern: x,\n       keys: '^group*+$'}\n",
			4, 14, "illness_inference.rules[0].keys", "`^group*+$` is not a regular expression: invalid nested repetition operator at `*+`"},
		{"extra rule pattern", "illness_inference:\n  extra_rules:\n    - name: bad\n      label: SEPSIS\n      pattern: \"sep(sis\"\n",
			5, 16, "illness_inference.extra_rules[0].pattern", "`sep(sis` is not a regular expression: missing closing )"},
		{"study_code_pattern", "processing:\n  chunk_size: 10\n  study_code_pattern: GSE[0-9+\n",
			3, 23, "processing.study_code_pattern", "`GSE[0-9+` is not a regular expression: missing closing ] at `[0-9+`"},
		{"study_code_pattern with a backslash", "processing:\n  study_code_pattern: 'GSE\\d+|(E-'\n",
			2, 23, "processing.study_code_pattern", "`GSE\\d+|(E-` is not a regular expression: missing closing )"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := genexp.ParseConfig([]byte(tc.doc), "c.yaml")
			e := configErr(t, err, qc.ConfigInvalid)
			if e.Line != tc.line || e.Column != tc.col || e.Path != tc.path || !strings.Contains(e.Msg, tc.msg) {
				t.Errorf("got %v (at %d:%d, path %q)\nwant %d:%d, path %q, saying %q", e, e.Line, e.Column, e.Path, tc.line, tc.col, tc.path, tc.msg)
			}
			if strings.Contains(e.Msg, "(?i)") || strings.Contains(e.Msg, ")$") && !strings.Contains(tc.doc, ")$") {
				t.Errorf("%v echoes the pattern as compiled, not as written", e)
			}
		})
	}
}

func TestParseConfigInvalidValues(t *testing.T) {
	cases := []struct {
		name, doc string
		code      qc.Code
		line      int64
		path, msg string
	}{
		{"missing_values", "processing:\n  missing_values: drop\n", qc.ConfigInvalid, 2, "processing.missing_values", `"drop" is neither skip nor null`},
		{"bad rule regex", "illness_inference:\n  rules:\n    - pattern: \"(sepsis\"\n      label: SEPSIS\n", qc.ConfigInvalid, 3,
			"illness_inference.rules[0].pattern", "`(sepsis` is not a regular expression: missing closing )"},
		{"empty rule pattern", "illness_inference:\n  rules:\n    - label: SEPSIS\n", qc.ConfigInvalid, 3, "illness_inference.rules[0]", "empty pattern"},
		{"bad rule label", "illness_inference:\n  rules:\n    - pattern: x\n      label: SEPSIS\n    - pattern: y\n      label: SEPTIC\n",
			qc.ConfigInvalid, 5, "illness_inference.rules[1]", "SEPTIC"},
		{"bad override label", "illness_inference:\n  overrides:\n    GSM1: sick\n", qc.ConfigInvalid, 3, "illness_inference.overrides.GSM1", "sick"},
		{"two rules one name", "illness_inference:\n  rules:\n    - {name: a, pattern: x, label: SEPSIS}\n    - {name: a, pattern: y, label: CONTROL}\n",
			qc.ConfigInvalid, 2, "illness_inference", `two rules are named "a"`},
		{"bad study filter", "processing:\n  study_code_pattern: \"GSE[\"\n", qc.ConfigInvalid, 2, "processing.study_code_pattern", "not a regular expression"},
		{"fraction as int", "processing:\n  chunk_size: 5.5\n", qc.ConfigInvalid, 2, "processing.chunk_size", `must be a whole number, not "5.5"`},
		{"negative", "processing:\n  timeout_seconds: -1\n", qc.ConfigInvalid, 2, "processing.timeout_seconds", "must not be negative"},
		// beyond a time.Duration: every run timed out at once
		{"timeout past a duration", "processing:\n  timeout_seconds: 9300000000\n", qc.ConfigInvalid, 2, "processing.timeout_seconds", "must be at most 9223372036"},
		{"memory limit past a byte count", "processing:\n  memory_limit_mb: 9223372036854775807\n", qc.ConfigInvalid, 2, "processing.memory_limit_mb", "must be at most 1099511627776"},
		{"a whole number too large", "processing:\n  chunk_size: 99999999999999999999999\n", qc.ConfigInvalid, 2, "processing.chunk_size", `beyond the range this setting can hold, "99999999999999999999999"`},
		// a second document's keys were ignored, unknown ones too
		{"second document", "processing:\n  chunk_size: 10\n---\nprocessing:\n  no_such_key: 1\n", qc.ConfigInvalid, 4, "", "a second YAML document"},
		{"text after the end of the document", "processing:\n  chunk_size: 10\n...\ngarbage: [\n", qc.ConfigInvalid, 4, "", "not valid YAML"},
		{"more workers than threads can be started", "processing:\n  max_workers: 100000\n", qc.ConfigInvalid, 2, "processing.max_workers", "must be at most 1024 (got 100000)"},
		{"blank excluded sample", "processing:\n  exclude_samples:\n    - GSM1\n    - \" \"\n", qc.ConfigInvalid, 4, "processing.exclude_samples[1]", "is empty; list sample accessions"},
		{"ks sample size below -1", "processing:\n  ks_sample_size: -2\n", qc.ConfigInvalid, 2, "processing.ks_sample_size", "must be -1 (no recomputed KS check) or more"},
		{"percent for a share", "quality_thresholds:\n  max_null_percentage: 10\n", qc.ConfigInvalid, 2, "quality_thresholds.max_null_percentage", "write 0.1 for 10%"},
		{"text for a number", "quality_thresholds:\n  max_duplicate_percentage: low\n", qc.ConfigInvalid, 2, "quality_thresholds.max_duplicate_percentage", `must be a number, not "low"`},
		{"log level", "logging:\n  level: LOUD\n", qc.ConfigInvalid, 2, "logging.level", `"LOUD" is not DEBUG, INFO, WARN or ERROR`},
		{"bool", "logging:\n  rotation: sometimes\n", qc.ConfigInvalid, 2, "logging.rotation", `must be true or false, not "sometimes"`},
		{"section as a list", "processing: [1, 2]\n", qc.ConfigInvalid, 1, "processing", "must be a section of keys, not a list"},
		{"rules as a section", "illness_inference:\n  rules: {a: b}\n", qc.ConfigInvalid, 2, "illness_inference.rules", "must be a list, not a section of keys"},
		{"value as a list", "database:\n  connection_string: [a, b]\n", qc.ConfigInvalid, 2, "database.connection_string", "must be a single value, not a list"},
		{"document as a scalar", "processing\n", qc.ConfigInvalid, 1, "", "must be a section of keys"},
		{"key twice", "processing:\n  chunk_size: 1\n  chunk_size: 2\n", qc.ConfigInvalid, 3, "processing.chunk_size", `key "chunk_size" is given twice (first on line 2)`},
		{"override twice", "illness_inference:\n  overrides:\n    GSM1: CONTROL\n    GSM1: SEPSIS\n", qc.ConfigInvalid, 4,
			"illness_inference.overrides.GSM1", `key "GSM1" is given twice (first on line 3)`},
		{"lookup key twice", "platform_normalization:\n  manufacturer_lookup:\n    illumina: Illumina\n    agilent: Agilent\n    illumina: Other\n", qc.ConfigInvalid, 5,
			"platform_normalization.manufacturer_lookup.illumina", `key "illumina" is given twice (first on line 3)`},
		{"lookup keys differing in case", "platform_normalization:\n  manufacturer_lookup:\n    Affymetrix: Upper\n    affymetrix: Lower\n", qc.ConfigInvalid, 3,
			"platform_normalization.manufacturer_lookup", `keys "Affymetrix" and "affymetrix" are one key (keys match whatever their case)`},
		{"unclosed list", "processing:\n  chunk_size: [1,\nlogging: x\n", qc.ConfigInvalid, 2, "", "not valid YAML: did not find expected ',' or ']'"},
		{"unclosed list at the end", "processing: [1,\n", qc.ConfigInvalid, 2, "", "did not find expected node content"},
		{"bad indentation", "processing:\n  chunk_size: 1\n logging: x\n", qc.ConfigInvalid, 3, "", "not valid YAML"},
		{"tab", "processing:\n\tchunk_size: 1\n", qc.ConfigInvalid, 2, "", "cannot start any token"},
		{"optional bool", "illness_inference:\n  study_context: maybe\n", qc.ConfigInvalid, 2, "illness_inference.study_context", `must be true or false, not "maybe"`},
		{"unknown cohort rule", "illness_inference:\n  disabled_cohort_rules: [sole_arm]\n", qc.ConfigInvalid, 2, "illness_inference.disabled_cohort_rules[0]", `no cohort rule is named "sole_arm"`},
		{"unknown cohort rule in a block list", "illness_inference:\n  disabled_cohort_rules:\n    - study_context\n    - sole_arm\n", qc.ConfigInvalid, 4,
			"illness_inference.disabled_cohort_rules[1]", `no cohort rule is named "sole_arm" (want one of study_abbreviation, cohort_same_patient, cohort_code,`},
		{"analytics enabled", "analytics:\n  enabled: later\n", qc.ConfigInvalid, 2, "analytics.enabled", `must be true or false, not "later"`},
		{"top genes negative", "analytics:\n  top_variable_genes: -5\n", qc.ConfigInvalid, 2, "analytics.top_variable_genes", "must be between 0 (the default, 100) and 1000, got -5"},
		{"top genes too many", "analytics:\n  top_variable_genes: 20000\n", qc.ConfigInvalid, 2, "analytics.top_variable_genes", "N(N-1)/2 pairs"},
		{"top genes fraction", "analytics:\n  top_variable_genes: 0.5\n", qc.ConfigInvalid, 2, "analytics.top_variable_genes", `must be a whole number, not "0.5"`},
		{"analytics unknown key", "analytics:\n  top_genes: 5\n", qc.ConfigInvalid, 2, "analytics.top_genes", `unknown key "top_genes" in analytics`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := genexp.ParseConfig([]byte(tc.doc), "c.yaml")
			e := configErr(t, err, tc.code)
			if e.Line != tc.line || e.Path != tc.path || !strings.Contains(e.Error(), tc.msg) {
				t.Errorf("got %v (line %d path %q), want line %d path %q containing %q", e, e.Line, e.Path, tc.line, tc.path, tc.msg)
			}
		})
	}

	// A key repeated inside a map is placed like one repeated in a section.
	_, err := genexp.ParseConfig([]byte("illness_inference:\n  overrides:\n    GSM1: CONTROL\n    GSM1: SEPSIS\n"), "c.yaml")
	if e := configErr(t, err, qc.ConfigInvalid); e.Line != 4 || e.Column != 5 {
		t.Errorf("repeated override at %d:%d, want 4:5: %v", e.Line, e.Column, e)
	}

	// An unknown cohort rule is placed at its item, not at the section.
	_, err = genexp.ParseConfig([]byte("illness_inference:\n  disabled_cohort_rules: [study_context, sole_arm]\n"), "c.yaml")
	if e := configErr(t, err, qc.ConfigInvalid); e.Line != 2 || e.Column != 42 {
		t.Errorf("unknown cohort rule at %d:%d, want 2:42: %v", e.Line, e.Column, e)
	}

	// Validate alone (a Config built in code) names the key too.
	cfg := genexp.DefaultConfig()
	cfg.Processing.MissingValues = "zero"
	cfg.Quality.MaxNullPercentage = 2
	err = cfg.Validate()
	if !errors.Is(err, qc.ConfigInvalid) || !strings.Contains(err.Error(), "processing.missing_values: ") ||
		!strings.Contains(err.Error(), "quality_thresholds.max_null_percentage: 2 is not a share") {
		t.Errorf("Validate: %v", err)
	}
}

// TestParseConfigPlacesTheBadEntry: a problem inside a map or a tab in
// the indentation is placed at the entry (or tab) itself, with a column,
// its key path said once, and coded as a configuration problem.
func TestParseConfigPlacesTheBadEntry(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		line, col int64
		path, msg string
	}{
		{"unknown severity code", "quality_thresholds:\n  severities:\n    VALIDATION_SAMPLE_COUNT_LOW: ERROR\n    NO_SUCH_CODE: WARNING\n", 4, 5,
			"quality_thresholds.severities.NO_SUCH_CODE", `"NO_SUCH_CODE" is not a genexp code`},
		{"unknown severity", "quality_thresholds:\n  severities:\n    2006: LOUD\n", 3, 11,
			"quality_thresholds.severities.2006", `unknown severity "LOUD" (want INFO, WARNING or ERROR)`},
		{"KS p-value", "quality_thresholds:\n  min_ks_pvalue: 5\n", 2, 18, "quality_thresholds.min_ks_pvalue", "5 is not a p-value between 0 and 1"},
		{"KS p-value NaN", "quality_thresholds:\n  min_ks_pvalue: .nan\n", 2, 18, "quality_thresholds.min_ks_pvalue", "NaN is not a p-value between 0 and 1"},
		{"KS statistic NaN", "quality_thresholds:\n  min_ks_statistic: .NaN\n", 2, 21, "quality_thresholds.min_ks_statistic", "NaN is not a Kolmogorov–Smirnov statistic between 0 and 1"},
		{"KS statistic", "quality_thresholds:\n  min_ks_statistic: -0.5\n", 2, 21, "quality_thresholds.min_ks_statistic", "-0.5 is not a Kolmogorov–Smirnov statistic between 0 and 1"},
		{"override label", "illness_inference:\n  overrides:\n    GSM1: CONTROL\n    GSM2: sick\n", 4, 11,
			"illness_inference.overrides.GSM2", `unknown label "sick"`},
		{"tab starting a block", "processing:\n\tchunk_size: 1\n", 2, 1, "", "cannot start any token (a tab in the indentation"},
		{"tab after a key", "processing:\n  chunk_size: 1\n\tmax_workers: 2\n", 3, 1, "", "a tab character that violates indentation"},
		{"tab after spaces", "a: 1\nprocessing:\n  chunk_size: 1\n \tmax_workers: 2\n", 4, 2, "", "a tab character that violates indentation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := genexp.ParseConfig([]byte(tc.doc), "c.yaml")
			e := configErr(t, err, qc.ConfigInvalid)
			if e.Line != tc.line || e.Column != tc.col || e.Path != tc.path || !strings.Contains(e.Error(), tc.msg) {
				t.Errorf("got %v (line %d col %d path %q), want line %d col %d path %q containing %q", e, e.Line, e.Column, e.Path, tc.line, tc.col, tc.path, tc.msg)
			}
			if tc.path != "" && strings.Count(e.Error(), tc.path) != 1 {
				t.Errorf("%v: the key path is said more than once", e)
			}
			if e.Code != qc.ConfigInvalid {
				t.Errorf("code %v, want %v", e.Code, qc.ConfigInvalid)
			}
		})
	}
}

// TestConfigNeverShowsThePassword provokes every kind of configuration
// error around a password taken from the environment and checks that no
// message, nor a printed Config, shows it.
func TestConfigNeverShowsThePassword(t *testing.T) {
	setDBEnv(t)
	dsn := "database:\n  connection_string: \"Driver={ODBC Driver 17 for SQL Server};Server=${DB_SERVER};UID=${DB_USER};PWD=${DB_PASSWORD};\"\n"
	docs := map[string]string{
		"unknown key after it":        dsn + "  pasword: x\n",
		"password as a number":        dsn + "processing:\n  chunk_size: ${DB_PASSWORD}\n",
		"password as a bool":          dsn + "logging:\n  rotation: ${DB_PASSWORD}\n",
		"password as a log level":     dsn + "logging:\n  level: ${DB_PASSWORD}\n",
		"password as missing_values":  dsn + "processing:\n  missing_values: \"x${DB_PASSWORD}x\"\n",
		"password as a label":         dsn + "illness_inference:\n  overrides:\n    GSM1: ${DB_PASSWORD}\n",
		"password as a log format":    dsn + "logging:\n  format: ${DB_PASSWORD}\n",
		"password as a section":       dsn + "platform_normalization:\n  manufacturer_lookup: ${DB_PASSWORD}\n",
		"unset beside it":             dsn + "logging:\n  file: ${NO_SUCH_VAR_1}\n",
		"broken YAML after it":        dsn + "processing: [\n",
		"several problems, one list":  dsn + "logging:\n  level: ${DB_PASSWORD}\n  format: ${DB_PASSWORD}\n  levle: 1\n",
		"password in the wrong place": "database: ${DB_PASSWORD}\n",
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			_, err := genexp.ParseConfig([]byte(doc), "c.yaml")
			if err == nil {
				t.Fatal("no error")
			}
			for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
				for _, secret := range []string{testPassword, "Tr0ub4dor", `"#x' y`} {
					if strings.Contains(text, secret) {
						t.Errorf("the error shows the password: %s", text)
					}
				}
			}
			var e *qc.Error
			if errors.As(err, &e) && e.Err != nil && strings.Contains(e.Err.Error(), "Tr0ub4dor") {
				t.Errorf("the cause shows the password: %v", e.Err)
			}
		})
	}

	cfg, err := genexp.ParseConfig([]byte(dsn), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if p, err := msdsn.Parse(cfg.Database.ConnectionString); err != nil || p.Password != testPassword {
		t.Fatalf("the password did not reach the connection string whole: %v", err)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(verb, cfg); strings.Contains(out, "Tr0ub4dor") || !strings.Contains(out, "PWD="+qc.Redacted) {
			t.Errorf("%s of the config: %s", verb, out)
		}
	}
}

func TestPipelineRejectsInvalidConfig(t *testing.T) {
	cfg := genexp.DefaultConfig()
	cfg.Illness.Overrides = maps.Clone(map[string]illness.Label{"GSM1": "ILL"})
	_, err := genexp.New(openWarehouse(t), genexp.WithConfig(cfg))
	if !errors.Is(err, qc.ConfigInvalid) || !strings.Contains(err.Error(), "illness_inference.overrides.GSM1") {
		t.Errorf("err = %v", err)
	}
	if c, _ := qc.CodeOf(err); c != qc.ConfigInvalid {
		t.Errorf("code %v, want %v: %v", c, qc.ConfigInvalid, err)
	}
}

// The example configuration, testdata/config/architecture.yaml, with its
// connection string's ${VARIABLES} taken from the environment.
func ExampleLoadConfig() {
	for k, v := range map[string]string{"DB_SERVER": "db.example.org", "DB_USER": "etl", "DB_PASSWORD": "s3cret"} {
		if err := os.Setenv(k, v); err != nil {
			log.Fatal(err)
		}
		defer os.Unsetenv(k)
	}
	cfg, err := genexp.LoadConfig("testdata/config/architecture.yaml")
	if err != nil {
		log.Fatal(err)
	}
	dsn, err := cfg.Database.DSN() // with database_name in it
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(qc.RedactDSN(dsn))
	fmt.Println("rules:", len(cfg.Illness.Rules), "chunk size:", cfg.Processing.ChunkSize, "missing cells:", cfg.Processing.MissingValues)
	// Output:
	// Driver={ODBC Driver 17 for SQL Server};Server=db.example.org;UID=etl;PWD=REDACTED;database=BioinformaticsWarehouse
	// rules: 4 chunk size: 50000 missing cells: skip
}

// FuzzParseConfig: any text gives a configuration or a ConfigInvalid
// *qc.Error at a line of the text, never a panic, and never shows an
// expanded secret; a configuration it gives builds a pipeline.
func FuzzParseConfig(f *testing.F) {
	f.Add(readFileF(f, "testdata/config/architecture.yaml"))
	for _, s := range []string{
		"", "processing:\n  missing_values: null\n", "illness_inference:\n  rules:\n    - &a {pattern: x, label: SEPSIS}\n    - <<: *a\n",
		"database: {connection_string: \"PWD=${FUZZ_SECRET}\"}\nlogging: {level: ${FUZZ_SECRET}}\n", "a: [\n", "processing: ${FUZZ_SECRET}\n",
		"quality_thresholds: {max_null_percentage: .nan}\n", "? [a]\n: b\n",
		"processing:\n  study_code_pattern: \"(GSE\"\n", "processing:\n\tchunk_size: 5\n",
		"illness_inference:\n  rules:\n    - {pattern: \"[\", label: SEPSIS}\n", "{", " \r0", "a: 1\rb: {", "---",
	} {
		f.Add([]byte(s))
	}
	yamlBreak := regexp.MustCompile("\r\n|[\r\n\u0085\u2028\u2029]") // YAML's line ends
	f.Fuzz(func(t *testing.T, data []byte) {
		t.Setenv("FUZZ_SECRET", "fuzz-s3cret-value")
		cfg, err := genexp.ParseConfig(data, "c.yaml")
		if err != nil {
			var e *qc.Error
			if !errors.As(err, &e) || e.File != "c.yaml" {
				t.Fatalf("%T %v", err, err)
			}
			if e.Code != qc.ConfigInvalid {
				t.Fatalf("code %s, want %s: %v", e.Code.Name(), qc.ConfigInvalid.Name(), err)
			}
			lines := int64(len(yamlBreak.FindAllIndex(data, -1)) + 1)
			if e.Line < 0 || e.Line > lines || e.Column < 0 {
				t.Fatalf("error at %d:%d of a %d-line text: %v", e.Line, e.Column, lines, err)
			}
			if strings.Contains(err.Error(), "fuzz-s3cret-value") && !bytes.Contains(data, []byte("fuzz-s3cret-value")) {
				t.Fatalf("the error shows an expanded secret: %v", err)
			}
			return
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("ParseConfig accepted a configuration Validate rejects: %v", err)
		}
		if _, err := genexp.New(genexp.DryRunSink(nil), genexp.WithConfig(cfg)); err != nil {
			t.Fatalf("an accepted configuration builds no pipeline: %v", err)
		}
	})
}

func readFileF(f *testing.F, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// The illness switches reach the classifier: group codes and cohort rules
// can be turned off from the configuration.
func TestConfigIllnessSwitches(t *testing.T) {
	study := &metadata.Study{Accession: "GSE1", Title: "Blood of septic shock patients"}
	samples := []*metadata.Sample{
		{Accession: "GSM1", Title: "Hlty_3"},
		{Accession: "GSM2", Title: "Patient 7, Day1"},
		{Accession: "GSM3", Title: "Patient 8, Day1"},
	}
	label := func(yaml string) map[string]illness.Label {
		t.Helper()
		cfg, err := genexp.ParseConfig([]byte(yaml), "c.yaml")
		if err != nil {
			t.Fatal(err)
		}
		c, err := cfg.Classifier()
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]illness.Label{}
		for i, d := range c.ClassifyCohort(study, samples) {
			out[samples[i].Accession] = d.Label
		}
		return out
	}
	if got := label(""); got["GSM1"] != illness.Control || got["GSM2"] != illness.SepticShock {
		t.Fatalf("defaults: %v", got)
	}
	if got := label("illness_inference:\n  group_codes: false\n"); got["GSM1"] != illness.Unknown {
		t.Fatalf("group_codes: false still reads Hlty: %v", got)
	}
	if got := label("illness_inference:\n  disabled_cohort_rules: [study_context, cohort_sole_arm]\n"); got["GSM2"] != illness.Unknown {
		t.Fatalf("with the study-text rules off a patient still takes the study's label: %v", got)
	}
}

// TestConfigKeyErrorPlacesTheValue: an error found when a value is used is
// placed at the value, through anchors and merge keys, and left unplaced
// when the file does not give the key.
func TestConfigKeyErrorPlacesTheValue(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, doc string
		line, col int64
	}{
		{"plain", "processing:\n  chunk_size: 5\nlogging:\n  level: INFO\n  file: a/b.log\n", 5, 9},
		{"merged", "base: &b\n  file: a/b.log\nlogging:\n  <<: *b\n", 2, 9},
		{"absent", "processing:\n  chunk_size: 5\n", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := filepath.Join(dir, tc.name+".yaml")
			if err := os.WriteFile(name, []byte(tc.doc), 0o644); err != nil {
				t.Fatal(err)
			}
			cause := errors.New("open a/b.log: no such file or directory")
			e := genexp.ConfigKeyError(name, "logging.file", "the log file cannot be opened", cause)
			if e.Code != qc.ConfigInvalid || e.File != name || e.Path != "logging.file" || e.Line != tc.line || e.Column != tc.col || !errors.Is(e, cause) {
				t.Errorf("got %v at %d:%d, want a 1005 at %d:%d wrapping the cause", e, e.Line, e.Column, tc.line, tc.col)
			}
		})
	}
}

// TestEncodeYAMLReadsBack: the effective configuration, encoded, is read
// back by ParseConfig as the same values, its redacted password aside,
// and never holds the password; encoding what was read back gives the
// same text.
func TestEncodeYAMLReadsBack(t *testing.T) {
	setDBEnv(t)
	rich := "database:\n  connection_string: \"sqlserver://loader:${DB_PASSWORD}@db:1433?encrypt=disable\"\n  database_name: genexp\n" +
		"processing:\n  chunk_size: 500\n  timeout_seconds: 60\n  missing_values: null\n  study_code_pattern: \"GSE\\\\d+|E-GEOD-\\\\d+\"\n  ks_sample_size: -1\n" +
		"illness_inference:\n  fields: [title]\n  rules:\n    - {name: r, pattern: \"\\\\bsepsis\\\\b\", exclude: \"no\", label: SEPSIS, fields: [title, characteristics], keys: \"^state$\"}\n" +
		"  overrides: {GSM1: CONTROL}\n  group_codes: false\n  disabled_cohort_rules: [cohort_sole_arm]\n" +
		"platform_normalization:\n  manufacturer_lookup: {acme: ACME Corp}\n" +
		"quality_thresholds:\n  min_ks_pvalue: 0.0001\n  severities: {VALIDATION_SAMPLE_COUNT_LOW: ERROR}\n" +
		"logging: {level: debug, file: \"g s.log\", format: json, rotation: true, max_size_mb: 5, backup_count: 2}\n" +
		"analytics: {enabled: false, top_variable_genes: 7}\n"
	for name, doc := range map[string]string{"defaults": "", "rich": rich, "architecture": string(readFile(t, "testdata/config/architecture.yaml"))} {
		t.Run(name, func(t *testing.T) {
			cfg, err := genexp.ParseConfig([]byte(doc), "c.yaml")
			if err != nil {
				t.Fatal(err)
			}
			out, err := cfg.EncodeYAML()
			if err != nil {
				t.Fatal(err)
			}
			for _, secret := range []string{testPassword, "Tr0ub4dor", `"#x' y`, url.QueryEscape(testPassword)} {
				if strings.Contains(string(out), secret) {
					t.Fatalf("the encoded configuration holds the password:\n%s", out)
				}
			}
			back, err := genexp.ParseConfig(out, "effective.yaml")
			if err != nil {
				t.Fatalf("the encoded configuration does not read back: %v\n%s", err, out)
			}
			want := cfg.Effective()
			want.Database.ConnectionString = qc.RedactDSN(want.Database.ConnectionString)
			if !reflect.DeepEqual(back, want) {
				t.Errorf("read back\n got %#v\nwant %#v", back, want)
			}
			if again, err := back.EncodeYAML(); err != nil || string(again) != string(out) {
				t.Errorf("encoding what was read back differs (%v):\n%s\n---\n%s", err, again, out)
			}
			// The effective configuration classifies as the original.
			c1, err1 := cfg.Classifier()
			c2, err2 := back.Classifier()
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			for _, s := range []*metadata.Sample{{Accession: "GSM1", Title: "sepsis"}, {Accession: "GSM9", Title: "Septic shock day 1"}, {Accession: "GSM8", Title: "healthy donor"}} {
				if d1, d2 := c1.Classify(s), c2.Classify(s); d1.Label != d2.Label || d1.Rule != d2.Rule {
					t.Errorf("%s: %v by %q, read back %v by %q", s.Title, d1.Label, d1.Rule, d2.Label, d2.Rule)
				}
			}
		})
	}
}

// TestEncodeYAMLHidesACopiedPassword: the connection string's password,
// copied into another key by mistake (here the log file's name), is
// redacted there too.
func TestEncodeYAMLHidesACopiedPassword(t *testing.T) {
	doc := "database:\n  connection_string: \"server=db;user id=sa;password=S3cretPassw0rd\"\nlogging:\n  file: \"logs/S3cretPassw0rd.log\"\n"
	cfg, err := genexp.ParseConfig([]byte(doc), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := cfg.EncodeYAML()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "S3cretPassw0rd") || !strings.Contains(string(out), "password=REDACTED") {
		t.Fatalf("the encoded configuration holds the password:\n%s", out)
	}
}

// TestConfigReferenceEscapes: $${ is the text ${ in an expanded value; any
// other ${ that is no ${NAME} reference (a shell default) is an error
// naming the key, where it was kept as written and failed later (a log
// file named "${LOGDIR:-/tmp}/y.log"); regular expressions, rule keys
// included, are never expanded; and a value that holds ${ after expansion
// is printed so that it reads back as itself.
func TestConfigReferenceEscapes(t *testing.T) {
	t.Setenv("LOGDIR", "/tmp/a${HOME}b")
	cfg, err := genexp.ParseConfig([]byte("logging:\n  file: ${LOGDIR}/x.log\n"), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Logging.File != "/tmp/a${HOME}b/x.log" {
		t.Fatalf("file %q", cfg.Logging.File)
	}
	out, err := cfg.EncodeYAML()
	if err != nil {
		t.Fatal(err)
	}
	again, err := genexp.ParseConfig(out, "printed.yaml")
	if err != nil || again.Logging.File != cfg.Logging.File {
		t.Errorf("printed configuration read back as %q (%v), want %q\n%s", again.Logging.File, err, cfg.Logging.File, out)
	}

	cfg, err = genexp.ParseConfig([]byte("logging:\n  file: /logs/$${LOGDIR}/$$x.log\n"), "c.yaml")
	if err != nil || cfg.Logging.File != "/logs/${LOGDIR}/$$x.log" {
		t.Errorf("escaped reference: %q, %v; want the text ${LOGDIR}, a $$ not before { kept", cfg.Logging.File, err)
	}

	// $${ is the text ${ whatever follows it, so the error's advice works,
	// and a variable's value holding a shell form prints and reads back.
	cfg, err = genexp.ParseConfig([]byte("logging:\n  file: /tmp/a$${x-y}.log\n"), "c.yaml")
	if err != nil || cfg.Logging.File != "/tmp/a${x-y}.log" {
		t.Errorf("escaped shell form: %q, %v", cfg.Logging.File, err)
	}
	t.Setenv("LOGDIR", "/tmp/${X:-d}")
	cfg, err = genexp.ParseConfig([]byte("logging:\n  file: ${LOGDIR}/x.log\n"), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, err = cfg.EncodeYAML()
	if err != nil {
		t.Fatal(err)
	}
	if again, err := genexp.ParseConfig(out, "printed.yaml"); err != nil || again.Logging.File != "/tmp/${X:-d}/x.log" {
		t.Errorf("printed shell form read back as %q, %v\n%s", again.Logging.File, err, out)
	}

	_, err = genexp.ParseConfig([]byte("logging:\n  file: ${LOGDIR:-/tmp}/y.log\n"), "c.yaml")
	e := configErr(t, err, qc.ConfigInvalid)
	if e.Line != 2 || !strings.Contains(e.Error(), "logging.file") || !strings.Contains(e.Error(), "write $${ for the text ${") {
		t.Errorf("shell default: %v", err)
	}

	cfg, err = genexp.ParseConfig([]byte("illness_inference:\n  rules:\n    - name: r\n      label: SEPSIS\n      pattern: sepsis\n      keys: '^x${HOME}$'\n"), "c.yaml")
	if err != nil || len(cfg.Illness.Rules) != 1 || cfg.Illness.Rules[0].Keys != "^x${HOME}$" {
		t.Errorf("rule keys expanded or refused: %+v, %v", cfg.Illness.Rules, err)
	}
}

// TestConfigShortValuesAreNotScrubbed: an expanded value is replaced by
// its variable's name in messages, lest it be a secret, but not a value of
// one or two characters, which hides nothing: ${WORKERS}=1 turned every
// "1" of the message into ${WORKERS}, "-10" and line numbers included.
func TestConfigShortValuesAreNotScrubbed(t *testing.T) {
	t.Setenv("WORKERS", "1")
	doc := "processing:\n  max_workers: ${WORKERS}\n  chunk_size: -10\n"
	_, err := genexp.ParseConfig([]byte(doc), "c.yaml")
	if err == nil {
		t.Fatal("a negative chunk_size was accepted")
	}
	msg := err.Error()
	if strings.Contains(msg, "${WORKERS}") || !strings.Contains(msg, "-10") {
		t.Errorf("%s: want -10 as written, no ${WORKERS}", msg)
	}
}

// TestExtraRulesAddToTheBuiltIn: extra_rules add a rule of one's own to the
// built-in ones (which rules would replace): a label the built-in rules
// give stays, the extra rule labels what they leave UNKNOWN, and an extra
// rule named as a built-in one is refused at its name.
func TestExtraRulesAddToTheBuiltIn(t *testing.T) {
	cfg, err := genexp.ParseConfig([]byte(`illness_inference:
  extra_rules:
    - name: creb_overexpression
      label: NO_SEPSIS
      priority: 50
      pattern: '\bCREB\b'
`), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := cfg.Classifier()
	if err != nil {
		t.Fatal(err)
	}
	d, err := genexp.OpenDownload("testdata/refinebio/quickstart/GSE71270")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	got := map[illness.Label]int{}
	for _, s := range d.Metadata.Samples {
		dec := c.Classify(s)
		got[dec.Label]++
		if dec.Label == illness.NoSepsis && dec.Rule != "creb_overexpression" {
			t.Errorf("%s: NO_SEPSIS by %q, want the extra rule", s.Accession, dec.Rule)
		}
	}
	if want := map[illness.Label]int{illness.Control: 5, illness.NoSepsis: 5}; !maps.Equal(got, want) {
		t.Errorf("labels %v, want %v: the built-in controls kept, the CREB fish labelled by the extra rule", got, want)
	}
	for _, tc := range []struct{ name, doc, path, msg string }{
		{"named as a built-in rule", "illness_inference:\n  extra_rules:\n    - name: healthy_control\n      label: CONTROL\n      pattern: wt\n",
			"illness_inference.extra_rules[0].name", "already the name of a rule"},
		{"named as a built-in rule, blanks around", "illness_inference:\n  extra_rules:\n    - name: ' healthy_control'\n      label: CONTROL\n      pattern: wt\n",
			"illness_inference.extra_rules[0].name", `"healthy_control" is already the name of a rule`},
		{"named as another extra rule", "illness_inference:\n  extra_rules:\n    - {name: x, label: CONTROL, pattern: wt}\n    - {name: x, label: SEPSIS, pattern: sep}\n",
			"illness_inference.extra_rules[1].name", `"x" is already the name of a rule`},
		{"unnamed", "illness_inference:\n  extra_rules:\n    - label: CONTROL\n      pattern: wt\n",
			"illness_inference.extra_rules[0].name", "an extra rule needs a name"},
	} {
		_, err = genexp.ParseConfig([]byte(tc.doc), "c.yaml")
		if e := configErr(t, err, qc.ConfigInvalid); e.Path != tc.path || !strings.Contains(e.Msg, tc.msg) {
			t.Errorf("an extra rule %s: %v; want %s at %s", tc.name, err, tc.msg, tc.path)
		}
	}
}

// TestLoadConfigMissingFile: a configuration file that cannot be read is
// ConfigInvalid, and its cause is still matched by errors.Is.
func TestLoadConfigMissingFile(t *testing.T) {
	_, err := genexp.LoadConfig(filepath.Join(t.TempDir(), "none.yaml"))
	var qe *qc.Error
	if !errors.As(err, &qe) || qe.Code != qc.ConfigInvalid || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("%v: want a ConfigInvalid error whose cause is fs.ErrNotExist", err)
	}
}

// TestLoadConfigTooLarge: a configuration file over MaxConfigBytes, or an
// endless one (/dev/zero), is ConfigInvalid saying so, read no further
// than the cap: it used to be read whole, gigabytes a second.
func TestLoadConfigTooLarge(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.yaml")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(genexp.MaxConfigBytes + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	paths := []string{big}
	if _, err := os.Stat("/dev/zero"); err == nil {
		paths = append(paths, "/dev/zero")
	}
	for _, p := range paths {
		_, err := genexp.LoadConfig(p)
		var e *qc.Error
		if !errors.As(err, &e) || e.Code != qc.ConfigInvalid || e.File != p || !strings.Contains(e.Msg, "larger than 16 MiB") {
			t.Errorf("%s: %v; want ConfigInvalid naming the file and saying it is too large", p, err)
		}
	}
}

// TestParseConfigListsEveryMistake: one error names every mistake of the
// file, an unknown key first and the values after it in the file's order;
// an unknown key used to hide the unusable values beside it, and the
// values were listed in the order they were checked.
func TestParseConfigListsEveryMistake(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		line      int64
		first     string
		also      []string
		notAlso   string
	}{
		{"an unknown key beside a bad value", "processing:\n  chunk_sise: 3\n  missing_values: drop\n", 2,
			`unknown key "chunk_sise"`, []string{`processing.missing_values (line 3): "drop" is neither skip nor null`}, ""},
		{"bad values in the file's order", "processing:\n  missing_values: drop\n  chunk_size: -4\n", 2,
			`"drop" is neither skip nor null`, []string{"processing.chunk_size (line 3): must not be negative"}, ""},
		{"a misspelt key's consequence is not another mistake", "illness_inference:\n  rules:\n    - pattern: x\n      lable: SEPSIS\n", 4,
			`unknown key "lable"`, nil, "unknown label"},
		{"a value of the wrong type beside an unusable one", "processing:\n  chunk_size: lots\n  ks_max_cells: -1\n  max_workers: [1]\nquality_thresholds:\n  max_null_percentage: 2\n", 2,
			`must be a whole number, not "lots"`, []string{"processing.max_workers (line 4): must be a single value", "processing.ks_max_cells (line 3): must not be negative",
				"quality_thresholds.max_null_percentage (line 6)"}, ""},
		{"an unset variable in a number", "processing:\n  chunk_size: ${GENEXP_TEST_NEVER_SET}\n", 2,
			"refers to the environment variable GENEXP_TEST_NEVER_SET, which is not set", nil, "whole number"},
		{"ten mistakes, each listed", "processing:\n  chunk_size: -1\n  ks_max_cells: -1\n  ks_sample_size: -2\n  missing_values: drop\n  max_workers: lots\n" +
			"quality_thresholds:\n  max_null_percentage: 2\n  min_genes_per_sample: -1\n  min_samples_per_study: -1\n  min_ks_pvalue: 2\nlogging:\n  level: LOUD\n", 6,
			`must be a whole number, not "lots"`, []string{"processing.chunk_size (line 2)", "quality_thresholds.min_samples_per_study (line 10)",
				"quality_thresholds.min_ks_pvalue (line 11)", "logging.level (line 13)"}, "and 4 more"},
		{"a section's own mistake beside an unknown key in it", "illness_inference:\n  feilds: [title]\n  rules:\n    - {name: r1, pattern: x, label: SEPSIS}\n    - {name: r1, pattern: y, label: CONTROL}\n", 2,
			`unknown key "feilds"`, []string{`illness_inference (line 2): illness: two rules are named "r1"`}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := genexp.ParseConfig([]byte(tc.doc), "c.yaml")
			e := configErr(t, err, qc.ConfigInvalid)
			if e.Line != tc.line || !strings.Contains(e.Msg, tc.first) {
				t.Errorf("first mistake at line %d: %v; want line %d saying %q", e.Line, err, tc.line, tc.first)
			}
			for _, a := range tc.also {
				if _, others, _ := strings.Cut(e.Msg, "; also "); !strings.Contains(others, a) {
					t.Errorf("%v does not also list %q", err, a)
				}
			}
			if tc.notAlso != "" && strings.Contains(e.Msg, tc.notAlso) {
				t.Errorf("%v lists %q, a consequence of the misspelt key", err, tc.notAlso)
			}
		})
	}
}
