package plan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"regexp/syntax"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/pat-action/pat-action/policy"
	"github.com/pat-action/pat-action/secrets"
	"github.com/pat-action/pat-action/token"
)

// The keys each mapping of a plan may have.
var (
	planKeys     = []string{"version", "defaults", "secrets"}
	defaultsKeys = []string{"policy", "max-age", "open-issue"}
	secretKeys   = []string{"name", "source", "policy", "max-age", "prune", "open-issue", "targets"}
	policyKeys   = []string{"required-scopes", "allowed-scopes", "forbidden-scopes", "min-days-left",
		"require-expiration", "allowed-token-types", "repositories"}
	targetKeys = []string{"repository", "environment", "organization", "visibility", "repositories",
		"match", "topic", "exclude", "type"}
	sourceKeys = map[string][]string{
		SourceToken:     {"type", "env", "input", "open-issue"},
		SourceGitHubApp: {"type", "app-id", "private-key-env", "private-key-file", "installation", "permissions", "repositories"},
		SourceDeployKey: {"type", "repository", "read-only"},
		SourceRandom:    {"type", "bytes", "encoding"},
	}
	sourceTypes  = []string{SourceToken, SourceGitHubApp, SourceDeployKey, SourceRandom}
	encodings    = []string{EncodingHex, EncodingBase64, EncodingBase64URL}
	secretTypes  = []string{string(secrets.Actions), string(secrets.Dependabot), string(secrets.Codespaces)}
	visibilities = []string{secrets.VisibilityAll, secrets.VisibilityPrivate, secrets.VisibilitySelected}
	permLevels   = []string{"read", "write", "admin"}
	// scopeKeys are the policy keys that only mean something for tokens
	// that carry scopes or expire, so not for github-app sources.
	scopeKeys = []string{"required-scopes", "allowed-scopes", "forbidden-scopes", "min-days-left",
		"require-expiration", "allowed-token-types"}
)

var (
	envNameRE  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	ownerRE    = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$`)
	repoNameRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)
	topicRE    = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,49}$`)
	permNameRE = regexp.MustCompile(`^[a-z][a-z_]*$`)
	yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
)

// maxNodes bounds the YAML nodes one parse visits, so that aliases that
// refer to aliases cannot make a small file expand without end.
const maxNodes = 100000

// parser walks a plan's YAML nodes, collecting every problem it finds.
type parser struct {
	file  string
	errs  []*Error
	nodes int
	// covered holds, per mapping, the keys an earlier problem already
	// accounts for (a misspelling of the key was reported, or a merge key
	// may have held it), so that they are not also reported missing.
	covered map[*yaml.Node]map[string]bool
}

// cover notes that a problem with mapping n accounts for key ("*": all).
func (p *parser) cover(n *yaml.Node, key string) {
	if p.covered == nil {
		p.covered = map[*yaml.Node]map[string]bool{}
	}
	if p.covered[n] == nil {
		p.covered[n] = map[string]bool{}
	}
	p.covered[n][key] = true
}

func (p *parser) isCovered(n *yaml.Node, key string) bool {
	return p.covered[n][key] || p.covered[n]["*"]
}

// errorf records a problem at node n (nil: no position) under key path.
func (p *parser) errorf(n *yaml.Node, path, format string, args ...any) {
	e := &Error{File: p.file, Path: path, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	p.errs = append(p.errs, e)
}

// err returns the problems found, sorted by position, or nil.
func (p *parser) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	sort.SliceStable(p.errs, func(i, j int) bool {
		a, b := p.errs[i], p.errs[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	errs := make([]error, 0, maxErrors+1)
	for i, e := range p.errs {
		if i == maxErrors {
			errs = append(errs, &Error{File: p.file, Msg: fmt.Sprintf("%d more problems not shown", len(p.errs)-i)})
			break
		}
		errs = append(errs, e)
	}
	return errors.Join(errs...)
}

// deref follows aliases and counts the node against maxNodes. It returns
// nil once the budget is spent.
func (p *parser) deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	p.nodes++
	if p.nodes == maxNodes+1 {
		p.errorf(n, "", "the plan expands to more than %d YAML nodes (through aliases): write it out more simply", maxNodes)
	}
	if p.nodes > maxNodes {
		return nil
	}
	return n
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// describe says what a node is, for "got ..." in messages. Plans hold
// names, never secret values, so quoting a scalar is safe.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "an empty value"
		case "!!str":
			return strconv.Quote(n.Value)
		case "!!int", "!!float":
			return "the number " + n.Value
		case "!!bool":
			return n.Value
		}
		return n.ShortTag() + " " + strconv.Quote(n.Value)
	}
	return "a document"
}

// entry is one key of a mapping and its value.
type entry struct{ key, val *yaml.Node }

// mapping checks that n is a mapping whose keys are all in known and
// returns its entries by key. Unknown keys are reported with the nearest
// known key; misplaced explains keys known elsewhere ("bytes does not apply
// to type token"). It returns nil if n is not a mapping.
func (p *parser) mapping(n *yaml.Node, path, what string, known []string, misplaced func(key string) string) map[string]entry {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, path, "want %s (a mapping of keys: %s), got %s", what, strings.Join(known, ", "), describe(n))
		return nil
	}
	m := make(map[string]entry, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := p.deref(n.Content[i])
		v := p.deref(n.Content[i+1])
		if k == nil || v == nil {
			return m
		}
		if k.Kind != yaml.ScalarNode {
			p.errorf(k, path, "want a plain key in %s, got %s", what, describe(k))
			continue
		}
		key := k.Value
		if key == "<<" {
			p.errorf(k, path, "merge keys (<<) are not supported: use the plan's defaults: section, or repeat the keys")
			p.cover(n, "*")
			continue
		}
		if prev, ok := m[key]; ok {
			p.errorf(k, join(path, key), "key %q appears twice in %s (lines %d and %d): keep one", key, what, prev.key.Line, k.Line)
			continue
		}
		if !slices.Contains(known, key) {
			msg := ""
			if misplaced != nil {
				msg = misplaced(key)
			}
			if msg == "" {
				msg = fmt.Sprintf("unknown key %q in %s", key, what)
				if s := suggest(key, known); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", s)
					p.cover(n, s)
				} else {
					msg += "; known keys: " + strings.Join(known, ", ")
				}
			}
			p.errorf(k, join(path, key), "%s", msg)
			continue
		}
		m[key] = entry{k, v}
	}
	return m
}

// required reports a missing key of mapping n, saying what would be right.
func (p *parser) required(m map[string]entry, n *yaml.Node, path, key, hint string) (entry, bool) {
	e, ok := m[key]
	if !ok && !p.isCovered(n, key) {
		p.errorf(n, join(path, key), "missing: %s", hint)
	}
	return e, ok
}

// str reads a non-empty string; hint says what is wanted.
func (p *parser) str(n *yaml.Node, path, hint string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		p.errorf(n, path, "want %s, got %s", hint, describe(n))
		return "", false
	}
	if n.Value == "" {
		p.errorf(n, path, "empty: want %s", hint)
		return "", false
	}
	return n.Value, true
}

// int reads an integer, as YAML writes them (0x1F, 1_000).
func (p *parser) int(n *yaml.Node, path, hint string) (int64, bool) {
	var v int64
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil {
		p.errorf(n, path, "want %s, got %s", hint, describe(n))
		return 0, false
	}
	return v, true
}

// bool reads true or false; YAML 1.1 spellings such as yes are strings.
func (p *parser) bool(n *yaml.Node, path string) (bool, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
		p.errorf(n, path, "want true or false, got %s", describe(n))
		return false, false
	}
	var v bool
	if err := n.Decode(&v); err != nil {
		p.errorf(n, path, "want true or false, got %s", describe(n))
		return false, false
	}
	return v, true
}

// duration reads a plan duration such as "90d".
func (p *parser) duration(n *yaml.Node, path string) (time.Duration, bool) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" {
		p.errorf(n, path, "the number %s has no unit: write \"%sd\" for days (units: w, d, h, m)", n.Value, n.Value)
		return 0, false
	}
	s, ok := p.str(n, path, `a duration such as "90d" or "1d12h"`)
	if !ok {
		return 0, false
	}
	d, err := ParseDuration(s)
	if err != nil {
		p.errorf(n, path, "%v", err)
		return 0, false
	}
	return d, true
}

// seq checks that n is a list and returns its items, aliases followed.
func (p *parser) seq(n *yaml.Node, path, hint string) ([]*yaml.Node, bool) {
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, path, "want %s, got %s", hint, describe(n))
		return nil, false
	}
	items := make([]*yaml.Node, 0, len(n.Content))
	for _, it := range n.Content {
		it = p.deref(it)
		if it == nil {
			return nil, false
		}
		items = append(items, it)
	}
	return items, true
}

// strList reads a list of strings. With commas, a single string
// "repo, workflow" (commas or newlines between items) is accepted too.
// Each item is checked with check, which returns a problem or "".
func (p *parser) strList(n *yaml.Node, path, hint string, commas bool, check func(string) string) ([]string, bool) {
	var out []string
	ok := true
	add := func(n *yaml.Node, path, s string) {
		if msg := check(s); msg != "" {
			p.errorf(n, path, "%s", msg)
			ok = false
			return
		}
		out = append(out, s)
	}
	if commas && n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
		for _, s := range strings.FieldsFunc(n.Value, func(r rune) bool { return r == ',' || r == '\n' }) {
			if s = strings.TrimSpace(s); s != "" {
				add(n, path, s)
			}
		}
		if out == nil {
			out = []string{}
		}
		return out, ok
	}
	want := hint
	if commas {
		want += " (a list, or one string with commas between the items)"
	}
	items, isSeq := p.seq(n, path, want)
	if !isSeq {
		return nil, false
	}
	out = []string{}
	for i, it := range items {
		s, isStr := p.str(it, index(path, i), hint)
		if !isStr {
			ok = false
			continue
		}
		add(it, index(path, i), s)
	}
	return out, ok
}

// parse reads the whole plan.
func (p *parser) parse(data []byte) *Plan {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.errorf(nil, "", "the plan is empty: want version: 1 and a secrets: list")
		} else {
			p.yamlError(err)
		}
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		p.errorf(&extra, "", "a second YAML document (after ---): a plan is one document")
		return nil
	} else if !errors.Is(err, io.EOF) {
		p.yamlError(err)
		return nil
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	root = p.deref(root)
	if root == nil {
		return nil
	}
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		p.errorf(nil, "", "the plan is empty: want version: 1 and a secrets: list")
		return nil
	}
	m := p.mapping(root, "", "the plan", planKeys, nil)
	if m == nil {
		return nil
	}
	plan := &Plan{File: p.file}
	if e, ok := p.required(m, root, "", "version", "add \"version: 1\" at the top of the plan"); ok {
		if v, ok := p.int(e.val, "version", "version 1"); ok {
			if v != 1 {
				p.errorf(e.val, "version", "unsupported version %d: this pat-action reads version 1", v)
			}
			plan.Version = int(v)
		}
	}
	if e, ok := m["defaults"]; ok {
		plan.Defaults = p.defaults(e.val)
	}
	e, ok := p.required(m, root, "", "secrets", "want a list of secrets, each with name, source and targets")
	if !ok {
		return plan
	}
	items, ok := p.seq(e.val, "secrets", "a list of secrets, each with name, source and targets")
	if !ok {
		return plan
	}
	if len(items) == 0 {
		p.errorf(e.val, "secrets", "empty list: want at least one secret, with name, source and targets")
	}
	names := map[string]Secret{}
	for i, it := range items {
		s, ok := p.secret(it, index("secrets", i), plan.Defaults)
		if !ok {
			continue
		}
		key := strings.ToUpper(s.Name)
		if prev, dup := names[key]; dup {
			p.errorf(it, index("secrets", i)+".name", "secret %q is already defined on line %d as %q: secret names are case-insensitive, so give each secret one entry",
				s.Name, prev.Line, prev.Name)
			continue
		}
		names[key] = s
		plan.Secrets = append(plan.Secrets, s)
	}
	return plan
}

// yamlError turns a YAML syntax error into a positioned Error.
func (p *parser) yamlError(err error) {
	for _, line := range strings.Split(err.Error(), "\n") {
		line = strings.TrimSpace(line)
		if m := yamlLineRE.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			p.errs = append(p.errs, &Error{File: p.file, Line: n, Msg: "invalid YAML: " + m[2]})
			continue
		}
		if line = strings.TrimPrefix(line, "yaml: "); line != "" && line != "unmarshal errors:" {
			p.errs = append(p.errs, &Error{File: p.file, Msg: "invalid YAML: " + line})
		}
	}
	if len(p.errs) == 0 {
		p.errs = append(p.errs, &Error{File: p.file, Msg: "invalid YAML"})
	}
}

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
	msg := fmt.Sprintf("unknown %s %q", what, s)
	if sg := suggest(s, want); sg != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", sg)
	}
	return msg + ": want one of " + strings.Join(want, ", ")
}

// checkFullName returns a problem unless s is "owner/repo".
func checkFullName(s string) string {
	if _, _, err := secrets.ParseRepo(s); err != nil {
		return err.Error()
	}
	return ""
}

func checkOwner(what, s string) string {
	if !ownerRE.MatchString(s) {
		return fmt.Sprintf("%s %q: want an account login (letters, digits and hyphens, such as \"acme\")", what, s)
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
	typ := s.Source.Type
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
	if typ == SourceToken {
		s.Policy = d.Policy.merge(s.Policy)
		if len(p.errs) == nerr {
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
	}
	if typ != SourceGitHubApp {
		s.MaxAge = d.MaxAge
	}
	if e, ok := m["max-age"]; ok {
		if v, ok := p.duration(e.val, join(path, "max-age")); ok {
			s.MaxAge = v
		}
		if typ == SourceGitHubApp {
			p.errorf(e.key, join(path, "max-age"), "a github-app token is minted every run, so max-age does not apply: remove it")
		}
	}
	if e, ok := m["prune"]; ok {
		s.Prune, _ = p.bool(e.val, join(path, "prune"))
	}
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
	if e, ok := p.required(m, n, path, "targets", "list where the secret is written, such as targets: [{repository: acme/api}]"); ok {
		s.Targets = p.targets(e.val, join(path, "targets"))
	}
	if e, ok := m["prune"]; ok && s.Prune && !slices.ContainsFunc(s.Targets, TargetSpec.Expands) {
		p.errorf(e.key, join(path, "prune"), "prune deletes the secret from an organization's repositories that an organization target's match or topic no longer selects: add such a target or remove prune")
	}
	return s, len(p.errs) == nerr
}

// source reads a source mapping. It returns the open-issue entry when the
// source sets it, for the secret to take.
func (p *parser) source(n *yaml.Node, path string) (Source, *entry) {
	var src Source
	if n.Kind != yaml.MappingNode {
		p.errorf(n, path, "want a source mapping with a type (%s), got %s", strings.Join(sourceTypes, ", "), describe(n))
		return src, nil
	}
	// Find the type first: it decides which keys are allowed.
	var typNode *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.Value == "type" {
			typNode = p.deref(n.Content[i+1])
		}
	}
	if typNode == nil {
		p.errorf(n, join(path, "type"), "missing: say where the value comes from: type: %s", strings.Join(sourceTypes, ", or type: "))
		return src, nil
	}
	typ, ok := p.str(typNode, join(path, "type"), "a source type: "+strings.Join(sourceTypes, ", "))
	if !ok {
		return src, nil
	}
	if msg := oneOf("source type", typ, sourceTypes); msg != "" {
		p.errorf(typNode, join(path, "type"), "%s", msg)
		return src, nil
	}
	src.Type = typ
	known := sourceKeys[typ]
	m := p.mapping(n, path, "a "+typ+" source", known, func(key string) string {
		for _, t := range sourceTypes {
			if t != typ && slices.Contains(sourceKeys[t], key) {
				return fmt.Sprintf("key %q does not apply to type %s (it is for %s sources; a %s source takes %s)",
					key, typ, t, typ, strings.Join(known, ", "))
			}
		}
		return ""
	})
	var openIssue *entry
	switch typ {
	case SourceToken:
		p.tokenFrom(m, n, path, &src)
		if e, ok := m["open-issue"]; ok {
			openIssue = &e
		}
	case SourceGitHubApp:
		p.githubApp(m, n, path, &src)
	case SourceDeployKey:
		if e, ok := p.required(m, n, path, "repository", "name the repository that gets the public key as a deploy key, such as repository: acme/infra"); ok {
			if v, ok := p.str(e.val, join(path, "repository"), "a repository as owner/repo"); ok {
				if msg := checkFullName(v); msg != "" {
					p.errorf(e.val, join(path, "repository"), "%s", msg)
				}
				src.Repository = v
			}
		}
		src.ReadOnly = true
		if e, ok := m["read-only"]; ok {
			if v, ok := p.bool(e.val, join(path, "read-only")); ok {
				src.ReadOnly = v
			}
		}
	case SourceRandom:
		src.Bytes, src.Encoding = DefaultRandomBytes, DefaultEncoding
		if e, ok := m["encoding"]; ok {
			if v, ok := p.str(e.val, join(path, "encoding"), "an encoding: "+strings.Join(encodings, ", ")); ok {
				if msg := oneOf("encoding", v, encodings); msg != "" {
					p.errorf(e.val, join(path, "encoding"), "%s", msg)
				} else {
					src.Encoding = v
				}
			}
		}
		if e, ok := m["bytes"]; ok {
			if v, ok := p.int(e.val, join(path, "bytes"), fmt.Sprintf("a number of random bytes from 1 to %d", MaxRandomBytes)); ok {
				switch {
				case v < 1 || v > MaxRandomBytes:
					p.errorf(e.val, join(path, "bytes"), "%d is out of range: want 1 to %d random bytes", v, MaxRandomBytes)
				case EncodedLen(int(v), src.Encoding) > secrets.MaxValueSize:
					p.errorf(e.val, join(path, "bytes"), "%d bytes in %s are %d characters, over GitHub's %d-byte limit for a secret: ask for fewer",
						v, src.Encoding, EncodedLen(int(v), src.Encoding), secrets.MaxValueSize)
				default:
					src.Bytes = int(v)
				}
			}
		}
	}
	return src, openIssue
}

// envName reads an environment variable name.
func (p *parser) envName(n *yaml.Node, path string) string {
	v, ok := p.str(n, path, "an environment variable name such as NEW_PAT")
	if ok && !envNameRE.MatchString(v) {
		p.errorf(n, path, "environment variable name %q: use letters, digits and underscores, not starting with a digit", v)
	}
	return v
}

// tokenFrom reads where a token source's token comes from: env names an
// environment variable, input: token takes the token the run was given.
// Exactly one of them, so that a plan never stores the run's token by
// leaving a key out.
func (p *parser) tokenFrom(m map[string]entry, n *yaml.Node, path string, src *Source) {
	envE, hasEnv := m["env"]
	inE, hasInput := m["input"]
	switch {
	case hasEnv && hasInput:
		p.errorf(inE.key, join(path, "input"), "env is also given (line %d): give one place for the token: env: NAME for an environment variable, or input: %s for the token the run was given", envE.key.Line, InputToken)
	case hasEnv:
		src.Env = p.envName(envE.val, join(path, "env"))
	case hasInput:
		if v, ok := p.str(inE.val, join(path, "input"), "input: "+InputToken); ok {
			if v != InputToken {
				msg := fmt.Sprintf("%q: a token source takes only the run's own token, input: %s (the action's token input; PAT_ACTION_TOKEN, GH_TOKEN, GITHUB_TOKEN or --token-file on the command line); for any other token name its environment variable with env", v, InputToken)
				if strings.EqualFold(v, InputToken) {
					msg = fmt.Sprintf("%q: write input: %s", v, InputToken)
				}
				p.errorf(inE.val, join(path, "input"), "%s", msg)
			}
			src.Input = v
		}
	case !p.isCovered(n, "env") && !p.isCovered(n, "input"):
		p.errorf(n, join(path, "env"), "missing: say where the token comes from: env: NEW_RELEASE_PAT names an environment variable, input: %s takes the token the run was given (the action's token input)", InputToken)
	}
}

// githubApp reads the keys of a github-app source.
func (p *parser) githubApp(m map[string]entry, n *yaml.Node, path string, src *Source) {
	if e, ok := p.required(m, n, path, "app-id", "give the GitHub App's numeric ID, such as app-id: 12345"); ok {
		if v, ok := p.int(e.val, join(path, "app-id"), "the app's numeric ID"); ok {
			if v <= 0 {
				p.errorf(e.val, join(path, "app-id"), "%d: want the app's ID, a number above 0", v)
			}
			src.AppID = v
		}
	}
	envE, hasEnv := m["private-key-env"]
	fileE, hasFile := m["private-key-file"]
	switch {
	case hasEnv && hasFile:
		p.errorf(fileE.key, join(path, "private-key-file"), "private-key-env is also given (line %d): give one place for the private key", envE.key.Line)
	case hasEnv:
		src.PrivateKeyEnv = p.envName(envE.val, join(path, "private-key-env"))
	case hasFile:
		src.PrivateKeyFile, _ = p.str(fileE.val, join(path, "private-key-file"), "the path of the app's PEM private key")
	default:
		p.errorf(n, join(path, "private-key-env"), "missing: name where the app's private key is: private-key-env: APP_PRIVATE_KEY or private-key-file: path/to/key.pem")
	}
	if e, ok := p.required(m, n, path, "installation", "name the account the app is installed on, such as installation: acme (or the installation's numeric ID)"); ok {
		switch v := e.val; {
		case v.Kind == yaml.ScalarNode && v.ShortTag() == "!!int":
			if id, ok := p.int(v, join(path, "installation"), "an installation ID"); ok && id <= 0 {
				p.errorf(v, join(path, "installation"), "%d: want an installation ID above 0, or the account's login", id)
			}
			src.Installation = v.Value
		default:
			if s, ok := p.str(v, join(path, "installation"), "the account's login, such as acme"); ok {
				if msg := checkOwner("installation", s); msg != "" {
					p.errorf(v, join(path, "installation"), "%s", msg)
				}
				src.Installation = s
			}
		}
	}
	if e, ok := m["permissions"]; ok {
		src.Permissions = p.permissions(e.val, join(path, "permissions"))
	}
	if e, ok := m["repositories"]; ok {
		src.Repositories, _ = p.strList(e.val, join(path, "repositories"), "repository names", false, func(s string) string {
			owner, name, hasOwner := strings.Cut(s, "/")
			if !hasOwner {
				name = owner
			}
			if !repoNameRE.MatchString(name) {
				return fmt.Sprintf("repository %q: want a repository name such as \"api\"", s)
			}
			if hasOwner && !strings.EqualFold(owner, src.Installation) {
				return fmt.Sprintf("repository %q: an installation token reaches only the installation's own repositories: write the name alone, such as %q", s, name)
			}
			return ""
		})
		for i, s := range src.Repositories {
			if _, name, ok := strings.Cut(s, "/"); ok {
				src.Repositories[i] = name
			}
		}
	}
}

// permissions reads a github-app source's permissions: name to read,
// write or admin. Any well-formed name is accepted: the app's own
// permissions decide which GitHub grants.
func (p *parser) permissions(n *yaml.Node, path string) map[string]string {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, path, "want permissions as a mapping, such as {contents: write, pull_requests: read}, got %s", describe(n))
		return nil
	}
	if len(n.Content) == 0 {
		p.errorf(n, path, "empty: name the permissions the token needs, such as {contents: read}, or remove permissions to get all of the installation's")
		return nil
	}
	out := map[string]string{}
	lines := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := p.deref(n.Content[i]), p.deref(n.Content[i+1])
		if k == nil || v == nil {
			return out
		}
		if k.Kind != yaml.ScalarNode {
			p.errorf(k, path, "want a permission name such as contents, got %s", describe(k))
			continue
		}
		kp := join(path, k.Value)
		if !permNameRE.MatchString(k.Value) {
			msg := fmt.Sprintf("permission %q: want a permission name such as contents or pull_requests", k.Value)
			if fixed := strings.ReplaceAll(strings.ToLower(k.Value), "-", "_"); permNameRE.MatchString(fixed) {
				msg = fmt.Sprintf("permission %q: GitHub writes permission names in lower case with underscores: %q", k.Value, fixed)
			}
			p.errorf(k, kp, "%s", msg)
			continue
		}
		if line, dup := lines[k.Value]; dup {
			p.errorf(k, kp, "permission %q appears twice (lines %d and %d): keep one", k.Value, line, k.Line)
			continue
		}
		lines[k.Value] = k.Line
		if level, ok := p.str(v, kp, "read, write or admin"); ok {
			if msg := oneOf("permission level", level, permLevels); msg != "" {
				p.errorf(v, kp, "%s", msg)
				continue
			}
			out[k.Value] = level
		}
	}
	return out
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
		t, ok := p.target(it, index(path, i))
		if !ok {
			continue
		}
		if st, fixed := t.Target(); fixed {
			k := strings.ToLower(st.String())
			if line, dup := seen[k]; dup {
				p.errorf(it, index(path, i), "target %s is already listed on line %d: list each target once", st, line)
				continue
			}
			seen[k] = it.Line
			// The secrets package has the last word on what a target may be.
			if err := st.Validate(false); err != nil {
				p.errorf(it, index(path, i), "%v", err)
				continue
			}
		}
		out = append(out, t)
	}
	return out
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
	get := func(key, hint string) (string, *yaml.Node) {
		e, ok := m[key]
		if !ok {
			return "", nil
		}
		v, _ := p.str(e.val, join(path, key), hint)
		return v, e.key
	}
	repo, repoKey := get("repository", "a repository as owner/repo")
	env, envKey := get("environment", "an environment name")
	org, orgKey := get("organization", "an organization login")
	vis, visKey := get("visibility", "all, private or selected")
	typ, _ := get("type", "a secret type: actions, dependabot or codespaces")
	match, matchKey := get("match", "a regular expression for repository names")
	topic, topicKey := get("topic", "a repository topic")
	t.Repository, t.Environment, t.Organization, t.Visibility, t.Match, t.Topic = repo, env, org, vis, match, topic
	var reposKey, excludeKey *yaml.Node
	if e, ok := m["repositories"]; ok {
		reposKey = e.key
		t.Repositories, _ = p.strList(e.val, join(path, "repositories"), "repositories as owner/repo", false, func(s string) string {
			if msg := checkFullName(s); msg != "" {
				return msg
			}
			if org != "" && !strings.HasPrefix(strings.ToLower(s), strings.ToLower(org)+"/") {
				return fmt.Sprintf("repository %q is not in organization %s: an organization secret reaches only its own repositories", s, org)
			}
			return ""
		})
	}
	if e, ok := m["exclude"]; ok {
		excludeKey = e.key
		t.Exclude, _ = p.strList(e.val, join(path, "exclude"), "repositories as owner/repo", false, func(s string) string {
			if msg := checkFullName(s); msg != "" {
				return msg
			}
			if org != "" && !strings.HasPrefix(strings.ToLower(s), strings.ToLower(org)+"/") {
				return fmt.Sprintf("repository %q is not in organization %s, so excluding it changes nothing: write %s/NAME", s, org, org)
			}
			return ""
		})
	}
	if typ != "" {
		if msg := oneOf("secret type", typ, secretTypes); msg != "" {
			p.errorf(m["type"].val, join(path, "type"), "%s", msg)
		} else {
			t.Type = secrets.Kind(typ)
		}
	}
	orgOnly := func(key *yaml.Node, name, why string) {
		if key != nil {
			p.errorf(key, join(path, name), "%s applies only to organization targets (%s): remove it, or use organization instead of repository", name, why)
		}
	}
	switch {
	case repoKey != nil && orgKey != nil:
		p.errorf(orgKey, path, "a target has repository or organization, not both: split it into two targets")
	case repoKey == nil && orgKey == nil:
		if p.isCovered(n, "repository") || p.isCovered(n, "organization") {
			return t, false
		}
		p.errorf(n, path, "a target needs repository (owner/repo, optionally with environment) or organization")
	case repoKey != nil:
		if repo != "" {
			if msg := checkFullName(repo); msg != "" {
				p.errorf(m["repository"].val, join(path, "repository"), "%s", msg)
			}
		}
		orgOnly(visKey, "visibility", "an organization secret's reach")
		orgOnly(reposKey, "repositories", "the repositories an organization secret reaches")
		orgOnly(matchKey, "match", "it selects an organization's repositories")
		orgOnly(topicKey, "topic", "it selects an organization's repositories")
		orgOnly(excludeKey, "exclude", "it removes repositories from match or topic")
		if envKey != nil && t.Type != secrets.Actions {
			p.errorf(envKey, join(path, "environment"), "%s secrets have no environments: remove environment or use type: actions", t.Type)
		}
	default: // organization
		if org != "" {
			if msg := checkOwner("organization", org); msg != "" {
				p.errorf(m["organization"].val, join(path, "organization"), "%s", msg)
			}
		}
		if envKey != nil {
			p.errorf(envKey, join(path, "environment"), "environment applies only to a repository target (environments belong to a repository): use repository: OWNER/REPO with environment")
		}
		selects := matchKey != nil || topicKey != nil
		switch {
		case selects && visKey != nil:
			p.errorf(visKey, join(path, "visibility"), "visibility is for an organization secret, but match and topic select repositories that each get a repository secret: remove visibility, or remove match and topic")
		case selects && reposKey != nil:
			p.errorf(reposKey, join(path, "repositories"), "repositories is for an organization secret, but match and topic select repositories that each get a repository secret: remove one")
		case !selects && excludeKey != nil:
			p.errorf(excludeKey, join(path, "exclude"), "exclude removes repositories that match or topic selected: add match or topic, or remove exclude")
		case !selects:
			if visKey != nil && vis != "" {
				if msg := oneOf("visibility", vis, visibilities); msg != "" {
					p.errorf(m["visibility"].val, join(path, "visibility"), "%s", msg)
				}
			}
			switch {
			case t.Visibility == "" && len(t.Repositories) > 0:
				t.Visibility = secrets.VisibilitySelected
			case t.Visibility == "":
				t.Visibility = secrets.VisibilityPrivate
			case t.Visibility == secrets.VisibilitySelected && reposKey == nil:
				p.errorf(visKey, join(path, "visibility"), "visibility selected needs repositories: list them, such as repositories: [%s/api]", orEx(org))
			case t.Visibility != secrets.VisibilitySelected && reposKey != nil && visKey != nil:
				p.errorf(reposKey, join(path, "repositories"), "repositories applies only with visibility: selected (visibility is %s)", t.Visibility)
			}
		}
		if matchKey != nil && match != "" {
			re, err := compileMatch(match)
			if err != nil {
				p.errorf(m["match"].val, join(path, "match"), "%q is not a valid Go regular expression: %v", match, err)
			}
			t.re = re
		}
		if topicKey != nil && topic != "" && !topicRE.MatchString(topic) {
			msg := fmt.Sprintf("topic %q: GitHub topics are lower-case letters, digits and hyphens", topic)
			if low := strings.ToLower(topic); topicRE.MatchString(low) {
				msg += fmt.Sprintf(": write %q", low)
			}
			p.errorf(m["topic"].val, join(path, "topic"), "%s", msg)
		}
	}
	return t, len(p.errs) == nerr
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
