package app

import (
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
			env := map[string]string{"GH_TOKEN": classicTok, "PAT_ACTION_ADMIN_TOKEN": adminTok}
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
