package emulator

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FaultKind is what an injected fault does to a request.
type FaultKind int

// The fault kinds.
const (
	// Status5xx answers with Fault.Status, 502 by default.
	Status5xx FaultKind = iota + 1
	// Reset closes the connection without an answer.
	Reset
	// Slow waits Fault.Delay (or until the client gives up) before serving
	// the request as usual.
	Slow
	// Secondary403 answers GitHub's secondary rate limit 403 with
	// retry-after Fault.RetryAfter (1s by default).
	Secondary403
	// Primary403 answers GitHub's primary rate limit 403, with
	// x-ratelimit-remaining 0 and x-ratelimit-reset Fault.RetryAfter (1s by
	// default) from now.
	Primary403
	// RotateKeyBeforePut rotates the container's key pair just before a
	// secret's PUT is served, so that the PUT, sealed for the old key, gets
	// 422. It matches only PUTs of a secret.
	RotateKeyBeforePut
	// NotFound404 answers 404 Not Found.
	NotFound404
	// Hang never answers: it holds the request until the client gives up.
	Hang
	// BadStatusLine answers a malformed HTTP status line and closes the
	// connection.
	BadStatusLine
	// Redirect answers Fault.Status (307 by default) to Fault.Location,
	// such as another host.
	Redirect
	// LostAnswer serves the request as usual, so that what it creates or
	// changes is done, then closes the connection without the answer: the
	// client cannot tell it from a Reset.
	LostAnswer
)

// String returns the kind's name.
func (k FaultKind) String() string {
	switch k {
	case Status5xx:
		return "Status5xx"
	case Reset:
		return "Reset"
	case Slow:
		return "Slow"
	case Secondary403:
		return "Secondary403"
	case Primary403:
		return "Primary403"
	case RotateKeyBeforePut:
		return "RotateKeyBeforePut"
	case NotFound404:
		return "NotFound404"
	case Hang:
		return "Hang"
	case BadStatusLine:
		return "BadStatusLine"
	case Redirect:
		return "Redirect"
	case LostAnswer:
		return "LostAnswer"
	}
	return "FaultKind(" + strconv.Itoa(int(k)) + ")"
}

// Fault is a misbehaviour injected into the requests that match it.
type Fault struct {
	// Op is the operation ("PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}")
	// the fault applies to; "" matches every operation.
	Op string
	// Kind is what the fault does.
	Kind FaultKind
	// Count is how many matching requests it fires on; 0 means 1.
	Count int
	// RetryAfter is the wait a Secondary403 or Primary403 announces.
	RetryAfter time.Duration
	// Delay is how long a Slow fault waits.
	Delay time.Duration
	// Match, when set, must be a substring of the request's path (relative
	// to the API base, unescaped), such as a repository or secret name.
	Match string
	// Status is a Status5xx fault's status, 0 meaning 502, or a Redirect's,
	// 0 meaning 307.
	Status int
	// Location is where a Redirect points.
	Location string
}

// faultQueue holds injected faults, in the order they were injected.
type faultQueue struct {
	mu    sync.Mutex
	queue []Fault
	fired map[FaultKind]int
}

// Inject queues f. A request fires the first queued fault that matches it,
// at most one; a fault is dropped once it has fired Count times. It is safe
// while serving.
func (s *Server) Inject(f Fault) {
	if f.Count <= 0 {
		f.Count = 1
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.queue = append(s.faults.queue, f)
}

// FaultsFired returns how many times injected faults of kind fired.
func (s *Server) FaultsFired(kind FaultKind) int {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return s.faults.fired[kind]
}

// PendingFaults returns how many injected faults have not yet fired as
// often as their Count.
func (s *Server) PendingFaults() int {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return len(s.faults.queue)
}

func (f *Fault) matches(r *http.Request, op string) bool {
	if f.Op != "" && f.Op != op {
		return false
	}
	if f.Match != "" && !strings.Contains(r.URL.Path, f.Match) {
		return false
	}
	if f.Kind == RotateKeyBeforePut {
		return r.Method == http.MethodPut && strings.HasSuffix(op, "/secrets/{secret_name}")
	}
	return true
}

// next takes the fault that r fires, if any.
func (q *faultQueue) next(r *http.Request, op string) (Fault, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i := range q.queue {
		f := &q.queue[i]
		if !f.matches(r, op) {
			continue
		}
		fired := *f
		f.Count--
		if f.Count == 0 {
			q.queue = append(q.queue[:i], q.queue[i+1:]...)
		}
		if q.fired == nil {
			q.fired = map[FaultKind]int{}
		}
		q.fired[fired.Kind]++
		return fired, true
	}
	return Fault{}, false
}

// fault applies the fault r fires, if any. It returns the request to serve
// on, or nil when the fault answered it.
func (s *Server) fault(w *recorder, r *http.Request, op string) *http.Request {
	f, ok := s.faults.next(r, op)
	if !ok {
		return r
	}
	retry := f.RetryAfter
	if retry <= 0 {
		retry = time.Second
	}
	switch f.Kind {
	case Status5xx:
		status := f.Status
		if status == 0 {
			status = http.StatusBadGateway
		}
		writeError(w, status, http.StatusText(status))
	case LostAnswer:
		return r.WithContext(context.WithValue(r.Context(), lostAnswerKey{}, true))
	case Reset:
		dropAnswer(w)
	case Slow:
		// The server notices the client gone, and cancels r's context, only
		// once the body is read: read it first, so a client that gives up
		// ends the wait, PUTs included.
		body, err := io.ReadAll(r.Body)
		if err != nil {
			w.status = 0 // the client went away mid-body: no answer
			return nil
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		sleep(r, f.Delay)
		return r
	case Secondary403:
		s.lim.mu.Lock()
		s.lim.secondary++
		s.lim.mu.Unlock()
		writeSecondary(w, retry)
	case Primary403:
		h := w.Header()
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Reset", strconv.FormatInt(ceilUnix(s.opts.Now().Add(retry)), 10))
		if h.Get("X-RateLimit-Limit") == "" {
			h.Set("X-RateLimit-Limit", strconv.Itoa(primaryDefault))
			h.Set("X-RateLimit-Resource", "core")
		}
		writeError(w, http.StatusForbidden, "API rate limit exceeded for user ID 1.")
	case RotateKeyBeforePut:
		return r.WithContext(context.WithValue(r.Context(), rotateKey{}, true))
	case NotFound404:
		writeError(w, http.StatusNotFound, "Not Found")
	case Hang:
		w.status = 0
		// The server sees the client hang up only once the body is read.
		io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
	case BadStatusLine:
		w.status = 0
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		buf.WriteString("HTTP/1.1 2x0 Garbled\r\nContent-Length: 0\r\n\r\n")
		buf.Flush()
		conn.Close()
	case Redirect:
		status := f.Status
		if status == 0 {
			status = http.StatusTemporaryRedirect
		}
		http.Redirect(w, r, f.Location, status)
	default:
		return r
	}
	return nil
}

// ceilUnix is t in Unix seconds, rounded up so that waiting until then
// waits at least until t.
func ceilUnix(t time.Time) int64 {
	if t.Nanosecond() > 0 {
		return t.Unix() + 1
	}
	return t.Unix()
}

// lostAnswerKey marks a request whose answer a LostAnswer fault drops.
type lostAnswerKey struct{}

// loseAnswer reports whether r's answer is to be dropped.
func loseAnswer(r *http.Request) bool {
	lost, _ := r.Context().Value(lostAnswerKey{}).(bool)
	return lost
}

// dropAnswer closes w's connection without an answer, as a Reset does.
func dropAnswer(w *recorder) {
	w.status = 0
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // HTTP/2: abort the stream instead
	}
	conn.Close()
}

// discard is a ResponseWriter that keeps nothing, for an answer that is
// served and then lost.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header {
	if d.h == nil {
		d.h = http.Header{}
	}
	return d.h
}
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}
