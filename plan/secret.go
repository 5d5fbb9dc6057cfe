package plan

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pat-action/pat-action/internal/suggest"
	"github.com/pat-action/pat-action/policy"
	"github.com/pat-action/pat-action/secrets"
	"github.com/pat-action/pat-action/token"
)

// defaults reads the plan's defaults: section.
func (p *parser) defaults(n *yaml.Node) Defaults {
	var d Defaults
	m := p.mapping(n, "defaults", "defaults", defaultsKeys, func(key string) string {
		if slices.Contains(secretKeys, key) {
			return fmt.Sprintf("%q cannot be a default: give it on each secret (defaults may set %s)", key, strings.Join(defaultsKeys, ", "))
		}
		return ""
	})
	if e, ok := m["policy"]; ok {
		d.Policy, _ = p.policy(e.val, "defaults.policy")
	}
	if e, ok := m["max-age"]; ok {
		d.MaxAge, _ = p.duration(e.val, "defaults.max-age")
		d.MaxAgeText = strings.TrimSpace(e.val.Value)
	}
	if e, ok := m["open-issue"]; ok {
		d.OpenIssue, _ = p.bool(e.val, "defaults.open-issue")
	}
	return d
}

// policy reads a policy mapping and returns it with the keys it set.
func (p *parser) policy(n *yaml.Node, path string) (PolicySpec, map[string]entry) {
	var ps PolicySpec
	m := p.mapping(n, path, "a policy", policyKeys, nil)
	scopes := func(key string) []string {
		e, ok := m[key]
		if !ok {
			return nil
		}
		list, _ := p.strList(e.val, join(path, key), "scope names such as repo or workflow", true, func(s string) string {
			if err := policy.CheckScopes([]string{s}); err != nil {
				return err.Error()
			}
			return ""
		})
		return list
	}
	ps.RequiredScopes = scopes("required-scopes")
	ps.AllowedScopes = scopes("allowed-scopes")
	ps.ForbiddenScopes = scopes("forbidden-scopes")
	if e, ok := m["min-days-left"]; ok {
		if v, ok := p.int(e.val, join(path, "min-days-left"), "a number of days, 0 or more"); ok {
			if v < 0 || v > 3650 {
				p.errorf(e.val, join(path, "min-days-left"), "%d is out of range: want a number of days from 0 to 3650", v)
			} else {
				d := int(v)
				ps.MinDaysLeft = &d
			}
		}
	}
	if e, ok := m["require-expiration"]; ok {
		if v, ok := p.bool(e.val, join(path, "require-expiration")); ok {
			ps.RequireExpiration = &v
		}
	}
	if e, ok := m["allowed-token-types"]; ok {
		names, _ := p.strList(e.val, join(path, "allowed-token-types"), "token types", true, func(s string) string {
			if _, err := policy.ParseTokenTypes(s); err != nil {
				return err.Error()
			}
			return ""
		})
		if names != nil {
			ps.AllowedTokenTypes = make([]token.Type, len(names))
			for i, n := range names {
				ps.AllowedTokenTypes[i] = token.Type(n)
			}
		}
	}
	if e, ok := m["repositories"]; ok {
		ps.Repositories, _ = p.strList(e.val, join(path, "repositories"), "repositories as owner/repo", true, checkFullName)
	}
	return ps, m
}

// oneOf returns a problem unless s is one of want.
func oneOf(what, s string, want []string) string {
	if slices.Contains(want, s) {
		return ""
	}
	return fmt.Sprintf("unknown %s %q%s: want one of %s", what, s, suggest.Hint(s, want), strings.Join(want, ", "))
}

// checkFullName returns a problem unless s is "owner/repo".
func checkFullName(s string) string {
	if _, _, err := secrets.ParseRepo(s); err != nil {
		return err.Error()
	}
	return ""
}

// checkOwner returns a problem unless s is an account login.
func checkOwner(what, s string) string {
	if err := secrets.ValidateOwner(s); err != nil {
		return fmt.Sprintf("%s %q: %v", what, s, err)
	}
	return ""
}

// secret reads one secret and merges d into it. It reports false if the
// secret had problems.
func (p *parser) secret(n *yaml.Node, path string, d Defaults) (Secret, bool) {
	s := Secret{Line: n.Line}
	m := p.mapping(n, path, "a secret", secretKeys, nil)
	if m == nil {
		return s, false
	}
	nerr := len(p.errs)
	if e, ok := p.required(m, n, path, "name", "give the secret's name, such as name: RELEASE_PAT"); ok {
		if v, ok := p.str(e.val, join(path, "name"), "a secret name such as RELEASE_PAT"); ok {
			if err := secrets.ValidateName(v); err != nil {
				p.errorf(e.val, join(path, "name"), "%v", err)
			}
			s.Name = v
		}
	}
	var srcOpenIssue *entry
	if e, ok := p.required(m, n, path, "source", "say where the value comes from, such as source: {type: token, env: NEW_PAT}"); ok {
		s.Source, srcOpenIssue = p.source(e.val, join(path, "source"))
	}
	p.secretPolicy(m, n, path, d, &s, len(p.errs) == nerr)
	p.maxAge(m, path, d, &s)
	if e, ok := m["prune"]; ok {
		s.Prune, _ = p.bool(e.val, join(path, "prune"))
	}
	p.openIssue(m, path, d, srcOpenIssue, &s)
	if e, ok := p.required(m, n, path, "targets", "list where the secret is written, such as targets: [{repository: acme/api}]"); ok {
		s.Targets = p.targets(e.val, join(path, "targets"))
	}
	if e, ok := m["variables"]; ok {
		s.Variables = p.variables(e.val, join(path, "variables"), s.Source.Type) // variables.go
	}
	if e, ok := m["prune"]; ok && s.Prune && !slices.ContainsFunc(s.Targets, TargetSpec.Expands) {
		p.errorf(e.key, join(path, "prune"), "prune deletes the secret from an organization's repositories that an organization target's match or topic no longer selects: add such a target or remove prune")
	}
	return s, len(p.errs) == nerr
}

// secretPolicy reads a secret's policy, which only a token source takes
// whole (a github-app source only its repositories), and merges the
// defaults' into it. When the secret is so far clean, it checks that the
// merged policy's fields fit together.
func (p *parser) secretPolicy(m map[string]entry, n *yaml.Node, path string, d Defaults, s *Secret, clean bool) {
	typ := s.Source.Type
	nerr := len(p.errs)
	if e, ok := m["policy"]; ok {
		ps, keys := p.policy(e.val, join(path, "policy"))
		switch typ {
		case SourceRandom, SourceDeployKey:
			p.errorf(e.key, join(path, "policy"), "a %s source makes its own value, so a token policy does not apply: remove policy", typ)
		case SourceGitHubApp:
			for _, k := range scopeKeys {
				if e, ok := keys[k]; ok {
					p.errorf(e.key, join(join(path, "policy"), k), "a github-app token carries no scopes and lives an hour: narrow it with source.permissions instead")
				}
			}
		}
		s.Policy = ps
	}
	if typ != SourceToken {
		return
	}
	s.Policy = d.Policy.merge(s.Policy)
	if !clean || len(p.errs) != nerr {
		return
	}
	// Each field is valid; what is left is whether they fit together
	// (required-scopes within allowed-scopes, none forbidden).
	at, where := n, join(path, "policy")
	if e, ok := m["policy"]; ok {
		at = e.key
	}
	if err := s.Policy.Policy().Validate(); err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			p.errorf(at, where, "%s (with the defaults merged in)", line)
		}
	}
}

// maxAge reads a secret's max-age, or takes the defaults', for every
// source but github-app, which is minted every run.
func (p *parser) maxAge(m map[string]entry, path string, d Defaults, s *Secret) {
	if s.Source.Type != SourceGitHubApp {
		s.MaxAge, s.MaxAgeText = d.MaxAge, d.MaxAgeText
	}
	e, ok := m["max-age"]
	if !ok {
		return
	}
	if v, ok := p.duration(e.val, join(path, "max-age")); ok {
		s.MaxAge, s.MaxAgeText = v, strings.TrimSpace(e.val.Value)
	}
	if s.Source.Type == SourceGitHubApp {
		p.errorf(e.key, join(path, "max-age"), "a github-app token is minted every run, so max-age does not apply: remove it")
	}
}

// openIssue reads a token source's open-issue, from the secret, its
// source (srcOpenIssue) or the defaults.
func (p *parser) openIssue(m map[string]entry, path string, d Defaults, srcOpenIssue *entry, s *Secret) {
	typ := s.Source.Type
	if typ == SourceToken {
		s.OpenIssue = d.OpenIssue
	}
	if e, ok := m["open-issue"]; ok {
		v, _ := p.bool(e.val, join(path, "open-issue"))
		switch {
		case typ != SourceToken && typ != "":
			p.errorf(e.key, join(path, "open-issue"), "only a token source opens an issue (a person must make the next token); pat-action makes %s values itself: remove open-issue", typ)
		case srcOpenIssue != nil:
			p.errorf(e.key, join(path, "open-issue"), "open-issue is also set in the source on line %d: set it in one place", srcOpenIssue.key.Line)
		}
		s.OpenIssue = v
	}
	if srcOpenIssue != nil {
		s.OpenIssue, _ = p.bool(srcOpenIssue.val, join(path, "source.open-issue"))
	}
}
