package duckdb

import (
	"context"
	"os"
	"path/filepath"
	"sync"
)

// fileState is what every Warehouse on one database file shares within a
// process. duckdb-go gives every sql.DB opened on a file the same DuckDB
// database, so two Warehouses Open made of one file write one database:
// their loads must take one slot, as two loads into one Warehouse do, and a
// run logged through either is live for both (see AbortAbandonedSteps).
type fileState struct {
	// loads holds one token while a Batch is open: DuckDB lets
	// concurrent transactions commit when they touch no common row, so two
	// loads of one study, or two studies sharing a platform or genes,
	// could both publish or conflict at commit; they are serialized
	// instead.
	loads chan struct{}

	// runs holds the run ids logged through the file's Warehouses: the
	// only runs that may still be going while this process holds the file.
	runs sync.Map

	// open serializes Open's creation and migration of the file, which
	// two Opens at once would both attempt.
	open sync.Mutex

	// features holds one token while a feature computation, or a load's
	// commit, runs: two computations at once fail one another on DuckDB's
	// optimistic concurrency ("Conflict on tuple deletion"), and a commit
	// that replaces a study's facts while its features are computed
	// conflicts with the computation's writes, the commit failing when
	// the computation wrote first ("Conflict on update", in a load of the
	// study run beside the analytics step of its previous load). So this
	// process's computations and commits on the file take turns, whichever
	// Warehouse Open made of it runs them (see takeTurn).
	features chan struct{}

	key  string // the openFiles key; "" for a state of its own (New)
	refs int    // Warehouses using it, under openFiles.mu
	// info is the file as it was when opened (remember), under
	// openFiles.mu: an Open by another name finds it the same file (a
	// hard link, or the file renamed while open) by it, not by a name
	// that may no longer be the file's.
	info os.FileInfo
}

func newFileState() *fileState {
	return &fileState{loads: make(chan struct{}, 1), features: make(chan struct{}, 1)}
}

// openFiles are the states of the files this process has open.
var openFiles = struct {
	mu sync.Mutex
	m  map[string]*fileState
}{m: map[string]*fileState{}}

// shareFile returns the state of file, shared by every Warehouse on it
// until each has called release, and the name to give DuckDB for it: its
// own, or the name this process already has the file open by when it is
// that file under another name (a hard link to it, or the file renamed
// since). DuckDB's instance
// cache knows a file by its path, links resolved, so that two names of
// one file would be two DuckDB databases writing it, each unaware of the
// other (a load one of them reported done was lost), and the file's lock
// keeps neither out: the process holds it.
func shareFile(file string) (st *fileState, name string) {
	key := fileKey(file)
	openFiles.mu.Lock()
	defer openFiles.mu.Unlock()
	st = openFiles.m[key]
	if st == nil {
		if fi, err := os.Stat(key); err == nil {
			for k, o := range openFiles.m {
				if o.info != nil && os.SameFile(fi, o.info) {
					st, key, name = o, k, k
					break
				}
			}
		}
	}
	if st == nil {
		st = newFileState()
		st.key = key
		openFiles.m[key] = st
	}
	st.refs++
	if name == "" {
		name = file
	}
	return st, name
}

// remember notes the file st is the state of, once an Open of it by name
// has opened it (see fileState.info).
func (st *fileState) remember(name string) {
	if st.key == "" {
		return
	}
	fi, err := os.Stat(name)
	openFiles.mu.Lock()
	defer openFiles.mu.Unlock()
	if st.info == nil && err == nil {
		st.info = fi
	}
}

// alone reports whether st's Warehouse is the only one on its file in
// this process.
func (st *fileState) alone() bool {
	openFiles.mu.Lock()
	defer openFiles.mu.Unlock()
	return st.refs == 1
}

// release ends one Warehouse's use of st.
func (st *fileState) release() {
	if st.key == "" {
		return
	}
	openFiles.mu.Lock()
	defer openFiles.mu.Unlock()
	if st.refs--; st.refs == 0 {
		delete(openFiles.m, st.key)
	}
}

// fileKey names file as DuckDB's instance cache does: by its absolute
// path, links resolved (the directory's when the file does not exist yet).
func fileKey(file string) string {
	abs, err := filepath.Abs(file)
	if err != nil {
		return file
	}
	if p, err := filepath.EvalSymlinks(abs); err == nil {
		return p
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		return filepath.Join(dir, filepath.Base(abs))
	}
	return abs
}

// takeTurn waits for the file's turn of a feature computation or a load's
// commit (fileState.features) and returns the function that gives it up;
// it fails with ctx.
func (st *fileState) takeTurn(ctx context.Context) (release func(), err error) {
	select {
	case st.features <- struct{}{}:
		return func() { <-st.features }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
