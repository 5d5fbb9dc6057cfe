package secrets

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// operationsFile is where the shared operation list lives, relative to an
// ancestor of the package directory (the worktree's parent, /work).
const operationsFile = "shared/github-api/openapi_operations.yaml"

// ghesDescription marks an operation that GitHub Enterprise Server has.
const ghesDescription = "descriptions/ghes-"

// operation is one entry of openapi_operations.yaml.
type operation struct {
	Name  string   `yaml:"name"`
	Files []string `yaml:"openapi_files"`

	method string
	path   *regexp.Regexp // the path template, each {param} matching one segment
	params int
}

// findOperationsFile walks up from the working directory (the package
// directory under go test) to the first directory holding operationsFile.
// That covers both the module root and its parent, where shared/ sits beside
// the worktrees. PAT_ACTION_OPENAPI names the file directly instead.
func findOperationsFile(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("PAT_ACTION_OPENAPI"); p != "" {
		return p
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, operationsFile)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("%s not found in any parent of the package directory: set PAT_ACTION_OPENAPI to its path", operationsFile)
		}
		dir = parent
	}
}

// loadOperations returns the operations generated from GitHub's OpenAPI
// descriptions (the openapi_operations list; the hand-kept operations list
// holds ones the descriptions lack, which the product must not rely on).
func loadOperations(t *testing.T) []operation {
	t.Helper()
	b, err := os.ReadFile(findOperationsFile(t))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPIOperations []operation `yaml:"openapi_operations"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("parse operations: %v", err)
	}
	if len(doc.OpenAPIOperations) < 100 {
		t.Fatalf("only %d operations in the list: wrong file?", len(doc.OpenAPIOperations))
	}
	for i := range doc.OpenAPIOperations {
		op := &doc.OpenAPIOperations[i]
		method, tmpl, ok := strings.Cut(op.Name, " ")
		if !ok {
			t.Fatalf("operation %q: want METHOD /path", op.Name)
		}
		op.method = method
		op.path = regexp.MustCompile("^" + quotedParam.ReplaceAllString(regexp.QuoteMeta(tmpl), `[^/]+`) + "$")
		op.params = strings.Count(tmpl, "{")
	}
	return doc.OpenAPIOperations
}

// quotedParam is a {param} segment after regexp.QuoteMeta.
var quotedParam = regexp.MustCompile(`\\\{[^/}]+\\\}`)

// bestMatch returns the operation that GitHub would route method and path
// (relative, no leading slash) to: among the templates that match, the one
// with the fewest parameters, so that ".../secrets/public-key" is the
// public-key operation and not ".../secrets/{secret_name}".
func bestMatch(ops []operation, method, path string) (operation, bool) {
	var best operation
	found := false
	for _, op := range ops {
		if op.method != method || !op.path.MatchString("/"+path) {
			continue
		}
		if !found || op.params < best.params {
			best, found = op, true
		}
	}
	return best, found
}

func TestPathsAreGitHubOperations(t *testing.T) {
	ops := loadOperations(t)
	for _, kind := range []Kind{Actions, Dependabot, Codespaces} {
		for _, scope := range []Scope{RepoScope, EnvScope, OrgScope} {
			target := Target{Kind: kind, Scope: scope}
			switch scope {
			case RepoScope:
				target.Owner, target.Repo = "acme", "api"
			case EnvScope:
				target.Owner, target.Repo, target.Environment = "acme", "api", "prod/eu west"
			case OrgScope:
				target.Org, target.Visibility = "acme", VisibilityPrivate
			}
			t.Run(target.String(), func(t *testing.T) {
				if err := target.Validate(false); err != nil {
					// No such secrets: check the API agrees that the kind
					// has no operations at this level.
					if scope != EnvScope || kind == Actions {
						t.Fatalf("Validate rejects a target the API has: %v", err)
					}
					for _, op := range ops {
						if strings.Contains(op.Name, "/environments/{environment_name}/"+string(kind)) {
							t.Errorf("Validate rejects %s, but the API has %s", target, op.Name)
						}
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
					op, ok := bestMatch(ops, r.method, r.path)
					if !ok {
						t.Errorf("%s %s is not a GitHub operation", r.method, r.path)
						continue
					}
					if !strings.HasSuffix(op.Name, r.wantSuffix) {
						t.Errorf("%s %s routes to %s, want an operation ending %s", r.method, r.path, op.Name, r.wantSuffix)
					}
					if strings.HasPrefix(op.Name, r.method+" /repositories/") {
						t.Errorf("%s %s uses the deprecated repository-ID path %s", r.method, r.path, op.Name)
					}
					onGHES := slices.ContainsFunc(op.Files, func(f string) bool { return strings.HasPrefix(f, ghesDescription) })
					if allowed := target.Validate(true) == nil; allowed != onGHES {
						t.Errorf("%s: Validate(ghes) allows it = %v, but GHES has it = %v", op.Name, allowed, onGHES)
					}
				}
			})
		}
	}
}
