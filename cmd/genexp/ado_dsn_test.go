package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestADODSNWithBlanksIsSQLServer: go-mssqldb trims the blanks around an
// ADO string's keys and values, and needs no server key (it then connects
// to localhost). Such a string was taken for a DuckDB file: status and
// health printed it, password and all, in "no warehouse file … stat …",
// and init and load created a file named after it. Every command must now
// try the SQL Server (here one that refuses the connection), say so
// without the password, and leave the directory empty.
func TestADODSNWithBlanksIsSQLServer(t *testing.T) {
	const pw = "Zq8KwTv5Rm"
	src, err := filepath.Abs(filepath.Join("..", "..", "testdata", "refinebio", "quickstart", "GSE71270"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	for _, dsn := range []string{
		"Server = 127.0.0.1,1; User Id = loader; Password = " + pw + "; Database = genexp; retry_attempts = 1",
		" User Id = loader ; Password = " + pw + " ; Port = 1 ; retry_attempts = 1",
	} {
		for _, args := range [][]string{
			{"status"},
			{"health"},
			{"health", "--json"},
			{"init"},
			{"load", src},
		} {
			name := strings.Join(args, " ")
			code, out, stderr := runCLI(t, append(args, "--dsn", dsn)...)
			if code == exitOK {
				t.Errorf("%s --dsn %q: exit 0 with no server to reach\n%s%s", name, dsn, out, stderr)
			}
			if strings.Contains(out+stderr, pw) {
				t.Errorf("%s --dsn %q shows the password:\n%s%s", name, dsn, out, stderr)
			}
			if !strings.Contains(out+stderr, "mssql") {
				t.Errorf("%s --dsn %q did not try the SQL Server:\n%s%s", name, dsn, out, stderr)
			}
			if entries, _ := os.ReadDir(dir); len(entries) > 0 {
				t.Fatalf("%s --dsn %q created %s", name, dsn, entries[0].Name())
			}
		}
	}
}

// TestDuckDBOpenErrorsHideSecrets: a DuckDB DSN's secrets are hidden in
// the errors that quote it: "no warehouse file … stat <file>" when the
// file part holds one, and the driver's "could not parse DSN" that quotes
// the DSN re-encoded (a '"' as %22).
func TestDuckDBOpenErrorsHideSecrets(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, tc := range []struct {
		args []string
		pw   string
	}{
		{[]string{"status", "--dsn", "old;token=Zq8KwTv5Rm"}, "Zq8KwTv5Rm"},
		{[]string{"health", "--json", "--dsn", "old;token=Zq8KwTv5Rm"}, "Zq8KwTv5Rm"},
		{[]string{"init", "--dsn", `w%zz.duckdb?motherduck_token=Zq8Kw"Tv5Rm`}, "Tv5Rm"},
		{[]string{"health", "--dsn", "wh.duckdb?secret=Zq8Kw;Tv5Rm"}, "Tv5Rm"},
	} {
		code, out, stderr := runCLI(t, tc.args...)
		if code == exitOK {
			t.Errorf("%q: exit 0\n%s%s", tc.args, out, stderr)
		}
		if strings.Contains(out+stderr, tc.pw) || strings.Contains(out+stderr, "Zq8Kw") {
			t.Errorf("%q shows the secret:\n%s%s", tc.args, out, stderr)
		}
	}
}

// TestConfigDSNExpandedOnce: a connection string from the configuration
// file is expanded when the file is read; mssql.Open expanded it again, so
// "$${LIT}" (the text ${LIT}) was refused as an unset variable, and so was
// a password whose value holds "${" and a name that is not set. Both
// now reach it as written: here a server that refuses the connection (4001,
// exit 3), not a configuration error (exit 2).
func TestConfigDSNExpandedOnce(t *testing.T) {
	// the value names a variable that is not set: expanded again, it was
	// refused as unset
	t.Setenv("GENEXP_TEST_PW", "ab${GENEXP_TEST_UNSET}cd")
	dir := t.TempDir()
	for name, dsn := range map[string]string{
		"escape":               "server=127.0.0.1,1;user id=u;password=ab$${LIT}cd;database=x;retry_attempts=1",
		"value holding ${":     "server=127.0.0.1,1;user id=u;password=${GENEXP_TEST_PW};database=x;retry_attempts=1",
		"url value holding ${": "sqlserver://u:${GENEXP_TEST_PW}@127.0.0.1:1?database=x&retry_attempts=1",
	} {
		t.Run(name, func(t *testing.T) {
			cfg := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".yaml")
			if err := os.WriteFile(cfg, []byte("database:\n  connection_string: \""+dsn+"\"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			code, _, stderr := runCLI(t, "status", "--config", cfg)
			if code != exitNoAccess || !strings.Contains(stderr, "4001") || strings.Contains(stderr, "unset") {
				t.Errorf("exit %d, want %d (the server refused, 4001)\n%s", code, exitNoAccess, stderr)
			}
		})
	}
}
