package secrets

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-github/v45/github"

	"github.com/pat-action/pat-action/ghclient"
	"github.com/pat-action/pat-action/internal/fanout"
)

// Repo is one repository of an organization, as its listing reports it:
// what expanding a target by name or topic, and sending an organization
// secret's selected repositories, need to know.
type Repo struct {
	Owner    string
	Name     string
	Archived bool
	Topics   []string
	ID       int64
}

// FullName returns "owner/name".
func (r Repo) FullName() string { return r.Owner + "/" + r.Name }

// perPage is the most items GitHub lists in one page.
const perPage = 100

// OrgRepos lists every repository of org (GET /orgs/{org}/repos, 100 a
// page) and remembers their ids for RepositoryIDs, page by page.
func (w *Writer) OrgRepos(ctx context.Context, org string) ([]Repo, error) {
	var out []Repo
	what := "list repositories of " + org
	err := ghclient.EachPage(what, func(n int) (*github.Response, error) {
		opt := &github.RepositoryListByOrgOptions{Type: "all", ListOptions: github.ListOptions{PerPage: perPage, Page: n}}
		page, resp, err := w.c.Repositories.ListByOrg(ctx, org, opt)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		for _, gr := range page {
			owner := org
			if gr.GetOwner().GetLogin() != "" {
				owner = gr.GetOwner().GetLogin()
			}
			r := Repo{Owner: owner, Name: gr.GetName(), Archived: gr.GetArchived(), Topics: gr.Topics, ID: gr.GetID()}
			if r.ID != 0 {
				w.repoIDs.set(strings.ToLower(r.FullName()), r.ID)
			}
			out = append(out, r)
		}
		return resp, nil
	})
	return out, err
}

// RepositoryIDs resolves "owner/repo" names to repository ids, the form an
// organization secret's selected repositories are sent in, with as few
// requests as it can: for an owner with many names it asks the organization
// how many repositories it has (GET /orgs/{org}) and, when listing them
// (GET /orgs/{org}/repos, 100 a page) costs fewer requests than one
// GET /repos/{owner}/{repo} per name, lists them once. Names still unknown
// then cost one GET each, concurrently, which also names a missing
// repository precisely. Ids are remembered for the Writer's life.
func (w *Writer) RepositoryIDs(ctx context.Context, repos []string) ([]int64, error) {
	w.preloadRepoIDs(ctx, repos)
	ids, errs := fanout.Map(ctx, w.opts.Concurrency, repos, func(ctx context.Context, full string) (int64, error) {
		return w.repoIDs.get(ctx, strings.ToLower(full), func(ctx context.Context) (int64, error) {
			return w.fetchRepoID(ctx, full)
		})
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return ids, nil
}

// preloadRepoIDs lists the repositories of each owner for which that is
// cheaper than one request per name, and caches their ids. It is only an
// optimisation: any failure leaves the names to be fetched one by one.
func (w *Writer) preloadRepoIDs(ctx context.Context, repos []string) {
	byOwner := map[string]int{}
	for _, full := range repos {
		owner, _, err := ParseRepo(full)
		if err == nil && !w.repoIDs.has(strings.ToLower(full)) {
			byOwner[strings.ToLower(owner)]++
		}
	}
	for owner, n := range byOwner {
		if n <= 2 {
			continue // no listing can beat two requests
		}
		var org github.Organization
		req, err := w.c.NewRequest(http.MethodGet, "orgs/"+url.PathEscape(owner), nil)
		if err != nil {
			continue
		}
		if _, err := w.c.Do(ctx, req, &org); err != nil {
			continue // a user, or no access: fall back to one GET per name
		}
		total := org.GetPublicRepos() + org.GetTotalPrivateRepos()
		if pages := (total + perPage - 1) / perPage; pages >= n-1 {
			continue
		}
		_, _ = w.OrgRepos(ctx, owner) // the pages it lists are cached; a failure leaves the rest to GETs
	}
}

func (w *Writer) fetchRepoID(ctx context.Context, full string) (int64, error) {
	owner, name, err := ParseRepo(full)
	if err != nil {
		return 0, fmt.Errorf("selected %w", err)
	}
	req, err := w.c.NewRequest(http.MethodGet, "repos/"+url.PathEscape(owner)+"/"+url.PathEscape(name), nil)
	if err != nil {
		return 0, fmt.Errorf("selected repository %s: %w", full, err)
	}
	var repo github.Repository
	resp, err := w.c.Do(ctx, req, &repo)
	if err != nil {
		return 0, fmt.Errorf("selected repository %s: %w", full, describe(resp, err, Target{Scope: RepoScope}, ""))
	}
	if repo.GetID() == 0 {
		return 0, fmt.Errorf("selected repository %s: GitHub sent no id", full)
	}
	return repo.GetID(), nil
}
