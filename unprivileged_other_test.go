//go:build unix && !linux

package genexp_test

import "testing"

// asUnprivileged reports false: only on Linux can one thread take another
// user (see unprivileged_linux_test.go).
func asUnprivileged(t *testing.T, dir string, f func()) bool { return false }
