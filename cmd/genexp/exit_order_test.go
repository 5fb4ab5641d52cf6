package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// exitOrder is the order in which exit statuses win when a run has several
// failures, first first, as the help of load and README.md state it:
// "130/143/129, 2, 3, 4, 5, 1, 6", then 0.
var exitOrder = [][]int{{exitInterrupted, exitTerminated, exitHangup}, {exitUsage}, {exitNoAccess}, {exitInput}, {exitAnalytics},
	{exitFailed}, {exitWarnings}, {exitOK}}

// TestWorseExitOrder checks worseExit on every pair of exit statuses, in
// both argument orders: the one earlier in exitOrder wins.
func TestWorseExitOrder(t *testing.T) {
	tests := []struct{ a, b, want int }{
		{exitInput, exitNoAccess, exitNoAccess},
		{exitNoAccess, exitInput, exitNoAccess},
	}
	for i, first := range exitOrder {
		for _, later := range exitOrder[i+1:] {
			for _, a := range first {
				for _, b := range later {
					tests = append(tests, struct{ a, b, want int }{a, b, a}, struct{ a, b, want int }{b, a, a})
				}
			}
		}
		for _, a := range first {
			tests = append(tests, struct{ a, b, want int }{a, a, a})
		}
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d,%d", tc.a, tc.b), func(t *testing.T) {
			if got := worseExit(tc.a, tc.b); got != tc.want {
				t.Errorf("worseExit(%d, %d) = %d, want %d", tc.a, tc.b, got, tc.want)
			}
		})
	}
	// Interrupted and terminated rank alike: either may stand.
	if got := worseExit(exitInterrupted, exitTerminated); got != exitInterrupted && got != exitTerminated {
		t.Errorf("worseExit(130, 143) = %d", got)
	}
}

// TestExitOrderIsDocumented: the order tested above is the one the help of
// load and README.md give.
func TestExitOrderIsDocumented(t *testing.T) {
	var parts []string
	for _, rank := range exitOrder {
		var s []string
		for _, c := range rank {
			s = append(s, fmt.Sprint(c))
		}
		parts = append(parts, strings.Join(s, "/"))
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	// README lists every status but 0; the help of load leaves out 6 and
	// 0 (6 is --dry-run's, said on its own).
	if want := "(" + strings.Join(parts[:len(parts)-1], ", ") + ")"; !strings.Contains(string(readme), want) {
		t.Errorf("README.md does not state the order %s", want)
	}
	var help strings.Builder
	cmdLoad([]string{"-h"}, &help, &help)
	if want := "the first of " + strings.Join(parts[:len(parts)-2], ", ") + " wins"; !strings.Contains(strings.Join(strings.Fields(help.String()), " "), want) {
		t.Errorf("the help of load does not say %q:\n%s", want, help.String())
	}
}
