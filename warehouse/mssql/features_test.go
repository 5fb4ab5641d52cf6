package mssql

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// No SQL Server runs where these tests run: the feature statements are
// checked here for what can be checked without one, and run for real by
// TestFeatureContract against a server.

// TestFeatureStatementParameters checks that each statement numbers its
// parameters 1…n with the n arguments MaterializeFeatures passes it.
func TestFeatureStatementParameters(t *testing.T) {
	args := map[string]int{
		"feature_publish_shared": 1, "feature_study_lock": 2, "feature_target": 1, "feature_range": 1,
		"feature_delete": 1, "feature_state": 7, "feature_counts": 1, "feature_fingerprint": 1,
	}
	for _, ins := range featureInserts {
		for name, stmt := range featureStatements {
			if stmt == ins.stmt {
				args[name] = ins.params
			}
		}
	}
	param := regexp.MustCompile(`@p(\d+)`)
	for name, stmt := range featureStatements {
		want, ok := args[name]
		if !ok {
			t.Errorf("%s: the test does not know how many arguments it takes", name)
			continue
		}
		used := map[int]bool{}
		for _, m := range param.FindAllStringSubmatch(stmt, -1) {
			n, _ := strconv.Atoi(m[1])
			used[n] = true
		}
		for n := 1; n <= want; n++ {
			if !used[n] {
				t.Errorf("%s takes %d arguments but never uses @p%d", name, want, n)
			}
		}
		if len(used) != want {
			t.Errorf("%s uses %d parameters, is passed %d", name, len(used), want)
		}
	}
}

// TestFeatureStatementsAreTSQL catches DuckDB spellings that SQL Server
// rejects, and guards the divisions and square roots SQL Server may
// evaluate before the condition meant to protect them.
func TestFeatureStatementsAreTSQL(t *testing.T) {
	duckdbOnly := regexp.MustCompile(`(?i)\$\d|\bFILTER\s*\(|\bMEDIAN\(|\bcorr\(|\bisfinite\(|\bgreatest\(|\bleast\(|\blog2\(|` +
		`\bSTDDEV_SAMP\(|\bVAR_SAMP\(|\bLIMIT\b|\bNOT s\.exclude|\bON CONFLICT\b|\bis_current\b(?:\s*$|\s+AND|\s*\))|::`)
	sqrtArg := regexp.MustCompile(`SQRT\(([^()]*(?:\([^()]*\))?[^()]*)\)`)
	for name, stmt := range featureStatements {
		if m := duckdbOnly.FindString(stmt); m != "" {
			t.Errorf("%s: %q is not T-SQL", name, m)
		}
		for _, m := range sqrtArg.FindAllStringSubmatch(stmt, -1) {
			if !strings.HasPrefix(m[1], "CASE WHEN") {
				t.Errorf("%s: SQRT(%s) is not guarded by a CASE inside it", name, m[1])
			}
		}
		for _, line := range strings.Split(stmt, "\n") {
			if i := strings.Index(line, " / "); i >= 0 && !strings.Contains(line, "NULLIF(") && !strings.Contains(line, "SQRT(CASE") &&
				!strings.Contains(line, "/ n") {
				t.Errorf("%s: unguarded division in %q", name, strings.TrimSpace(line))
			}
		}
		if strings.Contains(stmt, "fact_gene_expression") && !strings.Contains(stmt, "study_bucket = CONVERT(SMALLINT, @p1 % 32)") {
			t.Errorf("%s reads the fact without its study's partition", name)
		}
	}
}

// catalogRow matches one seeded catalog row: name, scope, the two entity
// references, the minimum samples and the version.
var catalogRow = regexp.MustCompile(`(?s)\(N?'(\w+)', N?'(\w+)', N?'([\w.]+)', (NULL|N?'[\w.]+'),\s+N?'(?:[^']|'')*',\s+N?'(?:[^']|'')*', (\d+), (\d+)\)`)

func seededCatalog(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range catalogRow.FindAllStringSubmatch(string(b), -1) {
		out = append(out, strings.ReplaceAll(strings.Join(m[1:], " "), "N'", "'"))
	}
	return out
}

// TestFeatureCatalogMatchesDuckDB compares the catalog this backend seeds
// with the DuckDB backend's, so that the two define the same features.
func TestFeatureCatalogMatchesDuckDB(t *testing.T) {
	here := seededCatalog(t, "schema/002_features.sql")
	there := seededCatalog(t, "../duckdb/schema/003_features.sql")
	if len(here) != 11 || !slices.Equal(here, there) {
		t.Fatalf("catalogs differ:\n mssql  %q\n duckdb %q", here, there)
	}
	for _, name := range []string{"cohort_sample_count", "gene_pair_pearson_r"} {
		if !slices.ContainsFunc(here, func(r string) bool { return strings.HasPrefix(r, name+" ") }) {
			t.Errorf("%s is not seeded", name)
		}
	}
}
