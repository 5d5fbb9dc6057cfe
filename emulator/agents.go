package emulator

// agentsFamilies are the Copilot agents secrets of repositories and
// organizations (REST "Agents secrets"): the same operations and rules as
// Actions secrets, organization secrets with visibility and selected
// repositories. GitHub Enterprise Server does not have them.
//
// GitHub's reference does not say which fine-grained permission they take;
// the emulator asks for the Actions secrets' ones, as the classic scopes
// are the same (repo, admin:org).
func agentsFamilies() []family {
	return []family{
		{agentsKind, repoLevel, "/repos/{owner}/{repo}/agents/secrets", []string{"repo"}, "secrets", "read", 100},
		{agentsKind, orgLevel, "/orgs/{org}/agents/secrets", []string{"admin:org"}, "organization_secrets", "read", 1000},
	}
}
