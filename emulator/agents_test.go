package emulator

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

var (
	agentsRepo = testTarget{Kind: agentsKind, Scope: repoLevel, Owner: "acme", Repo: "api"}
	agentsOrg  = testTarget{Kind: agentsKind, Scope: orgLevel, Org: "acme", Visibility: "selected"}
)

// Copilot agents secrets keep GitHub's rules and are a set of their own: an
// agents secret is not an Actions secret of the same name.
func TestAgentsSecrets(t *testing.T) {
	tests := []struct {
		name  string
		tg    testTarget
		nameS string
		value []byte
		want  int
	}{
		{"repository secret", agentsRepo, "COPILOT_PAT", []byte("v"), 201},
		{"organization secret", agentsOrg, "COPILOT_PAT", []byte("v"), 201},
		{"lower-case name, stored upper", agentsRepo, "copilot_pat", []byte("v"), 201},
		{"reserved name", agentsRepo, "GITHUB_PAT", []byte("v"), 422},
		{"name starting with a digit", agentsOrg, "1PAT", []byte("v"), 422},
		{"48 KB value", agentsRepo, "BIG", bytes.Repeat([]byte("x"), 48*1024), 201},
		{"value over 48 KB", agentsOrg, "BIG", bytes.Repeat([]byte("x"), 48*1024+1), 422},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, Options{})
			body := f.sealed(t, tt.tg, tt.value)
			if tt.tg.Scope == orgLevel {
				body["selected_repository_ids"] = []int64{f.apiID}
			}
			resp := f.do(t, "PUT", tt.tg.SecretPath(tt.nameS), adminToken, body)
			if resp.status != tt.want {
				t.Fatalf("PUT: status %d, want %d (%s)", resp.status, tt.want, resp.body)
			}
			got, ok := f.s.SecretValue(tt.tg.String(), tt.nameS)
			if ok != (tt.want == 201) || (ok && !bytes.Equal(got, tt.value)) {
				t.Errorf("stored %v: not what the PUT asked for", ok)
			}
			actions := tt.tg
			actions.Kind = actionsKind
			if names := f.s.SecretNames(actions.String()); len(names) != 0 {
				t.Errorf("an agents secret shows as Actions secrets %v", names)
			}
			if tt.want != 201 {
				return
			}
			if tt.tg.Scope == orgLevel {
				if vis, ids := f.s.OrgSecretRepos(tt.tg.String(), tt.nameS); vis != "selected" || len(ids) != 1 || ids[0] != f.apiID {
					t.Errorf("OrgSecretRepos = %s %v, want selected [%d]", vis, ids, f.apiID)
				}
				resp := f.do(t, "GET", tt.tg.SecretPath(tt.nameS), adminToken, nil)
				var one map[string]any
				_ = json.Unmarshal(resp.body, &one)
				if u, _ := one["selected_repositories_url"].(string); !strings.HasSuffix(u, "/orgs/acme/agents/secrets/"+strings.ToUpper(tt.nameS)+"/repositories") {
					t.Errorf("selected_repositories_url = %q", u)
				}
			}
			if got := f.do(t, "PUT", tt.tg.SecretPath(tt.nameS), adminToken, f.sealed(t, tt.tg, []byte("v2"))).status; got != 204 {
				t.Errorf("second PUT: status %d, want 204", got)
			}
		})
	}
}

// GitHub Enterprise Server has no agents secrets: every operation is 404.
func TestGHESHasNoAgentsSecrets(t *testing.T) {
	f := newFixture(t, Options{GHES: true})
	for _, p := range []string{
		agentsRepo.PublicKeyPath(), agentsRepo.SecretsListPath(), agentsRepo.SecretPath("X"),
		agentsOrg.PublicKeyPath(), agentsOrg.SecretsListPath(), agentsOrg.SecretPath("X"), agentsOrg.SecretPath("X") + "/repositories",
	} {
		if got := f.do(t, "GET", p, adminToken, nil).status; got != 404 {
			t.Errorf("GET %s on GHES: status %d, want 404", p, got)
		}
	}
	for _, op := range f.s.Operations() {
		if strings.Contains(op, "/agents/") {
			t.Errorf("GHES serves %s", op)
		}
	}
}

// Agents secrets take the same access as Actions secrets: repo for a
// repository's, admin:org for an organization's.
func TestAgentsSecretsAccess(t *testing.T) {
	tests := []struct {
		name   string
		tg     testTarget
		scopes []string
		want   int
	}{
		{"repository, repo", agentsRepo, []string{"repo"}, 200},
		{"repository, public_repo only", agentsRepo, []string{"public_repo"}, 403},
		{"organization, admin:org", agentsOrg, []string{"admin:org"}, 200},
		{"organization, write:org", agentsOrg, []string{"write:org"}, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, Options{})
			f.s.AddToken(Token{Value: "ghp_limited", Login: "dev", Scopes: tt.scopes})
			if got := f.do(t, "GET", tt.tg.PublicKeyPath(), "ghp_limited", nil).status; got != tt.want {
				t.Errorf("GET public key: status %d, want %d", got, tt.want)
			}
		})
	}
}
