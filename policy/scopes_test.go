package policy

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pat-action/pat-action/internal/suggest"
)

func TestKnownScopesSortedAndClosed(t *testing.T) {
	known := knownScopes()
	if !slices.IsSorted(known) {
		t.Fatal("knownScopes is not sorted; Known relies on binary search")
	}
	if got := slices.Compact(slices.Clone(known)); len(got) != len(known) {
		t.Fatal("knownScopes has duplicates")
	}
	// Every scope a parent includes must itself be known.
	for _, s := range known {
		for _, c := range includes(s) {
			if !Known(c) {
				t.Errorf("%s includes %s, which is not known", s, c)
			}
		}
	}
	// Folding case and separators must not make two known names collide,
	// or a suggestion could be ambiguous.
	seen := map[string]string{}
	for _, s := range known {
		k := suggest.Fold(s)
		if other, ok := seen[k]; ok {
			t.Errorf("%s and %s fold to the same key %q", other, s, k)
		}
		seen[k] = s
	}
}

func TestKnown(t *testing.T) {
	tests := []struct {
		scope string
		want  bool
	}{
		{"repo", true},
		{"public_repo", true},
		{"admin:org_hook", true},
		{"gist", true},
		{"notifications", true},
		{"delete_repo", true},
		{"delete:packages", true},
		{"workflow", true},
		{"site_admin", true},
		{"manage_runners:org", true},
		{"read:audit_log", true},
		{"Repo", false},
		{"repos", false},
		{"", false},
		{"read_org", false},
	}
	for _, tt := range tests {
		t.Run(tt.scope, func(t *testing.T) {
			if got := Known(tt.scope); got != tt.want {
				t.Errorf("Known(%q) = %v, want %v", tt.scope, got, tt.want)
			}
		})
	}
}

func TestExpand(t *testing.T) {
	tests := []struct {
		name   string
		scopes []string
		want   []string
	}{
		{"nil", nil, []string{}},
		{"repo", []string{"repo"}, []string{"public_repo", "repo", "repo:invite", "repo:status", "repo_deployment", "security_events"}},
		{"admin:org is transitive", []string{"admin:org"}, []string{"admin:org", "manage_runners:org", "read:org", "write:org"}},
		{"write:org", []string{"write:org"}, []string{"read:org", "write:org"}},
		{"admin:repo_hook chain", []string{"admin:repo_hook"}, []string{"admin:repo_hook", "read:repo_hook", "write:repo_hook"}},
		{"write:repo_hook", []string{"write:repo_hook"}, []string{"read:repo_hook", "write:repo_hook"}},
		{"admin:public_key", []string{"admin:public_key"}, []string{"admin:public_key", "read:public_key", "write:public_key"}},
		{"admin:gpg_key", []string{"admin:gpg_key"}, []string{"admin:gpg_key", "read:gpg_key", "write:gpg_key"}},
		{"admin:ssh_signing_key", []string{"admin:ssh_signing_key"}, []string{"admin:ssh_signing_key", "read:ssh_signing_key", "write:ssh_signing_key"}},
		{"user", []string{"user"}, []string{"read:user", "user", "user:email", "user:follow"}},
		{"project", []string{"project"}, []string{"project", "read:project"}},
		{"write:packages not delete", []string{"write:packages"}, []string{"read:packages", "write:packages"}},
		{"codespace", []string{"codespace"}, []string{"codespace", "codespace:secrets"}},
		{"admin:enterprise", []string{"admin:enterprise"}, []string{"admin:enterprise", "manage_billing:enterprise", "manage_runners:enterprise", "read:enterprise"}},
		{"audit_log", []string{"audit_log"}, []string{"audit_log", "read:audit_log"}},
		{"copilot", []string{"copilot"}, []string{"copilot", "manage_billing:copilot"}},
		{"stand-alone", []string{"workflow", "gist", "admin:org_hook"}, []string{"admin:org_hook", "gist", "workflow"}},
		{"overlap and duplicates", []string{"write:org", "admin:org", "read:org", "read:org"}, []string{"admin:org", "manage_runners:org", "read:org", "write:org"}},
		{"unknown kept as itself", []string{"future:scope"}, []string{"future:scope"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Expand(tt.scopes)); diff != "" {
				t.Errorf("Expand(%q) mismatch (-want +got):\n%s", tt.scopes, diff)
			}
		})
	}
}

func TestParseScopes(t *testing.T) {
	tests := []struct {
		name    string
		list    string
		want    []string
		wantErr *UnknownScopeError
	}{
		{name: "empty", list: "", want: nil},
		{name: "only separators", list: " ,\n, ", want: nil},
		{name: "one", list: "repo", want: []string{"repo"}},
		{name: "commas", list: "repo,workflow,read:org", want: []string{"repo", "workflow", "read:org"}},
		{name: "header style", list: "repo, workflow", want: []string{"repo", "workflow"}},
		{name: "newlines", list: "repo\nworkflow\r\nread:org\n", want: []string{"repo", "workflow", "read:org"}},
		{name: "spaces", list: "  repo   workflow\t", want: []string{"repo", "workflow"}},
		{name: "empties", list: "repo,,,workflow,", want: []string{"repo", "workflow"}},
		{name: "duplicates keep first order", list: "workflow,repo,workflow,repo", want: []string{"workflow", "repo"}},
		{name: "repos", list: "repo,repos", wantErr: &UnknownScopeError{Scope: "repos", Suggestion: "repo"}},
		{name: "read_org", list: "read_org", wantErr: &UnknownScopeError{Scope: "read_org", Suggestion: "read:org"}},
		{name: "Repo", list: "Repo", wantErr: &UnknownScopeError{Scope: "Repo", Suggestion: "repo"}},
		{name: "read-org", list: "read-org", wantErr: &UnknownScopeError{Scope: "read-org", Suggestion: "read:org"}},
		{name: "user_email", list: "user_email", wantErr: &UnknownScopeError{Scope: "user_email", Suggestion: "user:email"}},
		{name: "delete-packages", list: "delete-packages", wantErr: &UnknownScopeError{Scope: "delete-packages", Suggestion: "delete:packages"}},
		{name: "swap", list: "wrokflow", wantErr: &UnknownScopeError{Scope: "wrokflow", Suggestion: "workflow"}},
		{name: "ADMIN:ORG", list: "ADMIN:ORG", wantErr: &UnknownScopeError{Scope: "ADMIN:ORG", Suggestion: "admin:org"}},
		{name: "far off", list: "xyz", wantErr: &UnknownScopeError{Scope: "xyz"}},
		{name: "too far for a short name", list: "re", wantErr: &UnknownScopeError{Scope: "re"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseScopes(tt.list)
			if tt.wantErr != nil {
				var ue *UnknownScopeError
				if !errors.As(err, &ue) {
					t.Fatalf("ParseScopes(%q) error = %v, want *UnknownScopeError", tt.list, err)
				}
				if diff := cmp.Diff(tt.wantErr, ue); diff != "" {
					t.Errorf("ParseScopes(%q) error mismatch (-want +got):\n%s", tt.list, diff)
				}
				if got != nil {
					t.Errorf("ParseScopes(%q) = %q with an error, want nil", tt.list, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseScopes(%q): %v", tt.list, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseScopes(%q) mismatch (-want +got):\n%s", tt.list, diff)
			}
		})
	}
}

func TestUnknownScopeErrorMessage(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"suggestion", CheckScopes([]string{"repo", "repos"}), `unknown scope "repos" (did you mean "repo"?)`},
		{"no suggestion", CheckScopes([]string{"xyz"}), `unknown scope "xyz" (known scopes: see ` + scopesDocs + `)`},
		{"empty name", CheckScopes([]string{""}), `unknown scope "" (known scopes: see ` + scopesDocs + `)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil {
				t.Fatal("CheckScopes returned nil, want an error")
			}
			if diff := cmp.Diff(tt.want, tt.err.Error()); diff != "" {
				t.Errorf("message mismatch (-want +got):\n%s", diff)
			}
		})
	}
	if !strings.Contains(scopesDocs, "scopes-for-oauth-apps") {
		t.Errorf("scopesDocs %q does not point at the scopes page", scopesDocs)
	}
	if err := CheckScopes([]string{"repo", "workflow"}); err != nil {
		t.Errorf("CheckScopes of known scopes: %v", err)
	}
}

func FuzzParseScopes(f *testing.F) {
	for _, s := range []string{
		"", "repo", "repo,workflow", "repo, workflow\nread:org", ",,\n\n", "repos",
		"read_org", "Repo", "admin:org admin:org", "\xff\xfe", "ré,pö", strings.Repeat("a", 100),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, list string) {
		got, err := ParseScopes(list)
		if err != nil {
			var ue *UnknownScopeError
			if !errors.As(err, &ue) {
				t.Fatalf("ParseScopes error %v is not *UnknownScopeError", err)
			}
			if Known(ue.Scope) {
				t.Fatalf("ParseScopes rejected known scope %q", ue.Scope)
			}
			if ue.Suggestion != "" && !Known(ue.Suggestion) {
				t.Fatalf("ParseScopes suggested unknown scope %q", ue.Suggestion)
			}
			if got != nil {
				t.Fatalf("ParseScopes returned %q with an error", got)
			}
			return
		}
		for _, s := range got {
			if !Known(s) {
				t.Fatalf("ParseScopes returned unknown scope %q", s)
			}
		}
		if len(slices.Compact(slices.Sorted(slices.Values(got)))) != len(got) {
			t.Fatalf("ParseScopes returned duplicates: %q", got)
		}
		again, err := ParseScopes(strings.Join(got, ","))
		if err != nil {
			t.Fatalf("reparsing %q: %v", got, err)
		}
		if diff := cmp.Diff(got, again); diff != "" {
			t.Fatalf("reparse mismatch (-first +again):\n%s", diff)
		}
	})
}
