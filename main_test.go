package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pat-action/pat-action/emulator"
)

// binary is the real pat-action, built as the Dockerfile builds it, for the
// tests that run it as a process, the way the runner runs the container's
// entrypoint.
func binary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "pat-action")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

const (
	userTok  = "ghp_process000000000000000000000000000000"
	adminTok = "ghp_processadmin0000000000000000000000000"
)

const plan = `version: 1
secrets:
  - name: RELEASE_PAT
    source: {type: token, env: NEW_PAT}
    policy: {required-scopes: [repo]}
    targets: [{repository: acme/api}, {repository: acme/web, environment: production}]
  - name: WEBHOOK_SECRET
    source: {type: random, bytes: 16}
    targets: [{organization: acme, visibility: private}]
`

// parseOutputs reads GITHUB_OUTPUT in the runner's heredoc format.
func parseOutputs(t *testing.T, text string) map[string]string {
	t.Helper()
	out := map[string]string{}
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		if lines[i] == "" {
			continue
		}
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			t.Fatalf("GITHUB_OUTPUT line %d is not name<<DELIMITER", i+1)
		}
		var val []string
		for i++; i < len(lines) && lines[i] != delim; i++ {
			val = append(val, lines[i])
		}
		if i == len(lines) {
			t.Fatalf("output %s: delimiter never closed", name)
		}
		out[name] = strings.Join(val, "\n")
	}
	return out
}

// TestBinaryAsContainerAction runs the built binary as the runner runs a
// container action: INPUT_* names with hyphens kept, the command files, the
// workflow's repository and API URL, debug on.
func TestBinaryAsContainerAction(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := binary(t)
	tests := []struct {
		name        string
		scopes      []string
		inputs      map[string]string
		env         map[string]string
		wantCode    int
		outputs     map[string]string
		summary     string
		annotations []string
		stored      []string // "container NAME" the emulator must hold afterwards
	}{
		{name: "check passes", scopes: []string{"repo"},
			inputs:  map[string]string{"MODE": "check", "REQUIRED-SCOPES": "repo"},
			outputs: map[string]string{"passed": "true", "token-type": "classic", "scopes": "repo"}, summary: "| required-scopes | ✅ pass |"},
		{name: "check fails over-broad", scopes: []string{"repo", "admin:org"}, wantCode: 1,
			inputs:      map[string]string{"MODE": "check", "REQUIRED-SCOPES": "repo"},
			outputs:     map[string]string{"passed": "false", "excess-scopes": "admin:org"},
			summary:     "| allowed-scopes | ❌ fail |",
			annotations: []string{"::error::allowed-scopes: "}},
		{name: "check with bad input", scopes: []string{"repo"}, wantCode: 2,
			inputs:      map[string]string{"MODE": "check", "MIN-DAYS-LEFT": "-3"},
			annotations: []string{"::error::min-days-left"}},
		{name: "store into the workflow's repository by default", scopes: []string{"repo"},
			inputs:  map[string]string{"MODE": "store", "SECRET-NAME": "RELEASE_PAT", "REQUIRED-SCOPES": "repo"},
			outputs: map[string]string{"passed": "true", "secrets-written": "1"}, summary: "| repo:acme/api | RELEASE_PAT | created |",
			stored: []string{"repo:acme/api RELEASE_PAT"}},
		{name: "store with a missing repository", scopes: []string{"repo"}, wantCode: 3,
			inputs:      map[string]string{"MODE": "store", "SECRET-NAME": "RELEASE_PAT", "REPOSITORIES": "acme/api\nacme/gone"},
			outputs:     map[string]string{"secrets-written": "1"},
			annotations: []string{"::error::repo:acme/gone: "},
			stored:      []string{"repo:acme/api RELEASE_PAT"}},
		{name: "rotate a plan", scopes: []string{"repo"},
			inputs: map[string]string{"MODE": "rotate", "CONFIG": "plan.yml"},
			env:    map[string]string{"NEW_PAT": userTok},
			stored: []string{"repo:acme/api RELEASE_PAT", "env:acme/web/production RELEASE_PAT", "org:acme WEBHOOK_SECRET"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := emulator.New(emulator.Options{})
			emu.AddOrg("acme")
			emu.AddRepo(emulator.Repo{Owner: "acme", Name: "api"})
			emu.AddRepo(emulator.Repo{Owner: "acme", Name: "web", Environments: []string{"production"}})
			emu.AddToken(emulator.Token{Value: userTok, Login: "octocat", Scopes: tt.scopes, ExpiresAt: time.Now().Add(90 * 24 * time.Hour)})
			emu.AddToken(emulator.Token{Value: adminTok, Login: "admin", Scopes: []string{"repo", "admin:org"}})
			srv, apiURL := emu.Start()
			defer srv.Close()

			dir := t.TempDir()
			files := map[string]string{}
			for _, f := range []string{"OUTPUT", "STEP_SUMMARY", "ENV"} {
				files[f] = filepath.Join(dir, f)
				if err := os.WriteFile(files[f], nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(dir, "plan.yml"), []byte(plan), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bin)
			cmd.Dir = dir
			cmd.Env = []string{
				"GITHUB_ACTIONS=true", "RUNNER_DEBUG=1", "GITHUB_REPOSITORY=acme/api",
				// No INPUT_API-URL: the binary falls back to the workflow's API.
				"GITHUB_API_URL=" + apiURL,
				"GITHUB_OUTPUT=" + files["OUTPUT"], "GITHUB_STEP_SUMMARY=" + files["STEP_SUMMARY"], "GITHUB_ENV=" + files["ENV"],
				"INPUT_TOKEN=" + userTok, "INPUT_ADMIN-TOKEN=" + adminTok,
			}
			for k, v := range tt.inputs {
				cmd.Env = append(cmd.Env, "INPUT_"+k+"="+v)
			}
			for k, v := range tt.env {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d", code, tt.wantCode)
			}
			lines := strings.Split(stdout.String(), "\n")
			if len(lines) < 2 || lines[0] != "::add-mask::"+userTok || lines[1] != "::add-mask::"+adminTok {
				t.Error("the first lines of output are not the tokens' masks")
			}
			if !strings.Contains(stdout.String(), "::debug::pat-action ") {
				t.Error("no debug line with RUNNER_DEBUG=1")
			}
			for _, a := range tt.annotations {
				if !strings.Contains(stdout.String(), a) {
					t.Errorf("stdout lacks the annotation %q", a)
				}
			}
			raw, _ := os.ReadFile(files["OUTPUT"])
			outputs := parseOutputs(t, string(raw))
			for k, want := range tt.outputs {
				if outputs[k] != want {
					t.Errorf("output %s = %q, want %q", k, outputs[k], want)
				}
			}
			summary, _ := os.ReadFile(files["STEP_SUMMARY"])
			if tt.summary != "" && !strings.Contains(string(summary), tt.summary) {
				t.Errorf("summary lacks %q:\n%s", tt.summary, summary)
			}
			for _, s := range tt.stored {
				container, name, _ := strings.Cut(s, " ")
				if _, ok := emu.SecretValue(container, name); !ok {
					t.Errorf("the emulator holds no %s in %s", name, container)
				}
			}
			all := stdout.String() + stderr.String() + string(raw) + string(summary)
			for _, line := range strings.Split(all, "\n") {
				for _, secret := range []string{userTok, adminTok} {
					if strings.Contains(line, secret) && line != "::add-mask::"+secret {
						t.Error("a token appears in the output beyond its mask")
					}
				}
			}
			if u := emu.Unknown(); len(u) > 0 {
				t.Errorf("requests for operations the emulator does not serve: %v", u)
			}
		})
	}
}
