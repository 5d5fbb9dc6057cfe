package emulator

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v45/github"
)

// bearer sends a fixed Authorization header, or none when auth is "".
type bearer struct{ auth string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if b.auth != "" {
		r.Header.Set("Authorization", "Bearer "+b.auth)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// startGitHub serves s for the test and returns a go-github client that
// authenticates with auth (a token or a JWT; "" for none).
func startGitHub(t *testing.T, s *Server, auth string) *github.Client {
	t.Helper()
	srv, api := s.Start()
	t.Cleanup(srv.Close)
	return clientFor(t, api, auth)
}

func clientFor(t *testing.T, api, auth string) *github.Client {
	t.Helper()
	c := github.NewClient(&http.Client{Transport: bearer{auth}})
	u, err := url.Parse(api + "/")
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL = u
	return c
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// acmeRepos adds n repositories to acme: every tenth private, every third
// archived, the even ones with topic "deploy".
func acmeRepos(s *Server, n int) {
	s.AddRepos("acme", n, func(i int) Repo {
		r := Repo{Name: fmt.Sprintf("svc-%03d", i), Private: i%10 == 0, Archived: i%3 == 0}
		if i%2 == 0 {
			r.Topics = []string{"deploy", "go"}
		}
		return r
	})
}

func TestListOrgReposPaginates(t *testing.T) {
	for _, ghes := range []bool{false, true} {
		t.Run(fmt.Sprintf("ghes=%v", ghes), func(t *testing.T) {
			s := New(Options{GHES: ghes})
			s.AddToken(Token{Value: "ghp_admin", Login: "octocat", Scopes: []string{"repo"}})
			acmeRepos(s, 250)
			c := startGitHub(t, s, "ghp_admin")
			ctx := testContext(t)
			opts := &github.RepositoryListByOrgOptions{Sort: "full_name", ListOptions: github.ListOptions{PerPage: 100}}
			var names []string
			var pages, nexts, lasts []int
			for {
				repos, resp, err := c.Repositories.ListByOrg(ctx, "acme", opts)
				if err != nil {
					t.Fatal(err)
				}
				pages = append(pages, len(repos))
				nexts = append(nexts, resp.NextPage)
				lasts = append(lasts, resp.LastPage)
				for _, r := range repos {
					names = append(names, r.GetName())
				}
				if resp.NextPage == 0 {
					break
				}
				opts.Page = resp.NextPage
			}
			if diff := cmp.Diff([]int{100, 100, 50}, pages); diff != "" {
				t.Errorf("page sizes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]int{2, 3, 0}, nexts); diff != "" {
				t.Errorf("NextPage (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]int{3, 3, 0}, lasts); diff != "" {
				t.Errorf("LastPage (-want +got):\n%s", diff)
			}
			if len(names) != 250 || names[0] != "svc-000" || names[249] != "svc-249" {
				t.Errorf("got %d repositories from %v to %v, want 250 from svc-000 to svc-249 by name", len(names), names[0], names[len(names)-1])
			}
		})
	}
}

func TestListOrgRepos(t *testing.T) {
	tests := []struct {
		name      string
		token     *Token
		org       string
		opts      *github.RepositoryListByOrgOptions
		wantCode  int
		wantCount int
		wantFirst string
	}{
		{"default is 30 a page, newest first", &Token{Value: "ghp_a", Scopes: []string{"repo"}}, "acme", nil, 200, 30, "svc-039"},
		{"per_page is at most 100", &Token{Value: "ghp_a", Scopes: []string{"repo"}}, "acme", &github.RepositoryListByOrgOptions{ListOptions: github.ListOptions{PerPage: 500}}, 200, 40, "svc-039"},
		{"created ascending", &Token{Value: "ghp_a", Scopes: []string{"repo"}}, "acme", &github.RepositoryListByOrgOptions{Sort: "created", Direction: "asc", ListOptions: github.ListOptions{PerPage: 100}}, 200, 40, "svc-000"},
		{"classic without repo sees public ones", &Token{Value: "ghp_a", Scopes: []string{"read:org"}}, "acme", &github.RepositoryListByOrgOptions{ListOptions: github.ListOptions{PerPage: 100}}, 200, 36, "svc-039"},
		{"anonymous sees public ones", nil, "acme", &github.RepositoryListByOrgOptions{ListOptions: github.ListOptions{PerPage: 100}}, 200, 36, "svc-039"},
		{"fine-grained sees public ones and its private ones", &Token{Value: "github_pat_a", Repos: []string{"acme/svc-010"}}, "acme", &github.RepositoryListByOrgOptions{Type: "private"}, 200, 1, "svc-010"},
		{"type=private", &Token{Value: "ghp_a", Scopes: []string{"repo"}}, "acme", &github.RepositoryListByOrgOptions{Type: "private"}, 200, 4, "svc-030"},
		{"page past the end is empty", &Token{Value: "ghp_a", Scopes: []string{"repo"}}, "acme", &github.RepositoryListByOrgOptions{ListOptions: github.ListOptions{Page: 9}}, 200, 0, ""},
		{"unknown organization is 404", &Token{Value: "ghp_a", Scopes: []string{"repo"}}, "nope", nil, 404, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(Options{})
			acmeRepos(s, 40)
			auth := ""
			if tt.token != nil {
				s.AddToken(*tt.token)
				auth = tt.token.Value
			}
			c := startGitHub(t, s, auth)
			repos, resp, err := c.Repositories.ListByOrg(testContext(t), tt.org, tt.opts)
			if resp == nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantCode {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.wantCode)
			}
			first := ""
			if len(repos) > 0 {
				first = repos[0].GetName()
			}
			if len(repos) != tt.wantCount || first != tt.wantFirst {
				t.Errorf("got %d repositories, first %q; want %d, first %q", len(repos), first, tt.wantCount, tt.wantFirst)
			}
		})
	}
}

func TestListOrgReposFields(t *testing.T) {
	s := New(Options{})
	s.AddToken(Token{Value: "ghp_a", Scopes: []string{"repo"}})
	ids := s.AddRepos("acme", 3, nil)
	s.AddRepos("acme", 1, func(int) Repo { return Repo{Name: "infra", Private: true, Archived: true, Topics: []string{"deploy"}} })
	c := startGitHub(t, s, "ghp_a")
	ctx := testContext(t)
	repos, _, err := c.Repositories.ListByOrg(ctx, "acme", &github.RepositoryListByOrgOptions{Sort: "full_name"})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		ID                int64
		Full, Owner       string
		Private, Archived bool
		Topics            []string
	}
	var got []row
	for _, r := range repos {
		got = append(got, row{r.GetID(), r.GetFullName(), r.GetOwner().GetLogin(), r.GetPrivate(), r.GetArchived(), r.Topics})
	}
	want := []row{
		{0, "acme/infra", "acme", true, true, []string{"deploy"}},
		{ids[0], "acme/repo-000", "acme", false, false, []string{}},
		{ids[1], "acme/repo-001", "acme", false, false, []string{}},
		{ids[2], "acme/repo-002", "acme", false, false, []string{}},
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b int64) bool { return a == 0 || b == 0 || a == b })); diff != "" {
		t.Errorf("repositories (-want +got):\n%s", diff)
	}
	topics, _, err := c.Repositories.ListAllTopics(ctx, "acme", "infra")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"deploy"}, topics); diff != "" {
		t.Errorf("topics (-want +got):\n%s", diff)
	}
}
