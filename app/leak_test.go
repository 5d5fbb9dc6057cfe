package app

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/pat-action/pat-action/emulator"
)

// echoing is a server in front of the emulator that, for the requests fail
// picks, answers status with every request header in the error text, as a
// misconfigured proxy or a debugging gateway does: Authorization included.
// It echoes the request's body too, and every value knows returns: a hostile
// server that holds the private key of the public key it handed out reads
// each sealed value, and may send it back.
func echoing(t *testing.T, emu *emulator.Server, status int, fail func(*http.Request) bool, knows func() []string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !fail(r) {
			emu.ServeHTTP(w, r)
			return
		}
		var names []string
		for name := range r.Header {
			names = append(names, name)
		}
		sort.Strings(names)
		var b strings.Builder
		b.WriteString("request refused; it carried")
		for _, name := range names {
			fmt.Fprintf(&b, " %s: %s;", name, strings.Join(r.Header[name], ", "))
		}
		body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		fmt.Fprintf(&b, " body: %s;", body)
		for _, v := range knows() {
			fmt.Fprintf(&b, " it knows: %s;", v)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{
			"message":           b.String(),
			"documentation_url": "https://proxy.example/debug?auth=" + r.Header.Get("Authorization"),
			"errors":            []map[string]string{{"resource": "Authorization", "code": "invalid", "message": r.Header.Get("Authorization")}},
		})
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// unredacted finds a credential after an Authorization scheme that is not
// "***": any token, JWT or installation token the run sent, whether the
// test knows its value or not.
var unredacted = regexp.MustCompile(`(?i)(authorization: *|auth=|message:)(token|bearer|basic) +[^*\s;",&]`)

// TestNoLeakWhenServersEchoHeaders runs every command from both front ends
// against servers that echo the request's headers, Authorization included,
// in their error texts, and scans every channel (stdout, stderr with the
// JSON report, GITHUB_OUTPUT, the job summary, annotations) for every
// secret of the run: the token, the admin token, token sources' tokens, the
// app's private key, and the values the run generated. A failure names the
// channel and the secret's label, never the secret.
func TestNoLeakWhenServersEchoHeaders(t *testing.T) {
	on := func(method, pathPart string) func(*http.Request) bool {
		return func(r *http.Request) bool {
			return (method == "" || r.Method == method) && strings.Contains(r.URL.Path, pathPart)
		}
	}
	tests := []struct {
		name    string
		command string
		action  bool
		status  int
		fail    func(*http.Request) bool
		// rotation runs the full plan in rotationWorld; plan is another
		// plan's text.
		rotation bool
		plan     string
		flags    []string
		inputs   map[string]string
		// env replaces or adds to the run's environment (the CLI's, and
		// the action's besides its inputs).
		env      map[string]string
		wantCode int
	}{
		{name: "check, 403 on the token's probe", command: "check", status: 403, fail: on("GET", "/user"), wantCode: exitPartial},
		{name: "check, 500 on the token's probe", command: "check", action: true, status: 500, fail: on("GET", "/user"), wantCode: exitPartial},
		{name: "check, 500 on a repository's reach", command: "check", status: 500, fail: on("GET", "/repos/acme/web"),
			flags: []string{"--repositories", "acme/api,acme/web"}, inputs: map[string]string{"repositories": "acme/api,acme/web"}, wantCode: exitPolicy},
		{name: "store, 403 on one write", command: "store", status: 403, fail: on("PUT", "/repos/acme/web/"),
			flags: []string{"--secret-name", "PAT", "--repositories", "acme/api,acme/web"}, wantCode: exitPartial},
		{name: "store, 500 on one write", command: "store", action: true, status: 500, fail: on("PUT", "/repos/acme/web/"),
			inputs: map[string]string{"secret-name": "PAT", "repositories": "acme/api,acme/web"}, wantCode: exitPartial},
		{name: "store, 422 on the public key", command: "store", status: 422, fail: on("GET", "/public-key"),
			flags: []string{"--secret-name", "PAT", "--organization", "acme"}, wantCode: exitPartial},
		{name: "rotate, 403 on every write to acme/web", command: "rotate", rotation: true, status: 403, fail: on("", "/repos/acme/web/"), wantCode: exitPartial},
		{name: "rotate, 403 on every write to acme/web", command: "rotate", action: true, rotation: true, status: 403, fail: on("", "/repos/acme/web/"), wantCode: exitPartial},
		{name: "rotate, 403 on minting the app's token", command: "rotate", rotation: true, status: 403, fail: on("POST", "/access_tokens"), wantCode: exitPartial},
		{name: "rotate, 502 on the deploy key", command: "rotate", action: true, rotation: true, status: 502, fail: on("", "/keys"), wantCode: exitPartial},
		{name: "audit, 403 on reading secrets", command: "audit", plan: auditPlan, status: 403, fail: on("GET", "/secrets"), wantCode: exitPartial},
		{name: "audit, 403 on reading secrets", command: "audit", action: true, plan: auditPlan, status: 403, fail: on("GET", "/secrets"), wantCode: exitPartial},
		{name: "tokens, 403 on the organization's token list", command: "tokens", status: 403, fail: on("GET", "/personal-access-tokens"),
			flags: []string{"--organization", "acme"}, inputs: map[string]string{"organization": "acme", "admin-token": inventoryTok},
			env: map[string]string{"PAT_ACTION_ADMIN_TOKEN": inventoryTok}, wantCode: exitPartial},
		{name: "tokens, 403 on the organization's token list", command: "tokens", action: true, status: 403, fail: on("GET", "/personal-access-tokens"),
			inputs: map[string]string{"organization": "acme", "admin-token": inventoryTok}, wantCode: exitPartial},
		{name: "store, 422 on revoking the previous token", command: "store", status: 422, fail: on("POST", "/credentials/revoke"),
			flags: []string{"--secret-name", "PAT", "--repositories", "acme/api"}, env: map[string]string{"PAT_ACTION_PREVIOUS_TOKEN": previousTok}, wantCode: exitPartial},
		{name: "store, 422 on revoking the previous token", command: "store", action: true, status: 422, fail: on("POST", "/credentials/revoke"),
			inputs: map[string]string{"secret-name": "PAT", "repositories": "acme/api", "previous-token": previousTok}, wantCode: exitPartial},
		{name: "audit of an organization, 500 on listing repositories", command: "audit", status: 500, fail: on("GET", "/orgs/acme"),
			flags: []string{"--organization", "acme", "--max-age", "90d"}, inputs: map[string]string{"organization": "acme", "max-age": "90d"}, wantCode: exitPartial},
	}
	for _, tt := range tests {
		front := "cli"
		if tt.action {
			front = "action"
		}
		t.Run(front+": "+tt.name, func(t *testing.T) {
			w, appKey := rotationWorld(t)
			w.emu.AddToken(emulator.Token{Value: inventoryTok, Login: "inventory[bot]", Permissions: map[string]string{"organization_personal_access_tokens": "write"}})
			// The plaintexts of the values the run generated, as a server
			// that can unseal them knows them.
			var echoedValue atomic.Bool
			// rotate and audit of a plan are given the state key, which
			// never leaves the runner: the hostile server knows it
			// anyway, so that the test sees it redacted.
			stateKeyed := tt.rotation || tt.plan != ""
			generated := func() []string {
				var out []string
				for _, c := range [][2]string{{"repo:acme/api", "WEBHOOK_SECRET"}, {"repo:acme/web", "WEBHOOK_SECRET"}, {"repo:acme/api", "BOT_TOKEN"}, {"repo:acme/web", "INFRA_DEPLOY_KEY"}} {
					if v, ok := w.emu.SecretValue(c[0], c[1]); ok {
						out = append(out, string(v))
					}
				}
				echoedValue.Store(echoedValue.Load() || len(out) > 0)
				if stateKeyed {
					out = append(out, theStateKey)
				}
				return out
			}
			apiURL := echoing(t, w.emu, tt.status, tt.fail, generated)
			// Every secret of the run, by label.
			secrets := map[string]string{"the token": classicTok, "the admin token": adminTok, "the inventory token": inventoryTok, "the previous token": previousTok,
				"the state key": theStateKey}
			env := map[string]string{"NEW_PAT": classicTok, "APP_KEY": appKey}
			plan := tt.plan
			if tt.rotation {
				plan = fullPlan
			}
			for i, line := range strings.Split(appKey, "\n") {
				if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "-----") {
					secrets[fmt.Sprintf("line %d of the app's private key", i+1)] = line
				}
			}
			var res result
			texts := map[string]string{}
			if tt.action {
				in := map[string]string{"mode": tt.command, "token": classicTok, "admin-token": adminTok, "api-url": apiURL, "pacing": "off"}
				if plan != "" {
					in["config"] = writePlan(t, plan)
				}
				for k, v := range tt.inputs {
					in[k] = v
				}
				if stateKeyed {
					in["state-key"] = theStateKey
				}
				r := newRunner(t, in)
				for k, v := range env {
					r.env[k] = v
				}
				for k, v := range tt.env {
					r.env[k] = v
				}
				res, _ = runRotation(t, nil, r.env, false)
				texts["GITHUB_OUTPUT"] = r.read(t, r.outputFile)
				texts["GITHUB_STEP_SUMMARY"] = r.read(t, r.summary)
				// Annotations are workflow commands on stdout.
				var ann []string
				for _, line := range strings.Split(res.stdout, "\n") {
					if strings.HasPrefix(line, "::error") || strings.HasPrefix(line, "::warning") || strings.HasPrefix(line, "::notice") {
						ann = append(ann, line)
					}
				}
				texts["annotations"] = strings.Join(ann, "\n")
			} else {
				env["GH_TOKEN"], env["PAT_ACTION_ADMIN_TOKEN"] = classicTok, adminTok
				if stateKeyed {
					env["PAT_ACTION_STATE_KEY"] = theStateKey
				}
				for k, v := range tt.env {
					env[k] = v
				}
				args := []string{tt.command, "--api-url", apiURL, "--json"}
				if tt.command != "check" {
					args = append(args, "--pacing", "off")
				}
				if plan != "" {
					args = append(args, "--config", writePlan(t, plan))
				}
				res, _ = runRotation(t, append(args, tt.flags...), env, false)
			}
			texts["stdout"], texts["stderr"] = res.stdout, res.stderr
			if res.code != tt.wantCode {
				t.Errorf("exit %d, want %d", res.code, tt.wantCode)
			}
			// The fault must have been met and reported: a run that never
			// saw the echo proves nothing.
			if !strings.Contains(res.stdout+res.stderr, "request refused; it carried") {
				t.Fatalf("no output carries the server's echo; the fault was not met\nstderr:\n%s", res.stderr)
			}
			if tt.rotation && !echoedValue.Load() {
				t.Errorf("the server echoed no generated value: the test proves nothing of them")
			}
			// The values the run generated, as the emulator holds them.
			for _, c := range []struct{ container, name, label string }{
				{"repo:acme/api", "WEBHOOK_SECRET", "the random value"},
				{"repo:acme/api", "BOT_TOKEN", "the minted installation token"},
				{"repo:acme/web", "INFRA_DEPLOY_KEY", "the deploy key"},
			} {
				v, ok := w.emu.SecretValue(c.container, c.name)
				if !ok {
					continue
				}
				for i, line := range strings.Split(string(v), "\n") {
					if line = strings.TrimSpace(line); len(line) >= minRedact && !strings.HasPrefix(line, "-----") {
						secrets[fmt.Sprintf("%s (line %d)", c.label, i+1)] = line
					}
				}
			}
			for channel, text := range texts {
				for label, secret := range secrets {
					for i, line := range strings.Split(text, "\n") {
						if strings.Contains(line, secret) && line != "::add-mask::"+secret {
							t.Errorf("%s leaks %s, line %d", channel, label, i+1)
						}
					}
				}
				for i, line := range strings.Split(text, "\n") {
					if !strings.HasPrefix(line, "::add-mask::") && unredacted.MatchString(line) {
						t.Errorf("%s, line %d, carries an Authorization credential that is not redacted", channel, i+1)
					}
				}
			}
		})
	}
}

// A proxy that echoes Authorization into a same-host redirect's Location,
// whose target then refuses with the query in its text, puts the token
// into the URL of the request that failed: go-github quotes that URL in its
// error. No channel of check, from either front end, carries the token.
func TestNoLeakThroughRedirectLocation(t *testing.T) {
	for _, action := range []bool{false, true} {
		t.Run(fmt.Sprintf("action %v", action), func(t *testing.T) {
			w := newWorld(t, emulator.Options{}, checkTokens()...)
			var echoed atomic.Bool
			srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				switch {
				case r.URL.Path != "/user":
					w.emu.ServeHTTP(rw, r)
				case r.URL.Query().Get("echo") == "":
					http.Redirect(rw, r, "/user?echo="+url.QueryEscape(r.Header.Get("Authorization")), http.StatusTemporaryRedirect)
				default:
					echoed.Store(strings.Contains(r.URL.Query().Get("echo"), classicTok))
					rw.Header().Set("Content-Type", "application/json")
					rw.WriteHeader(http.StatusUnauthorized)
					json.NewEncoder(rw).Encode(map[string]string{"message": "refused " + r.URL.RawQuery + " for " + r.URL.Query().Get("echo")})
				}
			}))
			t.Cleanup(srv.Close)
			var res result
			texts := map[string]string{}
			if action {
				r := newRunner(t, map[string]string{"token": classicTok, "api-url": srv.URL})
				res = run(t, nil, r.env, "")
				texts["GITHUB_OUTPUT"], texts["GITHUB_STEP_SUMMARY"] = r.read(t, r.outputFile), r.read(t, r.summary)
			} else {
				res = run(t, []string{"check", "--api-url", srv.URL, "--json"}, map[string]string{"GH_TOKEN": classicTok}, "")
			}
			texts["stdout"], texts["stderr"] = res.stdout, res.stderr
			if !echoed.Load() || res.code != exitPolicy {
				t.Fatalf("no output carries the server's echo; the fault was not met (exit %d)\n%s", res.code, res.stdout+res.stderr)
			}
			for channel, text := range texts {
				if strings.Contains(text, classicTok) && !strings.Contains(text, "::add-mask::"+classicTok) || strings.Contains(text, url.QueryEscape(classicTok)) && classicTok != url.QueryEscape(classicTok) {
					t.Errorf("%s leaks the token", channel)
				}
				for i, line := range strings.Split(text, "\n") {
					if !strings.HasPrefix(line, "::add-mask::") && strings.Contains(line, classicTok) {
						t.Errorf("%s, line %d, carries the token", channel, i+1)
					}
				}
			}
		})
	}
}
