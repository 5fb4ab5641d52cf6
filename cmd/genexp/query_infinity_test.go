package main

import (
	"strings"
	"testing"
)

// TestInfiniteTimesExport: DuckDB's infinite dates and timestamps are
// written as infinity and -infinity in every format (DuckDB reads those
// back); they were written as the far dates the driver gives for them
// (294247-01-10 …), which read back as finite. The last finite values are
// written as dates.
func TestInfiniteTimesExport(t *testing.T) {
	_, db := loadedWarehouse(t)
	sql := `SELECT 'infinity'::TIMESTAMP a, '-infinity'::TIMESTAMP b, 'infinity'::DATE c, '-infinity'::DATE d,
		'infinity'::TIMESTAMPTZ e, '294247-01-10 04:00:54.775806'::TIMESTAMP f, '5881580-07-10'::DATE g,
		'infinity'::TIMESTAMP_NS h, '-infinity'::TIMESTAMP_NS i, 'infinity'::TIMESTAMP_MS j, '-infinity'::TIMESTAMP_MS k,
		'infinity'::TIMESTAMP_S l, '-infinity'::TIMESTAMP_S m`
	inf := "infinity,-infinity,infinity,-infinity,infinity,-infinity"
	jinf := `"h":"infinity","i":"-infinity","j":"infinity","k":"-infinity","l":"infinity","m":"-infinity"`
	for format, want := range map[string]string{
		"csv":  "infinity,-infinity,infinity,-infinity,infinity,294247-01-10 04:00:54.775806,5881580-07-10," + inf + "\n",
		"json": `{"a":"infinity","b":"-infinity","c":"infinity","d":"-infinity","e":"infinity","f":"294247-01-10T04:00:54.775806","g":"5881580-07-10",` + jinf + "}\n",
	} {
		code, out, stderr := runCLI(t, "query", "--db", db, "--format", format, sql)
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", format, code, stderr)
		}
		if !strings.HasSuffix(out, want) {
			t.Errorf("%s:\n%s\nwant it to end with\n%s", format, out, want)
		}
	}
}
