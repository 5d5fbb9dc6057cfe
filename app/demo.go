package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/pat-action/pat-action/emulator"
)

// demoCase is one command the demo runs, and the exit code it must give.
type demoCase struct {
	title   string
	command string
	inputs  values
	token   string
	// admin writes the secrets; empty means token.
	admin string
	want  int
}

// runDemo starts the emulator on loopback and runs the product against it,
// printing each report. It fails when any case does not behave as it must.
func (rt runtime) runDemo(ctx context.Context) int {
	// The demo's clock can jump ahead (to age rotated values past their
	// max age); the emulator and every command read it.
	clk := &demoClock{base: rt.now}
	rt.now = clk.now
	now := rt.now()
	emu := emulator.New(emulator.Options{Now: rt.now})
	srv, apiURL := emu.Start()
	defer srv.Close()
	for _, org := range []string{"acme"} {
		emu.AddOrg(org)
	}
	for _, name := range []string{"api", "web", "infra"} {
		emu.AddRepo(emulator.Repo{Owner: "acme", Name: name, Private: true, Environments: []string{"production"}})
	}
	mint := func(prefix string) string {
		b := make([]byte, 18)
		_, _ = rand.Read(b)
		return prefix + hex.EncodeToString(b)
	}
	least, broad, expiring, fine, admin := mint("ghp_"), mint("ghp_"), mint("ghp_"), mint("github_pat_"), mint("ghp_")
	emu.AddToken(emulator.Token{Value: least, Login: "octocat", Scopes: []string{"repo", "workflow"}, ExpiresAt: now.Add(90 * 24 * time.Hour)})
	emu.AddToken(emulator.Token{Value: broad, Login: "octocat", Scopes: []string{"repo", "workflow", "admin:org", "delete_repo"}, ExpiresAt: now.Add(60 * 24 * time.Hour)})
	emu.AddToken(emulator.Token{Value: expiring, Login: "octocat", Scopes: []string{"repo", "workflow"}, ExpiresAt: now.Add(3 * 24 * time.Hour)})
	emu.AddToken(emulator.Token{Value: fine, Login: "octocat", ExpiresAt: now.Add(30 * 24 * time.Hour),
		Repos: []string{"acme/api"}, Permissions: map[string]string{"metadata": "read", "secrets": "write"}})
	emu.AddToken(emulator.Token{Value: admin, Login: "acme-admin", Scopes: []string{"repo", "admin:org"}, ExpiresAt: now.Add(90 * 24 * time.Hour)})
	inventoryApp := mint("ghs_")
	seedInventory(emu, now, inventoryApp)

	policyIn := values{"api-url": apiURL, "required-scopes": "repo,workflow", "min-days-left": "14"}
	cases := []demoCase{
		{"check: a least-privilege classic token", "check", policyIn, least, "", exitOK},
		{"check: an over-broad token (admin:org, delete_repo)", "check", policyIn, broad, "", exitPolicy},
		{"check: a token expiring in 3 days", "check", policyIn, expiring, "", exitPolicy},
		{"check: a fine-grained token, checked by repository reach", "check",
			values{"api-url": apiURL, "required-scopes": "repo", "repositories": "acme/api"}, fine, "", exitOK},
		{"store: the least-privilege token as repository secret DEMO_PAT of acme/api", "store",
			with(policyIn, values{"secret-name": "DEMO_PAT", "repositories": "acme/api"}), least, "", exitOK},
		{"store: ... as a secret of environment production of acme/web", "store",
			with(policyIn, values{"secret-name": "DEMO_PAT", "repositories": "acme/web", "environment": "production"}), least, "", exitOK},
		{"store: ... as an organization secret of acme for acme/api and acme/web (admin token writes)", "store",
			with(policyIn, values{"secret-name": "DEMO_PAT", "organization": "acme", "repositories": "acme/api,acme/web"}), least, admin, exitOK},
		{"store: the over-broad token is refused and written nowhere", "store",
			with(policyIn, values{"secret-name": "DEMO_BROAD", "repositories": "acme/api"}), broad, admin, exitPolicy},
		{"tokens: every token that reaches acme against the policy, enforce revoke in a dry run", "tokens",
			values{"api-url": apiURL, "organization": "acme", "max-lifetime-days": "90", "forbidden-permissions": "administration:write",
				"forbidden-scopes": "delete_repo", "enforce": "revoke", "dry-run": "true"}, inventoryApp, "", exitPolicy},
	}
	failed := 0
	for _, c := range cases {
		if !rt.demoRun(ctx, c) {
			failed++
		}
	}
	failed += verifyStored(rt, emu, "DEMO_PAT", least, "repo:acme/api", "env:acme/web/production", "org:acme")
	if granted := emu.GrantedPATs("acme"); len(granted) != 3 {
		fmt.Fprintf(rt.stdout, "acme grants %d fine-grained PATs after a dry run, want 3: UNEXPECTED revocation\n", len(granted))
		failed++
	}
	if sso := emu.CredentialAuthorizations("acme"); len(sso) != 1 {
		fmt.Fprintf(rt.stdout, "acme holds %d SAML authorizations after a dry run, want 1: UNEXPECTED removal\n", len(sso))
		failed++
	}
	if names := emu.SecretNames("repo:acme/api"); len(names) != 1 {
		fmt.Fprintf(rt.stdout, "acme/api holds secrets %v, want only DEMO_PAT\n", names)
		failed++
	}
	n, f := rt.rotationDemo(ctx, emu, apiURL, clk, least, admin)
	failed += f
	total := len(cases) + n
	if unknown := emu.Unknown(); len(unknown) > 0 {
		fmt.Fprintf(rt.stdout, "\nrequests the emulator does not serve: %v\n", unknown)
		failed++
	}
	if failed > 0 {
		fmt.Fprintf(rt.stdout, "\ndemo: %d cases did not behave as expected\n", failed)
		return exitPartial
	}
	fmt.Fprintf(rt.stdout, "\ndemo: all %d cases behaved as expected (%d requests to the emulator)\n", total, len(emu.Requests()))
	return exitOK
}

// demoRun runs one case, prints its report and verdict, and reports whether
// it gave the exit code it must.
func (rt runtime) demoRun(ctx context.Context, c demoCase) bool {
	fmt.Fprintf(rt.stdout, "\n== %s\n", c.title)
	in := values{}
	for k, v := range c.inputs {
		in[k] = v
	}
	adm := c.admin
	if adm == "" {
		adm = c.token
	}
	rep, err := rt.execute(ctx, c.command, in.withDefaults(), tokens{token: c.token, admin: adm})
	rep.writeText(rt.stdout)
	got := exitCode(err)
	verdict := "as expected"
	if got != c.want {
		verdict = "UNEXPECTED"
		if err != nil {
			fmt.Fprintf(rt.stdout, "error: %v\n", err)
		}
	}
	fmt.Fprintf(rt.stdout, "exit %d (%s)\n", got, verdict)
	return got == c.want
}

// demoClock is the demo's clock: the real time, moved ahead by the demo.
type demoClock struct {
	base   func() time.Time
	mu     sync.Mutex
	offset time.Duration
}

func (c *demoClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base().Add(c.offset)
}

func (c *demoClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// demoPlan is the rotation plan the demo runs: a person's PAT propagated to
// a repository, an environment, an organization secret and every acme
// repository named svc-* with the topic deploy; a random webhook secret; a
// deploy key; and a GitHub App's installation token.
const demoPlan = `# yaml-language-server: $schema=https://raw.githubusercontent.com/pat-action/pat-action/v1/plan/plan.schema.json
version: 1
defaults:
  policy: {min-days-left: 14}
secrets:
  - name: RELEASE_PAT
    source: {type: token, env: NEW_RELEASE_PAT}
    policy: {required-scopes: [repo, workflow]}
    max-age: 90d
    targets:
      - repository: acme/api
      - {repository: acme/web, environment: production}
      - {organization: acme, visibility: selected, repositories: [acme/api, acme/web]}
      - {organization: acme, match: "^svc-", topic: deploy, exclude: [acme/svc-legacy]}
  - name: WEBHOOK_SECRET
    source: {type: random, bytes: 32, encoding: hex}
    max-age: 30d
    targets: [{repository: acme/api}, {repository: acme/web}]
  - name: INFRA_DEPLOY_KEY
    source: {type: deploy-key, repository: acme/infra, read-only: true}
    max-age: 30d
    targets: [{repository: acme/api}]
  - name: BOT_TOKEN
    source:
      type: github-app
      app-id: 12345
      private-key-env: APP_PRIVATE_KEY
      installation: acme
      permissions: {contents: write}
      repositories: [api, web]
    targets: [{repository: acme/api}]
`

// demoAppID is the GitHub App of the demo's plan.
const demoAppID = 12345

// rotationDemo runs the rotation plan three times (first, past max-age, and
// forced), then audits, verifying after each run what the emulator holds.
// It returns how many cases it ran and how many misbehaved.
func (rt runtime) rotationDemo(ctx context.Context, emu *emulator.Server, apiURL string, clk *demoClock, pat, admin string) (cases, failed int) {
	emu.AddRepo(emulator.Repo{Owner: "acme", Name: "ops", Private: true})
	for _, r := range []emulator.Repo{
		{Name: "svc-billing", Topics: []string{"deploy"}},
		{Name: "svc-search", Topics: []string{"deploy"}},
		{Name: "svc-legacy", Topics: []string{"deploy"}},
		{Name: "svc-old", Topics: []string{"deploy"}, Archived: true},
		{Name: "svc-sandbox"},
	} {
		r.Owner, r.Private = "acme", true
		emu.AddRepo(r)
	}
	emu.SetSecret("repo:acme/ops", "LEGACY_TOKEN", []byte("left over"), clk.now().Add(-200*24*time.Hour))
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		fmt.Fprintf(rt.stdout, "make the demo app's key: %v\n", err)
		return 0, 1
	}
	emu.AddApp(emulator.App{ID: demoAppID, Slug: "acme-bot", PublicKey: &key.PublicKey})
	emu.AddInstallation(emulator.Installation{ID: 77, AppID: demoAppID, Account: "acme",
		Permissions: map[string]string{"contents": "write", "metadata": "read"}})
	appKey := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))

	// The plan lives in memory: the demo needs no writable directory.
	const plan = ".github/pat-rotation.yml"
	fmt.Fprintf(rt.stdout, "\n== rotate: the plan\n%s", demoPlan)

	// The plan's sources read these, as a workflow's env: would pass them;
	// the process's own environment is not consulted, nor changed.
	env := map[string]string{"NEW_RELEASE_PAT": pat, "APP_PRIVATE_KEY": appKey, "GITHUB_REPOSITORY": "acme/ops"}
	drt := rt
	drt.getenv = func(k string) string { return env[k] }
	drt.files = func(name string) ([]byte, error) {
		if name == plan {
			return []byte(demoPlan), nil
		}
		return nil, fmt.Errorf("open %s: %w", name, os.ErrNotExist)
	}
	in := values{"api-url": apiURL, "config": plan, "pacing": "off"}
	ck := &demoChecker{w: rt.stdout}

	var hook []byte
	var keyID int64
	for i, step := range []struct {
		title   string
		advance time.Duration
		force   bool
	}{
		{"rotate: first run: the PAT goes everywhere, a random value, a deploy key and an app token are made", 0, false},
		{"rotate: 31 days later: the random value and the deploy key are past max-age 30d and rotate", 31 * 24 * time.Hour, false},
		{"rotate --force, an hour later: everything generated rotates again, whatever its age", time.Hour, true},
	} {
		clk.advance(step.advance)
		inputs := with(in, values{"force": fmt.Sprint(step.force)})
		cases++
		if !drt.demoRun(ctx, demoCase{step.title, "rotate", inputs, admin, admin, exitOK}) {
			failed++
		}
		fmt.Fprintf(rt.stdout, "-- verify: what the emulator holds after run %d\n", i+1)
		var wrong []string
		targets := []string{"repo:acme/api", "env:acme/web/production", "org:acme", "repo:acme/svc-billing", "repo:acme/svc-search"}
		for _, c := range targets {
			if v, ok := emu.SecretValue(c, "RELEASE_PAT"); !ok || !bytes.Equal(v, []byte(pat)) {
				wrong = append(wrong, c)
			}
		}
		ck.expect(len(wrong) == 0, fmt.Sprintf("RELEASE_PAT is the PAT in all %d targets%s", len(targets), describe(wrong)))
		wrong = nil
		for _, c := range []string{"repo:acme/svc-legacy", "repo:acme/svc-old", "repo:acme/svc-sandbox", "repo:acme/web"} {
			if _, ok := emu.SecretValue(c, "RELEASE_PAT"); ok {
				wrong = append(wrong, c)
			}
		}
		ck.expect(len(wrong) == 0, "RELEASE_PAT is not in acme/svc-legacy (excluded), svc-old (archived), svc-sandbox (no topic), web (not a target)"+describe(wrong))
		vis, ids := emu.OrgSecretRepos("org:acme", "RELEASE_PAT")
		ck.expect(vis == "selected" && len(ids) == 2, "the organization secret is shared with the 2 selected repositories")
		api, _ := emu.SecretValue("repo:acme/api", "WEBHOOK_SECRET")
		web, _ := emu.SecretValue("repo:acme/web", "WEBHOOK_SECRET")
		ck.expect(len(api) == 64 && bytes.Equal(api, web), "WEBHOOK_SECRET is one 32-byte hex value in acme/api and acme/web")
		ck.expect(!bytes.Equal(api, hook), "WEBHOOK_SECRET is a new value")
		hook = api
		id, ok := verifyDeployKey(emu, "INFRA_DEPLOY_KEY", "acme/infra", "repo:acme/api")
		ck.expect(ok, "acme/infra has exactly one pat-action deploy key, whose private half acme/api holds")
		ck.expect(id != keyID, "the deploy key is new and the previous one is deleted")
		keyID = id
		bot, ok := emu.SecretValue("repo:acme/api", "BOT_TOKEN")
		ck.expect(ok && bytes.HasPrefix(bot, []byte("ghs_")) && emu.MintedTokens() == i+1, fmt.Sprintf("BOT_TOKEN in acme/api is a fresh installation token (%d minted)", i+1))
	}

	c, f := drt.divergenceDemo(ctx, emu, in, admin, ck)
	cases, failed = cases+c, failed+f

	for _, c := range []demoCase{
		{"audit: the plan's targets are fresh and the PAT is not expiring", "audit", with(in, values{}), admin, admin, exitOK},
		{"audit --organization acme --max-age 90d: a secret nobody rotates is reported", "audit",
			values{"api-url": apiURL, "organization": "acme", "max-age": "90d", "pacing": "off"}, admin, admin, exitPolicy},
	} {
		cases++
		if !drt.demoRun(ctx, c) {
			failed++
		}
	}
	return cases, failed + ck.failed
}

// describe names the containers an expectation failed in, for its line.
func describe(wrong []string) string {
	if len(wrong) == 0 {
		return ""
	}
	return " (wrong in " + strings.Join(wrong, ", ") + ")"
}

// demoChecker prints one line per expectation and counts those that failed.
// Its descriptions never hold a value.
type demoChecker struct {
	w      io.Writer
	failed int
}

func (c *demoChecker) expect(ok bool, what string) {
	if ok {
		fmt.Fprintf(c.w, "  ok       %s\n", what)
		return
	}
	fmt.Fprintf(c.w, "  WRONG    %s\n", what)
	c.failed++
}

// verifyDeployKey reports the id of the one deploy key of secret name on
// repo, and whether there is exactly one and container holds its private
// half.
func verifyDeployKey(emu *emulator.Server, name, repo, container string) (int64, bool) {
	var keys []emulator.DeployKey
	for _, k := range emu.DeployKeys(repo) {
		if strings.HasPrefix(k.Title, "pat-action "+name+" ") {
			keys = append(keys, k)
		}
	}
	if len(keys) != 1 {
		return 0, false
	}
	priv, ok := emu.SecretValue(container, name)
	if !ok {
		return keys[0].ID, false
	}
	signer, err := ssh.ParsePrivateKey(priv)
	if err != nil {
		return keys[0].ID, false
	}
	return keys[0].ID, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey()))) == keys[0].Key
}

// with returns base with more inputs added, leaving base as it was.
func with(base, more values) values {
	out := values{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}

// verifyStored reads what the emulator decrypted in each container and
// checks it is the token that was stored, printing which matched but never
// the value. It returns how many did not.
func verifyStored(rt runtime, emu *emulator.Server, name, tok string, containers ...string) int {
	fmt.Fprintf(rt.stdout, "\n== verify: the emulator decrypts %s in each target\n", name)
	failed := 0
	for _, c := range containers {
		got, ok := emu.SecretValue(c, name)
		switch {
		case !ok:
			fmt.Fprintf(rt.stdout, "  MISSING  %s\n", c)
			failed++
		case !bytes.Equal(got, []byte(tok)):
			fmt.Fprintf(rt.stdout, "  WRONG    %s holds a different value\n", c)
			failed++
		default:
			fmt.Fprintf(rt.stdout, "  ok       %s holds the token\n", c)
		}
	}
	return failed
}

// divergenceDemo shows a partial failure repaired: a forced rotation that
// acme/web refuses leaves two values of WEBHOOK_SECRET, audit names the
// stale target, and a plain rerun, which the rotation state tells that the
// targets disagree, writes one new value to both.
func (rt runtime) divergenceDemo(ctx context.Context, emu *emulator.Server, in values, admin string, ck *demoChecker) (cases, failed int) {
	emu.Inject(emulator.Fault{Op: "PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}", Kind: emulator.NotFound404,
		Match: "/acme/web/actions/secrets/WEBHOOK_SECRET"})
	steps := []demoCase{
		{"rotate --force, while acme/web refuses WEBHOOK_SECRET: the two targets now disagree", "rotate", with(in, values{"force": "true"}), admin, admin, exitPartial},
		{"audit: WEBHOOK_SECRET has diverged; the rotation state names the stale target", "audit", with(in, values{}), admin, admin, exitPolicy},
		{"rotate: a plain rerun repairs it, one new value in every target", "rotate", with(in, values{}), admin, admin, exitOK},
	}
	var before []byte
	for i, c := range steps {
		cases++
		if !rt.demoRun(ctx, c) {
			failed++
		}
		api, _ := emu.SecretValue("repo:acme/api", "WEBHOOK_SECRET")
		web, _ := emu.SecretValue("repo:acme/web", "WEBHOOK_SECRET")
		switch i {
		case 0:
			ck.expect(!bytes.Equal(api, web), "acme/api and acme/web hold different WEBHOOK_SECRET values")
			before = web
		case 2:
			ck.expect(bytes.Equal(api, web) && !bytes.Equal(web, before), "acme/api and acme/web hold one new WEBHOOK_SECRET value again")
		}
	}
	return cases, failed
}

// seedInventory gives acme fine-grained PATs (one living too long, one
// with administration write), a pending request, a classic PAT authorized
// for SAML with delete_repo, and an App installation token that may list
// and revoke them all (Administration write removes SAML authorizations).
func seedInventory(emu *emulator.Server, now time.Time, appToken string) {
	day := 24 * time.Hour
	read := map[string]map[string]string{"repository": {"contents": "read", "metadata": "read"}}
	emu.AddToken(emulator.Token{Value: appToken, Login: "acme-security[bot]", ExpiresAt: now.Add(time.Hour), Permissions: map[string]string{
		"organization_personal_access_tokens": "write", "organization_personal_access_token_requests": "write", "organization_administration": "write"}})
	emu.AddGrantedPAT(emulator.GrantedPAT{Org: "acme", Owner: "octocat", TokenName: "deploy", Permissions: read,
		AccessGrantedAt: now.Add(-20 * day), ExpiresAt: now.Add(60 * day), LastUsedAt: now.Add(-day)})
	emu.AddGrantedPAT(emulator.GrantedPAT{Org: "acme", Owner: "hubot", TokenName: "forever", Permissions: read,
		AccessGrantedAt: now.Add(-200 * day), ExpiresAt: now.Add(300 * day)})
	emu.AddGrantedPAT(emulator.GrantedPAT{Org: "acme", Owner: "monalisa", TokenName: "admin", AccessGrantedAt: now.Add(-5 * day), ExpiresAt: now.Add(30 * day),
		Permissions: map[string]map[string]string{"repository": {"administration": "write"}}})
	emu.AddPATRequest(emulator.PATRequest{Org: "acme", Owner: "newcomer", TokenName: "ci", Reason: "CI", CreatedAt: now.Add(-day), ExpiresAt: now.Add(30 * day), Permissions: read})
	emu.AddCredentialAuthorization(emulator.CredentialAuthorization{Org: "acme", Login: "octocat", Token: "ghp_" + strings.Repeat("x", 36),
		Scopes: []string{"repo", "delete_repo"}, AuthorizedAt: now.Add(-30 * day), AccessedAt: now.Add(-2 * day), ExpiresAt: now.Add(45 * day)})
}
