package app

import (
	"strings"
	"testing"
)

// TestBadNames checks that environment names that would walk or forge the
// request path (".", "..", control characters) and plan-level bad input
// (Codespaces on GHES, an oversized plan) exit 2 before any request, in
// the CLI, the action and plans.
func TestBadNames(t *testing.T) {
	store := func(extra ...string) []string {
		return append([]string{"store", "--secret-name", "PAT", "--repositories", "acme/api"}, extra...)
	}
	storeAction := func(env string) map[string]string {
		return map[string]string{"token": classicTok, "mode": "store", "secret-name": "PAT", "repositories": "acme/api", "environment": env}
	}
	envPlan := func(env string) map[string]string {
		return planFile(planOf("  - name: PAT\n    source: {type: random}\n    targets: [{repository: acme/api, environment: " + env + "}]\n"))
	}
	const ghes = "https://ghes.example.com/api/v3"
	codespacesPlan := planFile(planOf("  - name: PAT\n    source: {type: random}\n    targets: [{repository: acme/api, type: codespaces}]\n"))
	codespacesOrgPlan := planFile(planOf("  - name: PAT\n    source: {type: random}\n    targets: [{organization: acme, match: '^svc-', type: codespaces}]\n"))
	big := planOf(randomSecret("PAT", "acme/api")) + strings.Repeat("# padding\n", 1<<20/10+1)
	tests := []badInput{
		{name: "store: environment ..", args: store("--environment", ".."),
			want: []string{`environment name ".."`, "not allowed"}},
		{name: "store: environment .", args: store("--environment", "."),
			want: []string{`environment name "."`, "not allowed"}},
		{name: "store: environment that walks up", args: store("--environment", "../../../orgs/acme/actions"),
			want: []string{`environment name "../../../orgs/acme/actions"`, `".." is not allowed`}},
		{name: "store: environment with a newline", args: store("--environment", "prod\nuction"),
			want: []string{`environment name "prod\nuction"`, "control character"}},
		{name: "store: environment with a tab", args: store("--environment", "prod\tuction"),
			want: []string{`environment name "prod\tuction"`, "control character"}},
		{name: "store: environment too long", args: store("--environment", strings.Repeat("e", 256)),
			want: []string{"environment name is 256 characters long, the most is 255"}},
		{name: "action: environment ..", inputs: storeAction(".."),
			want: []string{`environment name ".."`, "not allowed"}},
		{name: "action: environment with a carriage return", inputs: storeAction("pro\rd"),
			want: []string{`environment name "pro\rd"`, "control character"}},
		{name: "plan: environment ..", args: rotateArgs(), files: envPlan(`".."`),
			want: []string{"plan.yml:5", "environment", `environment name ".."`}},
		{name: "plan: environment with a newline", args: rotateArgs(), files: envPlan(`"a\nb"`),
			want: []string{"plan.yml:5", "environment", "control character"}},
		{name: "audit: plan with environment ..", args: []string{"audit", "--config", "$DIR/plan.yml"}, files: envPlan(`"prod/.."`),
			want: []string{"plan.yml:5", `".." is not allowed`}},
		{name: "action: plan with environment .", inputs: map[string]string{"token": classicTok, "mode": "rotate", "config": "$DIR/plan.yml"}, files: envPlan(`.`),
			want: []string{"plan.yml:5", `environment name "."`}},
		{name: "plan: codespaces target on GHES", noAPIURL: true, args: rotateArgs("--api-url", ghes), files: codespacesPlan,
			want: []string{"plan.yml:5", "type", "codespaces secrets do not exist on GitHub Enterprise Server"}},
		{name: "plan: codespaces match target on GHES", noAPIURL: true, args: rotateArgs("--api-url", ghes), files: codespacesOrgPlan,
			want: []string{"plan.yml:5", "type", "codespaces secrets do not exist on GitHub Enterprise Server"}},
		{name: "audit: codespaces plan on GHES", noAPIURL: true, args: []string{"audit", "--config", "$DIR/plan.yml", "--api-url", ghes}, files: codespacesPlan,
			want: []string{"plan.yml:5", "codespaces secrets do not exist on GitHub Enterprise Server"}},
		{name: "action: codespaces plan on GHES", noAPIURL: true,
			inputs: map[string]string{"token": classicTok, "mode": "rotate", "config": "$DIR/plan.yml", "api-url": ghes}, files: codespacesPlan,
			want: []string{"plan.yml:5", "codespaces secrets do not exist on GitHub Enterprise Server"}},
		{name: "plan: larger than 1 MB", args: rotateArgs(), files: planFile(big),
			want: []string{"plan.yml: the plan is larger than 1048576 bytes"}},
		{name: "plan: a directory", args: []string{"rotate", "--config", "$DIR"},
			want: []string{"config ", "is a directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkBadInput(t, tt)
		})
	}
}
