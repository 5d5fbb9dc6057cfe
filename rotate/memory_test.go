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
	for _, s := range []string{"repo:acme", "env:acme/api", "org:", "repo:a/b/c", "nothing"} {
		if _, err := parseTarget(s); err == nil {
			t.Errorf("parseTarget(%q): no error", s)
		}
	}
}
