package synth

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
)

// Technology is how a study was measured; it decides the values' shape.
type Technology string

// Technologies. Mixed alternates microarray and RNA-seq studies.
const (
	Microarray Technology = "MICROARRAY"
	RNASeq     Technology = "RNA-SEQ"
	Mixed      Technology = "MIXED"
)

// MatrixSpec describes one generated matrix.
type MatrixSpec struct {
	// Genes is the number of gene rows; Samples the number of sample
	// columns. Both must be positive.
	Genes, Samples int
	// Names are the sample column names; nil names them SYN0000001,
	// SYN0000002, …. When set, len(Names) must equal Samples.
	Names []string
	// Affected marks the columns whose samples are septic: a share of the
	// genes is shifted in them, so a cohort comparison finds a signal. Nil
	// affects none.
	Affected []bool
	// Technology is Microarray (log2 intensities, 15–17 significant digits,
	// as refine.bio writes float64) or RNASeq (length-scaled TPM written as
	// float32, many exact zeros). Default Microarray.
	Technology Technology
	// Organism picks the Ensembl gene id prefix (HOMO_SAPIENS → ENSG,
	// MUS_MUSCULUS → ENSMUSG, …). Default HOMO_SAPIENS.
	Organism string
	// MissingShare is the probability that a cell is missing, in [0, 1).
	MissingShare float64
	// MissingToken is how a missing cell is written. Default "NA".
	MissingToken string
	// LegacyHeader leaves the header's first cell empty, as downloads made
	// before 2019 do, instead of writing "Gene".
	LegacyHeader bool
	// Seed and Stream select the random values: the same pair gives the
	// same matrix. Matrices of one download share Seed (so a gene has the
	// same baseline everywhere) and differ in Stream.
	Seed, Stream uint64
}

// MatrixStats describes a generated matrix.
type MatrixStats struct {
	// Cells is Genes × Samples; Missing how many of them were written as
	// missing, and ColumnMissing how many in each column.
	Cells, Missing int64
	ColumnMissing  []int64
	// Bytes is the matrix's size.
	Bytes int64
	// SHA256 is the lowercase hex SHA-256 of the matrix's bytes; it is set
	// once the matrix has been read to its end.
	SHA256 string
}

// MatrixSource generates a matrix as a stream of bytes. It implements
// io.Reader and io.WriterTo.
type MatrixSource struct {
	spec    MatrixSpec
	rng     *rand.Rand
	prefix  string
	shift   []float64 // per-sample offset (log2 scale)
	missing string
	row     int // next gene row to generate; -1 before the header
	buf     []byte
	off     int
	sum     hash.Hash
	stats   MatrixStats
}

// NewMatrix returns a source of the matrix m describes.
func NewMatrix(m MatrixSpec) (*MatrixSource, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	if m.Technology == "" {
		m.Technology = Microarray
	}
	s := &MatrixSource{
		spec:    m,
		rng:     rand.New(rand.NewPCG(m.Seed, m.Stream^0x9e3779b97f4a7c15)),
		prefix:  genePrefix(m.Organism),
		missing: m.MissingToken,
		row:     -1,
		sum:     sha256.New(),
	}
	if s.missing == "" {
		s.missing = "NA"
	}
	s.shift = make([]float64, m.Samples)
	for i := range s.shift {
		s.shift[i] = 0.15 * s.rng.NormFloat64()
	}
	s.stats.Cells = int64(m.Genes) * int64(m.Samples)
	s.stats.ColumnMissing = make([]int64, m.Samples)
	return s, nil
}

func (m MatrixSpec) validate() error {
	switch {
	case m.Genes <= 0:
		return fmt.Errorf("synth: Genes must be positive, not %d", m.Genes)
	case m.Samples <= 0:
		return fmt.Errorf("synth: Samples must be positive, not %d", m.Samples)
	case m.Names != nil && len(m.Names) != m.Samples:
		return fmt.Errorf("synth: %d names for %d samples", len(m.Names), m.Samples)
	case m.Affected != nil && len(m.Affected) != m.Samples:
		return fmt.Errorf("synth: %d affected flags for %d samples", len(m.Affected), m.Samples)
	case !(m.MissingShare >= 0 && m.MissingShare < 1):
		return fmt.Errorf("synth: MissingShare must be in [0, 1), not %v", m.MissingShare)
	case m.Technology != "" && m.Technology != Microarray && m.Technology != RNASeq:
		return fmt.Errorf("synth: a matrix is %s or %s, not %q", Microarray, RNASeq, m.Technology)
	}
	for _, n := range m.Names {
		if n == "" || bytes.ContainsAny([]byte(n), "\t\r\n") {
			return fmt.Errorf("synth: column name %q is empty or holds a tab or line break", n)
		}
	}
	if bytes.ContainsAny([]byte(m.MissingToken), "\t\r\n") {
		return errors.New("synth: MissingToken holds a tab or line break")
	}
	return nil
}

// Stats returns what has been generated so far; SHA256 is set at the end.
// ColumnMissing is the source's own slice, updated as it generates.
func (s *MatrixSource) Stats() MatrixStats { return s.stats }

// Read implements io.Reader.
func (s *MatrixSource) Read(p []byte) (int, error) {
	for s.off == len(s.buf) {
		if !s.next() {
			return 0, io.EOF
		}
	}
	n := copy(p, s.buf[s.off:])
	s.off += n
	return n, nil
}

// WriteTo implements io.WriterTo, writing the rest of the matrix to w.
func (s *MatrixSource) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		if s.off < len(s.buf) {
			n, err := w.Write(s.buf[s.off:])
			total += int64(n)
			s.off += n
			if err != nil {
				return total, err
			}
		}
		if !s.next() {
			return total, nil
		}
	}
}

// next generates the next line (or block of lines) into buf. It returns
// false at the end.
func (s *MatrixSource) next() bool {
	if s.row >= s.spec.Genes {
		return false
	}
	s.buf, s.off = s.buf[:0], 0
	if s.row < 0 {
		s.header()
		s.row = 0
	}
	// Several short rows per call keep Read's overhead per byte low.
	for s.row < s.spec.Genes && len(s.buf) < 32<<10 {
		s.geneRow(s.row)
		s.row++
	}
	s.sum.Write(s.buf)
	s.stats.Bytes += int64(len(s.buf))
	if s.row == s.spec.Genes {
		s.stats.SHA256 = hex.EncodeToString(s.sum.Sum(nil))
	}
	return true
}

func (s *MatrixSource) header() {
	if !s.spec.LegacyHeader {
		s.buf = append(s.buf, "Gene"...)
	}
	for i := range s.spec.Samples {
		s.buf = append(s.buf, '\t')
		if s.spec.Names != nil {
			s.buf = append(s.buf, s.spec.Names[i]...)
		} else {
			s.buf = fmt.Appendf(s.buf, "SYN%07d", i+1)
		}
	}
	s.buf = append(s.buf, '\n')
}

// geneRow appends gene g's line. A gene's baseline and spread come from a
// hash of (Seed, g), not from the stream, so every matrix of a download
// agrees on them and no per-gene state is kept.
func (s *MatrixSource) geneRow(g int) {
	h := mix(s.spec.Seed ^ uint64(g)*0xd1b54a32d192ed03)
	s.buf = append(s.buf, s.prefix...)
	s.buf = appendGeneNumber(s.buf, geneNumber(g, h))
	u1 := unit(h)
	u2 := unit(mix(h))
	signal := mix(h^0x5851f42d4c957f2d)%20 == 0 // 5% of genes respond to sepsis
	rna := s.spec.Technology == RNASeq
	var base, spread, dropout float64
	if rna {
		base = 1.5 + 3*math.Sqrt(-2*math.Log(1-u1))*math.Cos(2*math.Pi*u2) // log TPM
		spread = 0.5
		// Lowly expressed genes are often not detected at all.
		dropout = 1 / (1 + math.Exp(1.5*(base-1)))
	} else {
		base = 3 + 10*u1 // log2 intensity
		spread = 0.1 + 0.5*u2
	}
	for c := range s.spec.Samples {
		s.buf = append(s.buf, '\t')
		if s.spec.MissingShare > 0 && s.rng.Float64() < s.spec.MissingShare {
			s.buf = append(s.buf, s.missing...)
			s.stats.Missing++
			s.stats.ColumnMissing[c]++
			continue
		}
		up := signal && s.spec.Affected != nil && s.spec.Affected[c]
		if rna {
			if s.rng.Float64() < dropout {
				s.buf = append(s.buf, "0.0"...)
				continue
			}
			v := math.Exp(base + s.shift[c] + spread*s.rng.NormFloat64())
			if up {
				v *= 3
			}
			s.buf = appendRepr(s.buf, float64(float32(v)), 32)
			continue
		}
		v := base + s.shift[c] + spread*s.rng.NormFloat64()
		if up {
			v += 1.5
		}
		s.buf = appendRepr(s.buf, math.Max(v, 0.01), 64)
	}
	s.buf = append(s.buf, '\n')
}

// geneNumber spaces Ensembl numbers irregularly but strictly increasing, so
// a matrix's genes are sorted as refine.bio sorts them.
func geneNumber(g int, h uint64) uint64 { return 3 + 9*uint64(g) + h%9 }

func appendGeneNumber(b []byte, n uint64) []byte {
	var d [11]byte
	for i := len(d) - 1; i >= 0; i-- {
		d[i] = byte('0' + n%10)
		n /= 10
	}
	return append(b, d[:]...)
}

// appendRepr writes v the way Python (and so refine.bio's pandas) writes a
// float: the shortest decimal that reads back to v, with ".0" on whole
// numbers and an exponent outside [1e-4, 1e16).
func appendRepr(b []byte, v float64, bits int) []byte {
	if a := math.Abs(v); a != 0 && (a < 1e-4 || a >= 1e16) {
		return strconv.AppendFloat(b, v, 'e', -1, bits)
	}
	n := len(b)
	b = strconv.AppendFloat(b, v, 'f', -1, bits)
	if bytes.IndexByte(b[n:], '.') < 0 {
		b = append(b, ".0"...)
	}
	return b
}

// mix is SplitMix64's finalizer: a cheap, well-spread 64-bit hash.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// unit maps a hash to [0, 1).
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }

var genePrefixes = map[string]string{
	"HOMO_SAPIENS":      "ENSG",
	"MUS_MUSCULUS":      "ENSMUSG",
	"RATTUS_NORVEGICUS": "ENSRNOG",
	"DANIO_RERIO":       "ENSDARG",
	"SUS_SCROFA":        "ENSSSCG",
	"MACACA_MULATTA":    "ENSMMUG",
}

func genePrefix(organism string) string {
	if p, ok := genePrefixes[organism]; ok {
		return p
	}
	return "ENSG"
}
