package genexp_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/genexp/genexp"
)

// TestDatabasePasswordNeverPrintedOrLogged: a configuration printed with
// %v, %+v or %#v, logged through either of log/slog's handlers, or written
// as JSON shows its connection string without the password. slog's JSON
// handler marshals a value's fields rather than formatting it, and showed
// the password whole.
func TestDatabasePasswordNeverPrintedOrLogged(t *testing.T) {
	const secret = "Sup3r;Secret"
	cfg := genexp.DefaultConfig()
	cfg.Database.ConnectionString = "sqlserver://sa:" + strings.ReplaceAll(secret, ";", "%3B") + "@db.example.org:1433?encrypt=true"
	cfg.Database.DatabaseName = "genexp"
	logged := func(h func(*bytes.Buffer) slog.Handler, v any) string {
		var b bytes.Buffer
		slog.New(h(&b)).Info("configuration", "cfg", v)
		return b.String()
	}
	text := func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) }
	jsonLog := func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) }
	marshalled := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, tc := range []struct{ name, out string }{
		{"%v of the section", fmt.Sprintf("%v", cfg.Database)},
		{"%+v of the configuration", fmt.Sprintf("%+v", cfg)},
		{"%#v of the configuration", fmt.Sprintf("%#v", cfg)},
		{"slog text, the section", logged(text, cfg.Database)},
		{"slog JSON, the section", logged(jsonLog, cfg.Database)},
		{"slog JSON, the configuration", logged(jsonLog, cfg)},
		{"slog JSON, a pointer to it", logged(jsonLog, &cfg)},
		{"JSON of the configuration", marshalled(cfg)},
	} {
		if strings.Contains(tc.out, "Sup3r") || !strings.Contains(tc.out, "db.example.org") || !strings.Contains(tc.out, "genexp") {
			t.Errorf("%s: %s\nwant the host and the database, and no password", tc.name, tc.out)
		}
	}
}
