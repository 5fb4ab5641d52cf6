// Package schemasum is what both backends record of a schema migration's
// text, in meta_schema_version.checksum, and the error they refuse a
// warehouse with when a version was applied from another text of its file.
package schemasum

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/genexp/genexp/qc"
)

// Of is the SHA-256 of a migration file's text, in lowercase hex, as
// sha256sum prints it.
func Of(text []byte) string {
	sum := sha256.Sum256(text)
	return hex.EncodeToString(sum[:])
}

// Mismatch is the qc.SchemaVersion error for a version of the warehouse
// that backend applied from another text of its migration file than this
// genexp's: recorded is the checksum the warehouse holds, embedded that of
// this genexp's file.
func Mismatch(backend string, version int, file, recorded, embedded string) error {
	return qc.Errorf(qc.SchemaVersion, "%s: the warehouse's schema version %d was applied from another text of %s than this genexp's "+
		"(recorded SHA-256 %s, this genexp's %s): the warehouse was made by another build's text of that migration, so its schema may "+
		"differ from a new warehouse's at the same version; load into a new warehouse with this genexp, or use the genexp build that made it",
		backend, version, file, recorded, embedded)
}
