package app

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pat-action/pat-action/emulator"
)

// appInputClientID is the client ID of rotationWorld's App, for sources
// that take the run's App.
const appInputClientID = "Iv23liAcmeBot00001"

// appInputPlan mints BOT_TOKEN with the App the run was given.
const appInputPlan = `version: 1
secrets:
  - name: BOT_TOKEN
    source: {type: github-app, input: app, installation: acme, permissions: {contents: write}}
    targets: [{repository: acme/api}]
`

// keyLines are the lines of a PEM key's body: each is masked on its own,
// and none may show anywhere else.
func keyLines(pemKey string) []string {
	var out []string
	for _, line := range strings.Split(pemKey, "\n") {
		if line != "" && !strings.HasPrefix(line, "-----") {
			out = append(out, line)
		}
	}
	return out
}

// A github-app source with input: app mints with the run's App: from the
// action's client-id or app-id and private-key inputs, or on the command
// line PAT_ACTION_CLIENT_ID, PAT_ACTION_APP_ID or --client-id, and
// PAT_ACTION_APP_PRIVATE_KEY or --app-private-key-file. The emulator mints
// only for a JWT its App signed; the stored value is that installation
// token, and the key shows nowhere but in add-mask commands.
func TestAppSourceInput(t *testing.T) {
	tests := []struct {
		name   string
		action bool
		// vars are inputs in the action, the environment on the command
		// line; "$KEY" is the App's PEM key.
		vars map[string]string
		// args are CLI flags; "$KEYFILE" is a file that holds the key.
		args []string
	}{
		{name: "action, client-id", action: true, vars: map[string]string{"client-id": appInputClientID, "private-key": "$KEY"}},
		{name: "action, app-id", action: true, vars: map[string]string{"app-id": "12345", "private-key": "$KEY"}},
		{name: "cli, PAT_ACTION_CLIENT_ID and PAT_ACTION_APP_PRIVATE_KEY", vars: map[string]string{"PAT_ACTION_CLIENT_ID": appInputClientID, "PAT_ACTION_APP_PRIVATE_KEY": "$KEY"}},
		{name: "cli, PAT_ACTION_APP_ID and --app-private-key-file", vars: map[string]string{"PAT_ACTION_APP_ID": "12345"}, args: []string{"--app-private-key-file", "$KEYFILE"}},
		{name: "cli, --client-id", vars: map[string]string{"PAT_ACTION_APP_PRIVATE_KEY": "$KEY"}, args: []string{"--client-id", appInputClientID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, appKey := rotationWorld(t)
			w.emu.AddApp(emulator.App{ID: appID, ClientID: appInputClientID, Slug: "acme-bot", PublicKey: appPublicKey(t, appKey)})
			plan := writePlan(t, appInputPlan)
			keyFile := filepath.Join(t.TempDir(), "app.pem")
			if err := os.WriteFile(keyFile, []byte(appKey), 0o600); err != nil {
				t.Fatal(err)
			}
			vars := map[string]string{}
			for k, v := range tt.vars {
				vars[k] = strings.ReplaceAll(v, "$KEY", appKey)
			}
			var res result
			texts := map[string]string{}
			if tt.action {
				inputs := map[string]string{"mode": "rotate", "admin-token": adminTok, "api-url": w.apiURL, "config": plan, "pacing": "off"}
				for k, v := range vars {
					inputs[k] = v
				}
				r := newRunner(t, inputs)
				res = run(t, nil, r.env, "")
				texts["outputs"], texts["summary"] = r.read(t, r.outputFile), r.read(t, r.summary)
				masks := masksFirst(t, res.stdout)
				for i, line := range keyLines(appKey) {
					if !masks[line] {
						t.Errorf("line %d of the private-key input is not masked first", i+1)
						break
					}
				}
			} else {
				vars["PAT_ACTION_ADMIN_TOKEN"] = adminTok
				args := []string{"rotate", "--api-url", w.apiURL, "--config", plan, "--pacing", "off"}
				for _, a := range tt.args {
					args = append(args, strings.ReplaceAll(a, "$KEYFILE", keyFile))
				}
				res = run(t, args, vars, "")
			}
			texts["stdout"], texts["stderr"] = res.stdout, res.stderr
			if res.code != exitOK {
				t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", res.code, unmasked(res.stdout), res.stderr)
			}
			bot, ok := w.emu.SecretValue("repo:acme/api", "BOT_TOKEN")
			if !ok || !strings.HasPrefix(string(bot), "ghs_") || w.emu.MintedTokens() != 1 {
				t.Fatalf("BOT_TOKEN stored %v, an installation token %v, %d minted (want 1)", ok, strings.HasPrefix(string(bot), "ghs_"), w.emu.MintedTokens())
			}
			// The stored value is the token the emulator minted: it, and
			// no made-up ghs_ string, reads the installation's repository.
			if code := getWith(t, w.apiURL+"/repos/acme/api", string(bot)); code != http.StatusOK {
				t.Errorf("the stored BOT_TOKEN reads acme/api with status %d, want 200 (a token the emulator minted)", code)
			}
			for _, line := range keyLines(appKey) {
				assertNoLeak(t, line, texts)
			}
			assertNoLeak(t, string(bot), texts)
		})
	}
}

// unmasked is stdout without its add-mask commands, which name the
// values, for a failure message.
func unmasked(stdout string) string {
	var out []string
	for _, line := range strings.Split(stdout, "\n") {
		if !strings.HasPrefix(line, "::add-mask::") {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// getWith sends GET url with tok and returns the status.
func getWith(t *testing.T, url, tok string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// An audit reads the run's App inputs too: they apply to it (no warning),
// and the key is masked first and shows nowhere.
func TestAppSourceInputAudit(t *testing.T) {
	w, appKey := rotationWorld(t)
	w.emu.SetSecret("repo:acme/api", "BOT_TOKEN", []byte("x"), testNow.Add(-time.Hour))
	r := newRunner(t, map[string]string{"mode": "audit", "admin-token": adminTok, "api-url": w.apiURL,
		"config": writePlan(t, appInputPlan), "pacing": "off", "client-id": appInputClientID, "private-key": appKey})
	res := run(t, nil, r.env, "")
	if res.code != exitOK {
		t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", res.code, unmasked(res.stdout), res.stderr)
	}
	if strings.Contains(res.stdout, "does not apply to mode audit") {
		t.Errorf("the App inputs are said not to apply to audit:\n%s", unmasked(res.stdout))
	}
	masks := masksFirst(t, res.stdout)
	texts := map[string]string{"stdout": res.stdout, "stderr": res.stderr, "summary": r.read(t, r.summary)}
	for _, line := range keyLines(appKey) {
		if !masks[line] {
			t.Error("the private-key input is not masked first")
		}
		assertNoLeak(t, line, texts)
	}
}

// A github-app source with input: app stops before any request when the
// run has no App ID or client ID, or no private key, or a key that does not
// parse, and says what to set in the front end's terms; the key shows
// nowhere.
func TestAppSourceInputMissing(t *testing.T) {
	_, pemKey := testAppPEM(t)
	badKey := "-----BEGIN RSA PRIVATE KEY-----\nbm90LWEta2V5LWJ1dC1zZWNyZXQ=\n-----END RSA PRIVATE KEY-----\n"
	const appInput = "secret BOT_TOKEN: its github-app source takes the run's App (input: app)"
	tests := []struct {
		name   string
		action bool
		vars   map[string]string
		want   []string
	}{
		{"action, no client-id", true, map[string]string{"private-key": pemKey},
			[]string{appInput + ", and the run was given no App ID or client ID: set the client-id (or app-id) input"}},
		{"action, no private-key", true, map[string]string{"client-id": appInputClientID},
			[]string{appInput + ", and the run was given no private key: set the private-key input to the App's PEM private key"}},
		{"action, a key that does not parse", true, map[string]string{"app-id": "12345", "private-key": badKey},
			[]string{"secret BOT_TOKEN: the run's App (input: app): the app's private key is not an RSA private key in PEM form"}},
		{"action, app-id and client-id", true, map[string]string{"app-id": "12345", "client-id": appInputClientID, "private-key": pemKey},
			[]string{"app-id and client-id both given"}},
		{"cli, no client id", false, map[string]string{"PAT_ACTION_APP_PRIVATE_KEY": pemKey},
			[]string{appInput + ", and the run was given no App ID or client ID: set PAT_ACTION_CLIENT_ID (or PAT_ACTION_APP_ID), or pass --client-id (or --app-id)"}},
		{"cli, no private key", false, map[string]string{"PAT_ACTION_APP_ID": "12345"},
			[]string{appInput + ", and the run was given no private key: set PAT_ACTION_APP_PRIVATE_KEY to the App's PEM private key, or pass --app-private-key-file FILE"}},
		{"cli, app id not a number", false, map[string]string{"PAT_ACTION_APP_ID": appInputClientID, "PAT_ACTION_APP_PRIVATE_KEY": pemKey},
			[]string{`app-id "` + appInputClientID + `": want the App's numeric id (or give client-id)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := rotateWorld(t)
			plan := writePlan(t, appInputPlan)
			var res result
			texts := map[string]string{}
			if tt.action {
				inputs := map[string]string{"mode": "rotate", "admin-token": adminTok, "api-url": w.apiURL, "config": plan}
				for k, v := range tt.vars {
					inputs[k] = v
				}
				r := newRunner(t, inputs)
				res = run(t, nil, r.env, "")
				texts["outputs"], texts["summary"] = r.read(t, r.outputFile), r.read(t, r.summary)
				masksFirst(t, res.stdout)
			} else {
				env := map[string]string{"PAT_ACTION_ADMIN_TOKEN": adminTok}
				for k, v := range tt.vars {
					env[k] = v
				}
				res = run(t, []string{"rotate", "--api-url", w.apiURL, "--config", plan}, env, "")
			}
			texts["stdout"], texts["stderr"] = res.stdout, res.stderr
			if res.code != exitUsage {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", res.code, exitUsage, unmasked(res.stdout), res.stderr)
			}
			for _, want := range tt.want {
				if !strings.Contains(res.stdout+res.stderr, want) {
					t.Errorf("the message does not say %q:\nstdout:\n%s\nstderr:\n%s", want, unmasked(res.stdout), res.stderr)
				}
			}
			if reqs := w.emu.Requests(); len(reqs) != 0 {
				t.Errorf("%d requests sent for bad input, want 0; the first: %s %s", len(reqs), reqs[0].Method, reqs[0].Path)
			}
			for _, k := range []string{pemKey, badKey} {
				for _, line := range keyLines(k) {
					assertNoLeak(t, line, texts)
				}
			}
		})
	}
}
