package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/pat-action/pat-action/ghclient"
	"github.com/pat-action/pat-action/secrets"
)

// StoreOptions is everything store needs, parsed and validated before any
// request.
type StoreOptions struct {
	// Check is the policy the token must pass before anything is written.
	Check CheckOptions
	// AdminToken writes the secrets; it is the token itself unless given.
	AdminToken string
	// Name is the secret's name.
	Name string
	// Targets are where the secret goes, validated.
	Targets []secrets.Target
	// DryRun only reads and reports what would be written.
	DryRun bool
	// ReposOnly replaces an organization secret's repository list without
	// sending the value.
	ReposOnly bool
	// Concurrency is how many targets are written at once.
	Concurrency int
	// Pacing keeps the writes under GitHub's secondary rate limits.
	Pacing ghclient.Pacing
	// Previous is the token being replaced, revoked once every target
	// holds the new one; empty keeps it.
	Previous string

	// progress shows targets as they finish.
	progress *progress
}

// storeOptions parses and validates store's inputs. Nothing is contacted:
// every mistake here is exit 2 with zero requests.
func storeOptions(v values, toks tokens, rt runtime) (StoreOptions, error) {
	var o StoreOptions
	o.Name = v.str("secret-name")
	if o.Name == "" {
		return o, usagef("secret-name is required: the name of the secret to store the token in")
	}
	if err := secrets.ValidateName(o.Name); err != nil {
		return o, asUsage(err)
	}
	var err error
	if o.ReposOnly, err = v.boolean("update-repositories-only"); err != nil {
		return o, err
	}
	// The token is the value: the secret rules come first, so a huge value
	// is reported in the secret's terms. Replacing only an organization
	// secret's repositories sends no value, so it needs no token.
	if !o.ReposOnly {
		if err := secrets.ValidateValue([]byte(toks.token)); err != nil {
			return o, asUsage(fmt.Errorf("token (the secret's value): %w", err))
		}
	}
	co, err := checkOptionsFor(v, toks.token, rt, !o.ReposOnly)
	if err != nil {
		return o, err
	}
	// In store, repositories are where the secret goes; check's reach test
	// would cost one request per target, and the writes themselves show
	// which repositories the admin token reaches.
	co.Repositories = nil
	co.Policy.ReachChecked = false
	o.Check = co
	if err := refuseInstallationToken(toks.token, co.Policy); err != nil {
		return o, err
	}

	o.AdminToken = toks.admin
	if o.AdminToken == "" {
		o.AdminToken = toks.token
	}
	if err := rt.tokenFormat("admin token", o.AdminToken); err != nil {
		return o, err
	}
	if o.DryRun, err = v.boolean("dry-run"); err != nil {
		return o, err
	}
	if o.Targets, err = storeTargets(v, rt, co.API.GHES); err != nil {
		return o, err
	}
	if o.ReposOnly && (o.Targets[0].Scope != secrets.OrgScope || o.Targets[0].Visibility != secrets.VisibilitySelected) {
		return o, usagef("update-repositories-only changes which repositories may read an organization secret: give organization and repositories (visibility selected)")
	}
	if err := previousToken(&o, toks.previous, co.API); err != nil {
		return o, err
	}
	if o.Concurrency, o.Pacing, err = throughput(v, co.API, 1); err != nil {
		return o, err
	}
	if err := fitsJob(o.Pacing, storeTargetCount(o.Targets)); err != nil {
		return o, err
	}
	o.progress = rt.newProgress()
	return o, nil
}

// storeTargetCount is how many targets a store writes, for the pacing
// estimate: an organization secret also looks up each selected repository.
func storeTargetCount(targets []secrets.Target) int {
	n := len(targets)
	for _, t := range targets {
		n += len(t.SelectedRepos)
	}
	return n
}

// storeTargets turns the target inputs into validated targets: one
// organization secret, or a repository or environment secret in each listed
// repository.
func storeTargets(v values, rt runtime, ghes bool) ([]secrets.Target, error) {
	kind, err := secrets.ParseKind(strings.ToLower(v.str("secret-type")))
	if err != nil {
		return nil, asUsage(fmt.Errorf("secret-type: %w", err))
	}
	org, env := v.str("organization"), v.str("environment")
	createEnv, err := v.boolean("create-environment")
	if err != nil {
		return nil, err
	}
	repos := v.list("repositories")
	if len(repos) == 0 && org == "" && rt.action {
		// In a workflow the repository it runs in is the natural target.
		repos = splitList(rt.getenv("GITHUB_REPOSITORY"))
	}
	seen := map[string]bool{}
	var uniq []string
	for _, r := range repos {
		if _, _, err := secrets.ParseRepo(r); err != nil {
			return nil, asUsage(fmt.Errorf("repositories: %w", err))
		}
		if k := strings.ToLower(r); !seen[k] {
			seen[k] = true
			uniq = append(uniq, r)
		}
	}
	repos = uniq
	vis := v.str("visibility")
	var targets []secrets.Target
	switch {
	case createEnv && env == "":
		return nil, usagef("create-environment without environment: give the environment to create in each repository, or drop create-environment")
	case org != "" && env != "":
		return nil, usagef("environment %q with organization %q: organizations have no environments; drop organization to write environment secrets into the repositories, or drop environment", env, org)
	case org != "":
		vis = secrets.DefaultVisibility(vis, repos)
		if _, err := secrets.ParseVisibility(vis); err != nil {
			return nil, asUsage(fmt.Errorf("visibility: %w", err))
		}
		targets = []secrets.Target{{Kind: kind, Scope: secrets.OrgScope, Org: org, Visibility: vis, SelectedRepos: repos}}
	case vis != "":
		return nil, usagef("visibility %q without organization: only organization secrets have a visibility", vis)
	case len(repos) == 0:
		return nil, usagef("no target: give repositories (owner/repo list, with environment for environment secrets) or organization")
	default:
		for _, r := range repos {
			owner, name, _ := secrets.ParseRepo(r)
			t := secrets.Target{Kind: kind, Scope: secrets.RepoScope, Owner: owner, Repo: name}
			if env != "" {
				t.Scope, t.Environment, t.CreateEnvironment = secrets.EnvScope, env, createEnv
			}
			targets = append(targets, t)
		}
	}
	for _, t := range targets {
		if err := t.Validate(ghes); err != nil {
			return nil, asUsage(err)
		}
	}
	return targets, nil
}

// runStore checks the token and, only if it passes, writes it into every
// target. A failing token writes nothing. Targets that fail are problems in
// the report and make a partial-failure error; the others still complete.
func runStore(ctx context.Context, o StoreOptions, rep *Report) error {
	if !o.ReposOnly {
		if err := runCheck(ctx, o.Check, rep); err != nil {
			if o.Previous != "" {
				rep.PreviousToken = "kept" // nothing was written
			}
			return err
		}
	}
	w := secrets.NewWriter(o.Check.rt.clients(o.Check.API, o.Pacing, o.Concurrency)(o.AdminToken), secrets.WriterOptions{
		Concurrency: o.Concurrency,
		DryRun:      o.DryRun,
		OnResult:    o.progress.result,
	})
	if o.progress != nil {
		// The check's result is printed before the per-target group.
		rep.showCheck(o.progress.w)
	}
	o.progress.start(o.Name, len(o.Targets), o.DryRun)
	var results []secrets.Result
	if o.ReposOnly {
		results = w.SetOrgSecretRepositories(ctx, o.Targets, o.Name)
	} else {
		results = w.Store(ctx, o.Targets, o.Name, []byte(o.Check.Token))
	}
	o.progress.finish()
	rep.Checked.Targets, rep.Checked.Secrets = len(o.Targets), len(results)
	failed := 0
	for _, r := range results {
		rep.Secrets = append(rep.Secrets, SecretResult{Target: r.Target.String(), Name: r.Name, Result: string(r.Outcome), Environment: string(r.Environment)})
		if r.Outcome == secrets.Failed {
			failed++
			rep.Problems = append(rep.Problems, Problem{Target: r.Target.String(), Error: r.Err.Error()})
		}
	}
	if failed > 0 {
		if o.Previous != "" {
			rep.PreviousToken = "kept"
		}
		return fmt.Errorf("store %s: %d of %d targets failed; running again is safe", o.Name, failed, len(results))
	}
	return revokePrevious(ctx, o, rep)
}
