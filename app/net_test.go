package app

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pat-action/pat-action/emulator"
	"github.com/pat-action/pat-action/ghclient"
)

// front is a server in front of a world's emulator that counts the
// connections opened to it, the requests in flight at once, and every
// Accept header it received.
type front struct {
	apiURL   string
	opened   atomic.Int32
	inFlight atomic.Int32
	peak     atomic.Int32
	mu       sync.Mutex
	accepts  map[string]int
	// gate, when set, holds each request until it returns.
	gate func(r *http.Request)
}

func newFront(t *testing.T, w *world) *front {
	t.Helper()
	f := &front{accepts: map[string]int{}}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		n := f.inFlight.Add(1)
		defer f.inFlight.Add(-1)
		for p := f.peak.Load(); n > p && !f.peak.CompareAndSwap(p, n); p = f.peak.Load() {
		}
		f.mu.Lock()
		f.accepts[r.Header.Get("Accept")]++
		f.mu.Unlock()
		if f.gate != nil {
			f.gate(r)
		}
		w.emu.ServeHTTP(rw, r)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			f.opened.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	f.apiURL = srv.URL + strings.TrimPrefix(w.apiURL, w.srv.URL)
	return f
}

// evilServer counts the requests another host receives.
func evilServer(t *testing.T) (url, host string, hits *atomic.Int32) {
	t.Helper()
	hits = new(atomic.Int32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("X-OAuth-Scopes", "repo, workflow")
		fmt.Fprint(w, `{"login":"evil"}`)
	}))
	t.Cleanup(srv.Close)
	// 127.0.0.1 and localhost are different hosts to the client.
	url = strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	return url, strings.TrimPrefix(url, "http://"), hits
}

// A redirect off the API host fails the request, whatever its status and
// method: check does not take the other host's answer (login evil, policy
// passed), store does not send it the sealed value, and the other host
// receives nothing, so never the token (go-github #4190). The message names
// the host, never the redirect's query.
func TestRedirectOffHost(t *testing.T) {
	evil, evilHost, hits := evilServer(t)
	tests := []struct {
		cmd, op string
	}{
		{"check", "GET /user"},
		{"store", "PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}"},
	}
	for _, tt := range tests {
		for _, status := range []int{301, 302, 303, 307, 308} {
			t.Run(fmt.Sprintf("%s %d", tt.cmd, status), func(t *testing.T) {
				w := storeWorld(t, emulator.Options{}, 0)
				w.emu.Inject(emulator.Fault{Kind: emulator.Redirect, Op: tt.op, Status: status, Location: evil + "/user?access_token=leaked"})
				args := []string{"check", "--api-url", w.apiURL, "--required-scopes", "repo"}
				env := map[string]string{"GH_TOKEN": classicTok}
				if tt.cmd == "store" {
					args = []string{"--secret-name", "PAT", "--repositories", "acme/api"}
					env["PAT_ACTION_ADMIN_TOKEN"] = adminTok
				}
				var res result
				if tt.cmd == "store" {
					res, _ = storeCLI(t, w, args, env)
				} else {
					res = run(t, args, env, "")
				}
				out := res.stdout + res.stderr
				if res.code != exitPartial || !strings.Contains(out, "redirect to another host, http://"+evilHost) {
					t.Errorf("exit %d, want %d with a message naming %s; output:\n%s", res.code, exitPartial, evilHost, out)
				}
				if strings.Contains(out, "leaked") || strings.Contains(out, "evil\"") {
					t.Errorf("the output quotes the redirect's query or the other host's answer:\n%s", out)
				}
				if n := hits.Swap(0); n != 0 {
					t.Errorf("the other host received %d requests, want 0", n)
				}
				if _, ok := w.emu.SecretValue("repo:acme/api", "PAT"); ok {
					t.Error("the secret was stored")
				}
			})
		}
	}
}

// An api-url with credentials in it, or a port out of range, is exit 2
// before any request, and the credential is never printed, from the CLI
// or the action.
func TestAPIURLRefused(t *testing.T) {
	const cred = "s3cretpw"
	w := newWorld(t, emulator.Options{}, checkTokens()...)
	host := strings.TrimPrefix(w.apiURL, "http://")
	for _, u := range []string{
		"http://x:" + cred + "@" + host,
		"http://" + cred + "@" + host,
		"http://" + host + "/?access_token=" + cred,
		"http://" + host + "/?" + cred,
		"http://" + host + "/#" + cred,
		"http://x:" + cred + "@" + host + "/?access_token=%zz",
		"https://ghe.example.com:99999/api/v3",
		"https://ghe.example.com:0/api/v3",
	} {
		for _, action := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s action %v", ghclient.Redact(u), action), func(t *testing.T) {
				var res result
				if action {
					r := newRunner(t, map[string]string{"mode": "check", "token": classicTok, "api-url": u})
					res = run(t, nil, r.env, "")
					res.stdout += r.read(t, r.summary) + r.read(t, r.outputFile)
				} else {
					res = run(t, []string{"check", "--api-url", u}, map[string]string{"GH_TOKEN": classicTok}, "")
				}
				if res.code != exitUsage || !strings.Contains(res.stdout+res.stderr, "api-url") {
					t.Errorf("exit %d, want %d with a message about api-url; stderr:\n%s", res.code, exitUsage, res.stderr)
				}
				if strings.Contains(res.stdout+res.stderr, cred) {
					t.Error("the output quotes the credential in api-url")
				}
				if n := len(w.emu.Requests()); n != 0 {
					t.Errorf("%d requests sent, want 0", n)
				}
			})
		}
	}
}

// A try that hangs or gets a garbled status line is retried after a
// back-off rather than failing its target.
func TestFailedTryRetried(t *testing.T) {
	for _, kind := range []emulator.FaultKind{emulator.Hang, emulator.BadStatusLine} {
		t.Run(kind.String(), func(t *testing.T) {
			w := storeWorld(t, emulator.Options{}, 0)
			w.emu.Inject(emulator.Fault{Kind: kind, Op: "PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}"})
			var out, errb bytes.Buffer
			sl := &sleeper{}
			env := map[string]string{"GH_TOKEN": classicTok, "PAT_ACTION_ADMIN_TOKEN": adminTok}
			rt := runtime{
				getenv: func(k string) string { return env[k] },
				stdout: &out, stderr: &errb,
				now:     func() time.Time { return testNow },
				sleep:   sl.sleep,
				timeout: 300 * time.Millisecond,
			}
			code := rt.run(context.Background(), []string{"store", "--api-url", w.apiURL, "--secret-name", "PAT", "--repositories", "acme/api", "--pacing", "off"})
			if code != exitOK {
				t.Fatalf("exit %d, want 0; stderr:\n%s", code, errb.String())
			}
			assertValue(t, w, "repo:acme/api", "PAT", classicTok)
			// One back-off for the fault; a loaded machine may time out an
			// answered try too, which costs a back-off more, never the write.
			if waits := sl.all(); len(waits) < 1 || waits[0] < ghclient.DefaultBase/2 {
				t.Errorf("waits %v, want a back-off of at least %s", waits, ghclient.DefaultBase/2)
			}
			if n := w.emu.FaultsFired(kind); n != 1 {
				t.Errorf("%v fired %d times, want 1", kind, n)
			}
		})
	}
}

// A run reuses its connections: store into 100 repositories at
// concurrency c opens at most c + 3 connections (the check's own and a
// few), yet has c requests in flight at once.
func TestConnectionsPerRun(t *testing.T) {
	const repos = 100
	for _, conc := range []int{10, 40} {
		t.Run(strconv.Itoa(conc), func(t *testing.T) {
			w := storeWorld(t, emulator.Options{}, repos)
			f := newFront(t, w)
			// The first conc PUTs wait for each other, so the run must
			// have conc in flight to go on; the timer only ends a run that
			// cannot, as a failure.
			var waiting atomic.Int32
			all := make(chan struct{})
			f.gate = func(r *http.Request) {
				if r.Method != http.MethodPut {
					return
				}
				switch n := waiting.Add(1); {
				case n == int32(conc):
					close(all)
				case n > int32(conc):
					return
				}
				select {
				case <-all:
				case <-time.After(5 * time.Second):
				}
			}
			var names []string
			for i := range repos {
				names = append(names, "acme/r"+strconv.Itoa(i))
			}
			wf := *w
			wf.apiURL = f.apiURL
			res, _ := storeCLI(t, &wf, []string{"--secret-name", "PAT", "--repositories", strings.Join(names, ","), "--concurrency", strconv.Itoa(conc)},
				map[string]string{"GH_TOKEN": classicTok, "PAT_ACTION_ADMIN_TOKEN": adminTok})
			if res.code != exitOK {
				t.Fatalf("exit %d, want 0; stderr:\n%s", res.code, res.stderr)
			}
			if got := f.opened.Load(); got > int32(conc+3) {
				t.Errorf("%d targets at concurrency %d opened %d connections, want at most %d", repos, conc, got, conc+3)
			}
			if got := f.peak.Load(); got < int32(conc) {
				t.Errorf("at most %d requests were in flight at once, want %d", got, conc)
			}
		})
	}
}

// Parallel shards share one account's rate budget: each paces at 1/n of
// the default unless the pacing input names a budget.
func TestShardPacing(t *testing.T) {
	const plan = "version: 1\nsecrets:\n  - name: X\n    source: {type: random}\n    targets: [{repository: acme/api}]\n"
	tests := []struct {
		shard, pacing, apiURL string
		want                  ghclient.Pacing
		concurrency           string // the input; empty for the default
		wantConcurrency       int    // 0: want.Concurrent, or 20 when pacing is off
	}{
		{"", "auto", "", ghclient.DefaultPacing(false), "", 0},
		{"1/1", "", "", ghclient.DefaultPacing(false), "", 0},
		{"2/4", "auto", "", ghclient.Pacing{Concurrent: 20, Points: ghclient.DefaultPoints / 4, Window: time.Minute}, "", 0},
		{"3/3", "", "", ghclient.Pacing{Concurrent: 20, Points: ghclient.DefaultPoints / 3, Window: time.Minute}, "", 0},
		{"2/4", "900/1m", "", ghclient.Pacing{Concurrent: 20, Points: 900, Window: time.Minute}, "", 0},
		{"2/4", "auto", "https://ghe.example.com/api/v3", ghclient.Pacing{Off: true}, "", 0},
		{"2/4", "400/1m", "https://ghe.example.com/api/v3", ghclient.Pacing{Concurrent: 20, Points: 400, Window: time.Minute}, "", 0},
		// Never below what a single write needs.
		{"100/100", "auto", "", ghclient.Pacing{Concurrent: 1, Points: 2 * ghclient.WriteCost, Window: time.Minute}, "", 1},
		// The shards share GitHub's 100 concurrent requests: the default
		// shrinks to 100/n, and a concurrency given is taken up to that.
		{"1/10", "auto", "", ghclient.Pacing{Concurrent: 10, Points: ghclient.DefaultPoints / 10, Window: time.Minute}, "", 10},
		{"1/4", "auto", "", ghclient.Pacing{Concurrent: 25, Points: ghclient.DefaultPoints / 4, Window: time.Minute}, "25", 25},
		{"1/4", "auto", "https://ghe.example.com/api/v3", ghclient.Pacing{Off: true}, "25", 25},
		{"1/150", "auto", "https://ghe.example.com/api/v3", ghclient.Pacing{Off: true}, "", 1},
	}
	rt := runtime{getenv: func(string) string { return "" }, files: func(string) ([]byte, error) { return []byte(plan), nil }}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %s %s", tt.shard, tt.pacing, tt.apiURL), func(t *testing.T) {
			v := values{"shard": tt.shard, "pacing": tt.pacing, "api-url": tt.apiURL, "config": "plan.yml", "state-repository": "acme/ops", "concurrency": tt.concurrency}
			ro, err := rotateOptions(v, tokens{token: adminTok}, rt)
			if err != nil {
				t.Fatal(err)
			}
			v["organization"], v["max-age"] = "acme", "90d"
			ao, err := auditOptions(v, tokens{token: adminTok}, rt)
			if err != nil {
				t.Fatal(err)
			}
			for cmd, got := range map[string]ghclient.Pacing{"rotate": ro.Pacing, "audit": ao.Pacing} {
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("%s pacing (-want +got):\n%s", cmd, diff)
				}
			}
			want := tt.wantConcurrency
			if want == 0 {
				want = 20
			}
			for cmd, got := range map[string]int{"rotate": ro.Concurrency, "audit": ao.Concurrency} {
				if got != want {
					t.Errorf("%s concurrency = %d, want %d", cmd, got, want)
				}
			}
		})
	}
}

// Every request of a whole store, rotation and audit asks for GitHub's JSON
// and no preview media type (go-github v45 sends mercy-preview and
// squirrel-girl-preview on some list calls).
func TestAcceptEveryRequest(t *testing.T) {
	w, appKey := rotationWorld(t)
	f := newFront(t, w)
	plan := writePlan(t, fullPlan)
	env := fullPlanEnv(appKey)
	env["PAT_ACTION_ADMIN_TOKEN"] = adminTok
	for _, args := range [][]string{
		{"store", "--secret-name", "PAT", "--repositories", "acme/api,acme/web", "--organization", "acme"},
		{"rotate", "--config", plan},
		{"audit", "--config", plan},
		{"audit", "--organization", "acme", "--max-age", "1d"},
	} {
		res, _ := runRotation(t, append(args, "--api-url", f.apiURL, "--pacing", "off"), env, false)
		if res.code != exitOK {
			t.Fatalf("%s: exit %d; stderr:\n%s", args[0], res.code, res.stderr)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if n := f.accepts["application/vnd.github+json"]; n < 20 || len(f.accepts) != 1 {
		t.Errorf("Accept headers sent, with counts: %v; want only application/vnd.github+json", f.accepts)
	}
}

// Every client the product makes refuses a redirect off the API host: the
// check of a rotation's token source (made with that token), the tokens
// command's inventory (with the App's installation token), and store's
// unauthenticated revocation of the previous token, whose body is that
// token. The other host receives nothing and the message names it.
func TestRedirectOffHostEveryClient(t *testing.T) {
	evil, evilHost, hits := evilServer(t)
	plan := "version: 1\nsecrets:\n  - name: RELEASE_PAT\n    source: {type: token, env: NEW_PAT}\n    targets: [{repository: acme/api}]\n"
	tests := []struct {
		name string
		op   string
		args func(w *world) []string
		env  map[string]string
	}{
		{"rotate: a token source's check", "GET /user", func(w *world) []string {
			return []string{"rotate", "--api-url", w.apiURL, "--pacing", "off", "--config", writePlan(t, plan)}
		}, map[string]string{"GH_TOKEN": adminTok, "NEW_PAT": classicTok}},
		{"tokens: the organization's token list", "GET /orgs/{org}/personal-access-tokens", func(w *world) []string {
			return []string{"tokens", "--api-url", w.apiURL, "--organization", "acme"}
		}, map[string]string{"PAT_ACTION_ADMIN_TOKEN": inventoryTok}},
		{"store: revoking the previous token", revokeOp, func(w *world) []string {
			return []string{"store", "--api-url", w.apiURL, "--pacing", "off", "--secret-name", "PAT", "--repositories", "acme/api"}
		}, map[string]string{"GH_TOKEN": classicTok, "PAT_ACTION_ADMIN_TOKEN": adminTok, "PAT_ACTION_PREVIOUS_TOKEN": previousTok}},
	}
	for _, tt := range tests {
		for _, status := range []int{302, 307, 308} {
			t.Run(fmt.Sprintf("%s %d", tt.name, status), func(t *testing.T) {
				w := newWorld(t, emulator.Options{}, append(inventoryTokens(), emulator.Token{Value: adminTok, Login: "admin", Scopes: []string{"repo", "admin:org"}})...)
				w.emu.AddGrantedPAT(emulator.GrantedPAT{Org: "acme", Owner: "ana", TokenName: "ana-token", AccessGrantedAt: days(-10)})
				w.emu.Inject(emulator.Fault{Kind: emulator.Redirect, Op: tt.op, Status: status, Count: 100, Location: evil + "/x?access_token=leaked"})
				res, _ := runRotation(t, tt.args(w), tt.env, false)
				out := res.stdout + res.stderr
				if res.code != exitPartial || !strings.Contains(out, "redirect to another host, http://"+evilHost) {
					t.Errorf("exit %d, want %d with a message naming %s; output:\n%s", res.code, exitPartial, evilHost, out)
				}
				if strings.Contains(out, "leaked") || strings.Contains(out, `"evil"`) {
					t.Errorf("the output quotes the redirect's query or the other host's answer:\n%s", out)
				}
				if n := hits.Swap(0); n != 0 {
					t.Errorf("the other host received %d requests, want 0", n)
				}
			})
		}
	}
}
