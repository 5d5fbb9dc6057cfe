package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/ssh"

	"github.com/pat-action/pat-action/emulator"
	"github.com/pat-action/pat-action/rotate"
)

func rotateWorld(t *testing.T) *world {
	t.Helper()
	toks := append(checkTokens(), emulator.Token{Value: adminTok, Login: "admin", Scopes: []string{"repo", "admin:org"}})
	w := newWorld(t, emulator.Options{}, toks...)
	w.emu.AddRepo(emulator.Repo{Owner: "acme", Name: "infra"})
	return w
}

const rotatePlan = `version: 1
secrets:
  - name: RELEASE_PAT
    source: {type: token, env: NEW_PAT}
    policy: {required-scopes: [repo, workflow]}
    targets: [{repository: acme/api}, {repository: acme/web}]
  - name: WEBHOOK_SECRET
    source: {type: random, bytes: 32}
    max-age: 30d
    targets: [{repository: acme/api}]
  - name: INFRA_DEPLOY_KEY
    source: {type: deploy-key, repository: acme/infra}
    targets: [{repository: acme/web}]
`

func writePlan(t *testing.T, plan string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "plan.yml")
	if err := os.WriteFile(p, []byte(plan), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRotateActionNoLeak runs a plan as the container action and holds
// every value it wrote (read from the emulator) to never showing anywhere
// but in an add-mask command, which must come first.
func TestRotateActionNoLeak(t *testing.T) {
	w := rotateWorld(t)
	r := newRunner(t, map[string]string{"mode": "rotate", "token": adminTok, "api-url": w.apiURL, "config": writePlan(t, rotatePlan)})
	r.env["NEW_PAT"] = classicTok
	res := run(t, nil, r.env, "")
	if res.code != 0 {
		t.Fatalf("exit %d; stdout:\n%s", res.code, res.stdout)
	}
	texts := map[string]string{"stdout": res.stdout, "stderr": res.stderr, "outputs": r.read(t, r.outputFile), "summary": r.read(t, r.summary)}
	for _, c := range []struct{ container, name string }{
		{"repo:acme/api", "RELEASE_PAT"}, {"repo:acme/api", "WEBHOOK_SECRET"}, {"repo:acme/web", "INFRA_DEPLOY_KEY"},
	} {
		v, ok := w.emu.SecretValue(c.container, c.name)
		if !ok {
			t.Errorf("%s not written to %s", c.name, c.container)
			continue
		}
		for _, line := range strings.Split(string(v), "\n") {
			if line = strings.TrimSpace(line); len(line) < 8 || strings.HasPrefix(line, "-----") {
				continue
			}
			assertNoLeak(t, line, texts)
		}
		if !strings.Contains(res.stdout, "::add-mask::") {
			t.Errorf("%s was not masked", c.name)
		}
	}
	if !strings.Contains(texts["outputs"], "secrets-written") || !strings.Contains(texts["summary"], "INFRA_DEPLOY_KEY") {
		t.Error("outputs or summary miss the rotation")
	}
	// The token source's variable came from the process environment, as a
	// workflow's env: passes it.
	assertValue(t, w, "repo:acme/api", "RELEASE_PAT", classicTok)
	assertValue(t, w, "repo:acme/web", "RELEASE_PAT", classicTok)
}

func TestRotateCLIExitCodes(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		want     int
		stderr   string
		requests bool
	}{
		{"missing config file", []string{"--config", "/nonexistent/plan.yml"}, nil, 2, "no such file", false},
		{"bad shard", []string{"--shard", "3/2"}, nil, 2, "shard", false},
		{"bad concurrency", []string{"--concurrency", "0"}, nil, 2, "concurrency 0: want 1 to 100", false},
		{"plan error with file:line", []string{"--config", "BAD"}, nil, 2, "plan.yml:", false},
		{"token source not set", nil, map[string]string{"GH_TOKEN": adminTok}, 2, "NEW_PAT", false},
		{"token fails its policy", nil, map[string]string{"GH_TOKEN": adminTok, "NEW_PAT": broadTok}, 1, "over-broad", true},
		{"a target fails", []string{"--config", "GONE"}, nil, 3, "acme/gone", true},
		{"all written", nil, nil, 0, "policy passed", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := rotateWorld(t)
			args := []string{"rotate", "--api-url", w.apiURL}
			cfg := writePlan(t, rotatePlan)
			switch {
			case len(tt.args) == 2 && tt.args[1] == "BAD":
				args = append(args, "--config", writePlan(t, "version: 1\nsecrets:\n  - name: 1BAD\n"))
			case len(tt.args) == 2 && tt.args[1] == "GONE":
				args = append(args, "--config", writePlan(t, strings.Replace(rotatePlan, "acme/web}]\n  - name: WEBHOOK", "acme/gone}]\n  - name: WEBHOOK", 1)))
			case tt.args != nil:
				args = append(args, tt.args...)
			default:
				args = append(args, "--config", cfg)
			}
			if tt.args != nil && tt.args[0] == "--shard" {
				args = append(args, "--config", cfg)
			}
			env := tt.env
			if env == nil {
				env = map[string]string{"GH_TOKEN": adminTok, "NEW_PAT": classicTok}
			}
			res := run(t, args, env, "")
			if res.code != tt.want {
				t.Errorf("exit %d, want %d; stderr:\n%s", res.code, tt.want, res.stderr)
			}
			if !strings.Contains(res.stderr, tt.stderr) {
				t.Errorf("stderr does not mention %q:\n%s", tt.stderr, res.stderr)
			}
			if n := len(w.emu.Requests()); (n > 0) != tt.requests {
				t.Errorf("%d requests, want requests: %v", n, tt.requests)
			}
		})
	}
}

// Rotate writes at most concurrency targets at once, as store does.
func TestRotateConcurrency(t *testing.T) {
	w := newWorld(t, emulator.Options{Latency: 5 * time.Millisecond}, checkTokens()...)
	w.emu.AddRepos("acme", 20, nil)
	var targets []string
	for i := range 20 {
		targets = append(targets, fmt.Sprintf("{repository: acme/repo-%03d}", i))
	}
	plan := writePlan(t, "version: 1\nsecrets:\n  - name: WEBHOOK_SECRET\n    source: {type: random}\n    targets: ["+strings.Join(targets, ", ")+"]\n")
	res := run(t, []string{"rotate", "--api-url", w.apiURL, "--config", plan, "--concurrency", "2", "--pacing", "off"}, map[string]string{"GH_TOKEN": classicTok}, "")
	if res.code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", res.code, res.stderr)
	}
	if n := w.emu.InFlightMax(); n > 2 {
		t.Errorf("%d requests in flight at once, want at most 2", n)
	}
}

func TestAuditCLI(t *testing.T) {
	w := rotateWorld(t)
	w.emu.SetSecret("repo:acme/api", "OLD", []byte("x"), testNow.Add(-100*24*time.Hour))
	env := map[string]string{"GH_TOKEN": adminTok}
	res := run(t, []string{"audit", "--api-url", w.apiURL, "--organization", "acme", "--max-age", "90d", "--json"}, env, "")
	if res.code != 1 || !strings.Contains(res.stdout, `"result": "stale"`) {
		t.Errorf("exit %d, want 1 with a stale secret; stdout:\n%s", res.code, res.stdout)
	}
	res = run(t, []string{"audit", "--api-url", w.apiURL, "--organization", "acme", "--max-age", "120d"}, env, "")
	if res.code != 0 {
		t.Errorf("exit %d, want 0; stderr:\n%s", res.code, res.stderr)
	}
	res = run(t, []string{"audit", "--api-url", w.apiURL, "--organization", "acme"}, env, "")
	if res.code != 2 {
		t.Errorf("organization without max-age: exit %d, want 2", res.code)
	}
}

// appID is the GitHub App of rotation tests, installed on acme.
const appID = 12345

// testAppKey is the test app's private key, made once: RSA key generation
// is slow under the race detector, and no test needs a key of its own.
var testAppKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// testAppPEM is testAppKey and its PEM form, as a private-key input holds it.
func testAppPEM(t *testing.T) (*rsa.PrivateKey, string) {
	t.Helper()
	key, err := testAppKey()
	if err != nil {
		t.Fatal(err)
	}
	return key, string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
}

// rotationWorld is rotateWorld with what a whole plan reaches: acme/svc-a
// and acme/svc-b (topic deploy), acme/svc-c (no topic), acme/svc-old
// (archived), and a GitHub App installed on acme. It returns the App's
// private key in PEM form.
func rotationWorld(t *testing.T) (*world, string) {
	t.Helper()
	w := rotateWorld(t)
	for _, r := range []emulator.Repo{
		{Owner: "acme", Name: "svc-a", Topics: []string{"deploy"}},
		{Owner: "acme", Name: "svc-b", Topics: []string{"deploy"}},
		{Owner: "acme", Name: "svc-c"},
		{Owner: "acme", Name: "svc-old", Topics: []string{"deploy"}, Archived: true},
	} {
		w.emu.AddRepo(r)
	}
	key, pemKey := testAppPEM(t)
	w.emu.AddApp(emulator.App{ID: appID, Slug: "acme-bot", PublicKey: &key.PublicKey})
	w.emu.AddInstallation(emulator.Installation{ID: 77, AppID: appID, Account: "acme", Permissions: map[string]string{"contents": "write", "metadata": "read"}})
	return w, pemKey
}

// fullPlan has a secret of every source type, and targets of every kind.
const fullPlan = `version: 1
secrets:
  - name: RELEASE_PAT
    source: {type: token, env: NEW_PAT}
    policy: {required-scopes: [repo, workflow]}
    targets:
      - repository: acme/api
      - {repository: acme/web, environment: production}
      - {organization: acme, visibility: selected, repositories: [acme/api, acme/web]}
      - {organization: acme, match: "^svc-", topic: deploy}
  - name: WEBHOOK_SECRET
    source: {type: random, bytes: 32}
    max-age: 30d
    targets: [{repository: acme/api}, {repository: acme/web}]
  - name: INFRA_DEPLOY_KEY
    source: {type: deploy-key, repository: acme/infra}
    max-age: 30d
    targets: [{repository: acme/web}]
  - name: BOT_TOKEN
    source: {type: github-app, app-id: 12345, private-key-env: APP_KEY, installation: acme, permissions: {contents: write}, repositories: [api]}
    targets: [{repository: acme/api}]
`

// fullPlanEnv is the environment fullPlan runs in, from the CLI.
func fullPlanEnv(appKey string) map[string]string {
	return map[string]string{"GH_TOKEN": adminTok, "NEW_PAT": classicTok, "APP_KEY": appKey}
}

// runRotation runs pat-action as a process would, with retries that do not
// wait and, when fresh is set, a new connection for every request (so that
// an injected reset is seen by the retrier rather than absorbed by the
// HTTP transport's own retry of a reused idle connection).
func runRotation(t *testing.T, args []string, env map[string]string, fresh bool) (result, *sleeper) {
	t.Helper()
	var out, errb bytes.Buffer
	sl := &sleeper{}
	rt := runtime{
		getenv: func(k string) string { return env[k] },
		stdin:  strings.NewReader(""),
		stdout: &out, stderr: &errb,
		now:   func() time.Time { return testNow },
		sleep: sl.sleep,
	}
	if fresh {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.DisableKeepAlives = true
		t.Cleanup(tr.CloseIdleConnections)
		rt.transport = tr
	}
	code := rt.run(context.Background(), withStateRepo(args, env))
	return result{code: code, stdout: out.String(), stderr: errb.String()}, sl
}

// assertFullPlan holds the emulator to what fullPlan must leave behind:
// the token in every target it selects and nowhere else, one random value
// in both its targets, one deploy key whose private half is stored, and a
// minted installation token. It never prints a value.
func assertFullPlan(t *testing.T, w *world) {
	t.Helper()
	for _, c := range []string{"repo:acme/api", "env:acme/web/production", "org:acme", "repo:acme/svc-a", "repo:acme/svc-b"} {
		assertValue(t, w, c, "RELEASE_PAT", classicTok)
	}
	for _, c := range []string{"repo:acme/web", "repo:acme/svc-c", "repo:acme/svc-old"} {
		if _, ok := w.emu.SecretValue(c, "RELEASE_PAT"); ok {
			t.Errorf("%s holds RELEASE_PAT, which the plan does not select there", c)
		}
	}
	api, okAPI := w.emu.SecretValue("repo:acme/api", "WEBHOOK_SECRET")
	web, okWeb := w.emu.SecretValue("repo:acme/web", "WEBHOOK_SECRET")
	if !okAPI || !okWeb || len(api) != 64 || !bytes.Equal(api, web) {
		t.Errorf("WEBHOOK_SECRET: stored in acme/api %v and acme/web %v, length %d (want 64), the same in both %v", okAPI, okWeb, len(api), bytes.Equal(api, web))
	}
	assertOneDeployKey(t, w, "INFRA_DEPLOY_KEY", "acme/infra", "repo:acme/web")
	bot, ok := w.emu.SecretValue("repo:acme/api", "BOT_TOKEN")
	if !ok || !bytes.HasPrefix(bot, []byte("ghs_")) || w.emu.MintedTokens() != 1 {
		t.Errorf("BOT_TOKEN: stored %v, an installation token %v, %d minted (want 1)", ok, bytes.HasPrefix(bot, []byte("ghs_")), w.emu.MintedTokens())
	}
}

// assertOneDeployKey fails unless repo has exactly one deploy key of
// secret name, and container holds its private half.
func assertOneDeployKey(t *testing.T, w *world, name, repo, container string) {
	t.Helper()
	var keys []emulator.DeployKey
	for _, k := range w.emu.DeployKeys(repo) {
		if strings.HasPrefix(k.Title, "pat-action "+name+" ") {
			keys = append(keys, k)
		}
	}
	if len(keys) != 1 {
		t.Errorf("%s has %d deploy keys of %s, want 1", repo, len(keys), name)
		return
	}
	priv, ok := w.emu.SecretValue(container, name)
	if !ok {
		t.Errorf("%s holds no %s", container, name)
		return
	}
	signer, err := ssh.ParsePrivateKey(priv)
	if err != nil {
		t.Errorf("%s in %s is not an SSH private key", name, container)
		return
	}
	if got := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey()))); got != keys[0].Key {
		t.Errorf("%s in %s is not the private half of the deploy key on %s", name, container, repo)
	}
}

// The token a plan's token source names comes from the process
// environment, as a workflow's env: passes it to the container action; so
// does an app's private key. Every line of the key, the minted token and
// every other value is masked before anything else is printed and shows
// nowhere but in its add-mask command.
func TestRotateActionAppKeyNoLeak(t *testing.T) {
	w, appKey := rotationWorld(t)
	r := newRunner(t, map[string]string{"mode": "rotate", "admin-token": adminTok, "api-url": w.apiURL,
		"config": writePlan(t, fullPlan), "pacing": "off"})
	r.env["NEW_PAT"], r.env["APP_KEY"] = classicTok, appKey
	res, _ := runRotation(t, nil, r.env, false)
	if res.code != 0 {
		t.Fatalf("exit %d; stdout:\n%s", res.code, res.stdout)
	}
	assertFullPlan(t, w)

	texts := map[string]string{"stdout": res.stdout, "stderr": res.stderr, "outputs": r.read(t, r.outputFile), "summary": r.read(t, r.summary)}
	// Masks come first: no other line before the last add-mask command.
	masks := masksFirst(t, res.stdout)
	var values []string
	for _, line := range strings.Split(appKey, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			values = append(values, line)
		}
	}
	for i, v := range values {
		if !masks[v] {
			t.Errorf("line %d of the app's private key is not masked", i+1)
		}
	}
	bot, _ := w.emu.SecretValue("repo:acme/api", "BOT_TOKEN")
	hook, _ := w.emu.SecretValue("repo:acme/api", "WEBHOOK_SECRET")
	deploy, _ := w.emu.SecretValue("repo:acme/web", "INFRA_DEPLOY_KEY")
	for what, v := range map[string]string{"the minted token": string(bot), "the random value": string(hook), "the token source": classicTok, "the admin token": adminTok} {
		if !masks[v] {
			t.Errorf("%s is not masked", what)
		}
		values = append(values, v)
	}
	for _, line := range strings.Split(string(deploy), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "-----") {
			if !masks[line] {
				t.Error("a line of the deploy key is not masked")
			}
			values = append(values, line)
		}
	}
	for _, v := range values {
		assertNoLeak(t, v, texts)
	}
}

// reminderIssuePlan stores NEW_PAT in acme/api and opens a reminder issue
// when it expires within 4 days (twice min-days-left).
const reminderIssuePlan = `version: 1
secrets:
  - name: RELEASE_PAT
    source: {type: token, env: NEW_PAT}
    policy: {required-scopes: [repo], allowed-scopes: [repo, workflow], min-days-left: 2}
    open-issue: true
    targets: [{repository: acme/api}]
`

// A token source inside its warning window opens a reminder issue in the
// running repository ($GITHUB_REPOSITORY); the next run updates that issue
// rather than opening another, and a fresh token closes it.
func TestRotateReminderIssue(t *testing.T) {
	w := rotateWorld(t)
	// expiringTok expires in 3 days: within the warning window of
	// min-days-left 2 (twice that), so it passes and is propagated.
	plan := writePlan(t, reminderIssuePlan)
	steps := []struct {
		tok    string
		result string // the report's issue result
		state  string // the issue's state after the run
	}{
		{expiringTok, "created", "open"},
		{expiringTok, "updated", "open"},
		{classicTok, "closed", "closed"},
	}
	number := 0
	for i, st := range steps {
		env := map[string]string{"GH_TOKEN": adminTok, "NEW_PAT": st.tok, "GITHUB_REPOSITORY": "acme/web"}
		res, _ := runRotation(t, []string{"rotate", "--api-url", w.apiURL, "--config", plan, "--json"}, env, false)
		if res.code != 0 {
			t.Fatalf("run %d: exit %d; stderr:\n%s", i+1, res.code, res.stderr)
		}
		rep := reportIssues(t, i+1, res.stdout)
		issues := w.emu.Issues("acme/web")
		if len(issues) != 1 {
			t.Fatalf("run %d: %d issues in acme/web, want 1", i+1, len(issues))
		}
		if number == 0 {
			number = issues[0].Number
		}
		want := []rotate.IssueResult{{Repository: "acme/web", Number: number, Name: "RELEASE_PAT", Result: st.result}}
		if diff := cmp.Diff(want, rep); diff != "" {
			t.Errorf("run %d: issues (-want +got):\n%s", i+1, diff)
		}
		if issues[0].State != st.state || !strings.Contains(issues[0].Body, rotate.Marker("RELEASE_PAT")) {
			t.Errorf("run %d: issue state %q, want %q, with the marker", i+1, issues[0].State, st.state)
		}
		if strings.Contains(issues[0].Body, st.tok) || strings.Contains(issues[0].Title, st.tok) {
			t.Errorf("run %d: the issue holds the token", i+1)
		}
		assertValue(t, w, "repo:acme/api", "RELEASE_PAT", st.tok)
	}
	if n := len(w.emu.Issues("acme/api")); n != 0 {
		t.Errorf("%d issues in acme/api, want them only in the running repository", n)
	}
}

// A rotation under injected faults retries what GitHub asks to be retried,
// waits on the injected clock, and leaves every target with the value the
// plan meant.
func TestRotateUnderFaults(t *testing.T) {
	putRepo := "PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}"
	tests := []struct {
		name    string
		faults  []emulator.Fault
		minWait time.Duration // the longest retry wait is at least this
	}{
		{"5xx burst on writes", []emulator.Fault{{Op: putRepo, Kind: emulator.Status5xx, Count: 3}}, 0},
		{"5xx listing the organization", []emulator.Fault{{Op: "GET /orgs/{org}/repos", Kind: emulator.Status5xx, Status: 503, Count: 2}}, 0},
		{"5xx minting the app token", []emulator.Fault{{Op: "POST /app/installations/{installation_id}/access_tokens", Kind: emulator.Status5xx}}, 0},
		{"5xx registering the deploy key", []emulator.Fault{{Op: "POST /repos/{owner}/{repo}/keys", Kind: emulator.Status5xx, Status: 500}}, 0},
		// GitHub registered the key but the answer was lost: the key, which
		// only this run can have made, is found among the repository's keys
		// and adopted rather than registered again.
		{"answer lost registering the deploy key", []emulator.Fault{{Op: "POST /repos/{owner}/{repo}/keys", Kind: emulator.LostAnswer}}, 0},
		{"connection reset on writes", []emulator.Fault{{Op: putRepo, Kind: emulator.Reset, Count: 2}}, 0},
		{"connection reset reading a public key", []emulator.Fault{{Op: "GET /repos/{owner}/{repo}/actions/secrets/public-key", Kind: emulator.Reset}}, 0},
		{"secondary limit with retry-after", []emulator.Fault{{Op: putRepo, Kind: emulator.Secondary403, RetryAfter: 30 * time.Second, Count: 2}}, 30 * time.Second},
		// One fault per container: the product refetches a rotated key once
		// per write, so a second rotation of the same key mid-write is a
		// different scenario (a failed target), not this one.
		{"key rotated between GET and PUT", []emulator.Fault{
			{Kind: emulator.RotateKeyBeforePut, Match: "/acme/svc-a/"},
			{Kind: emulator.RotateKeyBeforePut, Match: "/acme/svc-b/"},
			{Kind: emulator.RotateKeyBeforePut, Match: "/environments/production/"},
		}, 0},
		{"all at once", []emulator.Fault{
			{Op: putRepo, Kind: emulator.Status5xx, Count: 2, Match: "svc-a"},
			{Op: putRepo, Kind: emulator.Reset, Match: "acme/api"},
			{Op: putRepo, Kind: emulator.Secondary403, RetryAfter: 45 * time.Second, Match: "acme/web"},
			{Kind: emulator.RotateKeyBeforePut, Match: "svc-b"},
		}, 45 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, appKey := rotationWorld(t)
			for _, f := range tt.faults {
				w.emu.Inject(f)
			}
			args := []string{"rotate", "--api-url", w.apiURL, "--config", writePlan(t, fullPlan), "--pacing", "off", "--json"}
			res, sl := runRotation(t, args, fullPlanEnv(appKey), true)
			if res.code != 0 {
				t.Fatalf("exit %d; stderr:\n%s", res.code, res.stderr)
			}
			if n := w.emu.PendingFaults(); n != 0 {
				t.Errorf("%d injected faults never fired", n)
			}
			assertFullPlan(t, w)
			retries := 0
			for _, f := range tt.faults {
				if f.Kind != emulator.RotateKeyBeforePut {
					retries += max(f.Count, 1)
				}
			}
			waits := sl.all()
			if len(waits) != retries {
				t.Errorf("%d retry waits %v, want %d", len(waits), waits, retries)
			}
			longest := time.Duration(0)
			for _, d := range waits {
				longest = max(longest, d)
			}
			if longest < tt.minWait {
				t.Errorf("longest wait %s, want at least %s (as GitHub asked)", longest, tt.minWait)
			}
		})
	}
}

// Every request a whole rotation and audit send, a secret of every source
// type, reminder issue and prune included, is a current operation of
// GitHub's REST API.
func TestRotateAuditOperations(t *testing.T) {
	w, appKey := rotationWorld(t)
	pruned := fullPlan + `  - name: PRUNED
    source: {type: token, env: SOON_PAT}
    policy: {required-scopes: [repo], min-days-left: 2}
    open-issue: true
    prune: true
    targets: [{organization: acme, match: "^svc-", topic: deploy}]
`
	plan := writePlan(t, pruned)
	env := fullPlanEnv(appKey)
	env["SOON_PAT"] = expiringTok
	env["GITHUB_REPOSITORY"] = "acme/web"
	// A first run writes PRUNED to acme/svc-c too; the plan then narrows.
	wide := writePlan(t, strings.Replace(pruned, `match: "^svc-", topic: deploy}]
`, `match: "^svc-"}]
`, 1))
	res, _ := runRotation(t, []string{"rotate", "--api-url", w.apiURL, "--config", wide, "--pacing", "off", "--json"}, env, false)
	if res.code != 0 {
		t.Fatalf("rotate: exit %d; stderr:\n%s", res.code, res.stderr)
	}
	if _, ok := w.emu.SecretValue("repo:acme/svc-c", "PRUNED"); !ok {
		t.Fatalf("the wide plan did not write PRUNED to acme/svc-c:\n%s", res.stdout)
	}
	assertFullPlan(t, w)
	res, _ = runRotation(t, []string{"rotate", "--api-url", w.apiURL, "--config", plan, "--pacing", "off", "--json"}, env, false)
	if res.code != 0 {
		t.Fatalf("rotate: exit %d; stderr:\n%s", res.code, res.stderr)
	}
	if _, ok := w.emu.SecretValue("repo:acme/svc-c", "PRUNED"); ok {
		t.Error("prune left PRUNED in acme/svc-c")
	}
	if n := len(w.emu.Issues("acme/web")); n != 1 {
		t.Errorf("%d reminder issues, want 1", n)
	}
	// The audit finds the token in its warning window: a warning, exit 0.
	res, _ = runRotation(t, []string{"audit", "--api-url", w.apiURL, "--config", plan}, env, false)
	if res.code != 0 || !strings.Contains(res.stderr, "warn") {
		t.Errorf("audit: exit %d, want 0 with a warning; stderr:\n%s", res.code, res.stderr)
	}
	res, _ = runRotation(t, []string{"audit", "--api-url", w.apiURL, "--organization", "acme", "--max-age", "1d"}, env, false)
	if res.code != 0 {
		t.Errorf("organization audit: exit %d, want 0; stderr:\n%s", res.code, res.stderr)
	}
	seen := map[string]bool{}
	for _, r := range w.emu.Requests() {
		seen[r.Operation] = true
	}
	for _, op := range []string{
		"GET /orgs/{org}/repos", "GET /orgs/{org}/installation", "POST /app/installations/{installation_id}/access_tokens",
		"POST /repos/{owner}/{repo}/keys", "GET /repos/{owner}/{repo}/keys", "POST /repos/{owner}/{repo}/issues",
		"DELETE /repos/{owner}/{repo}/actions/secrets/{secret_name}", "GET /repos/{owner}/{repo}/actions/secrets",
	} {
		if !seen[op] {
			t.Errorf("the run never sent %s: the check below does not cover it", op)
		}
	}
	assertGitHubOperations(t, w)
}

// reportIssues reads the reminder issues of run's JSON report.
func reportIssues(t *testing.T, run int, stdout string) []rotate.IssueResult {
	t.Helper()
	var rep struct {
		Issues []rotate.IssueResult `json:"issues"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("run %d: %v", run, err)
	}
	return rep.Issues
}
