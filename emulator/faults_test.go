package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// try sends GET path on a fresh connection (so that Go's transport never
// retries a reset one) and returns the status, or -1 when there was no
// answer.
func (f *fixture) try(t *testing.T, path string, timeout time.Duration) (int, http.Header) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", f.api+"/"+path, nil)
	req.Header.Set("User-Agent", "test")
	req.Header.Set("Authorization", "Bearer "+adminToken)
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Do(req)
	if err != nil {
		return -1, nil
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header
}

// Each fault fires exactly Count times, on matching requests only.
func TestFaults(t *testing.T) {
	clk := newClock()
	const op = "GET /repos/{owner}/{repo}"
	tests := []struct {
		fault      Fault
		wantStatus int
		wantHeader map[string]string
		timeout    time.Duration
	}{
		{Fault{Kind: Status5xx}, 502, nil, 0},
		{Fault{Kind: Status5xx, Status: 503}, 503, nil, 0},
		{Fault{Kind: Reset}, -1, nil, 0},
		{Fault{Kind: Slow, Delay: time.Hour}, -1, nil, 50 * time.Millisecond},
		{Fault{Kind: Secondary403, RetryAfter: 2500 * time.Millisecond}, 403, map[string]string{"Retry-After": "3"}, 0},
		{Fault{Kind: Primary403, RetryAfter: 30 * time.Second}, 403,
			map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": strconv.FormatInt(clk.now().Add(30*time.Second).Unix(), 10)}, 0},
		{Fault{Kind: NotFound404}, 404, nil, 0},
		{Fault{Kind: Hang}, -1, nil, 50 * time.Millisecond},
		{Fault{Kind: BadStatusLine}, -1, nil, 0},
		{Fault{Kind: Redirect, Location: "https://elsewhere.example/x"}, -1, nil, 0},
		{Fault{Kind: LostAnswer}, -1, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.fault.Kind.String(), func(t *testing.T) {
			f := newFixture(t, Options{Now: clk.now})
			ff := tt.fault
			ff.Op, ff.Count, ff.Match = op, 2, "/api"
			f.s.Inject(ff)
			// A try the fault holds is given up after tt.timeout; every
			// other try has all the time a loaded machine needs.
			const answered = 10 * time.Second
			timeout := tt.timeout
			if timeout == 0 {
				timeout = answered
			}
			// Other operations and other repositories are untouched.
			if got, _ := f.try(t, "user", answered); got != 200 {
				t.Errorf("GET /user: status %d, want 200", got)
			}
			if got, _ := f.try(t, "repos/acme/web", answered); got != 200 {
				t.Errorf("GET acme/web: status %d, want 200", got)
			}
			var got []int
			for i := range 4 {
				wait := answered
				if i < 2 {
					wait = timeout // the two tries the fault fires on
				}
				status, h := f.try(t, "repos/acme/api", wait)
				got = append(got, status)
				// Recorded before the client can see the answer, or its absence.
				if n := len(f.s.Requests()); n != 3+i {
					t.Errorf("after try %d: %d requests recorded, want %d", i+1, n, 3+i)
				}
				if status == tt.wantStatus {
					for k, v := range tt.wantHeader {
						if h.Get(k) != v {
							t.Errorf("%s = %q, want %q", k, h.Get(k), v)
						}
					}
				}
			}
			if diff := cmp.Diff([]int{tt.wantStatus, tt.wantStatus, 200, 200}, got); diff != "" {
				t.Errorf("statuses (-want +got):\n%s", diff)
			}
			if n := f.s.FaultsFired(tt.fault.Kind); n != 2 {
				t.Errorf("FaultsFired(%v) = %d, want 2", tt.fault.Kind, n)
			}
			if n := f.s.PendingFaults(); n != 0 {
				t.Errorf("PendingFaults = %d, want 0", n)
			}
		})
	}
}

// A Redirect answers its status and location, to any method.
func TestFaultRedirect(t *testing.T) {
	f := newFixture(t, Options{})
	f.s.Inject(Fault{Kind: Redirect, Status: http.StatusPermanentRedirect, Location: "https://elsewhere.example/x?q=1"})
	req, _ := http.NewRequest("PUT", f.api+"/repos/acme/api/actions/secrets/X", nil)
	req.Header.Set("User-Agent", "test")
	req.Header.Set("Authorization", "Bearer "+adminToken)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 308 || resp.Header.Get("Location") != "https://elsewhere.example/x?q=1" {
		t.Errorf("got %d to %q, want 308 to https://elsewhere.example/x?q=1", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// RotateKeyBeforePut makes a PUT sealed for the key just fetched fail, as
// when GitHub rotates a key between the GET and the PUT.
func TestFaultRotateKeyBeforePut(t *testing.T) {
	f := newFixture(t, Options{})
	tg := testTarget{Scope: repoLevel, Owner: "acme", Repo: "api"}
	f.s.Inject(Fault{Kind: RotateKeyBeforePut, Count: 2})
	// A GET does not fire it.
	body := f.sealed(t, tg, []byte("v"))
	var got []int
	for range 3 {
		got = append(got, f.do(t, "PUT", tg.SecretPath("X"), adminToken, body).status)
	}
	if diff := cmp.Diff([]int{422, 422, 422}, got); diff != "" {
		t.Errorf("PUTs sealed for the first key (-want +got):\n%s", diff)
	}
	if got := f.do(t, "PUT", tg.SecretPath("X"), adminToken, f.sealed(t, tg, []byte("v"))).status; got != 201 {
		t.Errorf("PUT sealed for the current key: status %d, want 201", got)
	}
	if n := f.s.FaultsFired(RotateKeyBeforePut); n != 2 {
		t.Errorf("FaultsFired = %d, want 2", n)
	}
}

// A Slow fault ends when its client gives up, a PUT's too: the server
// notices a client gone only once the request body is read.
func TestSlowEndsWhenTheClientGivesUp(t *testing.T) {
	s := New(Options{})
	s.AddToken(Token{Value: adminToken, Login: "octocat", Scopes: []string{"repo"}})
	s.AddRepo(Repo{Owner: "acme", Name: "api"})
	s.Inject(Fault{Op: "PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}", Kind: Slow, Delay: time.Hour, Count: 1})
	srv, api := s.Start()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "PUT", api+"/repos/acme/api/actions/secrets/X", strings.NewReader(`{"encrypted_value":"","key_id":""}`))
	req.Header.Set("User-Agent", "test")
	req.Header.Set("Authorization", "Bearer "+adminToken)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("PUT answered %s before its client gave up", resp.Status)
	}
	// Close waits for every handler: it returns once the slow one has.
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(30 * time.Second):
		t.Fatal("the slow PUT still holds the server 30s after its client gave up")
	}
	if n := s.FaultsFired(Slow); n != 1 {
		t.Errorf("FaultsFired(Slow) = %d, want 1", n)
	}
}

// A LostAnswer is a change done whose answer never arrives: the client sees
// no answer, yet the secret is stored, and the request is recorded with no
// status.
func TestLostAnswerIsDone(t *testing.T) {
	f := newFixture(t, Options{})
	tg := testTarget{Scope: repoLevel, Owner: "acme", Repo: "api"}
	body, err := json.Marshal(f.sealed(t, tg, []byte("v")))
	if err != nil {
		t.Fatal(err)
	}
	f.s.Inject(Fault{Op: "PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}", Kind: LostAnswer, Count: 1})
	req, _ := http.NewRequest("PUT", f.api+"/"+tg.SecretPath("X"), bytes.NewReader(body))
	req.Header.Set("User-Agent", "test")
	req.Header.Set("Authorization", "Bearer "+adminToken)
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := c.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("PUT answered %s, want no answer", resp.Status)
	}
	if got, ok := f.s.SecretValue(tg.String(), "X"); !ok || string(got) != "v" {
		t.Errorf("secret stored %v, want the value the lost PUT sent", ok)
	}
	reqs := f.s.Requests()
	if last := reqs[len(reqs)-1]; last.Method != "PUT" || last.Status != 0 {
		t.Errorf("last request recorded %s with status %d, want the PUT with none", last.Method, last.Status)
	}
}
