package qc

import (
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
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
	// DuckDB's proxy settings.
	"http_proxy_password": true, "proxy_password": true,
	"accountkey": true, "azure_storage_connection_string": true,
	// go-mssqldb's: a new password for the login, and Azure AD workflows'
	// tokens and signed assertions (azuread/configuration.go).
	"change password": true, "systemtoken": true, "clientassertion": true, "userassertion": true,
	"access token": true,
}

// RedactDSN returns dsn with every secret replaced by Redacted: the
// password of a URL's user info (sqlserver://user:secret@host), the values
// of secret query parameters (?password=…&token=…, split at "&" alone as
// DuckDB splits them, so a value may hold a ";"), and the values of
// secret keys in an ADO or ODBC string (Server=…;Password=…; or PWD={…},
// with or without an "odbc:" prefix). Anything else, a DuckDB file path
// included, is returned unchanged, so the result can be shown to say which
// warehouse is meant.
//
// It never fails and errs on the side of hiding: a URL that does not parse
// as its writer meant (a raw "/", "#" or "@" in the password) loses all of
// its user info, an ADO part that swallowed a password after a stray
// quote is hidden whole, and a value is hidden wherever any driver's
// reading of the string ("}}" in a braced ODBC value is a literal "}",
// "" in a quoted ADO value a literal ") takes it to end.
func RedactDSN(dsn string) string {
	s := strings.TrimSpace(dsn)
	if i := strings.Index(s, "://"); i > 0 && !strings.ContainsAny(s[:i], ";= ") {
		out := redactURL(s)
		if strings.Contains(out, ";") {
			// go-mssqldb reads all but a sqlserver:// URL as an ADO
			// string: "mssql://h?x=1;password=…" holds a password
			out = redactKV(out)
		}
		return out
	}
	// A URL whose "://" was mistyped ("sqlserver//sa:pw@host",
	// "sqlserver:sa:pw@host") is taken for a file path; its user info
	// still holds the password. What follows the user info is redacted as
	// any DSN is; user info that runs into parameters ("=") cannot be
	// told from them, and all of it from the user's colon on is hidden.
	if i, j, ok := bareUserInfoPassword(s); ok {
		if strings.Contains(s[i:j], "=") {
			return s[:i] + Redacted
		}
		return s[:i] + Redacted + redactPlain(s[j:])
	}
	return redactPlain(s)
}

// redactPlain redacts a DSN that is not a URL: a DuckDB path and its
// query, or an ADO or ODBC string.
func redactPlain(s string) string {
	// A DuckDB DSN's query is split at "&" alone: a ";" in a secret value
	// must not make the rest of it pass for another ADO part.
	base, query, hasQuery := strings.Cut(s, "?")
	if hasQuery {
		s = base + "?" + redactQuery(query)
	}
	if len(s) >= 5 && strings.EqualFold(s[:5], "odbc:") {
		return s[:5] + redactKV(s[5:])
	}
	// A secret key anywhere before the query counts too: a YAML block
	// scalar folds an ADO string's parts onto lines, or a ";" is left out,
	// and the string then has no ";" ("Server=db Password=…").
	if strings.Contains(s, "=") && strings.Contains(s, ";") || looksLikeKV(s) || embeddedSecret.MatchString(base) {
		return redactKV(s)
	}
	return s
}

// DSNSecrets returns the secret values in dsn, for scrubbing them from text
// that may quote the DSN (a driver's error message, say): each as written
// in dsn and as a driver reads it, its quotes or braces gone and their
// doubled escapes single, and each of those as Go's %q writes it inside
// its quotes (net/url and DuckDB quote a DSN they cannot parse so).
func DSNSecrets(dsn string) []string {
	var out []string
	if i := strings.Index(dsn, "://"); i > 0 {
		if u, err := url.Parse(dsn); err == nil {
			if p, ok := u.User.Password(); ok && p != "" {
				out = append(out, p, url.QueryEscape(p), url.PathEscape(p))
			}
			if raw := rawURLPassword(dsn[i+len("://"):]); raw != "" {
				out = append(out, raw)
			}
			for k, vs := range u.Query() {
				if isSecretKey(queryKey(k)) {
					for _, v := range vs {
						if v != "" {
							out = append(out, v, url.QueryEscape(v))
						}
					}
				}
			}
		} else if at := strings.LastIndex(dsn[i:], "@"); at > len("://") {
			// as redactURLFallback: all that may be user info is secret
			out = append(out, dsn[i+len("://"):i+at])
		}
	}
	trimmed := strings.TrimSpace(dsn)
	if i, j, ok := bareUserInfoPassword(trimmed); ok {
		out = append(out, trimmed[i:j])
	}
	// What is not a sqlserver:// URL the driver reads as an ADO string.
	s := dsn
	if len(s) >= 5 && strings.EqualFold(s[:5], "odbc:") {
		s = s[5:]
	}
	for _, p := range secretParts(s) {
		if v := strings.TrimSpace(s[p.eq+1 : p.end]); v != "" {
			out = append(out, v)
		}
		if p.value != "" {
			// go-mssqldb reads runes: a byte that is not UTF-8 reaches
			// the driver, and its messages, as U+FFFD.
			out = append(out, p.value, string([]rune(p.value)))
		}
	}
	if _, query, ok := strings.Cut(dsn, "?"); ok {
		// Split as redactQuery splits: url.ParseQuery refuses a ";" and
		// would give nothing.
		for _, kv := range strings.Split(query, "&") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || v == "" || !isSecretKey(queryKey(k)) {
				continue
			}
			out = append(out, v)
			// DuckDB's warehouse hands the driver its parameters
			// re-encoded, and the driver may quote them so.
			if u, err := url.QueryUnescape(v); err == nil && u != "" {
				out = append(out, u, url.QueryEscape(u))
			}
		}
	}
	for _, v := range out {
		if q := strconv.Quote(v); q[1:len(q)-1] != v {
			out = append(out, q[1:len(q)-1])
		}
	}
	return dedupe(out)
}

// queryKey returns a URL query key as a secretKeys lookup takes it:
// unescaped where it can be, blanks trimmed, lower-cased.
func queryKey(k string) string {
	if u, err := url.QueryUnescape(k); err == nil {
		k = u
	}
	return strings.ToLower(strings.TrimSpace(k))
}

// rawURLPassword returns the password of a URL's user info as written,
// escapes and all; rest is the URL after its "://".
func rawURLPassword(rest string) string {
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return ""
	}
	_, pw, _ := strings.Cut(rest[:at], ":")
	return pw
}

// bareUserInfoPassword finds, in a string without "://", what reads as
// the password of user info ("user:password@host") and returns its bounds.
// A string that starts as a SQL Server DSN does ("sqlserver//sa:p/w@h",
// "mssql:sa:pw@h") loses everything from the first ":" after its scheme
// word (and the scheme's own colon) to its last "@", so that no character of the password can end it
// early; in any other string the password runs from the first ":" after
// the last "/", "\\", ";" or blank before the last "@" (ahead of any "?")
// to that "@".
func bareUserInfoPassword(s string) (start, end int, ok bool) {
	if m := serverScheme.FindStringSubmatchIndex(s); m != nil {
		from := m[3] // the end of the scheme word
		if from < len(s) && s[from] == ':' {
			from++ // the scheme's own colon ("sqlserver:sa:pw@h")
		}
		at := strings.LastIndex(s, "@")
		if at < from {
			return 0, 0, false
		}
		colon := strings.IndexByte(s[from:at], ':')
		if colon < 0 || from+colon+1 == at {
			return 0, 0, false
		}
		return from + colon + 1, at, true
	}
	head, _, _ := strings.Cut(s, "?")
	at := strings.LastIndex(head, "@")
	if at < 0 {
		return 0, 0, false
	}
	from := strings.LastIndexAny(head[:at], "/\\; \t") + 1
	colon := strings.IndexByte(head[from:at], ':')
	if colon < 0 || from+colon+1 == at {
		return 0, 0, false
	}
	return from + colon + 1, at, true
}

// serverScheme is the scheme word a SQL Server DSN starts with.
var serverScheme = regexp.MustCompile(`(?i)^\s*(sqlserver|mssql|azuresql)(?:[:/;\s]|$)`)

// RedactText replaces every occurrence of each secret in s by Redacted.
// Occurrences that overlap are hidden as one, so no part of a longer
// secret is left beside a shorter one inside it. Secrets shorter than three
// characters are left alone: replacing them would mangle ordinary text
// without hiding anything.
func RedactText(s string, secrets ...string) string {
	var spans []span
	for _, sec := range secrets {
		if len(sec) < 3 {
			continue
		}
		for from := 0; ; {
			i := strings.Index(s[from:], sec)
			if i < 0 {
				break
			}
			spans = append(spans, span{from + i, from + i + len(sec)})
			from += i + 1
		}
	}
	return replaceSpans(s, spans)
}

// A span is the byte range [start, end) of a string.
type span struct{ start, end int }

// replaceSpans replaces each run of overlapping or touching spans of s by
// Redacted.
func replaceSpans(s string, spans []span) string {
	if len(spans) == 0 {
		return s
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	var b strings.Builder
	last := 0
	for i := 0; i < len(spans); {
		cur := spans[i]
		for i++; i < len(spans) && spans[i].start <= cur.end; i++ {
			cur.end = max(cur.end, spans[i].end)
		}
		b.WriteString(s[last:cur.start])
		b.WriteString(Redacted)
		last = cur.end
	}
	b.WriteString(s[last:])
	return b.String()
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
var secretParam = regexp.MustCompile(`(?i)([?&;]\s*(?:` + secretKeyPattern() + `|(?:[\w ]*[_. -])?(?:` + secretWords + `)[\w ]*)\s*=)[^&;]*`)

// embeddedSecret finds a secret key inside a value: a stray quote made one
// ADO part swallow the parts after it, or a URL query ("?" or "&" before
// the key) stands in one.
var embeddedSecret = regexp.MustCompile(`(?i)(?:^|[;\s"'{?&])(?:` + secretKeyPattern() + `|(?:\w*[_.-])?(?:` + secretWords + `)\w*)\s*=`)

// SecretKey reports whether a DSN parameter name (case-insensitive, URL
// escapes and surrounding blanks ignored) is one whose value is a secret
// and is redacted wherever a DSN is shown: "password", "Pwd",
// "s3_secret_access_key", "motherduck_token".
func SecretKey(name string) bool { return isSecretKey(queryKey(name)) }

// isSecretKey reports whether k, a key lower-cased and trimmed, names a
// secret: one of secretKeys, or any key that holds one of secretWords
// ("password2", "aad_client_secret", "my_token"): a misspelt or unknown
// key a driver refuses still has its value shown in the DSN it quotes.
func isSecretKey(k string) bool { return secretKeys[k] || secretWord.MatchString(k) }

// secretWords are the words a key that names a secret begins with, or
// holds after a "_", "-", "." or blank ("bypass" names none).
const secretWords = `pass|pwd|secret|token|assertion|credential`

var secretWord = regexp.MustCompile(`(?i)(?:^|[_.\s-])(?:` + secretWords + `)`)

func secretKeyPattern() string {
	keys := make([]string, 0, len(secretKeys))
	for k := range secretKeys {
		// A blank in a key is written "+" or "%20" in a URL.
		keys = append(keys, strings.ReplaceAll(regexp.QuoteMeta(k), " ", `(?:\s|\+|%20)+`))
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
		if ok && isSecretKey(queryKey(k)) {
			parts[i] = k + "=" + Redacted
		}
	}
	return strings.Join(parts, "&")
}

func looksLikeKV(dsn string) bool {
	k, _, ok := strings.Cut(dsn, "=")
	return ok && !strings.ContainsAny(k, "/\\?") && isSecretKey(strings.ToLower(strings.TrimSpace(k)))
}

// redactKV hides the value of every secret part of an ADO or ODBC string.
// Readers disagree on where a value ends (go-mssqldb's ADO parser honours
// "double quotes" anywhere, its ODBC parser {braces} at a value's start,
// other drivers 'single quotes' too), and a DSN written for one reader may
// be read by another: whatever any of them would take as a secret value
// is hidden.
func redactKV(s string) string {
	var spans []span
	for _, p := range secretParts(s) {
		spans = append(spans, span{p.eq + 1, p.end})
	}
	return replaceSpans(s, spans)
}

// A kvPart is one key=value part of an ADO or ODBC string as one reader
// reads it: s[start:eq] is its key, s[eq+1:end] its value as written, and
// value the value as that reader hands it to the driver.
type kvPart struct {
	start, eq, end int
	value          string
}

// secretParts returns the parts of s that hold a secret under any reading.
// A secret part runs on over the parts after it that hold no "=": a ";"
// inside an unquoted password ("Password=se;cret") ends the part for every
// reader, and what follows it is no key=value but the rest of the secret.
func secretParts(s string) []kvPart {
	var out []kvPart
	for _, parts := range [][]kvPart{readADO(s), readBraced(s, "{", false), readBraced(s, "{\"'", true)} {
		for i, p := range parts {
			if p.eq < 0 {
				continue
			}
			if isSecretKey(strings.ToLower(strings.TrimSpace(s[p.start:p.eq]))) || embeddedSecret.MatchString(s[p.start:p.end]) {
				for j := i + 1; j < len(parts) && parts[j].eq < 0 && strings.TrimSpace(s[parts[j].start:parts[j].end]) != ""; j++ {
					p.end = parts[j].end
				}
				out = append(out, p)
			}
		}
	}
	return out
}

// readADO reads s as go-mssqldb reads an ADO string: a '"' opens or closes
// a quoted stretch wherever it stands, '""' inside one is a literal quote,
// and a ';' outside one ends a part. A value quoted at both ends loses its
// quotes and its doubled quotes are single.
func readADO(s string) []kvPart {
	var parts []kvPart
	start, inQuotes := 0, false
	for i := 0; i <= len(s); i++ {
		if i < len(s) {
			switch {
			case s[i] == '"' && inQuotes && i+1 < len(s) && s[i+1] == '"':
				i++
				continue
			case s[i] == '"':
				inQuotes = !inQuotes
				continue
			case s[i] != ';' || inQuotes:
				continue
			}
		}
		p := kvPart{start: start, eq: -1, end: i}
		if eq := strings.IndexByte(s[start:i], '='); eq >= 0 {
			p.eq = start + eq
			v := strings.TrimSpace(s[p.eq+1 : i])
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = strings.ReplaceAll(v[1:len(v)-1], `""`, `"`)
			}
			p.value = v
		}
		parts = append(parts, p)
		start = i + 1
	}
	return parts
}

// readBraced reads s as an ODBC reader does: a value that starts (after
// blanks) with one of openers runs to its closer, where a doubled closer
// stands for a literal one ("{a}}b}" is "a}b"); any other value runs to
// the next ';'. With openers "{" and lenient false this is go-mssqldb's
// ODBC parser. With lenient true, a closed value followed by anything but
// blanks before the ';' is a malformed DSN, and the value is taken to run
// to the end of s, as an unclosed one does: its writer may have meant the
// closer as part of the secret.
func readBraced(s, openers string, lenient bool) []kvPart {
	var parts []kvPart
	i := 0
	for i < len(s) {
		for i < len(s) && (s[i] == ';' || isSpaceAt(s, i)) {
			i += spaceOrOne(s, i)
		}
		if i == len(s) {
			break
		}
		p := kvPart{start: i, eq: -1}
		for i < len(s) && s[i] != ';' && s[i] != '=' {
			i++
		}
		if i == len(s) || s[i] == ';' {
			p.end = i
			parts = append(parts, p)
			continue
		}
		p.eq = i
		i++
		for i < len(s) && isSpaceAt(s, i) {
			i += spaceOrOne(s, i)
		}
		k := -1
		if i < len(s) {
			k = strings.IndexByte(openers, s[i])
		}
		if k < 0 {
			end := strings.IndexByte(s[i:], ';')
			if end < 0 {
				end = len(s) - i
			}
			p.end = i + end
			p.value = strings.TrimRightFunc(s[i:p.end], unicode.IsSpace)
			parts = append(parts, p)
			i = p.end
			continue
		}
		closer := map[byte]byte{'{': '}', '"': '"', '\'': '\''}[s[i]]
		var v strings.Builder
		closed := false
		for i++; i < len(s); i++ {
			if s[i] != closer {
				v.WriteByte(s[i])
				continue
			}
			if i+1 < len(s) && s[i+1] == closer {
				v.WriteByte(closer)
				i++
				continue
			}
			closed = true
			i++
			break
		}
		p.value = v.String()
		end := strings.IndexByte(s[i:], ';')
		if end < 0 {
			end = len(s) - i
		}
		if !closed || lenient && strings.TrimSpace(s[i:i+end]) != "" {
			end = len(s) - i
		}
		p.end = i + end
		parts = append(parts, p)
		i = p.end
	}
	return parts
}

// isSpaceAt reports whether a Unicode blank starts at s[i], as the ODBC
// parser, reading runes, skips them.
func isSpaceAt(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsSpace(r)
}

// spaceOrOne returns the width of the blank at s[i], or 1.
func spaceOrOne(s string, i int) int {
	if !isSpaceAt(s, i) {
		return 1
	}
	_, n := utf8.DecodeRuneInString(s[i:])
	return n
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
