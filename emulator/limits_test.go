package emulator

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// clock is a test clock that moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func rateHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	for _, k := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Used", "X-RateLimit-Reset", "X-RateLimit-Resource", "Retry-After"} {
		if v := h.Get(k); v != "" {
			out[k] = v
		}
	}
	return out
}

func TestPrimaryRateLimit(t *testing.T) {
	clk := newClock()
	f := newFixture(t, Options{Now: clk.now, PrimaryLimit: 2, ResetAfter: time.Minute})
	reset := strconv.FormatInt(clk.now().Add(time.Minute).Unix(), 10)
	want := []struct {
		status  int
		headers map[string]string
	}{
		{200, map[string]string{"X-RateLimit-Limit": "2", "X-RateLimit-Remaining": "1", "X-RateLimit-Used": "1", "X-RateLimit-Reset": reset, "X-RateLimit-Resource": "core"}},
		{200, map[string]string{"X-RateLimit-Limit": "2", "X-RateLimit-Remaining": "0", "X-RateLimit-Used": "2", "X-RateLimit-Reset": reset, "X-RateLimit-Resource": "core"}},
		{403, map[string]string{"X-RateLimit-Limit": "2", "X-RateLimit-Remaining": "0", "X-RateLimit-Used": "2", "X-RateLimit-Reset": reset, "X-RateLimit-Resource": "core"}},
	}
	for i, w := range want {
		resp := f.do(t, "GET", "user", adminToken, nil)
		if diff := cmp.Diff(w.headers, rateHeaders(resp.header)); resp.status != w.status || diff != "" {
			t.Errorf("request %d: status %d (want %d), headers (-want +got):\n%s", i+1, resp.status, w.status, diff)
		}
	}
	clk.add(time.Minute)
	if resp := f.do(t, "GET", "user", adminToken, nil); resp.status != 200 || resp.header.Get("X-RateLimit-Remaining") != "1" {
		t.Errorf("after the reset: status %d, remaining %q; want 200, 1", resp.status, resp.header.Get("X-RateLimit-Remaining"))
	}
}

func TestPrimaryHeadersByDefault(t *testing.T) {
	tests := []struct {
		name string
		ghes bool
		want string // X-RateLimit-Limit
	}{
		{"github.com reports 5,000 an hour", false, "5000"},
		{"GHES has rate limits off", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, Options{GHES: tt.ghes})
			for range 3 {
				resp := f.do(t, "GET", "user", adminToken, nil)
				if resp.status != 200 || resp.header.Get("X-RateLimit-Limit") != tt.want {
					t.Fatalf("status %d, X-RateLimit-Limit %q; want 200, %q", resp.status, resp.header.Get("X-RateLimit-Limit"), tt.want)
				}
			}
		})
	}
}

// The points limiter refuses, with retry-after, the request that would
// exceed the window's points, and admits again once the window is over.
func TestSecondaryPoints(t *testing.T) {
	clk := newClock()
	f := newFixture(t, Options{Now: clk.now, Limits: Limits{Points: 11, Window: 200 * time.Millisecond}})
	steps := []struct {
		method, path string
		want         int
		retryAfter   string
	}{
		{"PUT", "repos/acme/api/actions/secrets/X", 422, ""},    // 5 points: refused by the handler, not the limiter
		{"DELETE", "repos/acme/api/actions/secrets/X", 404, ""}, // 10
		{"GET", "user", 200, ""},                                // 11
		{"GET", "user", 403, "1"},                               // 12 > 11
		{"PUT", "repos/acme/api/actions/secrets/X", 403, "1"},
	}
	for i, st := range steps {
		var body any
		if st.method == "PUT" {
			body = map[string]any{}
		}
		resp := f.do(t, st.method, st.path, adminToken, body)
		if resp.status != st.want || resp.header.Get("Retry-After") != st.retryAfter {
			t.Errorf("step %d %s %s: status %d, retry-after %q; want %d, %q", i+1, st.method, st.path, resp.status, resp.header.Get("Retry-After"), st.want, st.retryAfter)
		}
		if st.want == 403 && !bytesContains(resp.body, "secondary rate limit") {
			t.Errorf("step %d: 403 body %s does not name the secondary rate limit", i+1, resp.body)
		}
	}
	if got := f.s.SecondaryLimited(); got != 2 {
		t.Errorf("SecondaryLimited = %d, want 2", got)
	}
	clk.add(200 * time.Millisecond)
	if got := f.do(t, "GET", "user", adminToken, nil).status; got != 200 {
		t.Errorf("after the window: status %d, want 200", got)
	}
	if got := f.s.Points(); got != 12 {
		t.Errorf("Points = %d, want 12", got)
	}

	// Limits can be lifted while serving.
	f.s.SetLimits(Limits{})
	for range 20 {
		if got := f.do(t, "GET", "user", adminToken, nil).status; got != 200 {
			t.Fatalf("without limits: status %d, want 200", got)
		}
	}
}

func bytesContains(b []byte, s string) bool { return strings.Contains(string(b), s) }

// A request over the concurrency limit is refused while another is in
// flight.
func TestSecondaryConcurrency(t *testing.T) {
	f := newFixture(t, Options{Limits: Limits{Concurrent: 1}})
	entered, release := make(chan struct{}), make(chan struct{})
	// A handler that waits to be released holds its request in flight.
	f.s.handle("GET /meta", func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
		writeJSON(w, http.StatusOK, map[string]any{})
	})
	done := make(chan int)
	go func() {
		req, _ := http.NewRequest("GET", f.api+"/meta", nil)
		req.Header.Set("User-Agent", "test")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- -1
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	<-entered
	resp := f.do(t, "GET", "user", adminToken, nil)
	if resp.status != 403 || resp.header.Get("Retry-After") != "1" {
		t.Errorf("second concurrent request: status %d, retry-after %q; want 403, 1", resp.status, resp.header.Get("Retry-After"))
	}
	close(release)
	if got := <-done; got != 200 {
		t.Errorf("held request: status %d, want 200", got)
	}
	if got := f.s.InFlightMax(); got != 2 {
		t.Errorf("InFlightMax = %d, want 2", got)
	}
	if got := f.s.SecondaryLimited(); got != 1 {
		t.Errorf("SecondaryLimited = %d, want 1", got)
	}
	if got := f.do(t, "GET", "user", adminToken, nil).status; got != 200 {
		t.Errorf("after the held request: status %d, want 200", got)
	}
}

// The latency ends when the request is cancelled while the server holds it.
func TestLatencyIsCancelledWithTheRequest(t *testing.T) {
	s := New(Options{Latency: time.Hour})
	s.AddToken(Token{Value: adminToken, Login: "octocat"})
	arrived := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		s.ServeHTTP(w, r)
	}))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/user", nil)
	req.Header.Set("User-Agent", "test")
	req.Header.Set("Authorization", "Bearer "+adminToken)
	answered := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		answered <- err
	}()
	<-arrived // the server holds the request in its latency
	cancel()
	if err := <-answered; err == nil {
		t.Fatal("a request cancelled during an hour's latency succeeded")
	}
	// Close waits for every handler: it returns once the held one has.
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(30 * time.Second):
		t.Fatal("the server still holds the request 30s after it was cancelled")
	}

	f := newFixture(t, Options{Latency: time.Hour})
	f.s.SetLatency(0)
	if got := f.do(t, "GET", "user", adminToken, nil).status; got != 200 {
		t.Errorf("without latency: status %d, want 200", got)
	}
}
