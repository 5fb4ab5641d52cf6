//go:build unix

package genexp_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/internal/unprivileged"
	"github.com/genexp/genexp/qc"
)

// TestOpenDownloadRefusesSpecialFiles: a matrix or metadata file that is a
// FIFO is refused by name before it is opened; opening a FIFO with no writer
// would block for ever.
func TestOpenDownloadRefusesSpecialFiles(t *testing.T) {
	const study = "testdata/refinebio/GSE71270/GSE71270"
	mkfifo := func(t *testing.T, p string) {
		t.Helper()
		os.Remove(p)
		if err := syscall.Mkfifo(p, 0o644); err != nil {
			t.Skipf("cannot make a FIFO: %v", err)
		}
	}
	tests := []struct {
		name string
		// setup builds the download in dir and returns the path to open,
		// the options, and the file the error must name.
		setup func(t *testing.T, dir string) (string, []genexp.DownloadOption, string)
	}{
		{"matrix in a study folder", func(t *testing.T, dir string) (string, []genexp.DownloadOption, string) {
			copyTree(t, study, filepath.Join(dir, "GSE71270"), nil)
			m := filepath.Join(dir, "GSE71270", "GSE71270.tsv")
			mkfifo(t, m)
			return filepath.Join(dir, "GSE71270"), nil, m
		}},
		{"sample sheet", func(t *testing.T, dir string) (string, []genexp.DownloadOption, string) {
			copyTree(t, study, filepath.Join(dir, "GSE71270"), nil)
			s := filepath.Join(dir, "GSE71270", "metadata_GSE71270.tsv")
			mkfifo(t, s)
			return dir, nil, s
		}},
		{"aggregated_metadata.json", func(t *testing.T, dir string) (string, []genexp.DownloadOption, string) {
			copyTree(t, study, filepath.Join(dir, "GSE71270"), nil)
			j := filepath.Join(dir, "aggregated_metadata.json")
			mkfifo(t, j)
			return dir, nil, j
		}},
		{"matrix named directly", func(t *testing.T, dir string) (string, []genexp.DownloadOption, string) {
			m := filepath.Join(dir, "GSE71270.tsv")
			mkfifo(t, m)
			return m, nil, m
		}},
		{"metadata file given", func(t *testing.T, dir string) (string, []genexp.DownloadOption, string) {
			writeFile(t, filepath.Join(dir, "GSE71270.tsv"), readFile(t, filepath.Join(study, "GSE71270.tsv")))
			s := filepath.Join(dir, "elsewhere.tsv")
			mkfifo(t, s)
			return filepath.Join(dir, "GSE71270.tsv"), []genexp.DownloadOption{genexp.WithMetadataFiles(s)}, s
		}},
		{"symbolic link to a FIFO", func(t *testing.T, dir string) (string, []genexp.DownloadOption, string) {
			copyTree(t, study, filepath.Join(dir, "GSE71270"), nil)
			m := filepath.Join(dir, "GSE71270", "GSE71270.tsv")
			mkfifo(t, filepath.Join(dir, "pipe"))
			os.Remove(m)
			if err := os.Symlink(filepath.Join(dir, "pipe"), m); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(dir, "GSE71270"), nil, m
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, opts, file := tt.setup(t, t.TempDir())
			done := make(chan error, 1)
			go func() { done <- openAll(p, opts...) }()
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("OpenDownload blocked on a FIFO")
			}
			var qe *qc.Error
			if !errors.As(err, &qe) || qe.Code != qc.InvalidFormat || qe.Severity != qc.SeverityError || qe.File != file {
				t.Fatalf("err = %v, want a %v ERROR naming %s", err, qc.InvalidFormat, file)
			}
		})
	}
}

// A symbolic link to a regular matrix is read like the matrix.
func TestOpenDownloadFollowsSymlinkToFile(t *testing.T) {
	dir := t.TempDir()
	src, err := filepath.Abs("testdata/refinebio/GSE71270/GSE71270")
	if err != nil {
		t.Fatal(err)
	}
	study := filepath.Join(dir, "GSE71270")
	if err := os.Mkdir(study, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"GSE71270.tsv", "metadata_GSE71270.tsv"} {
		if err := os.Symlink(filepath.Join(src, f), filepath.Join(study, f)); err != nil {
			t.Fatal(err)
		}
	}
	d := open(t, study)
	if len(d.Matrices) != 1 || d.Metadata.Study("GSE71270") == nil {
		t.Fatalf("matrices %d, study %v: the links were not followed", len(d.Matrices), d.Metadata.Study("GSE71270"))
	}
	if got, want := readMatrix(t, d.Matrices[0]), readFile(t, filepath.Join(src, "GSE71270.tsv")); string(got) != string(want) {
		t.Fatal("the matrix read through a link differs from the file")
	}
}

// TestOpenDownloadUnreadable: a download, folder or matrix that is there
// but cannot be read is named with why, not reported as missing or as a
// bad zip.
func TestOpenDownloadUnreadable(t *testing.T) {
	const study = "testdata/refinebio/GSE71270/GSE71270"
	loop := func(t *testing.T, p string) {
		t.Helper()
		if err := os.Symlink(filepath.Base(p)+".other", p); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Base(p), p+".other"); err != nil {
			t.Fatal(err)
		}
	}
	unreadable := func(t *testing.T, p string) {
		t.Helper()
		if err := os.Chmod(p, 0); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(p, 0o755) })
	}
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) (open, file string)
		why   string
	}{
		{"link loop named", func(t *testing.T, dir string) (string, string) {
			p := filepath.Join(dir, "GSE71270")
			loop(t, p)
			return p, p
		}, "symbolic links form a loop"},
		{"link loop as matrix", func(t *testing.T, dir string) (string, string) {
			copyTree(t, study, filepath.Join(dir, "GSE71270"), nil)
			m := filepath.Join(dir, "GSE71270", "GSE71270.tsv")
			os.Remove(m)
			loop(t, m)
			return dir, m
		}, "symbolic links form a loop"},
		{"zip without permission", func(t *testing.T, dir string) (string, string) {
			z := filepath.Join(dir, "E-GEOD-39842.zip")
			writeFile(t, z, readFile(t, "testdata/refinebio/E-GEOD-39842.zip"))
			unreadable(t, z)
			return z, z
		}, "permission denied"},
		{"study folder without permission", func(t *testing.T, dir string) (string, string) {
			s := filepath.Join(dir, "GSE71270")
			copyTree(t, study, s, nil)
			unreadable(t, s)
			return s, s
		}, "permission denied"},
		{"matrix without permission", func(t *testing.T, dir string) (string, string) {
			copyTree(t, study, filepath.Join(dir, "GSE71270"), nil)
			m := filepath.Join(dir, "GSE71270", "GSE71270.tsv")
			unreadable(t, m)
			return dir, m
		}, "permission denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p, file := tt.setup(t, dir)
			var err error
			if os.Geteuid() == 0 && tt.why == "permission denied" {
				// root reads files whatever their permissions
				if !unprivileged.Run(t, dir, func() { err = openAll(p) }) {
					t.Skip("run as root, and no thread could become another user")
				}
			} else {
				err = openAll(p)
			}
			var qe *qc.Error
			if !errors.As(err, &qe) || qe.Code != qc.FileNotFound || qe.File != file ||
				!strings.Contains(err.Error(), "cannot read this file or folder: ") || !strings.Contains(err.Error(), tt.why) {
				t.Fatalf("err = %v, want a %v naming %s: cannot read …: %s", err, qc.FileNotFound, file, tt.why)
			}
		})
	}
}

// openAll opens the download at p and every matrix of it, as a load does
// before reading, and returns the last error met.
func openAll(p string, opts ...genexp.DownloadOption) error {
	d, err := genexp.OpenDownload(p, opts...)
	if err != nil {
		return err
	}
	defer d.Close()
	for _, m := range d.Matrices {
		rc, oerr := m.Open()
		if oerr != nil {
			err = oerr
			continue
		}
		rc.Close()
	}
	return err
}

// TestOpenDownloadFollowsLinkedFolders: a PATH that is a link to a study
// folder is read like that folder; a link inside a download that leads out
// of it is not followed, and the error says so; a link that leads back to
// the download is skipped with a finding.
func TestOpenDownloadFollowsLinkedFolders(t *testing.T) {
	src, err := filepath.Abs("testdata/refinebio/GSE71270/GSE71270")
	if err != nil {
		t.Fatal(err)
	}
	dl := filepath.Join(t.TempDir(), "download")
	if err := os.Mkdir(dl, 0o755); err != nil {
		t.Fatal(err)
	}
	symlink(t, src, filepath.Join(dl, "GSE71270"))
	d := open(t, filepath.Join(dl, "GSE71270"))
	if len(d.Matrices) != 1 || d.Matrices[0].Base != "GSE71270" || d.Metadata.Study("GSE71270") == nil {
		t.Fatalf("matrices %+v, findings %v: the linked folder was not followed", d.Matrices, d.Findings)
	}
	if got, want := readMatrix(t, d.Matrices[0]), readFile(t, filepath.Join(src, "GSE71270.tsv")); string(got) != string(want) {
		t.Fatalf("the matrix read through the link differs from the file")
	}

	// The download holds nothing but a link out of it.
	_, err = genexp.OpenDownload(dl)
	var qe *qc.Error
	if !errors.As(err, &qe) || qe.Code != qc.InvalidFormat || !strings.Contains(qe.Msg, "outside the download are not followed ("+filepath.Join(dl, "GSE71270")+")") {
		t.Fatalf("OpenDownload(%s) = %v; want an error naming the link that leads out of the download", dl, err)
	}

	// A link to the download itself, inside the download.
	if err := os.Remove(filepath.Join(dl, "GSE71270")); err != nil {
		t.Fatal(err)
	}
	copyTree(t, src, filepath.Join(dl, "GSE71270"), nil)
	symlink(t, dl, filepath.Join(dl, "again"))
	d = open(t, dl)
	if len(d.Matrices) != 1 {
		t.Fatalf("matrices %+v: the loop was walked", d.Matrices)
	}
	var said bool
	for _, f := range d.Findings {
		if strings.HasSuffix(f.File, "again") && strings.Contains(f.Msg, "symbolic link") && strings.Contains(f.Msg, "not followed") {
			said = true
		}
	}
	if !said {
		t.Errorf("findings %v: none says the looping link was not followed", d.Findings)
	}
}

// TestOpenDownloadLinkedFoldersStayInside: a linked folder is followed
// only when it leads to a folder inside the download that is not read
// anyway. A link that climbs out of the download, or leads to a folder
// already read, would list studies twice (and refuse them as copies) or
// walk a whole system folder; it is skipped with one INFO finding that
// says why. A PATH that is itself a link is the download it leads to.
func TestOpenDownloadLinkedFoldersStayInside(t *testing.T) {
	const (
		gse = "testdata/refinebio/GSE71270/GSE71270"
		srp = "testdata/refinebio/SRP110235/SRP110235"
	)
	tests := []struct {
		name string
		// setup builds the download under dir and returns the path to
		// open and the link that must be skipped ("" when none is).
		setup func(t *testing.T, dir string) (open, skipped string)
		why   string // what the skipped link's finding says
	}{
		{"a link to the folder above the download", func(t *testing.T, dir string) (string, string) {
			dl := filepath.Join(dir, "dl")
			copyTree(t, gse, filepath.Join(dl, "GSE71270"), nil)
			copyTree(t, srp, filepath.Join(dl, "SRP110235"), nil)
			symlink(t, "..", filepath.Join(dl, "up"))
			return dl, filepath.Join(dl, "up")
		}, "outside the download"},
		{"a link to a sibling study", func(t *testing.T, dir string) (string, string) {
			dl := filepath.Join(dir, "dl")
			copyTree(t, gse, filepath.Join(dl, "GSE71270"), nil)
			copyTree(t, srp, filepath.Join(dl, "SRP110235"), nil)
			symlink(t, "../SRP110235", filepath.Join(dl, "GSE71270", "SRP110235"))
			return dl, filepath.Join(dl, "GSE71270", "SRP110235")
		}, "already read"},
		{"a link to a system folder", func(t *testing.T, dir string) (string, string) {
			dl := filepath.Join(dir, "dl")
			copyTree(t, gse, filepath.Join(dl, "GSE71270"), nil)
			copyTree(t, srp, filepath.Join(dl, "SRP110235"), nil)
			symlink(t, "/usr", filepath.Join(dl, "GSE71270", "usrlink"))
			return dl, filepath.Join(dl, "GSE71270", "usrlink")
		}, "outside the download"},
		{"PATH is a link; a link inside leads to a folder not read otherwise", func(t *testing.T, dir string) (string, string) {
			real := filepath.Join(dir, "real")
			copyTree(t, gse, filepath.Join(real, "GSE71270"), nil)
			copyTree(t, srp, filepath.Join(real, ".store", "SRP110235"), nil)
			symlink(t, filepath.Join(".store", "SRP110235"), filepath.Join(real, "SRP110235"))
			symlink(t, real, filepath.Join(dir, "dl"))
			return filepath.Join(dir, "dl"), ""
		}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, skipped := tc.setup(t, t.TempDir())
			d := open(t, p)
			var bases []string
			for _, m := range d.Matrices {
				bases = append(bases, m.Base)
				if rc, err := m.Open(); err != nil {
					t.Errorf("%s: %v", m.Name, err)
				} else {
					rc.Close()
				}
			}
			if strings.Join(bases, " ") != "GSE71270 SRP110235" {
				t.Errorf("matrices %v, want GSE71270 and SRP110235 once each", bases)
			}
			if len(d.Findings) > 5 {
				t.Errorf("%d findings: the link was walked (first ones: %v)", len(d.Findings), d.Findings[:5])
			}
			var said int
			for _, f := range d.Findings {
				if f.File == skipped && f.Severity == qc.SeverityInfo && strings.Contains(f.Msg, "not followed") && strings.Contains(f.Msg, tc.why) {
					said++
				} else if strings.Contains(f.Msg, "symbolic link") {
					t.Errorf("unexpected finding %v", f)
				}
			}
			if want := min(1, len(skipped)); said != want {
				t.Errorf("findings %v: %d say %s was not followed (%s), want %d", d.Findings, said, skipped, tc.why, want)
			}
		})
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// TestZipReachedTwiceThroughLinks: a zip in a download folder and a
// symbolic link to it are one download: it is read once, with an INFO
// note naming the first path, so that its studies are not listed twice.
// A link to a zip outside the download is read like the file, as a link
// to any file is.
func TestZipReachedTwiceThroughLinks(t *testing.T) {
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "E-GEOD-39842.zip")
	writeFile(t, zipPath, readFile(t, egeodZip))
	symlink(t, "E-GEOD-39842.zip", filepath.Join(dir, "again.zip"))
	outside := filepath.Join(t.TempDir(), "GSE71270.zip")
	zipTree(t, gseDir, outside, "GSE71270/")
	symlink(t, outside, filepath.Join(dir, "linked.zip"))

	d := open(t, dir)
	want := []string{zipPath + "!E-GEOD-39842/E-GEOD-39842.tsv", filepath.Join(dir, "linked.zip") + "!GSE71270/GSE71270.tsv"}
	if got := matrixNames(d); !slices.Equal(got, want) {
		t.Fatalf("matrices %q, want %q", got, want)
	}
	wantFinding(t, d, qc.InvalidFormat, qc.SeverityInfo, filepath.Join(dir, "again.zip"), "the zip "+zipPath+" again", "read once")
}
