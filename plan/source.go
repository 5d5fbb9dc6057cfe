package plan

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pat-action/pat-action/secrets"
)

// source reads a source mapping. It returns the open-issue entry when the
// source sets it, for the secret to take.
func (p *parser) source(n *yaml.Node, path string) (Source, *entry) {
	var src Source
	typ, ok := p.sourceType(n, path)
	if !ok {
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
		p.deployKey(m, n, path, &src)
	case SourceRandom:
		p.random(m, path, &src)
	}
	return src, openIssue
}

// sourceType finds a source's type first: it decides which keys the
// source may have.
func (p *parser) sourceType(n *yaml.Node, path string) (string, bool) {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, path, "want a source mapping with a type (%s), got %s", strings.Join(sourceTypes, ", "), describe(n))
		return "", false
	}
	var typNode *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.Value == "type" {
			typNode = p.deref(n.Content[i+1])
		}
	}
	if typNode == nil {
		p.errorf(n, join(path, "type"), "missing: say where the value comes from: type: %s", strings.Join(sourceTypes, ", or type: "))
		return "", false
	}
	typ, ok := p.str(typNode, join(path, "type"), "a source type: "+strings.Join(sourceTypes, ", "))
	if !ok {
		return "", false
	}
	if msg := oneOf("source type", typ, sourceTypes); msg != "" {
		p.errorf(typNode, join(path, "type"), "%s", msg)
		return "", false
	}
	return typ, true
}

// deployKey reads the keys of a deploy-key source.
func (p *parser) deployKey(m map[string]entry, n *yaml.Node, path string, src *Source) {
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
}

// random reads the keys of a random source.
func (p *parser) random(m map[string]entry, path string, src *Source) {
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
	e, ok := m["bytes"]
	if !ok {
		return
	}
	v, ok := p.int(e.val, join(path, "bytes"), fmt.Sprintf("a number of random bytes from 1 to %d", MaxRandomBytes))
	switch {
	case !ok:
	case v < 1 || v > MaxRandomBytes:
		p.errorf(e.val, join(path, "bytes"), "%d is out of range: want 1 to %d random bytes", v, MaxRandomBytes)
	case EncodedLen(int(v), src.Encoding) > secrets.MaxValueSize:
		p.errorf(e.val, join(path, "bytes"), "%d bytes in %s are %d characters, over GitHub's %d-byte limit for a secret: ask for fewer",
			v, src.Encoding, EncodedLen(int(v), src.Encoding), secrets.MaxValueSize)
	default:
		src.Bytes = int(v)
	}
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
		if v, ok := p.input(inE, path, InputToken, "a token source takes only the run's own token, input: %s (the action's token input; PAT_ACTION_TOKEN, GH_TOKEN, GITHUB_TOKEN or --token-file on the command line); for any other token name its environment variable with env"); ok {
			src.Input = v
		}
	case !p.isCovered(n, "env") && !p.isCovered(n, "input"):
		p.errorf(n, join(path, "env"), "missing: say where the token comes from: env: NEW_RELEASE_PAT names an environment variable, input: %s takes the token the run was given (the action's token input)", InputToken)
	}
}

// githubApp reads the keys of a github-app source.
func (p *parser) githubApp(m map[string]entry, n *yaml.Node, path string, src *Source) {
	if e, ok := m["input"]; ok {
		p.runApp(m, e, path, src)
	} else {
		p.appIssuer(m, n, path, src)
		p.privateKey(m, n, path, src)
	}
	if e, ok := p.required(m, n, path, "installation", "name the account the app is installed on, such as installation: acme (or the installation's numeric ID)"); ok {
		src.Installation = p.installation(e.val, join(path, "installation"))
	}
	if e, ok := m["permissions"]; ok {
		src.Permissions = p.permissions(e.val, join(path, "permissions"))
	}
	if e, ok := m["repositories"]; ok {
		src.Repositories = p.appRepositories(e.val, join(path, "repositories"), src.Installation)
	}
}

// runAppKeys are the keys that name a github-app source's App and private
// key, which input: app takes from the run instead.
var runAppKeys = append(slices.Clone(appIssuers), "private-key-env", "private-key-file")

// runApp reads input: app, which takes the App the run was given, its ID
// or client ID and its private key, so that the source names neither.
func (p *parser) runApp(m map[string]entry, in entry, path string, src *Source) {
	for _, k := range runAppKeys {
		if e, ok := m[k]; ok {
			p.errorf(e.key, join(path, k), "input: %s is also given (line %d): it takes the run's App and private key; remove %s, or remove input to name the App here", InputApp, in.key.Line, k)
		}
	}
	if v, ok := p.input(in, path, InputApp, "a github-app source takes only the run's App, input: %s (the action's app-id or client-id and private-key inputs; on the command line PAT_ACTION_APP_ID or PAT_ACTION_CLIENT_ID, and PAT_ACTION_APP_PRIVATE_KEY or --app-private-key-file)"); ok {
		src.Input = v
	}
}

// input reads a source's input key, whose one allowed value is want. Any
// other value is an error that says what input takes (wrong, formatted
// with want), or just how to write it when only its case differs; the
// value read is returned either way, as the parser keeps what it read.
func (p *parser) input(in entry, path, want, wrong string) (string, bool) {
	v, ok := p.str(in.val, join(path, "input"), "input: "+want)
	if !ok || v == want {
		return v, ok
	}
	msg := fmt.Sprintf("%q: "+wrong, v, want)
	if strings.EqualFold(v, want) {
		msg = fmt.Sprintf("%q: write input: %s", v, want)
	}
	p.errorf(in.val, join(path, "input"), "%s", msg)
	return v, true
}

// appIssuers are the keys that name a github-app source's App, one of
// which a source gives.
var appIssuers = []string{"app-id", "app-id-env", "client-id", "client-id-env"}

// clientIDRE is the shape of an App's client ID, such as Iv23liAbCd or
// Iv1.0123abcd.
var clientIDRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// appIssuer reads which App a github-app source is: exactly one of app-id
// (its numeric ID), client-id (its client ID, which GitHub now prefers as
// the JWT's issuer), or app-id-env or client-id-env naming an environment
// variable that holds one.
func (p *parser) appIssuer(m map[string]entry, n *yaml.Node, path string, src *Source) {
	var first string
	for _, k := range appIssuers {
		e, ok := m[k]
		if !ok {
			continue
		}
		if first != "" {
			p.errorf(e.key, join(path, k), "%s is also given (line %d): name the App once, by app-id, client-id, app-id-env or client-id-env", first, m[first].key.Line)
			continue
		}
		first = k
		kp := join(path, k)
		switch k {
		case "app-id":
			if v, ok := p.int(e.val, kp, "the app's numeric ID"); ok {
				if v <= 0 {
					p.errorf(e.val, kp, "%d: want the app's ID, a number above 0", v)
				}
				src.AppID = v
			}
		case "client-id":
			if v, ok := p.str(e.val, kp, "the app's client ID, such as Iv23liAbCdEf"); ok {
				if !clientIDRE.MatchString(v) {
					p.errorf(e.val, kp, "client ID %q: want the app's client ID as its settings page shows it, such as Iv23liAbCdEf", v)
				}
				src.ClientID = v
			}
		case "app-id-env":
			src.AppIDEnv = p.envName(e.val, kp)
		case "client-id-env":
			src.ClientIDEnv = p.envName(e.val, kp)
		}
	}
	if first == "" && !slices.ContainsFunc(appIssuers, func(k string) bool { return p.isCovered(n, k) }) {
		p.errorf(n, join(path, "app-id"), "missing: name the GitHub App: client-id: Iv23liAbCdEf or app-id: 12345, or client-id-env / app-id-env naming an environment variable that holds one, or input: %s for the App the run was given", InputApp)
	}
}

// privateKey reads where a github-app source's private key is: exactly one
// of private-key-env and private-key-file.
func (p *parser) privateKey(m map[string]entry, n *yaml.Node, path string, src *Source) {
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
}

// installation reads a github-app source's installation: the login of the
// account the app is installed on, or the installation's numeric ID.
func (p *parser) installation(v *yaml.Node, path string) string {
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!int" {
		if id, ok := p.int(v, path, "an installation ID"); ok && id <= 0 {
			p.errorf(v, path, "%d: want an installation ID above 0, or the account's login", id)
		}
		return v.Value
	}
	s, ok := p.str(v, path, "the account's login, such as acme")
	if ok {
		if msg := checkOwner("installation", s); msg != "" {
			p.errorf(v, path, "%s", msg)
		}
	}
	return s
}

// appRepositories reads the repositories a github-app source's token is
// narrowed to: names without owner, or with the installation's own.
func (p *parser) appRepositories(n *yaml.Node, path, installation string) []string {
	repos, _ := p.strList(n, path, "repository names", false, func(s string) string {
		owner, name, hasOwner := strings.Cut(s, "/")
		if !hasOwner {
			name = owner
		}
		if err := secrets.ValidateRepoName(name); err != nil {
			return fmt.Sprintf("repository %q: %v", s, err)
		}
		if hasOwner && !strings.EqualFold(owner, installation) {
			return fmt.Sprintf("repository %q: an installation token reaches only the installation's own repositories: write the name alone, such as %q", s, name)
		}
		return ""
	})
	for i, s := range repos {
		if _, name, ok := strings.Cut(s, "/"); ok {
			repos[i] = name
		}
	}
	return repos
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
