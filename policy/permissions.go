package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pat-action/pat-action/internal/suggest"
)

// permissions are the fine-grained permission names GitHub documents for
// fine-grained PATs and Apps (the app-permissions schema): repository,
// organization and account permissions.
var permissions = []string{
	"actions", "actions_variables", "administration", "attestations", "blocking", "checks",
	"codespaces", "codespaces_lifecycle_admin", "codespaces_metadata", "codespaces_secrets",
	"codespaces_user_secrets", "contents", "copilot_messages", "dependabot_secrets",
	"deployments", "discussions", "emails", "environments", "followers", "gists",
	"git_signing_ssh_public_keys", "gpg_keys", "interaction_limits", "issues", "keys",
	"members", "merge_queues", "metadata", "organization_actions_variables",
	"organization_administration", "organization_announcement_banners", "organization_api_insights",
	"organization_codespaces", "organization_codespaces_secrets", "organization_codespaces_settings",
	"organization_copilot_seat_management", "organization_custom_org_roles",
	"organization_custom_properties", "organization_custom_roles", "organization_dependabot_secrets",
	"organization_events", "organization_hooks", "organization_knowledge_bases",
	"organization_packages", "organization_personal_access_token_requests",
	"organization_personal_access_tokens", "organization_plan", "organization_pre_receive_hooks",
	"organization_projects", "organization_secrets", "organization_self_hosted_runners",
	"organization_user_blocking", "packages", "pages", "plan", "profile", "pull_requests",
	"repository_advisories", "repository_custom_properties", "repository_hooks",
	"repository_pre_receive_hooks", "repository_projects", "secret_scanning_alerts", "secrets",
	"security_events", "single_file", "starring", "statuses", "team_discussions", "user_events",
	"vulnerability_alerts", "watching", "workflows",
}

// Permission is a fine-grained permission at a level: read is any access,
// write is write or admin.
type Permission struct {
	Name  string `json:"name"`
	Level string `json:"level"`
}

func (p Permission) String() string { return p.Name + ":" + p.Level }

// levelRank orders permission levels.
var levelRank = map[string]int{"read": 1, "write": 2, "admin": 3}

// Grants reports whether a token holding level of p.Name has p: read is
// matched by any access, write by write or admin.
func (p Permission) Grants(level string) bool {
	return levelRank[level] >= levelRank[p.Level] && levelRank[level] > 0
}

// ParsePermissions parses the forbidden-permissions input: NAME:LEVEL
// entries (LEVEL read or write; a bare NAME is read, any access), separated
// by commas, newlines or spaces. An unknown name is an error that suggests
// the nearest known one.
func ParsePermissions(list string) ([]Permission, error) {
	var out []Permission
	for _, entry := range splitList(list) {
		name, level, ok := strings.Cut(entry, ":")
		if !ok {
			level = "read"
		}
		name, level = strings.ToLower(strings.TrimSpace(name)), strings.ToLower(strings.TrimSpace(level))
		if !slices.Contains(permissions, name) {
			if hint := suggest.Hint(name, permissions); hint != "" {
				return nil, fmt.Errorf("unknown permission %q%s", name, hint)
			}
			return nil, fmt.Errorf("unknown permission %q: see GitHub's fine-grained permissions, such as contents, administration, organization_secrets", name)
		}
		if level != "read" && level != "write" {
			return nil, fmt.Errorf("permission %q: level %q: want read (any access) or write", name, level)
		}
		out = append(out, Permission{Name: name, Level: level})
	}
	return out, nil
}
