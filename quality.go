package genexp

import (
	"fmt"
	"slices"

	"github.com/genexp/genexp/expression"
	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// defaultKSSampleSize is the fewest rows kept per matrix for the
// recomputed Kolmogorov–Smirnov check when the configuration says 0.
const defaultKSSampleSize = 5000

// defaultKSMaxCells is the check's memory budget in cells when the
// configuration says 0. At 8 bytes a value it is 40 MB of kept values,
// and the check adds 12 bytes a value while it runs (the pool's sort
// order: 60 MB): it keeps every value of a refine.bio matrix of 20,000
// genes × 250 samples, or 60,000 × 80, so typical experiment downloads are
// checked exactly, while a matrix of any size costs no more than the budget
// (or KSSampleSize rows, for one with more than 1,000 columns). A larger
// budget is exact on larger matrices at 20 bytes and about 0.04 s of CPU
// per million cells (qc's BenchmarkWorstKSLoadShape); the pipeline's
// memory is otherwise flat.
const defaultKSMaxCells = 5_000_000

// ksSampleSize returns the configured fewest rows: 0 means the default, a
// negative value turns the recomputed check off.
func (c Config) ksSampleSize() int {
	switch k := c.Processing.KSSampleSize; {
	case k == 0:
		return defaultKSSampleSize
	case k < 0:
		return 0
	default:
		return k
	}
}

// ksRowCells is the fewest cells of the budget a kept row counts as: a
// row costs its gene id and its place in the sample besides its values,
// about 40 bytes, five values' worth, which a matrix of one or two samples
// would otherwise keep for millions of rows beyond the budget (450 MB for
// 5 million genes × 1 sample).
const ksRowCells = 5

// ksRows returns the rows the check keeps for a matrix of cols loaded
// columns: as many as the cell budget holds, a row counting as at least
// ksRowCells cells, and at least ksSampleSize. A matrix with no more rows
// than that is checked on all of them.
func (c Config) ksRows(cols int) int {
	floor := c.ksSampleSize()
	if floor == 0 || cols == 0 {
		return floor
	}
	budget := c.Processing.KSMaxCells
	if budget == 0 {
		budget = defaultKSMaxCells
	}
	return int(max(int64(floor), budget/int64(max(cols, ksRowCells))))
}

// accumulator counts, per loaded column, what validation and the study QC
// need while the rows stream by, and keeps the bounded row sample of the
// recomputed Kolmogorov–Smirnov check. Its memory is independent of the
// number of rows: a few counters per column plus the sample's rows ×
// columns values (see Config.ksRows).
type accumulator struct {
	cols []int // matrix column indexes
	// own lists each study's loaded columns (positions in cols): a SPECIES
	// matrix holds thousands of studies, whose per-study figures must not
	// each walk every column.
	own      map[string][]int
	sampleOf []string
	measured []int64 // non-missing cells per loaded column
	negative []int64 // cells below zero per loaded column
	rows     int64
	ks       *qc.RowSample
	// studyOf numbers each loaded column's study; rowsWith counts, per
	// study, the rows holding any of its values, lastRow being the last
	// such row counted: a matrix of several studies (SPECIES, ALL) holds
	// rows of genes some of them do not measure.
	studyOf  []int
	rowsWith []int64
	lastRow  []int64
	studyNum map[string]int
	// several: the matrix is several studies' (ofSeveral, or more than one
	// loaded), or holds a study of several organisms, and the rows with
	// each study's values are counted
	several bool
	// groups is set when a loaded study's samples are of more than one
	// organism (a study of human and mouse samples in an ALL matrix, whose
	// rows are the two organisms' genes): each column's sample is then
	// counted over the rows holding values of its study's samples of its
	// organism, not over every row of its study.
	groups *organismGroups
	// keepMissing: missing cells are kept as NULL facts, every row's (see
	// study).
	keepMissing bool
	// parts, for matrices loaded together (groupRows), is the matrix of
	// each loaded column, and partRows each matrix's rows: a column's
	// missing cells kept as NULL are those of its own matrix's rows.
	parts    []int
	partRows []int64
}

func newAccumulator(pl *plan, ksRows int) *accumulator {
	a := &accumulator{cols: pl.indexes, own: map[string][]int{}, measured: make([]int64, len(pl.columns)), negative: make([]int64, len(pl.columns)), ks: qc.NewRowSample(ksRows, len(pl.columns))}
	a.studyNum = map[string]int{}
	for i, c := range pl.columns {
		a.own[c.Study] = append(a.own[c.Study], i)
		a.sampleOf = append(a.sampleOf, c.Sample)
		n, ok := a.studyNum[c.Study]
		if !ok {
			n = len(a.rowsWith)
			a.studyNum[c.Study] = n
			a.rowsWith, a.lastRow = append(a.rowsWith, 0), append(a.lastRow, -1)
		}
		a.studyOf = append(a.studyOf, n)
	}
	a.groups = groupByOrganism(pl)
	a.several = pl.ofSeveral || len(a.rowsWith) > 1 || a.groups != nil
	return a
}

// organismGroups numbers, in a matrix holding a study of several
// organisms, each loaded column's group: its study and its sample's
// organism. A column whose sample's organism is unknown, in such a study,
// is a group of its own study's that counts over all the study's rows.
type organismGroups struct {
	of   []int   // each column's group
	rows []int64 // per group, the rows holding any of its values
	last []int64 // per group, the last row counted
	// known: the group is one organism's (not its study's samples of no
	// known organism)
	known []bool
	// organisms names, per study of several organisms, its organisms in
	// first-seen order, and their columns (positions in the accumulator's
	// columns).
	organisms map[string][]organismColumns
}

// organismColumns are a study's loaded columns of one organism.
type organismColumns struct {
	organism string
	cols     []int
}

// organismOf returns the organism of the sample of pl's column i: the
// metadata's, or else, for matrices loaded together, the name of the
// column's matrix (a SPECIES download's matrices are one organism's each,
// named for it); "" when neither says.
func organismOf(pl *plan, i int) string {
	if s := pl.samples[pl.columns[i].Sample]; s != nil && s.Organism != "" {
		return s.Organism
	}
	if pl.partOf != nil {
		return pl.partOf[i]
	}
	return ""
}

// groupByOrganism returns the organism groups of pl's columns, or nil when
// no loaded study holds samples of two known organisms.
func groupByOrganism(pl *plan) *organismGroups {
	organisms := map[string][]organismColumns{}
	for i, c := range pl.columns {
		o := organismOf(pl, i)
		list := organisms[c.Study]
		at := slices.IndexFunc(list, func(g organismColumns) bool { return g.organism == o })
		if at < 0 {
			at, list = len(list), append(list, organismColumns{organism: o})
		}
		list[at].cols = append(list[at].cols, i)
		organisms[c.Study] = list
	}
	split := false
	for study, list := range organisms {
		known := 0
		for _, g := range list {
			if g.organism != "" {
				known++
			}
		}
		if known < 2 {
			delete(organisms, study)
		} else {
			split = true
		}
	}
	if !split {
		return nil
	}
	g := &organismGroups{of: make([]int, len(pl.columns)), organisms: organisms}
	seen := map[string]int{} // a study's group of its columns of no known organism, or of its only one
	for i, c := range pl.columns {
		key, known := c.Study, false
		if _, several := organisms[c.Study]; several {
			if o := organismOf(pl, i); o != "" {
				key, known = c.Study+"\x00"+o, true
			}
		}
		n, ok := seen[key]
		if !ok {
			n = len(g.rows)
			seen[key] = n
			g.rows, g.last, g.known = append(g.rows, 0), append(g.last, -1), append(g.known, known)
		}
		g.of[i] = n
	}
	return g
}

func (a *accumulator) add(b *expression.WideBatch) {
	if a.groups != nil {
		a.addGrouped(b)
		return
	}
	for r := range b.Genes {
		row := b.Row(r)
		if a.several {
			at := a.rows + int64(r)
			for i, c := range a.cols {
				if v := row[c]; v == v {
					a.measured[i]++
					a.negative[i] += belowZero(v)
					if s := a.studyOf[i]; a.lastRow[s] != at {
						a.lastRow[s] = at
						a.rowsWith[s]++
					}
				}
			}
		} else {
			for i, c := range a.cols {
				if v := row[c]; v == v {
					a.measured[i]++
					a.negative[i] += belowZero(v)
				}
			}
		}
		a.ks.Offer(b.Genes[r], row, a.cols)
	}
	a.rows += int64(len(b.Genes))
}

// addGrouped is add for a matrix holding a study of several organisms: it
// counts the rows holding values of each organism group, and of each
// study. A study's first value in a row is its group's first there too,
// so the study is counted only where a group is.
func (a *accumulator) addGrouped(b *expression.WideBatch) {
	g := a.groups
	for r := range b.Genes {
		row := b.Row(r)
		at := a.rows + int64(r)
		for i, c := range a.cols {
			if v := row[c]; v == v {
				a.measured[i]++
				a.negative[i] += belowZero(v)
				if k := g.of[i]; g.last[k] != at {
					g.last[k] = at
					g.rows[k]++
					if s := a.studyOf[i]; a.lastRow[s] != at {
						a.lastRow[s] = at
						a.rowsWith[s]++
					}
				}
			}
		}
		a.ks.Offer(b.Genes[r], row, a.cols)
	}
	a.rows += int64(len(b.Genes))
}

// belowZero is 1 when v < 0, else 0. Written so, the compiler sets it
// without a branch: three in ten microarray values are below zero, in no
// order a branch predictor follows, and "if v < 0 { n++ }" in the row loop
// made BenchmarkAccumulatorAdd about three times slower.
func belowZero(v float64) int64 {
	var n int64
	if v < 0 {
		n = 1
	}
	return n
}

func (a *accumulator) study(s string) qc.StudyStats {
	st := qc.StudyStats{Study: s, Measured: map[string]int64{}}
	if n, ok := a.studyNum[s]; ok && a.several {
		// In a matrix of one study, a row with none of its values is
		// its own missing data; in one of several (loaded or not: a
		// study filter may leave one), a row of another's gene.
		st.RowsWithValues = a.rowsWith[n]
	}
	for _, i := range a.own[s] {
		st.Measured[a.sampleOf[i]] = a.measured[i]
		rows := a.rows
		if st.RowsWithValues > 0 {
			// A row of another organism's or platform's gene is none of
			// the sample's cells.
			rows = a.rowsOf(i, st.RowsWithValues)
			st.CellsWithValues += rows
		}
		if a.keepMissing {
			// Kept as NULL, missing cells are facts of every row of the
			// matrix (the melter does not tell the studies' rows apart;
			// of matrices loaded together, of the column's own), and the
			// counts say what the facts hold.
			rows = a.rows
			if a.parts != nil {
				rows = a.partRows[a.parts[i]]
			}
		}
		st.Cells += rows
		st.Missing += rows - a.measured[i]
	}
	return st
}

// rowsOf is the number of rows column i is counted over in a matrix of
// several studies or organisms: those holding any value of its study's
// samples of its organism, in a study of several organisms; else those
// holding any value of its study (studyRows).
func (a *accumulator) rowsOf(i int, studyRows int64) int64 {
	if g := a.groups; g != nil {
		if k := g.of[i]; g.known[k] && g.rows[k] > 0 {
			return g.rows[k]
		}
	}
	return studyRows
}

// genes is the number of gene rows study s is counted over (see study):
// those holding any of its values in a matrix of several studies, when
// missing cells are not kept; the matrix's distinct rows (matrixRows)
// otherwise (of matrices loaded together, the rows of those holding the
// study's columns).
func (a *accumulator) genes(st qc.StudyStats, matrixRows int64) int64 {
	if st.RowsWithValues > 0 && !a.keepMissing {
		return st.RowsWithValues
	}
	if a.parts != nil {
		// of matrices loaded together, the rows of those holding the
		// study's columns
		var rows int64
		seen := map[int]bool{}
		for _, i := range a.own[st.Study] {
			if k := a.parts[i]; !seen[k] {
				seen[k] = true
				rows += a.partRows[k]
			}
		}
		return rows
	}
	return matrixRows
}

// negativeIn counts study s's cells below zero in the columns of samples
// left in analysis: the features' scale is chosen on those alone.
func (a *accumulator) negativeIn(s string, excluded func(sample string) bool) int64 {
	var n int64
	for _, i := range a.own[s] {
		if !excluded(a.sampleOf[i]) {
			n += a.negative[i]
		}
	}
	return n
}

// studyKS runs the recomputed Kolmogorov–Smirnov check on study s: each of
// its samples, as kept in the row sample, against the pool of all of them
// (in a study of several organisms, of all its samples of the same
// organism; the worst of the organisms' results is returned).
// When the sample holds every row of the matrix (Sampled false) the result
// is exactly scipy's ks_2samp(sample, pooled study values). It takes the
// study's columns from the sample, so it runs once per study.
func (a *accumulator) studyKS(s string) (qc.KSResult, bool) {
	if a.ks.Len() == 0 {
		return qc.KSResult{}, false
	}
	parts := [][]int{a.own[s]}
	if a.groups != nil {
		if list, ok := a.groups.organisms[s]; ok {
			// Each organism's samples against their own pool: two
			// organisms' genes are no one distribution.
			parts = parts[:0]
			for _, g := range list {
				parts = append(parts, g.cols)
			}
		}
	}
	var worst qc.KSResult
	found := false
	var all []qc.KSSample
	for _, cols := range parts {
		var names []string
		var values [][]float64
		for _, i := range cols {
			names = append(names, a.sampleOf[i])
			values = append(values, a.ks.TakeColumn(i))
		}
		r, ok := qc.WorstKSInPlace(names, values)
		if !ok {
			continue
		}
		all = append(all, r.Samples...)
		if !found || r.P < worst.P || (r.P == worst.P && r.D > worst.D) {
			worst, found = r, true
		}
	}
	worst.Samples = all
	worst.Rows, worst.Sampled = a.ks.Len(), a.rows > int64(a.ks.Len())
	return worst, found
}

// validateStudy applies the configured thresholds to one study, adds the
// recomputed Kolmogorov–Smirnov finding, applies severity overrides, and
// returns the study's QC record, its new findings, and the recomputed check
// (nil when it did not run). st is the study's counts (acc.study).
func (p *Pipeline) validateStudy(d *metadata.Dataset, st qc.StudyStats, technology, file string, rs expression.Stats, acc *accumulator) (warehouse.StudyQC, []*qc.Error, *qc.KSResult) {
	study := st.Study
	st.Rows, st.DuplicateRows, st.File, st.Technology = rs.Rows, rs.DuplicateGenes, file, technology
	st.Negative = acc.negativeIn(study, p.excluded)
	found := qc.Validate(st, p.cfg.Quality)
	q := p.studyQC(d, rs, st, acc.genes(st, rs.Rows))
	r, ok := acc.studyKS(study)
	if !ok {
		return q, found, nil
	}
	rows := int64(r.Rows)
	q.KSStatisticRecomputed, q.KSPValueRecomputed, q.KSWorstSample = &r.D, &r.P, r.Sample
	q.KSRowsUsed, q.KSSampled = &rows, &r.Sampled
	if f := qc.KSFinding(study, file, r, p.cfg.Quality); f != nil {
		found = append(found, f)
	}
	return q, found, &r
}

// studyQC fills a meta_study_qc row from the metadata (refine.bio's own
// check) and the counts.
func (p *Pipeline) studyQC(d *metadata.Dataset, rs expression.Stats, st qc.StudyStats, genes int64) warehouse.StudyQC {
	q := warehouse.StudyQC{
		KSWarning: d.KSWarning,
		Genes:     genes, Samples: int64(len(st.Measured)), Cells: st.Cells, MissingCells: st.Missing,
		DuplicateGenes: rs.DuplicateGenes,
	}
	if d.KSStatistic.Valid {
		q.KSStatistic = &d.KSStatistic.Val
	}
	if d.KSPValue.Valid {
		q.KSPValue = &d.KSPValue.Val
	}
	if d.QuantileNormalized.Valid {
		q.QuantileNormalized = &d.QuantileNormalized.Val
	}
	if d.QuantSFOnly.Valid {
		q.QuantSFOnly = &d.QuantSFOnly.Val
	}
	return q
}

func firstError(fs []*qc.Error) error {
	for _, f := range fs {
		if f.Severity == qc.SeverityError {
			return f
		}
	}
	return nil
}

func withStudy(fs []*qc.Error, study string) []*qc.Error {
	out := make([]*qc.Error, len(fs))
	for i, f := range fs {
		c := *f
		if c.Study == "" {
			c.Study = study
		}
		out[i] = &c
	}
	return out
}

// rowFindingsShown is how many findings about single rows of one code a
// study's report lists before summing up the rest.
const rowFindingsShown = 5

// rowFindings are a matrix reader's findings split for reporting: shown is
// what a study's report lists, the first few of each code plus one "and N
// more" note per code; logOnly the rest, which go to
// meta_data_validation_log only (the reader itself keeps at most 100,
// expression.WithMaxFindings, and the study's summary finding from
// qc.Validate counts them all).
type rowFindings struct {
	shown, logOnly []*qc.Error
	notes          map[*qc.Error]bool
}

// summarizeRowFindings splits the reader's findings fs, showing keep of
// each code. Each code's "and N more" note counts every such row: total
// gives, for a code, how many rows the reader found in all (0 when it
// does not count them), which is more than it kept when it reached its
// cap. dry says the run writes nothing (genexp validate, load --dry-run),
// so the note says what a load would record rather than what is in the
// warehouse.
func summarizeRowFindings(fs []*qc.Error, keep int, total func(qc.Code) int64, dry bool) rowFindings {
	rf := rowFindings{notes: map[*qc.Error]bool{}}
	seen := map[qc.Code]int{}
	last := map[qc.Code]*qc.Error{}
	var codes []qc.Code
	for _, f := range fs {
		if seen[f.Code] == 0 {
			codes = append(codes, f.Code)
		}
		seen[f.Code]++
		last[f.Code] = f
		if seen[f.Code] <= keep {
			rf.shown = append(rf.shown, f)
		} else {
			rf.logOnly = append(rf.logOnly, f)
		}
	}
	for _, c := range codes {
		kept := seen[c]
		all := max(int64(kept), total(c))
		if n := all - int64(keep); n > 0 {
			which := fmt.Sprintf("all %d", kept)
			if all > int64(kept) {
				which = fmt.Sprintf("the first %d", kept)
			}
			where := which + " are in meta_data_validation_log"
			if dry {
				where = "a load records " + which + " in meta_data_validation_log"
			}
			note := &qc.Error{Code: c, Severity: last[c].Severity, File: last[c].File,
				Msg: fmt.Sprintf("and %d more rows like the %d above (%s)", n, keep, where)}
			rf.notes[note] = true
			rf.shown = append(rf.shown, note)
		}
	}
	return rf
}

// logged returns the findings a study records: those of its report, less
// the "and N more" notes, plus the row findings the report only counts.
func (rf rowFindings) logged(reported []*qc.Error) []*qc.Error {
	if len(rf.logOnly) == 0 {
		return reported
	}
	out := make([]*qc.Error, 0, len(reported)+len(rf.logOnly))
	for _, f := range reported {
		if !rf.notes[f] {
			out = append(out, f)
		}
	}
	return append(out, rf.logOnly...)
}
