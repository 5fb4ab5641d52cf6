package genexp

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/qc"
)

// A study of two organisms in a SPECIES download is split by refine.bio
// between the organisms' matrices (HOMO_SAPIENS.tsv holds its human
// samples, MUS_MUSCULUS.tsv its mouse ones). A study is an experiment, not
// a file, and its batch must hold all of its samples, or loading one
// matrix would replace the study's samples with that matrix's alone. So
// the matrices of a download that hold disjoint samples of one study are
// loaded together, as one batch, read one after the other as the ALL
// matrix of their samples would be: the rows of each, every other
// matrix's columns missing in them (see groupRows).

// groupSeparator joins the names of the matrices loaded together, in
// reports, run logs and meta_batch.file_name.
const groupSeparator = " + "

// matrixUnits returns d's matrices as they are loaded: one by one, except
// the matrices of a SPECIES download holding disjoint samples of one study
// (the study's organisms' matrices), which are loaded together, in the
// download's order, where the first of them is. Only the matrices of a
// download aggregated by SPECIES are read for this, their header only, and
// the study filter is not applied to them, so that which matrices load
// together, and so each study's batch, does not depend on it. Matrices
// are joined only when nothing of them would clash: the metadata names
// their samples' organisms, none of which two of them share, and no study
// has a sample in two of them. Matrices holding the same samples of a study
// are copies, not parts: they stay apart, and the later copy is refused
// (see claim).
func (p *Pipeline) matrixUnits(d *Download) [][]*Matrix {
	units := make([][]*Matrix, len(d.Matrices))
	for i, m := range d.Matrices {
		units[i] = []*Matrix{m}
	}
	if len(d.Matrices) < 2 {
		return units
	}
	// part is what joining needs to know of a matrix, or of the matrices
	// joined so far: each study's samples, and the organisms.
	type part struct {
		samples   map[string]map[string]bool // study → its samples here
		organisms map[string]bool            // its samples' organisms
	}
	parts := make([]*part, len(d.Matrices))
	several := 0
	for i, m := range d.Matrices {
		md := d.holding(m).Metadata
		if m.err != nil || md == nil || len(md.Samples) == 0 || !strings.EqualFold(md.AggregateBy, "SPECIES") {
			continue
		}
		if _, known := ownStudy(md, m, nil); known {
			continue
		}
		r, c, err := p.openRows(m)
		if err != nil {
			continue // its load reports it
		}
		pl := resolveColumns(r.Header(), md, m, nil)
		c.Close()
		if len(pl.columns) == 0 {
			continue
		}
		pt := &part{samples: map[string]map[string]bool{}, organisms: map[string]bool{}}
		for _, col := range pl.columns {
			if pt.samples[col.Study] == nil {
				pt.samples[col.Study] = map[string]bool{}
			}
			pt.samples[col.Study][col.Sample] = true
			if s := pl.samples[col.Sample]; s != nil && s.Organism != "" {
				pt.organisms[strings.ToUpper(s.Organism)] = true
			}
		}
		if len(pt.organisms) == 0 {
			// Whose genes its rows are cannot be told: joined, a matrix
			// of the same organism's would give a gene two rows.
			continue
		}
		parts[i] = pt
		several++
	}
	if several < 2 {
		return units
	}
	// splits reports whether a and b hold disjoint samples of a study;
	// clash, whether joining them would put a sample of a study in two
	// matrices, or an organism's genes in two.
	splits := func(a, b *part) bool {
		for study, x := range a.samples {
			if y, ok := b.samples[study]; ok && !overlaps(x, y) {
				return true
			}
		}
		return false
	}
	clash := func(a, b *part) bool {
		if overlaps(a.organisms, b.organisms) {
			return true
		}
		for study, x := range a.samples {
			if y, ok := b.samples[study]; ok && overlaps(x, y) {
				return true
			}
		}
		return false
	}
	// Union-find over the matrices: a root's part describes its whole
	// group. i and j join when one download holds both, a study is split
	// between their groups and nothing clashes.
	root := make([]int, len(d.Matrices))
	for i := range root {
		root[i] = i
	}
	find := func(i int) int {
		for root[i] != i {
			root[i] = root[root[i]]
			i = root[i]
		}
		return i
	}
	joined := false
	for i := range d.Matrices {
		for j := i + 1; j < len(d.Matrices); j++ {
			if parts[i] == nil || parts[j] == nil || d.holding(d.Matrices[i]) != d.holding(d.Matrices[j]) {
				continue
			}
			ri, rj := find(i), find(j)
			a, b := parts[ri], parts[rj]
			if ri == rj || !splits(parts[i], parts[j]) || clash(a, b) {
				continue
			}
			for study, x := range b.samples {
				if a.samples[study] == nil {
					a.samples[study] = map[string]bool{}
				}
				for s := range x {
					a.samples[study][s] = true
				}
			}
			for o := range b.organisms {
				a.organisms[o] = true
			}
			root[rj] = ri
			joined = true
		}
	}
	if !joined {
		return units
	}
	var out [][]*Matrix
	at := map[int]int{} // root → its unit in out
	for i, m := range d.Matrices {
		r := find(i)
		if k, ok := at[r]; ok {
			out[k] = append(out[k], m)
			continue
		}
		at[r] = len(out)
		out = append(out, []*Matrix{m})
	}
	return out
}

// overlaps reports whether a and b share a key.
func overlaps(a, b map[string]bool) bool {
	for k := range a {
		if b[k] {
			return true
		}
	}
	return false
}

// unitName names matrices loaded together: their names joined by " + ".
func unitName(ms []*Matrix) string {
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.Name
	}
	return strings.Join(names, groupSeparator)
}

// openRows opens m for reading: genexp's reader, or the one WithMatrixReader
// supplies. The closer closes m's bytes.
func (p *Pipeline) openRows(m *Matrix) (matrixRows, io.Closer, error) {
	rc, err := m.Open()
	if err != nil {
		return nil, nil, err
	}
	var r matrixRows
	if p.openMatrix == nil {
		r, err = expression.NewReader(rc, expression.WithName(m.Name), expression.WithBatchRows(p.cfg.Processing.ChunkSize))
	} else {
		r, err = newCustomRows(p.openMatrix, rc, m.Name)
	}
	if err != nil {
		rc.Close()
		return nil, nil, err
	}
	return r, rc, nil
}

// openUnit opens matrices loaded together as one: their rows read one
// matrix after the other (groupRows), and the plan of their columns, each
// matrix's resolved on its own (its findings name it, its header line and
// its columns) and numbered after the columns of the matrices before it.
// The Matrix returned names them all; its Size is their sum, or -1 when
// one is unknown.
func (p *Pipeline) openUnit(d *Download, ms []*Matrix) (*Matrix, matrixRows, io.Closer, *plan, error) {
	g := &groupRows{}
	unit := &Matrix{Name: unitName(ms)}
	var plans []*plan
	for _, m := range ms {
		r, c, err := p.openRows(m)
		if err != nil {
			g.Close()
			return unit, nil, nil, nil, err
		}
		g.parts, g.closers, g.names = append(g.parts, r), append(g.closers, c), append(g.names, m.Name)
		g.offsets = append(g.offsets, g.width)
		g.width += len(r.Header().Names)
		plans = append(plans, resolveColumns(r.Header(), d.Metadata, m, p.studyRe))
		if unit.Size >= 0 && m.Size >= 0 {
			unit.Size += m.Size
		} else {
			unit.Size = -1
		}
	}
	g.header = &expression.Header{GeneColumn: g.parts[0].Header().GeneColumn, Names: make([]string, 0, g.width)}
	for _, r := range g.parts {
		g.header.Names = append(g.header.Names, r.Header().Names...)
	}
	return unit, g, g, mergePlans(d.Metadata, plans, g.offsets, ms), nil
}

// mergePlans joins the plans of matrices loaded together; offsets are
// where each matrix's columns begin among theirs all. A study's samples
// with no column are those none of the matrices holds: a sample of one
// organism is not missing from the other's matrix, and neither is one
// whose organism the metadata does not name, if either matrix holds it.
func mergePlans(d *metadata.Dataset, plans []*plan, offsets []int, ms []*Matrix) *plan {
	out := &plan{samples: map[string]*metadata.Sample{}, excluded: map[string]int{}, ofSeveral: true}
	named := map[string]bool{}
	for k, pl := range plans {
		for i, c := range pl.columns {
			c.Index += offsets[k]
			out.columns = append(out.columns, c)
			out.indexes = append(out.indexes, pl.indexes[i]+offsets[k])
			out.partOf = append(out.partOf, ms[k].Base)
			if !slices.Contains(out.studies, c.Study) {
				out.studies = append(out.studies, c.Study)
			}
		}
		for a, s := range pl.samples {
			out.samples[a] = s
		}
		for _, a := range pl.named {
			named[a] = true
		}
		out.named = append(out.named, pl.named...)
		if out.reason == nil {
			out.reason = pl.reason
		}
		for _, f := range pl.findings {
			if !slices.Contains(pl.missing, f) {
				out.findings = append(out.findings, f)
			}
		}
		for _, s := range pl.excludedOrder {
			if out.excluded[s] == 0 {
				out.excludedOrder = append(out.excludedOrder, s)
			}
			out.excluded[s] += pl.excluded[s]
		}
	}
	out.missing = missingSamples(d, out.studies, unitName(ms), func(s *metadata.Sample) bool {
		return !named[s.Accession] && slices.ContainsFunc(ms, func(m *Matrix) bool { return sameOrganism(d, s, m) })
	})
	out.findings = append(out.findings, out.missing...)
	return out
}

// groupRows reads matrices loaded together as the one matrix of all their
// columns, one matrix's rows after the other's: a row of one matrix holds
// no value (NaN) in the others' columns, as a row of one organism's gene
// does in an ALL matrix for the other organism's samples. Lines are
// numbered on from one matrix to the next (the second's are its own plus
// the first's last), so that a line names one row of the whole; the rows'
// errors and findings are each reader's, naming its own file and line. A
// gene of two of the matrices is an error: their rows would be two rows
// of one gene. Its hash is the SHA-256 of the matrices' hashes (lowercase
// hex, each followed by a newline, in the order read).
type groupRows struct {
	parts   []matrixRows
	names   []string
	closers []io.Closer
	genes   map[string]int // each gene read, by the part it is in
	// partRows are the rows of each part read to its end.
	partRows []int64
	offsets  []int // each part's first column
	width    int
	header   *expression.Header
	cur      int
	// lineBase is added to the current part's lines: the last line of
	// the parts before it.
	lineBase, lastLine int64
	done               expression.Stats // of the parts read to their end
	batch              expression.WideBatch
	err                error
}

func (g *groupRows) Header() *expression.Header { return g.header }

func (g *groupRows) Next() bool {
	for g.err == nil && g.cur < len(g.parts) {
		r := g.parts[g.cur]
		if r.Next() {
			b := r.Batch()
			if err := g.checkGenes(b); err != nil {
				g.err = err
				return false
			}
			g.widen(b)
			return true
		}
		if err := r.Err(); err != nil {
			g.err = err
			return false
		}
		st := r.Stats()
		addStats(&g.done, st)
		g.partRows = append(g.partRows, st.Rows)
		g.lineBase = g.lastLine
		g.cur++
	}
	return false
}

// partOf returns the part holding column c of the whole.
func (g *groupRows) partOf(c int) int {
	k, found := slices.BinarySearch(g.offsets, c)
	if !found {
		k--
	}
	return k
}

// byPart splits cols, columns of the whole, by the part holding each; a
// part with none gets an empty list, not nil (which a ColumnMelter reads
// as every column).
func (g *groupRows) byPart(cols []int) [][]int {
	out := make([][]int, len(g.parts))
	for k := range out {
		out[k] = []int{}
	}
	for _, c := range cols {
		k := g.partOf(c)
		out[k] = append(out[k], c)
	}
	return out
}

// checkGenes refuses a gene of b, a batch of the current part, that an
// earlier part holds.
func (g *groupRows) checkGenes(b *expression.WideBatch) error {
	if g.genes == nil {
		g.genes = map[string]int{}
	}
	for i, gene := range b.Genes {
		if k, ok := g.genes[gene]; ok && k != g.cur {
			return &qc.Error{Code: qc.DuplicateGenes, Severity: qc.SeverityError, File: g.names[g.cur], Line: b.Lines[i], Column: 1,
				Msg: fmt.Sprintf("gene %s is in %s too: matrices loaded together (a study's organisms' matrices in a SPECIES download) "+
					"must hold different genes, as two organisms' do, or the gene would have two rows", qc.Shorten(gene, 60), g.names[k])}
		}
		g.genes[gene] = g.cur
	}
	return nil
}

// widen makes b, a batch of the current part, a batch of every part's
// columns.
func (g *groupRows) widen(b *expression.WideBatch) {
	n, w, off := b.Len(), len(b.Header.Names), g.offsets[g.cur]
	out := &g.batch
	out.Header, out.Genes = g.header, b.Genes
	out.Lines = out.Lines[:0]
	for _, l := range b.Lines {
		out.Lines = append(out.Lines, l+g.lineBase)
	}
	if n > 0 {
		g.lastLine = out.Lines[n-1]
	}
	need := n * g.width
	if cap(out.Values) < need {
		out.Values = make([]float64, need)
	}
	out.Values = out.Values[:need]
	nan := math.NaN()
	for i := range out.Values {
		out.Values[i] = nan
	}
	for r := range n {
		copy(out.Values[r*g.width+off:r*g.width+off+w], b.Values[r*w:(r+1)*w])
	}
}

func (g *groupRows) Batch() *expression.WideBatch { return &g.batch }

func (g *groupRows) Err() error { return g.err }

func (g *groupRows) Stats() expression.Stats {
	st := g.done
	if g.cur < len(g.parts) {
		addStats(&st, g.parts[g.cur].Stats())
	}
	return st
}

// addStats adds b's counts to a's.
func addStats(a *expression.Stats, b expression.Stats) {
	a.Bytes += b.Bytes
	a.Rows += b.Rows
	a.Cells += b.Cells
	a.Missing += b.Missing
	a.DuplicateGenes += b.DuplicateGenes
}

func (g *groupRows) Findings() []*qc.Error {
	var out []*qc.Error
	for _, r := range g.parts {
		out = append(out, r.Findings()...)
	}
	return out
}

func (g *groupRows) Sum() (string, error) {
	h := sha256.New()
	for _, r := range g.parts {
		s, err := r.Sum()
		if err != nil {
			return "", err
		}
		io.WriteString(h, s+"\n")
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Close closes every matrix's bytes.
func (g *groupRows) Close() error {
	var first error
	for _, c := range g.closers {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
