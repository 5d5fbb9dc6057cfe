package app

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pat-action/pat-action/emulator"
)

var testNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// world is one emulated GitHub for one test, with the tokens it knows.
type world struct {
	emu    *emulator.Server
	srv    *httptest.Server
	apiURL string
}

func newWorld(t *testing.T, opts emulator.Options, toks ...emulator.Token) *world {
	t.Helper()
	opts.Now = func() time.Time { return testNow }
	emu := emulator.New(opts)
	emu.AddOrg("acme")
	for _, n := range []string{"api", "web"} {
		emu.AddRepo(emulator.Repo{Owner: "acme", Name: n, Environments: []string{"production"}})
	}
	for _, tk := range toks {
		emu.AddToken(tk)
	}
	srv, apiURL := emu.Start()
	t.Cleanup(srv.Close)
	w := &world{emu: emu, srv: srv, apiURL: apiURL}
	t.Cleanup(func() {
		if u := emu.Unknown(); len(u) > 0 {
			t.Errorf("requests for operations the emulator does not serve: %v", u)
		}
	})
	return w
}

// result is what one run of pat-action left behind.
type result struct {
	code           int
	stdout, stderr string
}

// run runs pat-action as a process would, with env as its whole environment.
// rotate and audit keep their state as withStateRepo says.
func run(t *testing.T, args []string, env map[string]string, stdin string) result {
	t.Helper()
	if _, set := env["GITHUB_REPOSITORY"]; !set && len(args) > 0 && (args[0] == "rotate" || args[0] == "audit") &&
		!slices.ContainsFunc(args, func(a string) bool {
			return strings.HasPrefix(a, "--state-repository") || strings.HasPrefix(a, "--organization")
		}) {
		args = append(slices.Clone(args), "--state-repository", "acme/api")
	}
	var out, errb bytes.Buffer
	rt := runtime{
		getenv: func(k string) string { return env[k] },
		stdin:  strings.NewReader(stdin),
		stdout: &out, stderr: &errb,
		now: func() time.Time { return testNow },
	}
	code := rt.run(context.Background(), args)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// withStateRepo gives rotate and audit on the command line a state
// repository, acme/api, unless the test names one or sets GITHUB_REPOSITORY
// (even empty).
func withStateRepo(args []string, env map[string]string) []string {
	if _, set := env["GITHUB_REPOSITORY"]; !set && len(args) > 0 && (args[0] == "rotate" || args[0] == "audit") &&
		!slices.ContainsFunc(args, func(a string) bool {
			return strings.HasPrefix(a, "--state-repository") || strings.HasPrefix(a, "--organization")
		}) {
		args = append(slices.Clone(args), "--state-repository", "acme/api")
	}
	return args
}

// assertNoLeak fails when a secret shows anywhere but in an add-mask command.
// It never prints the secret.
func assertNoLeak(t *testing.T, secret string, outputs map[string]string) {
	t.Helper()
	for name, text := range outputs {
		for i, line := range strings.Split(text, "\n") {
			if strings.Contains(line, secret) && line != "::add-mask::"+secret {
				t.Errorf("the token appears in %s, line %d", name, i+1)
			}
		}
	}
}

const (
	classicTok  = "ghp_least0000000000000000000000000000000"
	broadTok    = "ghp_broad0000000000000000000000000000000"
	expiringTok = "ghp_expiring00000000000000000000000000000"
	neverTok    = "ghp_never00000000000000000000000000000000"
	fineTok     = "github_pat_11AAAAAAA0fine000000000000000000000000000000000000000000000000000000000000000"
	appTok      = "ghs_app0000000000000000000000000000000000"
)

func checkTokens() []emulator.Token {
	return []emulator.Token{
		{Value: classicTok, Login: "octocat", Scopes: []string{"repo", "workflow"}, ExpiresAt: testNow.Add(60 * 24 * time.Hour)},
		{Value: broadTok, Login: "octocat", Scopes: []string{"repo", "workflow", "admin:org", "delete_repo"}, ExpiresAt: testNow.Add(60 * 24 * time.Hour)},
		{Value: expiringTok, Login: "octocat", Scopes: []string{"repo"}, ExpiresAt: testNow.Add(3*24*time.Hour + time.Hour)},
		{Value: neverTok, Login: "octocat", Scopes: []string{"repo"}},
		{Value: fineTok, Login: "octocat", ExpiresAt: testNow.Add(30 * 24 * time.Hour), Repos: []string{"acme/api"}, Permissions: map[string]string{"metadata": "read"}},
		{Value: appTok, Login: "acme-bot[bot]", ExpiresAt: testNow.Add(time.Hour), Repos: []string{"acme/api"}, Permissions: map[string]string{"metadata": "read"}},
	}
}

// jsonReport is the part of the JSON report a check test asserts.
type jsonReport struct {
	Token struct {
		Type      string   `json:"type"`
		Login     string   `json:"login"`
		Scopes    []string `json:"scopes"`
		ExpiresAt *string  `json:"expires_at"`
		DaysLeft  *int     `json:"days_left"`
	} `json:"token"`
	Policy struct {
		Passed          bool     `json:"passed"`
		MissingScopes   []string `json:"missing_scopes"`
		ExcessScopes    []string `json:"excess_scopes"`
		ForbiddenScopes []string `json:"forbidden_scopes"`
		Expiry          string   `json:"expiry"`
	} `json:"policy"`
}

type checkWant struct {
	Code     int
	Type     string
	Passed   bool
	Missing  []string
	Excess   []string
	Forbid   []string
	Expiry   string
	DaysLeft int // -1: null
}

func TestCheckCLI(t *testing.T) {
	tests := []struct {
		name     string
		token    string
		flags    []string
		want     checkWant
		requests int
		stderr   string
	}{
		{"least privilege passes", classicTok, []string{"--required-scopes", "repo,workflow"},
			checkWant{0, "classic", true, []string{}, []string{}, []string{}, "ok", 60}, 1, "policy passed"},
		{"over-broad fails with excess scopes", broadTok, []string{"--required-scopes", "repo,workflow"},
			checkWant{1, "classic", false, []string{}, []string{"admin:org", "delete_repo"}, []string{}, "ok", 60}, 1, "policy FAILED"},
		{"missing scope fails", classicTok, []string{"--required-scopes", "repo,workflow,admin:org"},
			checkWant{1, "classic", false, []string{"admin:org"}, []string{}, []string{}, "ok", 60}, 1, ""},
		{"forbidden through a parent", classicTok, []string{"--forbidden-scopes", "public_repo"},
			checkWant{1, "classic", false, []string{}, []string{}, []string{"repo"}, "ok", 60}, 1, ""},
		{"expiring within min-days-left fails", expiringTok, []string{"--min-days-left", "7"},
			checkWant{1, "classic", false, []string{}, []string{}, []string{}, "too-soon", 3}, 1, ""},
		{"expiring within twice min-days-left warns", expiringTok, []string{"--min-days-left", "2"},
			checkWant{0, "classic", true, []string{}, []string{}, []string{}, "warning", 3}, 1, ""},
		{"never expiring passes unless required", neverTok, nil,
			checkWant{0, "classic", true, []string{}, []string{}, []string{}, "none", -1}, 1, ""},
		{"require-expiration fails a never-expiring token", neverTok, []string{"--require-expiration"},
			checkWant{1, "classic", false, []string{}, []string{}, []string{}, "none", -1}, 1, ""},
		{"fine-grained: scope rules skipped, repository reached", fineTok, []string{"--required-scopes", "repo", "--repositories", "acme/api"},
			checkWant{0, "fine-grained", true, []string{}, []string{}, []string{}, "ok", 30}, 2, "carry no"},
		{"fine-grained: unreachable repository fails", fineTok, []string{"--repositories", "acme/api,acme/web"},
			checkWant{1, "fine-grained", false, []string{}, []string{}, []string{}, "ok", 30}, 3, "acme/web"},
		{"token type not allowed", fineTok, []string{"--allowed-token-types", "classic"},
			checkWant{1, "fine-grained", false, []string{}, []string{}, []string{}, "ok", 30}, 1, ""},
		{"app token is short-lived by design", appTok, []string{"--min-days-left", "7", "--repositories", "acme/api"},
			checkWant{0, "app", true, []string{}, []string{}, []string{}, "ok", 0}, 2, ""},
		// A scope policy that cannot apply never passes vacuously.
		{"fine-grained: required-scopes without repositories fails", fineTok, []string{"--required-scopes", "repo,workflow"},
			checkWant{1, "fine-grained", false, []string{}, []string{}, []string{}, "ok", 30}, 1, "required-scopes cannot be checked and nothing would be: give repositories the token must reach"},
		{"fine-grained: forbidden-scopes without repositories fails", fineTok, []string{"--forbidden-scopes", "delete_repo"},
			checkWant{1, "fine-grained", false, []string{}, []string{}, []string{}, "ok", 30}, 1, "forbidden-scopes cannot be checked"},
		{"fine-grained: allowed-scopes without repositories fails", fineTok, []string{"--allowed-scopes", "repo"},
			checkWant{1, "fine-grained", false, []string{}, []string{}, []string{}, "ok", 30}, 1, "allowed-scopes cannot be checked"},
		{"app: required-scopes without repositories fails", appTok, []string{"--required-scopes", "repo"},
			checkWant{1, "app", false, []string{}, []string{}, []string{}, "ok", 0}, 1, "App tokens carry no OAuth scopes, so required-scopes cannot be checked"},
		{"fine-grained: scope rules stand aside for reach", fineTok, []string{"--required-scopes", "repo", "--repositories", "acme/api"},
			checkWant{0, "fine-grained", true, []string{}, []string{}, []string{}, "ok", 30}, 2, "the repositories the token must reach are checked instead"},
		// max-lifetime-days mirrors an organization's PAT lifetime policy.
		{"max-lifetime-days fails a token that lives longer", classicTok, []string{"--max-lifetime-days", "30"},
			checkWant{1, "classic", false, []string{}, []string{}, []string{}, "ok", 60}, 1, "beyond max-lifetime-days (30 days)"},
		{"max-lifetime-days passes a token within it", classicTok, []string{"--max-lifetime-days", "90"},
			checkWant{0, "classic", true, []string{}, []string{}, []string{}, "ok", 60}, 1, "within max-lifetime-days (90 days)"},
		{"max-lifetime-days fails a token that never expires", neverTok, []string{"--max-lifetime-days", "365"},
			checkWant{1, "classic", false, []string{}, []string{}, []string{}, "none", -1}, 1, "never expires, but max-lifetime-days"},
		{"min-days-left at its bound fails a 30-day token", fineTok, []string{"--min-days-left", "3650"},
			checkWant{1, "fine-grained", false, []string{}, []string{}, []string{}, "too-soon", 30}, 1, "within min-days-left (3650 days)"},
		{"revoked token fails", "ghp_revoked000000000000000000000000000000", nil,
			checkWant{1, "classic", false, []string{}, []string{}, []string{}, "", -1}, 1, "invalid, expired or revoked token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, emulator.Options{}, checkTokens()...)
			args := append([]string{"check", "--api-url", w.apiURL, "--json"}, tt.flags...)
			res := run(t, args, map[string]string{"GH_TOKEN": tt.token}, "")
			var rep jsonReport
			if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
				t.Fatalf("stdout is not a JSON report: %v\nstderr: %s", err, res.stderr)
			}
			got := checkWant{res.code, rep.Token.Type, rep.Policy.Passed, rep.Policy.MissingScopes, rep.Policy.ExcessScopes,
				rep.Policy.ForbiddenScopes, rep.Policy.Expiry, -1}
			if rep.Token.DaysLeft != nil {
				got.DaysLeft = *rep.Token.DaysLeft
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("check (-want +got):\n%s\nstderr:\n%s", diff, res.stderr)
			}
			if n := len(w.emu.Requests()); n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
			if !strings.Contains(res.stderr, tt.stderr) {
				t.Errorf("stderr does not mention %q:\n%s", tt.stderr, res.stderr)
			}
			assertNoLeak(t, tt.token, map[string]string{"stdout": res.stdout, "stderr": res.stderr})
		})
	}
}

func TestCheckUsageErrors(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		args  []string
		stdin string
		want  string
	}{
		{"unknown scope suggests the nearest", nil, []string{"--required-scopes", "repos"}, "", `did you mean "repo"`},
		{"negative min-days-left", nil, []string{"--min-days-left", "-1"}, "", "min-days-left"},
		// 106752 days overflowed a duration and passed a 30-day token.
		{"min-days-left that would overflow", map[string]string{"GH_TOKEN": fineTok}, []string{"--min-days-left", "106752"}, "", "min-days-left 106752: want a number of days from 0 to 3650"},
		{"min-days-left not a number", nil, []string{"--min-days-left", "soon"}, "", "min-days-left"},
		{"http to a remote host", nil, []string{"--api-url", "http://github.example.com/api/v3"}, "", "http:// is allowed only for loopback"},
		{"bad token type", nil, []string{"--allowed-token-types", "clasic"}, "", "allowed-token-types"},
		{"bad repository", nil, []string{"--repositories", "acme"}, "", "repositories"},
		{"empty token", map[string]string{"GH_TOKEN": ""}, nil, "", "token"},
		{"token with a newline (header injection)", map[string]string{"GH_TOKEN": classicTok + "\nX-Evil: 1"}, nil, "", "token"},
		{"token as an argument", nil, []string{classicTok}, "", "never arguments"},
		{"unknown flag", nil, []string{"--tokens", "x"}, "", "flag provided but not defined"},
		{"token as a flag value", nil, []string{"--token", classicTok}, "", "tokens are never flag values"},
		{"token as a flag value with =", nil, []string{"--token=" + classicTok}, "", "PAT_ACTION_TOKEN, GH_TOKEN or GITHUB_TOKEN, or pass --token-file"},
		{"admin token as a flag value", nil, []string{"-admin-token", classicTok}, "", "PAT_ACTION_ADMIN_TOKEN, or pass --admin-token-file"},
		{"bad boolean", nil, []string{"--require-expiration=maybe"}, "", "require-expiration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, emulator.Options{}, checkTokens()...)
			env := tt.env
			if env == nil {
				env = map[string]string{"GH_TOKEN": classicTok}
			}
			args := []string{"check", "--api-url", w.apiURL}
			if len(tt.args) > 0 && strings.HasPrefix(tt.args[0], "--api-url") {
				args = []string{"check"}
			}
			res := run(t, append(args, tt.args...), env, tt.stdin)
			if res.code != 2 {
				t.Errorf("exit %d, want 2; stderr:\n%s", res.code, res.stderr)
			}
			if !strings.Contains(res.stderr, tt.want) {
				t.Errorf("stderr does not name %q:\n%s", tt.want, res.stderr)
			}
			if n := len(w.emu.Requests()); n != 0 {
				t.Errorf("%d requests sent for bad input, want 0", n)
			}
			assertNoLeak(t, classicTok, map[string]string{"stdout": res.stdout, "stderr": res.stderr})
		})
	}
}

// The CLI reads its token where gh does: GH_TOKEN and GITHUB_TOKEN for
// github.com, GH_ENTERPRISE_TOKEN and GITHUB_ENTERPRISE_TOKEN for a GitHub
// Enterprise Server api-url, so that a token exported for github.com is
// never sent to another server.
func TestTokenSources(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "tok")
	if err := os.WriteFile(file, []byte(classicTok+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		ghes  bool
		env   map[string]string
		flags []string
		stdin string
		// wantErr, when set, is the usage error's text: exit 2, no request.
		wantErr string
	}{
		{"PAT_ACTION_TOKEN wins", false, map[string]string{"PAT_ACTION_TOKEN": classicTok, "GH_TOKEN": "ghp_wrong", "GITHUB_TOKEN": "ghp_wrong"}, nil, "", ""},
		{"GH_TOKEN before GITHUB_TOKEN", false, map[string]string{"GH_TOKEN": classicTok, "GITHUB_TOKEN": "ghp_wrong"}, nil, "", ""},
		{"GITHUB_TOKEN", false, map[string]string{"GITHUB_TOKEN": classicTok}, nil, "", ""},
		{"token file", false, map[string]string{"GH_TOKEN": "ghp_wrong"}, []string{"--token-file", file}, "", ""},
		{"token on stdin", false, nil, []string{"--token-file", "-"}, classicTok + "\n", ""},
		{"github.com ignores the enterprise token", false, map[string]string{"GH_ENTERPRISE_TOKEN": classicTok}, nil, "", "no token"},
		{"GHES: PAT_ACTION_TOKEN wins", true, map[string]string{"PAT_ACTION_TOKEN": classicTok, "GH_ENTERPRISE_TOKEN": "ghp_wrong"}, nil, "", ""},
		{"GHES: GH_ENTERPRISE_TOKEN before GITHUB_ENTERPRISE_TOKEN", true, map[string]string{"GH_ENTERPRISE_TOKEN": classicTok, "GITHUB_ENTERPRISE_TOKEN": "ghp_wrong", "GH_TOKEN": "ghp_wrong"}, nil, "", ""},
		{"GHES: GITHUB_ENTERPRISE_TOKEN", true, map[string]string{"GITHUB_ENTERPRISE_TOKEN": classicTok}, nil, "", ""},
		{"GHES: token file", true, map[string]string{"GH_TOKEN": "ghp_wrong"}, []string{"--token-file", file}, "", ""},
		{"GHES: github.com's GH_TOKEN is not sent", true, map[string]string{"GH_TOKEN": classicTok}, nil, "", "GH_TOKEN is set, but it is for github.com"},
		{"GHES: github.com's GITHUB_TOKEN is not sent", true, map[string]string{"GITHUB_TOKEN": classicTok}, nil, "", "GITHUB_TOKEN is set, but it is for github.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, emulator.Options{GHES: tt.ghes}, checkTokens()...)
			res := run(t, append([]string{"check", "--api-url", w.apiURL}, tt.flags...), tt.env, tt.stdin)
			if tt.wantErr == "" {
				if res.code != 0 {
					t.Errorf("exit %d, want 0 (the right token was not used); stderr:\n%s", res.code, res.stderr)
				}
				return
			}
			if res.code != exitUsage || !strings.Contains(res.stderr, tt.wantErr) {
				t.Errorf("exit %d, want %d saying %q; stderr:\n%s", res.code, exitUsage, tt.wantErr, res.stderr)
			}
			if n := len(w.emu.Requests()); n != 0 {
				t.Errorf("%d requests sent, want none", n)
			}
		})
	}
}

func TestCheckGHES(t *testing.T) {
	w := newWorld(t, emulator.Options{GHES: true, EnterpriseVersion: "3.21.2"}, checkTokens()...)
	if !strings.HasSuffix(w.apiURL, "/api/v3") {
		t.Fatalf("GHES api url %q", w.apiURL)
	}
	res := run(t, []string{"check", "--api-url", w.apiURL, "--json"}, map[string]string{"GH_ENTERPRISE_TOKEN": classicTok}, "")
	if res.code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", res.code, res.stderr)
	}
	var rep struct {
		Token struct {
			Version string `json:"enterprise_version"`
		} `json:"token"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Token.Version != "3.21.2" {
		t.Errorf("enterprise_version = %q, want 3.21.2", rep.Token.Version)
	}
}

// Which environment variable holds the token follows the api-url's host as
// gh reads it: github.com's GH_TOKEN and GITHUB_TOKEN for api.github.com,
// a GHE.com tenant and this machine (the emulator); GH_ENTERPRISE_TOKEN and
// GITHUB_ENTERPRISE_TOKEN for a GitHub Enterprise Server api-url (/api/v3)
// and any other host, where a github.com token alone is refused rather
// than sent.
func TestTokenEnvByHost(t *testing.T) {
	const com, ent = "ghp_com000000000000000000000000000000000", "ghp_ent000000000000000000000000000000000"
	tests := []struct {
		apiURL string
		want   string // the token read with both set; "" when none is read
		// refused is true when GH_TOKEN alone is refused.
		refused bool
	}{
		{"", com, false},
		{"https://api.github.com", com, false},
		{"https://API.GitHub.com/", com, false},
		{"https://api.acme.ghe.com", com, false},
		{"http://127.0.0.1:8080", com, false},
		{"http://localhost:8080/api/v3", ent, true}, // the emulator as GHES
		{"https://ghe.example.com/api/v3", ent, true},
		{"https://proxy.example.com", ent, true},
		{"https://api.github.com.evil.example", ent, true},
		{"https://ghe.com.evil.example", ent, true},
	}
	for _, tt := range tests {
		t.Run(tt.apiURL, func(t *testing.T) {
			env := map[string]string{"GH_TOKEN": com, "GH_ENTERPRISE_TOKEN": ent}
			rt := runtime{getenv: func(k string) string { return env[k] }}
			toks, err := rt.cliTokens(secretFiles{}, tt.apiURL)
			if err != nil || toks.token != tt.want {
				t.Errorf("with both set: read the %s token (err %v), want the %s one", which(toks.token), err, which(tt.want))
			}
			delete(env, "GH_ENTERPRISE_TOKEN")
			toks, err = rt.cliTokens(secretFiles{}, tt.apiURL)
			if refused := toks.token == ""; err != nil || refused != tt.refused || (refused && !strings.Contains(toks.unsent, "GH_TOKEN is set, but it is for github.com")) {
				t.Errorf("with GH_TOKEN alone: err %v, token %s, unsent %q; want refused %t", err, which(toks.token), toks.unsent, tt.refused)
			}
			env = map[string]string{"GH_ENTERPRISE_TOKEN": ent}
			toks, err = rt.cliTokens(secretFiles{}, tt.apiURL)
			if want := map[bool]string{true: ent}[tt.refused]; err != nil || toks.token != want {
				t.Errorf("with GH_ENTERPRISE_TOKEN alone: read the %s token (err %v), want the %s one", which(toks.token), err, which(want))
			}
		})
	}
}

// which names a token of TestTokenEnvByHost without printing it.
func which(tok string) string {
	switch {
	case tok == "":
		return "no"
	case strings.HasPrefix(tok, "ghp_com"):
		return "github.com"
	case strings.HasPrefix(tok, "ghp_ent"):
		return "enterprise"
	}
	return "unknown"
}

// github.com's GH_TOKEN, left unread for another server, is only an error
// when the run needs the token: a run on its admin token alone goes on.
func TestUnsentTokenOnlyWhenNeeded(t *testing.T) {
	w := newWorld(t, emulator.Options{GHES: true}, checkTokens()...)
	w.emu.AddOrg("acme")
	env := map[string]string{"GH_TOKEN": classicTok, "PAT_ACTION_ADMIN_TOKEN": adminTok}
	res := run(t, []string{"audit", "--api-url", w.apiURL, "--organization", "acme", "--max-age", "90d"}, env, "")
	if res.code == exitUsage {
		t.Errorf("audit on its admin token: exit 2 with GH_TOKEN set; stderr:\n%s", res.stderr)
	}
	res = run(t, []string{"check", "--api-url", w.apiURL}, env, "")
	if res.code != exitUsage || !strings.Contains(res.stderr, "no token: GH_TOKEN is set, but it is for github.com") {
		t.Errorf("check, which needs the token: exit %d, want %d saying why GH_TOKEN was not read; stderr:\n%s", res.code, exitUsage, res.stderr)
	}
}
