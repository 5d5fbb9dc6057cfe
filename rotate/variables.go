package rotate

import (
	"context"
	"fmt"
	"github.com/pat-action/pat-action/plan"
	"net/http"
	"net/url"
	"strings"
	"time"
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
	c := r.o.Client
	req, err := c.NewRequest(http.MethodGet, variablesPath(t)+"/"+url.PathEscape(name), nil)
	if err != nil {
		return "failed", err
	}
	var cur struct {
		Value string `json:"value"`
	}
	resp, err := c.Do(ctx, req, &cur)
	missing := resp != nil && resp.StatusCode == http.StatusNotFound
	switch {
	case err != nil && !missing:
		return "failed", fmt.Errorf("read it: %w", err)
	case !missing && cur.Value == value:
		return "unchanged", nil
	case r.o.DryRun && missing:
		return "would-create", nil
	case r.o.DryRun:
		return "would-update", nil
	}
	body := map[string]string{"name": name, "value": value}
	method, path, result := http.MethodPatch, variablesPath(t)+"/"+url.PathEscape(name), "updated"
	if missing {
		method, path, result = http.MethodPost, variablesPath(t), "created"
		if t.Organization != "" {
			body["visibility"] = t.Visibility
		}
	}
	if req, err = c.NewRequest(method, path, body); err == nil {
		_, err = c.Do(ctx, req, nil)
	}
	if err != nil {
		return "failed", fmt.Errorf("write it: %w", err)
	}
	return result, nil
}
