package secrets_test

import (
	"bytes"
	"context"
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
	"github.com/pat-action/pat-action/secrets"
)

const (
	adminTok  = "ghp_admin000000000000000000000000000000"
	repoTok   = "ghp_repoonly00000000000000000000000000000"
	publicTok = "ghp_public0000000000000000000000000000000"
	fineTok   = "github_pat_11AAAAAAA0readonly0000000000000000000000000000000000000000000000000000000"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// world is one emulated GitHub with the organization acme, its repositories
// api and web (environments production and prod/eu) and the tokens above.
type world struct {
	emu *emulator.Server
	api ghclient.API
	ids map[string]int64
}

func newWorld(t *testing.T, opts emulator.Options) *world {
	t.Helper()
	opts.Now = func() time.Time { return now }
	emu := emulator.New(opts)
	emu.AddOrg("acme")
	ids := map[string]int64{}
	for _, n := range []string{"api", "web", "infra"} {
		ids["acme/"+n] = emu.AddRepo(emulator.Repo{Owner: "acme", Name: n, Environments: []string{"production", "prod/eu"}})
	}
	emu.AddToken(emulator.Token{Value: adminTok, Login: "admin", Scopes: []string{"repo", "admin:org", "codespace"}})
	emu.AddToken(emulator.Token{Value: repoTok, Login: "dev", Scopes: []string{"repo"}})
	emu.AddToken(emulator.Token{Value: publicTok, Login: "dev", Scopes: []string{"public_repo"}})
	emu.AddToken(emulator.Token{Value: fineTok, Login: "dev", Repos: []string{"acme/api"}, Permissions: map[string]string{"metadata": "read", "secrets": "read"}})
	srv, apiURL := emu.Start()
	t.Cleanup(srv.Close)
	api, err := ghclient.ParseAPIURL(apiURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if u := emu.Unknown(); len(u) > 0 {
			t.Errorf("requests for operations the emulator does not serve: %v", u)
		}
	})
	return &world{emu: emu, api: api, ids: ids}
}

// client is a client for tok whose retries do not wait.
func (w *world) client(tok string) *github.Client {
	noWait := func(ctx context.Context, d time.Duration) error { return ctx.Err() }
	return ghclient.New(w.api, ghclient.Options{Token: tok, UserAgent: "pat-action-test",
		Pacing: ghclient.Pacing{Off: true}, Retry: ghclient.Retry{Sleep: noWait, Now: func() time.Time { return now }}})
}

// count counts the requests received for op ("GET /repos/{owner}/...").
func (w *world) count(op string) int {
	n := 0
	for _, r := range w.emu.Requests() {
		if r.Operation == op {
			n++
		}
	}
	return n
}

// writes counts the requests that could change anything.
func (w *world) writes() int {
	n := 0
	for _, r := range w.emu.Requests() {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			n++
		}
	}
	return n
}

// assertStored fails unless the emulator holds value as name in target. It
// never prints the value.
func (w *world) assertStored(t *testing.T, target secrets.Target, name string, value []byte) {
	t.Helper()
	got, ok := w.emu.SecretValue(target.String(), name)
	switch {
	case !ok:
		t.Errorf("%s holds no secret %s", target, name)
	case !bytes.Equal(got, value):
		t.Errorf("%s holds secret %s with a different value than was stored (%d bytes, want %d)", target, name, len(got), len(value))
	}
}

func repoT(kind secrets.Kind, full string) secrets.Target {
	owner, repo, _ := strings.Cut(full, "/")
	return secrets.Target{Kind: kind, Scope: secrets.RepoScope, Owner: owner, Repo: repo}
}

func envT(full, env string) secrets.Target {
	t := repoT(secrets.Actions, full)
	t.Scope, t.Environment = secrets.EnvScope, env
	return t
}

func orgT(kind secrets.Kind, vis string, repos ...string) secrets.Target {
	return secrets.Target{Kind: kind, Scope: secrets.OrgScope, Org: "acme", Visibility: vis, SelectedRepos: repos}
}

type outcome struct {
	Target, Outcome, Err string
}

// store1 stores value as name in the one target t.
func store1(ctx context.Context, wr *secrets.Writer, t secrets.Target, name string, value []byte) (secrets.Outcome, error) {
	r := wr.Store(ctx, []secrets.Target{t}, name, value)[0]
	return r.Outcome, r.Err
}

// setRepos1 replaces the repositories of the organization secret name in t.
func setRepos1(ctx context.Context, wr *secrets.Writer, t secrets.Target, name string) (secrets.Outcome, error) {
	r := wr.SetOrgSecretRepositories(ctx, []secrets.Target{t}, name)[0]
	return r.Outcome, r.Err
}

func outcomes(rs []secrets.Result) []outcome {
	var out []outcome
	for _, r := range rs {
		o := outcome{Target: r.Target.String(), Outcome: string(r.Outcome)}
		if r.Err != nil {
			o.Err = r.Err.Error()
		}
		out = append(out, o)
	}
	return out
}

// Every kind and scope of target, all in one run: each gets its own result,
// each container's key is fetched once, and the emulator decrypts exactly
// the value sealed. A second run updates every one.
func TestStoreEveryTarget(t *testing.T) {
	w := newWorld(t, emulator.Options{})
	value := []byte("ghp_the-value-being-stored-000000000000")
	targets := []secrets.Target{
		repoT(secrets.Actions, "acme/api"),
		envT("acme/api", "prod/eu"),
		envT("acme/web", "production"),
		orgT(secrets.Actions, secrets.VisibilitySelected, "acme/api", "acme/web"),
		repoT(secrets.Dependabot, "acme/api"),
		orgT(secrets.Dependabot, secrets.VisibilityPrivate),
		repoT(secrets.Codespaces, "acme/web"),
		orgT(secrets.Codespaces, secrets.VisibilityAll),
	}
	wr := secrets.NewWriter(w.client(adminTok), secrets.WriterOptions{Concurrency: 4})
	for _, pass := range []secrets.Outcome{secrets.Created, secrets.Updated} {
		got := outcomes(wr.Store(context.Background(), targets, "RELEASE_PAT", value))
		want := []outcome{
			{"codespaces:org:acme", string(pass), ""},
			{"codespaces:repo:acme/web", string(pass), ""},
			{"dependabot:org:acme", string(pass), ""},
			{"dependabot:repo:acme/api", string(pass), ""},
			{"env:acme/api/prod/eu", string(pass), ""},
			{"env:acme/web/production", string(pass), ""},
			{"org:acme", string(pass), ""},
			{"repo:acme/api", string(pass), ""},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("pass %s (-want +got):\n%s", pass, diff)
		}
	}
	for _, tg := range targets {
		w.assertStored(t, tg, "RELEASE_PAT", value)
	}
	vis, ids := w.emu.OrgSecretRepos("org:acme", "RELEASE_PAT")
	if diff := cmp.Diff([]any{"selected", []int64{w.ids["acme/api"], w.ids["acme/web"]}}, []any{vis, ids}); diff != "" {
		t.Errorf("org secret repositories (-want +got):\n%s", diff)
	}
	if vis, _ := w.emu.OrgSecretRepos("dependabot:org:acme", "RELEASE_PAT"); vis != "private" {
		t.Errorf("dependabot org secret visibility %q, want private", vis)
	}
	// One key per container for both runs; the environment name was sent
	// escaped, as one path segment.
	keys, escaped := 0, 0
	for _, r := range w.emu.Requests() {
		if strings.Contains(r.Path, "/environments/prod%2Feu/") {
			escaped++
		}
		if strings.HasSuffix(r.Path, "/public-key") {
			keys++
		}
		if strings.Contains(r.Path, "/environments/prod/eu") {
			t.Errorf("environment prod/eu not escaped in %s %s", r.Method, r.Path)
		}
	}
	if escaped != 3 { // a key and two PUTs
		t.Errorf("%d requests for environment prod%%2Feu, want 3", escaped)
	}
	if keys != len(targets) {
		t.Errorf("%d public key requests, want %d (one per container)", keys, len(targets))
	}
	// Repository ids were resolved once for both runs.
	if n := w.count("GET /repos/{owner}/{repo}"); n != 2 {
		t.Errorf("%d repository lookups, want 2", n)
	}
}

// Many writers asking for the same container's key at once share one fetch.
func TestPublicKeySingleFlight(t *testing.T) {
	w := newWorld(t, emulator.Options{Latency: 20 * time.Millisecond})
	wr := secrets.NewWriter(w.client(adminTok), secrets.WriterOptions{})
	target := repoT(secrets.Actions, "acme/api")
	names := []string{"A", "B", "C", "D", "E", "F", "G", "H"}
	var wg sync.WaitGroup
	errs := make([]error, len(names))
	for i, n := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = store1(context.Background(), wr, target, n, []byte("v"))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("write %s: %v", names[i], err)
		}
	}
	if n := w.count("GET /repos/{owner}/{repo}/actions/secrets/public-key"); n != 1 {
		t.Errorf("%d public key requests for one container, want 1", n)
	}
	if diff := cmp.Diff(names, w.emu.SecretNames("repo:acme/api")); diff != "" {
		t.Errorf("secrets (-want +got):\n%s", diff)
	}
}

// A key rotated between the key fetch and the PUT makes GitHub refuse the
// PUT with 422: the writer fetches the key again, once, and retries.
func TestRotatedKeyRefetchedOnce(t *testing.T) {
	tests := []struct {
		name      string
		rotations int
		want      secrets.Outcome
		keys      int
		puts      int
	}{
		{"rotated once: refetch and succeed", 1, secrets.Created, 2, 2},
		{"rotated again: give up after one refetch", 2, secrets.Failed, 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, emulator.Options{NumericKeyID: true})
			w.emu.Inject(emulator.Fault{Kind: emulator.RotateKeyBeforePut, Count: tt.rotations})
			wr := secrets.NewWriter(w.client(adminTok), secrets.WriterOptions{})
			target := repoT(secrets.Actions, "acme/api")
			got, err := store1(context.Background(), wr, target, "PAT", []byte("value"))
			if got != tt.want {
				t.Errorf("outcome %s (%v), want %s", got, err, tt.want)
			}
			if tt.want == secrets.Failed && (err == nil || !strings.Contains(err.Error(), "422")) {
				t.Errorf("error %v, want the 422", err)
			}
			if tt.want == secrets.Created {
				w.assertStored(t, target, "PAT", []byte("value"))
			}
			if n := w.count("GET /repos/{owner}/{repo}/actions/secrets/public-key"); n != tt.keys {
				t.Errorf("%d public key requests, want %d", n, tt.keys)
			}
			if n := w.count("PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}"); n != tt.puts {
				t.Errorf("%d PUTs, want %d", n, tt.puts)
			}
		})
	}
}

// Failures say what is wrong for that target, and the other targets still
// complete.
func TestStoreFailures(t *testing.T) {
	tests := []struct {
		name    string
		token   string
		target  secrets.Target
		wantErr []string
	}{
		{"missing repository", adminTok, repoT(secrets.Actions, "acme/gone"),
			[]string{"repository not found or token has no access (404)"}},
		{"missing environment", adminTok, envT("acme/api", "staging"),
			[]string{"repository or environment not found or token has no access (404)"}},
		{"missing organization", adminTok, secrets.Target{Scope: secrets.OrgScope, Org: "nobody", Visibility: "all"},
			[]string{"organization not found or token has no access (404)"}},
		{"selected repository missing", adminTok, orgT(secrets.Actions, secrets.VisibilitySelected, "acme/api", "acme/gone"),
			[]string{"selected repository acme/gone: repository not found or token has no access (404)"}},
		{"classic token without the scope", publicTok, repoT(secrets.Actions, "acme/web"),
			[]string{"forbidden (403)", "accepted OAuth scopes: repo"}},
		{"org secret without admin:org", repoTok, orgT(secrets.Actions, secrets.VisibilityAll),
			[]string{"forbidden (403)", "accepted OAuth scopes: admin:org"}},
		{"fine-grained token with read-only secrets", fineTok, repoT(secrets.Actions, "acme/api"),
			[]string{"forbidden (403)", "accepted permissions: secrets=write"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, emulator.Options{})
			wr := secrets.NewWriter(w.client(tt.token), secrets.WriterOptions{})
			ok := repoT(secrets.Actions, "acme/infra")
			if tt.token != adminTok {
				ok = secrets.Target{} // the restricted tokens reach nothing else
			}
			targets := []secrets.Target{tt.target}
			if ok.Scope != "" {
				targets = append(targets, ok)
			}
			rs := wr.Store(context.Background(), targets, "PAT", []byte("value"))
			var failed *secrets.Result
			for i := range rs {
				if rs[i].Target.String() == tt.target.String() {
					failed = &rs[i]
				} else if rs[i].Outcome != secrets.Created {
					t.Errorf("%s: %s (%v), want created", rs[i].Target, rs[i].Outcome, rs[i].Err)
				}
			}
			if failed == nil || failed.Outcome != secrets.Failed || failed.Err == nil {
				t.Fatalf("results %+v: want %s failed", outcomes(rs), tt.target)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(failed.Err.Error(), s) {
					t.Errorf("error %q does not say %q", failed.Err, s)
				}
			}
		})
	}
}

// When retries run out the error says how many tries were made.
func TestStoreRetriesExhausted(t *testing.T) {
	w := newWorld(t, emulator.Options{})
	w.emu.Inject(emulator.Fault{Op: "PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}", Kind: emulator.Status5xx, Status: 503, Count: 100})
	wr := secrets.NewWriter(w.client(adminTok), secrets.WriterOptions{})
	_, err := store1(context.Background(), wr, repoT(secrets.Actions, "acme/api"), "PAT", []byte("value"))
	if err == nil || !strings.Contains(err.Error(), "gave up after 5 tries: 503") {
		t.Fatalf("error %v, want it to give up after 5 tries with the 503", err)
	}
	if strings.Contains(err.Error(), "http://") {
		t.Errorf("error %q carries the request URL", err)
	}
}

// A dry run reads the key and the secret's metadata and writes nothing.
func TestStoreDryRun(t *testing.T) {
	w := newWorld(t, emulator.Options{})
	w.emu.SetSecret("repo:acme/api", "PAT", []byte("old"), now.Add(-time.Hour))
	wr := secrets.NewWriter(w.client(adminTok), secrets.WriterOptions{DryRun: true})
	targets := []secrets.Target{
		repoT(secrets.Actions, "acme/api"),
		repoT(secrets.Actions, "acme/web"),
		orgT(secrets.Actions, secrets.VisibilitySelected, "acme/web"),
		repoT(secrets.Actions, "acme/gone"),
	}
	got := outcomes(wr.Store(context.Background(), targets, "PAT", []byte("new")))
	want := []outcome{
		{"org:acme", "would-create", ""},
		{"repo:acme/api", "would-update", ""},
		{"repo:acme/gone", "failed", "get public key: repository not found or token has no access (404)"},
		{"repo:acme/web", "would-create", ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dry run (-want +got):\n%s", diff)
	}
	if n := w.writes(); n != 0 {
		t.Errorf("a dry run sent %d writes", n)
	}
	if v, _ := w.emu.SecretValue("repo:acme/api", "PAT"); string(v) != "old" {
		t.Error("a dry run changed a secret")
	}
}

// Changing only which repositories may read an organization secret sends
// no value.
func TestSetOrgSecretRepositories(t *testing.T) {
	w := newWorld(t, emulator.Options{})
	ctx := context.Background()
	wr := secrets.NewWriter(w.client(adminTok), secrets.WriterOptions{})
	if _, err := store1(ctx, wr, orgT(secrets.Dependabot, secrets.VisibilitySelected, "acme/api"), "PAT", []byte("value")); err != nil {
		t.Fatal(err)
	}
	putsBefore := w.count("PUT /orgs/{org}/dependabot/secrets/{secret_name}")

	got, err := setRepos1(ctx, wr, orgT(secrets.Dependabot, secrets.VisibilitySelected, "acme/web", "acme/infra"), "PAT")
	if err != nil || got != secrets.Updated {
		t.Fatalf("SetOrgSecretRepositories = %s, %v; want updated", got, err)
	}
	vis, ids := w.emu.OrgSecretRepos("dependabot:org:acme", "PAT")
	if diff := cmp.Diff([]int64{w.ids["acme/web"], w.ids["acme/infra"]}, ids); diff != "" || vis != "selected" {
		t.Errorf("visibility %q, ids (-want +got):\n%s", vis, diff)
	}
	w.assertStored(t, orgT(secrets.Dependabot, "all"), "PAT", []byte("value"))
	if n := w.count("PUT /orgs/{org}/dependabot/secrets/{secret_name}"); n != putsBefore {
		t.Errorf("the value was PUT again (%d PUTs, want %d)", n, putsBefore)
	}
	if n := w.count("PUT /orgs/{org}/dependabot/secrets/{secret_name}/repositories"); n != 1 {
		t.Errorf("%d repository list PUTs, want 1", n)
	}

	// A secret that is not selected has no list; one that does not exist
	// cannot get one.
	w.emu.SetSecret("org:acme", "ALL", []byte("x"), now)
	for _, tc := range []struct{ name, want string }{
		{"ALL", "409"},
		{"MISSING", "not found or token has no access (404)"},
	} {
		_, err := setRepos1(ctx, wr, orgT(secrets.Actions, secrets.VisibilitySelected, "acme/api"), tc.name)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
	dry := secrets.NewWriter(w.client(adminTok), secrets.WriterOptions{DryRun: true})
	writes := w.writes()
	if got, err := setRepos1(ctx, dry, orgT(secrets.Dependabot, secrets.VisibilitySelected, "acme/api"), "PAT"); got != secrets.WouldUpdate || err != nil {
		t.Errorf("dry run = %s, %v; want would-update", got, err)
	}
	if w.writes() != writes {
		t.Error("a dry run wrote")
	}
}

// A bad name or value fails every target without a request.
func TestStoreRejectsBadInputWithoutRequests(t *testing.T) {
	w := newWorld(t, emulator.Options{})
	wr := secrets.NewWriter(w.client(adminTok), secrets.WriterOptions{})
	for _, tc := range []struct {
		name  string
		value []byte
	}{
		{"GITHUB_TOKEN", []byte("v")},
		{"OK", nil},
		{"OK", bytes.Repeat([]byte("x"), secrets.MaxValueSize+1)},
	} {
		rs := wr.Store(context.Background(), []secrets.Target{repoT(secrets.Actions, "acme/api")}, tc.name, tc.value)
		if rs[0].Outcome != secrets.Failed {
			t.Errorf("%s with %d bytes: %s, want failed", tc.name, len(tc.value), rs[0].Outcome)
		}
	}
	if n := len(w.emu.Requests()); n != 0 {
		t.Errorf("%d requests for bad input", n)
	}
}

// Resolving selected repositories costs O(pages), not O(N): with many names
// in a large organization the Writer lists its repositories once, 100 a
// page; with few, it asks for each, which is cheaper.
func TestRepositoryIDsRequests(t *testing.T) {
	tests := []struct {
		name         string
		selected     int
		wantRequests int
	}{
		{"one name: one GET", 1, 1},
		{"two names: two GETs", 2, 2},
		{"five names in a 1,003-repository org: five GETs beat 11 pages", 5, 1 + 5},
		{"300 names: the org and its 11 pages", 300, 1 + 11},
		{"1,000 names: the org and its 11 pages", 1000, 1 + 11},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, emulator.Options{})
			w.emu.AddRepos("acme", 1000, func(i int) emulator.Repo {
				return emulator.Repo{Name: fmt.Sprintf("svc-%04d", i), Private: i%2 == 0}
			})
			var names []string
			for i := range tt.selected {
				names = append(names, fmt.Sprintf("acme/svc-%04d", i))
			}
			ids, err := secrets.NewWriter(w.client(adminTok), secrets.WriterOptions{}).RepositoryIDs(context.Background(), names)
			if err != nil {
				t.Fatal(err)
			}
			if len(ids) != tt.selected {
				t.Fatalf("%d ids, want %d", len(ids), tt.selected)
			}
			for i, id := range ids {
				if id == 0 {
					t.Fatalf("id %d is zero", i)
				}
			}
			if got := len(w.emu.Requests()); got != tt.wantRequests {
				t.Errorf("%d requests, want %d", got, tt.wantRequests)
			}
		})
	}
}

// A name the listing does not hold is still fetched, and a missing one
// fails precisely.
func TestRepositoryIDsMissing(t *testing.T) {
	w := newWorld(t, emulator.Options{})
	w.emu.AddRepos("acme", 50, nil)
	names := []string{"acme/repo-000", "acme/repo-001", "acme/repo-002", "acme/gone"}
	_, err := secrets.NewWriter(w.client(adminTok), secrets.WriterOptions{}).RepositoryIDs(context.Background(), names)
	if err == nil || !strings.Contains(err.Error(), "acme/gone") {
		t.Errorf("err = %v, want one naming acme/gone", err)
	}
}
