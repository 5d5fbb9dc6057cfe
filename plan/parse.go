package plan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pat-action/pat-action/secrets"
)

// Options say what a plan is checked for.
type Options struct {
	// GHES is true when the plan runs against GitHub Enterprise Server,
	// which lacks some secret types (secrets.Kind.OnGHES): a target of such
	// a type is refused.
	GHES bool
}

// MaxSize is the largest plan Read accepts. A plan lists names and where
// values come from; a larger file is a mistake, and parsing 200 MB of
// YAML would take gigabytes of memory.
const MaxSize = 1 << 20

// Read reads a plan from r and parses it as Parse does. A plan larger than
// MaxSize is refused before any of it is parsed, having read no more than
// one byte past MaxSize. An error reading r is returned as it is.
func Read(name string, r io.Reader, o Options) (*Plan, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxSize {
		return nil, &Error{File: name, Msg: fmt.Sprintf("the plan is larger than %d bytes (1 MB): a plan lists secrets by name; split it into several plans", MaxSize)}
	}
	return Parse(name, data, o)
}

// Parse parses and checks a plan, naming it name in errors. It reports
// every problem it finds (up to a limit), each as an *Error
// ("file:line:col: key: what is wrong and what would be right"), joined
// with errors.Join; errors.As finds the first.
func Parse(name string, data []byte, o Options) (*Plan, error) {
	p := &parser{file: name, ghes: o.GHES}
	plan := p.parse(data)
	if err := p.err(); err != nil {
		return nil, err
	}
	return plan, nil
}

// maxErrors is how many problems Parse reports before it stops.
const maxErrors = 20

// The keys each mapping of a plan may have.
var (
	planKeys     = []string{"version", "defaults", "secrets"}
	defaultsKeys = []string{"policy", "max-age", "open-issue"}
	secretKeys   = []string{"name", "source", "policy", "max-age", "prune", "open-issue", "targets", "variables"}
	policyKeys   = []string{"required-scopes", "allowed-scopes", "forbidden-scopes", "min-days-left",
		"require-expiration", "allowed-token-types", "repositories"}
	targetKeys = []string{"repository", "environment", "organization", "visibility", "repositories",
		"match", "topic", "exclude", "type", "create-environment"}
	sourceKeys = map[string][]string{
		SourceToken:     {"type", "env", "input", "open-issue"},
		SourceGitHubApp: {"type", "input", "app-id", "app-id-env", "client-id", "client-id-env", "private-key-env", "private-key-file", "installation", "permissions", "repositories"},
		SourceDeployKey: {"type", "repository", "read-only"},
		SourceRandom:    {"type", "bytes", "encoding"},
	}
	sourceTypes  = []string{SourceToken, SourceGitHubApp, SourceDeployKey, SourceRandom}
	encodings    = []string{EncodingHex, EncodingBase64, EncodingBase64URL}
	secretTypes  = []string{string(secrets.Actions), string(secrets.Dependabot), string(secrets.Codespaces), string(secrets.Agents)}
	visibilities = []string{secrets.VisibilityAll, secrets.VisibilityPrivate, secrets.VisibilitySelected}
	permLevels   = []string{"read", "write", "admin"}
	// scopeKeys are the policy keys that only mean something for tokens
	// that carry scopes or expire, so not for github-app sources.
	scopeKeys = []string{"required-scopes", "allowed-scopes", "forbidden-scopes", "min-days-left",
		"require-expiration", "allowed-token-types"}
)

var (
	envNameRE  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
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
	ghes  bool // the plan runs on GitHub Enterprise Server
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

// parse reads the whole plan.
func (p *parser) parse(data []byte) *Plan {
	root := p.document(data)
	if root == nil {
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
	if e, ok := p.required(m, root, "", "secrets", "want a list of secrets, each with name, source and targets"); ok {
		plan.Secrets = p.secrets(e.val, plan.Defaults)
	}
	return plan
}

// document decodes the plan's one YAML document and returns its root, or
// nil after reporting why there is none.
func (p *parser) document(data []byte) *yaml.Node {
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
	if root != nil && root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		p.errorf(nil, "", "the plan is empty: want version: 1 and a secrets: list")
		return nil
	}
	return root
}

// secrets reads the plan's list of secrets, rejecting a name given twice.
func (p *parser) secrets(n *yaml.Node, d Defaults) []Secret {
	items, ok := p.seq(n, "secrets", "a list of secrets, each with name, source and targets")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		p.errorf(n, "secrets", "empty list: want at least one secret, with name, source and targets")
	}
	var out []Secret
	names := map[string]Secret{}
	for i, it := range items {
		// A name given twice is reported even when either entry has other
		// problems, so that one run shows them all.
		s, ok := p.secret(it, index("secrets", i), d)
		key := strings.ToUpper(s.Name)
		if prev, dup := names[key]; dup && s.Name != "" {
			p.errorf(it, index("secrets", i)+".name", "secret %q is already defined on line %d as %q: secret names are case-insensitive, so give each secret one entry",
				s.Name, prev.Line, prev.Name)
			continue
		}
		if s.Name != "" {
			names[key] = s
		}
		if ok {
			out = append(out, s)
		}
	}
	return out
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
