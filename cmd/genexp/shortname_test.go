package main

import "testing"

func TestShortName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"GSE1.tsv", "GSE1.tsv"},
		{"/data/dl/GSE1/GSE1.tsv", "GSE1.tsv"},
		{"/data/dl.zip!GSE1/GSE1.tsv", "GSE1.tsv"},
		{"/d/s/HOMO_SAPIENS/HOMO_SAPIENS.tsv + /d/s/MUS_MUSCULUS/MUS_MUSCULUS.tsv", "HOMO_SAPIENS.tsv + MUS_MUSCULUS.tsv"},
		{"/d/s.zip!HOMO_SAPIENS/HOMO_SAPIENS.tsv + /d/s.zip!MUS_MUSCULUS/MUS_MUSCULUS.tsv", "HOMO_SAPIENS.tsv + MUS_MUSCULUS.tsv"},
	} {
		if got := shortName(c.in); got != c.want {
			t.Errorf("shortName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
