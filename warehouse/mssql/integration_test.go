package mssql_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/mssql"
	"github.com/genexp/genexp/warehouse/warehousetest"
)

// dsnEnv names a SQL Server the integration tests may use; its login must
// be allowed to create databases (each test gets a database of its own).
const dsnEnv = "GENEXP_TEST_MSSQL_DSN"

var (
	serverOnce sync.Once
	serverDSN  string
	serverWhy  string
)

// testServer returns the DSN of a SQL Server to test against: the one
// GENEXP_TEST_MSSQL_DSN names, else one started in Docker. Without either
// the test is skipped, saying why in one line.
func testServer(t *testing.T) string {
	t.Helper()
	serverOnce.Do(func() {
		if dsn := os.Getenv(dsnEnv); dsn != "" {
			serverDSN = dsn
			return
		}
		serverDSN, serverWhy = dockerServer()
	})
	if serverDSN == "" {
		t.Skipf("SQL Server tests skipped: %s is not set, and %s", dsnEnv, serverWhy)
	}
	return serverDSN
}

func TestMain(m *testing.M) {
	code := m.Run()
	stopDockerServer()
	os.Exit(code)
}

// withParam returns dsn with parameter key set to value.
func withParam(dsn, key, value string) string {
	if strings.HasPrefix(strings.ToLower(dsn), "sqlserver://") {
		u, err := url.Parse(dsn)
		if err == nil {
			q := u.Query()
			for k := range q {
				if strings.EqualFold(k, key) {
					q.Del(k)
				}
			}
			q.Set(key, value)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	// In an ADO string the last value given for a key wins.
	return strings.TrimRight(dsn, "; ") + ";" + key + "=" + value
}

// freshDatabase creates an empty database for one test and drops it after.
func freshDatabase(t *testing.T, dsn string) string {
	t.Helper()
	admin, err := mssql.Open(dsn, mssql.ReadOnly())
	if err != nil {
		t.Fatalf("connecting to the test server: %v", err)
	}
	t.Cleanup(func() { admin.Close() })
	b := make([]byte, 6)
	rand.Read(b)
	name := "genexp_test_" + hex.EncodeToString(b)
	if _, err := admin.DB().Exec("CREATE DATABASE [" + name + "]"); err != nil {
		t.Fatalf("creating test database: %v", err)
	}
	t.Cleanup(func() {
		// Ends the sessions still using the database, so that it can be
		// dropped; if it fails, the drop below says why.
		if _, err := admin.DB().Exec("ALTER DATABASE [" + name + "] SET SINGLE_USER WITH ROLLBACK IMMEDIATE"); err != nil {
			t.Logf("ending the sessions of test database %s: %v", name, err)
		}
		if _, err := admin.DB().Exec("DROP DATABASE [" + name + "]"); err != nil {
			t.Errorf("dropping test database %s: %v", name, err)
		}
	})
	return withParam(dsn, "database", name)
}

func openFresh(t *testing.T, opts ...mssql.Option) (*mssql.Warehouse, string) {
	t.Helper()
	dsn := freshDatabase(t, testServer(t))
	w, err := mssql.Open(dsn, opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { w.Close() })
	return w, dsn
}

func TestContract(t *testing.T) {
	testServer(t)
	warehousetest.Run(t, func(t *testing.T) warehousetest.Target {
		w, _ := openFresh(t)
		return warehousetest.Target{Sink: w, DB: w.DB()}
	})
}

// load runs one batch of a study with genes × samples cells.
func load(ctx context.Context, sink warehouse.WarehouseSink, study string, genes, samples int, hash string) (warehouse.CommitResult, error) {
	var cols []warehouse.Column
	var dims warehouse.DimensionsRequest
	dims.Studies = []warehouse.Study{{Accession: study}}
	for s := 0; s < samples; s++ {
		acc := fmt.Sprintf("%s_S%d", study, s+1)
		cols = append(cols, warehouse.Column{Index: s, Sample: acc, Study: study})
		dims.Samples = append(dims.Samples, warehouse.Sample{Accession: acc, Study: study, Illness: "SEPSIS"})
	}
	b, err := sink.Begin(ctx, warehouse.BeginRequest{RunID: "r-" + hash, FileName: study + ".tsv", Columns: cols})
	if err != nil {
		return warehouse.CommitResult{}, err
	}
	defer b.Abort(ctx)
	if err := b.UpsertDimensions(ctx, dims); err != nil {
		return warehouse.CommitResult{}, err
	}
	const rows = 500
	for start := 0; start < genes; start += rows {
		lb := &expression.LongBatch{}
		for g := start; g < min(start+rows, genes); g++ {
			lb.Genes = append(lb.Genes, fmt.Sprintf("G%07d", g))
			lb.GeneLines = append(lb.GeneLines, int64(g+2))
			for s := 0; s < samples; s++ {
				lb.Row = append(lb.Row, int32(g-start))
				lb.Column = append(lb.Column, int32(s))
				lb.Value = append(lb.Value, float64(g)+float64(s)/3)
			}
		}
		if err := b.WriteRows(ctx, warehouse.RowsRequest{Rows: lb}); err != nil {
			return warehouse.CommitResult{}, err
		}
	}
	return b.Commit(ctx, warehouse.CommitRequest{FileHash: hash,
		Studies: []warehouse.StudyCommit{{Study: study, BatchID: study + "-" + hash, RowsRead: int64(genes * samples)}}})
}

// A load of several bulk copies of the smallest directly compressed size.
func TestIntegrationLoadsInChunks(t *testing.T) {
	w, _ := openFresh(t, mssql.WithConfig(func(c *mssql.Config) { c.ChunkRows = mssql.MinCompressedRows }))
	res, err := load(context.Background(), w, "GSE1", 5000, 50, "h1")
	if err != nil {
		t.Fatal(err)
	}
	if n := res.Studies[0].RowsWritten; n != 250000 {
		t.Fatalf("rows written %d, want 250000", n)
	}
	var n int64
	if err := w.DB().QueryRow(`SELECT COUNT_BIG(*) FROM dbo.fact_gene_expression`).Scan(&n); err != nil || n != 250000 {
		t.Fatalf("facts %d (%v), want 250000", n, err)
	}
}

// Two loaders at once: both end, each study has one current batch.
func TestIntegrationConcurrentLoaders(t *testing.T) {
	w1, dsn := openFresh(t)
	w2, err := mssql.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i, c := range []struct {
		w     *mssql.Warehouse
		study string
		hash  string
	}{{w1, "GSE1", "a"}, {w2, "GSE2", "b"}, {w1, "GSE3", "c"}, {w2, "GSE3", "d"}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = load(ctx, c.w, c.study, 2000, 20, c.hash)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil && !errors.Is(err, qc.WarehouseBusy) {
			t.Errorf("loader %d: %v", i, err)
		}
	}
	var bad int
	err = w1.DB().QueryRow(`SELECT COUNT(*) FROM (SELECT study_key FROM dbo.meta_batch WHERE is_current = 1
		GROUP BY study_key HAVING COUNT(*) > 1) AS d`).Scan(&bad)
	if err != nil || bad != 0 {
		t.Fatalf("studies with more than one current batch: %d (%v)", bad, err)
	}
	var facts int64
	if err := w1.DB().QueryRow(`SELECT COUNT_BIG(*) FROM dbo.fact_gene_expression f JOIN dbo.dim_study s ON s.study_key = f.study_key
		WHERE s.study_accession_code = N'GSE3'`).Scan(&facts); err != nil {
		t.Fatalf("counting the facts of GSE3: %v", err)
	}
	if facts != 40000 {
		t.Fatalf("GSE3 has %d facts, want 40000 (one batch, not two)", facts)
	}
}

// A loader that dies leaves staging rows; the next load removes them.
func TestIntegrationDeadLoadIsCleanedUp(t *testing.T) {
	w, dsn := openFresh(t)
	ctx := context.Background()
	// chunk_rows=1 sends the cell to staging at once.
	dying, err := mssql.Open(withParam(withParam(dsn, "app name", "genexp-dying"), "chunk_rows", "1"))
	if err != nil {
		t.Fatal(err)
	}
	defer dying.Close()
	b, err := dying.Begin(ctx, warehouse.BeginRequest{RunID: "dies", Columns: []warehouse.Column{{Index: 0, Sample: "S", Study: "GSE9"}}})
	if err != nil {
		t.Fatal(err)
	}
	lb := &expression.LongBatch{Genes: []string{"G"}, GeneLines: []int64{2}, Row: []int32{0}, Column: []int32{0}, Value: []float64{1}}
	if err := b.WriteRows(ctx, warehouse.RowsRequest{Rows: lb}); err != nil {
		t.Fatal(err)
	}
	// Kill the loading session on the server, as a killed process or a
	// dropped network would end it.
	var sessions []int
	rows, err := w.DB().Query(`SELECT session_id FROM sys.dm_exec_sessions WHERE program_name = N'genexp-dying'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			t.Fatalf("reading a session id: %v", err)
		}
		sessions = append(sessions, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("listing the dying loader's sessions: %v", err)
	}
	rows.Close()
	if len(sessions) == 0 {
		t.Fatal("the dying loader has no session")
	}
	for _, id := range sessions {
		if _, err := w.DB().Exec(fmt.Sprintf("KILL %d", id)); err != nil {
			t.Fatalf("KILL %d: %v", id, err)
		}
	}
	var staged int
	if err := w.DB().QueryRow(`SELECT COUNT(*) FROM staging.loads`).Scan(&staged); err != nil {
		t.Fatalf("counting staged loads: %v", err)
	}
	if staged != 1 {
		t.Fatalf("staging.loads has %d loads, want the dead one", staged)
	}
	if n, err := w.CleanStaging(ctx); err != nil || n != 1 {
		t.Fatalf("CleanStaging = %d, %v; want the dead load removed", n, err)
	}
	for _, table := range []string{"staging.loads", "staging.matrix_columns", "staging.matrix_rows", "staging.expression_values"} {
		var n int
		if err := w.DB().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
			t.Errorf("counting the rows of %s: %v", table, err)
			continue
		}
		if n != 0 {
			t.Errorf("%s keeps %d rows of the dead load", table, n)
		}
	}
	if err := b.Abort(ctx); err != nil {
		t.Logf("Abort on a killed session: %v", err)
	}
}

// A server whose 'user options' turn NOCOUNT on for every new session: a
// load still counts what it copied and inserted, because its session turns
// NOCOUNT off.
func TestIntegrationRowCountsUnderServerNocount(t *testing.T) {
	if os.Getenv(dsnEnv) != "" {
		t.Skipf("changes a server-wide setting ('user options'), so it runs only on the Docker server the tests start, not on the server %s names", dsnEnv)
	}
	w, dsn := openFresh(t)
	var before int
	if err := w.DB().QueryRow(`SELECT CONVERT(INT, value_in_use) FROM sys.configurations WHERE name = N'user options'`).Scan(&before); err != nil {
		t.Fatalf("reading 'user options': %v", err)
	}
	// 512 is NOCOUNT's bit in 'user options'.
	if _, err := w.DB().Exec(`EXEC sp_configure N'user options', @p1; RECONFIGURE;`, before|512); err != nil {
		t.Fatalf("setting 'user options': %v", err)
	}
	t.Cleanup(func() {
		if _, err := w.DB().Exec(`EXEC sp_configure N'user options', @p1; RECONFIGURE;`, before); err != nil {
			t.Errorf("restoring 'user options' to %d: %v", before, err)
		}
	})
	// 'user options' applies to sessions that log in after it is set: a
	// plain new session shows it, and a warehouse opened now has only such
	// sessions.
	raw, err := sql.Open("sqlserver", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var on int
	if err := raw.QueryRow(`SELECT @@OPTIONS & 512`).Scan(&on); err != nil || on == 0 {
		t.Fatalf("a new session has NOCOUNT %d (%v): the server setting did not take, so the test would prove nothing", on, err)
	}
	nc, err := mssql.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	res, err := load(context.Background(), nc, "GSE1", 1000, 10, "h1")
	if err != nil {
		t.Fatalf("load under NOCOUNT ON: %v", err)
	}
	if n := res.Studies[0].RowsWritten; n != 10000 {
		t.Fatalf("rows written %d, want 10000", n)
	}
	var recorded int64
	if err := nc.DB().QueryRow(`SELECT rows_written FROM dbo.meta_batch WHERE study_accession_code = N'GSE1' AND is_current = 1`).Scan(&recorded); err != nil || recorded != 10000 {
		t.Fatalf("meta_batch.rows_written %d (%v), want 10000", recorded, err)
	}
}

func TestIntegrationRefusesNewerSchema(t *testing.T) {
	w, dsn := openFresh(t)
	if _, err := w.DB().Exec(`INSERT INTO dbo.meta_schema_version (version, description) VALUES (99, N'future')`); err != nil {
		t.Fatal(err)
	}
	_, err := mssql.Open(dsn)
	if !errors.Is(err, qc.SchemaVersion) {
		t.Fatalf("Open of a newer warehouse: %v, want SchemaVersion", err)
	}
}

func TestIntegrationWrongPasswordIsNotShown(t *testing.T) {
	dsn := testServer(t)
	const pw = "N0t-the-Passw0rd!"
	var bad string
	if u, err := url.Parse(dsn); err == nil && strings.HasPrefix(dsn, "sqlserver://") {
		u.User = url.UserPassword(u.User.Username(), pw)
		bad = u.String()
	} else {
		bad = strings.TrimRight(dsn, "; ") + ";password=" + pw
	}
	_, err := mssql.Open(bad, mssql.ReadOnly(), mssql.WithConfig(func(c *mssql.Config) { c.Retry.Attempts = 1 }))
	if err == nil {
		t.Fatal("Open with a wrong password succeeded")
	}
	if strings.Contains(err.Error(), pw) {
		t.Fatalf("the error shows the password: %v", err)
	}
}

// The pipeline on SQL Server: real downloads load with their every cell,
// and loading them again is a duplicate, reported (4002, INFO) and
// recorded as on DuckDB, with one process-log row per step of each
// attempt and no fact written twice.
func TestIntegrationPipelineReloadIsDuplicate(t *testing.T) {
	w, _ := openFresh(t)
	p, err := genexp.New(w)
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{"../../testdata/refinebio/quickstart/GSE71270", "../../testdata/refinebio/SRP110235", "../../testdata/refinebio/E-GEOD-39842.zip"}
	ctx := context.Background()
	first, err := p.Load(ctx, paths...)
	if err != nil || first.Failed() {
		t.Fatalf("first load: %v %+v", err, first)
	}
	var rows int64
	for _, s := range first.Studies {
		if s.Outcome != warehouse.Inserted {
			t.Errorf("%s: first load %q, want new", s.Study, s.Outcome)
		}
		rows += s.RowsWritten
	}
	var facts int64
	if err := w.DB().QueryRow(`SELECT COUNT_BIG(*) FROM dbo.fact_gene_expression`).Scan(&facts); err != nil || facts != rows || rows == 0 {
		t.Fatalf("facts %d (%v), want the %d the load wrote", facts, err, rows)
	}
	second, err := p.Load(ctx, paths...)
	if err != nil || second.Failed() {
		t.Fatalf("second load: %v %+v", err, second)
	}
	for _, s := range second.Studies {
		dup := 0
		for _, f := range s.Findings {
			if f.Code == qc.BatchDuplicate && f.Severity == qc.SeverityInfo {
				dup++
			}
		}
		if s.Outcome != warehouse.Duplicate || s.RowsWritten != 0 || dup != 1 {
			t.Errorf("%s: second load %q, %d rows written, %d duplicate findings; want duplicate, 0, one 4002 INFO", s.Study, s.Outcome, s.RowsWritten, dup)
		}
	}
	var after, logged, steps int64
	if err := w.DB().QueryRow(`SELECT COUNT_BIG(*) FROM dbo.fact_gene_expression`).Scan(&after); err != nil || after != facts {
		t.Errorf("facts %d → %d (%v) after a duplicate load", facts, after, err)
	}
	if err := w.DB().QueryRow(`SELECT COUNT_BIG(*) FROM dbo.meta_data_validation_log WHERE run_id = @p1 AND validation_code = 4002 AND severity = N'INFO'`,
		second.RunID).Scan(&logged); err != nil || logged != int64(len(second.Studies)) {
		t.Errorf("4002 INFO rows of the second run %d (%v), want %d", logged, err, len(second.Studies))
	}
	if err := w.DB().QueryRow(`SELECT COUNT_BIG(*) FROM dbo.meta_etl_process_log WHERE run_id = @p1`, second.RunID).Scan(&steps); err != nil || steps != 5*int64(len(second.Studies)) {
		t.Errorf("process-log rows of the second run %d (%v), want 5 per study", steps, err)
	}
}
