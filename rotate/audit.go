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

	"github.com/pat-action/pat-action/policy"
	"github.com/pat-action/pat-action/secrets"
)

// The results an audit gives each secret in each target.
const (
	AuditFresh   = "fresh"   // present and younger than its max age
	AuditStale   = "stale"   // older than its max age
	AuditMissing = "missing" // not in the target
)

// ErrStale is returned (wrapped) when an audit found a secret stale or
// missing, or a token expiring.
var ErrStale = errors.New("secrets are stale, missing or expiring")

// AuditOptions is everything an audit needs. With a Plan it audits the
// plan's targets; with Organization it audits every repository secret of
// that organization against MaxAge. An audit writes nothing.
type AuditOptions struct {
	// Client reads repositories and secrets' metadata.
	Client *github.Client
	// NewClient returns a client authenticating as tok, to inspect token
	// sources; nil skips them.
	NewClient func(tok string) *github.Client
	Plan      *Plan
	// Organization, without a Plan, is the organization whose repository
	// secrets are audited.
	Organization string
	// MaxAge, when set, overrides every secret's max age.
	MaxAge time.Duration
	Shard  Shard
	Now    func() time.Time
	// Getenv reads token sources' variables; a token source whose variable
	// is not set is not inspected.
	Getenv func(string) string
	// Mask is called with every token read.
	Mask func(string)
	// Concurrency bounds concurrent reads; zero means secrets.DefaultConcurrency.
	Concurrency int
}

// Audit reports, for each target, whether its secret is fresh, stale or
// missing, and how each token source's token stands against its policy.
// It returns an error wrapping ErrStale when anything is stale, missing or
// expiring, else one wrapping ErrPartial when some request failed.
func Audit(ctx context.Context, o AuditOptions) (*Result, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Mask == nil {
		o.Mask = func(string) {}
	}
	r := &run{o: Options{Client: o.Client, NewClient: o.NewClient, Plan: o.Plan, Shard: o.Shard, Now: o.Now, Getenv: o.Getenv, Mask: o.Mask, Concurrency: o.Concurrency}}
	stale := false
	if o.Plan == nil {
		stale = r.auditOrg(ctx, o)
	} else {
		if err := r.listOrgs(ctx); err != nil {
			r.problem("plan", err)
		} else {
			stale = r.auditPlan(ctx, o)
		}
	}
	res, err := r.finish()
	if stale {
		return res, ErrStale
	}
	return res, err
}

func (r *run) auditPlan(ctx context.Context, o AuditOptions) bool {
	stale := false
	now := o.Now()
	for _, s := range o.Plan.Secrets {
		maxAge := s.MaxAge
		if o.MaxAge > 0 {
			maxAge = o.MaxAge
		}
		src := SourceResult{Name: s.Name, Type: s.Source.Type}
		targets := r.targets(s)
		ages := r.ages(ctx, s.Name, targets)
		for _, t := range targets {
			a, ok := ages[t.String()]
			if !ok {
				continue
			}
			res := AuditFresh
			switch {
			case a.Missing:
				res = AuditMissing
			case maxAge > 0 && now.Sub(a.Updated) > maxAge:
				res = AuditStale
			}
			stale = stale || res != AuditFresh
			r.add(SecretResult{Target: t.String(), Name: s.Name, Result: res})
		}
		if s.Source.Type == SourceToken && o.NewClient != nil {
			if tok := o.Getenv(s.Source.Env); tok != "" {
				o.Mask(tok)
				pr, info, err := r.checkToken(ctx, s, tok)
				if err != nil {
					r.problem("secret:"+s.Name, err)
				} else {
					src.Token, src.Policy = &info, &pr
					if !pr.Passed || pr.Expiry == policy.ExpiryWarning {
						stale = true
					}
				}
			}
		}
		r.res.Sources = append(r.res.Sources, src)
	}
	return stale
}

// auditOrg lists the organization's repositories once and each
// repository's secrets, and reports every secret older than MaxAge.
func (r *run) auditOrg(ctx context.Context, o AuditOptions) bool {
	repos, err := ListOrgRepos(ctx, o.Client, o.Organization)
	if err != nil {
		r.problem("org:"+o.Organization, err)
		return false
	}
	var targets []secrets.Target
	for _, rp := range repos {
		if !rp.Archived {
			targets = append(targets, secrets.Target{Kind: secrets.Actions, Scope: secrets.RepoScope, Owner: rp.Owner, Repo: rp.Name})
		}
	}
	targets = SelectFunc(o.Shard, targets, secrets.Target.String)
	now := o.Now()
	stale := false
	var mu sync.Mutex
	var wg sync.WaitGroup
	n := o.Concurrency
	if n <= 0 {
		n = secrets.DefaultConcurrency
	}
	sem := make(chan struct{}, n)
	var found []SecretResult
	for _, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			opt := &github.ListOptions{PerPage: 100}
			for {
				page, resp, err := o.Client.Actions.ListRepoSecrets(ctx, t.Owner, t.Repo, opt)
				if err != nil {
					r.problem(t.String(), fmt.Errorf("list secrets: %w", err))
					return
				}
				mu.Lock()
				for _, sc := range page.Secrets {
					if now.Sub(sc.UpdatedAt.Time) > o.MaxAge {
						stale = true
						found = append(found, SecretResult{Target: t.String(), Name: sc.Name, Result: AuditStale})
					}
				}
				mu.Unlock()
				if resp.NextPage == 0 {
					return
				}
				opt.Page = resp.NextPage
			}
		}()
	}
	wg.Wait()
	sortResults(found)
	r.add(found...)
	return stale
}

func sortResults(rs []SecretResult) {
	slices.SortFunc(rs, func(a, b SecretResult) int {
		if a.Target != b.Target {
			return strings.Compare(a.Target, b.Target)
		}
		return strings.Compare(a.Name, b.Name)
	})
}
