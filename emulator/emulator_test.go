package emulator

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Lookup finds the operation named name ("METHOD /path/{param}").
func (o *Operations) Lookup(name string) (Op, bool) {
	for _, op := range o.ops {
		if op.Name == name {
			return op.Op, true
		}
	}
	return Op{}, false
}

func loadOps(t *testing.T) *Operations {
	t.Helper()
	return GitHubOperations()
}

// Every operation the emulator serves is one of GitHub's, so a product that
// only ever hits served operations only ever sends GitHub's.
func TestOperationsAreGitHubs(t *testing.T) {
	ops := loadOps(t)
	for _, ghes := range []bool{false, true} {
		for _, op := range New(Options{GHES: ghes}).Operations() {
			o, ok := ops.Lookup(op)
			switch {
			case !ok:
				t.Errorf("emulator serves %q, which is not in openapi_operations.yaml", op)
			case o.Deprecated:
				t.Errorf("emulator serves %q, which is deprecated", op)
			case ghes && !o.GHES:
				t.Errorf("emulator in GHES mode serves %q, which GHES does not have", op)
			}
		}
	}
}

func TestOperationsMatch(t *testing.T) {
	ops := loadOps(t)
	tests := []struct {
		method, path, want string
		deprecated         bool
	}{
		{"HEAD", "/", "GET /", false},
		{"GET", "/user", "GET /user", false},
		{"PUT", "/repos/acme/api/environments/prod%2Fus/secrets/X", "PUT /repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}", false},
		{"GET", "/repositories/1/environments/prod/secrets/public-key", "GET /repositories/{repository_id}/environments/{environment_name}/secrets/public-key", true},
		{"GET", "/no/such/thing", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			got, _ := ops.Match(tt.method, tt.path)
			if got.Name != tt.want || got.Deprecated != tt.deprecated {
				t.Errorf("Match = %+v, want %q (deprecated %v)", got, tt.want, tt.deprecated)
			}
		})
	}
}

type probe struct {
	status  int
	headers map[string]string
}

func TestAuthenticationAndHeaders(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		ghes   bool
		token  *Token
		send   string // Authorization value; "" sends none
		method string
		path   string
		noUA   bool
		want   probe
	}{
		{
			name:   "classic token gets scopes and expiry",
			token:  &Token{Value: "ghp_classic", Login: "octocat", Scopes: []string{"repo", "workflow"}, ExpiresAt: now.Add(36 * time.Hour)},
			send:   "Bearer ghp_classic",
			method: "GET", path: "/user",
			want: probe{200, map[string]string{"X-OAuth-Scopes": "repo, workflow", "GitHub-Authentication-Token-Expiration": "2026-11-27 00:00:00 UTC"}},
		},
		{
			name:   "fine-grained token carries no scopes header",
			token:  &Token{Value: "github_pat_fine", Login: "octocat"},
			send:   "token github_pat_fine",
			method: "HEAD", path: "/",
			want: probe{200, map[string]string{"X-OAuth-Scopes": "", "GitHub-Authentication-Token-Expiration": ""}},
		},
		{
			name:   "unknown token is 401",
			send:   "Bearer ghp_nope",
			method: "GET", path: "/user",
			want: probe{401, map[string]string{"X-OAuth-Scopes": ""}},
		},
		{
			name:   "expired token is 401",
			token:  &Token{Value: "ghp_old", Scopes: []string{"repo"}, ExpiresAt: now.Add(-time.Minute)},
			send:   "Bearer ghp_old",
			method: "GET", path: "/user",
			want: probe{401, nil},
		},
		{
			name:   "no User-Agent is refused",
			token:  &Token{Value: "ghp_classic", Scopes: []string{"repo"}},
			send:   "Bearer ghp_classic",
			method: "GET", path: "/user", noUA: true,
			want: probe{403, nil},
		},
		{
			name:   "anonymous /user needs authentication",
			method: "GET", path: "/user",
			want: probe{401, nil},
		},
		{
			name:   "unknown operation is 404",
			token:  &Token{Value: "ghp_classic", Scopes: []string{"repo"}},
			send:   "Bearer ghp_classic",
			method: "GET", path: "/repos/acme/api/hooks",
			want: probe{404, nil},
		},
		{
			name:   "GHES serves under /api/v3 with its version",
			ghes:   true,
			token:  &Token{Value: "ghp_classic", Login: "octocat", Scopes: []string{"repo"}},
			send:   "Bearer ghp_classic",
			method: "GET", path: "/api/v3/user",
			want: probe{200, map[string]string{"X-GitHub-Enterprise-Version": "3.21.0", "X-OAuth-Scopes": "repo"}},
		},
		{
			name:   "GHES has nothing outside /api/v3",
			ghes:   true,
			token:  &Token{Value: "ghp_classic", Scopes: []string{"repo"}},
			send:   "Bearer ghp_classic",
			method: "GET", path: "/user",
			want: probe{404, nil},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(Options{GHES: tt.ghes, Now: func() time.Time { return now }})
			if tt.token != nil {
				s.AddToken(*tt.token)
			}
			srv, _ := s.Start()
			defer srv.Close()
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
			if tt.send != "" {
				req.Header.Set("Authorization", tt.send)
			}
			if !tt.noUA {
				req.Header.Set("User-Agent", "test")
			} else {
				req.Header.Set("User-Agent", "")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			got := probe{status: resp.StatusCode}
			if tt.want.headers != nil {
				got.headers = map[string]string{}
				for k := range tt.want.headers {
					got.headers[k] = resp.Header.Get(k)
				}
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(probe{})); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
			reqs := s.Requests()
			if len(reqs) != 1 {
				t.Fatalf("emulator recorded %d requests, want 1", len(reqs))
			}
			if wantKnown := tt.want.status != 404; (reqs[0].Operation != "") != wantKnown {
				t.Errorf("recorded operation %q, want known=%v", reqs[0].Operation, wantKnown)
			}
		})
	}
}

func TestAuthorize(t *testing.T) {
	tests := []struct {
		name       string
		token      Token
		path       string
		wantStatus int
		wantHeader map[string]string
	}{
		{"classic reaches any repo", Token{Value: "ghp_a", Scopes: []string{"repo"}}, "/repos/acme/api", 200, nil},
		{"fine-grained granted the repo", Token{Value: "github_pat_a", Repos: []string{"acme/api"}, Permissions: map[string]string{"metadata": "read"}}, "/repos/acme/api", 200, nil},
		{"fine-grained not granted the repo sees 404", Token{Value: "github_pat_a", Repos: []string{"acme/web"}, Permissions: map[string]string{"metadata": "read"}}, "/repos/acme/api", 404, nil},
		{"fine-grained without metadata is 403 with accepted permissions", Token{Value: "github_pat_a", Repos: []string{"acme/api"}}, "/repos/acme/api", 403,
			map[string]string{"X-Accepted-GitHub-Permissions": "metadata=read"}},
		{"missing repository is 404", Token{Value: "ghp_a", Scopes: []string{"repo"}}, "/repos/acme/gone", 404, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(Options{})
			s.AddToken(tt.token)
			s.AddRepo(Repo{Owner: "acme", Name: "api"})
			srv, _ := s.Start()
			defer srv.Close()
			req, _ := http.NewRequest("GET", srv.URL+tt.path, nil)
			req.Header.Set("Authorization", "Bearer "+tt.token.Value)
			req.Header.Set("User-Agent", "test")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			for k, v := range tt.wantHeader {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}
