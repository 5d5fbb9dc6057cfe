package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pat-action/pat-action/emulator"
)

// An unwritable GITHUB_OUTPUT or job summary is exit 3 with a message that
// names it, never a panic (go-githubactions panics on a failed write) and
// never exit 2 once GitHub was contacted. A file that cannot be opened is
// found before any request; one that fails only when written (/dev/full)
// is found after the run, which then exits 3.
func TestUnwritableCommandFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "a-directory"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, devFullErr := os.Stat("/dev/full")
	tests := []struct {
		name     string
		env      string // GITHUB_OUTPUT or GITHUB_STEP_SUMMARY
		path     string
		mode     map[string]string
		requests bool // whether GitHub is contacted before the failure
		want     []string
		devFull  bool
	}{
		{name: "outputs file is a directory", env: "GITHUB_OUTPUT", path: filepath.Join(dir, "a-directory"),
			want: []string{"GITHUB_OUTPUT (the step's outputs) cannot be written", "nothing was sent to GitHub"}},
		{name: "summary in a missing directory", env: "GITHUB_STEP_SUMMARY", path: filepath.Join(dir, "missing", "summary"),
			want: []string{"GITHUB_STEP_SUMMARY (the job summary) cannot be written", "no such file or directory"}},
		{name: "store with the outputs file a directory", env: "GITHUB_OUTPUT", path: filepath.Join(dir, "a-directory"),
			mode: map[string]string{"mode": "store", "secret-name": "PAT", "repositories": "acme/api"},
			want: []string{"GITHUB_OUTPUT", "cannot be written"}},
		{name: "outputs file full", env: "GITHUB_OUTPUT", path: "/dev/full", requests: true, devFull: true,
			want: []string{"write the step's outputs or job summary", "no space left on device"}},
		{name: "summary file full after a store", env: "GITHUB_STEP_SUMMARY", path: "/dev/full", requests: true, devFull: true,
			mode: map[string]string{"mode": "store", "secret-name": "PAT", "repositories": "acme/api"},
			want: []string{"write the step's outputs or job summary", "no space left on device"}},
		{name: "summary in a missing directory, tokens", env: "GITHUB_STEP_SUMMARY", path: filepath.Join(dir, "missing", "summary"),
			mode: map[string]string{"mode": "tokens", "organization": "acme", "admin-token": inventoryTok},
			want: []string{"GITHUB_STEP_SUMMARY (the job summary) cannot be written", "nothing was sent to GitHub"}},
		{name: "summary in a missing directory, rotate", env: "GITHUB_STEP_SUMMARY", path: filepath.Join(dir, "missing", "summary"),
			mode: map[string]string{"mode": "rotate", "config": "$PLAN"},
			want: []string{"GITHUB_STEP_SUMMARY (the job summary) cannot be written", "nothing was sent to GitHub"}},
		{name: "summary file full after a rotation", env: "GITHUB_STEP_SUMMARY", path: "/dev/full", requests: true, devFull: true,
			mode: map[string]string{"mode": "rotate", "config": "$PLAN"},
			want: []string{"write the step's outputs or job summary", "no space left on device"}},
		{name: "summary file full after an audit", env: "GITHUB_STEP_SUMMARY", path: "/dev/full", requests: true, devFull: true,
			mode: map[string]string{"mode": "audit", "config": "$PLAN"},
			want: []string{"write the step's outputs or job summary", "no space left on device"}},
		{name: "summary file full after the tokens inventory", env: "GITHUB_STEP_SUMMARY", path: "/dev/full", requests: true, devFull: true,
			mode: map[string]string{"mode": "tokens", "organization": "acme", "admin-token": inventoryTok},
			want: []string{"write the step's outputs or job summary", "no space left on device"}},
		{name: "outputs file full after the tokens inventory", env: "GITHUB_OUTPUT", path: "/dev/full", requests: true, devFull: true,
			mode: map[string]string{"mode": "tokens", "organization": "acme", "admin-token": inventoryTok},
			want: []string{"write the step's outputs or job summary", "no space left on device"}},
	}
	plan := writePlan(t, planOf(randomSecret("PAT", "acme/api")))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.devFull && devFullErr != nil {
				t.Skip("no /dev/full on this system")
			}
			w := newWorld(t, emulator.Options{}, inventoryTokens()...)
			in := map[string]string{"token": classicTok, "api-url": w.apiURL, "pacing": "off"}
			for k, v := range tt.mode {
				in[k] = strings.ReplaceAll(v, "$PLAN", plan)
			}
			r := newRunner(t, in)
			r.env[tt.env] = tt.path
			var res result
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("the run panicked: %v", p)
					}
				}()
				res = run(t, nil, r.env, "")
			}()
			if res.code != exitPartial {
				t.Errorf("exit %d, want 3\nstdout:\n%s", res.code, res.stdout)
			}
			for _, s := range tt.want {
				if !strings.Contains(res.stdout, "::error::") || !strings.Contains(res.stdout, s) {
					t.Errorf("no error annotation says %q:\n%s", s, res.stdout)
				}
			}
			n := len(w.emu.Requests())
			switch {
			case tt.requests && n == 0:
				t.Error("no request was sent: the case does not reach the write it tests")
			case !tt.requests && n != 0:
				t.Errorf("%d requests sent, want 0: the file was not checked first", n)
			}
			assertNoLeak(t, classicTok, map[string]string{"stdout": res.stdout, "stderr": res.stderr})
		})
	}
}
