// Package suggest finds the known word nearest to a mistyped one.
package suggest

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxWord is the longest word Nearest looks at: very long input is no typo
// of a short name, and the distance costs its length squared.
const maxWord = 64

// Nearest returns the word of known nearest to word, or "" when none is
// near enough to be what was meant. In order, it takes the first known word
// that is the same up to case, surrounding space and separators ('-', '_'
// and ':' are one); that word starts with, when it has three letters or
// more ("repo" for "repository"); or that is fewest edits away (inserting,
// deleting or changing a letter, or swapping two neighbours), within a
// third of the shorter word's length, at least one and at most three.
func Nearest(word string, known []string) string {
	if utf8.RuneCountInString(word) > maxWord {
		return ""
	}
	w := Fold(word)
	for _, k := range known {
		if Fold(k) == w {
			return k
		}
	}
	if utf8.RuneCountInString(w) >= 3 {
		for _, k := range known {
			if strings.HasPrefix(Fold(k), w) {
				return k
			}
		}
	}
	best, bestDist := "", 0
	for _, k := range known {
		fk := Fold(k)
		limit := min(max(1, min(utf8.RuneCountInString(w), utf8.RuneCountInString(fk))/3), 3)
		if d := Distance(w, fk); d <= limit && (best == "" || d < bestDist) {
			best, bestDist = k, d
		}
	}
	return best
}

// Hint returns ` (did you mean "x"?)` for the word of known nearest to
// word, or "" when none is near: the tail of an "unknown ..." message.
func Hint(word string, known []string) string {
	if s := Nearest(word, known); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

// Fold is the form Nearest compares words in: trimmed, lower case, with
// '-' and ':' written as '_'.
func Fold(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '-', ':':
			return '_'
		}
		return unicode.ToLower(r)
	}, strings.TrimSpace(s))
}

// Distance is the optimal string alignment distance between a and b, in
// runes: inserting, deleting or changing one, or swapping two neighbours,
// each cost one.
func Distance(a, b string) int {
	x, y := []rune(a), []rune(b)
	// Three rows suffice: a swap looks two rows back.
	prev2 := make([]int, len(y)+1)
	prev := make([]int, len(y)+1)
	cur := make([]int, len(y)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(x); i++ {
		cur[0] = i
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(y)]
}
