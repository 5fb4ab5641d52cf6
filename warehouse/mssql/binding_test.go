package mssql

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// SQL Server binds every name of a statement when it compiles it: a column
// an alias does not have (Msg 207), an alias that is not in scope (Msg
// 4104), a table no migration created (Msg 208), an INSERT whose column list
// and values differ in number (Msg 120/121/110), an assignment to a computed
// or IDENTITY column (Msg 271/8102). None of that fails before a server runs
// the statement, and no server runs here.
//
// This file checks it statically, over the statements the collation check
// reads (the golden set: every fixed and generated statement, every bulk
// copy, every migration batch with its views). It walks each statement
// clause by clause with the lexer and scope resolver of collation_test.go,
// replays the migrations to know each table's columns where a batch runs
// (SQL Server compiles a batch before running it, so a statement that reads
// a table existing when the batch starts sees its columns as they were
// then; one that reads a table created in the same batch is compiled when
// it runs, after the statements before it), and checks every name: tables,
// views, sequences, partition schemes, functions, procedures and their
// parameters, and every column reference, qualified or not. A word it
// cannot classify, and a statement of a shape it does not know, fail the
// test: nothing passes because the checker did not look.
//
// What it does not model: a bare column name whose sources in scope include
// one whose columns it cannot list (a system catalog view it knows only in
// part) is skipped and counted; ON clauses may name every source of their
// FROM, not only those joined so far; types and implicit conversions are
// not checked (rows_test.go and the collation check cover what matters of
// those).

// bindCol is one column of a table or view.
type bindCol struct {
	name                string
	identity, computed  bool
	notNull, hasDefault bool
}

type bindTable struct {
	name string
	cols []bindCol
	view bool
}

func (t *bindTable) col(name string) (bindCol, bool) {
	for _, c := range t.cols {
		if c.name == name {
			return c, true
		}
	}
	return bindCol{}, false
}

func (t *bindTable) names() []string {
	out := make([]string, len(t.cols))
	for i, c := range t.cols {
		out[i] = c.name
	}
	return out
}

// bindSchema is the database as the migrations leave it at one point.
type bindSchema struct {
	tables  map[string]*bindTable // "schema.name", tables and views
	objects map[string]string     // sequences, partition functions and schemes, indexes ("table/index"): their kind
	schemas map[string]bool
}

func newBindSchema() *bindSchema {
	return &bindSchema{tables: map[string]*bindTable{}, objects: map[string]string{}, schemas: map[string]bool{"dbo": true}}
}

func (s *bindSchema) clone() *bindSchema {
	c := newBindSchema()
	for k, t := range s.tables {
		c.tables[k] = &bindTable{name: t.name, cols: slices.Clone(t.cols), view: t.view}
	}
	for k, v := range s.objects {
		c.objects[k] = v
	}
	for k := range s.schemas {
		c.schemas[k] = true
	}
	return c
}

// The objects outside the schema the statements may name: each one is
// SQL Server's own, documented, and present in every database.
var (
	// systemTables are catalog views, with the columns the backend reads.
	systemTables = map[string][]string{
		// SELECT … FROM sys.databases WHERE database_id = DB_ID() (rcsi_read).
		"sys.databases": {"name", "database_id", "is_read_committed_snapshot_on", "collation_name", "compatibility_level"},
	}
	// systemProcs are system procedures, with their parameters.
	systemProcs = map[string][]string{
		"sp_getapplock":     {"@resource", "@lockmode", "@lockowner", "@locktimeout", "@dbprincipal"},
		"sp_releaseapplock": {"@resource", "@lockowner", "@dbprincipal"},
	}
	// builtinFuncs are the built-in functions the statements call; a name
	// not here is a function no migration creates.
	builtinFuncs = wordSet(`ABS APPLOCK_TEST AVG CAST CEILING COALESCE CONCAT CONVERT COUNT COUNT_BIG DATEADD DATEDIFF DB_ID
		FLOOR HASHBYTES HOST_NAME IIF INDEXPROPERTY ISJSON ISNULL JSON_VALUE LEN LOG LOWER MAX MIN NULLIF OBJECT_ID
		PERCENTILE_CONT POWER ROUND ROW_NUMBER SCHEMA_ID SQRT STDEV STRING_AGG SUM SYSUTCDATETIME TRY_CONVERT UPPER VAR`)
	sqlTypes = wordSet(`BIGINT BINARY BIT CHAR DATE DATETIME DATETIME2 DATETIMEOFFSET DECIMAL FLOAT INT MONEY NCHAR NUMERIC
		NVARCHAR REAL SMALLINT SYSNAME TIME TINYINT UNIQUEIDENTIFIER VARBINARY VARCHAR`)
	// sessionOptions are the SET options a statement may switch ON or OFF.
	sessionOptions = wordSet(`ANSI_NULLS ANSI_PADDING ANSI_WARNINGS ARITHABORT CONCAT_NULL_YIELDS_NULL FMTONLY NOCOUNT
		NUMERIC_ROUNDABORT QUOTED_IDENTIFIER XACT_ABORT`)
	tableHints = wordSet(`HOLDLOCK NOLOCK PAGLOCK READCOMMITTED READPAST REPEATABLEREAD ROWLOCK SERIALIZABLE TABLOCK TABLOCKX UPDLOCK XLOCK`)
	// exprWords are the keywords an expression may hold.
	exprWords = wordSet(`ALL AND ANY AS ASC BETWEEN BY CASE CURRENT DESC DISTINCT ELSE END ESCAPE EXISTS FOLLOWING GROUP IN IS
		LIKE NOT NULL OR ORDER OVER PARTITION PRECEDING RANGE ROW ROWS SOME THEN UNBOUNDED WHEN WITHIN`)
	// stmtStarts begin a statement where no ';' ends the one before.
	stmtStarts   = wordSet(`ALTER BEGIN COMMIT CREATE DECLARE DELETE DROP EXEC EXECUTE IF INSERT MERGE PRINT RETURN ROLLBACK SELECT SET UPDATE`)
	fromEnds     = wordSet(`WHERE GROUP HAVING ORDER OPTION`)
	joinWords    = wordSet(`INNER LEFT RIGHT FULL OUTER CROSS JOIN APPLY`)
	createSchema = regexp.MustCompile(`^N?'CREATE SCHEMA (\w+) AUTHORIZATION dbo'$`)
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

func upper(t sqlTok) string {
	if t.kind != tkWord {
		return ""
	}
	return strings.ToUpper(t.s)
}

// bindCounts is what the check verified, per statement kind.
type bindCounts struct {
	statements int
	qualified  int // alias.column and schema.table.column
	bare       int // unqualified columns, decided
	skipped    int // unqualified columns it could not decide
	lists      int // INSERT, MERGE INSERT, index, key and bulk column lists' names
	assigns    int // SET targets
	objects    int // tables, views, sequences, schemes, functions, procedures
}

func (c *bindCounts) add(o bindCounts) {
	c.statements += o.statements
	c.qualified += o.qualified
	c.bare += o.bare
	c.skipped += o.skipped
	c.lists += o.lists
	c.assigns += o.assigns
	c.objects += o.objects
}

// binder checks one statement.
type binder struct {
	sch     *bindSchema // what the statement binds to
	now     *bindSchema // the schema where the statement runs (DDL reads it)
	cc      *collChecker
	errs    []string
	n       bindCounts
	used    map[string]bool // the tables and views the statement reads or writes
	effects []func(*bindSchema)
	pending *bindTable // the table a CREATE TABLE defines, for its own constraints
	underIf bool
	hidden  map[*sqlScope]map[string]bool // aliases an UNPIVOT replaced
	unpivot map[*sqlSource]*unpivotSpec
	last    []string // the output names of the last top-level SELECT walked
	lastN   int
	// objectIDs are the names OBJECT_ID looks up: tables or views that
	// exist, or that the statement itself creates (IF OBJECT_ID … IS NULL).
	objectIDs []string
}

type unpivotSpec struct {
	base      *sqlSource
	value, by string
	in        []string
}

func (b *binder) errf(format string, args ...any) {
	b.errs = append(b.errs, fmt.Sprintf(format, args...))
}

// lookupTable finds a table or view as the statement binds it.
func (b *binder) lookupTable(name string) *bindTable {
	if b.pending != nil && b.pending.name == name {
		return b.pending
	}
	if t := b.sch.tables[name]; t != nil {
		return t
	}
	if cols, ok := systemTables[name]; ok {
		t := &bindTable{name: name}
		for _, c := range cols {
			t.cols = append(t.cols, bindCol{name: c})
		}
		return t
	}
	return nil
}

// table checks a table or view name (rule 4) and returns it.
func (b *binder) table(word string) *bindTable {
	name := strings.ToLower(word)
	if !strings.Contains(name, ".") {
		name = "dbo." + name // the default schema
	}
	b.used[name] = true
	b.n.objects++
	t := b.lookupTable(name)
	if t == nil {
		b.errf("table or view %s: no migration creates it", word)
	}
	return t
}

// tableOrCTE checks the name of a table source.
func (b *binder) tableOrCTE(word string, sc *sqlScope) {
	if !strings.Contains(word, ".") && b.cc.lookupCTE(sc, strings.ToLower(word)) != nil {
		b.n.objects++
		return
	}
	b.table(word)
}

// sourceCols lists the columns of a source; ok is false when it cannot.
func (b *binder) sourceCols(src *sqlSource) ([]string, bool) {
	switch {
	case src.table != "":
		if t := b.lookupTable(src.table); t != nil {
			return t.names(), true
		}
		return nil, true // reported where it is named
	case src.opaque != "":
		u := b.unpivot[src]
		if u == nil {
			return nil, false
		}
		base, ok := b.sourceCols(u.base)
		if !ok {
			return nil, false
		}
		var out []string
		for _, c := range base {
			if !slices.Contains(u.in, c) {
				out = append(out, c)
			}
		}
		return append(out, u.value, u.by), true
	case src.values:
		return src.names, true
	}
	if len(src.node.segs) == 0 {
		return nil, false
	}
	_, names, _, ok := selectList(src.node.segs[0].toks)
	if !ok || slices.Contains(names, "*") {
		return nil, false
	}
	return names, true
}

func describe(src *sqlSource) string {
	switch {
	case src.table != "":
		return src.table
	case src.values:
		return "the VALUES list"
	case src.opaque != "":
		return "the " + src.opaque
	}
	return "the derived table or CTE"
}

// column checks one column reference (rules 1 and 5).
func (b *binder) column(word string, sc *sqlScope, out []string) {
	parts := strings.Split(strings.ToLower(word), ".")
	switch len(parts) {
	case 1:
		b.bareColumn(word, parts[0], sc, out)
	case 2, 3:
		alias, col := parts[len(parts)-2], parts[len(parts)-1]
		for s := sc; s != nil; s = s.parent {
			src, ok := s.aliases[alias]
			if !ok || b.hidden[s][alias] {
				continue
			}
			if len(parts) == 3 && src.table != parts[0]+"."+parts[1] {
				b.errf("%s: %s.%s is not a source in scope under that name", word, parts[0], parts[1])
				return
			}
			cols, ok := b.sourceCols(src)
			if !ok {
				b.errf("%s: the check cannot list the columns of %s", word, describe(src))
				return
			}
			if cols != nil && !slices.Contains(cols, col) {
				b.errf("%s: %s (alias %s) has no column %s", word, describe(src), alias, col)
				return
			}
			b.n.qualified++
			return
		}
		b.errf("%s: no table or alias %s in scope", word, alias)
	default:
		b.errf("%s: a name of %d parts", word, len(parts))
	}
}

func (b *binder) bareColumn(word, col string, sc *sqlScope, out []string) {
	if slices.Contains(out, col) {
		b.n.bare++ // an output alias, where ORDER BY may name one
		return
	}
	for s := sc; s != nil; s = s.parent {
		var hits []string
		undecided := false
		for alias, src := range s.aliases {
			if b.hidden[s][alias] {
				continue
			}
			cols, ok := b.sourceCols(src)
			if !ok {
				undecided = true
				continue
			}
			if slices.Contains(cols, col) {
				hits = append(hits, alias)
			}
		}
		switch {
		case len(hits) > 1:
			sort.Strings(hits)
			b.errf("%s: ambiguous, a column of %s", word, strings.Join(hits, " and "))
			return
		case len(hits) == 1:
			b.n.bare++
			return
		case undecided:
			b.n.skipped++
			return
		}
	}
	b.errf("%s: no source in scope has this column", word)
}

// expr checks every name in an expression.
func (b *binder) expr(ts []sqlTok, sc *sqlScope, out []string) {
	for i := 0; i < len(ts); i++ {
		t := ts[i]
		switch t.kind {
		case tkLit, tkNum, tkComma, tkOp:
			continue
		case tkSemi:
			b.errf("a ';' inside an expression")
			continue
		case tkGroup:
			b.group(t.group, sc)
			continue
		}
		up := strings.ToUpper(t.s)
		next := sqlTok{kind: tkSemi}
		if i+1 < len(ts) {
			next = ts[i+1]
		}
		switch {
		case strings.HasPrefix(t.s, "@"):
		case up == "COLLATE":
			i++
		case up == "NEXT" && i+3 < len(ts) && isWord(ts[i+1], "VALUE") && isWord(ts[i+2], "FOR"):
			b.n.objects++
			if b.sch.objects[strings.ToLower(ts[i+3].s)] != "sequence" {
				b.errf("NEXT VALUE FOR %s: no migration creates this sequence", ts[i+3].s)
			}
			i += 3
		case strings.HasSuffix(t.s, ".") && next.kind == tkOp && next.s == "*":
			b.column(t.s+"*", sc, nil) // checks the alias; a column named * is not looked for
			i++
		case exprWords[up]:
		case next.kind == tkGroup:
			b.call(t.s, next.group, sc)
			i++
		case up == "CURRENT_TIMESTAMP":
		case isKeyword(t):
			b.errf("%s: a keyword the check does not expect in an expression", t.s)
		default:
			b.column(t.s, sc, out)
		}
	}
}

// group checks a parenthesized part of an expression.
func (b *binder) group(g *sqlNode, sc *sqlScope) {
	if startsWith(g, "SELECT") || startsWith(g, "WITH") {
		b.query(g, "")
		return
	}
	b.expr(g.toks, sc, nil)
}

// call checks a function call: the function exists and its arguments bind.
func (b *binder) call(name string, args *sqlNode, sc *sqlScope) {
	up := strings.ToUpper(name)
	b.n.objects++
	if !builtinFuncs[up] {
		b.errf("%s(…): no such built-in function, and no migration creates one", name)
		return
	}
	items := splitItems(args.toks)
	switch up {
	case "CONVERT", "TRY_CONVERT":
		b.typeName(items[0])
		for _, it := range items[1:] {
			b.expr(it, sc, nil)
		}
	case "CAST":
		for k, t := range args.toks {
			if isWord(t, "AS") {
				b.expr(args.toks[:k], sc, nil)
				b.typeName(args.toks[k+1:])
				return
			}
		}
		b.errf("CAST without AS")
	case "COUNT", "COUNT_BIG":
		if len(args.toks) == 1 && args.toks[0].kind == tkOp && args.toks[0].s == "*" {
			return
		}
		b.expr(args.toks, sc, nil)
	case "OBJECT_ID":
		if len(items[0]) == 1 && items[0][0].kind == tkLit {
			lit := items[0][0].s
			obj := strings.ToLower(strings.Trim(strings.TrimPrefix(lit, "N"), "'"))
			b.objectIDs = append(b.objectIDs, obj)
		}
		b.expr(args.toks, sc, nil)
	default:
		b.expr(args.toks, sc, nil)
	}
}

// typeName checks a data type: a word and its (length) group.
func (b *binder) typeName(ts []sqlTok) {
	if len(ts) == 0 || ts[0].kind != tkWord || !sqlTypes[strings.ToUpper(ts[0].s)] ||
		len(ts) > 2 || len(ts) == 2 && ts[1].kind != tkGroup {
		b.errf("%s: not a data type", tokText(ts))
	}
}

// outputName is the name a select item gives its column, and the item
// without its alias; "" for an unnamed expression.
func outputName(item []sqlTok) (string, []sqlTok) {
	n := len(item)
	switch {
	case n == 0:
		return "", item
	case n >= 2 && isWord(item[n-2], "AS"):
		return strings.ToLower(item[n-1].s), item[:n-2]
	case n == 1 && item[0].kind == tkOp && item[0].s == "*":
		return "*", nil
	case n == 2 && item[0].kind == tkWord && strings.HasSuffix(item[0].s, ".") && item[1].kind == tkOp && item[1].s == "*":
		return "*", item
	case n == 1 && item[0].kind == tkWord && !strings.HasPrefix(item[0].s, "@") && !isKeyword(item[0]):
		w := strings.ToLower(item[0].s)
		return w[strings.LastIndexByte(w, '.')+1:], item
	case n >= 2 && item[n-1].kind == tkWord && !isKeyword(item[n-1]) && !strings.HasPrefix(item[n-1].s, "@"):
		p := item[n-2]
		if p.kind == tkGroup || p.kind == tkLit || p.kind == tkNum || isWord(p, "END") || p.kind == tkWord && !isKeyword(p) {
			return strings.ToLower(item[n-1].s), item[:n-1]
		}
	}
	return "", item
}

// selectList reads the select list that starts at ts[0] (SELECT): its
// items without their aliases, the output names, and where it ends.
func selectList(ts []sqlTok) (items [][]sqlTok, names []string, end int, ok bool) {
	if len(ts) == 0 || !isWord(ts[0], "SELECT") {
		return nil, nil, 0, false
	}
	i := 1
	if i < len(ts) && (isWord(ts[i], "DISTINCT") || isWord(ts[i], "ALL")) {
		i++
	}
	if i+1 < len(ts) && isWord(ts[i], "TOP") && ts[i+1].kind == tkGroup {
		i += 2
	}
	start := i
	for i < len(ts) && !isWord(ts[i], "FROM") && !isWord(ts[i], "INTO") && !ends(ts, i, fromEnds) {
		i++
	}
	for _, it := range splitItems(ts[start:i]) {
		name, body := outputName(it)
		items = append(items, body)
		names = append(names, name)
	}
	return items, names, i, true
}

// query checks a subquery, derived table, CTE body or view: each arm of
// its set operations, which must have as many columns as the first. what
// names a derived table, CTE or view, whose columns must all be named,
// once each.
func (b *binder) query(n *sqlNode, what string) {
	width := -1
	for k, seg := range n.segs {
		saveLast, saveN := b.last, b.lastN
		b.last, b.lastN = nil, -1
		b.stmts(seg.toks, seg.scope)
		if b.lastN < 0 {
			b.errf("a subquery that is not a SELECT: %s", tokText(seg.toks))
		}
		if k == 0 {
			width = b.lastN
			if what != "" {
				checkNames(b, what, b.last)
			}
		} else if b.lastN != width {
			b.errf("a set operation of %d and %d columns", width, b.lastN)
		}
		b.last, b.lastN = saveLast, saveN
	}
}

func checkNames(b *binder, what string, names []string) {
	seen := map[string]bool{}
	for i, nm := range names {
		switch {
		case nm == "":
			b.errf("%s: column %d has no name", what, i+1)
		case nm == "*":
		case seen[nm]:
			b.errf("%s: column %s named twice", what, nm)
		}
		seen[nm] = true
	}
}

// stmts checks the statements of one segment.
func (b *binder) stmts(ts []sqlTok, sc *sqlScope) {
	for i := 0; i < len(ts); {
		j := b.stmt(ts, i, sc)
		if j <= i {
			b.errf("the check does not know this statement: %s", tokText(ts[i:]))
			return
		}
		i = j
	}
}

// until returns the index of the first top-level token from i that is one
// of the words in stop, or starts another statement.
func until(ts []sqlTok, i int, stop map[string]bool) int {
	for ; i < len(ts); i++ {
		if ends(ts, i, stop) {
			return i
		}
	}
	return i
}

// ends reports whether ts[i] ends a clause: a word in stop or a statement
// start (WITHIN GROUP is part of an aggregate, not a GROUP BY).
func ends(ts []sqlTok, i int, stop map[string]bool) bool {
	u := upper(ts[i])
	if u == "GROUP" && i > 0 && isWord(ts[i-1], "WITHIN") {
		return false
	}
	return stop[u] || stmtStarts[u]
}

func at(ts []sqlTok, i int) sqlTok {
	if i < len(ts) {
		return ts[i]
	}
	return sqlTok{kind: tkSemi}
}

// stmt checks the statement at ts[i] and returns where it ends.
func (b *binder) stmt(ts []sqlTok, i int, sc *sqlScope) int {
	switch upper(ts[i]) {
	case "SELECT":
		return b.selectStmt(ts, i, sc)
	case "WITH":
		return b.with(ts, i, sc)
	case "INSERT":
		return b.insert(ts, i, sc)
	case "UPDATE":
		return b.update(ts, i, sc)
	case "DELETE":
		return b.delete(ts, i, sc)
	case "MERGE":
		return b.merge(ts, i, sc)
	case "IF":
		j := until(ts, i+1, nil)
		b.expr(ts[i+1:j], sc, nil)
		if j == len(ts) {
			b.errf("IF without a statement")
			return j
		}
		b.underIf = true
		defer func() { b.underIf = false }()
		return b.stmt(ts, j, sc)
	case "EXEC", "EXECUTE":
		return b.exec(ts, i)
	case "DECLARE":
		j := i + 1
		for j < len(ts) && strings.HasPrefix(ts[j].s, "@") {
			k := until(ts, j+1, map[string]bool{})
			for k2 := j + 1; k2 < k; k2++ {
				if ts[k2].kind == tkComma {
					k = k2
				}
			}
			b.typeName(ts[j+1 : k])
			j = k
			if at(ts, j).kind == tkComma {
				j++
			}
		}
		return j
	case "SET":
		if !sessionOptions[upper(at(ts, i+1))] || !(isWord(at(ts, i+2), "ON") || isWord(at(ts, i+2), "OFF")) {
			b.errf("SET %s: not a session option the check knows", at(ts, i+1).s)
			return len(ts)
		}
		return i + 3
	case "ALTER":
		if isWord(at(ts, i+1), "DATABASE") {
			return b.alterDatabase(ts, i)
		}
		if isWord(at(ts, i+1), "TABLE") {
			return b.alterTable(ts, i)
		}
	case "CREATE":
		return b.create(ts, i, sc)
	}
	return i
}

func (b *binder) selectStmt(ts []sqlTok, i int, sc *sqlScope) int {
	items, names, end, _ := selectList(ts[i:])
	if i+2 < len(ts) && isWord(ts[i+1], "TOP") && ts[i+2].kind == tkGroup {
		b.group(ts[i+2].group, sc)
	}
	for _, it := range items {
		b.expr(it, sc, nil)
	}
	b.last, b.lastN = names, len(names)
	i += end
	for i < len(ts) && !stmtStarts[upper(ts[i])] {
		switch upper(ts[i]) {
		case "FROM":
			j := until(ts, i+1, fromEnds)
			b.from(ts[i+1:j], sc)
			i = j
		case "WHERE", "HAVING":
			j := until(ts, i+1, fromEnds)
			b.expr(ts[i+1:j], sc, nil)
			i = j
		case "GROUP", "ORDER":
			if !isWord(at(ts, i+1), "BY") {
				b.errf("%s without BY", ts[i].s)
				return len(ts)
			}
			var out []string
			if isWord(ts[i], "ORDER") {
				out = names
			}
			j := until(ts, i+2, fromEnds)
			b.expr(ts[i+2:j], sc, out)
			i = j
		case "OPTION":
			if g := at(ts, i+1); g.kind != tkGroup || !queryHints(g.group.toks) {
				b.errf("OPTION %s: not a query hint the check knows", tokText(ts[i+1:min(i+2, len(ts))]))
				return len(ts)
			}
			i += 2
		default:
			b.errf("%s: a clause the check does not know", ts[i].s)
			return len(ts)
		}
	}
	return i
}

// queryHints reports whether ts, the inside of an OPTION clause, is a
// list of hints SQL Server knows by that name alone.
func queryHints(ts []sqlTok) bool {
	for i, t := range ts {
		if i%2 == 1 {
			if t.kind != tkComma {
				return false
			}
		} else if !isWord(t, "RECOMPILE") {
			return false
		}
	}
	return len(ts)%2 == 1
}

// with checks the CTEs, then the statement they belong to.
func (b *binder) with(ts []sqlTok, i int, sc *sqlScope) int {
	i++
	for {
		if at(ts, i).kind != tkWord || !isWord(at(ts, i+1), "AS") || at(ts, i+2).kind != tkGroup {
			b.errf("WITH: a CTE the check does not know: %s", tokText(ts[i:min(i+3, len(ts))]))
			return len(ts)
		}
		b.query(ts[i+2].group, "CTE "+ts[i].s)
		i += 3
		if at(ts, i).kind != tkComma {
			break
		}
		i++
	}
	return b.stmt(ts, i, sc)
}

// from checks a FROM clause: its tables, derived tables and ON conditions.
func (b *binder) from(ts []sqlTok, sc *sqlScope) {
	expect := true
	for i := 0; i < len(ts); {
		t := ts[i]
		switch {
		case expect:
			i = b.source(ts, i, sc)
			expect = false
		case t.kind == tkComma:
			expect = true
			i++
		case isWord(t, "JOIN") || isWord(t, "APPLY"):
			expect = true
			i++
		case joinWords[upper(t)]:
			i++
		case isWord(t, "ON"):
			j := i + 1
			for j < len(ts) && !joinWords[upper(ts[j])] && ts[j].kind != tkComma {
				j++
			}
			b.expr(ts[i+1:j], sc, nil)
			i = j
		case isWord(t, "UNPIVOT") && at(ts, i+1).kind == tkGroup:
			i += 2
			if isWord(at(ts, i), "AS") {
				i++
			}
			i++ // the alias, read by prepareUnpivots
		default:
			b.errf("FROM: %s where the check expects a join", tokText(ts[i:]))
			return
		}
	}
}

// source checks one table source and returns where it ends.
func (b *binder) source(ts []sqlTok, i int, sc *sqlScope) int {
	t := ts[i]
	var values *sqlNode
	switch {
	case t.kind == tkWord && !isKeyword(t):
		b.tableOrCTE(t.s, sc)
		i++
		if isWord(at(ts, i), "WITH") && at(ts, i+1).kind == tkGroup {
			b.hints(ts[i+1].group)
			i += 2
		}
	case t.kind == tkGroup && startsWith(t.group, "VALUES"):
		values = t.group
		i++
	case t.kind == tkGroup:
		alias := "derived table"
		if j := i + 1; isWord(at(ts, j), "AS") {
			alias += " " + at(ts, j+1).s
		} else if at(ts, j).kind == tkWord {
			alias += " " + at(ts, j).s
		}
		b.query(t.group, alias)
		i++
	default:
		b.errf("FROM: %s is not a table source", tokText(ts[i:]))
		return len(ts)
	}
	if isWord(at(ts, i), "AS") {
		i++
	}
	if a := at(ts, i); a.kind == tkWord && !isKeyword(a) {
		i++
	}
	if values != nil {
		width := -1
		if at(ts, i).kind == tkGroup {
			width = len(splitItems(ts[i].group.toks))
			i++
		} else {
			b.errf("VALUES without a column list")
		}
		b.valuesRows(values.toks[1:], width, sc, "VALUES")
	}
	return i
}

// valuesRows checks the rows of a VALUES list: each has width items.
func (b *binder) valuesRows(ts []sqlTok, width int, sc *sqlScope, what string) {
	for k, t := range ts {
		if k%2 == 1 {
			if t.kind != tkComma {
				b.errf("%s: %s between rows", what, t.s)
			}
			continue
		}
		if t.kind != tkGroup {
			b.errf("%s: %s where a row belongs", what, tokText([]sqlTok{t}))
			continue
		}
		row := splitItems(t.group.toks)
		if width >= 0 && len(row) != width {
			b.errf("%s: row %d has %d values for %d columns", what, k/2+1, len(row), width)
		}
		b.expr(t.group.toks, sc, nil)
	}
}

func (b *binder) hints(g *sqlNode) {
	for _, t := range g.toks {
		if t.kind == tkComma {
			continue
		}
		if !tableHints[upper(t)] {
			b.errf("WITH (%s): not a table hint", tokText(g.toks))
			return
		}
	}
}

// target checks the columns a statement writes into t (rules 2 and 3).
func (b *binder) target(t *bindTable, cols []sqlTok, what string) []string {
	var names []string
	for _, c := range cols {
		if c.kind == tkComma {
			continue
		}
		if c.kind != tkWord {
			b.errf("%s: %s in a column list", what, tokText([]sqlTok{c}))
			continue
		}
		name := strings.ToLower(c.s)
		b.n.lists++
		if slices.Contains(names, name) {
			b.errf("%s: column %s named twice", what, c.s)
		}
		names = append(names, name)
		b.writable(t, name, what)
	}
	return names
}

// writable checks that a statement may write column name of t.
func (b *binder) writable(t *bindTable, name, what string) {
	if t == nil {
		return
	}
	col, ok := t.col(name)
	switch {
	case !ok:
		b.errf("%s: %s has no column %s", what, t.name, name)
	case col.computed:
		b.errf("%s: %s.%s is a computed column and cannot be written", what, t.name, name)
	case col.identity:
		b.errf("%s: %s.%s is an IDENTITY column and cannot be written", what, t.name, name)
	}
}

// omitted checks that an INSERT's column list leaves out no column that
// must be given: NOT NULL, with no default, not filled by the server.
func (b *binder) omitted(t *bindTable, names []string, what string) {
	if t == nil {
		return
	}
	for _, c := range t.cols {
		if c.notNull && !c.hasDefault && !c.identity && !c.computed && !slices.Contains(names, c.name) {
			b.errf("%s: leaves out %s.%s, which is NOT NULL and has no default", what, t.name, c.name)
		}
	}
}

func (b *binder) insert(ts []sqlTok, i int, sc *sqlScope) int {
	i++
	if isWord(at(ts, i), "BULK") {
		return b.insertBulk(ts, i+1)
	}
	if isWord(at(ts, i), "INTO") {
		i++
	}
	if at(ts, i).kind != tkWord {
		b.errf("INSERT without a table")
		return len(ts)
	}
	what := "INSERT INTO " + ts[i].s
	t := b.table(ts[i].s)
	i++
	if isWord(at(ts, i), "WITH") && at(ts, i+1).kind == tkGroup {
		b.hints(ts[i+1].group)
		i += 2
	}
	var names []string
	if g := at(ts, i); g.kind == tkGroup {
		names = b.target(t, g.group.toks, what)
		i++
	} else if t != nil {
		b.errf("%s: no column list", what)
		return len(ts)
	}
	b.omitted(t, names, what)
	switch {
	case isWord(at(ts, i), "VALUES"):
		j := i + 1
		for j < len(ts) && !stmtStarts[upper(ts[j])] {
			j++
		}
		b.valuesRows(ts[i+1:j], len(names), sc, what)
		return j
	case isWord(at(ts, i), "SELECT"):
		j := b.selectStmt(ts, i, sc)
		if b.lastN != len(names) {
			b.errf("%s: %d columns, and the SELECT gives %d", what, len(names), b.lastN)
		}
		return j
	}
	b.errf("%s: neither VALUES nor SELECT follows", what)
	return len(ts)
}

// insertBulk checks what go-mssqldb sends for a bulk copy.
func (b *binder) insertBulk(ts []sqlTok, i int) int {
	if at(ts, i).kind != tkWord || at(ts, i+1).kind != tkGroup {
		b.errf("INSERT BULK of a shape the check does not know")
		return len(ts)
	}
	t := b.table(ts[i].s)
	what := "INSERT BULK " + ts[i].s
	var names []string
	for _, item := range splitItems(ts[i+1].group.toks) {
		if len(item) == 0 || item[0].kind != tkWord {
			b.errf("%s: %s in the column list", what, tokText(item))
			continue
		}
		b.n.lists++
		names = append(names, strings.ToLower(item[0].s))
		b.writable(t, strings.ToLower(item[0].s), what)
		b.typeName(item[1:])
	}
	b.omitted(t, names, what)
	i += 2
	if isWord(at(ts, i), "WITH") && at(ts, i+1).kind == tkGroup {
		i += 2
	}
	return i
}

// assignments checks SET column = value, … against the target t.
func (b *binder) assignments(ts []sqlTok, t *bindTable, targetAlias string, sc *sqlScope, what string) {
	for _, item := range splitItems(ts) {
		if len(item) < 3 || item[0].kind != tkWord || item[1].kind != tkOp || !strings.HasSuffix(item[1].s, "=") {
			b.errf("%s: %s is not an assignment", what, tokText(item))
			continue
		}
		b.n.assigns++
		name := strings.ToLower(item[0].s)
		if alias, col, ok := strings.Cut(name, "."); ok {
			if alias != targetAlias {
				b.errf("%s: SET %s names %s, not the target %s", what, item[0].s, alias, targetAlias)
			}
			name = col
		}
		b.writable(t, name, what)
		b.expr(item[2:], sc, nil)
	}
}

func (b *binder) update(ts []sqlTok, i int, sc *sqlScope) int {
	i++
	tw := at(ts, i)
	if tw.kind != tkWord {
		b.errf("UPDATE without a target")
		return len(ts)
	}
	what := "UPDATE " + tw.s
	name := strings.ToLower(tw.s)
	alias := name[strings.LastIndexByte(name, '.')+1:]
	var t *bindTable
	if strings.Contains(name, ".") {
		t = b.table(tw.s)
	} else if src := sc.aliases[alias]; src != nil && src.table != "" {
		t = b.lookupTable(src.table) // UPDATE alias … FROM t AS alias
	} else {
		b.errf("%s: no table or alias %s in the statement", what, tw.s)
	}
	i++
	if isWord(at(ts, i), "WITH") && at(ts, i+1).kind == tkGroup {
		b.hints(ts[i+1].group)
		i += 2
	}
	if !isWord(at(ts, i), "SET") {
		b.errf("%s without SET", what)
		return len(ts)
	}
	j := until(ts, i+1, map[string]bool{"FROM": true, "WHERE": true, "OUTPUT": true, "OPTION": true})
	b.assignments(ts[i+1:j], t, alias, sc, what)
	i = j
	if isWord(at(ts, i), "FROM") {
		j := until(ts, i+1, fromEnds)
		b.from(ts[i+1:j], sc)
		i = j
	}
	if isWord(at(ts, i), "WHERE") {
		j := until(ts, i+1, map[string]bool{"OPTION": true, "OUTPUT": true})
		b.expr(ts[i+1:j], sc, nil)
		i = j
	}
	return i
}

func (b *binder) delete(ts []sqlTok, i int, sc *sqlScope) int {
	i++
	if !isWord(at(ts, i), "FROM") {
		a := at(ts, i)
		if src := sc.aliases[strings.ToLower(a.s)]; a.kind != tkWord || src == nil || src.table == "" {
			b.errf("DELETE %s: not a table of the statement's FROM", a.s)
		}
		i++
	}
	if !isWord(at(ts, i), "FROM") {
		b.errf("DELETE without FROM")
		return len(ts)
	}
	j := until(ts, i+1, fromEnds)
	b.from(ts[i+1:j], sc)
	i = j
	if isWord(at(ts, i), "WHERE") {
		j := until(ts, i+1, map[string]bool{"OPTION": true})
		b.expr(ts[i+1:j], sc, nil)
		i = j
	}
	return i
}

func (b *binder) merge(ts []sqlTok, i int, sc *sqlScope) int {
	i++
	if isWord(at(ts, i), "INTO") {
		i++
	}
	tw := at(ts, i)
	if tw.kind != tkWord {
		b.errf("MERGE without a target")
		return len(ts)
	}
	what := "MERGE " + tw.s
	t := b.table(tw.s)
	i++
	if isWord(at(ts, i), "WITH") && at(ts, i+1).kind == tkGroup {
		b.hints(ts[i+1].group)
		i += 2
	}
	if isWord(at(ts, i), "AS") {
		i++
	}
	name := strings.ToLower(tw.s)
	alias := name[strings.LastIndexByte(name, '.')+1:]
	if a := at(ts, i); a.kind == tkWord && !isKeyword(a) {
		alias = strings.ToLower(a.s)
		i++
	}
	if !isWord(at(ts, i), "USING") {
		b.errf("%s without USING", what)
		return len(ts)
	}
	i = b.source(ts, i+1, sc)
	if !isWord(at(ts, i), "ON") {
		b.errf("%s without ON", what)
		return len(ts)
	}
	j := until(ts, i+1, map[string]bool{"WHEN": true})
	b.expr(ts[i+1:j], sc, nil)
	i = j
	// WHEN NOT MATCHED [BY TARGET] sees only the source (Msg 5334).
	src := &sqlScope{parent: sc.parent, aliases: map[string]*sqlSource{}, ctes: sc.ctes}
	for a, s := range sc.aliases {
		if a != alias {
			src.aliases[a] = s
		}
	}
	for isWord(at(ts, i), "WHEN") {
		j := i + 1
		notMatched := isWord(at(ts, j), "NOT")
		if notMatched {
			j++
		}
		if !isWord(at(ts, j), "MATCHED") {
			b.errf("%s: WHEN of a shape the check does not know", what)
			return len(ts)
		}
		j++
		bySource := false
		if isWord(at(ts, j), "BY") {
			bySource = isWord(at(ts, j+1), "SOURCE")
			j += 2
		}
		csc := sc
		if notMatched && !bySource {
			csc = src
		}
		k := until(ts, j, map[string]bool{"THEN": true})
		if isWord(at(ts, j), "AND") {
			b.expr(ts[j+1:k], csc, nil)
		} else if k != j {
			b.errf("%s: %s before THEN", what, tokText(ts[j:k]))
		}
		if !isWord(at(ts, k), "THEN") {
			b.errf("%s: WHEN without THEN", what)
			return len(ts)
		}
		k++
		end := until(ts, k+1, map[string]bool{"WHEN": true, "OUTPUT": true, "OPTION": true})
		if stmtStarts[upper(at(ts, end))] {
			// INSERT, UPDATE and DELETE are the actions, not new statements.
			end = k + 1
			for end < len(ts) && !isWord(ts[end], "WHEN") && !isWord(ts[end], "OUTPUT") && !isWord(ts[end], "OPTION") {
				end++
			}
		}
		act := ts[k:end]
		switch {
		case len(act) >= 2 && isWord(act[0], "UPDATE") && isWord(act[1], "SET"):
			b.assignments(act[2:], t, alias, csc, what+" … UPDATE")
		case len(act) == 1 && isWord(act[0], "DELETE"):
		case len(act) == 4 && isWord(act[0], "INSERT") && act[1].kind == tkGroup && isWord(act[2], "VALUES") && act[3].kind == tkGroup:
			names := b.target(t, act[1].group.toks, what+" … INSERT")
			b.omitted(t, names, what+" … INSERT")
			b.valuesRows(act[3:], len(names), csc, what+" … INSERT")
		default:
			b.errf("%s: an action the check does not know: %s", what, tokText(act))
		}
		i = end
	}
	if i < len(ts) && !stmtStarts[upper(ts[i])] {
		b.errf("%s: %s after the WHEN clauses", what, tokText(ts[i:]))
		return len(ts)
	}
	return i
}

func (b *binder) exec(ts []sqlTok, i int) int {
	i++
	if g := at(ts, i); g.kind == tkGroup {
		// Dynamic SQL: only the CREATE SCHEMA the first migration runs.
		var m []string
		if len(g.group.toks) == 1 && g.group.toks[0].kind == tkLit {
			m = createSchema.FindStringSubmatch(g.group.toks[0].s)
		}
		if m == nil {
			b.errf("EXEC (%s): dynamic SQL the check cannot read", tokText(g.group.toks))
			return len(ts)
		}
		name := strings.ToLower(m[1])
		b.effects = append(b.effects, func(s *bindSchema) { s.schemas[name] = true })
		return i + 1
	}
	if strings.HasPrefix(at(ts, i).s, "@") && at(ts, i+1).kind == tkOp && at(ts, i+1).s == "=" {
		i += 2
	}
	proc := strings.ToLower(at(ts, i).s)
	params, ok := systemProcs[proc]
	b.n.objects++
	if !ok {
		b.errf("EXEC %s: not a procedure the check knows", at(ts, i).s)
		return len(ts)
	}
	j := until(ts, i+1, nil)
	for _, arg := range splitItems(ts[i+1 : j]) {
		if len(arg) != 3 || !strings.HasPrefix(arg[0].s, "@") || arg[1].s != "=" {
			b.errf("EXEC %s: an argument the check does not know: %s", proc, tokText(arg))
			continue
		}
		b.n.lists++
		if !slices.Contains(params, strings.ToLower(arg[0].s)) {
			b.errf("EXEC %s: no parameter %s", proc, arg[0].s)
		}
		if v := arg[2]; v.kind == tkWord && !strings.HasPrefix(v.s, "@") {
			b.errf("EXEC %s: %s = %s is not a value", proc, arg[0].s, v.s)
		}
	}
	return j
}

func (b *binder) alterDatabase(ts []sqlTok, i int) int {
	// ALTER DATABASE CURRENT SET option ON|OFF [WITH NO_WAIT]
	if !isWord(at(ts, i+2), "CURRENT") || !isWord(at(ts, i+3), "SET") || at(ts, i+4).kind != tkWord ||
		!(isWord(at(ts, i+5), "ON") || isWord(at(ts, i+5), "OFF")) {
		b.errf("ALTER DATABASE of a shape the check does not know")
		return len(ts)
	}
	i += 6
	if isWord(at(ts, i), "WITH") {
		i += 2
	}
	return i
}

// column definitions and table constraints, in CREATE TABLE and ALTER TABLE … ADD.

// colDef reads one column definition and checks its constraints.
func (b *binder) colDef(t *bindTable, item []sqlTok) bindCol {
	c := bindCol{name: strings.ToLower(item[0].s)}
	what := t.name + "." + c.name
	if isWord(at(item, 1), "AS") && at(item, 2).kind == tkGroup {
		c.computed = true
		b.ddlExpr(t, item[2].group.toks)
		if len(item) > 3 && !isWord(item[3], "PERSISTED") {
			b.errf("%s: %s after a computed column", what, tokText(item[3:]))
		}
		return c
	}
	j := 1
	typ := []sqlTok{at(item, j)}
	if at(item, j+1).kind == tkGroup {
		typ = append(typ, item[j+1])
		j++
	}
	b.typeName(typ)
	j++
	for j < len(item) {
		switch upper(item[j]) {
		case "COLLATE", "CONSTRAINT":
			j += 2
		case "IDENTITY":
			c.identity = true
			j++
			if at(item, j).kind == tkGroup {
				j++
			}
		case "NOT":
			if isWord(at(item, j+1), "NULL") {
				c.notNull = true
			}
			j += 2
		case "NULL", "UNIQUE", "CLUSTERED", "NONCLUSTERED":
			j++
		case "PRIMARY":
			c.notNull = true
			j += 2
		case "DEFAULT":
			c.hasDefault = true
			k := j + 1
			for k < len(item) && !isKeyword(item[k]) && !isWord(item[k], "NULL") {
				k++
			}
			b.ddlExpr(t, item[j+1:k])
			j = k
		case "REFERENCES":
			j = b.references(item, j, []string{c.name})
		case "CHECK":
			if at(item, j+1).kind != tkGroup {
				b.errf("%s: CHECK without a condition", what)
				return c
			}
			b.ddlExpr(t, item[j+1].group.toks)
			j += 2
		default:
			b.errf("%s: %s in a column definition", what, tokText(item[j:]))
			return c
		}
	}
	return c
}

// ddlExpr checks an expression that names columns of t only.
func (b *binder) ddlExpr(t *bindTable, ts []sqlTok) {
	short := t.name[strings.LastIndexByte(t.name, '.')+1:]
	src := &sqlSource{table: t.name}
	sc := &sqlScope{aliases: map[string]*sqlSource{short: src}, order: []*sqlSource{src}, ctes: map[string]*sqlSource{}}
	b.expr(ts, sc, nil)
}

// colList checks a parenthesized list of t's columns (ASC/DESC allowed).
func (b *binder) colList(t *bindTable, g sqlTok, what string) []string {
	if g.kind != tkGroup {
		b.errf("%s: no column list", what)
		return nil
	}
	var names []string
	for _, item := range splitItems(g.group.toks) {
		if len(item) == 0 || item[0].kind != tkWord || len(item) > 2 || len(item) == 2 && !isWord(item[1], "ASC") && !isWord(item[1], "DESC") {
			b.errf("%s: %s in a column list", what, tokText(item))
			continue
		}
		b.n.lists++
		name := strings.ToLower(item[0].s)
		names = append(names, name)
		if t != nil {
			if _, ok := t.col(name); !ok {
				b.errf("%s: %s has no column %s", what, t.name, name)
			}
		}
	}
	return names
}

// references checks REFERENCES table (columns) at item[j].
func (b *binder) references(item []sqlTok, j int, from []string) int {
	if at(item, j+1).kind != tkWord {
		b.errf("REFERENCES without a table")
		return len(item)
	}
	rt := b.table(item[j+1].s)
	to := b.colList(rt, at(item, j+2), "REFERENCES "+item[j+1].s)
	if len(to) != len(from) {
		b.errf("REFERENCES %s: %d columns for %d", item[j+1].s, len(to), len(from))
	}
	return j + 3
}

// tableConstraint checks PRIMARY KEY, UNIQUE, FOREIGN KEY, CHECK and INDEX
// items; it reports false for a column definition.
func (b *binder) tableConstraint(t *bindTable, item []sqlTok) bool {
	j := 0
	if isWord(at(item, 0), "CONSTRAINT") {
		j = 2
	}
	what := t.name + " " + tokText(item[:min(j+2, len(item))])
	switch upper(at(item, j)) {
	case "PRIMARY", "UNIQUE":
		j++
		if isWord(at(item, j), "KEY") {
			j++
		}
		if isWord(at(item, j), "CLUSTERED") || isWord(at(item, j), "NONCLUSTERED") {
			j++
		}
		b.colList(t, at(item, j), what)
		j++
	case "FOREIGN":
		from := b.colList(t, at(item, j+2), what)
		if !isWord(at(item, j+3), "REFERENCES") {
			b.errf("%s: FOREIGN KEY without REFERENCES", what)
			return true
		}
		j = b.references(item, j+3, from)
	case "CHECK":
		if at(item, j+1).kind != tkGroup {
			b.errf("%s: CHECK without a condition", what)
			return true
		}
		b.ddlExpr(t, item[j+1].group.toks)
		j += 2
	case "INDEX":
		j += 2
		for isWord(at(item, j), "CLUSTERED") || isWord(at(item, j), "NONCLUSTERED") || isWord(at(item, j), "COLUMNSTORE") {
			j++
		}
		if at(item, j).kind == tkGroup {
			b.colList(t, item[j], what)
			j++
		}
	default:
		return false
	}
	if j < len(item) {
		b.errf("%s: %s after the constraint", what, tokText(item[j:]))
	}
	return true
}

// onScheme checks ON partition_scheme (column) or ON [filegroup] at ts[i].
func (b *binder) onScheme(t *bindTable, ts []sqlTok, i int) int {
	if !isWord(at(ts, i), "ON") {
		return i
	}
	name := strings.ToLower(at(ts, i+1).s)
	if at(ts, i+2).kind == tkGroup {
		b.n.objects++
		if b.now.objects[name] != "partition scheme" {
			b.errf("ON %s: no migration creates this partition scheme", at(ts, i+1).s)
		}
		b.colList(t, ts[i+2], "ON "+at(ts, i+1).s)
		return i + 3
	}
	if name != "primary" {
		b.errf("ON %s: not a filegroup the check knows", at(ts, i+1).s)
	}
	return i + 2
}

func (b *binder) create(ts []sqlTok, i int, sc *sqlScope) int {
	j := i + 1
	if isWord(at(ts, j), "OR") && isWord(at(ts, j+1), "ALTER") {
		j += 2
	}
	switch upper(at(ts, j)) {
	case "TABLE":
		return b.createTable(ts, j+1)
	case "VIEW":
		return b.createView(ts, j+1, sc)
	case "SEQUENCE":
		return b.createObject(ts, j+1, "sequence", "")
	case "PARTITION":
		if isWord(at(ts, j+1), "FUNCTION") {
			return b.createObject(ts, j+2, "partition function", "")
		}
		if isWord(at(ts, j+1), "SCHEME") {
			return b.createObject(ts, j+2, "partition scheme", "partition function")
		}
	case "UNIQUE", "CLUSTERED", "NONCLUSTERED", "COLUMNSTORE", "INDEX":
		for !isWord(at(ts, j), "INDEX") && j < len(ts) {
			j++
		}
		return b.createIndex(ts, j+1)
	}
	b.errf("CREATE %s: an object the check does not know", at(ts, j).s)
	return len(ts)
}

func (b *binder) createTable(ts []sqlTok, i int) int {
	if at(ts, i).kind != tkWord || at(ts, i+1).kind != tkGroup {
		b.errf("CREATE TABLE of a shape the check does not know")
		return len(ts)
	}
	name := strings.ToLower(ts[i].s)
	if b.now.tables[name] != nil && !b.underIf {
		b.errf("CREATE TABLE %s: it exists already", ts[i].s)
	}
	if s, _, _ := strings.Cut(name, "."); !b.now.schemas[s] {
		b.errf("CREATE TABLE %s: no migration creates schema %s", ts[i].s, s)
	}
	t := &bindTable{name: name}
	items := splitItems(ts[i+1].group.toks)
	// Columns first: a constraint may name a column defined after it.
	var cons [][]sqlTok
	for _, item := range items {
		if len(item) == 0 || item[0].kind != tkWord {
			b.errf("CREATE TABLE %s: %s", name, tokText(item))
			continue
		}
		switch upper(item[0]) {
		case "CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "INDEX":
			cons = append(cons, item)
			continue
		}
		t.cols = append(t.cols, bindCol{name: strings.ToLower(item[0].s)})
	}
	b.pending = t
	defer func() { b.pending = nil }()
	k := 0
	for _, item := range items {
		if len(item) == 0 || item[0].kind != tkWord || slices.ContainsFunc(cons, func(c []sqlTok) bool { return &c[0] == &item[0] }) {
			continue
		}
		t.cols[k] = b.colDef(t, item)
		k++
	}
	for _, item := range cons {
		b.tableConstraint(t, item)
	}
	j := b.onScheme(t, ts, i+2)
	b.effects = append(b.effects, func(s *bindSchema) { s.tables[name] = t })
	return j
}

func (b *binder) createView(ts []sqlTok, i int, sc *sqlScope) int {
	if at(ts, i).kind != tkWord || !isWord(at(ts, i+1), "AS") || !isWord(at(ts, i+2), "SELECT") {
		b.errf("CREATE VIEW of a shape the check does not know")
		return len(ts)
	}
	name := strings.ToLower(ts[i].s)
	if s, _, _ := strings.Cut(name, "."); !b.now.schemas[s] {
		b.errf("CREATE VIEW %s: no migration creates schema %s", ts[i].s, s)
	}
	j := b.selectStmt(ts, i+2, sc)
	names := slices.Clone(b.last)
	checkNames(b, "view "+ts[i].s, names)
	b.effects = append(b.effects, func(s *bindSchema) {
		t := &bindTable{name: name, view: true}
		for _, n := range names {
			t.cols = append(t.cols, bindCol{name: n})
		}
		s.tables[name] = t
	})
	return j
}

// createObject checks CREATE SEQUENCE and CREATE PARTITION FUNCTION/SCHEME.
func (b *binder) createObject(ts []sqlTok, i int, kind, needs string) int {
	name := strings.ToLower(at(ts, i).s)
	if b.now.objects[name] != "" {
		b.errf("CREATE %s %s: it exists already", kind, name)
	}
	j := until(ts, i+1, nil)
	body := ts[i+1 : j]
	switch kind {
	case "sequence":
		// AS type START WITH n INCREMENT BY n
		if len(body) < 2 || !isWord(body[0], "AS") {
			b.errf("CREATE SEQUENCE %s of a shape the check does not know", name)
		} else {
			b.typeName(body[1:2])
		}
	case "partition function":
		// (type) AS RANGE LEFT|RIGHT FOR VALUES (…)
		if len(body) < 1 || body[0].kind != tkGroup {
			b.errf("CREATE PARTITION FUNCTION %s of a shape the check does not know", name)
		} else {
			b.typeName(body[0].group.toks)
		}
	case "partition scheme":
		// AS PARTITION function [ALL] TO (…)
		if len(body) < 3 || !isWord(body[0], "AS") || !isWord(body[1], "PARTITION") {
			b.errf("CREATE PARTITION SCHEME %s of a shape the check does not know", name)
		} else if b.n.objects++; b.now.objects[strings.ToLower(body[2].s)] != needs {
			b.errf("CREATE PARTITION SCHEME %s: no migration creates %s %s", name, needs, body[2].s)
		}
	}
	b.effects = append(b.effects, func(s *bindSchema) { s.objects[name] = kind })
	return j
}

func (b *binder) createIndex(ts []sqlTok, i int) int {
	if at(ts, i).kind != tkWord || !isWord(at(ts, i+1), "ON") || at(ts, i+2).kind != tkWord {
		b.errf("CREATE INDEX of a shape the check does not know")
		return len(ts)
	}
	idx := strings.ToLower(ts[i].s)
	t := b.table(ts[i+2].s)
	what := "CREATE INDEX " + ts[i].s
	j := i + 3
	if at(ts, j).kind == tkGroup {
		b.colList(t, ts[j], what)
		j++
	}
	if isWord(at(ts, j), "INCLUDE") {
		b.colList(t, at(ts, j+1), what+" INCLUDE")
		j += 2
	}
	if isWord(at(ts, j), "WHERE") {
		k := j + 1
		for k < len(ts) && !isWord(ts[k], "ON") && !isWord(ts[k], "WITH") && !stmtStarts[upper(ts[k])] {
			k++
		}
		if t != nil {
			b.ddlExpr(t, ts[j+1:k])
		}
		j = k
	}
	j = b.onScheme(t, ts, j)
	if t == nil {
		return j
	}
	key := t.name + "/" + idx
	if b.now.objects[key] != "" && !b.underIf {
		b.errf("%s: %s has this index already", what, t.name)
	}
	b.effects = append(b.effects, func(s *bindSchema) { s.objects[key] = "index" })
	return j
}

func (b *binder) alterTable(ts []sqlTok, i int) int {
	i += 2
	if at(ts, i).kind != tkWord {
		b.errf("ALTER TABLE without a table")
		return len(ts)
	}
	name := strings.ToLower(ts[i].s)
	t := b.table(ts[i].s)
	if t == nil {
		return len(ts)
	}
	what := "ALTER TABLE " + ts[i].s
	i++
	if isWord(at(ts, i), "WITH") {
		i += 2 // CHECK or NOCHECK
	}
	j := until(ts, i+1, nil)
	body := ts[i+1 : j]
	switch upper(at(ts, i)) {
	case "ADD":
		var added []bindCol
		for _, item := range splitItems(body) {
			if len(item) == 0 || b.tableConstraint(t, item) {
				continue
			}
			c := b.colDef(t, item)
			if _, ok := t.col(c.name); ok {
				b.errf("%s ADD %s: the column exists already", what, c.name)
			}
			added = append(added, c)
		}
		b.effects = append(b.effects, func(s *bindSchema) {
			nt := s.tables[name]
			nt.cols = append(slices.Clone(nt.cols), added...)
		})
	case "DROP":
		if isWord(at(body, 0), "CONSTRAINT") && len(body) == 2 {
			// Constraint names are not tracked: dropping one (to add it
			// again on other columns) changes no column.
			return j
		}
		if !isWord(at(body, 0), "COLUMN") {
			b.errf("%s DROP %s: the check does not know it", what, tokText(body))
			return j
		}
		var drop []string
		for _, item := range splitItems(body[1:]) {
			if len(item) != 1 {
				b.errf("%s DROP COLUMN %s", what, tokText(item))
				continue
			}
			b.n.lists++
			c := strings.ToLower(item[0].s)
			if _, ok := t.col(c); !ok {
				b.errf("%s DROP COLUMN %s: no such column", what, c)
			}
			drop = append(drop, c)
		}
		b.effects = append(b.effects, func(s *bindSchema) {
			nt := s.tables[name]
			nt.cols = slices.DeleteFunc(slices.Clone(nt.cols), func(c bindCol) bool { return slices.Contains(drop, c.name) })
		})
	case "ALTER":
		if !isWord(at(body, 0), "COLUMN") || len(body) < 3 {
			b.errf("%s ALTER %s: the check does not know it", what, tokText(body))
			return j
		}
		b.n.lists++
		c := b.colDef(t, body[1:])
		old, ok := t.col(c.name)
		if !ok {
			b.errf("%s ALTER COLUMN %s: no such column", what, c.name)
		}
		c.hasDefault = old.hasDefault
		b.effects = append(b.effects, func(s *bindSchema) {
			nt := s.tables[name]
			nt.cols = slices.Clone(nt.cols)
			for k := range nt.cols {
				if nt.cols[k].name == c.name {
					nt.cols[k] = c
				}
			}
		})
	case "SET":
		// SET (LOCK_ESCALATION = AUTO | TABLE | DISABLE)
		g := at(ts, i+1)
		if g.kind != tkGroup || len(g.group.toks) != 3 || !isWord(g.group.toks[0], "LOCK_ESCALATION") ||
			!slices.Contains([]string{"AUTO", "TABLE", "DISABLE"}, upper(g.group.toks[2])) {
			b.errf("%s SET: an option the check does not know", what)
		}
		return i + 2
	default:
		b.errf("%s %s: the check does not know it", what, at(ts, i).s)
	}
	return j
}

// prepareUnpivots records, for each UNPIVOT of the statement, the columns it
// gives and the source it replaces.
func (b *binder) prepareUnpivots() {
	for _, n := range b.cc.nodes {
		for _, seg := range n.segs {
			ts := seg.toks
			for k, t := range ts {
				if !isWord(t, "UNPIVOT") || at(ts, k+1).kind != tkGroup || k == 0 {
					continue
				}
				j := k + 2
				if isWord(at(ts, j), "AS") {
					j++
				}
				u := seg.scope.aliases[strings.ToLower(at(ts, j).s)]
				baseAlias := strings.ToLower(ts[k-1].s)
				baseAlias = baseAlias[strings.LastIndexByte(baseAlias, '.')+1:]
				base := seg.scope.aliases[baseAlias]
				g := ts[k+1].group.toks
				// UNPIVOT (value FOR name IN (columns)) AS alias
				if u == nil || base == nil || len(g) != 5 || !isWord(g[1], "FOR") || !isWord(g[3], "IN") || g[4].kind != tkGroup {
					b.errf("UNPIVOT of a shape the check does not know")
					continue
				}
				spec := &unpivotSpec{base: base, value: strings.ToLower(g[0].s), by: strings.ToLower(g[2].s)}
				baseCols, listed := b.sourceCols(base)
				for _, item := range splitItems(g[4].group.toks) {
					if len(item) != 1 || item[0].kind != tkWord {
						b.errf("UNPIVOT IN: %s", tokText(item))
						continue
					}
					c := strings.ToLower(item[0].s)
					b.n.lists++
					if listed && !slices.Contains(baseCols, c) {
						b.errf("UNPIVOT IN (%s): %s has no column %s", c, describe(base), c)
					}
					spec.in = append(spec.in, c)
				}
				b.unpivot[u] = spec
				if b.hidden[seg.scope] == nil {
					b.hidden[seg.scope] = map[string]bool{}
				}
				b.hidden[seg.scope][baseAlias] = true
			}
		}
	}
}

// splitStatements cuts a batch at its top-level ';'.
func splitStatements(text string) ([][]sqlTok, error) {
	root, err := lexSQL(text)
	if err != nil {
		return nil, err
	}
	var out [][]sqlTok
	var cur []sqlTok
	for _, t := range root.toks {
		if t.kind == tkSemi {
			if len(cur) > 0 {
				out = append(out, cur)
			}
			cur = nil
			continue
		}
		cur = append(cur, t)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out, nil
}

// statementKind names what a statement is, for the counts.
func statementKind(ts []sqlTok) string {
	for i, t := range ts {
		if isWord(t, "INSERT") && isWord(at(ts, i+1), "BULK") {
			return "INSERT BULK" // after the driver's SET FMTONLY and metadata SELECT
		}
	}
	for i, t := range ts {
		switch u := upper(t); u {
		case "SELECT", "UPDATE", "DELETE", "MERGE", "EXEC", "EXECUTE", "DECLARE":
			return u
		case "INSERT":
			return u
		case "SET":
			if !isWord(at(ts, i+1), "FMTONLY") {
				return u
			}
		case "ALTER":
			return u + " " + upper(at(ts, i+1))
		case "CREATE":
			for _, w := range ts[i+1:] {
				if k := upper(w); k == "TABLE" || k == "VIEW" || k == "INDEX" || k == "SEQUENCE" || k == "PARTITION" {
					return u + " " + k
				}
			}
		}
	}
	return "other"
}

// isQuery reports whether a statement is compiled with the batch (DML);
// DDL runs, and reads the schema, statement by statement.
func isQuery(ts []sqlTok) bool {
	switch upper(at(ts, 0)) {
	case "SELECT", "WITH", "INSERT", "UPDATE", "DELETE", "MERGE":
		return true
	}
	return false
}

// bindOne checks one statement. now is the schema where it runs, and what
// its effects change; start is the schema where its batch started.
func bindOne(now, start *bindSchema, ts []sqlTok) *binder {
	run := func(sch *bindSchema) *binder {
		cols := schemaColumns{}
		for _, s := range []*bindSchema{start, now} {
			for name, tb := range s.tables {
				cols[name] = map[string]collLabel{}
				for _, c := range tb.cols {
					cols[name][c.name] = collLabel{kind: collNone}
				}
			}
		}
		for name := range systemTables {
			cols[name] = map[string]collLabel{}
		}
		node := &sqlNode{toks: ts}
		b := &binder{sch: sch, now: now, cc: &collChecker{cols: cols}, used: map[string]bool{},
			hidden: map[*sqlScope]map[string]bool{}, unpivot: map[*sqlSource]*unpivotSpec{}}
		b.cc.build(node, nil)
		b.prepareUnpivots()
		b.n.statements = 1
		width := -1
		for k, seg := range node.segs {
			b.last, b.lastN = nil, -1
			b.stmts(seg.toks, seg.scope)
			if k == 0 {
				width = b.lastN
			} else if b.lastN != width {
				b.errf("a set operation of %d and %d columns", width, b.lastN)
			}
		}
		if len(b.objectIDs) > 0 {
			after := now.clone()
			for _, f := range b.effects {
				f(after)
			}
			for _, o := range b.objectIDs {
				if after.tables[o] == nil {
					b.errf("OBJECT_ID(N'%s'): no migration creates this table or view", o)
				}
			}
		}
		return b
	}
	b := run(now)
	if start == now || !isQuery(ts) {
		return b
	}
	for name := range b.used {
		if start.tables[name] == nil {
			return b // compiled when it runs: deferred name resolution
		}
	}
	return run(start)
}

// bindMigrations replays the schema: the version table, then every batch
// of every migration. It returns the schema after each version (0: the
// version table alone) and each batch's findings, by golden name.
func bindMigrations(t *testing.T) (versions []*bindSchema, errs map[string][]string, counts map[string]map[string]*bindCounts) {
	t.Helper()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	errs, counts = map[string][]string{}, map[string]map[string]*bindCounts{}
	now := newBindSchema()
	errs["schema_version_table (creating it)"], _ = bindBatch(now, now, stmtSchemaVersionTable)
	versions = append(versions, now.clone())
	for _, m := range ms {
		if m.version != len(versions) {
			t.Fatalf("migration %d follows version %d", m.version, len(versions)-1)
		}
		for i, b := range m.batches {
			name := fmt.Sprintf("schema_%03d_batch_%d", m.version, i+1)
			// A migration batch is compiled as a whole, then run.
			start := now.clone()
			e, c := bindBatch(now, start, b)
			errs[name], counts[name] = e, c
		}
		versions = append(versions, now.clone())
	}
	return versions, errs, counts
}

// bindBatch checks the statements of a batch in order and applies their
// effects to now. start is the schema where the batch began: SQL Server
// compiles a batch as a whole, so a query binds to start unless it reads a
// table the batch itself creates.
func bindBatch(now, start *bindSchema, text string) (errs []string, counts map[string]*bindCounts) {
	counts = map[string]*bindCounts{}
	stmts, err := splitStatements(text)
	if err != nil {
		return []string{err.Error()}, counts
	}
	for _, ts := range stmts {
		b := bindOne(now, start, ts)
		for _, e := range b.errs {
			errs = append(errs, fmt.Sprintf("%s: %s", strings.Join(strings.Fields(tokText(ts[:min(4, len(ts))])), " "), e))
		}
		k := statementKind(ts)
		if counts[k] == nil {
			counts[k] = &bindCounts{}
		}
		counts[k].add(b.n)
		for _, f := range b.effects {
			f(now)
		}
	}
	return errs, counts
}

// olderSchemas lists the statements that also run against a warehouse an
// older version left, with those versions (0: the version table only).
// Every other statement runs against the latest schema.
func olderSchemas(latest int) map[string][]int {
	all := func(from int) []int {
		var v []int
		for i := from; i <= latest; i++ {
			v = append(v, i)
		}
		return v
	}
	return map[string][]int{
		// Version reads them on any database, before migrating it.
		"schema_version_read": all(0),
		// Status reads a warehouse opened read-only at any version; below
		// 3 it reads the batches without load signatures.
		"status_steps":      all(1),
		"status_studies_v2": {1, 2},
		"status_studies":    all(3),
	}
}

var migrationBatch = regexp.MustCompile(`^schema_\d{3}_batch_\d+$`)

// TestStatementsBindToSchema checks that every name every statement uses
// exists where it says, as the schema stands where the statement runs.
func TestStatementsBindToSchema(t *testing.T) {
	stmts := goldenStatements(t)
	versions, errs, counts := bindMigrations(t)
	latest := len(versions) - 1
	older := olderSchemas(latest)
	for name, text := range stmts {
		if migrationBatch.MatchString(name) {
			if _, ok := errs[name]; !ok {
				t.Errorf("%s: not a batch of the migrations", name)
			}
			continue
		}
		vs, ok := older[name]
		if !ok {
			vs = []int{latest}
		}
		counts[name] = map[string]*bindCounts{}
		for _, v := range vs {
			sch := versions[v].clone()
			e, c := bindBatch(sch, sch, text)
			for _, s := range e {
				errs[name] = append(errs[name], fmt.Sprintf("at schema version %d: %s", v, s))
			}
			for k, n := range c {
				if counts[name][k] == nil {
					counts[name][k] = &bindCounts{}
				}
				counts[name][k].add(*n)
			}
		}
	}
	for name := range older {
		if _, ok := stmts[name]; !ok {
			t.Errorf("olderSchemas names %s, which is not a statement", name)
		}
	}
	names := make([]string, 0, len(counts))
	for n := range counts {
		names = append(names, n)
	}
	for n := range errs {
		if counts[n] == nil {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	byKind := map[string]*bindCounts{}
	var total bindCounts
	for _, name := range names {
		for _, e := range errs[name] {
			t.Errorf("%s: %s", name, e)
		}
		var sum bindCounts
		for k, c := range counts[name] {
			if byKind[k] == nil {
				byKind[k] = &bindCounts{}
			}
			byKind[k].add(*c)
			sum.add(*c)
		}
		total.add(sum)
		if testing.Verbose() {
			t.Logf("%-28s %s", name, sum)
		}
	}
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		t.Logf("%-18s %s", k, byKind[k])
	}
	t.Logf("%-18s %s", "all", total)
	// The check must reach what matters: a floor on what it verified, well
	// under today's counts, fails if a change makes it look at less.
	if total.qualified < 800 || total.bare < 250 || total.lists < 300 || total.assigns < 85 || total.objects < 430 {
		t.Errorf("the check verified less than it should: %s", total)
	}
}

func (c bindCounts) String() string {
	return fmt.Sprintf("statements %3d  alias.column %4d  bare columns %4d (skipped %d)  column lists %4d  SET targets %3d  objects %4d",
		c.statements, c.qualified, c.bare, c.skipped, c.lists, c.assigns, c.objects)
}

// TestBindingChecker shows each rule failing on a statement SQL Server would
// not compile, and passing the same shape with the right names, over the
// real schema.
func TestBindingChecker(t *testing.T) {
	versions, _, _ := bindMigrations(t)
	latest := versions[len(versions)-1]
	// bind runs batches in order on a copy of the latest schema.
	bind := func(batches ...string) []string {
		now := latest.clone()
		var errs []string
		for _, b := range batches {
			e, _ := bindBatch(now, now.clone(), b)
			errs = append(errs, e...)
		}
		return errs
	}
	tests := []struct {
		name    string
		batches []string
		want    string // a substring of the one finding; "" for none
	}{
		// 1. qualified references
		{"alias not in scope", []string{`SELECT q.gene_id FROM dbo.dim_gene AS g`}, "no table or alias q in scope"},
		{"column the table lacks", []string{`SELECT g.gene_nam FROM dbo.dim_gene AS g`}, "dbo.dim_gene (alias g) has no column gene_nam"},
		{"column the table has", []string{`SELECT g.gene_name FROM dbo.dim_gene AS g`}, ""},
		{"column a derived table lacks", []string{`SELECT d.gene FROM (SELECT gene_id FROM dbo.dim_gene) AS d`}, "has no column gene"},
		{"column a CTE lacks", []string{`WITH x AS (SELECT gene_id FROM dbo.dim_gene) SELECT x.gene_key FROM x`}, "has no column gene_key"},
		{"column a VALUES list lacks", []string{`SELECT v.b FROM (VALUES (1)) AS v (a)`}, "the VALUES list (alias v) has no column b"},
		{"column of a view", []string{`SELECT v.gene_id, v.batch_key FROM analytics.vw_expression_long AS v`}, "has no column batch_key"},
		{"table name hidden by its alias", []string{`SELECT dbo.dim_gene.gene_id FROM dbo.dim_gene AS g`}, "no table or alias dim_gene in scope"},
		{"derived table reads a sibling", []string{`SELECT 1 FROM dbo.dim_gene AS g JOIN (SELECT g.gene_key AS k FROM dbo.dim_study AS st) AS d ON d.k = g.gene_key`}, "no table or alias g in scope"},
		{"UNPIVOT replaces its source", []string{`SELECT p.gene_key FROM (SELECT gene_key, 1.0 AS a, 2.0 AS b FROM dbo.dim_gene) AS p UNPIVOT (v FOR n IN (a, b)) AS u`}, "no table or alias p in scope"},
		{"UNPIVOT of a column the source lacks", []string{`SELECT u.n FROM (SELECT gene_key, 1.0 AS a FROM dbo.dim_gene) AS p UNPIVOT (v FOR n IN (a, c)) AS u`}, "has no column c"},
		{"derived table column without a name", []string{`SELECT 1 FROM (SELECT COUNT(*) FROM dbo.dim_gene) AS d`}, "column 1 has no name"},
		{"MERGE INSERT reads the target", []string{`MERGE dbo.dim_gene AS t USING (SELECT @p1 AS gene_id) AS s ON t.gene_id = s.gene_id
WHEN NOT MATCHED BY TARGET THEN INSERT (gene_id) VALUES (t.gene_id);`}, "no table or alias t in scope"},
		// 2. INSERT column lists
		{"INSERT of a column the table lacks", []string{`INSERT INTO dbo.dim_gene (gene_id, gene_nam) VALUES (@p1, @p2)`}, "dbo.dim_gene has no column gene_nam"},
		{"INSERT VALUES row too short", []string{`INSERT INTO dbo.dim_gene (gene_id, gene_name) VALUES (@p1, @p2), (@p3)`}, "row 2 has 1 values for 2 columns"},
		{"INSERT SELECT too short", []string{`INSERT INTO dbo.dim_gene (gene_id, gene_name) SELECT gene_id FROM staging.matrix_rows`}, "2 columns, and the SELECT gives 1"},
		{"INSERT SELECT that fits", []string{`INSERT INTO dbo.dim_gene (gene_id, gene_name) SELECT gene_id, NULL FROM staging.matrix_rows`}, ""},
		{"INSERT leaving out a NOT NULL column", []string{`INSERT INTO dbo.meta_feature_state (study_key, batch_id, value_scale, top_genes, run_id, computed_at) VALUES (1, N'b', N'value', 10, NULL, SYSUTCDATETIME())`}, "leaves out dbo.meta_feature_state.rows_written"},
		{"MERGE INSERT of a column the target lacks", []string{`MERGE dbo.dim_gene AS t USING (SELECT @p1 AS gene_id) AS s ON t.gene_id = s.gene_id
WHEN NOT MATCHED BY TARGET THEN INSERT (gene_id, gene_nam) VALUES (s.gene_id, NULL);`}, "dbo.dim_gene has no column gene_nam"},
		{"MERGE INSERT count", []string{`MERGE dbo.dim_gene AS t USING (SELECT @p1 AS gene_id) AS s ON t.gene_id = s.gene_id
WHEN NOT MATCHED BY TARGET THEN INSERT (gene_id, gene_name) VALUES (s.gene_id);`}, "row 1 has 1 values for 2 columns"},
		{"bulk copy of a column the table lacks", []string{`INSERT BULK [staging].[matrix_rows] ([load_key] bigint, [line_no] bigint, [gene_id] nvarchar(255), [gene] nvarchar(255))`}, "staging.matrix_rows has no column gene"},
		// 3. assignments
		{"SET of a column the table lacks", []string{`UPDATE dbo.dim_gene SET gene_nam = @p1 WHERE gene_key = @p2`}, "dbo.dim_gene has no column gene_nam"},
		{"SET through an alias", []string{`UPDATE g SET g.gene_nam = @p1 FROM dbo.dim_gene AS g`}, "dbo.dim_gene has no column gene_nam"},
		{"SET of another alias's column", []string{`UPDATE g SET s.gene_name = @p1 FROM dbo.dim_gene AS g JOIN dbo.dim_study AS s ON s.study_key = g.gene_key`}, "names s, not the target g"},
		{"MERGE UPDATE SET of a column the target lacks", []string{`MERGE dbo.dim_gene AS t USING (SELECT @p1 AS gene_id) AS s ON t.gene_id = s.gene_id
WHEN MATCHED THEN UPDATE SET gene_nam = s.gene_id;`}, "dbo.dim_gene has no column gene_nam"},
		{"SET of a computed column", []string{`UPDATE dbo.fact_gene_expression SET expression_log2_value = 1 WHERE study_key = 1`}, "is a computed column"},
		{"SET of an IDENTITY column", []string{`UPDATE dbo.dim_gene SET gene_key = 1`}, "is an IDENTITY column"},
		{"INSERT of an IDENTITY column", []string{`INSERT INTO dbo.dim_gene (gene_key, gene_id) VALUES (1, N'x')`}, "is an IDENTITY column"},
		// 4. tables, views and other objects
		{"unknown table", []string{`SELECT 1 FROM dbo.dim_genes`}, "dbo.dim_genes: no migration creates it"},
		{"unknown table in a DELETE", []string{`DELETE FROM staging.matrix_row WHERE load_key = @p1`}, "staging.matrix_row: no migration creates it"},
		{"unknown table in a subquery", []string{`SELECT 1 FROM dbo.dim_gene AS g WHERE EXISTS (SELECT 1 FROM analytics.vw_nope AS v)`}, "analytics.vw_nope: no migration creates it"},
		{"system view outside the allow-list", []string{`SELECT name FROM sys.objects`}, "sys.objects: no migration creates it"},
		{"OBJECT_ID of a missing table", []string{`SELECT OBJECT_ID(N'dbo.meta_schema_versions', N'U')`}, "no migration creates this table or view"},
		{"unknown function", []string{`SELECT dbo.fn_nope(gene_key) FROM dbo.dim_gene`}, "no such built-in function"},
		{"unknown procedure parameter", []string{`EXEC sp_getapplock @Resourc = N'x', @LockMode = N'Shared'`}, "no parameter @Resourc"},
		{"unknown sequence", []string{`SELECT NEXT VALUE FOR staging.seq_load`}, "no migration creates this sequence"},
		{"REFERENCES an unknown column", []string{`CREATE TABLE dbo.t2 (k INT NULL REFERENCES dbo.dim_gene (gene));`}, "dbo.dim_gene has no column gene"},
		{"CHECK on an unknown column", []string{`CREATE TABLE dbo.t2 (k INT NULL, CONSTRAINT ck_t2 CHECK (j > 0));`}, "j: no source in scope has this column"},
		{"index on an unknown column", []string{`CREATE INDEX ix_x ON dbo.dim_gene (gene_symbol) INCLUDE (gene_nam);`}, "dbo.dim_gene has no column gene_nam"},
		// 5. unqualified references
		{"bare column no source has", []string{`SELECT gene_nam FROM dbo.dim_gene`}, "gene_nam: no source in scope has this column"},
		{"bare column two sources have", []string{`SELECT gene_key FROM dbo.dim_gene AS g JOIN dbo.fact_gene_expression AS f ON f.gene_key = g.gene_key`}, "ambiguous, a column of f and g"},
		{"bare column of a correlated outer query", []string{`SELECT 1 FROM dbo.dim_gene AS g WHERE EXISTS (SELECT 1 FROM dbo.dim_study AS s WHERE s.study_key = gene_key)`}, ""},
		{"ORDER BY an output alias", []string{`SELECT gene_id AS x FROM dbo.dim_gene ORDER BY x`}, ""},
		{"ORDER BY neither", []string{`SELECT gene_id AS x FROM dbo.dim_gene ORDER BY y`}, "y: no source in scope has this column"},
		// the point in the migrations
		{"column added, then used in the same batch", []string{"ALTER TABLE dbo.meta_batch ADD extra INT NULL;\nUPDATE dbo.meta_batch SET extra = 1;"}, "dbo.meta_batch has no column extra"},
		{"column added, then used in the next batch", []string{"ALTER TABLE dbo.meta_batch ADD extra INT NULL;", "UPDATE dbo.meta_batch SET extra = 1;"}, ""},
		{"table created, then filled in the same batch", []string{"CREATE TABLE dbo.t2 (a INT NOT NULL);\nINSERT INTO dbo.t2 (a) VALUES (1);"}, ""},
		{"key dropped and added on other columns", []string{"ALTER TABLE staging.matrix_columns DROP CONSTRAINT pk_staging_matrix_columns;\nALTER TABLE staging.matrix_columns ADD CONSTRAINT pk_staging_matrix_columns PRIMARY KEY (load_key, column_no, study_accession_code);"}, ""},
		{"key added on a column the table lacks", []string{"ALTER TABLE staging.matrix_columns ADD CONSTRAINT pk_x PRIMARY KEY (load_key, study);"}, "no column study"},
		{"column dropped, then read", []string{"ALTER TABLE dbo.meta_batch DROP COLUMN load_signature;", "SELECT load_signature FROM dbo.meta_batch;"}, "load_signature: no source in scope has this column"},
		// shapes the check does not know fail
		{"unknown statement", []string{`DROP TABLE dbo.dim_gene`}, "the check does not know this statement"},
		{"unknown query hint", []string{`SELECT gene_id FROM dbo.dim_gene OPTION (MAXDOP 1)`}, "not a query hint the check knows"},
		{"query hint without its parentheses", []string{`SELECT gene_id FROM dbo.dim_gene OPTION RECOMPILE`}, "not a query hint the check knows"},
		{"OUTPUT clause", []string{`UPDATE dbo.dim_gene SET gene_name = @p1 OUTPUT inserted.gene_key`}, "the check does not know this statement"},
		{"dynamic SQL", []string{`EXEC (N'DROP TABLE dbo.dim_gene')`}, "dynamic SQL the check cannot read"},
		{"CTE with a column list", []string{`WITH x (a) AS (SELECT 1) SELECT a FROM x`}, "a CTE the check does not know"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs := bind(tc.batches...)
			if tc.want == "" {
				if len(errs) != 0 {
					t.Fatalf("unexpected findings:\n%s", strings.Join(errs, "\n"))
				}
				return
			}
			if len(errs) != 1 || !strings.Contains(errs[0], tc.want) {
				t.Fatalf("findings:\n%s\nwant one containing %q", strings.Join(errs, "\n"), tc.want)
			}
		})
	}
}

// TestBindingCatchesRenamedColumns renames, one at a time, the column of
// every alias.column reference in the statements that run against the
// latest schema, and expects each rename to be found: the check reads every
// qualified reference, wherever it stands.
func TestBindingCatchesRenamedColumns(t *testing.T) {
	versions, _, _ := bindMigrations(t)
	latest := versions[len(versions)-1]
	ref := regexp.MustCompile(`\b([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)\b`)
	older := olderSchemas(len(versions) - 1)
	n := 0
	for name, text := range goldenStatements(t) {
		if _, ok := older[name]; ok || migrationBatch.MatchString(name) || strings.HasPrefix(name, "copy_") {
			continue
		}
		for _, m := range ref.FindAllStringSubmatchIndex(text, -1) {
			if q := text[max(0, m[0]-2):m[0]]; strings.Contains(q, "'") || text[m[2]:m[3]] == "dbo" ||
				text[m[2]:m[3]] == "staging" || text[m[2]:m[3]] == "sys" {
				continue // a string, or a table name
			}
			mut := text[:m[5]] + "_renamed" + text[m[5]:]
			sch := latest.clone()
			if errs, _ := bindBatch(sch, sch, mut); len(errs) == 0 {
				t.Errorf("%s: renaming %s goes unnoticed", name, text[m[0]:m[1]])
			}
			n++
		}
	}
	if n < 450 {
		t.Errorf("only %d references renamed", n)
	}
	t.Logf("%d renamed references, each found", n)
}
