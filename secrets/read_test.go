package secrets_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pat-action/pat-action/emulator"
	"github.com/pat-action/pat-action/ghclient"
	"github.com/pat-action/pat-action/secrets"
)

// errText is err's text, or "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// Ages reads each target's secret metadata with one GET: written when,
// missing, or why it could not be read.
func TestAges(t *testing.T) {
	w := newWorld(t, emulator.Options{})
	w.emu.SetSecret("repo:acme/api", "PAT", []byte("v"), now.Add(-48*time.Hour))
	w.emu.SetSecret("env:acme/api/production", "PAT", []byte("v"), now.Add(-time.Hour))
	w.emu.Inject(emulator.Fault{Op: "GET /repos/{owner}/{repo}/actions/secrets/{secret_name}", Match: "acme/infra", Kind: emulator.Status5xx, Status: 500, Count: 100})
	targets := []secrets.Target{
		repoT(secrets.Actions, "acme/api"),
		envT("acme/api", "production"),
		repoT(secrets.Actions, "acme/web"),
		repoT(secrets.Actions, "acme/infra"),
	}
	wr := secrets.NewWriter(w.client(adminTok), secrets.WriterOptions{})
	ages, errs := wr.Ages(context.Background(), targets, "PAT")
	want := []secrets.Age{{Updated: now.Add(-48 * time.Hour)}, {Updated: now.Add(-time.Hour)}, {Missing: true}, {}}
	if diff := cmp.Diff(want, ages); diff != "" {
		t.Errorf("ages (-want +got):\n%s", diff)
	}
	for i, err := range errs[:3] {
		if err != nil {
			t.Errorf("%s: %v", targets[i], err)
		}
	}
	if got := errText(errs[3]); !strings.Contains(got, "read PAT in repo:acme/infra") || !strings.Contains(got, "500") {
		t.Errorf("error %q, want it to name the secret, the target and the 500", got)
	}
	if w.writes() != 0 {
		t.Error("reading ages wrote")
	}
	if n := w.count("GET /repos/{owner}/{repo}/actions/secrets/{secret_name}"); n != 2+5 {
		t.Errorf("%d repository secret GETs, want one each for api and web and 5 tries for infra", n)
	}
}

// Reads fan out no wider than Concurrency, as the emulator sees them.
func TestAgesConcurrency(t *testing.T) {
	w := newWorld(t, emulator.Options{Latency: 5 * time.Millisecond})
	w.emu.AddRepos("acme", 12, nil)
	var targets []secrets.Target
	for i := range 12 {
		targets = append(targets, repoT(secrets.Actions, fmt.Sprintf("acme/repo-%03d", i)))
	}
	wr := secrets.NewWriter(w.client(adminTok), secrets.WriterOptions{Concurrency: 3})
	_, errs := wr.Ages(context.Background(), targets, "PAT")
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if n := w.emu.InFlightMax(); n > 3 {
		t.Errorf("%d requests in flight at once, want at most 3", n)
	}
}

// List pages through each target's secrets, 100 a page, and names the
// target that could not be listed.
func TestList(t *testing.T) {
	w := newWorld(t, emulator.Options{})
	var want []secrets.Meta
	for i := range 130 {
		m := secrets.Meta{Name: fmt.Sprintf("S%03d", i), Updated: now.Add(-time.Duration(i) * time.Hour)}
		w.emu.SetSecret("repo:acme/api", m.Name, []byte("v"), m.Updated)
		want = append(want, m)
	}
	w.emu.SetSecret("repo:acme/web", "ONE", []byte("v"), now)
	wr := secrets.NewWriter(w.client(adminTok), secrets.WriterOptions{})
	lists, errs := wr.List(context.Background(), []secrets.Target{
		repoT(secrets.Actions, "acme/api"),
		repoT(secrets.Actions, "acme/web"),
		repoT(secrets.Actions, "acme/gone"),
	})
	if diff := cmp.Diff(want, lists[0]); diff != "" {
		t.Errorf("acme/api (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]secrets.Meta{{Name: "ONE", Updated: now}}, lists[1]); diff != "" {
		t.Errorf("acme/web (-want +got):\n%s", diff)
	}
	if errs[0] != nil || errs[1] != nil {
		t.Errorf("errors %v", errs[:2])
	}
	if got := errText(errs[2]); got != "list secrets: repository not found or token has no access (404)" {
		t.Errorf("acme/gone: error %q", got)
	}
	if n := w.count("GET /repos/{owner}/{repo}/actions/secrets"); n != 2+1+1 {
		t.Errorf("%d list requests, want 2 pages for api, 1 for web, 1 for gone", n)
	}
}

// Delete removes the secret where it is, fails where it is not, and in a
// dry run sends nothing.
func TestDelete(t *testing.T) {
	w := newWorld(t, emulator.Options{})
	w.emu.SetSecret("repo:acme/api", "PAT", []byte("v"), now)
	w.emu.SetSecret("dependabot:repo:acme/web", "PAT", []byte("v"), now)
	targets := []secrets.Target{repoT(secrets.Actions, "acme/api"), repoT(secrets.Dependabot, "acme/web"), repoT(secrets.Actions, "acme/infra")}

	dry := secrets.NewWriter(w.client(adminTok), secrets.WriterOptions{DryRun: true})
	got := outcomes(dry.Delete(context.Background(), targets, "PAT"))
	want := []outcome{
		{"dependabot:repo:acme/web", "would-delete", ""},
		{"repo:acme/api", "would-delete", ""},
		{"repo:acme/infra", "would-delete", ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dry run (-want +got):\n%s", diff)
	}
	if n := w.writes(); n != 0 {
		t.Errorf("a dry run sent %d writes", n)
	}

	wr := secrets.NewWriter(w.client(adminTok), secrets.WriterOptions{})
	got = outcomes(wr.Delete(context.Background(), targets, "PAT"))
	want = []outcome{
		{"dependabot:repo:acme/web", "deleted", ""},
		{"repo:acme/api", "deleted", ""},
		{"repo:acme/infra", "failed", "repository not found or token has no access (404)"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("delete (-want +got):\n%s", diff)
	}
	for _, c := range []string{"repo:acme/api", "dependabot:repo:acme/web"} {
		if _, ok := w.emu.SecretValue(c, "PAT"); ok {
			t.Errorf("%s still holds PAT", c)
		}
	}
	if n := w.count("DELETE /repos/{owner}/{repo}/actions/secrets/{secret_name}") + w.count("DELETE /repos/{owner}/{repo}/dependabot/secrets/{secret_name}"); n != 3 {
		t.Errorf("%d DELETEs, want 3", n)
	}
}

// OrgRepos pages through an organization's repositories, and the ids it
// saw spare RepositoryIDs its requests.
func TestOrgRepos(t *testing.T) {
	w := newWorld(t, emulator.Options{})
	ids := w.emu.AddRepos("big", 150, func(i int) emulator.Repo {
		return emulator.Repo{Archived: i == 7, Topics: map[bool][]string{true: {"deploy"}}[i%50 == 0]}
	})
	wr := secrets.NewWriter(w.client(adminTok), secrets.WriterOptions{})
	repos, err := wr.OrgRepos(context.Background(), "big")
	if err != nil {
		t.Fatal(err)
	}
	if len(repos) != 150 {
		t.Fatalf("%d repositories, want 150", len(repos))
	}
	byName := map[string]secrets.Repo{}
	for _, r := range repos {
		byName[r.Name] = r
	}
	for _, i := range []int{0, 7, 50, 149} {
		want := secrets.Repo{Owner: "big", Name: fmt.Sprintf("repo-%03d", i), Archived: i == 7, Topics: []string{}, ID: ids[i]}
		if i%50 == 0 {
			want.Topics = []string{"deploy"}
		}
		if diff := cmp.Diff(want, byName[want.Name]); diff != "" {
			t.Errorf("repository %d (-want +got):\n%s", i, diff)
		}
	}
	if n := w.count("GET /orgs/{org}/repos"); n != 2 {
		t.Errorf("%d listing requests, want 2 pages", n)
	}
	before := len(w.emu.Requests())
	got, err := wr.RepositoryIDs(context.Background(), []string{"big/repo-003", "big/repo-120"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{ids[3], ids[120]}, got); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	if n := len(w.emu.Requests()) - before; n != 0 {
		t.Errorf("RepositoryIDs sent %d requests for listed repositories, want 0", n)
	}
}

// A run cancelled before it starts writes nothing and still reports every
// target, each failed with the cancellation, to the caller and to OnResult.
func TestStoreCancelledReportsEveryTarget(t *testing.T) {
	w := newWorld(t, emulator.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var seen []string
	wr := secrets.NewWriter(w.client(adminTok), secrets.WriterOptions{Concurrency: 2, OnResult: func(r secrets.Result) { seen = append(seen, r.Target.String()) }})
	targets := []secrets.Target{repoT(secrets.Actions, "acme/web"), repoT(secrets.Actions, "acme/api"), envT("acme/api", "production")}
	got := outcomes(wr.Store(ctx, targets, "PAT", []byte("value")))
	want := []outcome{
		{"env:acme/api/production", "failed", "context canceled"},
		{"repo:acme/api", "failed", "context canceled"},
		{"repo:acme/web", "failed", "context canceled"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	if len(seen) != len(targets) {
		t.Errorf("OnResult saw %v, want every target once", seen)
	}
	if n := len(w.emu.Requests()); n != 0 {
		t.Errorf("a cancelled run sent %d requests", n)
	}
}

// A server whose Link header names the page just read as the next one
// (a broken or hostile server or proxy) would keep a list running, and
// holding every repeated page, forever: each list refuses it instead.
func TestListThatLoopsRefused(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Link", fmt.Sprintf(`<http://%s%s?per_page=100&page=1>; rel="next"`, r.Host, r.URL.Path))
		if strings.HasSuffix(r.URL.Path, "/repos") {
			fmt.Fprint(w, `[{"id":1,"name":"api","owner":{"login":"acme"}}]`)
			return
		}
		fmt.Fprint(w, `{"total_count":1,"secrets":[{"name":"PAT","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}]}`)
	}))
	defer srv.Close()
	api, err := ghclient.ParseAPIURL(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	wr := secrets.NewWriter(ghclient.New(api, ghclient.Options{Token: adminTok, Pacing: ghclient.Pacing{Off: true}}), secrets.WriterOptions{})
	tests := []struct {
		name string
		list func() error
	}{
		{"organization repositories", func() error { _, err := wr.OrgRepos(context.Background(), "acme"); return err }},
		{"secrets", func() error {
			_, errs := wr.List(context.Background(), []secrets.Target{repoT(secrets.Actions, "acme/api")})
			return errs[0]
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits.Store(0)
			err := tt.list()
			if err == nil || !strings.Contains(err.Error(), "names page 1 as the next") {
				t.Errorf("err = %v, want the looping list refused", err)
			}
			if n := hits.Load(); n != 1 {
				t.Errorf("the server got %d requests, want 1", n)
			}
		})
	}
}
