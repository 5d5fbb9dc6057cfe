package emulator

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Limits are GitHub's secondary rate limits. A zero field enforces nothing.
type Limits struct {
	// Concurrent is how many requests may be in flight at once.
	Concurrent int
	// Points is how many points the requests of one Window may cost: GET,
	// HEAD and OPTIONS cost 1, other methods 5.
	Points int
	// Window is the period Points are counted over.
	Window time.Duration
}

// primaryDefault is the primary limit of a personal access token, reported
// when no PrimaryLimit is set.
const primaryDefault = 5000

const secondaryMessage = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID."

// limiter keeps the rate limit state. Its own lock lets tests change the
// limits while requests are served.
type limiter struct {
	mu         sync.Mutex
	limits     Limits
	latency    time.Duration
	primary    int
	resetAfter time.Duration
	ghes       bool
	now        func() time.Time

	inFlight, inFlightMax int
	windowStart           time.Time
	windowPoints          int
	points                int
	secondary             int
	used                  int
	reset                 time.Time
}

func (l *limiter) configure(opts Options) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.limits, l.latency, l.primary, l.ghes, l.now = opts.Limits, opts.Latency, opts.PrimaryLimit, opts.GHES, opts.Now
	l.resetAfter = opts.ResetAfter
	if l.resetAfter <= 0 {
		l.resetAfter = time.Hour
	}
}

// SetLimits changes the secondary limits; it is safe while serving. The
// current window's points are kept.
func (s *Server) SetLimits(lim Limits) {
	s.lim.mu.Lock()
	defer s.lim.mu.Unlock()
	s.lim.limits = lim
}

// SetLatency changes the delay added to every request.
func (s *Server) SetLatency(d time.Duration) {
	s.lim.mu.Lock()
	defer s.lim.mu.Unlock()
	s.lim.latency = d
}

// SetPrimaryLimit sets the primary limit to n requests per resetAfter
// (an hour when resetAfter is not positive) and starts a new window; n = 0
// turns refusals off again.
func (s *Server) SetPrimaryLimit(n int, resetAfter time.Duration) {
	s.lim.mu.Lock()
	defer s.lim.mu.Unlock()
	if resetAfter <= 0 {
		resetAfter = time.Hour
	}
	s.lim.primary, s.lim.resetAfter = n, resetAfter
	s.lim.used, s.lim.reset = 0, time.Time{}
}

// SecondaryLimited returns how many requests were refused with a secondary
// rate limit 403, injected ones included.
func (s *Server) SecondaryLimited() int {
	s.lim.mu.Lock()
	defer s.lim.mu.Unlock()
	return s.lim.secondary
}

// InFlightMax returns the most requests that were ever in flight at once,
// refused ones included.
func (s *Server) InFlightMax() int {
	s.lim.mu.Lock()
	defer s.lim.mu.Unlock()
	return s.lim.inFlightMax
}

// Points returns the secondary-limit points of every request admitted so
// far.
func (s *Server) Points() int {
	s.lim.mu.Lock()
	defer s.lim.mu.Unlock()
	return s.lim.points
}

func cost(method string) int {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return 1
	}
	return 5
}

// admit applies the rate limits to a request: it counts it in flight,
// refuses it with GitHub's 403 when a limit is exceeded, and sets the
// x-ratelimit headers. release must be called when the request is done.
func (s *Server) admit(w http.ResponseWriter, r *http.Request) (release func(), ok bool) {
	l := &s.lim
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inFlight++
	l.inFlightMax = max(l.inFlightMax, l.inFlight)
	release = func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.inFlight--
	}

	if l.reset.IsZero() || !now.Before(l.reset) {
		l.used, l.reset = 0, now.Add(l.resetAfter)
	}
	limit := l.primary
	if limit <= 0 {
		limit = primaryDefault
	}
	// GHES has no rate limits, and so no headers, unless they are turned on.
	headers := !l.ghes || l.primary > 0
	if l.primary > 0 && l.used >= limit {
		setPrimaryHeaders(w, limit, l.used, l.reset)
		writeError(w, http.StatusForbidden, "API rate limit exceeded for user ID 1.")
		return release, false
	}

	if c := l.limits.Concurrent; c > 0 && l.inFlight > c {
		l.secondary++
		writeSecondary(w, time.Second)
		return release, false
	}
	if p := l.limits.Points; p > 0 && l.limits.Window > 0 {
		if l.windowStart.IsZero() || !now.Before(l.windowStart.Add(l.limits.Window)) {
			l.windowStart, l.windowPoints = now, 0
		}
		if l.windowPoints+cost(r.Method) > p {
			l.secondary++
			writeSecondary(w, l.windowStart.Add(l.limits.Window).Sub(now))
			return release, false
		}
		l.windowPoints += cost(r.Method)
	}
	l.points += cost(r.Method)
	l.used++
	if headers {
		setPrimaryHeaders(w, limit, l.used, l.reset)
	}
	return release, true
}

func setPrimaryHeaders(w http.ResponseWriter, limit, used int, reset time.Time) {
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(max(limit-used, 0)))
	h.Set("X-RateLimit-Used", strconv.Itoa(used))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(ceilUnix(reset), 10))
	h.Set("X-RateLimit-Resource", "core")
}

// writeSecondary writes GitHub's secondary rate limit 403, with retry-after
// in whole seconds, at least 1.
func writeSecondary(w http.ResponseWriter, wait time.Duration) {
	secs := max(int64((wait+time.Second-1)/time.Second), 1)
	w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	writeError(w, http.StatusForbidden, secondaryMessage)
}

// delay waits the configured latency, or until the client gives up.
func (s *Server) delay(r *http.Request) {
	s.lim.mu.Lock()
	d := s.lim.latency
	s.lim.mu.Unlock()
	sleep(r, d)
}

func sleep(r *http.Request, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}
