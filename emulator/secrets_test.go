package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v45/github"
)

const adminToken = "ghp_admin"

// fixture is an emulated GitHub with organization acme, its repositories
// api (environments production and prod/us), web and lib, another owner's
// repository, and a classic token that may do everything.
type fixture struct {
	s                 *Server
	api               string // API base URL
	apiID, webID, lib int64
	otherID           int64
}

func newFixture(t *testing.T, opts Options) *fixture {
	t.Helper()
	s := New(opts)
	s.AddOrg("acme")
	s.AddToken(Token{Value: adminToken, Login: "octocat", Scopes: []string{"repo", "admin:org"}})
	f := &fixture{s: s}
	f.apiID = s.AddRepo(Repo{Owner: "acme", Name: "api", Environments: []string{"production", "prod/us"}})
	f.webID = s.AddRepo(Repo{Owner: "acme", Name: "web", Private: true})
	f.lib = s.AddRepo(Repo{Owner: "acme", Name: "lib"})
	f.otherID = s.AddRepo(Repo{Owner: "octocat", Name: "hello"})
	srv, api := s.Start()
	t.Cleanup(srv.Close)
	f.api = api
	return f
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends method path (relative to the API base, no leading slash) with
// token and body as JSON.
func (f *fixture) do(t *testing.T, method, path, token string, body any) response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, f.api+"/"+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", "pat-action-test")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, b}
}

// sealed fetches the target's public key and seals value for it, returning
// the PUT body.
func (f *fixture) sealed(t *testing.T, tg testTarget, value []byte) map[string]any {
	t.Helper()
	resp := f.do(t, "GET", tg.PublicKeyPath(), adminToken, nil)
	if resp.status != 200 {
		t.Fatalf("GET %s: status %d", tg.PublicKeyPath(), resp.status)
	}
	var key struct {
		KeyID json.RawMessage `json:"key_id"`
		Key   string          `json:"key"`
	}
	if err := json.Unmarshal(resp.body, &key); err != nil {
		t.Fatal(err)
	}
	body := map[string]any{"encrypted_value": seal(t, key.Key, value), "key_id": key.KeyID}
	if tg.Scope == orgLevel {
		body["visibility"] = tg.Visibility
	}
	return body
}

func targets(ghes bool) []testTarget {
	out := []testTarget{
		{Scope: repoLevel, Owner: "acme", Repo: "api"},
		{Scope: envLevel, Owner: "acme", Repo: "api", Environment: "production"},
		{Scope: envLevel, Owner: "acme", Repo: "api", Environment: "prod/us"},
		{Scope: orgLevel, Org: "acme", Visibility: "all"},
		{Kind: dependabotKind, Scope: repoLevel, Owner: "acme", Repo: "api"},
		{Kind: dependabotKind, Scope: orgLevel, Org: "acme", Visibility: "private"},
	}
	if !ghes {
		out = append(out,
			testTarget{Kind: codespacesKind, Scope: repoLevel, Owner: "acme", Repo: "api"},
			testTarget{Kind: codespacesKind, Scope: orgLevel, Org: "acme", Visibility: "all"},
			testTarget{Kind: agentsKind, Scope: repoLevel, Owner: "acme", Repo: "api"},
			testTarget{Kind: agentsKind, Scope: orgLevel, Org: "acme", Visibility: "private"},
		)
	}
	return out
}

// Every kind of secret round-trips: sealed for the served key, created (201),
// updated (204), read back as plaintext, listed, and deleted.
func TestSecretsRoundTrip(t *testing.T) {
	for _, ghes := range []bool{false, true} {
		for _, tg := range targets(ghes) {
			name := tg.String()
			if ghes {
				name = "ghes/" + name
			}
			t.Run(name, func(t *testing.T) {
				now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
				f := newFixture(t, Options{GHES: ghes, Now: func() time.Time { return now }})
				path := tg.SecretPath("Deploy_Key")
				for i, want := range []int{201, 204} {
					value := []byte("value-" + string(rune('a'+i)))
					if got := f.do(t, "PUT", path, adminToken, f.sealed(t, tg, value)).status; got != want {
						t.Fatalf("PUT %s #%d: status %d, want %d", path, i+1, got, want)
					}
					got, ok := f.s.SecretValue(tg.String(), "deploy_key")
					if !ok || !bytes.Equal(got, value) {
						t.Fatalf("%s: stored value after PUT #%d is not what was sealed (found %v)", tg, i+1, ok)
					}
				}
				if diff := cmp.Diff([]string{"DEPLOY_KEY"}, f.s.SecretNames(tg.String())); diff != "" {
					t.Errorf("SecretNames (-want +got):\n%s", diff)
				}
				if at, ok := f.s.SecretUpdatedAt(tg.String(), "DEPLOY_KEY"); !ok || !at.Equal(now) {
					t.Errorf("SecretUpdatedAt = %v, %v; want %v", at, ok, now)
				}

				resp := f.do(t, "GET", path, adminToken, nil)
				var one map[string]any
				_ = json.Unmarshal(resp.body, &one)
				want := map[string]any{"name": "DEPLOY_KEY", "created_at": "2026-03-01T12:00:00Z", "updated_at": "2026-03-01T12:00:00Z"}
				if tg.Scope == orgLevel {
					want["visibility"] = tg.Visibility
				}
				if diff := cmp.Diff(want, one); resp.status != 200 || diff != "" {
					t.Errorf("GET %s: status %d, body (-want +got):\n%s", path, resp.status, diff)
				}

				resp = f.do(t, "GET", tg.SecretsListPath(), adminToken, nil)
				var list struct {
					TotalCount int `json:"total_count"`
					Secrets    []struct {
						Name string `json:"name"`
					} `json:"secrets"`
				}
				_ = json.Unmarshal(resp.body, &list)
				if resp.status != 200 || list.TotalCount != 1 || len(list.Secrets) != 1 || list.Secrets[0].Name != "DEPLOY_KEY" {
					t.Errorf("GET %s: status %d, %+v", tg.SecretsListPath(), resp.status, list)
				}

				for _, want := range []int{204, 404} {
					if got := f.do(t, "DELETE", path, adminToken, nil).status; got != want {
						t.Errorf("DELETE %s: status %d, want %d", path, got, want)
					}
				}
				if _, ok := f.s.SecretValue(tg.String(), "DEPLOY_KEY"); ok {
					t.Errorf("%s: secret still stored after DELETE", tg)
				}
				if unknown := f.s.Unknown(); len(unknown) > 0 {
					t.Errorf("requests to no operation: %v", unknown)
				}
			})
		}
	}
}

// go-github's own helpers work against the emulator.
func TestSecretsWithGoGitHub(t *testing.T) {
	f := newFixture(t, Options{})
	ctx := context.Background()
	c := github.NewClient(&http.Client{Transport: bearer{adminToken}})
	base, err := url.Parse(f.api + "/")
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL = base
	key, _, err := c.Actions.GetRepoPublicKey(ctx, "acme", "api")
	if err != nil {
		t.Fatal(err)
	}
	enc := seal(t, key.GetKey(), []byte("s3cret"))
	resp, err := c.Actions.CreateOrUpdateRepoSecret(ctx, "acme", "api", &github.EncryptedSecret{Name: "TOKEN", KeyID: key.GetKeyID(), EncryptedValue: enc})
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("CreateOrUpdateRepoSecret: %v (status %v)", err, resp)
	}
	if got, ok := f.s.SecretValue("repo:acme/api", "TOKEN"); !ok || !bytes.Equal(got, []byte("s3cret")) {
		t.Error("repo:acme/api TOKEN is not the value go-github sealed")
	}
	list, _, err := c.Actions.ListRepoSecrets(ctx, "acme", "api", nil)
	if err != nil || list.TotalCount != 1 || list.Secrets[0].Name != "TOKEN" {
		t.Errorf("ListRepoSecrets = %+v, %v", list, err)
	}
}

// A numeric key_id, as some GHES versions send it, still round-trips.
func TestNumericKeyID(t *testing.T) {
	f := newFixture(t, Options{NumericKeyID: true})
	tg := testTarget{Scope: repoLevel, Owner: "acme", Repo: "api"}
	resp := f.do(t, "GET", tg.PublicKeyPath(), adminToken, nil)
	var raw map[string]json.RawMessage
	_ = json.Unmarshal(resp.body, &raw)
	if id := raw["key_id"]; len(id) == 0 || id[0] == '"' {
		t.Fatalf("key_id = %s, want a JSON number", id)
	}
	if got := f.do(t, "PUT", tg.SecretPath("X"), adminToken, f.sealed(t, tg, []byte("v"))).status; got != 201 {
		t.Errorf("PUT with a numeric key id: status %d, want 201", got)
	}
}

func TestSecretPutRefusals(t *testing.T) {
	repo := testTarget{Scope: repoLevel, Owner: "acme", Repo: "api"}
	org := testTarget{Scope: orgLevel, Org: "acme", Visibility: "private"}
	tests := []struct {
		name   string
		tg     testTarget
		secret string
		edit   func(f *fixture, body map[string]any)
		want   int
	}{
		{"bad box", repo, "X", func(f *fixture, b map[string]any) { b["encrypted_value"] = "AAAA" + b["encrypted_value"].(string)[4:] }, 422},
		{"not base64", repo, "X", func(f *fixture, b map[string]any) { b["encrypted_value"] = "!!" }, 422},
		{"unknown key id", repo, "X", func(f *fixture, b map[string]any) { b["key_id"] = "1" }, 422},
		{"rotated key", repo, "X", func(f *fixture, b map[string]any) { f.s.RotateKey(repo.String()) }, 422},
		{"no value", repo, "X", func(f *fixture, b map[string]any) { delete(b, "encrypted_value") }, 422},
		{"name with a dash", repo, "MY-KEY", nil, 422},
		{"name starting with a digit", repo, "1KEY", nil, 422},
		{"reserved name", repo, "github_token", nil, 422},
		{"org without visibility", org, "X", func(f *fixture, b map[string]any) { delete(b, "visibility") }, 422},
		{"org with unknown visibility", org, "X", func(f *fixture, b map[string]any) { b["visibility"] = "public" }, 422},
		{"org with ids but not selected", org, "X", func(f *fixture, b map[string]any) { b["selected_repository_ids"] = []int64{f.apiID} }, 422},
		{"org selecting another owner's repository", org, "X", func(f *fixture, b map[string]any) {
			b["visibility"], b["selected_repository_ids"] = "selected", []int64{f.otherID}
		}, 422},
		{"environment that does not exist", testTarget{Scope: envLevel, Owner: "acme", Repo: "api", Environment: "staging"}, "X", nil, 404},
		{"repository that does not exist", testTarget{Scope: repoLevel, Owner: "acme", Repo: "gone"}, "X", nil, 404},
		{"organization that does not exist", testTarget{Scope: orgLevel, Org: "nope", Visibility: "all"}, "X", nil, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, Options{})
			keyTarget := tt.tg
			if tt.want == 404 { // no key to fetch: seal for any key
				keyTarget = repo
			}
			body := f.sealed(t, keyTarget, []byte("value"))
			if tt.tg.Scope == orgLevel {
				body["visibility"] = tt.tg.Visibility
			}
			if tt.edit != nil {
				tt.edit(f, body)
			}
			resp := f.do(t, "PUT", tt.tg.SecretPath(tt.secret), adminToken, body)
			if resp.status != tt.want {
				t.Errorf("PUT: status %d, want %d (%s)", resp.status, tt.want, resp.body)
			}
			if tt.want == 422 && !bytes.Contains(resp.body, []byte("request")) {
				t.Errorf("422 message %s does not say the request is bad", resp.body)
			}
			if names := f.s.SecretNames(tt.tg.String()); len(names) != 0 {
				t.Errorf("stored %v after a refused PUT", names)
			}
		})
	}
}

func TestSecretSizeAndCountLimits(t *testing.T) {
	tests := []struct {
		name  string
		tg    testTarget
		seed  int // secrets already there
		value int // bytes
		want  int
	}{
		{"48 KB value", testTarget{Scope: repoLevel, Owner: "acme", Repo: "api"}, 0, 48 * 1024, 201},
		{"value over 48 KB", testTarget{Scope: repoLevel, Owner: "acme", Repo: "api"}, 0, 48*1024 + 1, 422},
		{"100th repository secret", testTarget{Scope: repoLevel, Owner: "acme", Repo: "api"}, 99, 1, 201},
		{"101st repository secret", testTarget{Scope: repoLevel, Owner: "acme", Repo: "api"}, 100, 1, 422},
		{"101st environment secret", testTarget{Scope: envLevel, Owner: "acme", Repo: "api", Environment: "production"}, 100, 1, 422},
		{"101st dependabot secret", testTarget{Kind: dependabotKind, Scope: repoLevel, Owner: "acme", Repo: "api"}, 100, 1, 422},
		{"1,000th organization secret", testTarget{Scope: orgLevel, Org: "acme", Visibility: "all"}, 999, 1, 201},
		{"1,001st organization secret", testTarget{Scope: orgLevel, Org: "acme", Visibility: "all"}, 1000, 1, 422},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, Options{})
			for i := range tt.seed {
				f.s.SetSecret(tt.tg.String(), "S"+itoa(i), []byte("v"), time.Now())
			}
			if n := len(f.s.SecretNames(tt.tg.String())); n != tt.seed {
				t.Fatalf("seeded %d secrets, want %d", n, tt.seed)
			}
			body := f.sealed(t, tt.tg, bytes.Repeat([]byte("x"), tt.value))
			if got := f.do(t, "PUT", tt.tg.SecretPath("NEW"), adminToken, body).status; got != tt.want {
				t.Errorf("PUT: status %d, want %d", got, tt.want)
			}
			// Updating an existing secret is never refused for the count.
			if tt.seed > 0 {
				body := f.sealed(t, tt.tg, []byte("v2"))
				name := f.s.SecretNames(tt.tg.String())[0]
				if got := f.do(t, "PUT", tt.tg.SecretPath(name), adminToken, body).status; got != 204 {
					t.Errorf("PUT of existing %s: status %d, want 204", name, got)
				}
			}
		})
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestOrgSecretVisibility(t *testing.T) {
	f := newFixture(t, Options{})
	tg := testTarget{Scope: orgLevel, Org: "acme", Visibility: "selected"}
	body := f.sealed(t, tg, []byte("v"))
	body["selected_repository_ids"] = []int64{f.webID, f.apiID}
	if got := f.do(t, "PUT", tg.SecretPath("SHARED"), adminToken, body).status; got != 201 {
		t.Fatalf("PUT selected: status %d", got)
	}
	check := func(step, wantVis string, wantIDs []int64) {
		t.Helper()
		vis, ids := f.s.OrgSecretRepos("org:acme", "SHARED")
		if diff := cmp.Diff(wantVis+" "+jsonString(wantIDs), vis+" "+jsonString(ids)); diff != "" {
			t.Errorf("after %s: visibility and ids (-want +got):\n%s", step, diff)
		}
	}
	check("PUT", "selected", []int64{f.apiID, f.webID})

	resp := f.do(t, "GET", tg.SecretPath("SHARED"), adminToken, nil)
	var got map[string]any
	_ = json.Unmarshal(resp.body, &got)
	if url, _ := got["selected_repositories_url"].(string); !strings.HasSuffix(url, "/orgs/acme/actions/secrets/SHARED/repositories") || got["visibility"] != "selected" {
		t.Errorf("GET secret = %v", got)
	}

	steps := []struct {
		name, method, path string
		body               any
		want               int
		wantVis            string
		wantIDs            []int64
	}{
		{"set repositories", "PUT", "/repositories", map[string]any{"selected_repository_ids": []int64{f.lib}}, 204, "selected", []int64{f.lib}},
		{"add a repository", "PUT", "/repositories/" + itoa(int(f.apiID)), nil, 204, "selected", []int64{f.apiID, f.lib}},
		{"add it again", "PUT", "/repositories/" + itoa(int(f.apiID)), nil, 204, "selected", []int64{f.apiID, f.lib}},
		{"add another owner's repository", "PUT", "/repositories/" + itoa(int(f.otherID)), nil, 422, "selected", []int64{f.apiID, f.lib}},
		{"remove a repository", "DELETE", "/repositories/" + itoa(int(f.lib)), nil, 204, "selected", []int64{f.apiID}},
	}
	for _, st := range steps {
		if got := f.do(t, st.method, tg.SecretPath("SHARED")+st.path, adminToken, st.body).status; got != st.want {
			t.Errorf("%s: status %d, want %d", st.name, got, st.want)
		}
		check(st.name, st.wantVis, st.wantIDs)
	}

	resp = f.do(t, "GET", tg.SecretPath("SHARED")+"/repositories", adminToken, nil)
	var repos struct {
		TotalCount   int `json:"total_count"`
		Repositories []struct {
			FullName string `json:"full_name"`
		} `json:"repositories"`
	}
	_ = json.Unmarshal(resp.body, &repos)
	if repos.TotalCount != 1 || len(repos.Repositories) != 1 || repos.Repositories[0].FullName != "acme/api" {
		t.Errorf("GET repositories = %+v", repos)
	}

	// Visibility changes without resending the value; then repositories
	// cannot be selected.
	if got := f.do(t, "PUT", tg.SecretPath("SHARED"), adminToken, map[string]any{"visibility": "private"}).status; got != 204 {
		t.Errorf("PUT visibility private without a value: status %d, want 204", got)
	}
	check("visibility private", "private", []int64{})
	for _, m := range []string{"PUT", "DELETE"} {
		if got := f.do(t, m, tg.SecretPath("SHARED")+"/repositories/"+itoa(int(f.apiID)), adminToken, nil).status; got != 409 {
			t.Errorf("%s repository of a private secret: status %d, want 409", m, got)
		}
	}
	if got := f.do(t, "PUT", tg.SecretPath("SHARED")+"/repositories", adminToken, map[string]any{"selected_repository_ids": []int64{f.apiID}}).status; got != 409 {
		t.Errorf("set repositories of a private secret: status %d, want 409", got)
	}
	if v, ok := f.s.SecretValue("org:acme", "SHARED"); !ok || !bytes.Equal(v, []byte("v")) {
		t.Error("org:acme SHARED lost its value when its visibility changed")
	}
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	if string(b) == "null" {
		return "[]"
	}
	return string(b)
}

func TestSecretsPagination(t *testing.T) {
	f := newFixture(t, Options{})
	for i := range 5 {
		f.s.SetSecret("repo:acme/api", "S"+itoa(i), []byte("v"), time.Now())
	}
	var names []string
	path := "repos/acme/api/actions/secrets?per_page=2"
	for page := 1; path != ""; page++ {
		resp := f.do(t, "GET", path, adminToken, nil)
		var list struct {
			TotalCount int                     `json:"total_count"`
			Secrets    []struct{ Name string } `json:"secrets"`
		}
		_ = json.Unmarshal(resp.body, &list)
		if list.TotalCount != 5 {
			t.Errorf("page %d: total_count %d, want 5", page, list.TotalCount)
		}
		for _, s := range list.Secrets {
			names = append(names, s.Name)
		}
		path = ""
		for _, l := range strings.Split(resp.header.Get("Link"), ",") {
			if u, ok := strings.CutSuffix(strings.TrimSpace(l), `>; rel="next"`); ok {
				path = strings.TrimPrefix(strings.TrimPrefix(u, "<"), f.api+"/")
			}
		}
		if page > 5 {
			t.Fatal("pagination does not end")
		}
	}
	if diff := cmp.Diff([]string{"S0", "S1", "S2", "S3", "S4"}, names); diff != "" {
		t.Errorf("names over all pages (-want +got):\n%s", diff)
	}
}

func TestSecretsAccess(t *testing.T) {
	tests := []struct {
		name       string
		token      Token
		method     string
		path       string
		want       int
		wantHeader map[string]string
	}{
		{"classic without repo scope", Token{Value: "ghp_w", Scopes: []string{"workflow"}}, "GET", "repos/acme/api/actions/secrets/public-key", 403,
			map[string]string{"X-Accepted-OAuth-Scopes": "repo"}},
		{"classic without admin:org", Token{Value: "ghp_r", Scopes: []string{"repo"}}, "GET", "orgs/acme/actions/secrets/public-key", 403,
			map[string]string{"X-Accepted-OAuth-Scopes": "admin:org"}},
		{"classic with admin:org", Token{Value: "ghp_o", Scopes: []string{"admin:org"}}, "GET", "orgs/acme/dependabot/secrets", 200, nil},
		{"fine-grained reads with secrets=read", Token{Value: "github_pat_r", Repos: []string{"acme/api"}, Permissions: map[string]string{"secrets": "read"}}, "GET", "repos/acme/api/actions/secrets", 200, nil},
		{"fine-grained writes only with secrets=write", Token{Value: "github_pat_r", Repos: []string{"acme/api"}, Permissions: map[string]string{"secrets": "read"}}, "DELETE", "repos/acme/api/actions/secrets/X", 403,
			map[string]string{"X-Accepted-GitHub-Permissions": "secrets=write"}},
		{"fine-grained environment secrets", Token{Value: "github_pat_e", Repos: []string{"acme/api"}}, "GET", "repos/acme/api/environments/production/secrets/public-key", 403,
			map[string]string{"X-Accepted-GitHub-Permissions": "secrets=read,environments=read"}},
		{"fine-grained environment secrets with secrets alone", Token{Value: "github_pat_e", Repos: []string{"acme/api"}, Permissions: map[string]string{"secrets": "write"}}, "PUT", "repos/acme/api/environments/production/secrets/X", 403,
			map[string]string{"X-Accepted-GitHub-Permissions": "secrets=write,environments=write"}},
		{"fine-grained environment secrets with both", Token{Value: "github_pat_e", Repos: []string{"acme/api"}, Permissions: map[string]string{"secrets": "read", "environments": "read"}}, "GET", "repos/acme/api/environments/production/secrets/public-key", 200, nil},
		{"fine-grained dependabot", Token{Value: "github_pat_d", Repos: []string{"acme/api"}, Permissions: map[string]string{"secrets": "write"}}, "GET", "repos/acme/api/dependabot/secrets/public-key", 403,
			map[string]string{"X-Accepted-GitHub-Permissions": "dependabot_secrets=read"}},
		{"fine-grained codespaces needs write even to read", Token{Value: "github_pat_c", Repos: []string{"acme/api"}, Permissions: map[string]string{"codespaces_secrets": "read"}}, "GET", "repos/acme/api/codespaces/secrets", 403,
			map[string]string{"X-Accepted-GitHub-Permissions": "codespaces_secrets=write"}},
		{"fine-grained org secrets", Token{Value: "github_pat_o", Permissions: map[string]string{"secrets": "write"}}, "PUT", "orgs/acme/actions/secrets/X", 403,
			map[string]string{"X-Accepted-GitHub-Permissions": "organization_secrets=write"}},
		{"fine-grained not granted the repository sees 404", Token{Value: "github_pat_x", Repos: []string{"acme/web"}, Permissions: map[string]string{"secrets": "write"}}, "GET", "repos/acme/api/actions/secrets/public-key", 404, nil},
		{"installation token", Token{Value: "ghs_i", Repos: []string{"acme/api"}}, "GET", "repos/acme/api/actions/secrets", 403,
			map[string]string{"X-Accepted-GitHub-Permissions": "secrets=read"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, Options{})
			f.s.AddToken(tt.token)
			var body any
			if tt.method == "PUT" {
				body = map[string]any{}
			}
			resp := f.do(t, tt.method, tt.path, tt.token.Value, body)
			if resp.status != tt.want {
				t.Errorf("status %d, want %d", resp.status, tt.want)
			}
			for k, v := range tt.wantHeader {
				if got := resp.header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

// GHES has no Codespaces: those operations are not served at all.
func TestGHESHasNoCodespaces(t *testing.T) {
	f := newFixture(t, Options{GHES: true})
	for _, p := range []string{"repos/acme/api/codespaces/secrets/public-key", "orgs/acme/codespaces/secrets"} {
		if got := f.do(t, "GET", p, adminToken, nil).status; got != 404 {
			t.Errorf("GET %s on GHES: status %d, want 404", p, got)
		}
	}
	for _, op := range f.s.Operations() {
		if strings.Contains(op, "codespaces") {
			t.Errorf("GHES serves %s", op)
		}
	}
	if got := f.do(t, "GET", "repos/acme/api/dependabot/secrets/public-key", adminToken, nil).status; got != 200 {
		t.Errorf("GHES dependabot public key: status %d, want 200", got)
	}
}
