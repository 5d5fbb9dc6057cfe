package emulator

import (
	"go/build"
	"slices"
	"strings"
	"testing"
)

// The emulator is an independent oracle: it must not import any package of
// the product (not even in its tests), or a bug in the product's rules would
// be the emulator's too, and never caught. A package it imports could only
// bring the product in through a direct import, so direct imports suffice.
func TestEmulatorImportsNothingOfTheProduct(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	const module = "github.com/pat-action/pat-action"
	for _, imports := range [][]string{pkg.Imports, pkg.TestImports, pkg.XTestImports} {
		for _, imp := range imports {
			if imp == module || strings.HasPrefix(imp, module+"/") {
				t.Errorf("emulator imports %s: it must keep its own copy of GitHub's rules", imp)
			}
		}
	}
}

func TestNameRules(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"DEPLOY_KEY", true},
		{"deploy_key", true},
		{"_X", true},
		{"X1", true},
		{"", false},
		{"MY-KEY", false},
		{"MY KEY", false},
		{"MY.KEY", false},
		{"KÉY", false},
		{"1KEY", false},
		{"GITHUB_TOKEN", false},
		{"github_token", false},
		{"GitHub_X", false},
		{"GITHUB", true},
		{"MY_GITHUB_X", true},
	}
	for _, tt := range tests {
		if got := nameProblem(tt.name) == ""; got != tt.ok {
			t.Errorf("nameProblem(%q) = %q, want ok=%v", tt.name, nameProblem(tt.name), tt.ok)
		}
	}
}

// The classic scope hierarchy is GitHub's: a parent grants its children,
// never the reverse.
func TestGrantedScopes(t *testing.T) {
	tests := []struct {
		have   []string
		grants []string
		not    []string
	}{
		{[]string{"repo"}, []string{"repo", "public_repo", "repo:status", "repo_deployment", "repo:invite", "security_events"}, []string{"admin:org", "workflow"}},
		{[]string{"public_repo"}, []string{"public_repo"}, []string{"repo"}},
		{[]string{"admin:org"}, []string{"admin:org", "write:org", "read:org", "manage_runners:org"}, []string{"repo"}},
		{[]string{"write:org"}, []string{"read:org"}, []string{"admin:org"}},
		{[]string{"read:org"}, []string{"read:org"}, []string{"write:org", "admin:org"}},
		{[]string{"admin:repo_hook"}, []string{"write:repo_hook", "read:repo_hook"}, nil},
		{[]string{"user"}, []string{"read:user", "user:email", "user:follow"}, nil},
		{[]string{"codespace"}, []string{"codespace:secrets"}, nil},
		{[]string{"write:packages"}, []string{"read:packages"}, []string{"delete:packages"}},
		{[]string{"workflow"}, []string{"workflow"}, []string{"repo"}},
	}
	for _, tt := range tests {
		got := grantedScopes(tt.have)
		for _, sc := range tt.grants {
			if !got[sc] {
				t.Errorf("%v does not grant %s", tt.have, sc)
			}
		}
		for _, sc := range tt.not {
			if got[sc] {
				t.Errorf("%v grants %s", tt.have, sc)
			}
		}
	}
	if !slices.Equal(keys(grantedScopes(nil)), nil) {
		t.Error("no scopes grant something")
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
