package ghclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v45/github"
)

func TestParsePacing(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Pacing
		wantErr string
	}{
		{in: "", want: Pacing{Auto: true}},
		{in: "auto", want: Pacing{Auto: true}},
		{in: " Auto ", want: Pacing{Auto: true}},
		{in: "off", want: Pacing{Off: true}},
		{in: "OFF", want: Pacing{Off: true}},
		{in: "900/1m", want: Pacing{Concurrent: 20, Points: 900, Window: time.Minute}},
		{in: "450 / 30s", want: Pacing{Concurrent: 20, Points: 450, Window: 30 * time.Second}},
		{in: "fast", wantErr: `pacing "fast": want "auto", "off" or a budget POINTS/WINDOW such as "900/1m"`},
		{in: "900", wantErr: `pacing "900": want "auto", "off" or a budget POINTS/WINDOW such as "900/1m"`},
		{in: "many/1m", wantErr: `pacing "many/1m": points "many" must be a whole number of at least 10, as in "900/1m"`},
		{in: "5/1m", wantErr: `pacing "5/1m": points "5" must be a whole number of at least 10, as in "900/1m"`},
		{in: "900/60", wantErr: `pacing "900/60": window "60" must be a positive duration such as 1m or 60s, as in "900/1m"`},
		{in: "900/-1m", wantErr: `pacing "900/-1m": window "-1m" must be a positive duration such as 1m or 60s, as in "900/1m"`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParsePacing(tc.in)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("ParsePacing(%q) error = %v, want %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePacing(%q): %v", tc.in, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParsePacing(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func FuzzParsePacing(f *testing.F) {
	for _, s := range []string{"", "auto", "off", "900/1m", "10/1s", "x/y", "1/0s", "900/1h30m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePacing(s)
		if err != nil {
			return
		}
		// What it accepts is auto, off, or a budget the pacer can keep.
		switch {
		case p.Auto || p.Off:
			if p.Auto && p.Off || p.Points != 0 || p.Window != 0 {
				t.Errorf("ParsePacing(%q) = %+v: auto or off carries no budget", s, p)
			}
		case p.Points <= 0 || p.Window <= 0:
			t.Errorf("ParsePacing(%q) = %+v: a budget needs points and a window", s, p)
		}
	})
}

func TestDefaultPacing(t *testing.T) {
	auto, err := ParsePacing("auto")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		got  Pacing
		want Pacing
	}{
		{"github.com", DefaultPacing(false), Pacing{Concurrent: 20, Points: 900, Window: time.Minute}},
		{"GHES", DefaultPacing(true), Pacing{Off: true}},
		{"auto on github.com", auto.Resolve(false), Pacing{Concurrent: 20, Points: 900, Window: time.Minute}},
		{"auto on GHES", auto.Resolve(true), Pacing{Off: true}},
		{"configured on GHES", Pacing{Points: 100, Window: time.Minute}.Resolve(true), Pacing{Points: 100, Window: time.Minute}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestPacingLimitsKeepBudget(t *testing.T) {
	// A bucket grants at most burst + rate*Window in any Window.
	for _, p := range []Pacing{
		DefaultPacing(false),
		{Points: 50, Window: 500 * time.Millisecond},
		{Points: 10, Window: time.Second},
		{Points: 100000, Window: time.Hour},
	} {
		t.Run(fmt.Sprintf("%d/%s", p.Points, p.Window), func(t *testing.T) {
			p = p.withDefaults()
			r, burst := p.limits()
			most := float64(burst) + float64(r)*p.Window.Seconds()
			if most > float64(p.Points) || burst < WriteCost || r <= 0 {
				t.Errorf("burst %d, rate %.2f/s: up to %.1f points per %s, want at most %d with room for a write", burst, float64(r), most, p.Window, p.Points)
			}
		})
	}
}

// countingTransport counts the requests that reach it.
type countingTransport struct {
	next http.RoundTripper
	n    atomic.Int32
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(req)
}

func TestPacingConcurrent(t *testing.T) {
	const limit, total = 3, 20
	var inFlight, most atomic.Int32
	arrived := make(chan struct{})
	release := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		arrived <- struct{}{}
		<-release
		inFlight.Add(-1)
		io.WriteString(w, "{}")
	}))
	defer ts.Close()
	p := Pacing{Concurrent: limit, Points: 100000, Window: time.Minute}
	admitted := &countingTransport{next: ts.Client().Transport}
	client := &http.Client{Transport: p.Wrap(admitted)}

	started := make(chan struct{})
	errs := make(chan error, total)
	for range total {
		go func() {
			started <- struct{}{}
			resp, err := client.Get(ts.URL + "/repos/acme/api")
			if err == nil {
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			errs <- err
		}()
	}
	for range total {
		<-started
	}
	// With the first `limit` requests held open at the server, every other
	// request is waiting in the pacer: none got past it.
	for range limit {
		<-arrived
	}
	if got := admitted.n.Load(); got != limit {
		t.Errorf("with %d requests held open, %d got past the pacer, want %d", limit, got, limit)
	}
	// Then let one go per arrival, keeping `limit` held.
	for range total - limit {
		release <- struct{}{}
		<-arrived
	}
	for range limit {
		release <- struct{}{}
	}
	for range total {
		if err := <-errs; err != nil {
			t.Errorf("GET: %v", err)
		}
	}
	if got := most.Load(); got != limit {
		t.Errorf("server saw up to %d requests in flight, want %d", got, limit)
	}
}

func TestPacingPoints(t *testing.T) {
	// A one-second window: the pacer's slack (a tenth of the budget) then
	// covers 100 ms of a loaded machine's delays; a real window is a minute.
	const points, window, puts = 100, time.Second, 40
	var mu sync.Mutex
	var arrivals []time.Time
	var costs []int
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer ts.Close()
	// The times are taken as the pacer lets each request go, not as the
	// server sees it: what the pacer keeps is tested here, without the
	// scheduling delays of a loaded machine between the two (the bench's
	// paced scenario holds the whole run to the emulator's count).
	let := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		at := time.Now()
		mu.Lock()
		arrivals = append(arrivals, at)
		costs = append(costs, Cost(r))
		mu.Unlock()
		return ts.Client().Transport.RoundTrip(r)
	})
	p := Pacing{Concurrent: 20, Points: points, Window: window}
	client := &http.Client{Transport: p.Wrap(let)}

	var wg sync.WaitGroup
	for i := range puts {
		wg.Go(func() {
			url := fmt.Sprintf("%s/repos/acme/r%d/actions/secrets/PAT", ts.URL, i)
			req, err := http.NewRequest(http.MethodPut, url, strings.NewReader(`{"key_id":"k"}`))
			if err != nil {
				t.Error(err)
				return
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Errorf("PUT %s: %v", url, err)
				return
			}
			resp.Body.Close()
		})
	}
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	if len(arrivals) != puts {
		t.Fatalf("server saw %d requests, want %d", len(arrivals), puts)
	}
	// Fixed windows aligned to the first request, as the emulator counts.
	first := arrivals[0]
	for _, at := range arrivals {
		if at.Before(first) {
			first = at
		}
	}
	fixed := map[int64]int{}
	for i, at := range arrivals {
		fixed[int64(at.Sub(first)/window)] += costs[i]
	}
	for w, got := range fixed {
		if got > points {
			t.Errorf("fixed window %d got %d points, budget %d", w, got, points)
		}
	}
	// Sliding windows: every span of one window starting at an arrival.
	for _, start := range arrivals {
		got := 0
		for j, at := range arrivals {
			if !at.Before(start) && at.Sub(start) < window {
				got += costs[j]
			}
		}
		if got > points {
			t.Errorf("window from %s got %d points, budget %d", start.Sub(first), got, points)
		}
	}
}

func TestPacingCancelStopsWaiting(t *testing.T) {
	var seen atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer ts.Close()
	// 10 points an hour: the first write spends the burst, the second
	// would wait for minutes.
	p := Pacing{Concurrent: 1, Points: 10, Window: time.Hour}
	client := &http.Client{Transport: p.Wrap(ts.Client().Transport)}
	put := func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, ts.URL, strings.NewReader("{}"))
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	if err := put(context.Background()); err != nil {
		t.Fatalf("first PUT: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := put(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("second PUT: got error %v, want context.Canceled", err)
	}
	if got := seen.Load(); got != 1 {
		t.Errorf("server saw %d requests, want 1", got)
	}
}

func TestPacingOff(t *testing.T) {
	base := http.DefaultTransport
	if got := (Pacing{Off: true}).Wrap(base); got != base {
		t.Errorf("Pacing{Off: true}.Wrap returned %T, want the transport itself", got)
	}
}

func TestChainThroughGoGitHub(t *testing.T) {
	// One slot: if a retried or finished response kept its slot, the next
	// request would wait for ever; the deadline turns that into a failure.
	var puts atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /repos/acme/api/actions/secrets/PAT", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer test-token" {
			t.Errorf("PUT without the token")
		}
		switch puts.Add(1) {
		case 1:
			w.WriteHeader(http.StatusBadGateway)
		case 2:
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, secondaryBody)
		default:
			w.WriteHeader(http.StatusCreated)
		}
	})
	mux.HandleFunc("GET /repos/acme/gone/actions/secrets/public-key", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"message":"Not Found"}`)
	})
	ts := httptest.NewServer(mux)
	defer ts.Close()
	api, err := ParseAPIURL(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	var sl sleeps
	c := New(api, Options{
		Token:  "test-token",
		Pacing: Pacing{Concurrent: 1, Points: 1000, Window: time.Minute},
		Retry:  Retry{Sleep: sl.sleep},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	for i := range 3 {
		resp, err := c.Actions.CreateOrUpdateRepoSecret(ctx, "acme", "api", &github.EncryptedSecret{Name: "PAT", KeyID: "k", EncryptedValue: "c2VhbGVk"})
		if err != nil {
			t.Fatalf("store %d: %v", i, err)
		}
		if resp.StatusCode != http.StatusCreated {
			t.Errorf("store %d: status %d, want 201", i, resp.StatusCode)
		}
	}
	_, resp, err := c.Actions.GetRepoPublicKey(ctx, "acme", "gone")
	if err == nil || resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("public key of a missing repo: got %v, want a 404", err)
	}
	if got := puts.Load(); got != 5 {
		t.Errorf("server saw %d PUTs, want 5 (three stored, one 502 and one secondary limit retried)", got)
	}
	if got := len(sl.got()); got != 2 {
		t.Errorf("waited %d times, want 2", got)
	}
}

// Share splits a budget among runs that spend it at once.
func TestPacingShare(t *testing.T) {
	def := DefaultPacing(false)
	tests := []struct {
		p    Pacing
		n    int
		want Pacing
	}{
		{def, 1, def},
		{def, 4, Pacing{Concurrent: DefaultConcurrent, Points: DefaultPoints / 4, Window: DefaultWindow}},
		{Pacing{Points: 600, Window: 30 * time.Second}, 3, Pacing{Concurrent: DefaultConcurrent, Points: 200, Window: 30 * time.Second}},
		{def, 1000, Pacing{Concurrent: DefaultConcurrent, Points: minPoints, Window: DefaultWindow}},
		{Pacing{Off: true}, 4, Pacing{Off: true}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.p.Share(tt.n)); diff != "" {
			t.Errorf("%v.Share(%d) (-want +got):\n%s", tt.p, tt.n, diff)
		}
	}
}

// roundTripFunc is a function as an http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
