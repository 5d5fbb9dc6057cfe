package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pat-action/pat-action/emulator"
)

func rotateWorld(t *testing.T) *world {
	t.Helper()
	toks := append(checkTokens(), emulator.Token{Value: adminTok, Login: "admin", Scopes: []string{"repo", "admin:org"}})
	w := newWorld(t, emulator.Options{}, toks...)
	w.emu.AddRepo(emulator.Repo{Owner: "acme", Name: "infra"})
	return w
}

const rotatePlan = `version: 1
secrets:
  - name: RELEASE_PAT
    source: {type: token, env: NEW_PAT}
    policy: {required-scopes: [repo, workflow]}
    targets: [{repository: acme/api}, {repository: acme/web}]
  - name: WEBHOOK_SECRET
    source: {type: random, bytes: 32}
    max-age: 30d
    targets: [{repository: acme/api}]
  - name: INFRA_DEPLOY_KEY
    source: {type: deploy-key, repository: acme/infra}
    targets: [{repository: acme/web}]
`

func writePlan(t *testing.T, plan string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "plan.yml")
	if err := os.WriteFile(p, []byte(plan), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRotateActionNoLeak runs a plan as the container action and holds
// every value it wrote (read from the emulator) to never showing anywhere
// but in an add-mask command, which must come first.
func TestRotateActionNoLeak(t *testing.T) {
	w := rotateWorld(t)
	dir := t.TempDir()
	outFile, sumFile := filepath.Join(dir, "out"), filepath.Join(dir, "sum")
	for _, f := range []string{outFile, sumFile} {
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{
		"GITHUB_ACTIONS": "true", "INPUT_MODE": "rotate", "INPUT_TOKEN": adminTok, "INPUT_API-URL": w.apiURL,
		"INPUT_CONFIG": writePlan(t, rotatePlan), "NEW_PAT": classicTok,
		"GITHUB_OUTPUT": outFile, "GITHUB_STEP_SUMMARY": sumFile,
	}
	res := run(t, nil, env, "")
	if res.code != 0 {
		t.Fatalf("exit %d; stdout:\n%s", res.code, res.stdout)
	}
	out, _ := os.ReadFile(outFile)
	sum, _ := os.ReadFile(sumFile)
	texts := map[string]string{"stdout": res.stdout, "stderr": res.stderr, "outputs": string(out), "summary": string(sum)}
	for _, c := range []struct{ container, name string }{
		{"repo:acme/api", "RELEASE_PAT"}, {"repo:acme/api", "WEBHOOK_SECRET"}, {"repo:acme/web", "INFRA_DEPLOY_KEY"},
	} {
		v, ok := w.emu.SecretValue(c.container, c.name)
		if !ok {
			t.Errorf("%s not written to %s", c.name, c.container)
			continue
		}
		for _, line := range strings.Split(string(v), "\n") {
			if line = strings.TrimSpace(line); len(line) < 8 || strings.HasPrefix(line, "-----") {
				continue
			}
			assertNoLeak(t, line, texts)
		}
		if !strings.Contains(res.stdout, "::add-mask::") {
			t.Errorf("%s was not masked", c.name)
		}
	}
	if !strings.Contains(string(out), "secrets-written") || !strings.Contains(string(sum), "INFRA_DEPLOY_KEY") {
		t.Error("outputs or summary miss the rotation")
	}
}

func TestRotateCLIExitCodes(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		want     int
		stderr   string
		requests bool
	}{
		{"missing config file", []string{"--config", "/nonexistent/plan.yml"}, nil, 2, "no such file", false},
		{"bad shard", []string{"--shard", "3/2"}, nil, 2, "shard", false},
		{"plan error with file:line", []string{"--config", "BAD"}, nil, 2, "plan.yml:", false},
		{"token source not set", nil, map[string]string{"GH_TOKEN": adminTok}, 2, "NEW_PAT", false},
		{"token fails its policy", nil, map[string]string{"GH_TOKEN": adminTok, "NEW_PAT": broadTok}, 1, "over-broad", true},
		{"a target fails", []string{"--config", "GONE"}, nil, 3, "acme/gone", true},
		{"all written", nil, nil, 0, "policy passed", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := rotateWorld(t)
			args := []string{"rotate", "--api-url", w.apiURL}
			cfg := writePlan(t, rotatePlan)
			switch {
			case len(tt.args) == 2 && tt.args[1] == "BAD":
				args = append(args, "--config", writePlan(t, "version: 1\nsecrets:\n  - name: 1BAD\n"))
			case len(tt.args) == 2 && tt.args[1] == "GONE":
				args = append(args, "--config", writePlan(t, strings.Replace(rotatePlan, "acme/web}]\n  - name: WEBHOOK", "acme/gone}]\n  - name: WEBHOOK", 1)))
			case tt.args != nil:
				args = append(args, tt.args...)
			default:
				args = append(args, "--config", cfg)
			}
			if tt.args != nil && tt.args[0] == "--shard" {
				args = append(args, "--config", cfg)
			}
			env := tt.env
			if env == nil {
				env = map[string]string{"GH_TOKEN": adminTok, "NEW_PAT": classicTok}
			}
			res := run(t, args, env, "")
			if res.code != tt.want {
				t.Errorf("exit %d, want %d; stderr:\n%s", res.code, tt.want, res.stderr)
			}
			if !strings.Contains(res.stderr, tt.stderr) {
				t.Errorf("stderr does not mention %q:\n%s", tt.stderr, res.stderr)
			}
			if n := len(w.emu.Requests()); (n > 0) != tt.requests {
				t.Errorf("%d requests, want requests: %v", n, tt.requests)
			}
		})
	}
}

func TestAuditCLI(t *testing.T) {
	w := rotateWorld(t)
	w.emu.SetSecret("repo:acme/api", "OLD", []byte("x"), testNow.Add(-100*24*time.Hour))
	env := map[string]string{"GH_TOKEN": adminTok}
	res := run(t, []string{"audit", "--api-url", w.apiURL, "--organization", "acme", "--max-age", "90d", "--json"}, env, "")
	if res.code != 1 || !strings.Contains(res.stdout, `"result": "stale"`) {
		t.Errorf("exit %d, want 1 with a stale secret; stdout:\n%s", res.code, res.stdout)
	}
	res = run(t, []string{"audit", "--api-url", w.apiURL, "--organization", "acme", "--max-age", "120d"}, env, "")
	if res.code != 0 {
		t.Errorf("exit %d, want 0; stderr:\n%s", res.code, res.stderr)
	}
	res = run(t, []string{"audit", "--api-url", w.apiURL, "--organization", "acme"}, env, "")
	if res.code != 2 {
		t.Errorf("organization without max-age: exit %d, want 2", res.code)
	}
}
