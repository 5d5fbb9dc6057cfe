package ghclient

import (
	"context"
	"errors"
	"io"
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
)

// reply is one scripted response.
type reply struct {
	status int
	header map[string]string
	body   string
}

// scripted serves replies in order, then 200 OK, and counts requests.
type scripted struct {
	mu      sync.Mutex
	replies []reply
	seen    int
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	var rep reply
	if s.seen < len(s.replies) {
		rep = s.replies[s.seen]
	} else {
		rep = reply{status: http.StatusOK, body: `{"ok":true}`}
	}
	s.seen++
	s.mu.Unlock()
	io.Copy(io.Discard, r.Body)
	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rep.status)
	io.WriteString(w, rep.body)
}

func (s *scripted) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seen
}

// sleeps records the waits Retry asks for and returns at once.
type sleeps struct {
	mu sync.Mutex
	ds []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ds = append(s.ds, d)
	return ctx.Err()
}

func (s *sleeps) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.ds...)
}

const secondaryBody = `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}`

func TestRetryRules(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	reset := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }
	for _, tc := range []struct {
		name         string
		replies      []reply
		wantStatus   int
		wantErr      string // substring; empty for none
		wantSleeps   []time.Duration
		wantRequests int
	}{
		{
			name:         "retry-after on a secondary limit is waited",
			replies:      []reply{{status: 403, header: map[string]string{"Retry-After": "7"}, body: secondaryBody}},
			wantStatus:   200,
			wantSleeps:   []time.Duration{7 * time.Second},
			wantRequests: 2,
		},
		{
			name:         "retry-after on a 429 is waited",
			replies:      []reply{{status: 429, header: map[string]string{"Retry-After": "3"}}},
			wantStatus:   200,
			wantSleeps:   []time.Duration{3 * time.Second},
			wantRequests: 2,
		},
		{
			name: "retry-after wins over x-ratelimit-reset",
			replies: []reply{{status: 403, header: map[string]string{
				"Retry-After": "2", "X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": reset(time.Hour)}}},
			wantStatus:   200,
			wantSleeps:   []time.Duration{2 * time.Second},
			wantRequests: 2,
		},
		{
			name: "exhausted primary limit waits until the reset",
			replies: []reply{{status: 403, header: map[string]string{
				"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": reset(42 * time.Second)},
				body: `{"message":"API rate limit exceeded for user ID 1."}`}},
			wantStatus:   200,
			wantSleeps:   []time.Duration{43 * time.Second},
			wantRequests: 2,
		},
		{
			name: "primary reset beyond MaxWait is reported, not waited",
			replies: []reply{{status: 403, header: map[string]string{
				"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": reset(time.Hour)},
				body: `{"message":"API rate limit exceeded for user ID 1."}`}},
			wantErr:      "after 1 try: 403 Forbidden: API rate limit exceeded for user ID 1.: asked to wait 1h0m1s, longer than the 5m0s pat-action waits",
			wantRequests: 1,
		},
		{
			name:         "secondary limit without retry-after waits SecondaryWait, then doubles",
			replies:      []reply{{status: 403, body: secondaryBody}, {status: 403, body: secondaryBody}, {status: 403, body: secondaryBody}},
			wantStatus:   200,
			wantSleeps:   []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute},
			wantRequests: 4,
		},
		{
			name:         "secondary waits stop growing at MaxWait",
			replies:      []reply{{status: 429}, {status: 429}, {status: 429}, {status: 429}, {status: 429}},
			wantErr:      "after 5 tries: 429 Too Many Requests",
			wantSleeps:   []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 5 * time.Minute},
			wantRequests: 5,
		},
		{
			name:         "tries are bounded and the error says how many",
			replies:      []reply{{status: 503}, {status: 503}, {status: 503}, {status: 503}, {status: 503}, {status: 503}},
			wantErr:      "after 5 tries: 503 Service Unavailable",
			wantRequests: 5,
			wantSleeps:   nil, // jittered; TestRetryBackoffGrows checks them
		},
		{
			name:         "a 403 for a missing scope is not retried",
			replies:      []reply{{status: 403, body: `{"message":"Resource not accessible by personal access token"}`}},
			wantStatus:   403,
			wantRequests: 1,
		},
		{
			name:         "a 404 is not retried",
			replies:      []reply{{status: 404, body: `{"message":"Not Found"}`}},
			wantStatus:   404,
			wantRequests: 1,
		},
		{
			name:         "a 422 is not retried",
			replies:      []reply{{status: 422, body: `{"message":"Validation Failed"}`}},
			wantStatus:   422,
			wantRequests: 1,
		},
		{
			name:         "a 501 is not retried",
			replies:      []reply{{status: 501}},
			wantStatus:   501,
			wantRequests: 1,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := &scripted{replies: tc.replies}
			ts := httptest.NewServer(srv)
			defer ts.Close()
			var sl sleeps
			r := Retry{Sleep: sl.sleep, Now: func() time.Time { return now }}
			client := &http.Client{Transport: r.Wrap(ts.Client().Transport)}

			resp, err := client.Get(ts.URL + "/repos/acme/api")
			if tc.wantErr != "" {
				if err == nil {
					resp.Body.Close()
					t.Fatalf("GET: got %s, want error %q", resp.Status, tc.wantErr)
				}
				var re *RetryError
				if !errors.As(err, &re) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("GET: got error %v, want a RetryError containing %q", err, tc.wantErr)
				}
			} else {
				if err != nil {
					t.Fatalf("GET: %v", err)
				}
				resp.Body.Close()
				if resp.StatusCode != tc.wantStatus {
					t.Errorf("status = %d, want %d", resp.StatusCode, tc.wantStatus)
				}
			}
			if tc.wantSleeps != nil || tc.wantErr == "" {
				if diff := cmp.Diff(tc.wantSleeps, sl.got()); diff != "" {
					t.Errorf("waits (-want +got):\n%s", diff)
				}
			}
			if got := srv.requests(); got != tc.wantRequests {
				t.Errorf("server saw %d requests, want %d", got, tc.wantRequests)
			}
		})
	}
}

func TestRetryLimitedBodyStaysReadable(t *testing.T) {
	// A plain 403 is read to classify it; the caller must still get its body.
	body := `{"message":"Resource not accessible by personal access token"}`
	ts := httptest.NewServer(&scripted{replies: []reply{{status: 403, body: body}}})
	defer ts.Close()
	client := &http.Client{Transport: Retry{}.Wrap(ts.Client().Transport)}
	resp, err := client.Get(ts.URL)
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	if diff := cmp.Diff(body, string(got)); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
}

func TestRetryBackoffGrows(t *testing.T) {
	for _, status := range []int{500, 502, 503, 504} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			srv := &scripted{replies: []reply{{status: status}, {status: status}, {status: status}, {status: status}}}
			ts := httptest.NewServer(srv)
			defer ts.Close()
			var sl sleeps
			r := Retry{MaxTries: 5, Base: time.Second, Max: time.Hour, Sleep: sl.sleep}
			client := &http.Client{Transport: r.Wrap(ts.Client().Transport)}
			resp, err := client.Get(ts.URL)
			if err != nil {
				t.Fatalf("GET: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 || srv.requests() != 5 {
				t.Fatalf("got %d after %d requests, want 200 after 5", resp.StatusCode, srv.requests())
			}
			got := sl.got()
			if len(got) != 4 {
				t.Fatalf("waited %d times, want 4", len(got))
			}
			for i, d := range got {
				// Try i+1 waits Base*2^i, the upper half jittered.
				hi := time.Second << i
				if d < hi/2 || d > hi {
					t.Errorf("wait %d = %s, want within [%s, %s]", i+1, d, hi/2, hi)
				}
				if i > 0 && d < got[i-1] {
					t.Errorf("wait %d = %s, shorter than wait %d = %s", i+1, d, i, got[i-1])
				}
			}
		})
	}
}

func TestRetryBackoffCappedAtMax(t *testing.T) {
	srv := &scripted{replies: []reply{{status: 502}, {status: 502}, {status: 502}, {status: 502}, {status: 502}}}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	var sl sleeps
	r := Retry{MaxTries: 6, Base: time.Second, Max: 3 * time.Second, Sleep: sl.sleep}
	client := &http.Client{Transport: r.Wrap(ts.Client().Transport)}
	resp, err := client.Get(ts.URL)
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	resp.Body.Close()
	for i, d := range sl.got() {
		if d > 3*time.Second {
			t.Errorf("wait %d = %s, over Max 3s", i+1, d)
		}
	}
}

// dropFirst closes the connection of the first n requests without a reply.
type dropFirst struct {
	n     int32
	seen  atomic.Int32
	after http.Handler
}

func (d *dropFirst) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if d.seen.Add(1) > d.n {
		d.after.ServeHTTP(w, r)
		return
	}
	reset(w)
}

// reset drops the connection w answers on with a reset, not a clean
// close: the request was read, its answer is lost.
func reset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

func TestRetryDroppedConnection(t *testing.T) {
	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
		t.Run(method, func(t *testing.T) {
			srv := &dropFirst{n: 2, after: &scripted{}}
			ts := httptest.NewServer(srv)
			defer ts.Close()
			var sl sleeps
			r := Retry{Sleep: sl.sleep}
			client := &http.Client{Transport: r.Wrap(ts.Client().Transport)}
			req, err := http.NewRequest(method, ts.URL+"/repos/acme/api/actions/secrets/PAT", strings.NewReader(`{"key_id":"k"}`))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("%s: %v", method, err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("status = %d, want 200", resp.StatusCode)
			}
			if got := srv.seen.Load(); got != 3 {
				t.Errorf("server saw %d requests, want 3", got)
			}
			if got := len(sl.got()); got != 2 {
				t.Errorf("waited %d times, want 2", got)
			}
		})
	}
}

func TestRetryDroppedConnectionBounded(t *testing.T) {
	srv := &dropFirst{n: 100, after: &scripted{}}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	var sl sleeps
	client := &http.Client{Transport: Retry{MaxTries: 3, Sleep: sl.sleep}.Wrap(ts.Client().Transport)}
	_, err := client.Get(ts.URL)
	var re *RetryError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "after 3 tries: ") {
		t.Fatalf("GET: got error %v, want a RetryError after 3 tries", err)
	}
	if re.Err == nil {
		t.Errorf("RetryError.Err is nil, want the transport error")
	}
}

func TestRetryReplaysBody(t *testing.T) {
	const want = `{"encrypted_value":"c2VhbGVk","key_id":"568250167242549743"}`
	var mu sync.Mutex
	var bodies []string
	replies := &scripted{replies: []reply{{status: 502}, {status: 403, body: secondaryBody}}}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		replies.ServeHTTP(w, r)
	}))
	defer ts.Close()
	var sl sleeps
	client := &http.Client{Transport: Retry{Sleep: sl.sleep}.Wrap(ts.Client().Transport)}
	req, err := http.NewRequest(http.MethodPut, ts.URL+"/repos/acme/api/actions/secrets/PAT", strings.NewReader(want))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("PUT: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("status = %d, want 200", resp.StatusCode)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 3 {
		t.Fatalf("server saw %d requests, want 3", len(bodies))
	}
	for i, b := range bodies {
		// Compared as a boolean: a body may be a sealed secret.
		if b != want {
			t.Errorf("request %d: body differs from the one sent (%d bytes, want %d)", i+1, len(b), len(want))
		}
	}
}

func TestRetryUnreplayableBodyIsNotRetried(t *testing.T) {
	srv := &scripted{replies: []reply{{status: 503}}}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	client := &http.Client{Transport: Retry{Sleep: (&sleeps{}).sleep}.Wrap(ts.Client().Transport)}
	req, err := http.NewRequest(http.MethodPut, ts.URL, io.NopCloser(strings.NewReader("x")))
	if err != nil {
		t.Fatal(err)
	}
	req.GetBody = nil
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("PUT: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 || srv.requests() != 1 {
		t.Errorf("got %d after %d requests, want 503 after 1", resp.StatusCode, srv.requests())
	}
}

func TestRetryCancelStopsWaiting(t *testing.T) {
	srv := &scripted{replies: []reply{{status: 403, body: secondaryBody}}}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	waiting := make(chan struct{})
	r := Retry{
		SecondaryWait: time.Hour,
		MaxWait:       time.Hour,
		Sleep: func(ctx context.Context, d time.Duration) error {
			close(waiting)
			return sleep(ctx, d) // the real timer, an hour long
		},
	}
	go func() {
		<-waiting
		cancel()
	}()
	client := &http.Client{Transport: r.Wrap(ts.Client().Transport)}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.Do(req)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("GET: got error %v, want context.Canceled", err)
	}
	if srv.requests() != 1 {
		t.Errorf("server saw %d requests, want 1", srv.requests())
	}
}
