package secrets

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/google/go-github/v45/github"

	"github.com/pat-action/pat-action/ghclient"
)

// Outcome is what happened, or would happen, to a secret in one target. Its
// values are the JSON report's result strings.
type Outcome string

// The outcomes of writing a secret.
const (
	Created     Outcome = "created"
	Updated     Outcome = "updated"
	WouldCreate Outcome = "would-create"
	WouldUpdate Outcome = "would-update"
	Failed      Outcome = "failed"
)

// DefaultConcurrency is how many targets a Writer writes at once when
// WriterOptions.Concurrency is zero.
const DefaultConcurrency = 20

// Result is what happened to the secret Name in one Target.
type Result struct {
	Target  Target
	Name    string
	Outcome Outcome
	// Err is why the target failed (Outcome Failed). It does not repeat the
	// target or the secret name, which the Result already carries.
	Err error
}

// WriterOptions configure a Writer.
type WriterOptions struct {
	// Concurrency is how many targets are written at once; zero means
	// DefaultConcurrency. The client's transport may pace requests further.
	Concurrency int
	// DryRun makes the Writer only read: it fetches each public key and the
	// secret's metadata and reports WouldCreate or WouldUpdate.
	DryRun bool
	// OnResult, when set, is called as each target finishes, one call at a
	// time, in completion order. It is for progress; Store's return value is
	// the report.
	OnResult func(Result)
}

// Writer writes one secret into many targets through one client. It fetches
// each container's public key once per Writer (concurrent callers share one
// fetch) and resolves each selected repository's id once. A Writer is safe
// for concurrent use; make one per run.
//
// Every request goes through the client's NewRequest and Do to the current
// REST paths (Target's PublicKeyPath and SecretPath), uniformly for every
// kind and scope: go-github v45 has no Codespaces helpers and sends
// environment secrets to a deprecated path.
type Writer struct {
	c    *github.Client
	opts WriterOptions

	keys    flight[PublicKey]
	repoIDs flight[int64]
}

// NewWriter returns a Writer that sends its requests through c, which must
// authenticate as a token allowed to write the targets' secrets.
func NewWriter(c *github.Client, o WriterOptions) *Writer {
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	return &Writer{c: c, opts: o}
}

// Store writes value as the secret name into every target, concurrently,
// and returns one Result per target, sorted by target. A target that fails
// does not stop the others; writing again is safe (GitHub answers 204 for an
// update). A bad name or value fails every target without a request.
func (w *Writer) Store(ctx context.Context, targets []Target, name string, value []byte) []Result {
	invalid := ValidateName(name)
	if invalid == nil {
		invalid = ValidateValue(value)
	}
	return w.each(ctx, targets, name, func(ctx context.Context, t Target) (Outcome, error) {
		if invalid != nil {
			return Failed, invalid
		}
		return w.write(ctx, t, name, value)
	})
}

// Write writes value as the secret name into t and says whether it was
// created or updated (or, in a dry run, would be).
func (w *Writer) Write(ctx context.Context, t Target, name string, value []byte) (Outcome, error) {
	if err := ValidateName(name); err != nil {
		return Failed, fmt.Errorf("store %s in %s: %w", name, t, err)
	}
	if err := ValidateValue(value); err != nil {
		return Failed, fmt.Errorf("store %s in %s: %w", name, t, err)
	}
	o, err := w.write(ctx, t, name, value)
	if err != nil {
		return Failed, fmt.Errorf("store %s in %s: %w", name, t, err)
	}
	return o, nil
}

// SetOrgSecretRepositories replaces the repositories that may read the
// existing organization secret name in every target (each an org target with
// visibility selected) with the target's SelectedRepos, without resending
// the value, concurrently. It returns one Result per target, sorted by
// target, Updated on success.
func (w *Writer) SetOrgSecretRepositories(ctx context.Context, targets []Target, name string) []Result {
	invalid := ValidateName(name)
	return w.each(ctx, targets, name, func(ctx context.Context, t Target) (Outcome, error) {
		if invalid != nil {
			return Failed, invalid
		}
		return w.setRepos(ctx, t, name)
	})
}

// SetOrgSecretRepos replaces the repositories that may read the existing
// organization secret name (PUT /orgs/{org}/{kind}/secrets/{name}/repositories)
// with t's SelectedRepos. The value is not needed and not sent. t must be an
// org target with visibility selected; GitHub answers 409 when the stored
// secret's visibility is not selected. In a dry run it only checks that the
// secret exists and reports WouldUpdate.
func (w *Writer) SetOrgSecretRepos(ctx context.Context, t Target, name string) (Outcome, error) {
	if err := ValidateName(name); err != nil {
		return Failed, fmt.Errorf("set repositories of %s in %s: %w", name, t, err)
	}
	o, err := w.setRepos(ctx, t, name)
	if err != nil {
		return Failed, fmt.Errorf("set repositories of %s in %s: %w", name, t, err)
	}
	return o, nil
}

// each runs do for every target on a pool of Concurrency workers and
// returns the results sorted by target.
func (w *Writer) each(ctx context.Context, targets []Target, name string, do func(context.Context, Target) (Outcome, error)) []Result {
	results := make([]Result, len(targets))
	jobs := make(chan int)
	var mu sync.Mutex // serialises OnResult
	var wg sync.WaitGroup
	workers := min(w.opts.Concurrency, len(targets))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				t := targets[i]
				r := Result{Target: t, Name: name}
				if err := ctx.Err(); err != nil {
					r.Outcome, r.Err = Failed, err
				} else {
					r.Outcome, r.Err = do(ctx, t)
				}
				if r.Err != nil {
					r.Outcome = Failed
				}
				results[i] = r
				if w.opts.OnResult != nil {
					mu.Lock()
					w.opts.OnResult(r)
					mu.Unlock()
				}
			}
		}()
	}
	for i := range targets {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	sort.SliceStable(results, func(i, j int) bool { return results[i].Target.String() < results[j].Target.String() })
	return results
}

// write stores value in one target: public key (cached), seal, PUT. On a
// 422, which is how GitHub refuses a value sealed for a key it has since
// rotated, it fetches the key again once and, if the key changed, retries.
func (w *Writer) write(ctx context.Context, t Target, name string, value []byte) (Outcome, error) {
	if err := t.Validate(false); err != nil {
		return Failed, err
	}
	key, err := w.PublicKey(ctx, t)
	if err != nil {
		return Failed, err
	}
	var ids []int64
	if t.Scope == OrgScope && t.Visibility == VisibilitySelected {
		if ids, err = w.RepositoryIDs(ctx, t.SelectedRepos); err != nil {
			return Failed, err
		}
	}
	if w.opts.DryRun {
		return w.probe(ctx, t, name)
	}
	o, status, err := w.put(ctx, t, name, value, key, ids)
	if status != http.StatusUnprocessableEntity {
		return o, err
	}
	fresh, ferr := w.refreshKey(ctx, t, key)
	if ferr != nil {
		return Failed, fmt.Errorf("%w; fetching the public key again: %w", err, ferr)
	}
	if fresh == key {
		return Failed, err // not a rotated key: retrying cannot help
	}
	o, _, err = w.put(ctx, t, name, value, fresh, ids)
	return o, err
}

// putBody is the body of a secret PUT. Visibility and the repository ids
// are for organization secrets only.
type putBody struct {
	EncryptedValue        string  `json:"encrypted_value"`
	KeyID                 string  `json:"key_id"`
	Visibility            string  `json:"visibility,omitempty"`
	SelectedRepositoryIDs []int64 `json:"selected_repository_ids,omitempty"`
}

// put seals value for key and PUTs it, returning the outcome and, on
// failure, the response status (0 when there was none).
func (w *Writer) put(ctx context.Context, t Target, name string, value []byte, key PublicKey, ids []int64) (Outcome, int, error) {
	sealed, err := Seal(key, value)
	if err != nil {
		return Failed, 0, err
	}
	body := putBody{EncryptedValue: sealed, KeyID: key.KeyID}
	if t.Scope == OrgScope {
		body.Visibility = t.Visibility
		body.SelectedRepositoryIDs = ids
	}
	req, err := w.c.NewRequest(http.MethodPut, t.SecretPath(name), body)
	if err != nil {
		return Failed, 0, err
	}
	resp, err := w.c.Do(ctx, req, nil)
	if err != nil {
		return Failed, status(resp), describe(resp, err, t, "")
	}
	if resp.StatusCode == http.StatusCreated {
		return Created, 0, nil
	}
	return Updated, 0, nil
}

// probe is a dry run's look at the secret: its metadata exists (update) or
// not (create).
func (w *Writer) probe(ctx context.Context, t Target, name string) (Outcome, error) {
	exists, err := w.exists(ctx, t, name)
	switch {
	case err != nil:
		return Failed, err
	case exists:
		return WouldUpdate, nil
	}
	return WouldCreate, nil
}

// exists reads the secret's metadata (never its value, which GitHub does not
// return) to see whether it exists.
func (w *Writer) exists(ctx context.Context, t Target, name string) (bool, error) {
	req, err := w.c.NewRequest(http.MethodGet, t.SecretPath(name), nil)
	if err != nil {
		return false, err
	}
	resp, err := w.c.Do(ctx, req, nil)
	if err == nil {
		return true, nil
	}
	if status(resp) == http.StatusNotFound {
		return false, nil
	}
	return false, describe(resp, err, t, "")
}

// setRepos is SetOrgSecretRepos without the wrapping.
func (w *Writer) setRepos(ctx context.Context, t Target, name string) (Outcome, error) {
	if err := t.Validate(false); err != nil {
		return Failed, err
	}
	if t.Scope != OrgScope || t.Visibility != VisibilitySelected {
		return Failed, errors.New("only an organization secret with visibility selected has a list of repositories")
	}
	ids, err := w.RepositoryIDs(ctx, t.SelectedRepos)
	if err != nil {
		return Failed, err
	}
	if w.opts.DryRun {
		exists, err := w.exists(ctx, t, name)
		switch {
		case err != nil:
			return Failed, err
		case !exists:
			return Failed, errors.New("the secret does not exist: store it with its value first")
		}
		return WouldUpdate, nil
	}
	body := struct {
		IDs []int64 `json:"selected_repository_ids"`
	}{ids}
	req, err := w.c.NewRequest(http.MethodPut, t.SecretPath(name)+"/repositories", body)
	if err != nil {
		return Failed, err
	}
	resp, err := w.c.Do(ctx, req, nil)
	if err != nil {
		if status(resp) == http.StatusConflict {
			return Failed, fmt.Errorf("the secret's visibility is not selected, so it has no repository list (409): store it again with visibility selected")
		}
		return Failed, describe(resp, err, t, "the organization or the secret")
	}
	return Updated, nil
}

// PublicKey returns the public key of t's container, fetching it on first
// use and sharing it afterwards.
func (w *Writer) PublicKey(ctx context.Context, t Target) (PublicKey, error) {
	return w.keys.get(ctx, t.PublicKeyPath(), func(ctx context.Context) (PublicKey, error) {
		return w.fetchKey(ctx, t)
	})
}

// refreshKey fetches t's public key again unless another caller already
// replaced the stale one.
func (w *Writer) refreshKey(ctx context.Context, t Target, stale PublicKey) (PublicKey, error) {
	w.keys.forget(t.PublicKeyPath(), func(k PublicKey) bool { return k == stale })
	return w.PublicKey(ctx, t)
}

func (w *Writer) fetchKey(ctx context.Context, t Target) (PublicKey, error) {
	req, err := w.c.NewRequest(http.MethodGet, t.PublicKeyPath(), nil)
	if err != nil {
		return PublicKey{}, fmt.Errorf("get public key: %w", err)
	}
	var key PublicKey
	resp, err := w.c.Do(ctx, req, &key)
	if err != nil {
		return PublicKey{}, fmt.Errorf("get public key: %w", describe(resp, err, t, ""))
	}
	if _, err := key.decode(); err != nil {
		return PublicKey{}, fmt.Errorf("get public key: %w", err)
	}
	return key, nil
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
	ids := make([]int64, len(repos))
	errs := make([]error, len(repos))
	sem := make(chan struct{}, w.opts.Concurrency)
	var wg sync.WaitGroup
	for i, full := range repos {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			ids[i], errs[i] = w.repoIDs.get(ctx, strings.ToLower(full), func(ctx context.Context) (int64, error) {
				return w.fetchRepoID(ctx, full)
			})
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return ids, nil
}

// perPage is the most repositories GitHub lists in one page.
const perPage = 100

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
		opt := &github.RepositoryListByOrgOptions{Type: "all", ListOptions: github.ListOptions{PerPage: perPage}}
		for {
			page, resp, err := w.c.Repositories.ListByOrg(ctx, owner, opt)
			if err != nil {
				break
			}
			for _, r := range page {
				w.repoIDs.set(strings.ToLower(r.GetFullName()), r.GetID())
			}
			if resp.NextPage == 0 {
				break
			}
			opt.Page = resp.NextPage
		}
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

// status is the HTTP status of resp, or 0 when there was no response.
func status(resp *github.Response) int {
	if resp == nil || resp.Response == nil {
		return 0
	}
	return resp.StatusCode
}

// apiError is a failed request, said plainly: what the status means for the
// target and what GitHub said, without the request URL. It unwraps to the
// client's error.
type apiError struct {
	status int
	text   string
	err    error
}

func (e *apiError) Error() string { return e.text }
func (e *apiError) Unwrap() error { return e.err }

// StatusCode returns the HTTP status of the failed request behind err, or 0
// when err did not come from a response (a network error, a cancelled run).
func StatusCode(err error) int {
	var e *apiError
	if errors.As(err, &e) {
		return e.status
	}
	return 0
}

// describe turns a failed request for t into an error that says what is
// wrong: 404 names what may be missing (what, or else t's container), 403
// names the scopes and permissions GitHub accepts.
func describe(resp *github.Response, err error, t Target, what string) error {
	code := status(resp)
	if code == 0 {
		return transportError(err)
	}
	msg := ""
	var er *github.ErrorResponse
	var rl *github.RateLimitError
	var al *github.AbuseRateLimitError
	switch {
	case errors.As(err, &er):
		msg = er.Message
		for _, e := range er.Errors {
			if e.Message != "" {
				msg += ": " + e.Message
			}
		}
	case errors.As(err, &rl):
		msg = rl.Message
	case errors.As(err, &al):
		msg = al.Message
	}
	var text string
	switch code {
	case http.StatusUnauthorized:
		text = "bad credentials: the token that writes secrets is invalid, expired or revoked (401)"
	case http.StatusNotFound:
		if what == "" {
			what = containerNoun(t)
		}
		text = what + " not found or token has no access (404)"
	case http.StatusForbidden:
		text = "forbidden (403)"
		if msg != "" {
			text += ": " + msg
		}
		if v := resp.Header.Get("X-Accepted-OAuth-Scopes"); v != "" {
			text += "; accepted OAuth scopes: " + v
		}
		if v := resp.Header.Get("X-Accepted-GitHub-Permissions"); v != "" {
			text += "; accepted permissions: " + v
		}
		return &apiError{status: code, text: text, err: err}
	default:
		text = fmt.Sprintf("%s (%d)", strings.ToLower(http.StatusText(code)), code)
	}
	if msg != "" && code != http.StatusNotFound && code != http.StatusUnauthorized {
		text += ": " + msg
	}
	return &apiError{status: code, text: text, err: err}
}

// transportError says plainly why a request got no usable response: the
// client's retries ran out (keeping the last status), or the network or the
// run's context failed. The request URL, which the target already names, is
// left out.
func transportError(err error) error {
	var re *ghclient.RetryError
	if errors.As(err, &re) {
		return &apiError{status: re.StatusCode, text: "gave up " + re.Error(), err: err}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return &apiError{text: ue.Err.Error(), err: err}
	}
	return err
}

// containerNoun names what a 404 for t says may be missing.
func containerNoun(t Target) string {
	switch t.Scope {
	case EnvScope:
		return "repository or environment"
	case OrgScope:
		return "organization"
	}
	return "repository"
}
