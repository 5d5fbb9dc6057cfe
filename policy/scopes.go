// Package policy holds a token against a scope and expiry policy.
package policy

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// scopesDocs is where GitHub lists the classic OAuth scopes.
const scopesDocs = "https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps"

// includes maps each classic scope to the scopes it directly includes. A
// scope with no entry includes nothing but itself. It is the hierarchy
// GitHub documents (GitHub's "Scopes for OAuth apps" page), plus the
// discussion scopes GitHub also documents. It is a function, not a
// package-level map, so nothing can change it.
func includes(scope string) []string {
	switch scope {
	case "repo":
		return []string{"repo:status", "repo_deployment", "public_repo", "repo:invite", "security_events"}
	case "admin:repo_hook":
		return []string{"write:repo_hook"}
	case "write:repo_hook":
		return []string{"read:repo_hook"}
	case "admin:org":
		return []string{"write:org", "manage_runners:org"}
	case "write:org":
		return []string{"read:org"}
	case "admin:public_key":
		return []string{"write:public_key"}
	case "write:public_key":
		return []string{"read:public_key"}
	case "admin:gpg_key":
		return []string{"write:gpg_key"}
	case "write:gpg_key":
		return []string{"read:gpg_key"}
	case "admin:ssh_signing_key":
		return []string{"write:ssh_signing_key"}
	case "write:ssh_signing_key":
		return []string{"read:ssh_signing_key"}
	case "user":
		return []string{"read:user", "user:email", "user:follow"}
	case "project":
		return []string{"read:project"}
	case "write:packages":
		return []string{"read:packages"}
	case "codespace":
		return []string{"codespace:secrets"}
	case "admin:enterprise":
		return []string{"manage_runners:enterprise", "manage_billing:enterprise", "read:enterprise"}
	case "audit_log":
		return []string{"read:audit_log"}
	case "copilot":
		return []string{"manage_billing:copilot"}
	case "write:discussion":
		return []string{"read:discussion"}
	}
	return nil
}

// knownScopes returns every classic scope name, sorted.
func knownScopes() []string {
	return []string{
		"admin:enterprise", "admin:gpg_key", "admin:org", "admin:org_hook",
		"admin:public_key", "admin:repo_hook", "admin:ssh_signing_key",
		"audit_log", "codespace", "codespace:secrets", "copilot",
		"delete:packages", "delete_repo", "gist",
		"manage_billing:copilot", "manage_billing:enterprise",
		"manage_runners:enterprise", "manage_runners:org", "notifications",
		"project", "public_repo",
		"read:audit_log", "read:discussion", "read:enterprise", "read:gpg_key",
		"read:org", "read:packages", "read:project", "read:public_key",
		"read:repo_hook", "read:ssh_signing_key", "read:user",
		"repo", "repo:invite", "repo:status", "repo_deployment",
		"security_events", "site_admin",
		"user", "user:email", "user:follow", "workflow",
		"write:discussion", "write:gpg_key", "write:org", "write:packages",
		"write:public_key", "write:repo_hook", "write:ssh_signing_key",
	}
}

// Known reports whether scope is a classic OAuth scope name. Names are
// case-sensitive, as GitHub writes them.
func Known(scope string) bool {
	_, ok := slices.BinarySearch(knownScopes(), scope)
	return ok
}

// Expand returns the sorted, duplicate-free closure of scopes: each scope
// plus everything it includes, transitively. Unknown names are kept as
// themselves, so a scope GitHub adds later is still compared by name.
func Expand(scopes []string) []string {
	seen := make(map[string]bool)
	var walk func(string)
	walk = func(s string) {
		if seen[s] {
			return
		}
		seen[s] = true
		for _, c := range includes(s) {
			walk(c)
		}
	}
	for _, s := range scopes {
		walk(s)
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// splitList splits a comma-, newline- or space-separated list, trims each
// item, drops empty ones and drops duplicates, keeping the first.
func splitList(list string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// ParseScopes parses a scope list as the required-scopes, allowed-scopes and
// forbidden-scopes inputs give it: names separated by commas, newlines or
// spaces. Items are trimmed, empty ones dropped and duplicates dropped,
// keeping the first. An empty list gives nil, so an unset allowed-scopes
// stays unset. An unknown name gives an *UnknownScopeError.
func ParseScopes(list string) ([]string, error) {
	names := splitList(list)
	if err := CheckScopes(names); err != nil {
		return nil, err
	}
	return names, nil
}

// CheckScopes returns an *UnknownScopeError for the first name that is not a
// known classic scope, and nil when all are known.
func CheckScopes(names []string) error {
	for _, n := range names {
		if !Known(n) {
			return &UnknownScopeError{Scope: n, Suggestion: suggest(n, knownScopes())}
		}
	}
	return nil
}

// UnknownScopeError is a scope name that is not a classic OAuth scope.
type UnknownScopeError struct {
	Scope string
	// Suggestion is the nearest known scope, or empty when none is close.
	Suggestion string
}

// Error says which name is unknown and what would be right.
func (e *UnknownScopeError) Error() string {
	if e.Suggestion != "" {
		return fmt.Sprintf("unknown scope %q (did you mean %q?)", e.Scope, e.Suggestion)
	}
	return fmt.Sprintf("unknown scope %q (known scopes: see %s)", e.Scope, scopesDocs)
}

// suggest returns the candidate nearest to name, or "" when none is
// reasonably close. Names are compared case-folded and with '_', '-' and ':'
// treated alike, since those are the usual slips ("Repo", "read_org"); what
// is left is judged by edit distance, allowing about one edit in three
// characters. Ties go to the first candidate in order.
func suggest(name string, candidates []string) string {
	// Very long input is no typo of a short name; don't spend time on it.
	if utf8.RuneCountInString(name) > 64 {
		return ""
	}
	key := foldName(name)
	limit := min(max(utf8.RuneCountInString(key)/3, 1), 3)
	best, bestDist := "", limit+1
	for _, c := range candidates {
		d := editDistance(key, foldName(c))
		if d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// foldName lower-cases s and maps '-' and ':' to '_'.
func foldName(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '-', ':':
			return '_'
		}
		return unicode.ToLower(r)
	}, s)
}

// editDistance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and swaps of neighbours each cost one.
func editDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	// Three rows suffice: the swap looks two rows back.
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
