//go:build unix

package main

import (
	"runtime"
	"syscall"
	"time"
)

// peakRSS returns the process's peak resident set size, as getrusage
// reports it.
func peakRSS() string {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return "unknown (" + err.Error() + ")"
	}
	kib := int64(ru.Maxrss)
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		kib /= 1024 // bytes there, KiB elsewhere
	}
	return mib(kib << 10)
}

// cpuTime returns the CPU time (user + system) the process has used. On a
// machine shared with other work it measures the benchmark's own cost,
// which wall time does not.
func cpuTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
