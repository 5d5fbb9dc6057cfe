package emulator

import (
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v45/github"
	"golang.org/x/crypto/ssh"
)

// newSSHKey returns a fresh ed25519 public key in authorized_keys form,
// with a comment.
func newSSHKey(t *testing.T) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp))) + " rotation@pat-action"
}

func TestDeployKeysLifecycle(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	s := New(Options{Now: func() time.Time { return now }})
	s.AddToken(Token{Value: "ghp_a", Scopes: []string{"repo"}})
	s.AddRepo(Repo{Owner: "acme", Name: "infra", Private: true})
	c := startGitHub(t, s, "ghp_a")
	ctx := testContext(t)

	var created []*github.Key
	for _, title := range []string{"INFRA_DEPLOY_KEY 2026-10-01", "INFRA_DEPLOY_KEY 2026-11-25"} {
		k, resp, err := c.Repositories.CreateKey(ctx, "acme", "infra", &github.Key{Title: github.String(title), Key: github.String(newSSHKey(t)), ReadOnly: github.Bool(true)})
		if err != nil {
			t.Fatalf("create %s: %v", title, err)
		}
		if resp.StatusCode != http.StatusCreated {
			t.Errorf("create status = %d, want 201", resp.StatusCode)
		}
		created = append(created, k)
	}
	k := created[1]
	if k.GetTitle() != "INFRA_DEPLOY_KEY 2026-11-25" || !k.GetReadOnly() || !k.GetVerified() || !k.GetCreatedAt().Time.Equal(now) || strings.HasSuffix(k.GetKey(), "rotation@pat-action") {
		t.Errorf("created key = %v; want title, read_only, verified, created_at now and the key without its comment", k)
	}
	got, _, err := c.Repositories.GetKey(ctx, "acme", "infra", k.GetID())
	if err != nil || got.GetKey() != k.GetKey() {
		t.Fatalf("get key %d: %v, %v", k.GetID(), got, err)
	}

	if _, err := c.Repositories.DeleteKey(ctx, "acme", "infra", created[0].GetID()); err != nil {
		t.Fatal(err)
	}
	list, _, err := c.Repositories.ListKeys(ctx, "acme", "infra", nil)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, k := range list {
		titles = append(titles, k.GetTitle())
	}
	if diff := cmp.Diff([]string{"INFRA_DEPLOY_KEY 2026-11-25"}, titles); diff != "" {
		t.Errorf("listed keys (-want +got):\n%s", diff)
	}
	want := []DeployKey{{ID: k.GetID(), Key: k.GetKey(), Title: k.GetTitle(), ReadOnly: true, Verified: true, CreatedAt: now}}
	if diff := cmp.Diff(want, s.DeployKeys("acme/infra")); diff != "" {
		t.Errorf("DeployKeys (-want +got):\n%s", diff)
	}
	resp, err := c.Repositories.DeleteKey(ctx, "acme", "infra", created[0].GetID())
	if resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("deleting a deleted key: %v, want 404", err)
	}
}

func TestDeployKeyRefusals(t *testing.T) {
	dup := newSSHKey(t)
	tests := []struct {
		name     string
		token    Token
		key      string
		wantCode int
		wantMsg  string
	}{
		{"not a key", Token{Value: "ghp_a", Scopes: []string{"repo"}}, "ssh-ed25519 bm90IGEga2V5", 422, "key is invalid"},
		{"empty key", Token{Value: "ghp_a", Scopes: []string{"repo"}}, "", 422, "missing_field"},
		{"key in use on another repository", Token{Value: "ghp_a", Scopes: []string{"repo"}}, dup, 422, "key is already in use"},
		{"classic without repo", Token{Value: "ghp_a", Scopes: []string{"admin:public_key"}}, newSSHKey(t), 403, "Resource not accessible"},
		{"fine-grained with administration read", Token{Value: "github_pat_a", Repos: []string{"acme/infra"}, Permissions: map[string]string{"administration": "read"}}, newSSHKey(t), 403, "Resource not accessible"},
		{"fine-grained with administration write", Token{Value: "github_pat_a", Repos: []string{"acme/infra"}, Permissions: map[string]string{"administration": "write"}}, newSSHKey(t), 201, ""},
		{"fine-grained not granted the repository", Token{Value: "github_pat_a", Repos: []string{"acme/api"}, Permissions: map[string]string{"administration": "write"}}, newSSHKey(t), 404, "Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(Options{})
			s.AddToken(tt.token)
			s.AddToken(Token{Value: "ghp_setup", Scopes: []string{"repo"}})
			s.AddRepo(Repo{Owner: "acme", Name: "infra", Private: true})
			s.AddRepo(Repo{Owner: "acme", Name: "api", Private: true})
			srv, api := s.Start()
			defer srv.Close()
			ctx := testContext(t)
			if _, _, err := clientFor(t, api, "ghp_setup").Repositories.CreateKey(ctx, "acme", "api", &github.Key{Title: github.String("other"), Key: github.String(dup)}); err != nil {
				t.Fatal(err)
			}
			_, resp, err := clientFor(t, api, tt.token.Value).Repositories.CreateKey(ctx, "acme", "infra", &github.Key{Title: github.String("t"), Key: github.String(tt.key)})
			if resp == nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantCode {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantCode)
			}
			if tt.wantMsg != "" && (err == nil || !strings.Contains(err.Error(), tt.wantMsg)) {
				t.Errorf("error = %v, want one mentioning %q", err, tt.wantMsg)
			}
			if n := len(s.DeployKeys("acme/infra")); (n == 1) != (tt.wantCode == 201) {
				t.Errorf("acme/infra has %d deploy keys after a %d", n, tt.wantCode)
			}
		})
	}
}
