package app

import (
	"context"
	"crypto/subtle"
	"errors"
	"os"
	"strings"
	"unicode"

	"github.com/pat-action/pat-action/ghclient"
	"github.com/pat-action/pat-action/plan"
	"github.com/pat-action/pat-action/policy"
	"github.com/pat-action/pat-action/rotate"
	"github.com/pat-action/pat-action/secrets"
	"github.com/pat-action/pat-action/state"
)

// defaultConfig is where a rotation plan lives unless the config input says
// otherwise.
const defaultConfig = ".github/pat-rotation.yml"

// RotateOptions is everything rotate needs, parsed and validated before any
// request: the plan, the shard and the token that writes.
type RotateOptions struct {
	API   ghclient.API
	Admin string
	// Token is the token the run was given, for token sources that take
	// it (input: token).
	Token string
	// App is the GitHub App the run was given, for github-app sources
	// that take it (input: app).
	App   rotate.App
	Plan  *plan.Plan
	Shard rotate.Shard
	Force bool
	// DryRun only reads and reports what would be written or deleted.
	DryRun bool
	// Repository is where reminder issues are opened ($GITHUB_REPOSITORY).
	Repository string
	// StateRepository keeps the rotation state in its Actions variables.
	StateRepository string
	// StateKey signs and authenticates the rotation state; nil keeps it
	// unsigned.
	StateKey []byte
	// Pacing keeps requests under GitHub's secondary rate limits.
	Pacing ghclient.Pacing
	// Concurrency is how many targets are written or read at once.
	Concurrency int
	rt          runtime
}

// loadPlan reads the config input's plan, checked for the server api
// points at; every problem is bad input.
func loadPlan(v values, rt runtime, api ghclient.API) (*plan.Plan, error) {
	path := v.str("config")
	if path == "" {
		path = defaultConfig
	}
	f, err := rt.open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, usagef("config %s: no such file: write a rotation plan there or point the config input at one", path)
	}
	if err != nil {
		return nil, usagef("config %s: %v", path, err)
	}
	defer f.Close()
	p, err := plan.Read(path, f, plan.Options{GHES: api.GHES})
	var perr *plan.Error
	if err != nil && !errors.As(err, &perr) {
		return nil, usagef("config %s: %v", path, err)
	}
	if err != nil {
		return nil, asUsage(err)
	}
	return p, nil
}

// planInputs reads what rotate and audit share: the repository that keeps
// the rotation state, the key that signs it (never one of the run's
// tokens) and the plan.
func planInputs(v values, toks tokens, rt runtime, api ghclient.API) (string, []byte, *plan.Plan, error) {
	repo, err := stateRepository(v, rt)
	if err != nil {
		return "", nil, nil, err
	}
	key, err := stateKey(toks.stateKey, rt)
	if err != nil {
		return "", nil, nil, err
	}
	p, err := loadPlan(v, rt, api)
	if err != nil {
		return "", nil, nil, err
	}
	if err := keyNotAToken(key, p, toks, rt); err != nil {
		return "", nil, nil, err
	}
	return repo, key, p, nil
}

// rotateOptions parses and validates rotate's inputs, the plan included,
// and checks that every token and private key the plan names is at hand.
func rotateOptions(v values, toks tokens, rt runtime) (RotateOptions, error) {
	api, err := ghclient.ParseAPIURL(v.str("api-url"))
	if err != nil {
		return RotateOptions{}, asUsage(err)
	}
	o := RotateOptions{API: api, rt: rt, Repository: rt.getenv("GITHUB_REPOSITORY")}
	if o.Shard, err = rotate.ParseShard(v.str("shard")); err != nil {
		return o, asUsage(err)
	}
	o.Admin, o.Token = toks.admin, toks.token
	if o.Admin == "" {
		o.Admin = toks.token
	}
	if err := rt.tokenFormat("admin token", o.Admin); err != nil {
		return o, err
	}
	if o.Force, err = v.boolean("force"); err != nil {
		return o, err
	}
	if o.DryRun, err = v.boolean("dry-run"); err != nil {
		return o, err
	}
	if o.Concurrency, o.Pacing, err = throughput(v, api, o.Shard.Count); err != nil {
		return o, err
	}
	if o.StateRepository, o.StateKey, o.Plan, err = planInputs(v, toks, rt, api); err != nil {
		return o, err
	}
	if o.App.Issuer, err = appIssuerInput(v); err != nil {
		return o, err
	}
	o.App.Key = toks.appKey
	g := rotate.Given{Token: o.Token, App: o.App,
		SetToken:  "set PAT_ACTION_TOKEN, GH_TOKEN or GITHUB_TOKEN (GH_ENTERPRISE_TOKEN for an api-url not on github.com or ghe.com) to the new token, or pass --token-file FILE",
		SetAppID:  "set PAT_ACTION_CLIENT_ID (or PAT_ACTION_APP_ID), or pass --client-id (or --app-id)",
		SetAppKey: "set PAT_ACTION_APP_PRIVATE_KEY to the App's PEM private key, or pass --app-private-key-file FILE",
	}
	if rt.action {
		g.SetToken = "set the token input to the new token"
		g.SetAppID = "set the client-id (or app-id) input"
		g.SetAppKey = "set the private-key input to the App's PEM private key"
	}
	if err := rotate.Check(o.Plan, g, rt.getenv, rt.readFile); err != nil {
		return o, asUsage(err)
	}
	if err := checkSourceTokens(o.Plan, o.Token, rt); err != nil {
		return o, err
	}
	if err := fitsJob(o.Pacing, planTargets(o.Plan, o.Shard)); err != nil {
		return o, err
	}
	return o, nil
}

// maskLines masks each line of a value on its own: a runner masks a
// multi-line value given to one ::add-mask:: by its first line only, and
// the command itself would print the rest (a deploy key's PEM body).
func maskLines(mask func(string)) func(string) {
	return func(v string) {
		for _, line := range strings.Split(v, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				mask(line)
			}
		}
	}
}

// runRotate runs the plan and fills the report.
func runRotate(ctx context.Context, o RotateOptions, rep *Report) error {
	client := o.rt.clients(o.API, o.Pacing, o.Concurrency)
	ro := rotate.Options{
		Client:      client(o.Admin),
		NewClient:   client,
		Plan:        o.Plan,
		Shard:       o.Shard,
		Force:       o.Force,
		DryRun:      o.DryRun,
		Now:         o.rt.now,
		Token:       o.Token,
		App:         o.App,
		Getenv:      o.rt.getenv,
		ReadFile:    o.rt.readFile,
		Mask:        o.rt.mask,
		Repository:  o.Repository,
		Concurrency: o.Concurrency,

		StateRepository: o.StateRepository,
		StateKey:        o.StateKey,
	}
	res, err := rotate.Run(ctx, ro)
	fillReport(rep, res)
	switch {
	case errors.Is(err, rotate.ErrPolicy):
		return &policyError{err}
	case err != nil:
		return err
	}
	return nil
}

// fillReport turns a rotation's result into the report: every target's
// result and problem, each source, and the token sources' policy rules
// (named after their secret) in the policy section.
func fillReport(rep *Report, res *rotate.Result) {
	if res == nil {
		return
	}
	rep.Secrets = append(rep.Secrets, res.Secrets...)
	rep.Problems = append(rep.Problems, res.Problems...)
	rep.Warnings = append(rep.Warnings, res.Warnings...)
	rep.Sources = res.Sources
	rep.Issues = res.Issues
	rep.Checked = checkedOf(res)
	rep.Policy.Passed = true
	for _, s := range res.Sources {
		if s.Policy == nil {
			continue
		}
		for _, rule := range s.Policy.Rules {
			rule.Name = s.Name + ": " + rule.Name
			rep.Policy.Add(rule)
		}
		if !s.Policy.Passed {
			rep.Policy.Passed = false
		}
		rep.Policy.MissingScopes = append(rep.Policy.MissingScopes, s.Policy.MissingScopes...)
		rep.Policy.ExcessScopes = append(rep.Policy.ExcessScopes, s.Policy.ExcessScopes...)
		rep.Policy.ForbiddenScopes = append(rep.Policy.ForbiddenScopes, s.Policy.ForbiddenScopes...)
		if worse(s.Policy.Expiry, rep.Policy.Expiry) {
			rep.Policy.Expiry = s.Policy.Expiry
		}
	}
}

// checkedOf counts what a rotation or an audit looked at.
func checkedOf(res *rotate.Result) Checked {
	c := Checked{Repositories: res.Repositories, Secrets: len(res.Secrets)}
	targets := map[string]bool{}
	for _, s := range res.Secrets {
		targets[s.Target] = true
	}
	c.Targets = len(targets)
	if res.Repositories > 0 || res.RepoSecrets > 0 {
		c.Targets, c.Secrets = 0, res.RepoSecrets
	}
	for _, s := range res.Sources {
		if s.Token != nil {
			c.Tokens++
		}
	}
	return c
}

// worse reports whether expiry a is worse than b, for the report's one
// expiry field over many tokens.
func worse(a, b policy.Expiry) bool {
	rank := map[policy.Expiry]int{"": 0, policy.ExpiryNone: 1, policy.ExpiryOK: 2, policy.ExpiryWarning: 3, policy.ExpiryTooSoon: 4, policy.ExpiryExpired: 5}
	return rank[a] > rank[b]
}

// stateRepository is where the rotation state lives: the state-repository
// input, else the repository running the workflow. Rotating without state
// would decide from updated_at alone, the behaviour it exists to fix, so
// there is no default beyond that.
func stateRepository(v values, rt runtime) (string, error) {
	repo := v.str("state-repository")
	if repo == "" {
		repo = strings.TrimSpace(rt.getenv("GITHUB_REPOSITORY"))
	}
	if repo == "" {
		return "", usagef("state-repository: rotate and audit keep their state in a repository's Actions variables: set --state-repository OWNER/REPO (in a workflow, GITHUB_REPOSITORY is used)")
	}
	if _, _, err := secrets.ParseRepo(repo); err != nil {
		return "", usagef("state-repository %q: %v", repo, err)
	}
	return repo, nil
}

// stateKey checks the state key, which is optional: 32 to 1024 bytes on one
// line, with no white space at either end. It is never quoted, not even its length in a message that could
// show a short mistake.
func stateKey(key string, rt runtime) ([]byte, error) {
	if key == "" {
		return nil, nil
	}
	where := "PAT_ACTION_STATE_KEY or --state-key-file"
	if rt.action {
		where = "the state-key input"
	}
	if len(key) < state.MinKey || len(key) > state.MaxKey {
		return nil, usagef("state key (%s): want %d to %d bytes, such as the output of openssl rand -base64 32, kept as a secret; leave it empty to keep the state unsigned", where, state.MinKey, state.MaxKey)
	}
	if strings.ContainsFunc(key, unicode.IsControl) {
		return nil, usagef("state key (%s): holds a line break or another control character; want one line", where)
	}
	if strings.TrimSpace(key) != key {
		// The action's input is trimmed by the runner: the same text
		// would be another key on the command line.
		return nil, usagef("state key (%s): starts or ends with white space, which the action's input would trim: want the key alone", where)
	}
	return []byte(key), nil
}

// keyNotAToken refuses a state key that is one of the run's tokens: a token
// is sent to GitHub, and a token source's is stored in every target, where
// each repository's workflows can read it, and so forge the state. Neither
// is quoted.
func keyNotAToken(key []byte, p *plan.Plan, toks tokens, rt runtime) error {
	if key == nil {
		return nil
	}
	type given struct{ what, tok string }
	toCheck := []given{{"the token", toks.token}, {"the admin token", toks.admin}, {"the previous token", toks.previous}}
	for _, s := range p.Secrets {
		if s.Source.Type == plan.SourceToken && s.Source.Env != "" {
			toCheck = append(toCheck, given{s.Name + "'s token (" + s.Source.Env + ")", rt.getenv(s.Source.Env)})
		}
	}
	for _, g := range toCheck {
		if g.tok != "" && subtle.ConstantTimeCompare([]byte(g.tok), key) == 1 {
			return usagef("the state key is the same as %s: a token is sent to GitHub and stored where the plan writes it; the key must be a random value of its own, kept only as the plan repository's secret (openssl rand -base64 32)", g.what)
		}
	}
	return nil
}
