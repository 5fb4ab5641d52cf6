package mssql_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse/mssql"
)

// TestOpenUnreachableHidesPassword opens a server that is not there (port
// 1 of the loopback refuses at once): the error is coded ConnectionFailed,
// names the server as the DSN gives it, and holds the password in no form,
// whichever way the DSN spells it.
func TestOpenUnreachableHidesPassword(t *testing.T) {
	const pw = "Sup3rSecretPw"
	t.Setenv("GENEXP_TEST_OPEN_PW", pw)
	tests := []struct {
		name, dsn string
		shown     string // what the error must show of the DSN
	}{
		{"url", "sqlserver://sa:" + pw + "@127.0.0.1:1?database=x&retry_attempts=1&dial+timeout=5",
			"sqlserver://sa:" + qc.Redacted + "@127.0.0.1:1"},
		{"url from the environment", "sqlserver://sa:${GENEXP_TEST_OPEN_PW}@127.0.0.1:1?database=x&retry_attempts=1",
			"127.0.0.1:1"},
		{"ADO", "server=127.0.0.1;port=1;user id=sa;password=" + pw + ";database=x;retry_attempts=1",
			"password=" + qc.Redacted},
		{"ADO from the environment", "server=127.0.0.1;port=1;user id=sa;password=${GENEXP_TEST_OPEN_PW};database=x;retry_attempts=1",
			"server=127.0.0.1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, err := mssql.Open(tc.dsn, mssql.ReadOnly())
			if err == nil {
				w.Close()
				t.Fatal("Open of an unreachable server succeeded")
			}
			for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
				if strings.Contains(text, pw) {
					t.Fatalf("the error shows the password: %s", text)
				}
			}
			if !errors.Is(err, qc.ConnectionFailed) {
				t.Errorf("error %v is not coded %v", err, qc.ConnectionFailed)
			}
			var e *qc.Error
			if !errors.As(err, &e) || e.Severity != qc.SeverityError {
				t.Errorf("error %v is not a *qc.Error at ERROR", err)
			}
			if !strings.Contains(err.Error(), tc.shown) {
				t.Errorf("the error does not name the server as %q: %v", tc.shown, err)
			}
		})
	}
}
