package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/ssh"

	"github.com/pat-action/pat-action/emulator"
	"github.com/pat-action/pat-action/ghclient"
)

// faultTargets is how many repositories the fault suite writes into.
const faultTargets = 50

// faultTimeout is the client timeout of a run under a Slow fault: short, so
// that a response slower than it is quick to see. ghclient retries a try
// that timed out, so a stall of a loaded machine costs a try, not a target.
// Every other run has ghclient's default.
const faultTimeout = 300 * time.Millisecond

// slowResponse is a Slow fault's delay: far beyond faultTimeout, as the
// emulator ends the wait when the client gives up.
const slowResponse = time.Minute

// clientTimeout is the client timeout of a run under faults.
func clientTimeout(faults []emulator.Fault) time.Duration {
	if slices.ContainsFunc(faults, func(f emulator.Fault) bool { return f.Kind == emulator.Slow }) {
		return faultTimeout
	}
	return 0 // ghclient's default
}

// weakTok lacks the repo scope that writing repository secrets needs.
const weakTok = "ghp_weak00000000000000000000000000000000"

// faultWorld is an emulated GitHub with faultTargets repositories, behind a
// server the test owns, so that it can watch requests as they arrive.
type faultWorld struct {
	emu    *emulator.Server
	apiURL string
	host   string
	repos  []string
	// timeout is the client timeout of runFaulty; zero is ghclient's.
	timeout time.Duration
	// matched holds the requests checkInvariants found to be current
	// operations, so that each is matched once.
	matched map[string]bool
	// seen is called with each request the emulator finished serving.
	mu   sync.Mutex
	seen func(*http.Request)
}

func newFaultWorld(t *testing.T, opts emulator.Options) *faultWorld {
	t.Helper()
	opts.Now = func() time.Time { return testNow }
	emu := emulator.New(opts)
	emu.AddRepos("acme", faultTargets, nil)
	for _, tk := range checkTokens() {
		emu.AddToken(tk)
	}
	emu.AddToken(emulator.Token{Value: weakTok, Login: "octocat", Scopes: []string{"workflow"}, ExpiresAt: testNow.Add(60 * 24 * time.Hour)})
	w := &faultWorld{emu: emu, matched: map[string]bool{}}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		emu.ServeHTTP(rw, r)
		w.mu.Lock()
		f := w.seen
		w.mu.Unlock()
		if f != nil {
			f(r)
		}
	}))
	t.Cleanup(srv.Close)
	w.apiURL = srv.URL
	w.host = strings.TrimPrefix(srv.URL, "http://")
	for i := range faultTargets {
		w.repos = append(w.repos, fmt.Sprintf("acme/repo-%03d", i))
	}
	return w
}

// authGuard is a transport that records any request carrying an
// Authorization header to a host other than the API's.
type authGuard struct {
	host string
	mu   sync.Mutex
	bad  []string
}

func (g *authGuard) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Header.Get("Authorization") != "" && r.URL.Host != g.host {
		g.mu.Lock()
		g.bad = append(g.bad, r.Method+" "+r.URL.Host+r.URL.Path)
		g.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(r)
}

// faultRun is one run of the product in a fault cell.
type faultRun struct {
	code   int
	texts  map[string]string // every output, for the leak check
	failed []string          // targets the run listed as problems
}

// runFaulty runs store into every repository of w, in the CLI or the
// action, with instant retry sleeps and w's client timeout. Pacing is off:
// the pacer waits in real time, and the benchmark measures it.
func runFaulty(t *testing.T, w *faultWorld, action bool, admin string) faultRun {
	t.Helper()
	guard := &authGuard{host: w.host}
	var out, errb bytes.Buffer
	env := map[string]string{"GH_TOKEN": classicTok, "PAT_ACTION_ADMIN_TOKEN": admin}
	args := []string{"store", "--json", "--api-url", w.apiURL, "--secret-name", "PAT",
		"--repositories", strings.Join(w.repos, ","), "--concurrency", "8", "--pacing", "off"}
	var r *runner
	if action {
		r = newRunner(t, map[string]string{"mode": "store", "token": classicTok, "admin-token": admin, "api-url": w.apiURL,
			"secret-name": "PAT", "repositories": strings.Join(w.repos, "\n"), "concurrency": "8", "pacing": "off"})
		env, args = r.env, nil
	}
	rt := runtime{
		getenv: func(k string) string { return env[k] },
		stdin:  strings.NewReader(""),
		stdout: &out, stderr: &errb,
		now:       func() time.Time { return testNow },
		transport: guard,
		sleep:     func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
		timeout:   w.timeout,
	}
	code := rt.run(context.Background(), args)
	fr := faultRun{code: code, texts: map[string]string{"stdout": out.String(), "stderr": errb.String()}}
	if action {
		fr.texts["outputs"] = r.read(t, r.outputFile)
		fr.texts["summary"] = r.read(t, r.summary)
	}
	for _, target := range failedTargets(t, action, out.String(), errb.String()) {
		fr.failed = append(fr.failed, strings.TrimPrefix(target, "repo:"))
	}
	sort.Strings(fr.failed)
	if len(guard.bad) > 0 {
		t.Errorf("the Authorization header went to another host: %v", guard.bad)
	}
	return fr
}

// checkInvariants asserts what must hold after every run, faults or not:
// each target holds the token or is a listed problem, exit 3 exactly when
// one failed, nothing leaked, and every request was a current operation.
func checkInvariants(t *testing.T, w *faultWorld, ops *emulator.Operations, fr faultRun, admin string) {
	t.Helper()
	listed := map[string]bool{}
	for _, f := range fr.failed {
		listed[f] = true
	}
	var missing []string
	for _, repo := range w.repos {
		got, ok := w.emu.SecretValue("repo:"+repo, "PAT")
		if !(ok && bytes.Equal(got, []byte(classicTok))) && !listed[repo] {
			missing = append(missing, repo)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d targets neither hold the token nor are listed as problems: %v", len(missing), missing)
	}
	wantCode := exitOK
	if len(fr.failed) > 0 {
		wantCode = exitPartial
	}
	if fr.code != wantCode {
		t.Errorf("exit %d with %d failed targets, want %d\nstderr:\n%s", fr.code, len(fr.failed), wantCode, fr.texts["stderr"])
	}
	for _, tok := range []string{classicTok, admin} {
		assertNoLeak(t, tok, fr.texts)
	}
	for _, q := range w.emu.Requests() {
		if w.matched[q.Method+" "+q.Path] {
			continue
		}
		w.matched[q.Method+" "+q.Path] = true
		op, ok := ops.Match(q.Method, q.Path)
		switch {
		case !ok:
			t.Errorf("%s %s is not an operation of openapi_operations.yaml", q.Method, q.Path)
		case op.Deprecated:
			t.Errorf("%s %s is the deprecated operation %s", q.Method, q.Path, op.Name)
		}
	}
	if u := w.emu.Unknown(); len(u) > 0 {
		t.Errorf("requests the emulator does not serve: %v", u)
	}
}

func loadOperations(t *testing.T) *emulator.Operations {
	t.Helper()
	return emulator.GitHubOperations()
}

const (
	putSecret = "PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}"
	getKey    = "GET /repos/{owner}/{repo}/actions/secrets/public-key"
)

// TestStoreFaults runs store into 50 repositories under each fault, in both
// front ends, and checks the invariants after the faulty run and after a
// rerun without the fault, which must finish the job.
func TestStoreFaults(t *testing.T) {
	ops := loadOperations(t)
	tests := []struct {
		name   string
		faults []emulator.Fault
		// admin is the admin token of the first run; the rerun uses the
		// token itself.
		admin string
		// mustFail are targets the faulty run must list as failed; nil
		// means any (the fault lands where concurrency puts it).
		mustFail []string
		// allOK means the faulty run itself must succeed: retries absorb
		// the fault.
		allOK bool
	}{
		{name: "no fault", allOK: true},
		{name: "5xx bursts", allOK: true, faults: []emulator.Fault{
			// Bursts shorter than the tries, so that even one target
			// meeting the whole burst gets through.
			{Op: putSecret, Kind: emulator.Status5xx, Count: ghclient.DefaultMaxTries - 1},
			{Op: getKey, Kind: emulator.Status5xx, Status: 503, Count: 3},
			{Op: putSecret, Kind: emulator.Status5xx, Status: 504, Match: "repo-010/", Count: 4},
		}},
		{name: "5xx for longer than the retries last", mustFail: []string{"acme/repo-020"}, faults: []emulator.Fault{
			// ghclient.DefaultMaxTries attempts, all failing.
			{Op: putSecret, Kind: emulator.Status5xx, Match: "repo-020/", Count: ghclient.DefaultMaxTries},
		}},
		{name: "connection resets", allOK: true, faults: []emulator.Fault{
			{Op: putSecret, Kind: emulator.Reset, Count: ghclient.DefaultMaxTries - 1},
			{Op: getKey, Kind: emulator.Reset, Count: 3},
		}},
		{name: "responses slower than the client timeout", allOK: true, faults: []emulator.Fault{
			// Fewer than the tries: a try that timed out is tried again.
			{Op: putSecret, Kind: emulator.Slow, Delay: slowResponse, Count: 2},
			{Op: getKey, Kind: emulator.Slow, Delay: slowResponse, Count: 2},
		}},
		{name: "secondary-limit 403 with retry-after", allOK: true, faults: []emulator.Fault{
			{Op: putSecret, Kind: emulator.Secondary403, RetryAfter: 3 * time.Second, Count: ghclient.DefaultMaxTries - 1},
			{Op: getKey, Kind: emulator.Secondary403, RetryAfter: time.Minute, Count: ghclient.DefaultMaxTries - 1},
		}},
		{name: "secondary-limit 403 on the token check", allOK: true, faults: []emulator.Fault{
			{Op: "GET /user", Kind: emulator.Secondary403, RetryAfter: time.Second, Count: 1},
		}},
		{name: "primary exhaustion with x-ratelimit-reset", allOK: true, faults: []emulator.Fault{
			{Op: putSecret, Kind: emulator.Primary403, RetryAfter: 40 * time.Second, Count: ghclient.DefaultMaxTries - 1},
			{Op: getKey, Kind: emulator.Primary403, RetryAfter: 2 * time.Minute, Count: 2},
		}},
		{name: "primary exhaustion on the token check", allOK: true, faults: []emulator.Fault{
			{Op: "GET /user", Kind: emulator.Primary403, RetryAfter: 10 * time.Second, Count: 1},
		}},
		{name: "5xx on the token check", allOK: true, faults: []emulator.Fault{
			{Op: "GET /user", Kind: emulator.Status5xx, Count: 1},
		}},
		{name: "public key rotated between GET and PUT", allOK: true, faults: []emulator.Fault{
			{Kind: emulator.RotateKeyBeforePut, Match: "repo-003/", Count: 1},
			{Kind: emulator.RotateKeyBeforePut, Match: "repo-030/", Count: 1},
		}},
		{name: "404 for one repository", mustFail: []string{"acme/repo-007"}, faults: []emulator.Fault{
			{Kind: emulator.NotFound404, Match: "/repos/acme/repo-007/", Count: 1},
		}},
		{name: "403 missing scope", admin: weakTok, mustFail: nil},
	}
	for _, tt := range tests {
		for _, action := range []bool{false, true} {
			name := tt.name + "/cli"
			if action {
				name = tt.name + "/action"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				w := newFaultWorld(t, emulator.Options{})
				for _, f := range tt.faults {
					w.emu.Inject(f)
				}
				w.timeout = clientTimeout(tt.faults)
				admin := tt.admin
				if admin == "" {
					admin = classicTok
				}
				first := runFaulty(t, w, action, admin)
				checkInvariants(t, w, ops, first, admin)
				if tt.allOK && len(first.failed) > 0 {
					t.Errorf("retries should have absorbed the fault, but %d targets failed: %v\nstderr:\n%s", len(first.failed), first.failed, first.texts["stderr"])
				}
				for _, want := range tt.mustFail {
					if !contains(first.failed, want) {
						t.Errorf("%s is not listed as failed: %v", want, first.failed)
					}
				}
				if tt.admin == weakTok {
					if diff := cmp.Diff(w.repos, first.failed); diff != "" {
						t.Errorf("with a token lacking the scope every target fails (-want +got):\n%s", diff)
					}
					if !strings.Contains(first.texts["stdout"]+first.texts["stderr"], "accepted OAuth scopes: repo") {
						t.Errorf("the failure does not name the scope that is needed:\n%s", first.texts["stderr"])
					}
				}
				// The rerun, with the fault gone (or the scope granted),
				// finishes the job.
				drainFaults(t, w)
				w.timeout = 0
				again := runFaulty(t, w, action, classicTok)
				checkInvariants(t, w, ops, again, classicTok)
				if len(again.failed) > 0 || again.code != exitOK {
					t.Errorf("the rerun did not finish the job: exit %d, failed %v\nstderr:\n%s", again.code, again.failed, again.texts["stderr"])
				}
			})
		}
	}
}

// drainFaults fires the faults that a run left pending (a burst longer
// than the run needed) with throwaway requests, so the rerun meets none.
func drainFaults(t *testing.T, w *faultWorld) {
	t.Helper()
	for i := 0; w.emu.PendingFaults() > 0 && i < 20*faultTargets; i++ {
		for _, path := range []string{"/repos/acme/repo-%03d/actions/secrets/public-key", "/repos/acme/repo-%03d/actions/secrets/PAT"} {
			p := fmt.Sprintf(path, i%faultTargets)
			method := http.MethodGet
			if strings.HasSuffix(p, "/PAT") {
				method = http.MethodPut
			}
			req, err := http.NewRequest(method, w.apiURL+p, strings.NewReader("{}"))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("User-Agent", "fault-drain")
			req.Header.Set("Authorization", "Bearer "+classicTok)
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			resp, err := http.DefaultClient.Do(req.WithContext(ctx))
			cancel()
			if err == nil {
				resp.Body.Close()
			}
		}
	}
	if n := w.emu.PendingFaults(); n > 0 {
		t.Fatalf("%d faults still pending", n)
	}
}

// built is the pat-action binary the process tests share: one go build per
// test binary, removed by TestMain.
var built struct {
	once      sync.Once
	dir, path string
	err       error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// buildBinary returns the built pat-action, building it on first use, and
// skips the test in -short mode.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "pat-action-test-"); built.err != nil {
			return
		}
		built.path = filepath.Join(built.dir, "pat-action")
		// As the Dockerfile builds it, so the build shares the root package
		// tests' cache.
		build := exec.Command("go", "build", "-trimpath", "-o", built.path, "github.com/pat-action/pat-action")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		out, err := build.CombinedOutput()
		if err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.path
}

// TestStoreKilledMidway kills the real binary while it writes, with
// latency so that it is mid-run, and checks that a rerun completes the job.
func TestStoreKilledMidway(t *testing.T) {
	bin := buildBinary(t)
	w := newFaultWorld(t, emulator.Options{Latency: 20 * time.Millisecond})
	ops := loadOperations(t)
	midway := w.after(10, func(r *http.Request) bool { return r.Method == http.MethodPut })

	start := func() (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
		cmd := exec.Command(bin, "store", "--json", "--api-url", w.apiURL, "--secret-name", "PAT",
			"--repositories", strings.Join(w.repos, ","), "--concurrency", "2", "--pacing", "off")
		cmd.Env = []string{"GH_TOKEN=" + classicTok}
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, &out, &errb
	}
	cmd, out, errb := start()
	killAt(t, cmd, midway, errb)
	written := 0
	for _, repo := range w.repos {
		if _, ok := w.emu.SecretValue("repo:"+repo, "PAT"); ok {
			written++
		}
	}
	if written == 0 || written == faultTargets {
		t.Fatalf("%d of %d targets written when killed: not midway", written, faultTargets)
	}
	assertNoLeak(t, classicTok, map[string]string{"stdout (killed)": out.String(), "stderr (killed)": errb.String()})

	w.emu.SetLatency(0)
	cmd, out, errb = start()
	err := cmd.Wait()
	fr := faultRun{code: cmd.ProcessState.ExitCode(), texts: map[string]string{"stdout": out.String(), "stderr": errb.String()}}
	if err != nil && fr.code == -1 {
		t.Fatalf("rerun: %v", err)
	}
	checkInvariants(t, w, ops, fr, classicTok)
	if fr.code != exitOK {
		t.Errorf("rerun exit %d, want 0; stderr:\n%s", fr.code, errb.String())
	}
	var rep struct {
		Secrets []SecretResult `json:"secrets"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("rerun stdout is not a JSON report: %v", err)
	}
	counts := map[string]int{}
	for _, s := range rep.Secrets {
		counts[s.Result]++
	}
	// A PUT in flight at the kill may still land after the count, so the
	// split is at least what was counted.
	if counts["updated"] < written || counts["created"] == 0 || counts["updated"]+counts["created"] != faultTargets {
		t.Errorf("the rerun's results %v: want %d targets, at least %d updated (written before the kill) and some created", counts, faultTargets, written)
	}
}

// rotateFaultPlan rotates a deploy key of acme/infra and a random secret
// into ten repositories.
const rotateFaultPlan = `version: 1
secrets:
  - name: INFRA_DEPLOY_KEY
    source: {type: deploy-key, repository: acme/infra}
    max-age: 30d
    targets: [TARGETS]
  - name: WEBHOOK_SECRET
    source: {type: random, bytes: 32}
    max-age: 30d
    targets: [TARGETS]
`

// rotateFaultCase is one fault of TestRotateFaults.
type rotateFaultCase struct {
	name   string
	faults []emulator.Fault
	// admin is the token of the faulty run; the rerun uses classicTok.
	admin string
	// mustFail is a target the faulty run must list as a problem.
	mustFail string
}

// TestRotateFaults rotates a plan with a deploy key and a random secret on
// GHES (pacing off) under each fault, after a clean first rotation, in both
// front ends, and checks: every target holds the new value or is a listed
// problem, exit 3 exactly when one failed, the previous deploy key is kept
// unless every write succeeded, a rerun finishes with one key left, nothing
// leaks, and every request is a current operation. In the action every
// value a run writes is also masked before anything else is printed.
func TestRotateFaults(t *testing.T) {
	ops := loadOperations(t)
	const n = 10
	var repos, targets []string
	for i := range n {
		repos = append(repos, fmt.Sprintf("acme/repo-%03d", i))
		targets = append(targets, fmt.Sprintf("{repository: acme/repo-%03d}", i))
	}
	plan := writePlan(t, strings.ReplaceAll(rotateFaultPlan, "TARGETS", strings.Join(targets, ", ")))
	putAny := "PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}"
	tests := []rotateFaultCase{
		{name: "no fault"},
		{name: "5xx bursts", faults: []emulator.Fault{{Op: putAny, Kind: emulator.Status5xx, Count: ghclient.DefaultMaxTries - 1}}},
		{name: "connection resets", faults: []emulator.Fault{{Op: putAny, Kind: emulator.Reset, Count: ghclient.DefaultMaxTries - 1}}},
		{name: "responses slower than the client timeout", faults: []emulator.Fault{{Op: putAny, Kind: emulator.Slow, Delay: slowResponse, Count: 2}}},
		{name: "secondary-limit 403 with retry-after", faults: []emulator.Fault{{Op: putAny, Kind: emulator.Secondary403, RetryAfter: 2 * time.Second, Count: ghclient.DefaultMaxTries - 1}}},
		{name: "primary exhaustion with x-ratelimit-reset", faults: []emulator.Fault{{Op: putAny, Kind: emulator.Primary403, RetryAfter: 30 * time.Second, Count: ghclient.DefaultMaxTries - 1}}},
		{name: "public key rotated between GET and PUT", faults: []emulator.Fault{{Kind: emulator.RotateKeyBeforePut, Match: "repo-004/", Count: 1}}},
		{name: "404 for one repository", mustFail: "acme/repo-006",
			faults: []emulator.Fault{{Op: putAny, Kind: emulator.NotFound404, Match: "/repos/acme/repo-006/actions/secrets/INFRA_DEPLOY_KEY", Count: 1}}},
		{name: "5xx for longer than the retries last", mustFail: "acme/repo-002",
			faults: []emulator.Fault{{Op: putAny, Kind: emulator.Status5xx, Match: "repo-002/actions/secrets/INFRA_DEPLOY_KEY", Count: ghclient.DefaultMaxTries}}},
		{name: "403 missing scope", admin: weakTok},
	}
	for _, tt := range tests {
		for _, action := range []bool{false, true} {
			name := tt.name + "/cli"
			if action {
				name = tt.name + "/action"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				rotateFaultCell(t, ops, plan, repos, tt, action)
			})
		}
	}
}

// rotateFaultCell runs one cell of TestRotateFaults in the CLI or, with
// action, in the container action.
func rotateFaultCell(t *testing.T, ops *emulator.Operations, plan string, repos []string, tt rotateFaultCase, action bool) {
	t.Helper()
	emu := emulator.New(emulator.Options{GHES: true, Now: func() time.Time { return testNow }})
	emu.AddRepos("acme", len(repos), nil)
	emu.AddRepo(emulator.Repo{Owner: "acme", Name: "infra"})
	emu.AddToken(emulator.Token{Value: classicTok, Login: "octocat", Scopes: []string{"repo", "admin:org"}, ExpiresAt: testNow.Add(60 * 24 * time.Hour)})
	emu.AddToken(emulator.Token{Value: weakTok, Login: "octocat", Scopes: []string{"workflow"}, ExpiresAt: testNow.Add(60 * 24 * time.Hour)})
	srv, apiURL := emu.Start()
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	names := []string{"INFRA_DEPLOY_KEY", "WEBHOOK_SECRET"}
	// stored is what every target holds, by secret and repository.
	stored := func() map[string]string {
		out := map[string]string{}
		for _, name := range names {
			for _, repo := range repos {
				v, _ := emu.SecretValue("repo:"+repo, name)
				out[name+" "+repo] = string(v)
			}
		}
		return out
	}
	var timeout time.Duration    // the client timeout of rotateRun; zero is ghclient's
	matched := map[string]bool{} // the requests found to be current operations
	rotateRun := func(tok string) faultRun {
		t.Helper()
		guard := &authGuard{host: host}
		var out, errb bytes.Buffer
		env := map[string]string{"GH_ENTERPRISE_TOKEN": tok} // a GHES world: gh's variable for it
		args := []string{"rotate", "--json", "--api-url", apiURL, "--config", plan, "--state-repository", "acme/infra"}
		var r *runner
		if action {
			r = newRunner(t, map[string]string{"mode": "rotate", "token": tok, "api-url": apiURL, "config": plan, "state-repository": "acme/infra"})
			env, args = r.env, nil
		}
		rt := runtime{
			getenv: func(k string) string { return env[k] }, stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
			now: func() time.Time { return testNow }, transport: guard, timeout: timeout,
			sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
		}
		code := rt.run(context.Background(), args)
		fr := faultRun{code: code, texts: map[string]string{"stdout": out.String(), "stderr": errb.String()}}
		if action {
			fr.texts["outputs"], fr.texts["summary"] = r.read(t, r.outputFile), r.read(t, r.summary)
		}
		fr.failed = failedTargets(t, action, out.String(), errb.String())
		if len(guard.bad) > 0 {
			t.Errorf("the Authorization header went to another host: %v", guard.bad)
		}
		return fr
	}
	// run rotates and holds the invariants after it; it returns whether
	// every target holds one and the same deploy key, other than stale
	// (the previous one).
	run := func(tok string, stale []byte) (faultRun, bool) {
		t.Helper()
		before := stored()
		fr := rotateRun(tok)
		var masks map[string]bool
		if action {
			masks = masksFirst(t, fr.texts["stdout"])
			if !masks[tok] {
				t.Error("the token input is not masked")
			}
		}
		after := stored()
		complete := true
		for _, name := range names {
			var first string
			for i, repo := range repos {
				v := after[name+" "+repo]
				listed := slices.ContainsFunc(fr.failed, func(f string) bool { return strings.Contains(f, repo) })
				if v == "" && !listed {
					t.Errorf("%s in %s: neither written nor a listed problem", name, repo)
				}
				if i == 0 {
					first = v
				}
				// Random values are per run and written only where due;
				// deploy keys go to every target.
				if name == "INFRA_DEPLOY_KEY" && (v == "" || v != first || v == string(stale)) {
					complete = false
				}
				for _, line := range strings.Split(v, "\n") {
					if line = strings.TrimSpace(line); len(line) < 8 || strings.HasPrefix(line, "-----") {
						continue
					}
					// Generated values never show, and in the action
					// the run that wrote one masked it first.
					assertNoLeak(t, line, fr.texts)
					if action && v != before[name+" "+repo] && !masks[line] {
						t.Errorf("%s in %s: the value the run wrote was not masked", name, repo)
					}
				}
			}
		}
		if want := map[bool]int{true: exitPartial, false: exitOK}[len(fr.failed) > 0]; fr.code != want {
			t.Errorf("exit %d with problems %v, want %d\nstdout:\n%s\nstderr:\n%s", fr.code, fr.failed, want, fr.texts["stdout"], fr.texts["stderr"])
		}
		assertNoLeak(t, tok, fr.texts)
		for _, q := range emu.Requests() {
			if matched[q.Method+" "+q.Path] {
				continue
			}
			matched[q.Method+" "+q.Path] = true
			if op, ok := ops.Match(q.Method, strings.TrimPrefix(q.Path, "/api/v3")); !ok || op.Deprecated {
				t.Errorf("%s %s is not a current operation of openapi_operations.yaml", q.Method, q.Path)
			}
		}
		if u := emu.Unknown(); len(u) > 0 {
			t.Errorf("requests the emulator does not serve: %v", u)
		}
		return fr, complete
	}

	// A clean first rotation leaves one deploy key.
	if _, complete := run(classicTok, nil); !complete {
		t.Fatal("the clean first rotation did not complete")
	}
	stale, _ := emu.SecretValue("repo:acme/repo-001", "INFRA_DEPLOY_KEY")
	before := emu.DeployKeys("acme/infra")
	if len(before) != 1 {
		t.Fatalf("%d deploy keys after the first rotation, want 1", len(before))
	}
	// One target's value grows old, so both secrets rotate again.
	for _, name := range names {
		v, _ := emu.SecretValue("repo:acme/repo-000", name)
		emu.SetSecret("repo:acme/repo-000", name, v, testNow.Add(-40*24*time.Hour))
	}
	for _, f := range tt.faults {
		emu.Inject(f)
	}
	timeout = clientTimeout(tt.faults)
	tok := classicTok
	if tt.admin != "" {
		tok = tt.admin
	}
	fr, complete := run(tok, stale)
	if tt.mustFail != "" && !slices.ContainsFunc(fr.failed, func(f string) bool { return strings.Contains(f, tt.mustFail) }) {
		t.Errorf("%s is not listed as a problem: %v", tt.mustFail, fr.failed)
	}
	if tt.mustFail != "" && complete {
		t.Errorf("%s failed, yet every target holds the new key", tt.mustFail)
	}
	keys := emu.DeployKeys("acme/infra")
	if !complete && !slices.ContainsFunc(keys, func(k emulator.DeployKey) bool { return k.ID == before[0].ID }) {
		t.Error("the previous deploy key was deleted although not every target holds the new key")
	}
	// A rerun with the fault gone finishes the job: one key, the same
	// value everywhere.
	for emu.PendingFaults() > 0 {
		emu = drainRotateFaults(t, emu, apiURL)
	}
	timeout = 0
	if _, complete := run(classicTok, stale); !complete {
		t.Error("the rerun did not leave every target with the same new deploy key")
	}
	if at, _ := emu.SecretUpdatedAt("repo:acme/repo-000", "WEBHOOK_SECRET"); !at.Equal(testNow) {
		t.Errorf("WEBHOOK_SECRET in acme/repo-000 was not rotated (updated %s)", at)
	}
	if keys := emu.DeployKeys("acme/infra"); len(keys) != 1 {
		t.Errorf("%d deploy keys after the rerun, want 1", len(keys))
	}
}

// drainRotateFaults fires faults a run left pending with throwaway PUTs of
// a secret no plan names.
func drainRotateFaults(t *testing.T, emu *emulator.Server, apiURL string) *emulator.Server {
	t.Helper()
	for i := 0; emu.PendingFaults() > 0 && i < 200; i++ {
		for _, name := range []string{"INFRA_DEPLOY_KEY", "WEBHOOK_SECRET"} {
			req, err := http.NewRequest(http.MethodPut, fmt.Sprintf("%s/repos/acme/repo-%03d/actions/secrets/%s", apiURL, i%10, name), strings.NewReader("{}"))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("User-Agent", "fault-drain")
			req.Header.Set("Authorization", "Bearer "+weakTok)
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			if resp, err := http.DefaultClient.Do(req.WithContext(ctx)); err == nil {
				resp.Body.Close()
			}
			cancel()
		}
	}
	if n := emu.PendingFaults(); n > 0 {
		t.Fatalf("%d faults still pending", n)
	}
	return emu
}

// rotateKillPlan writes a random secret and then a deploy key of acme/infra
// into every repository of a fault world.
const rotateKillPlan = `version: 1
secrets:
  - name: WEBHOOK_SECRET
    source: {type: random, bytes: 32}
    targets: [TARGETS]
  - name: INFRA_DEPLOY_KEY
    source: {type: deploy-key, repository: acme/infra}
    targets: [TARGETS]
`

// publicHalf is the authorized_keys form of an OpenSSH private key's
// public half.
func publicHalf(priv []byte) (string, bool) {
	signer, err := ssh.ParsePrivateKey(priv)
	if err != nil {
		return "", false
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey()))), true
}

// TestRotateKilledMidway kills the real binary while a forced rotation
// writes a deploy key into 50 repositories, with latency so that it is
// mid-run, and checks that the previous key outlives the kill, that a rerun
// deletes old keys only once every target holds the new one, and that it
// ends with one key whose private half every target holds, and one random
// value everywhere.
func TestRotateKilledMidway(t *testing.T) {
	bin := buildBinary(t)
	w := newFaultWorld(t, emulator.Options{})
	w.emu.AddRepo(emulator.Repo{Owner: "acme", Name: "infra"})
	ops := loadOperations(t)
	var targets []string
	for _, r := range w.repos {
		targets = append(targets, "{repository: "+r+"}")
	}
	plan := writePlan(t, strings.ReplaceAll(rotateKillPlan, "TARGETS", strings.Join(targets, ", ")))
	var texts []map[string]string // every run's output, for the leak check

	start := func(force bool) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
		args := []string{"rotate", "--json", "--api-url", w.apiURL, "--config", plan, "--concurrency", "2", "--pacing", "off", "--state-repository", "acme/infra"}
		if force {
			args = append(args, "--force")
		}
		cmd := exec.Command(bin, args...)
		cmd.Env = []string{"GH_TOKEN=" + classicTok}
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, &out, &errb
	}
	// complete runs to the end and returns the JSON report's results.
	complete := func(what string, force bool) []SecretResult {
		t.Helper()
		cmd, out, errb := start(force)
		err := cmd.Wait()
		texts = append(texts, map[string]string{what + " stdout": out.String(), what + " stderr": errb.String()})
		if code := cmd.ProcessState.ExitCode(); code != exitOK {
			t.Fatalf("%s: exit %d (%v), want 0; stdout:\n%s\nstderr:\n%s", what, code, err, out.String(), errb.String())
		}
		var rep struct {
			Secrets []SecretResult `json:"secrets"`
		}
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatalf("%s: stdout is not a JSON report: %v", what, err)
		}
		return rep.Secrets
	}
	// values returns what each target holds as name, by target.
	values := func(name string) map[string]string {
		out := map[string]string{}
		for _, repo := range w.repos {
			v, _ := w.emu.SecretValue("repo:"+repo, name)
			out[repo] = string(v)
		}
		return out
	}
	// one returns the value every target holds as name, or false when
	// some target holds another or none.
	one := func(name string) (string, bool) {
		vs := values(name)
		first := vs[w.repos[0]]
		for _, v := range vs {
			if v != first || v == "" {
				return "", false
			}
		}
		return first, true
	}
	ourKeys := func() []emulator.DeployKey {
		var out []emulator.DeployKey
		for _, k := range w.emu.DeployKeys("acme/infra") {
			if strings.HasPrefix(k.Title, "pat-action INFRA_DEPLOY_KEY ") {
				out = append(out, k)
			}
		}
		return out
	}

	// A clean first rotation: one deploy key, each secret everywhere.
	complete("first run", false)
	oldKey, ok := one("INFRA_DEPLOY_KEY")
	oldRandom, ok2 := one("WEBHOOK_SECRET")
	if !ok || !ok2 || len(ourKeys()) != 1 {
		t.Fatalf("the first rotation left %d deploy keys, or targets that differ", len(ourKeys()))
	}
	k0 := ourKeys()[0]

	// A forced rotation, killed after ten of the deploy key's writes: the
	// random secret, first in the plan, is written everywhere by then.
	w.emu.SetLatency(10 * time.Millisecond)
	midway := w.after(10, func(r *http.Request) bool {
		return r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/actions/secrets/INFRA_DEPLOY_KEY")
	})
	cmd, out, errb := start(true)
	killAt(t, cmd, midway, errb)
	texts = append(texts, map[string]string{"killed stdout": out.String(), "killed stderr": errb.String()})
	written := 0
	for _, v := range values("INFRA_DEPLOY_KEY") {
		if v != oldKey {
			written++
		}
	}
	if written == 0 || written == faultTargets {
		t.Fatalf("%d of %d targets hold a new deploy key when killed: not midway", written, faultTargets)
	}
	if !slices.ContainsFunc(ourKeys(), func(k emulator.DeployKey) bool { return k.ID == k0.ID }) {
		t.Error("the previous deploy key was deleted although the killed run had not written every target")
	}
	killedRandom, ok := one("WEBHOOK_SECRET")
	if !ok || killedRandom == oldRandom {
		t.Fatal("the killed run had not written one new random value everywhere before the deploy key")
	}

	// The rerun finishes the job, deleting old keys only once every
	// target holds the key that stays.
	w.emu.SetLatency(0)
	var early []string
	w.mu.Lock()
	w.seen = func(r *http.Request) {
		if r.Method != http.MethodDelete || !strings.Contains(r.URL.Path, "/keys/") {
			return
		}
		v, ok := one("INFRA_DEPLOY_KEY")
		pub, parsed := publicHalf([]byte(v))
		if !ok || !parsed || !slices.ContainsFunc(ourKeys(), func(k emulator.DeployKey) bool { return k.Key == pub }) {
			w.mu.Lock()
			early = append(early, r.URL.Path)
			w.mu.Unlock()
		}
	}
	w.mu.Unlock()
	results := complete("rerun", false)
	w.mu.Lock()
	w.seen = nil
	w.mu.Unlock()
	if len(early) > 0 {
		t.Errorf("deploy keys deleted before every target held the new one: %v", early)
	}

	counts := map[string]int{}
	for _, r := range results {
		counts[r.Name[:min(len(r.Name), len("INFRA_DEPLOY_KEY"))]+" "+r.Result]++
	}
	want := map[string]int{"WEBHOOK_SECRET unchanged": faultTargets, "INFRA_DEPLOY_KEY updated": faultTargets,
		"pat-action INFRA created": 1, "pat-action INFRA deleted": 2}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("rerun results by secret (-want +got):\n%s", diff)
	}
	if v, ok := one("WEBHOOK_SECRET"); !ok || v != killedRandom {
		t.Error("WEBHOOK_SECRET: the rerun did not leave the killed run's value in every target")
	}
	keys := ourKeys()
	v, ok := one("INFRA_DEPLOY_KEY")
	pub, parsed := publicHalf([]byte(v))
	switch {
	case len(keys) != 1:
		t.Errorf("%d pat-action deploy keys after the rerun, want 1", len(keys))
	case !ok:
		t.Error("INFRA_DEPLOY_KEY: the targets do not all hold one value after the rerun")
	case !parsed || pub != keys[0].Key:
		t.Error("INFRA_DEPLOY_KEY: the targets do not hold the private half of the deploy key that remains")
	case keys[0].ID == k0.ID:
		t.Error("the rerun kept the key from before the forced rotation")
	}

	// No value shows in any run's output; every request was current.
	secretsShown := []string{classicTok, oldRandom, killedRandom}
	for _, priv := range []string{oldKey, v} {
		for _, line := range strings.Split(priv, "\n") {
			if line = strings.TrimSpace(line); len(line) >= 8 && !strings.HasPrefix(line, "-----") {
				secretsShown = append(secretsShown, line)
			}
		}
	}
	for _, tx := range texts {
		for _, s := range secretsShown {
			assertNoLeak(t, s, tx)
		}
	}
	for _, q := range w.emu.Requests() {
		if op, ok := ops.Match(q.Method, q.Path); !ok || op.Deprecated {
			t.Errorf("%s %s is not a current operation of openapi_operations.yaml", q.Method, q.Path)
		}
	}
}

// failedTargets are the targets a run reported as failed: in the action,
// the log's problem lines (the annotations, which GitHub caps at 10 a
// kind, are held to that cap); on the command line, the JSON report's
// problems.
func failedTargets(t *testing.T, action bool, stdout, stderr string) []string {
	t.Helper()
	var failed []string
	if action {
		annotations := map[string]int{}
		for _, line := range strings.Split(stdout, "\n") {
			for _, kind := range []string{"::error::", "::warning::"} {
				if strings.HasPrefix(line, kind) {
					annotations[kind]++
				}
			}
			if rest, ok := strings.CutPrefix(line, "  problem  "); ok {
				target, _, _ := strings.Cut(rest, ": ")
				failed = append(failed, target)
			}
		}
		for kind, n := range annotations {
			if n > maxAnnotations {
				t.Errorf("%d %s annotations, more than the %d GitHub shows", n, kind, maxAnnotations)
			}
		}
		return failed
	}
	var rep struct {
		Problems []Problem `json:"problems"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("stdout is not a JSON report: %v\nstderr:\n%s", err, stderr)
	}
	for _, p := range rep.Problems {
		failed = append(failed, p.Target)
	}
	return failed
}

// after returns a channel closed once the emulator has served n requests
// that match, so a test can act midway through a run.
func (w *faultWorld) after(n int, match func(*http.Request) bool) <-chan struct{} {
	done := make(chan struct{})
	var once sync.Once
	seen := 0
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seen = func(r *http.Request) {
		if !match(r) {
			return
		}
		w.mu.Lock()
		seen++
		k := seen
		w.mu.Unlock()
		if k == n {
			once.Do(func() { close(done) })
		}
	}
	return done
}

// killAt kills the running cmd once midway is closed, and fails the test if
// cmd ends first.
func killAt(t *testing.T, cmd *exec.Cmd, midway <-chan struct{}, stderr *bytes.Buffer) {
	t.Helper()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-midway:
	case err := <-exited:
		t.Fatalf("the run ended (%v) before it was midway; stderr:\n%s", err, stderr.String())
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-exited
}
