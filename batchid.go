package genexp

import (
	"crypto/sha256"
	"encoding/hex"
)

// BatchID returns a study batch's identity: the first 32 hex digits of the
// SHA-256 of the study accession and the matrix's content hash. It is a pure
// function of the study and the bytes loaded, so loading the same bytes
// again yields the same id (a duplicate, whose facts are not written again
// unless the settings that decide what is stored changed), and changed
// bytes yield a new one (and replace the study's facts).
func BatchID(study, fileHash string) string {
	h := sha256.New()
	h.Write([]byte(study))
	h.Write([]byte{0})
	h.Write([]byte(fileHash))
	return hex.EncodeToString(h.Sum(nil))[:32]
}
