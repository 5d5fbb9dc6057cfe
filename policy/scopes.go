// Package policy holds a token against a scope and expiry policy.
package policy

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/pat-action/pat-action/internal/suggest"
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
			return &UnknownScopeError{Scope: n, Suggestion: suggest.Nearest(n, knownScopes())}
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
