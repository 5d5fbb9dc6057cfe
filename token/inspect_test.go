package token

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v45/github"
)

// request is what the test server saw.
type request struct {
	Method, Path string
}

// server is a one-test GitHub stand-in: it answers every request with
// status, headers and body, and records what it received.
type server struct {
	mu   sync.Mutex
	seen []request
}

func (s *server) requests() []request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]request(nil), s.seen...)
}

// newServer starts a server under prefix ("/" or "/api/v3/") and returns a
// go-github client pointed at it.
func newServer(t *testing.T, prefix string, status int, header map[string]string, body string) (*github.Client, *server) {
	t.Helper()
	s := &server{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.seen = append(s.seen, request{r.Method, r.URL.Path})
		s.mu.Unlock()
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		if r.Method != http.MethodHead {
			_, _ = w.Write([]byte(body))
		}
	})
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	c := github.NewClient(nil)
	u, err := url.Parse(ts.URL + prefix)
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL = u
	return c, s
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func timePtr(t time.Time) *time.Time { return &t }

func TestInspect(t *testing.T) {
	const (
		classicTok = "ghp_Q7w9E2r4T6y8U0i1O3p5A7s9D1f3G5h7J9k1"
		fineTok    = "github_pat_11AAAAAAA0_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
		legacyTok  = "0123456789abcdef0123456789abcdef01234567"
	)
	userBody := `{"login":"octocat","id":1}`
	tests := []struct {
		name      string
		prefix    string
		tok       string
		wantLogin bool
		status    int
		header    map[string]string
		body      string
		want      Info
		wantReq   request
	}{
		{
			name: "classic with scopes and afternoon expiry", prefix: "/", tok: classicTok, wantLogin: true,
			status: 200, body: userBody,
			header: map[string]string{
				"X-OAuth-Scopes":                         "repo, workflow",
				"GitHub-Authentication-Token-Expiration": "2026-12-01 15:04:05 UTC",
			},
			want: Info{
				Type: Classic, Login: "octocat", Scopes: []string{"repo", "workflow"}, HasScopes: true,
				ExpiresAt: timePtr(time.Date(2026, 12, 1, 15, 4, 5, 0, time.UTC)),
			},
			wantReq: request{"GET", "/user"},
		},
		{
			name: "classic with empty scopes header, never expires", prefix: "/", tok: classicTok, wantLogin: true,
			status: 200, body: userBody,
			header:  map[string]string{"X-OAuth-Scopes": ""},
			want:    Info{Type: Classic, Login: "octocat", Scopes: []string{}, HasScopes: true},
			wantReq: request{"GET", "/user"},
		},
		{
			name: "fine-grained without scopes header, offset expiry", prefix: "/", tok: fineTok, wantLogin: true,
			status: 200, body: userBody,
			header: map[string]string{"GitHub-Authentication-Token-Expiration": "2026-12-01 10:00:00 +0900"},
			want: Info{
				Type: FineGrained, Login: "octocat", Scopes: []string{},
				ExpiresAt: timePtr(time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)),
			},
			wantReq: request{"GET", "/user"},
		},
		{
			name: "legacy token with scopes header", prefix: "/", tok: legacyTok, wantLogin: true,
			status: 200, body: userBody,
			header:  map[string]string{"X-OAuth-Scopes": "repo"},
			want:    Info{Type: Classic, Legacy: true, Login: "octocat", Scopes: []string{"repo"}, HasScopes: true},
			wantReq: request{"GET", "/user"},
		},
		{
			name: "legacy token without scopes header", prefix: "/", tok: legacyTok, wantLogin: true,
			status: 200, body: userBody,
			want:    Info{Type: Classic, Legacy: true, Login: "octocat", Scopes: []string{}},
			wantReq: request{"GET", "/user"},
		},
		{
			name: "HEAD mode", prefix: "/", tok: jwtApp(), wantLogin: false,
			status: 200,
			header: map[string]string{"GitHub-Authentication-Token-Expiration": "2026-12-01 16:00:00 UTC"},
			want: Info{
				Type: App, Scopes: []string{},
				ExpiresAt: timePtr(time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)),
			},
			wantReq: request{"HEAD", "/"},
		},
		{
			name: "GHES GET user", prefix: "/api/v3/", tok: classicTok, wantLogin: true,
			status: 200, body: userBody,
			header: map[string]string{"X-OAuth-Scopes": "repo", "X-GitHub-Enterprise-Version": "3.21.0"},
			want: Info{
				Type: Classic, Login: "octocat", Scopes: []string{"repo"}, HasScopes: true,
				EnterpriseVersion: "3.21.0",
			},
			wantReq: request{"GET", "/api/v3/user"},
		},
		{
			name: "GHES HEAD", prefix: "/api/v3/", tok: fineTok, wantLogin: false,
			status:  200,
			header:  map[string]string{"X-GitHub-Enterprise-Version": "3.21.0"},
			want:    Info{Type: FineGrained, Scopes: []string{}, EnterpriseVersion: "3.21.0"},
			wantReq: request{"HEAD", "/api/v3/"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := newServer(t, tt.prefix, tt.status, tt.header, tt.body)
			got, err := Inspect(testContext(t), c, tt.tok, tt.wantLogin)
			if err != nil {
				t.Fatalf("Inspect: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Inspect mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]request{tt.wantReq}, s.requests()); diff != "" {
				t.Errorf("requests mismatch; want exactly one (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInspectErrors(t *testing.T) {
	const tok = "ghp_Q7w9E2r4T6y8U0i1O3p5A7s9D1f3G5h7J9k1"
	tests := []struct {
		name        string
		wantLogin   bool
		status      int
		header      map[string]string
		body        string
		wantInvalid bool
		wantMsg     []string
	}{
		{
			name: "401", wantLogin: true, status: 401, body: `{"message":"Bad credentials"}`,
			wantInvalid: true, wantMsg: []string{"inspect token: ", "invalid, expired or revoked token", "/user"},
		},
		{
			name: "401 HEAD", wantLogin: false, status: 401,
			wantInvalid: true, wantMsg: []string{"inspect token: ", "invalid, expired or revoked token"},
		},
		{
			name: "403 with accepted permissions and scopes", wantLogin: true, status: 403,
			body: `{"message":"Resource not accessible by integration"}`,
			header: map[string]string{
				"X-Accepted-GitHub-Permissions": "metadata=read",
				"X-Accepted-OAuth-Scopes":       "read:user",
			},
			wantMsg: []string{
				"inspect token: ", "403", "accepted permissions: metadata=read",
				"accepted OAuth scopes: read:user", "Resource not accessible by integration",
			},
		},
		{
			name: "403 without accepted headers", wantLogin: true, status: 403,
			body:    `{"message":"Forbidden"}`,
			wantMsg: []string{"inspect token: forbidden (403)", "Forbidden"},
		},
		{
			name: "500", wantLogin: true, status: 500, body: `{"message":"oops"}`,
			wantMsg: []string{"inspect token: ", "500", "oops"},
		},
		{
			name: "bad expiration header", wantLogin: true, status: 200, body: `{"login":"octocat"}`,
			header:  map[string]string{"GitHub-Authentication-Token-Expiration": "soon"},
			wantMsg: []string{"inspect token: ", `token expiration "soon"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := newServer(t, "/", tt.status, tt.header, tt.body)
			_, err := Inspect(testContext(t), c, tok, tt.wantLogin)
			if err == nil {
				t.Fatal("Inspect succeeded; want an error")
			}
			if got := errors.Is(err, ErrInvalid); got != tt.wantInvalid {
				t.Errorf("errors.Is(err, ErrInvalid) = %v; want %v (err: %v)", got, tt.wantInvalid, err)
			}
			for _, m := range tt.wantMsg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not contain %q", err, m)
				}
			}
			if strings.Contains(err.Error(), tok[4:]) {
				t.Error("error contains the token")
			}
			if n := len(s.requests()); n != 1 {
				t.Errorf("server saw %d requests; want 1", n)
			}
		})
	}
}

func TestReach(t *testing.T) {
	tests := []struct {
		name        string
		prefix      string
		owner, repo string
		status      int
		header      map[string]string
		wantPath    string // empty: no request expected
		wantErr     []string
		wantInvalid bool
	}{
		{name: "ok", prefix: "/", owner: "acme", repo: "api", status: 200, wantPath: "/repos/acme/api"},
		{name: "GHES ok", prefix: "/api/v3/", owner: "acme", repo: "api", status: 200, wantPath: "/api/v3/repos/acme/api"},
		{
			name: "not found", prefix: "/", owner: "acme", repo: "secret", status: 404, wantPath: "/repos/acme/secret",
			wantErr: []string{"cannot reach acme/secret: not found or no access (404)"},
		},
		{
			name: "forbidden", prefix: "/", owner: "acme", repo: "api", status: 403, wantPath: "/repos/acme/api",
			header:  map[string]string{"X-Accepted-GitHub-Permissions": "metadata=read"},
			wantErr: []string{"cannot reach acme/api: forbidden (403); accepted permissions: metadata=read"},
		},
		{
			name: "bad credentials", prefix: "/", owner: "acme", repo: "api", status: 401, wantPath: "/repos/acme/api",
			wantErr: []string{"cannot reach acme/api: ", "invalid, expired or revoked token"}, wantInvalid: true,
		},
		{name: "empty owner", prefix: "/", owner: "", repo: "api", status: 200, wantErr: []string{"want owner/repo"}},
		{name: "slash in repo", prefix: "/", owner: "acme", repo: "a/b", status: 200, wantErr: []string{"want owner/repo"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := newServer(t, tt.prefix, tt.status, tt.header, `{"message":"x"}`)
			err := Reach(testContext(t), c, tt.owner, tt.repo)
			var want []request
			if tt.wantPath != "" {
				want = []request{{"GET", tt.wantPath}}
			}
			if diff := cmp.Diff(want, s.requests()); diff != "" {
				t.Errorf("requests mismatch (-want +got):\n%s", diff)
			}
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("Reach: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Reach succeeded; want an error")
			}
			for _, m := range tt.wantErr {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not contain %q", err, m)
				}
			}
			if got := errors.Is(err, ErrInvalid); got != tt.wantInvalid {
				t.Errorf("errors.Is(err, ErrInvalid) = %v; want %v", got, tt.wantInvalid)
			}
		})
	}
}
