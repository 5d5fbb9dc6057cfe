package app

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pat-action/pat-action/emulator"
)

// adminTok may write every kind of secret, organization secrets included.
const adminTok = "ghp_admin00000000000000000000000000000000"

func storeTokens() []emulator.Token {
	return append(checkTokens(),
		emulator.Token{Value: adminTok, Login: "admin", Scopes: []string{"repo", "admin:org", "codespace"}, ExpiresAt: testNow.Add(90 * 24 * time.Hour)})
}

// storeWorld is newWorld with the repositories store tests use: acme/api
// and acme/web (environment production), acme/eu (environment "prod/eu",
// which must be escaped in a path), and extra acme/rN repositories.
func storeWorld(t *testing.T, opts emulator.Options, extra int) *world {
	t.Helper()
	w := newWorld(t, opts, storeTokens()...)
	w.emu.AddRepo(emulator.Repo{Owner: "acme", Name: "eu", Environments: []string{"prod/eu"}})
	for i := range extra {
		w.emu.AddRepo(emulator.Repo{Owner: "acme", Name: "r" + strconv.Itoa(i)})
	}
	t.Cleanup(func() { assertGitHubOperations(t, w) })
	return w
}

// assertGitHubOperations holds every request the world received to GitHub's
// operation list: each is a current (not deprecated) operation.
func assertGitHubOperations(t *testing.T, w *world) {
	t.Helper()
	if len(w.emu.Requests()) == 0 {
		return
	}
	ops := emulator.GitHubOperations()
	base := strings.TrimPrefix(w.apiURL, w.srv.URL)
	for _, r := range w.emu.Requests() {
		op, ok := ops.Match(r.Method, strings.TrimPrefix(r.Path, base))
		switch {
		case !ok:
			t.Errorf("%s %s is not a GitHub operation", r.Method, r.Path)
		case op.Deprecated:
			t.Errorf("%s %s is the deprecated operation %s", r.Method, r.Path, op.Name)
		}
	}
}

// sleeper is the retry clock of a test: it records each wait and returns at
// once.
type sleeper struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeper) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waits = append(s.waits, d)
	return ctx.Err()
}

func (s *sleeper) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// runStoreWith runs pat-action as a process would, with retries that do not
// wait, and returns what it left and the waits it asked for.
func runStoreWith(t *testing.T, args []string, env map[string]string, now func() time.Time, tty bool) (result, *sleeper) {
	t.Helper()
	var out, errb bytes.Buffer
	sl := &sleeper{}
	rt := runtime{
		getenv: func(k string) string { return env[k] },
		stdin:  strings.NewReader(""),
		stdout: &out, stderr: &errb,
		now:       now,
		sleep:     sl.sleep,
		stderrTTY: tty,
	}
	code := rt.run(context.Background(), args)
	return result{code: code, stdout: out.String(), stderr: errb.String()}, sl
}

func storeCLI(t *testing.T, w *world, flags []string, env map[string]string) (result, *sleeper) {
	t.Helper()
	args := append([]string{"store", "--api-url", w.apiURL, "--json"}, flags...)
	if !contains(flags, "--pacing") {
		// Pacing to github.com's budget would make tests wait in real
		// time; TestStorePacing holds the pacer to a budget.
		args = append(args, "--pacing", "off")
	}
	return runStoreWith(t, args, env, func() time.Time { return testNow }, false)
}

// storeReport is the part of the JSON report a store test asserts.
type storeReport struct {
	Policy struct {
		Passed bool `json:"passed"`
	} `json:"policy"`
	Secrets  []SecretResult `json:"secrets"`
	Problems []Problem      `json:"problems"`
}

func parseReport(t *testing.T, res result) storeReport {
	t.Helper()
	var rep storeReport
	if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
		t.Fatalf("stdout is not a JSON report: %v\nstderr:\n%s", err, res.stderr)
	}
	return rep
}

// assertValue fails unless container holds tok as name. It never prints
// the token.
func assertValue(t *testing.T, w *world, container, name, tok string) {
	t.Helper()
	got, ok := w.emu.SecretValue(container, name)
	switch {
	case !ok:
		t.Errorf("%s holds no secret %s", container, name)
	case !bytes.Equal(got, []byte(tok)):
		t.Errorf("%s: secret %s does not hold the token that was stored", container, name)
	}
}

// countRequests counts the requests for which keep is true.
func countRequests(w *world, keep func(emulator.Request) bool) int {
	n := 0
	for _, r := range w.emu.Requests() {
		if keep(r) {
			n++
		}
	}
	return n
}

func isWrite(r emulator.Request) bool {
	return r.Method != http.MethodGet && r.Method != http.MethodHead
}

func TestStoreEveryTarget(t *testing.T) {
	env := map[string]string{"GH_TOKEN": classicTok, "PAT_ACTION_ADMIN_TOKEN": adminTok}
	tests := []struct {
		name       string
		flags      []string
		containers []string
		visibility string   // for an organization secret
		selected   []string // its repositories
	}{
		{"repositories", []string{"--repositories", "acme/api,acme/web"}, []string{"repo:acme/api", "repo:acme/web"}, "", nil},
		{"environment needing escaping", []string{"--repositories", "acme/eu", "--environment", "prod/eu"}, []string{"env:acme/eu/prod/eu"}, "", nil},
		{"environment in two repositories", []string{"--repositories", "acme/api\nacme/web", "--environment", "production"},
			[]string{"env:acme/api/production", "env:acme/web/production"}, "", nil},
		{"organization, all", []string{"--organization", "acme", "--visibility", "all"}, []string{"org:acme"}, "all", nil},
		{"organization, private by default", []string{"--organization", "acme"}, []string{"org:acme"}, "private", nil},
		{"organization, selected by default with repositories", []string{"--organization", "acme", "--repositories", "acme/api,acme/web"},
			[]string{"org:acme"}, "selected", []string{"acme/api", "acme/web"}},
		{"dependabot repository", []string{"--secret-type", "dependabot", "--repositories", "acme/api"}, []string{"dependabot:repo:acme/api"}, "", nil},
		{"dependabot organization", []string{"--secret-type", "dependabot", "--organization", "acme", "--repositories", "acme/web"},
			[]string{"dependabot:org:acme"}, "selected", []string{"acme/web"}},
		{"codespaces repository", []string{"--secret-type", "codespaces", "--repositories", "acme/web"}, []string{"codespaces:repo:acme/web"}, "", nil},
		{"codespaces organization", []string{"--secret-type", "codespaces", "--organization", "acme", "--visibility", "private"},
			[]string{"codespaces:org:acme"}, "private", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := storeWorld(t, emulator.Options{}, 0)
			for _, pass := range []string{"created", "updated"} {
				res, _ := storeCLI(t, w, append([]string{"--secret-name", "RELEASE_PAT", "--required-scopes", "repo,workflow"}, tt.flags...), env)
				if res.code != 0 {
					t.Fatalf("%s: exit %d, want 0; stderr:\n%s", pass, res.code, res.stderr)
				}
				rep := parseReport(t, res)
				var want []SecretResult
				for _, c := range tt.containers {
					want = append(want, SecretResult{Target: c, Name: "RELEASE_PAT", Result: pass})
				}
				if diff := cmp.Diff(want, rep.Secrets); diff != "" {
					t.Errorf("%s: secrets (-want +got):\n%s", pass, diff)
				}
				if len(rep.Problems) != 0 {
					t.Errorf("%s: problems %v", pass, rep.Problems)
				}
				assertNoLeak(t, classicTok, map[string]string{"stdout": res.stdout, "stderr": res.stderr})
				assertNoLeak(t, adminTok, map[string]string{"stdout": res.stdout, "stderr": res.stderr})
			}
			for _, c := range tt.containers {
				assertValue(t, w, c, "RELEASE_PAT", classicTok)
			}
			if tt.visibility != "" {
				vis, ids := w.emu.OrgSecretRepos(tt.containers[0], "RELEASE_PAT")
				var wantIDs []int64
				for _, r := range tt.selected {
					wantIDs = append(wantIDs, repoID(t, w, r))
				}
				sort.Slice(wantIDs, func(i, j int) bool { return wantIDs[i] < wantIDs[j] })
				if diff := cmp.Diff([]any{tt.visibility, wantIDs}, []any{vis, ids}); diff != "" {
					t.Errorf("organization secret visibility and repositories (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// repoID reads a repository's id the way a client would.
func repoID(t *testing.T, w *world, full string) int64 {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, w.apiURL+"/repos/"+full, nil)
	req.Header.Set("Authorization", "Bearer "+adminTok)
	req.Header.Set("User-Agent", "test")
	resp, err := w.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		ID int64 `json:"id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || r.ID == 0 {
		t.Fatalf("id of %s: %v", full, err)
	}
	return r.ID
}

// N repository targets cost at most 2N requests (a key and a PUT each),
// plus the one that checks the token.
func TestStoreRequestCount(t *testing.T) {
	for _, n := range []int{1, 5, 30} {
		t.Run(strconv.Itoa(n)+" repositories", func(t *testing.T) {
			w := storeWorld(t, emulator.Options{}, n)
			var repos []string
			for i := range n {
				repos = append(repos, "acme/r"+strconv.Itoa(i))
			}
			res, _ := storeCLI(t, w, []string{"--secret-name", "PAT", "--repositories", strings.Join(repos, ",")}, map[string]string{"GH_TOKEN": classicTok})
			if res.code != 0 {
				t.Fatalf("exit %d; stderr:\n%s", res.code, res.stderr)
			}
			if got, max := len(w.emu.Requests()), 2*n+1; got > max {
				t.Errorf("%d requests for %d repositories, want at most %d", got, n, max)
			}
			if got := len(parseReport(t, res).Secrets); got != n {
				t.Errorf("%d results, want %d", got, n)
			}
		})
	}
}

// Paced to the emulator's budget, a run never meets a secondary rate
// limit, and never has more requests in flight than its concurrency.
func TestStorePacing(t *testing.T) {
	const targets, concurrency = 24, 4
	realNow := time.Now
	// A one-second window: the pacer's slack (a tenth of the budget) then
	// covers 100 ms of requests reaching the emulator late on a loaded
	// machine; a real window is a minute.
	opts := emulator.Options{Now: realNow, Limits: emulator.Limits{Concurrent: concurrency + 1, Points: 120, Window: time.Second}}
	emu := emulator.New(opts)
	emu.AddOrg("acme")
	var repos []string
	for i := range targets {
		emu.AddRepo(emulator.Repo{Owner: "acme", Name: "r" + strconv.Itoa(i)})
		repos = append(repos, "acme/r"+strconv.Itoa(i))
	}
	emu.AddToken(emulator.Token{Value: classicTok, Login: "octocat", Scopes: []string{"repo"}, ExpiresAt: realNow().Add(60 * 24 * time.Hour)})
	srv, apiURL := emu.Start()
	defer srv.Close()

	args := []string{"store", "--api-url", apiURL, "--json", "--secret-name", "PAT", "--repositories", strings.Join(repos, ","),
		"--concurrency", strconv.Itoa(concurrency), "--pacing", "120/1s"}
	res, sl := runStoreWith(t, args, map[string]string{"GH_TOKEN": classicTok}, realNow, false)
	if res.code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", res.code, res.stderr)
	}
	if n := emu.SecondaryLimited(); n != 0 {
		t.Errorf("%d secondary rate limit refusals (retry waits %v), want 0", n, sl.all())
	}
	if n := emu.InFlightMax(); n > concurrency+1 { // +1: the check's request is not paced
		t.Errorf("%d requests in flight at once, want at most %d", n, concurrency+1)
	}
	if n := emu.Points(); n <= 120 {
		t.Errorf("only %d points spent: the test does not exceed one window's budget", n)
	}
	for _, r := range repos {
		if _, ok := emu.SecretValue("repo:"+r, "PAT"); !ok {
			t.Errorf("repo:%s holds no secret", r)
		}
	}
}

// Each retry rule, through the whole store: the secret ends up stored, and
// the waits are the ones GitHub asked for.
func TestStoreRetries(t *testing.T) {
	put := "PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}"
	key := "GET /repos/{owner}/{repo}/actions/secrets/public-key"
	tests := []struct {
		name     string
		fault    emulator.Fault
		waits    int           // retry waits asked for
		minWait  time.Duration // the longest of them is at least this
		keyFetch int
		code     int
		problem  string
	}{
		{"5xx burst", emulator.Fault{Op: put, Kind: emulator.Status5xx, Count: 3}, 3, 0, 1, 0, ""},
		{"5xx on the public key", emulator.Fault{Op: key, Kind: emulator.Status5xx, Status: 503, Count: 2}, 2, 0, 3, 0, ""},
		{"connection reset", emulator.Fault{Op: put, Kind: emulator.Reset, Count: 2}, 2, 0, 1, 0, ""},
		{"secondary limit with retry-after", emulator.Fault{Op: put, Kind: emulator.Secondary403, RetryAfter: 30 * time.Second}, 1, 30 * time.Second, 1, 0, ""},
		{"primary limit until x-ratelimit-reset", emulator.Fault{Op: put, Kind: emulator.Primary403, RetryAfter: 90 * time.Second}, 1, 90 * time.Second, 1, 0, ""},
		{"rotated key: refetch once", emulator.Fault{Kind: emulator.RotateKeyBeforePut}, 0, 0, 2, 0, ""},
		{"retries exhausted", emulator.Fault{Op: put, Kind: emulator.Status5xx, Count: 100}, 4, 0, 1, 3, "gave up after 5 tries: 502"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := storeWorld(t, emulator.Options{}, 0)
			w.emu.Inject(tt.fault)
			res, sl := storeCLI(t, w, []string{"--secret-name", "PAT", "--repositories", "acme/api"}, map[string]string{"GH_TOKEN": classicTok})
			if res.code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", res.code, tt.code, res.stderr)
			}
			waits := sl.all()
			if len(waits) != tt.waits {
				t.Errorf("%d retry waits %v, want %d", len(waits), waits, tt.waits)
			}
			longest := time.Duration(0)
			for _, d := range waits {
				longest = max(longest, d)
			}
			if longest < tt.minWait || longest > tt.minWait+2*time.Minute {
				t.Errorf("longest wait %s, want at least %s (as GitHub asked)", longest, tt.minWait)
			}
			if n := countRequests(w, func(r emulator.Request) bool { return r.Operation == key }); n != tt.keyFetch {
				t.Errorf("%d public key requests, want %d", n, tt.keyFetch)
			}
			assertNoLeak(t, classicTok, map[string]string{"stdout": res.stdout, "stderr": res.stderr})
			rep := parseReport(t, res)
			if tt.problem == "" {
				assertValue(t, w, "repo:acme/api", "PAT", classicTok)
				return
			}
			if len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0].Error, tt.problem) {
				t.Errorf("problems %+v, want one saying %q", rep.Problems, tt.problem)
			}
		})
	}
}

// One repository that does not exist fails alone: exit 3, the problem names
// it, the others are stored, and running again is safe.
func TestStorePartialFailure(t *testing.T) {
	w := storeWorld(t, emulator.Options{}, 0)
	env := map[string]string{"GH_TOKEN": classicTok}
	flags := []string{"--secret-name", "PAT", "--repositories", "acme/api,acme/gone,acme/web"}
	for _, pass := range []string{"created", "updated"} {
		res, _ := storeCLI(t, w, flags, env)
		if res.code != 3 {
			t.Fatalf("%s: exit %d, want 3; stderr:\n%s", pass, res.code, res.stderr)
		}
		rep := parseReport(t, res)
		want := storeReport{
			Secrets: []SecretResult{
				{Target: "repo:acme/api", Name: "PAT", Result: pass},
				{Target: "repo:acme/gone", Name: "PAT", Result: "failed"},
				{Target: "repo:acme/web", Name: "PAT", Result: pass},
			},
			Problems: []Problem{{Target: "repo:acme/gone", Error: "get public key: repository not found or token has no access (404)"}},
		}
		want.Policy.Passed = true
		if diff := cmp.Diff(want, rep); diff != "" {
			t.Errorf("%s: report (-want +got):\n%s", pass, diff)
		}
		if !strings.Contains(res.stderr, "2 "+pass+"; 1 problem\n") {
			t.Errorf("%s: stderr does not sum up:\n%s", pass, res.stderr)
		}
		assertNoLeak(t, classicTok, map[string]string{"stdout": res.stdout, "stderr": res.stderr})
	}
	assertValue(t, w, "repo:acme/api", "PAT", classicTok)
	assertValue(t, w, "repo:acme/web", "PAT", classicTok)
}

func TestStoreDryRun(t *testing.T) {
	w := storeWorld(t, emulator.Options{}, 0)
	w.emu.SetSecret("repo:acme/api", "PAT", []byte("old"), testNow.Add(-time.Hour))
	env := map[string]string{"GH_TOKEN": classicTok, "PAT_ACTION_ADMIN_TOKEN": adminTok}
	for _, flags := range [][]string{
		{"--repositories", "acme/api,acme/web"},
		{"--repositories", "acme/api", "--environment", "production"},
		{"--organization", "acme", "--repositories", "acme/api"},
		{"--organization", "acme", "--repositories", "acme/api", "--update-repositories-only"},
	} {
		res, _ := storeCLI(t, w, append([]string{"--secret-name", "PAT", "--dry-run"}, flags...), env)
		rep := parseReport(t, res)
		for _, s := range rep.Secrets {
			if !strings.HasPrefix(s.Result, "would-") && !(s.Result == "failed" && contains(flags, "--update-repositories-only")) {
				t.Errorf("%v: %s %s, want would-create or would-update", flags, s.Target, s.Result)
			}
		}
		assertNoLeak(t, classicTok, map[string]string{"stdout": res.stdout, "stderr": res.stderr})
	}
	if n := countRequests(w, isWrite); n != 0 {
		t.Errorf("a dry run sent %d writes", n)
	}
	res, _ := storeCLI(t, w, []string{"--secret-name", "PAT", "--dry-run", "--repositories", "acme/api,acme/web"}, env)
	want := []SecretResult{{Target: "repo:acme/api", Name: "PAT", Result: "would-update"}, {Target: "repo:acme/web", Name: "PAT", Result: "would-create"}}
	if diff := cmp.Diff(want, parseReport(t, res).Secrets); diff != "" || res.code != 0 {
		t.Errorf("exit %d; dry run (-want +got):\n%s", res.code, diff)
	}
	if v, _ := w.emu.SecretValue("repo:acme/api", "PAT"); string(v) != "old" {
		t.Error("a dry run changed a secret")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Bad input is exit 2 before any request.
func TestStoreUsageErrors(t *testing.T) {
	big := "ghp_" + strings.Repeat("a", 48*1024)
	tests := []usageCase{
		{"no secret name", "", false, nil, "secret-name is required"},
		{"reserved secret name", "", false, []string{"--secret-name", "GITHUB_PAT", "--repositories", "acme/api"}, "must not start with GITHUB_"},
		{"secret name starting with a digit", "", false, []string{"--secret-name", "1PAT", "--repositories", "acme/api"}, "must not start with a digit"},
		{"secret name with a dash", "", false, []string{"--secret-name", "MY-PAT", "--repositories", "acme/api"}, "is not allowed"},
		{"empty token", "empty", false, []string{"--secret-name", "PAT", "--repositories", "acme/api"}, "secret value is empty"},
		{"token over 48 KB", big, false, []string{"--secret-name", "PAT", "--repositories", "acme/api"}, "at most 49152 bytes"},
		{"repository without owner", "", false, []string{"--secret-name", "PAT", "--repositories", "api"}, "want owner/repo"},
		{"repository with a bad character", "", false, []string{"--secret-name", "PAT", "--repositories", "acme/a pi"}, "not allowed"},
		{"environment with organization", "", false, []string{"--secret-name", "PAT", "--organization", "acme", "--environment", "production"}, "organizations have no environments"},
		{"codespaces on GHES", "", true, []string{"--secret-name", "PAT", "--secret-type", "codespaces", "--repositories", "acme/api"}, "do not exist on GitHub Enterprise Server"},
		{"no target", "", false, []string{"--secret-name", "PAT"}, "no target"},
		{"concurrency 0", "", false, []string{"--secret-name", "PAT", "--repositories", "acme/api", "--concurrency", "0"}, "concurrency 0: want 1 to 100"},
		{"concurrency 101", "", false, []string{"--secret-name", "PAT", "--repositories", "acme/api", "--concurrency", "101"}, "concurrency 101"},
		{"concurrency not a number", "", false, []string{"--secret-name", "PAT", "--repositories", "acme/api", "--concurrency", "many"}, "concurrency"},
		{"bad pacing", "", false, []string{"--secret-name", "PAT", "--repositories", "acme/api", "--pacing", "fast"}, "pacing"},
		{"pacing budget too small", "", false, []string{"--secret-name", "PAT", "--repositories", "acme/api", "--pacing", "5/1m"}, "pacing"},
		{"unknown secret type", "", false, []string{"--secret-name", "PAT", "--repositories", "acme/api", "--secret-type", "action"}, `did you mean "actions"`},
		{"unknown visibility", "", false, []string{"--secret-name", "PAT", "--organization", "acme", "--visibility", "public"}, "unknown visibility"},
		{"visibility without organization", "", false, []string{"--secret-name", "PAT", "--repositories", "acme/api", "--visibility", "all"}, "without organization"},
		{"dependabot environment", "", false, []string{"--secret-name", "PAT", "--repositories", "acme/api", "--environment", "production", "--secret-type", "dependabot"}, "no environment level"},
		{"selected repository of another owner", "", false, []string{"--secret-name", "PAT", "--organization", "acme", "--repositories", "other/api"}, "not in the organization"},
		{"repositories-only without organization", "", false, []string{"--secret-name", "PAT", "--repositories", "acme/api", "--update-repositories-only"}, "update-repositories-only"},
		{"bad policy input", "", false, []string{"--secret-name", "PAT", "--repositories", "acme/api", "--required-scopes", "repos"}, `did you mean "repo"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := storeWorld(t, emulator.Options{GHES: tt.ghes}, 0)
			tok := classicTok
			switch tt.token {
			case "empty":
				tok = ""
			case "":
			default:
				tok = tt.token
			}
			res, _ := storeCLI(t, w, tt.flags, map[string]string{"PAT_ACTION_TOKEN": tok})
			if res.code != 2 {
				t.Errorf("exit %d, want 2; stderr:\n%s", res.code, res.stderr)
			}
			if !strings.Contains(res.stderr, tt.want) {
				t.Errorf("stderr does not say %q:\n%s", tt.want, res.stderr)
			}
			if n := len(w.emu.Requests()); n != 0 {
				t.Errorf("%d requests sent for bad input, want 0", n)
			}
			if tok != "" {
				assertNoLeak(t, tok, map[string]string{"stdout": res.stdout, "stderr": res.stderr})
			}
		})
	}
}

// usageCase is a bad input for store.
type usageCase struct {
	name  string
	token string // "" is the classic token; "empty" is none
	ghes  bool
	flags []string
	want  string
}

// A token that fails its policy writes nothing, anywhere.
func TestStoreFailingTokenWritesNothing(t *testing.T) {
	tests := []struct {
		name  string
		token string
		flags []string
	}{
		{"over-broad", broadTok, []string{"--required-scopes", "repo,workflow"}},
		{"expiring", expiringTok, []string{"--min-days-left", "7"}},
		{"revoked", "ghp_revoked000000000000000000000000000000", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := storeWorld(t, emulator.Options{}, 0)
			flags := append([]string{"--secret-name", "PAT", "--repositories", "acme/api,acme/web", "--organization", "acme"}, tt.flags...)
			res, _ := storeCLI(t, w, flags, map[string]string{"GH_TOKEN": tt.token, "PAT_ACTION_ADMIN_TOKEN": adminTok})
			if res.code != 1 {
				t.Errorf("exit %d, want 1; stderr:\n%s", res.code, res.stderr)
			}
			if n := countRequests(w, isWrite); n != 0 {
				t.Errorf("%d writes for a token that failed its policy", n)
			}
			if n := len(w.emu.Requests()); n != 1 {
				t.Errorf("%d requests, want only the check's", n)
			}
			if rep := parseReport(t, res); len(rep.Secrets) != 0 || rep.Policy.Passed {
				t.Errorf("report %+v: want a failed policy and no secrets", rep)
			}
			assertNoLeak(t, tt.token, map[string]string{"stdout": res.stdout, "stderr": res.stderr})
		})
	}
}

// Changing only which repositories may read an organization secret does
// not send the value again.
func TestStoreUpdateRepositoriesOnly(t *testing.T) {
	w := storeWorld(t, emulator.Options{}, 0)
	env := map[string]string{"GH_TOKEN": classicTok, "PAT_ACTION_ADMIN_TOKEN": adminTok}
	res, _ := storeCLI(t, w, []string{"--secret-name", "PAT", "--organization", "acme", "--repositories", "acme/api"}, env)
	if res.code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", res.code, res.stderr)
	}
	valuePuts := func() int {
		return countRequests(w, func(r emulator.Request) bool { return r.Operation == "PUT /orgs/{org}/actions/secrets/{secret_name}" })
	}
	before := valuePuts()
	res, _ = storeCLI(t, w, []string{"--secret-name", "PAT", "--organization", "acme", "--repositories", "acme/web,acme/eu", "--update-repositories-only"}, env)
	if res.code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", res.code, res.stderr)
	}
	if diff := cmp.Diff([]SecretResult{{Target: "org:acme", Name: "PAT", Result: "updated"}}, parseReport(t, res).Secrets); diff != "" {
		t.Errorf("secrets (-want +got):\n%s", diff)
	}
	want := []int64{repoID(t, w, "acme/web"), repoID(t, w, "acme/eu")}
	sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
	if vis, ids := w.emu.OrgSecretRepos("org:acme", "PAT"); vis != "selected" || !cmp.Equal(want, ids) {
		t.Errorf("visibility %q, ids %v; want selected %v", vis, ids, want)
	}
	if valuePuts() != before {
		t.Error("the value was sent again")
	}
	assertNoLeak(t, classicTok, map[string]string{"stdout": res.stdout, "stderr": res.stderr})
	assertNoLeak(t, adminTok, map[string]string{"stdout": res.stdout, "stderr": res.stderr})
	assertValue(t, w, "org:acme", "PAT", classicTok)
}

// The container action: masks first, a group of per-target lines, outputs
// and a job summary, with the workflow's repository as the default target.
func TestStoreAction(t *testing.T) {
	tests := []struct {
		name       string
		inputs     map[string]string
		code       int
		written    string
		containers []string
		summary    []string
	}{
		{"the workflow's repository by default", map[string]string{"INPUT_SECRET-NAME": "RELEASE_PAT"}, 0, "1",
			[]string{"repo:acme/api"}, []string{"| repo:acme/api | RELEASE_PAT | created |"}},
		{"three repositories, newline-separated", map[string]string{"INPUT_SECRET-NAME": "RELEASE_PAT",
			"INPUT_REPOSITORIES": "acme/api\nacme/web\nacme/eu\n"}, 0, "3",
			[]string{"repo:acme/api", "repo:acme/web", "repo:acme/eu"}, []string{"| repo:acme/eu | RELEASE_PAT | created |"}},
		{"an environment", map[string]string{"INPUT_SECRET-NAME": "RELEASE_PAT", "INPUT_REPOSITORIES": "acme/eu", "INPUT_ENVIRONMENT": "prod/eu"}, 0, "1",
			[]string{"env:acme/eu/prod/eu"}, []string{"| env:acme/eu/prod/eu | RELEASE_PAT | created |"}},
		{"an organization secret with the admin token", map[string]string{"INPUT_SECRET-NAME": "RELEASE_PAT", "INPUT_ORGANIZATION": "acme",
			"INPUT_ADMIN-TOKEN": adminTok}, 0, "1", []string{"org:acme"}, []string{"| org:acme | RELEASE_PAT | created |"}},
		{"partial failure", map[string]string{"INPUT_SECRET-NAME": "RELEASE_PAT", "INPUT_REPOSITORIES": "acme/api,acme/gone"}, 3, "1",
			[]string{"repo:acme/api"}, []string{"| repo:acme/gone | | failed: get public key: repository not found or token has no access (404) |"}},
		{"dry run", map[string]string{"INPUT_SECRET-NAME": "RELEASE_PAT", "INPUT_DRY-RUN": "true"}, 0, "0",
			nil, []string{"| repo:acme/api | RELEASE_PAT | would-create |"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := storeWorld(t, emulator.Options{}, 0)
			r := newRunner(t, map[string]string{"mode": "store", "token": classicTok, "api-url": w.apiURL, "required-scopes": "repo,workflow"})
			env := r.env
			for k, v := range tt.inputs {
				env[k] = v
			}
			res, _ := runStoreWith(t, nil, env, func() time.Time { return testNow }, false)
			if res.code != tt.code {
				t.Fatalf("exit %d, want %d; stdout:\n%s", res.code, tt.code, res.stdout)
			}
			lines := strings.Split(res.stdout, "\n")
			if lines[0] != "::add-mask::"+classicTok {
				t.Error("the first line of stdout is not the token's mask")
			}
			if !strings.Contains(res.stdout, "::group::store RELEASE_PAT\n") || !strings.Contains(res.stdout, "::endgroup::\n") {
				t.Errorf("no group of per-target lines:\n%s", res.stdout)
			}
			outputs := parseOutputs(t, r.read(t, r.outputFile))
			if outputs["secrets-written"] != tt.written || outputs["passed"] != "true" {
				t.Errorf("outputs secrets-written=%q passed=%q, want %s and true", outputs["secrets-written"], outputs["passed"], tt.written)
			}
			sum := r.read(t, r.summary)
			for _, s := range tt.summary {
				if !strings.Contains(string(sum), s) {
					t.Errorf("job summary lacks %q:\n%s", s, sum)
				}
			}
			if tt.code == 3 && !strings.Contains(res.stdout, "::error::repo:acme/gone: ") {
				t.Errorf("no annotation for the failed target:\n%s", res.stdout)
			}
			for _, c := range tt.containers {
				assertValue(t, w, c, "RELEASE_PAT", classicTok)
			}
			all := map[string]string{"stdout": res.stdout, "stderr": res.stderr, "GITHUB_OUTPUT": r.read(t, r.outputFile), "GITHUB_STEP_SUMMARY": sum}
			assertNoLeak(t, classicTok, all)
			assertNoLeak(t, adminTok, all)
		})
	}
}

// In a terminal the count of stored targets is rewritten in place.
func TestStoreProgressInTerminal(t *testing.T) {
	w := storeWorld(t, emulator.Options{}, 0)
	args := []string{"store", "--api-url", w.apiURL, "--secret-name", "PAT", "--repositories", "acme/api,acme/gone,acme/web", "--concurrency", "1"}
	res, _ := runStoreWith(t, args, map[string]string{"GH_TOKEN": classicTok}, func() time.Time { return testNow }, true)
	if res.code != 3 {
		t.Fatalf("exit %d; stderr:\n%s", res.code, res.stderr)
	}
	for _, s := range []string{"\rstored 1/3 (", "\rstored 3/3 (1 failed)\n"} {
		if !strings.Contains(res.stderr, s) {
			t.Errorf("stderr lacks %q:\n%q", s, res.stderr)
		}
	}
	assertNoLeak(t, classicTok, map[string]string{"stderr": res.stderr, "stdout": res.stdout})
	// Not a terminal: no progress.
	res, _ = runStoreWith(t, args, map[string]string{"GH_TOKEN": classicTok}, func() time.Time { return testNow }, false)
	if strings.Contains(res.stderr, "\r") {
		t.Errorf("progress written to a non-terminal:\n%q", res.stderr)
	}
}
