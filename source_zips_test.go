package genexp_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

const (
	gseDir   = "testdata/refinebio/GSE71270/GSE71270"
	egeodZip = "testdata/refinebio/E-GEOD-39842.zip"
)

func matrixNames(d *genexp.Download) []string {
	var out []string
	for _, m := range d.Matrices {
		out = append(out, m.Name)
	}
	return out
}

// wantFinding fails unless d has a finding of code and severity about
// file whose message says every one of says.
func wantFinding(t *testing.T, d *genexp.Download, code qc.Code, sev qc.Severity, file string, says ...string) {
	t.Helper()
	for _, f := range d.Findings {
		if f.Code != code || f.Severity != sev || f.File != file {
			continue
		}
		for _, s := range says {
			if !strings.Contains(f.Msg, s) {
				t.Errorf("%v does not say %q", f, s)
			}
		}
		return
	}
	t.Errorf("no %s %s finding about %s in %v", sev, code.Name(), file, d.Findings)
}

// TestFolderOfDownloadZips: a folder holding a study folder and a
// downloaded zip loaded the folder only, the zip skipped with an INFO
// note and the run a success. Each zip in a folder is now a download of
// its own: its studies load, read in place, each with the zip's metadata.
func TestFolderOfDownloadZips(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, gseDir, filepath.Join(dir, "GSE71270"), nil)
	writeFile(t, filepath.Join(dir, "E-GEOD-39842.zip"), readFile(t, egeodZip))

	d := open(t, dir)
	zipped := filepath.Join(dir, "E-GEOD-39842.zip") + "!E-GEOD-39842/E-GEOD-39842.tsv"
	if got, want := matrixNames(d), []string{filepath.Join(dir, "GSE71270", "GSE71270.tsv"), zipped}; !slices.Equal(got, want) {
		t.Fatalf("matrices %q, want %q", got, want)
	}
	if fs := findingsWith(d, "skipped"); len(fs) > 0 {
		t.Errorf("the zip is still skipped: %v", fs)
	}
	if d.Metadata.Sample("GSM1831675") == nil || d.Metadata.Sample("E-GEOD-39842-GSM980273") == nil {
		t.Error("the download's metadata lacks the samples of the folder or of the zip")
	}

	rep := load(t, openWarehouse(t), dir)
	samples := map[string]int{}
	for _, s := range rep.Studies {
		if s.Outcome != warehouse.Inserted {
			t.Errorf("%s: %q", s.Study, s.Outcome)
		}
		samples[s.Study] = s.Samples
	}
	if samples["GSE71270"] != 10 || samples["E-GEOD-39842"] != 12 || len(samples) != 2 {
		t.Errorf("samples by study %v, want GSE71270 10 and E-GEOD-39842 12", samples)
	}
}

// TestZipsInAFolderKeepTheirOwnMetadata: two study folders whose sample
// sheets describe one sample differently are refused in one download
// (which is right cannot be told); as two zips of one folder they are two
// downloads, and each study is read with its own sheet.
func TestZipsInAFolderKeepTheirOwnMetadata(t *testing.T) {
	study := func(dir, acc, label string) {
		writeFile(t, filepath.Join(dir, acc, acc+".tsv"), []byte("Gene\tGSM1\tGSM2\nENSG1\t1\t2\nENSG2\t3\t4\n"))
		writeFile(t, filepath.Join(dir, acc, "metadata_"+acc+".tsv"),
			[]byte("refinebio_accession_code\trefinebio_title\nGSM1\t"+label+"\nGSM2\tcontrol 2\n"))
	}
	together := t.TempDir()
	study(together, "GSE1", "control 1")
	study(together, "GSE2", "septic shock 1")
	d := open(t, together)
	refused := 0
	for _, m := range d.Matrices {
		if _, err := m.Open(); errors.Is(err, qc.DuplicateSamples) {
			refused++
		}
	}
	if refused != 2 {
		t.Fatalf("in one folder, %d of the two studies are refused, want both", refused)
	}

	apart := t.TempDir()
	for _, c := range [][2]string{{"GSE1", "control 1"}, {"GSE2", "septic shock 1"}} {
		src := t.TempDir()
		study(src, c[0], c[1])
		zipTree(t, src, filepath.Join(apart, c[0]+".zip"), "")
	}
	d = open(t, apart)
	if len(d.Matrices) != 2 {
		t.Fatalf("matrices %q", matrixNames(d))
	}
	for _, m := range d.Matrices {
		b := readMatrix(t, m)
		if !bytes.HasPrefix(b, []byte("Gene\tGSM1")) {
			t.Errorf("%s: %q", m.Name, b)
		}
	}
	rep := load(t, openWarehouse(t), apart)
	labels := map[string]int{}
	for _, s := range rep.Studies {
		for l, n := range s.Illness {
			labels[s.Study+" "+string(l)] += n
		}
	}
	if labels["GSE1 CONTROL"] != 2 || labels["GSE2 SEPTIC_SHOCK"] != 1 || labels["GSE2 CONTROL"] != 1 {
		t.Errorf("labels by study %v: each study is not read with its own sheet", labels)
	}
}

// TestZipBesideTheFolderItWasUnzippedTo: a download kept beside the
// folder it was unzipped to holds the same matrix twice; it is read once,
// with an INFO note, and the run loads the study once. A copy that
// differs is not taken for the same: the run refuses the later one, as
// it does for a study in two paths.
func TestZipBesideTheFolderItWasUnzippedTo(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, "testdata/refinebio/E-GEOD-39842", filepath.Join(dir, "E-GEOD-39842"), nil)
	zipPath := filepath.Join(dir, "E-GEOD-39842.zip")
	writeFile(t, zipPath, readFile(t, egeodZip))
	folderMatrix := filepath.Join(dir, "E-GEOD-39842", "E-GEOD-39842", "E-GEOD-39842.tsv")

	d := open(t, dir)
	if got := matrixNames(d); !slices.Equal(got, []string{folderMatrix}) {
		t.Fatalf("matrices %q, want the folder's only", got)
	}
	wantFinding(t, d, qc.InvalidFormat, qc.SeverityInfo, zipPath+"!E-GEOD-39842/E-GEOD-39842.tsv", "the same file as "+folderMatrix, "loaded once")
	rep := load(t, openWarehouse(t), dir)
	if len(rep.Studies) != 1 || rep.Studies[0].Outcome != warehouse.Inserted {
		t.Errorf("studies %+v", rep.Studies)
	}

	// One value changed, same size: the CRC-32 tells them apart.
	b := readFile(t, folderMatrix)
	i := bytes.IndexByte(b, '\n') + 1
	i += bytes.IndexByte(b[i:], '\t') + 1
	if b[i] == '9' {
		b[i] = '8'
	} else {
		b[i] = '9'
	}
	writeFile(t, folderMatrix, b)
	d = open(t, dir)
	if len(d.Matrices) != 2 {
		t.Fatalf("matrices %q, want both copies", matrixNames(d))
	}
	p, err := genexp.New(openWarehouse(t))
	if err != nil {
		t.Fatal(err)
	}
	rep, err = p.Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Studies) != 2 || rep.Studies[0].Outcome != warehouse.Inserted || !errors.Is(rep.Studies[1].Err, qc.DuplicateSamples) ||
		!strings.Contains(rep.Studies[1].Err.Error(), "also in "+folderMatrix) {
		t.Errorf("studies %+v, want the folder's loaded and the zip's refused as a second copy", rep.Studies)
	}
}

// TestZipAndTheFolderItWasUnzippedToGivenAsPaths: the zip and the folder
// it was unzipped to given as two paths (`load dl/*`) are read as the
// folder holding both is: the matrix once, whichever path comes first,
// the other copy skipped with the same INFO note, by load and by a dry
// run (validate). It used to be read twice, the second copy failing as
// one of the first (2004). A copy that differs is still refused.
func TestZipAndTheFolderItWasUnzippedToGivenAsPaths(t *testing.T) {
	dir := t.TempDir()
	folder := filepath.Join(dir, "orig")
	copyTree(t, "testdata/refinebio/E-GEOD-39842", folder, nil)
	zipPath := filepath.Join(dir, "o.zip")
	writeFile(t, zipPath, readFile(t, egeodZip))
	folderMatrix := filepath.Join(folder, "E-GEOD-39842", "E-GEOD-39842.tsv")
	zipMatrix := zipPath + "!E-GEOD-39842/E-GEOD-39842.tsv"

	for _, c := range []struct {
		name          string
		paths         []string
		first, second string
	}{
		{"zip first, as dl/* gives them", []string{zipPath, folder}, zipMatrix, folderMatrix},
		{"folder first", []string{folder, zipPath}, folderMatrix, zipMatrix},
	} {
		for _, sink := range []struct {
			name string
			sink func() warehouse.WarehouseSink
		}{
			{"load", func() warehouse.WarehouseSink { return openWarehouse(t) }},
			{"dry run", func() warehouse.WarehouseSink { return genexp.DryRunSink(nil) }},
		} {
			t.Run(c.name+", "+sink.name, func(t *testing.T) {
				rep := load(t, sink.sink(), c.paths...)
				if len(rep.Studies) != 1 || rep.Studies[0].Matrix != c.first || rep.Studies[0].Outcome != warehouse.Inserted {
					t.Errorf("studies %+v, want %s loaded once", rep.Studies, c.first)
				}
				found := 0
				for _, f := range rep.Findings {
					if f.Severity > qc.SeverityInfo {
						t.Errorf("finding %v", f)
					}
					if f.Code == qc.InvalidFormat && f.Severity == qc.SeverityInfo && f.File == c.second &&
						strings.Contains(f.Msg, "the same file as "+c.first) && strings.Contains(f.Msg, "loaded once") {
						found++
					}
				}
				if found != 1 {
					t.Errorf("findings %v, want one INFO note that %s is the same file as %s", rep.Findings, c.second, c.first)
				}
			})
		}
	}

	// One value changed, same size: the CRC-32 tells them apart, and the
	// later copy is refused as one of the study the run read first.
	b := readFile(t, folderMatrix)
	i := bytes.IndexByte(b, '\n') + 1
	i += bytes.IndexByte(b[i:], '\t') + 1
	if b[i] == '9' {
		b[i] = '8'
	} else {
		b[i] = '9'
	}
	writeFile(t, folderMatrix, b)
	p, err := genexp.New(openWarehouse(t))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Load(context.Background(), zipPath, folder)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Studies) != 2 || rep.Studies[0].Outcome != warehouse.Inserted || !errors.Is(rep.Studies[1].Err, qc.DuplicateSamples) ||
		!strings.Contains(rep.Studies[1].Err.Error(), "also in "+zipMatrix) {
		t.Errorf("studies %+v, want the zip's loaded and the folder's refused as a second copy", rep.Studies)
	}
	for _, f := range rep.Findings {
		if strings.Contains(f.Msg, "the same file as") {
			t.Errorf("a copy that differs taken for the same: %v", f)
		}
	}
}

// TestZipsInAFolderThatAreNotDownloads: a zip that cannot be read fails
// where its studies would have loaded (a download cut short must not pass
// in silence); a zip with nothing of refine.bio's in it is skipped with an
// INFO note, as any other file is.
func TestZipsInAFolderThatAreNotDownloads(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, gseDir, filepath.Join(dir, "GSE71270"), nil)
	full := readFile(t, egeodZip)
	writeFile(t, filepath.Join(dir, "E-GEOD-39842.zip"), full[:len(full)/2])
	notes := t.TempDir()
	writeFile(t, filepath.Join(notes, "notes.txt"), []byte("to do\n"))
	zipTree(t, notes, filepath.Join(dir, "notes.zip"), "")

	d := open(t, dir)
	if len(d.Matrices) != 2 {
		t.Fatalf("matrices %q, want GSE71270 and the broken zip", matrixNames(d))
	}
	broken := d.Matrices[1]
	_, err := broken.Open()
	var e *qc.Error
	if broken.Name != filepath.Join(dir, "E-GEOD-39842.zip") || broken.Base != "E-GEOD-39842" || !errors.As(err, &e) ||
		e.Code != qc.InvalidFormat || e.File != broken.Name || !strings.Contains(e.Msg, "not a readable zip file") {
		t.Errorf("broken zip: %+v, Open: %v", broken, err)
	}
	wantFinding(t, d, qc.InvalidFormat, qc.SeverityInfo, filepath.Join(dir, "notes.zip"), "holds no refine.bio matrix or metadata")

	p, err := genexp.New(genexp.DryRunSink(nil))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Studies) != 2 || rep.Studies[0].Err != nil || rep.Studies[1].Study != "E-GEOD-39842" || !errors.Is(rep.Studies[1].Err, qc.InvalidFormat) {
		t.Errorf("studies %+v, want GSE71270 loaded and E-GEOD-39842 failed", rep.Studies)
	}

	// A broken zip whose name is no study code fails under no study (its
	// report row and its log rows name the zip), as the same zip given as a
	// path does; it used to be logged under its name, "download_2".
	if err := os.Rename(filepath.Join(dir, "E-GEOD-39842.zip"), filepath.Join(dir, "download_2.zip")); err != nil {
		t.Fatal(err)
	}
	w := openWarehouse(t)
	p, err = genexp.New(w)
	if err != nil {
		t.Fatal(err)
	}
	rep, err = p.Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Studies) != 2 || rep.Studies[1].Study != "" || rep.Studies[1].Matrix != filepath.Join(dir, "download_2.zip") || rep.Studies[1].Err == nil {
		t.Errorf("studies %+v, want download_2.zip failed under no study", rep.Studies)
	}
	var named int
	if err := w.DB().QueryRow(`SELECT COUNT(*) FROM meta_etl_process_log WHERE study_accession_code = 'download_2'`).Scan(&named); err != nil || named != 0 {
		t.Errorf("%d process-log rows under the study download_2 (%v)", named, err)
	}
}

func zipOf(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(files[name])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestZipInsideAZip: a zip inside a zip is not read (it would have to be
// held in memory or unpacked to disk): a WARNING says to load it as a
// path of its own, and the rest of the zip loads. A zip that holds only
// zips says so in its error.
func TestZipInsideAZip(t *testing.T) {
	dir := t.TempDir()
	outer := filepath.Join(dir, "outer.zip")
	writeFile(t, outer, zipOf(t, map[string][]byte{
		"GSE71270/GSE71270.tsv":          readFile(t, gseDir+"/GSE71270.tsv"),
		"GSE71270/metadata_GSE71270.tsv": readFile(t, gseDir+"/metadata_GSE71270.tsv"),
		"E-GEOD-39842.zip":               readFile(t, egeodZip),
	}))
	d := open(t, outer)
	if got := matrixNames(d); !slices.Equal(got, []string{outer + "!GSE71270/GSE71270.tsv"}) {
		t.Errorf("matrices %q", got)
	}
	wantFinding(t, d, qc.InvalidFormat, qc.SeverityWarning, outer+"!E-GEOD-39842.zip",
		"not read", "a zip inside a zip", "memory", "disk", "unzip "+outer, "load E-GEOD-39842.zip as a path of its own")

	only := filepath.Join(dir, "only.zip")
	writeFile(t, only, zipOf(t, map[string][]byte{"E-GEOD-39842.zip": readFile(t, egeodZip)}))
	_, err := genexp.OpenDownload(only)
	var e *qc.Error
	if !errors.As(err, &e) || e.Code != qc.InvalidFormat || e.File != only ||
		!strings.Contains(e.Msg, "the zip files in it ("+only+"!E-GEOD-39842.zip) are not read inside a zip: unzip it and load them as paths of their own") {
		t.Errorf("a zip of zips: %v", err)
	}
}

// TestZipWithBackslashNames: zip tools on Windows write entry names with
// \ (GSE71270\GSE71270.tsv). They were listed under a path that does not
// exist (bslash.zip!GSE71270/GSE71270\GSE71270.tsv) and refused; they are
// read with / for \ and load.
func TestZipWithBackslashNames(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bslash.zip")
	matrix := readFile(t, gseDir+"/GSE71270.tsv")
	writeFile(t, p, zipOf(t, map[string][]byte{
		`GSE71270\GSE71270.tsv`:          matrix,
		`GSE71270\metadata_GSE71270.tsv`: readFile(t, gseDir+"/metadata_GSE71270.tsv"),
	}))
	d := open(t, p)
	if got := matrixNames(d); !slices.Equal(got, []string{p + "!GSE71270/GSE71270.tsv"}) {
		t.Fatalf("matrices %q", got)
	}
	if d.Matrices[0].Folder != "GSE71270" || !bytes.Equal(readMatrix(t, d.Matrices[0]), matrix) || len(d.Metadata.Samples) != 10 {
		t.Errorf("folder %q, %d samples", d.Matrices[0].Folder, len(d.Metadata.Samples))
	}
	rep := load(t, openWarehouse(t), p)
	if len(rep.Studies) != 1 || rep.Studies[0].Samples != 10 {
		t.Errorf("studies %+v", rep.Studies)
	}
}

// TestZipEntryOfAnUnsupportedMethod: an entry compressed with bzip2 was
// "zip: unsupported compression algorithm"; the error names the method
// and says to re-zip with deflate, for a matrix and for metadata.
func TestZipEntryOfAnUnsupportedMethod(t *testing.T) {
	raw := func(zw *zip.Writer, name string, method uint16, b []byte) {
		w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: method, CRC32: crc32.ChecksumIEEE(b),
			CompressedSize64: uint64(len(b)), UncompressedSize64: uint64(len(b))})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b) // not bzip2 data: the method is refused before any is read
	}
	build := func(matrixMethod, sheetMethod uint16) string {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		raw(zw, "GSE71270/GSE71270.tsv", matrixMethod, readFile(t, gseDir+"/GSE71270.tsv"))
		if sheetMethod == zip.Deflate {
			w, _ := zw.Create("GSE71270/metadata_GSE71270.tsv")
			w.Write(readFile(t, gseDir+"/metadata_GSE71270.tsv"))
		} else {
			raw(zw, "GSE71270/metadata_GSE71270.tsv", sheetMethod, readFile(t, gseDir+"/metadata_GSE71270.tsv"))
		}
		zw.Close()
		p := filepath.Join(t.TempDir(), "bzip.zip")
		writeFile(t, p, buf.Bytes())
		return p
	}
	says := []string{"compressed with bzip2 (method 12)", "re-zip it with the default (deflate) method"}

	p := build(12, zip.Deflate)
	d := open(t, p)
	_, err := d.Matrices[0].Open()
	var e *qc.Error
	if !errors.As(err, &e) || e.Code != qc.InvalidFormat || e.File != p+"!GSE71270/GSE71270.tsv" || !errors.Is(err, zip.ErrAlgorithm) {
		t.Fatalf("matrix: %v", err)
	}
	for _, s := range says {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("%v does not say %q", err, s)
		}
	}

	// A sample sheet's error refuses its matrix, not the download.
	p = build(zip.Store, 12)
	d = open(t, p)
	_, err = d.Matrices[0].Open()
	if !errors.As(err, &e) || e.Code != qc.InvalidFormat || e.File != p+"!GSE71270/metadata_GSE71270.tsv" {
		t.Fatalf("sheet: %v", err)
	}
	for _, s := range says {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("%v does not say %q", err, s)
		}
	}

	// Method 99 is WinZip's AES encryption.
	p = build(99, zip.Deflate)
	_, err = open(t, p).Matrices[0].Open()
	if err == nil || !strings.Contains(err.Error(), "encrypted (password-protected, AES)") {
		t.Errorf("AES entry: %v", err)
	}
}

// TestRepeatedSheetColumnsReachTheDownload: the WARNING about a sheet's
// repeated columns that disagree is a finding of the download.
func TestRepeatedSheetColumnsReachTheDownload(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "GSE1", "GSE1.tsv"), []byte("Gene\tGSM1\tGSM2\nENSG1\t1\t2\n"))
	sheet := filepath.Join(dir, "GSE1", "metadata_GSE1.tsv")
	writeFile(t, sheet, []byte("refinebio_accession_code\tdisease state\tdisease state\nGSM1\tcontrol\tseptic shock\nGSM2\tcontrol\tcontrol\n"))
	d := open(t, dir)
	wantFinding(t, d, qc.InvalidFormat, qc.SeverityWarning, sheet, `columns 2 ("disease state") and 3 ("disease state")`, "first GSM1, line 2")
}

// TestAddedMetadataReadOnceForZips: a metadata file added with
// WithMetadataFiles to a download folder that holds zips is read once, and
// its findings are the download's once, not once more for each zip (each
// zip is opened with the folder's configuration).
func TestAddedMetadataReadOnceForZips(t *testing.T) {
	dir := t.TempDir()
	folder := filepath.Join(dir, "download")
	copyTree(t, "testdata/refinebio/quickstart", folder, nil)
	zipTree(t, "testdata/refinebio/E-GEOD-39842", filepath.Join(folder, "a.zip"), "")
	zipTree(t, "testdata/refinebio/SRP110235", filepath.Join(folder, "b.zip"), "")
	added := filepath.Join(dir, "metadata_GSE999.tsv")
	writeFile(t, added, []byte("refinebio_accession_code\ttissue\ttissue\nGSM999\tblood\tliver\n"))
	d := open(t, folder, genexp.WithMetadataFiles(added))
	if len(d.Matrices) != 3 {
		t.Fatalf("%d matrices, want GSE71270's and one in each zip", len(d.Matrices))
	}
	if got := findingsWith(d, "GSM999"); len(got) != 1 {
		t.Errorf("%d findings name the added file's sample, want 1: %v", len(got), got)
	}
}

// TestCopiesDescribedDifferentlyAreNotSkipped: a zip and the folder it was
// unzipped to whose matrices are the same bytes but whose metadata
// describe a sample differently are not one copy read once: which
// description is right cannot be told, so the study's second copy is
// refused (2004), as two copies of a study are, in one folder and as two
// paths. Skipped as the same file, one description was dropped in silence,
// which one depending on the order of the paths.
func TestCopiesDescribedDifferentlyAreNotSkipped(t *testing.T) {
	const title, retitled = "Unamputated wildtype adult zebrafish, sample 2", "A retitled sample"
	dir := t.TempDir()
	folder := filepath.Join(dir, "E-GEOD-39842")
	copyTree(t, "testdata/refinebio/E-GEOD-39842", folder, nil)
	for _, f := range []string{"metadata.json", "E-GEOD-39842/E-GEOD-39842_metadata.tsv"} {
		path := filepath.Join(folder, f)
		b := readFile(t, path)
		if !bytes.Contains(b, []byte(title)) {
			t.Fatalf("%s does not hold %q", f, title)
		}
		writeFile(t, path, bytes.ReplaceAll(b, []byte(title), []byte(retitled)))
	}
	zipPath := filepath.Join(dir, "E-GEOD-39842.zip")
	writeFile(t, zipPath, readFile(t, egeodZip))

	for name, paths := range map[string][]string{"one folder": {dir}, "two paths": {zipPath, folder}} {
		t.Run(name, func(t *testing.T) {
			p, err := genexp.New(openWarehouse(t))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := p.Load(context.Background(), paths...)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Studies) != 2 || !errors.Is(rep.Studies[1].Err, qc.DuplicateSamples) {
				t.Errorf("studies %+v, want the second copy refused (2004)", rep.Studies)
			}
			for _, f := range rep.Findings {
				if strings.Contains(f.Msg, "the same file as") {
					t.Errorf("copies described differently taken for one: %v", f)
				}
			}
		})
	}
}

// TestZipWithANameNotInUTF8: a zip tool that flags no encoding stores names in a
// legacy one. One such stray file made archive/zip refuse to list its
// folder, so the whole download failed (1002); it is now listed, its bytes
// read as U+FFFD, and skipped as any unrelated file is.
func TestZipWithANameNotInUTF8(t *testing.T) {
	p := filepath.Join(t.TempDir(), "legacy.zip")
	writeFile(t, p, zipOf(t, map[string][]byte{
		"GSE71270/GSE71270.tsv":          readFile(t, gseDir+"/GSE71270.tsv"),
		"GSE71270/metadata_GSE71270.tsv": readFile(t, gseDir+"/metadata_GSE71270.tsv"),
		"notes_\x82.txt":                 []byte("notes"),
	}))
	d := open(t, p)
	if got := matrixNames(d); !slices.Equal(got, []string{p + "!GSE71270/GSE71270.tsv"}) {
		t.Fatalf("matrices %q", got)
	}
	wantFinding(t, d, qc.InvalidFormat, qc.SeverityInfo, p+"!notes_\uFFFD.txt", "skipped")
}

// TestFolderNameNotInUTF8: a download under a folder whose name is not
// UTF-8 loads, and its run is recorded: the file name, quoted in the
// warehouse's rows, had every row that held it refused by DuckDB's driver
// (the load failed at its first staging statement, and the failure's own
// findings and steps were lost with it).
func TestFolderNameNotInUTF8(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dl\xff")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Skipf("this file system takes no such name: %v", err)
	}
	copyTree(t, "testdata/refinebio/GSE71270", dir, nil)
	w := openWarehouse(t)
	rep := load(t, w, dir)
	if len(rep.Studies) != 1 || rep.Studies[0].Err != nil || rep.Studies[0].Outcome != warehouse.Inserted {
		t.Fatalf("studies %+v", rep.Studies)
	}
	var file string
	if err := w.DB().QueryRow(`SELECT file_name FROM meta_batch`).Scan(&file); err != nil || !strings.Contains(file, "dl\uFFFD") {
		t.Errorf("meta_batch.file_name %q (%v), want the folder's name with U+FFFD for its byte", file, err)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM meta_etl_process_log WHERE status = 'SUCCESS'`); n < 4 {
		t.Errorf("%d SUCCESS steps logged", n)
	}

	// A failure under that folder is recorded, in the validation log too.
	bad := filepath.Join(dir, "GSE71270", "GSE71270.tsv")
	writeFile(t, bad, append(readFile(t, bad), []byte("ENSDARG_BAD\tx\n")...))
	if sr := loadOne(t, w, genexp.DefaultConfig(), dir); sr.Err == nil {
		t.Fatalf("study %+v, want GSE71270 failed", sr)
	}
	if n := count(t, w, `SELECT COUNT(*) FROM meta_data_validation_log WHERE file_name LIKE '%dl`+"\uFFFD"+`%'`); n == 0 {
		t.Error("the failure has no row in meta_data_validation_log")
	}
	if n := count(t, w, `SELECT COUNT(*) FROM meta_etl_process_log WHERE status = 'FAILED'`); n == 0 {
		t.Error("the failure has no FAILED step")
	}
}

// TestFolderNotInUTF8WithinDownload: a folder inside a download whose name
// is not UTF-8 is listed and read like any other. os.DirFS refuses such a
// name, and one such folder, even an empty one, failed the whole download
// with "listing the download: readdir …: invalid argument".
func TestFolderNotInUTF8WithinDownload(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dl")
	if err := os.MkdirAll(filepath.Join(dir, "d\xe9j\xe0"), 0o755); err != nil {
		t.Skipf("this file system takes no such name: %v", err)
	}
	copyTree(t, "testdata/refinebio/GSE71270", filepath.Join(dir, "caf\xe9"), nil)
	study := filepath.Join(dir, "caf\xe9", "GSE71270")
	w := openWarehouse(t)
	for _, p := range []string{dir, filepath.Join(study, "GSE71270.tsv")} {
		rep := load(t, w, p)
		if len(rep.Studies) != 1 || rep.Studies[0].Err != nil || rep.Studies[0].Outcome == "" {
			t.Fatalf("%q: studies %+v, want GSE71270 loaded", p, rep.Studies)
		}
	}
	var file string
	if err := w.DB().QueryRow(`SELECT file_name FROM meta_batch`).Scan(&file); err != nil || !strings.Contains(file, "/caf\uFFFD/GSE71270/GSE71270.tsv") {
		t.Errorf("meta_batch.file_name %q (%v), want the folder's name with U+FFFD for its byte", file, err)
	}
}

// TestZipWhoseMatrixIsNamedOutsideIt: a zip whose only matrix is named
// outside it (../GSE71270/GSE71270.tsv, with \ for /, or absolute) failed
// as "no expression matrix (.tsv) found", the WARNING naming the entry
// left unreported with the error; the error now names it and says why it
// is not read. In a folder of zips, such a zip holding nothing else was
// skipped as holding nothing of refine.bio's; it now fails with that error.
func TestZipWhoseMatrixIsNamedOutsideIt(t *testing.T) {
	matrix, sheet := readFile(t, gseDir+"/GSE71270.tsv"), readFile(t, gseDir+"/metadata_GSE71270.tsv")
	for _, tc := range []struct{ name, entry, shown string }{
		{"climbs out", "../GSE71270/GSE71270.tsv", "../GSE71270/GSE71270.tsv"},
		{"climbs out with backslashes", `..\GSE71270\GSE71270.tsv`, "../GSE71270/GSE71270.tsv"},
		{"absolute", "/GSE71270/GSE71270.tsv", "/GSE71270/GSE71270.tsv"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "x.zip")
			writeFile(t, p, zipOf(t, map[string][]byte{tc.entry: matrix, "GSE71270/metadata_GSE71270.tsv": sheet}))
			for _, godebug := range []string{"", "zipinsecurepath=0"} {
				t.Setenv("GODEBUG", godebug)
				_, err := genexp.OpenDownload(p)
				var e *qc.Error
				if !errors.As(err, &e) || !errors.Is(err, qc.InvalidFormat) || e.Severity != qc.SeverityError || e.File != p {
					t.Fatalf("GODEBUG=%s: %v, want a 1002 error about %s", godebug, err, p)
				}
				for _, says := range []string{"no expression matrix (.tsv) found",
					"the entries named outside the zip (" + p + "!" + tc.shown + ") are not read",
					"climbs out with ..", "zip the download again from inside its folder"} {
					if !strings.Contains(e.Msg, says) {
						t.Errorf("GODEBUG=%s: %q does not say %q", godebug, e.Msg, says)
					}
				}
			}

			// The matrix alone, in a folder of zips: the zip fails with
			// that error, rather than being skipped.
			only := filepath.Join(dir, "zips", "only.zip")
			writeFile(t, only, zipOf(t, map[string][]byte{tc.entry: matrix}))
			d := open(t, filepath.Dir(only))
			if got := matrixNames(d); !slices.Equal(got, []string{only}) {
				t.Fatalf("matrices %q, want the zip's refusal", got)
			}
			_, err := d.Matrices[0].Open()
			if !errors.Is(err, qc.InvalidFormat) || !strings.Contains(err.Error(), "("+only+"!"+tc.shown+") are not read") {
				t.Errorf("opening the zip's matrix: %v", err)
			}
		})
	}
}

// TestZipWithAnEntryOutsideIt: with GODEBUG=zipinsecurepath=0 archive/zip
// reports an entry named outside the zip ("../notes.txt") with a reader
// that is whole. The download was refused as "not a readable zip file",
// and the open reader was never closed; it now reads as it does without
// that setting.
func TestZipWithAnEntryOutsideIt(t *testing.T) {
	p := filepath.Join(t.TempDir(), "outside.zip")
	writeFile(t, p, zipOf(t, map[string][]byte{
		"GSE71270/GSE71270.tsv":          readFile(t, gseDir+"/GSE71270.tsv"),
		"GSE71270/metadata_GSE71270.tsv": readFile(t, gseDir+"/metadata_GSE71270.tsv"),
		"../notes.txt":                   []byte("notes"),
	}))
	want := open(t, p)
	t.Setenv("GODEBUG", "zipinsecurepath=0")
	d := open(t, p)
	if got := matrixNames(d); !slices.Equal(got, matrixNames(want)) || len(d.Metadata.Samples) != 10 {
		t.Errorf("matrices %q, %d samples; want %q and 10, as without the setting", got, len(d.Metadata.Samples), matrixNames(want))
	}
}

// TestZipEntriesNamedOutsideAreNotRead: archive/zip lists an entry named
// outside the zip under its name made local, so a copy of a matrix named
// ../../GSE1/GSE1.tsv was read as a study GSE1 of the download, recorded
// under a name the zip does not hold, and its samples made the real
// study's matrix a duplicate. Such entries are left unread, each with a
// WARNING naming it as the zip names it.
func TestZipEntriesNamedOutsideAreNotRead(t *testing.T) {
	matrix := readFile(t, gseDir+"/GSE71270.tsv")
	p := filepath.Join(t.TempDir(), "outside.zip")
	outside := []string{"../../GSE1/GSE1.tsv", "/abs/GSE2/GSE2.tsv", "C:/GSE3/GSE3.tsv", "GSE4/../../GSE4.tsv"}
	files := map[string][]byte{
		"GSE71270/GSE71270.tsv":          matrix,
		"GSE71270/metadata_GSE71270.tsv": readFile(t, gseDir+"/metadata_GSE71270.tsv"),
		"GSE71270/./notes/../README.md":  []byte("inside, however written"),
	}
	for _, name := range outside {
		files[name] = matrix
	}
	writeFile(t, p, zipOf(t, files))
	for _, godebug := range []string{"", "zipinsecurepath=0"} {
		t.Setenv("GODEBUG", godebug)
		d := open(t, p)
		if got := matrixNames(d); !slices.Equal(got, []string{p + "!GSE71270/GSE71270.tsv"}) {
			t.Errorf("GODEBUG=%s: matrices %q, want only GSE71270's", godebug, got)
		}
		var warned []string
		for _, f := range d.Findings {
			if f.Severity == qc.SeverityWarning && strings.Contains(f.Msg, "outside the zip") {
				warned = append(warned, strings.TrimPrefix(f.File, p+"!"))
			}
		}
		slices.Sort(warned)
		if want := slices.Sorted(slices.Values(outside)); !slices.Equal(warned, want) {
			t.Errorf("GODEBUG=%s: warnings about %q, want %q", godebug, warned, want)
		}
	}
	pl, err := genexp.New(openWarehouse(t))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := pl.Load(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed() || len(rep.Studies) != 1 || rep.Studies[0].Study != "GSE71270" || rep.Studies[0].Outcome != "new" {
		t.Errorf("load: %+v, want GSE71270 new and nothing else", rep.Studies)
	}
}

// TestZipEntryMarkedAsFolder: a zip entry holding a matrix's data whose
// attributes say it is a folder failed the download with Go's own
// "listing the download: readdir …: not implemented"; the error now names
// the entry and says what is wrong with it.
func TestZipEntryMarkedAsFolder(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range []struct {
		name string
		dir  bool
		data []byte
	}{
		{"GSE71270/GSE71270.tsv", true, readFile(t, gseDir+"/GSE71270.tsv")},
		{"GSE71270/metadata_GSE71270.tsv", false, readFile(t, gseDir+"/metadata_GSE71270.tsv")},
	} {
		h := &zip.FileHeader{Name: f.name, Method: zip.Deflate}
		mode := fs.FileMode(0o644)
		if f.dir {
			mode = fs.ModeDir | 0o755
		}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "x.zip")
	writeFile(t, p, buf.Bytes())
	_, err := genexp.OpenDownload(p)
	var e *qc.Error
	if !errors.As(err, &e) || e.Code != qc.InvalidFormat || e.File != p+"!GSE71270/GSE71270.tsv" || !strings.Contains(e.Msg, "marks this entry as a folder") {
		t.Fatalf("OpenDownload: %v, want an InvalidFormat error naming the entry marked as a folder", err)
	}
}

// TestZipEntriesArchiveZipWouldMisread: entries archive/zip reads wrongly
// are named for what they are: two entries of one name (in a folder, Go
// said the folder was "marked as a folder" and unreadable), an entry named
// as a folder that holds the data (read as an empty folder, the study
// then missing its matrix), and the top folder's own entry ("./", which
// zip tools writing a folder's contents add, and which stopped the
// listing of the whole zip), which is passed over.
func TestZipEntriesArchiveZipWouldMisread(t *testing.T) {
	matrix, sheet := readFile(t, gseDir+"/GSE71270.tsv"), readFile(t, gseDir+"/metadata_GSE71270.tsv")
	type entry struct {
		name string
		data []byte
	}
	for _, tc := range []struct {
		name    string
		entries []entry
		file    string // the entry the error names, or the warning when the zip loads
		says    string // what the error says; "" when the zip loads
	}{
		{"stray files whose legacy-encoded names read as one", []entry{{"GSE71270/GSE71270.tsv", matrix}, {"GSE71270/metadata_GSE71270.tsv", sheet},
			{"GSE71270/notes_\x82.txt", []byte("a")}, {"GSE71270/notes_\x81.txt", []byte("b")}}, "", ""},
		{"matrices whose legacy-encoded names read as one", []entry{{"GSE71270/GSE71270.tsv", matrix}, {"GSE71270/metadata_GSE71270.tsv", sheet},
			{"GSE71270/x_\x82.tsv", matrix}, {"GSE71270/x_\x81.tsv", matrix}}, "GSE71270/x_\ufffd.tsv", "once their bytes that are not UTF-8 (shown as U+FFFD) are read"},
		{"two entries of one name", []entry{{"GSE71270/GSE71270.tsv", matrix}, {"GSE71270/GSE71270.tsv", matrix[:len(matrix)/2]}, {"GSE71270/metadata_GSE71270.tsv", sheet}},
			"GSE71270/GSE71270.tsv", "the zip holds two entries of this name"},
		{"a folder's name holding data", []entry{{"GSE71270/GSE71270.tsv/", matrix}, {"GSE71270/metadata_GSE71270.tsv", sheet}},
			"GSE71270/GSE71270.tsv", fmt.Sprintf("the zip names this entry as a folder (its name ends in /), yet it holds %d bytes of data", len(matrix))},
		{"a folder's name holding one byte", []entry{{"GSE71270/notes/", []byte("x")}, {"GSE71270/GSE71270.tsv", matrix}, {"GSE71270/metadata_GSE71270.tsv", sheet}},
			"GSE71270/notes", "the zip names this entry as a folder (its name ends in /), yet it holds 1 byte of data"},
		{"the top folder's entry", []entry{{"./", nil}, {"./GSE71270/GSE71270.tsv", matrix}, {"./GSE71270/metadata_GSE71270.tsv", sheet}}, "", ""},
		// "." is written with a folder's mode
		{"the top folder's entry, a folder by its mode, holding data", []entry{{".", []byte("x")}, {"GSE71270/GSE71270.tsv", matrix},
			{"GSE71270/metadata_GSE71270.tsv", sheet}}, ".", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			for _, e := range tc.entries {
				// raw, stored: archive/zip writes no data to a name ending in /
				h := &zip.FileHeader{Name: e.name, Method: zip.Store, CRC32: crc32.ChecksumIEEE(e.data),
					CompressedSize64: uint64(len(e.data)), UncompressedSize64: uint64(len(e.data)), NonUTF8: !utf8.ValidString(e.name)}
				if e.name == "." {
					h.SetMode(fs.ModeDir | 0o755)
				}
				w, err := zw.CreateRaw(h)
				if err != nil {
					t.Fatal(err)
				}
				w.Write(e.data)
			}
			if err := zw.Close(); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(t.TempDir(), "x.zip")
			writeFile(t, p, buf.Bytes())
			d, err := genexp.OpenDownload(p)
			if tc.says == "" {
				if err != nil || len(d.Matrices) != 1 {
					t.Fatalf("OpenDownload: %v, want the zip's one matrix", err)
				}
				d.Close()
				warned := slices.ContainsFunc(d.Findings, func(f *qc.Error) bool {
					return f.Severity == qc.SeverityWarning && f.File == p+"!"+tc.file && strings.Contains(f.Msg, "names the zip's top folder itself")
				})
				if warned != (tc.file != "") {
					t.Errorf("findings %v; want a warning naming %q: %v", d.Findings, tc.file, tc.file != "")
				}
				return
			}
			var e *qc.Error
			if !errors.As(err, &e) || e.Code != qc.InvalidFormat || e.File != p+"!"+tc.file || !strings.Contains(e.Msg, tc.says) {
				t.Fatalf("OpenDownload: %v, want an InvalidFormat error at %s saying %q", err, tc.file, tc.says)
			}
		})
	}
}
