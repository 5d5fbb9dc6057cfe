package policy

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParsePermissions(t *testing.T) {
	tests := []struct {
		name, in string
		want     []Permission
		err      string
	}{
		{"levels and bare", "administration:write, organization_secrets:read\ncontents", []Permission{{"administration", "write"}, {"organization_secrets", "read"}, {"contents", "read"}}, ""},
		{"case folded", "Administration:WRITE", []Permission{{"administration", "write"}}, ""},
		{"typo suggests", "administation:write", nil, `unknown permission "administation" (did you mean "administration"?)`},
		{"org typo suggests", "organisation_secrets:read", nil, `unknown permission "organisation_secrets" (did you mean "organization_secrets"?)`},
		{"far off", "zzzzzzzz", nil, `unknown permission "zzzzzzzz": see GitHub's fine-grained permissions, such as contents, administration, organization_secrets`},
		{"bad level", "contents:admin", nil, `permission "contents": level "admin": want read (any access) or write`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePermissions(tt.in)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error = %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}
}

func TestPermissionGrants(t *testing.T) {
	read, write := Permission{"contents", "read"}, Permission{"contents", "write"}
	for _, tt := range []struct {
		p     Permission
		level string
		want  bool
	}{
		{read, "read", true}, {read, "write", true}, {read, "admin", true}, {read, "", false},
		{write, "read", false}, {write, "write", true}, {write, "admin", true},
	} {
		if got := tt.p.Grants(tt.level); got != tt.want {
			t.Errorf("%s grants %q = %v, want %v", tt.p, tt.level, got, tt.want)
		}
	}
}
