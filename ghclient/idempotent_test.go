package ghclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v45/github"
)

// act is what the server does with one request: drop the connection once
// the request is read (its answer lost), or answer status.
type act struct {
	drop   bool
	status int
	header map[string]string
	body   string
}

// serve starts srv and a client that retries through r on the test's
// clock, with a fresh connection per try, so that a drop is seen by Retry,
// not absorbed by the transport. base is the server's URL.
func serve(t *testing.T, srv *acts, r Retry) (client *http.Client, base string) {
	t.Helper()
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	tr := ts.Client().Transport.(*http.Transport).Clone()
	tr.DisableKeepAlives = true
	r.Sleep = (&sleeps{}).sleep
	return &http.Client{Transport: r.Wrap(tr)}, ts.URL
}

// acts serves its acts in order, then 200, and records each request as
// "METHOD /path".
type acts struct {
	mu   sync.Mutex
	acts []act
	seen []string
}

func (s *acts) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body) // the request arrived whole: it was sent
	s.mu.Lock()
	a := act{status: http.StatusOK, body: `{}`}
	if n := len(s.seen); n < len(s.acts) {
		a = s.acts[n]
	}
	s.seen = append(s.seen, r.Method+" "+r.URL.Path)
	s.mu.Unlock()
	if a.drop {
		reset(w)
		return
	}
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(a.status)
	io.WriteString(w, a.body)
}

func (s *acts) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.seen...)
}

// TestNotIdempotentAfterAmbiguousFailure holds a request marked not
// idempotent to never being resent blindly after a failure that leaves
// open whether the server did it (the answer lost, or a 5xx), while a
// refusal that says nothing was done (a rate limit) is retried as before,
// and an unmarked request is retried as before.
func TestNotIdempotentAfterAmbiguousFailure(t *testing.T) {
	const create = "POST /repos/acme/ops/issues"
	const list = "GET /repos/acme/ops/issues"
	// lookupFinds is a lookup that asks the server (through the same
	// client: its own request is an ordinary, retried GET) and reports
	// what it was told.
	type lookupKind int
	const (
		noLookup lookupKind = iota
		finds
		findsNothing
		fails
	)
	tests := []struct {
		name     string
		method   string
		mark     bool
		lookup   lookupKind
		acts     []act
		want     []string // requests the server saw
		lookups  int
		wantErr  string // substring; empty for success
		found    bool   // the error says the lookup found it done
		wantLost bool   // the error is an AnswerLostError
	}{
		{
			name: "answer lost, no lookup: not resent", method: "POST", mark: true,
			acts:    []act{{drop: true}},
			want:    []string{create},
			wantErr: "answer lost (", wantLost: true,
		},
		{
			name: "503, no lookup: not resent", method: "POST", mark: true,
			acts:    []act{{status: 503}},
			want:    []string{create},
			wantErr: "answer lost (503 Service Unavailable); not resent because POST /repos/acme/ops/issues is not idempotent", wantLost: true,
		},
		{
			name: "502 with retry-after, no lookup: not resent", method: "POST", mark: true,
			acts:    []act{{status: 502, header: map[string]string{"Retry-After": "1"}}},
			want:    []string{create},
			wantErr: "not resent because POST /repos/acme/ops/issues is not idempotent", wantLost: true,
		},
		{
			name: "answer lost, lookup finds it: stop", method: "POST", mark: true, lookup: finds,
			acts:    []act{{drop: true}},
			want:    []string{create, list},
			lookups: 1, wantErr: "found done", found: true, wantLost: true,
		},
		{
			name: "500, lookup finds it: stop", method: "POST", mark: true, lookup: finds,
			acts:    []act{{status: 500}},
			want:    []string{create, list},
			lookups: 1, wantErr: "found done", found: true, wantLost: true,
		},
		{
			name: "answer lost, lookup finds nothing: resent", method: "POST", mark: true, lookup: findsNothing,
			acts:    []act{{drop: true}, {status: 200, body: `[]`}, {status: 201, body: `{}`}},
			want:    []string{create, list, create},
			lookups: 1,
		},
		{
			name: "the lookup's own request is retried as any other", method: "POST", mark: true, lookup: findsNothing,
			acts:    []act{{status: 504}, {status: 503}, {status: 200, body: `[]`}, {status: 201, body: `{}`}},
			want:    []string{create, list, list, create},
			lookups: 1,
		},
		{
			name: "every resend lost: looked up before each", method: "POST", mark: true, lookup: findsNothing,
			acts:    []act{{drop: true}, {status: 200, body: `[]`}, {status: 502}, {status: 200, body: `[]`}, {status: 201, body: `{}`}},
			want:    []string{create, list, create, list, create},
			lookups: 2,
		},
		{
			name: "answer lost, lookup fails: not resent", method: "POST", mark: true, lookup: fails,
			acts:    []act{{drop: true}, {status: 404, body: `{"message":"Not Found"}`}},
			want:    []string{create, list},
			lookups: 1, wantErr: "look up whether it was done: 404", wantLost: true,
		},
		{
			name: "secondary rate limit 429: retried, no lookup", method: "POST", mark: true, lookup: finds,
			acts: []act{{status: 429}, {status: 201, body: `{}`}},
			want: []string{create, create},
		},
		{
			name: "secondary rate limit 403: retried, no lookup", method: "POST", mark: true,
			acts: []act{{status: 403, body: secondaryBody}, {status: 201, body: `{}`}},
			want: []string{create, create},
		},
		{
			name: "primary rate limit: retried", method: "POST", mark: true,
			acts: []act{{status: 403, header: map[string]string{"Retry-After": "1", "X-Ratelimit-Remaining": "0"}}, {status: 201, body: `{}`}},
			want: []string{create, create},
		},
		{
			name: "422: returned as it came, no lookup", method: "POST", mark: true, lookup: finds,
			acts: []act{{status: 422, body: `{"message":"Validation Failed"}`}},
			want: []string{create},
		},
		{
			name: "unmarked POST after a 503: retried", method: "POST",
			acts: []act{{status: 503}, {status: 201, body: `{}`}},
			want: []string{create, create},
		},
		{
			name: "unmarked PUT whose answer was lost: retried", method: "PUT",
			acts: []act{{drop: true}, {status: 204}},
			want: []string{"PUT /repos/acme/ops/issues", "PUT /repos/acme/ops/issues"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &acts{acts: tt.acts}
			client, base := serve(t, srv, Retry{})
			url := base + "/repos/acme/ops/issues"

			lookups := 0
			lookup := func(ctx context.Context) (bool, error) {
				lookups++
				if markOf(ctx) != nil {
					t.Error("the lookup's context is still marked not idempotent")
				}
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
				if err != nil {
					return false, err
				}
				resp, err := client.Do(req)
				if err != nil {
					return false, err
				}
				resp.Body.Close()
				if tt.lookup == fails || resp.StatusCode != http.StatusOK {
					return false, errors.New(resp.Status)
				}
				return tt.lookup == finds, nil
			}
			ctx := context.Background()
			switch {
			case tt.mark && tt.lookup == noLookup:
				ctx = NotIdempotent(ctx)
			case tt.mark:
				ctx = LookupBeforeRetry(ctx, lookup)
			}
			req, err := http.NewRequestWithContext(ctx, tt.method, url, strings.NewReader(`{"title":"Rotate PAT"}`))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Do(req)
			if err == nil {
				resp.Body.Close()
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("%s: %v", tt.method, err)
			case tt.wantErr != "" && err == nil:
				t.Errorf("%s: got %s, want an error containing %q", tt.method, resp.Status, tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Errorf("%s: got error %q, want it to contain %q", tt.method, err, tt.wantErr)
			}
			var lost *AnswerLostError
			if got := errors.As(err, &lost); got != tt.wantLost {
				t.Errorf("error %v is an AnswerLostError: %t, want %t", err, got, tt.wantLost)
			}
			if got := Found(err); got != tt.found {
				t.Errorf("Found(%v) = %t, want %t", err, got, tt.found)
			}
			if diff := cmp.Diff(tt.want, srv.requests()); diff != "" {
				t.Errorf("requests the server saw (-want +got):\n%s", diff)
			}
			if lookups != tt.lookups {
				t.Errorf("lookup ran %d times, want %d", lookups, tt.lookups)
			}
		})
	}
}

// A request that never reached the server (the connection could not even
// be opened) was certainly not done: it is retried, marked or not.
func TestNotIdempotentDialFailureRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: every dial fails
	dials := 0
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		dials++
		if dials == 1 {
			return nil, &net.OpError{Op: "dial", Net: network, Err: timeoutErr{}}
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	srv := &acts{}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	addr = ts.Listener.Addr().String()
	client := &http.Client{Transport: Retry{Sleep: (&sleeps{}).sleep}.Wrap(tr)}
	req, err := http.NewRequestWithContext(NotIdempotent(context.Background()), http.MethodPost, ts.URL+"/repos/acme/ops/keys", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	resp.Body.Close()
	if diff := cmp.Diff([]string{"POST /repos/acme/ops/keys"}, srv.requests()); diff != "" {
		t.Errorf("requests the server saw (-want +got):\n%s", diff)
	}
	if dials != 2 {
		t.Errorf("%d dials, want 2 (the failed one, then the retry)", dials)
	}
}

// timeoutErr is a dial that timed out.
type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

// An AnswerLostError unwraps to its transport error and its lookup's error,
// whichever it has.
func TestAnswerLostErrorUnwraps(t *testing.T) {
	lookupErr := errors.New("list issues: 404 Not Found")
	for _, e := range []*AnswerLostError{
		{Method: "POST", Path: "/repos/acme/ops/issues", Err: io.ErrUnexpectedEOF},
		{Method: "POST", Path: "/repos/acme/ops/issues", Status: "502 Bad Gateway", LookupErr: lookupErr},
		{Method: "POST", Path: "/repos/acme/ops/issues", Err: io.ErrUnexpectedEOF, LookupErr: lookupErr},
	} {
		if got, want := errors.Is(e, io.ErrUnexpectedEOF), e.Err != nil; got != want {
			t.Errorf("%v: errors.Is(transport error) = %t, want %t", e, got, want)
		}
		if got, want := errors.Is(e, lookupErr), e.LookupErr != nil; got != want {
			t.Errorf("%v: errors.Is(lookup error) = %t, want %t", e, got, want)
		}
		var ne net.Error
		if errors.As(e, &ne) {
			t.Errorf("%v: errors.As found a net.Error it does not hold", e)
		}
	}
}

// A DELETE is idempotent, but its resend after a lost answer meets a 404
// when the first try did delete: that is the DELETE done, not a failure.
// A 404 with nothing lost before it is still a 404, and only DELETE reads
// a resent 404 so.
func TestDeleteGoneAfterLostAnswer(t *testing.T) {
	tests := []struct {
		name   string
		method string
		acts   []act
		want   int
	}{
		{"answer lost, then 404", "DELETE", []act{{drop: true}, {status: 404}}, http.StatusNoContent},
		{"502, then 404", "DELETE", []act{{status: 502}, {status: 404}}, http.StatusNoContent},
		{"answer lost, then 204", "DELETE", []act{{drop: true}, {status: 204}}, http.StatusNoContent},
		{"404 at once", "DELETE", []act{{status: 404}}, http.StatusNotFound},
		{"secondary limit, then 404", "DELETE", []act{{status: 429}, {status: 404}}, http.StatusNotFound},
		{"PUT: answer lost, then 404", "PUT", []act{{drop: true}, {status: 404}}, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &acts{acts: tt.acts}
			client, base := serve(t, srv, Retry{})
			req, err := http.NewRequest(tt.method, base+"/repos/acme/api/actions/secrets/OLD", nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("%s: %v", tt.method, err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("%s answered %d, want %d", tt.method, resp.StatusCode, tt.want)
			}
			if n := len(srv.requests()); n != len(tt.acts) {
				t.Errorf("the server saw %d requests, want %d", n, len(tt.acts))
			}
		})
	}
}

// The last try of a request marked with LookupBeforeRetry may be the one
// GitHub served: when the tries run out (or GitHub asks for a wait longer
// than MaxWait) after a failure that leaves that open, the request is
// looked up once more before it is reported failed, so that what it
// created is adopted rather than stranded. A refusal that says nothing was
// done (a rate limit) is not looked up.
func TestLookupAfterLastTry(t *testing.T) {
	const create, list = "POST /repos/acme/ops/keys", "GET /repos/acme/ops/keys"
	tests := []struct {
		name    string
		acts    []act
		want    []string
		found   bool
		wantErr string
	}{
		{"lost on the last try, found", []act{{drop: true}, {status: 200, body: `[]`}, {drop: true}, {status: 200, body: `[1]`}},
			[]string{create, list, create, list}, true, "found done"},
		{"lost on the last try, not found", []act{{drop: true}, {status: 200, body: `[]`}, {status: 502}, {status: 200, body: `[]`}},
			[]string{create, list, create, list}, false, "after 2 tries: 502 Bad Gateway"},
		{"503 asking for an hour, found", []act{{status: 503, header: map[string]string{"Retry-After": "3600"}}, {status: 200, body: `[1]`}},
			[]string{create, list}, true, "found done"},
		{"rate limited on the last try: no lookup", []act{{status: 429}, {status: 429}},
			[]string{create, create}, false, "after 2 tries: 429"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &acts{acts: tt.acts}
			client, base := serve(t, srv, Retry{MaxTries: 2})
			url := base + "/repos/acme/ops/keys"
			lookup := func(ctx context.Context) (bool, error) {
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
				if err != nil {
					return false, err
				}
				resp, err := client.Do(req)
				if err != nil {
					return false, err
				}
				defer resp.Body.Close()
				body, err := io.ReadAll(resp.Body)
				return string(body) != "[]", err
			}
			req, err := http.NewRequestWithContext(LookupBeforeRetry(context.Background(), lookup), http.MethodPost, url, strings.NewReader(`{"key":"ssh-ed25519 AAAA"}`))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Do(req)
			if err == nil {
				resp.Body.Close()
				t.Fatalf("POST answered %s, want an error", resp.Status)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want it to say %q", err, tt.wantErr)
			}
			if got := Found(err); got != tt.found {
				t.Errorf("Found(%v) = %t, want %t", err, got, tt.found)
			}
			if diff := cmp.Diff(tt.want, srv.requests()); diff != "" {
				t.Errorf("requests the server saw (-want +got):\n%s", diff)
			}
		})
	}
}

// A marked request whose body cannot be sent again (no GetBody) is not
// resent after a failure that leaves open whether it was done; with
// LookupBeforeRetry it is looked up, so that what it made is adopted.
func TestMarkedBodyNotReplayable(t *testing.T) {
	const create, list = "POST /repos/acme/ops/keys", "GET /repos/acme/ops/keys"
	for _, tt := range []struct {
		name   string
		lookup bool
		want   []string
		found  bool
	}{
		{"NotIdempotent", false, []string{create}, false},
		{"LookupBeforeRetry", true, []string{create, list}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := &acts{acts: []act{{drop: true}, {status: 200, body: `[1]`}}}
			client, base := serve(t, srv, Retry{})
			url := base + "/repos/acme/ops/keys"
			ctx := NotIdempotent(context.Background())
			if tt.lookup {
				ctx = LookupBeforeRetry(context.Background(), func(ctx context.Context) (bool, error) {
					resp, err := client.Get(url)
					if err != nil {
						return false, err
					}
					resp.Body.Close()
					return true, nil
				})
			}
			// A reader http.NewRequest cannot copy: no GetBody.
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, io.MultiReader(strings.NewReader(`{"key":"ssh-ed25519 AAAA"}`)))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Do(req)
			if err == nil {
				resp.Body.Close()
				t.Fatalf("POST answered %s, want an error", resp.Status)
			}
			var lost *AnswerLostError
			if !errors.As(err, &lost) || Found(err) != tt.found {
				t.Errorf("err = %v, want an AnswerLostError, found %t", err, tt.found)
			}
			if diff := cmp.Diff(tt.want, srv.requests()); diff != "" {
				t.Errorf("requests the server saw (-want +got):\n%s", diff)
			}
		})
	}
}

// A lookup that cannot tell stops the request without resending it, and
// cannot hold it forever: a lookup whose list hangs is cut by each try's
// timeout, one whose list loops is refused by EachPage.
func TestLookupHangsOrLoops(t *testing.T) {
	for _, tt := range []struct {
		name string
		list http.HandlerFunc
		want string
	}{
		{"hangs", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, "no answer within"},
		{"loops", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Link", fmt.Sprintf(`<http://%s%s?page=1>; rel="next"`, r.Host, r.URL.Path))
			io.WriteString(w, `[]`)
		}, "names page 1 as the next"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var seen []string
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				seen = append(seen, r.Method)
				mu.Unlock()
				if r.Method == http.MethodPost {
					(&acts{acts: []act{{drop: true}}}).ServeHTTP(w, r)
					return
				}
				tt.list(w, r)
			}))
			defer ts.Close()
			a, _ := ParseAPIURL(ts.URL)
			c := New(a, Options{Timeout: 100 * time.Millisecond, Pacing: Pacing{Off: true}, Retry: Retry{MaxTries: 2, Sleep: (&sleeps{}).sleep}})
			lookup := func(ctx context.Context) (bool, error) {
				return false, EachPage("list deploy keys", func(page int) (*github.Response, error) {
					_, resp, err := c.Repositories.ListKeys(ctx, "acme", "ops", &github.ListOptions{Page: page})
					return resp, err
				})
			}
			_, _, err := c.Repositories.CreateKey(LookupBeforeRetry(context.Background(), lookup), "acme", "ops", &github.Key{Key: github.String("ssh-ed25519 AAAA")})
			var lost *AnswerLostError
			if !errors.As(err, &lost) || lost.LookupErr == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want an answer lost whose lookup failed saying %q", err, tt.want)
			}
			mu.Lock()
			defer mu.Unlock()
			if posts := strings.Count(strings.Join(seen, " "), "POST"); posts != 1 {
				t.Errorf("the create was sent %d times, want once", posts)
			}
		})
	}
}
