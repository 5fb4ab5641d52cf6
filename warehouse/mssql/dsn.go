package mssql

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/microsoft/go-mssqldb/msdsn"

	"github.com/genexp/genexp/qc"
)

// splitADO splits an ADO connection string at semicolons outside double
// quotes, as go-mssqldb does ("" inside quotes is a literal quote). Empty
// parts are kept so that joining the parts gives the string back.
func splitADO(s string) []string {
	var parts []string
	var cur strings.Builder
	inQuotes := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' && inQuotes && i+1 < len(s) && s[i+1] == '"':
			cur.WriteString(`""`)
			i++
		case c == '"':
			inQuotes = !inQuotes
			cur.WriteByte(c)
		case c == ';' && !inQuotes:
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(parts, cur.String())
}

// unquoteADO removes the double quotes around an ADO value, as go-mssqldb
// does.
func unquoteADO(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		return strings.ReplaceAll(v[1:len(v)-1], `""`, `"`)
	}
	return v
}

// quoteADO quotes an ADO value when it holds characters that would end or
// change it.
func quoteADO(v string) string {
	if v == "" || (!strings.ContainsAny(v, `;"`) && strings.TrimSpace(v) == v) {
		return v
	}
	return `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
}

var (
	envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)
	// envRefOrEscape is a reference, or "$${", the text "${" (with the
	// name and brace that follow it, if any, so that a URL holds the whole
	// escape in one token while it is parsed).
	envRefOrEscape = regexp.MustCompile(`\$\$\{(?:[A-Za-z_][A-Za-z0-9_]*\})?|\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)
)

// EscapeEnv returns dsn with each "${" written "$${", which Open reads as
// the text "${": for a DSN whose ${NAME} references were expanded already,
// such as genexp.ParseConfig's database.connection_string, so that a value
// holding "${" (a password) is not expanded a second time.
func EscapeEnv(dsn string) string { return strings.ReplaceAll(dsn, "${", "$${") }

// expander replaces ${NAME} references and $${ escapes, remembering unset
// names.
type expander struct {
	lookup  func(string) (string, bool)
	missing map[string]bool
}

func (e *expander) expand(s string, escape func(string) string) string {
	return envRefOrEscape.ReplaceAllStringFunc(s, func(m string) string {
		if strings.HasPrefix(m, "$${") {
			return m[1:]
		}
		name := envRef.FindStringSubmatch(m)[1]
		v, ok := e.lookup(name)
		if !ok {
			e.missing[name] = true
			return ""
		}
		return escape(v)
	})
}

func (e *expander) err() error {
	if len(e.missing) == 0 {
		return nil
	}
	names := make([]string, 0, len(e.missing))
	for n := range e.missing {
		names = append(names, n)
	}
	sort.Strings(names)
	return qc.Errorf(qc.ConfigInvalid, "mssql: the DSN refers to unset environment variables: %s", strings.Join(names, ", "))
}

// parsedDSN is a DSN split into what go-mssqldb reads and genexp's Config.
type parsedDSN struct {
	driverDSN string
	cfg       Config
}

func defaultConfig() Config {
	return Config{
		AutoMigrate:           true,
		BusyTimeout:           DefaultBusyTimeout,
		ChunkRows:             DefaultChunkRows,
		Retry:                 DefaultRetry,
		ReadCommittedSnapshot: true,
	}
}

// appNameKeys are the DSN keys naming the application; when none is given,
// genexp names itself so that a DBA can tell its sessions apart.
var appNameKeys = []string{"app name", "app", "application name"}

// parseDSN expands ${NAME} references in dsn (each value escaped for where
// it lands, so a password may hold any character), takes out genexp's own
// parameters, and checks the rest with go-mssqldb's parser. Error messages
// show the DSN redacted.
func parseDSN(dsn string, lookup func(string) (string, bool)) (parsedDSN, error) {
	s := strings.TrimSpace(dsn)
	p := parsedDSN{cfg: defaultConfig()}
	lower := strings.ToLower(s)
	var err error
	switch {
	case s == "":
		return p, qc.Errorf(qc.ConfigInvalid, "mssql: empty DSN")
	case strings.HasPrefix(lower, "odbc:"):
		return p, qc.Errorf(qc.ConfigInvalid, "mssql: odbc: DSNs are not supported; use a sqlserver:// URL or an ADO string (%s)", qc.RedactDSN(s))
	case strings.HasPrefix(lower, "mssql://"):
		s = "sqlserver://" + s[len("mssql://"):]
		fallthrough
	case strings.HasPrefix(strings.ToLower(s), "sqlserver://"):
		p.driverDSN, err = parseURLDSN("sqlserver://"+s[len("sqlserver://"):], lookup, &p.cfg)
	default:
		p.driverDSN, err = parseADODSN(s, lookup, &p.cfg)
	}
	if err != nil {
		return p, err
	}
	if _, err := msdsn.Parse(p.driverDSN); err != nil {
		return p, &qc.Error{Code: qc.ConfigInvalid, Severity: qc.SeverityError,
			Msg: "mssql: invalid DSN " + qc.RedactDSN(dsn), Err: err}
	}
	return p, nil
}

// envTokens stand for the ${NAME} references while a URL is parsed: the
// braces of ${NAME} are not allowed in a URL's user info. Each parse draws
// its own nonce, so that no text of the DSN, however it is percent-encoded
// (%67enexpenv…), can pass for one.
type envTokens struct {
	nonce string
	re    *regexp.Regexp
}

func newEnvTokens() envTokens {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("mssql: crypto/rand failed: " + err.Error())
	}
	nonce := hex.EncodeToString(b[:])
	return envTokens{nonce: nonce, re: regexp.MustCompile(`genexpenv` + nonce + `n([0-9]+)x`)}
}

// token stands for the i-th reference.
func (t envTokens) token(i int) string { return "genexpenv" + t.nonce + "n" + strconv.Itoa(i) + "x" }

func parseURLDSN(s string, lookup func(string) (string, bool), cfg *Config) (string, error) {
	if strings.Contains(s, "genexpenv") {
		return "", qc.Errorf(qc.ConfigInvalid, "mssql: the DSN may not contain the text genexpenv (%s)", qc.RedactDSN(s))
	}
	ex := &expander{lookup: lookup, missing: map[string]bool{}}
	// The host and port are filled in before the URL is parsed: a port
	// must be digits to net/url, which a token is not (${PORT}).
	rest := s[len("sqlserver://"):]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndex(rest[:end], "@") + 1
	host := ex.expand(rest[at:end], func(x string) string { return x })
	if host != rest[at:end] && (strings.ContainsAny(host, "/?#@") || envRef.MatchString(host)) {
		// a variable that held more than a host and port would change
		// what the rest of the URL means
		return "", qc.Errorf(qc.ConfigInvalid, "mssql: the DSN's host and port %s expand to %q, which is no host and port", rest[at:end], host)
	}
	s = "sqlserver://" + rest[:at] + host + rest[end:]
	tokens := newEnvTokens()
	var refs []string
	tokenized := envRefOrEscape.ReplaceAllStringFunc(s, func(m string) string {
		refs = append(refs, m)
		return tokens.token(len(refs) - 1)
	})
	u, err := url.Parse(tokenized)
	if err != nil {
		return "", qc.Errorf(qc.ConfigInvalid, "mssql: the DSN is not a valid URL (%s); percent-encode special characters in the user name and password, or use ${NAME}", qc.RedactDSN(s))
	}
	// Each part of the URL is filled in decoded form and re-encoded by
	// net/url, so an expanded password may hold @, :, / or %. Only the
	// references written in the DSN are expanded: a "${" that decoding
	// gives (%24%7B) is text, as is one a variable's value holds. The
	// tokens are replaced in one pass, so a value holding a token's text
	// is never scanned again.
	fill := func(v string) string {
		return tokens.re.ReplaceAllStringFunc(v, func(tok string) string {
			i, err := strconv.Atoi(tokens.re.FindStringSubmatch(tok)[1])
			if err != nil || i >= len(refs) {
				return tok
			}
			return ex.expand(refs[i], func(x string) string { return x })
		})
	}
	if u.User != nil {
		name := fill(u.User.Username())
		if pw, ok := u.User.Password(); ok {
			u.User = url.UserPassword(name, fill(pw))
		} else {
			u.User = url.User(name)
		}
	}
	u.Host = fill(u.Host)
	u.Path = fill(u.Path)
	u.RawPath = ""
	u.Fragment = fill(u.Fragment)
	u.RawFragment = ""
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", qc.Errorf(qc.ConfigInvalid, "mssql: the DSN's query is malformed (%s)", qc.RedactDSN(s))
	}
	out := url.Values{}
	hasApp := false
	for k, vs := range q {
		k := fill(k)
		for _, v := range vs {
			v = fill(v)
			handled, err := applyParam(cfg, k, v)
			if err != nil {
				return "", err
			}
			if !handled {
				out.Add(k, v)
			}
		}
		if isAppNameKey(k) {
			hasApp = true
		}
	}
	if !hasApp {
		out.Set("app name", "genexp")
	}
	u.RawQuery = out.Encode()
	if err := ex.err(); err != nil {
		return "", err
	}
	// With no host and no user, net/url writes sqlserver:?…, which
	// go-mssqldb would read as an ADO string, dropping every parameter;
	// it connects to localhost for an empty host, as the DSN says.
	rebuilt := u.String()
	if rest, ok := strings.CutPrefix(rebuilt, "sqlserver:"); ok && !strings.HasPrefix(rest, "//") {
		rebuilt = "sqlserver://" + rest
	}
	return rebuilt, nil
}

func parseADODSN(s string, lookup func(string) (string, bool), cfg *Config) (string, error) {
	ex := &expander{lookup: lookup, missing: map[string]bool{}}
	var out []string
	hasApp := false
	parts := splitADO(s)
	if strings.Count(s, `"`)%2 != 0 {
		// go-mssqldb reads the rest of the string as the quoted value
		return "", qc.Errorf(qc.ConfigInvalid, "mssql: the DSN has a double quote that is not closed (%s)", qc.RedactDSN(s))
	}
	for _, part := range parts {
		k, v, ok := strings.Cut(part, "=")
		if strings.Contains(k, `"`) {
			// a quote opens a quoted value only after the =; in a key
			// it would be read again as one when the DSN is rebuilt
			return "", qc.Errorf(qc.ConfigInvalid, "mssql: a DSN key may not hold a double quote (%s)", qc.RedactDSN(s))
		}
		if !ok {
			if strings.TrimSpace(part) != "" {
				out = append(out, part)
			}
			continue
		}
		if x := ex.expand(k, func(x string) string { return x }); x != k {
			if strings.ContainsAny(x, `;="`) {
				// it would end the key, or the pair, where it was not written
				return "", qc.Errorf(qc.ConfigInvalid, "mssql: the DSN key %s expands to a text holding ; = or \", which is no key", strings.TrimSpace(k))
			}
			k = x
		}
		v = ex.expand(unquoteADO(v), func(x string) string { return x })
		handled, err := applyParam(cfg, k, v)
		if err != nil {
			return "", err
		}
		if isAppNameKey(k) {
			hasApp = true
		}
		if !handled {
			out = append(out, strings.TrimSpace(k)+"="+quoteADO(v))
		}
	}
	if err := ex.err(); err != nil {
		return "", err
	}
	if !hasApp {
		out = append(out, "app name=genexp")
	}
	return strings.Join(out, ";"), nil
}

func isAppNameKey(k string) bool {
	k = strings.ToLower(strings.TrimSpace(k))
	for _, a := range appNameKeys {
		if k == a {
			return true
		}
	}
	return false
}

// applyParam applies one of genexp's own DSN parameters to cfg. It reports
// false for a parameter that belongs to go-mssqldb.
func applyParam(cfg *Config, key, value string) (bool, error) {
	k := strings.ToLower(strings.TrimSpace(key))
	bad := func(want string, err error) (bool, error) {
		return true, &qc.Error{Code: qc.ConfigInvalid, Severity: qc.SeverityError,
			Msg: fmt.Sprintf("mssql: DSN parameter %s=%q: want %s", k, value, want), Err: err}
	}
	v := strings.TrimSpace(value)
	switch k {
	case "busy_timeout":
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return bad("a duration such as 30s or 15m", err)
		}
		cfg.BusyTimeout = d
	case "chunk_rows":
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return bad("a positive number of rows", err)
		}
		cfg.ChunkRows = n
	case "retry_attempts":
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return bad("a positive number of tries (1: no retry)", err)
		}
		cfg.Retry.Attempts = n
	case "read_committed_snapshot":
		b, err := parseBool(v)
		if err != nil {
			return bad("on or off", err)
		}
		cfg.ReadCommittedSnapshot = b
	case "gene_index":
		b, err := parseBool(v)
		if err != nil {
			return bad("true or false", err)
		}
		cfg.GeneIndex = b
	case "read_only":
		b, err := parseBool(v)
		if err != nil {
			return bad("true or false", err)
		}
		if b {
			cfg.AutoMigrate = false
		}
	default:
		return false, nil
	}
	return true, nil
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean", s)
}
