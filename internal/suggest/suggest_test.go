package suggest

import "testing"

func TestNearest(t *testing.T) {
	scopes := []string{"admin:org", "gist", "read:org", "repo", "repo:status", "workflow"}
	keys := []string{"repository", "environment", "organization", "repositories", "min-days-left"}
	tests := []struct {
		name, word string
		known      []string
		want       string
	}{
		{"exact", "repo", scopes, "repo"},
		{"case", "Repo", scopes, "repo"},
		{"surrounding space", " gist ", scopes, "gist"},
		{"separators are one", "read_org", scopes, "read:org"},
		{"underscores for hyphens", "min_days_left", keys, "min-days-left"},
		{"plural", "repos", scopes, "repo"},
		{"swap", "gits", scopes, "gist"},
		{"prefix of the first that has it", "repo", keys, "repository"},
		{"two letters are no prefix", "en", keys, ""},
		{"fewest edits win", "workflw", scopes, "workflow"},
		{"too far", "xyz", scopes, ""},
		{"empty", "", scopes, ""},
		{"a third of the shorter word", "orgs", []string{"org", "organization"}, "org"},
		{"at most three edits", "organizatoinxxx", keys, ""},
		{"too long to be a typo", string(make([]byte, 65)), []string{string(make([]byte, 65))}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Nearest(tt.word, tt.known); got != tt.want {
				t.Errorf("Nearest(%q) = %q, want %q", tt.word, got, tt.want)
			}
		})
	}
}

func TestHint(t *testing.T) {
	if got, want := Hint("repos", []string{"repo"}), ` (did you mean "repo"?)`; got != want {
		t.Errorf("Hint = %q, want %q", got, want)
	}
	if got := Hint("xyz", []string{"repo"}); got != "" {
		t.Errorf("Hint(far) = %q, want none", got)
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"repo", "repo", 0},
		{"repos", "repo", 1},
		{"gits", "gist", 1},
		{"kitten", "sitting", 3},
		{"ab", "ba", 1},
		{"héllo", "hello", 1},
	}
	for _, tt := range tests {
		t.Run(tt.a+"/"+tt.b, func(t *testing.T) {
			if got := Distance(tt.a, tt.b); got != tt.want {
				t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
			if got := Distance(tt.b, tt.a); got != tt.want {
				t.Errorf("Distance(%q, %q) = %d, want %d", tt.b, tt.a, got, tt.want)
			}
		})
	}
}
