//go:build !unix

package genexp

import "errors"

// FreeDisk measures the file system that holds path; it is not available on
// this platform.
func FreeDisk(path string) (*DiskSpace, error) {
	return nil, errors.New("genexp: measuring free disk space is not supported on this platform")
}
