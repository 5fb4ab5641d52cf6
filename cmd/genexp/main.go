// Command genexp loads refine.bio gene-expression downloads into a
// warehouse (an embedded DuckDB file by default, or SQL Server) and looks
// inside it. Run `genexp help` for the commands.
package main

import "os"

func main() {
	ignoreClosedPipe()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
