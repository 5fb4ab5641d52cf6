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

// TestDatabaseNameJoinsTheDSN: database.database_name is added to a SQL
// Server connection string that names no database, in the form each kind
// of string takes, so that go-mssqldb reads it back; a string naming
// another database, or a DuckDB file, is refused, naming both.
func TestDatabaseNameJoinsTheDSN(t *testing.T) {
	for _, tc := range []struct {
		name, dsn, db string
		want          string // "" when refused
		refusal       string
	}{
		{"no name: as it is", "sqlserver://sa:pw@db:1433", "", "sqlserver://sa:pw@db:1433", ""},
		{"no name, DuckDB: as it is", "w.duckdb", "", "w.duckdb", ""},
		{"URL without a query", "sqlserver://sa:pw@db:1433", "Elsewhere", "sqlserver://sa:pw@db:1433?database=Elsewhere", ""},
		{"URL with a query", "sqlserver://sa:pw@db:1433?encrypt=disable", "Elsewhere", "sqlserver://sa:pw@db:1433?encrypt=disable&database=Elsewhere", ""},
		{"URL, a name to escape", "mssql://db?encrypt=disable&", "My DB&Co", "mssql://db?encrypt=disable&database=My+DB%26Co", ""},
		{"URL naming the same database", "sqlserver://db?Database=genexp", "GENEXP", "sqlserver://db?Database=genexp", ""},
		{"URL naming another", "sqlserver://db?database=genexp", "Elsewhere", "", `names the database "Elsewhere", but connection_string names "genexp"`},
		{"URL naming another, escaped", "sqlserver://db?database=My%20DB", "Other", "", `connection_string names "My DB"`},
		{"ADO", "server=db;user id=sa;password=pw", "Elsewhere", "server=db;user id=sa;password=pw;database=Elsewhere", ""},
		{"ADO ending in ;", "Server=db;UID=sa;PWD=pw;", "Elsewhere", "Server=db;UID=sa;PWD=pw;database=Elsewhere", ""},
		{"ADO, a name to quote", "server=db", `a;b"c`, `server=db;database="a;b""c"`, ""},
		{"ADO naming the same", "server=db;Initial Catalog=genexp", "genexp", "server=db;Initial Catalog=genexp", ""},
		{"ADO naming another", "server=db; Database = \"gen;exp\" ;uid=sa", "Elsewhere", "", `connection_string names "gen;exp"`},
		{"ADO, initial catalog another", "Data Source=db;Initial Catalog=genexp", "Elsewhere", "", `connection_string names "genexp"`},
		{"ODBC-style ADO", "Driver={ODBC Driver 17 for SQL Server};Server=db;UID=sa;PWD=pw;", "BioinformaticsWarehouse",
			"Driver={ODBC Driver 17 for SQL Server};Server=db;UID=sa;PWD=pw;database=BioinformaticsWarehouse", ""},
		{"odbc:", "odbc:server=db;user id=sa", "Elsewhere", "odbc:server=db;user id=sa;database=Elsewhere", ""},
		{"odbc:, a name to brace", "odbc:server=db", "a;b}c", "odbc:server=db;database={a;b}}c}", ""},
		{"odbc: naming another", "odbc:server=db;database={gen;exp}", "Elsewhere", "", `connection_string names "gen;exp"`},
		{"ADO naming its server by address=", "address=127.0.0.1;user id=sa", "W", "address=127.0.0.1;user id=sa;database=W", ""},
		{"ADO naming its server by addr=", "addr=db;user id=sa", "W", "addr=db;user id=sa;database=W", ""},
		{"ADO: braces are no quotes there", "server=db;database={genexp}", "genexp", "", `connection_string names "{genexp}"`},
		{"URL with a fragment", "sqlserver://sa:pw@db#x", "genexp", "sqlserver://sa:pw@db?database=genexp#x", ""},
		{"DuckDB file", "w.duckdb", "Elsewhere", "", "connection_string is a DuckDB file, which holds one database"},
		{"DuckDB file with options", "/data/w.duckdb?threads=2", "Elsewhere", "", "DuckDB file"},
		{"no connection string", "", "Elsewhere", "", "there is no connection_string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := genexp.DatabaseConfig{ConnectionString: tc.dsn, DatabaseName: tc.db}.DSN()
			if tc.want == "" {
				var e *qc.Error
				if !errors.As(err, &e) || e.Code != qc.ConfigInvalid || e.Path != "database.database_name" || !strings.Contains(e.Msg, tc.refusal) ||
					!strings.HasPrefix(err.Error(), "database.database_name: ") {
					t.Fatalf("DSN() = %q, %v; want a 1005 at database.database_name saying %q", got, err, tc.refusal)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("DSN() = %q, %v; want %q", got, err, tc.want)
			}
			if tc.db == "" || strings.HasPrefix(tc.dsn, "mssql:") {
				return
			}
			// go-mssqldb reads the database genexp added or kept.
			p, err := msdsn.Parse(got)
			if err != nil || !strings.EqualFold(p.Database, tc.db) {
				t.Errorf("go-mssqldb reads %q as database %q (%v), want %q", got, p.Database, err, tc.db)
			}
		})
	}
}

// TestDatabaseNameInTheConfiguration: a database_name that disagrees with
// the connection string is a 1005 at its own line and column, naming both
// databases even when one comes from the environment.
func TestDatabaseNameInTheConfiguration(t *testing.T) {
	t.Setenv("GENEXP_TEST_DB", "genexp")
	doc := "database:\n  connection_string: \"sqlserver://sa:pw@db?database=${GENEXP_TEST_DB}\"\n  database_name: Elsewhere\n"
	_, err := genexp.ParseConfig([]byte(doc), "c.yaml")
	var e *qc.Error
	if !errors.As(err, &e) || e.Code != qc.ConfigInvalid || e.Line != 3 || e.Column != 18 || e.Path != "database.database_name" ||
		!strings.Contains(e.Msg, `"Elsewhere"`) || !strings.Contains(e.Msg, "GENEXP_TEST_DB") {
		t.Fatalf("err = %v; want a 1005 at 3:18 database.database_name naming both databases", err)
	}
	cfg, err := genexp.ParseConfig([]byte("database:\n  connection_string: \"sqlserver://sa:pw@db\"\n  database_name: Elsewhere\n"), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if dsn, err := cfg.Database.DSN(); err != nil || dsn != "sqlserver://sa:pw@db?database=Elsewhere" {
		t.Errorf("DSN() = %q, %v", dsn, err)
	}
	// validate opens no warehouse: the database section is not checked.
	if _, err := genexp.ParseConfig([]byte("database:\n  connection_string: w.duckdb\n  database_name: x\n"), "c.yaml", genexp.WithoutDatabase()); err != nil {
		t.Errorf("WithoutDatabase: %v", err)
	}
}

// TestIsSQLServerDSN: a connection string names a SQL Server by any key
// go-mssqldb takes for the server; anything else is a DuckDB file.
func TestIsSQLServerDSN(t *testing.T) {
	for dsn, want := range map[string]bool{
		"sqlserver://sa:pw@db":             true,
		"server=db;user id=sa":             true,
		"Data Source=db;Initial Catalog=w": true,
		"address=127.0.0.1;user id=sa":     true,
		"Addr=db;uid=sa":                   true,
		"Network Address=db;uid=sa":        true,
		"odbc:server=db":                   true,
		// go-mssqldb trims blanks around keys and values
		"Server = db.example.org; User Id = loader; Password = pw; Database = genexp": true,
		" Data Source = db ; Initial Catalog = w":                                     true,
		"SERVER\t=db": true,
		// and takes a string without a server key for localhost
		"User Id = loader; Password = pw": true,
		"uid=sa;pwd=pw":                   true,
		"Database=genexp;":                true,
		// one pair without a server key can be a path: a DuckDB file
		"Database=genexp":             false,
		"database=prod/w.duckdb":      false,
		"user=me/w.duckdb":            false,
		"Server=db":                   true,
		`Password="a;b=c";Database=x`: true,
		"Application Name=x;Trust Server Certificate=true": true,
		"/data/w.duckdb":                                  false,
		"w.duckdb?threads=2&memory_limit=1GB":             false,
		"w.duckdb?password=a;b":                           false,
		"w.duckdb?database=x":                             false,
		"/data/server=1/w.duckdb":                         false,
		`C:\data\w.duckdb`:                                false,
		":memory:":                                        false,
		"w.duckdb?busy_timeout=30s&access_mode=READ_ONLY": false,
		"genexp.duckdb":                                   false,
		"/data/w.duckdb?threads=2":                        false,
		"":                                                false,
	} {
		if got := genexp.IsSQLServerDSN(dsn); got != want {
			t.Errorf("IsSQLServerDSN(%q) = %v, want %v", dsn, got, want)
		}
	}
}
