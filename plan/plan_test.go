package plan

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pat-action/pat-action/policy"
	"github.com/pat-action/pat-action/secrets"
	"github.com/pat-action/pat-action/token"
)

const day = 24 * time.Hour

func ptr[T any](v T) *T { return &v }

// TestParsePlanFull parses the rotation spec's own example.
func TestParsePlanFull(t *testing.T) {
	data, err := os.ReadFile("../examples/plans/full.yml")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := Parse("../examples/plans/full.yml", data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defaultPolicy := PolicySpec{MinDaysLeft: ptr(14), RequireExpiration: ptr(true)}
	want := &Plan{
		File:     "../examples/plans/full.yml",
		Version:  1,
		Defaults: Defaults{Policy: defaultPolicy, MaxAge: 90 * day, MaxAgeText: "90d"},
		Secrets: []Secret{
			{
				Name:   "RELEASE_PAT",
				Source: Source{Type: SourceToken, Env: "NEW_RELEASE_PAT"},
				Policy: PolicySpec{RequiredScopes: []string{"repo", "workflow"}, MinDaysLeft: ptr(14), RequireExpiration: ptr(true)},
				MaxAge: 90 * day, MaxAgeText: "90d",
				Targets: []TargetSpec{
					{Repository: "acme/api", Type: secrets.Actions, Line: 12},
					{Repository: "acme/web", Environment: "production", Type: secrets.Actions, Line: 13},
					{Repository: "acme/api", Type: secrets.Dependabot, Line: 15},
					{Organization: "acme", Visibility: "selected", Repositories: []string{"acme/api", "acme/web"}, Type: secrets.Actions, Line: 17},
					{Organization: "acme", Match: "^svc-", Topic: "deploy", Exclude: []string{"acme/svc-legacy"}, Type: secrets.Actions, Line: 20},
				},
				Line: 8,
			},
			{
				Name: "BOT_TOKEN",
				Source: Source{Type: SourceGitHubApp, AppID: 12345, PrivateKeyEnv: "APP_PRIVATE_KEY", Installation: "acme",
					Permissions: map[string]string{"contents": "write", "pull_requests": "write"}, Repositories: []string{"api", "web"}},
				Targets: []TargetSpec{{Repository: "acme/api", Type: secrets.Actions, Line: 32}},
				Line:    24,
			},
			{
				Name:   "INFRA_DEPLOY_KEY",
				Source: Source{Type: SourceDeployKey, Repository: "acme/infra", ReadOnly: true},
				MaxAge: 90 * day, MaxAgeText: "90d",
				Targets: []TargetSpec{{Repository: "acme/api", Type: secrets.Actions, Line: 38}},
				Line:    33,
			},
			{
				Name:   "WEBHOOK_SECRET",
				Source: Source{Type: SourceRandom, Bytes: 32, Encoding: EncodingHex},
				MaxAge: 30 * day, MaxAgeText: "30d",
				Targets: []TargetSpec{{Organization: "acme", Visibility: "private", Type: secrets.Actions, Line: 42}},
				Line:    39,
			},
		},
	}
	if diff := cmp.Diff(want, plan, cmpopts.IgnoreUnexported(TargetSpec{})); diff != "" {
		t.Errorf("LoadPlan (-want +got):\n%s", diff)
	}
	if spec := plan.Secrets[0].Targets[4]; spec.re == nil || !spec.re.MatchString("svc-a") {
		t.Errorf("match %q was not compiled", spec.Match)
	}
}

// TestParsePlanDefaults checks that defaults merge into each secret field
// by field, that a secret's own values win, and which sources take what.
func TestParsePlanDefaults(t *testing.T) {
	plan, err := Parse("p.yml", []byte(`version: 1
defaults:
  policy:
    required-scopes: repo, workflow
    forbidden-scopes: [delete_repo]
    min-days-left: 14
  max-age: 2w
  open-issue: true
secrets:
  - name: A
    source: {type: token, env: A}
    policy: {required-scopes: [read:packages], require-expiration: false}
    targets: [{repository: acme/a}]
  - name: B
    source: {type: token, env: B}
    max-age: 1d12h
    open-issue: false
    targets: [{repository: acme/b}]
  - name: C
    source: {type: random}
    targets: [{repository: acme/c}]
  - name: D
    source: {type: github-app, app-id: 1, private-key-file: key.pem, installation: 42}
    targets: [{repository: acme/d}]
`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	type view struct {
		Policy    PolicySpec
		MaxAge    time.Duration
		OpenIssue bool
		Source    Source
	}
	var got []view
	for _, s := range plan.Secrets {
		got = append(got, view{s.Policy, s.MaxAge, s.OpenIssue, s.Source})
	}
	want := []view{
		{
			Policy: PolicySpec{RequiredScopes: []string{"read:packages"}, ForbiddenScopes: []string{"delete_repo"},
				MinDaysLeft: ptr(14), RequireExpiration: ptr(false)},
			MaxAge: 14 * day, OpenIssue: true,
			Source: Source{Type: SourceToken, Env: "A"},
		},
		{
			Policy: PolicySpec{RequiredScopes: []string{"repo", "workflow"}, ForbiddenScopes: []string{"delete_repo"}, MinDaysLeft: ptr(14)},
			MaxAge: 36 * time.Hour, OpenIssue: false,
			Source: Source{Type: SourceToken, Env: "B"},
		},
		{MaxAge: 14 * day, Source: Source{Type: SourceRandom, Bytes: 32, Encoding: EncodingHex}},
		{Source: Source{Type: SourceGitHubApp, AppID: 1, PrivateKeyFile: "key.pem", Installation: "42"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("merged secrets (-want +got):\n%s", diff)
	}
	if plan.Secrets[0].Policy.MinDaysLeft == plan.Secrets[1].Policy.MinDaysLeft {
		t.Error("two secrets share one MinDaysLeft pointer")
	}
}

func TestPolicySpecPolicy(t *testing.T) {
	tests := []struct {
		name string
		spec PolicySpec
		want policy.Policy
	}{
		{"empty gets the check's defaults", PolicySpec{}, policy.Policy{MinDaysLeft: DefaultMinDaysLeft}},
		{
			"every field",
			PolicySpec{RequiredScopes: []string{"repo"}, AllowedScopes: []string{}, ForbiddenScopes: []string{"delete_repo"},
				MinDaysLeft: ptr(0), RequireExpiration: ptr(true), AllowedTokenTypes: []token.Type{token.Classic},
				Repositories: []string{"acme/api"}},
			policy.Policy{RequiredScopes: []string{"repo"}, AllowedScopes: []string{}, ForbiddenScopes: []string{"delete_repo"},
				MinDaysLeft: 0, RequireExpiration: true, AllowedTokenTypes: []token.Type{token.Classic}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.spec.Policy()); diff != "" {
				t.Errorf("Policy (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParsePlanOpenIssueInSource(t *testing.T) {
	plan, err := Parse("p.yml", []byte(`version: 1
secrets:
  - name: A
    source: {type: token, env: A, open-issue: true}
    targets: [{repository: acme/a}]
`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Secrets[0].OpenIssue {
		t.Error("open-issue: true in the token source did not set Secret.OpenIssue")
	}
}

// TestParsePlanTokenFrom checks where a token source's token comes from:
// an environment variable, or the run's own token with input: token.
func TestParsePlanTokenFrom(t *testing.T) {
	tests := []struct {
		name, source string
		want         Source
	}{
		{"env", "{type: token, env: NEW_PAT}", Source{Type: SourceToken, Env: "NEW_PAT"}},
		{"the run's token", "{type: token, input: token}", Source{Type: SourceToken, Input: InputToken}},
		{"the run's token, block style", "\n      type: token\n      input: token\n      open-issue: true", Source{Type: SourceToken, Input: InputToken}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := Parse("p.yml", []byte(head+"  - name: A\n    source: "+tt.source+"\n    targets: [{repository: acme/a}]\n"), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, plan.Secrets[0].Source); diff != "" {
				t.Errorf("source (-want +got):\n%s", diff)
			}
		})
	}
}

// head is the start of every bad plan below, so that line numbers in the
// cases are easy to count: the first secret's keys start on line 3.
const head = "version: 1\nsecrets:\n"

func TestParsePlanErrors(t *testing.T) {
	tests := []struct {
		name string
		plan string
		// prefix is the error's exact start: file:line:col and key path.
		prefix string
		// want is a part of the message saying what would be right.
		want string
	}{
		{
			name:   "unknown top-level key",
			plan:   "version: 1\nsecret:\n  - name: A\n",
			prefix: "p.yml:2:1: secret: ", want: `unknown key "secret" in the plan (did you mean "secrets"?)`,
		},
		{
			name:   "unknown target key with did-you-mean",
			plan:   head + "  - name: A\n    source: {type: token, env: A}\n    targets:\n      - repo: acme/api\n",
			prefix: "p.yml:6:9: secrets[0].targets[0].repo: ", want: `unknown key "repo" in a target (did you mean "repository"?)`,
		},
		{
			name:   "misspelled policy key",
			plan:   head + "  - name: A\n    source: {type: token, env: A}\n    policy: {min_days_left: 3}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:5:14: secrets[0].policy.min_days_left: ", want: `(did you mean "min-days-left"?)`,
		},
		{
			name:   "key of another source type",
			plan:   head + "  - name: A\n    source: {type: token, env: A, bytes: 3}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:4:35: secrets[0].source.bytes: ", want: `does not apply to type token (it is for random sources; a token source takes type, env, input, open-issue)`,
		},
		{
			name:   "wrong type for bytes",
			plan:   head + "  - name: A\n    source:\n      type: random\n      bytes: many\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:6:14: secrets[0].source.bytes: ", want: `want a number of random bytes from 1 to 4096, got "many"`,
		},
		{
			name:   "bytes out of range",
			plan:   head + "  - name: A\n    source: {type: random, bytes: 5000}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:4:35: secrets[0].source.bytes: ", want: `5000 is out of range: want 1 to 4096 random bytes`,
		},
		{
			name:   "bad encoding",
			plan:   head + "  - name: A\n    source: {type: random, encoding: base32}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:4:38: secrets[0].source.encoding: ", want: `unknown encoding "base32" (did you mean "base64"?): want one of hex, base64, base64url`,
		},
		{
			name:   "bad duration",
			plan:   head + "  - name: A\n    source: {type: random}\n    max-age: 0d\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:5:14: secrets[0].max-age: ", want: `duration "0d" is zero`,
		},
		{
			name:   "unitless duration",
			plan:   "version: 1\ndefaults:\n  max-age: 90\nsecrets:\n  - name: A\n    source: {type: random}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:3:12: defaults.max-age: ", want: `the number 90 has no unit: write "90d" for days`,
		},
		{
			name: "duplicate secret name, other case",
			plan: head + "  - name: A_PAT\n    source: {type: random}\n    targets: [{repository: acme/a}]\n" +
				"  - name: a_pat\n    source: {type: random}\n    targets: [{repository: acme/b}]\n",
			prefix: "p.yml:6:5: secrets[1].name: ", want: `secret "a_pat" is already defined on line 3 as "A_PAT": secret names are case-insensitive`,
		},
		{
			name:   "missing name",
			plan:   head + "  - source: {type: random}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:3:5: secrets[0].name: ", want: `missing: give the secret's name`,
		},
		{
			name:   "missing source",
			plan:   head + "  - name: A\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:3:5: secrets[0].source: ", want: `missing: say where the value comes from`,
		},
		{
			name:   "missing targets",
			plan:   head + "  - name: A\n    source: {type: random}\n",
			prefix: "p.yml:3:5: secrets[0].targets: ", want: `missing: list where the secret is written`,
		},
		{
			name:   "empty targets",
			plan:   head + "  - name: A\n    source: {type: random}\n    targets: []\n",
			prefix: "p.yml:5:14: secrets[0].targets: ", want: `empty list: want at least one target`,
		},
		{
			name:   "secret name with GITHUB_ prefix",
			plan:   head + "  - name: github_token\n    source: {type: random}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:3:11: secrets[0].name: ", want: `must not start with GITHUB_`,
		},
		{
			name:   "secret name starting with a digit",
			plan:   head + "  - name: 1PAT\n    source: {type: random}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:3:11: secrets[0].name: ", want: `secret name "1PAT": must not start with a digit`,
		},
		{
			name:   "secret name with a hyphen",
			plan:   head + "  - name: MY-PAT\n    source: {type: random}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:3:11: secrets[0].name: ", want: `character '-' at position 3 is not allowed`,
		},
		{
			name:   "unknown source type",
			plan:   head + "  - name: A\n    source: {type: tokn, env: A}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:4:20: secrets[0].source.type: ", want: `unknown source type "tokn" (did you mean "token"?): want one of token, github-app, deploy-key, random`,
		},
		{
			name:   "token with neither env nor input",
			plan:   head + "  - name: A\n    source: {type: token}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:4:13: secrets[0].source.env: ", want: `missing: say where the token comes from: env: NEW_RELEASE_PAT names an environment variable, input: token takes the token the run was given`,
		},
		{
			name:   "token with both env and input",
			plan:   head + "  - name: A\n    source:\n      type: token\n      env: NEW_PAT\n      input: token\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:7:7: secrets[0].source.input: ", want: `env is also given (line 6): give one place for the token`,
		},
		{
			name:   "token input other than token",
			plan:   head + "  - name: A\n    source: {type: token, input: admin-token}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:4:34: secrets[0].source.input: ", want: `"admin-token": a token source takes only the run's own token, input: token`,
		},
		{
			name:   "token input in capitals",
			plan:   head + "  - name: A\n    source: {type: token, input: TOKEN}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:4:34: secrets[0].source.input: ", want: `"TOKEN": write input: token`,
		},
		{
			name:   "token input not a string",
			plan:   head + "  - name: A\n    source: {type: token, input: true}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:4:34: secrets[0].source.input: ", want: `want input: token, got true`,
		},
		{
			name:   "misspelled input is not also missing",
			plan:   head + "  - name: A\n    source: {type: token, inputs: token}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:4:27: secrets[0].source.inputs: ", want: `unknown key "inputs" in a token source (did you mean "input"?)`,
		},
		{
			name:   "input on a random source",
			plan:   head + "  - name: A\n    source: {type: random, input: token}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:4:28: secrets[0].source.input: ", want: `does not apply to type random (it is for token sources`,
		},
		{
			name:   "github-app input: app with an app-id",
			plan:   head + "  - name: A\n    source: {type: github-app, input: app, app-id: 1, installation: acme}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:4:44: secrets[0].source.app-id: ", want: `input: app is also given (line 4): it takes the run's App and private key; remove app-id`,
		},
		{
			name:   "github-app input: app with a private key",
			plan:   head + "  - name: A\n    source:\n      type: github-app\n      input: app\n      private-key-env: K\n      installation: acme\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:7:7: secrets[0].source.private-key-env: ", want: `input: app is also given (line 6): it takes the run's App and private key; remove private-key-env`,
		},
		{
			name:   "github-app input: token",
			plan:   head + "  - name: A\n    source: {type: github-app, input: token, installation: acme}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:4:39: secrets[0].source.input: ", want: `"token": a github-app source takes only the run's App, input: app (the action's app-id or client-id and private-key inputs`,
		},
		{
			name:   "github-app input: App",
			plan:   head + "  - name: A\n    source: {type: github-app, input: App, installation: acme}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:4:39: secrets[0].source.input: ", want: `"App": write input: app`,
		},
		{
			name:   "github-app naming no app says input: app",
			plan:   head + "  - name: A\n    source: {type: github-app, private-key-env: K, installation: acme}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:4:13: secrets[0].source.app-id: ", want: `or input: app for the App the run was given`,
		},
		{
			name:   "github-app with app-id 0",
			plan:   head + "  - name: A\n    source: {type: github-app, app-id: 0, private-key-env: K, installation: acme}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:4:40: secrets[0].source.app-id: ", want: `0: want the app's ID, a number above 0`,
		},
		{
			name:   "github-app without a private key",
			plan:   head + "  - name: A\n    source: {type: github-app, app-id: 1, installation: acme}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:4:13: secrets[0].source.private-key-env: ", want: `private-key-env: APP_PRIVATE_KEY or private-key-file`,
		},
		{
			name:   "github-app without installation",
			plan:   head + "  - name: A\n    source: {type: github-app, app-id: 1, private-key-env: K}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:4:13: secrets[0].source.installation: ", want: `missing: name the account the app is installed on`,
		},
		{
			name:   "github-app permission level",
			plan:   head + "  - name: A\n    source: {type: github-app, app-id: 1, private-key-env: K, installation: acme, permissions: {contents: all}}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:4:107: secrets[0].source.permissions.contents: ", want: `unknown permission level "all": want one of read, write, admin`,
		},
		{
			name:   "github-app permission name with hyphen",
			plan:   head + "  - name: A\n    source: {type: github-app, app-id: 1, private-key-env: K, installation: acme, permissions: {pull-requests: read}}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:4:97: secrets[0].source.permissions.pull-requests: ", want: `lower case with underscores: "pull_requests"`,
		},
		{
			name:   "deploy-key repository not owner/repo",
			plan:   head + "  - name: A\n    source: {type: deploy-key, repository: infra}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:4:44: secrets[0].source.repository: ", want: `repository "infra": want owner/repo`,
		},
		{
			name:   "target with repository and organization",
			plan:   head + "  - name: A\n    source: {type: random}\n    targets:\n      - repository: acme/a\n        organization: acme\n",
			prefix: "p.yml:7:9: secrets[0].targets[0]: ", want: `a target has repository or organization, not both`,
		},
		{
			name:   "target with neither",
			plan:   head + "  - name: A\n    source: {type: random}\n    targets:\n      - environment: prod\n",
			prefix: "p.yml:6:9: secrets[0].targets[0]: ", want: `a target needs repository (owner/repo, optionally with environment) or organization`,
		},
		{
			name:   "environment with organization",
			plan:   head + "  - name: A\n    source: {type: random}\n    targets:\n      - organization: acme\n        environment: prod\n",
			prefix: "p.yml:7:9: secrets[0].targets[0].environment: ", want: `environment applies only to a repository target`,
		},
		{
			name:   "bad visibility",
			plan:   head + "  - name: A\n    source: {type: random}\n    targets:\n      - organization: acme\n        visibility: public\n",
			prefix: "p.yml:7:21: secrets[0].targets[0].visibility: ", want: `unknown visibility "public": want one of all, private, selected`,
		},
		{
			name:   "selected without repositories",
			plan:   head + "  - name: A\n    source: {type: random}\n    targets:\n      - organization: acme\n        visibility: selected\n",
			prefix: "p.yml:7:9: secrets[0].targets[0].visibility: ", want: `visibility selected needs repositories: list them, such as repositories: [acme/api]`,
		},
		{
			name:   "repositories with visibility all",
			plan:   head + "  - name: A\n    source: {type: random}\n    targets:\n      - organization: acme\n        visibility: all\n        repositories: [acme/a]\n",
			prefix: "p.yml:8:9: secrets[0].targets[0].repositories: ", want: `repositories applies only with visibility: selected (visibility is all)`,
		},
		{
			name:   "invalid match",
			plan:   head + "  - name: A\n    source: {type: random}\n    targets:\n      - organization: acme\n        match: \"^svc-(\"\n",
			prefix: "p.yml:7:16: secrets[0].targets[0].match: ", want: `"^svc-(" is not a valid Go regular expression: missing closing ): "^svc-("`,
		},
		{
			name:   "exclude not owner/repo",
			plan:   head + "  - name: A\n    source: {type: random}\n    targets:\n      - organization: acme\n        match: x\n        exclude: [svc-legacy]\n",
			prefix: "p.yml:8:19: secrets[0].targets[0].exclude[0]: ", want: `repository "svc-legacy": want owner/repo`,
		},
		{
			name:   "exclude in another organization",
			plan:   head + "  - name: A\n    source: {type: random}\n    targets:\n      - organization: acme\n        match: x\n        exclude: [beta/x]\n",
			prefix: "p.yml:8:19: secrets[0].targets[0].exclude[0]: ", want: `not in organization acme`,
		},
		{
			name:   "bad secret type",
			plan:   head + "  - name: A\n    source: {type: random}\n    targets:\n      - repository: acme/a\n        type: dependabots\n",
			prefix: "p.yml:7:15: secrets[0].targets[0].type: ", want: `unknown secret type "dependabots" (did you mean "dependabot"?): want one of actions, dependabot, codespaces`,
		},
		{
			name:   "dependabot environment",
			plan:   head + "  - name: A\n    source: {type: random}\n    targets:\n      - repository: acme/a\n        environment: prod\n        type: dependabot\n",
			prefix: "p.yml:7:9: secrets[0].targets[0].environment: ", want: `dependabot secrets have no environments`,
		},
		{
			name:   "version 2",
			plan:   "version: 2\nsecrets: [{name: A, source: {type: random}, targets: [{repository: acme/a}]}]\n",
			prefix: "p.yml:1:10: version: ", want: `unsupported version 2: this pat-action reads version 1`,
		},
		{
			name:   "missing version",
			plan:   "secrets:\n  - name: A\n    source: {type: random}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:1:1: version: ", want: `missing: add "version: 1" at the top of the plan`,
		},
		{
			name:   "negative min-days-left",
			plan:   head + "  - name: A\n    source: {type: token, env: A}\n    policy: {min-days-left: -1}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:5:29: secrets[0].policy.min-days-left: ", want: `-1 is out of range: want a number of days from 0 to 3650`,
		},
		{
			name:   "unknown scope",
			plan:   head + "  - name: A\n    source: {type: token, env: A}\n    policy: {required-scopes: [repos]}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:5:32: secrets[0].policy.required-scopes[0]: ", want: `unknown scope "repos" (did you mean "repo"?)`,
		},
		{
			name:   "scope in the wrong case, in a comma string",
			plan:   head + "  - name: A\n    source: {type: token, env: A}\n    policy: {forbidden-scopes: \"delete_repo, Admin:Org\"}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:5:32: secrets[0].policy.forbidden-scopes: ", want: `unknown scope "Admin:Org" (did you mean "admin:org"?)`,
		},
		{
			name:   "required scope outside the defaults' allowed scopes",
			plan:   "version: 1\ndefaults: {policy: {allowed-scopes: [repo]}}\nsecrets:\n  - name: A\n    source: {type: token, env: A}\n    policy: {required-scopes: [repo, workflow]}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:6:5: secrets[0].policy: ", want: `required-scopes: "workflow" is not within allowed-scopes`,
		},
		{
			name:   "unknown token type",
			plan:   head + "  - name: A\n    source: {type: token, env: A}\n    policy: {allowed-token-types: \"classic, finegrained\"}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:5:35: secrets[0].policy.allowed-token-types: ", want: `unknown token type "finegrained" (did you mean "fine-grained"?)`,
		},
		{
			name:   "policy on a random source",
			plan:   head + "  - name: A\n    source: {type: random}\n    policy: {min-days-left: 3}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:5:5: secrets[0].policy: ", want: `a random source makes its own value, so a token policy does not apply: remove policy`,
		},
		{
			name:   "open-issue on a deploy-key source",
			plan:   head + "  - name: A\n    source: {type: deploy-key, repository: acme/infra}\n    open-issue: true\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:5:5: secrets[0].open-issue: ", want: `only a token source opens an issue`,
		},
		{
			name:   "prune without a match target",
			plan:   head + "  - name: A\n    source: {type: random}\n    prune: true\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:5:5: secrets[0].prune: ", want: `add such a target or remove prune`,
		},
		{
			name:   "duplicate target",
			plan:   head + "  - name: A\n    source: {type: random}\n    targets:\n      - repository: acme/a\n      - repository: ACME/a\n",
			prefix: "p.yml:7:9: secrets[0].targets[1]: ", want: `target repo:ACME/a is already listed on line 6`,
		},
		{
			name:   "duplicate key",
			plan:   head + "  - name: A\n    name: B\n    source: {type: random}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:4:5: secrets[0].name: ", want: `key "name" appears twice in a secret (lines 3 and 4): keep one`,
		},
		{
			name:   "yes is not a boolean",
			plan:   head + "  - name: A\n    source: {type: deploy-key, repository: acme/i, read-only: yes}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:4:63: secrets[0].source.read-only: ", want: `want true or false, got "yes"`,
		},
		{
			name:   "targets not a list",
			plan:   head + "  - name: A\n    source: {type: random}\n    targets: {repository: acme/a}\n",
			prefix: "p.yml:5:14: secrets[0].targets: ", want: `want a list of targets, such as [{repository: acme/api}], got a mapping`,
		},
		{
			name:   "uppercase topic",
			plan:   head + "  - name: A\n    source: {type: random}\n    targets: [{organization: acme, topic: Deploy}]\n",
			prefix: "p.yml:5:43: secrets[0].targets[0].topic: ", want: `write "deploy"`,
		},
		{
			name:   "match with visibility",
			plan:   head + "  - name: A\n    source: {type: random}\n    targets: [{organization: acme, match: x, visibility: all}]\n",
			prefix: "p.yml:5:46: secrets[0].targets[0].visibility: ", want: `remove visibility, or remove match and topic`,
		},
		{
			name:   "merge key",
			plan:   head + "  - <<: {name: A}\n    source: {type: random}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:3:5: secrets[0]: ", want: `merge keys (<<) are not supported`,
		},
		{
			name:   "invalid YAML",
			plan:   head + "  - name: A\n   source: {type: random}\n",
			prefix: "p.yml:2: ", want: `invalid YAML: did not find expected '-' indicator`,
		},
		{
			name:   "two documents",
			plan:   head + "  - name: A\n---\nversion: 1\n",
			prefix: "p.yml:4:1: ", want: `a second YAML document (after ---): a plan is one document`,
		},
		{
			name:   "environment dot dot",
			plan:   head + "  - name: A\n    source: {type: random}\n    targets: [{repository: acme/api, environment: \"..\"}]\n",
			prefix: "p.yml:5:51: secrets[0].targets[0].environment: ", want: `environment name "..": ".." is not allowed`,
		},
		{
			name:   "environment dot",
			plan:   head + "  - name: A\n    source: {type: random}\n    targets: [{repository: acme/api, environment: .}]\n",
			prefix: "p.yml:5:51: secrets[0].targets[0].environment: ", want: `environment name ".": "." is not allowed`,
		},
		{
			name:   "environment walks the path",
			plan:   head + "  - name: A\n    source: {type: random}\n    targets: [{repository: acme/api, environment: ../../../orgs/acme/actions}]\n",
			prefix: "p.yml:5:51: secrets[0].targets[0].environment: ", want: `".." is not allowed as a name or a part of one between slashes`,
		},
		{
			name:   "environment with a newline",
			plan:   head + "  - name: A\n    source: {type: random}\n    targets: [{repository: acme/api, environment: \"prod\\nuction\"}]\n",
			prefix: "p.yml:5:51: secrets[0].targets[0].environment: ", want: `environment name "prod\nuction": control character '\n'`,
		},
		{
			name:   "environment with a control character",
			plan:   head + "  - name: A\n    source: {type: random}\n    targets: [{repository: acme/api, environment: \"prod\\e\"}]\n",
			prefix: "p.yml:5:51: secrets[0].targets[0].environment: ", want: `control character '\x1b'`,
		},
		{
			name:   "organization by the secrets package's rules",
			plan:   head + "  - name: A\n    source: {type: random}\n    targets: [{organization: ac--me}]\n",
			prefix: "p.yml:5:30: secrets[0].targets[0].organization: ", want: `organization "ac--me": owner "ac--me" must not contain consecutive hyphens`,
		},
		{
			name:   "app repository by the secrets package's rules",
			plan:   head + "  - name: A\n    source: {type: github-app, app-id: 1, private-key-env: K, installation: acme, repositories: [\"..\"]}\n    targets: [{repository: acme/a}]\n",
			prefix: "p.yml:4:98: secrets[0].source.repositories[0]: ", want: `repository "..": repository name ".." is not allowed`,
		},
		{
			name:   "empty plan",
			plan:   "# nothing\n",
			prefix: "p.yml: ", want: `the plan is empty: want version: 1 and a secrets: list`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("p.yml", []byte(tt.plan), Options{})
			if err == nil {
				t.Fatalf("Parse succeeded, want an error starting %q", tt.prefix)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("Parse reported more than one problem, want one:\n%s", msg)
			}
			if !strings.HasPrefix(msg, tt.prefix) {
				t.Errorf("error = %q\nwant it to start with %q", msg, tt.prefix)
			}
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error = %q\nwant it to contain %q", msg, tt.want)
			}
			var perr *Error
			if !errors.As(err, &perr) || perr.File != "p.yml" {
				t.Errorf("errors.As(%T, *Error) = %v, want an *Error for p.yml", err, perr)
			}
		})
	}
}

// TestParsePlanManyErrors checks that every problem is reported, in order
// of position, not just the first.
func TestParsePlanManyErrors(t *testing.T) {
	_, err := Parse("p.yml", []byte(head+`  - name: 1A
    source: {type: random, bytes: 0}
    targets: [{repository: a}]
  - name: B
    source: {type: token}
    targets: [{organization: acme, visibility: none}]
`), Options{})
	var got []string
	for _, line := range strings.Split(err.Error(), "\n") {
		pos, _, _ := strings.Cut(line, " ")
		got = append(got, pos)
	}
	want := []string{"p.yml:3:11:", "p.yml:4:35:", "p.yml:5:28:", "p.yml:7:13:", "p.yml:8:48:"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("error positions (-want +got):\n%s\nfull error:\n%v", diff, err)
	}
}

func TestParsePlanTooManyErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString(head)
	for i := range 30 {
		fmt.Fprintf(&b, "  - name: 1A%d\n    source: {type: random}\n    targets: [{repository: acme/a}]\n", i)
	}
	_, err := Parse("p.yml", []byte(b.String()), Options{})
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != maxErrors+1 || lines[maxErrors] != "p.yml: 10 more problems not shown" {
		t.Errorf("got %d lines ending %q, want %d problems and a count of the rest", len(lines), lines[len(lines)-1], maxErrors)
	}
}

// TestParsePlanAliasBomb checks that aliases which multiply (100 secrets
// of 100 targets of 100 excluded repositories, from a few kilobytes) are
// refused after a bounded walk.
func TestParsePlanAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\nx: &r [" + strings.Repeat("acme/a, ", 99) + "acme/a]\n")
	b.WriteString("y: &t [" + strings.Repeat("{organization: acme, match: x, exclude: *r}, ", 99) + "{organization: acme, match: x, exclude: *r}]\n")
	b.WriteString("secrets:\n")
	for i := range 100 {
		fmt.Fprintf(&b, "  - {name: S%d, source: {type: random}, targets: *t}\n", i)
	}
	_, err := Parse("p.yml", []byte(b.String()), Options{})
	if err == nil || !strings.Contains(err.Error(), "expands to more than 100000 YAML nodes") {
		t.Errorf("Parse(alias bomb) = %v, want it refused for its size", err)
	}
}

func TestParseNamesTheFile(t *testing.T) {
	path := filepath.Join("dir", "plan.yml")
	_, err := Parse(path, []byte("version: 1\nsecrets: 3\n"), Options{})
	if want := path + ":2:10: secrets: want a list of secrets"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Parse error = %v, want it to start %q", err, want)
	}
}

// FuzzParsePlan checks that no input makes Parse panic, and that every
// line of every error it returns starts with the file name.
func FuzzParsePlan(f *testing.F) {
	files, err := filepath.Glob("../examples/plans/*.yml")
	if err != nil || len(files) == 0 {
		f.Fatalf("no example plans: %v", err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(head + "  - name: A\n    source: {type: random}\n    targets: [{organization: acme, match: \"(\"}]\n"))
	f.Add([]byte("version: 1\nsecrets: &a [*a]\n"))
	f.Add([]byte("- - -\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		plan, err := Parse("f.yml", data, Options{})
		if err == nil {
			if plan == nil || plan.Version != 1 || len(plan.Secrets) == 0 {
				t.Fatalf("Parse succeeded with plan %+v", plan)
			}
			return
		}
		if plan != nil {
			t.Fatal("Parse returned both a plan and an error")
		}
		for _, line := range strings.Split(err.Error(), "\n") {
			if !strings.HasPrefix(line, "f.yml:") {
				t.Fatalf("error line %q does not start with the file name", line)
			}
		}
	})
}

// TestParsePlanDuplicatesAmongOtherErrors checks that a secret or target
// given twice is reported even when the entries have other problems too,
// with every other problem.
func TestParsePlanDuplicatesAmongOtherErrors(t *testing.T) {
	_, err := Parse("p.yml", []byte(head+`  - name: PAT
    source: {type: random, bytes: 0}
    targets: [{repository: acme/api}]
  - name: pat
    source: {type: random}
    targets: [{repository: acme/api, environment: ".."}, {repository: ACME/API, environment: ".."}]
`), Options{})
	got := strings.Split(fmt.Sprint(err), "\n")
	want := []string{
		`p.yml:4:35: secrets[0].source.bytes: 0 is out of range: want 1 to 4096 random bytes`,
		`p.yml:6:5: secrets[1].name: secret "pat" is already defined on line 3 as "PAT": secret names are case-insensitive, so give each secret one entry`,
		`p.yml:8:51: secrets[1].targets[0].environment: environment name "..": ".." is not allowed as a name or a part of one between slashes`,
		`p.yml:8:58: secrets[1].targets[1]: target env:ACME/API/.. is already listed on line 8: list each target once`,
		`p.yml:8:94: secrets[1].targets[1].environment: environment name "..": ".." is not allowed as a name or a part of one between slashes`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

// TestParseAppIssuer checks the four ways a github-app source names its
// App, and that the schema takes each too.
func TestParseAppIssuer(t *testing.T) {
	sch := compileSchema(t)
	tests := []struct {
		keys string
		want Source
	}{
		{"app-id: 12345", Source{AppID: 12345}},
		{"client-id: Iv23liAbCdEf", Source{ClientID: "Iv23liAbCdEf"}},
		{"client-id: Iv1.0123abcd", Source{ClientID: "Iv1.0123abcd"}},
		{"app-id-env: APP_ID", Source{AppIDEnv: "APP_ID"}},
		{"client-id-env: APP_CLIENT_ID", Source{ClientIDEnv: "APP_CLIENT_ID"}},
		{"input: app", Source{Input: InputApp}},
	}
	for _, tt := range tests {
		t.Run(tt.keys, func(t *testing.T) {
			key := ", private-key-env: K"
			if tt.want.Input != "" {
				key = "" // the run's App brings its key
			}
			data := []byte(head + "  - name: A\n    source: {type: github-app, " + tt.keys + key + ", installation: acme}\n    targets: [{repository: acme/a}]\n")
			p, err := Parse("p.yml", data, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := p.Secrets[0].Source
			want := tt.want
			want.Type, want.Installation = SourceGitHubApp, "acme"
			if want.Input == "" {
				want.PrivateKeyEnv = "K"
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("source (-want +got):\n%s", diff)
			}
			if err := sch.Validate(yamlToJSON(t, data)); err != nil {
				t.Errorf("schema: %v", err)
			}
		})
	}
}
