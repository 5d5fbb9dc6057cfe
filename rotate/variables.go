package rotate

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/pat-action/pat-action/plan"
	"github.com/pat-action/pat-action/variables"
)

// known records a value a secret's variables may publish, learnt while the
// secret ran: a token's expiry, a deploy key's public half.
func (r *run) known(s plan.Secret, what, value string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pub == nil {
		r.pub = map[string]map[string]string{}
	}
	if r.pub[s.Name] == nil {
		r.pub[s.Name] = map[string]string{}
	}
	r.pub[s.Name][what] = value
}

// publish writes the secret's companion variables, in the shard that owns
// the secret as a whole: each created (POST) when missing, updated (PATCH)
// when its value differs, else left unchanged. A value this run did not
// learn (the token could not be read, there is no rotation state) is not
// published.
func (r *run) publish(ctx context.Context, s plan.Secret) {
	if len(s.Variables) == 0 || !r.o.Shard.Has("secret:"+s.Name) {
		return
	}
	if m := r.recall(s); m != nil && m.next.Gen > 0 && !m.next.Since.IsZero() {
		r.known(s, plan.VariableRotatedAt, m.next.Since.UTC().Format(time.RFC3339))
	}
	r.mu.Lock()
	vals := r.pub[s.Name]
	r.mu.Unlock()
	for _, v := range s.Variables {
		val, ok := vals[v.Value]
		if !ok {
			continue
		}
		for _, t := range v.Targets {
			res, err := r.setVariable(ctx, t, v.Name, val)
			r.add(SecretResult{Target: t.String(), Name: v.Name, Result: res})
			if err != nil {
				r.problem(t.String(), fmt.Errorf("publish %s of %s: %w", v.Name, s.Name, err))
			}
		}
	}
}

// variablesPath is the collection of t's variables.
func variablesPath(t plan.VariableTarget) string {
	if t.Repository != "" {
		owner, repo, _ := strings.Cut(t.Repository, "/")
		base := fmt.Sprintf("repos/%s/%s", url.PathEscape(owner), url.PathEscape(repo))
		if t.Environment != "" {
			return base + "/environments/" + url.PathEscape(t.Environment) + "/variables"
		}
		return base + "/actions/variables"
	}
	return "orgs/" + url.PathEscape(t.Organization) + "/actions/variables"
}

// setVariable makes variable name of t hold value, and returns the result
// for the report.
func (r *run) setVariable(ctx context.Context, t plan.VariableTarget, name, value string) (string, error) {
	c, base := r.o.Client, variablesPath(t)
	cur, present, err := variables.Get(ctx, c, base, name)
	switch {
	case err != nil:
		return "failed", fmt.Errorf("read it: %w", err)
	case present && cur.Value == value:
		return "unchanged", nil
	case r.o.DryRun && !present:
		return "would-create", nil
	case r.o.DryRun:
		return "would-update", nil
	}
	result := "updated"
	if present {
		err = variables.Update(ctx, c, base, name, value)
	} else {
		var extra map[string]string
		if t.Organization != "" {
			extra = map[string]string{"visibility": t.Visibility}
		}
		result, err = "created", variables.Create(ctx, c, base, name, value, extra)
	}
	if err != nil {
		return "failed", fmt.Errorf("write it: %w", err)
	}
	return result, nil
}
