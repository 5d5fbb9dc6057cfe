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

// binary is the real pat-action, built once for the tests that run it as a
// process, the way the runner runs the container's entrypoint.
func binary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "pat-action")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

func TestBinaryAsContainerAction(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := binary(t)
	const tok = "ghp_process000000000000000000000000000000"
	tests := []struct {
		name     string
		scopes   []string
		inputs   map[string]string
		wantCode int
		want     []string // lines GITHUB_OUTPUT must hold
	}{
		{"passes", []string{"repo"}, map[string]string{"REQUIRED-SCOPES": "repo"}, 0, []string{"passed<<", "true"}},
		{"fails over-broad", []string{"repo", "admin:org"}, map[string]string{"REQUIRED-SCOPES": "repo"}, 1, []string{"excess-scopes<<", "admin:org"}},
		{"bad input", []string{"repo"}, map[string]string{"MIN-DAYS-LEFT": "-3"}, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := emulator.New(emulator.Options{})
			emu.AddToken(emulator.Token{Value: tok, Login: "octocat", Scopes: tt.scopes, ExpiresAt: time.Now().Add(90 * 24 * time.Hour)})
			srv, apiURL := emu.Start()
			defer srv.Close()
			dir := t.TempDir()
			out, sum := filepath.Join(dir, "out"), filepath.Join(dir, "sum")
			cmd := exec.Command(bin)
			cmd.Env = []string{"GITHUB_ACTIONS=true", "GITHUB_OUTPUT=" + out, "GITHUB_STEP_SUMMARY=" + sum,
				"INPUT_TOKEN=" + tok, "INPUT_API-URL=" + apiURL, "INPUT_MODE=check"}
			for k, v := range tt.inputs {
				cmd.Env = append(cmd.Env, "INPUT_"+k+"="+v)
			}
			var stdout bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stdout
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
			if first, _, _ := strings.Cut(stdout.String(), "\n"); first != "::add-mask::"+tok {
				t.Error("the first line is not the token's mask")
			}
			outputs, _ := os.ReadFile(out)
			for _, w := range tt.want {
				if !strings.Contains(string(outputs), w) {
					t.Errorf("GITHUB_OUTPUT lacks %q", w)
				}
			}
			if strings.Count(stdout.String(), tok) != 1 {
				t.Error("the token appears in the output beyond its mask")
			}
		})
	}
}
