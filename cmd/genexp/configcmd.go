package main

import (
	"fmt"
	"io"

	"github.com/genexp/genexp"
)

func cmdConfig(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("config", `Usage: genexp config [--config FILE]

Prints the effective configuration as YAML: the built-in defaults merged
with FILE (the defaults alone without --config), every key written out,
${VAR} references expanded, and the connection string's password and
tokens redacted. genexp reads the output back as the same configuration
(but for the redacted secret): it is the full list of keys and their
defaults, and a starting point for a configuration file.

Exit status: 0 printed; 2 bad usage or configuration.
`, stderr)
	var c common
	c.registerNoWarehouse(fs)
	if _, code, ok := c.parse(fs, args, stdout, arity{max: 0, hint: "the configuration file is named with --config FILE"}); !ok {
		return code
	}
	cfg, ok := c.config(stderr)
	if !ok {
		return exitUsage
	}
	if cfg.Database.ConnectionString != "" {
		// The connection string is checked as every command that opens
		// the warehouse checks it (a URL of another scheme, no file, an
		// option DuckDB refuses), without opening anything: config prints
		// no configuration the other commands would refuse.
		if target := c.chooseTarget(fs, cfg); !genexp.IsSQLServerDSN(target) {
			// a SQL Server DSN is the driver's to read, when it connects
			if err := checkDuckDBDSN(target); err != nil {
				return c.fail(stderr, err)
			}
		}
	}
	if !c.cfgLevelSet {
		// Unset, the level is INFO, but WARN on a terminal; written
		// as INFO it would read back as set.
		cfg.Logging.Level = ""
	}
	out, err := cfg.EncodeYAML()
	if err != nil {
		return c.fail(stderr, err)
	}
	from := "the built-in defaults"
	if c.configFile != "" {
		from = "the built-in defaults merged with " + c.configFile
	}
	fmt.Fprintf(stdout, "# genexp's effective configuration: %s,\n# ${VAR} expanded, the connection string's secrets redacted.\n%s", from, out)
	return exitOK
}
