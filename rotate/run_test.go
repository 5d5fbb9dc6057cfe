package rotate

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v45/github"

	"github.com/pat-action/pat-action/emulator"
	"github.com/pat-action/pat-action/ghclient"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

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
	opts   Options
}

func newEnv(t *testing.T) *env {
	t.Helper()
	emu := emulator.New(emulator.Options{Now: func() time.Time { return now }})
	emu.AddOrg("acme")
	for _, n := range []string{"api", "web", "infra", "ops"} {
		emu.AddRepo(emulator.Repo{Owner: "acme", Name: n, Private: true, Environments: []string{"production"}})
	}
	emu.AddToken(emulator.Token{Value: adminTok, Login: "admin", Scopes: []string{"repo", "admin:org", "workflow"}})
	emu.AddToken(emulator.Token{Value: releaseTok, Login: "octocat", Scopes: []string{"repo", "workflow"}, ExpiresAt: now.Add(60 * 24 * time.Hour)})
	emu.AddToken(emulator.Token{Value: expiringTok, Login: "octocat", Scopes: []string{"repo", "workflow"}, ExpiresAt: now.Add(10*24*time.Hour + time.Hour)})
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
	e := &env{emu: emu, vars: map[string]string{}}
	client := func(tok string) *github.Client { return ghclient.New(api, ghclient.Options{Token: tok}) }
	e.opts = Options{
		Client: client(adminTok), NewClient: client, Now: func() time.Time { return now },
		Getenv: func(k string) string { return e.vars[k] },
		Mask:   func(v string) { e.masked = append(e.masked, v) },
		Shard:  Shard{Index: 1, Count: 1},
	}
	return e
}

func (e *env) run(t *testing.T, plan string, mod func(*Options)) (*Result, error) {
	t.Helper()
	p, err := ParsePlan("plan.yml", []byte(plan))
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	if err := Check(p, e.opts.Getenv, nil); err != nil {
		t.Fatalf("check: %v", err)
	}
	o := e.opts
	o.Plan = p
	if mod != nil {
		mod(&o)
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

func TestRunRandomMaxAge(t *testing.T) {
	e := newEnv(t)
	e.emu.SetSecret("repo:acme/api", "WEBHOOK_SECRET", []byte("old-fresh"), now.Add(-5*24*time.Hour))
	e.emu.SetSecret("repo:acme/web", "WEBHOOK_SECRET", []byte("old-stale"), now.Add(-40*24*time.Hour))
	plan := `version: 1
secrets:
  - name: WEBHOOK_SECRET
    source: {type: random, bytes: 24, encoding: base64url}
    max-age: 30d
    targets: [{repository: acme/api}, {repository: acme/web}, {repository: acme/ops}]
`
	res, err := e.run(t, plan, nil)
	if err != nil {
		t.Fatalf("run: %v %v", err, res.Problems)
	}
	want := map[string]string{"repo:acme/api": "unchanged", "repo:acme/web": "updated", "repo:acme/ops": "created"}
	if diff := cmp.Diff(want, results(res, "WEBHOOK_SECRET")); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	if e.value(t, "repo:acme/api", "WEBHOOK_SECRET") != "old-fresh" {
		t.Error("a fresh value was rotated")
	}
	web, ops := e.value(t, "repo:acme/web", "WEBHOOK_SECRET"), e.value(t, "repo:acme/ops", "WEBHOOK_SECRET")
	if len(web) != 32 || web != ops || !e.isMasked(web) {
		t.Errorf("the new value: length %d (want 32), same in both targets %v, masked %v", len(web), web == ops, e.isMasked(web))
	}
	// Force rotates all of them.
	res, err = e.run(t, plan, func(o *Options) { o.Force = true })
	if err != nil || e.value(t, "repo:acme/api", "WEBHOOK_SECRET") == "old-fresh" {
		t.Errorf("force did not rotate the fresh value: %v", err)
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
	res, err := e.run(t, plan, nil)
	if !errors.Is(err, ErrPartial) {
		t.Fatalf("err = %v, want ErrPartial", err)
	}
	first := ours()
	if len(first) != 1 {
		t.Fatalf("keys %v, want the new one registered", first)
	}
	// A second failing run keeps both keys and says so.
	now = now.Add(time.Hour)
	defer func() { now = now.Add(-2 * time.Hour) }()
	res, _ = e.run(t, plan, nil)
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
	now = now.Add(time.Hour)
	res, err = e.run(t, plan, nil)
	if err != nil {
		t.Fatalf("rerun: %v %v", err, res.Problems)
	}
	got := ours()
	if len(got) != 1 || got[0] != "pat-action INFRA_DEPLOY_KEY "+now.Format(time.RFC3339) {
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
	e.emu.SetSecret("repo:acme/web", "RELEASE_PAT", []byte("x"), now)
	e.emu.SetSecret("repo:acme/ops", "OTHER", []byte("x"), now)
	e.emu.AddRepo(emulator.Repo{Owner: "acme", Name: "svc-a"})
	e.vars["NEW_PAT"] = releaseTok
	plan := `version: 1
secrets:
  - name: RELEASE_PAT
    source: {type: token, env: NEW_PAT}
    prune: true
    targets: [{organization: acme, match: "^svc-"}]
`
	res, err := e.run(t, plan, func(o *Options) { o.DryRun = true })
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"repo:acme/svc-a": "would-create", "repo:acme/web": "would-delete"}
	if diff := cmp.Diff(want, results(res, "RELEASE_PAT")); diff != "" {
		t.Errorf("dry run (-want +got):\n%s", diff)
	}
	if _, ok := e.emu.SecretValue("repo:acme/web", "RELEASE_PAT"); !ok {
		t.Error("a dry run deleted a secret")
	}
	if _, err := e.run(t, plan, nil); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.emu.SecretValue("repo:acme/web", "RELEASE_PAT"); ok {
		t.Error("prune left the secret in acme/web")
	}
}

func TestRunReminderIssue(t *testing.T) {
	e := newEnv(t)
	e.vars["NEW_PAT"] = expiringTok
	plan := `version: 1
secrets:
  - name: RELEASE_PAT
    source: {type: token, env: NEW_PAT}
    policy: {min-days-left: 7}
    open-issue: true
    targets: [{repository: acme/api}]
`
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

func TestAudit(t *testing.T) {
	e := newEnv(t)
	e.emu.SetSecret("repo:acme/api", "WEBHOOK_SECRET", []byte("x"), now.Add(-5*24*time.Hour))
	e.emu.SetSecret("repo:acme/web", "WEBHOOK_SECRET", []byte("x"), now.Add(-40*24*time.Hour))
	plan := `version: 1
secrets:
  - name: WEBHOOK_SECRET
    source: {type: random}
    max-age: 30d
    targets: [{repository: acme/api}, {repository: acme/web}, {repository: acme/ops}]
`
	p, err := ParsePlan("plan.yml", []byte(plan))
	if err != nil {
		t.Fatal(err)
	}
	ao := AuditOptions{Client: e.opts.Client, Plan: p, Now: e.opts.Now, Getenv: e.opts.Getenv}
	res, err := Audit(context.Background(), ao)
	if !errors.Is(err, ErrStale) {
		t.Errorf("err = %v, want ErrStale", err)
	}
	want := map[string]string{"repo:acme/api": "fresh", "repo:acme/web": "stale", "repo:acme/ops": "missing"}
	if diff := cmp.Diff(want, results(res, "WEBHOOK_SECRET")); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
	// Ad hoc: every repository secret of the organization older than 30 days.
	res, err = Audit(context.Background(), AuditOptions{Client: e.opts.Client, Organization: "acme", MaxAge: 30 * 24 * time.Hour, Now: e.opts.Now})
	if !errors.Is(err, ErrStale) {
		t.Errorf("org audit err = %v, want ErrStale", err)
	}
	if diff := cmp.Diff([]SecretResult{{Target: "repo:acme/web", Name: "WEBHOOK_SECRET", Result: "stale"}}, res.Secrets); diff != "" {
		t.Errorf("org audit (-want +got):\n%s", diff)
	}
	res, err = Audit(context.Background(), AuditOptions{Client: e.opts.Client, Organization: "acme", MaxAge: 60 * 24 * time.Hour, Now: e.opts.Now})
	if err != nil || len(res.Secrets) != 0 {
		t.Errorf("nothing older than 60 days: err %v, results %v", err, res.Secrets)
	}
}
