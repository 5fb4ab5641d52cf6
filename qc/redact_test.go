package qc

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestRedactDSN(t *testing.T) {
	const pw = "S3cr3t!pw"
	cases := []struct{ dsn, want string }{
		{"sqlserver://sa:" + pw + "@db:1433?database=genexp", "sqlserver://sa:REDACTED@db:1433?database=genexp"},
		{"sqlserver://db:1433?database=genexp&password=" + pw, "sqlserver://db:1433?database=genexp&password=REDACTED"},
		{"Server=db;User Id=sa;Password=" + pw + ";Database=genexp", "Server=db;User Id=sa;Password=REDACTED;Database=genexp"},
		{"Driver={ODBC Driver 17};Server=db;UID=sa;PWD={" + pw + ";x};", "Driver={ODBC Driver 17};Server=db;UID=sa;PWD=REDACTED;"},
		{"password=" + pw, "password=REDACTED"},
		// a ";" inside an unquoted password ends the part for every
		// reader: the rest of the secret, a part with no "=", is hidden too
		{"Server=127.0.0.1,1;User Id=u;Password=se;" + pw, "Server=127.0.0.1,1;User Id=u;Password=REDACTED"},
		{"Server=db;Password=se;" + pw + ";Database=genexp", "Server=db;Password=REDACTED;Database=genexp"},
		// a key no driver knows that names a secret, misspelt or not
		{"Server=db;User Id=u;password2=" + pw, "Server=db;User Id=u;password2=REDACTED"},
		{"sqlserver://u@db?aad_client_secret=" + pw + "&database=x", "sqlserver://u@db?aad_client_secret=REDACTED&database=x"},
		// a word that only holds one is no secret's key
		{"Server=db;bypass=1;Database=x", "Server=db;bypass=1;Database=x"},
		// parts without ";": folded by YAML onto lines, or a ";" left out
		{"Server=db.example Password=" + pw, "Server=REDACTED"},
		{"Server=db\nUser Id=sa\nPassword=" + pw, "Server=REDACTED"},
		{"w.duckdb?threads=4&motherduck_token=" + pw, "w.duckdb?threads=4&motherduck_token=REDACTED"},
		{"w.duckdb?http_proxy=p.invalid&http_proxy_password=" + pw, "w.duckdb?http_proxy=p.invalid&http_proxy_password=REDACTED"},
		{"/data/genexp.duckdb", "/data/genexp.duckdb"},
		{"genexp.duckdb?access_mode=READ_ONLY", "genexp.duckdb?access_mode=READ_ONLY"},
		// "://" mistyped: the string reads as a file path, its user info
		// as such still holds the password
		{"sqlserver//sa:" + pw + "@localhost:1?database=x", "sqlserver//sa:REDACTED@localhost:1?database=x"},
		{"sqlserver:/sa:" + pw + "@localhost", "sqlserver:/sa:REDACTED@localhost"},
		{"sqlserver:sa:" + pw + "@localhost", "sqlserver:sa:REDACTED@localhost"},
		{"sqlserver;sa:" + pw + "@localhost", "sqlserver;sa:REDACTED@localhost"},
		// a password holding what ends a path segment or a query
		{"sqlserver//sa:pa/ss" + pw + "@localhost:1?database=x", "sqlserver//sa:REDACTED@localhost:1?database=x"},
		{"sqlserver//sa:pa?ss" + pw + "@localhost:1?database=x", "sqlserver//sa:REDACTED@localhost:1?database=x"},
		{"sqlserver//sa:pa ss;" + pw + "@localhost:1", "sqlserver//sa:REDACTED@localhost:1"},
		{"MSSQL:/sa:p\\w" + pw + "@h", "MSSQL:/sa:REDACTED@h"},
		// the user info's colon is a port's, and the password, holding "@", is
		// a parameter's: all of it from that colon on is hidden
		{"sqlserver//host:1433?user id=sa&password=p@ss" + pw, "sqlserver//host:REDACTED"},
		{"sqlserver//sa@host:1433?password=p@ss" + pw, "sqlserver//sa@host:REDACTED"},
		{"mssql;server=tcp:h,1433;user id=sa;password=p@ss" + pw, "mssql;server=tcp:REDACTED"},
		{"sqlserver//sa:pw1@host?password=q@ss" + pw, "sqlserver//sa:REDACTED"},
		// user info, then parameters redacted as any DSN's
		{"sqlserver//sa:" + pw + "@host?database=x&password=" + pw, "sqlserver//sa:REDACTED@host?database=x&password=REDACTED"},
		// "://" after a blank or a ";" is no URL's, and still hidden
		{"sqlserver ://sa:" + pw + "@localhost", "sqlserver :REDACTED@localhost"},
		{"sqlserver;://sa:" + pw + "@localhost", "sqlserver;:REDACTED@localhost"},
		// paths that only start with a scheme word are paths
		{"sqlserver_exports/run:1/x@lab.duckdb", "sqlserver_exports/run:1/x@lab.duckdb"},
		{`C:\data\x@y.duckdb`, `C:\data\x@y.duckdb`},
		{"/data/team@lab/w.duckdb", "/data/team@lab/w.duckdb"},
	}
	for _, tc := range cases {
		got := RedactDSN(tc.dsn)
		if got != tc.want {
			t.Errorf("RedactDSN(%q) = %q, want %q", tc.dsn, got, tc.want)
		}
		if strings.Contains(got, pw) {
			t.Errorf("RedactDSN(%q) kept the secret", tc.dsn)
		}
		text := "driver said: login failed for " + tc.dsn
		if red := RedactText(text, DSNSecrets(tc.dsn)...); strings.Contains(red, pw) || strings.Contains(red, "S3cr3t") {
			t.Errorf("RedactText(DSNSecrets(%q)) left the secret: %s", tc.dsn, red)
		}
	}
}

// TestRedactDSNForms covers the connection-string forms a configuration
// file carries (testdata/config/architecture.yaml's ODBC string among
// them) and
// DuckDB paths, which have nothing to hide.
func TestRedactDSNForms(t *testing.T) {
	for in, want := range map[string]string{
		"Driver={ODBC Driver 17 for SQL Server};Server=h;UID=sa;PWD=s3cret;": "Driver={ODBC Driver 17 for SQL Server};Server=h;UID=sa;PWD=REDACTED;",
		"Server=h;User ID=sa;Password=s3cret":                                "Server=h;User ID=sa;Password=REDACTED",
		"server=h; password = s3cret ;database=x":                            "server=h; password =REDACTED;database=x",
		"Server=h;PWD={s3c;ret};Database=x":                                  "Server=h;PWD=REDACTED;Database=x",
		"odbc:server=db;pwd={a;b}}s3c};database=x":                           "odbc:server=db;pwd=REDACTED;database=x",
		`Server=h;Password="s3c;""ret";Database=x`:                           "Server=h;Password=REDACTED;Database=x",
		`server=db;password="s3c;ret`:                                        "server=db;password=REDACTED",
		"sqlserver://sa:s3cret@db.example.org:1433?database=w":               "sqlserver://sa:REDACTED@db.example.org:1433?database=w",
		"sqlserver://sa:pa/s3c#wo@rd@db:1433?database=x":                     "sqlserver://REDACTED@db:1433?database=x",
		"sqlserver://db.example.org?database=w&password=s3cret&user+id=sa":   "sqlserver://db.example.org?database=w&password=REDACTED&user+id=sa",
		"genexp.duckdb":                        "genexp.duckdb",
		"/data/w.duckdb?access_mode=READ_ONLY": "/data/w.duckdb?access_mode=READ_ONLY",
		"":                                     "",
	} {
		got := RedactDSN(in)
		if got != want {
			t.Errorf("RedactDSN(%q) = %q, want %q", in, got, want)
		}
		if strings.Contains(got, "s3c") {
			t.Errorf("RedactDSN(%q) = %q leaks the password", in, got)
		}
	}
}

// TestDSNSecretsOfQuotedValues: a quoted or braced ADO value reaches the
// driver with its doubled quote or brace single, and a driver message may
// quote it so; DSNSecrets must give that form too.
func TestDSNSecretsOfQuotedValues(t *testing.T) {
	for dsn, driverSees := range map[string]string{
		`server=h;password="a;b";database=x`:          "a;b",
		`server=h;password="s3c;""ret";database=x`:    `s3c;"ret`,
		`server=h;password={a;b};database=x`:          "a;b",
		`server=h;password={s3c;}}ret};database=x`:    "s3c;}ret",
		`server=h;password=" lead;trail ";database=x`: " lead;trail ",
	} {
		text := RedactText("login failed for password "+driverSees+"!", DSNSecrets(dsn)...)
		if strings.Contains(text, driverSees) || !strings.Contains(text, Redacted) {
			t.Errorf("DSNSecrets(%q) = %q does not hide %q: %s", dsn, DSNSecrets(dsn), driverSees, text)
		}
		if red := RedactDSN(dsn); strings.Contains(red, driverSees) || strings.Contains(red, "ret") || strings.Contains(red, "trail") {
			t.Errorf("RedactDSN(%q) = %q", dsn, red)
		}
	}
}

// TestRedactEscapedBraces: inside a braced ODBC value "}}" is a literal
// "}", so the value runs to the lone "}" (go-mssqldb's msdsn reads it so);
// ending it at the first "}" showed the password's tail. The config form
// is what a configuration's "pwd={${PW}}" expands to.
func TestRedactEscapedBraces(t *testing.T) {
	tests := []struct {
		dsn, want, driverSees string
	}{
		{"odbc:server=db;user id=sa;password={ab}}c;S3cretTail};database=x",
			"odbc:server=db;user id=sa;password=REDACTED;database=x", "ab}c;S3cretTail"},
		{"odbc:server=db;pwd={ab}}c;S3cretTail}", "odbc:server=db;pwd=REDACTED", "ab}c;S3cretTail"},
		{"odbc:password = {x}}}}} ;k=v", "odbc:password =REDACTED;k=v", "x}}"},
		{"server=db;password={}}S3cretTail;x}}}", "server=db;password=REDACTED", "}S3cretTail;x}"},
		// malformed: the driver refuses it, the writer may have meant all
		{"odbc:password={ab}c;S3cretTail};database=x", "odbc:password=REDACTED", ""},
		{`server=db;password='ab''c;S3cretTail';database=x`, "server=db;password=REDACTED;database=x", "ab'c;S3cretTail"},
	}
	for _, tc := range tests {
		got := RedactDSN(tc.dsn)
		if got != tc.want {
			t.Errorf("RedactDSN(%q) = %q, want %q", tc.dsn, got, tc.want)
		}
		msg := "login failed for " + tc.driverSees + " using " + tc.dsn
		red := RedactText(msg, DSNSecrets(tc.dsn)...)
		if strings.Contains(red, "S3cretTail") || tc.driverSees != "" && strings.Contains(red, tc.driverSees) {
			t.Errorf("RedactText with DSNSecrets(%q) = %q left the secret: %s", tc.dsn, DSNSecrets(tc.dsn), red)
		}
	}
}

// TestRedactTextOverlapping: a secret that holds another is hidden whole,
// whichever comes first.
func TestRedactTextOverlapping(t *testing.T) {
	for _, secrets := range [][]string{{"abc", "xabcy"}, {"xabcy", "abc"}, {"xab", "bcy"}} {
		if got := RedactText("<xabcy>", secrets...); got != "<REDACTED>" {
			t.Errorf("RedactText(<xabcy>, %q) = %q", secrets, got)
		}
	}
}

// TestRedactURLLookalikes: go-mssqldb reads a DSN that is not a
// sqlserver:// URL as an ADO string, so a "password=" after a ";" in one
// that looks like a URL is a password.
func TestRedactURLLookalikes(t *testing.T) {
	for dsn, want := range map[string]string{
		"mssql://h?x=1;password=S3cretTail":   "mssql://h?x=1;password=REDACTED",
		"x://a;pwd=S3cretTail;database=w":     "x://a;pwd=REDACTED;database=w",
		"sqlserver://sa:S3cretTail@h;app=x":   "sqlserver://sa:REDACTED@h;app=x",
		"sqlserver://h/i;Password=S3cretTail": "sqlserver://h/i;Password=REDACTED",
	} {
		if got := RedactDSN(dsn); got != want {
			t.Errorf("RedactDSN(%q) = %q, want %q", dsn, got, want)
		}
		if red := RedactText("failed: "+dsn+" S3cretTail", DSNSecrets(dsn)...); strings.Contains(red, "S3cretTail") {
			t.Errorf("RedactText with DSNSecrets(%q) = %q: %s", dsn, DSNSecrets(dsn), red)
		}
	}
}

// TestRedactDuckDBQuerySecrets: a DuckDB DSN's query is read as URL
// parameters split on "&" alone, so a secret value may hold a ";" (or
// anything but "&"); neither that ";" nor a key written right after "?"
// may make its value pass for something else.
func TestRedactDuckDBQuerySecrets(t *testing.T) {
	const pw = "Zq8Kw;Tv5Rm"
	for _, tc := range []struct{ dsn, want string }{
		{"wh.duckdb?password=" + pw, "wh.duckdb?password=REDACTED"},
		{"wh.duckdb?secret=" + pw, "wh.duckdb?secret=REDACTED"},
		{"wh.duckdb?motherduck_token=" + pw, "wh.duckdb?motherduck_token=REDACTED"},
		{"wh.duckdb?threads=2&secret=" + pw + "&memory_limit=1GB", "wh.duckdb?threads=2&secret=REDACTED&memory_limit=1GB"},
		{"/data/wh.duckdb?accountkey=" + pw, "/data/wh.duckdb?accountkey=REDACTED"},
		{"wh.duckdb?AccountKey=" + pw + "==", "wh.duckdb?AccountKey=REDACTED"},
		{"wh.duckdb?azure_storage_connection_string=DefaultEndpointsProtocol=https;AccountName=a;AccountKey=" + pw,
			"wh.duckdb?azure_storage_connection_string=REDACTED"},
		{"wh.duckdb?Password=" + pw + "&threads=2", "wh.duckdb?Password=REDACTED&threads=2"},
		{"wh.duckdb?pass%77ord=" + pw, "wh.duckdb?pass%77ord=REDACTED"},
		{"wh.duckdb?threads=2;x", "wh.duckdb?threads=2;x"},
		{"Server=h;Password=" + "Zq8Kw?Tv5Rm" + ";Database=x", "Server=h;Password=REDACTED;Database=x"},
		{"Server=h?a=1;Password=" + "Zq8Kw&Tv5Rm" + ";Database=x", "Server=h?a=1;Password=REDACTED;Database=x"},
	} {
		got := RedactDSN(tc.dsn)
		if got != tc.want {
			t.Errorf("RedactDSN(%q) = %q, want %q", tc.dsn, got, tc.want)
		}
		secrets := DSNSecrets(tc.dsn)
		for _, part := range []string{"Zq8Kw", "Tv5Rm"} {
			if strings.Contains(got, part) {
				t.Errorf("RedactDSN(%q) = %q shows %q", tc.dsn, got, part)
			}
			if !strings.Contains(tc.dsn, part) {
				continue
			}
			for _, text := range []string{
				"could not open " + tc.dsn,
				fmt.Sprintf("parse %q: invalid character", tc.dsn),
			} {
				if red := RedactText(text, secrets...); strings.Contains(red, part) {
					t.Errorf("RedactText(%q, DSNSecrets = %q) = %q shows %q", text, secrets, red, part)
				}
			}
		}
	}
}

// TestDSNSecretsQuoted: a driver or the standard library may quote the DSN
// with %q (net/url's "parse \"…\"" errors, DuckDB's "could not parse DSN"),
// escaping a secret's quotes, backslashes and control characters: that
// form is hidden too.
func TestDSNSecretsQuoted(t *testing.T) {
	for _, dsn := range []string{
		`w.duckdb?password=Zq8"Kw\Tv5Rm`,
		"w.duckdb?secret=Zq8\tKwTv5Rm",
		`Server=h;Password="Zq8""Kw\Tv5Rm";Database=x`,
		"sqlserver://sa:Zq8Kw%22Tv5Rm@h?database=x",
	} {
		text := fmt.Sprintf("could not parse DSN for database: parse %q: invalid port", dsn)
		red := RedactText(text, DSNSecrets(dsn)...)
		for _, part := range []string{"Zq8", "Tv5Rm"} {
			if strings.Contains(red, part) {
				t.Errorf("RedactText(%q, DSNSecrets = %q) = %q shows %q", text, DSNSecrets(dsn), red, part)
			}
		}
	}
	// DuckDB's warehouse re-encodes the query before the driver sees it.
	dsn := `w%zz.duckdb?memory_limit=1GB&motherduck_token=Zq8Kw"T v5Rm`
	text := `could not parse DSN for database: parse "w%zz.duckdb?memory_limit=1GB&motherduck_token=Zq8Kw%22T+v5Rm": invalid URL escape "%zz"`
	if red := RedactText(text, DSNSecrets(dsn)...); strings.Contains(red, "Zq8") || strings.Contains(red, "v5Rm") {
		t.Errorf("RedactText(%q, DSNSecrets = %q) = %q shows the token", text, DSNSecrets(dsn), red)
	}
}

// FuzzRedactDuckDBQuery places a secret in a DuckDB DSN's query, raw and
// query-escaped: neither RedactDSN nor RedactText with DSNSecrets may show
// the value the query holds (split at "&", then unescaped), as written, as
// DuckDB's warehouse re-encodes it, or as %q quotes it.
func FuzzRedactDuckDBQuery(f *testing.F) {
	keys := slices.Sorted(maps.Keys(secretKeys))
	f.Add("Zq8Kw;Tv5Rm", uint8(slices.Index(keys, "secret")), false)
	f.Add(`Zq8"Kw\Tv5Rm`, uint8(slices.Index(keys, "motherduck_token")), false)
	f.Add("Zq8Kw Tv5Rm==", uint8(slices.Index(keys, "accountkey")), true)
	f.Fuzz(func(t *testing.T, pw string, k uint8, upper bool) {
		// Every input names a secret key, in either case: a fuzzed key
		// string almost never was one, and tested nothing.
		key := keys[int(k)%len(keys)]
		if upper {
			key = strings.ToUpper(key)
		}
		if len(pw) <= 3 || strings.Contains(pw, Redacted) {
			return
		}
		for _, dsn := range []string{
			"w.duckdb?" + key + "=" + pw,
			"/data/w.duckdb?threads=2&" + key + "=" + pw + "&memory_limit=1GB",
			"w.duckdb?" + key + "=" + url.QueryEscape(pw),
		} {
			_, query, _ := strings.Cut(dsn, "?")
			var v string
			for _, kv := range strings.Split(query, "&") {
				if k, val, ok := strings.Cut(kv, "="); ok && k == key {
					v = val
				}
			}
			held := []string{v}
			if u, err := url.QueryUnescape(v); err == nil {
				held = append(held, u, url.QueryEscape(u))
			}
			red := RedactDSN(dsn)
			secrets := DSNSecrets(dsn)
			for _, h := range held {
				if len(h) <= 3 || strings.Count(dsn, h) > 1 || strings.Contains(Redacted, h) {
					continue
				}
				if strings.Contains(red, h) {
					t.Fatalf("RedactDSN(%q) = %q shows %q", dsn, red, h)
				}
				for _, msg := range []string{"could not open " + h, fmt.Sprintf("parse %q: bad", h)} {
					if text := RedactText(msg, secrets...); strings.Contains(text, h) {
						t.Fatalf("RedactText(%q, DSNSecrets(%q) = %q) = %q shows %q", msg, dsn, secrets, text, h)
					}
				}
			}
		}
	})
}

// TestRedactDriverSecretKeys: go-mssqldb reads secrets under other keys
// than password: a login's new password and Azure AD workflows' tokens and
// signed assertions. Each is hidden in a URL (a blank in the key written
// "+" or "%20") and in an ADO string, and by RedactText in a driver
// message that quotes the DSN.
func TestRedactDriverSecretKeys(t *testing.T) {
	const secret = "S3cretValue"
	for _, dsn := range []string{
		"sqlserver://h:1?fedauth=ActiveDirectoryAzurePipelines&systemtoken=" + secret,
		"sqlserver://h:1?fedauth=ActiveDirectoryClientAssertion&clientassertion=" + secret,
		"sqlserver://h:1?fedauth=ActiveDirectoryOnBehalfOf&userassertion=" + secret,
		"sqlserver://sa:pw@h:1?change+password=" + secret,
		"sqlserver://sa:pw@h:1?change%20password=" + secret,
		"sqlserver://h:1?access+token=" + secret,
		"server=h;user id=sa;password=pw;change password=" + secret,
		"server=h;fedauth=ActiveDirectoryAzurePipelines;SystemToken=" + secret + ";database=x",
		"server=h;ClientAssertion=" + secret,
		"server=h;access token=" + secret,
	} {
		if got := RedactDSN(dsn); strings.Contains(got, secret) || !strings.Contains(got, Redacted) {
			t.Errorf("RedactDSN(%q) = %q", dsn, got)
		}
		msg := "cannot connect to " + dsn + ": no route"
		if red := RedactText(msg, DSNSecrets(dsn)...); strings.Contains(red, secret) {
			t.Errorf("RedactText with DSNSecrets(%q) left the secret: %s", dsn, red)
		}
	}
}
