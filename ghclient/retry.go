package ghclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Defaults for Retry.
const (
	DefaultMaxTries      = 5
	DefaultBase          = time.Second
	DefaultMax           = time.Minute
	DefaultSecondaryWait = time.Minute
	DefaultMaxWait       = 5 * time.Minute
)

// bodyPeek bounds how much of an error body Retry reads to classify it.
const bodyPeek = 64 << 10

// Retry retries requests that GitHub asks to be retried or that failed on
// the way, as GitHub's rate-limit rules say (GitHub docs, "Rate limits for the REST API"):
//   - a 403 or 429 with retry-after waits that long;
//   - else one with x-ratelimit-remaining: 0 waits until x-ratelimit-reset;
//   - else a secondary rate limit (a 429, or a 403 whose message says
//     "secondary rate limit") waits SecondaryWait, doubling on each repeat;
//   - a 500, 502, 503 or 504, a reset or dropped connection or a timeout
//     backs off exponentially from Base, with jitter, up to Max.
//
// Anything else, such as a 403 for a missing scope, a 404 or a 422, is
// returned as it came. A request body is replayed with GetBody. Zero
// fields take their defaults.
//
// Every method is retried, PUT, PATCH and DELETE being idempotent, except
// a request whose context is marked with NotIdempotent or
// LookupBeforeRetry: a POST that creates something, which a second try
// would create twice. A 5xx, or a transport error once the request may
// have left (not a failure to connect), leaves open whether the server
// did it: it may have served the request and only its answer was lost.
// After such a failure a marked request is not resent blindly:
//   - with NotIdempotent, it fails at once with an *AnswerLostError, "answer
//     lost; not resent because POST ... is not idempotent", for the
//     caller to report;
//   - with LookupBeforeRetry, Retry waits as it would and runs the
//     caller's lookup: found done, the request fails with an
//     *AnswerLostError for which Found is true, and the caller adopts
//     what its lookup found; not found, it is resent (and looked up again
//     after another such failure); a lookup that cannot tell fails it.
//
// A DELETE resent after such a failure that meets a 404 was done by the
// try whose answer was lost: it answers 204 No Content, not a failure.
//
// A rate limit refused the request, so nothing was done: a marked request
// is retried after one as any other. When the tries run out, or the
// server asks for a wait longer than MaxWait, a marked request fails with
// a RetryError as any other; but if its last failure left open whether it
// was done, a request marked with LookupBeforeRetry is looked up first,
// and found done it fails with Found true instead. pat-action marks its
// creates of reminder issues, deploy keys and variables, and its
// revocations and denials of fine-grained tokens (whose resend would meet
// ids already gone); its other POSTs (minting an installation token,
// revoking a credential) leave nothing behind that a second try would
// double, nor fail on a second try.
type Retry struct {
	// MaxTries bounds the attempts per request, the first included;
	// default 5.
	MaxTries int
	// Base is the first backoff after a 5xx or a transport error; default
	// 1s. Each further try doubles it.
	Base time.Duration
	// Max caps a backoff; default 60s.
	Max time.Duration
	// SecondaryWait is the first wait after a secondary rate limit that
	// names no retry-after; default 60s, as GitHub asks.
	SecondaryWait time.Duration
	// MaxWait is the longest wait Retry accepts: a retry-after or a rate
	// limit reset further off than this is not waited for but reported;
	// the doubling wait after secondary limits stops growing at it.
	// Default 5m.
	MaxWait time.Duration
	// Sleep waits d or until ctx is done; default a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now tells the time, to read x-ratelimit-reset; default time.Now.
	Now func() time.Time
}

// RetryError is a request that was still failing when Retry stopped: the
// tries ran out, or the server asked for a wait longer than MaxWait.
type RetryError struct {
	// Tries is how many attempts were made.
	Tries int
	// Status is the last response's status, empty after a transport error.
	Status string
	// StatusCode is the last response's status code, 0 after a transport error.
	StatusCode int
	// Message is GitHub's message in the last response, if any.
	Message string
	// Wait is the wait asked for, when it was longer than MaxWait.
	Wait time.Duration
	// MaxWait is the longest wait Retry accepted.
	MaxWait time.Duration
	// Err is the last transport error.
	Err error
}

func (e *RetryError) Error() string {
	var b strings.Builder
	if e.Tries == 1 {
		b.WriteString("after 1 try: ")
	} else {
		fmt.Fprintf(&b, "after %d tries: ", e.Tries)
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString(e.Status)
		if e.Message != "" {
			b.WriteString(": " + e.Message)
		}
	}
	if e.Wait > 0 {
		fmt.Fprintf(&b, ": asked to wait %s, longer than the %s pat-action waits", e.Wait, e.MaxWait)
	}
	return b.String()
}

func (e *RetryError) Unwrap() error { return e.Err }

func (r Retry) withDefaults() Retry {
	if r.MaxTries <= 0 {
		r.MaxTries = DefaultMaxTries
	}
	if r.Base <= 0 {
		r.Base = DefaultBase
	}
	if r.Max <= 0 {
		r.Max = DefaultMax
	}
	if r.SecondaryWait <= 0 {
		r.SecondaryWait = DefaultSecondaryWait
	}
	if r.MaxWait <= 0 {
		r.MaxWait = DefaultMaxWait
	}
	if r.Sleep == nil {
		r.Sleep = sleep
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	return r
}

// sleep waits d on a timer, or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Wrap retries requests through next.
func (r Retry) Wrap(next http.RoundTripper) http.RoundTripper {
	return &retrier{r: r.withDefaults(), next: next}
}

type retrier struct {
	r    Retry
	next http.RoundTripper
}

// verdict is what to do about one attempt's outcome.
type verdict struct {
	retry   bool
	wait    time.Duration
	tooLong bool // the server asked for more than MaxWait
}

func (t *retrier) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	m := markOf(ctx)
	secondary := 0
	// maybeDone is set once a try failed in a way that leaves open
	// whether the server did it (ambiguous): a DELETE that then meets a
	// 404 was done by that try, and a marked request is looked up before
	// it is resent.
	maybeDone := false
	for try := 1; ; try++ {
		attempt := req
		if try > 1 {
			var err error
			if attempt, err = replay(req); err != nil {
				return nil, err
			}
		}
		resp, err := t.next.RoundTrip(attempt)
		if maybeDone && req.Method == http.MethodDelete && err == nil && resp.StatusCode == http.StatusNotFound {
			return gone(resp), nil
		}
		v := t.judge(ctx, resp, err, try, &secondary)
		if !v.retry {
			return resp, err
		}
		unsure := ambiguous(resp, err)
		maybeDone = maybeDone || unsure
		look := unsure && m != nil // this try may be the one done: look before resending
		switch {
		case look && m.lookup == nil:
			return nil, lost(req, resp, err)
		case v.tooLong || try >= t.r.MaxTries || (look && !replayable):
			failed := t.giveUp(resp, err, try, v)
			// This last try (or one whose body cannot be sent again)
			// may be the one GitHub did: look, so that what it made is
			// adopted rather than reported failed.
			if look {
				if e := m.lookUp(ctx, req, failed.Status, failed.Err); e.Found {
					return nil, e
				}
			}
			return nil, failed
		case !replayable:
			// The body is spent and cannot be sent again.
			return resp, err
		}
		status := ""
		if resp != nil {
			status = resp.Status
			drain(resp)
		}
		if err := t.r.Sleep(ctx, v.wait); err != nil {
			return nil, fmt.Errorf("wait %s to retry %s %s: %w", v.wait, req.Method, req.URL.Redacted(), err)
		}
		if look {
			// Resend only what the lookup did not find done.
			if e := m.lookUp(ctx, req, status, err); e.Found || e.LookupErr != nil {
				return nil, e
			}
		}
	}
}

// judge decides whether an attempt is retried and after how long.
func (t *retrier) judge(ctx context.Context, resp *http.Response, err error, try int, secondary *int) verdict {
	if err != nil {
		if ctx.Err() != nil || !transient(err) {
			return verdict{}
		}
		return verdict{retry: true, wait: t.backoff(try)}
	}
	switch resp.StatusCode {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if d, ok := t.retryAfter(resp); ok {
			return t.asked(d)
		}
		return verdict{retry: true, wait: t.backoff(try)}
	case http.StatusForbidden, http.StatusTooManyRequests:
	default:
		return verdict{}
	}
	primary := resp.Header.Get("X-Ratelimit-Remaining") == "0"
	if d, ok := t.retryAfter(resp); ok {
		return t.asked(d)
	}
	if primary {
		reset, err := strconv.ParseInt(resp.Header.Get("X-Ratelimit-Reset"), 10, 64)
		if err != nil {
			// No reset to wait for: treat it as a secondary limit.
			return t.secondaryWait(secondary)
		}
		// The reset is in whole seconds; a second more makes sure it passed.
		return t.asked(time.Unix(reset, 0).Sub(t.r.Now()) + time.Second)
	}
	if resp.StatusCode == http.StatusTooManyRequests || strings.Contains(strings.ToLower(message(resp)), "secondary rate limit") {
		return t.secondaryWait(secondary)
	}
	return verdict{}
}

// asked is the verdict for a wait the server asked for.
func (t *retrier) asked(d time.Duration) verdict {
	d = max(d, 0)
	return verdict{retry: true, wait: d, tooLong: d > t.r.MaxWait}
}

// secondaryWait waits SecondaryWait, doubling with each secondary limit
// this request met, up to MaxWait.
func (t *retrier) secondaryWait(n *int) verdict {
	d := min(shift(t.r.SecondaryWait, *n), max(t.r.MaxWait, t.r.SecondaryWait))
	*n++
	return verdict{retry: true, wait: d}
}

// backoff is the wait before try+1 after a failure: Base doubled per try,
// capped at Max, with the upper half jittered so that concurrent requests
// that failed together do not come back together. Each wait is at least
// the one before unless capped.
func (t *retrier) backoff(try int) time.Duration {
	d := min(shift(t.r.Base, try-1), t.r.Max)
	half := d / 2
	return d - half + rand.N(half+1)
}

// shift is d doubled n times, saturating instead of overflowing.
func shift(d time.Duration, n int) time.Duration {
	for range n {
		if d > time.Duration(1<<62) {
			return time.Duration(1<<63 - 1)
		}
		d *= 2
	}
	return d
}

// retryAfter reads a retry-after header: seconds, or an HTTP date.
func (t *retrier) retryAfter(resp *http.Response) (time.Duration, bool) {
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil && s >= 0 {
		return time.Duration(min(s, 1<<30)) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return at.Sub(t.r.Now()), true
	}
	return 0, false
}

// giveUp closes the last response and reports it, with the wait asked
// for when it was too long.
func (t *retrier) giveUp(resp *http.Response, err error, tries int, v verdict) *RetryError {
	e := &RetryError{Tries: tries, Err: err}
	if v.tooLong {
		e.Wait, e.MaxWait = v.wait, t.r.MaxWait
	}
	if resp != nil {
		e.Status, e.StatusCode = resp.Status, resp.StatusCode
		e.Message = message(resp)
		drain(resp)
	}
	return e
}

// transient reports whether a transport error is worth another try: a
// connection reset or dropped mid-exchange, a malformed response, a try
// that timed out, or a network timeout (not the request's own deadline).
func transient(err error) bool {
	var tt *TryTimeoutError
	if errors.As(err, &tt) {
		return true
	}
	// net/http reports a garbled status line or header as text only.
	if strings.Contains(err.Error(), "malformed HTTP") {
		return true
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// replay copies req with a fresh body for another try.
func replay(req *http.Request) (*http.Request, error) {
	r := req.Clone(req.Context())
	if req.Body == nil || req.Body == http.NoBody {
		return r, nil
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, fmt.Errorf("replay the body of %s %s: %w", req.Method, req.URL.Redacted(), err)
	}
	r.Body = body
	return r, nil
}

// message reads GitHub's message from an error body and leaves the body
// readable from the start.
func message(resp *http.Response) string {
	peek, _ := io.ReadAll(io.LimitReader(resp.Body, bodyPeek))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(peek), resp.Body), resp.Body}
	var e struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(peek, &e) != nil {
		return ""
	}
	return e.Message
}

// drain reads a little of a body that will not be used, so the connection
// can be reused, and closes it.
func drain(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, bodyPeek))
	resp.Body.Close()
}

// gone is the answer to a DELETE resent after a lost answer or a 5xx that
// met a 404: the first try deleted it, so the DELETE is done, 204 No
// Content, with the 404's headers (its rate limit counts).
func gone(notFound *http.Response) *http.Response {
	drain(notFound)
	return &http.Response{
		Status: "204 No Content", StatusCode: http.StatusNoContent,
		Proto: notFound.Proto, ProtoMajor: notFound.ProtoMajor, ProtoMinor: notFound.ProtoMinor,
		Header: notFound.Header, Body: http.NoBody, Request: notFound.Request,
	}
}
