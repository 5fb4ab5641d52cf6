package synth_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/expression/synth"
	"github.com/genexp/genexp/illness"
)

// readAll reads a matrix with the project's reader and returns its header,
// cell and missing counts and content hash.
func readAll(t *testing.T, m *genexp.Matrix) (h expression.Header, cells, missing int64, sum string) {
	t.Helper()
	rc, err := m.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	r, err := expression.NewReader(rc, expression.WithName(m.Name))
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		for _, v := range r.Batch().Values {
			if math.IsInf(v, 0) {
				t.Fatalf("%s: infinite value", m.Name)
			}
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	sum, err = r.Sum()
	if err != nil {
		t.Fatal(err)
	}
	st := r.Stats()
	if st.DuplicateGenes != 0 {
		t.Errorf("%s: %d duplicate genes", m.Name, st.DuplicateGenes)
	}
	return *r.Header(), st.Cells, st.Missing, sum
}

func TestWriteLoads(t *testing.T) {
	cases := []struct {
		name string
		spec synth.Spec
	}{
		{"microarray", synth.Spec{Genes: 300, Samples: 23, Studies: 4, MissingShare: 0.02, Seed: 1}},
		{"rna-seq", synth.Spec{Genes: 200, Samples: 9, Studies: 2, Seed: 2, Technology: synth.RNASeq, Organism: "MUS_MUSCULUS"}},
		{"mixed zip", synth.Spec{Genes: 150, Samples: 12, Studies: 3, MissingShare: 0.05, Seed: 3, Technology: synth.Mixed, Zip: true}},
		{"legacy titles", synth.Spec{Genes: 120, Samples: 10, Studies: 2, Seed: 4, Legacy: true, MissingToken: ""}},
		{"sheets only", synth.Spec{Genes: 100, Samples: 8, Studies: 4, MissingShare: 0.1, MissingToken: "NaN", Seed: 5, SheetsOnly: true}},
		{"one sample", synth.Spec{Genes: 1, Samples: 1, Studies: 1, Seed: 6}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := synth.Write(t.TempDir(), tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Studies) != tc.spec.Studies || m.Samples != tc.spec.Samples || m.Genes != tc.spec.Genes {
				t.Fatalf("manifest: %d studies, %d samples, %d genes", len(m.Studies), m.Samples, m.Genes)
			}
			if m.Cells != int64(tc.spec.Genes*tc.spec.Samples) {
				t.Fatalf("manifest: %d cells, want %d", m.Cells, tc.spec.Genes*tc.spec.Samples)
			}
			if tc.spec.MissingShare == 0 && m.Missing != 0 {
				t.Fatalf("%d missing cells with MissingShare 0", m.Missing)
			}
			if share := float64(m.Missing) / float64(m.Cells); tc.spec.MissingShare > 0 && math.Abs(share-tc.spec.MissingShare) > 0.3*tc.spec.MissingShare {
				t.Errorf("missing share %.4f, want about %.4f", share, tc.spec.MissingShare)
			}

			d, err := genexp.OpenDownload(m.Path)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if len(d.Matrices) != len(m.Studies) {
				t.Fatalf("%d matrices, want %d", len(d.Matrices), len(m.Studies))
			}
			md := d.Metadata
			if len(md.Studies) != len(m.Studies) || len(md.Samples) != m.Samples {
				t.Fatalf("metadata: %d studies and %d samples, want %d and %d", len(md.Studies), len(md.Samples), len(m.Studies), m.Samples)
			}
			var cells, missing int64
			titles := map[string]bool{}
			for i, st := range m.Studies {
				mat := d.Matrices[i]
				if mat.Base != st.Accession || mat.Folder != st.Accession {
					t.Fatalf("matrix %d is %s in %s, want %s", i, mat.Base, mat.Folder, st.Accession)
				}
				h, c, miss, sum := readAll(t, mat)
				if c != st.Cells || miss != st.Missing || sum != st.SHA256 {
					t.Errorf("%s: read %d cells, %d missing, hash %s; manifest says %d, %d, %s", st.Accession, c, miss, sum, st.Cells, st.Missing, st.SHA256)
				}
				cells, missing = cells+c, missing+miss
				if want := map[bool]string{false: "Gene", true: ""}[tc.spec.Legacy]; h.GeneColumn != want {
					t.Errorf("%s: gene header %q, want %q", st.Accession, h.GeneColumn, want)
				}
				if len(h.Names) != len(st.Samples) {
					t.Fatalf("%s: %d columns, want %d", st.Accession, len(h.Names), len(st.Samples))
				}
				mst := md.Study(st.Accession)
				if mst == nil {
					t.Fatalf("study %s missing from the metadata", st.Accession)
				}
				if !tc.spec.SheetsOnly && (mst.Title != st.Title || mst.Technology != string(st.Technology)) {
					t.Errorf("study %s: title %q technology %q; want %q %q", st.Accession, mst.Title, mst.Technology, st.Title, st.Technology)
				}
				if len(mst.SampleAccessions) != len(st.Samples) {
					t.Errorf("study %s has %d samples in the metadata, want %d", st.Accession, len(mst.SampleAccessions), len(st.Samples))
				}
				for j, s := range st.Samples {
					if h.Names[j] != s.Column {
						t.Errorf("%s column %d is %q, want %q", st.Accession, j, h.Names[j], s.Column)
					}
					ms := md.Sample(s.Accession)
					if ms == nil {
						t.Fatalf("sample %s missing from the metadata", s.Accession)
					}
					if ms.Title != s.Title || len(ms.Experiments) != 1 || ms.Experiments[0] != st.Accession {
						t.Errorf("sample %s: title %q experiments %v; want %q [%s]", s.Accession, ms.Title, ms.Experiments, s.Title, st.Accession)
					}
					if tc.spec.Legacy {
						if got := md.SamplesTitled(s.Title); len(got) != 1 {
							t.Errorf("title %q names %d samples", s.Title, len(got))
						}
					}
					if titles[s.Title] {
						t.Errorf("title %q repeats", s.Title)
					}
					titles[s.Title] = true
					checkLabelText(t, st.Style, s, ms.Values)
				}
			}
			if cells != m.Cells || missing != m.Missing {
				t.Errorf("read %d cells, %d missing; manifest says %d, %d", cells, missing, m.Cells, m.Missing)
			}
		})
	}
}

// checkLabelText checks that the metadata carries the text that names the
// sample's cohort, in the field its study's style puts it.
func checkLabelText(t *testing.T, style string, s synth.Sample, values func(string) []string) {
	t.Helper()
	want := map[string]map[illness.Label]string{
		"disease state": {illness.Control: "healthy control", illness.NoSepsis: "SIRS", illness.Sepsis: "sepsis", illness.SepticShock: "septic shock"},
		"health status": {illness.Control: "healthy", illness.NoSepsis: "POST_SURGICAL", illness.Sepsis: "sepsis", illness.SepticShock: "septic shock patient"},
		"title":         {illness.Control: "Experiment_Control_", illness.NoSepsis: "Non-septic SIRS_rep", illness.Sepsis: "Experiment_Sepsis_", illness.SepticShock: "Septic Shock_biological rep"},
		"study group":   {illness.Control: "Uninfected healthy", illness.NoSepsis: "Critically ill, non-infectious", illness.Sepsis: "Sepsis survivor", illness.SepticShock: "Septic shock non-survivor"},
	}[style][s.Label]
	field := "characteristics"
	if style == "title" {
		field = "title"
	}
	for _, v := range values(field) {
		if strings.Contains(v, want) {
			return
		}
	}
	t.Errorf("sample %s (%s, %s): no %s holds %q: %q", s.Accession, style, s.Label, field, want, values(field))
}

func TestWriteDeterministic(t *testing.T) {
	spec := synth.Spec{Genes: 50, Samples: 6, Studies: 2, MissingShare: 0.05, Seed: 42, Technology: synth.Mixed}
	a, b := t.TempDir(), t.TempDir()
	ma, err := synth.Write(a, spec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := synth.Write(b, spec); err != nil {
		t.Fatal(err)
	}
	if ha, hb := treeHash(t, a), treeHash(t, b); ha != hb {
		t.Fatal("the same spec wrote different downloads")
	}
	spec.Seed = 43
	c := t.TempDir()
	mc, err := synth.Write(c, spec)
	if err != nil {
		t.Fatal(err)
	}
	if ma.Studies[0].SHA256 == mc.Studies[0].SHA256 {
		t.Fatal("different seeds wrote the same matrix")
	}
}

func treeHash(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		h.Write([]byte(rel + "\x00"))
		h.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestCohortMix(t *testing.T) {
	m, err := synth.Write(t.TempDir(), synth.Spec{Genes: 1, Samples: 400, Studies: 4, Seed: 7, SheetsOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	n := map[illness.Label]int{}
	styles := map[string]bool{}
	for _, st := range m.Studies {
		styles[st.Style] = true
		for _, s := range st.Samples {
			n[s.Label]++
		}
	}
	if len(styles) != 4 {
		t.Errorf("4 studies use %d styles", len(styles))
	}
	want := map[illness.Label]int{illness.SepticShock: 140, illness.Sepsis: 120, illness.NoSepsis: 60, illness.Control: 80}
	for l, w := range want {
		if n[l] != w {
			t.Errorf("%s: %d samples, want %d", l, n[l], w)
		}
	}
}

func TestMatrixSource(t *testing.T) {
	spec := synth.MatrixSpec{Genes: 1000, Samples: 7, MissingShare: 0.1, Seed: 9, Technology: synth.RNASeq}
	a, err := synth.NewMatrix(spec)
	if err != nil {
		t.Fatal(err)
	}
	// Read through a tiny buffer, so Read's own bookkeeping is exercised.
	var viaRead bytes.Buffer
	if _, err := io.CopyBuffer(&viaRead, struct{ io.Reader }{a}, make([]byte, 7)); err != nil {
		t.Fatal(err)
	}
	b, _ := synth.NewMatrix(spec)
	var viaWriteTo bytes.Buffer
	if _, err := b.WriteTo(&viaWriteTo); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(viaRead.Bytes(), viaWriteTo.Bytes()) {
		t.Fatal("Read and WriteTo disagree")
	}
	st := a.Stats()
	sum := sha256.Sum256(viaRead.Bytes())
	if st.Bytes != int64(viaRead.Len()) || st.SHA256 != hex.EncodeToString(sum[:]) || st.Cells != 7000 {
		t.Fatalf("stats %+v disagree with the %d bytes read", st, viaRead.Len())
	}
	r, err := expression.NewReader(bytes.NewReader(viaRead.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	zeros := 0
	for r.Next() {
		for _, v := range r.Batch().Values {
			if v == 0 {
				zeros++
			}
			if v < 0 {
				t.Fatalf("negative RNA-seq value %v", v)
			}
		}
	}
	if r.Err() != nil {
		t.Fatal(r.Err())
	}
	if rs := r.Stats(); rs.Missing != st.Missing || rs.Cells != st.Cells {
		t.Errorf("reader counted %d cells, %d missing; source %d, %d", rs.Cells, rs.Missing, st.Cells, st.Missing)
	}
	if zeros == 0 {
		t.Error("an RNA-seq matrix without a single zero")
	}
}

func TestSpecErrors(t *testing.T) {
	bad := []synth.Spec{
		{Genes: 0, Samples: 1, Studies: 1},
		{Genes: 1, Samples: 1, Studies: 2},
		{Genes: 1, Samples: 1, Studies: 1, MissingShare: 1},
		{Genes: 1, Samples: 1, Studies: 1, MissingShare: math.NaN()},
		{Genes: 1, Samples: 1, Studies: 1, Technology: "PCR"},
		{Genes: 1, Samples: 1, Studies: 1, MissingToken: "a\tb"},
		{Genes: 1, Samples: 2, Studies: 2, Species: true, Legacy: true},
		{Genes: 1, Samples: 2, Studies: 2, Species: true, Technology: synth.Mixed},
	}
	for _, s := range bad {
		if _, err := synth.Write(t.TempDir(), s); err == nil {
			t.Errorf("Write accepted %+v", s)
		}
	}
	if _, err := synth.NewMatrix(synth.MatrixSpec{Genes: 1, Samples: 2, Names: []string{"a"}}); err == nil {
		t.Error("NewMatrix accepted 1 name for 2 samples")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	if _, err := synth.Write(filepath.Join(file, "sub"), synth.Spec{Genes: 1, Samples: 1, Studies: 1}); err == nil {
		t.Error("Write into a path under a file succeeded")
	}
	if _, err := synth.Write(dir, synth.Spec{Genes: 1, Samples: 1, Studies: 1}); err == nil {
		t.Error("Write into a folder that holds a file succeeded")
	}
}

// Write a small download with four sepsis cohorts and list what it holds.
func ExampleWrite() {
	dir, _ := os.MkdirTemp("", "synth-example-")
	defer os.RemoveAll(dir)
	m, err := synth.Write(dir, synth.Spec{Genes: 1000, Samples: 40, Studies: 4, MissingShare: 0.01, Seed: 7})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, st := range m.Studies {
		labels := map[illness.Label]int{}
		for _, s := range st.Samples {
			labels[s.Label]++
		}
		fmt.Printf("%s %-13s %d samples: %d septic shock, %d sepsis, %d no sepsis, %d control\n", st.Accession, st.Style, len(st.Samples),
			labels[illness.SepticShock], labels[illness.Sepsis], labels[illness.NoSepsis], labels[illness.Control])
	}
	fmt.Println(m.Cells, "cells,", m.Missing, "missing")
	// Output:
	// GSE774487 disease state 10 samples: 4 septic shock, 3 sepsis, 1 no sepsis, 2 control
	// GSE774488 health status 10 samples: 4 septic shock, 3 sepsis, 1 no sepsis, 2 control
	// GSE774489 title         10 samples: 4 septic shock, 3 sepsis, 1 no sepsis, 2 control
	// GSE774490 study group   10 samples: 4 septic shock, 3 sepsis, 1 no sepsis, 2 control
	// 40000 cells, 371 missing
}

// TestCohortsClassify checks that each generated sample's metadata says its
// cohort in words the default illness rules read, in every cohort style and
// layout: so a load of a synthetic download fills every illness cohort.
func TestCohortsClassify(t *testing.T) {
	c := illness.Default()
	for _, legacy := range []bool{false, true} {
		m, err := synth.Write(t.TempDir(), synth.Spec{Genes: 5, Samples: 80, Studies: 4, Seed: 3, Legacy: legacy})
		if err != nil {
			t.Fatal(err)
		}
		d, err := genexp.OpenDownload(m.Path)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range m.Studies {
			for _, s := range st.Samples {
				if dec := c.Classify(d.Metadata.Sample(s.Accession)); dec.Label != s.Label {
					t.Errorf("legacy=%v %s (%s): classified %s by rule %q on %s %q", legacy, s.Accession, st.Style, dec.Label, dec.Rule, dec.Field, dec.Matched)
				}
			}
		}
		d.Close()
	}
}

// TestWriteContextStops: a done context stops the writing before its next
// file, with the context's error.
func TestWriteContextStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	_, err := synth.WriteContext(ctx, dir, synth.Spec{Genes: 5, Samples: 4, Studies: 2})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a stopped write wrote %v", entries)
	}
}
