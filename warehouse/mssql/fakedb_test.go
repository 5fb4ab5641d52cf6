package mssql

// A scripted stand-in for SQL Server's side of the wire, at the
// database/sql/driver level. No SQL Server can run where these tests run,
// and DuckDB cannot run T-SQL, so this is the only way to drive the
// backend's control flow here: which statements run, in what order, with
// how many parameters, what is bulk-copied, and what happens on an error.
// It does not evaluate SQL; it recognizes each statement by its exact text
// (so an unregistered statement fails the test) and answers from a script.
// Whether the T-SQL itself is right is for the golden files' review and the
// SQL Server contract suite.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	mssqldrv "github.com/microsoft/go-mssqldb"
)

// call is one statement the fake received.
type call struct {
	name string
	args []any
	inTx bool
	// conn numbers the connection it ran on, from 1 in the order opened;
	// session counts the times that connection was reset before it ran
	// (see fakeConn.ResetSession).
	conn, session int
}

// copied is one finished bulk copy.
type copied struct {
	table string
	cols  []string
	rows  [][]any
	inTx  bool
}

// currentBatch is a study's current batch as meta_batch holds it: its id
// and the load signature it was loaded with.
type currentBatch struct{ id, signature string }

type fakeServer struct {
	t  *testing.T
	mu sync.Mutex
	// byText maps each known statement text to its name.
	byText map[string]string
	calls  []call
	copies []copied
	// fail holds errors to return, in turn, the next times a statement
	// (by name, or "copy:<table>") runs.
	fail map[string][]error
	// Script answers.
	nextLoadKey int64
	lockResult  int
	stale       []int64
	current     map[string]currentBatch // study → its current batch
	missing     string                  // a sample stmtMissingSamples reports
	version     int64                   // the schema version; -1: no version table
	checksums   map[int64]string        // meta_schema_version.checksum by version; absent: NULL
	rcsi        bool
	// nocount is the server's 'user options' turning NOCOUNT on for every
	// new session. A session under NOCOUNT ON gets DONE tokens without
	// their count, and go-mssqldb then reports 0 rows affected, for a
	// statement and a bulk copy alike; SET NOCOUNT OFF in the session
	// turns it back off.
	nocount bool
	// The process log as the health statements summarize it: what
	// failed_attempts counts, health_failures' three counts (the last
	// nil for the NULL that SUM gives when nothing failed), and
	// health_runs' rows.
	attempts      int64
	resolvedSteps driver.Value
	failedSteps   int64
	failedRuns    int64
	runs          [][]driver.Value
	openFailures  [][]driver.Value // health_open's rows
	// The features as health checks them: health_features' rows (study
	// key, accession, 1 when it has features), and for every study
	// feature_target's row (by accession) and feature_fingerprint's
	// value (by key).
	featureStudies [][]driver.Value
	featureTarget  map[string][]driver.Value
	featureInput   map[int64]string
	// cleared are the loads whose staging rows a clear_load removed (in a
	// committed transaction, or outside one).
	cleared map[int64]bool
	// loaded holds "study/batch/run" of the LOADED rows of meta_batch_qc
	// committed transactions wrote (loaded_by answers from it).
	loaded map[string]bool
	// lostCommit, when set, is what the next COMMIT returns after it is
	// applied, as when its reply is lost.
	lostCommit error
	// tranEnded makes tran_count answer 0, as after a batch that ended its
	// transaction.
	tranEnded bool
	// before holds functions to run when a statement (by name) is received,
	// before it is answered.
	before map[string]func()
	// Connection bookkeeping.
	opened, closed int
}

func newFakeServer(t *testing.T) *fakeServer {
	s := &fakeServer{t: t, byText: map[string]string{}, fail: map[string][]error{}, nextLoadKey: 41, current: map[string]currentBatch{},
		version: -1, checksums: map[int64]string{}, cleared: map[int64]bool{}, loaded: map[string]bool{}, before: map[string]func(){}}
	for _, set := range []map[string]string{statements, featureStatements} {
		for name, text := range set {
			s.byText[text] = name
		}
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		for i, b := range m.batches {
			s.byText[b] = fmt.Sprintf("schema_%03d_batch_%d", m.version, i+1)
		}
	}
	return s
}

func (s *fakeServer) open(t *testing.T, cfg Config) *Warehouse {
	db := sql.OpenDB(fakeConnector{s})
	t.Cleanup(func() { db.Close() })
	w := newWarehouse(db, cfg)
	w.sleep = func(context.Context, time.Duration) error { return nil }
	return w
}

func (s *fakeServer) failNext(name string, errs ...error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail[name] = append(s.fail[name], errs...)
}

func (s *fakeServer) takeFailure(name string) error {
	if q := s.fail[name]; len(q) > 0 {
		s.fail[name] = q[1:]
		return q[0]
	}
	return nil
}

// names lists the statements run, in order, copies as "copy:<table>".
func (s *fakeServer) names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.calls))
	for i, c := range s.calls {
		out[i] = c.name
	}
	return out
}

// callsOf returns the calls of a statement, in order.
func (s *fakeServer) callsOf(name string) []call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []call
	for _, c := range s.calls {
		if c.name == name {
			out = append(out, c)
		}
	}
	return out
}

func (s *fakeServer) count(name string) int {
	n := 0
	for _, x := range s.names() {
		if x == name {
			n++
		}
	}
	return n
}

// rowsOf returns the committed rows copied into table.
func (s *fakeServer) rowsOf(table string) [][]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out [][]any
	for _, c := range s.copies {
		if c.table == table {
			out = append(out, c.rows...)
		}
	}
	return out
}

func (s *fakeServer) copiesOf(table string) []copied {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []copied
	for _, c := range s.copies {
		if c.table == table {
			out = append(out, c)
		}
	}
	return out
}

var paramRef = regexp.MustCompile(`@p(\d+)`)

// checkArgs fails the test when a statement's arguments do not match its
// @pN placeholders, the bug of a VALUES list with one more ? than columns.
func (s *fakeServer) checkArgs(name, text string, args []driver.NamedValue) error {
	maxRef := 0
	for _, m := range paramRef.FindAllStringSubmatch(text, -1) {
		n, _ := strconv.Atoi(m[1])
		maxRef = max(maxRef, n)
	}
	if maxRef != len(args) {
		return fmt.Errorf("fake: %s has %d placeholders and was given %d arguments", name, maxRef, len(args))
	}
	return nil
}

type fakeConnector struct{ s *fakeServer }

func (c fakeConnector) Connect(context.Context) (driver.Conn, error) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	c.s.opened++
	return &fakeConn{s: c.s, nocount: c.s.nocount, id: c.s.opened}, nil
}

func (c fakeConnector) Driver() driver.Driver { return fakeDriver{} }

type fakeDriver struct{}

func (fakeDriver) Open(string) (driver.Conn, error) {
	return nil, errors.New("fake: use the connector")
}

type fakeConn struct {
	s   *fakeServer
	tx  *fakeTx
	bad bool
	// id numbers the connection (call.conn); session counts its resets
	// (call.session).
	id, session int
	// nocount is the session's NOCOUNT setting (see fakeServer.nocount).
	nocount bool
	// pending holds copies made inside the open transaction, and
	// pendingClears the loads it cleared.
	pending       []copied
	pendingClears []int64
	pendingLoaded []string
}

func (c *fakeConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *fakeConn) PrepareContext(_ context.Context, query string) (driver.Stmt, error) {
	if c.bad {
		return nil, driver.ErrBadConn
	}
	if strings.HasPrefix(query, "INSERTBULK ") {
		var cfg struct {
			TableName   string
			ColumnsName []string
		}
		if err := json.Unmarshal([]byte(query[len("INSERTBULK "):]), &cfg); err != nil {
			return nil, err
		}
		return &fakeCopy{c: c, table: cfg.TableName, cols: cfg.ColumnsName}, nil
	}
	return &fakeStmt{c: c, text: query}, nil
}

func (c *fakeConn) Close() error {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	c.s.closed++
	return nil
}

// ResetSession lets database/sql discard a connection marked bad. It is
// called when the pool hands out a connection again; go-mssqldb then resets
// the session on the server (sp_reset_connection) with the next request,
// which sets the SET options back to the server's defaults, so a new
// session begins.
func (c *fakeConn) ResetSession(context.Context) error {
	if c.bad {
		return driver.ErrBadConn
	}
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	c.session++
	return nil
}

// IsValid tells database/sql not to pool a connection that went bad.
func (c *fakeConn) IsValid() bool { return !c.bad }

func (c *fakeConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *fakeConn) BeginTx(context.Context, driver.TxOptions) (driver.Tx, error) {
	c.tx = &fakeTx{c: c}
	c.record("BEGIN", nil)
	return c.tx, nil
}

// CheckNamedValue accepts every value as it is, so tests see the Go types
// the backend passed.
func (c *fakeConn) CheckNamedValue(*driver.NamedValue) error { return nil }

func (c *fakeConn) record(name string, args []any) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	c.s.calls = append(c.s.calls, call{name: name, args: args, inTx: c.tx != nil, conn: c.id, session: c.session})
}

type fakeTx struct{ c *fakeConn }

func (t *fakeTx) Commit() error {
	t.c.record("COMMIT", nil)
	s := t.c.s
	s.mu.Lock()
	s.copies = append(s.copies, t.c.pending...)
	for _, k := range t.c.pendingClears {
		s.cleared[k] = true
	}
	for _, k := range t.c.pendingLoaded {
		s.loaded[k] = true
	}
	err := s.lostCommit
	s.lostCommit = nil
	s.mu.Unlock()
	t.c.pending, t.c.pendingClears, t.c.pendingLoaded, t.c.tx = nil, nil, nil, nil
	return err
}

func (t *fakeTx) Rollback() error {
	t.c.record("ROLLBACK", nil)
	t.c.pending, t.c.pendingClears, t.c.pendingLoaded, t.c.tx = nil, nil, nil, nil
	return nil
}

type fakeCopy struct {
	c     *fakeConn
	table string
	cols  []string
	rows  [][]any
}

func (f *fakeCopy) Close() error  { return nil }
func (f *fakeCopy) NumInput() int { return -1 }
func (f *fakeCopy) Query([]driver.Value) (driver.Rows, error) {
	return nil, errors.New("fake: a copy has no rows")
}

func (f *fakeCopy) Exec(v []driver.Value) (driver.Result, error) {
	if len(v) > 0 {
		if len(v) != len(f.cols) {
			return nil, fmt.Errorf("fake: %s row has %d values for %d columns", f.table, len(v), len(f.cols))
		}
		row := make([]any, len(v))
		for i, x := range v {
			row[i] = x
		}
		f.rows = append(f.rows, row)
		return driver.RowsAffected(0), nil
	}
	name := "copy:" + f.table
	f.c.record(name, nil)
	f.c.s.mu.Lock()
	err := f.c.s.takeFailure(name)
	f.c.s.mu.Unlock()
	if err != nil {
		if errors.Is(err, driver.ErrBadConn) {
			f.c.bad = true
		}
		return nil, err
	}
	cp := copied{table: f.table, cols: f.cols, rows: f.rows, inTx: f.c.tx != nil}
	if f.c.tx != nil {
		f.c.pending = append(f.c.pending, cp)
	} else {
		f.c.s.mu.Lock()
		f.c.s.copies = append(f.c.s.copies, cp)
		f.c.s.mu.Unlock()
	}
	return f.c.affected(int64(len(f.rows))), nil
}

// affected is the count the driver reports for n rows: none under
// NOCOUNT ON.
func (c *fakeConn) affected(n int64) driver.RowsAffected {
	if c.nocount {
		return 0
	}
	return driver.RowsAffected(n)
}

// nocountSet finds the session's SET NOCOUNT statements.
var nocountSet = regexp.MustCompile(`(?im)^\s*SET\s+NOCOUNT\s+(ON|OFF)\s*;?\s*$`)

type fakeStmt struct {
	c    *fakeConn
	text string
}

func (f *fakeStmt) Close() error  { return nil }
func (f *fakeStmt) NumInput() int { return -1 }

func (f *fakeStmt) Exec([]driver.Value) (driver.Result, error) {
	return nil, errors.New("fake: use ExecContext")
}

func (f *fakeStmt) Query([]driver.Value) (driver.Rows, error) {
	return nil, errors.New("fake: use QueryContext")
}

func (f *fakeStmt) start(args []driver.NamedValue) (string, []any, error) {
	s := f.c.s
	name, ok := s.byText[f.text]
	if !ok {
		if m := findingsInsert.FindStringSubmatch(f.text); m != nil {
			name = "insert_findings"
		} else {
			return "", nil, fmt.Errorf("fake: statement is not in the registry:\n%s", f.text)
		}
	}
	vals := make([]any, len(args))
	for i, a := range args {
		vals[i] = a.Value
	}
	f.c.record(name, vals)
	s.mu.Lock()
	hook := s.before[name]
	s.mu.Unlock()
	if hook != nil {
		hook()
	}
	if err := s.checkArgs(name, f.text, args); err != nil {
		s.t.Error(err)
		return name, vals, err
	}
	s.mu.Lock()
	err := s.takeFailure(name)
	s.mu.Unlock()
	if errors.Is(err, driver.ErrBadConn) {
		f.c.bad = true
	}
	return name, vals, err
}

var findingsInsert = regexp.MustCompile(`^INSERT INTO dbo\.meta_data_validation_log`)

func (f *fakeStmt) ExecContext(_ context.Context, args []driver.NamedValue) (driver.Result, error) {
	name, vals, err := f.start(args)
	if err != nil {
		return nil, err
	}
	switch name {
	case "insert_facts":
		return f.c.affected(f.c.stagedCells(vals[0].(int64), vals[3].(string))), nil
	case "upsert_batch_qc":
		if vals[2] == "LOADED" && f.c.tx != nil {
			f.c.pendingLoaded = append(f.c.pendingLoaded, fmt.Sprint(vals[0], "/", vals[1], "/", vals[3]))
		}
	case "clear_load":
		k := vals[0].(int64)
		if f.c.tx != nil {
			f.c.pendingClears = append(f.c.pendingClears, k)
		} else {
			f.c.s.mu.Lock()
			f.c.s.cleared[k] = true
			f.c.s.mu.Unlock()
		}
	case "session_options":
		for _, m := range nocountSet.FindAllStringSubmatch(f.text, -1) {
			f.c.nocount = strings.EqualFold(m[1], "ON")
		}
	case "schema_version_table":
		s := f.c.s
		s.version = max(s.version, 0)
	case "schema_version_write":
		f.c.s.version = int64(vals[0].(int32))
	case "schema_version_record":
		v := int64(vals[0].(int32))
		f.c.s.version = v
		f.c.s.checksums[v] = vals[2].(string)
	case "schema_checksum_write":
		v := int64(vals[1].(int32))
		if _, ok := f.c.s.checksums[v]; !ok {
			f.c.s.checksums[v] = vals[0].(string)
		}
	case "rcsi_enable":
		f.c.s.rcsi = true
	}
	return driver.RowsAffected(0), nil
}

// stagedCells counts the committed staged cells of a study in a load.
func (c *fakeConn) stagedCells(loadKey int64, study string) int64 {
	cols := map[int32]bool{}
	for _, r := range c.s.rowsOf("staging.matrix_columns") {
		if r[0].(int64) == loadKey && r[3].(string) == study {
			cols[r[1].(int32)] = true
		}
	}
	var n int64
	for _, r := range c.s.rowsOf("staging.expression_values") {
		if r[0].(int64) == loadKey && cols[r[2].(int32)] {
			n++
		}
	}
	return n
}

func (f *fakeStmt) QueryContext(_ context.Context, args []driver.NamedValue) (driver.Rows, error) {
	name, vals, err := f.start(args)
	if err != nil {
		return nil, err
	}
	s := f.c.s
	one := func(v ...driver.Value) (driver.Rows, error) { return &fakeRows{rows: [][]driver.Value{v}}, nil }
	switch name {
	case "next_load_key":
		s.mu.Lock()
		s.nextLoadKey++
		k := s.nextLoadKey
		s.mu.Unlock()
		return one(k)
	case "load_lock", "publish_lock", "migrate_lock":
		return one(int64(s.lockResult))
	case "tran_count":
		if s.tranEnded {
			return one(int64(0))
		}
		return one(int64(1))
	case "load_lock_wait":
		return one(int64(s.lockResult))
	case "loaded_by":
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.loaded[fmt.Sprint(vals[0], "/", vals[1], "/", vals[2])] {
			return one(int64(1))
		}
		return one(int64(0))
	case "stale_loads":
		r := &fakeRows{}
		for _, k := range s.stale {
			r.rows = append(r.rows, []driver.Value{k})
		}
		return r, nil
	case "staged_lines":
		k := vals[0].(int64)
		var lo, hi, n int64
		for _, r := range s.rowsOf("staging.expression_values") {
			if r[0].(int64) != k {
				continue
			}
			line := r[1].(int64)
			if n == 0 || line < lo {
				lo = line
			}
			hi = max(hi, line)
			n++
		}
		if n == 0 {
			return one(nil, nil, int64(0))
		}
		return one(lo, hi, n)
	case "staged_counts":
		k := vals[0].(int64)
		count := func(table string) int64 {
			var n int64
			for _, r := range s.rowsOf(table) {
				if r[0].(int64) == k {
					n++
				}
			}
			return n
		}
		return one(count("staging.expression_values"), count("staging.matrix_rows"), count("staging.matrix_columns"))
	case "duplicate_keys":
		return one(int64(0), int64(0))
	case "missing_samples":
		if s.missing != "" {
			return one(s.missing)
		}
		return &fakeRows{}, nil
	case "read_batches":
		return f.c.readBatches(vals[0].(int64)), nil
	case "schema_version_exists":
		if s.version < 0 {
			return one(int64(0))
		}
		return one(int64(1))
	case "schema_version_read":
		return one(max(s.version, 0))
	case "schema_checksums":
		r := &fakeRows{}
		for v := int64(1); v <= s.version; v++ {
			if sum, ok := s.checksums[v]; ok {
				r.rows = append(r.rows, []driver.Value{v, sum})
			}
		}
		return r, nil
	case "rcsi_read":
		return one(s.rcsi)
	case "status_studies", "status_studies_v2":
		// meta_batch has load_signature from version 3 on; before, SQL
		// Server refuses to compile a statement naming it.
		if name == "status_studies" && s.version < 3 {
			return nil, mssqldrv.Error{Number: 207, Class: 16, Message: "Invalid column name 'load_signature'."}
		}
		sig := "sig"
		if name == "status_studies_v2" {
			sig = ""
		}
		return one("GSE1", "GSE1-h1", sig, int64(2), int64(3), int64(6), time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	case "status_steps":
		return &fakeRows{}, nil
	case "failed_attempts":
		return one(s.attempts)
	case "health_failures":
		return one(s.failedSteps, s.failedRuns, s.resolvedSteps)
	case "health_runs":
		return &fakeRows{rows: s.runs}, nil
	case "health_open":
		return &fakeRows{rows: s.openFailures}, nil
	case "health_features":
		return &fakeRows{rows: s.featureStudies}, nil
	case "feature_target":
		if row, ok := s.featureTarget[fmt.Sprint(vals[0])]; ok {
			return one(row...)
		}
		return &fakeRows{}, nil
	case "feature_fingerprint":
		return one(s.featureInput[int64(vals[0].(int32))])
	}
	return nil, fmt.Errorf("fake: no answer scripted for query %s", name)
}

// readBatches answers stmtReadBatches from the batches copied in the open
// transaction, as stmtClassifyBatches decides them: a duplicate has the
// current batch's id and load signature; study keys count from 1 in copy
// order.
func (c *fakeConn) readBatches(loadKey int64) driver.Rows {
	r := &fakeRows{}
	for _, cp := range c.pending {
		if cp.table != "staging.load_batches" {
			continue
		}
		sig := slices.Index(cp.cols, "load_signature")
		for i, row := range cp.rows {
			if row[0].(int64) != loadKey {
				continue
			}
			study, id := row[1].(string), row[2].(string)
			prev := c.s.current[study]
			outcome := "new"
			switch {
			case prev.id == id && sig >= 0 && prev.signature == row[sig]:
				outcome = "duplicate"
			case prev.id != "":
				outcome = "replaced"
			}
			r.rows = append(r.rows, []driver.Value{study, id, outcome, prev.id, int64(i + 1)})
		}
	}
	return r
}

type fakeRows struct {
	rows [][]driver.Value
	i    int
}

func (r *fakeRows) Columns() []string {
	if len(r.rows) == 0 {
		return []string{"c"}
	}
	return make([]string, len(r.rows[0]))
}

func (r *fakeRows) Close() error { return nil }

func (r *fakeRows) Next(dest []driver.Value) error {
	if r.i >= len(r.rows) {
		return io.EOF
	}
	copy(dest, r.rows[r.i])
	r.i++
	return nil
}
