//go:build !unix

package duckdb

import "os"

// canWrite reports why file cannot be written, by opening it for writing
// without changing it (where no POSIX locks are, closing it releases
// nothing of DuckDB's).
func canWrite(file string) error {
	fh, err := os.OpenFile(file, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	return fh.Close()
}
