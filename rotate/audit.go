package rotate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pat-action/pat-action/internal/natural"
	"github.com/pat-action/pat-action/plan"
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
// that organization against MaxAge. An audit writes nothing: of the run
// options, Force, DryRun and Repository do not apply, and NewClient, when
// nil, skips inspecting token sources.
type AuditOptions struct {
	Options
	// Organization, without a Plan, is the organization whose repository
	// secrets are audited.
	Organization string
	// MaxAge, when set, overrides every secret's max age; MaxAgeText is
	// it as the user wrote it ("2w").
	MaxAge     time.Duration
	MaxAgeText string
}

// Audit reports, for each target, whether its secret is fresh, stale or
// missing, and how each token source's token stands against its policy.
// It returns an error wrapping ErrStale when anything is stale, missing or
// expiring, else one wrapping ErrPartial when some request failed.
func Audit(ctx context.Context, o AuditOptions) (*Result, error) {
	o.Options = o.withDefaults()
	o.Force, o.DryRun, o.Repository = false, false, ""
	r := &run{o: o.Options, w: secrets.NewWriter(o.Client, secrets.WriterOptions{Concurrency: o.Concurrency})}
	stale := false
	if o.Plan == nil {
		stale = r.auditOrg(ctx, o)
	} else if err := r.openState(ctx); err != nil {
		r.problem("state:"+o.StateRepository, err)
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
		maxAge, text := s.MaxAge, s.MaxAgeText
		if o.MaxAge > 0 {
			maxAge, text = o.MaxAge, o.MaxAgeText
		}
		src := SourceResult{Name: s.Name, Type: s.Source.Type}
		if maxAge > 0 {
			src.MaxAge = text
			if text == "" {
				src.MaxAge = formatMaxAge(maxAge)
			}
		}
		targets := r.targets(s)
		ages := r.ages(ctx, s.Name, targets)
		diverged := r.auditDiverged(s, targets, ages, &src)
		oldestIn := ""
		for _, t := range targets {
			a, ok := ages[t.String()]
			if !ok {
				continue
			}
			res := AuditFresh
			switch {
			case a.Missing:
				res = AuditMissing
			case maxAge > 0 && now.Sub(a.Updated) > maxAge, diverged[t.String()]:
				res = AuditStale
			}
			if !a.Missing && (src.Oldest == nil || a.Updated.Before(*src.Oldest)) {
				updated := a.Updated
				src.Oldest, oldestIn = &updated, t.String()
			}
			stale = stale || res != AuditFresh
			r.add(SecretResult{Target: t.String(), Name: s.Name, Result: res})
		}
		if m := r.recall(s); m != nil && m.known && s.Source.Type == plan.SourceToken && !m.was.Since.IsZero() {
			// The token's real age: from when it was first stored, not
			// from the last time a run wrote it again.
			since := m.was.Since
			src.Oldest, oldestIn = &since, "every target (first stored, per the rotation state)"
		}
		if s.Source.Type == plan.SourceToken {
			if r.auditToken(ctx, o, s, &src) {
				stale = true
			}
			if maxAge > 0 && src.Oldest != nil {
				if r.auditTokenAge(&src, maxAge, now, oldestIn) {
					stale = true
				}
			}
		}
		r.res.Sources = append(r.res.Sources, src)
	}
	return stale
}

// auditToken inspects a token source's token, when it is set,
// and holds it against the secret's policy. It reports whether the token
// fails the policy.
func (r *run) auditToken(ctx context.Context, o AuditOptions, s plan.Secret, src *SourceResult) bool {
	if o.NewClient == nil {
		return false
	}
	tok := sourceToken(s.Source, o.Token, o.Getenv)
	if tok == "" {
		return false
	}
	o.Mask(tok)
	pr, info, err := r.checkToken(ctx, s, tok)
	if err != nil {
		r.problem("secret:"+s.Name, err)
		return false
	}
	src.Token, src.Policy = &info, &pr
	// A token in its warning window is a warning: warnings never fail.
	return !pr.Passed
}

// auditTokenAge adds a max-age rule to a token source: its stored value is
// not rotated by pat-action (a person makes the next token), so an old one
// is reported. It reports whether the oldest stored value is too old.
func (r *run) auditTokenAge(src *SourceResult, maxAge time.Duration, now time.Time, oldestIn string) bool {
	if src.Policy == nil {
		src.Policy = &policy.Result{Passed: true, MissingScopes: []string{}, ExcessScopes: []string{}, ForbiddenScopes: []string{}}
	}
	age := now.Sub(*src.Oldest)
	written := ago(age, src.MaxAge)
	rule := policy.Rule{Name: "max-age", Status: policy.StatusPass,
		Message: fmt.Sprintf("oldest stored value (%s) written %s, within max-age %s", oldestIn, written, src.MaxAge)}
	if age > maxAge {
		rule.Status = policy.StatusFail
		rule.Message = fmt.Sprintf("stored value in %s written %s, older than max-age %s: a person must make a new token", oldestIn, written, src.MaxAge)
	}
	src.Policy.Add(rule)
	return rule.Status == policy.StatusFail
}

// auditOrg lists the organization's repositories once and each
// repository's secrets, and reports every secret older than MaxAge.
func (r *run) auditOrg(ctx context.Context, o AuditOptions) bool {
	repos, err := r.w.OrgRepos(ctx, o.Organization)
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
	r.res.Repositories = len(targets)
	lists, errs := r.w.List(ctx, targets)
	now := o.Now()
	var found []SecretResult
	for i, t := range targets {
		if errs[i] != nil {
			r.problem(t.String(), errs[i])
			continue
		}
		r.res.RepoSecrets += len(lists[i])
		for _, sc := range lists[i] {
			if now.Sub(sc.Updated) > o.MaxAge {
				found = append(found, SecretResult{Target: t.String(), Name: sc.Name, Result: AuditStale})
			}
		}
	}
	sortResults(found)
	r.add(found...)
	return len(found) > 0
}

func sortResults(rs []SecretResult) {
	slices.SortFunc(rs, func(a, b SecretResult) int {
		if a.Target != b.Target {
			return natural.Compare(a.Target, b.Target)
		}
		return natural.Compare(a.Name, b.Name)
	})
}

// ago is how long ago something was written, in the smallest unit of the
// max age it is held to ("1d12h": hours), so that it reads against it:
// "written 3 minutes ago, older than max-age 1m".
func ago(age time.Duration, maxAge string) string {
	units := []struct {
		suffix byte
		name   string
		size   time.Duration
	}{{'w', "week", 7 * 24 * time.Hour}, {'d', "day", 24 * time.Hour}, {'h', "hour", time.Hour}, {'m', "minute", time.Minute}}
	u := units[1]
	for _, c := range units {
		if strings.HasSuffix(maxAge, string(c.suffix)) {
			u = c
		}
	}
	n := int64(age / u.size)
	if n == 1 {
		return "1 " + u.name + " ago"
	}
	return fmt.Sprintf("%d %ss ago", n, u.name)
}

// formatMaxAge writes a max age as a plan usually does: in whole days
// ("90d") when it is whole days.
func formatMaxAge(d time.Duration) string {
	const day = 24 * time.Hour
	if d%day == 0 {
		return fmt.Sprintf("%dd", d/day)
	}
	return plan.FormatDuration(d)
}

// auditDiverged returns the targets that, by the rotation state, hold
// another value generation than the secret's current one, and lists them
// in src. A github-app source is minted every run and has none.
func (r *run) auditDiverged(s plan.Secret, targets []Target, ages map[string]secrets.Age, src *SourceResult) map[string]bool {
	m := r.recall(s)
	if m == nil || !m.known || s.Source.Type == plan.SourceGitHubApp {
		return nil
	}
	var present []string
	for _, t := range targets {
		if a, ok := ages[t.String()]; ok && !a.Missing {
			present = append(present, t.String())
		}
	}
	src.Diverged = m.was.Stale(present)
	out := map[string]bool{}
	for _, t := range src.Diverged {
		out[t] = true
	}
	return out
}
