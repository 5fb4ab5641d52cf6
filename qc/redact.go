package qc

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// Redacted replaces a secret wherever genexp prints or records a DSN.
const Redacted = "REDACTED"

// secretKeys are DSN parameter names whose values are secrets
// (case-insensitive): SQL Server's ADO and ODBC spellings, URL query
// parameters, and cloud tokens.
var secretKeys = map[string]bool{
	"password": true, "pwd": true, "pass": true, "passwd": true,
	"token": true, "access_token": true, "accesstoken": true, "motherduck_token": true,
	"secret": true, "client_secret": true, "clientsecret": true,
	"key": true, "access_key": true, "secret_key": true, "sas": true, "sig": true,
	"s3_secret_access_key": true, "s3_session_token": true,
}

// RedactDSN returns dsn with every secret replaced by Redacted: the
// password of a URL's user info (sqlserver://user:secret@host), the values
// of secret query parameters (?password=…&token=…), and the values of
// secret keys in an ADO or ODBC string (Server=…;Password=…; or PWD={…},
// with or without an "odbc:" prefix). Anything else, a DuckDB file path
// included, is returned unchanged, so the result can be shown to say which
// warehouse is meant.
//
// It never fails and errs on the side of hiding: a URL that does not parse
// as its writer meant (a raw "/", "#" or "@" in the password) loses all of
// its user info, and an ADO part that swallowed a password after a stray
// quote is hidden whole.
func RedactDSN(dsn string) string {
	s := strings.TrimSpace(dsn)
	if i := strings.Index(s, "://"); i > 0 && !strings.ContainsAny(s[:i], ";= ") {
		return redactURL(s)
	}
	if len(s) >= 5 && strings.EqualFold(s[:5], "odbc:") {
		return s[:5] + redactKV(s[5:])
	}
	if strings.Contains(s, "=") && strings.Contains(s, ";") || looksLikeKV(s) {
		return redactKV(s)
	}
	if base, query, ok := strings.Cut(s, "?"); ok {
		return base + "?" + redactQuery(query)
	}
	return s
}

// DSNSecrets returns the secret values in dsn, for scrubbing them from text
// that may quote the DSN (a driver's error message, say).
func DSNSecrets(dsn string) []string {
	var out []string
	if i := strings.Index(dsn, "://"); i > 0 {
		if u, err := url.Parse(dsn); err == nil {
			if p, ok := u.User.Password(); ok && p != "" {
				out = append(out, p, url.QueryEscape(p), url.PathEscape(p))
			}
			for k, vs := range u.Query() {
				if secretKeys[strings.ToLower(k)] {
					for _, v := range vs {
						if v != "" {
							out = append(out, v, url.QueryEscape(v))
						}
					}
				}
			}
			return dedupe(out)
		}
	}
	for _, part := range splitKV(dsn) {
		k, v, ok := strings.Cut(part, "=")
		if !ok || !secretKeys[strings.ToLower(strings.TrimSpace(k))] {
			continue
		}
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		out = append(out, v)
		if u := unbrace(v); u != v && u != "" {
			// the value as the driver reads it, its doubled closer single
			out = append(out, u, strings.ReplaceAll(u, v[len(v)-1:]+v[len(v)-1:], v[len(v)-1:]))
		}
	}
	if _, query, ok := strings.Cut(dsn, "?"); ok {
		if q, err := url.ParseQuery(query); err == nil {
			for k, vs := range q {
				if secretKeys[strings.ToLower(k)] {
					for _, v := range vs {
						if v != "" {
							out = append(out, v)
						}
					}
				}
			}
		}
	}
	return dedupe(out)
}

// RedactText replaces every occurrence of each secret in s by Redacted.
// Secrets shorter than three characters are left alone: replacing them
// would mangle ordinary text without hiding anything.
func RedactText(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) >= 3 {
			s = strings.ReplaceAll(s, sec, Redacted)
		}
	}
	return s
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	// A raw "#" or "?" in a password makes the rest of it parse as a
	// fragment or a query: an "@" outside the user info, or any fragment,
	// means the URL may not be what its writer meant.
	if err != nil || u.Opaque != "" || u.Fragment != "" ||
		(u.User == nil && strings.Contains(s, "@")) || strings.Contains(u.Host, "@") {
		return redactURLFallback(s)
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), Redacted)
		}
	}
	u.RawQuery = redactQuery(u.RawQuery)
	return u.String()
}

// redactURLFallback redacts a URL that does not parse as meant: everything
// up to the last "@" may be user info, so all of it goes.
func redactURLFallback(s string) string {
	i := strings.Index(s, "://") + len("://")
	rest := s[i:]
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		rest = Redacted + rest[at:]
	}
	return s[:i] + secretParam.ReplaceAllString(rest, "${1}"+Redacted)
}

// secretParam finds a secret parameter's value in text that did not parse.
var secretParam = regexp.MustCompile(`(?i)([?&;]\s*(?:` + secretKeyPattern() + `)\s*=)[^&;]*`)

// embeddedSecret finds a secret key inside a value: a stray quote made one
// ADO part swallow the parts after it.
var embeddedSecret = regexp.MustCompile(`(?i)(?:^|[;\s"'{])(?:` + secretKeyPattern() + `)\s*=`)

func secretKeyPattern() string {
	keys := make([]string, 0, len(secretKeys))
	for k := range secretKeys {
		keys = append(keys, regexp.QuoteMeta(k))
	}
	sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
	return strings.Join(keys, "|")
}

func redactQuery(query string) string {
	if query == "" {
		return query
	}
	parts := strings.Split(query, "&")
	for i, p := range parts {
		k, _, ok := strings.Cut(p, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			key = k
		}
		if ok && secretKeys[strings.ToLower(key)] {
			parts[i] = k + "=" + Redacted
		}
	}
	return strings.Join(parts, "&")
}

func looksLikeKV(dsn string) bool {
	k, _, ok := strings.Cut(dsn, "=")
	return ok && !strings.ContainsAny(k, "/\\?") && secretKeys[strings.ToLower(strings.TrimSpace(k))]
}

func redactKV(dsn string) string {
	parts := splitKV(dsn)
	for i, p := range parts {
		k, _, ok := strings.Cut(p, "=")
		if ok && (secretKeys[strings.ToLower(strings.TrimSpace(k))] || embeddedSecret.MatchString(p)) {
			parts[i] = k + "=" + Redacted
		}
	}
	return strings.Join(parts, ";")
}

// splitKV splits an ADO/ODBC string at semicolons that are not inside a
// {braced} or "quoted" value.
func splitKV(s string) []string {
	var parts []string
	var b strings.Builder
	var closer byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case closer != 0:
			if c == closer {
				closer = 0
			}
		case c == '{':
			closer = '}'
		case c == '"' || c == '\'':
			closer = c
		case c == ';':
			parts = append(parts, b.String())
			b.Reset()
			continue
		}
		b.WriteByte(c)
	}
	return append(parts, b.String())
}

func unbrace(v string) string {
	if len(v) >= 2 && (v[0] == '{' && v[len(v)-1] == '}' || v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
		return v[1 : len(v)-1]
	}
	return v
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	out := s[:0]
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
