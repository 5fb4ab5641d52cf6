package mssql

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/microsoft/go-mssqldb/msdsn"

	"github.com/genexp/genexp/qc"
)

func TestRedact(t *testing.T) {
	tests := []struct {
		name, dsn, want string
		secrets         []string
	}{
		{"url", "sqlserver://sa:hunter2@db.example.com:1433?database=genexp",
			"sqlserver://sa:REDACTED@db.example.com:1433?database=genexp", []string{"hunter2"}},
		{"url with escaped special characters",
			"sqlserver://sa:s3cr%40t%3Aw%2Frd%25@db.example.com:1433/SQLEXPRESS?database=genexp&encrypt=true",
			"sqlserver://sa:REDACTED@db.example.com:1433/SQLEXPRESS?database=genexp&encrypt=true",
			[]string{"s3cr", "%40t", "w%2Frd"}},
		{"url password parameter", "sqlserver://sa@db?password=hunter2&database=x",
			"sqlserver://sa@db?password=REDACTED&database=x", []string{"hunter2"}},
		{"url pwd parameter", "sqlserver://db?PWD=hunter2", "sqlserver://db?PWD=REDACTED", []string{"hunter2"}},
		{"url without password", "sqlserver://sa@db?database=x", "sqlserver://sa@db?database=x", nil},
		{"mssql scheme", "mssql://sa:hunter2@db", "mssql://sa:REDACTED@db", []string{"hunter2"}},
		{"malformed url: raw slash and hash in password", "sqlserver://sa:pa/ss#wo@rd@db:1433?database=x",
			"sqlserver://REDACTED@db:1433?database=x", []string{"pa/ss", "wo@rd", "sa:"}},
		{"malformed url: bad query escape", "sqlserver://db?password=%zzsecret&database=x",
			"sqlserver://db?password=REDACTED&database=x", []string{"secret"}},
		{"url with unexpanded reference", "sqlserver://sa:${DB_PASSWORD}@db",
			"sqlserver://REDACTED@db", nil},
		{"ado", "server=db;user id=sa;password=hunter2;database=genexp",
			"server=db;user id=sa;password=REDACTED;database=genexp", []string{"hunter2"}},
		{"ado quoted with semicolon and quote", `Server=db;Password="p;w""d";Database=x`,
			"Server=db;Password=REDACTED;Database=x", []string{"p;w", `w""d`, "w\"d"}},
		{"ado pwd and spaces", " Data Source=db ; PWD = hunter2 ;", "Data Source=db ; PWD =REDACTED;", []string{"hunter2"}},
		{"ado unbalanced quote", `server=db;password="abc;def`, "server=db;password=REDACTED", []string{"abc", "def"}},
		{"ado without password", "server=db;user id=sa", "server=db;user id=sa", nil},
		{"odbc braces", "odbc:server=db;pwd={a;b}}c};database=x", "odbc:server=db;pwd=REDACTED;database=x", []string{"a;b", "}}c"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := qc.RedactDSN(tc.dsn)
			if got != tc.want {
				t.Errorf("Redact(%q) = %q, want %q", tc.dsn, got, tc.want)
			}
			for _, s := range tc.secrets {
				if strings.Contains(got, s) {
					t.Errorf("Redact(%q) = %q still holds %q", tc.dsn, got, s)
				}
			}
		})
	}
}

// nastyPasswords are passwords with every character that means something
// in a URL or an ADO string.
var nastyPasswords = []string{
	"hunter2",
	`p@ss:w/rd?#[]`,
	`semi;colon"quote""twice`,
	`  leading and trailing  `,
	`100%25%zz+plus&amp=eq`,
	`uni©ĎéⒻ☀`,
	`{brace}}`,
}

func TestRedactNeverShowsThePassword(t *testing.T) {
	for _, pw := range nastyPasswords {
		u := url.URL{Scheme: "sqlserver", User: url.UserPassword("sa", pw), Host: "db:1433", RawQuery: "database=x"}
		for _, dsn := range []string{
			u.String(),
			"server=db;user id=sa;password=" + quoteADO(pw) + ";database=x",
			"sqlserver://sa@db?database=x&password=" + url.QueryEscape(pw),
		} {
			got := qc.RedactDSN(dsn)
			if strings.Contains(got, pw) || strings.Contains(got, url.QueryEscape(pw)) || strings.Contains(got, url.PathEscape(pw)) {
				t.Errorf("Redact(%q) = %q shows the password", dsn, got)
			}
			// The DSN is one go-mssqldb reads the password from.
			cfg, err := msdsn.Parse(dsn)
			if err != nil {
				t.Fatalf("msdsn.Parse(%q): %v", dsn, err)
			}
			if cfg.Password != pw {
				t.Fatalf("go-mssqldb reads password %q from %q, want %q", cfg.Password, dsn, pw)
			}
		}
	}
}

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

func TestParseDSNExpandsEnvironment(t *testing.T) {
	for _, pw := range nastyPasswords {
		vars := env(map[string]string{"DB_USER": "genexp loader", "DB_PASSWORD": pw, "DB_SERVER": "db.example.com", "DB_PORT": "1433", "DB_NAME": "wh"})
		for _, dsn := range []string{
			"sqlserver://${DB_USER}:${DB_PASSWORD}@${DB_SERVER}:1433?database=${DB_NAME}",
			"sqlserver://${DB_USER}:${DB_PASSWORD}@${DB_SERVER}:${DB_PORT}?database=${DB_NAME}",
			"server=${DB_SERVER},1433;user id=${DB_USER};password=${DB_PASSWORD};database=${DB_NAME}",
			`server=${DB_SERVER},1433;user id=${DB_USER};password="${DB_PASSWORD}";database=${DB_NAME}`,
		} {
			p, err := parseDSN(dsn, vars)
			if err != nil {
				t.Fatalf("parseDSN(%q) with password %q: %v", dsn, pw, err)
			}
			cfg, err := msdsn.Parse(p.driverDSN)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Password != pw || cfg.User != "genexp loader" || cfg.Host != "db.example.com" || cfg.Port != 1433 || cfg.Database != "wh" {
				t.Errorf("%q with password %q reads as user %q password %q host %q port %d database %q",
					dsn, pw, cfg.User, cfg.Password, cfg.Host, cfg.Port, cfg.Database)
			}
			if cfg.AppName != "genexp" {
				t.Errorf("app name %q, want genexp", cfg.AppName)
			}
		}
	}
}

func TestParseDSNParameters(t *testing.T) {
	tests := []struct {
		name, dsn string
		check     func(Config) bool
	}{
		{"defaults", "sqlserver://sa:pw@db", func(c Config) bool {
			return c.AutoMigrate && c.BusyTimeout == DefaultBusyTimeout && c.ChunkRows == DefaultChunkRows &&
				c.Retry == DefaultRetry && c.ReadCommittedSnapshot && !c.GeneIndex
		}},
		{"url parameters", "sqlserver://sa:pw@db?busy_timeout=30s&chunk_rows=204800&retry_attempts=2&read_committed_snapshot=off&gene_index=true&read_only=true&database=x",
			func(c Config) bool {
				return !c.AutoMigrate && c.BusyTimeout == 30*time.Second && c.ChunkRows == 204800 && c.Retry.Attempts == 2 &&
					!c.ReadCommittedSnapshot && c.GeneIndex
			}},
		{"ado parameters, any case", "server=db;Busy_Timeout=1m;CHUNK_ROWS=102400;gene_index=yes;database=x",
			func(c Config) bool {
				return c.BusyTimeout == time.Minute && c.ChunkRows == 102400 && c.GeneIndex && c.AutoMigrate
			}},
		{"boolean spellings", "server=db;read_committed_snapshot=ON;gene_index=1;read_only=No;database=x",
			func(c Config) bool { return c.ReadCommittedSnapshot && c.GeneIndex && c.AutoMigrate }},
		{"boolean spellings, the other way", "server=db;read_committed_snapshot=0;gene_index=False;read_only=on;database=x",
			func(c Config) bool { return !c.ReadCommittedSnapshot && !c.GeneIndex && !c.AutoMigrate }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parseDSN(tc.dsn, env(nil))
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(p.cfg) {
				t.Fatalf("config %+v", p.cfg)
			}
			cfg, err := msdsn.Parse(p.driverDSN)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"busy_timeout", "chunk_rows", "retry_attempts", "read_committed_snapshot", "gene_index", "read_only"} {
				if _, ok := cfg.Parameters[k]; ok {
					t.Errorf("genexp parameter %s reached the driver: %s", k, qc.RedactDSN(p.driverDSN))
				}
			}
		})
	}
}

func TestParseDSNKeepsAppName(t *testing.T) {
	for _, dsn := range []string{"sqlserver://db?app+name=lab", "server=db;Application Name=lab"} {
		p, err := parseDSN(dsn, env(nil))
		if err != nil {
			t.Fatal(err)
		}
		cfg, _ := msdsn.Parse(p.driverDSN)
		if cfg.AppName != "lab" {
			t.Errorf("%q: app name %q, want lab", dsn, cfg.AppName)
		}
	}
}

func TestParseDSNErrors(t *testing.T) {
	tests := []struct {
		name, dsn, want string
	}{
		{"empty", "  ", "empty DSN"},
		{"odbc", "odbc:server=db;pwd={hunter2}", "odbc: DSNs are not supported"},
		{"unset variables", "sqlserver://sa:${NO_SUCH_PW}@${NO_SUCH_HOST}", "unset environment variables: NO_SUCH_HOST, NO_SUCH_PW"},
		{"unset variable in ado", "server=db;password=${NO_SUCH_PW}", "NO_SUCH_PW"},
		{"a host variable holding a query", "sqlserver://sa:pw@${HOST_WITH_QUERY}", "which is no host and port"},
		{"bad duration", "sqlserver://sa:hunter2@db?busy_timeout=soon", "busy_timeout"},
		{"bad chunk", "server=db;password=hunter2;chunk_rows=0", "chunk_rows"},
		{"bad boolean", "server=db;read_committed_snapshot=perhaps", "read_committed_snapshot"},
		{"bad driver parameter", "sqlserver://sa:hunter2@db?packet+size=big", "invalid DSN sqlserver://sa:REDACTED@db"},
		{"not a url", "sqlserver://sa:hunter2@[::1?x", "not a valid URL"},
		{"unclosed quote", `server=db;password="hunter2;database=x`, "double quote that is not closed"},
		{"quote in a key", `"app"=x;server=db`, "key may not hold a double quote"},
		{"unset variable in a url key", "sqlserver://sa:pw@db?database=x&${NO_SUCH_KEY}=true", "unset environment variables: NO_SUCH_KEY"},
		{"unset variable in an ado key", "server=db;database=x;${NO_SUCH_KEY}=true", "unset environment variables: NO_SUCH_KEY"},
		{"unset variable in a fragment", "sqlserver://sa:pw@db?database=x#${NO_SUCH_KEY}", "unset environment variables: NO_SUCH_KEY"},
		{"an ado key that expands to a pair", "server=db;${KEY_WITH_PAIR}=x", "which is no key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseDSN(tc.dsn, env(map[string]string{"HOST_WITH_QUERY": "db?database=other", "KEY_WITH_PAIR": "a=b;c"}))
			if err == nil {
				t.Fatalf("parseDSN(%q) succeeded", tc.dsn)
			}
			if !errors.Is(err, qc.ConfigInvalid) {
				t.Errorf("error %v has no code ConfigInvalid", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

// TestParseDSNExpandsOnce: only the references written in the DSN are
// expanded, once: a variable's value holding "${" (a password) reaches the
// driver as it is, so does a "${" written percent-encoded in a URL, and
// "$${" is the text "${"; a DSN whose references were expanded already
// (genexp.ParseConfig's) is read as it is through EscapeEnv.
func TestParseDSNExpandsOnce(t *testing.T) {
	const tricky = "ab${HOME}cd$${x}"
	vars := env(map[string]string{"PW": tricky, "HOME": "/root", "K": "encrypt", "F": "frag"})
	for _, tc := range []struct {
		name, dsn, password string
	}{
		{"url password from a variable", "sqlserver://sa:${PW}@db?database=x", tricky},
		{"url query password from a variable", "sqlserver://db?database=x&user+id=sa&password=${PW}", tricky},
		{"ado password from a variable", "server=db;user id=sa;password=${PW};database=x", tricky},
		{"ado quoted password from a variable", `server=db;user id=sa;password="${PW}";database=x`, tricky},
		{"url escape", "sqlserver://sa:lit$${HOME}x@db?database=x", "lit${HOME}x"},
		{"ado escape", "server=db;user id=sa;password=lit$${HOME}x;database=x", "lit${HOME}x"},
		{"url percent-encoded", "sqlserver://sa:lit%24%7BHOME%7Dx@db?database=x", "lit${HOME}x"},
		{"expanded already, url", EscapeEnv("sqlserver://sa:" + url.QueryEscape(tricky) + "@db?database=x"), tricky},
		{"expanded already, ado", EscapeEnv("server=db;user id=sa;password=" + tricky + ";database=x"), tricky},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parseDSN(tc.dsn, vars)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := msdsn.Parse(p.driverDSN)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Password != tc.password {
				t.Errorf("password %q, want %q", cfg.Password, tc.password)
			}
		})
	}
	// keys and fragments are expanded too: no placeholder reaches the driver
	for _, dsn := range []string{"sqlserver://sa:pw@db?database=x&${K}=true#${F}", "server=db;database=x;${K}=true"} {
		p, err := parseDSN(dsn, vars)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := msdsn.Parse(p.driverDSN)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(p.driverDSN, "genexpenv") || strings.Contains(p.driverDSN, "${") || cfg.Encryption != msdsn.EncryptionRequired {
			t.Errorf("%q reaches the driver as %q (encryption %v), want encrypt=true", dsn, qc.RedactDSN(p.driverDSN), cfg.Encryption)
		}
	}
}

func TestQuoteADORoundTrip(t *testing.T) {
	for _, v := range nastyPasswords {
		if got := unquoteADO(quoteADO(v)); got != v {
			t.Errorf("unquoteADO(quoteADO(%q)) = %q", v, got)
		}
	}
}

// FuzzRedact places a password in every DSN form, escaped as each form
// wants and raw, and takes the password go-mssqldb itself reads from the
// result (msdsn.Parse): neither RedactDSN nor RedactText with DSNSecrets
// may show it, as the driver reads it or as it is written. A password the
// DSN holds more than once, or that could be made of "REDACTED" and its
// neighbours, proves nothing and is skipped.
func FuzzRedact(f *testing.F) {
	for _, pw := range nastyPasswords {
		f.Add(pw, "db.example.com")
	}
	f.Add("x", "")
	f.Add("ab}c;S3cretTail", "db")
	f.Add("ab}}c;S3cretTail}", "odbc:server=db;password={ab}}c;S3cretTail};database=x")
	f.Add(`{a;b}}c}`, `server=db;pwd={x;y}}z};database=x`)
	f.Add("x://a;password=S3cretTail", "mssql://h?x=1;password=S3cretTail")
	f.Fuzz(func(t *testing.T, pw, host string) {
		u := url.URL{Scheme: "sqlserver", User: url.UserPassword("sa", pw), Host: "db", RawQuery: "database=x"}
		braced := strings.ReplaceAll(pw, "}", "}}")
		for _, dsn := range []string{
			pw,
			host,
			u.String(),
			"sqlserver://sa@db?database=x&password=" + url.QueryEscape(pw),
			"sqlserver://sa:" + pw + "@" + host,
			"server=" + host + ";password=" + quoteADO(pw) + ";database=x",
			"server=" + host + ";password=" + pw + ";database=x",
			"odbc:server=db;user id=sa;password={" + braced + "};database=x",
			"odbc:server=" + host + ";password={" + pw + "};database=x",
			"odbc:server=" + host + ";password=" + pw,
			"Driver={ODBC Driver 18};server=db;pwd={" + braced + "};database=x",
		} {
			red := qc.RedactDSN(dsn)
			secrets := qc.DSNSecrets(dsn)
			cfg, err := msdsn.Parse(dsn)
			p := cfg.Password
			if err != nil || len(p) <= 3 || nearRedacted(p) {
				continue
			}
			written := writtenForms(p)
			if occurrences(dsn, written) > 1 {
				continue
			}
			msg := "login failed for " + p + " with " + dsn
			text := qc.RedactText(msg, secrets...)
			for _, w := range written {
				if strings.Contains(red, w) {
					t.Fatalf("RedactDSN(%q) = %q shows the password %q (driver reads %q)", dsn, red, w, p)
				}
				if strings.Contains(text, w) {
					t.Fatalf("RedactText(%q, DSNSecrets = %q) = %q shows the password %q (driver reads %q)", msg, secrets, text, w, p)
				}
			}
		}
	})
}

// writtenForms returns p and the ways a DSN may spell it: braced and
// quoted with doubled closers, query- and path-escaped, and as URL user info.
func writtenForms(p string) []string {
	return []string{
		p,
		strings.ReplaceAll(p, "}", "}}"),
		strings.ReplaceAll(p, `"`, `""`),
		url.QueryEscape(p),
		url.PathEscape(p),
		strings.TrimPrefix(url.UserPassword("", p).String(), ":"),
	}
}

// occurrences counts the positions of s where any of forms starts.
func occurrences(s string, forms []string) int {
	n := 0
	for i := range len(s) {
		for _, f := range forms {
			if strings.HasPrefix(s[i:], f) {
				n++
				break
			}
		}
	}
	return n
}

// nearRedacted reports whether p could appear in redacted text without
// being shown: it holds "REDACTED", or starts with its end or ends with
// its start.
func nearRedacted(p string) bool {
	if strings.Contains(p, qc.Redacted) {
		return true
	}
	for k := 1; k < len(qc.Redacted); k++ {
		if strings.HasPrefix(p, qc.Redacted[k:]) || strings.HasSuffix(p, qc.Redacted[:k]) {
			return true
		}
	}
	return false
}

// FuzzParseDSN checks that parsing never panics, that what it accepts
// go-mssqldb accepts, and that it connects where the text says: for a DSN
// with no ${NAME} that go-mssqldb reads as it is, the server, port,
// instance, user, password and database go-mssqldb reads from parseDSN's
// result are those it reads from the DSN itself. A ${PW} in the password
// becomes the variable's value, whatever characters it holds.
func FuzzParseDSN(f *testing.F) {
	for _, s := range []string{
		"sqlserver://sa:${PW}@db:1433/inst?database=x&busy_timeout=5s",
		`server=db;password="a;b";chunk_rows=102400`,
		"mssql://db?password=%zz",
		"sqlserver://u%40x:p%3Bw@db.example:1500?database=genexp&encrypt=true&batch_rows=200000",
		"sqlserver://db/SQLEXPRESS?database=w&app+name=x",
		`Server=tcp:db,1433;User ID=sa;Password={a;b}};Database=genexp;Encrypt=true`,
		`server=db\inst;user id="x""y";password=${PW};database=w;retry_attempts=3`,
		"Driver={ODBC Driver 18 for SQL Server};Server=db;Uid=sa;Pwd=x",
		"odbc:server=db;user id=sa;password=x",
		"sqlserver://${HOST}:${PORT}?database=x",
		"sqlserver://?database=x&encrypt=disable", // no host: localhost, and the parameters kept
	} {
		f.Add(s)
	}
	vars := map[string]string{"PW": "p@ss;w\"rd", "HOST": "db", "PORT": "1433"}
	f.Fuzz(func(t *testing.T, dsn string) {
		p, err := parseDSN(dsn, env(vars))
		if err != nil {
			return
		}
		got, err := msdsn.Parse(p.driverDSN)
		if err != nil {
			t.Fatalf("parseDSN(%q) gave %q, which go-mssqldb rejects: %v", dsn, p.driverDSN, err)
		}
		if passwordOf(dsn) == "${PW}" && got.Password != vars["PW"] {
			t.Fatalf("parseDSN(%q): password %q, want the variable's %q", dsn, got.Password, vars["PW"])
		}
		if strings.Contains(dsn, "${") {
			return
		}
		// URL schemes are read case aside, mssql:// as sqlserver://
		raw := strings.TrimSpace(dsn)
		for _, scheme := range []string{"mssql://", "sqlserver://"} {
			if strings.HasPrefix(strings.ToLower(raw), scheme) {
				raw = "sqlserver://" + raw[len(scheme):]
			}
		}
		want, err := msdsn.Parse(raw)
		if err != nil {
			return
		}
		for _, c := range []struct {
			what      string
			got, want any
		}{
			{"server", got.Host, want.Host}, {"port", got.Port, want.Port}, {"instance", got.Instance, want.Instance},
			{"user", got.User, want.User}, {"password", got.Password, want.Password}, {"database", got.Database, want.Database},
		} {
			if c.got != c.want {
				t.Fatalf("parseDSN(%q) connects with %s %q, where go-mssqldb reads %q from the DSN (driver DSN %q)",
					dsn, c.what, c.got, c.want, p.driverDSN)
			}
		}
	})
}

// passwordOf returns the password a sqlserver:// URL or an ADO string
// states, as written ("${PW}"); "" when it states none.
func passwordOf(dsn string) string {
	s := strings.TrimSpace(dsn)
	if l := strings.ToLower(s); strings.HasPrefix(l, "sqlserver://") || strings.HasPrefix(l, "mssql://") {
		u, err := url.Parse(strings.Replace(s, "${PW}", "PWTOKEN", 1))
		if err != nil || u.User == nil {
			return ""
		}
		pw, _ := u.User.Password()
		return strings.Replace(pw, "PWTOKEN", "${PW}", 1)
	}
	pw := ""
	for _, part := range splitADO(s) {
		k, v, ok := strings.Cut(part, "=")
		if k = strings.ToLower(strings.TrimSpace(k)); ok && (k == "password" || k == "pwd") {
			pw = strings.TrimSpace(v) // the last one counts
		}
	}
	return pw
}

// TestExpandedValueHoldingAToken: a variable's value is what reaches the
// driver, even where it holds the text of the placeholder another
// reference was given while the URL was parsed.
func TestExpandedValueHoldingAToken(t *testing.T) {
	for _, pw := range []string{"xgenexpenv0xy", "genexpenv1x", "a genexpenv99x b"} {
		vars := env(map[string]string{"U": "sa", "PW": pw})
		p, err := parseDSN("sqlserver://${U}:${PW}@db?database=x&app+name=${U}", vars)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := msdsn.Parse(p.driverDSN)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Password != pw || cfg.User != "sa" {
			t.Errorf("PW=%q: the driver gets user %q and password %q", pw, cfg.User, cfg.Password)
		}
	}
}

// TestEncodedPlaceholderTextIsText: the text of a placeholder, written
// percent-encoded in the DSN (%67enexpenv0x decodes to genexpenv0x), is
// text: it never takes a variable's value, so no password reaches the
// database name.
func TestEncodedPlaceholderTextIsText(t *testing.T) {
	vars := env(map[string]string{"PW": "s3cret"})
	p, err := parseDSN("sqlserver://sa:${PW}@db?database=%67enexpenv0x", vars)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := msdsn.Parse(p.driverDSN)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Database != "genexpenv0x" || cfg.Password != "s3cret" {
		t.Errorf("database %q, password %q; want genexpenv0x and the variable's value", cfg.Database, cfg.Password)
	}
}
