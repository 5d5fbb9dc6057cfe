package app

import (
	"strings"
	"testing"
)

// tokenInputPlan propagates the token the run was given, not one from an
// environment variable.
const tokenInputPlan = `version: 1
secrets:
  - name: RELEASE_PAT
    source: {type: token, input: token}
    policy: {required-scopes: [repo, workflow]}
    targets:
      - repository: acme/api
      - {repository: acme/web, environment: production}
      - {repository: acme/api, type: dependabot}
`

// masksFirst fails unless stdout starts with its add-mask commands and has
// none after another line; it returns the values masked.
func masksFirst(t *testing.T, stdout string) map[string]bool {
	t.Helper()
	masks := map[string]bool{}
	lines := strings.Split(stdout, "\n")
	for i, line := range lines {
		m, ok := strings.CutPrefix(line, "::add-mask::")
		if !ok {
			for _, later := range lines[i:] {
				if strings.HasPrefix(later, "::add-mask::") {
					t.Errorf("stdout line %d is printed before an add-mask command", i+1)
					break
				}
			}
			break
		}
		masks[m] = true
	}
	return masks
}

// A token source with input: token takes the action's token input, or on
// the command line the token from GH_TOKEN: checked, propagated to every
// target, and shown nowhere. Without an admin token the same token writes.
func TestRotateTokenInput(t *testing.T) {
	tests := []struct {
		name   string
		action bool
		// vars are inputs in the action, the environment on the command line.
		vars map[string]string
	}{
		{"action, with an admin token", true, map[string]string{"token": classicTok, "admin-token": adminTok}},
		{"action, the token writes too", true, map[string]string{"token": classicTok}},
		{"cli, GH_TOKEN with an admin token", false, map[string]string{"GH_TOKEN": classicTok, "PAT_ACTION_ADMIN_TOKEN": adminTok}},
		{"cli, GH_TOKEN alone", false, map[string]string{"GH_TOKEN": classicTok}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := rotateWorld(t)
			plan := writePlan(t, tokenInputPlan)
			var res result
			texts := map[string]string{}
			if tt.action {
				inputs := map[string]string{"mode": "rotate", "api-url": w.apiURL, "config": plan}
				for k, v := range tt.vars {
					inputs[k] = v
				}
				r := newRunner(t, inputs)
				res = run(t, nil, r.env, "")
				texts["outputs"], texts["summary"] = r.read(t, r.outputFile), r.read(t, r.summary)
				masks := masksFirst(t, res.stdout)
				if !masks[classicTok] {
					t.Error("the token input is not masked")
				}
				if outs := parseOutputs(t, texts["outputs"]); outs["secrets-written"] != "3" {
					t.Errorf("secrets-written %q, want 3", outs["secrets-written"])
				}
			} else {
				res = run(t, []string{"rotate", "--api-url", w.apiURL, "--config", plan}, tt.vars, "")
			}
			texts["stdout"], texts["stderr"] = res.stdout, res.stderr
			if res.code != exitOK {
				t.Fatalf("exit %d, want 0; stdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
			}
			for _, c := range []string{"repo:acme/api", "env:acme/web/production", "dependabot:repo:acme/api"} {
				assertValue(t, w, c, "RELEASE_PAT", classicTok)
			}
			assertNoLeak(t, classicTok, texts)
			assertNoLeak(t, adminTok, texts)
			if tt.action {
				return
			}
			// An audit inspects the same token for the source.
			res = run(t, []string{"audit", "--json", "--api-url", w.apiURL, "--config", plan}, tt.vars, "")
			if res.code != exitOK || !strings.Contains(res.stdout, `"login": "octocat"`) {
				t.Errorf("audit: exit %d, want 0 with the token inspected; stdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
			}
			assertNoLeak(t, classicTok, map[string]string{"audit stdout": res.stdout, "audit stderr": res.stderr})
		})
	}
}

// A token source that takes the run's token stops before any request when
// the run has none, or has the workflow's own GITHUB_TOKEN, and says what
// to set.
func TestRotateTokenInputMissing(t *testing.T) {
	tests := []struct {
		name   string
		action bool
		vars   map[string]string
		want   []string
	}{
		{"cli, only an admin token", false, map[string]string{"PAT_ACTION_ADMIN_TOKEN": adminTok},
			[]string{"secret RELEASE_PAT: its token source takes the run's token (input: token), and the run was given none", "set PAT_ACTION_TOKEN, GH_TOKEN or GITHUB_TOKEN (GH_ENTERPRISE_TOKEN for an api-url not on github.com or ghe.com) to the new token, or pass --token-file FILE"}},
		{"action, only an admin token", true, map[string]string{"admin-token": adminTok},
			[]string{"secret RELEASE_PAT: its token source takes the run's token (input: token)", "set the token input to the new token"}},
		{"action, the workflow's GITHUB_TOKEN", true, map[string]string{"token": appTok, "admin-token": adminTok},
			[]string{"secret RELEASE_PAT: the run's token (input: token) is an installation token (ghs_)", "set the token input to the new token"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := rotateWorld(t)
			plan := writePlan(t, tokenInputPlan)
			var res result
			if tt.action {
				inputs := map[string]string{"mode": "rotate", "api-url": w.apiURL, "config": plan}
				for k, v := range tt.vars {
					inputs[k] = v
				}
				res = run(t, nil, newRunner(t, inputs).env, "")
				masksFirst(t, res.stdout)
			} else {
				res = run(t, []string{"rotate", "--api-url", w.apiURL, "--config", plan}, tt.vars, "")
			}
			if res.code != exitUsage {
				t.Errorf("exit %d, want %d", res.code, exitUsage)
			}
			for _, want := range tt.want {
				if !strings.Contains(res.stdout+res.stderr, want) {
					t.Errorf("the output does not say %q:\nstdout:\n%s\nstderr:\n%s", want, res.stdout, res.stderr)
				}
			}
			if tt.action && strings.Contains(res.stdout, "PAT_ACTION_TOKEN") {
				t.Errorf("the action speaks of the CLI's PAT_ACTION_TOKEN:\n%s", res.stdout)
			}
			if n := len(w.emu.Requests()); n != 0 {
				t.Errorf("%d requests, want none before the token is at hand", n)
			}
			for _, tok := range []string{adminTok, appTok} {
				assertNoLeak(t, tok, map[string]string{"stdout": res.stdout, "stderr": res.stderr})
			}
		})
	}
}
