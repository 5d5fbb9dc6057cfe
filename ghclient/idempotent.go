package ghclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
)

// Lookup tells whether a request whose answer was lost was done after
// all: done is true when what it would have created exists. The caller
// keeps what it found, to adopt it.
type Lookup func(ctx context.Context) (done bool, err error)

// mark is how a context marks its requests as not idempotent.
type mark struct{ lookup Lookup }

type markKey struct{}

// NotIdempotent marks the requests made with the returned context as not
// to be resent blindly: a POST that creates something, which a second
// try would create twice. After a failure that leaves open whether the
// server did it (see Retry), such a request fails with an
// *AnswerLostError rather than being resent. Mark only the one call that
// creates, not a context shared with other requests.
func NotIdempotent(ctx context.Context) context.Context {
	return context.WithValue(ctx, markKey{}, &mark{})
}

// LookupBeforeRetry marks the requests made with the returned context as
// NotIdempotent does, but after a failure that leaves open whether the
// server did one, Retry waits as usual and then runs lookup: if it finds
// the request done, the request fails with an *AnswerLostError for which
// Found is true, and the caller adopts what lookup found; if not, the
// request is resent, or, after its last try (or when its body cannot be
// sent again), fails as Retry reports it. The lookup's own requests are
// not marked: they are retried as any other.
func LookupBeforeRetry(ctx context.Context, lookup Lookup) context.Context {
	return context.WithValue(ctx, markKey{}, &mark{lookup: lookup})
}

// markOf is ctx's mark, nil for a request that may be resent.
func markOf(ctx context.Context) *mark {
	m, _ := ctx.Value(markKey{}).(*mark)
	return m
}

// unmarked is ctx without its mark, for the lookup's own requests.
func unmarked(ctx context.Context) context.Context {
	return context.WithValue(ctx, markKey{}, (*mark)(nil))
}

// AnswerLostError is a request marked not idempotent that failed in a
// way that leaves open whether the server did it, and so was not resent.
type AnswerLostError struct {
	// Method and Path are the request's, such as "POST" and
	// "/repos/acme/ops/issues".
	Method, Path string
	// Status is the 5xx answer, empty when the failure was the transport's.
	Status string
	// Err is the transport error, nil after a 5xx.
	Err error
	// Found is true when the request's Lookup found it done.
	Found bool
	// LookupErr is why the request's Lookup could not tell.
	LookupErr error
}

func (e *AnswerLostError) Error() string {
	why := e.Status
	if e.Err != nil {
		why = e.Err.Error()
	}
	switch {
	case e.Found:
		return fmt.Sprintf("answer lost (%s), and %s %s was found done", why, e.Method, e.Path)
	case e.LookupErr != nil:
		return fmt.Sprintf("answer lost (%s); not resent because %s %s is not idempotent; look up whether it was done: %v", why, e.Method, e.Path, e.LookupErr)
	}
	return fmt.Sprintf("answer lost (%s); not resent because %s %s is not idempotent", why, e.Method, e.Path)
}

func (e *AnswerLostError) Unwrap() []error {
	var errs []error
	for _, err := range []error{e.Err, e.LookupErr} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// Found reports whether err is a request marked with LookupBeforeRetry
// whose answer was lost and whose lookup found it done.
func Found(err error) bool {
	var e *AnswerLostError
	return errors.As(err, &e) && e.Found
}

// ambiguous reports whether a try that Retry would retry may have been
// done by the server: a 5xx, or a transport error once the request may
// have left (not a failure to connect at all). Rate limits, which refuse
// a request, are not.
func ambiguous(resp *http.Response, err error) bool {
	if err != nil {
		var op *net.OpError
		return !(errors.As(err, &op) && op.Op == "dial")
	}
	return resp.StatusCode >= 500
}

// lost is the error for a marked request that failed ambiguously. It
// closes resp.
func lost(req *http.Request, resp *http.Response, err error) *AnswerLostError {
	status := ""
	if resp != nil {
		status = resp.Status
		drain(resp)
	}
	return answerLost(req, status, err)
}

// lookUp runs m's lookup, its own requests unmarked, for req whose try
// failed with status or err in a way that leaves open whether it was done.
func (m *mark) lookUp(ctx context.Context, req *http.Request, status string, err error) *AnswerLostError {
	e := answerLost(req, status, err)
	e.Found, e.LookupErr = m.lookup(unmarked(ctx))
	return e
}

func answerLost(req *http.Request, status string, err error) *AnswerLostError {
	return &AnswerLostError{Method: req.Method, Path: req.URL.EscapedPath(), Status: status, Err: err}
}
