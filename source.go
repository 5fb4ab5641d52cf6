package genexp

import (
	"archive/zip"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/qc"
)

// Download is a refine.bio download opened for reading: its metadata, merged
// from every metadata file it holds, and its matrices.
type Download struct {
	// Path is what was opened.
	Path string
	// Metadata is never nil; it is empty when the download has none.
	Metadata *metadata.Dataset
	// Matrices are the expression matrices, in path order.
	Matrices []*Matrix
	// Findings are problems noticed while opening (skipped files, filtered
	// samples).
	Findings []*qc.Error
	closer   io.Closer
}

// Matrix is one expression matrix of a download.
type Matrix struct {
	// Name is the matrix as the user knows it: a file path, or
	// "download.zip!FOLDER/FILE.tsv".
	Name string
	// Folder is the accession-named folder the matrix sits in ("" when it
	// sits at the top), such as GSE71270 or HOMO_SAPIENS.
	Folder string
	// Base is the file name without extensions (GSE71270 for GSE71270.tsv).
	Base string
	// Size is the matrix's uncompressed size in bytes, or -1 when unknown.
	Size int64
	open func() (io.ReadCloser, error)
}

// Open returns the matrix's bytes, decompressed when it is gzipped.
func (m *Matrix) Open() (io.ReadCloser, error) {
	rc, err := m.open()
	if err != nil {
		return nil, &qc.Error{Code: qc.FileNotFound, Severity: qc.SeverityError, File: m.Name, Msg: "opening the matrix", Err: err}
	}
	return rc, nil
}

// Close releases the download (the zip file, if any).
func (d *Download) Close() error {
	if d.closer != nil {
		return d.closer.Close()
	}
	return nil
}

// DownloadOption configures OpenDownload.
type DownloadOption func(*openConfig)

type openConfig struct {
	metadataFiles []string
}

// WithMetadataFiles adds metadata files (aggregated_metadata.json or sample
// sheets) to read with the download, for a matrix whose metadata sits
// elsewhere.
func WithMetadataFiles(paths ...string) DownloadOption {
	return func(c *openConfig) { c.metadataFiles = append(c.metadataFiles, paths...) }
}

// OpenDownload opens a refine.bio download: a .zip (read in place), a
// download folder, a study folder, or a single matrix (.tsv or .tsv.gz, with
// the sample sheet beside it or given by WithMetadataFiles).
func OpenDownload(p string, opts ...DownloadOption) (*Download, error) {
	var cfg openConfig
	for _, o := range opts {
		o(&cfg)
	}
	info, err := os.Stat(p)
	if err != nil {
		return nil, &qc.Error{Code: qc.FileNotFound, Severity: qc.SeverityError, File: p, Msg: "no such download", Err: err}
	}
	d := &Download{Path: p}
	var fsys fs.FS
	var only string // a single matrix within fsys
	display := func(name string) string { return filepath.Join(p, filepath.FromSlash(name)) }
	switch {
	case info.IsDir():
		fsys = os.DirFS(p)
	case strings.EqualFold(filepath.Ext(p), ".zip"):
		zr, err := zip.OpenReader(p)
		if err != nil {
			return nil, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: p, Msg: "not a readable zip file", Err: err}
		}
		d.closer = zr
		fsys = zr
		display = func(name string) string { return p + "!" + name }
	default:
		dir := filepath.Dir(p)
		fsys, only = os.DirFS(dir), filepath.Base(p)
		display = func(name string) string { return filepath.Join(dir, filepath.FromSlash(name)) }
	}
	if err := d.scan(fsys, only, display, cfg); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// file kinds found in a download.
const (
	kindSkip = iota
	kindJSON
	kindSheet
	kindMatrix
	kindFiltered
	kindQuant
)

var sheetName = regexp.MustCompile(`(?i)^(?:metadata_(.+)|(.+)_metadata)\.tsv$`)

// classifyFile says what a download file is.
func classifyFile(name string) (kind int, acc string) {
	base := path.Base(name)
	lower := strings.ToLower(base)
	switch {
	case strings.HasPrefix(lower, "filtered_samples_metadata"):
		return kindFiltered, ""
	case lower == "aggregated_metadata.json" || lower == "metadata.json" ||
		(strings.HasPrefix(lower, "metadata_") && strings.HasSuffix(lower, ".json")):
		return kindJSON, ""
	case lower == "quant.sf":
		return kindQuant, ""
	}
	if m := sheetName.FindStringSubmatch(base); m != nil {
		return kindSheet, m[1] + m[2]
	}
	if strings.HasSuffix(lower, ".tsv") || strings.HasSuffix(lower, ".tsv.gz") {
		return kindMatrix, ""
	}
	return kindSkip, ""
}

func skipPath(name string) bool {
	for _, seg := range strings.Split(name, "/") {
		if strings.HasPrefix(seg, "__MACOSX") || (strings.HasPrefix(seg, ".") && seg != ".") {
			return true
		}
	}
	return false
}

func (d *Download) scan(fsys fs.FS, only string, display func(string) string, cfg openConfig) error {
	var files []string
	err := fs.WalkDir(fsys, ".", func(name string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if name != "." && skipPath(name) {
			if e.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !e.IsDir() {
			files = append(files, name)
		}
		if e.IsDir() && only != "" && name != "." {
			return fs.SkipDir // a single matrix: look only beside it
		}
		return nil
	})
	if err != nil {
		return &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: d.Path, Msg: "listing the download", Err: err}
	}
	sort.Strings(files)
	var onlyAcc string
	if only != "" {
		onlyAcc = matrixBase(only)
	}
	var sets []*metadata.Dataset
	var jsonSets []*metadata.Dataset
	for _, name := range files {
		kind, acc := classifyFile(name)
		folder := folderOf(name)
		switch kind {
		case kindJSON:
			if only != "" {
				continue
			}
			ds, err := readMeta(fsys, name, display(name), func(r io.Reader, n string) (*metadata.Dataset, error) { return metadata.ParseJSON(r, n) })
			if err != nil {
				return err
			}
			jsonSets = append(jsonSets, ds)
		case kindSheet:
			if only != "" && !strings.EqualFold(acc, onlyAcc) {
				continue
			}
			study := studyHint(acc, folder)
			ds, err := readMeta(fsys, name, display(name), func(r io.Reader, n string) (*metadata.Dataset, error) { return metadata.ParseTSV(r, n, study) })
			if err != nil {
				return err
			}
			sets = append(sets, ds)
		case kindMatrix:
			if only != "" && name != only {
				continue
			}
			d.Matrices = append(d.Matrices, newMatrix(fsys, name, display(name), folder))
		case kindFiltered:
			d.Findings = append(d.Findings, &qc.Error{Code: qc.SampleMismatch, Severity: qc.SeverityInfo, File: display(name),
				Msg: "refine.bio filtered some samples out of this download; they are in no matrix and are not loaded"})
		case kindQuant:
			d.Findings = append(d.Findings, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityWarning, File: display(name),
				Msg: "a Salmon quant.sf (transcript-level, quant_sf_only download) is not a gene matrix and is not loaded"})
		}
	}
	for _, f := range cfg.metadataFiles {
		ds, err := readMetaFile(f)
		if err != nil {
			return err
		}
		sets = append(sets, ds)
	}
	d.Metadata = metadata.Merge(append(jsonSets, sets...)...)
	if len(d.Matrices) == 0 {
		if d.Metadata.QuantSFOnly.Valid && d.Metadata.QuantSFOnly.Val {
			return &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: d.Path,
				Msg: "a quant_sf_only download holds Salmon quant.sf files, not gene matrices; genexp loads gene matrices"}
		}
		return &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: d.Path, Msg: "no expression matrix (.tsv) found"}
	}
	return nil
}

func newMatrix(fsys fs.FS, name, shown, folder string) *Matrix {
	m := &Matrix{Name: shown, Folder: folder, Base: matrixBase(name), Size: -1}
	gz := strings.HasSuffix(strings.ToLower(name), ".gz")
	if info, err := fs.Stat(fsys, name); err == nil && !gz {
		m.Size = info.Size()
	}
	m.open = func() (io.ReadCloser, error) {
		f, err := fsys.Open(name)
		if err != nil {
			return nil, err
		}
		if !gz {
			return f, nil
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("not a gzip file: %w", err)
		}
		return gzipFile{zr, f}, nil
	}
	return m
}

type gzipFile struct {
	*gzip.Reader
	f io.Closer
}

func (g gzipFile) Close() error { return errors.Join(g.Reader.Close(), g.f.Close()) }

func readMeta(fsys fs.FS, name, shown string, parse func(io.Reader, string) (*metadata.Dataset, error)) (*metadata.Dataset, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, &qc.Error{Code: qc.FileNotFound, Severity: qc.SeverityError, File: shown, Msg: "opening metadata", Err: err}
	}
	defer f.Close()
	return parse(f, shown)
}

func readMetaFile(p string) (*metadata.Dataset, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, &qc.Error{Code: qc.FileNotFound, Severity: qc.SeverityError, File: p, Msg: "opening metadata", Err: err}
	}
	defer f.Close()
	if strings.EqualFold(filepath.Ext(p), ".json") {
		return metadata.ParseJSON(f, p)
	}
	_, acc := classifyFile(filepath.Base(p))
	return metadata.ParseTSV(f, p, studyHint(acc, ""))
}

// organismFolder matches the folder names of SPECIES and ALL downloads
// (HOMO_SAPIENS, ALL), which are not study accessions.
var organismFolder = regexp.MustCompile(`^[A-Z]+(_[A-Z]+)*$`)

// studyHint returns the study a sample sheet's samples belong to when the
// sheet does not say: the accession in its name, unless that names an
// organism or ALL.
func studyHint(acc, folder string) string {
	for _, c := range []string{acc, folder} {
		if c != "" && !organismFolder.MatchString(c) {
			return c
		}
	}
	return ""
}

func folderOf(name string) string {
	dir := path.Dir(name)
	if dir == "." {
		return ""
	}
	return path.Base(dir)
}

// matrixBase strips .tsv / .tsv.gz.
func matrixBase(name string) string {
	base := path.Base(name)
	lower := strings.ToLower(base)
	for _, ext := range []string{".tsv.gz", ".tsv"} {
		if strings.HasSuffix(lower, ext) {
			return base[:len(base)-len(ext)]
		}
	}
	return base
}
