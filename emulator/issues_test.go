package emulator

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v45/github"
)

func TestIssuesLifecycle(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	s := New(Options{Now: func() time.Time { return now }})
	s.AddToken(Token{Value: "ghp_bot", Login: "rotator", Scopes: []string{"repo"}})
	s.AddToken(Token{Value: "ghp_human", Login: "octocat", Scopes: []string{"repo"}})
	s.AddRepo(Repo{Owner: "acme", Name: "ops", Private: true})
	srv, api := s.Start()
	defer srv.Close()
	bot, human := clientFor(t, api, "ghp_bot"), clientFor(t, api, "ghp_human")
	ctx := testContext(t)

	labels := []string{"pat-rotation"}
	first, resp, err := bot.Issues.Create(ctx, "acme", "ops", &github.IssueRequest{Title: github.String("Rotate RELEASE_PAT"), Body: github.String("expires in 7 days"), Labels: &labels})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated || first.GetNumber() != 1 || first.GetState() != "open" || first.GetUser().GetLogin() != "rotator" {
		t.Errorf("created issue %d (%s) by %s with status %d; want #1 open by rotator, 201", first.GetNumber(), first.GetState(), first.GetUser().GetLogin(), resp.StatusCode)
	}
	if _, _, err := human.Issues.Create(ctx, "acme", "ops", &github.IssueRequest{Title: github.String("Unrelated"), Labels: &labels}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := bot.Issues.Create(ctx, "acme", "ops", &github.IssueRequest{Title: github.String("Rotate BOT_TOKEN")}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := bot.Issues.CreateComment(ctx, "acme", "ops", 1, &github.IssueComment{Body: github.String("still expiring")}); err != nil {
		t.Fatal(err)
	}
	closed := "closed"
	if _, _, err := bot.Issues.Edit(ctx, "acme", "ops", 3, &github.IssueRequest{State: &closed}); err != nil {
		t.Fatal(err)
	}
	edited, _, err := bot.Issues.Edit(ctx, "acme", "ops", 1, &github.IssueRequest{Body: github.String("expires in 6 days")})
	if err != nil {
		t.Fatal(err)
	}
	if edited.GetBody() != "expires in 6 days" || edited.GetComments() != 1 {
		t.Errorf("edited issue has body %q and %d comments, want the new body and 1", edited.GetBody(), edited.GetComments())
	}

	list := []struct {
		name string
		opts *github.IssueListByRepoOptions
		want []int
	}{
		{"open by default, newest first", nil, []int{2, 1}},
		{"all", &github.IssueListByRepoOptions{State: "all"}, []int{3, 2, 1}},
		{"closed", &github.IssueListByRepoOptions{State: "closed"}, []int{3}},
		{"by creator and label", &github.IssueListByRepoOptions{Creator: "rotator", Labels: []string{"pat-rotation"}}, []int{1}},
		{"by missing label", &github.IssueListByRepoOptions{State: "all", Labels: []string{"pat-rotation", "other"}}, nil},
	}
	for _, tt := range list {
		t.Run(tt.name, func(t *testing.T) {
			issues, _, err := bot.Issues.ListByRepo(ctx, "acme", "ops", tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, is := range issues {
				got = append(got, is.GetNumber())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("issue numbers (-want +got):\n%s", diff)
			}
		})
	}

	got, _, err := bot.Issues.Get(ctx, "acme", "ops", 1)
	if err != nil || got.GetTitle() != "Rotate RELEASE_PAT" || len(got.Labels) != 1 || got.Labels[0].GetName() != "pat-rotation" {
		t.Errorf("get issue 1 = %v, %v; want it with its label", got, err)
	}
	want := []Issue{
		{Number: 1, Author: "rotator", Title: "Rotate RELEASE_PAT", Body: "expires in 6 days", State: "open", Labels: labels, Comments: []string{"still expiring"}},
		{Number: 2, Author: "octocat", Title: "Unrelated", State: "open", Labels: labels},
		{Number: 3, Author: "rotator", Title: "Rotate BOT_TOKEN", State: "closed"},
	}
	ignore := func(p cmp.Path) bool {
		switch p.Last().String() {
		case ".ID", ".CreatedAt", ".UpdatedAt":
			return true
		}
		return false
	}
	if diff := cmp.Diff(want, s.Issues("acme/ops"), cmp.FilterPath(ignore, cmp.Ignore())); diff != "" {
		t.Errorf("Issues (-want +got):\n%s", diff)
	}
}

func TestIssueRefusals(t *testing.T) {
	tests := []struct {
		name     string
		token    Token
		repo     string
		req      *github.IssueRequest
		number   int // edit this issue; 0 creates
		wantCode int
	}{
		{"no title", Token{Value: "ghp_a", Scopes: []string{"repo"}}, "ops", &github.IssueRequest{Body: github.String("b")}, 0, 422},
		{"bad state", Token{Value: "ghp_a", Scopes: []string{"repo"}}, "ops", &github.IssueRequest{State: github.String("done")}, 1, 422},
		{"missing issue", Token{Value: "ghp_a", Scopes: []string{"repo"}}, "ops", &github.IssueRequest{Title: github.String("t")}, 9, 404},
		{"private repository needs repo", Token{Value: "ghp_a", Scopes: []string{"public_repo"}}, "ops", &github.IssueRequest{Title: github.String("t")}, 0, 403},
		{"public repository takes public_repo", Token{Value: "ghp_a", Scopes: []string{"public_repo"}}, "site", &github.IssueRequest{Title: github.String("t")}, 0, 201},
		{"fine-grained needs issues write", Token{Value: "github_pat_a", Repos: []string{"acme/ops"}, Permissions: map[string]string{"issues": "read"}}, "ops", &github.IssueRequest{Title: github.String("t")}, 0, 403},
		{"fine-grained with issues write", Token{Value: "github_pat_a", Repos: []string{"acme/ops"}, Permissions: map[string]string{"issues": "write"}}, "ops", &github.IssueRequest{Title: github.String("t")}, 0, 201},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(Options{})
			s.AddToken(tt.token)
			s.AddToken(Token{Value: "ghp_setup", Scopes: []string{"repo"}})
			s.AddRepo(Repo{Owner: "acme", Name: "ops", Private: true})
			s.AddRepo(Repo{Owner: "acme", Name: "site"})
			srv, api := s.Start()
			defer srv.Close()
			ctx := testContext(t)
			if _, _, err := clientFor(t, api, "ghp_setup").Issues.Create(ctx, "acme", "ops", &github.IssueRequest{Title: github.String("existing")}); err != nil {
				t.Fatal(err)
			}
			c := clientFor(t, api, tt.token.Value)
			var resp *github.Response
			var err error
			if tt.number == 0 {
				_, resp, err = c.Issues.Create(ctx, "acme", tt.repo, tt.req)
			} else {
				_, resp, err = c.Issues.Edit(ctx, "acme", tt.repo, tt.number, tt.req)
			}
			if resp == nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantCode {
				t.Errorf("status = %d (%v), want %d", resp.StatusCode, err, tt.wantCode)
			}
		})
	}
}

// AddIssue places an issue as its Author opened it: listing by creator
// tells it from the issues a token opened itself.
func TestAddIssue(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	s := New(Options{Now: func() time.Time { return now }})
	s.AddToken(Token{Value: "ghp_bot", Login: "rotator", Scopes: []string{"repo"}})
	s.AddRepo(Repo{Owner: "acme", Name: "ops", Private: true})
	srv, api := s.Start()
	defer srv.Close()
	bot := clientFor(t, api, "ghp_bot")
	ctx := testContext(t)
	if n := s.AddIssue("acme/ops", Issue{Author: "mallory", Title: "planted", Labels: []string{"pat-rotation"}}); n != 1 {
		t.Errorf("AddIssue numbered %d, want 1", n)
	}
	if _, _, err := bot.Issues.Create(ctx, "acme", "ops", &github.IssueRequest{Title: github.String("mine"), Labels: &[]string{"pat-rotation"}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		creator string
		want    []string
	}{
		{"rotator", []string{"mine"}},
		{"ROTATOR", []string{"mine"}},
		{"mallory", []string{"planted"}},
		{"", []string{"mine", "planted"}},
		{"nobody", nil},
	}
	for _, tt := range tests {
		issues, _, err := bot.Issues.ListByRepo(ctx, "acme", "ops", &github.IssueListByRepoOptions{Creator: tt.creator, Labels: []string{"pat-rotation"}, State: "all"})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, is := range issues {
			got = append(got, is.GetTitle())
			if tt.creator != "" && !strings.EqualFold(is.GetUser().GetLogin(), tt.creator) {
				t.Errorf("creator %q: listed an issue of %s", tt.creator, is.GetUser().GetLogin())
			}
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("creator %q (-want +got):\n%s", tt.creator, diff)
		}
	}
	if got := s.Issues("acme/ops")[0]; got.Author != "mallory" || got.State != "open" || !got.CreatedAt.Equal(now) {
		t.Errorf("added issue = %+v", got)
	}
}
