//go:build linux

// Package unprivileged lets a test run as root meet file permissions as a
// researcher does, by running part of it as the unprivileged user nobody.
package unprivileged

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// nobody is the user id the permission tests take when run as root.
const nobody = 65534

// Run runs f as an unprivileged user, so that a test run as
// root (as in a container) meets file permissions as a researcher does:
// on an OS thread of its own whose effective user is nobody, which loses
// root's capabilities with it. The thread is never unlocked, so it ends
// with f and takes its credentials with it; Go creates the threads a
// locked thread needs from a clean template thread, so none inherits
// them. It reports false, without running f, when the thread cannot
// change its user. The folders from the temporary folder down to dir are
// opened to others (0755) so that nobody can reach the files under test.
func Run(t testing.TB, dir string, f func()) bool {
	t.Helper()
	for d := filepath.Clean(dir); strings.HasPrefix(d, filepath.Clean(os.TempDir())+string(filepath.Separator)); d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan bool)
	go func() {
		runtime.LockOSThread() // never unlocked: see above
		// setresuid(-1, nobody, -1) on this thread alone: the raw system
		// call, not syscall.Setuid, which changes every thread.
		if _, _, e := syscall.RawSyscall(syscall.SYS_SETRESUID, ^uintptr(0), nobody, ^uintptr(0)); e != 0 {
			done <- false
			return
		}
		f()
		done <- true
	}()
	return <-done
}
