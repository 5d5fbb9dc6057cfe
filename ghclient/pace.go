package ghclient

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Costs of a request against GitHub's secondary rate limit, in points.
const (
	// ReadCost is what a GET, HEAD or OPTIONS request costs.
	ReadCost = 1
	// WriteCost is what any other request (POST, PATCH, PUT, DELETE) costs.
	WriteCost = 5
)

// Defaults for Pacing on github.com, below GitHub's secondary limits of 100
// concurrent requests and 900 points a minute.
const (
	DefaultConcurrent = 20
	DefaultPoints     = 900
	DefaultWindow     = time.Minute
)

// minPoints is the smallest budget that still leaves room for a write
// after the burst and the slack (see Pacing.limits).
const minPoints = 2 * WriteCost

// Pacing keeps requests under GitHub's secondary rate limits: at most
// Concurrent requests in flight and at most Points points in any Window.
// Zero fields take their defaults.
type Pacing struct {
	// Concurrent is the most requests in flight at once; default 20.
	Concurrent int
	// Points is the budget per Window; default 900. A GET, HEAD or OPTIONS
	// costs 1 point, any other method 5.
	Points int
	// Window is the span the budget covers; default one minute.
	Window time.Duration
	// Off turns pacing off: GHES has rate limits off unless its admin
	// turns them on.
	Off bool
	// Auto means the pacing input said "auto": Resolve turns it into the
	// default for the server. Wrap treats an unresolved Auto as on.
	Auto bool
}

// DefaultPacing is the pacing for a server when the pacing input is "auto":
// on for github.com, off for GHES.
func DefaultPacing(ghes bool) Pacing {
	if ghes {
		return Pacing{Off: true}
	}
	return Pacing{Concurrent: DefaultConcurrent, Points: DefaultPoints, Window: DefaultWindow}
}

// Resolve returns DefaultPacing(ghes) when p is Auto, else p.
func (p Pacing) Resolve(ghes bool) Pacing {
	if p.Auto {
		return DefaultPacing(ghes)
	}
	return p
}

// Share is p's budget split evenly among n runs that spend one account's
// budget at the same time, such as the parallel jobs of a sharded
// rotation: each gets Points/n, and never less than a write needs.
func (p Pacing) Share(n int) Pacing {
	if p.Off || p.Auto || n <= 1 {
		return p
	}
	p = p.withDefaults()
	p.Points = max(p.Points/n, minPoints)
	return p
}

// ParsePacing reads the pacing input: "auto" (or empty) for the server's
// default, "off" for none, or a budget "POINTS/WINDOW" such as "900/1m".
func ParsePacing(s string) (Pacing, error) {
	v := strings.TrimSpace(s)
	switch strings.ToLower(v) {
	case "", "auto":
		return Pacing{Auto: true}, nil
	case "off":
		return Pacing{Off: true}, nil
	}
	points, window, ok := strings.Cut(v, "/")
	if !ok {
		return Pacing{}, fmt.Errorf("pacing %q: want \"auto\", \"off\" or a budget POINTS/WINDOW such as \"900/1m\"", s)
	}
	n, err := strconv.Atoi(strings.TrimSpace(points))
	if err != nil || n < minPoints {
		return Pacing{}, fmt.Errorf("pacing %q: points %q must be a whole number of at least %d, as in \"900/1m\"", s, points, minPoints)
	}
	w, err := time.ParseDuration(strings.TrimSpace(window))
	if err != nil || w <= 0 {
		return Pacing{}, fmt.Errorf("pacing %q: window %q must be a positive duration such as 1m or 60s, as in \"900/1m\"", s, window)
	}
	return Pacing{Concurrent: DefaultConcurrent, Points: n, Window: w}, nil
}

func (p Pacing) withDefaults() Pacing {
	if p.Concurrent <= 0 {
		p.Concurrent = DefaultConcurrent
	}
	if p.Points <= 0 {
		p.Points = DefaultPoints
	}
	if p.Points < minPoints {
		p.Points = minPoints
	}
	if p.Window <= 0 {
		p.Window = DefaultWindow
	}
	return p
}

// limits sizes the token bucket. A bucket of burst b refilled at rate r
// grants at most b + r*W points in any span W, so a full bucket spent at
// once followed by the steady rate can go over a budget that a rate of
// Points/Window alone would meet. Hence r = (Points - b - slack)/Window:
// the budget holds over every span of Window, so under a sliding window
// and under fixed windows wherever they start. The slack, a tenth of the
// budget, covers requests that reach the server later than the pacer let
// them go (scheduling, connection set-up), which moves points from one
// window into the next. The burst is a twentieth of the budget (45 of
// 900), and at least one write, since a request cannot wait for more
// points than the bucket holds.
func (p Pacing) limits() (rate.Limit, int) {
	burst := max(WriteCost, p.Points/20)
	steady := p.Points - burst - p.Points/10
	if steady < 1 {
		steady = 1
	}
	return rate.Limit(float64(steady) / p.Window.Seconds()), burst
}

// Cost is what req costs in points against the secondary rate limit.
func Cost(req *http.Request) int {
	switch req.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions:
		return ReadCost
	}
	return WriteCost
}

// Wrap paces requests through next. A request waits for a slot among
// Concurrent, then for its points; it holds the slot until its response
// body is closed (go-github closes every body) or read to the end. Waits
// end with the request's context.
func (p Pacing) Wrap(next http.RoundTripper) http.RoundTripper {
	if p.Auto {
		p = DefaultPacing(false)
	}
	if p.Off {
		return next
	}
	p = p.withDefaults()
	r, burst := p.limits()
	return &pacer{
		next:    next,
		slots:   make(chan struct{}, p.Concurrent),
		limiter: rate.NewLimiter(r, burst),
	}
}

type pacer struct {
	next    http.RoundTripper
	slots   chan struct{}
	limiter *rate.Limiter
}

func (p *pacer) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		closeBody(req)
		return nil, fmt.Errorf("wait for a free connection slot: %w", ctx.Err())
	}
	// Points are taken after the slot, so a request goes out as soon as
	// the limiter lets it: the server sees the pace the limiter keeps.
	if err := p.limiter.WaitN(ctx, Cost(req)); err != nil {
		<-p.slots
		closeBody(req)
		return nil, fmt.Errorf("wait for rate limit points: %w", err)
	}
	resp, err := p.next.RoundTrip(req)
	if err != nil {
		<-p.slots
		return nil, err
	}
	resp.Body = &slotBody{ReadCloser: resp.Body, release: sync.OnceFunc(func() { <-p.slots })}
	return resp, nil
}

// closeBody closes a request body that will not be sent, as a
// RoundTripper must.
func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// slotBody gives back a pacer slot when the body is closed or read to the
// end.
type slotBody struct {
	io.ReadCloser
	release func()
}

func (b *slotBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.release()
	}
	return n, err
}

func (b *slotBody) Close() error {
	err := b.ReadCloser.Close()
	b.release()
	return err
}
