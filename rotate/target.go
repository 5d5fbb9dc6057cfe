package rotate

import (
	"slices"
	"strings"

	"github.com/pat-action/pat-action/secrets"
)

// Repo is what target expansion needs to know about one repository of an
// organization, as its repository listing reports it.
type Repo struct {
	Owner    string
	Name     string
	Archived bool
	Topics   []string
	ID       int64
}

// FullName returns "owner/name".
func (r Repo) FullName() string { return r.Owner + "/" + r.Name }

// Target is one place a secret is written, resolved from a plan's target
// spec. Its String form ("repo:acme/api", "dependabot:org:acme") is the
// report's target field and the shard key.
type Target struct {
	secrets.Target
	// RepoID is the repository's ID when the target came from expanding an
	// organization's listing, else 0.
	RepoID int64
	// Line is the line of the plan's target entry this target came from.
	Line int
}

// Expands reports whether the spec stands for a set of an organization's
// repositories (it has match or topic), which must be listed before
// Expand can resolve it.
func (t TargetSpec) Expands() bool {
	return t.Organization != "" && (t.Match != "" || t.Topic != "")
}

// Selects reports whether the spec's organization, match, topic and exclude
// select the repository. It does not look at Archived.
func (t TargetSpec) Selects(r Repo) bool {
	if !strings.EqualFold(r.Owner, t.Organization) {
		return false
	}
	if t.Match != "" {
		re := t.re
		if re == nil {
			// A spec built by hand rather than by ParsePlan.
			var err error
			if re, err = compileMatch(t.Match); err != nil {
				return false
			}
		}
		if !re.MatchString(r.Name) {
			return false
		}
	}
	if t.Topic != "" && !slices.ContainsFunc(r.Topics, func(s string) bool { return strings.EqualFold(s, t.Topic) }) {
		return false
	}
	full := r.FullName()
	return !slices.ContainsFunc(t.Exclude, func(s string) bool { return strings.EqualFold(s, full) })
}

// Expand resolves one target spec to the targets it stands for, sorted by
// their String form. A repository or organization-secret spec resolves to
// itself and ignores orgRepos. A spec with match or topic resolves to a
// repository target for every unarchived repository of orgRepos that is in
// the spec's organization, whose name (without owner) matches match, that
// carries topic and that exclude does not name. A spec with a match that is
// not a valid regular expression (only possible when built by hand) selects
// nothing.
func Expand(spec TargetSpec, orgRepos []Repo) []Target {
	kind := spec.Type
	if kind == "" {
		kind = secrets.Actions
	}
	switch {
	case spec.Repository != "":
		owner, name, _ := strings.Cut(spec.Repository, "/")
		t := secrets.Target{Kind: kind, Scope: secrets.RepoScope, Owner: owner, Repo: name}
		if spec.Environment != "" {
			t.Scope, t.Environment = secrets.EnvScope, spec.Environment
		}
		return []Target{{Target: t, Line: spec.Line}}
	case spec.Organization == "":
		return nil
	case !spec.Expands():
		vis := spec.Visibility
		if vis == "" {
			vis = secrets.VisibilityPrivate
			if len(spec.Repositories) > 0 {
				vis = secrets.VisibilitySelected
			}
		}
		t := secrets.Target{Kind: kind, Scope: secrets.OrgScope, Org: spec.Organization, Visibility: vis,
			SelectedRepos: slices.Clone(spec.Repositories)}
		return []Target{{Target: t, Line: spec.Line}}
	}
	var out []Target
	for _, r := range orgRepos {
		if r.Archived || !spec.Selects(r) {
			continue
		}
		t := secrets.Target{Kind: kind, Scope: secrets.RepoScope, Owner: r.Owner, Repo: r.Name}
		out = append(out, Target{Target: t, RepoID: r.ID, Line: spec.Line})
	}
	sortTargets(out)
	return out
}

// ExpandAll resolves every spec of a secret, as Expand does, and returns the
// union without duplicates (the first spec naming a target wins; targets
// are compared case-insensitively, as GitHub compares names), sorted by
// String form. repos maps an organization login, in lower case, to its
// repositories; only specs that Expand need an entry.
func ExpandAll(specs []TargetSpec, repos map[string][]Repo) []Target {
	var out []Target
	seen := map[string]bool{}
	for _, spec := range specs {
		for _, t := range Expand(spec, repos[strings.ToLower(spec.Organization)]) {
			k := strings.ToLower(t.String())
			if seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, t)
		}
	}
	sortTargets(out)
	return out
}

func sortTargets(ts []Target) {
	slices.SortStableFunc(ts, func(a, b Target) int { return strings.Compare(a.String(), b.String()) })
}
