package rotate

import (
	"fmt"
	"slices"
)

// TODO: use policy.CheckScopes once package policy lands on main.

// knownScopes are GitHub's classic OAuth scopes.
var knownScopes = []string{
	"repo", "repo:status", "repo_deployment", "public_repo", "repo:invite", "security_events",
	"admin:repo_hook", "write:repo_hook", "read:repo_hook",
	"admin:org", "write:org", "read:org", "manage_runners:org",
	"admin:public_key", "write:public_key", "read:public_key",
	"admin:gpg_key", "write:gpg_key", "read:gpg_key",
	"admin:ssh_signing_key", "write:ssh_signing_key", "read:ssh_signing_key",
	"user", "read:user", "user:email", "user:follow",
	"project", "read:project",
	"write:packages", "read:packages", "delete:packages",
	"codespace", "codespace:secrets",
	"admin:enterprise", "manage_runners:enterprise", "manage_billing:enterprise", "read:enterprise",
	"audit_log", "read:audit_log",
	"copilot", "manage_billing:copilot",
	"admin:org_hook", "gist", "notifications", "delete_repo", "workflow", "site_admin",
}

// checkScopes returns a problem naming the first unknown scope, or "".
func checkScopes(scopes []string) string {
	for _, s := range scopes {
		if !slices.Contains(knownScopes, s) {
			msg := fmt.Sprintf("unknown scope %q", s)
			if sg := suggest(s, knownScopes); sg != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", sg)
			}
			return msg
		}
	}
	return ""
}
