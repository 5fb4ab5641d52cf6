package genexp

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"regexp/syntax"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/illness"
	"github.com/genexp/genexp/internal/textdist"
	"github.com/genexp/genexp/platform"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// Config is a pipeline configuration, read from YAML by LoadConfig. Its
// top-level keys are database, processing, illness_inference,
// platform_normalization, quality_thresholds, logging and analytics, the
// fields below, each with the keys its type's yaml tags name. A section
// left at its zero value (every field zero or an empty map or slice, as
// in Config{}) takes DefaultConfig's when New uses the configuration; a
// section with any field set is used as it is, its zero fields meaning
// what their docs say. ParseConfig refuses a file that writes every
// quality threshold as 0, since those zeros would read as the defaults.
// From Go, start from DefaultConfig and change the fields you mean:
// Config{Quality: qc.Thresholds{MinSamplesPerStudy: 2}} sets every other
// threshold to 0 (no missing cell allowed, among others).
// EncodeYAML writes every key out
// (testdata/config/defaults.yaml is what `genexp config` prints:
// DefaultConfig's, under a comment of two lines, with logging.level left
// empty, which the command decides when it runs: WARN on a terminal, INFO
// otherwise).
type Config struct {
	Database   DatabaseConfig   `yaml:"database"`
	Processing ProcessingConfig `yaml:"processing"`
	Illness    IllnessConfig    `yaml:"illness_inference"`
	Platforms  PlatformConfig   `yaml:"platform_normalization"`
	Quality    qc.Thresholds    `yaml:"quality_thresholds"`
	Logging    LoggingConfig    `yaml:"logging"`
	Analytics  AnalyticsConfig  `yaml:"analytics"`
}

// DatabaseConfig names the warehouse.
type DatabaseConfig struct {
	// ConnectionString is a DSN: a DuckDB file path, or a sqlserver:// URL
	// or ADO string for SQL Server. ${VAR} references are expanded, each
	// value escaped for where it lands (percent-encoded in a URL's user
	// info or query, quoted in an ADO value) so that a password holding
	// ";", a quote or "@" reaches the driver whole and is hidden whole.
	// mssql.Open expands ${NAME} too: give it a SQL Server string from
	// here through mssql.EscapeEnv, so that a "${" a value holds is not
	// expanded twice.
	ConnectionString string `yaml:"connection_string"`
	// DatabaseName is the SQL Server database to use. When the connection
	// string names none, DSN adds it (a URL's database= query parameter,
	// an ADO or odbc: string's database= key); when it names another, the
	// configuration is invalid (ConfigInvalid), since one of the two would
	// be silently ignored. It needs a SQL Server connection string: a
	// DuckDB file holds one database, so with one (or none) it is invalid
	// too. The CLI applies it to connection_string only, not to --dsn or
	// --db.
	DatabaseName string `yaml:"database_name"`
}

// DSN returns the connection string with DatabaseName in it (see
// DatabaseName); the connection string as it is when DatabaseName is
// empty. The error is a ConfigInvalid *qc.Error naming
// database.database_name.
func (c DatabaseConfig) DSN() (string, error) {
	dsn, err := withDatabase(c.ConnectionString, c.DatabaseName)
	if err != nil {
		// qc.Error prints a Path only after a file: the message names the
		// key itself.
		return "", &qc.Error{Code: qc.ConfigInvalid, Severity: qc.SeverityError, Path: "database.database_name", Msg: "database.database_name: " + err.Error()}
	}
	return dsn, nil
}

// withDatabase puts the database name into a SQL Server DSN that names
// none, and refuses a DSN that names another (compared as SQL Server's
// default collation does, ignoring case) or that is not SQL Server's. Its
// messages name both databases: a database name is no secret.
func withDatabase(dsn, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return dsn, nil
	}
	t := strings.TrimSpace(dsn)
	lower := strings.ToLower(t)
	var have string
	var found bool
	switch {
	case strings.HasPrefix(lower, "sqlserver://") || strings.HasPrefix(lower, "mssql://"):
		have, found = urlDatabase(t)
		if !found {
			// Before a #fragment, which the driver does not read.
			head, frag, hasFrag := strings.Cut(t, "#")
			sep := "?"
			if strings.Contains(head, "?") {
				sep = "&"
				if strings.HasSuffix(head, "?") || strings.HasSuffix(head, "&") {
					sep = ""
				}
			}
			out := head + sep + "database=" + url.QueryEscape(name)
			if hasFrag {
				out += "#" + frag
			}
			return out, nil
		}
	case isADO(lower):
		have, found = adoDatabase(t)
		if !found {
			v := name
			if strings.HasPrefix(lower, "odbc:") {
				if strings.ContainsAny(v, ";{}") || strings.TrimSpace(v) != v {
					v = "{" + strings.ReplaceAll(v, "}", "}}") + "}"
				}
			} else if adoNeedsQuotes(v) {
				v = `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
			}
			if !strings.HasSuffix(t, ";") {
				t += ";"
			}
			return t + "database=" + v, nil
		}
	case t == "":
		return "", fmt.Errorf("names the SQL Server database %q, but there is no connection_string: it applies to a SQL Server connection string only", name)
	default:
		return "", fmt.Errorf("names the SQL Server database %q, but connection_string is a DuckDB file, which holds one database: remove database_name", name)
	}
	if !strings.EqualFold(strings.TrimSpace(have), name) {
		return "", fmt.Errorf("names the database %q, but connection_string names %q: give the database in one place only", name, have)
	}
	return t, nil
}

// isADO reports whether a lower-cased DSN is an ADO (or odbc:) key=value
// string, as go-mssqldb reads one: split at semicolons outside "quoted"
// values, a key with its blanks trimmed. Any key the driver knows makes it
// one: the driver needs no server key (it then connects to localhost), and
// a DuckDB path holds no "key = value;" parts by those names.
func isADO(lower string) bool {
	if strings.HasPrefix(lower, "odbc:") {
		return true
	}
	// Without a ';' a string is one key=value pair at most, and a file
	// path can look like one ("database=prod/w.duckdb", a Hive-style
	// folder): only a key that names the server makes it SQL Server.
	pairs := strings.Contains(lower, ";")
	for _, part := range splitADOTemplate(lower, false) {
		k, _, ok := strings.Cut(part, "=")
		if k = strings.TrimSpace(k); ok && (adoServerKeys[k] || pairs && adoKeys[k]) {
			return true
		}
	}
	return false
}

// adoServerKeys are the ADO keys that name the server.
var adoServerKeys = map[string]bool{"server": true, "data source": true, "address": true, "addr": true, "network address": true}

// adoKeys are the other keys of go-mssqldb's ADO strings (msdsn),
// lower-cased, with their synonyms.
var adoKeys = map[string]bool{
	"user id": true, "user": true, "uid": true, "password": true, "pwd": true, "change password": true,
	"database": true, "initial catalog": true, "port": true, "protocol": true, "pipe": true,
	"encrypt": true, "trustservercertificate": true, "trust server certificate": true,
	"certificate": true, "servercertificate": true, "server certificate": true, "tlsmin": true,
	"hostnameincertificate": true, "host name in certificate": true,
	"serverspn": true, "server spn": true, "packet size": true, "log": true,
	"connection timeout": true, "connect timeout": true, "timeout": true, "dial timeout": true,
	"keepalive": true, "workstation id": true, "wsid": true,
	"app name": true, "app": true, "application name": true,
	"applicationintent": true, "application intent": true,
	"failoverpartner": true, "failover partner": true, "failoverport": true,
	"failoverpartnerspn": true, "failover partner spn": true,
	"disableretry": true, "multisubnetfailover": true, "multi subnet failover": true,
	"notraceid": true, "guid conversion": true, "timezone": true, "epa enabled": true,
	"columnencryption": true, "column encryption setting": true,
	"authenticator": true, "fedauth": true, "krb5-configfile": true, "krb5-keytabfile": true,
	"krb5-credcachefile": true, "krb5-realm": true, "krb5-dnslookupkdc": true, "krb5-udppreferencelimit": true,
}

// IsSQLServerDSN reports whether dsn names a SQL Server (a sqlserver://
// URL, an odbc: string, or an ADO string holding any key go-mssqldb knows,
// blanks around it allowed) rather than a DuckDB file.
func IsSQLServerDSN(dsn string) bool {
	l := strings.ToLower(strings.TrimSpace(dsn))
	return strings.HasPrefix(l, "sqlserver://") || strings.HasPrefix(l, "mssql://") || isADO(l)
}

// urlDatabase returns the database= query parameter of a sqlserver:// URL
// (go-mssqldb reads query keys case-insensitively).
func urlDatabase(dsn string) (string, bool) {
	_, query, ok := strings.Cut(dsn, "?")
	if !ok {
		return "", false
	}
	query, _, _ = strings.Cut(query, "#")
	for _, kv := range strings.Split(query, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if k, err := url.QueryUnescape(k); err == nil && strings.EqualFold(k, "database") {
			if u, err := url.QueryUnescape(v); err == nil {
				v = u
			}
			return v, true
		}
	}
	return "", false
}

// adoDatabase returns the value of an ADO or odbc: string's database (or
// initial catalog) key, its quotes or braces taken off.
func adoDatabase(dsn string) (string, bool) {
	odbc := strings.HasPrefix(strings.ToLower(dsn), "odbc:")
	if odbc {
		dsn = dsn[len("odbc:"):]
	}
	for _, part := range splitADOTemplate(dsn, odbc) {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "database", "initial catalog":
			v = strings.TrimSpace(v)
			switch {
			case len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"':
				v = strings.ReplaceAll(v[1:len(v)-1], `""`, `"`)
			case odbc && len(v) >= 2 && v[0] == '{' && v[len(v)-1] == '}':
				v = strings.ReplaceAll(v[1:len(v)-1], "}}", "}")
			}
			return v, true
		}
	}
	return "", false
}

// String formats the database section with the password hidden, so that a
// configuration printed or logged with %v never shows it.
func (c DatabaseConfig) String() string {
	r := c.redacted()
	return fmt.Sprintf("{ConnectionString:%s DatabaseName:%s}", r.ConnectionString, r.DatabaseName)
}

// GoString is String for %#v.
func (c DatabaseConfig) GoString() string { return "genexp.DatabaseConfig" + c.String() }

// redactedDatabase is the section with the connection string's password
// hidden.
type redactedDatabase struct {
	ConnectionString string `json:"connection_string"`
	DatabaseName     string `json:"database_name"`
}

func (c DatabaseConfig) redacted() redactedDatabase {
	return redactedDatabase{qc.RedactDSN(c.ConnectionString), c.DatabaseName}
}

// LogValue is the section for log/slog, the password hidden: slog's
// handlers do not format a value with %v (the JSON handler marshals its
// fields), so String alone would not keep it out of a log.
func (c DatabaseConfig) LogValue() slog.Value {
	r := c.redacted()
	return slog.GroupValue(slog.String("connection_string", r.ConnectionString), slog.String("database_name", r.DatabaseName))
}

// MarshalJSON writes the section with the password hidden, for a
// configuration written as JSON whole (as slog's JSON handler writes a
// Config it is given).
func (c DatabaseConfig) MarshalJSON() ([]byte, error) { return json.Marshal(c.redacted()) }

// MaxWorkers is the most processing.max_workers may be: the DuckDB
// warehouse starts a thread for each when it opens the file (its DSN's
// threads parameter has the same bound), and tens of thousands exhaust
// the process's threads.
const MaxWorkers = 1024

// MaxTimeoutSeconds is the most processing.timeout_seconds may be: the
// longest time.Duration, in seconds. A larger value would overflow it and
// time every run out at once.
const MaxTimeoutSeconds = math.MaxInt64 / 1_000_000_000

// MaxMemoryLimitMB is the most processing.memory_limit_mb may be: 2^40 MB,
// a million terabytes, so that the bound in bytes is a number DuckDB takes.
const MaxMemoryLimitMB = 1 << 40

// ProcessingConfig tunes reading and loading.
type ProcessingConfig struct {
	// ChunkSize is the number of gene rows read per batch; 0 sizes batches
	// to about a million cells. Memory is bounded by one batch however
	// many samples a matrix has; the reader also keeps each gene id it
	// has read, to find a repeated one (about 50 bytes a gene).
	ChunkSize int `yaml:"chunk_size"`
	// MaxWorkers and MemoryLimitMB bound the warehouse engine: the CLI
	// passes them to DuckDB as threads and memory_limit unless the DSN sets
	// those. genexp itself streams one matrix at a time, its memory bounded
	// by ChunkSize.
	MaxWorkers    int `yaml:"max_workers"`
	MemoryLimitMB int `yaml:"memory_limit_mb"`
	// TimeoutSeconds bounds a whole load, from when the warehouse is open;
	// 0 means no limit. Waiting for another process to release the
	// warehouse (a DuckDB DSN's busy_timeout) comes before it: the longest
	// a run takes is that wait and this limit.
	TimeoutSeconds int `yaml:"timeout_seconds"`
	// MissingValues says what to do with missing cells: "skip" (default;
	// no fact row) or "null" (a fact row with a NULL value; "keep" is the
	// same). In YAML, missing_values: null (or ~) means "null", not
	// "unset"; a key with no value keeps the default.
	MissingValues string `yaml:"missing_values"`
	// StudyCodePattern, when set, is a regular expression a study accession
	// must match in full to be loaded. It is only a filter: studies are
	// found from the download's folders and metadata, and a study it
	// excludes is reported as skipped.
	StudyCodePattern string `yaml:"study_code_pattern"`
	// KSMaxCells is the memory budget of the recomputed Kolmogorov–Smirnov
	// check, in matrix cells (8 bytes each; a row counts as five cells at
	// least, for its gene id): a matrix whose loaded max(columns, 5) ×
	// rows fit is checked on every value, exactly as scipy's ks_2samp
	// would; a larger one on a deterministic sample of
	// max(KSSampleSize, KSMaxCells / max(columns, 5)) rows. Default 5,000,000
	// (40 MB): refine.bio matrices of 20,000 genes × up to 250 samples, or
	// 60,000 × 80, are checked exactly. meta_batch_qc says which
	// (ks_rows_used, ks_sampled).
	KSMaxCells int64 `yaml:"ks_max_cells"`
	// KSSampleSize is the fewest rows the check keeps when a matrix does
	// not fit KSMaxCells (a very wide matrix). Default 5000; -1 turns the
	// recomputed check off (meta_study_qc keeps refine.bio's own figures).
	KSSampleSize int `yaml:"ks_sample_size"`
	// ExcludeSamples lists sample accessions kept out of analysis: their
	// facts load, but the studies this run loads them in leave them out of
	// the expression views (vw_expression_long, vw_expression_by_cohort)
	// and of the features (a failed array, a mislabeled sample);
	// vw_sample_illness still lists them with their labels. The exclusion
	// is each study's own (dim_study_sample), like its labels: every load
	// writes it for the samples of the studies it loads, from its own
	// configuration, whether or not it has their metadata, so a later load
	// of a study without the sample in the list includes it again there,
	// and a study sharing the sample keeps its own. A listed accession no
	// sample of a run has is warned of.
	ExcludeSamples []string `yaml:"exclude_samples"`
}

// IllnessConfig configures the illness classifier.
type IllnessConfig struct {
	// Fields lists the sample fields to read, most reliable first; empty
	// means illness.DefaultFields. Names: title, source_name, description,
	// refine.bio's sample fields (disease, disease_stage, subject,
	// specimen_part, …), characteristics, or characteristic:KEY
	// ("characteristic:disease state"); illness.Rule.Fields lists them. A
	// name no sample of a run has a value in is warned of, not refused.
	Fields []string `yaml:"fields"`
	// Rules replace the built-in rules when given. The group codes and
	// the cohort rules still run, on what the given rules leave UNKNOWN:
	// GroupCodes and DisabledCohortRules turn them off.
	Rules []illness.Rule `yaml:"rules"`
	// ExtraRules are added to the rules (the given ones, else the
	// built-in ones), each taking its place by priority: a rule of one's
	// own without copying the built-in list. Each needs a name no other
	// rule has. A rule reads only fields the classifier reads (Fields):
	// one that names another field ("treatment") needs it added there, as
	// append(illness.DefaultFields(), "treatment"), or it matches nothing
	// (the run warns of it, code 3001).
	ExtraRules []illness.Rule `yaml:"extra_rules"`
	// Overrides map sample accessions to labels.
	Overrides map[string]illness.Label `yaml:"overrides"`
	// StudyContext lets a patient sample that no rule labels take the
	// illness its study's title or description names (see
	// illness.WithStudyContext). Default true.
	StudyContext *bool `yaml:"study_context"`
	// GroupCodes reads group codes in titles and source names ("Hlty",
	// "Seps_P", "HC_D1"; illness.DefaultGroupCodes lists them, each with
	// its reason). Default true.
	GroupCodes *bool `yaml:"group_codes"`
	// DisabledCohortRules turns off, by name, the rules that read a
	// study's samples together (illness.CohortRules: study_abbreviation,
	// cohort_same_patient, cohort_code, cohort_infection,
	// cohort_disease_arm, cohort_flag_arm, cohort_sole_arm, study_context,
	// cohort_ill_controls). Default none.
	DisabledCohortRules []string `yaml:"disabled_cohort_rules"`
}

// baseRules returns the rules the extra rules add to: the given ones, else
// the built-in ones.
func (ic IllnessConfig) baseRules() []illness.Rule {
	if len(ic.Rules) == 0 {
		return illness.DefaultRules()
	}
	return ic.Rules
}

// ruleList is a list of rules of the configuration with its key.
type ruleList struct {
	key   string
	rules []illness.Rule
}

// ruleLists returns the rules and the extra rules, each with its key.
func (ic IllnessConfig) ruleLists() []ruleList {
	return []ruleList{{"illness_inference.rules", ic.Rules}, {"illness_inference.extra_rules", ic.ExtraRules}}
}

// PlatformConfig configures platform normalization.
type PlatformConfig struct {
	// ManufacturerLookup maps a word (or words) of a platform name to its
	// manufacturer, matched as whole words of the name, not of the
	// accession (see platform.New); empty means
	// platform.DefaultManufacturers.
	ManufacturerLookup map[string]string `yaml:"manufacturer_lookup"`
}

// LoggingConfig configures the CLI's logs.
type LoggingConfig struct {
	// Level is DEBUG, INFO (default), WARN or ERROR.
	Level string `yaml:"level"`
	// File, when set, receives the logs instead of standard error.
	File string `yaml:"file"`
	// Format is "text" or "json"; "" lets the CLI choose.
	Format string `yaml:"format"`
	// Rotation, when on, moves File to File.1 (File.1 to File.2, …)
	// before a record would take it past MaxSizeMB, keeping BackupCount
	// old files; with MaxSizeMB 0 the file is never rotated.
	Rotation    bool `yaml:"rotation"`
	MaxSizeMB   int  `yaml:"max_size_mb"`
	BackupCount int  `yaml:"backup_count"`
}

// AnalyticsConfig configures the analytics step, which computes a study's
// features (see FeatureCohortSampleCount) after its batch commits.
type AnalyticsConfig struct {
	// Enabled runs the analytics step in every load. Default true. With it
	// off, Pipeline.Features still computes features on demand. On a sink
	// that does not compute features (warehouse.FeatureMaterializer) the
	// step is logged SKIPPED and the run's report warns once.
	Enabled *bool `yaml:"enabled"`
	// TopVariableGenes is N: every pair of a study's N most variable genes
	// gets a correlation, N(N−1)/2 pairs. 0 means the default, 100 (4,950
	// pairs); at most MaxTopVariableGenes; 1 writes no pairs.
	TopVariableGenes int `yaml:"top_variable_genes"`
}

// MaxTopVariableGenes bounds AnalyticsConfig.TopVariableGenes: the pairs,
// and the work of correlating them, grow with its square.
const MaxTopVariableGenes = 1000

func (c AnalyticsConfig) enabled() bool { return c.Enabled == nil || *c.Enabled }

// TopGenes is the number of most variable genes the gene pairs are
// computed over: TopVariableGenes, or warehouse.DefaultTopGenes when it
// is 0.
func (c AnalyticsConfig) TopGenes() int { return c.topGenes() }

func (c AnalyticsConfig) topGenes() int {
	if c.TopVariableGenes == 0 {
		return warehouse.DefaultTopGenes
	}
	return c.TopVariableGenes
}

// DefaultConfig returns the built-in configuration.
func DefaultConfig() Config {
	return Config{
		Processing: ProcessingConfig{MissingValues: "skip", KSSampleSize: 5000, KSMaxCells: 5_000_000},
		Quality:    qc.DefaultThresholds(),
		Logging:    LoggingConfig{Level: "INFO"},
		Analytics:  AnalyticsConfig{TopVariableGenes: warehouse.DefaultTopGenes},
	}
}

// zeroedSections reports a quality_thresholds section that a file wrote
// with every value zero: New reads a zero section as the defaults (see
// Config), so the file's zeros (no missing value allowed, no gene or
// sample check) would be silently replaced; it must say what it means.
// The other sections' zero values mean what their defaults do.
func zeroedSections(c Config) []problem {
	if !unset(reflect.ValueOf(c.Quality)) {
		return nil
	}
	return []problem{{path: "quality_thresholds", atKey: true, msg: "every threshold is 0, which reads as the default thresholds; " +
		"leave the section out for the defaults, or write the values you mean (a check is turned off by its limit, " +
		"such as max_null_percentage: 1, or by its code's severity set to INFO)"}}
}

// withDefaults returns c with each section that is unset replaced by
// DefaultConfig's.
func (c Config) withDefaults() Config {
	d := reflect.ValueOf(DefaultConfig())
	v := reflect.ValueOf(&c).Elem()
	for i := range v.NumField() {
		if f := v.Field(i); unset(f) {
			f.Set(d.Field(i))
		}
	}
	return c
}

// unset reports whether a configuration value says nothing: its zero
// value, or a struct whose every field says nothing, where an empty map or
// slice says nothing either. A section holding only an empty map
// (quality_thresholds with severities: {} and no threshold, as Config{}
// was once written out) is no section set to zeros.
func unset(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if !unset(v.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Map, reflect.Slice:
		return v.Len() == 0
	}
	return v.IsZero()
}

// ConfigOption changes how a configuration is read.
type ConfigOption func(*configOptions)

type configOptions struct {
	noDatabase bool
}

// WithoutDatabase reads a configuration for work that opens no warehouse
// (validating downloads): the database section's keys are still checked,
// but its ${VAR} references are not expanded, so that an unset
// DB_PASSWORD is no error there, and the section is left out of the
// result. A reference elsewhere must still be set.
func WithoutDatabase() ConfigOption {
	return func(o *configOptions) { o.noDatabase = true }
}

// LoadConfig reads a YAML configuration file over DefaultConfig; see
// ParseConfig.
func LoadConfig(path string, opts ...ConfigOption) (Config, error) {
	data, err := ReadConfigFile(path)
	if err != nil {
		return Config{}, err
	}
	return ParseConfig(data, path, opts...)
}

// MaxConfigBytes is the largest configuration file LoadConfig reads: a
// configuration with thousands of overrides is a few hundred kilobytes,
// and a path to something endless (/dev/zero, a pipe that never closes)
// is refused at this size instead of filling memory.
const MaxConfigBytes = 16 << 20

// ReadConfigFile reads a configuration file of at most MaxConfigBytes, as
// LoadConfig does before it parses it, for a caller that also reads the
// text itself. The configuration is not an input: a file that cannot be
// read is a configuration problem (1005), whose cause errors.Is still
// finds (fs.ErrNotExist, fs.ErrPermission).
func ReadConfigFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &qc.Error{Code: qc.ConfigInvalid, Severity: qc.SeverityError, File: path, Msg: "reading the configuration", Err: err}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxConfigBytes+1))
	if err != nil {
		return nil, &qc.Error{Code: qc.ConfigInvalid, Severity: qc.SeverityError, File: path, Msg: "reading the configuration", Err: err}
	}
	if len(data) > MaxConfigBytes {
		return nil, &qc.Error{Code: qc.ConfigInvalid, Severity: qc.SeverityError, File: path,
			Msg: fmt.Sprintf("the configuration is larger than %d MiB, which no pipeline configuration is: is this the right file?", MaxConfigBytes>>20)}
	}
	return data, nil
}

// ParseConfig parses YAML configuration text over DefaultConfig; name is
// used in errors.
//
// ${VAR} in a value is replaced by the environment variable VAR (an unset
// variable is an error naming it), and $${ is the text ${; a bare $ is left
// alone, any other ${ (such as ${VAR:-default}) is an error, and regular
// expressions (rule pattern, exclude and keys, study_code_pattern) are
// never expanded. A key given with no value keeps its default. An unknown key,
// a value of the wrong type and an invalid value are each a *qc.Error
// naming the key's path, line and column; when there are several, the
// first is returned and its message lists the others. The values of
// expanded variables never appear in an error.
func ParseConfig(data []byte, name string, opts ...ConfigOption) (Config, error) {
	var o configOptions
	for i, opt := range opts {
		if opt == nil {
			return Config{}, qc.Errorf(qc.ConfigInvalid, "genexp: option %d of ParseConfig is nil", i+1)
		}
		opt(&o)
	}
	cfg := DefaultConfig()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return Config{}, yamlSyntaxError(name, data, err)
	}
	if err := oneDocument(data, name); err != nil {
		return Config{}, err
	}
	if len(doc.Content) == 0 {
		return cfg, nil
	}
	c := &configChecker{file: name, lines: map[string]*yaml.Node{}, keys: map[string]*yaml.Node{}, noDatabase: o.noDatabase, lastLine: yamlLines(data)}
	c.walk(doc.Content[0], reflect.TypeOf(cfg), "")
	// A value of the wrong type, which the walk named, is blanked (its
	// default stands), so that the others still decode and are checked.
	for _, n := range c.bad {
		*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: n.Line, Column: n.Column}
	}
	if err := doc.Content[0].Decode(&cfg); err != nil {
		if walked := c.result(); walked != nil {
			return Config{}, walked
		}
		// the walk checks every value's type, so this is a yaml corner it
		// does not know; its text may quote a value, so none is kept
		return Config{}, c.scrub(&qc.Error{Code: qc.ConfigInvalid, Severity: qc.SeverityError, File: name,
			Msg: "the configuration does not fit its schema: " + backticks.ReplaceAllString(err.Error(), "a value")})
	}
	// An unknown key leaves the values that decode to be checked too, so
	// that one error lists every mistake of the file (see inFileOrder).
	walked := len(c.problems)
	if o.noDatabase {
		cfg.Database = DatabaseConfig{}
	}
	for _, p := range append(zeroedSections(cfg), cfg.problems()...) {
		c.add(p)
	}
	c.inFileOrder(walked)
	if err := c.result(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// inFileOrder orders the problems for result: those the walk found (an
// unknown key, a value of the wrong type: the likeliest cause of the
// rest) first, then the values found unusable, each group in the file's
// order (a problem of no line last). A problem of the list element (a
// rule) that holds an unknown key is dropped: a misspelt "lable" leaves
// its rule with no label, which is that key's mistake, not another.
func (c *configChecker) inFileOrder(walked int) {
	var parents []string
	for _, p := range c.problems[:walked] {
		// an element of a list (a rule), not a section, whose other
		// problems are its own
		if i := strings.LastIndexAny(p.Path, ".["); i > 0 && strings.HasSuffix(p.Path[:i], "]") {
			parents = append(parents, p.Path[:i])
		}
	}
	kept := c.problems[:walked]
	for _, p := range c.problems[walked:] {
		if !slices.Contains(parents, p.Path) {
			kept = append(kept, p)
		}
	}
	byPlace := func(a, b *qc.Error) int {
		if (a.Line == 0) != (b.Line == 0) {
			if a.Line == 0 {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	}
	slices.SortStableFunc(kept[:walked], byPlace)
	slices.SortStableFunc(kept[walked:], byPlace)
	c.problems = kept
}

// oneDocument refuses a file of several YAML documents ("---" between
// them): genexp reads one, and the keys of a second would otherwise be
// ignored unchecked. An empty document after the first is allowed.
func oneDocument(data []byte, name string) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var first yaml.Node
	if err := dec.Decode(&first); err != nil {
		return nil // empty: Unmarshal has read it
	}
	for {
		var next yaml.Node
		err := dec.Decode(&next)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return yamlSyntaxError(name, data, err)
		}
		if len(next.Content) == 0 || (next.Content[0].Kind == yaml.ScalarNode && next.Content[0].ShortTag() == "!!null") {
			continue
		}
		return &qc.Error{Code: qc.ConfigInvalid, Severity: qc.SeverityError, File: name, Line: int64(next.Content[0].Line), Column: int64(next.Content[0].Column),
			Msg: "a second YAML document: genexp reads one configuration document; merge them, or remove the --- line before this one"}
	}
}

// ConfigKeyError returns a ConfigInvalid error about a value the
// configuration file name gives and that proved unusable only when used
// (a logging.file that cannot be opened): placed at the line and column of
// the value of the key at path ("logging.file"), with cause err. The file
// is read again to find the place; the error is unplaced when it cannot
// be.
func ConfigKeyError(name, path, msg string, err error) *qc.Error {
	e := &qc.Error{Code: qc.ConfigInvalid, Severity: qc.SeverityError, File: name, Path: path, Msg: msg, Err: err}
	data, rerr := ReadConfigFile(name)
	if rerr != nil {
		return e
	}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return e
	}
	n := doc.Content[0]
	for _, key := range strings.Split(path, ".") {
		n = mapValue(n, key)
		if n == nil {
			return e
		}
	}
	e.Line, e.Column = int64(n.Line), int64(n.Column)
	return e
}

// mapValue returns the value of key in the mapping n, looking through
// aliases and merge keys as the configuration is read; nil when it has
// none.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	var merged *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		switch k := n.Content[i]; {
		case k.Value == key:
			return n.Content[i+1]
		case k.Value == "<<" && merged == nil:
			merged = mapValue(n.Content[i+1], key)
		}
	}
	return merged
}

// yamlSyntaxError locates a YAML syntax error. yaml.v3 numbers the lines
// of its scanner's errors from 1 but those of its parser's ("did not find
// expected …") from 0, and leaves the line out when that is 0; the parser's
// line is where the unfinished construct began. yaml.v3 gives no column;
// when the line is indented with a tab, which YAML forbids, the tab's
// column is given and the message says so.
func yamlSyntaxError(name string, data []byte, err error) *qc.Error {
	e := &qc.Error{Code: qc.ConfigInvalid, Severity: qc.SeverityError, File: name, Msg: "the configuration is not valid YAML"}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	parser := strings.HasPrefix(strings.TrimPrefix(yamlLine.ReplaceAllString(msg, "$2"), " "), "did not find expected ") &&
		!strings.Contains(msg, "comment or line break") && !strings.Contains(msg, "URI") &&
		!strings.Contains(msg, "alphabetic or numeric") && !strings.Contains(msg, "whitespace or line break")
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		e.Line, _ = strconv.ParseInt(m[1], 10, 64)
		msg = m[2]
	}
	if parser {
		e.Line++
	}
	// yaml.v3 ends a text that lacks a final line break on a line of its
	// own: that end is on the text's last line.
	e.Line = min(e.Line, yamlLines(data))
	e.Msg += ": " + msg
	// "violates indentation" is placed on the line before the tab's (the
	// key whose block the tab breaks), so the tab is looked for from
	// there on; "cannot start any token" is placed on the tab's line.
	last := e.Line
	if strings.Contains(msg, "tab character") {
		last = math.MaxInt64
	} else if !strings.Contains(msg, "cannot start any token") {
		return e
	}
	for i, line := range strings.Split(string(data), "\n") {
		n := int64(i + 1)
		if n < e.Line || n > last {
			continue
		}
		indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
		if col := strings.IndexByte(indent, '\t'); col >= 0 {
			e.Line, e.Column = n, int64(col+1)
			if last == math.MaxInt64 {
				e.Msg += " (YAML indents with spaces)"
			} else {
				e.Msg += " (a tab in the indentation: YAML indents with spaces)"
			}
			break
		}
	}
	return e
}

// yamlLines counts the lines of data as yaml.v3 numbers them: CR, LF,
// CRLF, NEL, LS and PS each end one.
func yamlLines(data []byte) int64 {
	s := string(data)
	breaks := strings.Count(s, "\n") + strings.Count(s, "\r") - strings.Count(s, "\r\n") +
		strings.Count(s, "\u0085") + strings.Count(s, "\u2028") + strings.Count(s, "\u2029")
	return int64(breaks + 1)
}

var (
	yamlLine  = regexp.MustCompile(`^line (\d+): (.*)`)
	backticks = regexp.MustCompile("`[^`]*`")
	envRef    = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)
	// envRefOrEscape is a reference, or "$${", the text "${".
	envRefOrEscape = regexp.MustCompile(`\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)
)

// unexpanded reports whether the value of a key (the last element of its
// path) is a regular expression, which is never expanded: "$" and "{"
// mean what they mean there.
func unexpanded(key string) bool {
	switch key {
	case "pattern", "exclude", "keys", "study_code_pattern":
		return true
	}
	return false
}

// configChecker walks the YAML tree against the Config type: it checks
// keys and scalar types, expands ${VAR} references, drops keys given no
// value, and remembers where each key sits for later messages.
type configChecker struct {
	file     string
	problems []*qc.Error
	lines    map[string]*yaml.Node // path → its value's node
	keys     map[string]*yaml.Node // path → the node of its key in a map
	secrets  map[string]string     // expanded value → variable name
	// noDatabase leaves the database section's values as written (see
	// WithoutDatabase).
	noDatabase bool
	lastLine   int64 // the text's last line; 0 when unknown
	// bad are the value nodes of the wrong kind or type, which ParseConfig
	// blanks to decode the rest and check its values too.
	bad []*yaml.Node
}

// badValue records a value node of the wrong kind or type.
func (c *configChecker) badValue(n *yaml.Node, path, msg string) {
	c.addAt(n, qc.ConfigInvalid, path, msg)
	c.bad = append(c.bad, n)
}

// line returns n's line, the text's last at most: yaml.v3 puts the end of
// a text that lacks a final line break, and an empty node there, on a
// line of its own.
func (c *configChecker) line(n *yaml.Node) int64 {
	if c.lastLine > 0 {
		return min(int64(n.Line), c.lastLine)
	}
	return int64(n.Line)
}

func (c *configChecker) add(p problem) {
	msg := p.msg
	if c.file == "" {
		msg = p.path + ": " + msg // qc.Error prints Path only after a file
	}
	e := &qc.Error{Code: qc.ConfigInvalid, Severity: qc.SeverityError, File: c.file, Path: p.path, Msg: msg}
	n := c.lines[p.path]
	if k := c.keys[p.path]; p.atKey && k != nil {
		n = k
	}
	if n != nil {
		e.Line, e.Column = c.line(n), int64(n.Column)
	}
	c.problems = append(c.problems, c.scrub(e))
}

func (c *configChecker) addAt(n *yaml.Node, code qc.Code, path, msg string) {
	c.problems = append(c.problems, c.scrub(&qc.Error{Code: code, Severity: qc.SeverityError, File: c.file,
		Line: c.line(n), Column: int64(n.Column), Path: path, Msg: msg}))
}

// result returns the first problem, listing the others in its message.
func (c *configChecker) result() error {
	if len(c.problems) == 0 {
		return nil
	}
	first := c.problems[0]
	var also []string
	// Every one is listed, however many: a mistake left out would be
	// found only at the next run, one at a time.
	for _, p := range c.problems[1:] {
		if p.Line > 0 {
			also = append(also, fmt.Sprintf("%s (line %d): %s", p.Path, p.Line, p.Msg))
		} else {
			also = append(also, p.Msg)
		}
	}
	if len(also) > 0 {
		first.Msg += "; also " + strings.Join(also, "; ")
	}
	return first
}

// scrub replaces the value of every expanded variable in e's message by
// the variable's name. Values shorter than three characters are left, as
// qc.RedactText leaves them: replacing a "1" (max_workers: ${WORKERS})
// rewrote every digit 1 of the message, line numbers included, and hid
// nothing.
func (c *configChecker) scrub(e *qc.Error) *qc.Error {
	vals := make([]string, 0, len(c.secrets))
	for v := range c.secrets {
		if len(v) >= 3 {
			vals = append(vals, v)
		}
	}
	sort.Slice(vals, func(i, j int) bool { return len(vals[i]) > len(vals[j]) })
	for _, v := range vals {
		// messages quote values with %q, which escapes them
		q := strconv.Quote(v)
		e.Msg = strings.ReplaceAll(e.Msg, q, "${"+c.secrets[v]+"}")
		e.Msg = strings.ReplaceAll(e.Msg, q[1:len(q)-1], "${"+c.secrets[v]+"}")
		e.Msg = strings.ReplaceAll(e.Msg, v, "${"+c.secrets[v]+"}")
	}
	return e
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (c *configChecker) walk(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem() // an optional value (nil: the default) is checked as the value
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			c.badValue(n, path, "must be a section of keys, not "+describeNode(n))
			return
		}
		fields := yamlFields(t)
		c.entries(n, t, path, func(k, v *yaml.Node, p string) bool {
			f, ok := fields[k.Value]
			if !ok {
				c.addAt(k, qc.ConfigInvalid, p, unknownKey(k.Value, path, fields))
				return false
			}
			if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
				if p != "processing.missing_values" || v.Value == "" {
					return false // no value: the default stands
				}
				// "missing_values: null" (or ~, YAML's other spelling of
				// null) means the policy, not "unset"
				v.Tag = "!!str"
				if v.Value == "~" {
					v.Value = "null"
				}
			}
			c.lines[p] = v
			c.keys[p] = k
			c.walk(v, f.Type, p)
			return true
		})
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			c.badValue(n, path, "must be a list, not "+describeNode(n))
			return
		}
		for i, item := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			c.lines[p] = item
			c.walk(item, t.Elem(), p)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			c.badValue(n, path, "must be a section of keys, not "+describeNode(n))
			return
		}
		c.entries(n, t, path, func(k, v *yaml.Node, p string) bool {
			c.lines[p] = v
			c.keys[p] = k
			c.walk(v, t.Elem(), p)
			return true
		})
	default:
		c.scalar(n, t, path)
	}
}

// entries calls each for every key of the mapping n (a section of type t
// at path) with its value and path, and keeps in n the entries each
// returns true for. A YAML merge key is checked as what it merges, and a
// key given twice is an error at its second place, never a silent
// overwrite.
func (c *configChecker) entries(n *yaml.Node, t reflect.Type, path string, each func(k, v *yaml.Node, p string) bool) {
	seen := map[string]*yaml.Node{}
	kept := n.Content[:0:0]
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Value == "<<" { // a YAML merge key: check what it merges
			c.walk(v, t, path)
			kept = append(kept, k, v)
			continue
		}
		p := join(path, k.Value)
		if first, dup := seen[k.Value]; dup {
			c.addAt(k, qc.ConfigInvalid, p, fmt.Sprintf("key %q is given twice (first on line %d)", k.Value, first.Line))
			continue
		}
		seen[k.Value] = k
		if each(k, v, p) {
			kept = append(kept, k, v)
		}
	}
	n.Content = kept
}

// secret remembers an expanded value, and each escaped form of it, so that
// no message shows it.
func (c *configChecker) secret(v, key string) {
	if v == "" {
		return
	}
	if c.secrets == nil {
		c.secrets = map[string]string{}
	}
	c.secrets[v] = key
}

// scalar expands a scalar value and checks that it reads as t.
func (c *configChecker) scalar(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind != yaml.ScalarNode {
		c.badValue(n, path, "must be a single value, not "+describeNode(n))
		return
	}
	if c.noDatabase && strings.HasPrefix(path, "database.") {
		return // left out of the result unread: every database key is a string
	}
	expanded := false
	last := path[strings.LastIndexByte(path, '.')+1:]
	if !unexpanded(last) && strings.Contains(n.Value, "${") {
		if rest := envRefOrEscape.ReplaceAllString(n.Value, ""); strings.Contains(rest, "${") {
			c.badValue(n, path, "holds a ${ that is no ${NAME} reference (${NAME:-default} and other shell forms are not read); write $${ for the text ${")
			return
		}
		var unset []string
		lookup := func(key string) (string, bool) {
			v, ok := os.LookupEnv(key)
			if !ok {
				unset = append(unset, key)
				return "", false
			}
			c.secret(v, key)
			expanded = true
			return v, true
		}
		if path == "database.connection_string" {
			n.Value = expandDSN(n.Value, lookup, c.secret)
		} else {
			n.Value = expandRefs(n.Value, lookup, asIs)
		}
		for _, key := range unset {
			c.badValue(n, path, fmt.Sprintf("refers to the environment variable %s, which is not set", key))
		}
		if len(unset) > 0 {
			return // its type is unknown until the variable is set
		}
		if expanded && n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
			n.Tag = "" // a plain ${N} may stand for a number: resolve it again
		}
	}
	found := func() string {
		if expanded {
			return "the value of an environment variable"
		}
		return strconv.Quote(n.Value)
	}
	tag := n.ShortTag()
	switch t.Kind() {
	case reflect.Int, reflect.Int64:
		switch {
		case wholeDigits.MatchString(n.Value) && (tag == "!!float" || tag == "!!int"):
			// YAML reads a whole number past an int64 as a float
			if _, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 10, 64); err != nil {
				c.badValue(n, path, "is a whole number beyond the range this setting can hold, "+found())
			}
		case tag != "!!int":
			c.badValue(n, path, "must be a whole number, not "+found())
		}
	case reflect.Float64:
		if tag != "!!int" && tag != "!!float" {
			c.badValue(n, path, "must be a number, not "+found())
		}
	case reflect.Bool:
		if tag != "!!bool" {
			c.badValue(n, path, "must be true or false, not "+found())
		}
	}
}

// wholeDigits is a whole number written in decimal digits.
var wholeDigits = regexp.MustCompile(`^[-+]?[0-9][0-9_]*$`)

func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a section of keys"
	case yaml.SequenceNode:
		return "a list"
	}
	return "a single value"
}

// yamlFields maps a struct's YAML keys to its fields.
func yamlFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f
	}
	return out
}

// unknownKey says a key is unknown, suggesting the nearest known one.
func unknownKey(key, section string, fields map[string]reflect.StructField) string {
	known := make([]string, 0, len(fields))
	for k := range fields {
		known = append(known, k)
	}
	sort.Strings(known)
	where := "at the top level"
	if section != "" {
		where = "in " + section
	}
	msg := fmt.Sprintf("unknown key %q %s", key, where)
	best, bestD := "", 4
	for _, k := range known {
		if d := textdist.Levenshtein(strings.ToLower(key), k); d < bestD {
			best, bestD = k, d
		}
	}
	if best != "" {
		return msg + fmt.Sprintf(" (did you mean %q?)", best)
	}
	return msg + " (known keys: " + strings.Join(known, ", ") + ")"
}

// problem is one invalid configuration value: every one is a
// qc.ConfigInvalid, the illness rules' included, since the fix is in the
// configuration.
type problem struct {
	path, msg string
	atKey     bool // the map key at path is wrong, not its value
}

// Validate checks the configuration's values. The error is a *qc.Error
// (the first problem; its message lists the others) naming the key.
func (c Config) Validate() error {
	ps := c.problems()
	if len(ps) == 0 {
		return nil
	}
	ch := &configChecker{}
	for _, p := range ps {
		ch.add(p)
	}
	return ch.result()
}

func (c Config) problems() []problem {
	var out []problem
	bad := func(path, format string, args ...any) {
		out = append(out, problem{path: path, msg: fmt.Sprintf(format, args...)})
	}
	p := c.Processing
	switch strings.ToLower(strings.TrimSpace(p.MissingValues)) {
	case "", "skip", "null", "keep":
	default:
		bad("processing.missing_values", "%q is neither skip nor null", p.MissingValues)
	}
	if p.StudyCodePattern != "" {
		if msg := regexProblem(p.StudyCodePattern); msg != "" {
			bad("processing.study_code_pattern", "%s", msg)
		} else if _, err := compileStudyFilter(p.StudyCodePattern); err != nil {
			bad("processing.study_code_pattern", "not usable as a whole-name filter: %v", err)
		}
	}
	for path, v := range map[string]int{
		"processing.chunk_size": p.ChunkSize, "processing.max_workers": p.MaxWorkers,
		"processing.memory_limit_mb": p.MemoryLimitMB, "processing.timeout_seconds": p.TimeoutSeconds,
		"logging.max_size_mb":  c.Logging.MaxSizeMB,
		"logging.backup_count": c.Logging.BackupCount,
	} {
		if v < 0 {
			bad(path, "must not be negative (got %d)", v)
		}
	}
	if p.TimeoutSeconds > MaxTimeoutSeconds {
		bad("processing.timeout_seconds", "must be at most %d, some 292 years (got %d); 0: no limit", MaxTimeoutSeconds, p.TimeoutSeconds)
	}
	if p.MemoryLimitMB > MaxMemoryLimitMB {
		bad("processing.memory_limit_mb", "must be at most %d, a million terabytes (got %d); 0: the default", MaxMemoryLimitMB, p.MemoryLimitMB)
	}
	if p.MaxWorkers > MaxWorkers {
		bad("processing.max_workers", "must be at most %d (got %d): DuckDB starts a thread for each", MaxWorkers, p.MaxWorkers)
	}
	if p.KSSampleSize < -1 {
		bad("processing.ks_sample_size", "must be -1 (no recomputed KS check) or more (got %d)", p.KSSampleSize)
	}
	if p.KSMaxCells < 0 {
		bad("processing.ks_max_cells", "must not be negative (got %d)", p.KSMaxCells)
	}
	for i, acc := range p.ExcludeSamples {
		if strings.TrimSpace(acc) == "" {
			bad(fmt.Sprintf("processing.exclude_samples[%d]", i), "is empty; list sample accessions")
		}
	}
	q := c.Quality
	qualityOK := true
	for path, v := range map[string]float64{
		"quality_thresholds.max_null_percentage":      q.MaxNullPercentage,
		"quality_thresholds.max_duplicate_percentage": q.MaxDuplicatePercentage,
	} {
		if v < 0 || v > 1 || v != v {
			bad(path, "%v is not a share between 0 and 1 (write 0.1 for 10%%)", v)
			qualityOK = false
		}
	}
	if q.MinGenesPerSample < 0 {
		bad("quality_thresholds.min_genes_per_sample", "must not be negative (got %d)", q.MinGenesPerSample)
	}
	if q.MinSamplesPerStudy < 0 {
		bad("quality_thresholds.min_samples_per_study", "must not be negative (got %d)", q.MinSamplesPerStudy)
	}
	if v := q.MinKSPValue; v < 0 || v > 1 || v != v {
		bad("quality_thresholds.min_ks_pvalue", "%v is not a p-value between 0 and 1", v)
		qualityOK = false
	}
	if v := q.MinKSStatistic; v < 0 || v > 1 || v != v {
		bad("quality_thresholds.min_ks_statistic", "%v is not a Kolmogorov–Smirnov statistic between 0 and 1", v)
		qualityOK = false
	}
	for _, key := range slices.Sorted(maps.Keys(q.Severities)) {
		path := "quality_thresholds.severities." + key
		if _, ok := qc.ParseCode(key); !ok {
			out = append(out, problem{path: path, atKey: true,
				msg: fmt.Sprintf("%q is not a genexp code (a number such as 2006, or a name such as VALIDATION_SAMPLE_COUNT_LOW)", key)})
			qualityOK = false
		} else if _, err := qc.ParseSeverity(q.Severities[key]); err != nil {
			bad(path, "%s", strings.TrimPrefix(err.Error(), "qc: "))
			qualityOK = false
		}
	}
	if qualityOK && q.MinGenesPerSample >= 0 && q.MinSamplesPerStudy >= 0 {
		// Whatever else package qc refuses; each check above names its
		// own key.
		if err := q.Check(); err != nil {
			bad("quality_thresholds", "%s", strings.TrimPrefix(err.Error(), "quality_thresholds: "))
		}
	}
	if _, err := withDatabase(c.Database.ConnectionString, c.Database.DatabaseName); err != nil {
		bad("database.database_name", "%s", err)
	}
	if n := c.Analytics.TopVariableGenes; n < 0 || n > MaxTopVariableGenes {
		bad("analytics.top_variable_genes", "must be between 0 (the default, %d) and %d, got %d: N genes make N(N-1)/2 pairs, each correlated over every sample",
			warehouse.DefaultTopGenes, MaxTopVariableGenes, n)
	}
	switch strings.ToUpper(strings.TrimSpace(c.Logging.Level)) {
	case "", "DEBUG", "INFO", "WARN", "WARNING", "ERROR":
	default:
		bad("logging.level", "%q is not DEBUG, INFO, WARN or ERROR", c.Logging.Level)
	}
	switch strings.ToLower(strings.TrimSpace(c.Logging.Format)) {
	case "", "text", "json":
	default:
		bad("logging.format", "%q is neither text nor json", c.Logging.Format)
	}
	folded := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(c.Platforms.ManufacturerLookup)) {
		if strings.TrimSpace(k) == "" {
			bad("platform_normalization.manufacturer_lookup", "a key is empty")
			continue
		}
		// Keys match case-insensitively: two that differ only in case
		// would give a platform either value.
		if first, dup := folded[platform.LookupKey(k)]; dup {
			bad("platform_normalization.manufacturer_lookup", "keys %q and %q are one key (keys match whatever their case); keep one", first, k)
			continue
		}
		folded[platform.LookupKey(k)] = k
	}
	// Each rule and override alone, so that a problem names its key.
	for _, list := range c.Illness.ruleLists() {
		for i, r := range list.rules {
			if r.Name == "" {
				r.Name = fmt.Sprintf("rule%d", i+1)
			}
			// A regular expression is reported at its own key, as
			// written: the classifier compiles it with flags of its own
			// before it.
			badRegex := false
			for _, f := range []struct{ key, re string }{{"pattern", r.Pattern}, {"exclude", r.Exclude}, {"keys", r.Keys}} {
				if msg := regexProblem(f.re); msg != "" {
					bad(fmt.Sprintf("%s[%d].%s", list.key, i, f.key), "%s", msg)
					badRegex = true
				}
			}
			if badRegex {
				continue
			}
			if _, err := illness.New([]illness.Rule{r}, nil, nil); err != nil {
				bad(fmt.Sprintf("%s[%d]", list.key, i), "%s", ruleMessage(err))
			}
		}
	}
	// An extra rule needs a name of its own: the classifier numbers an
	// unnamed rule by its place among all the rules ("rule21"), which
	// would change with the built-in list, and refuses two rules of one
	// name.
	names := map[string]bool{}
	for _, r := range c.Illness.baseRules() {
		names[strings.TrimSpace(r.Name)] = true
	}
	for i, r := range c.Illness.ExtraRules {
		key := fmt.Sprintf("illness_inference.extra_rules[%d].name", i)
		switch name := strings.TrimSpace(r.Name); {
		case name == "":
			bad(key, "an extra rule needs a name: the decisions it makes, and dim_sample.illness_rule, name it")
		case names[name]:
			bad(key, "%q is already the name of a rule; extra rules add to the rules, they do not replace one (give it another name, or list the rules in full under rules)", name)
		default:
			names[name] = true
		}
	}
	// Each name alone, so that an unknown one is reported at its item,
	// not at the section.
	for i, name := range c.Illness.DisabledCohortRules {
		if !slices.Contains(illness.CohortRules(), name) {
			bad(fmt.Sprintf("illness_inference.disabled_cohort_rules[%d]", i), "no cohort rule is named %q (want one of %s)",
				name, strings.Join(illness.CohortRules(), ", "))
		}
	}
	for _, acc := range slices.Sorted(maps.Keys(c.Illness.Overrides)) {
		if _, err := illness.ParseLabel(string(c.Illness.Overrides[acc])); err != nil {
			bad("illness_inference.overrides."+acc, "%s", strings.TrimPrefix(err.Error(), "illness: "))
		}
	}
	if len(out) == 0 {
		if _, err := c.Classifier(); err != nil {
			bad("illness_inference", "%s", ruleMessage(err))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

// regexProblem says why re, as the configuration writes it, is not a Go
// regular expression; "" when it is one (or is empty). The message shows
// the pattern and the part of it the parser stopped at, both as written.
func regexProblem(re string) string {
	if re == "" {
		return ""
	}
	_, err := regexp.Compile(re)
	var se *syntax.Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &se) && se.Expr == re:
		return fmt.Sprintf("`%s` is not a regular expression: %s", re, se.Code)
	case errors.As(err, &se):
		return fmt.Sprintf("`%s` is not a regular expression: %s at `%s`", re, se.Code, se.Expr)
	}
	return fmt.Sprintf("`%s` is not a regular expression: %v", re, err)
}

func ruleMessage(err error) string {
	var e *qc.Error
	if errors.As(err, &e) {
		msg := e.Msg
		if e.Err != nil {
			msg += ": " + e.Err.Error()
		}
		return msg
	}
	return err.Error()
}

// compileStudyFilter compiles processing.study_code_pattern as the
// pipeline applies it: to the whole accession.
func compileStudyFilter(pattern string) (*regexp.Regexp, error) {
	return regexp.Compile(`^(?:` + pattern + `)$`)
}

// Classifier builds the illness classifier the configuration describes.
func (c Config) Classifier() (*illness.Classifier, error) {
	rules := append(slices.Clone(c.Illness.baseRules()), c.Illness.ExtraRules...)
	ic := c.Illness
	opts := []illness.Option{
		illness.WithStudyContext(ic.StudyContext == nil || *ic.StudyContext),
		illness.WithoutCohortRules(ic.DisabledCohortRules...),
	}
	if ic.GroupCodes != nil && !*ic.GroupCodes {
		opts = append(opts, illness.WithGroupCodes(nil))
	}
	return illness.New(rules, nilIfEmpty(ic.Fields), ic.Overrides, opts...)
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
	if v := strings.ToLower(strings.TrimSpace(c.Processing.MissingValues)); v == "null" || v == "keep" {
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

// expandRefs replaces each ${NAME} in s whose variable lookup finds by the
// escaped value, and each $${ by the text ${; an unset one stays as
// written.
func expandRefs(s string, lookup func(string) (string, bool), escape func(name, v string) string) string {
	return envRefOrEscape.ReplaceAllStringFunc(s, func(ref string) string {
		if ref == "$${" {
			return "${"
		}
		name := envRef.FindStringSubmatch(ref)[1]
		v, ok := lookup(name)
		if !ok {
			return ref
		}
		return escape(name, v)
	})
}

func asIs(_, v string) string { return v }

// expandDSN expands the ${NAME} references of a connection string with
// each value escaped for where it lands, so that a password may hold any
// character and still reach the driver whole (and be hidden whole): in a
// URL's user info percent-encoded, in a query (a URL's or a DuckDB path's)
// query-escaped, in an ADO or ODBC key=value string quoted as go-mssqldb
// reads it when the value needs it. A DuckDB path takes values as they
// are. secret learns each escaped form.
func expandDSN(s string, lookup func(string) (string, bool), secret func(v, key string)) string {
	esc := func(f func(string) string) func(string, string) string {
		return func(name, v string) string {
			e := f(v)
			secret(e, name)
			return e
		}
	}
	raw := asIs
	t := strings.TrimSpace(s)
	if i := strings.Index(t, "://"); i > 0 && !strings.ContainsAny(t[:i], ";= ") {
		i = strings.Index(s, "://") + len("://")
		end := len(s)
		if j := strings.IndexAny(s[i:], "/?#"); j >= 0 {
			end = i + j
		}
		host := i
		if at := strings.LastIndexByte(s[i:end], '@'); at >= 0 {
			host = i + at
		}
		return expandRefs(s[:host], lookup, esc(percentEncode)) + expandRefs(s[host:end], lookup, raw) +
			expandQuery(s[end:], lookup, esc)
	}
	if strings.Contains(s, "=") && strings.Contains(s, ";") {
		odbc := strings.HasPrefix(strings.ToLower(strings.TrimSpace(s)), "odbc:")
		parts := splitADOTemplate(s, odbc)
		for i, part := range parts {
			k, v, ok := strings.Cut(part, "=")
			if !ok || !envRef.MatchString(v) {
				parts[i] = expandRefs(part, lookup, raw)
				continue
			}
			tv := strings.TrimSpace(v)
			switch {
			case len(tv) >= 2 && tv[0] == '"' && tv[len(tv)-1] == '"':
				v = expandRefs(v, lookup, esc(func(x string) string { return strings.ReplaceAll(x, `"`, `""`) }))
			case odbc && len(tv) >= 2 && tv[0] == '{' && tv[len(tv)-1] == '}':
				v = expandRefs(v, lookup, esc(func(x string) string { return strings.ReplaceAll(x, "}", "}}") }))
			default:
				if x := expandRefs(tv, lookup, raw); x != tv && adoNeedsQuotes(x) {
					v = `"` + strings.ReplaceAll(x, `"`, `""`) + `"`
					secret(v, envRef.FindStringSubmatch(tv)[1])
				} else {
					v = strings.Replace(v, tv, x, 1)
				}
			}
			parts[i] = expandRefs(k, lookup, raw) + "=" + v
		}
		return strings.Join(parts, ";")
	}
	return expandQuery(s, lookup, esc)
}

// expandQuery expands the references of s, query-escaping those after its
// first "?".
func expandQuery(s string, lookup func(string) (string, bool), esc func(func(string) string) func(string, string) string) string {
	base, query, ok := strings.Cut(s, "?")
	if !ok {
		return expandRefs(s, lookup, asIs)
	}
	return expandRefs(base, lookup, asIs) + "?" + expandRefs(query, lookup, esc(url.QueryEscape))
}

// adoNeedsQuotes reports whether an ADO value would be cut or changed by
// go-mssqldb's reading unless quoted: it holds a semicolon or a quote, or
// begins or ends with space.
func adoNeedsQuotes(v string) bool {
	return strings.ContainsAny(v, `;"`) || strings.TrimSpace(v) != v || strings.HasPrefix(v, "{") || strings.HasPrefix(v, "'")
}

// percentEncode escapes every byte but the unreserved ones, which any part
// of a URL decodes back to v.
func percentEncode(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// splitADOTemplate splits a key=value connection string at semicolons
// outside "quoted" (with "" for a quote) values, and {braced} ones when
// braces is set (odbc: strings; go-mssqldb's ADO strings have no braces),
// keeping every byte, so that joining the parts with ";" gives s back.
func splitADOTemplate(s string, braces bool) []string {
	var parts []string
	start := 0
	var closer byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case closer != 0:
			if c == closer {
				if i+1 < len(s) && s[i+1] == closer {
					i++ // a doubled closer stands for itself
					continue
				}
				closer = 0
			}
		case c == '"':
			closer = '"'
		case c == '{' && braces:
			closer = '}'
		case c == ';':
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// Effective returns the configuration with every default it stands for
// written out: the built-in illness rules and fields, the manufacturer
// lookup, the switches that default to on, the analytics pair count, the
// KS budget. It reads as the same configuration (see EncodeYAML); values
// whose zero means "decided at run time" (chunk_size, max_workers,
// memory_limit_mb, timeout_seconds, logging.level and logging.format)
// are left as they are, zero or set (DefaultConfig sets logging.level to
// INFO).
func (c Config) Effective() Config {
	on := func(b *bool) *bool {
		if b == nil {
			t := true
			return &t
		}
		return b
	}
	ic := &c.Illness
	if len(ic.Fields) == 0 {
		ic.Fields = illness.DefaultFields()
	}
	ic.Rules = slices.Clone(ic.baseRules()) // c's own, to change below
	for i := range ic.Rules {
		if ic.Rules[i].Fields == nil {
			ic.Rules[i].Fields = []string{} // as it reads back
		}
	}
	ic.ExtraRules = slices.Clone(ic.ExtraRules)
	if ic.ExtraRules == nil {
		ic.ExtraRules = []illness.Rule{}
	}
	for i := range ic.ExtraRules {
		if ic.ExtraRules[i].Fields == nil {
			ic.ExtraRules[i].Fields = []string{}
		}
	}
	if ic.Overrides == nil {
		ic.Overrides = map[string]illness.Label{}
	}
	if ic.DisabledCohortRules == nil {
		ic.DisabledCohortRules = []string{}
	}
	ic.StudyContext, ic.GroupCodes = on(ic.StudyContext), on(ic.GroupCodes)
	if len(c.Platforms.ManufacturerLookup) == 0 {
		c.Platforms.ManufacturerLookup = platform.DefaultManufacturers()
	}
	if unset(reflect.ValueOf(c.Quality)) {
		c.Quality = qc.DefaultThresholds() // as New reads an unset section
	}
	if c.Quality.Severities == nil {
		c.Quality.Severities = map[string]string{}
	} else {
		c.Quality.Severities = maps.Clone(c.Quality.Severities)
	}
	p := &c.Processing
	if strings.TrimSpace(p.MissingValues) == "" {
		p.MissingValues = "skip"
	}
	if p.KSMaxCells == 0 {
		p.KSMaxCells = defaultKSMaxCells
	}
	if p.KSSampleSize == 0 {
		p.KSSampleSize = defaultKSSampleSize
	}
	if p.ExcludeSamples == nil {
		p.ExcludeSamples = []string{}
	} else {
		p.ExcludeSamples = slices.Clone(p.ExcludeSamples)
	}
	c.Analytics.Enabled = on(c.Analytics.Enabled)
	c.Analytics.TopVariableGenes = c.Analytics.topGenes()
	return c
}

// EncodeYAML returns the effective configuration (see Effective) as YAML
// that ParseConfig reads back to the same values, with a comment on the
// keys whose empty or zero value means something, and the connection
// string's password and tokens redacted (qc.RedactDSN), wherever else in
// the configuration they appear too: only they differ when it is read back.
func (c Config) EncodeYAML() ([]byte, error) {
	e := c.Effective()
	e.Database.ConnectionString = qc.RedactDSN(e.Database.ConnectionString)
	var doc yaml.Node
	if err := doc.Encode(e); err != nil {
		return nil, fmt.Errorf("genexp: encoding the configuration: %w", err)
	}
	commentKeys(&doc, "")
	escapeRefs(&doc, "")
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("genexp: encoding the configuration: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("genexp: encoding the configuration: %w", err)
	}
	return []byte(qc.RedactText(b.String(), qc.DSNSecrets(c.Database.ConnectionString)...)), nil
}

// keyComments say what a key's empty or zero value, or its unit, means,
// where its name alone does not.
var keyComments = map[string]string{
	"database.connection_string":                 `"": the CLI's --db file (genexp.duckdb); else a DuckDB path or a SQL Server DSN`,
	"database.database_name":                     `SQL Server only: added to a DSN that names no database`,
	"processing.chunk_size":                      `gene rows per batch; 0: about a million cells`,
	"processing.max_workers":                     `DuckDB threads, at most 1024; 0: DuckDB's default`,
	"processing.memory_limit_mb":                 `DuckDB memory_limit; 0: 512 MB for a warehouse opened for writing, else DuckDB's default`,
	"processing.timeout_seconds":                 `whole run, once the warehouse is open (a busy_timeout wait comes first); 0: no limit`,
	"processing.missing_values":                  `skip, or null (a fact row with a NULL value)`,
	"processing.study_code_pattern":              `"": every study; else a filter, e.g. 'GSE\d+'`,
	"processing.ks_max_cells":                    `KS check on every value up to this many cells, else sampled`,
	"processing.ks_sample_size":                  `fewest rows sampled for KS; -1: no recomputed KS check`,
	"processing.exclude_samples":                 `sample accessions left out of the expression views and features (their facts load)`,
	"illness_inference.rules":                    `given rules replace these built-in ones; the group codes and cohort rules below still run on what they leave UNKNOWN`,
	"illness_inference.extra_rules":              `rules added to those above, each placed by its priority (lower first, within a field): your own without copying the built-in list`,
	"illness_inference.disabled_cohort_rules":    `among study_abbreviation, cohort_same_patient, cohort_code, cohort_infection, cohort_disease_arm, cohort_flag_arm, cohort_sole_arm, study_context, cohort_ill_controls`,
	"platform_normalization.manufacturer_lookup": `a given lookup replaces this built-in one`,
	"quality_thresholds.severities":              `code (number or name) to INFO, WARNING or ERROR, for findings; an error that stops a file being read (a ragged row, a cell that is no number) or a study being written stays an error`,
	"logging.file":                               `"": standard error`,
	"logging.level":                              `"": INFO, but WARN on a terminal`,
	"logging.format":                             `"": text on a terminal, else json`,
	"logging.max_size_mb":                        `0: never rotated`,
	"analytics.top_variable_genes":               `N genes, N(N-1)/2 correlated pairs; at most 1000`,
}

// commentKeys puts keyComments on the keys of the mapping n at path.
// escapeRefs writes "${" in an expanded value as "$${", so that the printed
// configuration reads back as itself: a variable whose value holds "${"
// must not be expanded again. Regular expressions are left as they are.
func escapeRefs(n *yaml.Node, key string) {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			escapeRefs(c, key)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			escapeRefs(n.Content[i+1], n.Content[i].Value)
		}
	case yaml.ScalarNode:
		if !unexpanded(key) {
			n.Value = strings.ReplaceAll(n.Value, "${", "$${")
		}
	}
}

func commentKeys(n *yaml.Node, path string) {
	if n.Kind == yaml.DocumentNode {
		for _, c := range n.Content {
			commentKeys(c, path)
		}
		return
	}
	if n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		p := join(path, k.Value)
		if c, ok := keyComments[p]; ok {
			if v.Kind == yaml.ScalarNode {
				v.LineComment = c
			} else {
				k.HeadComment = c
			}
		}
		if strings.Count(p, ".") == 0 {
			commentKeys(v, p)
		}
	}
}
