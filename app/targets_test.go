package app

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pat-action/pat-action/emulator"
)

// Copilot agents secrets, repository and organization, from the CLI, the
// action and a plan: the emulator holds the token in the agents
// containers, and nothing in the Actions ones.
func TestStoreAgentsSecrets(t *testing.T) {
	tests := []struct {
		name      string
		cli       []string          // store flags; nil runs the action
		inputs    map[string]string // action inputs
		plan      string            // a plan's targets; rotate runs it
		container string
		selected  []string // an organization secret's repositories
	}{
		{name: "CLI repository", cli: []string{"--secret-type", "agents", "--repositories", "acme/api"}, container: "agents:repo:acme/api"},
		{name: "CLI organization", cli: []string{"--secret-type", "agents", "--organization", "acme", "--repositories", "acme/web"},
			container: "agents:org:acme", selected: []string{"acme/web"}},
		{name: "action repository", inputs: map[string]string{"secret-type": "agents", "repositories": "acme/api"}, container: "agents:repo:acme/api"},
		{name: "action organization", inputs: map[string]string{"secret-type": "agents", "organization": "acme", "visibility": "all"}, container: "agents:org:acme"},
		{name: "plan repository", plan: "[{repository: acme/api, type: agents}]", container: "agents:repo:acme/api"},
		{name: "plan organization", plan: "[{organization: acme, type: agents, repositories: [acme/api]}]",
			container: "agents:org:acme", selected: []string{"acme/api"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := storeWorld(t, emulator.Options{}, 0)
			var res result
			switch {
			case tt.cli != nil:
				res, _ = storeCLI(t, w, append([]string{"--secret-name", "RELEASE_PAT"}, tt.cli...),
					map[string]string{"GH_TOKEN": classicTok, "PAT_ACTION_ADMIN_TOKEN": adminTok})
			case tt.inputs != nil:
				in := map[string]string{"mode": "store", "token": classicTok, "admin-token": adminTok, "api-url": w.apiURL, "secret-name": "RELEASE_PAT", "pacing": "off"}
				for k, v := range tt.inputs {
					in[k] = v
				}
				res = run(t, nil, newRunner(t, in).env, "")
			default:
				plan := writePlan(t, "version: 1\nsecrets:\n  - name: RELEASE_PAT\n    source: {type: token, env: NEW_PAT}\n    targets: "+tt.plan+"\n")
				res, _ = runRotation(t, []string{"rotate", "--api-url", w.apiURL, "--config", plan, "--pacing", "off"},
					map[string]string{"GH_TOKEN": adminTok, "NEW_PAT": classicTok}, false)
			}
			if res.code != 0 {
				t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
			}
			assertNoLeak(t, classicTok, map[string]string{"stdout": res.stdout, "stderr": res.stderr})
			assertValue(t, w, tt.container, "RELEASE_PAT", classicTok)
			actions := tt.container[len("agents:"):]
			if _, ok := w.emu.SecretValue(actions, "RELEASE_PAT"); ok {
				t.Errorf("%s holds RELEASE_PAT: an agents secret went to Actions", actions)
			}
			if len(tt.selected) > 0 {
				var want []int64
				for _, r := range tt.selected {
					want = append(want, repoID(t, w, r))
				}
				vis, ids := w.emu.OrgSecretRepos(tt.container, "RELEASE_PAT")
				if diff := cmp.Diff([]any{"selected", want}, []any{vis, ids}); diff != "" {
					t.Errorf("organization secret visibility and repositories (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// GitHub Enterprise Server has no agents secrets, and environments have
// none anywhere: exit 2 before any request, in the CLI, the action and
// plans.
func TestAgentsRefused(t *testing.T) {
	const ghes = "https://ghes.example.com/api/v3"
	agentsPlan := planFile(planOf("  - name: PAT\n    source: {type: random}\n    targets: [{repository: acme/api, type: agents}]\n"))
	agentsEnvPlan := planFile(planOf("  - name: PAT\n    source: {type: random}\n    targets: [{repository: acme/api, environment: production, type: agents}]\n"))
	tests := []badInput{
		{name: "store on GHES", noAPIURL: true,
			args: []string{"store", "--secret-name", "PAT", "--repositories", "acme/api", "--secret-type", "agents", "--api-url", ghes},
			want: []string{"agents secrets do not exist on GitHub Enterprise Server"}},
		{name: "store organization on GHES", noAPIURL: true,
			args: []string{"store", "--secret-name", "PAT", "--organization", "acme", "--secret-type", "agents", "--api-url", ghes},
			want: []string{"agents secrets do not exist on GitHub Enterprise Server"}},
		{name: "action on GHES", noAPIURL: true,
			inputs: map[string]string{"token": classicTok, "mode": "store", "secret-name": "PAT", "repositories": "acme/api", "secret-type": "agents", "api-url": ghes},
			want:   []string{"agents secrets do not exist on GitHub Enterprise Server"}},
		{name: "store environment", args: []string{"store", "--secret-name", "PAT", "--repositories", "acme/api", "--environment", "production", "--secret-type", "agents"},
			want: []string{"agents secrets have no environment level"}},
		{name: "plan on GHES", noAPIURL: true, args: rotateArgs("--api-url", ghes), files: agentsPlan,
			want: []string{"plan.yml:5", "type", "agents secrets do not exist on GitHub Enterprise Server"}},
		{name: "plan environment", args: rotateArgs(), files: agentsEnvPlan,
			want: []string{"plan.yml:5", "agents secrets have no environments"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkBadInput(t, tt)
		})
	}
}

// visibility selected with no repositories stores an organization secret
// that no repository reads yet (cli/cli #9808): it sends an empty list, so
// a secret that some repositories read is narrowed to none, from the CLI
// and the action.
func TestStoreSelectedNoRepositories(t *testing.T) {
	for _, front := range []string{"CLI", "action"} {
		t.Run(front, func(t *testing.T) {
			w := storeWorld(t, emulator.Options{}, 0)
			env := map[string]string{"PAT_ACTION_TOKEN": classicTok, "PAT_ACTION_ADMIN_TOKEN": adminTok}
			// First some repositories read it.
			if res, _ := storeCLI(t, w, []string{"--secret-name", "PAT", "--organization", "acme", "--repositories", "acme/api,acme/web"}, env); res.code != 0 {
				t.Fatalf("first store: exit %d; stderr:\n%s", res.code, res.stderr)
			}
			var res result
			if front == "CLI" {
				res, _ = storeCLI(t, w, []string{"--secret-name", "PAT", "--organization", "acme", "--visibility", "selected"}, env)
			} else {
				res = run(t, nil, newRunner(t, map[string]string{"mode": "store", "token": classicTok, "admin-token": adminTok, "api-url": w.apiURL,
					"pacing": "off", "secret-name": "PAT", "organization": "acme", "visibility": "selected"}).env, "")
			}
			if res.code != 0 {
				t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
			}
			assertValue(t, w, "org:acme", "PAT", classicTok)
			vis, ids := w.emu.OrgSecretRepos("org:acme", "PAT")
			if vis != "selected" || len(ids) != 0 {
				t.Errorf("org:acme PAT: visibility %q, repositories %v; want selected and none", vis, ids)
			}
		})
	}
}

// create-environment creates a missing environment before writing its
// secret (secrets-sync-action #65), from the CLI, the action and a plan;
// it never touches an environment that exists, costs nothing when the
// environment is there, and a dry run only says it would.
func TestCreateEnvironment(t *testing.T) {
	const putEnv = "PUT /repos/{owner}/{repo}/environments/{environment_name}"
	tests := []struct {
		name     string
		cli      []string          // store flags
		inputs   map[string]string // action inputs, when cli is nil
		plan     string            // a plan's targets, rotated, when both are nil
		code     int
		created  []string // environments created, "owner/repo/env"
		stored   []string // containers holding the token
		result   string   // the secret's result in each target
		envField string   // the report's environment field
		puts     int      // environment PUTs sent
		requests int      // at most this many requests in all (0: no limit)
	}{
		{name: "CLI, missing in both", cli: []string{"--repositories", "acme/api,acme/web", "--environment", "staging", "--create-environment"},
			created: []string{"acme/api/staging", "acme/web/staging"}, stored: []string{"env:acme/api/staging", "env:acme/web/staging"},
			result: "created", envField: "created", puts: 2,
			requests: 1 + 2*4}, // the check; per target a key (404), the environment, the key, the secret
		{name: "CLI, existing: no environment request", cli: []string{"--repositories", "acme/api", "--environment", "production", "--create-environment"},
			stored: []string{"env:acme/api/production"}, result: "created", requests: 3},
		{name: "CLI, without the flag: 404 and nothing created", cli: []string{"--repositories", "acme/api", "--environment", "staging"},
			code: 3, result: "failed"},
		{name: "CLI, dry run, missing repository", cli: []string{"--repositories", "acme/gone", "--environment", "staging", "--create-environment", "--dry-run"},
			code: 3, result: "failed"},
		{name: "CLI, dry run", cli: []string{"--repositories", "acme/api", "--environment", "staging", "--create-environment", "--dry-run"},
			result: "would-create", envField: "would-create"},
		{name: "CLI, missing repository", cli: []string{"--repositories", "acme/gone", "--environment", "staging", "--create-environment"},
			code: 3, result: "failed", puts: 1},
		{name: "action", inputs: map[string]string{"repositories": "acme/web", "environment": "qa/eu", "create-environment": "true"},
			created: []string{"acme/web/qa/eu"}, stored: []string{"env:acme/web/qa/eu"}, result: "created", envField: "created", puts: 1},
		{name: "plan", plan: "[{repository: acme/api, environment: staging, create-environment: true}]",
			created: []string{"acme/api/staging"}, stored: []string{"env:acme/api/staging"}, result: "created", envField: "created", puts: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := storeWorld(t, emulator.Options{}, 0)
			before := map[string][]string{}
			for _, r := range []string{"acme/api", "acme/web"} {
				before[r] = w.emu.Environments(r)
			}
			var res result
			switch {
			case tt.cli != nil:
				res, _ = storeCLI(t, w, append([]string{"--secret-name", "PAT"}, tt.cli...), map[string]string{"GH_TOKEN": classicTok})
			case tt.inputs != nil:
				in := map[string]string{"mode": "store", "token": classicTok, "api-url": w.apiURL, "secret-name": "PAT", "pacing": "off"}
				for k, v := range tt.inputs {
					in[k] = v
				}
				res = run(t, nil, newRunner(t, in).env, "")
			default:
				plan := writePlan(t, "version: 1\nsecrets:\n  - name: PAT\n    source: {type: token, env: NEW_PAT}\n    targets: "+tt.plan+"\n")
				res, _ = runRotation(t, []string{"rotate", "--api-url", w.apiURL, "--config", plan, "--pacing", "off", "--json"},
					map[string]string{"GH_TOKEN": adminTok, "NEW_PAT": classicTok}, false)
			}
			if res.code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", res.code, tt.code, res.stdout, res.stderr)
			}
			var created []string
			for _, r := range []string{"acme/api", "acme/web"} {
				for _, e := range w.emu.Environments(r) {
					if !slices.Contains(before[r], e) {
						created = append(created, r+"/"+e)
					}
				}
			}
			if diff := cmp.Diff(tt.created, created); diff != "" {
				t.Errorf("environments created (-want +got):\n%s", diff)
			}
			for _, c := range tt.stored {
				assertValue(t, w, c, "PAT", classicTok)
			}
			if n := countRequests(w, func(r emulator.Request) bool { return r.Operation == putEnv }); n != tt.puts {
				t.Errorf("%d environment PUTs, want %d", n, tt.puts)
			}
			if n := len(w.emu.Requests()); tt.requests > 0 && n > tt.requests {
				t.Errorf("%d requests, want at most %d", n, tt.requests)
			}
			if tt.inputs != nil {
				if !strings.Contains(res.stdout, "env:acme/web/qa/eu (environment created)") {
					t.Errorf("the action's log does not say the environment was created:\n%s", res.stdout)
				}
				return
			}
			var rep struct {
				Secrets []struct {
					Result      string `json:"result"`
					Environment string `json:"environment"`
				} `json:"secrets"`
			}
			if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil || len(rep.Secrets) == 0 {
				t.Fatalf("stdout is not a report with secrets (%v):\n%s", err, res.stdout)
			}
			for _, s := range rep.Secrets {
				if s.Result != tt.result || s.Environment != tt.envField {
					t.Errorf("secret result %q, environment %q; want %q, %q", s.Result, s.Environment, tt.result, tt.envField)
				}
			}
		})
	}
}

// A github-app source names its App by app-id or by client-id (GitHub now
// prefers the Client ID as the JWT's issuer), each given in the plan or
// read from an environment variable (app-id-env, client-id-env), from the
// CLI and the action: the emulator mints a token only for a JWT whose
// issuer is the App's, and the token is stored.
func TestAppSourceIssuer(t *testing.T) {
	const clientID = "Iv23liAcmeBot00001"
	tests := []struct {
		name   string
		issuer string // the source's keys that name the App
		env    map[string]string
		action bool
	}{
		{name: "app-id", issuer: "app-id: 12345"},
		{name: "client-id", issuer: "client-id: " + clientID},
		{name: "app-id-env", issuer: "app-id-env: APP_ID", env: map[string]string{"APP_ID": "12345"}},
		{name: "client-id-env", issuer: "client-id-env: APP_CLIENT_ID", env: map[string]string{"APP_CLIENT_ID": clientID}},
		{name: "action, client-id-env", issuer: "client-id-env: APP_CLIENT_ID", env: map[string]string{"APP_CLIENT_ID": clientID}, action: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, appKey := rotationWorld(t)
			w.emu.AddApp(emulator.App{ID: appID, ClientID: clientID, Slug: "acme-bot", PublicKey: appPublicKey(t, appKey)})
			plan := writePlan(t, "version: 1\nsecrets:\n  - name: BOT_TOKEN\n    source: {type: github-app, "+tt.issuer+
				", private-key-env: APP_KEY, installation: acme}\n    targets: [{repository: acme/api}]\n")
			env := map[string]string{"GH_TOKEN": adminTok, "APP_KEY": appKey}
			for k, v := range tt.env {
				env[k] = v
			}
			args := []string{"rotate", "--api-url", w.apiURL, "--config", plan, "--pacing", "off"}
			if tt.action {
				r := newRunner(t, map[string]string{"mode": "rotate", "admin-token": adminTok, "api-url": w.apiURL, "config": plan, "pacing": "off"})
				for k, v := range env {
					r.env[k] = v
				}
				env, args = r.env, nil
			}
			res, _ := runRotation(t, args, env, false)
			if res.code != 0 {
				t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
			}
			bot, ok := w.emu.SecretValue("repo:acme/api", "BOT_TOKEN")
			if !ok || !strings.HasPrefix(string(bot), "ghs_") || w.emu.MintedTokens() != 1 {
				t.Errorf("BOT_TOKEN stored %v, an installation token %v, %d minted (want 1)", ok, strings.HasPrefix(string(bot), "ghs_"), w.emu.MintedTokens())
			}
		})
	}
}

// An App named by a variable that is not set, or that does not hold an
// App ID, is bad input: exit 2 before any request.
func TestAppSourceIssuerMissing(t *testing.T) {
	plan := func(issuer string) map[string]string {
		return planFile(planOf("  - name: BOT\n    source: {type: github-app, " + issuer + ", private-key-env: APP_KEY, installation: acme}\n    targets: [{repository: acme/api}]\n"))
	}
	_, pemKey := testAppPEM(t)
	tests := []badInput{
		{name: "app-id-env unset", args: rotateArgs(), files: plan("app-id-env: APP_ID"),
			env:  map[string]string{"GH_TOKEN": classicTok, "APP_KEY": pemKey},
			want: []string{"secret BOT", "environment variable APP_ID (the app's ID) is not set"}},
		{name: "app-id-env not a number", args: rotateArgs(), files: plan("app-id-env: APP_ID"),
			env:  map[string]string{"GH_TOKEN": classicTok, "APP_KEY": pemKey, "APP_ID": "Iv23liAcmeBot00001"},
			want: []string{"secret BOT", "environment variable APP_ID", "not an App ID", "client-id-env"}},
		{name: "client-id-env unset", args: rotateArgs(), files: plan("client-id-env: APP_CLIENT_ID"),
			env:  map[string]string{"GH_TOKEN": classicTok, "APP_KEY": pemKey},
			want: []string{"secret BOT", "environment variable APP_CLIENT_ID (the app's client ID) is not set"}},
		{name: "app-id and client-id", args: rotateArgs(), files: plan("app-id: 1, client-id: Iv23li0"),
			env:  map[string]string{"GH_TOKEN": classicTok, "APP_KEY": pemKey},
			want: []string{"plan.yml:4", "client-id", "app-id is also given"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkBadInput(t, tt)
		})
	}
}

// appPublicKey is the public half of an App's PEM private key.
func appPublicKey(t *testing.T, pemKey string) *rsa.PublicKey {
	t.Helper()
	block, _ := pem.Decode([]byte(pemKey))
	if block == nil {
		t.Fatal("the app's key is not PEM")
	}
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return &key.PublicKey
}
