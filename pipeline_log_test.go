package genexp_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
)

// Every finding of a study reaches the log as one record: WARN for a
// WARNING, ERROR for an ERROR, with its study, code, file, line and column;
// a study with more than the cap logs the most severe first and one record
// counting the rest. A failed step's record places its error too. Paths
// holding the warehouse's password are redacted.
func TestFindingsAreLogged(t *testing.T) {
	const secret = "Hunter2-s3cret"
	dir := filepath.Join(t.TempDir(), "pw="+secret)
	// GSE71: 3 samples of 40 genes (a 2002 WARNING under the default 1000
	// genes) and a column no sample has (a 2001 WARNING at line 1,
	// column 5).
	warned := crafted{study: "GSE71", genes: 40, columns: append(samples("GSM", 3), "GSMX"), sheet: samples("GSM", 3)}
	// GSE72: 25 columns no sample has (20 listed, then one note), and too
	// few genes made an ERROR by configuration: more findings than the cap.
	many := crafted{study: "GSE72", genes: 40, columns: append(samples("GSN", 3), samples("GSX", 25)...), sheet: samples("GSN", 3)}
	// GSE73: a cell that is no number, a failed extract at line 4, column 3.
	broken := crafted{study: "GSE73", genes: 40, columns: samples("GSO", 3), sheet: samples("GSO", 3),
		cell: func(g, c int) string {
			if g == 2 && c == 1 {
				return "abc"
			}
			return value(g, c)
		}}
	cfg := genexp.DefaultConfig()
	cfg.Quality.Severities = map[string]string{}
	logs := &records{}
	p, err := genexp.New(openWarehouse(t), genexp.WithConfig(cfg), genexp.WithLogger(slog.New(logs)),
		genexp.WithWarehouseDSN("sqlserver://sa:"+secret+"@db:1433"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Load(context.Background(), warned.write(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Quality.Severities = map[string]string{"VALIDATION_GENE_COUNT_LOW": "ERROR"}
	p2, err := genexp.New(openWarehouse(t), genexp.WithConfig(cfg), genexp.WithLogger(slog.New(logs)),
		genexp.WithWarehouseDSN("sqlserver://sa:"+secret+"@db:1433"))
	if err != nil {
		t.Fatal(err)
	}
	rep2, err := p2.Load(context.Background(), many.write(t, dir), broken.write(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Studies) != 1 || rep.Studies[0].Err != nil || len(rep2.Studies) != 2 || rep2.Studies[0].Err == nil || rep2.Studies[1].Err == nil {
		t.Fatalf("want GSE71 loaded with warnings, GSE72 and GSE73 rejected: %+v %+v", rep, rep2)
	}
	byStudy := map[string][]logged{}
	for _, r := range logs.find("finding") {
		for k, v := range r.attrs {
			if strings.Contains(v, secret) {
				t.Errorf("record attribute %s holds the password: %s", k, v)
			}
		}
		byStudy[r.attrs["study"]] = append(byStudy[r.attrs["study"]], r)
	}

	// GSE71: each finding once, at WARN, placed.
	if got, want := len(byStudy["GSE71"]), len(rep.Studies[0].Findings); got != want || got < 2 {
		t.Errorf("GSE71: %d finding records, want one per finding (%d): %v", got, want, byStudy["GSE71"])
	}
	codes := map[string]logged{}
	for _, r := range byStudy["GSE71"] {
		codes[r.attrs["code"]] = r
		if r.level != slog.LevelWarn {
			t.Errorf("GSE71 finding %s at %s, want WARN", r.attrs["code"], r.level)
		}
		if !strings.HasSuffix(r.attrs["file"], "GSE71.tsv") || !strings.Contains(r.attrs["file"], qc.Redacted) {
			t.Errorf("finding %s names file %q, want the matrix, its password redacted", r.attrs["code"], r.attrs["file"])
		}
	}
	if r, ok := codes["2002"]; !ok || r.attrs["severity"] != "WARNING" || !strings.Contains(r.attrs["detail"], "fewer than 1000 measured genes") {
		t.Errorf("no WARN record of the 2002 finding: %v", byStudy["GSE71"])
	}
	if r, ok := codes["2001"]; !ok || r.attrs["line"] != "1" || r.attrs["column"] != "5" {
		t.Errorf("the 2001 finding's record is not at line 1, column 5: %v", r)
	}

	// GSE72: the cap, errors first, then one record counting the rest.
	all := rep2.Studies[0].Findings
	recs := byStudy["GSE72"]
	if len(all) <= 20 || len(recs) != 20 {
		t.Fatalf("GSE72: %d findings, %d records; want more than 20 findings and 20 records", len(all), len(recs))
	}
	if recs[0].level != slog.LevelError || recs[0].attrs["code"] != "2002" || recs[1].level != slog.LevelWarn {
		t.Errorf("GSE72's first records are %v, %v: want its ERROR first, then warnings", recs[0], recs[1])
	}
	var more []logged
	for _, r := range logs.find("more findings not logged") {
		if r.attrs["study"] == "GSE72" {
			more = append(more, r)
		}
	}
	if len(more) != 1 || more[0].attrs["findings"] != strconv.Itoa(len(all)-20) || more[0].level != slog.LevelWarn {
		t.Errorf("records counting GSE72's other findings: %v, want one at WARN counting %d", more, len(all)-20)
	}

	// GSE73: the failed extract's record places its error.
	var failed []logged
	for _, r := range logs.find("step failed") {
		if r.attrs["study"] == "GSE73" {
			failed = append(failed, r)
		}
	}
	if len(failed) != 1 || failed[0].attrs["line"] != "4" || failed[0].attrs["column"] != "3" || failed[0].attrs["code"] != fmt.Sprint(int(qc.ParseError)) {
		t.Errorf("GSE73's failed step records: %v, want one with code 1004 at line 4, column 3", failed)
	}
}

// DEBUG records say what INFO does not: how a matrix's columns were
// matched, how the classifier decided each study's samples, and each
// commit's batch and outcome.
func TestDebugRecords(t *testing.T) {
	cfg := genexp.DefaultConfig()
	cfg.Quality.MinGenesPerSample = 1
	cr := crafted{study: "GSE81", genes: 40, columns: append(samples("GSM", 4), "GSMX"), sheet: samples("GSM", 4)}
	logs := &records{}
	p, err := genexp.New(openWarehouse(t), genexp.WithConfig(cfg), genexp.WithLogger(slog.New(logs)))
	if err != nil {
		t.Fatal(err)
	}
	// the same study written twice, in two folders: a path given twice
	// would be read once
	rep, err := p.Load(context.Background(), cr.write(t, t.TempDir()), cr.write(t, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Studies) != 2 || rep.Studies[0].Outcome != "new" {
		t.Fatalf("want GSE81 loaded, then refused as a second copy in the run: %+v", rep)
	}
	plans := logs.find("column plan")
	if len(plans) != 2 {
		t.Fatalf("%d column plan records, want one per matrix: %v", len(plans), plans)
	}
	for k, want := range map[string]string{"columns": "5", "matched": "4", "skipped": "1", "excluded": "0", "studies": "GSE81"} {
		if got := plans[0].attrs[k]; got != want {
			t.Errorf("column plan %s = %q, want %q", k, got, want)
		}
	}
	if plans[0].level != slog.LevelDebug {
		t.Errorf("column plan at %s", plans[0].level)
	}
	decided := logs.find("illness decided")
	if len(decided) != 1 {
		t.Fatalf("%d illness records, want one for the study that was classified: %v", len(decided), decided)
	}
	if d := decided[0].attrs; d["study"] != "GSE81" || d["samples"] != "4" || d["default"] != "4" || d["rule"] != "0" || d["override"] != "0" {
		t.Errorf("illness decided %v: want 4 samples, all by default", d)
	}
	committed := logs.find("committed")
	if len(committed) != 1 {
		t.Fatalf("%d committed records, want 1: %v", len(committed), committed)
	}
	if c := committed[0].attrs; c["batch"] != rep.Studies[0].BatchID || c["outcome"] != "new" || c["rows_written"] != "160" {
		t.Errorf("committed %v, want batch %s, new, 160 rows", c, rep.Studies[0].BatchID)
	}
}

// A matrix that fails at its header (no row read) is one failure, logged
// once at ERROR: the failed step's record, which names the file.
func TestHeaderFailureIsLoggedOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "GSE74")
	writeFile(t, filepath.Join(dir, "GSE74.tsv"), []byte("Gene\n"))
	logs := &records{}
	if sr := loadOne(t, openWarehouse(t), genexp.DefaultConfig(), filepath.Dir(dir), genexp.WithLogger(slog.New(logs))); sr.Err == nil {
		t.Fatalf("want GSE74 failed at its header: %+v", sr)
	}
	logs.mu.Lock()
	var errs []string
	for _, r := range logs.recs {
		if r.Level >= slog.LevelError {
			errs = append(errs, r.Message)
		}
	}
	logs.mu.Unlock()
	failed := logs.find("step failed")
	if len(errs) != 1 || len(failed) != 1 || failed[0].attrs["study"] != "GSE74" ||
		!strings.HasSuffix(failed[0].attrs["file"], "GSE74.tsv") || failed[0].attrs["error"] == "" {
		t.Errorf("ERROR records %q, failed steps %v; want one failed step naming GSE74's matrix", errs, failed)
	}
}
