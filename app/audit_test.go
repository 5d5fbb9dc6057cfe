package app

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pat-action/pat-action/policy"
)

// auditPlan manages one token: its policy warns at twice min-days-left (4
// days), and its stored value may be 30 days old.
const auditPlan = `version: 1
secrets:
  - name: RELEASE_PAT
    source: {type: token, env: NEW_PAT}
    policy: {required-scopes: [repo], allowed-scopes: [repo, workflow], min-days-left: 2}
    max-age: 30d
    targets: [{repository: acme/api}, {repository: acme/web}]
`

// An audit holds a token source's token to its policy's expiry window and
// its stored values to the max age, writes nothing, and exits 1 when the
// token expires within the window, fails its policy, or a value is stale
// or missing.
func TestAuditTokenSource(t *testing.T) {
	tests := []struct {
		name    string
		tok     string        // the token source's variable; "" leaves it unset
		stored  time.Duration // how long ago both values were stored; 0 stores none in acme/web
		code    int
		expiry  policy.Expiry
		targets map[string]string
		text    string // the human report says so
	}{
		{"fresh token, fresh values", classicTok, 5 * 24 * time.Hour, 0, policy.ExpiryOK,
			map[string]string{"repo:acme/api": "fresh", "repo:acme/web": "fresh"}, "within max-age 30d"},
		{"token expiring within the window only warns", expiringTok, 5 * 24 * time.Hour, 0, policy.ExpiryWarning,
			map[string]string{"repo:acme/api": "fresh", "repo:acme/web": "fresh"}, "policy passed"},
		{"token fails its policy", broadTok, 5 * 24 * time.Hour, 1, policy.ExpiryOK,
			map[string]string{"repo:acme/api": "fresh", "repo:acme/web": "fresh"}, "FAILED"},
		{"values older than max-age", classicTok, 40 * 24 * time.Hour, 1, policy.ExpiryOK,
			map[string]string{"repo:acme/api": "stale", "repo:acme/web": "stale"}, "older than max-age 30d"},
		{"token not at hand: only ages", "", 40 * 24 * time.Hour, 1, "",
			map[string]string{"repo:acme/api": "stale", "repo:acme/web": "stale"}, "older than max-age 30d"},
		{"a value missing", classicTok, 0, 1, policy.ExpiryOK,
			map[string]string{"repo:acme/api": "fresh", "repo:acme/web": "missing"}, "missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := rotateWorld(t)
			w.emu.SetSecret("repo:acme/api", "RELEASE_PAT", []byte("x"), testNow.Add(-max(tt.stored, time.Hour)))
			if tt.stored > 0 {
				w.emu.SetSecret("repo:acme/web", "RELEASE_PAT", []byte("x"), testNow.Add(-tt.stored))
			}
			env := map[string]string{"GH_TOKEN": adminTok}
			if tt.tok != "" {
				env["NEW_PAT"] = tt.tok
			}
			plan := writePlan(t, auditPlan)
			res, _ := runRotation(t, []string{"audit", "--api-url", w.apiURL, "--config", plan, "--json"}, env, false)
			if res.code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", res.code, tt.code, res.stderr)
			}
			var rep struct {
				Policy  policy.Result  `json:"policy"`
				Secrets []SecretResult `json:"secrets"`
				Sources []struct {
					Name   string         `json:"name"`
					MaxAge string         `json:"max_age"`
					Policy *policy.Result `json:"policy"`
				} `json:"sources"`
			}
			if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
				t.Fatalf("stdout is not a JSON report: %v", err)
			}
			got := map[string]string{}
			for _, s := range rep.Secrets {
				got[s.Target] = s.Result
			}
			if diff := cmp.Diff(tt.targets, got); diff != "" {
				t.Errorf("targets (-want +got):\n%s", diff)
			}
			if len(rep.Sources) != 1 || rep.Sources[0].MaxAge != "30d" || rep.Sources[0].Policy == nil {
				t.Fatalf("sources %+v, want RELEASE_PAT with max-age 30d and a policy result", rep.Sources)
			}
			if e := rep.Sources[0].Policy.Expiry; e != tt.expiry {
				t.Errorf("expiry %q, want %q", e, tt.expiry)
			}
			if rep.Policy.Passed != (tt.code == 0) {
				t.Errorf("policy passed %v, want %v", rep.Policy.Passed, tt.code == 0)
			}
			if !strings.Contains(res.stderr, tt.text) {
				t.Errorf("stderr does not say %q:\n%s", tt.text, res.stderr)
			}
			for _, r := range w.emu.Requests() {
				if isWrite(r) {
					t.Errorf("an audit sent %s %s", r.Method, r.Path)
				}
			}
			if tt.tok != "" {
				assertNoLeak(t, tt.tok, map[string]string{"stdout": res.stdout, "stderr": res.stderr})
			}
		})
	}
}

// In a workflow the audit reads the token source's variable from the
// environment the step's env: sets, and masks it first.
func TestAuditAction(t *testing.T) {
	w := rotateWorld(t)
	for _, c := range []string{"repo:acme/api", "repo:acme/web"} {
		w.emu.SetSecret(c, "RELEASE_PAT", []byte("x"), testNow.Add(-time.Hour))
	}
	env := map[string]string{
		"GITHUB_ACTIONS": "true", "INPUT_MODE": "audit", "INPUT_ADMIN-TOKEN": adminTok, "INPUT_API-URL": w.apiURL,
		"INPUT_CONFIG": writePlan(t, auditPlan), "NEW_PAT": expiringTok, "GITHUB_REPOSITORY": "acme/api",
	}
	res, _ := runRotation(t, nil, env, false)
	if res.code != 0 {
		t.Fatalf("exit %d, want 0 (the token expires within its window: a warning); stdout:\n%s", res.code, res.stdout)
	}
	if strings.Contains(res.stdout, "::error") || strings.Contains(res.stdout, "FAILED") {
		t.Errorf("a warning alone shows as a failure:\n%s", res.stdout)
	}
	if !strings.HasPrefix(res.stdout, "::add-mask::") {
		t.Error("stdout does not start with add-mask commands")
	}
	if !strings.Contains(res.stdout, "::add-mask::"+expiringTok) {
		t.Error("the token source's token was not masked")
	}
	if !strings.Contains(res.stdout, "::warning") || !strings.Contains(res.stdout, "RELEASE_PAT: expiry") {
		t.Errorf("no warning annotation for the expiring token:\n%s", res.stdout)
	}
	assertNoLeak(t, expiringTok, map[string]string{"stdout": res.stdout, "stderr": res.stderr})
}
