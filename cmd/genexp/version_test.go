package main

import (
	"fmt"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/genexp/genexp/warehouse/duckdb"
	"github.com/genexp/genexp/warehouse/mssql"
)

func TestVersionText(t *testing.T) {
	schema := fmt.Sprintf("warehouse schema: version %d on DuckDB, %d on SQL Server\n", duckdb.SchemaVersion(), mssql.SchemaVersion())
	for _, tc := range []struct {
		name string
		bi   *debug.BuildInfo
		want []string
	}{
		{"installed", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"},
			Deps: []*debug.Module{{Path: "github.com/duckdb/duckdb-go/v2", Version: "v2.10506.0"}, {Path: "github.com/microsoft/go-mssqldb", Version: "v1.11.2",
				Replace: &debug.Module{Path: "github.com/microsoft/go-mssqldb", Version: "v1.11.3"}}}},
			[]string{"genexp v1.2.3\n", "built with go1.26.8 for ", "driver github.com/duckdb/duckdb-go/v2 v2.10506.0\n", "driver github.com/microsoft/go-mssqldb v1.11.3\n", schema}},
		{"a driver replaced by a fork and one by a local copy", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"},
			Deps: []*debug.Module{{Path: "github.com/duckdb/duckdb-go/v2", Version: "v2.10506.0", Replace: &debug.Module{Path: "example.com/fork/duckdb-go/v2", Version: "v2.10506.1"}},
				{Path: "github.com/microsoft/go-mssqldb", Version: "v1.11.2", Replace: &debug.Module{Path: "../go-mssqldb"}}}},
			[]string{"driver github.com/duckdb/duckdb-go/v2 example.com/fork/duckdb-go/v2 v2.10506.1\n", "driver github.com/microsoft/go-mssqldb ../go-mssqldb\n"}},
		{"built from a clone", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "256940ae6225e7fe0eca3229a997c82fc35f8d66"}, {Key: "vcs.time", Value: "2026-11-27T14:40:40Z"}, {Key: "vcs.modified", Value: "true"}}},
			[]string{"genexp (devel), commit 256940ae6225 of 2026-11-27T14:40:40Z, with uncommitted changes\n", schema}},
		{"no build information", nil, []string{"genexp unknown\n", "built with go", schema}},
	} {
		got := versionText(tc.bi)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", tc.name, got, w)
			}
		}
		if tc.bi == nil && strings.Contains(got, "driver ") {
			t.Errorf("%s: %q names drivers it cannot know", tc.name, got)
		}
	}
}

func TestVersionCommand(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		code, out, stderr := runCLI(t, args...)
		if code != exitOK || !strings.HasPrefix(out, "genexp ") || !strings.Contains(out, "warehouse schema: version ") || stderr != "" {
			t.Errorf("%q: exit %d\n%s%s", args, code, out, stderr)
		}
	}
	if code, _, stderr := runCLI(t, "version", "extra"); code != exitUsage || !strings.Contains(stderr, "takes no arguments") {
		t.Errorf("version extra: exit %d, want %d\n%s", code, exitUsage, stderr)
	}
}
