package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pat-action/pat-action/emulator"
)

// runner is a simulated Actions runner: the environment a container action
// step gets, with its command files.
type runner struct {
	env                 map[string]string
	outputFile, summary string
}

func newRunner(t *testing.T, inputs map[string]string) *runner {
	t.Helper()
	dir := t.TempDir()
	r := &runner{
		env: map[string]string{
			"GITHUB_ACTIONS":    "true",
			"GITHUB_REPOSITORY": "acme/api",
			"RUNNER_DEBUG":      "1",
		},
		outputFile: filepath.Join(dir, "output"),
		summary:    filepath.Join(dir, "summary"),
	}
	for _, f := range []string{r.outputFile, r.summary} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r.env["GITHUB_OUTPUT"] = r.outputFile
	r.env["GITHUB_STEP_SUMMARY"] = r.summary
	for k, v := range inputs {
		// The runner keeps hyphens and upper-cases: INPUT_MIN-DAYS-LEFT.
		r.env["INPUT_"+strings.ToUpper(k)] = v
	}
	return r
}

func (r *runner) read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// parseOutputs reads GITHUB_OUTPUT in the runner's format: name<<DELIMITER,
// the value's lines, DELIMITER; or name=value.
func parseOutputs(t *testing.T, text string) map[string]string {
	t.Helper()
	out := map[string]string{}
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if line == "" {
			continue
		}
		if name, delim, ok := strings.Cut(line, "<<"); ok {
			var val []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				val = append(val, lines[i])
			}
			if i == len(lines) {
				t.Fatalf("output %s: delimiter never closed", name)
			}
			out[name] = strings.Join(val, "\n")
			continue
		}
		name, val, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("GITHUB_OUTPUT line %d is neither name=value nor a heredoc", i+1)
		}
		out[name] = val
	}
	return out
}

func TestActionCheck(t *testing.T) {
	tests := []struct {
		name        string
		token       string
		inputs      map[string]string
		env         map[string]string
		wantCode    int
		wantOutputs map[string]string
		summary     []string
		annotations []string
	}{
		{
			name:     "least privilege passes",
			token:    classicTok,
			inputs:   map[string]string{"required-scopes": "repo, workflow", "min-days-left": "14"},
			wantCode: 0,
			wantOutputs: map[string]string{
				"token-type": "classic", "login": "octocat", "scopes": "repo,workflow",
				"expires-at": "2027-01-24T12:00:00Z", "days-left": "60",
				"missing-scopes": "", "excess-scopes": "", "forbidden-scopes": "", "passed": "true", "secrets-written": "0", "deploy-keys-written": "0",
			},
			summary: []string{"| type | classic |", "| required-scopes | ✅ pass |"},
		},
		{
			name:     "over-broad fails with annotations",
			token:    broadTok,
			inputs:   map[string]string{"required-scopes": "repo\nworkflow", "forbidden-scopes": "delete_repo"},
			wantCode: 1,
			wantOutputs: map[string]string{
				"token-type": "classic", "login": "octocat", "scopes": "repo,workflow,admin:org,delete_repo",
				"expires-at": "2027-01-24T12:00:00Z", "days-left": "60",
				"missing-scopes": "", "excess-scopes": "admin:org,delete_repo", "forbidden-scopes": "delete_repo",
				"passed": "false", "secrets-written": "0", "deploy-keys-written": "0",
			},
			summary:     []string{"| allowed-scopes | ❌ fail |", "| forbidden-scopes | ❌ fail |"},
			annotations: []string{"::error::allowed-scopes: ", "::error::forbidden-scopes: "},
		},
		{
			name:     "expiry warning is an annotation, not a failure",
			token:    expiringTok,
			inputs:   map[string]string{"min-days-left": "2"},
			wantCode: 0,
			wantOutputs: map[string]string{
				"token-type": "classic", "login": "octocat", "scopes": "repo",
				"expires-at": "2026-11-28T13:00:00Z", "days-left": "3",
				"missing-scopes": "", "excess-scopes": "", "forbidden-scopes": "", "passed": "true", "secrets-written": "0", "deploy-keys-written": "0",
			},
			annotations: []string{"::warning::expiry: "},
		},
		{
			name:     "an app token is reported as such, without scopes",
			token:    appTok,
			inputs:   map[string]string{},
			wantCode: 0,
			wantOutputs: map[string]string{
				"token-type": "app", "login": "", "scopes": "",
				"expires-at": "2026-11-25T13:00:00Z", "days-left": "0",
				"missing-scopes": "", "excess-scopes": "", "forbidden-scopes": "", "passed": "true", "secrets-written": "0", "deploy-keys-written": "0",
			},
			summary:     []string{"| type | app |", "carry no OAuth scopes"},
			annotations: []string{"::warning::job-token: The token checked is an installation token (ghs_), most likely the job's own GITHUB_TOKEN"},
		},
		{
			// action.yml defaults token to ${{ github.token }}: a check of
			// it must say plainly what it checked.
			name:        "the job's own GITHUB_TOKEN is named as such",
			token:       appTok,
			env:         map[string]string{"GITHUB_TOKEN": appTok},
			inputs:      map[string]string{},
			wantCode:    0,
			summary:     []string{"| job-token | ⚠️ warn | The token checked is the job's own GITHUB_TOKEN, the token input's default, not a personal access token"},
			annotations: []string{"::warning::job-token: The token checked is the job's own GITHUB_TOKEN"},
		},
		{
			name:        "a scope policy on an app token without repositories fails",
			token:       appTok,
			inputs:      map[string]string{"required-scopes": "repo,workflow"},
			wantCode:    1,
			annotations: []string{"::error::required-scopes: App tokens carry no OAuth scopes, so required-scopes cannot be checked and nothing would be: give repositories the token must reach instead"},
		},
		{
			name:        "bad input is exit 2 with an error annotation",
			token:       classicTok,
			inputs:      map[string]string{"required-scopes": "repos"},
			wantCode:    2,
			annotations: []string{`::error::required-scopes: unknown scope "repos" (did you mean "repo"?)`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, emulator.Options{}, checkTokens()...)
			in := map[string]string{"token": tt.token, "api-url": w.apiURL}
			for k, v := range tt.inputs {
				in[k] = v
			}
			r := newRunner(t, in)
			for k, v := range tt.env {
				r.env[k] = v
			}
			res := run(t, nil, r.env, "")
			if res.code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstdout:\n%s", res.code, tt.wantCode, res.stdout)
			}
			if first, _, _ := strings.Cut(res.stdout, "\n"); first != "::add-mask::"+tt.token {
				t.Error("the first line of output is not the token's mask")
			}
			outputs := r.read(t, r.outputFile)
			summary := r.read(t, r.summary)
			if tt.wantOutputs != nil {
				if diff := cmp.Diff(tt.wantOutputs, parseOutputs(t, outputs)); diff != "" {
					t.Errorf("outputs (-want +got):\n%s", diff)
				}
			}
			for _, s := range tt.summary {
				if !strings.Contains(summary, s) {
					t.Errorf("summary lacks %q:\n%s", s, summary)
				}
			}
			for _, a := range tt.annotations {
				if !strings.Contains(res.stdout, a) {
					t.Errorf("stdout lacks the annotation %q:\n%s", a, res.stdout)
				}
			}
			assertNoLeak(t, tt.token, map[string]string{"stdout": res.stdout, "stderr": res.stderr, "outputs": outputs, "summary": summary})
		})
	}
}

// An input the workflow set for another mode is ignored with a warning;
// the defaults the runner passes for every input are not.
func TestActionWarnsOfInputsForOtherModes(t *testing.T) {
	w := newWorld(t, emulator.Options{}, checkTokens()...)
	r := newRunner(t, map[string]string{
		"token": classicTok, "api-url": w.apiURL, "mode": "check",
		// action.yml's defaults, as the runner passes them:
		"dry-run": "false", "secret-type": "actions", "shard": "1/1", "force": "false", "concurrency": "", "pacing": "auto",
		// chosen by the workflow, for store:
		"secret-name": "RELEASE_PAT", "environment": "production",
	})
	res := run(t, nil, r.env, "")
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stdout)
	}
	var warnings []string
	for _, line := range strings.Split(res.stdout, "\n") {
		if strings.HasPrefix(line, "::warning::") {
			warnings = append(warnings, line)
		}
	}
	want := []string{
		"::warning::input secret-name does not apply to mode check: it is ignored",
		"::warning::input environment does not apply to mode check: it is ignored",
	}
	if diff := cmp.Diff(want, warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}
