//go:build unix

package duckdb

import (
	"os"
	"syscall"
)

// canWrite reports why file cannot be written, by access(2) and never by
// opening it: closing any descriptor of a file drops every POSIX lock the
// process holds on it, DuckDB's lock on a warehouse this process has open
// included, which would let another process open that warehouse and write
// it at the same time.
func canWrite(file string) error {
	const wOK = 0x2
	if err := syscall.Access(file, wOK); err != nil {
		return &os.PathError{Op: "access", Path: file, Err: err}
	}
	return nil
}
