package rotate

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v45/github"

	"github.com/pat-action/pat-action/ghclient"
	"github.com/pat-action/pat-action/plan"
	"github.com/pat-action/pat-action/policy"
	"github.com/pat-action/pat-action/token"
)

// IssueResult is what a run did to a secret's reminder issue.
type IssueResult struct {
	Repository string `json:"repository"`
	Number     int    `json:"number,omitempty"`
	Name       string `json:"name"`
	// Result is "created", "updated", "reopened", "closed" or, in a dry
	// run, "would-create", "would-update", "would-reopen", "would-close".
	Result string `json:"result"`
}

// reminderLabel is the label of every reminder issue, so that a run finds
// its reminders with a filtered list.
const reminderLabel = "pat-action-reminder"

// Marker is the hidden line that identifies the reminder issue of secret
// name, so that a run finds it again rather than opening another.
func Marker(name string) string { return "<!-- pat-action:reminder:" + name + " -->" }

// reminderKey is the shard key of a secret's reminder issue: one shard of
// a matrix owns it, so that jobs running at once never each open one.
func reminderKey(s plan.Secret) string { return "secret:" + s.Name }

// reminder opens, updates or closes the reminder issue of a token source:
// open while the token is within its policy's warning window (a person must
// make the next token), closed once the token is fresh.
func (r *run) reminder(ctx context.Context, s plan.Secret, info token.Info, res policy.Result) {
	owner, repo, _ := strings.Cut(r.o.Repository, "/")
	expiring := res.Expiry == policy.ExpiryWarning || res.Expiry == policy.ExpiryTooSoon || res.Expiry == policy.ExpiryExpired
	existing, err := r.findReminder(ctx, owner, repo, s.Name)
	if err != nil {
		r.problem("issue:"+r.o.Repository, err)
		return
	}
	out := IssueResult{Repository: r.o.Repository, Name: s.Name}
	if existing != nil {
		out.Number = existing.GetNumber()
	}
	var req *github.IssueRequest
	switch {
	case expiring:
		title := fmt.Sprintf("Rotate %s: its token expires soon", s.Name)
		body := reminderBody(s, info, res.Passed, r.o.Now)
		req = &github.IssueRequest{Title: &title, Body: &body}
		switch {
		case existing == nil:
			out.Result = "created"
		case existing.GetState() == "closed":
			req.State = github.String("open")
			out.Result = "reopened"
		default:
			out.Result = "updated"
		}
	case existing != nil && existing.GetState() == "open" && (res.Expiry == policy.ExpiryOK || res.Expiry == policy.ExpiryNone):
		req = &github.IssueRequest{State: github.String("closed")}
		out.Result = "closed"
	default:
		return
	}
	if r.o.DryRun {
		out.Result = map[string]string{"created": "would-create", "updated": "would-update", "reopened": "would-reopen", "closed": "would-close"}[out.Result]
		r.issue(out)
		return
	}
	if existing == nil {
		req.Labels = &[]string{reminderLabel}
		is, err := r.openReminder(ctx, owner, repo, s.Name, req)
		if err != nil {
			r.problem("issue:"+r.o.Repository, fmt.Errorf("open the reminder issue for %s: %w", s.Name, err))
			return
		}
		out.Number = is.GetNumber()
	} else if _, _, err := r.o.Client.Issues.Edit(ctx, owner, repo, existing.GetNumber(), req); err != nil {
		r.problem("issue:"+r.o.Repository, fmt.Errorf("%s the reminder issue #%d for %s: %w", strings.TrimSuffix(out.Result, "d"), existing.GetNumber(), s.Name, err))
		return
	}
	r.issue(out)
}

// days is "1 day", "3 days".
func days(n int) string {
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

func (r *run) issue(i IssueResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.res.Issues = append(r.res.Issues, i)
}

// findReminder finds the secret's reminder issue by its marker, preferring
// an open one. Anyone who may open issues could copy the marker, and a
// stranger's issue must never be adopted and rewritten, so only an issue
// the opener's kind of account opened counts:
//   - a person's token (GET user answers): only issues by that login, and
//     the list is filtered by it, the reminder label and any state, so the
//     lookup costs two requests;
//   - an App's installation token (GET user is refused, as GitHub refuses
//     it to every installation token, the job's GITHUB_TOKEN included):
//     only issues whose author is a Bot, an account only a GitHub App can
//     act as. No person can open one; another App installed on the
//     repository with write access to issues could, but it may edit any
//     issue there, this run's included, so adopting its copy grants it
//     nothing it does not have.
func (r *run) findReminder(ctx context.Context, owner, repo, name string) (*github.Issue, error) {
	issues, err := r.ownReminders(ctx, owner, repo)
	if err != nil {
		return nil, err
	}
	return reminderOf(issues, name), nil
}

// openReminder opens the reminder issue req for secret name. Opening one
// is not idempotent: when the answer to the create is lost, GitHub may
// have opened it, and a second create would open another that no run
// closes. So the run's reminders are listed afresh and, if GitHub did open
// it, the issue with name's marker is adopted; only if not is the create
// sent again.
func (r *run) openReminder(ctx context.Context, owner, repo, name string, req *github.IssueRequest) (*github.Issue, error) {
	var found *github.Issue
	r.reminders.mu.Lock()
	by := r.reminders.opener // known: the run looked for the reminder first
	r.reminders.mu.Unlock()
	lookup := func(ctx context.Context) (bool, error) {
		issues, err := r.listReminders(ctx, owner, repo, by)
		found = reminderOf(issues, name)
		return found != nil, err
	}
	is, _, err := r.o.Client.Issues.Create(ghclient.LookupBeforeRetry(ctx, lookup), owner, repo, req)
	if ghclient.Found(err) {
		return found, nil
	}
	return is, err
}

// reminderOf is the issue among issues that carries name's marker,
// preferring an open one; nil if none does.
func reminderOf(issues []*github.Issue, name string) *github.Issue {
	var found *github.Issue
	for _, is := range issues {
		if !strings.Contains(is.GetBody(), Marker(name)) {
			continue
		}
		if found == nil || (found.GetState() != "open" && is.GetState() == "open") {
			found = is
		}
	}
	return found
}

// reminders is the run's own reminder issues, and who opens them, listed
// once per run: every secret's reminder lives in the same repository, so
// one lookup serves all.
type reminders struct {
	mu     sync.Mutex
	done   bool
	opener opener
	issues []*github.Issue
	err    error
}

// ownReminders lists, once per run, the reminder issues in owner/repo that
// the run's opener opened.
func (r *run) ownReminders(ctx context.Context, owner, repo string) ([]*github.Issue, error) {
	r.reminders.mu.Lock()
	defer r.reminders.mu.Unlock()
	if !r.reminders.done {
		r.reminders.done = true
		r.reminders.opener, r.reminders.err = r.reminderOpener(ctx)
		if r.reminders.err == nil {
			r.reminders.issues, r.reminders.err = r.listReminders(ctx, owner, repo, r.reminders.opener)
		}
	}
	return r.reminders.issues, r.reminders.err
}

// listReminders lists the reminder issues in owner/repo that opener opened.
func (r *run) listReminders(ctx context.Context, owner, repo string, opener opener) ([]*github.Issue, error) {
	var own []*github.Issue
	what := fmt.Sprintf("list the reminder issues of %s/%s", owner, repo)
	err := ghclient.EachPage(what, func(n int) (*github.Response, error) {
		opt := &github.IssueListByRepoOptions{Creator: opener.login, Labels: []string{reminderLabel}, State: "all", ListOptions: github.ListOptions{PerPage: 100, Page: n}}
		page, resp, err := r.o.Client.Issues.ListByRepo(ctx, owner, repo, opt)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		for _, is := range page {
			if !is.IsPullRequest() && opener.opened(is) {
				own = append(own, is)
			}
		}
		return resp, nil
	})
	if err != nil {
		return nil, err
	}
	return own, nil
}

// opener is the account reminder issues are opened as: a person's login,
// or, for an App's installation token, no login and any Bot.
type opener struct{ login string }

func (o opener) opened(is *github.Issue) bool {
	if o.login == "" {
		return is.GetUser().GetType() == "Bot"
	}
	return strings.EqualFold(is.GetUser().GetLogin(), o.login)
}

// reminderOpener asks GitHub who the run's token is. GitHub answers an
// installation token, which is not a user, "403 Resource not accessible by
// integration"; any other refusal is a problem, not a reason to look for
// Bots.
func (r *run) reminderOpener(ctx context.Context) (opener, error) {
	me, _, err := r.o.Client.Users.Get(ctx, "")
	var er *github.ErrorResponse
	switch {
	case err == nil && me.GetLogin() != "":
		return opener{login: me.GetLogin()}, nil
	case errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusForbidden && strings.Contains(er.Message, "by integration"):
		return opener{}, nil
	case err == nil:
		err = errors.New("GitHub answered without a login")
	}
	return opener{}, fmt.Errorf("find the login that opens reminder issues: %w", err)
}

// reminderBody is a reminder issue's text. It says the token is stored
// only when it passed its policy and was.
func reminderBody(s plan.Secret, info token.Info, stored bool, now func() time.Time) string {
	var b strings.Builder
	if stored {
		fmt.Fprintf(&b, "%s\n\nThe token stored as **%s** ", Marker(s.Name), s.Name)
	} else {
		fmt.Fprintf(&b, "%s\n\nThe token given for **%s** failed its policy and was not stored: it ", Marker(s.Name), s.Name)
	}
	if info.ExpiresAt != nil {
		day := info.ExpiresAt.UTC().Format("2006-01-02")
		if left := policy.DaysLeft(*info.ExpiresAt, now()); left < 0 {
			fmt.Fprintf(&b, "expired on %s.", day)
		} else {
			fmt.Fprintf(&b, "expires on %s (%s left).", day, days(left))
		}
	} else {
		b.WriteString("is within its policy's warning window.")
	}
	where := fmt.Sprintf("store it as `%s` where the rotation workflow reads it", s.Source.Env)
	if s.Source.Input == plan.InputToken {
		where = "store it as the secret the rotation workflow passes as its `token` input"
	}
	fmt.Fprintf(&b, "\n\nA person must create its successor: make a new token with the same scopes, %s, and the next run propagates it to every target. This issue closes itself once the token is fresh.\n", where)
	return b.String()
}
