package rotate

import "testing"

// A target read back from the rotation state is the target that wrote it.
func TestParseTarget(t *testing.T) {
	for _, s := range []string{"repo:acme/api", "env:acme/api/prod/eu", "org:acme", "dependabot:repo:acme/api", "codespaces:org:acme"} {
		got, err := parseTarget(s)
		if err != nil || got.String() != s {
			t.Errorf("parseTarget(%q) = %v, %v", s, got, err)
		}
	}
	// A state that was forged or edited names no URL but a target's: no
	// kind but GitHub's, no "." or ".." to walk the path, no "?" to end it.
	hostile := []string{"../../../repos/acme/victim?:repo:acme/api", "actions/..:repo:acme/api", "repo:acme/..", "repo:../x", "env:acme/api/..", "env:acme/api/a\nb", "org:acme?x", "org:.."}
	for _, s := range append([]string{"repo:acme", "env:acme/api", "org:", "repo:a/b/c", "nothing"}, hostile...) {
		if _, err := parseTarget(s); err == nil {
			t.Errorf("parseTarget(%q): no error", s)
		}
	}
}
