package plan

import (
	"slices"
	"strings"

	"github.com/pat-action/pat-action/secrets"
)

// Expands reports whether the spec stands for a set of an organization's
// repositories (it has match or topic), which must be listed before it can
// be resolved to targets.
func (t TargetSpec) Expands() bool {
	return t.Organization != "" && (t.Match != "" || t.Topic != "")
}

// Selects reports whether the spec's organization, match, topic and exclude
// select the repository owner/name that carries topics. It does not look
// at whether the repository is archived.
func (t TargetSpec) Selects(owner, name string, topics []string) bool {
	if !strings.EqualFold(owner, t.Organization) {
		return false
	}
	if t.Match != "" {
		re := t.re
		if re == nil {
			// A spec built by hand rather than by Parse.
			var err error
			if re, err = compileMatch(t.Match); err != nil {
				return false
			}
		}
		if !re.MatchString(name) {
			return false
		}
	}
	if t.Topic != "" && !slices.ContainsFunc(topics, func(s string) bool { return strings.EqualFold(s, t.Topic) }) {
		return false
	}
	full := owner + "/" + name
	return !slices.ContainsFunc(t.Exclude, func(s string) bool { return strings.EqualFold(s, full) })
}

// Target returns the one target a spec that does not expand stands for: a
// repository or environment secret, or an organization secret whose
// visibility is "selected" when repositories are given, else "private"
// unless the spec says. The type defaults to actions. It returns false for
// a spec that expands, or that names neither a repository nor an
// organization.
func (t TargetSpec) Target() (secrets.Target, bool) {
	kind := t.Type
	if kind == "" {
		kind = secrets.Actions
	}
	switch {
	case t.Repository != "":
		owner, name, _ := strings.Cut(t.Repository, "/")
		out := secrets.Target{Kind: kind, Scope: secrets.RepoScope, Owner: owner, Repo: name}
		if t.Environment != "" {
			out.Scope, out.Environment = secrets.EnvScope, t.Environment
		}
		return out, true
	case t.Organization == "" || t.Expands():
		return secrets.Target{}, false
	}
	vis := t.Visibility
	if vis == "" {
		vis = secrets.VisibilityPrivate
		if len(t.Repositories) > 0 {
			vis = secrets.VisibilitySelected
		}
	}
	return secrets.Target{Kind: kind, Scope: secrets.OrgScope, Org: t.Organization, Visibility: vis,
		SelectedRepos: slices.Clone(t.Repositories)}, true
}

// Organizations returns, sorted and in lower case, the organizations whose
// repositories must be listed to expand the plan's targets: those of
// targets with match or topic. Each needs listing once per run.
func (p *Plan) Organizations() []string {
	var out []string
	for _, s := range p.Secrets {
		for _, t := range s.Targets {
			if t.Expands() {
				out = append(out, strings.ToLower(t.Organization))
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
