// Package textdist measures how far apart two short words are, for the
// places genexp reads a near miss: a mistyped configuration key, a
// misspelt group in a sample sheet.
package textdist

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
