//go:build unix

package genexp

import (
	"path/filepath"
	"syscall"
)

// FreeDisk measures the file system that holds path (a warehouse file,
// which need not exist yet: its directory is measured).
func FreeDisk(path string) (*DiskSpace, error) {
	dir := filepath.Dir(path)
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return nil, err
	}
	return &DiskSpace{Path: dir, FreeBytes: st.Bavail * uint64(st.Bsize), TotalBytes: st.Blocks * uint64(st.Bsize)}, nil
}
