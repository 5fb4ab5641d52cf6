package mssql

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestNoSubqueryInAggregate: SQL Server refuses an aggregate over an
// expression holding a subquery ("Cannot perform an aggregate function on
// an expression containing an aggregate or a subquery", Msg 130), which no
// test without a server would notice: SUM(CASE WHEN EXISTS (SELECT …)
// …) must become a column of a derived table, summed outside it.
func TestNoSubqueryInAggregate(t *testing.T) {
	stmts := goldenStatements(t)
	for _, name := range slices.Sorted(maps.Keys(stmts)) {
		if where := subqueryInAggregate(stmts[name]); where != "" {
			t.Errorf("%s: a subquery inside an aggregate: %s", name, where)
		}
	}
	for _, bad := range []string{
		"SELECT SUM(CASE WHEN EXISTS (SELECT 1 FROM t) THEN 1 ELSE 0 END) FROM u",
		"SELECT COUNT_BIG(x), max ( (select 1) ) FROM u",
	} {
		if subqueryInAggregate(bad) == "" {
			t.Errorf("the check misses %q", bad)
		}
	}
	for _, good := range []string{
		"SELECT SUM(f.made_good) FROM (SELECT CASE WHEN EXISTS (SELECT 1 FROM t) THEN 1 ELSE 0 END AS made_good FROM u) AS f",
		"SELECT SUM(COUNT(*)) OVER () FROM u GROUP BY a",
		"SELECT 'SUM(SELECT' AS s -- COUNT(SELECT\n FROM u",
	} {
		if where := subqueryInAggregate(good); where != "" {
			t.Errorf("the check refuses %q: %s", good, where)
		}
	}
}

var (
	sqlNoise  = regexp.MustCompile(`(?s)'(?:[^']|'')*'|--[^\r\n]*|/\*.*?\*/`)
	aggregate = regexp.MustCompile(`(?i)\b(SUM|COUNT|COUNT_BIG|AVG|MIN|MAX|STDEV|STDEVP|VAR|VARP|STRING_AGG|CHECKSUM_AGG)\s*\(`)
	selectKw  = regexp.MustCompile(`(?i)\bSELECT\b`)
)

// subqueryInAggregate returns the first aggregate call of a T-SQL text
// (string literals and comments aside) whose arguments hold a SELECT, ""
// when none does.
func subqueryInAggregate(sql string) string {
	text := sqlNoise.ReplaceAllStringFunc(sql, func(m string) string { return strings.Repeat(" ", len(m)) })
	for _, loc := range aggregate.FindAllStringIndex(text, -1) {
		depth, end := 0, len(text)
		for i := loc[1] - 1; i < len(text); i++ {
			if text[i] == '(' {
				depth++
			} else if text[i] == ')' {
				if depth--; depth == 0 {
					end = i
					break
				}
			}
		}
		if args := text[loc[1]:end]; selectKw.MatchString(args) {
			return strings.Join(strings.Fields(text[loc[0]:min(end+1, loc[0]+120)]), " ")
		}
	}
	return ""
}
