package emulator

import (
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v45/github"
)

var appNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func rsaKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// appJWT signs an App JWT as an App would: iss the app id, issued a minute
// before now (as GitHub advises against drift), valid for nine more.
func appJWT(t *testing.T, key *rsa.PrivateKey, claims jwt.MapClaims) string {
	t.Helper()
	c := jwt.MapClaims{"iss": 12345, "iat": appNow.Add(-time.Minute).Unix(), "exp": appNow.Add(9 * time.Minute).Unix()}
	for k, v := range claims {
		c[k] = v
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodRS256, c).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// appServer is acme with three repositories and app 12345 installed on it
// (installation 77, on every repository unless repos says otherwise), and
// another app's installation 78 on umbrella.
func appServer(t *testing.T, key *rsa.PrivateKey, repos []string) *Server {
	t.Helper()
	s := New(Options{Now: func() time.Time { return appNow }})
	s.AddRepos("acme", 3, func(i int) Repo { return Repo{Name: []string{"api", "web", "infra"}[i], Private: true} })
	s.AddRepo(Repo{Owner: "umbrella", Name: "corp", Private: true})
	s.AddApp(App{ID: 12345, Slug: "acme-rotator", PublicKey: &key.PublicKey})
	s.AddApp(App{ID: 999, Slug: "other"})
	s.AddInstallation(Installation{ID: 77, AppID: 12345, Account: "acme", Repos: repos,
		Permissions: map[string]string{"contents": "write", "metadata": "read", "pull_requests": "write", "secrets": "write"}})
	s.AddInstallation(Installation{ID: 78, AppID: 999, Account: "umbrella", Permissions: map[string]string{"metadata": "read"}})
	return s
}

func TestAppInstallationToken(t *testing.T) {
	key := rsaKey(t)
	s := appServer(t, key, nil)
	srv, api := s.Start()
	defer srv.Close()
	ctx := testContext(t)
	app := clientFor(t, api, appJWT(t, key, nil))

	a, _, err := app.Apps.Get(ctx, "")
	if err != nil || a.GetSlug() != "acme-rotator" || a.GetID() != 12345 {
		t.Fatalf("GET /app = %v, %v; want acme-rotator", a, err)
	}
	insts, _, err := app.Apps.ListInstallations(ctx, nil)
	if err != nil || len(insts) != 1 || insts[0].GetID() != 77 {
		t.Fatalf("installations = %v, %v; want only 77", insts, err)
	}
	for _, find := range []func() (*github.Installation, *github.Response, error){
		func() (*github.Installation, *github.Response, error) {
			return app.Apps.FindOrganizationInstallation(ctx, "acme")
		},
		func() (*github.Installation, *github.Response, error) {
			return app.Apps.FindRepositoryInstallation(ctx, "acme", "web")
		},
	} {
		in, _, err := find()
		if err != nil || in.GetID() != 77 || in.GetAccount().GetLogin() != "acme" || in.GetRepositorySelection() != "all" {
			t.Errorf("find installation = %v, %v; want 77 on acme, all repositories", in, err)
		}
	}
	if _, resp, _ := app.Apps.FindOrganizationInstallation(ctx, "umbrella"); resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("another app's installation: want 404")
	}

	tok, resp, err := app.Apps.CreateInstallationToken(ctx, 77, &github.InstallationTokenOptions{
		Repositories: []string{"api"},
		Permissions:  &github.InstallationPermissions{Contents: github.String("read")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated || !strings.HasPrefix(tok.GetToken(), "ghs_") || !tok.GetExpiresAt().Equal(appNow.Add(time.Hour)) {
		t.Errorf("minted token: status %d, ghs_ prefix %v, expires %v; want 201, a ghs_ token expiring in an hour",
			resp.StatusCode, strings.HasPrefix(tok.GetToken(), "ghs_"), tok.GetExpiresAt())
	}
	wantPerms := &github.InstallationPermissions{Contents: github.String("read"), Metadata: github.String("read")}
	if diff := cmp.Diff(wantPerms, tok.GetPermissions()); diff != "" {
		t.Errorf("permissions (-want +got):\n%s", diff)
	}
	if len(tok.Repositories) != 1 || tok.Repositories[0].GetFullName() != "acme/api" {
		t.Errorf("token repositories = %v, want acme/api", tok.Repositories)
	}
	if s.MintedTokens() != 1 {
		t.Errorf("MintedTokens = %d, want 1", s.MintedTokens())
	}

	bot := clientFor(t, api, tok.GetToken())
	tests := []struct {
		repo string
		want int
	}{{"api", 200}, {"web", 404}, {"infra", 404}}
	for _, tt := range tests {
		t.Run("installation token on "+tt.repo, func(t *testing.T) {
			_, resp, _ := bot.Repositories.Get(ctx, "acme", tt.repo)
			if resp == nil || resp.StatusCode != tt.want {
				t.Errorf("GET /repos/acme/%s: want %d", tt.repo, tt.want)
			}
		})
	}

	all, _, err := app.Apps.CreateInstallationToken(ctx, 77, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantAll := &github.InstallationPermissions{Contents: github.String("write"), Metadata: github.String("read"), PullRequests: github.String("write"), Secrets: github.String("write")}
	if diff := cmp.Diff(wantAll, all.GetPermissions()); diff != "" {
		t.Errorf("unnarrowed permissions (-want +got):\n%s", diff)
	}
	if _, resp, _ := clientFor(t, api, all.GetToken()).Repositories.Get(ctx, "acme", "infra"); resp == nil || resp.StatusCode != http.StatusOK {
		t.Errorf("an unnarrowed token of an all-repositories installation must reach acme/infra")
	}
}

func TestAppJWTRefusals(t *testing.T) {
	key, other := rsaKey(t), rsaKey(t)
	hs, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": 12345, "iat": appNow.Unix(), "exp": appNow.Add(5 * time.Minute).Unix()}).SignedString([]byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		auth     string
		path     string
		wantCode int
		wantMsg  string
	}{
		{"valid", appJWT(t, key, nil), "/app", 200, ""},
		{"iss as a string", appJWT(t, key, jwt.MapClaims{"iss": "12345"}), "/app", 200, ""},
		{"within the clock skew", appJWT(t, key, jwt.MapClaims{"iat": appNow.Add(30 * time.Second).Unix(), "exp": appNow.Add(10 * time.Minute).Unix()}), "/app", 200, ""},
		{"expired", appJWT(t, key, jwt.MapClaims{"iat": appNow.Add(-20 * time.Minute).Unix(), "exp": appNow.Add(-10 * time.Minute).Unix()}), "/app", 401, "'Expiration time' claim ('exp') must be a numeric value"},
		{"lives over ten minutes", appJWT(t, key, jwt.MapClaims{"iat": appNow.Unix(), "exp": appNow.Add(11 * time.Minute).Unix()}), "/app", 401, "'Expiration time' claim ('exp') is too far in the future"},
		{"issued in the future", appJWT(t, key, jwt.MapClaims{"iat": appNow.Add(5 * time.Minute).Unix(), "exp": appNow.Add(9 * time.Minute).Unix()}), "/app", 401, "'Issued at' claim ('iat')"},
		{"no exp", appJWT(t, key, jwt.MapClaims{"exp": nil}), "/app", 401, "'Expiration time' claim ('exp') must be a numeric value"},
		{"wrong key", appJWT(t, other, nil), "/app", 401, "A JSON web token could not be decoded"},
		{"unknown app", appJWT(t, key, jwt.MapClaims{"iss": 4242}), "/app", 401, "A JSON web token could not be decoded"},
		{"HS256", hs, "/app", 401, "A JSON web token could not be decoded"},
		{"garbage", "aaa.bbb.ccc", "/app", 401, "A JSON web token could not be decoded"},
		{"a personal access token", "ghp_a", "/app", 401, "A JSON web token could not be decoded"},
		{"an unknown token", "ghp_nope", "/app", 401, "Bad credentials"},
		{"a JWT elsewhere", appJWT(t, key, nil), "/repos/acme/api", 401, "Bad credentials"},
		{"a JWT minting", appJWT(t, other, nil), "/app/installations/77/access_tokens", 401, "A JSON web token could not be decoded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := appServer(t, key, nil)
			s.AddToken(Token{Value: "ghp_a", Scopes: []string{"repo"}})
			c := startGitHub(t, s, tt.auth)
			method := "GET"
			if strings.HasSuffix(tt.path, "access_tokens") {
				method = "POST"
			}
			req, err := c.NewRequest(method, strings.TrimPrefix(tt.path, "/"), nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := c.Do(testContext(t), req, nil)
			if resp == nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantCode {
				t.Errorf("status = %d (%v), want %d", resp.StatusCode, err, tt.wantCode)
			}
			if tt.wantMsg != "" && (err == nil || !strings.Contains(err.Error(), tt.wantMsg)) {
				t.Errorf("error = %v, want one saying %q", err, tt.wantMsg)
			}
			if s.MintedTokens() != 0 {
				t.Errorf("MintedTokens = %d, want 0", s.MintedTokens())
			}
		})
	}
}

func TestInstallationTokenRefusals(t *testing.T) {
	key := rsaKey(t)
	jwtAuth := appJWT(t, key, nil)
	// Ids are given in order from 1001: acme/api, acme/web, acme/infra.
	tests := []struct {
		name         string
		installRepos []string
		installation int64
		opts         *github.InstallationTokenOptions
		wantCode     int
		wantMsg      string
	}{
		{"a higher level than granted", nil, 77, &github.InstallationTokenOptions{Permissions: &github.InstallationPermissions{Contents: github.String("admin")}}, 422, "The permissions requested are not granted to this installation."},
		{"a permission not granted", nil, 77, &github.InstallationTokenOptions{Permissions: &github.InstallationPermissions{Administration: github.String("write")}}, 422, "The permissions requested are not granted to this installation."},
		{"a repository that does not exist", nil, 77, &github.InstallationTokenOptions{Repositories: []string{"nope"}}, 422, "not accessible to the parent installation"},
		{"a repository not selected", []string{"acme/api"}, 77, &github.InstallationTokenOptions{Repositories: []string{"api", "web"}}, 422, "not accessible to the parent installation"},
		{"a repository id not selected", []string{"acme/api"}, 77, &github.InstallationTokenOptions{RepositoryIDs: []int64{1002}}, 422, "not accessible to the parent installation"},
		{"a repository id selected", []string{"acme/web"}, 77, &github.InstallationTokenOptions{RepositoryIDs: []int64{1002}}, 201, ""},
		{"another app's installation", nil, 78, nil, 404, "Not Found"},
		{"no such installation", nil, 5, nil, 404, "Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := appServer(t, key, tt.installRepos)
			c := startGitHub(t, s, jwtAuth)
			_, resp, err := c.Apps.CreateInstallationToken(testContext(t), tt.installation, tt.opts)
			if resp == nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantCode {
				t.Errorf("status = %d (%v), want %d", resp.StatusCode, err, tt.wantCode)
			}
			if tt.wantMsg != "" && (err == nil || !strings.Contains(err.Error(), tt.wantMsg)) {
				t.Errorf("error = %v, want one saying %q", err, tt.wantMsg)
			}
			if want := map[bool]int{true: 1}[tt.wantCode == 201]; s.MintedTokens() != want {
				t.Errorf("MintedTokens = %d, want %d", s.MintedTokens(), want)
			}
		})
	}
}
