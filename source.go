package genexp

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/qc"
)

// Download is a refine.bio download opened for reading: its metadata, merged
// from every metadata file it holds, and its matrices.
type Download struct {
	// Path is what was opened.
	Path string
	// Metadata is never nil; it is empty when the download has none. For
	// a folder that holds zips it merges theirs too, so that it describes
	// every sample the download holds; each matrix is read with the
	// metadata of the download (the folder, or the zip) it is in.
	Metadata *metadata.Dataset
	// Matrices are the expression matrices, in path order.
	Matrices []*Matrix
	// Findings are problems noticed while opening (skipped files, filtered
	// samples).
	Findings []*qc.Error
	closers  []io.Closer
	// empty is set when the download holds nothing of refine.bio's: no
	// matrix, metadata, quant.sf or .tsv file of any name.
	empty bool
	// added are the metadata files WithMetadataFiles added, as read.
	added []sheetSet
	// refused are the files of a zip not read because their names reach
	// outside it (dropOutside), as shown: a zip with no matrix names them
	// in its error.
	refused []string
}

// Matrix is one expression matrix of a download.
type Matrix struct {
	// Name is the matrix as the user knows it: a file path, or
	// "download.zip!FOLDER/FILE.tsv".
	Name string
	// Folder is the name of the folder the matrix sits in, such as
	// GSE71270 or HOMO_SAPIENS: for a matrix at the top of the folder
	// given, that folder's name; "" at the top of a zip.
	Folder string
	// Base is the file name without extensions (GSE71270 for GSE71270.tsv).
	Base string
	// Size is the matrix's uncompressed size in bytes, or -1 when unknown.
	Size int64
	// err, when set, refuses the matrix before it is read.
	err *qc.Error
	// fsys and file locate the matrix's bytes, to open them and to
	// compare two copies (sameBytes); fsys is nil for a refused zip.
	fsys fs.FS
	file string
	// in is the download that holds the matrix when it is not the one
	// opened: a zip found in a download folder is a download of its own,
	// read with its own metadata.
	in *Download
}

// Open returns the matrix's bytes, decompressed when it is gzipped. Its
// error is a *qc.Error; the Read errors of what it returns are the
// decompressor's or the file system's as they come (a corrupt zip entry's
// "flate: corrupt input"): expression.NewReader, given the reader, reports
// them as coded errors naming the matrix, as Pipeline.Load does.
func (m *Matrix) Open() (io.ReadCloser, error) {
	if m == nil || (m.err == nil && m.fsys == nil) {
		// A Matrix not made by OpenDownload locates no bytes.
		return nil, qc.Errorf(qc.ConfigInvalid, "genexp: Matrix.Open of a matrix that OpenDownload did not list")
	}
	if m.err != nil {
		return nil, m.err
	}
	rc, err := openMaybeGzip(m.fsys, m.file)
	if err != nil {
		return nil, openError(m.Name, "opening the matrix", err)
	}
	return rc, nil
}

// openError codes the error of opening the file shown as shown: an access
// error (accessError), else a missing file or one that is not what its
// name says (openCode). The file system's path in the cause is dropped: it
// is relative to the folder the file system is rooted at ("open
// nonexist.tsv" for /nonexist.tsv), and the error names the file as shown.
func openError(shown, msg string, err error) *qc.Error {
	if e := accessError(shown, err); e != nil {
		return e
	}
	return &qc.Error{Code: openCode(err), Severity: qc.SeverityError, File: shown, Msg: msg, Err: withoutPath(err)}
}

// withoutPath is the cause of a *fs.PathError, which the error that wraps
// it names by its file already; err itself for any other error.
func withoutPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// openCode tells a file that is missing from one that is there but cannot
// be read as what its name says (a .gz that is not gzip).
func openCode(err error) qc.Code {
	if errors.Is(err, fs.ErrNotExist) {
		return qc.FileNotFound
	}
	return qc.InvalidFormat
}

// accessError words a file or folder that is there but cannot be read: no
// permission, or symbolic links that lead back to themselves. It returns nil
// for any other error.
func accessError(shown string, err error) *qc.Error {
	switch {
	case errors.Is(err, fs.ErrPermission):
		err = fs.ErrPermission
	case errors.Is(err, syscall.ELOOP):
		err = fmt.Errorf("%w (the symbolic links form a loop)", syscall.ELOOP)
	default:
		return nil
	}
	return &qc.Error{Code: qc.FileNotFound, Severity: qc.SeverityError, File: shown, Msg: "cannot read this file or folder", Err: err}
}

// Close releases the download (its zip file, and the zip files found in
// it, if any). Read the matrices before it: after Close, a matrix inside a
// zip no longer opens (an error of code InvalidFormat), while a folder's,
// which hold nothing open, still do.
func (d *Download) Close() error {
	var errs []error
	for _, c := range d.closers {
		errs = append(errs, c.Close())
	}
	d.closers = nil
	return errors.Join(errs...)
}

// holding returns the download whose metadata m is read with: the zip,
// found in the download folder d, that holds m, or else d.
func (d *Download) holding(m *Matrix) *Download {
	if m.in != nil {
		return m.in
	}
	return d
}

// DownloadOption configures OpenDownload.
type DownloadOption func(*openConfig)

type openConfig struct {
	added *addedFiles
}

// addedFiles are the metadata files WithMetadataFiles adds. A download
// folder's zips are opened with the folder's configuration, so the files
// are read at the first open that needs them and kept for the others.
type addedFiles struct {
	paths []string
	read  bool
	sets  []sheetSet
	err   error
}

// sheets returns the added files, read once; nil when there are none.
func (a *addedFiles) sheets() ([]sheetSet, error) {
	if a == nil {
		return nil, nil
	}
	if !a.read {
		a.read = true
		for _, p := range a.paths {
			ds, err := readMetaFile(p)
			if err != nil {
				a.err = err
				break
			}
			_, acc := classifyFile(filepath.Base(p))
			a.sets = append(a.sets, sheetSet{ds: ds, file: p, acc: strings.ToUpper(acc), added: true, json: isJSONName(p)})
		}
	}
	return a.sets, a.err
}

// findings returns the findings of the added files, which each zip's
// metadata holds too.
func (a *addedFiles) findings() map[*qc.Error]bool {
	seen := map[*qc.Error]bool{}
	if a != nil {
		for _, s := range a.sets {
			for _, f := range s.ds.Findings {
				seen[f] = true
			}
		}
	}
	return seen
}

// WithMetadataFiles adds metadata files (aggregated_metadata.json or sample
// sheets, optionally gzipped) to read with the download, for a matrix whose
// metadata sits elsewhere. They rank after the download's own metadata; an
// added file (sheet or JSON) that describes a sample differently from the
// download's metadata or another added file refuses that sample's
// matrices, as two sheets of a download do. Default none.
func WithMetadataFiles(paths ...string) DownloadOption {
	return func(c *openConfig) {
		if c.added == nil {
			c.added = &addedFiles{}
		}
		c.added.paths = append(c.added.paths, paths...)
	}
}

// OpenDownload opens a refine.bio download: a zip file (read in place, never
// unpacked to disk), a download folder, a study folder, or a single matrix
// (.tsv or .tsv.gz, with the sample sheet and JSON beside it or given by
// WithMetadataFiles).
//
// In a folder or zip, a .tsv is a matrix when refine.bio's layout says so:
// it is named like its folder (GSE71270/GSE71270.tsv, ALL/ALL.tsv), or a
// sample sheet or the metadata names it. Other files are skipped with a
// finding, except README and LICENSE files, __MACOSX/ and hidden files.
// A study folder given directly holds a matrix named like the folder. A
// symbolic link to a file is read like the file. A symbolic link to a
// folder is followed only when the folder it leads to is inside the
// download (the download is where p leads, when p is itself a link) and is
// not read otherwise; a link out of the download or to a folder already
// read is skipped with an INFO finding that says which.
//
// A .zip file found in a download folder is a download of its own, read
// in place as if it were given as a path: its matrices are the download's,
// each read with the zip's own metadata, and a zip that cannot be read (or
// holds nothing but files that are not refine.bio's) is a matrix that
// fails (or a finding). A matrix of a zip that repeats, byte for byte, one
// already listed (a download kept beside the folder it was unzipped to)
// is read once. A zip is recognized by its name (.zip) there; a zip inside
// a zip is not read, and is a WARNING that says to load it as a path of its
// own: an entry of a zip reads from its start only, but a zip must be read
// from its end (its directory), so reading it in place would mean holding
// it in memory or unpacking it to disk. Names in a zip written with
// Windows' separator (GSE1\GSE1.tsv) are read with / for it.
//
// A study (or organism) held twice, as two matrices or two sample sheets of
// its name, and the studies of two sample sheets that describe one sample
// differently, are refused: their matrices' Open returns a
// qc.DuplicateSamples error. A matrix or metadata file that is not a
// regular file (a FIFO, a device) is refused before it is opened.
func OpenDownload(p string, opts ...DownloadOption) (*Download, error) {
	var cfg openConfig
	for i, o := range opts {
		if o == nil {
			return nil, qc.Errorf(qc.ConfigInvalid, "genexp: option %d of OpenDownload is nil", i+1)
		}
		o(&cfg)
	}
	d, err := openDownload(p, cfg)
	if err != nil {
		return nil, err
	}
	return d, nil
}

// openDownload is OpenDownload. On an error it also returns the download,
// closed, so that its caller can tell a zip with nothing of refine.bio's in
// it (empty).
func openDownload(p string, cfg openConfig) (*Download, error) {
	if strings.TrimSpace(p) == "" {
		return nil, &qc.Error{Code: qc.FileNotFound, Severity: qc.SeverityError, Msg: fmt.Sprintf("no such download: the path %q is empty", p)}
	}
	info, err := os.Stat(p)
	if err != nil {
		if e := accessError(p, err); e != nil {
			return nil, e
		}
		return nil, &qc.Error{Code: qc.FileNotFound, Severity: qc.SeverityError, File: p, Msg: "no such download", Err: withoutPath(err)}
	}
	if !info.IsDir() && !info.Mode().IsRegular() {
		return nil, notRegular(p, info.Mode())
	}
	d := &Download{Path: p}
	var fsys fs.FS
	var only string // a single matrix within fsys
	// folder is the name of the folder that holds the files at the top
	// of fsys: the folder given (a study folder given directly holds its
	// matrix at the top), or the folder of a single matrix; "" in a zip.
	folder := ""
	root := "" // the real path of a folder given; links are followed inside it only
	display := func(name string) string { return filepath.Join(p, filepath.FromSlash(name)) }
	switch {
	case info.IsDir():
		fsys = localDir(p)
		if root, err = realPath(p); err != nil {
			if root, err = filepath.Abs(p); err != nil {
				root = p
			}
		}
		if abs, err := filepath.Abs(p); err == nil {
			folder = filepath.Base(abs)
		}
	case isZip(p):
		zr, err := zip.OpenReader(p)
		if errors.Is(err, zip.ErrInsecurePath) && zr != nil {
			// Only with GODEBUG=zipinsecurepath=0: an entry named outside
			// the zip ("../GSE1.tsv"). The reader is whole; such entries
			// are dropped below (dropOutside), as without that setting.
			err = nil
		}
		if err != nil {
			if zr != nil {
				zr.Close()
			}
			if e := accessError(p, err); e != nil {
				return nil, e
			}
			return nil, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: p, Msg: "not a readable zip file", Err: err}
		}
		slashNames(&zr.Reader)
		d.closers = append(d.closers, zr)
		fsys = zr
		display = func(name string) string { return p + "!" + name }
		dropped := dropOutside(&zr.Reader)
		for i, name := range dropped {
			if i == maxSkippedFindings {
				d.Findings = append(d.Findings, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityWarning, File: p,
					Msg: "not read: more entries named outside the zip"})
				break
			}
			d.Findings = append(d.Findings, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityWarning, File: display(name),
				Msg: "not read: the entry's name reaches outside the zip (an absolute path, or one that climbs out with ..), " +
					"which no refine.bio zip holds; read as if inside, it would pass for another file of the download"})
		}
		for _, name := range dropped {
			if !strings.HasSuffix(name, "/") { // a folder's entry holds nothing
				d.refused = append(d.refused, display(name))
			}
		}
		twice, err := checkEntries(&zr.Reader, display)
		if err != nil {
			zr.Close()
			return nil, err
		}
		for i, name := range twice {
			if i == maxSkippedFindings {
				break
			}
			d.Findings = append(d.Findings, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityInfo, File: display(name),
				Msg: "skipped: the zip holds another entry of this name (read as one name once bytes that are not UTF-8 are shown as U+FFFD); " +
					"it is no refine.bio file, and the first entry of the name is listed"})
		}
		for i, name := range dropTop(&zr.Reader) {
			if i == maxSkippedFindings {
				break
			}
			d.Findings = append(d.Findings, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityWarning, File: display(name),
				Msg: "not read: the entry's name names the zip's top folder itself, not a file, yet the entry holds data; no refine.bio zip holds such an entry"})
		}
	default:
		dir := filepath.Dir(p)
		fsys, only = localDir(dir), filepath.Base(p)
		if abs, err := filepath.Abs(dir); err == nil {
			folder = filepath.Base(abs)
		}
		display = func(name string) string { return filepath.Join(dir, filepath.FromSlash(name)) }
	}
	if err := d.scan(fsys, only, folder, root, display, cfg); err != nil {
		d.Close()
		return d, err
	}
	return d, nil
}

// slashNames makes / the separator of every entry name of a zip: zip tools
// on Windows write GSE71270\GSE71270.tsv. archive/zip splits such a name
// at the backslash to find its folder but keeps the backslash in the name
// it lists, so the file would be listed under a path that opens nothing.
// It also makes each name UTF-8, bytes that are not read as U+FFFD: a zip
// tool that flags no encoding stores a name in the system's legacy one
// (notes_\x82.txt), and archive/zip fails to list the folder holding any
// name that is not UTF-8, so that one stray file hid the whole download.
func slashNames(zr *zip.Reader) {
	for _, f := range zr.File {
		f.Name = strings.ToValidUTF8(strings.ReplaceAll(f.Name, `\`, "/"), "\uFFFD")
	}
}

// dropOutside removes from zr the entries whose names reach outside the
// zip ("../GSE1/GSE1.tsv", "/data/GSE1.tsv", "C:/GSE1.tsv"), and returns
// their names. archive/zip lists such an entry under its name made local
// (GSE1/GSE1.tsv), where it would be read as a file of the download that
// the zip does not hold by that name. It runs before the zip is first
// read as a file system, which lists zr.File then.
func dropOutside(zr *zip.Reader) []string {
	var out []string
	zr.File = slices.DeleteFunc(zr.File, func(f *zip.File) bool {
		name := strings.TrimSuffix(f.Name, "/")
		if name == "" || path.IsAbs(name) || !filepath.IsLocal(filepath.FromSlash(name)) || hasDrive(name) {
			out = append(out, f.Name)
			return true
		}
		return false
	})
	return out
}

// checkEntries refuses a zip that archive/zip would read wrongly: an entry
// whose name ends in "/" (a folder's) that holds data, which it would
// list as an empty folder, the file's data unread; and two entries of one
// name, of which it would read neither, or only one, with no way to tell
// which is meant.
//
// Names are compared as slashNames leaves them, so two names in a legacy
// encoding that differ only in bytes it writes as U+FFFD are one name: a
// file of no refine.bio kind (notes, images) so repeated is passed over
// after its first entry, and returned in skipped, since archive/zip would
// refuse to list its folder; a matrix or metadata file so repeated is
// refused all the same, in words that say why the names are one.
func checkEntries(zr *zip.Reader, display func(string) string) (skipped []string, err error) {
	seen := map[string]int{}
	var keep []*zip.File
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") {
			if f.UncompressedSize64 > 0 {
				return nil, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: display(strings.TrimSuffix(f.Name, "/")),
					Msg: fmt.Sprintf("the zip names this entry as a folder (its name ends in /), yet it holds %s of data, which would not be read: "+
						"the zip was made by a tool that marks files as folders, or is damaged; re-create it (e.g. with zip -r)", plural(f.UncompressedSize64, "byte"))}
			}
			keep = append(keep, f)
			continue
		}
		name := path.Clean(f.Name)
		if seen[name]++; seen[name] == 1 {
			keep = append(keep, f)
			continue
		}
		if kind, _ := classifyFile(name); kind == kindOther || kind == kindIgnored {
			skipped = append(skipped, name)
			continue
		}
		msg := "the zip holds two entries of this name, and which of them is the file cannot be told: re-create the zip (e.g. with zip -r from inside the download's folder)"
		if strings.ContainsRune(name, utf8.RuneError) {
			msg = "the zip holds two entries of this name once their bytes that are not UTF-8 (shown as U+FFFD) are read, and which of them is the file cannot be told: " +
				"rename them in UTF-8 and re-create the zip"
		}
		return nil, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: display(name), Msg: msg}
	}
	zr.File = keep
	return skipped, nil
}

// dropTop removes from zr the entries whose names resolve to the zip's
// top folder itself ("./", which zip tools writing a folder's contents
// add, and "GSE1/.."), and returns the names of those that hold data
// (not a folder's entry): archive/zip would list such an entry as a file
// named ".", which stops the listing of the whole zip.
func dropTop(zr *zip.Reader) []string {
	var out []string
	zr.File = slices.DeleteFunc(zr.File, func(f *zip.File) bool {
		if path.Clean(strings.TrimSuffix(f.Name, "/")) != "." {
			return false
		}
		if !strings.HasSuffix(f.Name, "/") && !f.Mode().IsDir() || f.UncompressedSize64 > 0 {
			out = append(out, f.Name)
		}
		return true
	})
	return out
}

// hasDrive reports whether a zip entry's name begins with a Windows drive
// letter (C:/x.tsv), which is absolute there whatever the system reading it.
func hasDrive(name string) bool {
	return len(name) >= 2 && name[1] == ':' && ('a' <= name[0] && name[0] <= 'z' || 'A' <= name[0] && name[0] <= 'Z')
}

// isZip reports whether the file is a zip archive, by its name or, for a
// download saved without one, by its first bytes.
func isZip(p string) bool {
	if strings.EqualFold(filepath.Ext(p), ".zip") {
		return true
	}
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [4]byte
	_, err = io.ReadFull(f, magic[:])
	return err == nil && string(magic[:]) == "PK\x03\x04"
}

// maxSkippedFindings caps the findings about individual skipped files; the
// rest are counted in one.
const maxSkippedFindings = 10

// file kinds found in a download.
const (
	kindOther = iota
	kindIgnored
	kindJSON
	kindSheet
	kindMatrix
	kindFiltered
	kindQuant
	kindZip
)

var sheetName = regexp.MustCompile(`(?i)^(?:metadata_(.+)|(.+)_metadata)\.tsv$`)

// classifyFile says what a download file is; acc is the accession or
// organism a sample sheet or a per-organism JSON names.
func classifyFile(name string) (kind int, acc string) {
	base := path.Base(name)
	lower := strings.ToLower(base)
	plain := strings.TrimSuffix(base, path.Ext(base))
	if !strings.HasSuffix(lower, ".gz") {
		plain = base
	}
	lowerPlain := strings.ToLower(plain)
	switch {
	case strings.HasPrefix(lower, "filtered_samples_metadata"):
		return kindFiltered, ""
	case lowerPlain == "aggregated_metadata.json" || lowerPlain == "metadata.json":
		return kindJSON, ""
	case strings.HasPrefix(lowerPlain, "metadata_") && strings.HasSuffix(lowerPlain, ".json"):
		return kindJSON, plain[len("metadata_") : len(plain)-len(".json")]
	case strings.HasSuffix(lower, "quant.sf") || strings.HasSuffix(lower, "quant.sf.gz"):
		return kindQuant, ""
	case strings.HasPrefix(lower, "readme") || strings.HasPrefix(lower, "license") || strings.HasPrefix(lower, "licence"):
		return kindIgnored, ""
	case strings.HasSuffix(lower, ".zip"):
		return kindZip, ""
	}
	if m := sheetName.FindStringSubmatch(plain); m != nil {
		return kindSheet, m[1] + m[2]
	}
	if strings.HasSuffix(lower, ".tsv") || strings.HasSuffix(lower, ".tsv.gz") {
		return kindMatrix, ""
	}
	return kindOther, ""
}

func skipPath(name string) bool {
	for _, seg := range strings.Split(name, "/") {
		if strings.HasPrefix(seg, "__MACOSX") || (strings.HasPrefix(seg, ".") && seg != ".") {
			return true
		}
	}
	return false
}

// file is one file of a download and what it is.
type file struct {
	name, folder, acc string
	kind              int
}

// scan lists the download's files and opens its metadata and matrices.
// topFolder names the folder holding the files at the top of fsys ("" when
// none does, as in a zip).
//
// root is the real path (links resolved) of the folder fsys reads, "" when
// fsys is a zip. A linked folder is followed only when it leads to a folder
// inside root that the walk does not read anyway: one outside would read
// files that are not the download's (a link to / walks the whole system,
// one to the folder above reads the download again), and one already read
// would list its studies twice.
func (d *Download) scan(fsys fs.FS, only, topFolder, root string, display func(string) string, cfg openConfig) error {
	var files []file
	walked := map[string]string{} // real path of each folder read → its name in fsys
	var links []string            // linked folders, followed once the tree is read
	var outside []string          // linked folders not followed, as they lead out of the download
	visit := func(name string, e fs.DirEntry, err error) error {
		if err != nil {
			if e := accessError(display(name), err); e != nil {
				return e
			}
			if root == "" && name != "." && e != nil && e.IsDir() {
				// A zip entry whose attributes say folder, though its
				// name does not end in "/" and it holds data: archive/zip
				// lists it as a folder it cannot open.
				return &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: display(name),
					Msg: fmt.Sprintf("the zip marks this entry as a folder, yet it cannot be read as one (%v): "+
						"the zip was made by a tool that marks files as folders, or is damaged; re-create it (e.g. with zip -r)", err)}
			}
			return err
		}
		if name != "." && skipPath(name) {
			if e.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if e.IsDir() {
			if only != "" && name != "." {
				return fs.SkipDir // a single matrix: look only beside it
			}
			if root != "" {
				if real, err := realPath(display(name)); err == nil {
					if _, ok := walked[real]; !ok {
						walked[real] = name
					}
				}
			}
			return nil
		}
		if e.Type()&fs.ModeSymlink != 0 && only == "" && root != "" {
			// fs.WalkDir does not enter a linked folder: it is
			// followed below, once every folder it may lead to is known.
			if info, err := fs.Stat(fsys, name); err == nil && info.IsDir() {
				links = append(links, name)
				return nil
			}
		}
		kind, acc := classifyFile(name)
		folder := folderOf(name)
		if folder == "" {
			folder = topFolder
		}
		files = append(files, file{name: name, folder: folder, acc: acc, kind: kind})
		return nil
	}
	err := fs.WalkDir(fsys, ".", visit)
	// Following a link may meet more links: links grows as it is read.
	for i := 0; i < len(links) && err == nil; i++ {
		name := links[i]
		skip := func(why string) {
			d.Findings = append(d.Findings, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityInfo, File: display(name),
				Msg: "skipped: a symbolic link to a folder " + why})
		}
		real, rerr := realPath(display(name))
		switch {
		case rerr != nil:
			skip("that cannot be resolved (" + rerr.Error() + "); not followed")
		case !within(root, real):
			outside = append(outside, display(name))
			skip("outside the download (" + real + "); not followed, as only folders inside the download are read")
		case walked[real] != "":
			skip("already read (as " + display(walked[real]) + "); not followed, so that its files are not read twice")
		default:
			err = fs.WalkDir(fsys, name, visit)
		}
	}
	if err != nil {
		var qe *qc.Error
		if errors.As(err, &qe) {
			return qe
		}
		return &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: d.Path, Msg: "listing the download", Err: err}
	}
	sort.SliceStable(files, func(i, j int) bool {
		return jsonRank(files[i]) < jsonRank(files[j]) || (jsonRank(files[i]) == jsonRank(files[j]) && files[i].name < files[j].name)
	})
	var onlyBase string
	if only != "" {
		onlyBase = matrixBase(only)
	}

	// Metadata first: it decides which .tsv files are matrices.
	var sets []*metadata.Dataset
	sheetFiles := map[string][]string{} // accessions that sample sheets name → their files
	badSheets := map[string]error{}     // accessions whose sample sheet could not be read → why
	var badOrder []string
	var sheetSets []sheetSet
	var quant, skipped []string
	var filtered, zips []file
	jsonIn := map[string][]*metadata.Dataset{} // folder (in fsys) → the JSON metadata read there
	for _, f := range files {
		switch f.kind {
		case kindJSON:
			if only != "" && f.acc != "" && !strings.EqualFold(f.acc, onlyBase) {
				continue
			}
			ds, err := readMeta(fsys, f.name, display(f.name), func(r io.Reader, n string) (*metadata.Dataset, error) { return metadata.ParseJSON(r, n) })
			if err != nil {
				return err
			}
			jsonIn[path.Dir(f.name)] = append(jsonIn[path.Dir(f.name)], ds)
			sets = append(sets, ds)
			sheetSets = append(sheetSets, sheetSet{ds: ds, file: display(f.name), acc: strings.ToUpper(f.acc), json: true})
		case kindSheet:
			if only != "" && !strings.EqualFold(f.acc, onlyBase) {
				continue
			}
			sheetFiles[strings.ToUpper(f.acc)] = append(sheetFiles[strings.ToUpper(f.acc)], display(f.name))
			study := studyHint(f.acc)
			ds, err := readMeta(fsys, f.name, display(f.name), func(r io.Reader, n string) (*metadata.Dataset, error) { return metadata.ParseTSV(r, n, study) })
			if err != nil {
				// A sheet speaks for its own study: its error fails that
				// study's matrix (below), not the download's others.
				k := strings.ToUpper(f.acc)
				if _, seen := badSheets[k]; !seen {
					badSheets[k] = err
					badOrder = append(badOrder, k)
				}
				continue
			}
			sets = append(sets, ds)
			sheetSets = append(sheetSets, sheetSet{ds: ds, file: display(f.name), acc: strings.ToUpper(f.acc)})
		case kindFiltered:
			filtered = append(filtered, f)
		case kindQuant:
			quant = append(quant, display(f.name))
		case kindZip:
			if only == "" {
				zips = append(zips, f)
			}
		case kindOther:
			if only == "" {
				skipped = append(skipped, display(f.name))
			}
		}
	}
	added, err := cfg.added.sheets()
	if err != nil {
		return err
	}
	for _, s := range added {
		sets = append(sets, s.ds)
		sheetSets = append(sheetSets, s)
	}
	d.added = added
	d.Metadata = metadata.Merge(sets...)
	d.Findings = append(d.Findings, d.Metadata.Findings...)

	for _, f := range files {
		switch {
		case only != "":
			// the file the user named is the matrix, whatever its extension
			if f.name != only || (f.kind != kindMatrix && f.kind != kindOther) {
				continue
			}
		case f.kind != kindMatrix:
			continue
		case !isMatrixName(matrixBase(f.name), f.folder, sheetFiles, d.Metadata):
			skipped = append(skipped, display(f.name))
			continue
		}
		if err := checkRegular(fsys, f.name, display(f.name)); err != nil {
			return err
		}
		d.Matrices = append(d.Matrices, newMatrix(fsys, f.name, display(f.name), f.folder))
	}

	d.ownDownloadFields(jsonIn, added)

	if only == "" {
		refuseCopies(d.Matrices, sheetFiles)
	}
	d.Findings = append(d.Findings, refuseDisagreements(d.Matrices, sheetSets)...)
	if err := refuseUnreadSheets(d.Matrices, badSheets, badOrder); err != nil {
		return err
	}

	// A zip in a zip cannot be read in place (see OpenDownload); one in a
	// folder is a download of its own.
	var nested []string
	if inZip := root == "" && only == ""; inZip {
		for _, z := range zips {
			nested = append(nested, display(z.name))
			d.Findings = append(d.Findings, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityWarning, File: display(z.name),
				Msg: fmt.Sprintf("not read: a zip inside a zip would have to be held in memory or unpacked to disk to be read, which genexp does not do; "+
					"unzip %s and load %s as a path of its own", d.Path, path.Base(z.name))})
		}
	} else if len(zips) > 0 {
		d.addZips(zips, display, cfg)
	}

	if len(filtered) > 0 {
		d.Findings = append(d.Findings, d.filteredFinding(fsys, filtered, display))
	}
	if len(quant) > 0 {
		d.Findings = append(d.Findings, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityWarning, File: d.Path,
			Msg: fmt.Sprintf("%d Salmon quant.sf files (transcript-level, from a quant_sf_only download) are not gene matrices and are not loaded: %s",
				len(quant), listSome(quant, 3))})
	}
	for i, s := range skipped {
		if i == maxSkippedFindings {
			d.Findings = append(d.Findings, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityInfo, File: d.Path,
				Msg: fmt.Sprintf("skipped %d more files that are not refine.bio matrices or metadata", len(skipped)-i)})
			break
		}
		d.Findings = append(d.Findings, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityInfo, File: s,
			Msg: "skipped: not a refine.bio matrix or metadata file (a matrix is named like its folder or its sample sheet)"})
	}
	if len(d.Matrices) == 0 {
		d.empty = len(sets) == 0 && len(quant) == 0 && len(filtered) == 0 && len(zips) == 0 &&
			!slices.ContainsFunc(files, func(f file) bool { return f.kind == kindMatrix || f.kind == kindSheet }) &&
			!slices.ContainsFunc(d.refused, func(name string) bool { kind, _ := classifyFile(name); return kind != kindOther && kind != kindIgnored })
		if len(quant) > 0 || (d.Metadata.QuantSFOnly.Valid && d.Metadata.QuantSFOnly.Val) {
			return &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: d.Path,
				Msg: "this is a quant_sf_only download: it holds per-sample Salmon quant.sf files (transcripts), not gene matrices; " +
					"download the dataset again from refine.bio with gene matrices to load it"}
		}
		msg := "no expression matrix (.tsv) found"
		if len(skipped) > 0 {
			msg += fmt.Sprintf("; skipped %s (a matrix is named like its folder, e.g. GSE123/GSE123.tsv, or like its sample sheet; pass a matrix file directly to load it)",
				listSome(skipped, 3))
		}
		if len(outside) > 0 {
			msg += fmt.Sprintf("; symbolic links to folders outside the download are not followed (%s): open the folder they lead to instead",
				listSome(outside, 3))
		}
		if len(nested) > 0 {
			msg += fmt.Sprintf("; the zip files in it (%s) are not read inside a zip: unzip it and load them as paths of their own",
				listSome(nested, 3))
		}
		if len(d.refused) > 0 {
			msg += fmt.Sprintf("; the entries named outside the zip (%s) are not read (an absolute name, or one that climbs out with .., "+
				"which no refine.bio zip holds): zip the download again from inside its folder", listSome(d.refused, 3))
		}
		return &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: d.Path, Msg: msg}
	}
	return nil
}

// addZips opens each zip found in a download folder as a download of its
// own and adds its matrices, each to be read with the zip's metadata
// (Matrix.in); the download's Metadata becomes its own merged with every
// zip's, so that it describes every sample it holds. A zip that cannot be
// opened is a matrix refused with the reason, so that it fails where its
// studies would have loaded; one that holds nothing of refine.bio's (no
// matrix, metadata or .tsv) is skipped with an INFO finding, as any other
// file that is not refine.bio's is. A zip reached twice, through symbolic
// links, is read once.
func (d *Download) addZips(zips []file, display func(string) string, cfg openConfig) {
	own := &Download{Path: d.Path, Metadata: d.Metadata}
	ownMatrices := len(d.Matrices)
	sets := []*metadata.Dataset{d.Metadata}
	read := map[string]string{} // real path of each zip read → its name
	addedFound := cfg.added.findings()
	info := func(shown, msg string) {
		d.Findings = append(d.Findings, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityInfo, File: shown, Msg: msg})
	}
	for _, z := range zips {
		shown := display(z.name)
		if real, err := realPath(shown); err == nil {
			if first, ok := read[real]; ok {
				info(shown, "skipped: the zip "+first+" again (a symbolic link leads to it); read once")
				continue
			}
			read[real] = shown
		}
		sub, err := openDownload(shown, cfg)
		if err != nil {
			if sub != nil && sub.empty {
				info(shown, "skipped: a zip that holds no refine.bio matrix or metadata")
				continue
			}
			var qe *qc.Error
			if !errors.As(err, &qe) {
				qe = &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: shown, Msg: "reading the zip", Err: err}
			}
			base := strings.TrimSuffix(path.Base(z.name), path.Ext(z.name))
			d.Matrices = append(d.Matrices, &Matrix{Name: shown, Folder: z.folder, Base: base, Size: -1, err: qe})
			continue
		}
		d.closers = append(d.closers, sub.closers...)
		sub.closers = nil
		for _, f := range sub.Findings {
			if !addedFound[f] { // the folder's metadata has them already
				d.Findings = append(d.Findings, f)
			}
		}
		sets = append(sets, sub.Metadata)
		for _, m := range sub.Matrices {
			if first := sameMatrix(d.Matrices, m); first != nil && sameDescriptions(metadataOf(first, own), sub.Metadata) {
				d.Findings = append(d.Findings, sameFileFinding(m, first))
				continue
			}
			if m.in == nil { // one with download fields of its own in the zip keeps them (ownDownloadFields)
				m.in = sub
			}
			d.Matrices = append(d.Matrices, m)
		}
	}
	if len(sets) > 1 {
		for _, m := range d.Matrices[:ownMatrices] {
			if m.in == nil { // one with download fields of its own keeps them (ownDownloadFields)
				m.in = own
			}
		}
		d.Metadata = metadata.Merge(sets...)
		d.Findings = appendNewFindings(d.Findings, d.Metadata.Findings, sets)
	}
}

// ownDownloadFields gives each matrix the fields of the download that
// holds it. A folder may hold several downloads unzipped (each with its
// aggregated_metadata.json or metadata.json at its top) and study folders
// of none: their metadata merge into one Dataset, which describes every
// sample, but the fields that describe a download as a whole (how it was
// aggregated and scaled, refine.bio's quantile normalization and its
// Kolmogorov–Smirnov check, when it was built) are one download's, and the
// merge keeps the first file's. A matrix takes them from the JSON metadata
// nearest above it (in its folder, or the closest folder above), filled in
// from the JSON metadata files the caller added (WithMetadataFiles), else
// none: a study folder beside a download is not that download's. Where that
// differs from the merge, the matrix is read with a Download whose
// Metadata is the merge with those fields (Matrix.in), one per folder of
// JSON metadata (nil where the merge's fields are the matrix's).
func (d *Download) ownDownloadFields(jsonIn map[string][]*metadata.Dataset, added []sheetSet) {
	if len(d.Matrices) == 0 {
		return
	}
	var addedJSON []*metadata.Dataset
	for _, s := range added {
		if s.json {
			addedJSON = append(addedJSON, s.ds)
		}
	}
	merged := downloadFields(d.Metadata)
	byFolder := map[string]*Download{} // the nearest folder of JSON metadata ("": none) → the download its matrices take
	for _, m := range d.Matrices {
		folder, near := jsonAbove(jsonIn, m.file)
		in, done := byFolder[folder]
		if !done {
			// The nearer file first: it wins where two disagree. Only the
			// fields are merged, not each file's samples again.
			var fields []*metadata.Dataset
			for _, ds := range append(near, addedJSON...) {
				f := downloadFields(ds)
				fields = append(fields, &f)
			}
			var own metadata.Dataset
			if len(fields) > 0 {
				own = downloadFields(metadata.Merge(fields...))
			}
			if !reflect.DeepEqual(own, merged) {
				own.Studies, own.Samples, own.Sources, own.Findings = d.Metadata.Studies, d.Metadata.Samples, d.Metadata.Sources, d.Metadata.Findings
				in = &Download{Path: d.Path, Metadata: &own}
			}
			byFolder[folder] = in
		}
		if in != nil {
			m.in = in
		}
	}
}

// jsonAbove returns the JSON metadata read in the folder of file (a name in
// the download's fsys) and in each folder above it, the nearest first, and
// the nearest folder that holds any: a species folder's
// metadata_<SPECIES>.json lists samples, and the download's fields are in
// the aggregated_metadata.json above it.
func jsonAbove(jsonIn map[string][]*metadata.Dataset, file string) (string, []*metadata.Dataset) {
	var nearest string
	var sets []*metadata.Dataset
	for dir := path.Dir(file); ; dir = path.Dir(dir) {
		if here := jsonIn[dir]; len(here) > 0 {
			if sets == nil {
				nearest = dir
			}
			sets = append(sets, here...)
		}
		if dir == "." || dir == "/" {
			return nearest, sets
		}
	}
}

// downloadFields returns a copy of d with only the fields that describe a
// download as a whole: every field but its studies, samples, sources and
// findings (a field added to Dataset is one of them unless cleared here).
func downloadFields(d *metadata.Dataset) metadata.Dataset {
	c := *d
	c.Studies, c.Samples, c.Sources, c.Findings = nil, nil, nil, nil
	return c
}

// appendNewFindings appends to have the findings of merged that the merge
// itself made (a membership two files disagree on), not those of its
// inputs, and not one have holds already (an earlier merge of some of the
// same files made it).
func appendNewFindings(have, merged []*qc.Error, inputs []*metadata.Dataset) []*qc.Error {
	input := map[*qc.Error]bool{}
	for _, ds := range inputs {
		if ds == nil {
			continue
		}
		for _, f := range ds.Findings {
			input[f] = true
		}
	}
	for _, f := range merged {
		if input[f] || slices.ContainsFunc(have, func(h *qc.Error) bool {
			return h.Code == f.Code && h.Study == f.Study && h.File == f.File && h.Msg == f.Msg
		}) {
			continue
		}
		have = append(have, f)
	}
	return have
}

// sameMatrix returns the matrix of list, not refused, that m repeats byte
// for byte: the same name (its Base) and the same bytes, told by their
// size and CRC-32 (the zip entry's, or computed from the file when one of
// the two is not in a zip, a read of it that only a second copy of a
// study costs). It returns nil when there is none. A CRC-32 catches any
// accidental change; two different files of one study with equal sizes
// and checksums would have to be made so on purpose.
func sameMatrix(list []*Matrix, m *Matrix) *Matrix {
	for _, x := range list {
		if x.err == nil && strings.EqualFold(x.Base, m.Base) && sameBytes(x, m) {
			return x
		}
	}
	return nil
}

func sameBytes(a, b *Matrix) bool {
	return storedOf(a).same(storedOf(b))
}

// metadataOf returns the metadata m is read with, own's for a matrix of
// the download's own folders.
func metadataOf(m *Matrix, own *Download) *metadata.Dataset {
	if m.in != nil {
		return m.in.Metadata
	}
	return own.Metadata
}

// sameDescriptions reports whether two copies' metadata describe alike
// every sample both describe (metadata.Disagreement): a matrix is a copy
// of another, to be read once, only when its samples are the same too. A
// copy whose sheet says otherwise of a sample is not skipped, so that the
// two descriptions meet as two copies of a study do, and the study is
// refused rather than one of them being dropped in silence.
func sameDescriptions(a, b *metadata.Dataset) bool {
	if a == nil || b == nil {
		return true
	}
	for _, sb := range b.Samples {
		if sa := a.Sample(sb.Accession); sa != nil {
			if field, _, _ := metadata.Disagreement(sa, sb); field != "" {
				return false
			}
		}
	}
	return true
}

// sameFileFinding is the INFO note of a matrix m not read because it
// repeats first byte for byte (sameMatrix, sameAsRead).
func sameFileFinding(m, first *Matrix) *qc.Error {
	return &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityInfo, File: m.Name,
		Msg: "skipped: the same file as " + first.Name + " (same size and CRC-32), which is read; " +
			"its samples are loaded once, from there"}
}

// stored is what tells a matrix's bytes from another's (see sameMatrix):
// its size as stored (-1 when unknown) and its CRC-32, a zip entry's
// taken from the zip, a file's computed when first needed. A zip closed,
// its entries can no longer be looked at, so a matrix kept to compare a
// later one with is kept as a stored taken while its zip is open.
type stored struct {
	m             *Matrix
	size          int64
	crc           uint32
	inZip, hasCRC bool
	// meta is the metadata the matrix was read with (sameAsRead compares
	// it: see sameDescriptions); nil when not kept.
	meta *metadata.Dataset
}

func storedOf(m *Matrix) *stored {
	if m.fsys == nil {
		return &stored{m: m, size: -1}
	}
	size, crc, inZip := rawSize(m)
	return &stored{m: m, size: size, crc: crc, inZip: inZip, hasCRC: inZip}
}

func (s *stored) checksum() (uint32, bool) {
	if !s.hasCRC {
		c, err := fileCRC(s.m)
		if err != nil {
			return 0, false
		}
		s.crc, s.hasCRC = c, true
	}
	return s.crc, true
}

func (s *stored) same(o *stored) bool {
	if s.size < 0 || s.size != o.size {
		return false
	}
	a, ok := s.checksum()
	if !ok {
		return false
	}
	b, ok := o.checksum()
	return ok && a == b
}

// sameAsRead is sameMatrix for the matrices earlier paths of a run read
// (read, each taken while its download was open): the one that m (nil for
// a refused matrix, which repeats nothing) repeats byte for byte when
// either of the two is in a zip and m's metadata describes its samples as
// the earlier copy's did (sameDescriptions), or nil. A zip kept beside the
// folder it was unzipped to is read once whether the folder holding both
// is given or each of them is (as a shell glob gives them), and so is a
// zip given twice under two names. Two folders are compared no more than
// inside one download, where a study in both is refused (refuseCopies):
// the later one is refused as a copy (claim).
func sameAsRead(read []*stored, m *stored) *Matrix {
	if m == nil {
		return nil
	}
	for _, x := range read {
		if strings.EqualFold(x.m.Base, m.m.Base) && (x.inZip || m.inZip) && x.same(m) && sameDescriptions(x.meta, m.meta) {
			return x.m
		}
	}
	return nil
}

// rawSize returns the size of the matrix's file as stored (compressed
// still when it is a .gz), and, for a zip entry, its CRC-32; -1 when it
// cannot be told.
func rawSize(m *Matrix) (size int64, crc uint32, inZip bool) {
	info, err := fs.Stat(m.fsys, m.file)
	if err != nil {
		return -1, 0, false
	}
	if fh, ok := info.Sys().(*zip.FileHeader); ok {
		return int64(fh.UncompressedSize64), fh.CRC32, true
	}
	return info.Size(), 0, false
}

func fileCRC(m *Matrix) (uint32, error) {
	if err := checkRegular(m.fsys, m.file, m.Name); err != nil {
		return 0, err
	}
	f, err := m.fsys.Open(m.file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	h := crc32.NewIEEE()
	if _, err := io.Copy(h, f); err != nil {
		return 0, err
	}
	return h.Sum32(), nil
}

// refuseCopies refuses every matrix of a study (or organism, or ALL) that
// the download holds twice: two matrices of that name, or two sample sheets
// for it. refine.bio puts each in one folder of a download, so a second is
// a copy (two downloads zipped together, a folder copied twice), and the
// metadata of the whole download is merged: either copy's sheet would
// label the other's samples, and the later matrix would replace the
// earlier one in the warehouse. Which copy is right cannot be told, so
// the study fails with both named; other studies load.
func refuseCopies(matrices []*Matrix, sheetFiles map[string][]string) {
	byBase := map[string][]*Matrix{}
	for _, m := range matrices {
		k := strings.ToUpper(m.Base)
		byBase[k] = append(byBase[k], m)
	}
	for k, ms := range byBase {
		var copies []string
		switch {
		case len(ms) > 1:
			for _, m := range ms {
				copies = append(copies, m.Name)
			}
		case len(sheetFiles[k]) > 1:
			copies = sheetFiles[k]
		default:
			continue
		}
		msg := fmt.Sprintf("%s is in this download more than once (%s): the sample sheets of its copies would be merged, "+
			"each labelling the other's samples, so no copy is loaded; load each copy as a download of its own", ms[0].Base, listSome(copies, 3))
		if oneFolder(copies) {
			// Copies side by side (GSE1.tsv and GSE1.tsv.gz) cannot be
			// loaded apart from their folder, and share its sheet.
			msg = fmt.Sprintf("%s is in one folder more than once (%s), and which copy to load cannot be told, so none is loaded; "+
				"keep one (move or delete the others) and load again", ms[0].Base, listSome(copies, 3))
		}
		for _, m := range ms {
			m.err = &qc.Error{Code: qc.DuplicateSamples, Severity: qc.SeverityError, Study: studyHint(m.Base), File: m.Name, Msg: msg}
		}
	}
}

// oneFolder reports whether the files named lie in one folder (of a file
// system, or of a zip: the folder is what comes before the last / or !).
func oneFolder(names []string) bool {
	dir := func(n string) string { return n[:max(strings.LastIndexAny(n, "/!"), 0)] }
	for _, n := range names[1:] {
		if dir(n) != dir(names[0]) {
			return false
		}
	}
	return true
}

// refuseUnreadSheets refuses each matrix whose sample sheet could not be
// read, with the sheet's error: the download's other studies still load.
// A sheet with no matrix of its name to refuse fails the download, as it
// did before any matrix was found, its error returned (the first, in the
// order the sheets were read).
func refuseUnreadSheets(matrices []*Matrix, bad map[string]error, order []string) error {
	used := map[string]bool{}
	for _, m := range matrices {
		k := strings.ToUpper(m.Base)
		err, ok := bad[k]
		if !ok {
			continue
		}
		used[k] = true
		if m.err != nil {
			continue
		}
		var e *qc.Error
		if !errors.As(err, &e) {
			e = &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, Msg: "reading the sample sheet", Err: err}
		}
		c := *e
		c.Study = studyHint(m.Base)
		m.err = &c
	}
	for _, k := range order {
		if !used[k] {
			return bad[k]
		}
	}
	return nil
}

// sheetSet is a metadata file as read (a sample sheet, or JSON when json
// is set), and the accession it is named for ("" when its name gives
// none). added marks a file given with WithMetadataFiles rather than found
// in the download.
type sheetSet struct {
	ds          *metadata.Dataset
	file, acc   string
	added, json bool
}

// refuseDisagreements refuses the matrices of two metadata files that
// describe one sample differently (a sample of two experiments, each
// sheet saying something else of it, or an added sheet or JSON retitling
// the download's samples): merged, the first would win in silence. A
// file's matrices are those named by its accession; when neither file
// names one (two added sheets without an accession in their names, an
// added file against aggregated_metadata.json), which matrix holds the
// sample is not known yet, so every matrix is refused.
// Copies of one download sheet are refuseCopies' to report.
//
// A download's JSON and its sheets are one record told twice, and the
// JSON, richer, wins the merge: they are not refused, but where the two
// contradict each other (a sheet edited by hand, its edit ignored) the
// returned warnings say so, one per pair of files (contradictions).
func refuseDisagreements(matrices []*Matrix, sheets []sheetSet) []*qc.Error {
	type seen struct {
		s     *metadata.Sample
		sheet int
	}
	const everyMatrix = "*"
	first := map[string]seen{}
	refused := map[string]*qc.Error{}
	var told contradictions
	for i, sh := range sheets {
		for _, s := range sh.ds.Samples {
			prev, ok := first[s.Accession]
			if !ok {
				first[s.Accession] = seen{s, i}
				continue
			}
			other := sheets[prev.sheet]
			if !other.added && !sh.added && (other.acc == sh.acc || other.json || sh.json) {
				if other.json || sh.json {
					told.note(other, sh, prev.s, s)
				}
				continue
			}
			var targets []string
			for _, acc := range []string{other.acc, sh.acc} {
				if acc != "" && !slices.Contains(targets, acc) {
					targets = append(targets, acc)
				}
			}
			if len(targets) == 0 {
				targets = []string{everyMatrix}
			}
			if !slices.ContainsFunc(targets, func(acc string) bool { return refused[acc] == nil }) {
				continue
			}
			field, a, b := metadata.Disagreement(prev.s, s)
			if field == "" {
				continue
			}
			for _, acc := range targets {
				if refused[acc] == nil {
					refused[acc] = &qc.Error{Code: qc.DuplicateSamples, Severity: qc.SeverityError, Study: studyHint(acc), File: sh.file,
						Msg: fmt.Sprintf("sample %s is described twice, differently: its %s is %q in %s and %q here; which is right cannot be told, so neither file's matrix is loaded",
							s.Accession, field, qc.Shorten(a, 40), other.file, qc.Shorten(b, 40))}
				}
			}
		}
	}
	for _, m := range matrices {
		e := refused[strings.ToUpper(m.Base)]
		if e == nil {
			e = refused[everyMatrix]
		}
		if e != nil && m.err == nil {
			c := *e
			c.Study = studyHint(m.Base)
			m.err = &c
		}
	}
	return told.findings()
}

// contradictions collects, per pair of a download's JSON and one of its
// sheets, the samples the two describe in ways that cannot both hold
// (metadata.Contradiction).
type contradictions struct {
	pairs []*contradiction
}

type contradiction struct {
	json, sheet string // the files: the one loaded, and the one told otherwise
	// jsons: both are JSON (aggregated_metadata.json and a species'
	// metadata_<ORGANISM>.json), the first read loaded
	jsons   bool
	study   string
	samples []string // "GSM1's title \"a\" in the JSON, \"b\" in the sheet"
	n       int
}

// maxContradictionsShown is how many samples a contradiction's finding
// names.
const maxContradictionsShown = 3

// note records the contradiction, if any, between two descriptions of one
// sample, a and b, read from files x and y (one of them JSON).
func (c *contradictions) note(x, y sheetSet, a, b *metadata.Sample) {
	if !x.json {
		x, y, a, b = y, x, b, a
	}
	jsons := x.json && y.json // x, read first, is the one loaded
	inX, inY := "in the JSON", "in the sheet"
	if jsons {
		inX, inY = "in "+path.Base(strings.ReplaceAll(x.file, "!", "/")), "here"
	}
	diffs := metadata.Contradictions(a, b)
	if len(diffs) == 0 {
		return
	}
	var p *contradiction
	for _, q := range c.pairs {
		if q.json == x.file && q.sheet == y.file {
			p = q
		}
	}
	if p == nil {
		p = &contradiction{json: x.file, sheet: y.file, jsons: jsons, study: studyHint(y.acc)}
		if len(b.Experiments) > 0 {
			p.study = b.Experiments[0]
		}
		c.pairs = append(c.pairs, p)
	}
	p.n++
	if len(p.samples) < maxContradictionsShown {
		// Every field, so that a disease told apart after a title is
		// not hidden by it (at most four, then how many more).
		var fields []string
		for i, d := range diffs {
			if i == 4 {
				fields = append(fields, fmt.Sprintf("and %d more fields", len(diffs)-i))
				break
			}
			va, vb := showDifference(d.A, d.B, 40)
			fields = append(fields, fmt.Sprintf("%s %q %s, %q %s", d.Field, va, inX, vb, inY))
		}
		p.samples = append(p.samples, fmt.Sprintf("%s's %s", a.Accession, strings.Join(fields, ", ")))
	}
}

// showDifference cuts two values to about limit bytes each so that where
// they differ stays in view: two long titles alike but for their ends
// ("Unamputated … fish 3", "… fish 4") are cut after the part they share,
// which "..." stands for, rather than before the difference.
func showDifference(a, b string, limit int) (string, string) {
	if len(a) <= limit && len(b) <= limit {
		return a, b
	}
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	if start := i - 10; start > 3 && i >= limit-10 {
		for start > 0 && (!utf8.RuneStart(a[start]) || !utf8.RuneStart(b[start])) {
			start--
		}
		a, b = "..."+a[start:], "..."+b[start:]
	}
	return qc.Shorten(a, limit), qc.Shorten(b, limit)
}

// findings are the warnings of the contradictions noted.
func (c *contradictions) findings() []*qc.Error {
	var out []*qc.Error
	for _, p := range c.pairs {
		some := strings.Join(p.samples, "; ")
		if p.n > len(p.samples) {
			some += "; …"
		}
		what := "1 sample is"
		if p.n > 1 {
			what = fmt.Sprintf("%d samples are", p.n)
		}
		loaded := "the JSON's description is the one loaded, this sheet's only where the JSON says nothing"
		if p.jsons {
			loaded = "the description of " + p.json + ", read first, is the one loaded, this file's only where that one says nothing"
		}
		out = append(out, &qc.Error{Code: qc.DuplicateSamples, Severity: qc.SeverityWarning, Study: p.study, File: p.sheet,
			Msg: fmt.Sprintf("%s described otherwise here than in %s (%s); %s: "+
				"edit both files alike, or correct a label with illness_inference.overrides", what, p.json, some, loaded)})
	}
	return out
}

// jsonRank orders metadata files so that the download's own
// aggregated_metadata.json (or metadata.json) is read first and wins a
// merge; per-organism JSON follows.
func jsonRank(f file) int {
	switch {
	case f.kind == kindJSON && f.acc == "":
		return strings.Count(f.name, "/")
	case f.kind == kindJSON:
		return 1000 + strings.Count(f.name, "/")
	}
	return 2000
}

// isMatrixName reports whether a .tsv of a folder or zip is a matrix by
// refine.bio's layout: named like its folder, or named by a sample sheet,
// or named after a study of the metadata.
func isMatrixName(base, folder string, sheets map[string][]string, d *metadata.Dataset) bool {
	switch {
	case strings.EqualFold(base, folder), len(sheets[strings.ToUpper(base)]) > 0, d.Study(base) != nil:
		return true
	}
	return false
}

// filteredFinding reports the samples refine.bio left out of the download,
// counting them when the JSON list is readable.
func (d *Download) filteredFinding(fsys fs.FS, files []file, display func(string) string) *qc.Error {
	f := &qc.Error{Code: qc.SampleMismatch, Severity: qc.SeverityInfo, File: display(files[0].name),
		Msg: "refine.bio filtered some samples out of this download; they are in no matrix and are not loaded"}
	for _, x := range files {
		if !strings.HasSuffix(strings.ToLower(x.name), ".json") || checkRegular(fsys, x.name, "") != nil {
			continue
		}
		b, err := readAtMost(fsys, x.name, metadata.MaxJSONValueBytes)
		if err != nil {
			break
		}
		var samples map[string]struct {
			Reason string `json:"reason"`
		}
		if json.Unmarshal(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")), &samples) != nil {
			break
		}
		accs := make([]string, 0, len(samples))
		reasons := map[string]bool{}
		for acc, s := range samples {
			accs = append(accs, acc)
			if s.Reason != "" {
				reasons[s.Reason] = true
			}
		}
		sort.Strings(accs)
		f.File = display(x.name)
		f.Msg = fmt.Sprintf("refine.bio filtered %d samples out of this download (%s); they are in no matrix and are not loaded",
			len(accs), listSome(accs, 5))
		if len(reasons) == 1 {
			for r := range reasons {
				f.Msg += ": " + strings.TrimSuffix(r, ".")
			}
		}
		break
	}
	return f
}

func listSome(list []string, n int) string {
	if len(list) <= n {
		return strings.Join(list, ", ")
	}
	return strings.Join(list[:n], ", ") + fmt.Sprintf(" and %d more", len(list)-n)
}

func newMatrix(fsys fs.FS, name, shown, folder string) *Matrix {
	m := &Matrix{Name: shown, Folder: folder, Base: matrixBase(name), Size: -1, fsys: fsys, file: name}
	gz := strings.HasSuffix(strings.ToLower(name), ".gz")
	if info, err := fs.Stat(fsys, name); err == nil && !gz {
		m.Size = info.Size()
	}
	return m
}

// openMaybeGzip opens a file of fsys, decompressing it when its name ends
// in .gz.
func openMaybeGzip(fsys fs.FS, name string) (io.ReadCloser, error) {
	f, err := fsys.Open(name)
	if err != nil {
		if errors.Is(err, zip.ErrAlgorithm) {
			return nil, zipMethodError(fsys, name, err)
		}
		return nil, err
	}
	if info, err := f.Stat(); err == nil {
		if fh, ok := info.Sys().(*zip.FileHeader); ok {
			if fh.Flags&0x1 != 0 {
				f.Close()
				return nil, errors.New("this zip entry is encrypted (password-protected), which genexp cannot read; unzip the download with its password and load the folder")
			}
			f = zipEntry{f, fh.Method != zip.Store}
		}
	}
	if !strings.HasSuffix(strings.ToLower(name), ".gz") {
		return f, nil
	}
	// A *bufio.Reader is an io.ByteReader: the decompressor then reads
	// no byte past a member's end, which gzipFile looks at.
	src := bufio.NewReaderSize(f, 64<<10)
	zr, err := gzip.NewReader(src)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("named .gz but not a gzip file: %w", err)
	}
	zr.Multistream(false)
	return &gzipFile{Reader: zr, src: src, f: f}, nil
}

// zipMethods names the compression methods of the zip format (APPNOTE
// 4.4.5) that zip tools offer besides store and deflate.
var zipMethods = map[uint16]string{
	1: "Shrink", 6: "Implode", 9: "Deflate64", 12: "bzip2", 14: "LZMA",
	93: "Zstandard", 95: "XZ", 96: "JPEG", 97: "WavPack", 98: "PPMd",
}

// zipMethodError words a zip entry that archive/zip cannot decompress
// (cause is zip.ErrAlgorithm): the method it is compressed with, or, for
// method 99, the AES encryption that method number stands for.
func zipMethodError(fsys fs.FS, name string, cause error) error {
	// fs.Stat would open the entry, which fails the same way: its folder's
	// listing holds its header.
	var fh *zip.FileHeader
	entries, _ := fs.ReadDir(fsys, path.Dir(name))
	for _, e := range entries {
		if e.Name() != path.Base(name) {
			continue
		}
		if info, err := e.Info(); err == nil {
			fh, _ = info.Sys().(*zip.FileHeader)
		}
	}
	if fh == nil {
		return cause
	}
	if fh.Method == 99 || fh.Flags&0x1 != 0 {
		return fmt.Errorf("this zip entry is encrypted (password-protected, AES), which genexp cannot read; unzip the download with its password and load the folder (%w)", cause)
	}
	method := zipMethods[fh.Method]
	if method == "" {
		method = "an unknown method"
	}
	return fmt.Errorf("this zip entry is compressed with %s (method %d), which genexp cannot read: re-zip it with the default (deflate) method "+
		"(e.g. zip -r, or your system's Compress), or unzip it and load the folder (%w)", method, fh.Method, cause)
}

// checkRegular refuses a file that is not a regular file (a FIFO, a
// socket, a device), following symbolic links, before anything opens it:
// opening a FIFO with no writer, or reading one whose writer stalls, blocks
// for ever where no context can stop it.
func checkRegular(fsys fs.FS, name, shown string) error {
	info, err := fs.Stat(fsys, name)
	if err != nil {
		return nil // opening it reports why
	}
	if !info.Mode().IsRegular() {
		return notRegular(shown, info.Mode())
	}
	return nil
}

func notRegular(shown string, mode fs.FileMode) *qc.Error {
	what := "a special file"
	switch {
	case mode&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case mode&fs.ModeSocket != 0:
		what = "a socket"
	case mode&fs.ModeDevice != 0:
		what = "a device"
	case mode.IsDir():
		what = "a folder"
	}
	return &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: shown,
		Msg: fmt.Sprintf("this is %s, not a regular file; genexp reads matrices and metadata from regular files only (copy the data to a file first)", what)}
}

type gzipFile struct {
	*gzip.Reader
	src *bufio.Reader // the compressed bytes
	f   io.Closer
	// end is set once the last member is read: what follows it is
	// nothing, or zeros.
	end bool
}

// Read reads the decompressed text, member after member: a file of
// several gzip members (as gzip writes when files are joined) is one
// text, as gzip -d reads it. NUL bytes after the last member (padding, as
// some tools and file systems leave) are passed over, as gzip -d passes
// over them; any other bytes there are an error, rather than a member
// header that is not one.
func (g *gzipFile) Read(p []byte) (int, error) {
	for {
		if g.end {
			return 0, io.EOF
		}
		n, err := g.Reader.Read(p)
		if err != io.EOF {
			return n, err
		}
		if err := g.nextMember(); err != nil {
			if err == io.EOF {
				g.end = true
			}
			if n > 0 && err == io.EOF {
				return n, nil
			}
			return n, err
		}
		if n > 0 {
			return n, nil
		}
	}
}

// nextMember starts the member after the one read to its end; io.EOF when
// there is none.
func (g *gzipFile) nextMember() error {
	head, err := g.src.Peek(2)
	switch {
	case len(head) == 0 && err == io.EOF:
		return io.EOF
	case len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b:
		if err := g.Reader.Reset(g.src); err != nil {
			return err
		}
		g.Reader.Multistream(false)
		return nil
	}
	// Zeros to the end are padding; anything else is not gzip data.
	var n int64
	for {
		b, err := g.src.ReadByte()
		if err == io.EOF {
			return io.EOF
		}
		if err != nil {
			return err
		}
		if b != 0 {
			return fmt.Errorf("gzip: %w (the first, 0x%02x, %d bytes after its end): the file is damaged, or joined with another", expression.ErrTrailingBytes, b, n)
		}
		n++
	}
}

func (g *gzipFile) Close() error { return errors.Join(g.Reader.Close(), g.f.Close()) }

// Verify reads the rest of the stream, to its CRC-32 (and a zip entry's
// under it), so that a matrix that fails to parse is known corrupt or not
// (expression.Verifier).
func (g *gzipFile) Verify() error { _, err := io.Copy(io.Discard, g); return err }

// zipEntry is a file of a zip download; its CRC-32 is checked at its end.
type zipEntry struct {
	fs.File
	compressed bool // deflated; false when stored as is
}

// Verify reads the rest of the entry, to its CRC-32 (expression.Verifier).
func (z zipEntry) Verify() error { _, err := io.Copy(io.Discard, z.File); return err }

// Compressed reports whether the entry's bytes are compressed, so that a
// failed check names them rightly (see expression.Verifier).
func (z zipEntry) Compressed() bool { return z.compressed }

func readMeta(fsys fs.FS, name, shown string, parse func(io.Reader, string) (*metadata.Dataset, error)) (*metadata.Dataset, error) {
	if err := checkRegular(fsys, name, shown); err != nil {
		return nil, err
	}
	f, err := openMaybeGzip(fsys, name)
	if err != nil {
		return nil, openError(shown, "opening metadata", err)
	}
	defer f.Close()
	ds, err := parse(f, shown)
	var pe *qc.Error
	if v, ok := f.(expression.Verifier); ok && errors.As(err, &pe) {
		// Damaged compressed data decompress into text that does not
		// parse before their checksum is reached: read on to it.
		if verr := v.Verify(); verr != nil && !errors.As(verr, new(*fs.PathError)) {
			c, ok := f.(interface{ Compressed() bool })
			msg := expression.SourceFailure(verr, ok && !c.Compressed())
			// A parser that stopped on the failed check itself says
			// nothing the check does not.
			if !errors.Is(err, verr) {
				msg += " (reading had stopped here: " + pe.Details() + ")"
			}
			return nil, &qc.Error{Code: qc.InvalidFormat, Severity: qc.SeverityError, File: shown, Line: pe.Line, Column: pe.Column,
				Msg: msg, Err: verr}
		}
	}
	return ds, err
}

func readMetaFile(p string) (*metadata.Dataset, error) {
	dir, name := filepath.Split(p)
	if dir == "" {
		dir = "."
	}
	kind, acc := classifyFile(name)
	parse := func(r io.Reader, n string) (*metadata.Dataset, error) {
		return metadata.ParseTSV(r, n, studyHint(acc))
	}
	if kind == kindJSON || isJSONName(name) {
		parse = func(r io.Reader, n string) (*metadata.Dataset, error) { return metadata.ParseJSON(r, n) }
	}
	return readMeta(localDir(dir), name, p, parse)
}

// isJSONName reports whether a metadata file given by path is JSON rather
// than a sample sheet.
func isJSONName(p string) bool {
	return strings.HasSuffix(strings.ToLower(strings.TrimSuffix(p, ".gz")), ".json")
}

// organismFolder matches the folder names of SPECIES and ALL downloads
// (HOMO_SAPIENS, SARS_COV_2, ALL), which are not study accessions: refine.bio
// names organisms by their upper-case scientific name, words joined by
// underscores, and no accession holds an underscore.
var organismFolder = regexp.MustCompile(`^(?:ALL|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)$`)

// studyHint returns the study a file named for acc belongs to (a sample
// sheet metadata_<acc>.tsv, a matrix <acc>.tsv): acc itself, unless it
// names an organism or ALL.
func studyHint(acc string) string {
	if organismFolder.MatchString(acc) {
		return ""
	}
	return acc
}

// realPath is p with every symbolic link resolved, made absolute.
func realPath(p string) (string, error) {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", err
	}
	return filepath.Abs(real)
}

// within reports whether the real path p is root or inside it.
func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
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

// readAtMost reads a file of fsys whole, refusing one longer than limit
// bytes (a small compressed entry can expand to gigabytes).
func readAtMost(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err == nil && int64(len(b)) > limit {
		err = fmt.Errorf("%s is longer than %d bytes", name, limit)
	}
	return b, err
}
