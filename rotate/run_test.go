package rotate

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v45/github"

	"github.com/pat-action/pat-action/emulator"
	"github.com/pat-action/pat-action/ghclient"
	"github.com/pat-action/pat-action/policy"
)

// start is when every test's clock starts. Tests never change it: a test
// that needs time to pass moves its own env's clock.
var start = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// clock is one test's clock: the run and the emulator (on its own
// goroutines) read it, the test moves it forward.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const (
	adminTok    = "ghp_admin0000000000000000000000000000000"
	releaseTok  = "ghp_release00000000000000000000000000000"
	expiringTok = "ghp_expiring0000000000000000000000000000"
)

// env is one emulated GitHub and the options to run plans against it.
type env struct {
	emu    *emulator.Server
	vars   map[string]string
	masked []string
	clock  *clock
	opts   Options
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clk := &clock{t: start}
	emu := emulator.New(emulator.Options{Now: clk.Now})
	emu.AddOrg("acme")
	for _, n := range []string{"api", "web", "infra", "ops"} {
		emu.AddRepo(emulator.Repo{Owner: "acme", Name: n, Private: true, Environments: []string{"production"}})
	}
	emu.AddToken(emulator.Token{Value: adminTok, Login: "admin", Scopes: []string{"repo", "admin:org", "workflow"}})
	emu.AddToken(emulator.Token{Value: releaseTok, Login: "octocat", Scopes: []string{"repo", "workflow"}, ExpiresAt: start.Add(60 * 24 * time.Hour)})
	emu.AddToken(emulator.Token{Value: expiringTok, Login: "octocat", Scopes: []string{"repo", "workflow"}, ExpiresAt: start.Add(10*24*time.Hour + time.Hour)})
	srv, apiURL := emu.Start()
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		if u := emu.Unknown(); len(u) > 0 {
			t.Errorf("requests for operations the emulator does not serve: %v", u)
		}
	})
	api, err := ghclient.ParseAPIURL(apiURL)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{emu: emu, vars: map[string]string{}, clock: clk}
	// Neither paced nor retried: what is tested here is the run.
	client := func(tok string) *github.Client {
		return ghclient.New(api, ghclient.Options{Token: tok, Pacing: ghclient.Pacing{Off: true}, Retry: ghclient.Retry{MaxTries: 1}})
	}
	e.opts = Options{
		Client: client(adminTok), NewClient: client, Now: clk.Now,
		Getenv: func(k string) string { return e.vars[k] },
		Mask:   func(v string) { e.masked = append(e.masked, v) },
		Shard:  Shard{Index: 1, Count: 1},
	}
	return e
}

func (e *env) run(t *testing.T, plan string, mod func(*Options)) (*Result, error) {
	t.Helper()
	p, err := parsePlan("plan.yml", []byte(plan))
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	o := e.opts
	o.Plan = p
	if mod != nil {
		mod(&o)
	}
	if err := Check(p, Given{Token: o.Token, App: o.App}, o.Getenv, nil); err != nil {
		t.Fatalf("check: %v", err)
	}
	return Run(context.Background(), o)
}

// value is the plaintext the emulator holds, never printed.
func (e *env) value(t *testing.T, container, name string) string {
	t.Helper()
	v, ok := e.emu.SecretValue(container, name)
	if !ok {
		t.Errorf("%s is not stored in %s", name, container)
	}
	return string(v)
}

func (e *env) isMasked(v string) bool {
	for _, m := range e.masked {
		if m == v {
			return true
		}
	}
	return false
}

func results(res *Result, name string) map[string]string {
	out := map[string]string{}
	for _, s := range res.Secrets {
		if s.Name == name || strings.HasPrefix(s.Name, name) {
			out[s.Target] = s.Result
		}
	}
	return out
}

func TestRunTokenSource(t *testing.T) {
	e := newEnv(t)
	e.vars["NEW_PAT"] = releaseTok
	plan := `version: 1
secrets:
  - name: RELEASE_PAT
    source: {type: token, env: NEW_PAT}
    policy: {required-scopes: [repo, workflow]}
    targets:
      - repository: acme/api
      - {repository: acme/web, environment: production}
      - {repository: acme/api, type: dependabot}
      - {organization: acme, visibility: selected, repositories: [acme/api, acme/web]}
`
	res, err := e.run(t, plan, nil)
	if err != nil {
		t.Fatalf("run: %v; problems %v", err, res.Problems)
	}
	want := map[string]string{"repo:acme/api": "created", "env:acme/web/production": "created", "dependabot:repo:acme/api": "created", "org:acme": "created"}
	if diff := cmp.Diff(want, results(res, "RELEASE_PAT")); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	for c := range want {
		if e.value(t, c, "RELEASE_PAT") != releaseTok {
			t.Errorf("%s does not hold the token", c)
		}
	}
	if !e.isMasked(releaseTok) {
		t.Error("the token was not masked")
	}
	// Propagating again is idempotent.
	res, err = e.run(t, plan, nil)
	if err != nil || results(res, "RELEASE_PAT")["repo:acme/api"] != "updated" {
		t.Errorf("second run: %v %v", err, res.Secrets)
	}
}

func TestRunTokenFailsPolicy(t *testing.T) {
	e := newEnv(t)
	e.vars["NEW_PAT"] = releaseTok
	res, err := e.run(t, `version: 1
secrets:
  - name: RELEASE_PAT
    source: {type: token, env: NEW_PAT}
    policy: {required-scopes: [repo, admin:org]}
    targets: [{repository: acme/api}]
`, nil)
	if !errors.Is(err, ErrPolicy) {
		t.Fatalf("err = %v, want ErrPolicy", err)
	}
	if len(res.Secrets) != 0 {
		t.Errorf("results %v, want none", res.Secrets)
	}
	if _, ok := e.emu.SecretValue("repo:acme/api", "RELEASE_PAT"); ok {
		t.Error("a token that failed its policy was written")
	}
}

// A random value is one value in every target: while all are fresh they are
// left alone; one that is missing or older than max-age makes a new value
// for all of them, so that everything reading the secret agrees.
func TestRunRandomMaxAge(t *testing.T) {
	e := newEnv(t)
	e.emu.SetSecret("repo:acme/api", "WEBHOOK_SECRET", []byte("old-fresh"), start.Add(-5*24*time.Hour))
	e.emu.SetSecret("repo:acme/web", "WEBHOOK_SECRET", []byte("old-fresh"), start.Add(-10*24*time.Hour))
	plan := `version: 1
secrets:
  - name: WEBHOOK_SECRET
    source: {type: random, bytes: 24, encoding: base64url}
    max-age: 30d
    targets: [{repository: acme/api}, {repository: acme/web}]
`
	res, err := e.run(t, plan, nil)
	if err != nil {
		t.Fatalf("run: %v %v", err, res.Problems)
	}
	if diff := cmp.Diff(map[string]string{"repo:acme/api": "unchanged", "repo:acme/web": "unchanged"}, results(res, "WEBHOOK_SECRET")); diff != "" {
		t.Errorf("all fresh: results (-want +got):\n%s", diff)
	}
	if e.value(t, "repo:acme/api", "WEBHOOK_SECRET") != "old-fresh" {
		t.Error("a fresh value was rotated")
	}

	// A new target, and one grown stale: every target gets one new value.
	e.emu.SetSecret("repo:acme/web", "WEBHOOK_SECRET", []byte("old-stale"), start.Add(-40*24*time.Hour))
	plan = strings.Replace(plan, "{repository: acme/web}]", "{repository: acme/web}, {repository: acme/ops}]", 1)
	res, err = e.run(t, plan, nil)
	if err != nil {
		t.Fatalf("run: %v %v", err, res.Problems)
	}
	want := map[string]string{"repo:acme/api": "updated", "repo:acme/web": "updated", "repo:acme/ops": "created"}
	if diff := cmp.Diff(want, results(res, "WEBHOOK_SECRET")); diff != "" {
		t.Errorf("one stale: results (-want +got):\n%s", diff)
	}
	api, web, ops := e.value(t, "repo:acme/api", "WEBHOOK_SECRET"), e.value(t, "repo:acme/web", "WEBHOOK_SECRET"), e.value(t, "repo:acme/ops", "WEBHOOK_SECRET")
	if len(web) != 32 || web != ops || web != api || !e.isMasked(web) {
		t.Errorf("the new value: length %d (want 32), same in every target %v, masked %v", len(web), web == ops && web == api, e.isMasked(web))
	}
	// Force rotates them all again.
	_, err = e.run(t, plan, func(o *Options) { o.Force = true })
	if err != nil || e.value(t, "repo:acme/api", "WEBHOOK_SECRET") == api {
		t.Errorf("force did not rotate the value: %v", err)
	}
}

func TestRunDeployKey(t *testing.T) {
	e := newEnv(t)
	plan := `version: 1
secrets:
  - name: INFRA_DEPLOY_KEY
    source: {type: deploy-key, repository: acme/infra}
    max-age: 30d
    targets: [{repository: acme/api}, {repository: acme/web}, {repository: acme/gone}]
`
	ours := func() []string {
		var out []string
		for _, k := range e.emu.DeployKeys("acme/infra") {
			out = append(out, k.Title)
		}
		return out
	}
	// acme/gone does not exist: the write fails midway.
	_, err := e.run(t, plan, nil)
	if !errors.Is(err, ErrPartial) {
		t.Fatalf("err = %v, want ErrPartial", err)
	}
	first := ours()
	if len(first) != 1 {
		t.Fatalf("keys %v, want the new one registered", first)
	}
	// A second failing run keeps both keys and says so.
	e.clock.Advance(time.Hour)
	res, _ := e.run(t, plan, nil)
	if got := ours(); len(got) != 2 {
		t.Fatalf("keys %v after a failed rerun, want the old one kept and a new one", got)
	}
	kept := false
	for _, p := range res.Problems {
		kept = kept || strings.Contains(p.Error, "kept the previous deploy key")
	}
	if !kept {
		t.Errorf("problems %v do not say the old key was kept", res.Problems)
	}
	// The repository appears: the rerun completes and only then deletes.
	e.emu.AddRepo(emulator.Repo{Owner: "acme", Name: "gone", Private: true})
	e.clock.Advance(time.Hour)
	res, err = e.run(t, plan, nil)
	if err != nil {
		t.Fatalf("rerun: %v %v", err, res.Problems)
	}
	got := ours()
	if len(got) != 1 || got[0] != "pat-action INFRA_DEPLOY_KEY "+e.clock.Now().Format(time.RFC3339) {
		t.Errorf("keys %v, want only the newest", got)
	}
	priv := e.value(t, "repo:acme/api", "INFRA_DEPLOY_KEY")
	if !strings.HasPrefix(priv, "-----BEGIN OPENSSH PRIVATE KEY-----") || priv != e.value(t, "repo:acme/gone", "INFRA_DEPLOY_KEY") || !e.isMasked(priv) {
		t.Error("the private key is not the same OpenSSH key, masked, in every target")
	}
	deleted := 0
	for _, s := range res.Secrets {
		if s.Target == "deploy-key:acme/infra" && s.Result == "deleted" {
			deleted++
		}
	}
	if deleted != 2 {
		t.Errorf("%d keys reported deleted, want 2: %v", deleted, res.Secrets)
	}
	// Fresh everywhere, one key: nothing to do.
	res, _ = e.run(t, plan, nil)
	if diff := cmp.Diff(map[string]string{"repo:acme/api": "unchanged", "repo:acme/web": "unchanged", "repo:acme/gone": "unchanged"}, results(res, "INFRA_DEPLOY_KEY")); diff != "" {
		t.Errorf("fresh run (-want +got):\n%s", diff)
	}
}

func TestRunGitHubApp(t *testing.T) {
	e := newEnv(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	e.emu.AddApp(emulator.App{ID: 12345, Slug: "acme-bot", PublicKey: &key.PublicKey})
	e.emu.AddInstallation(emulator.Installation{ID: 77, AppID: 12345, Account: "acme", Permissions: map[string]string{"contents": "write", "pull_requests": "write", "metadata": "read"}})
	e.vars["APP_KEY"] = string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	res, err := e.run(t, `version: 1
secrets:
  - name: BOT_TOKEN
    source: {type: github-app, app-id: 12345, private-key-env: APP_KEY, installation: acme, permissions: {contents: write}, repositories: [api]}
    targets: [{repository: acme/api}]
`, nil)
	if err != nil {
		t.Fatalf("run: %v %v", err, res.Problems)
	}
	if e.emu.MintedTokens() != 1 {
		t.Errorf("%d tokens minted, want 1", e.emu.MintedTokens())
	}
	v := e.value(t, "repo:acme/api", "BOT_TOKEN")
	if !strings.HasPrefix(v, "ghs_") || !e.isMasked(v) {
		t.Error("the stored value is not a masked installation token")
	}
	if !e.isMasked(e.vars["APP_KEY"]) {
		t.Error("the app's private key was not masked")
	}
}

// A github-app source with input: app mints with the App the run was
// given, here named by its client ID, and masks its key.
func TestRunGitHubAppInput(t *testing.T) {
	e := newEnv(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	e.emu.AddApp(emulator.App{ID: 12345, ClientID: "Iv23liAcmeBot00001", Slug: "acme-bot", PublicKey: &key.PublicKey})
	e.emu.AddInstallation(emulator.Installation{ID: 77, AppID: 12345, Account: "acme", Permissions: map[string]string{"contents": "write", "metadata": "read"}})
	app := App{Issuer: "Iv23liAcmeBot00001", Key: string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))}
	res, err := e.run(t, `version: 1
secrets:
  - name: BOT_TOKEN
    source: {type: github-app, input: app, installation: acme}
    targets: [{repository: acme/api}]
`, func(o *Options) { o.App = app })
	if err != nil {
		t.Fatalf("run: %v %v", err, res.Problems)
	}
	if e.emu.MintedTokens() != 1 {
		t.Errorf("%d tokens minted, want 1", e.emu.MintedTokens())
	}
	if v := e.value(t, "repo:acme/api", "BOT_TOKEN"); !strings.HasPrefix(v, "ghs_") || !e.isMasked(v) {
		t.Error("the stored value is not a masked installation token")
	}
	if !e.isMasked(app.Key) {
		t.Error("the run's App private key was not masked")
	}
}

// TestCheckAppInput checks, before any request, that a github-app source
// with input: app has the run's App, and says what to set when it has not.
func TestCheckAppInput(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	badKey := "-----BEGIN RSA PRIVATE KEY-----\nc2VjcmV0LWtleS1ib2R5\n-----END RSA PRIVATE KEY-----\n"
	set := Given{SetAppID: "SET-THE-ID", SetAppKey: "SET-THE-KEY"}
	tests := []struct {
		name string
		app  App
		// want are parts of the error; none means no error.
		want []string
	}{
		{"id and key", App{Issuer: "12345", Key: pemKey}, nil},
		{"no id", App{Key: pemKey}, []string{"secret A: its github-app source takes the run's App (input: app), and the run was given no App ID or client ID: SET-THE-ID"}},
		{"no key", App{Issuer: "Iv23liAcmeBot00001"}, []string{"secret A: its github-app source takes the run's App (input: app), and the run was given no private key: SET-THE-KEY"}},
		{"neither", App{}, []string{"no App ID or client ID: SET-THE-ID", "no private key: SET-THE-KEY"}},
		{"a key that does not parse", App{Issuer: "12345", Key: badKey}, []string{"secret A: the run's App (input: app): the app's private key is not an RSA private key"}},
	}
	p, err := parsePlan("p.yml", []byte(head+"  - name: A\n    source: {type: github-app, input: app, installation: acme}\n    targets: [{repository: acme/a}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := set
			g.App = tt.app
			err := Check(p, g, func(string) string { return "" }, nil)
			if len(tt.want) == 0 {
				if err != nil {
					t.Errorf("Check: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Check passed, want an error mentioning %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "c2VjcmV0LWtleS1ib2R5") || strings.Contains(err.Error(), "PRIVATE KEY-----") {
				t.Error("the error holds the private key")
			}
		})
	}
}

func TestRunShardsCoverEveryTargetOnce(t *testing.T) {
	e := newEnv(t)
	e.emu.AddRepos("acme", 40, func(i int) emulator.Repo {
		return emulator.Repo{Name: fmt.Sprintf("svc-%02d", i), Topics: []string{"deploy"}, Archived: i == 3}
	})
	e.vars["NEW_PAT"] = releaseTok
	plan := `version: 1
secrets:
  - name: A_PAT
    source: {type: token, env: NEW_PAT}
    targets: [{organization: acme, match: "^svc-", topic: deploy}]
  - name: B_PAT
    source: {type: token, env: NEW_PAT}
    targets: [{organization: acme, match: "^svc-", exclude: [acme/svc-05]}]
`
	seen := map[string]int{}
	for i := 1; i <= 3; i++ {
		res, err := e.run(t, plan, func(o *Options) { o.Shard = Shard{Index: i, Count: 3} })
		if err != nil {
			t.Fatalf("shard %d: %v", i, err)
		}
		for _, s := range res.Secrets {
			seen[s.Name+" "+s.Target]++
		}
	}
	if len(seen) != 39+38 {
		t.Errorf("%d targets covered, want 77 (archived and excluded skipped)", len(seen))
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%s handled %d times", k, n)
		}
	}
}

func TestRunManyRepositories(t *testing.T) {
	e := newEnv(t)
	e.emu.AddRepos("acme", 320, func(i int) emulator.Repo { return emulator.Repo{Name: fmt.Sprintf("svc-%03d", i)} })
	e.vars["NEW_PAT"] = releaseTok
	res, err := e.run(t, `version: 1
secrets:
  - name: RELEASE_PAT
    source: {type: token, env: NEW_PAT}
    targets: [{organization: acme, match: "^svc-"}]
`, nil)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if len(res.Secrets) != 320 {
		t.Errorf("%d results, want 320", len(res.Secrets))
	}
	for i := range 320 {
		c := fmt.Sprintf("repo:acme/svc-%03d", i)
		if v, ok := e.emu.SecretValue(c, "RELEASE_PAT"); !ok || string(v) != releaseTok {
			t.Errorf("%s does not hold the token", c)
		}
	}
	lists := 0
	for _, r := range e.emu.Requests() {
		if r.Operation == "GET /orgs/{org}/repos" {
			lists++
		}
	}
	if lists != 4 { // 324 repositories, 100 a page
		t.Errorf("%d list requests, want 4 (once per run, 100 a page)", lists)
	}
}

func TestRunPruneDryRun(t *testing.T) {
	e := newEnv(t)
	e.emu.SetSecret("repo:acme/ops", "OTHER", []byte("x"), start)
	e.emu.AddRepo(emulator.Repo{Owner: "acme", Name: "svc-a"})
	e.vars["NEW_PAT"] = releaseTok
	withState := func(o *Options) { o.StateRepository = "acme/api" }
	wide := `version: 1
secrets:
  - name: RELEASE_PAT
    source: {type: token, env: NEW_PAT}
    prune: true
    targets: [{organization: acme, match: "^(svc-.*|web)$"}]
`
	if _, err := e.run(t, wide, withState); err != nil {
		t.Fatalf("first run: %v", err)
	}
	plan := strings.Replace(wide, "^(svc-.*|web)$", "^svc-", 1)
	res, err := e.run(t, plan, func(o *Options) { withState(o); o.DryRun = true })
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"repo:acme/svc-a": "unchanged", "repo:acme/web": "would-delete"}
	if diff := cmp.Diff(want, results(res, "RELEASE_PAT")); diff != "" {
		t.Errorf("dry run (-want +got):\n%s", diff)
	}
	if _, ok := e.emu.SecretValue("repo:acme/web", "RELEASE_PAT"); !ok {
		t.Error("a dry run deleted a secret")
	}
	if _, err := e.run(t, plan, withState); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.emu.SecretValue("repo:acme/web", "RELEASE_PAT"); ok {
		t.Error("prune left the secret in acme/web")
	}
	if _, ok := e.emu.SecretValue("repo:acme/ops", "OTHER"); !ok {
		t.Error("prune deleted another secret")
	}
}

// reminderPlan is a token secret in its warning window with a reminder
// issue, up to its targets.
const reminderPlan = `version: 1
secrets:
  - name: RELEASE_PAT
    source: {type: token, env: NEW_PAT}
    policy: {min-days-left: 7}
    open-issue: true
    targets: `

func TestRunReminderIssue(t *testing.T) {
	e := newEnv(t)
	e.vars["NEW_PAT"] = expiringTok
	plan := reminderPlan + "[{repository: acme/api}]\n"
	withRepo := func(o *Options) { o.Repository = "acme/ops" }
	for i := range 2 {
		if _, err := e.run(t, plan, withRepo); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
	}
	issues := e.emu.Issues("acme/ops")
	if len(issues) != 1 || issues[0].State != "open" || !strings.Contains(issues[0].Body, Marker("RELEASE_PAT")) {
		t.Fatalf("issues %+v, want one open reminder", issues)
	}
	if strings.Contains(issues[0].Body, expiringTok) {
		t.Error("the issue holds the token")
	}
	e.vars["NEW_PAT"] = releaseTok
	res, err := e.run(t, plan, withRepo)
	if err != nil {
		t.Fatal(err)
	}
	if issues = e.emu.Issues("acme/ops"); len(issues) != 1 || issues[0].State != "closed" {
		t.Errorf("issues %+v, want the reminder closed", issues)
	}
	if len(res.Issues) != 1 || res.Issues[0].Result != "closed" {
		t.Errorf("issue results %v", res.Issues)
	}
}

// Jobs of a matrix run at once: exactly one shard owns a secret's reminder
// issue, so that jobs never each open one. It owns it even when it holds
// none of the secret's targets.
func TestRunReminderIssueShards(t *testing.T) {
	for _, n := range []int{2, 3, 5} {
		for _, targets := range []string{"[{repository: acme/api}]", `[{organization: acme, match: "^(api|web|infra|ops)$"}]`} {
			t.Run(fmt.Sprintf("%d shards, %s", n, targets), func(t *testing.T) {
				e := newEnv(t)
				e.vars["NEW_PAT"] = expiringTok
				plan := reminderPlan + targets + "\n"
				touched := 0
				for i := 1; i <= n; i++ {
					res, err := e.run(t, plan, func(o *Options) {
						o.Repository, o.Shard = "acme/ops", Shard{Index: i, Count: n}
					})
					if err != nil {
						t.Fatalf("shard %d: %v", i, err)
					}
					if len(res.Issues) > 0 {
						touched++
					}
				}
				if issues := e.emu.Issues("acme/ops"); len(issues) != 1 || touched != 1 {
					t.Errorf("%d issues, touched by %d shards; want one issue, one shard", len(issues), touched)
				}
				assertStored(t, e, "repo:acme/api", "RELEASE_PAT", expiringTok)
			})
		}
	}
}

// assertStored fails unless container holds want as name; it never prints
// the value.
func assertStored(t *testing.T, e *env, container, name, want string) {
	t.Helper()
	if v, ok := e.emu.SecretValue(container, name); !ok || v == nil || string(v) != want {
		t.Errorf("%s does not hold the intended %s", container, name)
	}
}

func TestAudit(t *testing.T) {
	e := newEnv(t)
	e.emu.SetSecret("repo:acme/api", "WEBHOOK_SECRET", []byte("x"), start.Add(-5*24*time.Hour))
	e.emu.SetSecret("repo:acme/web", "WEBHOOK_SECRET", []byte("x"), start.Add(-40*24*time.Hour))
	plan := `version: 1
secrets:
  - name: WEBHOOK_SECRET
    source: {type: random}
    max-age: 30d
    targets: [{repository: acme/api}, {repository: acme/web}, {repository: acme/ops}]
`
	p, err := parsePlan("plan.yml", []byte(plan))
	if err != nil {
		t.Fatal(err)
	}
	ao := AuditOptions{Options: Options{Client: e.opts.Client, Plan: p, Now: e.opts.Now, Getenv: e.opts.Getenv}}
	res, err := Audit(context.Background(), ao)
	if !errors.Is(err, ErrStale) {
		t.Errorf("err = %v, want ErrStale", err)
	}
	want := map[string]string{"repo:acme/api": "fresh", "repo:acme/web": "stale", "repo:acme/ops": "missing"}
	if diff := cmp.Diff(want, results(res, "WEBHOOK_SECRET")); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
	// Ad hoc: every repository secret of the organization older than 30 days.
	res, err = Audit(context.Background(), AuditOptions{Options: Options{Client: e.opts.Client, Now: e.opts.Now}, Organization: "acme", MaxAge: 30 * 24 * time.Hour})
	if !errors.Is(err, ErrStale) {
		t.Errorf("org audit err = %v, want ErrStale", err)
	}
	if diff := cmp.Diff([]SecretResult{{Target: "repo:acme/web", Name: "WEBHOOK_SECRET", Result: "stale"}}, res.Secrets); diff != "" {
		t.Errorf("org audit (-want +got):\n%s", diff)
	}
	res, err = Audit(context.Background(), AuditOptions{Options: Options{Client: e.opts.Client, Now: e.opts.Now}, Organization: "acme", MaxAge: 60 * 24 * time.Hour})
	if err != nil || len(res.Secrets) != 0 {
		t.Errorf("nothing older than 60 days: err %v, results %v", err, res.Secrets)
	}
}

// An audit holds a token source's token to its policy (expiring within the
// warning window is a warning, not a failure) and its stored value to the max age: a
// person makes the next token, so an old one is reported, never rotated.
func TestAuditTokenSource(t *testing.T) {
	tests := []struct {
		name     string
		tok      string // "" leaves the variable unset
		minDays  int
		stored   time.Duration // how long ago the value was stored
		wantErr  error
		expiry   policy.Expiry
		target   string
		maxAgeOK bool
	}{
		{"fresh token, fresh value", releaseTok, 7, 5 * 24 * time.Hour, nil, policy.ExpiryOK, AuditFresh, true},
		{"token in its warning window only warns", expiringTok, 7, 5 * 24 * time.Hour, nil, policy.ExpiryWarning, AuditFresh, true},
		{"token too soon for the policy", expiringTok, 14, 5 * 24 * time.Hour, ErrStale, policy.ExpiryTooSoon, AuditFresh, true},
		{"value older than max-age", releaseTok, 7, 40 * 24 * time.Hour, ErrStale, policy.ExpiryOK, AuditStale, false},
		{"token not at hand, value older than max-age", "", 7, 40 * 24 * time.Hour, ErrStale, "", AuditStale, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if tt.tok != "" {
				e.vars["NEW_PAT"] = tt.tok
			}
			e.emu.SetSecret("repo:acme/api", "RELEASE_PAT", []byte("x"), start.Add(-tt.stored))
			p, err := parsePlan("plan.yml", []byte(fmt.Sprintf(`version: 1
secrets:
  - name: RELEASE_PAT
    source: {type: token, env: NEW_PAT}
    policy: {required-scopes: [repo, workflow], min-days-left: %d}
    max-age: 30d
    targets: [{repository: acme/api}]
`, tt.minDays)))
			if err != nil {
				t.Fatal(err)
			}
			res, err := Audit(context.Background(), AuditOptions{Options: Options{Client: e.opts.Client, NewClient: e.opts.NewClient, Plan: p, Now: e.opts.Now, Getenv: e.opts.Getenv, Mask: e.opts.Mask}})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(map[string]string{"repo:acme/api": tt.target}, results(res, "RELEASE_PAT")); diff != "" {
				t.Errorf("targets (-want +got):\n%s", diff)
			}
			if len(res.Sources) != 1 || res.Sources[0].Policy == nil {
				t.Fatalf("sources %+v, want the token source with a policy result", res.Sources)
			}
			src := res.Sources[0]
			if src.Policy.Expiry != tt.expiry {
				t.Errorf("expiry %q, want %q", src.Policy.Expiry, tt.expiry)
			}
			if src.MaxAge != "30d" || src.Oldest == nil || !src.Oldest.Equal(start.Add(-tt.stored)) {
				t.Errorf("max age %q, oldest %v; want 30d and %v", src.MaxAge, src.Oldest, start.Add(-tt.stored))
			}
			var rule *policy.Rule
			for i := range src.Policy.Rules {
				if src.Policy.Rules[i].Name == "max-age" {
					rule = &src.Policy.Rules[i]
				}
			}
			if rule == nil || (rule.Status == policy.StatusPass) != tt.maxAgeOK {
				t.Errorf("max-age rule %+v, want passed: %v", rule, tt.maxAgeOK)
			}
			if tt.tok != "" && !e.isMasked(tt.tok) {
				t.Error("the token was not masked")
			}
			if n := len(e.emu.Requests()); n == 0 {
				t.Error("no requests")
			}
			for _, r := range e.emu.Requests() {
				if r.Method != http.MethodGet {
					t.Errorf("an audit sent %s %s", r.Method, r.Path)
				}
			}
		})
	}
}

// A token source with input: token takes the token the run was given, not
// an environment variable: it is checked, masked and propagated, and its
// reminder issue says where the next one goes.
func TestRunTokenFromInput(t *testing.T) {
	e := newEnv(t)
	e.vars["token"], e.vars["TOKEN"] = expiringTok, expiringTok // never read
	plan := `version: 1
secrets:
  - name: RELEASE_PAT
    source: {type: token, input: token}
    policy: {required-scopes: [repo, workflow], min-days-left: 7}
    open-issue: true
    targets: [{repository: acme/api}, {repository: acme/web, environment: production}]
`
	res, err := e.run(t, plan, func(o *Options) { o.Token, o.Repository = releaseTok, "acme/ops" })
	if err != nil {
		t.Fatalf("run: %v; problems %v", err, res.Problems)
	}
	want := map[string]string{"repo:acme/api": "created", "env:acme/web/production": "created"}
	if diff := cmp.Diff(want, results(res, "RELEASE_PAT")); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	for c := range want {
		assertStored(t, e, c, "RELEASE_PAT", releaseTok)
	}
	if !e.isMasked(releaseTok) {
		t.Error("the run's token was not masked")
	}
	if len(res.Sources) != 1 || res.Sources[0].Token == nil || res.Sources[0].Token.Login != "octocat" {
		t.Errorf("sources %+v, want the run's token inspected", res.Sources)
	}
	if issues := e.emu.Issues("acme/ops"); len(issues) != 0 {
		t.Errorf("%d issues for a fresh token, want none", len(issues))
	}

	// The run's token nears its expiry: the reminder says to replace the
	// secret the workflow passes as its token input.
	if _, err := e.run(t, plan, func(o *Options) { o.Token, o.Repository = expiringTok, "acme/ops" }); err != nil {
		t.Fatal(err)
	}
	issues := e.emu.Issues("acme/ops")
	if len(issues) != 1 || !strings.Contains(issues[0].Body, "passes as its `token` input") {
		t.Fatalf("issues %+v, want one reminder naming the token input", issues)
	}
	if strings.Contains(issues[0].Body, expiringTok) || strings.Contains(issues[0].Body, "store it as ``") {
		t.Error("the reminder holds the token or names no place for the next one")
	}
	assertStored(t, e, "repo:acme/api", "RELEASE_PAT", expiringTok)
}

// TestCheckTokenSource checks, before any request, that each token
// source's token is at hand, and says what to set when it is not.
func TestCheckTokenSource(t *testing.T) {
	const ghs = "ghs_16C7e42F292c6912E7710c838347Ae178B4a"
	tests := []struct {
		name, source, policy string
		env                  map[string]string
		tok                  string
		// want are parts of the error; none means no error.
		want []string
	}{
		{"env set", "{type: token, env: NEW_PAT}", "{}", map[string]string{"NEW_PAT": releaseTok}, "", nil},
		{"env not set", "{type: token, env: NEW_PAT}", "{}", nil, releaseTok, []string{"secret A: environment variable NEW_PAT (its token source) is not set"}},
		{"input with the run's token", "{type: token, input: token}", "{}", nil, releaseTok, nil},
		{"input, env ignored", "{type: token, input: token}", "{}", map[string]string{"token": releaseTok}, "", []string{
			"secret A: its token source takes the run's token (input: token), and the run was given none",
			"set the action's token input to the new token, or on the command line PAT_ACTION_TOKEN, GH_TOKEN or --token-file"}},
		{"input, not a token", "{type: token, input: token}", "{}", nil, "hunter2 with spaces", []string{"secret A: the run's token (input: token): "}},
		{"input, the workflow's GITHUB_TOKEN", "{type: token, input: token}", "{}", nil, ghs, []string{
			"secret A: the run's token (input: token) is an installation token (ghs_), such as the workflow's GITHUB_TOKEN",
			"set the action's token input to the new token"}},
		{"input, an installation token the policy allows", "{type: token, input: token}", "{allowed-token-types: [app]}", nil, ghs, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parsePlan("p.yml", []byte(head+"  - name: A\n    source: "+tt.source+"\n    policy: "+tt.policy+"\n    targets: [{repository: acme/a}]\n"))
			if err != nil {
				t.Fatal(err)
			}
			err = Check(p, Given{Token: tt.tok}, func(k string) string { return tt.env[k] }, nil)
			if len(tt.want) == 0 {
				if err != nil {
					t.Errorf("Check: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Check passed, want an error mentioning %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not mention %q", err, w)
				}
			}
			for _, tok := range []string{releaseTok, ghs, "hunter2"} {
				if strings.Contains(err.Error(), tok) {
					t.Error("the error holds the token")
				}
			}
		})
	}
}

// An audit inspects the run's token for a token source with input: token.
func TestAuditTokenFromInput(t *testing.T) {
	e := newEnv(t)
	e.emu.SetSecret("repo:acme/api", "RELEASE_PAT", []byte("x"), start.Add(-time.Hour))
	p, err := parsePlan("plan.yml", []byte(`version: 1
secrets:
  - name: RELEASE_PAT
    source: {type: token, input: token}
    policy: {required-scopes: [repo, workflow], min-days-left: 7}
    targets: [{repository: acme/api}]
`))
	if err != nil {
		t.Fatal(err)
	}
	o := e.opts
	o.Plan, o.Token = p, expiringTok
	res, err := Audit(context.Background(), AuditOptions{Options: o})
	if err != nil {
		t.Errorf("err = %v, want none for a token in its warning window (a warning)", err)
	}
	if len(res.Sources) != 1 || res.Sources[0].Policy == nil || res.Sources[0].Policy.Expiry != policy.ExpiryWarning {
		t.Errorf("sources %+v, want the run's token in its warning window", res.Sources)
	}
	if !e.isMasked(expiringTok) {
		t.Error("the run's token was not masked")
	}
}
