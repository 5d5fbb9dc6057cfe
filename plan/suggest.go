package plan

import "strings"

// suggest returns the candidate closest to word, or "" if none is close:
// the same up to case, hyphens and underscores; a prefix of a candidate
// ("repo" for "repository"); or within a small edit distance.
func suggest(word string, candidates []string) string {
	norm := func(s string) string { return strings.ReplaceAll(strings.ToLower(s), "_", "-") }
	w := norm(word)
	for _, c := range candidates {
		if norm(c) == w {
			return c
		}
	}
	if len(w) >= 3 {
		for _, c := range candidates {
			if strings.HasPrefix(norm(c), w) {
				return c
			}
		}
	}
	best, bestDist := "", 0
	for _, c := range candidates {
		d := editDistance(w, norm(c))
		limit := max(1, min(len(w), len(c))/3)
		if d <= limit && (best == "" || d < bestDist) {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
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
