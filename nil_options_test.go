package genexp_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/illness"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse/duckdb"
	"github.com/genexp/genexp/warehouse/mssql"
)

// TestNilOptionsAreConfigErrors: every constructor that takes functional
// options answers a nil one with a ConfigInvalid error naming its place,
// as New does, never a panic.
func TestNilOptionsAreConfigErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, says string
		call       func() error
	}{
		{"illness.New", "option 2 of New", func() error {
			_, err := illness.New(nil, nil, nil, illness.WithStudyContext(true), nil)
			return err
		}},
		{"expression.NewReader", "option 1 of NewReader", func() error {
			_, err := expression.NewReader(strings.NewReader("Gene\tS1\nG1\t1\n"), nil)
			return err
		}},
		{"genexp.ParseConfig", "option 1 of ParseConfig", func() error {
			_, err := genexp.ParseConfig([]byte("processing:\n  chunk_size: 5\n"), "c.yaml", nil)
			return err
		}},
		{"genexp.OpenDownload", "option 1 of OpenDownload", func() error {
			d, err := genexp.OpenDownload("testdata/refinebio/GSE71270", nil)
			if err == nil {
				d.Close()
			}
			return err
		}},
		{"genexp.New with a nil download option", "download option 2 (WithDownloadOptions)", func() error {
			_, err := genexp.New(genexp.DryRunSink(nil), genexp.WithDownloadOptions(genexp.WithMetadataFiles(), nil))
			return err
		}},
		{"duckdb.Open", "option 1 of Open", func() error {
			w, err := duckdb.Open(filepath.Join(dir, "w.duckdb"), nil)
			if err == nil {
				w.Close()
			}
			return err
		}},
		{"mssql.Open", "option 1 of Open", func() error {
			w, err := mssql.Open("sqlserver://genexp:secret@db.invalid:1?database=genexp", nil)
			if err == nil {
				w.Close()
			}
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var qe *qc.Error
			if !errors.As(err, &qe) || qe.Code != qc.ConfigInvalid || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("%v; want a ConfigInvalid error saying %q", err, tc.says)
			}
		})
	}
}
