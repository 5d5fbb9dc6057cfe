package plan

import (
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pat-action/pat-action/secrets"
)

// What a companion variable publishes about its secret. None is secret.
const (
	// VariableExpiresAt is a token source's expiry (RFC 3339), or "never".
	VariableExpiresAt = "expires-at"
	// VariablePublicKey is a deploy-key source's public half, in
	// authorized_keys form.
	VariablePublicKey = "public-key"
	// VariableRotatedAt is when the secret's current value was first stored
	// (RFC 3339), per the rotation state.
	VariableRotatedAt = "rotated-at"
)

// VariableSpec is a non-secret companion of a secret that a plan publishes
// as an Actions variable, such as a token's expiry or a deploy key's public
// half.
type VariableSpec struct {
	Name string
	// Value is what it publishes: VariableExpiresAt, VariablePublicKey or
	// VariableRotatedAt.
	Value   string
	Targets []VariableTarget
	Line    int
}

// VariableTarget is where a variable is published: a repository, one of its
// environments, or an organization (visibility all or private).
type VariableTarget struct {
	Repository   string
	Environment  string
	Organization string
	Visibility   string
	Line         int
}

// String names the target in reports: "variable:repo:acme/api",
// "variable:env:acme/api/production", "variable:org:acme".
func (t VariableTarget) String() string {
	switch {
	case t.Environment != "":
		return "variable:env:" + t.Repository + "/" + t.Environment
	case t.Repository != "":
		return "variable:repo:" + t.Repository
	}
	return "variable:org:" + t.Organization
}

// variableValues are what each kind of source can publish.
var variableValues = map[string][]string{
	SourceToken:     {VariableExpiresAt, VariableRotatedAt},
	SourceRandom:    {VariableRotatedAt},
	SourceDeployKey: {VariablePublicKey, VariableRotatedAt},
	SourceGitHubApp: {},
}

var (
	variableKeys       = []string{"name", "value", "targets"}
	variableTargetKeys = []string{"repository", "environment", "organization", "visibility"}
)

// variables reads a secret's variables: list.
// StateVariablePrefix starts the names of the rotation state's variables
// (PAT_ACTION_STATE_... and their parts, PAT_ACTION_STATEPART_...), which
// a plan may not publish.
const StateVariablePrefix = "PAT_ACTION_STATE"

func (p *parser) variables(n *yaml.Node, path, sourceType string) []VariableSpec {
	items, ok := p.seq(n, path, "a list of variables, such as [{name: RELEASE_PAT_EXPIRES_AT, value: expires-at, targets: [{repository: acme/api}]}]")
	if !ok {
		return nil
	}
	var out []VariableSpec
	for i, it := range items {
		at := index(path, i)
		m := p.mapping(it, at, "a variable", variableKeys, nil)
		if m == nil {
			continue
		}
		v := VariableSpec{Line: it.Line}
		if e, ok := p.required(m, it, at, "name", "give the variable's name, such as name: RELEASE_PAT_EXPIRES_AT"); ok {
			if s, ok := p.str(e.val, join(at, "name"), "a variable name"); ok {
				if err := secrets.ValidateName(s); err != nil {
					p.errorf(e.val, join(at, "name"), "%v", strings.Replace(err.Error(), "secret", "variable", 1))
				} else if strings.HasPrefix(strings.ToUpper(s), StateVariablePrefix) {
					p.errorf(e.val, join(at, "name"), "variable name %q starts with %s, which the rotation state's own variables use: publishing it could overwrite the state; choose another name", s, StateVariablePrefix)
				}
				v.Name = s
			}
		}
		if e, ok := p.required(m, it, at, "value", "say what it publishes, such as value: expires-at"); ok {
			if s, ok := p.str(e.val, join(at, "value"), "expires-at, public-key or rotated-at"); ok {
				want := variableValues[sourceType]
				if sourceType != "" && !slices.Contains(want, s) {
					p.errorf(e.val, join(at, "value"), "a %s source publishes %s, not %q", sourceType, orNothing(want), s)
				}
				v.Value = s
			}
		}
		if e, ok := p.required(m, it, at, "targets", "list where it is published, such as targets: [{repository: acme/api}]"); ok {
			v.Targets = p.variableTargets(e.val, join(at, "targets"))
		}
		out = append(out, v)
	}
	return out
}

func orNothing(vs []string) string {
	if len(vs) == 0 {
		return "nothing (its token lives an hour)"
	}
	return strings.Join(vs, " or ")
}

func (p *parser) variableTargets(n *yaml.Node, path string) []VariableTarget {
	items, ok := p.seq(n, path, "a list of targets, such as [{repository: acme/api}]")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		p.errorf(n, path, "empty list: want at least one target, such as [{repository: acme/api}]")
	}
	var out []VariableTarget
	for i, it := range items {
		at := index(path, i)
		m := p.mapping(it, at, "a variable target", variableTargetKeys, nil)
		if m == nil {
			continue
		}
		t := VariableTarget{Line: it.Line}
		t.Repository, _ = p.optStr(m, at, "repository", "a repository as owner/repo")
		t.Environment, _ = p.optStr(m, at, "environment", "an environment name")
		t.Organization, _ = p.optStr(m, at, "organization", "an organization login")
		t.Visibility, _ = p.optStr(m, at, "visibility", "all or private")
		switch {
		case (t.Repository == "") == (t.Organization == ""):
			p.errorf(it, at, "name exactly one of repository and organization")
		case t.Repository != "" && t.Visibility != "":
			p.errorf(it, at, "visibility is for an organization variable: remove it")
		case t.Organization != "" && t.Environment != "":
			p.errorf(it, at, "environment is for a repository variable: remove it")
		case t.Repository != "":
			if msg := checkFullName(t.Repository); msg != "" {
				p.errorf(it, join(at, "repository"), "%s", msg)
			}
			if t.Environment != "" {
				if err := secrets.ValidateEnvironment(t.Environment); err != nil {
					p.errorf(m["environment"].val, join(at, "environment"), "%v", err)
				}
			}
		default:
			if msg := checkOwner("organization", t.Organization); msg != "" {
				p.errorf(m["organization"].val, join(at, "organization"), "%s", msg)
			}
			if t.Visibility == "" {
				t.Visibility = secrets.VisibilityPrivate
			}
			if t.Visibility != secrets.VisibilityAll && t.Visibility != secrets.VisibilityPrivate {
				p.errorf(it, join(at, "visibility"), "%q: want all or private", t.Visibility)
			}
		}
		out = append(out, t)
	}
	return out
}
