package genexp_test

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// FuzzDownload builds a download zip from fuzzed entry names (one a line)
// and bodies, gzipping the body of a ".gz" entry and cutting cut bytes off
// its end, and loads it on a dry-run sink: whatever the zip holds, every
// error and finding of the run is a *qc.Error with a code, nothing panics,
// two reads report the same, and the counts of a study that would load
// add up.
func FuzzDownload(f *testing.F) {
	const (
		sheet  = "refinebio_accession_code\trefinebio_title\nGSM1\tcontrol 1\nGSM2\tseptic shock 2\n"
		matrix = "Gene\tGSM1\tGSM2\nENSG1\t1.5\t2\nENSG2\t0.5\t-0.25\n"
		meta   = `{"experiments": {"GSE1": {"accession_code": "GSE1", "title": "t"}}, "samples": {"GSM1": {"refinebio_accession_code": "GSM1"}, "GSM2": {"refinebio_accession_code": "GSM2"}}}`
	)
	f.Add("GSE1/metadata_GSE1.tsv\nGSE1/GSE1.tsv", []byte(sheet), []byte(matrix), uint16(0))
	f.Add("aggregated_metadata.json\nGSE1/GSE1.tsv.gz", []byte(meta), []byte(matrix), uint16(9))
	f.Add("GSE1/metadata_GSE1.tsv.gz\nGSE1/GSE1.tsv\nGSE1/GSE1.tsv", []byte(sheet), []byte(matrix), uint16(30))
	f.Add("__MACOSX/._GSE1.tsv\nGSE1/\nGSE1/GSE1_filtered.tsv\n../GSE1.tsv\nREADME.md", []byte("\x00\x05"), []byte(matrix), uint16(1))
	f.Add("HOMO_SAPIENS/metadata_HOMO_SAPIENS.json.gz\nHOMO_SAPIENS/HOMO_SAPIENS.tsv", []byte(`{"samples": [{"refinebio_accession_code": "GSM1"}]}`), []byte(matrix), uint16(4))
	// Windows separators, a zip inside the zip, a sheet in UTF-16.
	f.Add("GSE1\\metadata_GSE1.tsv\nGSE1\\GSE1.tsv", []byte(sheet), []byte(matrix), uint16(0))
	f.Add("GSE1/metadata_GSE1.tsv\nGSE2.zip\nGSE1/GSE1.tsv", []byte(sheet), []byte(matrix), uint16(0))
	f.Add("GSE1/metadata_GSE1.tsv\nGSE1/GSE1.tsv", []byte("\xff\xfer\x00\t\x00x\x00\r\x00\n\x00"), []byte(matrix), uint16(0))
	f.Fuzz(func(t *testing.T, names string, body1, body2 []byte, cut uint16) {
		// tiny inputs keep each run fast
		list := strings.Split(names, "\n")
		if len(list) > 6 || len(body1) > 2048 || len(body2) > 2048 {
			return
		}
		var zbuf bytes.Buffer
		zw := zip.NewWriter(&zbuf)
		for i, name := range list {
			body := body1
			if i%2 == 1 {
				body = body2
			}
			if strings.HasSuffix(name, ".gz") {
				var gz bytes.Buffer
				w := gzip.NewWriter(&gz)
				w.Write(body)
				w.Close()
				body = gz.Bytes()[:gz.Len()-int(cut)%(gz.Len()+1)]
			}
			w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
			if err != nil {
				return // a name zip cannot hold
			}
			w.Write(body)
		}
		if err := zw.Close(); err != nil {
			return
		}
		path := filepath.Join(t.TempDir(), "download.zip")
		if err := os.WriteFile(path, zbuf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		load := func() *genexp.Report {
			p, err := genexp.New(genexp.DryRunSink(nil))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := p.Load(context.Background(), path)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			return rep
		}
		rep := load()
		// The same bytes read the same way twice: no map order or clock
		// decides what a download holds.
		if a, b := reportShape(rep), reportShape(load()); a != b {
			t.Fatalf("two reads of one zip differ:\n%s\n---\n%s", a, b)
		}
		for _, err := range rep.Errors {
			checkCoded(t, "run error", err)
		}
		for _, e := range rep.Findings {
			checkCoded(t, "finding", e)
		}
		for _, s := range rep.Studies {
			for _, e := range s.Findings {
				checkCoded(t, "finding of "+s.Study, e)
			}
			if s.Err != nil {
				checkCoded(t, "error of "+s.Study, s.Err)
				continue
			}
			if s.Outcome != warehouse.Inserted {
				continue
			}
			// What a study that would load holds adds up: its rows are
			// its cells less the missing ones (skipped, by default), and
			// every sample has a label or is counted as kept.
			if s.Rows != s.Cells-s.Missing || s.Missing < 0 || s.Missing > s.Cells {
				t.Fatalf("%s: %d rows of %d cells, %d missing", s.Study, s.Rows, s.Cells, s.Missing)
			}
			labelled := s.IllnessKept
			for _, n := range s.Illness {
				labelled += n
			}
			if labelled != s.Samples {
				t.Fatalf("%s: %d samples, %d labelled or kept (%v, kept %d)", s.Study, s.Samples, labelled, s.Illness, s.IllnessKept)
			}
		}
	})
}

// reportShape is what a run reported, without what may differ from run to
// run (its id, durations, the temporary path).
func reportShape(rep *genexp.Report) string {
	var b strings.Builder
	for _, e := range rep.Errors {
		fmt.Fprintf(&b, "error %v\n", e)
	}
	for _, f := range rep.Findings {
		fmt.Fprintf(&b, "finding %v\n", f)
	}
	for _, s := range rep.Studies {
		fmt.Fprintf(&b, "study %s %s %s %s samples=%d genes=%d cells=%d missing=%d rows=%d illness=%v kept=%d err=%v\n",
			s.Study, s.Matrix, s.BatchID, s.Outcome, s.Samples, s.Genes, s.Cells, s.Missing, s.Rows, s.Illness, s.IllnessKept, s.Err)
		for _, f := range s.Findings {
			fmt.Fprintf(&b, "  finding %v\n", f)
		}
	}
	return b.String()
}

// checkCoded fails unless err is a *qc.Error with a code.
func checkCoded(t *testing.T, what string, err error) {
	t.Helper()
	var e *qc.Error
	if !errors.As(err, &e) || e == nil {
		t.Fatalf("%s %T is not a *qc.Error: %v", what, err, err)
	}
	if e.Code == 0 || strings.HasPrefix(e.Code.Name(), "CODE_") {
		t.Fatalf("%s has no known code: %v", what, err)
	}
}
