package genexp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/illness"
	"github.com/genexp/genexp/platform"
	"github.com/genexp/genexp/qc"
)

// Config is a pipeline configuration: the YAML of the architecture
// document, section 7.1. Zero sections take their defaults from
// DefaultConfig.
type Config struct {
	Database   DatabaseConfig   `yaml:"database"`
	Processing ProcessingConfig `yaml:"processing"`
	Illness    IllnessConfig    `yaml:"illness_inference"`
	Platforms  PlatformConfig   `yaml:"platform_normalization"`
	Quality    qc.Thresholds    `yaml:"quality_thresholds"`
	Logging    LoggingConfig    `yaml:"logging"`
}

// DatabaseConfig names the warehouse.
type DatabaseConfig struct {
	// ConnectionString is a DSN: a DuckDB file path, or a sqlserver:// URL
	// or ADO string for SQL Server. ${VAR} references are expanded.
	ConnectionString string `yaml:"connection_string"`
	// DatabaseName is the SQL Server database (ignored by DuckDB).
	DatabaseName string `yaml:"database_name"`
}

// ProcessingConfig tunes reading and loading.
type ProcessingConfig struct {
	// ChunkSize is the number of gene rows read per batch; 0 sizes batches
	// to about a million cells. Memory is bounded by one batch.
	ChunkSize int `yaml:"chunk_size"`
	// MaxWorkers and MemoryLimitMB are accepted for compatibility with the
	// architecture document's configuration; a load streams one matrix at
	// a time with memory bounded by ChunkSize.
	MaxWorkers    int `yaml:"max_workers"`
	MemoryLimitMB int `yaml:"memory_limit_mb"`
	// TimeoutSeconds bounds a whole load; 0 means no limit.
	TimeoutSeconds int `yaml:"timeout_seconds"`
	// MissingValues says what to do with missing cells: "skip" (default;
	// no fact row) or "null" (a fact row with a NULL value).
	MissingValues string `yaml:"missing_values"`
	// StudyCodePattern, when set, is a regular expression a study accession
	// must match to be loaded (a filter; studies are found from the
	// download's structure and metadata).
	StudyCodePattern string `yaml:"study_code_pattern"`
	// KSSampleSize caps the values per sample kept for the recomputed
	// Kolmogorov–Smirnov check. Default 5000.
	KSSampleSize int `yaml:"ks_sample_size"`
}

// IllnessConfig configures the illness classifier.
type IllnessConfig struct {
	// Fields lists the sample fields to read, most reliable first; empty
	// means illness.DefaultFields.
	Fields []string `yaml:"fields"`
	// Rules replace the built-in rules when given.
	Rules []illness.Rule `yaml:"rules"`
	// Overrides map sample accessions to labels.
	Overrides map[string]illness.Label `yaml:"overrides"`
	// StudyContext lets a patient sample that no rule labels take the
	// illness its study's title or description names (see
	// illness.WithStudyContext). Default true.
	StudyContext *bool `yaml:"study_context"`
}

// PlatformConfig configures platform normalization.
type PlatformConfig struct {
	// ManufacturerLookup maps a substring of a platform name to its
	// manufacturer; empty means platform.DefaultManufacturers.
	ManufacturerLookup map[string]string `yaml:"manufacturer_lookup"`
}

// LoggingConfig configures the CLI's logs.
type LoggingConfig struct {
	Level       string `yaml:"level"`
	File        string `yaml:"file"`
	Format      string `yaml:"format"`
	Rotation    bool   `yaml:"rotation"`
	MaxSizeMB   int    `yaml:"max_size_mb"`
	BackupCount int    `yaml:"backup_count"`
}

// DefaultConfig returns the built-in configuration.
func DefaultConfig() Config {
	return Config{
		Processing: ProcessingConfig{MissingValues: "skip", KSSampleSize: 5000},
		Quality:    qc.DefaultThresholds(),
		Logging:    LoggingConfig{Level: "INFO"},
	}
}

// LoadConfig reads a YAML configuration file over DefaultConfig. ${VAR}
// references are replaced by environment variables (an unset variable is an
// error); an unknown key is an error that names it.
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, &qc.Error{Code: qc.FileNotFound, Severity: qc.SeverityError, File: path, Msg: "reading the configuration", Err: err}
	}
	return ParseConfig(data, path)
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// ParseConfig parses YAML configuration text; name is used in errors.
func ParseConfig(data []byte, name string) (Config, error) {
	var missing []string
	data = envRef.ReplaceAllFunc(data, func(m []byte) []byte {
		key := string(envRef.FindSubmatch(m)[1])
		v, ok := os.LookupEnv(key)
		if !ok {
			missing = append(missing, key)
		}
		return []byte(v)
	})
	if len(missing) > 0 {
		return Config{}, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: name,
			Msg: "configuration refers to unset environment variables: " + strings.Join(missing, ", ")}
	}
	cfg := DefaultConfig()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, configErr(name, err)
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: name, Msg: "invalid configuration", Err: err}
	}
	return cfg, nil
}

var yamlLine = regexp.MustCompile(`line (\d+): (.*)`)

func configErr(name string, err error) error {
	e := &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: name, Msg: "invalid configuration", Err: err}
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		if m := yamlLine.FindStringSubmatch(te.Errors[0]); m != nil {
			fmt.Sscan(m[1], &e.Line)
			msg := m[2]
			if k, ok := strings.CutPrefix(msg, "field "); ok {
				if k, _, ok := strings.Cut(k, " not found"); ok {
					msg = fmt.Sprintf("unknown key %q", k)
				}
			}
			e.Msg, e.Err = msg, nil
		}
	}
	return e
}

// Validate checks the configuration's values.
func (c Config) Validate() error {
	var errs []error
	switch strings.ToLower(c.Processing.MissingValues) {
	case "", "skip", "null":
	default:
		errs = append(errs, fmt.Errorf("processing.missing_values: %q is neither skip nor null", c.Processing.MissingValues))
	}
	if c.Processing.StudyCodePattern != "" {
		if _, err := regexp.Compile(c.Processing.StudyCodePattern); err != nil {
			errs = append(errs, fmt.Errorf("processing.study_code_pattern: %w", err))
		}
	}
	if c.Processing.ChunkSize < 0 {
		errs = append(errs, errors.New("processing.chunk_size must not be negative"))
	}
	if err := c.Quality.Check(); err != nil {
		errs = append(errs, err)
	}
	if _, err := c.Classifier(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Classifier builds the illness classifier the configuration describes.
func (c Config) Classifier() (*illness.Classifier, error) {
	rules := c.Illness.Rules
	if len(rules) == 0 {
		rules = illness.DefaultRules()
	}
	studyContext := c.Illness.StudyContext == nil || *c.Illness.StudyContext
	return illness.New(rules, nilIfEmpty(c.Illness.Fields), c.Illness.Overrides, illness.WithStudyContext(studyContext))
}

// Normalizer builds the platform normalizer the configuration describes.
func (c Config) Normalizer() *platform.Normalizer {
	if len(c.Platforms.ManufacturerLookup) == 0 {
		return platform.New(nil)
	}
	return platform.New(c.Platforms.ManufacturerLookup)
}

// MissingPolicy returns the melter's policy for missing cells.
func (c Config) MissingPolicy() expression.MissingPolicy {
	if strings.EqualFold(c.Processing.MissingValues, "null") {
		return expression.KeepMissing
	}
	return expression.SkipMissing
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}
