//go:build ignore

// gen_split_species writes two SPECIES downloads of the same two matrices
// (HOMO_SAPIENS and MUS_MUSCULUS, 20,000 genes × 250 samples each, values
// drawn from a fixed seed), for docs/performance.md's measure of a study
// split between a SPECIES download's matrices: in DIR/whole each
// experiment's 25 samples are one organism's; in DIR/split the first human
// experiment also lists 25 mouse samples (the first mouse experiment's),
// so its two matrices load as one batch. Run from the repository root:
//
//	go run testdata/bench/gen_split_species.go DIR
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
)

const (
	genes   = 20000
	samples = 250
	per     = 25 // samples an experiment
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: go run testdata/bench/gen_split_species.go DIR")
	}
	dir := os.Args[1]
	rng := rand.New(rand.NewPCG(7, 7))
	orgs := []struct{ name, prefix string }{{"HOMO_SAPIENS", "ENSG"}, {"MUS_MUSCULUS", "ENSMUSG"}}
	cols := map[string][]string{}
	for k, o := range orgs {
		for i := range samples {
			cols[o.name] = append(cols[o.name], fmt.Sprintf("GSM%d", 1+k*1000+i))
		}
		path := filepath.Join(dir, "whole", o.name, o.name+".tsv")
		write(path, func(w *bufio.Writer) {
			w.WriteString("Gene")
			for _, c := range cols[o.name] {
				w.WriteString("\t" + c)
			}
			w.WriteString("\n")
			for g := range genes {
				fmt.Fprintf(w, "%s%08d", o.prefix, g)
				for range samples {
					w.WriteString("\t" + strconv.FormatFloat(rng.Float64()*14, 'f', 6, 64))
				}
				w.WriteString("\n")
			}
		})
		link := filepath.Join(dir, "split", o.name, o.name+".tsv")
		if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
			log.Fatal(err)
		}
		if err := os.Link(path, link); err != nil {
			log.Fatal(err)
		}
	}
	for _, split := range []bool{false, true} {
		exps := map[string][]string{}
		for k, o := range orgs {
			for e := range samples / per {
				exps[fmt.Sprintf("GSE%d", 1+k*10+e)] = cols[o.name][e*per : (e+1)*per]
			}
		}
		name := "whole"
		if split {
			name = "split"
			exps["GSE1"] = slices.Concat(exps["GSE1"], exps["GSE11"])
			delete(exps, "GSE11")
		}
		md := map[string]any{"aggregate_by": "SPECIES"}
		experiments, sampleMeta := map[string]any{}, map[string]any{}
		for e, s := range exps {
			experiments[e] = map[string]any{"accession_code": e, "sample_accession_codes": s}
		}
		for _, o := range orgs {
			for _, s := range cols[o.name] {
				sampleMeta[s] = map[string]any{"refinebio_accession_code": s, "refinebio_organism": o.name}
			}
		}
		md["experiments"], md["samples"] = experiments, sampleMeta
		write(filepath.Join(dir, name, "aggregated_metadata.json"), func(w *bufio.Writer) {
			if err := json.NewEncoder(w).Encode(md); err != nil {
				log.Fatal(err)
			}
		})
	}
}

func write(path string, fill func(*bufio.Writer)) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		log.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fill(w)
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
