package ghclient

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// A redirect to another host is refused for every method and every 30x:
// the other host sees no request, and the error names it but not the
// redirect's query.
func TestRedirectElsewhereRefused(t *testing.T) {
	var evilHits atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		evilHits.Add(1)
		w.Header().Set("X-OAuth-Scopes", "repo")
		io.WriteString(w, `{"login":"evil"}`)
	}))
	defer evil.Close()
	// 127.0.0.1 and localhost are different hosts to the client.
	evilURL := strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)
	evilHost := strings.TrimPrefix(evilURL, "http://")
	for _, status := range []int{301, 302, 303, 307, 308} {
		for _, method := range []string{http.MethodGet, http.MethodPut} {
			t.Run(fmt.Sprintf("%d %s", status, method), func(t *testing.T) {
				api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, evilURL+"/user?access_token=leaked", status)
				}))
				defer api.Close()
				a, err := ParseAPIURL(api.URL)
				if err != nil {
					t.Fatal(err)
				}
				c := New(a, Options{Token: "ghp_x"})
				req, err := c.NewRequest(method, "user", map[string]string{"v": "1"})
				if err != nil {
					t.Fatal(err)
				}
				_, err = c.BareDo(context.Background(), req)
				if err == nil {
					t.Fatal("the redirect was followed without error")
				}
				if !strings.Contains(err.Error(), evilHost) || strings.Contains(err.Error(), "leaked") {
					t.Errorf("err = %v, want it to name %s and not the redirect's query", err, evilHost)
				}
				if n := evilHits.Swap(0); n != 0 {
					t.Errorf("the other host got %d requests, want 0", n)
				}
			})
		}
	}
}

// A redirect on the API host itself (a renamed repository's 301) is still
// followed.
func TestRedirectSameHostFollowed(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/repos/acme/old" {
			http.Redirect(w, r, "/repositories/1", http.StatusMovedPermanently)
			return
		}
		io.WriteString(w, `{"name":"new"}`)
	}))
	defer api.Close()
	a, _ := ParseAPIURL(api.URL)
	c := New(a, Options{})
	repo, _, err := c.Repositories.Get(context.Background(), "acme", "old")
	if err != nil || repo.GetName() != "new" {
		t.Fatalf("got %v, %v; want the renamed repository", repo, err)
	}
}

// A try that gets no answer within the per-try timeout is retried with a
// back-off, as a 5xx is; so is a malformed status line.
func TestRetryFailedTry(t *testing.T) {
	hang := func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	garble := func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		buf.WriteString("HTTP/1.1 2x0 Garbled\r\nContent-Length: 0\r\n\r\n")
		buf.Flush()
		conn.Close()
	}
	for name, first := range map[string]http.HandlerFunc{"hung": hang, "malformed status": garble} {
		t.Run(name, func(t *testing.T) {
			var seen atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if seen.Add(1) == 1 {
					first(w, r)
					return
				}
				io.WriteString(w, `{"login":"octocat"}`)
			}))
			defer srv.Close()
			a, _ := ParseAPIURL(srv.URL)
			var sl sleeps
			// A loaded machine may time out an answered try too: that costs
			// a try more, never the answer.
			c := New(a, Options{Timeout: 250 * time.Millisecond, Pacing: Pacing{Off: true}, Retry: Retry{Sleep: sl.sleep}})
			u, _, err := c.Users.Get(context.Background(), "")
			if err != nil {
				t.Fatalf("get user: %v", err)
			}
			if u.GetLogin() != "octocat" || seen.Load() < 2 {
				t.Errorf("login %q after %d requests, want octocat after 2 or more", u.GetLogin(), seen.Load())
			}
			if w := sl.got(); len(w) != int(seen.Load())-1 || w[0] < DefaultBase/2 {
				t.Errorf("waits %v after %d requests, want a back-off of at least %s before each retry", w, seen.Load(), DefaultBase/2)
			}
		})
	}
}

// Connections are reused: a client with Concurrency n opens at most n
// connections (and a few opened while one is on its way back to the pool),
// whatever the number of requests and whether they fail.
func TestConnectionsReused(t *testing.T) {
	const conc, n = 10, 200
	var opened atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/missing") {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"message":"Not Found"}`+strings.Repeat(" ", 8<<10))
			return
		}
		io.WriteString(w, `{"login":"octocat"}`+"\n"+strings.Repeat(" ", 8<<10))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	a, _ := ParseAPIURL(srv.URL)
	c := New(a, Options{Concurrency: conc, Pacing: Pacing{Off: true}})
	var wg sync.WaitGroup
	sem := make(chan struct{}, conc)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			name := "octocat"
			if i%3 == 0 {
				name = "missing"
			}
			c.Users.Get(context.Background(), name)
		}()
	}
	wg.Wait()
	if got := opened.Load(); got > conc+3 {
		t.Errorf("%d requests at concurrency %d opened %d connections, want at most %d", n, conc, got, conc+3)
	}
}

// Every request asks for GitHub's JSON and no preview media type, even
// where go-github would send one.
func TestAcceptNoPreviews(t *testing.T) {
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Get("Accept"))
		mu.Unlock()
		io.WriteString(w, `[]`)
	}))
	defer srv.Close()
	a, _ := ParseAPIURL(srv.URL)
	c := New(a, Options{})
	ctx := context.Background()
	c.Repositories.ListByOrg(ctx, "acme", nil)            // mercy-preview in go-github v45
	c.Repositories.List(ctx, "", nil)                     // mercy-preview
	c.Reactions.ListIssueReactions(ctx, "a", "b", 1, nil) // squirrel-girl-preview
	want := []string{"application/vnd.github+json", "application/vnd.github+json", "application/vnd.github+json"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Accept headers (-want +got):\n%s", diff)
	}
}

// Requests beyond Concurrency wait for a slot before their try's deadline
// starts: a queue for connections never times a try out.
func TestQueueNotTimed(t *testing.T) {
	var seen atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Add(1)
		select {
		case <-time.After(25 * time.Millisecond): // the server's latency
		case <-r.Context().Done():
		}
		io.WriteString(w, `{"login":"octocat"}`)
	}))
	defer srv.Close()
	a, _ := ParseAPIURL(srv.URL)
	var sl sleeps
	// One connection and a per-try timeout far above the server's latency
	// (so a loaded machine does not time out a try) but below the queue's
	// length: the last of 20 requests waits 475ms before it is sent.
	c := New(a, Options{Concurrency: 1, Timeout: 300 * time.Millisecond, Pacing: Pacing{Off: true}, Retry: Retry{Sleep: sl.sleep}})
	const n = 20
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, err := c.Users.Get(context.Background(), ""); err != nil {
				t.Errorf("get user: %v", err)
			}
		}()
	}
	wg.Wait()
	if got := seen.Load(); got != n || len(sl.got()) != 0 {
		t.Errorf("%d requests reached the server after %d retries, want %d and none", got, len(sl.got()), n)
	}
}

// endless is a body that never ends: a hostile or broken server's answer.
type endless struct{}

var as = []byte(strings.Repeat("a", 64<<10))

func (endless) Read(p []byte) (int, error) { return copy(p, as), nil }

// counted counts what a handler wrote.
type counted struct {
	w io.Writer
	n *atomic.Int64
}

func (c counted) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// An answer larger than MaxResponseBody is not read past the cap, whether
// the server says so up front or streams it without end (a compressed bomb
// is the second case: the transport decompresses it), so a hostile api-url
// or proxy cannot exhaust memory. A success's body is refused with an
// error that says so; an error's body is cut at the cap.
func TestHugeAnswerRefused(t *testing.T) {
	maxBody = 1 << 20
	t.Cleanup(func() { maxBody = MaxResponseBody })
	tests := []struct {
		name    string
		status  int
		declare bool
		want    string
	}{
		{"declared length", 200, true, "larger than"},
		{"endless body", 200, false, "larger than"},
		{"endless error body", 422, false, "422"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var wrote atomic.Int64
			api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.declare {
					w.Header().Set("Content-Length", fmt.Sprint(maxBody+1))
				}
				w.WriteHeader(tt.status)
				cw := counted{w, &wrote}
				io.WriteString(cw, `{"message":"`)
				io.Copy(cw, endless{})
			}))
			defer api.Close()
			a, _ := ParseAPIURL(api.URL)
			c := New(a, Options{Timeout: time.Minute, Retry: Retry{MaxTries: 1}})
			_, _, err := c.Users.Get(context.Background(), "")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to say %q", err, tt.want)
			}
			api.CloseClientConnections()
			// What the server got out is the cap plus the sockets' buffers,
			// not the stream until the try's minute is up.
			if n := wrote.Load(); n > maxBody+16<<20 {
				t.Errorf("the server wrote %d MiB before the client stopped reading, want about %d MiB", n>>20, maxBody>>20)
			}
		})
	}
}

// A 5xx whose body never ends is retried and reported without its body
// being read past a peek, try after try; a compressed bomb (Content-Encoding
// gzip, which the transport decompresses on its own) is cut at the cap
// whether it is a success's body or a 5xx's.
func TestHugeErrorAndBombRefused(t *testing.T) {
	maxBody = 1 << 20
	t.Cleanup(func() { maxBody = MaxResponseBody })
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	// A JSON string 16 MiB long, a few KiB compressed: the decoder reads
	// on to its end.
	io.WriteString(zw, `{"login":"`)
	io.Copy(zw, io.LimitReader(endless{}, 16*maxBody))
	zw.Close()
	tests := []struct {
		name   string
		status int
		gzip   bool
		want   string
	}{
		{"endless 502 body", 502, false, "after 3 tries: 502 Bad Gateway"},
		{"gzip bomb", 200, true, "larger than"},
		{"gzip bomb in a 503", 503, true, "after 3 tries: 503 Service Unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var wrote atomic.Int64
			var tries atomic.Int32
			api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				tries.Add(1)
				cw := counted{w, &wrote}
				if tt.gzip {
					w.Header().Set("Content-Encoding", "gzip")
					w.WriteHeader(tt.status)
					cw.Write(bomb.Bytes())
					return
				}
				w.WriteHeader(tt.status)
				io.Copy(cw, endless{})
			}))
			defer api.Close()
			a, _ := ParseAPIURL(api.URL)
			c := New(a, Options{Timeout: time.Minute, Pacing: Pacing{Off: true}, Retry: Retry{MaxTries: 3, Sleep: (&sleeps{}).sleep}})
			_, _, err := c.Users.Get(context.Background(), "")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to say %q", err, tt.want)
			}
			api.CloseClientConnections()
			if n, want := tries.Load(), map[int]int32{200: 1}[tt.status]; want != 0 && n != want {
				t.Errorf("%d tries, want %d", n, want)
			}
			if n := wrote.Load(); n > int64(tries.Load())*(maxBody+16<<20) {
				t.Errorf("the server wrote %d MiB in %d tries before the client stopped reading", n>>20, tries.Load())
			}
		})
	}
}
