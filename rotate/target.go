package rotate

import (
	"slices"
	"strings"

	"github.com/pat-action/pat-action/internal/natural"
	"github.com/pat-action/pat-action/plan"
	"github.com/pat-action/pat-action/secrets"
)

// Repo is one repository of an organization, as its listing reports it.
type Repo = secrets.Repo

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

// Expand resolves one target spec to the targets it stands for, sorted by
// their String form. A repository or organization-secret spec resolves to
// itself and ignores orgRepos. A spec with match or topic resolves to a
// repository target for every unarchived repository of orgRepos that is in
// the spec's organization, whose name (without owner) matches match, that
// carries topic and that exclude does not name. A spec with a match that is
// not a valid regular expression (only possible when built by hand) selects
// nothing.
func Expand(spec plan.TargetSpec, orgRepos []Repo) []Target {
	if t, ok := spec.Target(); ok {
		return []Target{{Target: t, Line: spec.Line}}
	}
	if !spec.Expands() {
		return nil
	}
	kind := spec.Type.OrActions()
	var out []Target
	for _, r := range orgRepos {
		if r.Archived || !spec.Selects(r.Owner, r.Name, r.Topics) {
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
func ExpandAll(specs []plan.TargetSpec, repos map[string][]Repo) []Target {
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
	slices.SortStableFunc(ts, func(a, b Target) int { return natural.Compare(a.String(), b.String()) })
}
