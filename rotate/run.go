package rotate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v45/github"

	"github.com/pat-action/pat-action/internal/result"
	"github.com/pat-action/pat-action/plan"
	"github.com/pat-action/pat-action/policy"
	"github.com/pat-action/pat-action/secrets"
	"github.com/pat-action/pat-action/state"
	"github.com/pat-action/pat-action/token"
)

// Options is everything a run needs. The plan is parsed and checked (with
// Check) before a run starts, so that bad input sends no request.
type Options struct {
	// Client authenticates as the token that writes secrets, lists
	// repositories, manages deploy keys and opens issues. Its transport
	// carries pacing and retries.
	Client *github.Client
	// NewClient returns a client, to the same API, that authenticates as
	// tok: a token source's token is inspected with it, and a GitHub App's
	// JWT is sent with it.
	NewClient func(tok string) *github.Client
	Plan      *plan.Plan
	// Shard is the slice of all targets this run handles.
	Shard Shard
	// Force rotates generated values that are younger than their max age.
	Force bool
	// DryRun only reads, and reports what would be written or deleted.
	DryRun bool
	// Now is the clock ages, expiries and deploy key titles are read with.
	Now func() time.Time
	// Token is the token the run was given, for token sources that name
	// no env var (input: token); masked like any token. In the action it is
	// the token input, on the command line PAT_ACTION_TOKEN, GH_TOKEN,
	// GITHUB_TOKEN or --token-file.
	Token string
	// App is the GitHub App the run was given, for github-app sources that
	// name none of their own (input: app); its private key is masked like
	// any key.
	App App
	// Getenv reads the environment variables token sources and app private
	// keys name.
	Getenv func(string) string
	// ReadFile reads an app's private-key-file; nil means os.ReadFile.
	ReadFile func(string) ([]byte, error)
	// Mask is called with every value before the run uses it (a token read,
	// a value generated, a token minted, a private key), so that the front
	// end can mask it before anything else is printed. It may be nil.
	Mask func(string)
	// Repository is the "owner/repo" the run belongs to, where reminder
	// issues are opened; empty disables them.
	Repository string
	// Concurrency bounds concurrent reads of secrets' metadata and the
	// writer's concurrent writes; zero means secrets.DefaultConcurrency.
	Concurrency int
	// StateRepository ("owner/repo") keeps the rotation state in its
	// Actions variables (package state): what the plan wrote, which value
	// generation each target holds, when a token was first stored. Empty
	// keeps none, and rotation decides from each secret's updated_at alone.
	StateRepository string
	// StateKey, when set (state.MinKey bytes or more), signs the state
	// and authenticates what is read: a state variable it does not verify
	// is ignored and reported, and prune may then delete what the plan
	// wrote outside its targets' present reach (a plan that narrowed).
	StateKey []byte
}

// withDefaults fills what o leaves unset with the process's own: the clock,
// the environment, the file system, and no masking.
func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.ReadFile == nil {
		o.ReadFile = os.ReadFile
	}
	if o.Mask == nil {
		o.Mask = func(string) {}
	}
	return o
}

// Result is what a run did: every target's result, every problem, and how
// each token source stood against its policy.
type Result struct {
	Secrets  []SecretResult
	Problems []Problem
	// Warnings need a person but fail nothing: a secret the plan wrote
	// outside its present reach, left in place without a state key.
	Warnings []Problem
	Sources  []SourceResult
	Issues   []IssueResult
	// Repositories and RepoSecrets count what an organization audit
	// listed: it reports only the stale secrets.
	Repositories, RepoSecrets int
}

// SecretResult is what happened to one secret in one target: a result of the
// JSON report ("created", "updated", "unchanged", "would-create",
// "would-update", "deleted", "would-delete", "failed"; audits add "fresh",
// "stale" and "missing").
type SecretResult = result.Secret

// Problem is a target, source or secret that failed, and why. Its error
// never holds a value.
type Problem = result.Problem

// SourceResult is how one secret's source stood: for a token source, the
// token and its policy result.
type SourceResult struct {
	Name   string         `json:"name"`
	Type   string         `json:"type"`
	Token  *token.Info    `json:"token,omitempty"`
	Policy *policy.Result `json:"policy,omitempty"`
	// Rotated is true when a new value was made (or, in a dry run, would
	// be) and written somewhere.
	Rotated bool `json:"rotated"`
	// MaxAge is the secret's max age as a plan writes it ("90d"), and
	// Oldest when the oldest value stored in its targets was written; an
	// audit sets them.
	MaxAge string     `json:"max_age,omitempty"`
	Oldest *time.Time `json:"oldest,omitempty"`
	// Diverged lists the targets that, by the rotation state, hold another
	// value generation than the current one: a run failed or was killed
	// half-way. Rotate repairs them with one new value everywhere; audit
	// fails them.
	Diverged []string `json:"diverged,omitempty"`
}

// PolicyFailed reports whether some token source failed its policy.
func (r *Result) PolicyFailed() bool {
	for _, s := range r.Sources {
		if s.Policy != nil && !s.Policy.Passed {
			return true
		}
	}
	return false
}

// Failed reports whether some target, source or request failed.
func (r *Result) Failed() bool { return len(r.Problems) > 0 }

// ErrPolicy is returned (wrapped) when a token source failed its policy:
// nothing was written for that secret.
var ErrPolicy = errors.New("a token failed its policy")

// ErrPartial is returned (wrapped) when some targets or requests failed;
// the result lists which, and running again is safe.
var ErrPartial = errors.New("some targets failed")

// run is one rotation in progress.
type run struct {
	o     Options
	w     *secrets.Writer
	repos map[string][]Repo // by lower-case org
	st    *state.Store      // nil when the run keeps no state

	mu  sync.Mutex
	res Result
	mem map[string]*memory // by secret name (memory.go)
	// untrusted are the state variables the state key did not verify.
	untrusted map[string]bool
	// pub are the values each secret's variables may publish, by secret
	// name and what (variables.go).
	pub map[string]map[string]string
	// reminders caches the run's own reminder issues (issues.go).
	reminders reminders
}

// Run runs the plan: it lists each organization's repositories once,
// expands and shards every secret's targets, makes or reads each new value,
// validates it, writes it, retires what it replaces and reports it all. It
// returns an error wrapping ErrPolicy or ErrPartial when the run did not
// fully succeed; the result is complete either way.
func Run(ctx context.Context, o Options) (*Result, error) {
	o = o.withDefaults()
	r := &run{o: o, w: secrets.NewWriter(o.Client, secrets.WriterOptions{DryRun: o.DryRun, Concurrency: o.Concurrency})}
	if err := r.openState(ctx); err != nil {
		r.problem("state:"+o.StateRepository, err)
		return r.finish()
	}
	if err := r.listOrgs(ctx); err != nil {
		r.problem("plan", err)
		return r.finish()
	}
	for _, s := range o.Plan.Secrets {
		r.secret(ctx, s)
	}
	return r.finish()
}

func (r *run) finish() (*Result, error) {
	res := &r.res
	for _, l := range []any{&res.Secrets, &res.Problems} {
		switch l := l.(type) {
		case *[]SecretResult:
			if *l == nil {
				*l = []SecretResult{}
			}
		case *[]Problem:
			if *l == nil {
				*l = []Problem{}
			}
		}
	}
	switch {
	case res.PolicyFailed():
		return res, ErrPolicy
	case res.Failed():
		return res, fmt.Errorf("%w (%d); running again is safe", ErrPartial, len(res.Problems))
	}
	return res, nil
}

func (r *run) add(rs ...SecretResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.res.Secrets = append(r.res.Secrets, rs...)
}

func (r *run) problem(target string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.res.Problems = append(r.res.Problems, Problem{Target: target, Error: err.Error()})
}

func (r *run) warn(target string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.res.Warnings = append(r.res.Warnings, Problem{Target: target, Error: err.Error()})
}

// orgsToList are the organizations whose repositories the plan needs.
func orgsToList(p *plan.Plan) []string {
	var out []string
	for _, s := range p.Secrets {
		for _, t := range s.Targets {
			if t.Organization != "" && (t.Expands() || s.Prune) {
				if org := strings.ToLower(t.Organization); !slices.Contains(out, org) {
					out = append(out, org)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// listOrgs lists each organization's repositories once for the whole run.
func (r *run) listOrgs(ctx context.Context) error {
	r.repos = map[string][]Repo{}
	for _, org := range orgsToList(r.o.Plan) {
		repos, err := r.w.OrgRepos(ctx, org)
		if err != nil {
			return err
		}
		r.repos[org] = repos
	}
	return nil
}

// targets are a secret's targets in this run's shard.
func (r *run) targets(s plan.Secret) []Target {
	return r.inShard(s, ExpandAll(s.Targets, r.repos))
}

// inShard are those of all, a secret's targets, in this run's shard. A
// generated value is one value everywhere: a deploy key's pair is written
// to all its targets (and the old key retired only when all hold the new
// one), and a random value is shared by everything that reads the secret.
// So those secrets belong to one shard as a whole; the others are sharded
// target by target.
func (r *run) inShard(s plan.Secret, all []Target) []Target {
	if s.Source.Type == plan.SourceDeployKey || s.Source.Type == plan.SourceRandom {
		if r.o.Shard.Has("secret:" + s.Name) {
			return all
		}
		return nil
	}
	return SelectFunc(r.o.Shard, all, func(t Target) string { return s.Name + " " + t.String() })
}

func plain(ts []Target) []secrets.Target {
	out := make([]secrets.Target, len(ts))
	for i, t := range ts {
		out[i] = t.Target
	}
	return out
}

// secret runs one secret of the plan.
func (r *run) secret(ctx context.Context, s plan.Secret) {
	all := ExpandAll(s.Targets, r.repos)
	targets := r.inShard(s, all)
	src := SourceResult{Name: s.Name, Type: s.Source.Type}
	if s.Source.Type == plan.SourceToken && (len(targets) > 0 || r.o.Shard.Has(reminderKey(s))) {
		// The shard that owns the reminder checks the token even when
		// it holds none of the secret's targets.
		r.tokenSecret(ctx, s, targets, &src)
	} else if len(targets) > 0 {
		switch s.Source.Type {
		case plan.SourceGitHubApp:
			r.appSecret(ctx, s, targets, &src)
		case plan.SourceRandom:
			r.randomSecret(ctx, s, targets, &src)
		case plan.SourceDeployKey:
			r.deployKeySecret(ctx, s, targets, &src)
		}
	}
	if m := r.recall(s); s.Prune && m != nil {
		r.pruneState(ctx, s, m, all)
	} else if s.Prune {
		// Without the rotation state nothing says what the plan wrote, and
		// a secret written by hand must never be pruned.
		r.problem(s.Name, fmt.Errorf("prune %s: no rotation state to say what the plan wrote; nothing pruned", s.Name))
	}
	r.remember(ctx, s)
	r.publish(ctx, s)
	r.mu.Lock()
	r.res.Sources = append(r.res.Sources, src)
	r.mu.Unlock()
}

// write stores value as s in targets and reports each result. It returns
// whether every target was written (or would be).
func (r *run) write(ctx context.Context, s plan.Secret, targets []Target, value []byte) bool {
	ok := true
	for _, res := range r.w.Store(ctx, plain(targets), s.Name, value) {
		r.add(SecretResult{Target: res.Target.String(), Name: s.Name, Result: string(res.Outcome), Environment: string(res.Environment)})
		if res.Err != nil {
			ok = false
			r.problem(res.Target.String(), fmt.Errorf("store %s: %w", s.Name, res.Err))
			continue
		}
		r.wrote(s, res.Target.String())
	}
	return ok
}

// unchanged reports targets left alone.
func (r *run) unchanged(s plan.Secret, targets []Target) {
	for _, t := range targets {
		r.add(SecretResult{Target: t.String(), Name: s.Name, Result: "unchanged"})
	}
}

// ages reads the age of s in every target. Targets whose age could not be
// read are reported as problems and left out.
func (r *run) ages(ctx context.Context, name string, targets []Target) map[string]secrets.Age {
	ages, errs := r.w.Ages(ctx, plain(targets), name)
	out := make(map[string]secrets.Age, len(targets))
	for i, t := range targets {
		if errs[i] != nil {
			r.problem(t.String(), errs[i])
			continue
		}
		out[t.String()] = ages[i]
	}
	return out
}

// due splits targets into those whose value must be rotated (missing,
// older than the secret's max age, or all of them with Force) and those
// that are fresh. Targets whose age could not be read are in neither.
func (r *run) due(ctx context.Context, s plan.Secret, targets []Target) (due, fresh []Target) {
	ages := r.ages(ctx, s.Name, targets)
	now := r.o.Now()
	for _, t := range targets {
		a, ok := ages[t.String()]
		switch {
		case !ok:
		case r.o.Force || a.Missing || (s.MaxAge > 0 && now.Sub(a.Updated) > s.MaxAge):
			due = append(due, t)
		default:
			fresh = append(fresh, t)
		}
	}
	return due, fresh
}
