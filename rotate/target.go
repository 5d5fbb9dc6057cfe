package rotate

import (
	"slices"
	"strings"
)

// Secret types: where GitHub keeps a secret and who can read it.
const (
	TypeActions    = "actions"
	TypeDependabot = "dependabot"
	TypeCodespaces = "codespaces"
)

// Organization secret visibilities.
const (
	VisibilityAll      = "all"
	VisibilityPrivate  = "private"
	VisibilitySelected = "selected"
)

// Kinds of resolved target.
const (
	KindRepo = "repo"
	KindEnv  = "env"
	KindOrg  = "org"
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

// Target is one place a secret is written: a repository, an environment of
// a repository, or an organization.
type Target struct {
	Kind string `json:"kind"` // KindRepo, KindEnv or KindOrg
	Type string `json:"type"` // TypeActions, TypeDependabot or TypeCodespaces
	// Owner is the repository owner, or the organization for KindOrg.
	Owner       string `json:"owner"`
	Repo        string `json:"repo,omitempty"`
	Environment string `json:"environment,omitempty"`
	// Visibility and Repositories ("owner/name") describe an organization
	// secret; Repositories only with VisibilitySelected.
	Visibility   string   `json:"visibility,omitempty"`
	Repositories []string `json:"repositories,omitempty"`
	// RepoID is the repository's ID when the target came from expanding an
	// organization's listing, else 0.
	RepoID int64 `json:"repo_id,omitempty"`
	// Line is the line of the plan's target entry this target came from.
	Line int `json:"-"`
}

// String returns the target as reports name it: "repo:acme/api",
// "env:acme/api/production", "org:acme", with a "dependabot:" or
// "codespaces:" prefix for those secret types.
func (t Target) String() string {
	var s string
	switch t.Kind {
	case KindEnv:
		s = "env:" + t.Owner + "/" + t.Repo + "/" + t.Environment
	case KindOrg:
		s = "org:" + t.Owner
	default:
		s = "repo:" + t.Owner + "/" + t.Repo
	}
	if t.Type != "" && t.Type != TypeActions {
		s = t.Type + ":" + s
	}
	return s
}

// Expands reports whether the spec stands for a set of an organization's
// repositories (it has match or topic), which must be listed before
// Expand can resolve it.
func (t TargetSpec) Expands() bool {
	return t.Organization != "" && (t.Match != "" || t.Topic != "")
}

// Selects reports whether the spec's match, topic and exclude select the
// repository. It does not look at Archived.
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
	typ := spec.Type
	if typ == "" {
		typ = TypeActions
	}
	switch {
	case spec.Repository != "":
		owner, name, _ := strings.Cut(spec.Repository, "/")
		t := Target{Kind: KindRepo, Type: typ, Owner: owner, Repo: name, Line: spec.Line}
		if spec.Environment != "" {
			t.Kind, t.Environment = KindEnv, spec.Environment
		}
		return []Target{t}
	case spec.Organization == "":
		return nil
	case !spec.Expands():
		vis := spec.Visibility
		if vis == "" {
			vis = VisibilityPrivate
			if len(spec.Repositories) > 0 {
				vis = VisibilitySelected
			}
		}
		return []Target{{Kind: KindOrg, Type: typ, Owner: spec.Organization, Visibility: vis,
			Repositories: slices.Clone(spec.Repositories), Line: spec.Line}}
	}
	var out []Target
	for _, r := range orgRepos {
		if r.Archived || !spec.Selects(r) {
			continue
		}
		out = append(out, Target{Kind: KindRepo, Type: typ, Owner: r.Owner, Repo: r.Name, RepoID: r.ID, Line: spec.Line})
	}
	sortTargets(out)
	return out
}

// ExpandAll resolves every spec of a secret, as Expand does, and returns the
// union without duplicates (the first spec naming a target wins; targets
// are compared case-insensitively, as GitHub compares names), sorted by
// String form. repos maps an organization login, in lower case, to its
// repositories.
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
