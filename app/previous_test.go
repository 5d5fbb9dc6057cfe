package app

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pat-action/pat-action/emulator"
)

// previousTok is the token a store replaces.
const previousTok = broadTok

const revokeOp = "POST /credentials/revoke"

// The previous token is revoked, without authentication as GitHub demands,
// only after every target holds the new one; otherwise it is kept.
func TestStorePreviousToken(t *testing.T) {
	tests := []struct {
		name    string
		flags   []string
		env     map[string]string
		fault   bool
		code    int
		result  string
		revoked bool
	}{
		{"every target written", []string{"--repositories", "acme/api,acme/web"}, nil, false, exitOK, "revoked", true},
		{"from a file", []string{"--repositories", "acme/api", "--previous-token-file", "-"}, map[string]string{}, false, exitOK, "revoked", true},
		{"a target failed", []string{"--repositories", "acme/api,acme/gone"}, nil, false, exitPartial, "kept", false},
		{"dry run", []string{"--repositories", "acme/api", "--dry-run"}, nil, false, exitOK, "would-revoke", false},
		{"the new token fails its policy", []string{"--repositories", "acme/api", "--required-scopes", "admin:org"}, nil, false, exitPolicy, "kept", false},
		{"revocation fails", []string{"--repositories", "acme/api"}, nil, true, exitPartial, "kept", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := storeWorld(t, emulator.Options{}, 0)
			env := map[string]string{"GH_TOKEN": classicTok, "PAT_ACTION_ADMIN_TOKEN": adminTok, "PAT_ACTION_PREVIOUS_TOKEN": previousTok}
			stdin := ""
			if tt.env != nil {
				delete(env, "PAT_ACTION_PREVIOUS_TOKEN")
				stdin = previousTok + "\n"
			}
			if tt.fault {
				w.emu.Inject(emulator.Fault{Op: revokeOp, Kind: emulator.Status5xx, Status: 500, Count: 20})
			}
			args := append([]string{"store", "--api-url", w.apiURL, "--json", "--pacing", "off", "--secret-name", "RELEASE_PAT"}, tt.flags...)
			res, tr := runSent(t, args, env, stdin)
			if res.code != tt.code {
				t.Fatalf("exit %d, want %d\nstderr: %s", res.code, tt.code, res.stderr)
			}
			var rep struct {
				PreviousToken string `json:"previous_token"`
			}
			if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
				t.Fatal(err)
			}
			if rep.PreviousToken != tt.result {
				t.Errorf("previous_token %q, want %q", rep.PreviousToken, tt.result)
			}
			if _, revoked := w.emu.RevokedCredentials(previousTok); revoked != tt.revoked {
				t.Errorf("previous token revoked = %v, want %v", revoked, tt.revoked)
			}
			lastWrite, revokeAt := -1, -1
			for i, r := range tr.reqs {
				switch {
				case strings.HasSuffix(r.Path, "/credentials/revoke"):
					if r.Authorized {
						t.Errorf("the revocation carried a token: GitHub refuses authenticated revocations")
					}
					if revokeAt < 0 {
						revokeAt = i
					}
				case isWrite(r):
					lastWrite = i
				}
			}
			if tt.revoked && revokeAt < lastWrite {
				t.Errorf("revocation (request %d) before the last write (request %d)", revokeAt, lastWrite)
			}
			if !tt.revoked && !tt.fault && revokeAt >= 0 {
				t.Errorf("a revocation was sent, want none")
			}
			assertNoLeak(t, previousTok, map[string]string{"stdout": res.stdout, "stderr": res.stderr})
		})
	}
}

// The previous token must be another token, and revocable.
func TestStorePreviousTokenBadInput(t *testing.T) {
	tests := []struct {
		name string
		prev string
		opts emulator.Options
		msg  string
	}{
		{"same as the new token", classicTok, emulator.Options{}, "the previous token is the token being stored"},
		{"not a token", "hunter2", emulator.Options{}, "previous token"},
		{"GHES", previousTok, emulator.Options{GHES: true}, "GitHub Enterprise Server has no credential revocation API"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := storeWorld(t, tt.opts, 0)
			env := map[string]string{"PAT_ACTION_TOKEN": classicTok, "PAT_ACTION_ADMIN_TOKEN": adminTok, "PAT_ACTION_PREVIOUS_TOKEN": tt.prev}
			res := run(t, []string{"store", "--api-url", w.apiURL, "--secret-name", "RELEASE_PAT", "--repositories", "acme/api"}, env, "")
			if res.code != exitUsage || !strings.Contains(res.stderr, tt.msg) {
				t.Errorf("exit %d, want 2 with %q\nstderr: %s", res.code, tt.msg, res.stderr)
			}
			if n := len(w.emu.Requests()); n != 0 {
				t.Errorf("%d requests, want none", n)
			}
			assertNoLeak(t, tt.prev, map[string]string{"stderr": res.stderr})
		})
	}
}

// In a workflow the previous token is masked first and the result is an
// output.
func TestStorePreviousTokenAction(t *testing.T) {
	w := storeWorld(t, emulator.Options{}, 0)
	r := newRunner(t, map[string]string{"mode": "store", "token": classicTok, "admin-token": adminTok, "previous-token": previousTok,
		"api-url": w.apiURL, "secret-name": "RELEASE_PAT", "repositories": "acme/api", "pacing": "off"})
	res := run(t, nil, r.env, "")
	if res.code != exitOK {
		t.Fatalf("exit %d\n%s", res.code, res.stdout)
	}
	if !masksFirst(t, res.stdout)[previousTok] {
		t.Errorf("the previous token was not masked before anything was printed")
	}
	if got := parseOutputs(t, r.read(t, r.outputFile))["previous-token"]; got != "revoked" {
		t.Errorf("output previous-token = %q, want revoked", got)
	}
	assertNoLeak(t, previousTok, map[string]string{"stdout": res.stdout, "summary": r.read(t, r.summary)})
}
