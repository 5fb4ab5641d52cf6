package platform

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, raw, tech string
		want            Platform
	}{
		{"rna-seq pretty form", "Illumina HiSeq 2000 (IlluminaHiSeq2000)", "RNA-SEQ",
			Platform{Accession: "IlluminaHiSeq2000", Name: "Illumina HiSeq 2000", Manufacturer: "Illumina", Technology: RNASeq}},
		{"affymetrix array", "Affymetrix Zebrafish Genome Array (zebrafish)", "MICROARRAY",
			Platform{Accession: "zebrafish", Name: "Affymetrix Zebrafish Genome Array", Manufacturer: "Affymetrix", Technology: Microarray}},
		{"study technology wins over the name", "Illumina HumanHT-12 V4.0 expression beadchip (illuminaHumanv4)", "MICROARRAY",
			Platform{Accession: "illuminaHumanv4", Name: "Illumina HumanHT-12 V4.0 expression beadchip", Manufacturer: "Illumina", Technology: Microarray}},
		{"technology from the name when the study is silent: array", "[HG-U133_Plus_2] Affymetrix Human Genome U133 Plus 2.0 Array (hgu133plus2)", "",
			Platform{Accession: "hgu133plus2", Name: "[HG-U133_Plus_2] Affymetrix Human Genome U133 Plus 2.0 Array", Manufacturer: "Affymetrix", Technology: Microarray}},
		{"technology from the name when the study is silent: sequencer", "NextSeq 500 (NextSeq500)", "",
			Platform{Accession: "NextSeq500", Name: "NextSeq 500", Manufacturer: "Illumina", Technology: RNASeq}},
		{"study spelling variants", "Ion Torrent Proton (IonTorrentProton)", "rna_seq",
			Platform{Accession: "IonTorrentProton", Name: "Ion Torrent Proton", Manufacturer: "Thermo Fisher (Ion Torrent)", Technology: RNASeq}},
		{"no accession in parentheses", "Agilent-014850 Whole Human Genome Microarray 4x44K G4112F", "",
			Platform{Accession: "Agilent-014850 Whole Human Genome Microarray 4x44K G4112F", Name: "Agilent-014850 Whole Human Genome Microarray 4x44K G4112F", Manufacturer: "Agilent", Technology: Microarray}},
		{"words in parentheses are no accession", "Illumina HiSeq 2500 (Homo sapiens)", "RNA-SEQ",
			Platform{Accession: "Illumina HiSeq 2500 (Homo sapiens)", Name: "Illumina HiSeq 2500 (Homo sapiens)", Manufacturer: "Illumina", Technology: RNASeq}},
		{"nor is Agilent's probe name note", "Agilent-014850 Whole Human Genome Microarray 4x44K G4112F (Probe Name version)", "",
			Platform{Accession: "Agilent-014850 Whole Human Genome Microarray 4x44K G4112F (Probe Name version)", Name: "Agilent-014850 Whole Human Genome Microarray 4x44K G4112F (Probe Name version)", Manufacturer: "Agilent", Technology: Microarray}},
		{"nested parentheses keep the last group", "Some (old) platform (GPL123)", "",
			Platform{Accession: "GPL123", Name: "Some (old) platform", Manufacturer: "Unknown", Technology: Microarray}},
		{"unknown platform", "", "", Platform{Manufacturer: "Unknown", Technology: Other}},
		{"a key inside an accession is no manufacturer", "GPL14548", "MICROARRAY",
			Platform{Accession: "GPL14548", Name: "GPL14548", Manufacturer: "Unknown", Technology: Microarray}},
		{"the accession in parentheses is not read for the manufacturer", "Custom array (GPL24540)", "MICROARRAY",
			Platform{Accession: "GPL24540", Name: "Custom array", Manufacturer: "Unknown", Technology: Microarray}},
		{"a manufacturer named only in the accession is not read", "Human Ref-8 (Illumina-Ref8)", "MICROARRAY",
			Platform{Accession: "Illumina-Ref8", Name: "Human Ref-8", Manufacturer: "Unknown", Technology: Microarray}},
		{"AB SOLiD", "AB SOLiD 4 System (GPL9115)", "RNA-SEQ",
			Platform{Accession: "GPL9115", Name: "AB SOLiD 4 System", Manufacturer: "Applied Biosystems", Technology: RNASeq}},
		{"AB 5500", "AB 5500xl Genetic Analyzer (GPL16288)", "RNA-SEQ",
			Platform{Accession: "GPL16288", Name: "AB 5500xl Genetic Analyzer", Manufacturer: "Applied Biosystems", Technology: RNASeq}},
		{"a sequencer named with a GEO number, no experiment's technology", "AB 5500xl Genetic Analyzer (GPL16288)", "",
			Platform{Accession: "GPL16288", Name: "AB 5500xl Genetic Analyzer", Manufacturer: "Applied Biosystems", Technology: RNASeq}},
		{"Applied Biosystems spelled out", "Applied Biosystems SOLiD 5500 (GPL1)", "",
			Platform{Accession: "GPL1", Name: "Applied Biosystems SOLiD 5500", Manufacturer: "Applied Biosystems", Technology: RNASeq}},
		{"454 as a word", "454 GS FLX Titanium (GPL10999)", "RNA-SEQ",
			Platform{Accession: "GPL10999", Name: "454 GS FLX Titanium", Manufacturer: "Roche 454", Technology: RNASeq}},
		{"an accession alone, words run together", "IlluminaHiSeq2500", "RNA-SEQ",
			Platform{Accession: "IlluminaHiSeq2500", Name: "IlluminaHiSeq2500", Manufacturer: "Illumina", Technology: RNASeq}},
		{"a key within a longer word is no match", "Agilentech Rochester array (x1)", "MICROARRAY",
			Platform{Accession: "x1", Name: "Agilentech Rochester array", Manufacturer: "Unknown", Technology: Microarray}},
		{"unrecognized name and technology", "Mystery machine (mm1)", "PROTEOMICS",
			Platform{Accession: "mm1", Name: "Mystery machine", Manufacturer: "Unknown", Technology: Other}},
	}
	n := New(nil)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, n.Normalize(tc.raw, tc.tech)); diff != "" {
				t.Errorf("Normalize(%q, %q) mismatch (-want +got):\n%s", tc.raw, tc.tech, diff)
			}
		})
	}
}

func TestCustomLookup(t *testing.T) {
	n := New(map[string]string{"  BGI ": "BGI Genomics", "bgi seq": "BGI sequencer"})
	if got := n.Normalize("BGI SEQ-500 (BGISEQ500)", "").Manufacturer; got != "BGI sequencer" {
		t.Errorf("longest key should win: got %q", got)
	}
	if got := n.Normalize("BGI-500 (BGISEQ500)", "").Manufacturer; got != "BGI Genomics" {
		t.Errorf("trimmed key: got %q", got)
	}
	if got := n.Normalize("Affymetrix Human Gene 1.0 ST Array (hugene10st)", "").Manufacturer; got != "Unknown" {
		t.Errorf("a custom lookup replaces the defaults: got %q", got)
	}
}

func TestTechnology(t *testing.T) {
	for in, want := range map[string]string{
		"MICROARRAY": Microarray, "microarray": Microarray, "RNA-SEQ": RNASeq, "RNA_SEQ": RNASeq,
		"rna seq": RNASeq, "RNASEQ": RNASeq, "": Other, "other": Other,
		"array": Microarray, " Sequencing ": RNASeq, "high-throughput sequencing": RNASeq, "HIGH_THROUGHPUT_SEQUENCING": RNASeq,
		"in situ oligonucleotide": Other,
	} {
		if got := Technology(in); got != want {
			t.Errorf("Technology(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"Illumina HiSeq 2000 (IlluminaHiSeq2000)", "(", ")", "a ()", "((x))", "x (y) (z)"} {
		f.Add(s, "RNA-SEQ")
	}
	n := New(nil)
	f.Fuzz(func(t *testing.T, raw, tech string) {
		p := n.Normalize(raw, tech)
		if p.Technology != Microarray && p.Technology != RNASeq && p.Technology != Other {
			t.Fatalf("technology %q", p.Technology)
		}
		if st := Technology(tech); st != Other && p.Technology != st {
			t.Fatalf("technology %q, want the study's %q", p.Technology, st)
		}
		if p.Manufacturer == "" {
			t.Fatal("empty manufacturer")
		}
		// Name and accession are taken from the text, never made up, and
		// are there whenever it is.
		trimmed := strings.TrimSpace(raw)
		if !strings.Contains(trimmed, p.Name) || !strings.Contains(trimmed, p.Accession) {
			t.Fatalf("Normalize(%q): name %q, accession %q: not of the text", raw, p.Name, p.Accession)
		}
		if trimmed != "" && (p.Name == "" || p.Accession == "") {
			t.Fatalf("Normalize(%q): name %q, accession %q: one is empty", raw, p.Name, p.Accession)
		}
		// A split name written back as "Name (Accession)" splits the same.
		if p.Name != p.Accession {
			q := n.Normalize(p.Name+" ("+p.Accession+")", tech)
			if q.Name != p.Name || q.Accession != p.Accession || q.Manufacturer != p.Manufacturer {
				t.Fatalf("Normalize(%q) = %+v, but its name and accession written back give %+v", raw, p, q)
			}
		}
	})
}

func ExampleNormalizer_Normalize() {
	p := New(nil).Normalize("Illumina HiSeq 2000 (IlluminaHiSeq2000)", "RNA-SEQ")
	fmt.Printf("%s | %s | %s | %s\n", p.Accession, p.Name, p.Manufacturer, p.Technology)
	// Output: IlluminaHiSeq2000 | Illumina HiSeq 2000 | Illumina | RNA-SEQ
}

// TestLookupKeysOfOneFold: keys that differ only in case are one key, and
// the first in byte order stands whatever order a map gives them; it was
// the one Go's map iteration happened to write last, a different one from
// run to run.
func TestLookupKeysOfOneFold(t *testing.T) {
	for range 20 {
		n := New(map[string]string{"Affymetrix": "Upper", "affymetrix": "Lower", " AFFYMETRIX ": "Blank"})
		if got := n.Normalize("Affymetrix HG-U133 Plus 2 (GPL570)", "").Manufacturer; got != "Blank" {
			t.Fatalf("manufacturer %q, want the first key's in byte order (\" AFFYMETRIX \": Blank)", got)
		}
		if len(n.keys) != 1 {
			t.Fatalf("keys %q, want one", n.keys)
		}
	}
}

// TestNameTechnology: a platform's name alone, as the check of an
// experiment's technology reads it; a GEO number names none, as GEO
// numbers sequencers and arrays alike.
func TestNameTechnology(t *testing.T) {
	for _, tc := range []struct{ raw, want string }{
		{"Illumina HiSeq 2000 (IlluminaHiSeq2000)", RNASeq},
		{"Ion Torrent Proton", RNASeq},
		{"Affymetrix Human Genome U133 Plus 2.0 Array (hgu133plus2)", Microarray},
		{"Illumina HumanHT-12 V4.0 expression beadchip", Microarray},
		{"GPL16791", Other},
		{"Prototype Reader 7 (GPL99999)", Other},
		{"AB 5500xl Genetic Analyzer (GPL16288)", RNASeq},
		{"", Other},
	} {
		if got := NameTechnology(tc.raw); got != tc.want {
			t.Errorf("NameTechnology(%q) = %s, want %s", tc.raw, got, tc.want)
		}
	}
}
