package genexp_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/microsoft/go-mssqldb/msdsn"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
)

// TestConnectionStringSecretsKeepTheirShape expands passwords holding the
// characters that end or change a DSN value into each form of SQL Server
// connection string, and checks that go-mssqldb reads back the whole
// password while nothing genexp prints shows any part of it.
func TestConnectionStringSecretsKeepTheirShape(t *testing.T) {
	passwords := []string{
		"Part1;Part2Tail",
		`Quote"Semi;Colon`,
		"{Brace;Open}",
		" Lead;Trail ",
		"At@Slash/Hash#Colon:Q?Amp&Plus+Pct%Eq=",
	}
	templates := []struct{ name, dsn string }{
		{"ADO, bare value", "server=127.0.0.1;port=1;user id=sa;password=${GENEXP_TEST_PW};database=x"},
		{"ADO, quoted value", `server=127.0.0.1;port=1;user id=sa;password="${GENEXP_TEST_PW}";database=x`},
		{"ADO, part of a value", "server=127.0.0.1;port=1;user id=sa;password=pre${GENEXP_TEST_PW}post;database=x"},
		{"URL user info", "sqlserver://sa:${GENEXP_TEST_PW}@127.0.0.1:1?database=x"},
		{"URL query", "sqlserver://127.0.0.1:1?database=x&user+id=sa&password=${GENEXP_TEST_PW}"},
	}
	for _, tpl := range templates {
		for i, pw := range passwords {
			t.Run(fmt.Sprintf("%s/%d", tpl.name, i), func(t *testing.T) {
				t.Setenv("GENEXP_TEST_PW", pw)
				doc := "database:\n  connection_string: '" + strings.ReplaceAll(tpl.dsn, "'", "''") + "'\n"
				cfg, err := genexp.ParseConfig([]byte(doc), "c.yaml")
				if err != nil {
					t.Fatal(err)
				}
				cs := cfg.Database.ConnectionString
				want := pw
				if strings.Contains(tpl.dsn, "pre${") {
					want = "pre" + pw + "post"
				}
				p, err := msdsn.Parse(cs)
				if err != nil {
					t.Fatalf("go-mssqldb cannot read the expanded DSN: %v", err)
				}
				if p.Password != want || p.Database != "x" || p.User != "sa" {
					t.Errorf("go-mssqldb reads password %q, database %q, user %q; want %q, x, sa", p.Password, p.Database, p.User, want)
				}
				// What genexp prints or records: the configuration, the
				// redacted DSN, and a driver message scrubbed of the DSN's
				// secrets.
				driverSays := "login failed: password " + p.Password + " rejected"
				for _, text := range []string{
					fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg.Database),
					qc.RedactDSN(cs), qc.RedactText(driverSays, qc.DSNSecrets(cs)...),
				} {
					for _, piece := range []string{"Part1", "Part2Tail", "Quote", "Semi", "Colon", "Brace", "Lead", "Trail", "Slash", "Hash", "Amp"} {
						if strings.Contains(pw, piece) && strings.Contains(text, piece) {
							t.Errorf("%q shows %q of the password", text, piece)
						}
					}
				}
			})
		}
	}
}

// TestConnectionStringUnsetVariable: an unset variable in a connection
// string is one error, placed, in every form.
func TestConnectionStringUnsetVariable(t *testing.T) {
	for _, dsn := range []string{
		"server=h;password=${GENEXP_TEST_UNSET};database=x",
		`server=h;password="${GENEXP_TEST_UNSET}";database=x`,
		"sqlserver://sa:${GENEXP_TEST_UNSET}@h?database=x",
		"sqlserver://h?password=${GENEXP_TEST_UNSET}",
		"/data/${GENEXP_TEST_UNSET}.duckdb",
	} {
		_, err := genexp.ParseConfig([]byte("database:\n  connection_string: '"+dsn+"'\n"), "c.yaml")
		var e *qc.Error
		if !errors.As(err, &e) || e.Code != qc.ConfigInvalid || e.Line != 2 || e.Path != "database.connection_string" ||
			strings.Count(err.Error(), "GENEXP_TEST_UNSET") != 1 {
			t.Errorf("%s: %v, want one placed error naming the variable", dsn, err)
		}
	}
}
