package mssql

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// SQL Server refuses to compile a statement that compares two character
// strings of different collations unless a COLLATE clause settles which one
// applies (Msg 468, "Cannot resolve the collation conflict"). The schema
// mixes two collations — business keys are Latin1_General_100_BIN2, every
// other string column has the database's default — so a comparison, join,
// MERGE ON or EXCEPT/INTERSECT/UNION that pairs a business key with an
// ordinary column fails on every run, and no test without a server sees it.
//
// This file checks it statically. It reads every column's type and declared
// collation from the migrations, then, for every statement the backend emits
// (the golden set), resolves each operand of each comparison and each
// column of each set operation to a collation label, following table
// aliases, derived tables and CTEs, and combines the two labels by SQL
// Server's collation precedence (explicit beats implicit beats
// coercible-default; two different implicit collations, or two different
// explicit ones, are a conflict). An operand it cannot resolve fails the
// test, so a statement of a shape the checker does not understand is not
// passed silently.
//
// What it does not model: it assumes every column created without COLLATE
// has the same collation (the database default when the schema was built),
// and that a derived table's or CTE's column keeps the label of the
// expression it selects (so a parameter stays coercible-default through
// VALUES). It does not look at assignments (SET x = y, INSERT … SELECT,
// MERGE … INSERT VALUES), which convert to the target column's collation
// and cannot conflict.

type collKind int

const (
	collNone      collKind = iota // not a character string
	collCoercible                 // a literal, variable or parameter
	collImplicit                  // a column reference
	collExplicit                  // a COLLATE clause
	collConflict                  // two labels that cannot be reconciled
	collUnknown                   // the checker could not resolve it
)

type collLabel struct {
	kind collKind
	name string // the collation, for implicit and explicit labels
	from string // what it was resolved from, for messages
}

func (l collLabel) String() string {
	switch l.kind {
	case collNone:
		return "no collation (not a string)"
	case collCoercible:
		return "coercible-default"
	case collImplicit:
		return "implicit " + l.name + " (" + l.from + ")"
	case collExplicit:
		return "explicit " + l.name
	case collConflict:
		return "conflict: " + l.from
	}
	return "unresolved: " + l.from
}

// dbDefault names the collation of columns declared without COLLATE.
const dbDefault = "DATABASE_DEFAULT"

func collationName(s string) string {
	if s == "" {
		return dbDefault
	}
	return strings.ToUpper(s)
}

// combineColl applies SQL Server's collation precedence to two operands.
func combineColl(a, b collLabel) collLabel {
	if a.kind == collUnknown {
		return a
	}
	if b.kind == collUnknown {
		return b
	}
	if a.kind == collNone {
		return b
	}
	if b.kind == collNone {
		return a
	}
	if a.kind < b.kind {
		a, b = b, a // a has the higher kind
	}
	switch {
	case a.kind == collConflict:
		if b.kind == collConflict || b.kind == collImplicit || b.kind == collCoercible {
			return a
		}
	case a.kind == collExplicit && b.kind == collExplicit:
		if a.name != b.name {
			return collLabel{kind: collConflict, from: "explicit " + a.name + " against explicit " + b.name}
		}
		return a
	case a.kind == collExplicit:
		return a
	case a.kind == collImplicit && b.kind == collImplicit:
		if a.name != b.name {
			return collLabel{kind: collConflict, from: a.String() + " against " + b.String()}
		}
		return a
	case a.kind == collImplicit:
		return a
	}
	// collExplicit against collConflict: the explicit collation wins.
	if a.kind == collConflict && b.kind == collExplicit {
		return b
	}
	return a
}

// schemaColumns maps "schema.table" to its columns' labels, as the
// migrations leave them.
type schemaColumns map[string]map[string]collLabel

var stringTypes = map[string]bool{"NVARCHAR": true, "VARCHAR": true, "NCHAR": true, "CHAR": true, "NTEXT": true, "TEXT": true, "SYSNAME": true}

func (s schemaColumns) add(table string, c ddlColumn) {
	table = strings.ToLower(table)
	if s[table] == nil {
		s[table] = map[string]collLabel{}
	}
	l := collLabel{kind: collNone}
	if stringTypes[baseType(c.typ)] {
		l = collLabel{kind: collImplicit, name: collationName(c.collation), from: table + "." + c.name}
	}
	s[table][strings.ToLower(c.name)] = l
}

var (
	alterColumn = regexp.MustCompile(`(?i)ALTER\s+TABLE\s+([\w.]+)\s+ALTER\s+COLUMN\s+(\w+)\s+(\w+(?:\s*\([^)]*\))?)(?:\s+COLLATE\s+(\w+))?`)
	addColumns  = regexp.MustCompile(`(?i)ALTER\s+TABLE\s+([\w.]+)\s+(?:WITH\s+(?:NO)?CHECK\s+)?ADD\s+([^;]*)`)
	dbCollate   = regexp.MustCompile(`(?i)ALTER\s+DATABASE\b[^;]*\bCOLLATE\b`)
)

// loadSchemaColumns reads every table the migrations create or alter.
func loadSchemaColumns(t *testing.T) schemaColumns {
	t.Helper()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	cols := schemaColumns{}
	for _, tb := range parseTables(t, stmtSchemaVersionTable) {
		for _, c := range tb.columns {
			cols.add(tb.name, c)
		}
	}
	for _, m := range ms {
		for _, b := range m.batches {
			b = stripLineComments(b)
			if dbCollate.MatchString(b) {
				t.Fatalf("migration %d changes the database collation, which this check does not model", m.version)
			}
			for _, tb := range parseTables(t, b) {
				for _, c := range tb.columns {
					cols.add(tb.name, c)
				}
			}
			for _, a := range addColumns.FindAllStringSubmatch(b, -1) {
				for _, item := range splitTopLevel(a[2]) {
					f := strings.Fields(item)
					if len(f) < 2 || strings.EqualFold(f[0], "CONSTRAINT") || strings.EqualFold(f[0], "PRIMARY") ||
						strings.EqualFold(f[0], "FOREIGN") || strings.EqualFold(f[0], "UNIQUE") || strings.EqualFold(f[0], "CHECK") {
						continue
					}
					c := ddlColumn{name: f[0], typ: strings.ToUpper(f[1])}
					if m := columnCollation.FindStringSubmatch(item); m != nil {
						c.collation = m[1]
					}
					cols.add(a[1], c)
				}
			}
			for _, a := range alterColumn.FindAllStringSubmatch(b, -1) {
				cols.add(a[1], ddlColumn{name: a[2], typ: strings.ToUpper(a[3]), collation: a[4]})
			}
		}
	}
	return cols
}

// The statement model: tokens, parenthesized groups as nodes, and each node
// cut into segments at ';' and at set operators. A segment has a scope: the
// table sources (tables, derived tables, VALUES, CTEs) it introduces.

type tokKind int

const (
	tkWord tokKind = iota // identifier, keyword, dotted name, @variable
	tkNum
	tkLit
	tkOp
	tkComma
	tkSemi
	tkGroup
)

type sqlTok struct {
	kind  tokKind
	s     string
	group *sqlNode
}

type sqlNode struct {
	toks  []sqlTok
	segs  []*sqlSeg
	setOp []bool // setOp[i]: segs[i] and segs[i+1] are joined by EXCEPT, INTERSECT or UNION
}

type sqlSeg struct {
	toks  []sqlTok
	scope *sqlScope
}

type sqlSource struct {
	table  string    // "schema.table"
	node   *sqlNode  // a derived table or CTE
	values bool      // node is a VALUES list
	names  []string  // the VALUES column names
	opaque string    // a source the checker does not model (UNPIVOT)
	scope  *sqlScope // where a CTE was defined
}

type sqlScope struct {
	parent  *sqlScope
	aliases map[string]*sqlSource
	order   []*sqlSource
	ctes    map[string]*sqlSource
}

var sqlKeywords = map[string]bool{}

func init() {
	for _, k := range strings.Fields(`ADD ALL ALTER AND AS ASC BEGIN BETWEEN BY CASE CATCH COLLATE COMMIT CONSTRAINT CREATE
		CROSS CURRENT DECLARE DELETE DESC DISTINCT ELSE END EXCEPT EXEC EXECUTE EXISTS FETCH FOR FROM FULL GO GROUP HAVING IF IN
		INDEX INNER INSERT INTERSECT INTO IS JOIN LEFT LIKE MATCHED MERGE NOT NULL OFFSET ON OPTION OR ORDER OUTER OUTPUT OVER
		PARTITION PIVOT PROCEDURE RETURN RIGHT ROWS SELECT SET SOURCE TABLE TARGET THEN TOP TRAN TRANSACTION UNION UNIQUE UNPIVOT
		UPDATE USING VALUES VIEW WHEN WHERE WITH WITHIN`) {
		sqlKeywords[k] = true
	}
}

func isKeyword(t sqlTok) bool { return t.kind == tkWord && sqlKeywords[strings.ToUpper(t.s)] }

func isWord(t sqlTok, w string) bool { return t.kind == tkWord && strings.EqualFold(t.s, w) }

// lexSQL cuts T-SQL into tokens and nests parenthesized groups.
func lexSQL(s string) (*sqlNode, error) {
	root := &sqlNode{}
	stack := []*sqlNode{root}
	push := func(t sqlTok) { n := stack[len(stack)-1]; n.toks = append(n.toks, t) }
	isIdent := func(c byte) bool {
		return c == '_' || c == '@' || c == '#' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case strings.HasPrefix(s[i:], "--"):
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case strings.HasPrefix(s[i:], "/*"):
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return nil, fmt.Errorf("unterminated comment")
			}
			i += end + 4
		case c == '\'' || (c == 'N' || c == 'n') && i+1 < len(s) && s[i+1] == '\'':
			if c != '\'' {
				i++
			}
			j := i + 1
			for {
				if j >= len(s) {
					return nil, fmt.Errorf("unterminated string literal")
				}
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						j += 2
						continue
					}
					break
				}
				j++
			}
			push(sqlTok{kind: tkLit, s: s[i : j+1]})
			i = j + 1
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			push(sqlTok{kind: tkNum, s: s[i:j]})
			i = j
		case isIdent(c) || c == '[':
			var b strings.Builder
			j := i
			for j < len(s) {
				if s[j] == '[' {
					end := strings.IndexByte(s[j:], ']')
					if end < 0 {
						return nil, fmt.Errorf("unterminated [identifier]")
					}
					b.WriteString(s[j+1 : j+end])
					j += end + 1
				} else if isIdent(s[j]) || s[j] == '.' {
					b.WriteByte(s[j])
					j++
				} else {
					break
				}
			}
			push(sqlTok{kind: tkWord, s: b.String()})
			i = j
		case c == '(':
			n := &sqlNode{}
			push(sqlTok{kind: tkGroup, group: n})
			stack = append(stack, n)
			i++
		case c == ')':
			if len(stack) == 1 {
				return nil, fmt.Errorf("unbalanced )")
			}
			stack = stack[:len(stack)-1]
			i++
		case c == ',':
			push(sqlTok{kind: tkComma, s: ","})
			i++
		case c == ';':
			push(sqlTok{kind: tkSemi, s: ";"})
			i++
		default:
			op := string(c)
			for _, two := range []string{"<>", "<=", ">=", "!=", "+=", "-="} {
				if strings.HasPrefix(s[i:], two) {
					op = two
				}
			}
			push(sqlTok{kind: tkOp, s: op})
			i += len(op)
		}
	}
	if len(stack) != 1 {
		return nil, fmt.Errorf("unbalanced (")
	}
	return root, nil
}

// collChecker resolves labels in one statement.
type collChecker struct {
	cols    schemaColumns
	nodes   []*sqlNode
	checked []string // the string comparisons it checked, for coverage
	errs    []string
}

// build cuts node into segments and gives each its scope, recursively.
func (c *collChecker) build(n *sqlNode, parent *sqlScope) {
	c.nodes = append(c.nodes, n)
	n.segs, n.setOp = nil, nil // a statement may be built again, against another schema
	var cur []sqlTok
	cut := func(setOp bool) {
		n.segs = append(n.segs, &sqlSeg{toks: cur})
		n.setOp = append(n.setOp, setOp)
		cur = nil
	}
	for i := 0; i < len(n.toks); i++ {
		t := n.toks[i]
		switch {
		case t.kind == tkSemi:
			cut(false)
		case isWord(t, "EXCEPT") || isWord(t, "INTERSECT") || isWord(t, "UNION"):
			if isWord(t, "UNION") && i+1 < len(n.toks) && isWord(n.toks[i+1], "ALL") {
				i++
			}
			cut(true)
		default:
			cur = append(cur, t)
		}
	}
	cut(false)
	n.setOp = n.setOp[:len(n.setOp)-1]
	for _, seg := range n.segs {
		seg.scope = &sqlScope{parent: parent, aliases: map[string]*sqlSource{}, ctes: map[string]*sqlSource{}}
		c.sources(seg)
		// A derived table or a CTE body sees the enclosing query's outer
		// scopes and the CTEs, but not the sources beside it in its FROM.
		var sealed *sqlScope
		for _, t := range seg.toks {
			if t.kind != tkGroup {
				continue
			}
			p := seg.scope
			if definesSource(seg.scope, t.group) {
				if sealed == nil {
					sealed = &sqlScope{parent: parent, aliases: map[string]*sqlSource{}, ctes: seg.scope.ctes}
				}
				p = sealed
			}
			c.build(t.group, p)
		}
	}
}

// definesSource reports whether g is the body of a derived table, a VALUES
// list or a CTE of sc.
func definesSource(sc *sqlScope, g *sqlNode) bool {
	for _, src := range sc.order {
		if src.node == g {
			return true
		}
	}
	for _, src := range sc.ctes {
		if src.node == g {
			return true
		}
	}
	return false
}

func startsWith(n *sqlNode, w string) bool { return len(n.toks) > 0 && isWord(n.toks[0], w) }

// sources records the table sources and CTEs a segment introduces.
func (c *collChecker) sources(seg *sqlSeg) {
	ts := seg.toks
	at := func(i int) sqlTok {
		if i < len(ts) {
			return ts[i]
		}
		return sqlTok{kind: tkSemi}
	}
	for i := 0; i < len(ts); i++ {
		t := ts[i]
		// name AS (SELECT …) after WITH or a comma: a CTE.
		if t.kind == tkWord && !isKeyword(t) && isWord(at(i+1), "AS") && at(i+2).kind == tkGroup && i > 0 &&
			(isWord(ts[i-1], "WITH") || ts[i-1].kind == tkComma) && startsWith(at(i+2).group, "SELECT") {
			seg.scope.ctes[strings.ToLower(t.s)] = &sqlSource{node: at(i + 2).group, scope: seg.scope}
			continue
		}
		if isWord(t, "UNPIVOT") || isWord(t, "PIVOT") {
			j := i + 2
			if isWord(at(j), "AS") {
				j++
			}
			if at(j).kind == tkWord {
				src := &sqlSource{opaque: strings.ToUpper(t.s)}
				seg.scope.aliases[strings.ToLower(at(j).s)] = src
				seg.scope.order = append(seg.scope.order, src)
			}
			continue
		}
		update := isWord(t, "UPDATE")
		if !(isWord(t, "FROM") || isWord(t, "JOIN") || isWord(t, "USING") || isWord(t, "MERGE") || update) {
			continue
		}
		j := i + 1
		if isWord(at(j), "INTO") {
			j++
		}
		var src *sqlSource
		var alias string
		switch n := at(j); {
		case n.kind == tkGroup:
			src = &sqlSource{node: n.group, values: startsWith(n.group, "VALUES")}
		case n.kind == tkWord && !isKeyword(n):
			name := strings.ToLower(n.s)
			if _, ok := c.cols[name]; ok {
				src = &sqlSource{table: name}
			} else if cte := c.lookupCTE(seg.scope, name); cte != nil {
				src = cte
			} else if update {
				continue // UPDATE alias … FROM: the FROM defines it
			} else {
				src = &sqlSource{opaque: "unknown table " + n.s}
			}
			alias = name[strings.LastIndexByte(name, '.')+1:]
		default:
			continue
		}
		j++
		if isWord(at(j), "WITH") && at(j+1).kind == tkGroup {
			j += 2
		}
		if isWord(at(j), "AS") {
			j++
		}
		if a := at(j); a.kind == tkWord && !isKeyword(a) {
			alias = strings.ToLower(a.s)
			if src.values && at(j+1).kind == tkGroup {
				for _, nt := range at(j + 1).group.toks {
					if nt.kind == tkWord {
						src.names = append(src.names, strings.ToLower(nt.s))
					}
				}
			}
		}
		if alias == "" {
			continue
		}
		seg.scope.aliases[alias] = src
		seg.scope.order = append(seg.scope.order, src)
	}
}

func (c *collChecker) lookupCTE(sc *sqlScope, name string) *sqlSource {
	for ; sc != nil; sc = sc.parent {
		if s, ok := sc.ctes[name]; ok {
			return s
		}
	}
	return nil
}

// selectItems returns the select list of a segment (see selectList): each
// item's output name ("" when it has none) and its tokens.
func selectItems(seg *sqlSeg) (names []string, items [][]sqlTok, ok bool) {
	ts := seg.toks
	i := 0
	for i < len(ts) && !isWord(ts[i], "SELECT") {
		i++
	}
	items, names, _, ok = selectList(ts[i:])
	return names, items, ok
}

// column resolves a column of a source.
func (c *collChecker) column(src *sqlSource, col string) (collLabel, bool) {
	switch {
	case src.table != "":
		l, ok := c.cols[src.table][col]
		return l, ok
	case src.opaque != "":
		return collLabel{kind: collUnknown, from: src.opaque + " source, column " + col}, true
	case src.values:
		k := -1
		for i, n := range src.names {
			if n == col {
				k = i
			}
		}
		if k < 0 {
			return collLabel{}, false
		}
		// VALUES (…), (…): combine the k-th value of every row.
		l := collLabel{kind: collNone}
		for _, t := range src.node.toks {
			if t.kind != tkGroup {
				continue
			}
			row := splitItems(t.group.toks)
			if k >= len(row) {
				return collLabel{kind: collUnknown, from: "a VALUES row too short"}, true
			}
			l = combineColl(l, c.expr(row[k], t.group.segs[0].scope))
		}
		return l, true
	}
	seg := src.node.segs[0]
	names, items, ok := selectItems(seg)
	if !ok {
		return collLabel{kind: collUnknown, from: "a derived table without SELECT"}, true
	}
	for i, n := range names {
		if n == col {
			return c.expr(items[i], seg.scope), true
		}
	}
	return collLabel{}, false
}

func splitItems(ts []sqlTok) [][]sqlTok {
	var out [][]sqlTok
	var cur []sqlTok
	for _, t := range ts {
		if t.kind == tkComma {
			out = append(out, cur)
			cur = nil
			continue
		}
		cur = append(cur, t)
	}
	return append(out, cur)
}

// ref resolves a column reference, qualified or not. ok is false for a bare
// word that names no column in scope (a type name, a built-in).
func (c *collChecker) ref(word string, sc *sqlScope) (collLabel, bool) {
	w := strings.ToLower(word)
	if alias, col, qualified := strings.Cut(w, "."); qualified {
		if strings.Contains(col, ".") {
			return collLabel{kind: collUnknown, from: "a three-part name " + word}, true
		}
		for s := sc; s != nil; s = s.parent {
			if src, ok := s.aliases[alias]; ok {
				l, ok := c.column(src, col)
				if !ok {
					return collLabel{kind: collUnknown, from: word + ": no such column"}, true
				}
				return l, true
			}
		}
		return collLabel{kind: collUnknown, from: word + ": no such alias"}, true
	}
	for s := sc; s != nil; s = s.parent {
		for _, src := range s.order {
			if src.opaque != "" {
				continue
			}
			if l, ok := c.column(src, w); ok {
				return l, true
			}
		}
	}
	return collLabel{}, false
}

// expr labels an expression by collation precedence over its parts.
func (c *collChecker) expr(ts []sqlTok, sc *sqlScope) collLabel {
	l := collLabel{kind: collNone}
	for i := 0; i < len(ts); i++ {
		t := ts[i]
		switch t.kind {
		case tkLit:
			l = combineColl(l, collLabel{kind: collCoercible})
		case tkGroup:
			g := t.group
			if i > 0 && (isWord(ts[i-1], "OVER") || isWord(ts[i-1], "GROUP")) {
				continue // a window or WITHIN GROUP ordering: not part of the value
			}
			if startsWith(g, "SELECT") {
				_, items, _ := selectItems(g.segs[0])
				if len(items) > 0 {
					l = combineColl(l, c.expr(items[0], g.segs[0].scope))
				}
				continue
			}
			for _, seg := range g.segs {
				l = combineColl(l, c.expr(seg.toks, seg.scope))
			}
		case tkWord:
			switch {
			case isWord(t, "COLLATE") && i+1 < len(ts):
				l = combineColl(l, collLabel{kind: collExplicit, name: collationName(ts[i+1].s)})
				i++
			case strings.HasPrefix(t.s, "@"):
				l = combineColl(l, collLabel{kind: collCoercible})
			case isKeyword(t):
			case i+1 < len(ts) && ts[i+1].kind == tkGroup && !strings.Contains(t.s, "."):
				// a function; its arguments are the group that follows
			default:
				if r, ok := c.ref(t.s, sc); ok {
					l = combineColl(l, r)
				}
			}
		}
	}
	return l
}

var comparisonOps = map[string]bool{"=": true, "<>": true, "!=": true, "<": true, ">": true, "<=": true, ">=": true}

var arithmeticOps = map[string]bool{"+": true, "-": true, "*": true, "/": true, "%": true}

// operandLeft and operandRight cut the operand next to a comparison at i:
// primaries joined by arithmetic operators, each with its COLLATE.
func operandLeft(ts []sqlTok, i int) []sqlTok {
	j := i - 1
	for j >= 0 {
		// a primary, possibly with COLLATE name after it
		if j >= 2 && isWord(ts[j-1], "COLLATE") {
			j -= 2
		}
		if ts[j].kind == tkGroup && j >= 1 && ts[j-1].kind == tkWord && !isKeyword(ts[j-1]) {
			j-- // function(args)
		}
		if j >= 1 && ts[j-1].kind == tkOp && arithmeticOps[ts[j-1].s] {
			j -= 2
			continue
		}
		break
	}
	if j < 0 {
		j = 0
	}
	return ts[j:i]
}

func operandRight(ts []sqlTok, i int) []sqlTok {
	j := i + 1
	for j < len(ts) {
		if ts[j].kind == tkWord && !isKeyword(ts[j]) && j+1 < len(ts) && ts[j+1].kind == tkGroup {
			j++ // function(args)
		}
		j++
		if j+1 < len(ts) && isWord(ts[j], "COLLATE") {
			j += 2
		}
		if j < len(ts) && ts[j].kind == tkOp && arithmeticOps[ts[j].s] {
			j++
			continue
		}
		break
	}
	if j > len(ts) {
		j = len(ts)
	}
	return ts[i+1 : j]
}

func tokText(ts []sqlTok) string {
	var parts []string
	for _, t := range ts {
		if t.kind == tkGroup {
			parts = append(parts, "(…)")
			continue
		}
		parts = append(parts, t.s)
	}
	return strings.Join(parts, " ")
}

// compare checks one pair of operands.
func (c *collChecker) compare(where string, left, right []sqlTok, sc, rsc *sqlScope) {
	a, b := c.expr(left, sc), c.expr(right, rsc)
	what := fmt.Sprintf("%s: %s against %s", where, tokText(left), tokText(right))
	switch r := combineColl(a, b); r.kind {
	case collUnknown:
		c.errs = append(c.errs, fmt.Sprintf("%s: cannot resolve %s", what, r.from))
	case collConflict:
		c.errs = append(c.errs, fmt.Sprintf("%s: collation conflict (Msg 468): %s against %s", what, a, b))
	default:
		if a.kind == collImplicit || a.kind == collExplicit || b.kind == collImplicit || b.kind == collExplicit {
			c.checked = append(c.checked, what)
		}
	}
}

// check runs every comparison and set operation of the statement.
func (c *collChecker) check() {
	for _, n := range c.nodes {
		for _, seg := range n.segs {
			ts := seg.toks
			inSet := false
			for i, t := range ts {
				switch {
				case isWord(t, "SET"):
					inSet = true
				case isWord(t, "FROM") || isWord(t, "WHERE") || isWord(t, "WHEN") || isWord(t, "OUTPUT"):
					inSet = false
				case t.kind == tkOp && comparisonOps[t.s]:
					// SET column = value is an assignment, not a comparison.
					if inSet && i >= 2 && ts[i-1].kind == tkWord && (isWord(ts[i-2], "SET") || ts[i-2].kind == tkComma) {
						continue
					}
					if i == 0 || i+1 >= len(ts) {
						c.errs = append(c.errs, "a comparison without two operands")
						continue
					}
					c.compare(t.s, operandLeft(ts, i), operandRight(ts, i), seg.scope, seg.scope)
				case isWord(t, "IN") && i+1 < len(ts) && ts[i+1].kind == tkGroup:
					left := operandLeft(ts, i)
					if i >= 1 && isWord(ts[i-1], "NOT") {
						left = operandLeft(ts, i-1)
					}
					g := ts[i+1].group
					if !startsWith(g, "SELECT") {
						for _, item := range splitItems(g.toks) {
							c.compare("IN", left, item, seg.scope, g.segs[0].scope)
						}
						continue
					}
					_, items, _ := selectItems(g.segs[0])
					if len(items) != 1 {
						c.errs = append(c.errs, "IN (SELECT …) with other than one column")
						continue
					}
					c.compare("IN", left, items[0], seg.scope, g.segs[0].scope)
				}
			}
		}
		for i, joined := range n.setOp {
			if !joined {
				continue
			}
			_, a, okA := selectItems(n.segs[i])
			_, b, okB := selectItems(n.segs[i+1])
			if !okA || !okB || len(a) != len(b) {
				c.errs = append(c.errs, "a set operation whose sides are not two select lists of one length")
				continue
			}
			for k := range a {
				c.compare(fmt.Sprintf("set operation, column %d", k+1), a[k], b[k], n.segs[i].scope, n.segs[i+1].scope)
			}
		}
	}
}

// checkCollations checks one statement; it returns the conflicts (and
// unresolved operands) and the string comparisons it checked.
func checkCollations(cols schemaColumns, stmt string) (errs, checked []string) {
	root, err := lexSQL(stmt)
	if err != nil {
		return []string{err.Error()}, nil
	}
	c := &collChecker{cols: cols}
	c.build(root, nil)
	c.check()
	return c.errs, c.checked
}

// TestStatementsHaveNoCollationConflict checks every statement the backend
// emits, including the schema's views.
func TestStatementsHaveNoCollationConflict(t *testing.T) {
	cols := loadSchemaColumns(t)
	stmts := goldenStatements(t)
	names := make([]string, 0, len(stmts))
	for n := range stmts {
		names = append(names, n)
	}
	sort.Strings(names)
	total := 0
	for _, name := range names {
		if strings.HasPrefix(name, "copy_") {
			continue // bulk copies carry rows, not comparisons
		}
		errs, checked := checkCollations(cols, stmts[name])
		for _, e := range errs {
			t.Errorf("%s: %s", name, e)
		}
		total += len(checked)
		if testing.Verbose() {
			for _, c := range checked {
				t.Logf("%s: %s", name, c)
			}
		}
	}
	// The checker must actually reach the comparisons that matter: the
	// business-key joins and the change-detecting EXCEPTs.
	for name, want := range map[string][]string{
		"merge_samples":      {"set operation, column 3: s.sample_platform", "=: t.sample_accession_code against s.sample_accession_code", "=: i.illness_label against d.illness_label"},
		"merge_platforms":    {"set operation, column 1: s.platform_name"},
		"insert_facts":       {"=: g.gene_id against r.gene_id"},
		"classify_batches":   {"=: b.study_accession_code against l.study_accession_code"},
		"schema_002_batch_2": {"=: c.feature_name against f.feature_name"},
	} {
		_, checked := checkCollations(cols, stmts[name])
		for _, w := range want {
			found := false
			for _, c := range checked {
				found = found || strings.HasPrefix(c, w)
			}
			if !found {
				t.Errorf("%s: the check did not reach %q; it checked:\n%s", name, w, strings.Join(checked, "\n"))
			}
		}
	}
	if total < 50 {
		t.Errorf("checked only %d string comparisons across all statements", total)
	}
}

// TestCollationChecker shows the check failing where SQL Server would, and
// passing where it would not, on small statements over the real schema.
func TestCollationChecker(t *testing.T) {
	cols := loadSchemaColumns(t)
	tests := []struct {
		name, stmt string
		conflict   bool
	}{
		{"business keys joined", `SELECT 1 FROM dbo.dim_sample AS s JOIN staging.matrix_columns AS c ON c.sample_accession_code = s.sample_accession_code`, false},
		{"business key against a default column", `SELECT 1 FROM dbo.dim_sample AS s WHERE s.sample_accession_code = s.sample_platform`, true},
		{"settled by COLLATE", `SELECT 1 FROM dbo.dim_sample AS s WHERE s.sample_accession_code = s.sample_platform COLLATE Latin1_General_100_BIN2`, false},
		{"two different COLLATEs", `SELECT 1 FROM dbo.dim_sample AS s WHERE s.sample_accession_code COLLATE Latin1_General_100_CI_AS = s.sample_platform COLLATE Latin1_General_100_BIN2`, true},
		{"a parameter adapts", `SELECT 1 FROM dbo.dim_sample AS s WHERE s.sample_accession_code = @p1`, false},
		{"a literal adapts", `SELECT 1 FROM dbo.dim_study WHERE study_accession_code = N'GSE1'`, false},
		{"ints have no collation", `SELECT 1 FROM dbo.dim_sample AS s JOIN dbo.dim_study AS st ON st.study_key = s.study_key`, false},
		{"through a derived table", `SELECT 1 FROM (SELECT platform_accession AS p FROM staging.dim_sample) AS d JOIN dbo.dim_sample AS s ON s.sample_platform = d.p`, true},
		{"through a derived table, aliased without AS", `SELECT 1 FROM (SELECT platform_accession p FROM staging.dim_sample) AS d JOIN dbo.dim_sample AS s ON s.sample_platform = d.p`, true},
		{"a derived table's column with its COLLATE", `SELECT 1 FROM (SELECT platform_accession COLLATE Latin1_General_100_BIN2 AS p FROM staging.dim_sample) AS d JOIN dbo.dim_sample AS s ON s.sample_accession_code = d.p`, false},
		{"through a CTE", `WITH x AS (SELECT gene_id FROM staging.matrix_rows) SELECT 1 FROM x JOIN dbo.dim_gene AS g ON g.gene_symbol = x.gene_id`, true},
		{"IN a subquery", `SELECT 1 FROM dbo.dim_sample AS s WHERE s.sample_title IN (SELECT gene_id FROM dbo.dim_gene)`, true},
		{"EXCEPT of a renamed business key, as merge_samples had it", `MERGE dbo.dim_sample WITH (HOLDLOCK) AS t
USING (SELECT d.platform_accession AS sample_platform, d.sample_accession_code FROM (SELECT platform_accession, sample_accession_code FROM staging.dim_sample) AS d) AS s
ON t.sample_accession_code = s.sample_accession_code
WHEN MATCHED AND EXISTS (SELECT s.sample_platform EXCEPT SELECT t.sample_platform) THEN UPDATE SET sample_platform = s.sample_platform;`, true},
		{"the same with COLLATE on the target side", `MERGE dbo.dim_sample WITH (HOLDLOCK) AS t
USING (SELECT d.platform_accession AS sample_platform, d.sample_accession_code FROM (SELECT platform_accession, sample_accession_code FROM staging.dim_sample) AS d) AS s
ON t.sample_accession_code = s.sample_accession_code
WHEN MATCHED AND EXISTS (SELECT s.sample_platform EXCEPT SELECT t.sample_platform COLLATE Latin1_General_100_BIN2) THEN UPDATE SET sample_platform = s.sample_platform;`, false},
		{"an assignment converts", `UPDATE dbo.dim_sample SET sample_platform = sample_accession_code WHERE sample_key = 1`, false},
		{"UNION of two collations", `SELECT gene_id FROM dbo.dim_gene UNION SELECT gene_symbol FROM dbo.dim_gene`, true},
		{"VALUES of parameters against a business key", `SELECT 1 FROM (VALUES (@p1), (@p2)) AS v (a) JOIN dbo.dim_study AS st ON st.study_accession_code = v.a`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs, _ := checkCollations(cols, tc.stmt)
			conflict := false
			for _, e := range errs {
				if !strings.Contains(e, "collation conflict") {
					t.Fatalf("unexpected: %s", e)
				}
				conflict = true
			}
			if conflict != tc.conflict {
				t.Fatalf("conflict = %v, want %v (%v)", conflict, tc.conflict, errs)
			}
		})
	}
	t.Run("an unknown alias fails", func(t *testing.T) {
		errs, _ := checkCollations(cols, `SELECT 1 FROM dbo.dim_sample AS s WHERE s.sample_title = q.gene_id`)
		if len(errs) != 1 || !strings.Contains(errs[0], "cannot resolve") {
			t.Fatalf("errs = %v", errs)
		}
	})
}
