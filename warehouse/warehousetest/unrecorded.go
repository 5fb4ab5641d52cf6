package warehousetest

import (
	"database/sql"
	"slices"
	"strings"
	"testing"

	"github.com/genexp/genexp/warehouse"
)

// bare describes the request's studies and samples as a load that has no
// metadata record of them does: accessions only, UNKNOWN by default, the
// recorded rows to be kept. override names a sample an override labels
// SEPSIS: a decision, which replaces the recorded label.
func bare(override string) func(*warehouse.DimensionsRequest) {
	return func(d *warehouse.DimensionsRequest) {
		for i, s := range d.Studies {
			d.Studies[i] = warehouse.Study{Accession: s.Accession, KeepRecorded: true}
		}
		for i, s := range d.Samples {
			d.Samples[i] = warehouse.Sample{Accession: s.Accession, Study: s.Study, Illness: "UNKNOWN", IllnessMethod: "default",
				KeepAttributes: true, KeepIllness: true}
			if s.Accession == override {
				d.Samples[i].Illness, d.Samples[i].IllnessMethod, d.Samples[i].IllnessField = "SEPSIS", "override", "accession"
				d.Samples[i].IllnessMatched, d.Samples[i].KeepIllness = s.Accession, false
			}
		}
	}
}

// texts reads a query's rows, each as its columns joined by tabs; the
// query must give strings.
func texts(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]string, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.Join(vals, "\t"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// testUnrecorded loads a study with its metadata, then the same content
// described as a load without metadata does: the study's row, its samples'
// rows and their labels stay as recorded, but for the sample an override
// names, and its label once the override is gone; a study and samples the warehouse does not hold are inserted with
// what is given; a study described without its title, PubMed id and
// description (a sample sheet's metadata) keeps those.
func testUnrecorded(t *testing.T, tg Target) {
	const (
		studies = `SELECT study_accession_code, COALESCE(study_title, ''), COALESCE(study_technology, ''),
			COALESCE(study_organism, '') FROM dim_study ORDER BY study_accession_code`
		samples = `SELECT s.sample_accession_code, COALESCE(s.sample_title, ''), COALESCE(s.sample_organism, ''),
			COALESCE(s.sample_platform, ''), COALESCE(i.illness_label, ''), COALESCE(s.illness_method, '')
			FROM dim_sample s LEFT JOIN dim_illness i ON i.illness_key = s.illness_key ORDER BY s.sample_accession_code`
		labels = `SELECT sample_accession_code, illness_label, COALESCE(illness_method, ''), COALESCE(illness_field, ''),
			COALESCE(illness_matched, '') FROM analytics.vw_sample_illness ORDER BY study_accession_code, sample_accession_code`
	)
	f := newFixture("GSE1", 4, 3, 1)
	load(t, tg.Sink, f, "h1")
	before := map[string][]string{}
	for _, q := range []string{studies, samples, labels} {
		before[q] = texts(t, tg.DB, q)
	}

	g := f
	g.unrecorded = bare("GSE1_S1")
	if r := outcome(t, load(t, tg.Sink, g, "h1"), "GSE1"); r.Outcome != warehouse.Duplicate {
		t.Fatalf("%+v, want duplicate", r)
	}
	for _, q := range []string{studies, samples} {
		if got := texts(t, tg.DB, q); !slices.Equal(got, before[q]) {
			t.Errorf("a load without metadata changed\n%s\nwas %q\nis  %q", q, before[q], got)
		}
	}
	want := slices.Clone(before[labels])
	want[0] = "GSE1_S1\tSEPSIS\toverride\taccession\tGSE1_S1"
	if got := texts(t, tg.DB, labels); !slices.Equal(got, want) {
		t.Errorf("labels after a load without metadata:\n%q\nwant (the override's only changed)\n%q", got, want)
	}
	// The override gone from the configuration, again without metadata:
	// the label it set is not kept as one the configuration gives.
	g.unrecorded = bare("")
	if r := outcome(t, load(t, tg.Sink, g, "h1"), "GSE1"); r.Outcome != warehouse.Duplicate {
		t.Fatalf("%+v, want duplicate", r)
	}
	want[0] = "GSE1_S1\tUNKNOWN\tdefault\t\t"
	if got := texts(t, tg.DB, labels); !slices.Equal(got, want) {
		t.Errorf("labels after a load without metadata or the override:\n%q\nwant (the override's label UNKNOWN)\n%q", got, want)
	}

	h := newFixture("GSE2", 4, 2, 2)
	h.unrecorded = bare("")
	if r := outcome(t, load(t, tg.Sink, h, "h2"), "GSE2"); r.Outcome != warehouse.Inserted {
		t.Fatalf("%+v, want new", r)
	}
	if got := texts(t, tg.DB, studies); len(got) != 2 || got[1] != "GSE2\t\t\t" {
		t.Errorf("studies %q: GSE2 is not inserted with its accession only", got)
	}
	got := texts(t, tg.DB, labels)
	if len(got) != 5 || got[3] != "GSE2_S1\tUNKNOWN\tdefault\t\t" || got[4] != "GSE2_S2\tUNKNOWN\tdefault\t\t" {
		t.Errorf("labels %q: GSE2's samples are not inserted as UNKNOWN by default", got)
	}
	if got := texts(t, tg.DB, samples); len(got) != 5 || got[3] != "GSE2_S1\t\t\t\tUNKNOWN\tdefault" {
		t.Errorf("samples %q: GSE2's samples are not inserted with their accession only", got)
	}

	// A load whose metadata is a sample sheet alone describes the study
	// without its title, PubMed id or description: those stay as recorded.
	k := f
	k.unrecorded = func(d *warehouse.DimensionsRequest) {
		for i := range d.Studies {
			d.Studies[i].Title, d.Studies[i].PubmedID, d.Studies[i].Description = "", "", ""
		}
	}
	if r := outcome(t, load(t, tg.Sink, k, "h1"), "GSE1"); r.Outcome != warehouse.Duplicate {
		t.Fatalf("%+v, want duplicate", r)
	}
	first := before[studies][0]
	if strings.Split(first, "\t")[1] == "" {
		t.Fatalf("the fixture gives GSE1 no title: %q", first)
	}
	if got := texts(t, tg.DB, studies); len(got) != 2 || got[0] != first {
		t.Errorf("studies %q: a load without the study's title changed GSE1's row, was %q", got, first)
	}
}
