package secrets

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/pat-action/pat-action/internal/suggest"
)

// Kind is the type of a secret: which GitHub feature reads it. Its values are
// those of the secret-type input. The zero Kind means Actions.
type Kind string

// The secret kinds.
const (
	Actions    Kind = "actions"
	Dependabot Kind = "dependabot"
	Codespaces Kind = "codespaces"
	// Agents are Copilot agents secrets, of repositories and organizations.
	Agents Kind = "agents"
)

// OrActions returns k, reading the zero Kind (no secret type given) as
// Actions: the one place that default is written.
func (k Kind) OrActions() Kind {
	if k == "" {
		return Actions
	}
	return k
}

// OnGHES reports whether GitHub Enterprise Server has secrets of kind k
// (the zero Kind is Actions). It has no Codespaces and no Copilot agents.
func (k Kind) OnGHES() bool { return k != Codespaces && k != Agents }

// Scope is the level a secret lives at.
type Scope string

// The secret scopes.
const (
	RepoScope Scope = "repo" // a repository secret
	EnvScope  Scope = "env"  // a secret of one environment of a repository
	OrgScope  Scope = "org"  // an organization secret
)

// The visibilities of an organization secret: which of the organization's
// repositories can read it.
const (
	VisibilityAll      = "all"
	VisibilityPrivate  = "private" // private and internal repositories
	VisibilitySelected = "selected"
)

// Target is one place a secret is written to.
type Target struct {
	Kind  Kind
	Scope Scope
	// Owner and Repo name the repository of a repo or env target.
	Owner, Repo string
	// Environment names the environment of an env target.
	Environment string
	// CreateEnvironment, for an env target, creates the environment when
	// the repository has none of that name, instead of failing with 404.
	CreateEnvironment bool
	// Org names the organization of an org target.
	Org string
	// Visibility is an org target's visibility: "all", "private" or "selected".
	Visibility string
	// SelectedRepos lists, for visibility "selected", the "owner/repo" names
	// of the organization's repositories that may read the secret; none
	// means none reads it yet.
	SelectedRepos []string
}

// kind returns t's Kind, reading the zero Kind as Actions.
func (t Target) kind() Kind { return t.Kind.OrActions() }

// String returns the target as the JSON report names it: "repo:acme/api",
// "env:acme/api/production" or "org:acme", prefixed with "dependabot:" or
// "codespaces:" or "agents:" for those kinds.
func (t Target) String() string {
	var s string
	switch t.Scope {
	case RepoScope:
		s = "repo:" + t.Owner + "/" + t.Repo
	case EnvScope:
		s = "env:" + t.Owner + "/" + t.Repo + "/" + t.Environment
	case OrgScope:
		s = "org:" + t.Org
	default:
		s = string(t.Scope) + ":?"
	}
	if k := t.kind(); k != Actions {
		s = string(k) + ":" + s
	}
	return s
}

// ParseRepo splits an "owner/repo" name, checking GitHub's syntax: an owner of
// at most 39 letters, digits and single inner hyphens, and a repository name
// of at most 100 letters, digits, '.', '-' and '_' that is not "." or "..".
func ParseRepo(s string) (owner, repo string, err error) {
	owner, repo, ok := strings.Cut(s, "/")
	if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
		return "", "", fmt.Errorf("repository %q: want owner/repo", s)
	}
	if err := ValidateOwner(owner); err != nil {
		return "", "", fmt.Errorf("repository %q: %w", s, err)
	}
	if err := ValidateRepoName(repo); err != nil {
		return "", "", fmt.Errorf("repository %q: %w", s, err)
	}
	return owner, repo, nil
}

func isAlnum(r rune) bool {
	return ('0' <= r && r <= '9') || ('A' <= r && r <= 'Z') || ('a' <= r && r <= 'z')
}

// ParseKind parses a secret-type value: "actions", "dependabot",
// "codespaces" or "agents"; an empty one is Actions.
func ParseKind(s string) (Kind, error) {
	switch k := Kind(s).OrActions(); k {
	case Actions, Dependabot, Codespaces, Agents:
		return k, nil
	}
	return "", fmt.Errorf("unknown secret type %q%s (want actions, dependabot, codespaces or agents)", s, suggest.Hint(s, []string{"actions", "dependabot", "codespaces", "agents"}))
}

// ParseVisibility parses an organization secret's visibility: "all",
// "private" or "selected".
func ParseVisibility(s string) (string, error) {
	switch s {
	case VisibilityAll, VisibilityPrivate, VisibilitySelected:
		return s, nil
	}
	return "", fmt.Errorf("unknown visibility %q%s (want all, private or selected)", s, suggest.Hint(s, []string{VisibilityAll, VisibilityPrivate, VisibilitySelected}))
}

// Validate checks that t names a secret that can exist, before any request
// is made: the fields its scope needs are set and well-formed, the fields it
// does not use are empty, and its kind has secrets at that scope. ghes says
// the server is GitHub Enterprise Server, which has no Codespaces and no
// Copilot agents (Kind.OnGHES).
func (t Target) Validate(ghes bool) error {
	kind := t.kind()
	if _, err := ParseKind(string(kind)); err != nil {
		return err
	}
	if ghes && !kind.OnGHES() {
		return fmt.Errorf("%s secrets do not exist on GitHub Enterprise Server: use secret type actions or dependabot", kind)
	}
	switch t.Scope {
	case RepoScope:
		if err := t.checkRepo(); err != nil {
			return err
		}
		if t.Environment != "" {
			return fmt.Errorf("environment %q given for a repository secret: use scope env for an environment secret", t.Environment)
		}
		if t.CreateEnvironment {
			return errors.New("create-environment given for a repository secret: it creates the environment of an environment secret; give the environment")
		}
		return t.checkNoOrg()
	case EnvScope:
		if kind != Actions {
			return fmt.Errorf("environment %q: %s secrets have no environment level (environment secrets are actions secrets): drop the environment or use secret type actions", t.Environment, kind)
		}
		if err := t.checkRepo(); err != nil {
			return fmt.Errorf("environment %q: %w", t.Environment, err)
		}
		if t.Environment == "" {
			return errors.New("environment is empty: an environment secret needs the environment's name")
		}
		if err := ValidateEnvironment(t.Environment); err != nil {
			return err
		}
		return t.checkNoOrg()
	case OrgScope:
		if t.CreateEnvironment {
			return fmt.Errorf("organization %q: create-environment given for an organization secret: organizations have no environments", t.Org)
		}
		return t.checkOrg()
	case "":
		return errors.New("scope is empty (want repo, env or org)")
	default:
		return fmt.Errorf("unknown scope %q%s (want repo, env or org)", t.Scope, suggest.Hint(string(t.Scope), []string{"repo", "env", "org"}))
	}
}

// checkRepo checks Owner and Repo of a repo or env target.
func (t Target) checkRepo() error {
	if t.Owner == "" || t.Repo == "" {
		return fmt.Errorf("repository %q: want owner/repo (owner and repo must both be set)", t.Owner+"/"+t.Repo)
	}
	_, _, err := ParseRepo(t.Owner + "/" + t.Repo)
	return err
}

// checkNoOrg rejects organization fields on a repo or env target.
func (t Target) checkNoOrg() error {
	what := "a repository secret"
	if t.Scope == EnvScope {
		what = "an environment secret"
	}
	switch {
	case t.Org != "":
		return fmt.Errorf("organization %q given for %s: use scope org for an organization secret", t.Org, what)
	case t.Visibility != "":
		return fmt.Errorf("visibility %q given for %s: only organization secrets have a visibility", t.Visibility, what)
	case len(t.SelectedRepos) > 0:
		return fmt.Errorf("selected repositories given for %s: only organization secrets with visibility selected have them", what)
	}
	return nil
}

// checkOrg checks an org target.
func (t Target) checkOrg() error {
	if t.Org == "" {
		return errors.New("organization is empty: an organization secret needs the organization's name")
	}
	if err := ValidateOwner(t.Org); err != nil {
		return fmt.Errorf("organization %q: %w", t.Org, err)
	}
	if t.Environment != "" {
		return fmt.Errorf("environment %q given for an organization secret: organizations have no environments; drop the environment, or write environment secrets into repositories", t.Environment)
	}
	if t.Owner != "" || t.Repo != "" {
		return fmt.Errorf("repository %q given as the owner of an organization secret: list the repositories that may read it in selected repositories", t.Owner+"/"+t.Repo)
	}
	if _, err := ParseVisibility(t.Visibility); err != nil {
		return fmt.Errorf("organization %q: %w", t.Org, err)
	}
	if t.Visibility != VisibilitySelected {
		if len(t.SelectedRepos) > 0 {
			return fmt.Errorf("organization %q: selected repositories given with visibility %q: use visibility selected, or drop the repositories", t.Org, t.Visibility)
		}
		return nil
	}
	// No repositories is allowed: a secret that no repository reads yet.
	for _, r := range t.SelectedRepos {
		owner, _, err := ParseRepo(r)
		if err != nil {
			return fmt.Errorf("organization %q: selected %w", t.Org, err)
		}
		if !strings.EqualFold(owner, t.Org) {
			return fmt.Errorf("organization %q: selected repository %q is not in the organization: an organization secret can only be shared with its own repositories", t.Org, r)
		}
	}
	return nil
}

// base returns the path, relative to the API base, of t's secrets
// collection: the part before "/public-key" or "/{name}".
func (t Target) base() string {
	switch t.Scope {
	case EnvScope:
		return "repos/" + url.PathEscape(t.Owner) + "/" + url.PathEscape(t.Repo) + "/environments/" + url.PathEscape(t.Environment) + "/secrets"
	case OrgScope:
		return "orgs/" + url.PathEscape(t.Org) + "/" + string(t.kind()) + "/secrets"
	default:
		return "repos/" + url.PathEscape(t.Owner) + "/" + url.PathEscape(t.Repo) + "/" + string(t.kind()) + "/secrets"
	}
}

// PublicKeyPath returns the path (relative to the API base, no leading
// slash) to GET the public key that t's secrets are sealed for.
func (t Target) PublicKeyPath() string {
	return t.base() + "/public-key"
}

// SecretPath returns the path (relative to the API base) to GET, PUT or
// DELETE the secret name in t.
func (t Target) SecretPath(name string) string {
	return t.base() + "/" + url.PathEscape(name)
}

// SecretsListPath returns the path (relative to the API base) to GET the
// list of t's secrets.
func (t Target) SecretsListPath() string {
	return t.base()
}

// DefaultVisibility is an organization secret's visibility when none is
// given: selected when repositories are listed, else private. A visibility
// that is given is returned as it is.
func DefaultVisibility(visibility string, selectedRepos []string) string {
	switch {
	case visibility != "":
		return visibility
	case len(selectedRepos) > 0:
		return VisibilitySelected
	}
	return VisibilityPrivate
}
