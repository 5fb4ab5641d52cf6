package qc

import (
	"strings"
	"testing"
)

func TestRedactDSN(t *testing.T) {
	const pw = "S3cr3t!pw"
	cases := []struct{ dsn, want string }{
		{"sqlserver://sa:" + pw + "@db:1433?database=genexp", "sqlserver://sa:xxxxx@db:1433?database=genexp"},
		{"sqlserver://db:1433?database=genexp&password=" + pw, "sqlserver://db:1433?database=genexp&password=xxxxx"},
		{"Server=db;User Id=sa;Password=" + pw + ";Database=genexp", "Server=db;User Id=sa;Password=xxxxx;Database=genexp"},
		{"Driver={ODBC Driver 17};Server=db;UID=sa;PWD={" + pw + ";x};", "Driver={ODBC Driver 17};Server=db;UID=sa;PWD=xxxxx;"},
		{"password=" + pw, "password=xxxxx"},
		{"w.duckdb?threads=4&motherduck_token=" + pw, "w.duckdb?threads=4&motherduck_token=xxxxx"},
		{"/data/genexp.duckdb", "/data/genexp.duckdb"},
		{"genexp.duckdb?access_mode=READ_ONLY", "genexp.duckdb?access_mode=READ_ONLY"},
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
