package expression

import (
	"encoding/binary"
	"hash/maphash"
)

// geneSet holds the gene ids a Reader has delivered and the line of each,
// so that a repeated id is found exactly. Each id is kept once, in an
// arena of 1 MiB chunks: its line and length as varints, then its bytes
// (chunks, rather than one slice grown by append, so that growing never
// copies the ids kept nor leaves the old copy for the collector). An index
// maps a 64-bit hash of the id to the id's place in the arena; an id is a
// repeat only when its bytes equal those kept there, so a hash collision
// never makes a duplicate. The rare id whose hash is already taken by
// another id is kept in a plain map instead.
//
// Per id that is the index's entry (16 bytes, about 20–37 with the map's
// spare room), the id's length and 3–5 bytes of line and length, where a
// map of strings costs a string header, a separate allocation for the
// bytes and a bigger entry.
type geneSet struct {
	hash  func([]byte) uint64
	index map[uint64]uint64 // hash → the id's record: chunk<<32 | offset in it
	arena [][]byte
	// clash holds the ids whose hash another id in index has, with their
	// lines.
	clash map[string]int64
}

func newGeneSet() *geneSet {
	seed := maphash.MakeSeed()
	return &geneSet{hash: func(b []byte) uint64 { return maphash.Bytes(seed, b) }, index: make(map[uint64]uint64)}
}

// add records id at line. When id is already recorded it returns the line
// it was first seen at and true, and records nothing.
func (s *geneSet) add(id []byte, line int64) (first int64, dup bool) {
	h := s.hash(id)
	off, ok := s.index[h]
	if !ok {
		s.index[h] = s.put(id, line)
		return 0, false
	}
	if kept, at := s.record(off); string(kept) == string(id) {
		return at, true
	}
	if at, ok := s.clash[string(id)]; ok {
		return at, true
	}
	if s.clash == nil {
		s.clash = make(map[string]int64)
	}
	s.clash[string(id)] = line
	return 0, false
}

const geneChunk = 1 << 20

// put appends id's record to the arena and returns where it is.
func (s *geneSet) put(id []byte, line int64) uint64 {
	need := 2*binary.MaxVarintLen64 + len(id)
	if n := len(s.arena); n == 0 || cap(s.arena[n-1])-len(s.arena[n-1]) < need {
		s.arena = append(s.arena, make([]byte, 0, max(geneChunk, need)))
	}
	n := len(s.arena) - 1
	c := s.arena[n]
	at := uint64(n)<<32 | uint64(len(c))
	c = binary.AppendUvarint(c, uint64(line))
	c = binary.AppendUvarint(c, uint64(len(id)))
	s.arena[n] = append(c, id...)
	return at
}

// record returns the id and line kept at at in the arena.
func (s *geneSet) record(at uint64) (id []byte, line int64) {
	b := s.arena[at>>32][uint32(at):]
	l, n := binary.Uvarint(b)
	b = b[n:]
	size, n := binary.Uvarint(b)
	return b[n : n+int(size)], int64(l)
}

// len returns the number of ids recorded.
func (s *geneSet) len() int { return len(s.index) + len(s.clash) }
