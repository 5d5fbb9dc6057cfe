package secrets_test

import (
	"strings"
	"testing"

	"github.com/pat-action/pat-action/emulator"
	"github.com/pat-action/pat-action/secrets"
)

func TestPathsAreGitHubOperations(t *testing.T) {
	ops := emulator.GitHubOperations()
	for _, kind := range []secrets.Kind{secrets.Actions, secrets.Dependabot, secrets.Codespaces} {
		for _, scope := range []secrets.Scope{secrets.RepoScope, secrets.EnvScope, secrets.OrgScope} {
			target := secrets.Target{Kind: kind, Scope: scope}
			switch scope {
			case secrets.RepoScope:
				target.Owner, target.Repo = "acme", "api"
			case secrets.EnvScope:
				target.Owner, target.Repo, target.Environment = "acme", "api", "prod/eu west"
			case secrets.OrgScope:
				target.Org, target.Visibility = "acme", secrets.VisibilityPrivate
			}
			t.Run(target.String(), func(t *testing.T) {
				if err := target.Validate(false); err != nil {
					// No such secrets: check the API agrees that the kind
					// has no operations at this level.
					if scope != secrets.EnvScope || kind == secrets.Actions {
						t.Fatalf("Validate rejects a target the API has: %v", err)
					}
					if op, ok := ops.Match("GET", "/repos/acme/api/environments/prod/"+string(kind)+"/secrets"); ok {
						t.Errorf("Validate rejects %s, but the API has %s", target, op.Name)
					}
					return
				}
				requests := []struct{ method, path, wantSuffix string }{
					{"GET", target.PublicKeyPath(), "/secrets/public-key"},
					{"GET", target.SecretsListPath(), "/secrets"},
					{"GET", target.SecretPath("RELEASE_PAT"), "/secrets/{secret_name}"},
					{"PUT", target.SecretPath("RELEASE_PAT"), "/secrets/{secret_name}"},
					{"DELETE", target.SecretPath("RELEASE_PAT"), "/secrets/{secret_name}"},
				}
				for _, r := range requests {
					op, ok := ops.Match(r.method, "/"+r.path)
					if !ok {
						t.Errorf("%s %s is not a GitHub operation", r.method, r.path)
						continue
					}
					if !strings.HasSuffix(op.Name, r.wantSuffix) {
						t.Errorf("%s %s routes to %s, want an operation ending %s", r.method, r.path, op.Name, r.wantSuffix)
					}
					if op.Deprecated || strings.HasPrefix(op.Name, r.method+" /repositories/") {
						t.Errorf("%s %s uses the deprecated repository-ID path %s", r.method, r.path, op.Name)
					}
					if allowed := target.Validate(true) == nil; allowed != op.GHES {
						t.Errorf("%s: Validate(ghes) allows it = %v, but GHES has it = %v", op.Name, allowed, op.GHES)
					}
				}
			})
		}
	}
}
