package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pat-action/pat-action/emulator"
)

// inventoryTok is a GitHub App installation token on acme that may list and
// revoke fine-grained PATs, review their requests and list SAML
// authorizations.
const inventoryTok = "ghs_inventory000000000000000000000000000"

// weakAppTok is an installation token without the PAT permissions.
const weakAppTok = "ghs_weak00000000000000000000000000000000"

func inventoryTokens() []emulator.Token {
	return append(storeTokens(),
		emulator.Token{Value: inventoryTok, Login: "inventory[bot]", ExpiresAt: testNow.Add(time.Hour), Permissions: map[string]string{
			"organization_personal_access_tokens": "write", "organization_personal_access_token_requests": "write", "organization_administration": "read"}},
		emulator.Token{Value: weakAppTok, Login: "weak[bot]", ExpiresAt: testNow.Add(time.Hour), Permissions: map[string]string{"metadata": "read"}})
}

func days(n int) time.Time { return testNow.Add(time.Duration(n) * 24 * time.Hour) }

// seeded are the ids of the inventory tokensWorld seeds.
type seeded struct {
	good, long, never, soon, admin, idle, unused, request, classic int64
}

// tokensWorld is an organization with one fine-grained PAT per rule to
// break, a pending request, a classic PAT and an SSH key authorized for
// SAML.
func tokensWorld(t *testing.T) (*world, seeded) {
	t.Helper()
	w := newWorld(t, emulator.Options{}, inventoryTokens()...)
	t.Cleanup(func() { assertGitHubOperations(t, w) })
	read := map[string]map[string]string{"repository": {"contents": "read", "metadata": "read"}}
	grant := func(owner string, p emulator.GrantedPAT) int64 {
		p.Org, p.Owner, p.TokenName = "acme", owner, owner+"-token"
		if p.Permissions == nil {
			p.Permissions = read
		}
		if p.AccessGrantedAt.IsZero() {
			p.AccessGrantedAt = days(-10)
		}
		return w.emu.AddGrantedPAT(p)
	}
	var s seeded
	s.good = grant("ana", emulator.GrantedPAT{ExpiresAt: days(60), LastUsedAt: days(-1)})
	s.long = grant("bo", emulator.GrantedPAT{ExpiresAt: days(400)})
	s.never = grant("cy", emulator.GrantedPAT{})
	s.soon = grant("di", emulator.GrantedPAT{ExpiresAt: days(3)})
	s.admin = grant("ed", emulator.GrantedPAT{ExpiresAt: days(60), Permissions: map[string]map[string]string{"repository": {"administration": "write"}}})
	s.idle = grant("flo", emulator.GrantedPAT{ExpiresAt: days(60), LastUsedAt: days(-100)})
	s.unused = grant("gus", emulator.GrantedPAT{ExpiresAt: days(60), AccessGrantedAt: days(-100)})
	s.request = w.emu.AddPATRequest(emulator.PATRequest{Org: "acme", Owner: "hal", TokenName: "hal-token", Reason: "deploys", ExpiresAt: days(60), CreatedAt: days(-1),
		Permissions: map[string]map[string]string{"organization": {"organization_secrets": "read"}}})
	s.classic = w.emu.AddCredentialAuthorization(emulator.CredentialAuthorization{Org: "acme", Login: "ivy", Token: classicTok, Scopes: []string{"repo"},
		AuthorizedAt: days(-10), AccessedAt: days(-1), ExpiresAt: days(60)})
	w.emu.AddCredentialAuthorization(emulator.CredentialAuthorization{Org: "acme", Login: "ivy", Type: "SSH key", AuthorizedAt: days(-10)})
	return w, s
}

// tokensJSON is the part of the JSON report tokens tests assert.
type tokensJSON struct {
	Tokens []struct {
		Kind    string   `json:"kind"`
		ID      int64    `json:"id"`
		Owner   string   `json:"owner"`
		Passed  bool     `json:"passed"`
		Reasons []string `json:"reasons"`
		Action  string   `json:"action"`
	} `json:"tokens"`
	Summary  struct{ Total, Failed, Revoked, Denied int } `json:"summary"`
	SAML     string                                       `json:"saml"`
	Problems []Problem                                    `json:"problems"`
}

// sent is a transport that records each request as the client sends it:
// the emulator records a request only after answering it, so its record of
// a run's last request may lag behind the run's end.
type sent struct {
	mu   sync.Mutex
	reqs []emulator.Request
}

func (s *sent) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.reqs = append(s.reqs, emulator.Request{Method: r.Method, Path: r.URL.Path, Authorized: r.Header.Get("Authorization") != ""})
	s.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// count is how many requests of method to a path ending in suffix were sent.
func (s *sent) count(method, suffix string) int {
	n := 0
	for _, r := range s.reqs {
		if r.Method == method && strings.HasSuffix(r.Path, suffix) {
			n++
		}
	}
	return n
}

// runSent runs pat-action with retries that do not wait, recording what it
// sends.
func runSent(t *testing.T, args []string, env map[string]string, stdin string) (result, *sent) {
	t.Helper()
	var out, errb bytes.Buffer
	tr := &sent{}
	rt := runtime{
		getenv: func(k string) string { return env[k] },
		stdin:  strings.NewReader(stdin),
		stdout: &out, stderr: &errb,
		now:       func() time.Time { return testNow },
		sleep:     (&sleeper{}).sleep,
		transport: tr,
	}
	code := rt.run(context.Background(), args)
	return result{code: code, stdout: out.String(), stderr: errb.String()}, tr
}

func runInventory(t *testing.T, w *world, env map[string]string, args ...string) (result, tokensJSON) {
	t.Helper()
	res, rep, _ := runInventorySent(t, w, env, args...)
	return res, rep
}

func runInventorySent(t *testing.T, w *world, env map[string]string, args ...string) (result, tokensJSON, *sent) {
	t.Helper()
	if env == nil {
		env = map[string]string{"PAT_ACTION_ADMIN_TOKEN": inventoryTok}
	}
	res, tr := runSent(t, append([]string{"tokens", "--organization", "acme", "--api-url", w.apiURL, "--json"}, args...), env, "")
	var rep tokensJSON
	if res.code != exitUsage {
		if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
			t.Fatalf("JSON report: %v\nstderr: %s", err, res.stderr)
		}
	}
	return res, rep, tr
}

// failing maps each failing token's id to its reasons' rule names.
func (r tokensJSON) failing() map[int64]string {
	out := map[int64]string{}
	for _, tk := range r.Tokens {
		if tk.Passed {
			continue
		}
		var rules []string
		for _, reason := range tk.Reasons {
			rule, _, _ := strings.Cut(reason, ":")
			rules = append(rules, rule)
		}
		out[tk.ID] = strings.Join(rules, ",")
	}
	return out
}

func (r tokensJSON) actions() map[int64]string {
	out := map[int64]string{}
	for _, tk := range r.Tokens {
		if tk.Action != "none" {
			out[tk.ID] = tk.Action
		}
	}
	return out
}

// Each policy rule fails exactly the tokens that break it.
func TestTokensRules(t *testing.T) {
	_, s := tokensWorld(t)
	off := "--min-days-left=0"
	tests := []struct {
		name string
		args []string
		want func(s seeded) map[int64]string
	}{
		{"min-days-left by default", nil, func(s seeded) map[int64]string { return map[int64]string{s.soon: "min-days-left"} }},
		{"max-lifetime-days", []string{off, "--max-lifetime-days", "90"}, func(s seeded) map[int64]string {
			return map[int64]string{s.long: "max-lifetime-days", s.never: "max-lifetime-days"}
		}},
		{"require-expiration", []string{off, "--require-expiration"}, func(s seeded) map[int64]string { return map[int64]string{s.never: "require-expiration"} }},
		{"forbidden-permissions write and read", []string{off, "--forbidden-permissions", "administration:write, organization_secrets:read"}, func(s seeded) map[int64]string {
			return map[int64]string{s.admin: "forbidden-permissions", s.request: "forbidden-permissions"}
		}},
		{"forbidden-permissions write spares read", []string{off, "--forbidden-permissions", "contents:write"}, func(s seeded) map[int64]string { return map[int64]string{} }},
		{"forbidden-scopes through a parent", []string{off, "--forbidden-scopes", "public_repo"}, func(s seeded) map[int64]string { return map[int64]string{s.classic: "forbidden-scopes"} }},
		{"max-idle-days", []string{off, "--max-idle-days", "30"}, func(s seeded) map[int64]string {
			return map[int64]string{s.idle: "max-idle-days", s.unused: "max-idle-days"}
		}},
		{"allowed-token-types", []string{off, "--allowed-token-types", "fine-grained"}, func(s seeded) map[int64]string { return map[int64]string{s.classic: "allowed-token-types"} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, s := tokensWorld(t)
			res, rep := runInventory(t, w, nil, tt.args...)
			want := tt.want(s)
			wantCode := exitPolicy
			if len(want) == 0 {
				wantCode = exitOK
			}
			if res.code != wantCode {
				t.Errorf("exit %d, want %d\nstderr: %s", res.code, wantCode, res.stderr)
			}
			if d := cmp.Diff(want, rep.failing()); d != "" {
				t.Errorf("failing tokens (-want +got)\n%s", d)
			}
			if rep.Summary.Total != 9 || rep.Summary.Failed != len(want) || rep.SAML != "listed" {
				t.Errorf("summary %+v, saml %q: want 9 tokens (the SSH key left out), %d failed, saml listed", rep.Summary, rep.SAML, len(want))
			}
			for _, r := range w.emu.Requests() {
				if r.Method != "GET" {
					t.Errorf("enforce report sent %s %s", r.Method, r.Path)
				}
			}
		})
	}
	_ = s
}

// Each enforce mode deals with exactly the failing tokens it owns, and a dry
// run says what it would do and changes nothing.
func TestTokensEnforce(t *testing.T) {
	policy := []string{"--min-days-left=0", "--forbidden-permissions", "administration:write,organization_secrets:read"}
	tests := []struct {
		name        string
		args        []string
		code        int
		actions     func(s seeded) map[int64]string
		revoked     bool // the admin grant is gone
		denied      bool // the request was denied
		wantPosts   int
		wantRevoked int
	}{
		{"report", []string{"--enforce", "report"}, exitPolicy, func(s seeded) map[int64]string { return map[int64]string{} }, false, false, 0, 0},
		{"deny-requests", []string{"--enforce", "deny-requests"}, exitPolicy, func(s seeded) map[int64]string { return map[int64]string{s.request: "denied"} }, false, true, 1, 0},
		{"revoke", []string{"--enforce", "revoke"}, exitOK, func(s seeded) map[int64]string {
			return map[int64]string{s.request: "denied", s.admin: "revoked"}
		}, true, true, 2, 1},
		{"revoke dry run", []string{"--enforce", "revoke", "--dry-run"}, exitPolicy, func(s seeded) map[int64]string {
			return map[int64]string{s.request: "would-deny", s.admin: "would-revoke"}
		}, false, false, 0, 0},
		{"deny-requests dry run", []string{"--enforce", "deny-requests", "--dry-run"}, exitPolicy, func(s seeded) map[int64]string { return map[int64]string{s.request: "would-deny"} }, false, false, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, s := tokensWorld(t)
			res, rep, tr := runInventorySent(t, w, nil, append(policy, tt.args...)...)
			if res.code != tt.code {
				t.Errorf("exit %d, want %d\nstderr: %s", res.code, tt.code, res.stderr)
			}
			if d := cmp.Diff(tt.actions(s), rep.actions()); d != "" {
				t.Errorf("actions (-want +got)\n%s", d)
			}
			granted := w.emu.GrantedPATs("acme")
			stillGranted := false
			for _, id := range granted {
				stillGranted = stillGranted || id == s.admin
			}
			if stillGranted == tt.revoked || len(granted) != 7-map[bool]int{true: 1}[tt.revoked] {
				t.Errorf("grants left %v: admin grant %d revoked = %v, want %v, and no other grant touched", granted, s.admin, !stillGranted, tt.revoked)
			}
			reqs := w.emu.PATRequests("acme")
			if got := reqs[0].Status == "denied"; got != tt.denied || (tt.denied && !strings.Contains(reqs[0].DenyReason, "policy")) {
				t.Errorf("request status %q (reason %q), want denied %v with a reason", reqs[0].Status, reqs[0].DenyReason, tt.denied)
			}
			posts := tr.count("POST", "")
			if posts != tt.wantPosts || rep.Summary.Revoked != tt.wantRevoked {
				t.Errorf("%d POSTs and %d revoked, want %d and %d", posts, rep.Summary.Revoked, tt.wantPosts, tt.wantRevoked)
			}
		})
	}
}

// many seeds n fine-grained PATs on acme; failing ones never expire.
func many(t *testing.T, n int, failing func(i int) bool) *world {
	t.Helper()
	w := newWorld(t, emulator.Options{}, inventoryTokens()...)
	t.Cleanup(func() { assertGitHubOperations(t, w) })
	for i := range n {
		p := emulator.GrantedPAT{Org: "acme", Owner: fmt.Sprintf("user%04d", i), AccessGrantedAt: days(-1), ExpiresAt: days(60)}
		if failing(i) {
			p.ExpiresAt = time.Time{}
		}
		w.emu.AddGrantedPAT(p)
	}
	return w
}

// The inventory reads 100 tokens a page, and revokes 100 a request.
func TestTokensPagination(t *testing.T) {
	w := many(t, 250, func(i int) bool { return i%2 == 0 })
	res, rep, tr := runInventorySent(t, w, nil, "--require-expiration", "--enforce", "revoke", "--force")
	if res.code != exitOK {
		t.Fatalf("exit %d\nstderr: %s", res.code, res.stderr)
	}
	if rep.Summary.Total != 250 || rep.Summary.Failed != 125 || rep.Summary.Revoked != 125 {
		t.Errorf("summary %+v, want 250 listed, 125 failed and revoked", rep.Summary)
	}
	if n := tr.count("GET", "/personal-access-tokens"); n != 3 {
		t.Errorf("%d list requests for 250 tokens, want 3 pages", n)
	}
	if n := tr.count("POST", "/personal-access-tokens"); n != 2 {
		t.Errorf("%d revoke requests for 125 tokens, want 2 batches", n)
	}
	if left := len(w.emu.GrantedPATs("acme")); left != 125 {
		t.Errorf("%d grants left, want the 125 that pass", left)
	}
}

// A policy that fails more tokens than max-revocations revokes none,
// unless forced or the cap is raised.
func TestTokensRevocationCap(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		code    int
		revoked int
	}{
		{"default cap of 20", nil, exitPolicy, 0},
		{"cap raised", []string{"--max-revocations", "25"}, exitOK, 25},
		{"forced", []string{"--force"}, exitOK, 25},
		{"dry run over the cap says so too", []string{"--dry-run"}, exitPolicy, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := many(t, 30, func(i int) bool { return i < 25 })
			res, rep, tr := runInventorySent(t, w, nil, append([]string{"--require-expiration", "--enforce", "revoke"}, tt.args...)...)
			if res.code != tt.code {
				t.Errorf("exit %d, want %d\nstderr: %s", res.code, tt.code, res.stderr)
			}
			if rep.Summary.Revoked != tt.revoked || len(w.emu.GrantedPATs("acme")) != 30-tt.revoked {
				t.Errorf("revoked %d (%d grants left), want %d", rep.Summary.Revoked, len(w.emu.GrantedPATs("acme")), tt.revoked)
			}
			if tt.revoked == 0 {
				if n := tr.count("POST", "/personal-access-tokens"); n != 0 {
					t.Errorf("%d revoke requests over the cap, want none", n)
				}
				if !strings.Contains(res.stderr, "more than max-revocations (20)") {
					t.Errorf("stderr does not name the cap:\n%s", res.stderr)
				}
				for id, a := range rep.actions() {
					t.Errorf("token %d: action %s over the cap, want none", id, a)
				}
			}
		})
	}
}

// An organization without SAML answers 404 on its credential
// authorizations: reported as such, not as a failure.
func TestTokensNoSAML(t *testing.T) {
	w := newWorld(t, emulator.Options{}, inventoryTokens()...)
	w.emu.AddGrantedPAT(emulator.GrantedPAT{Org: "acme", Owner: "ana", ExpiresAt: days(60)})
	res, rep, tr := runInventorySent(t, w, nil)
	if res.code != exitOK || rep.SAML != "none" || rep.Summary.Total != 1 {
		t.Errorf("exit %d, saml %q, %d tokens: want 0, none, 1\nstderr: %s", res.code, rep.SAML, rep.Summary.Total, res.stderr)
	}
	if !strings.Contains(res.stderr, "no SAML single sign-on") {
		t.Errorf("stderr does not say there is no SAML:\n%s", res.stderr)
	}
	if n := tr.count("GET", "/credential-authorizations"); n != 1 {
		t.Errorf("%d SAML list requests, want 1", n)
	}
}

// The admin token must be a GitHub App's: a PAT is refused before any
// request, and an installation without the permissions is an API failure
// that says what GitHub wants.
func TestTokensAdmin(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		msg  string
	}{
		{"classic PAT", map[string]string{"PAT_ACTION_ADMIN_TOKEN": adminTok}, nil, exitUsage, "the admin token is a classic token, and GitHub lists an organization's tokens to GitHub Apps alone"},
		{"fine-grained PAT", map[string]string{"GH_TOKEN": fineTok}, nil, exitUsage, "the admin token is a fine-grained token"},
		{"OAuth token", map[string]string{"PAT_ACTION_ADMIN_TOKEN": "gho_" + strings.Repeat("k", 36)}, nil, exitUsage, "the admin token is an oauth token"},
		{"none", map[string]string{}, nil, exitUsage, "no admin token: give a GitHub App installation token"},
		{"no organization", map[string]string{"PAT_ACTION_ADMIN_TOKEN": inventoryTok}, []string{"--organization="}, exitUsage, "organization is required"},
		{"unknown permission", map[string]string{"PAT_ACTION_ADMIN_TOKEN": inventoryTok}, []string{"--forbidden-permissions", "adminstration:write"}, exitUsage, `unknown permission "adminstration" (did you mean "administration"?)`},
		{"bad enforce", map[string]string{"PAT_ACTION_ADMIN_TOKEN": inventoryTok}, []string{"--enforce", "delete"}, exitUsage, `enforce "delete": want report, deny-requests or revoke`},
		{"app id without key", map[string]string{"PAT_ACTION_APP_ID": "12345"}, nil, exitUsage, "app-id or client-id without a private key"},
		{"installation without the permissions", map[string]string{"PAT_ACTION_ADMIN_TOKEN": weakAppTok}, nil, exitPartial, "GitHub serves this to a GitHub App installed on the organization"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, emulator.Options{}, inventoryTokens()...)
			res := run(t, append([]string{"tokens", "--organization", "acme", "--api-url", w.apiURL}, tt.args...), tt.env, "")
			if res.code != tt.code || !strings.Contains(res.stderr, tt.msg) {
				t.Errorf("exit %d, want %d with %q\nstderr: %s", res.code, tt.code, tt.msg, res.stderr)
			}
			if n := len(w.emu.Requests()); tt.code == exitUsage && n != 0 {
				t.Errorf("%d requests on bad input, want none", n)
			}
		})
	}
}

// installInventoryApp installs the test App on acme, with access to the
// organization's fine-grained PATs and their requests (read or write), and
// returns its private key in PEM form.
func installInventoryApp(t *testing.T, w *world, access string) string {
	t.Helper()
	key, pemKey := testAppPEM(t)
	w.emu.AddApp(emulator.App{ID: appID, Slug: "inventory", PublicKey: &key.PublicKey})
	w.emu.AddInstallation(emulator.Installation{ID: 88, AppID: appID, Account: "acme", Permissions: map[string]string{
		"organization_personal_access_tokens": access, "organization_personal_access_token_requests": access, "organization_administration": "read"}})
	return pemKey
}

// With the App's id and key the command mints its own installation token
// for the organization, as a plan's github-app source does.
func TestTokensMintsFromApp(t *testing.T) {
	w, s := tokensWorld(t)
	pemKey := installInventoryApp(t, w, "write")
	env := map[string]string{"PAT_ACTION_APP_ID": "12345", "PAT_ACTION_APP_PRIVATE_KEY": pemKey, "PAT_ACTION_ADMIN_TOKEN": adminTok}
	res, rep := runInventory(t, w, env, "--min-days-left=0", "--require-expiration")
	if res.code != exitPolicy || w.emu.MintedTokens() != 1 {
		t.Fatalf("exit %d, %d tokens minted: want 1 and 1\nstderr: %s", res.code, w.emu.MintedTokens(), res.stderr)
	}
	if d := cmp.Diff(map[int64]string{s.never: "require-expiration"}, rep.failing()); d != "" {
		t.Errorf("failing (-want +got)\n%s", d)
	}
}

// In a workflow: outputs, a summary table and an annotation per failing
// token.
func TestTokensAction(t *testing.T) {
	w, s := tokensWorld(t)
	r := newRunner(t, map[string]string{"mode": "tokens", "admin-token": inventoryTok, "organization": "acme", "api-url": w.apiURL,
		"min-days-left": "0", "forbidden-permissions": "administration:write,organization_secrets:read", "enforce": "revoke"})
	res := run(t, nil, r.env, "")
	if res.code != exitOK {
		t.Fatalf("exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	got := parseOutputs(t, r.read(t, r.outputFile))
	for name, want := range map[string]string{"tokens-total": "9", "tokens-failed": "2", "tokens-revoked": "1"} {
		if got[name] != want {
			t.Errorf("output %s = %q, want %q", name, got[name], want)
		}
	}
	summary := r.read(t, r.summary)
	for _, want := range []string{"| owner | kind | id | expires | last used | result | action |", fmt.Sprintf("| ed | fine-grained | %d | 2027-01-24 | never | ❌ forbidden-permissions: has administration:write", s.admin), "| revoked |"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
	for _, want := range []string{fmt.Sprintf("::warning::fine-grained token %d of ed fails the policy", s.admin), fmt.Sprintf("::warning::request token %d of hal fails the policy", s.request)} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("no annotation %q in:\n%s", want, res.stdout)
		}
	}
}

// check reads a fine-grained token's permissions from the organization
// when an App installation admin token may list them, and otherwise says
// plainly that GitHub does not let a token list its own.
func TestCheckFineGrainedPermissions(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		args  []string
		grant bool
		want  map[string]string
		msg   string
	}{
		{"from the organization", map[string]string{"GH_TOKEN": fineTok, "PAT_ACTION_ADMIN_TOKEN": inventoryTok}, []string{"--organization", "acme"}, true,
			map[string]string{"contents": "write", "metadata": "read"}, `pass permissions         read from acme (token "octocat-ci"): contents:write, metadata:read`},
		{"no organization", map[string]string{"GH_TOKEN": fineTok, "PAT_ACTION_ADMIN_TOKEN": inventoryTok}, nil, true,
			nil, "GitHub does not let a fine-grained token list its own permissions"},
		{"a PAT cannot read them", map[string]string{"GH_TOKEN": fineTok, "PAT_ACTION_ADMIN_TOKEN": adminTok}, []string{"--organization", "acme"}, true,
			nil, "GitHub does not let a fine-grained token list its own permissions"},
		{"not granted to the organization", map[string]string{"GH_TOKEN": fineTok, "PAT_ACTION_ADMIN_TOKEN": inventoryTok}, []string{"--organization", "acme"}, false,
			nil, "acme has no fine-grained token of octocat with this expiry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, emulator.Options{}, inventoryTokens()...)
			t.Cleanup(func() { assertGitHubOperations(t, w) })
			if tt.grant {
				w.emu.AddGrantedPAT(emulator.GrantedPAT{Org: "acme", Owner: "octocat", TokenName: "octocat-ci", ExpiresAt: days(30),
					Permissions: map[string]map[string]string{"repository": {"contents": "write", "metadata": "read"}}})
				w.emu.AddGrantedPAT(emulator.GrantedPAT{Org: "acme", Owner: "octocat", TokenName: "other", ExpiresAt: days(31)})
			}
			res := run(t, append([]string{"check", "--api-url", w.apiURL, "--json"}, tt.args...), tt.env, "")
			if res.code != exitOK {
				t.Fatalf("exit %d\nstderr: %s", res.code, res.stderr)
			}
			var rep struct {
				Token struct {
					Permissions map[string]string `json:"permissions"`
				} `json:"token"`
			}
			if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, rep.Token.Permissions); d != "" {
				t.Errorf("permissions (-want +got)\n%s", d)
			}
			if !strings.Contains(res.stderr, tt.msg) {
				t.Errorf("stderr does not say %q:\n%s", tt.msg, res.stderr)
			}
		})
	}
}

// GitHub Enterprise Server has the fine-grained PAT lists but no SAML
// credential authorizations: the inventory says so and does not ask.
func TestTokensGHES(t *testing.T) {
	w := newWorld(t, emulator.Options{GHES: true}, inventoryTokens()...)
	t.Cleanup(func() { assertGitHubOperations(t, w) })
	w.emu.AddGrantedPAT(emulator.GrantedPAT{Org: "acme", Owner: "ana"})
	res, rep, tr := runInventorySent(t, w, nil, "--require-expiration")
	if res.code != exitPolicy || rep.SAML != "unavailable" || rep.Summary.Failed != 1 {
		t.Errorf("exit %d, saml %q, summary %+v: want 1, unavailable, 1 failed\nstderr: %s", res.code, rep.SAML, rep.Summary, res.stderr)
	}
	if n := tr.count("GET", "/credential-authorizations"); n != 0 {
		t.Errorf("%d SAML list requests on GHES, want none", n)
	}
	if !strings.Contains(res.stderr, "GitHub Enterprise Server has no SAML credential authorizations") {
		t.Errorf("stderr does not say why classic tokens are not listed:\n%s", res.stderr)
	}
}

// A revocation GitHub keeps failing leaves the tokens as they were, says
// so, and exits 3: running again is safe. The denials still go.
func TestTokensRevocationFails(t *testing.T) {
	w, s := tokensWorld(t)
	w.emu.Inject(emulator.Fault{Op: "POST /orgs/{org}/personal-access-tokens", Kind: emulator.Status5xx, Status: 500, Count: 50})
	res, rep := runInventory(t, w, nil, "--min-days-left=0", "--forbidden-permissions", "administration:write,organization_secrets:read", "--enforce", "revoke")
	if res.code != exitPartial || !strings.Contains(res.stderr, "revoke tokens [") {
		t.Errorf("exit %d, want 3 naming the revocation\nstderr: %s", res.code, res.stderr)
	}
	if d := cmp.Diff(map[int64]string{s.request: "denied"}, rep.actions()); d != "" {
		t.Errorf("actions (-want +got)\n%s", d)
	}
	if len(w.emu.GrantedPATs("acme")) != 7 {
		t.Errorf("a grant was revoked although GitHub failed")
	}
}

// In a workflow with an App's key, every line of the key, the JWT and the
// minted token are masked before anything else is printed, and shown
// nowhere.
func TestTokensActionAppKeyNoLeak(t *testing.T) {
	w, _ := tokensWorld(t)
	pemKey := installInventoryApp(t, w, "read")
	r := newRunner(t, map[string]string{"mode": "tokens", "organization": "acme", "api-url": w.apiURL, "app-id": "12345", "private-key": pemKey, "pacing": "off"})
	res := run(t, nil, r.env, "")
	if res.code != exitPolicy {
		t.Fatalf("exit %d, want 1 (one token expires within 7 days)\n%s", res.code, res.stdout)
	}
	masks := masksFirst(t, res.stdout)
	var secrets []string
	for _, line := range strings.Split(pemKey, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "-----") {
			secrets = append(secrets, line)
			if !masks[line] {
				t.Errorf("a line of the private key is not masked")
			}
		}
	}
	minted, jwts := 0, 0
	for m := range masks {
		switch {
		case strings.HasPrefix(m, "ghs_"):
			minted++
			secrets = append(secrets, m)
		case strings.Count(m, ".") == 2 && strings.HasPrefix(m, "eyJ"):
			jwts++
			secrets = append(secrets, m)
		}
	}
	if minted != 1 || jwts != 1 || w.emu.MintedTokens() != 1 {
		t.Errorf("%d minted tokens and %d JWTs masked (%d minted): want 1 and 1", minted, jwts, w.emu.MintedTokens())
	}
	texts := map[string]string{"stdout": res.stdout, "stderr": res.stderr, "outputs": r.read(t, r.outputFile), "summary": r.read(t, r.summary)}
	for _, v := range secrets {
		assertNoLeak(t, v, texts)
	}
}

// An App that may list fine-grained PATs but not the SAML authorizations
// still holds the fine-grained tokens to the policy, and exits 3 naming
// what it could not list.
func TestTokensSAMLListFails(t *testing.T) {
	const noAdmin = "ghs_noadmin0000000000000000000000000000"
	w, s := tokensWorld(t)
	w.emu.AddToken(emulator.Token{Value: noAdmin, ExpiresAt: testNow.Add(time.Hour), Permissions: map[string]string{
		"organization_personal_access_tokens": "read", "organization_personal_access_token_requests": "read"}})
	res, rep := runInventory(t, w, map[string]string{"PAT_ACTION_ADMIN_TOKEN": noAdmin})
	if res.code != exitPartial || rep.SAML != "failed" || !strings.Contains(res.stderr, "list the SAML credential authorizations of acme") {
		t.Errorf("exit %d, saml %q: want 3, failed, naming the list\nstderr: %s", res.code, rep.SAML, res.stderr)
	}
	if d := cmp.Diff(map[int64]string{s.soon: "min-days-left"}, rep.failing()); d != "" || rep.Summary.Total != 8 {
		t.Errorf("%d tokens; failing (-want +got)\n%s", rep.Summary.Total, d)
	}
}

// A revocation or denial whose answer is lost was done: the batch is
// looked up (its tokens gone from the list) and reported done, not resent
// into a 404 and reported failed.
func TestTokensEnforceAnswerLost(t *testing.T) {
	for _, op := range []string{"POST /orgs/{org}/personal-access-tokens", "POST /orgs/{org}/personal-access-token-requests"} {
		t.Run(op, func(t *testing.T) {
			w, s := tokensWorld(t)
			w.emu.Inject(emulator.Fault{Op: op, Kind: emulator.LostAnswer})
			res, rep, tr := runInventorySent(t, w, nil, "--min-days-left=0", "--forbidden-permissions", "administration:write,organization_secrets:read", "--enforce", "revoke")
			if res.code != exitOK {
				t.Errorf("exit %d, want 0\nstderr: %s", res.code, res.stderr)
			}
			if n := w.emu.FaultsFired(emulator.LostAnswer); n != 1 {
				t.Fatalf("the lost answer fired %d times, want 1", n)
			}
			if d := cmp.Diff(map[int64]string{s.request: "denied", s.admin: "revoked"}, rep.actions()); d != "" {
				t.Errorf("actions (-want +got)\n%s", d)
			}
			if posts := tr.count("POST", ""); posts != 2 {
				t.Errorf("%d POSTs, want 2: the lost one is looked up, not resent", posts)
			}
		})
	}
}

// GitHub shows 10 annotations of a kind a step and drops the rest without
// a word: 25 failing tokens make 9 error annotations and a tenth that
// counts the other 16, while the log and the job summary name all 25.
func TestTokensAnnotationsCapped(t *testing.T) {
	tests := []struct {
		failing, wantErrors int
		wantMore            string
	}{
		{10, 10, ""},
		{25, 10, "::error::16 more errors, not shown as annotations (GitHub shows 10 a step)"},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.failing), func(t *testing.T) {
			w := many(t, 30, func(i int) bool { return i < tt.failing })
			r := newRunner(t, map[string]string{"mode": "tokens", "admin-token": inventoryTok, "organization": "acme", "api-url": w.apiURL, "require-expiration": "true"})
			res := run(t, nil, r.env, "")
			if res.code != exitPolicy {
				t.Fatalf("exit %d, want %d\n%s%s", res.code, exitPolicy, res.stdout, res.stderr)
			}
			errs := 0
			for _, line := range strings.Split(res.stdout, "\n") {
				if strings.HasPrefix(line, "::error::") {
					errs++
				}
			}
			if errs != tt.wantErrors || !strings.Contains(res.stdout, tt.wantMore) {
				t.Errorf("%d error annotations, want %d ending with %q:\n%s", errs, tt.wantErrors, tt.wantMore, res.stdout)
			}
			if tt.wantMore == "" && strings.Contains(res.stdout, "not shown as annotations") {
				t.Errorf("%d failing tokens, as many as GitHub shows, yet one annotation says more are not shown:\n%s", tt.failing, res.stdout)
			}
			summary := r.read(t, r.summary)
			for i := range tt.failing {
				if owner := fmt.Sprintf("| user%04d |", i); !strings.Contains(summary, owner) || !strings.Contains(res.stdout, fmt.Sprintf("user%04d", i)) {
					t.Errorf("the summary or the log does not name failing token owner user%04d", i)
				}
			}
		})
	}
}
