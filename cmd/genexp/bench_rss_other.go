//go:build !unix

package main

import "time"

// peakRSS is not measured where getrusage does not exist.
func peakRSS() string { return "unknown on this system" }

// cpuTime is not measured where getrusage does not exist.
func cpuTime() (time.Duration, bool) { return 0, false }
