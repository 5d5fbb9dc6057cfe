package plan

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

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
	kind := t.Type.OrActions()
	switch {
	case t.Repository != "":
		owner, name, _ := strings.Cut(t.Repository, "/")
		out := secrets.Target{Kind: kind, Scope: secrets.RepoScope, Owner: owner, Repo: name}
		if t.Environment != "" {
			out.Scope, out.Environment, out.CreateEnvironment = secrets.EnvScope, t.Environment, t.CreateEnvironment
		}
		return out, true
	case t.Organization == "" || t.Expands():
		return secrets.Target{}, false
	}
	return secrets.Target{Kind: kind, Scope: secrets.OrgScope, Org: t.Organization, Visibility: secrets.DefaultVisibility(t.Visibility, t.Repositories),
		SelectedRepos: slices.Clone(t.Repositories)}, true
}

// targets reads a secret's targets, rejecting a fixed target listed twice.
func (p *parser) targets(n *yaml.Node, path string) []TargetSpec {
	items, ok := p.seq(n, path, "a list of targets, such as [{repository: acme/api}]")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		p.errorf(n, path, "empty list: want at least one target, such as [{repository: acme/api}]")
		return nil
	}
	var out []TargetSpec
	seen := map[string]int{} // a fixed target's name -> line
	for i, it := range items {
		// A target given twice is reported even when it has other
		// problems, so that one run shows them all.
		t, ok := p.target(it, index(path, i))
		st, fixed := t.Target()
		if fixed {
			k := strings.ToLower(st.String())
			if line, dup := seen[k]; dup {
				p.errorf(it, index(path, i), "target %s is already listed on line %d: list each target once", st, line)
				continue
			}
			seen[k] = it.Line
		}
		if !ok {
			continue
		}
		// The secrets package has the last word on what a target may be.
		if fixed {
			if err := st.Validate(p.ghes); err != nil {
				p.errorf(it, index(path, i), "%v", err)
				continue
			}
		}
		out = append(out, t)
	}
	return out
}

// targetNodes are the key nodes of the keys a target sets, nil for those it
// does not.
type targetNodes struct {
	repo, env, org, vis, match, topic, repos, exclude, createEnv *yaml.Node
}

// target reads one target and fills in its defaults. It reports false if
// the target had problems.
func (p *parser) target(n *yaml.Node, path string) (TargetSpec, bool) {
	t := TargetSpec{Line: n.Line, Type: secrets.Actions}
	m := p.mapping(n, path, "a target", targetKeys, nil)
	if m == nil {
		return t, false
	}
	nerr := len(p.errs)
	k := p.targetFields(m, path, &t)
	switch {
	case k.repo != nil && k.org != nil:
		p.errorf(k.org, path, "a target has repository or organization, not both: split it into two targets")
	case k.repo == nil && k.org == nil:
		if p.isCovered(n, "repository") || p.isCovered(n, "organization") {
			return t, false
		}
		p.errorf(n, path, "a target needs repository (owner/repo, optionally with environment) or organization")
	case k.repo != nil:
		p.repoTarget(m, path, k, &t)
	default:
		p.orgTarget(m, path, k, &t)
	}
	return t, len(p.errs) == nerr
}

// targetFields reads each key of a target on its own, before what they
// mean together is checked.
func (p *parser) targetFields(m map[string]entry, path string, t *TargetSpec) targetNodes {
	var k targetNodes
	t.Repository, k.repo = p.optStr(m, path, "repository", "a repository as owner/repo")
	t.Environment, k.env = p.optStr(m, path, "environment", "an environment name")
	t.Organization, k.org = p.optStr(m, path, "organization", "an organization login")
	t.Visibility, k.vis = p.optStr(m, path, "visibility", "all, private or selected")
	typ, _ := p.optStr(m, path, "type", "a secret type: "+strings.Join(secretTypes, ", "))
	if e, ok := m["create-environment"]; ok {
		k.createEnv = e.key
		t.CreateEnvironment, _ = p.bool(e.val, join(path, "create-environment"))
	}
	t.Match, k.match = p.optStr(m, path, "match", "a regular expression for repository names")
	t.Topic, k.topic = p.optStr(m, path, "topic", "a repository topic")
	t.Repositories, k.repos = p.orgRepoList(m, path, "repositories", t.Organization,
		"repository %q is not in organization %s: an organization secret reaches only its own repositories")
	t.Exclude, k.exclude = p.orgRepoList(m, path, "exclude", t.Organization,
		"repository %q is not in organization %[2]s, so excluding it changes nothing: write %[2]s/NAME")
	if typ != "" {
		switch msg := oneOf("secret type", typ, secretTypes); {
		case msg != "":
			p.errorf(m["type"].val, join(path, "type"), "%s", msg)
		case p.ghes && !secrets.Kind(typ).OnGHES():
			p.errorf(m["type"].val, join(path, "type"), "%s secrets do not exist on GitHub Enterprise Server: use type actions or dependabot, or run this plan against github.com", typ)
		default:
			t.Type = secrets.Kind(typ)
		}
	}
	return k
}

// optStr reads the string at key of m, if m has it; it returns the key's
// node, or nil.
func (p *parser) optStr(m map[string]entry, path, key, hint string) (string, *yaml.Node) {
	e, ok := m[key]
	if !ok {
		return "", nil
	}
	v, _ := p.str(e.val, join(path, key), hint)
	return v, e.key
}

// orgRepoList reads a list of repositories (owner/repo) at key of m that
// must belong to org when org is given; notInOrg formats the problem with
// the repository and org.
func (p *parser) orgRepoList(m map[string]entry, path, key, org, notInOrg string) ([]string, *yaml.Node) {
	e, ok := m[key]
	if !ok {
		return nil, nil
	}
	list, _ := p.strList(e.val, join(path, key), "repositories as owner/repo", false, func(s string) string {
		if msg := checkFullName(s); msg != "" {
			return msg
		}
		if org != "" && !strings.HasPrefix(strings.ToLower(s), strings.ToLower(org)+"/") {
			return fmt.Sprintf(notInOrg, s, org)
		}
		return ""
	})
	return list, e.key
}

// repoTarget checks a repository target's keys together.
func (p *parser) repoTarget(m map[string]entry, path string, k targetNodes, t *TargetSpec) {
	if t.Repository != "" {
		if msg := checkFullName(t.Repository); msg != "" {
			p.errorf(m["repository"].val, join(path, "repository"), "%s", msg)
		}
	}
	p.orgOnly(k.vis, path, "visibility", "an organization secret's reach")
	p.orgOnly(k.repos, path, "repositories", "the repositories an organization secret reaches")
	p.orgOnly(k.match, path, "match", "it selects an organization's repositories")
	p.orgOnly(k.topic, path, "topic", "it selects an organization's repositories")
	p.orgOnly(k.exclude, path, "exclude", "it removes repositories from match or topic")
	if k.env != nil && t.Type != secrets.Actions {
		p.errorf(k.env, join(path, "environment"), "%s secrets have no environments: remove environment or use type: actions", t.Type)
	}
	if k.createEnv != nil && k.env == nil {
		p.errorf(k.createEnv, join(path, "create-environment"), "create-environment creates the environment of an environment secret: add environment, or remove create-environment")
	}
	if t.Environment != "" {
		if err := secrets.ValidateEnvironment(t.Environment); err != nil {
			p.errorf(m["environment"].val, join(path, "environment"), "%v", err)
		}
	}
}

// orgOnly reports key, if a repository target has it: only organization
// targets take it, for why.
func (p *parser) orgOnly(key *yaml.Node, path, name, why string) {
	if key != nil {
		p.errorf(key, join(path, name), "%s applies only to organization targets (%s): remove it, or use organization instead of repository", name, why)
	}
}

// orgTarget checks an organization target's keys together: an organization
// secret, or with match or topic a selection of repositories.
func (p *parser) orgTarget(m map[string]entry, path string, k targetNodes, t *TargetSpec) {
	if t.Organization != "" {
		if msg := checkOwner("organization", t.Organization); msg != "" {
			p.errorf(m["organization"].val, join(path, "organization"), "%s", msg)
		}
	}
	if k.env != nil {
		p.errorf(k.env, join(path, "environment"), "environment applies only to a repository target (environments belong to a repository): use repository: OWNER/REPO with environment")
	}
	if k.createEnv != nil {
		p.errorf(k.createEnv, join(path, "create-environment"), "create-environment applies only to a repository target with environment (environments belong to a repository)")
	}
	selects := k.match != nil || k.topic != nil
	switch {
	case selects && k.vis != nil:
		p.errorf(k.vis, join(path, "visibility"), "visibility is for an organization secret, but match and topic select repositories that each get a repository secret: remove visibility, or remove match and topic")
	case selects && k.repos != nil:
		p.errorf(k.repos, join(path, "repositories"), "repositories is for an organization secret, but match and topic select repositories that each get a repository secret: remove one")
	case !selects && k.exclude != nil:
		p.errorf(k.exclude, join(path, "exclude"), "exclude removes repositories that match or topic selected: add match or topic, or remove exclude")
	case !selects:
		p.visibility(m, path, k, t)
	}
	p.selection(m, path, k, t)
}

// visibility checks an organization secret's visibility against its
// repositories and fills in the default.
func (p *parser) visibility(m map[string]entry, path string, k targetNodes, t *TargetSpec) {
	if k.vis != nil && t.Visibility != "" {
		if msg := oneOf("visibility", t.Visibility, visibilities); msg != "" {
			p.errorf(m["visibility"].val, join(path, "visibility"), "%s", msg)
		}
	}
	switch {
	case t.Visibility == "":
		t.Visibility = secrets.DefaultVisibility(t.Visibility, t.Repositories)
	case t.Visibility == secrets.VisibilitySelected && k.repos == nil:
		p.errorf(k.vis, join(path, "visibility"), "visibility selected needs repositories: list them, such as repositories: [%s/api]", orEx(t.Organization))
	case t.Visibility != secrets.VisibilitySelected && k.repos != nil && k.vis != nil:
		p.errorf(k.repos, join(path, "repositories"), "repositories applies only with visibility: selected (visibility is %s)", t.Visibility)
	}
}

// selection checks an organization target's match and topic.
func (p *parser) selection(m map[string]entry, path string, k targetNodes, t *TargetSpec) {
	if k.match != nil && t.Match != "" {
		re, err := compileMatch(t.Match)
		if err != nil {
			p.errorf(m["match"].val, join(path, "match"), "%q is not a valid Go regular expression: %v", t.Match, err)
		}
		t.re = re
	}
	if k.topic != nil && t.Topic != "" && !topicRE.MatchString(t.Topic) {
		msg := fmt.Sprintf("topic %q: GitHub topics are lower-case letters, digits and hyphens", t.Topic)
		if low := strings.ToLower(t.Topic); topicRE.MatchString(low) {
			msg += fmt.Sprintf(": write %q", low)
		}
		p.errorf(m["topic"].val, join(path, "topic"), "%s", msg)
	}
}

func orEx(org string) string {
	if org == "" {
		return "acme"
	}
	return org
}

func compileMatch(s string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(s)
	var serr *syntax.Error
	if errors.As(err, &serr) {
		// Its own message says "error parsing regexp:"; keep the reason.
		return nil, fmt.Errorf("%s: %q", serr.Code, serr.Expr)
	}
	return re, err
}
