// Package textdist measures how far apart two short words are, for the
// places genexp reads a near miss: a mistyped configuration key, a
// misspelt group in a sample sheet.
package textdist

import "strings"

// Levenshtein is the number of single-byte insertions, deletions and
// substitutions that turn a into b. It is meant for short ASCII words;
// its cost is len(a)·len(b).
func Levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Nearest returns the one of names that word is probably a typo of, or ""
// when none is. Case is ignored. A word of fewer than three letters is too
// short to tell (-v). The one name that begins with word wins (--conf for
// --config); else the one name nearest by edits, at most one edit per three
// letters of word, where two neighbouring letters swapped are one edit
// (laod for load). Two names that begin with word, or two as near, make
// it "": a guess between them would be a coin toss.
func Nearest(word string, names []string) string {
	word = strings.ToLower(word)
	if len(word) < 3 {
		return ""
	}
	var prefixed []string
	best, bestD, ties := "", len(word)/3+1, 0
	for _, n := range names {
		if n == "" {
			continue
		}
		if strings.HasPrefix(strings.ToLower(n), word) {
			prefixed = append(prefixed, n)
		}
		switch d := swapDistance(word, strings.ToLower(n)); {
		case d < bestD:
			best, bestD, ties = n, d, 1
		case d == bestD:
			ties++
		}
	}
	switch {
	case len(prefixed) == 1:
		return prefixed[0]
	case len(prefixed) > 1 || ties > 1:
		return ""
	}
	return best
}

// swapDistance is Levenshtein's distance where a swap of two neighbouring
// bytes also costs one edit (the optimal string alignment distance).
func swapDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
