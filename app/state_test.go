package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v45/github"

	"github.com/pat-action/pat-action/emulator"
	"github.com/pat-action/pat-action/ghclient"
	"github.com/pat-action/pat-action/state"
)

// stateWorld is an emulated GitHub whose clock the test moves, with the
// plan's repository acme/ops keeping the rotation state.
type stateWorld struct {
	emu    *emulator.Server
	apiURL string
	mu     sync.Mutex
	now    time.Time
}

func (w *stateWorld) clock() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

func (w *stateWorld) advance(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.now = w.now.Add(d)
}

const secondTok = "ghp_second000000000000000000000000000000"

func newStateWorld(t *testing.T, repos ...string) *stateWorld {
	t.Helper()
	w := &stateWorld{now: testNow}
	w.emu = emulator.New(emulator.Options{Now: w.clock})
	w.emu.AddOrg("acme")
	for _, r := range append([]string{"ops"}, repos...) {
		w.emu.AddRepo(emulator.Repo{Owner: "acme", Name: r})
	}
	for _, tk := range checkTokens() {
		w.emu.AddToken(tk)
	}
	w.emu.AddToken(emulator.Token{Value: adminTok, Login: "admin", Scopes: []string{"repo", "admin:org"}})
	w.emu.AddToken(emulator.Token{Value: secondTok, Login: "octocat", Scopes: []string{"repo", "workflow"}, ExpiresAt: testNow.Add(400 * 24 * time.Hour)})
	srv, apiURL := w.emu.Start()
	t.Cleanup(srv.Close)
	w.apiURL = apiURL
	return w
}

// cli runs pat-action on the command line at the world's time, with the
// state in acme/ops, and returns its exit code and JSON report.
func (w *stateWorld) cli(t *testing.T, env map[string]string, args ...string) (int, Report) {
	t.Helper()
	var out, errb bytes.Buffer
	full := map[string]string{"GH_TOKEN": adminTok}
	for k, v := range env {
		full[k] = v
	}
	rt := runtime{
		getenv: func(k string) string { return full[k] }, stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		now: w.clock, sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	}
	args = append(args, "--api-url", w.apiURL, "--state-repository", "acme/ops", "--pacing", "off", "--json")
	code := rt.run(context.Background(), args)
	var rep Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v: exit %d, no JSON report (%v); stderr:\n%s", args[0], code, err, errb.String())
	}
	return code, rep
}

// admin is a client of the world's GitHub with the admin token, for a test
// that acts as someone outside the run (a hand edit, another shard).
func (w *stateWorld) admin(t *testing.T) *github.Client {
	t.Helper()
	api, err := ghclient.ParseAPIURL(w.apiURL)
	if err != nil {
		t.Fatal(err)
	}
	return ghclient.New(api, ghclient.Options{Token: adminTok})
}

// openState opens the rotation state in acme/ops as o says.
func (w *stateWorld) openState(t *testing.T, o state.Options) *state.Store {
	t.Helper()
	o.Repository = "acme/ops"
	st, err := state.Open(context.Background(), w.admin(t), o)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// values returns what each repository holds as name.
func (w *stateWorld) values(name string, repos []string) map[string]string {
	out := map[string]string{}
	for _, r := range repos {
		v, _ := w.emu.SecretValue("repo:acme/"+r, name)
		out[r] = string(v)
	}
	return out
}

// distinct counts the different values (an absent one counts as "").
func distinct(vs map[string]string) int {
	seen := map[string]bool{}
	for _, v := range vs {
		seen[v] = true
	}
	return len(seen)
}

func sourceOf(rep Report, name string) (diverged []string) {
	for _, s := range rep.Sources {
		if s.Name == name {
			return s.Diverged
		}
	}
	return nil
}

func repoNames(prefix string, n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("%s%02d", prefix, i))
	}
	return out
}

func targetList(repos []string) string {
	var ts []string
	for _, r := range repos {
		ts = append(ts, "{repository: acme/"+r+"}")
	}
	return "[" + strings.Join(ts, ", ") + "]"
}

// A forced rotation that fails on 2 of 11 targets leaves two values among
// them: audit fails it naming the two, and a plain rerun (not forced, every
// value younger than max-age) writes one new value everywhere.
func TestRotateRepairsDivergence(t *testing.T) {
	repos := repoNames("svc-", 11)
	w := newStateWorld(t, repos...)
	plan := writePlan(t, `version: 1
secrets:
  - name: WEBHOOK_SECRET
    source: {type: random, bytes: 16}
    max-age: 30d
    targets: `+targetList(repos)+"\n")
	if code, rep := w.cli(t, nil, "rotate", "--config", plan); code != 0 {
		t.Fatalf("first rotate: exit %d; problems %v", code, rep.Problems)
	}
	first := w.values("WEBHOOK_SECRET", repos)
	if distinct(first) != 1 || first["svc-00"] == "" {
		t.Fatal("the first rotation did not write one value everywhere")
	}
	put := "PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}"
	for _, r := range []string{"svc-03", "svc-07"} {
		w.emu.Inject(emulator.Fault{Op: put, Kind: emulator.Status5xx, Match: "/" + r + "/", Count: ghclient.DefaultMaxTries})
	}
	w.advance(time.Hour)
	if code, _ := w.cli(t, nil, "rotate", "--config", plan, "--force"); code != exitPartial {
		t.Fatalf("forced rotate with 2 failing targets: exit %d, want %d", code, exitPartial)
	}
	if n := distinct(w.values("WEBHOOK_SECRET", repos)); n != 2 {
		t.Fatalf("%d values after the partial failure, want 2 (the scenario)", n)
	}
	code, rep := w.cli(t, nil, "audit", "--config", plan)
	want := []string{"repo:acme/svc-03", "repo:acme/svc-07"}
	if code != exitPolicy || !cmp.Equal(sourceOf(rep, "WEBHOOK_SECRET"), want) {
		t.Errorf("audit of the diverged secret: exit %d, diverged %v; want exit %d naming %v", code, sourceOf(rep, "WEBHOOK_SECRET"), exitPolicy, want)
	}
	for _, s := range rep.Secrets {
		if stale := s.Result == "stale"; stale != slices.Contains(want, s.Target) {
			t.Errorf("audit: %s is %s", s.Target, s.Result)
		}
	}
	w.advance(time.Hour)
	code, rep = w.cli(t, nil, "rotate", "--config", plan)
	if code != 0 {
		t.Fatalf("rerun: exit %d; problems %v", code, rep.Problems)
	}
	after := w.values("WEBHOOK_SECRET", repos)
	if distinct(after) != 1 || after["svc-00"] == "" {
		t.Errorf("after the rerun %d values among the targets, want 1", distinct(after))
	}
	if after["svc-03"] == first["svc-03"] {
		t.Error("the rerun did not make a new value")
	}
	if code, rep := w.cli(t, nil, "audit", "--config", plan); code != 0 {
		t.Errorf("audit after the repair: exit %d; sources %+v", code, rep.Sources)
	}
}

// Nightly reruns of an unchanged PAT write nothing, so its age, from when it
// was first stored, keeps growing, and audit fails it after max-age; a new
// PAT is written everywhere and starts a new age.
func TestTokenAgeIsReal(t *testing.T) {
	repos := []string{"api", "web", "infra"}
	w := newStateWorld(t, repos...)
	plan := writePlan(t, `version: 1
secrets:
  - name: RELEASE_PAT
    source: {type: token, env: NEW_PAT}
    policy: {required-scopes: [repo, workflow]}
    max-age: 30d
    targets: `+targetList(repos)+"\n")
	env := map[string]string{"NEW_PAT": classicTok}
	const day = 24 * time.Hour
	puts := func() int {
		n := 0
		for _, r := range w.emu.Requests() {
			if r.Method == http.MethodPut && strings.HasSuffix(r.Path, "/RELEASE_PAT") {
				n++
			}
		}
		return n
	}
	for night := 0; night <= 31; night++ {
		code, rep := w.cli(t, env, "rotate", "--config", plan)
		if code != 0 {
			t.Fatalf("night %d: exit %d; problems %v", night, code, rep.Problems)
		}
		if puts() != len(repos) {
			t.Fatalf("night %d: %d writes of RELEASE_PAT in all, want %d (the first night's)", night, puts(), len(repos))
		}
		code, rep = w.cli(t, env, "audit", "--config", plan)
		if wantFail := night > 30; (code == exitPolicy) != wantFail {
			t.Errorf("night %d: audit exit %d; max-age failure expected: %v; rules %+v", night, code, wantFail, rep.Policy.Rules)
		}
		w.advance(day)
	}
	if up, _ := w.emu.SecretUpdatedAt("repo:acme/api", "RELEASE_PAT"); !up.Equal(testNow) {
		t.Errorf("RELEASE_PAT updated at %s, want the first night (%s)", up, testNow)
	}
	// A person makes a new PAT: written everywhere, and young again.
	env["NEW_PAT"] = secondTok
	if code, _ := w.cli(t, env, "rotate", "--config", plan); code != 0 || puts() != 2*len(repos) {
		t.Fatalf("new PAT: exit %d, %d writes in all, want %d", code, puts(), 2*len(repos))
	}
	if v, _ := w.emu.SecretValue("repo:acme/web", "RELEASE_PAT"); string(v) != secondTok {
		t.Error("the new PAT was not written") // compares, never prints
	}
	if code, rep := w.cli(t, env, "audit", "--config", plan); code != 0 {
		t.Errorf("audit of the new PAT: exit %d; rules %+v", code, rep.Policy.Rules)
	}
}

// prune deletes only what the state says this plan wrote and no longer
// selects: a secret of the same name stored by hand, outside the plan's
// selection, survives, and the first run with state prunes nothing.
func TestPruneOnlyWhatThePlanWrote(t *testing.T) {
	w := newStateWorld(t, "svc-1", "svc-2", "svc-3", "infra")
	w.emu.SetSecret("repo:acme/infra", "DEPLOY_PAT", []byte("by hand"), testNow.Add(-time.Hour))
	plan := func(exclude string) string {
		return writePlan(t, `version: 1
secrets:
  - name: DEPLOY_PAT
    source: {type: token, env: NEW_PAT}
    policy: {required-scopes: [repo, workflow]}
    prune: true
    targets: [{organization: acme, match: "^svc-[0-9]+$", exclude: [`+exclude+`]}]
`)
	}
	env := map[string]string{"NEW_PAT": classicTok}
	if code, rep := w.cli(t, env, "rotate", "--config", plan("acme/svc-3")); code != 0 {
		t.Fatalf("first rotate: exit %d; problems %v", code, rep.Problems)
	}
	w.emu.SetSecret("repo:acme/svc-3", "DEPLOY_PAT", []byte("by hand too"), testNow)
	// The plan narrows: svc-2 is no longer selected.
	narrow := plan("acme/svc-2, acme/svc-3")
	code, rep := w.cli(t, env, "rotate", "--config", narrow, "--dry-run")
	var would []string
	for _, s := range rep.Secrets {
		if s.Result == "would-delete" {
			would = append(would, s.Target)
		}
	}
	if code != 0 || !cmp.Equal(would, []string{"repo:acme/svc-2"}) {
		t.Errorf("dry run: exit %d, would delete %v, want [repo:acme/svc-2]", code, would)
	}
	if _, ok := w.emu.SecretValue("repo:acme/svc-2", "DEPLOY_PAT"); !ok {
		t.Fatal("the dry run deleted")
	}
	if code, rep := w.cli(t, env, "rotate", "--config", narrow); code != 0 {
		t.Fatalf("narrowed rotate: exit %d; problems %v", code, rep.Problems)
	}
	if _, ok := w.emu.SecretValue("repo:acme/svc-2", "DEPLOY_PAT"); ok {
		t.Error("prune left DEPLOY_PAT in acme/svc-2, which the plan wrote and no longer selects")
	}
	for _, r := range []string{"infra", "svc-3"} {
		if v, ok := w.emu.SecretValue("repo:acme/"+r, "DEPLOY_PAT"); !ok || !strings.HasPrefix(string(v), "by hand") {
			t.Errorf("prune touched the hand-written DEPLOY_PAT in acme/%s", r)
		}
	}
}

// Two shards of a matrix rotate at the same time; the state each wrote
// survives the other's, so the next night writes nothing.
func TestShardsShareState(t *testing.T) {
	repos := repoNames("r", 40)
	w := newStateWorld(t, repos...)
	plan := writePlan(t, `version: 1
secrets:
  - name: RELEASE_PAT
    source: {type: token, env: NEW_PAT}
    policy: {required-scopes: [repo, workflow]}
    targets: `+targetList(repos)+"\n")
	env := map[string]string{"NEW_PAT": classicTok}
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _ = w.cli(t, env, "rotate", "--config", plan, "--shard", fmt.Sprintf("%d/2", i+1))
		}()
	}
	wg.Wait()
	if codes[0] != 0 || codes[1] != 0 {
		t.Fatalf("shards exit %v, want 0 and 0", codes)
	}
	if n := len(w.emu.VariableNames("repo:acme/ops")); n != 2 {
		t.Errorf("%d state variables, want one per shard", n)
	}
	w.advance(24 * time.Hour)
	for i := range 2 {
		code, rep := w.cli(t, env, "rotate", "--config", plan, "--shard", fmt.Sprintf("%d/2", i+1))
		for _, s := range rep.Secrets {
			if s.Result != "unchanged" {
				t.Errorf("next night, shard %d/2: %s %s (the state lost it)", i+1, s.Target, s.Result)
			}
		}
		if code != 0 {
			t.Errorf("next night, shard %d/2: exit %d", i+1, code)
		}
	}
}

// State that cannot be read stops the run before anything is written
// (exit 3), and a dry run reads the state but writes none.
func TestStateUnreadable(t *testing.T) {
	w := newStateWorld(t, "api")
	plan := writePlan(t, `version: 1
secrets:
  - name: WEBHOOK_SECRET
    source: {type: random}
    targets: [{repository: acme/api}]
`)
	w.emu.Inject(emulator.Fault{Op: "GET /repos/{owner}/{repo}/actions/variables", Kind: emulator.Status5xx, Count: ghclient.DefaultMaxTries})
	code, rep := w.cli(t, nil, "rotate", "--config", plan)
	if code != exitPartial || len(rep.Problems) != 1 || !strings.HasPrefix(rep.Problems[0].Target, "state:") {
		t.Errorf("unreadable state: exit %d, problems %v; want exit %d and the state named", code, rep.Problems, exitPartial)
	}
	if _, ok := w.emu.SecretValue("repo:acme/api", "WEBHOOK_SECRET"); ok {
		t.Error("a secret was written without state")
	}
	w.emu.Inject(emulator.Fault{Op: "GET /repos/{owner}/{repo}/actions/variables", Kind: emulator.Status5xx, Count: ghclient.DefaultMaxTries})
	if code, rep := w.cli(t, nil, "audit", "--config", plan); code != exitPartial || len(rep.Problems) == 0 || !strings.HasPrefix(rep.Problems[0].Target, "state:") {
		t.Errorf("audit with unreadable state: exit %d, problems %v; want exit %d naming the state", code, rep.Problems, exitPartial)
	}
	// State that cannot be written: the new generation is recorded before
	// any value is, so nothing is written.
	w.emu.Inject(emulator.Fault{Op: "POST /repos/{owner}/{repo}/actions/variables", Kind: emulator.Status5xx, Count: ghclient.DefaultMaxTries})
	if code, rep := w.cli(t, nil, "rotate", "--config", plan); code != exitPartial || len(rep.Problems) != 1 || !strings.HasPrefix(rep.Problems[0].Target, "state:") {
		t.Errorf("unwritable state: exit %d, problems %v; want exit %d naming the state", code, rep.Problems, exitPartial)
	}
	if _, ok := w.emu.SecretValue("repo:acme/api", "WEBHOOK_SECRET"); ok {
		t.Error("a secret was written although its state could not be")
	}
	if code, _ := w.cli(t, nil, "rotate", "--config", plan, "--dry-run"); code != 0 {
		t.Errorf("dry run: exit %d", code)
	}
	if n := w.emu.VariableNames("repo:acme/ops"); len(n) != 0 {
		t.Errorf("the dry run wrote state %v", n)
	}
	// Without any state repository, rotate refuses before any request.
	before := len(w.emu.Requests())
	res := run(t, []string{"rotate", "--api-url", w.apiURL, "--config", plan}, map[string]string{"GH_TOKEN": adminTok, "GITHUB_REPOSITORY": ""}, "")
	if res.code != exitUsage || !strings.Contains(res.stderr, "--state-repository") || len(w.emu.Requests()) != before {
		t.Errorf("no state repository: exit %d, stderr %q; want %d before any request", res.code, res.stderr, exitUsage)
	}
}

// A run killed half-way through writing a new random value leaves the
// targets it did not reach behind; the next, plain run finds them (the
// state recorded the new generation before the first write) and converges.
func TestRotateKilledConverges(t *testing.T) {
	bin := buildBinary(t)
	w := newFaultWorld(t, emulator.Options{})
	plan := writePlan(t, `version: 1
secrets:
  - name: WEBHOOK_SECRET
    source: {type: random, bytes: 16}
    max-age: 30d
    targets: `+strings.ReplaceAll(targetList(w.repos), "acme/acme/", "acme/")+"\n")
	state := w.repos[0]
	cmdFor := func(extra ...string) (*exec.Cmd, *bytes.Buffer) {
		args := append([]string{"rotate", "--json", "--api-url", w.apiURL, "--config", plan, "--concurrency", "2", "--pacing", "off", "--state-repository", state}, extra...)
		cmd := exec.Command(bin, args...)
		cmd.Env = []string{"GH_TOKEN=" + classicTok}
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		return cmd, &errb
	}
	values := func() map[string]string {
		out := map[string]string{}
		for _, r := range w.repos {
			v, _ := w.emu.SecretValue("repo:"+r, "WEBHOOK_SECRET")
			out[r] = string(v)
		}
		return out
	}
	cmd, errb := cmdFor()
	if err := cmd.Run(); err != nil {
		t.Fatalf("first run: %v\n%s", err, errb)
	}
	first := values()
	if distinct(first) != 1 {
		t.Fatal("the first run did not write one value everywhere")
	}
	w.emu.SetLatency(10 * time.Millisecond)
	midway := w.after(10, func(r *http.Request) bool {
		return r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/actions/secrets/WEBHOOK_SECRET")
	})
	cmd, errb = cmdFor("--force")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killAt(t, cmd, midway, errb)
	w.emu.SetLatency(0)
	if n := distinct(values()); n != 2 {
		t.Fatalf("%d values after the kill, want 2 (the scenario)", n)
	}
	cmd, errb = cmdFor()
	if err := cmd.Run(); err != nil {
		t.Fatalf("rerun: %v\n%s", err, errb)
	}
	if after := values(); distinct(after) != 1 || after[w.repos[0]] == first[w.repos[0]] {
		t.Errorf("after the rerun: %d values, want one new value everywhere", distinct(after))
	}
	cmd, errb = cmdFor()
	cmd.Args[1] = "audit"
	if err := cmd.Run(); err != nil {
		t.Errorf("audit after the rerun: %v\n%s", err, errb)
	}
}

// A plan publishes non-secret companions as Actions variables: a token's
// expiry to a repository and an organization, a deploy key's public half to
// an environment, a random secret's rotation date; created, then left
// unchanged, then updated when the token changes. Every request is one of
// GitHub's operations.
func TestRotatePublishesVariables(t *testing.T) {
	w := newStateWorld(t, "api", "web", "infra")
	w.emu.AddRepo(emulator.Repo{Owner: "acme", Name: "app", Environments: []string{"production"}})
	plan := writePlan(t, `version: 1
secrets:
  - name: RELEASE_PAT
    source: {type: token, env: NEW_PAT}
    policy: {required-scopes: [repo, workflow]}
    targets: [{repository: acme/web}]
    variables:
      - name: RELEASE_PAT_EXPIRES_AT
        value: expires-at
        targets: [{repository: acme/api}, {organization: acme}]
  - name: INFRA_DEPLOY_KEY
    source: {type: deploy-key, repository: acme/infra}
    targets: [{repository: acme/api}]
    variables:
      - {name: INFRA_DEPLOY_KEY_PUBLIC, value: public-key, targets: [{repository: acme/app, environment: production}]}
  - name: WEBHOOK_SECRET
    source: {type: random}
    targets: [{repository: acme/api}]
    variables:
      - {name: WEBHOOK_ROTATED_AT, value: rotated-at, targets: [{repository: acme/web}]}
`)
	env := map[string]string{"NEW_PAT": classicTok}
	results := func(rep Report) map[string]string {
		out := map[string]string{}
		for _, s := range rep.Secrets {
			if strings.HasPrefix(s.Target, "variable:") {
				out[s.Name+" "+s.Target] = s.Result
			}
		}
		return out
	}
	code, rep := w.cli(t, env, "rotate", "--config", plan)
	if code != 0 {
		t.Fatalf("rotate: exit %d; problems %v", code, rep.Problems)
	}
	want := map[string]string{
		"RELEASE_PAT_EXPIRES_AT variable:repo:acme/api":            "created",
		"RELEASE_PAT_EXPIRES_AT variable:org:acme":                 "created",
		"INFRA_DEPLOY_KEY_PUBLIC variable:env:acme/app/production": "created",
		"WEBHOOK_ROTATED_AT variable:repo:acme/web":                "created",
	}
	if diff := cmp.Diff(want, results(rep)); diff != "" {
		t.Errorf("first run (-want +got):\n%s", diff)
	}
	exp := testNow.Add(60 * 24 * time.Hour).UTC().Format(time.RFC3339)
	for _, c := range []string{"repo:acme/api", "org:acme"} {
		if v, _ := w.emu.GetVariable(c, "RELEASE_PAT_EXPIRES_AT"); v.Value != exp {
			t.Errorf("RELEASE_PAT_EXPIRES_AT in %s is %q, want %q", c, v.Value, exp)
		}
	}
	keys := w.emu.DeployKeys("acme/infra")
	if v, _ := w.emu.GetVariable("env:acme/app/production", "INFRA_DEPLOY_KEY_PUBLIC"); len(keys) != 1 || v.Value != keys[0].Key {
		t.Error("INFRA_DEPLOY_KEY_PUBLIC is not the registered deploy key's public half")
	}
	if v, _ := w.emu.GetVariable("repo:acme/web", "WEBHOOK_ROTATED_AT"); v.Value != testNow.UTC().Format(time.RFC3339) {
		t.Errorf("WEBHOOK_ROTATED_AT is %q, want the first run's time", v.Value)
	}
	w.advance(time.Hour)
	if code, rep = w.cli(t, env, "rotate", "--config", plan); code != 0 {
		t.Fatalf("rerun: exit %d; problems %v", code, rep.Problems)
	}
	for k, r := range results(rep) {
		if r != "unchanged" {
			t.Errorf("rerun: %s %s, want unchanged", k, r)
		}
	}
	env["NEW_PAT"] = secondTok
	if code, rep = w.cli(t, env, "rotate", "--config", plan); code != 0 {
		t.Fatalf("new PAT: exit %d; problems %v", code, rep.Problems)
	}
	if r := results(rep)["RELEASE_PAT_EXPIRES_AT variable:org:acme"]; r != "updated" {
		t.Errorf("new PAT: the organization's RELEASE_PAT_EXPIRES_AT %s, want updated", r)
	}
	seen := map[string]bool{}
	for _, q := range w.emu.Requests() {
		seen[q.Method+" "+q.Operation] = true
		if op, ok := emulator.GitHubOperations().Match(q.Method, q.Path); !ok || op.Deprecated {
			t.Errorf("%s %s is not a current GitHub operation", q.Method, q.Path)
		}
	}
	for _, op := range []string{"POST /repos/{owner}/{repo}/environments/{environment_name}/variables", "PATCH /orgs/{org}/actions/variables/{name}", "POST /orgs/{org}/actions/variables"} {
		if !seen[strings.SplitN(op, " ", 2)[0]+" "+op] {
			t.Errorf("never sent %s", op)
		}
	}
}

// One state variable edited by hand stops nothing but itself: audit and
// the other secrets' rotation go on, the bad variable is named (exit 3,
// its value never quoted), its secret is written afresh and its variable
// replaced, and the next run is clean. A head of parts whose parts are
// gone (deleted by hand) is as unreadable as a value edited.
func TestStateOneVariableUnreadable(t *testing.T) {
	for _, edited := range []string{"edited by hand", "c:A:3:deleted-by-hand"} {
		t.Run(edited, func(t *testing.T) {
			w := newStateWorld(t, "api", "web")
			plan := writePlan(t, `version: 1
secrets:
  - name: WEBHOOK_SECRET
    source: {type: random}
    targets: [{repository: acme/api}]
  - name: SIGNING_SECRET
    source: {type: random}
    targets: [{repository: acme/web}]
`)
			if code, rep := w.cli(t, nil, "rotate", "--config", plan); code != 0 {
				t.Fatalf("first rotate: exit %d, problems %v", code, rep.Problems)
			}
			w.emu.SetVariable("repo:acme/ops", "PAT_ACTION_STATE_WEBHOOK_SECRET_1_1", edited, w.now)
			named := func(what string, code int, rep Report) {
				t.Helper()
				if code != exitPartial || len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0].Error, "PAT_ACTION_STATE_WEBHOOK_SECRET_1_1 cannot be read") {
					t.Fatalf("%s: exit %d, problems %v; want exit %d naming the unreadable variable", what, code, rep.Problems, exitPartial)
				}
				if strings.Contains(rep.Problems[0].Error, edited) {
					t.Errorf("%s: the problem quotes the variable's value", what)
				}
			}
			code, rep := w.cli(t, nil, "audit", "--config", plan)
			named("audit", code, rep)
			if got := resultsOf(rep, "fresh"); !slices.Equal(got, []string{"repo:acme/api", "repo:acme/web"}) {
				t.Errorf("audit: fresh %v, want both targets audited", got)
			}
			code, rep = w.cli(t, nil, "rotate", "--config", plan)
			named("rotate", code, rep)
			for _, c := range []struct{ repo, name string }{{"acme/api", "WEBHOOK_SECRET"}, {"acme/web", "SIGNING_SECRET"}} {
				if _, ok := w.emu.SecretValue("repo:"+c.repo, c.name); !ok {
					t.Errorf("%s is not in %s", c.name, c.repo)
				}
			}
			if code, rep := w.cli(t, nil, "rotate", "--config", plan); code != 0 || len(rep.Problems) != 0 {
				t.Errorf("next run: exit %d, problems %v; want a clean run on the replaced variable", code, rep.Problems)
			}
		})
	}
}
