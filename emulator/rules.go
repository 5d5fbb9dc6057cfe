package emulator

import (
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/nacl/box"
)

// The emulator keeps its own copy of GitHub's rules, written from GitHub's
// documentation, never the product's: an oracle that shares the product's
// rules cannot catch a bug in them.

// maxValueSize is the largest secret or variable value GitHub accepts: 48 KB.
const maxValueSize = 48 * 1024

// The visibilities of an organization secret or variable.
const (
	visibilityAll      = "all"
	visibilityPrivate  = "private"
	visibilitySelected = "selected"
)

func validVisibility(v string) bool {
	return v == visibilityAll || v == visibilityPrivate || v == visibilitySelected
}

// nameProblem says what is wrong with a secret or variable name by GitHub's
// rules ("" when nothing is): only letters, digits and underscores, not
// starting with a digit nor, in any case, with GITHUB_.
func nameProblem(name string) string {
	if name == "" {
		return "name is empty"
	}
	for _, c := range name {
		if c != '_' && (c < '0' || c > '9') && (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') {
			return fmt.Sprintf("name %q may contain only alphanumeric characters and underscores", name)
		}
	}
	if name[0] >= '0' && name[0] <= '9' {
		return fmt.Sprintf("name %q must not start with a number", name)
	}
	if strings.HasPrefix(strings.ToUpper(name), "GITHUB_") {
		return fmt.Sprintf("name %q must not start with the GITHUB_ prefix", name)
	}
	return ""
}

// scopeIncludes returns the scopes a classic scope includes, as GitHub's
// "Scopes for OAuth apps" documents the hierarchy. It is a function, not a
// map, so that nothing can change it.
func scopeIncludes(scope string) []string {
	switch scope {
	case "repo":
		return []string{"repo:status", "repo_deployment", "public_repo", "repo:invite", "security_events"}
	case "admin:repo_hook":
		return []string{"write:repo_hook", "read:repo_hook"}
	case "write:repo_hook":
		return []string{"read:repo_hook"}
	case "admin:org":
		return []string{"write:org", "read:org", "manage_runners:org"}
	case "write:org":
		return []string{"read:org"}
	case "admin:public_key":
		return []string{"write:public_key", "read:public_key"}
	case "write:public_key":
		return []string{"read:public_key"}
	case "admin:gpg_key":
		return []string{"write:gpg_key", "read:gpg_key"}
	case "write:gpg_key":
		return []string{"read:gpg_key"}
	case "admin:ssh_signing_key":
		return []string{"write:ssh_signing_key", "read:ssh_signing_key"}
	case "write:ssh_signing_key":
		return []string{"read:ssh_signing_key"}
	case "user":
		return []string{"read:user", "user:email", "user:follow"}
	case "project":
		return []string{"read:project"}
	case "write:packages":
		return []string{"read:packages"}
	case "codespace":
		return []string{"codespace:secrets"}
	case "admin:enterprise":
		return []string{"manage_runners:enterprise", "manage_billing:enterprise", "read:enterprise"}
	case "audit_log":
		return []string{"read:audit_log"}
	case "copilot":
		return []string{"manage_billing:copilot"}
	}
	return nil
}

// grantedScopes is the set of scopes a token's scopes grant: each one and
// everything it includes.
func grantedScopes(scopes []string) map[string]bool {
	have := map[string]bool{}
	var add func(string)
	add = func(sc string) {
		if have[sc] {
			return
		}
		have[sc] = true
		for _, c := range scopeIncludes(sc) {
			add(c)
		}
	}
	for _, sc := range scopes {
		add(sc)
	}
	return have
}

// kind is which GitHub feature reads a secret or variable.
type kind string

const (
	actionsKind    kind = "actions"
	dependabotKind kind = "dependabot"
	codespacesKind kind = "codespaces"
	agentsKind     kind = "agents"
)

// level is where a secret or variable lives.
type level string

const (
	repoLevel level = "repo"
	envLevel  level = "env"
	orgLevel  level = "org"
)

// containerName names the secrets (or variables) of one kind at one place:
// "repo:acme/api", "env:acme/api/production", "org:acme", prefixed with
// the kind ("dependabot:org:acme") for any kind but Actions. Tests name
// containers this way in SecretValue and its kin.
func containerName(k kind, l level, owner, repo, env, org string) string {
	var n string
	switch l {
	case repoLevel:
		n = "repo:" + owner + "/" + repo
	case envLevel:
		n = "env:" + owner + "/" + repo + "/" + env
	default:
		n = "org:" + org
	}
	if k != actionsKind {
		n = string(k) + ":" + n
	}
	return n
}

// openSealed opens a libsodium sealed box sent base64-encoded, as GitHub
// does with encrypted_value.
func openSealed(encrypted string, pub, priv *[32]byte) ([]byte, bool) {
	sealed, err := base64.StdEncoding.DecodeString(encrypted)
	if err != nil || len(sealed) < box.AnonymousOverhead {
		return nil, false
	}
	return box.OpenAnonymous(nil, sealed, pub, priv)
}
