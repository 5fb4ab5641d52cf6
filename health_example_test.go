package genexp_test

import (
	"fmt"
	"time"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/warehouse"
)

// DeriveHealth judges observations a caller made: here a warehouse one
// schema version behind, with a failed run, on a disk nearly full.
func ExampleDeriveHealth() {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	rep := genexp.DeriveHealth(genexp.HealthInputs{
		Warehouse: "genexp.duckdb",
		Health:    &warehouse.Health{SchemaVersion: 9, ExpectedSchemaVersion: 10, FailedSteps: 2, FailedRuns: 1, Path: "genexp.duckdb"},
		Disk:      &genexp.DiskSpace{Path: "/data", FreeBytes: 50 << 20, TotalBytes: 100 << 30},
		Now:       now,
	}, genexp.DefaultHealthLimits())
	fmt.Println("status:", rep.Status)
	for _, c := range rep.Checks {
		fmt.Printf("%-8s %-9s %s\n", c.Status, c.Name, c.Detail)
	}
	// Output:
	// status: critical
	// healthy  reachable the warehouse opened
	// warning  schema    schema version 9, older than this genexp's 10; genexp init migrates it
	// warning  failures  2 failed steps in 1 run in the last 24 h
	// healthy  runs      no runs yet
	// critical disk      50.0 MiB free at /data (critical below 100.0 MiB)
}
