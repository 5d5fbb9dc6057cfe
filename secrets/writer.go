package secrets

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"sync"

	"github.com/google/go-github/v45/github"

	"github.com/pat-action/pat-action/internal/fanout"
	"github.com/pat-action/pat-action/internal/natural"
)

// Outcome is what happened, or would happen, to a secret in one target. Its
// values are the JSON report's result strings.
type Outcome string

// The outcomes of writing or deleting a secret.
const (
	Created     Outcome = "created"
	Updated     Outcome = "updated"
	WouldCreate Outcome = "would-create"
	WouldUpdate Outcome = "would-update"
	Deleted     Outcome = "deleted"
	WouldDelete Outcome = "would-delete"
	Failed      Outcome = "failed"
)

// DefaultConcurrency is how many targets a Writer handles at once when
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
	// Environment is Created (WouldCreate in a dry run) when the target's
	// environment was missing and the writer created it (Target's
	// CreateEnvironment); empty otherwise.
	Environment Outcome
}

// WriterOptions configure a Writer.
type WriterOptions struct {
	// Concurrency is how many targets are written or read at once; zero
	// means DefaultConcurrency. The client's transport may pace requests
	// further.
	Concurrency int
	// DryRun makes the Writer only read: it fetches each public key and the
	// secret's metadata and reports WouldCreate or WouldUpdate; Delete
	// reports WouldDelete.
	DryRun bool
	// OnResult, when set, is called as each target finishes, one call at a
	// time, in completion order. It is for progress; Store's return value is
	// the report.
	OnResult func(Result)
}

// Writer writes one secret into many targets through one client, and reads
// their ages, lists and deletes them: it is the one client of the secrets
// API. It fetches
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
	// envs are the environments created (or that would be), by envKey.
	envs sync.Map
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

// each runs do for every target, Concurrency at once, and returns the
// results sorted by target. Targets not started when ctx is done fail with
// its error.
func (w *Writer) each(ctx context.Context, targets []Target, name string, do func(context.Context, Target) (Outcome, error)) []Result {
	var mu sync.Mutex // serialises OnResult
	report := func(r Result) Result {
		if r.Err != nil {
			r.Outcome = Failed
		}
		if w.opts.OnResult != nil {
			mu.Lock()
			w.opts.OnResult(r)
			mu.Unlock()
		}
		return r
	}
	results, errs := fanout.Map(ctx, w.opts.Concurrency, targets, func(ctx context.Context, t Target) (Result, error) {
		r := Result{Target: t, Name: name}
		r.Outcome, r.Err = do(ctx, t)
		if o, ok := w.envs.LoadAndDelete(envKey(t, name)); ok {
			r.Environment = o.(Outcome)
		}
		return report(r), nil
	})
	for i, err := range errs {
		if err != nil {
			results[i] = report(Result{Target: targets[i], Name: name, Err: err})
		}
	}
	sort.SliceStable(results, func(i, j int) bool {
		return natural.Compare(results[i].Target.String(), results[j].Target.String()) < 0
	})
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
	if err != nil && t.Scope == EnvScope && t.CreateEnvironment && notFound(err) {
		if w.opts.DryRun {
			return w.wouldCreateEnvironment(ctx, t, name)
		}
		if err := w.createEnvironment(ctx, t, name); err != nil {
			return Failed, err
		}
		key, err = w.PublicKey(ctx, t)
	}
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

// notFound reports whether err is GitHub's 404.
func notFound(err error) bool {
	var er *github.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusNotFound
}

// envKey names the secret name in the environment target t, for Writer.envs.
func envKey(t Target, name string) string { return t.String() + "\x00" + name }

// createEnvironment creates t's environment, which its public key's 404
// said is missing (PUT /repos/{owner}/{repo}/environments/{name} with no
// protection rules). Only a missing environment is created: an existing
// one, whose protection rules the PUT could change, is never sent one.
func (w *Writer) createEnvironment(ctx context.Context, t Target, name string) error {
	path := "repos/" + url.PathEscape(t.Owner) + "/" + url.PathEscape(t.Repo) + "/environments/" + url.PathEscape(t.Environment)
	req, err := w.c.NewRequest(http.MethodPut, path, struct{}{})
	if err != nil {
		return fmt.Errorf("create environment %q: %w", t.Environment, err)
	}
	resp, err := w.c.Do(ctx, req, nil)
	if err != nil {
		return fmt.Errorf("create environment %q: %w", t.Environment, describe(resp, err, Target{Scope: RepoScope}, ""))
	}
	w.envs.Store(envKey(t, name), Created)
	return nil
}

// wouldCreateEnvironment is a dry run's createEnvironment: the repository
// must exist (its environment's public key said only that one of the two
// is missing), and then the secret would be created with the environment.
func (w *Writer) wouldCreateEnvironment(ctx context.Context, t Target, name string) (Outcome, error) {
	req, err := w.c.NewRequest(http.MethodGet, "repos/"+url.PathEscape(t.Owner)+"/"+url.PathEscape(t.Repo), nil)
	if err != nil {
		return Failed, fmt.Errorf("create environment %q: %w", t.Environment, err)
	}
	if resp, err := w.c.Do(ctx, req, nil); err != nil {
		return Failed, fmt.Errorf("create environment %q: %w", t.Environment, describe(resp, err, Target{Scope: RepoScope}, ""))
	}
	w.envs.Store(envKey(t, name), WouldCreate)
	return WouldCreate, nil
}

// putBody is the body of a secret PUT. Visibility and the repository ids
// are for organization secrets only; the ids are sent, as [] when there
// are none, exactly when the visibility is selected.
type putBody struct {
	EncryptedValue        string   `json:"encrypted_value"`
	KeyID                 string   `json:"key_id"`
	Visibility            string   `json:"visibility,omitempty"`
	SelectedRepositoryIDs *[]int64 `json:"selected_repository_ids,omitempty"`
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
		if t.Visibility == VisibilitySelected {
			ids = append([]int64{}, ids...) // [] rather than null for none
			body.SelectedRepositoryIDs = &ids
		}
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

// setRepos replaces the repositories that may read the existing
// organization secret name (PUT /orgs/{org}/{kind}/secrets/{name}/repositories)
// with t's SelectedRepos; the value is not needed and not sent. GitHub
// answers 409 when the stored secret's visibility is not selected. In a dry
// run it only checks that the secret exists and reports WouldUpdate.
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
