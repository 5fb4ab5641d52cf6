package frozen

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// recorder is a testing.TB that keeps the failures of Check.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper()                      {}
func (r *recorder) Logf(string, ...any)          {}
func (r *recorder) Errorf(f string, args ...any) { r.errs = append(r.errs, fmt.Sprintf(f, args...)) }
func (r *recorder) Fatalf(f string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(f, args...))
	runtime.Goexit()
}
func (r *recorder) Fatal(args ...any) { r.Fatalf("%v", args...) }

// check runs Check and returns its failures.
func check(t *testing.T, list string, sums map[string]string, update bool) []string {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Check(r, list, sums, update, "go test -update")
	}()
	<-done
	return r.errs
}

func sum(c byte) string { return strings.Repeat(string(c), 64) }

func TestCheck(t *testing.T) {
	list := filepath.Join(t.TempDir(), "migrations.sha256")
	sums := map[string]string{"001_a.sql": sum('a'), "002_b.sql": sum('b')}

	if errs := check(t, list, sums, false); len(errs) != 1 || !strings.Contains(errs[0], "-update") {
		t.Fatalf("no list: %q", errs)
	}
	if errs := check(t, list, sums, true); len(errs) != 0 {
		t.Fatalf("creating the list: %q", errs)
	}
	if errs := check(t, list, sums, false); len(errs) != 0 {
		t.Fatalf("the list as created: %q", errs)
	}

	// A new file is not listed until -update adds it.
	sums["003_c.sql"] = sum('c')
	if errs := check(t, list, sums, false); len(errs) != 1 || !strings.Contains(errs[0], "003_c.sql is not in") {
		t.Fatalf("an unlisted file: %q", errs)
	}
	if errs := check(t, list, sums, true); len(errs) != 0 {
		t.Fatalf("adding a file: %q", errs)
	}
	before, err := os.ReadFile(list)
	if err != nil {
		t.Fatal(err)
	}
	if want := sum('a') + "  001_a.sql\n" + sum('b') + "  002_b.sql\n" + sum('c') + "  003_c.sql\n"; string(before) != want {
		t.Fatalf("list:\n%s\nwant:\n%s", before, want)
	}

	// An edited file fails, with or without -update, which leaves its line.
	sums["002_b.sql"] = sum('d')
	for _, update := range []bool{false, true} {
		errs := check(t, list, sums, update)
		if len(errs) != 1 || !strings.Contains(errs[0], "shipped migrations are frozen: add a new migration instead of editing 002_b.sql") {
			t.Fatalf("an edited file (update %v): %q", update, errs)
		}
	}
	if after, _ := os.ReadFile(list); string(after) != string(before) {
		t.Fatalf("-update rewrote the list:\n%s", after)
	}

	// A listed file that is gone fails.
	sums["002_b.sql"] = sum('b')
	delete(sums, "003_c.sql")
	if errs := check(t, list, sums, true); len(errs) != 1 || !strings.Contains(errs[0], "003_c.sql is listed") {
		t.Fatalf("a removed file: %q", errs)
	}
}
