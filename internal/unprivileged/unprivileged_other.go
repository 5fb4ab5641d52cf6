//go:build !linux

// Package unprivileged lets a test run as root meet file permissions as a
// researcher does, by running part of it as the unprivileged user nobody.
package unprivileged

import "testing"

// Run reports false, without running f: only on Linux can one thread take
// another user (see unprivileged_linux.go).
func Run(t testing.TB, dir string, f func()) bool { return false }
