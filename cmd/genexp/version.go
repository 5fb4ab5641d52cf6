package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/genexp/genexp/warehouse/duckdb"
	"github.com/genexp/genexp/warehouse/mssql"
)

// cmdVersion prints what this genexp is: its module version (or the
// commit it was built from), the Go that built it, the database drivers it
// carries and the warehouse schema versions it writes, for a bug report or
// to tell two installs apart.
func cmdVersion(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("version", `Usage: genexp version

Prints genexp's version (the module's, or the commit it was built from),
the Go that built it, its database drivers, and the warehouse schema
version it writes to DuckDB and to SQL Server (genexp init migrates an
older warehouse to it).

Exit status: 0 printed; 2 bad usage.
`, stderr)
	var c common
	c.registerNoWarehouse(fs) // accepted, as every command accepts them, and unused
	if _, code, ok := c.parse(fs, args, stdout, arity{max: 0}); !ok {
		return code
	}
	fmt.Fprint(stdout, versionText(readBuildInfo()))
	return exitOK
}

// readBuildInfo is debug.ReadBuildInfo, nil when the binary carries none.
func readBuildInfo() *debug.BuildInfo {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return nil
	}
	return bi
}

// versionText is what genexp version prints of bi.
func versionText(bi *debug.BuildInfo) string {
	var b strings.Builder
	version, goVersion := "unknown", runtime.Version()
	drivers := map[string]string{}
	if bi != nil {
		goVersion = bi.GoVersion
		if v := bi.Main.Version; v != "" {
			version = v
		}
		var rev, at, modified string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if rev != "" {
			if len(rev) > 12 {
				rev = rev[:12]
			}
			version += ", commit " + rev
			if at != "" {
				version += " of " + at
			}
			if modified == "true" {
				version += ", with uncommitted changes"
			}
		}
		for _, d := range bi.Deps {
			v := d.Version
			if r := d.Replace; r != nil {
				// a fork or a local copy: say which
				v = r.Path + " " + r.Version
				if r.Path == d.Path {
					v = r.Version
				}
				v = strings.TrimSpace(v)
			}
			drivers[d.Path] = v
		}
	}
	fmt.Fprintf(&b, "genexp %s\n", version)
	fmt.Fprintf(&b, "built with %s for %s/%s\n", goVersion, runtime.GOOS, runtime.GOARCH)
	for _, d := range []string{"github.com/duckdb/duckdb-go/v2", "github.com/microsoft/go-mssqldb"} {
		if v := drivers[d]; v != "" {
			fmt.Fprintf(&b, "driver %s %s\n", d, v)
		}
	}
	fmt.Fprintf(&b, "warehouse schema: version %d on DuckDB, %d on SQL Server\n", duckdb.SchemaVersion(), mssql.SchemaVersion())
	return b.String()
}
