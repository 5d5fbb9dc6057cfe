package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pat-action/pat-action/ghclient"
	"github.com/pat-action/pat-action/plan"
	"github.com/pat-action/pat-action/policy"
	"github.com/pat-action/pat-action/rotate"
	"github.com/pat-action/pat-action/secrets"
	"github.com/pat-action/pat-action/token"
)

// AuditOptions is everything audit needs, parsed and validated before any
// request: a plan, or an organization with a max age.
type AuditOptions struct {
	API   ghclient.API
	Admin string
	// Token is the token the run was given, inspected for token sources
	// that take it (input: token).
	Token string
	// Plan is the plan audited; nil with Organization.
	Plan         *plan.Plan
	Organization string
	MaxAge       time.Duration
	// MaxAgeText is max-age as the user wrote it, for messages.
	MaxAgeText string
	Shard      rotate.Shard
	// Pacing keeps requests under GitHub's secondary rate limits.
	Pacing ghclient.Pacing
	// Concurrency is how many targets are written or read at once.
	Concurrency int
	// StateRepository keeps the rotation state (a plan's audit only), and
	// StateKey authenticates it.
	StateRepository string
	StateKey        []byte
	rt              runtime
}

// auditOptions parses audit's inputs: with organization (and max-age) an ad
// hoc audit of the organization's repository secrets, else the plan's.
func auditOptions(v values, toks tokens, rt runtime) (AuditOptions, error) {
	api, err := ghclient.ParseAPIURL(v.str("api-url"))
	if err != nil {
		return AuditOptions{}, asUsage(err)
	}
	o := AuditOptions{API: api, rt: rt, Admin: toks.admin, Token: toks.token, Organization: v.str("organization")}
	if o.Shard, err = rotate.ParseShard(v.str("shard")); err != nil {
		return o, asUsage(err)
	}
	if o.Admin == "" {
		o.Admin = toks.token
	}
	if err := rt.tokenFormat("admin token", o.Admin); err != nil {
		return o, err
	}
	if o.Concurrency, o.Pacing, err = throughput(v, api, o.Shard.Count); err != nil {
		return o, err
	}
	if s := v.str("max-age"); s != "" {
		if o.MaxAge, err = plan.ParseDuration(s); err != nil {
			return o, asUsage(fmt.Errorf("max-age: %w", err))
		}
		o.MaxAgeText = s
		if o.MaxAge <= 0 {
			return o, usagef("max-age %q: want a positive duration such as 90d", s)
		}
		if o.MaxAge > policy.MaxDays*24*time.Hour {
			return o, usagef("max-age %q: at most %dd (ten years)", s, policy.MaxDays)
		}
	}
	if o.Organization != "" {
		org := secrets.Target{Kind: secrets.Actions, Scope: secrets.OrgScope, Org: o.Organization, Visibility: secrets.VisibilityPrivate}
		if err := org.Validate(api.GHES); err != nil {
			return o, asUsage(err)
		}
		if o.MaxAge == 0 {
			return o, usagef("organization: an audit of an organization needs max-age, such as --max-age 90d")
		}
		return o, nil
	}
	if o.StateRepository, o.StateKey, o.Plan, err = planInputs(v, toks, rt, api); err != nil {
		return o, err
	}
	if err := checkSourceTokens(o.Plan, toks.token, rt); err != nil {
		return o, err
	}
	if err := fitsJob(o.Pacing, planTargets(o.Plan, o.Shard)); err != nil {
		return o, err
	}
	return o, nil
}

// checkSourceTokens checks the format of every token source's token that
// is set, and makes each, and each app's private key, a secret of the run
// for the redactor from the start. An audit reads a token only when it is
// set, so a missing one is not an error.
func checkSourceTokens(p *plan.Plan, runToken string, rt runtime) error {
	for _, s := range p.Secrets {
		if s.Source.Type == plan.SourceGitHubApp {
			if s.Source.PrivateKeyEnv != "" {
				rt.mask(rt.getenv(s.Source.PrivateKeyEnv))
			} else if b, err := rt.readFile(s.Source.PrivateKeyFile); err == nil {
				rt.mask(string(b))
			}
		}
		if s.Source.Type != plan.SourceToken {
			continue
		}
		tok, origin := rt.getenv(s.Source.Env), "environment variable "+s.Source.Env
		if s.Source.Input == plan.InputToken {
			tok, origin = runToken, "the run's token (input: token)"
		}
		if tok == "" {
			continue
		}
		rt.mask(tok)
		if err := token.CheckFormat(tok); err != nil {
			return asUsage(fmt.Errorf("secret %s: token in %s: %w", s.Name, origin, err))
		}
	}
	return nil
}

// planTargets is how many targets a shard of the plan writes at least, for
// the pacing estimate: targets that select repositories by match or topic
// count as one.
func planTargets(p *plan.Plan, shard rotate.Shard) int {
	n := 0
	for _, s := range p.Secrets {
		for _, t := range s.Targets {
			n += max(1, len(t.Repositories))
		}
	}
	if shard.Count > 1 {
		n /= shard.Count
	}
	return n
}

// runAudit audits and fills the report: each target's secret is "fresh",
// "stale" or "missing"; token sources' rules go in the policy section.
// Anything stale, missing or expiring is a *policyError (exit 1).
func runAudit(ctx context.Context, o AuditOptions, rep *Report) error {
	client := o.rt.clients(o.API, o.Pacing, o.Concurrency)
	ao := rotate.AuditOptions{
		Options: rotate.Options{
			Client:      client(o.Admin),
			NewClient:   client,
			Plan:        o.Plan,
			Shard:       o.Shard,
			Now:         o.rt.now,
			Token:       o.Token,
			Getenv:      o.rt.getenv,
			Mask:        o.rt.mask,
			Concurrency: o.Concurrency,

			StateRepository: o.StateRepository,
			StateKey:        o.StateKey,
		},
		Organization: o.Organization,
		MaxAge:       o.MaxAge,
		MaxAgeText:   o.MaxAgeText,
	}
	res, err := rotate.Audit(ctx, ao)
	fillReport(rep, res)
	if errors.Is(err, rotate.ErrStale) {
		rep.Policy.Passed = false
		return &policyError{err}
	}
	return err
}
