//go:build !unix

package main

// peakRSS is not measured where getrusage does not exist.
func peakRSS() string { return "unknown on this system" }
