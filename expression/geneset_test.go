package expression

import (
	"fmt"
	"strings"
	"testing"
)

// TestGeneSetExact checks the set against a map of strings, with the real
// hash and with hashes that collide far more than a 64-bit hash does (all
// ids on one value, or on eight): a collision must neither make a
// duplicate nor hide one, and a repeat reports the line of the id's first
// row.
func TestGeneSetExact(t *testing.T) {
	hashes := map[string]func([]byte) uint64{
		"maphash": nil,
		"one":     func([]byte) uint64 { return 42 },
		"eight":   func(b []byte) uint64 { return uint64(len(b) % 8) },
	}
	var ids []string
	for i := range 3000 {
		ids = append(ids, fmt.Sprintf("ENSG%011d", i*7919%1000))                 // repeats
		ids = append(ids, strings.Repeat("x", i%300))                            // "" and long ids, repeated
		ids = append(ids, fmt.Sprintf("g\u00e9ne-%d", i))                        // distinct
		ids = append(ids, fmt.Sprintf("%d", (i*i)%(1<<20)*(1<<7)))               // lines and lengths
		ids = append(ids, string([]byte{byte(i), byte(i >> 8), 0, byte(i % 3)})) // bytes of any value
	}
	for name, h := range hashes {
		t.Run(name, func(t *testing.T) {
			s := newGeneSet()
			if h != nil {
				s.hash = h
			}
			want := map[string]int64{}
			for i, id := range ids {
				line := int64(i)*1_000_003 + 2 // lines that need several varint bytes
				first, dup := s.add([]byte(id), line)
				w, wdup := want[id]
				if dup != wdup || dup && first != w {
					t.Fatalf("add(%q) at line %d = %d, %v; want %d, %v", id, line, first, dup, w, wdup)
				}
				if !wdup {
					want[id] = line
				}
			}
			if s.len() != len(want) {
				t.Fatalf("%d ids kept, want %d", s.len(), len(want))
			}
		})
	}
}

// TestReaderDuplicateGenesCollide reads a matrix with repeated gene rows
// through a set whose every id has the same hash: the rows dropped and the
// lines the findings name are those of exact repeats only.
func TestReaderDuplicateGenesCollide(t *testing.T) {
	const m = "Gene\tS1\nA\t1\nB\t2\nA\t3\nC\t4\nB\t5\nAA\t6\n"
	r, err := NewReader(strings.NewReader(m))
	if err != nil {
		t.Fatal(err)
	}
	r.seen.hash = func([]byte) uint64 { return 7 }
	var genes []string
	for r.Next() {
		genes = append(genes, r.Batch().Genes...)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(genes, ","); got != "A,B,C,AA" {
		t.Errorf("genes %s, want A,B,C,AA", got)
	}
	if r.Stats().DuplicateGenes != 2 {
		t.Errorf("%d duplicate genes, want 2", r.Stats().DuplicateGenes)
	}
	var msgs []string
	for _, f := range r.Findings() {
		msgs = append(msgs, fmt.Sprintf("%d: %s", f.Line, f.Msg))
	}
	want := `4: gene "A" repeats line 2; the later row is dropped|6: gene "B" repeats line 3; the later row is dropped`
	if got := strings.Join(msgs, "|"); got != want {
		t.Errorf("findings\n%s\nwant\n%s", got, want)
	}
}

// TestGeneSetChunks fills several arena chunks, with ids longer than a
// chunk among them, and finds each id again with the line it was added at.
func TestGeneSetChunks(t *testing.T) {
	s := newGeneSet()
	var ids []string
	for i := range 200_000 {
		id := fmt.Sprintf("ENSG%011d", i)
		if i%50_000 == 7 {
			id = strings.Repeat(id, geneChunk/len(id)+1)
		}
		ids = append(ids, id)
		if _, dup := s.add([]byte(id), int64(i)+2); dup {
			t.Fatalf("%.20q reported as a repeat", id)
		}
	}
	if len(s.arena) < 3 {
		t.Fatalf("%d chunks: the test no longer spans chunks", len(s.arena))
	}
	for i, id := range ids {
		if first, dup := s.add([]byte(id), 1); !dup || first != int64(i)+2 {
			t.Fatalf("%.20q: %d, %v; want %d, true", id, first, dup, i+2)
		}
	}
}
