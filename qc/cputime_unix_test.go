//go:build unix

package qc

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user and system) the process has used so
// far, so that benchmarks on a shared machine can report what they cost
// rather than how long they waited.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
