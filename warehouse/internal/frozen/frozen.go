// Package frozen holds shipped schema migrations to the text they shipped
// with. A warehouse records which versions it has applied, so an edit to a
// migration file that has shipped never reaches the warehouses already past
// that version: they would differ, silently, from a new warehouse at the
// same version. Each backend lists the SHA-256 of every migration file in
// its testdata/migrations.sha256, in sha256sum's format, and a test checks
// the files against the list with Check.
package frozen

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"sort"
	"strings"
	"testing"
)

// Check compares sums (migration file name → lowercase hex SHA-256 of its
// text) with the list in the file at list, lines "<sha256>  <file name>".
// It fails the test for a listed file whose text changed or that is gone,
// and for a file the list does not have. With update it adds the lines of
// the files the list does not have; it never rewrites or removes a line,
// so an edited migration fails however the test is run. cmd is the command
// that runs the test with -update, for the messages.
func Check(t testing.TB, list string, sums map[string]string, update bool, cmd string) {
	t.Helper()
	data, err := os.ReadFile(list)
	if err != nil && !(update && errors.Is(err, os.ErrNotExist)) {
		t.Fatalf("reading the frozen migrations' checksums: %v (run %s to create it)", err, cmd)
	}
	listed := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		sum, name, ok := strings.Cut(line, " ")
		name = strings.TrimPrefix(strings.TrimSpace(name), "*") // sha256sum's binary mark
		if !ok || len(sum) != 64 || name == "" {
			t.Fatalf("%s:%d: want \"<sha256>  <file name>\", have %q", list, n, line)
		}
		if _, dup := listed[name]; dup {
			t.Fatalf("%s:%d: %s is listed twice", list, n, name)
		}
		listed[name] = strings.ToLower(sum)
	}
	names := make([]string, 0, len(sums))
	for name := range sums {
		names = append(names, name)
	}
	sort.Strings(names)
	var added, addedNames []string
	for _, name := range names {
		want, ok := listed[name]
		switch {
		case !ok && update:
			added = append(added, sums[name]+"  "+name+"\n")
			addedNames = append(addedNames, name)
		case !ok:
			t.Errorf("migration %s is not in %s: once it is final, add its line (%s adds it), "+
				"and from then on never edit the file", name, list, cmd)
		case want != sums[name]:
			t.Errorf("shipped migrations are frozen: add a new migration instead of editing %s "+
				"(its SHA-256 is now %s, shipped as %s; warehouses already past its version would never see the edit). "+
				"-update does not rewrite a listed checksum", name, sums[name], want)
		}
	}
	listedNames := make([]string, 0, len(listed))
	for name := range listed {
		listedNames = append(listedNames, name)
	}
	sort.Strings(listedNames)
	for _, name := range listedNames {
		if _, ok := sums[name]; !ok {
			t.Errorf("migration %s is listed in %s but gone: a shipped migration stays, warehouses have applied it", name, list)
		}
	}
	if len(added) == 0 {
		return
	}
	if len(data) > 0 && !bytes.HasSuffix(data, []byte("\n")) {
		data = append(data, '\n')
	}
	data = append(data, strings.Join(added, "")...)
	if err := os.WriteFile(list, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: added the checksums of %s", list, strings.Join(addedNames, ", "))
}
