package genexp_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// crafted describes a synthetic study folder: a matrix and its sample sheet.
type crafted struct {
	study   string
	genes   int
	columns []string // matrix column names
	sheet   []string // accessions in the sample sheet
	// cell returns the text of gene g, column c ("" or "NA" for missing).
	cell func(g, c int) string
	// gene returns the id of row g (to make duplicates).
	gene func(g int) string
}

func value(g, c int) string {
	// Identically distributed columns: the same values, permuted.
	return fmt.Sprintf("%d.%d", (g*7919+c*104729)%1000, g%10)
}

func (cr crafted) write(t *testing.T, dir string) string {
	t.Helper()
	folder := filepath.Join(dir, cr.study)
	if err := os.MkdirAll(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	var m strings.Builder
	m.WriteString("Gene\t" + strings.Join(cr.columns, "\t") + "\n")
	for g := 0; g < cr.genes; g++ {
		id := fmt.Sprintf("ENSG%08d", g)
		if cr.gene != nil {
			id = cr.gene(g)
		}
		m.WriteString(id)
		for c := range cr.columns {
			v := value(g, c)
			if cr.cell != nil {
				v = cr.cell(g, c)
			}
			m.WriteString("\t" + v)
		}
		m.WriteString("\n")
	}
	var s strings.Builder
	s.WriteString("refinebio_accession_code\texperiment_accession\trefinebio_title\n")
	for _, acc := range cr.sheet {
		fmt.Fprintf(&s, "%s\t%s\ttitle of %s\n", acc, cr.study, acc)
	}
	for name, body := range map[string]string{cr.study + ".tsv": m.String(), "metadata_" + cr.study + ".tsv": s.String()} {
		if err := os.WriteFile(filepath.Join(folder, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return folder
}

func samples(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i+1)
	}
	return out
}

func loadWith(t *testing.T, w *duckdb.Warehouse, cfg genexp.Config, paths ...string) *genexp.Report {
	t.Helper()
	p, err := genexp.New(w, genexp.WithConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Load(context.Background(), paths...)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

type finding struct {
	Code     int
	Severity string
}

func findings(t *testing.T, w *duckdb.Warehouse, study string) map[finding]int {
	t.Helper()
	rows, err := w.DB().Query(`SELECT validation_code, severity FROM meta_data_validation_log WHERE study_accession_code = ?`, study)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[finding]int{}
	for rows.Next() {
		var f finding
		if err := rows.Scan(&f.Code, &f.Severity); err != nil {
			t.Fatal(err)
		}
		out[f]++
	}
	return out
}

func TestFindingsEndToEnd(t *testing.T) {
	quiet := func(mod func(*genexp.Config)) genexp.Config {
		cfg := genexp.DefaultConfig()
		cfg.Quality.MinGenesPerSample = 10 // crafted matrices are small
		if mod != nil {
			mod(&cfg)
		}
		return cfg
	}
	cases := []struct {
		name   string
		study  crafted
		cfg    genexp.Config
		want   []finding // each must be in meta_data_validation_log
		loaded bool
	}{
		{"2001 unmatched column and sample without column: warnings, loads",
			crafted{study: "GSE2001", genes: 40, columns: []string{"GSM1", "GSM2", "GSM3", "GSMX"}, sheet: []string{"GSM1", "GSM2", "GSM3", "GSM4"}},
			quiet(nil), []finding{{2001, "WARNING"}}, true},
		{"2001 no column matches: error, rejected",
			crafted{study: "GSE2011", genes: 40, columns: []string{"A", "B", "C"}, sheet: []string{"GSM1", "GSM2", "GSM3"}},
			quiet(nil), []finding{{2001, "ERROR"}}, false},
		{"2002 too few genes per sample: warning, loads",
			crafted{study: "GSE2002", genes: 40, columns: samples("GSM", 3), sheet: samples("GSM", 3)},
			quiet(func(c *genexp.Config) { c.Quality.MinGenesPerSample = 100 }), []finding{{2002, "WARNING"}}, true},
		{"2003 too many missing: error, rejected",
			crafted{study: "GSE2003", genes: 40, columns: samples("GSM", 3), sheet: samples("GSM", 3),
				cell: func(g, c int) string {
					if g%3 == 0 {
						return "NA"
					}
					return value(g, c)
				}},
			quiet(nil), []finding{{2003, "ERROR"}}, false},
		{"2004 duplicate sample column: error, rejected",
			crafted{study: "GSE2004", genes: 40, columns: []string{"GSM1", "GSM2", "GSM3", "GSM2"}, sheet: samples("GSM", 3)},
			quiet(nil), []finding{{2004, "ERROR"}}, false},
		{"2004 lowered to warning by configuration: the first column loads",
			crafted{study: "GSE2014", genes: 40, columns: []string{"GSM1", "GSM2", "GSM3", "GSM2"}, sheet: samples("GSM", 3)},
			quiet(func(c *genexp.Config) {
				c.Quality.Severities = map[string]string{"VALIDATION_DUPLICATE_SAMPLES": "WARNING"}
			}), []finding{{2004, "WARNING"}}, true},
		{"2005 duplicate genes under the limit: warning, loads",
			crafted{study: "GSE2005", genes: 100, columns: samples("GSM", 3), sheet: samples("GSM", 3),
				gene: func(g int) string {
					if g == 99 {
						g = 0
					}
					return fmt.Sprintf("ENSG%08d", g)
				}},
			quiet(nil), []finding{{2005, "WARNING"}}, true},
		{"2005 duplicate genes over the limit: error, rejected",
			crafted{study: "GSE2015", genes: 40, columns: samples("GSM", 3), sheet: samples("GSM", 3),
				gene: func(g int) string { return fmt.Sprintf("ENSG%08d", g/2) }},
			quiet(nil), []finding{{2005, "ERROR"}}, false},
		{"2006 too few samples: warning, loads",
			crafted{study: "GSE2006", genes: 40, columns: samples("GSM", 2), sheet: samples("GSM", 2)},
			quiet(nil), []finding{{2006, "WARNING"}}, true},
		{"2006 promoted to error by configuration: rejected",
			crafted{study: "GSE2016", genes: 40, columns: samples("GSM", 2), sheet: samples("GSM", 2)},
			quiet(func(c *genexp.Config) {
				c.Quality.Severities = map[string]string{"VALIDATION_SAMPLE_COUNT_LOW": "ERROR"}
			}), []finding{{2006, "ERROR"}}, false},
		{"2007 shifted sample: warning, loads",
			crafted{study: "GSE2007", genes: 200, columns: samples("GSM", 4), sheet: samples("GSM", 4),
				cell: func(g, c int) string {
					if c == 2 {
						return fmt.Sprintf("%d", 5000+g)
					}
					return value(g, c)
				}},
			quiet(nil), []finding{{2007, "WARNING"}}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := openWarehouse(t)
			rep := loadWith(t, w, tc.cfg, tc.study.write(t, t.TempDir()))
			if len(rep.Studies) != 1 {
				t.Fatalf("studies: %+v", rep.Studies)
			}
			sr := rep.Studies[0]
			got := findings(t, w, tc.study.study)
			for _, f := range tc.want {
				if got[f] == 0 {
					t.Errorf("meta_data_validation_log lacks %+v; has %v", f, got)
				}
				found := false
				for _, e := range sr.Findings {
					found = found || (int(e.Code) == f.Code && e.Severity.String() == f.Severity)
				}
				if !found {
					t.Errorf("report lacks finding %+v: %v", f, sr.Findings)
				}
			}
			qcRows := count(t, w, fmt.Sprintf(`SELECT COUNT(*) FROM meta_study_qc q JOIN dim_study s USING (study_key) WHERE s.study_accession_code = '%s'`, tc.study.study))
			facts := count(t, w, `SELECT COUNT(*) FROM fact_gene_expression`)
			if tc.loaded {
				if sr.Err != nil || qcRows != 1 || facts == 0 {
					t.Errorf("want loaded: err %v, meta_study_qc rows %d, facts %d", sr.Err, qcRows, facts)
				}
			} else {
				var e *qc.Error
				if sr.Err == nil || !errors.As(sr.Err, &e) || e.Severity != qc.SeverityError || int(e.Code) != tc.want[0].Code {
					t.Errorf("want rejected with code %d: err %v", tc.want[0].Code, sr.Err)
				}
				if qcRows != 0 || facts != 0 {
					t.Errorf("rejected study left meta_study_qc rows %d, facts %d", qcRows, facts)
				}
			}
		})
	}
}

func TestShiftedSampleIsTheWorst(t *testing.T) {
	w := openWarehouse(t)
	cr := crafted{study: "GSE7", genes: 200, columns: samples("GSM", 4), sheet: samples("GSM", 4),
		cell: func(g, c int) string {
			if c == 2 {
				return fmt.Sprintf("%d", 5000+g)
			}
			return value(g, c)
		}}
	loadWith(t, w, genexp.DefaultConfig(), cr.write(t, t.TempDir()))
	var sample string
	var d, p float64
	if err := w.DB().QueryRow(`SELECT ks_worst_sample, ks_statistic_recomputed, ks_pvalue_recomputed FROM meta_study_qc`).Scan(&sample, &d, &p); err != nil {
		t.Fatal(err)
	}
	// Column 3 lies above every other value: against a pool of 4 equal
	// parts it differs by exactly 3/4.
	if sample != "GSM3" || d != 0.75 || !(p < 1e-10) {
		t.Errorf("worst = %s D %v p %v, want GSM3, 0.75, p < 1e-10", sample, d, p)
	}
}

func TestOneStudyRejectedOthersLoad(t *testing.T) {
	dir := t.TempDir()
	bad := crafted{study: "GSE1BAD", genes: 40, columns: samples("GSM", 3), sheet: samples("GSM", 3),
		cell: func(g, c int) string { return "NA" }}
	good := crafted{study: "GSE2GOOD", genes: 40, columns: samples("GSN", 3), sheet: samples("GSN", 3)}
	w := openWarehouse(t)
	cfg := genexp.DefaultConfig()
	cfg.Quality.MinGenesPerSample = 1
	rep := loadWith(t, w, cfg, bad.write(t, dir), good.write(t, dir))
	if len(rep.Studies) != 2 || rep.Studies[0].Err == nil || rep.Studies[1].Err != nil {
		t.Fatalf("want GSE1BAD failed and GSE2GOOD loaded: %+v", rep.Studies)
	}
	if !rep.Failed() {
		t.Error("report does not say it failed")
	}
	if got := count(t, w, `SELECT COUNT(*) FROM fact_gene_expression`); got != 120 {
		t.Errorf("facts = %d, want 120 (GSE2GOOD only)", got)
	}
}

type stepRow struct {
	Step, Status  string
	Attempt       int
	Read, Written *int64
	Code          *int
}

func stepsOf(t *testing.T, w *duckdb.Warehouse, study string) map[string][]stepRow {
	t.Helper()
	rows, err := w.DB().Query(`SELECT step, status, attempt, rows_read, rows_written, error_code FROM meta_etl_process_log
		WHERE study_accession_code = ? ORDER BY started_at, step`, study)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]stepRow{}
	for rows.Next() {
		var r stepRow
		if err := rows.Scan(&r.Step, &r.Status, &r.Attempt, &r.Read, &r.Written, &r.Code); err != nil {
			t.Fatal(err)
		}
		out[r.Step] = append(out[r.Step], r)
	}
	return out
}

func TestProcessLogOneRowPerStep(t *testing.T) {
	w := openWarehouse(t)
	dir := t.TempDir()
	good := crafted{study: "GSE10", genes: 40, columns: samples("GSM", 3), sheet: samples("GSM", 3),
		cell: func(g, c int) string {
			if g == 0 && c == 0 {
				return "NA"
			}
			return value(g, c)
		}}
	bad := crafted{study: "GSE11", genes: 40, columns: samples("GSN", 3), sheet: samples("GSN", 3),
		cell: func(g, c int) string { return "NA" }}
	cfg := genexp.DefaultConfig()
	cfg.Quality.MinGenesPerSample = 1
	loadWith(t, w, cfg, good.write(t, dir), bad.write(t, dir))

	g := stepsOf(t, w, "GSE10")
	for _, s := range []string{"extract", "transform", "validate", "load", "analytics"} {
		if len(g[s]) != 1 || g[s][0].Status != "SUCCESS" || g[s][0].Attempt != 1 {
			t.Errorf("GSE10 %s: %+v", s, g[s])
		}
	}
	// 40 genes × 3 samples = 120 cells, one missing: 119 long rows.
	if r := g["extract"][0]; r.Read == nil || *r.Read != 120 {
		t.Errorf("extract rows_read = %v, want 120", r.Read)
	}
	if r := g["transform"][0]; r.Written == nil || *r.Written != 119 {
		t.Errorf("transform rows_written = %v, want 119", r.Written)
	}
	if r := g["load"][0]; r.Read == nil || *r.Read != 119 || r.Written == nil || *r.Written != 119 {
		t.Errorf("load rows read/written = %v/%v, want 119/119", r.Read, r.Written)
	}
	if facts := count(t, w, `SELECT COUNT(*) FROM fact_gene_expression`); facts != 119 {
		t.Errorf("facts = %d, want the 119 the log says", facts)
	}
	b := stepsOf(t, w, "GSE11")
	if v := b["validate"]; len(v) != 1 || v[0].Status != "FAILED" || v[0].Code == nil || *v[0].Code != int(qc.NullPercentageHigh) {
		t.Errorf("GSE11 validate: %+v", v)
	}
	if l := b["load"]; len(l) != 1 || l[0].Status != "SKIPPED" {
		t.Errorf("GSE11 load: %+v", l)
	}
	// The rejected study's analytics step is logged too, SKIPPED with the
	// reason its load step is: every attempt has a row for each step.
	var reason string
	if err := w.DB().QueryRow(`SELECT string_agg(status || ' ' || (context_json->>'reason'), ',') FROM meta_etl_process_log
		WHERE study_accession_code = 'GSE11' AND step = 'analytics'`).Scan(&reason); err != nil || reason != "SKIPPED validation rejected the study" {
		t.Errorf("GSE11 analytics: %q (%v), want one row SKIPPED with reason %q", reason, err, "validation rejected the study")
	}
	if n := count(t, w, `SELECT COUNT(*) FROM meta_etl_process_log WHERE status = 'RUNNING' OR ended_at IS NULL`); n != 0 {
		t.Errorf("%d steps left RUNNING", n)
	}
	var ctxJSON string
	if err := w.DB().QueryRow(`SELECT context_json FROM meta_etl_process_log WHERE study_accession_code = 'GSE10' AND step = 'extract'`).Scan(&ctxJSON); err != nil {
		t.Fatal(err)
	}
	var ctx map[string]any
	if err := json.Unmarshal([]byte(ctxJSON), &ctx); err != nil || ctx["sha256"] == nil || ctx["busy_ms"] == nil {
		t.Errorf("extract context_json %s: %v", ctxJSON, err)
	}
}

// Attempt is 1 + the runs since the study last loaded that failed it.
func TestAttemptCountsFailedRunsSinceLastSuccess(t *testing.T) {
	w := openWarehouse(t)
	dir := t.TempDir()
	cr := crafted{study: "GSE12", genes: 40, columns: samples("GSM", 3), sheet: samples("GSM", 3),
		cell: func(g, c int) string { return "NA" }}
	folder := cr.write(t, dir)
	cfg := genexp.DefaultConfig()
	cfg.Quality.MinGenesPerSample = 1
	attempt := func() (int, string) {
		t.Helper()
		var n int
		var status string
		if err := w.DB().QueryRow(`SELECT attempt, status FROM meta_etl_process_log WHERE study_accession_code = 'GSE12' AND step = 'validate'
			ORDER BY started_at DESC LIMIT 1`).Scan(&n, &status); err != nil {
			t.Fatal(err)
		}
		return n, status
	}
	for want := 1; want <= 3; want++ {
		loadWith(t, w, cfg, folder)
		if n, st := attempt(); n != want || st != "FAILED" {
			t.Fatalf("run %d: attempt %d status %s", want, n, st)
		}
	}
	cr.cell = nil
	cr.write(t, dir)
	loadWith(t, w, cfg, folder)
	if n, st := attempt(); n != 4 || st != "SUCCESS" {
		t.Fatalf("fixed run: attempt %d status %s, want 4 SUCCESS", n, st)
	}
	loadWith(t, w, cfg, folder)
	if n, _ := attempt(); n != 1 {
		t.Fatalf("run after a success: attempt %d, want 1", n)
	}
}

func TestRealStudiesQCMatchesReference(t *testing.T) {
	b, err := os.ReadFile("qc/testdata/ks_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		RealStudies []struct {
			Matrix string `json:"matrix"`
			Column string `json:"worst_column"`
			D      float64
			P      float64
		} `json:"real_studies"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.RealStudies) != 3 {
		t.Fatalf("reference holds %d real studies", len(ref.RealStudies))
	}
	w := openWarehouse(t)
	load(t, w, "testdata/refinebio/GSE71270", "testdata/refinebio/SRP110235", "testdata/refinebio/E-GEOD-39842")
	for _, r := range ref.RealStudies {
		study := strings.SplitN(r.Matrix, "/", 2)[0]
		var acc, title string
		var d, p float64
		err := w.DB().QueryRow(`SELECT q.ks_worst_sample, s.sample_title, q.ks_statistic_recomputed, q.ks_pvalue_recomputed
			FROM meta_study_qc q JOIN dim_study st USING (study_key) JOIN dim_sample s ON s.sample_accession_code = q.ks_worst_sample
			WHERE st.study_accession_code = ?`, study).Scan(&acc, &title, &d, &p)
		if err != nil {
			t.Fatalf("%s: %v", study, err)
		}
		if acc != r.Column && title != r.Column {
			t.Errorf("%s: worst sample %s (%q), scipy says column %q", study, acc, title, r.Column)
		}
		if d != r.D || p != r.P {
			t.Errorf("%s: D %v p %v, scipy says D %v p %v", study, d, p, r.D, r.P)
		}
		if k := storedKS(t, w, study); k.rows != 300 || k.sampled {
			t.Errorf("%s: the check used %d rows (sampled %v), want all 300", study, k.rows, k.sampled)
		}
		// The bundled matrices are trimmed to 300 genes: under the default
		// 1000, every study gets a 2002 warning and still loads.
		if f := findings(t, w, study); f[finding{2002, "WARNING"}] != 1 {
			t.Errorf("%s: validation log %v lacks the 2002 warning", study, f)
		}
	}
	if f := findings(t, w, "SRP110235"); f[finding{2007, "WARNING"}] != 1 {
		t.Errorf("SRP110235 (worst p 7.6e-5): validation log %v lacks the 2007 warning", f)
	}
}

// TestNegativeRNASeqValues: an RNA-seq study holding a value below zero
// loads with a 2008 WARNING saying its features are on the stored scale,
// and they are; with the sample holding them excluded from analysis,
// neither; the real SRP110235, all abundances, has none.
func TestNegativeRNASeqValues(t *testing.T) {
	const src = "testdata/refinebio/SRP110235/SRP110235"
	dir := filepath.Join(t.TempDir(), "SRP110235")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	sheet, err := os.ReadFile(filepath.Join(src, "metadata_SRP110235.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	matrix, err := os.ReadFile(filepath.Join(src, "SRP110235.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(matrix), "\n")
	for _, i := range []int{5, 9} {
		cells := strings.Split(lines[i], "\t")
		cells[2] = "-0.25"
		lines[i] = strings.Join(cells, "\t")
	}
	for name, body := range map[string][]byte{"metadata_SRP110235.tsv": sheet, "SRP110235.tsv": []byte(strings.Join(lines, "\n"))} {
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	w := openWarehouse(t)
	rep := loadWith(t, w, genexp.DefaultConfig(), dir)
	if len(rep.Studies) != 1 || rep.Studies[0].Err != nil || rep.Studies[0].Features == nil {
		t.Fatalf("studies %+v, want SRP110235 loaded with its features", rep.Studies)
	}
	if f := findings(t, w, "SRP110235"); f[finding{2008, "WARNING"}] != 1 {
		t.Errorf("validation log %v lacks the 2008 warning", f)
	}
	var said string
	for _, f := range rep.Studies[0].Findings {
		if f.Code == qc.NegativeAbundance {
			said = f.Msg
		}
	}
	if !strings.HasPrefix(said, "2 of the study's 1200 measured values are below zero") {
		t.Errorf("the 2008 finding says %q", said)
	}
	if s := rep.Studies[0].Features.Scale; s != warehouse.ScaleValue {
		t.Errorf("features on the %q scale, want %q as the finding says", s, warehouse.ScaleValue)
	}

	w = openWarehouse(t)
	cfg := genexp.DefaultConfig()
	cfg.Processing.ExcludeSamples = []string{"SRR5828215"} // the negative values' column
	rep = loadWith(t, w, cfg, dir)
	if f := findings(t, w, "SRP110235"); f[finding{2008, "WARNING"}] != 0 {
		t.Errorf("the negative values' sample excluded: validation log %v has a 2008 warning", f)
	}
	if fs := rep.Studies[0].Features; fs == nil || fs.Scale != warehouse.ScaleLog2 {
		t.Errorf("the negative values' sample excluded: features %+v, want them on %q", fs, warehouse.ScaleLog2)
	}

	w = openWarehouse(t)
	if f := findings(t, w, "SRP110235"); len(f) != 0 {
		t.Fatalf("a fresh warehouse has findings %v", f)
	}
	loadWith(t, w, genexp.DefaultConfig(), src)
	if f := findings(t, w, "SRP110235"); f[finding{2008, "WARNING"}] != 0 {
		t.Errorf("the real SRP110235, all abundances, got a 2008 warning: %v", f)
	}
}
