package genexp

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// localDir is a folder on disk as an fs.FS: os.DirFS, but for the names it
// takes, which need not be UTF-8. A folder or file named in a legacy
// encoding (as old file systems and zip tools that flag no encoding leave
// them) is read like any other; os.DirFS refuses such a name (its paths
// must be UTF-8), so that one such folder anywhere in a download would
// fail the download's listing. Names are otherwise checked as fs.ValidPath
// checks them, and errors name the path within the folder, as os.DirFS's
// do.
type localDir string

// Compile-time checks: fs.WalkDir and fs.Stat use these methods.
var (
	_ fs.ReadDirFS = localDir("")
	_ fs.StatFS    = localDir("")
)

// join returns the path of name within d.
func (d localDir) join(op, name string) (string, error) {
	// The check's rules are about "/", "." and "..", which no byte of a
	// name that is not UTF-8 is: those bytes are set aside, not refused.
	if d == "" || !fs.ValidPath(strings.ToValidUTF8(name, "_")) {
		return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	return filepath.Join(string(d), filepath.FromSlash(name)), nil
}

// relative makes err's path name, the path within d, as os.DirFS does.
func relative(err error, name string) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		pe.Path = name
	}
	return err
}

// Open opens the file name within d.
func (d localDir) Open(name string) (fs.File, error) {
	p, err := d.join("open", name)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, relative(err, name)
	}
	return f, nil
}

// ReadDir lists the folder name within d, sorted by name.
func (d localDir) ReadDir(name string) ([]fs.DirEntry, error) {
	p, err := d.join("readdir", name)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return nil, relative(err, name)
	}
	return entries, nil
}

// Stat describes the file name within d, following a link.
func (d localDir) Stat(name string) (fs.FileInfo, error) {
	p, err := d.join("stat", name)
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(p)
	if err != nil {
		return nil, relative(err, name)
	}
	return info, nil
}
