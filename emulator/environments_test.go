package emulator

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestPutEnvironment(t *testing.T) {
	now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		env      string
		token    string
		body     any
		want     int
		wantName string   // the name answered
		wantEnvs []string // the repository's environments after
	}{
		{"new environment", "staging", adminToken, nil, 200, "staging", []string{"production", "prod/us", "staging"}},
		{"new environment with a body", "staging", adminToken, map[string]any{"wait_timer": 30}, 200, "staging", []string{"production", "prod/us", "staging"}},
		{"name with a slash", "eu/west", adminToken, nil, 200, "eu/west", []string{"production", "prod/us", "eu/west"}},
		{"existing one, other case", "PRODUCTION", adminToken, nil, 200, "production", []string{"production", "prod/us"}},
		{"name of 256 characters", strings.Repeat("e", 256), adminToken, nil, 422, "", []string{"production", "prod/us"}},
		{"name with a newline", "a\nb", adminToken, nil, 422, "", []string{"production", "prod/us"}},
		{"wait timer out of range", "staging", adminToken, map[string]any{"wait_timer": 50000}, 422, "", []string{"production", "prod/us"}},
		{"classic token without repo", "staging", "ghp_public", nil, 403, "", []string{"production", "prod/us"}},
		{"fine-grained token reading only", "staging", "github_pat_read", nil, 403, "", []string{"production", "prod/us"}},
		{"fine-grained token administering", "staging", "github_pat_admin", nil, 200, "staging", []string{"production", "prod/us", "staging"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, Options{Now: func() time.Time { return now }})
			f.s.AddToken(Token{Value: "ghp_public", Login: "dev", Scopes: []string{"public_repo"}})
			f.s.AddToken(Token{Value: "github_pat_read", Login: "dev", Repos: []string{"acme/api"}, Permissions: map[string]string{"administration": "read"}})
			f.s.AddToken(Token{Value: "github_pat_admin", Login: "dev", Repos: []string{"acme/api"}, Permissions: map[string]string{"administration": "write"}})
			path := "repos/acme/api/environments/" + url.PathEscape(tt.env)
			resp := f.do(t, "PUT", path, tt.token, tt.body)
			if resp.status != tt.want {
				t.Fatalf("PUT: status %d, want %d (%s)", resp.status, tt.want, resp.body)
			}
			if diff := cmp.Diff(tt.wantEnvs, f.s.Environments("acme/api")); diff != "" {
				t.Errorf("environments (-want +got):\n%s", diff)
			}
			if tt.want != 200 {
				return
			}
			var got struct {
				Name      string `json:"name"`
				CreatedAt string `json:"created_at"`
			}
			if err := json.Unmarshal(resp.body, &got); err != nil || got.Name != tt.wantName {
				t.Errorf("PUT answered %s, want name %q", resp.body, tt.wantName)
			}
			if created := len(tt.wantEnvs) > 2; created && got.CreatedAt != "2026-05-01T09:00:00Z" {
				t.Errorf("PUT created the environment, answered created_at %q, want the clock's 2026-05-01T09:00:00Z", got.CreatedAt)
			}
			var read struct {
				CreatedAt string `json:"created_at"`
			}
			if err := json.Unmarshal(f.do(t, "GET", path, adminToken, nil).body, &read); err != nil || read.CreatedAt != got.CreatedAt {
				t.Errorf("GET after PUT: created_at %q, want %q as PUT answered", read.CreatedAt, got.CreatedAt)
			}
			// The environment now has secrets; a second PUT changes nothing.
			if got := f.do(t, "GET", path+"/secrets/public-key", adminToken, nil).status; got != 200 {
				t.Errorf("environment's public key after PUT: status %d, want 200", got)
			}
			if got := f.do(t, "PUT", path, adminToken, nil).status; got != 200 || len(f.s.Environments("acme/api")) != len(tt.wantEnvs) {
				t.Errorf("second PUT: status %d, environments %v", got, f.s.Environments("acme/api"))
			}
		})
	}
}

// A missing environment stays missing: its secrets answer 404, and reading
// it creates nothing.
func TestMissingEnvironment(t *testing.T) {
	f := newFixture(t, Options{})
	for _, p := range []string{
		"repos/acme/api/environments/staging",
		"repos/acme/api/environments/staging/secrets/public-key",
		"repos/acme/api/environments/staging/secrets",
		"repos/acme/api/environments/staging/secrets/X",
		"repos/acme/gone/environments/production",
	} {
		if got := f.do(t, "GET", p, adminToken, nil).status; got != 404 {
			t.Errorf("GET %s: status %d, want 404", p, got)
		}
	}
	if envs := f.s.Environments("acme/api"); slices.Contains(envs, "staging") {
		t.Errorf("reading created the environment: %v", envs)
	}
	if got := f.do(t, "PUT", "repos/acme/gone/environments/staging", adminToken, nil).status; got != 404 {
		t.Errorf("PUT in a missing repository: status %d, want 404", got)
	}
	if got := f.do(t, "GET", "repos/acme/api/environments/production", adminToken, nil).status; got != 200 {
		t.Errorf("GET an existing environment: status %d, want 200", got)
	}
}
