package genexp_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/expression/synth"
	"github.com/genexp/genexp/warehouse"
	"github.com/genexp/genexp/warehouse/duckdb"
)

// TestCrashRecovery kills a loader process with SIGKILL at chosen points of
// loads of a three-study download — while it opens the warehouse, stages
// rows, commits, after a commit, while it closes — alternating two versions
// of the download so that kills also land in replacements. After every kill
// the warehouse must hold, for each study, exactly one whole batch of one
// version or nothing; no study may have two current batches; staging must
// be empty; and a rerun must complete the load. The one outcome outside
// genexp's hands, a kill that tears one of DuckDB's in-place block writes
// and leaves the file failing its checksum (see checkCrashState), is
// counted and the rounds go on with a new file; more of them than
// 1 + rounds/100 fails the test.
//
// GENEXP_CRASH_ROUNDS sets the number of kills (default 15) for longer
// soak runs; GENEXP_CRASH_SEED replays a run's choice of kill points.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("kills loader processes; skipped with -short")
	}
	rounds := 15
	if v := os.Getenv("GENEXP_CRASH_ROUNDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("GENEXP_CRASH_ROUNDS=%q is not a positive number", v)
		}
		rounds = n
	}
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("GENEXP_CRASH_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("GENEXP_CRASH_SEED=%q is not a number", v)
		}
		seed = n
	}
	t.Logf("kill points from seed %d (GENEXP_CRASH_SEED=%d replays them)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0))

	dir := t.TempDir()
	versions := []*synth.Manifest{
		synthDownload(t, filepath.Join(dir, "v1"), 3, 4000, 120, 7),
		synthDownload(t, filepath.Join(dir, "v2"), 3, 3000, 120, 7),
	}
	db := filepath.Join(dir, "w.duckdb")

	// An undisturbed load into a scratch warehouse times each phase.
	cal := startLoader(t, filepath.Join(dir, "calibrate.duckdb"), versions[0].Path)
	timeline, err := cal.wait()
	if err != nil {
		t.Fatalf("calibration load: %v\n%s", err, cal.stderr)
	}
	gaps := phaseGaps(timeline)
	t.Logf("undisturbed load: %s", describeTimeline(timeline))

	// Kills cycle through the phases, so every run covers each of them.
	phases := []string{"rows", "commit", "open", "committed", "done"}
	killedIn := map[string]int{}
	torn := 0
	for r := 0; r < rounds; r++ {
		v := rng.IntN(len(versions))
		phase := phases[r%len(phases)]
		target := pickEvent(rng, timeline, phase)
		delay := time.Duration(rng.Float64() * 0.8 * float64(gaps[target]))
		// The first round of each of these phases holds the loader there, so
		// every run kills at least once with rows staged and once with a
		// commit about to run; the other rounds kill at random moments.
		held := ""
		if r < len(phases) && (phase == "rows" || phase == "commit") {
			held, target, delay = phase, firstEvent(timeline, phase), 0
		}
		l := startHeldLoader(t, db, versions[v].Path, held)
		seen, reached := l.until(target, 60*time.Second)
		last := target
		if reached {
			time.Sleep(delay)
			l.cmd.Process.Signal(syscall.SIGKILL)
		}
		rest, err := l.wait()
		seen = append(seen, rest...)
		if n := len(seen); n > 0 {
			last = seen[n-1].line
		}
		switch {
		case !reached && err == nil:
			t.Logf("round %d: the loader finished before %q", r, target)
		case !reached:
			t.Fatalf("round %d: the loader failed before %q: %v\n%s", r, target, err, l.stderr)
		case err == nil:
			last = "exit" // it ended before the signal
		}
		killedIn[strings.Fields(last)[0]]++
		state, err := checkCrashState(t, db, versions)
		if err != nil {
			// DuckDB's own limit, not genexp's (see checkCrashState): the
			// round is counted, and the test goes on with a new file.
			torn++
			state = "damaged: " + err.Error()
			for _, f := range []string{db, db + ".wal"} {
				if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
					t.Fatal(err)
				}
			}
		}
		t.Logf("round %d: version %d, killed %v after %q (last event %q): %s", r+1, v+1, delay.Round(time.Microsecond), target, last, state)

		// Now and then, and always at the end, a rerun completes the load.
		if rng.IntN(3) == 0 || r == rounds-1 {
			rerun := startLoader(t, db, versions[v].Path)
			if _, err := rerun.wait(); err != nil {
				t.Fatalf("round %d: rerun after the kill failed: %v\n%s", r, err, rerun.stderr)
			}
			got, err := checkCrashState(t, db, versions)
			if err != nil {
				t.Fatalf("round %d: after a complete rerun: %v", r, err)
			}
			if got != strings.Repeat(fmt.Sprint(v+1), 3) {
				t.Fatalf("round %d: after a complete rerun of version %d the studies hold %s", r, v+1, got)
			}
		}
	}
	t.Logf("kills by last event seen: %v; kills that left DuckDB's file damaged: %d", killedIn, torn)
	if allowed := 1 + rounds/100; torn > allowed {
		t.Errorf("%d of %d kills left DuckDB's file damaged, more than the %d a kill landing in a checkpoint's in-place block write explains: something else damages it", torn, rounds, allowed)
	}
	if rounds >= len(phases) && (killedIn["rows"] == 0 || killedIn["commit"] == 0) {
		t.Errorf("no kill landed while rows were staged or while a batch committed (%v); the test did not test what it claims", killedIn)
	}
}

// phaseGaps returns, for each event of an undisturbed load, the time to the
// next one (for the last, the time the process took to exit after it is
// unknown: a fixed 50 ms).
func phaseGaps(tl []event) map[string]time.Duration {
	gaps := map[string]time.Duration{}
	for i, ev := range tl {
		gap := 50 * time.Millisecond
		if i+1 < len(tl) {
			gap = tl[i+1].at.Sub(ev.at)
		}
		gaps[ev.line] = gap
	}
	return gaps
}

// firstEvent returns the first event of the timeline whose first word is
// phase: a held loader stops at its first.
func firstEvent(tl []event, phase string) string {
	for _, ev := range tl {
		if strings.Fields(ev.line)[0] == phase {
			return ev.line
		}
	}
	return phase
}

// pickEvent chooses an event of the timeline whose first word is phase
// ("rows" → "rows GSE…tsv" of a random study).
func pickEvent(rng *rand.Rand, tl []event, phase string) string {
	var match []string
	for _, ev := range tl {
		if strings.Fields(ev.line)[0] == phase {
			match = append(match, ev.line)
		}
	}
	if len(match) == 0 {
		return "start"
	}
	return match[rng.IntN(len(match))]
}

func describeTimeline(tl []event) string {
	if len(tl) == 0 {
		return "no events"
	}
	var b strings.Builder
	for _, ev := range tl {
		fmt.Fprintf(&b, "%s +%v; ", ev.line, ev.at.Sub(tl[0].at).Round(time.Millisecond))
	}
	return b.String()
}

// checkCrashState opens the warehouse the way the next load would, and
// checks it is consistent. It returns, per study in accession order, the
// version it holds ("1", "2") or "-" for none. The one failure it returns
// rather than reports is a file DuckDB finds damaged (warehouse.ErrDamaged).
//
// DuckDB rewrites some metadata blocks in place when it checkpoints, each
// with one write; a SIGKILL that lands in that write can tear the block
// (the kernel stops copying a write into the page cache at a page boundary
// once the process has a fatal signal), and the file then fails its
// checksum. Seen once in a soak of 800 kills here: see docs/loading.md,
// "A kill and the DuckDB file", and warehouse/duckdb/README.md, "Crash safety".
func checkCrashState(t *testing.T, db string, versions []*synth.Manifest) (string, error) {
	t.Helper()
	w, err := duckdb.Open(db)
	if errors.Is(err, warehouse.ErrDamaged) {
		return "", err
	}
	if err != nil {
		t.Fatalf("opening the warehouse after a kill: %v", err)
	}
	defer w.Close()
	q := func(query string, args ...any) (n int64, s string) {
		t.Helper()
		if err := w.DB().QueryRow(query, args...).Scan(&n, &s); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n, s
	}
	// The cells were staged in a temporary table, which the kill took with
	// the process; the staging tables below are written in the load's
	// transaction and must hold nothing of a killed one.
	for _, table := range []string{"staging.matrix_rows", "staging.matrix_columns", "staging.load_batches", "staging.samples"} {
		if n, _ := q("SELECT COUNT(*), '' FROM " + table); n != 0 {
			t.Fatalf("%s holds %d rows after a kill", table, n)
		}
	}
	var state strings.Builder
	for i, st := range versions[0].Studies {
		known := map[string]int{}
		for v, m := range versions {
			known[genexp.BatchID(m.Studies[i].Accession, m.Studies[i].SHA256)] = v
		}
		if n, _ := q(`SELECT COUNT(*), '' FROM meta_batch WHERE study_accession_code = ? AND is_current`, st.Accession); n > 1 {
			t.Fatalf("%s has %d current batches", st.Accession, n)
		}
		if n, id := q(`SELECT COUNT(*), COALESCE(MIN(batch_id), '') FROM meta_batch
			WHERE study_accession_code = ? AND batch_id NOT IN (?, ?)`, st.Accession,
			genexp.BatchID(st.Accession, versions[0].Studies[i].SHA256),
			genexp.BatchID(st.Accession, versions[1].Studies[i].SHA256)); n != 0 {
			t.Fatalf("%s has a batch of no version: %s", st.Accession, id)
		}
		facts, factBatch := q(`SELECT COUNT(*), COALESCE(MIN(k.batch_id), '') FROM fact_gene_expression f
			JOIN meta_batch_key k ON k.batch_key = f.batch_key
			JOIN dim_study s ON s.study_key = f.study_key WHERE s.study_accession_code = ?`, st.Accession)
		current, currentBatch := q(`SELECT COUNT(*), COALESCE(MIN(batch_id), '') FROM meta_batch
			WHERE study_accession_code = ? AND is_current`, st.Accession)
		if current == 0 {
			if facts != 0 {
				t.Fatalf("%s has %d facts and no current batch", st.Accession, facts)
			}
			state.WriteString("-")
			continue
		}
		v, ok := known[currentBatch]
		if !ok {
			t.Fatalf("%s: current batch %s is of no version", st.Accession, currentBatch)
		}
		m := versions[v].Studies[i]
		want := m.Cells - m.Missing
		if facts != want || factBatch != currentBatch {
			t.Fatalf("%s: %d facts of batch %s, want %d of version %d (%s): a partial batch", st.Accession, facts, factBatch, want, v+1, currentBatch)
		}
		if n, _ := q(`SELECT COUNT(DISTINCT f.batch_key), '' FROM fact_gene_expression f
			JOIN dim_study s ON s.study_key = f.study_key WHERE s.study_accession_code = ?`, st.Accession); n != 1 {
			t.Fatalf("%s: facts of %d batches", st.Accession, n)
		}
		if n, _ := q(`SELECT rows_written, '' FROM meta_batch WHERE batch_id = ?`, currentBatch); n != want {
			t.Fatalf("%s: meta_batch.rows_written = %d, want %d", st.Accession, n, want)
		}
		if n, _ := q(`SELECT COUNT(*), '' FROM meta_study_qc q JOIN dim_study s ON s.study_key = q.study_key
			WHERE s.study_accession_code = ? AND q.batch_id = ?`, st.Accession, currentBatch); n != 1 {
			t.Fatalf("%s: meta_study_qc does not describe the current batch", st.Accession)
		}
		fmt.Fprint(&state, v+1)
	}
	return state.String(), nil
}
