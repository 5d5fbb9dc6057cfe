// Package ghclient builds the GitHub API client pat-action talks through: a
// checked API URL, the headers GitHub requires, a deadline on every try, a
// token that is only ever sent to the API host, and pacing and retries that
// keep within GitHub's rate limits.
package ghclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v45/github"
)

// APIVersion is the REST API version pat-action is written against.
const APIVersion = "2022-11-28"

// DefaultURL is the public GitHub API.
const DefaultURL = "https://api.github.com"

// DefaultTimeout bounds every request when Options.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// MaxResponseBody is the most of an answer pat-action reads: a page of 100
// repositories is well under 1 MiB, so anything past 32 MiB is a broken or
// hostile server or proxy (or a compressed bomb), not GitHub.
const MaxResponseBody = 32 << 20

// maxBody is MaxResponseBody, smaller in tests so that they stay quick.
var maxBody int64 = MaxResponseBody

// Options configure a client.
type Options struct {
	// APIURL is GitHub's API base: https://api.github.com or https://HOST/api/v3.
	APIURL string
	// Token authenticates every request to the API host and no other.
	Token string
	// UserAgent names the product; GitHub refuses requests without one.
	UserAgent string
	// Timeout bounds each try of a request, including reading its body.
	// Waits between retries and for pacing are not counted: the request's
	// context bounds those.
	Timeout time.Duration
	// Transport is the underlying transport; nil means http.DefaultTransport.
	// Tests use it to trust the emulator's TLS certificate.
	Transport http.RoundTripper
	// Concurrency is the most requests the client has in flight at once,
	// and so the most connections it opens to the API host; it keeps that
	// many idle for reuse. More requests wait, before their try's timeout
	// starts. Zero means DefaultConcurrent.
	Concurrency int
	// Pacing keeps requests under GitHub's secondary rate limits. The zero
	// Pacing paces at github.com's defaults; Pacing{Off: true} does not pace.
	Pacing Pacing
	// Retry retries what GitHub asks to be retried; its zero value retries
	// with the defaults, waiting on a real timer.
	Retry Retry
}

// API is a parsed, validated API base URL.
type API struct {
	// URL has a trailing slash, as go-github wants.
	URL *url.URL
	// GHES is true for a GitHub Enterprise Server base (/api/v3).
	GHES bool
}

// ParseAPIURL checks an api-url: absolute, https (http only for a loopback
// host), a port from 1 to 65535 if any, with no credentials, query or
// fragment. It is the one place an api-url is validated. Its errors quote
// the URL without userinfo, query or fragment, which may hold a token.
func ParseAPIURL(s string) (API, error) {
	if s == "" {
		s = DefaultURL
	}
	u, err := url.Parse(s)
	if err != nil {
		// url.Error quotes the whole URL; say only what is wrong with it.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return API{}, fmt.Errorf("api-url %q: %w", Redact(s), err)
	}
	shown := Redact(s)
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return API{}, fmt.Errorf("api-url %q: want an https:// URL such as %s or https://HOST/api/v3", shown, DefaultURL)
	case u.Host == "":
		return API{}, fmt.Errorf("api-url %q: missing host; want https://HOST or https://HOST/api/v3", shown)
	case u.User != nil:
		return API{}, fmt.Errorf("api-url %q: must not carry credentials; pass the token as a token", shown)
	case u.RawQuery != "" || u.ForceQuery:
		return API{}, fmt.Errorf("api-url %q: must not have a query (a token goes in the token input, never in the URL)", shown)
	case u.Fragment != "":
		return API{}, fmt.Errorf("api-url %q: must not have a fragment", shown)
	case u.Scheme == "http" && !IsLoopback(u.Hostname()):
		return API{}, fmt.Errorf("api-url %q: http:// is allowed only for loopback hosts; use https://", shown)
	}
	if p := u.Port(); p != "" || strings.HasSuffix(u.Host, ":") {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return API{}, fmt.Errorf("api-url %q: port %q must be a number from 1 to 65535", shown, p)
		}
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	if hint := misplacedAPI(u); hint != "" {
		return API{}, fmt.Errorf("api-url %q: %s", shown, hint)
	}
	return API{URL: u, GHES: strings.HasSuffix(u.Path, "/api/v3/")}, nil
}

// misplacedAPI says what is wrong with a URL that is certainly not where
// a GitHub API is, with the address that is: GitHub's web host for its
// API host, /api/v3 on github.com, /api/v3 written twice. A request there
// would only get a bare 404.
func misplacedAPI(u *url.URL) string {
	host := strings.ToLower(u.Hostname())
	switch {
	case host == "github.com" || host == "www.github.com":
		return "that is GitHub's web address; its API is " + DefaultURL
	case host == "api.github.com" && u.Path != "/":
		return "api.github.com serves the API at its root: use " + DefaultURL + " (/api/v3 is for GitHub Enterprise Server)"
	case strings.HasSuffix(host, ".ghe.com") && !strings.HasPrefix(host, "api."):
		return "that is the web address of a GHE.com enterprise; its API is https://api." + host
	case strings.Contains(u.Path, "/api/v3/api/v3"):
		return "the path repeats /api/v3: use https://" + u.Host + "/api/v3"
	}
	return ""
}

// Redact is an api-url as it may be shown: without userinfo, query or
// fragment, where a credential could hide. It works on text that is not a
// valid URL too.
func Redact(s string) string {
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i] + "?…"
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	end := strings.IndexByte(rest, '/')
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndexByte(rest[:end], '@'); at >= 0 {
		rest = "…@" + rest[at+1:]
	}
	return scheme + "://" + rest
}

// IsLoopback reports whether host names this machine.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// New builds a go-github client for api: the one way pat-action makes a
// client, authenticated, paced and retrying as o says.
func New(api API, o Options) *github.Client {
	ua := o.UserAgent
	if ua == "" {
		ua = "pat-action"
	}
	timeout := o.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	conc := o.Concurrency
	if conc <= 0 {
		conc = DefaultConcurrent
	}
	var rt http.RoundTripper = &transport{base: pooled(o.Transport, conc), token: o.Token, host: api.URL.Host, scheme: api.URL.Scheme, userAgent: ua, maxBody: maxBody}
	rt = perTry{next: rt, timeout: timeout}
	rt = &inFlight{next: rt, slots: make(chan struct{}, conc)}
	// Retry above Pacing, so that every retry is paced too.
	rt = o.Retry.Wrap(o.Pacing.Wrap(rt))
	hc := &http.Client{Transport: rt, CheckRedirect: checkRedirect(api.URL)}
	c := github.NewClient(hc)
	c.BaseURL = api.URL
	c.UserAgent = ua
	return c
}

// pooled is base (http.DefaultTransport when nil) with at most conc
// connections to a host, all kept for reuse when idle. The default keeps 2
// idle, so that at a concurrency of 100 nearly every request opened a new
// connection; and without a cap, a request sent while another's connection
// is on its way back to the pool opens one more. Requests over the cap wait
// for a connection (go-github closes every body, so one is always coming).
// A transport that is not an *http.Transport is used as it is.
func pooled(base http.RoundTripper, conc int) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	t, ok := base.(*http.Transport)
	if !ok {
		return base
	}
	t = t.Clone()
	t.MaxIdleConnsPerHost = conc
	t.MaxConnsPerHost = conc
	if t.MaxIdleConns != 0 && t.MaxIdleConns < conc {
		t.MaxIdleConns = conc
	}
	return t
}

// RedirectError is a redirect pat-action refused: to another host or
// scheme than the API's, where neither the request nor its answer belong.
type RedirectError struct {
	// Status is the redirect's status code.
	Status int
	// Host is where it pointed: scheme and host, never path or query.
	Host string
	// API is the API's host.
	API string
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("refusing a %d redirect to another host, %s: pat-action sends requests only to the API host %s (check api-url, or a proxy in between)", e.Status, e.Host, e.API)
}

// checkRedirect refuses a redirect to any host or scheme but the API's,
// whatever the method or status: another host's answer is not GitHub's,
// and a 307 or 308 would send it a write's body. transport refuses them
// first; this holds if it is ever bypassed. A redirect on the API host (a
// renamed repository's 301) is followed, at most 5 times.
func checkRedirect(api *url.URL) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if !strings.EqualFold(req.URL.Host, api.Host) || req.URL.Scheme != api.Scheme {
			e := &RedirectError{Host: req.URL.Scheme + "://" + req.URL.Host, API: api.Host}
			if req.Response != nil {
				e.Status = req.Response.StatusCode
			}
			return e
		}
		if len(via) >= 5 {
			return errors.New("stopped after 5 redirects")
		}
		return nil
	}
}

// inFlight holds requests beyond the connection cap until one is free, so
// that the time spent queueing does not count against a try's deadline:
// the transport's own wait for a connection, which would, stays short.
type inFlight struct {
	next  http.RoundTripper
	slots chan struct{}
}

func (l *inFlight) RoundTrip(req *http.Request) (*http.Response, error) {
	select {
	case l.slots <- struct{}{}:
	case <-req.Context().Done():
		closeBody(req)
		return nil, fmt.Errorf("wait for a free connection: %w", req.Context().Err())
	}
	resp, err := l.next.RoundTrip(req)
	if err != nil {
		<-l.slots
		return nil, err
	}
	resp.Body = &slotBody{ReadCloser: resp.Body, release: sync.OnceFunc(func() { <-l.slots })}
	return resp, nil
}

// transport adds GitHub's headers (and one Accept) to every request and the token only to
// requests for the API host, so that a redirect elsewhere never carries it
// (the class of bug of go-github #4190).
type transport struct {
	base         http.RoundTripper
	token        string
	host, scheme string
	userAgent    string
	maxBody      int64 // the most of an answer read
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Header.Del("Authorization")
	// go-github v45 still asks for preview media types on some list calls
	// (mercy-preview, squirrel-girl-preview); GitHub retired them.
	r.Header.Set("Accept", "application/vnd.github+json")
	r.Header.Set("User-Agent", t.userAgent)
	r.Header.Set("X-GitHub-Api-Version", APIVersion)
	if t.token != "" && strings.EqualFold(r.URL.Host, t.host) && r.URL.Scheme == t.scheme {
		r.Header.Set("Authorization", "Bearer "+t.token)
	}
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	if e := t.elsewhere(resp); e != nil {
		drain(resp)
		return nil, e
	}
	tooLarge := &TooLargeError{Method: req.Method, Path: req.URL.Path, Limit: t.maxBody}
	if resp.ContentLength > t.maxBody {
		resp.Body.Close()
		return nil, tooLarge
	}
	resp.Body = &cappedBody{ReadCloser: resp.Body, left: t.maxBody, err: tooLarge}
	return resp, nil
}

// TooLargeError is an answer longer than MaxResponseBody.
type TooLargeError struct {
	Method, Path string
	Limit        int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("the answer to %s %s is larger than %d MiB, far more than GitHub sends: refused (check api-url, or a proxy in between)", e.Method, e.Path, e.Limit>>20)
}

// cappedBody ends a body at MaxResponseBody with a TooLargeError, so
// that no answer is held or read without end.
type cappedBody struct {
	io.ReadCloser
	left int64
	err  error
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// At the cap: the body is too large if anything follows.
		var one [1]byte
		if n, err := b.ReadCloser.Read(one[:]); n == 0 {
			return 0, err
		}
		return 0, b.err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

// elsewhere is the error for a redirect off the API host, nil for any
// other response. It is refused here, before http.Client follows it, so
// that the error quotes the request's URL, not the redirect's (whose query
// may carry anything).
func (t *transport) elsewhere(resp *http.Response) error {
	switch resp.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
	default:
		return nil
	}
	loc, err := resp.Location()
	if err != nil {
		return nil // no usable Location: http.Client returns the response as it is
	}
	if strings.EqualFold(loc.Host, t.host) && loc.Scheme == t.scheme {
		return nil
	}
	return &RedirectError{Status: resp.StatusCode, Host: loc.Scheme + "://" + loc.Host, API: t.host}
}

// perTry gives each try of a request its own deadline, under any retries
// and pacing, so a minute's wait for a rate limit is not cut short while a
// hung connection still is.
type perTry struct {
	next    http.RoundTripper
	timeout time.Duration
}

func (p perTry) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), p.timeout)
	resp, err := p.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		if errors.Is(ctx.Err(), context.DeadlineExceeded) && req.Context().Err() == nil {
			// This try's deadline, not the request's: worth another try.
			return nil, &TryTimeoutError{After: p.timeout}
		}
		return nil, err
	}
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// TryTimeoutError is a try that got no answer within its timeout. Retry
// tries again, as after a 5xx.
type TryTimeoutError struct {
	// After is the per-try timeout.
	After time.Duration
}

func (e *TryTimeoutError) Error() string {
	return fmt.Sprintf("no answer within %s (deadline exceeded)", e.After)
}

// Timeout makes it a net.Error that timed out.
func (e *TryTimeoutError) Timeout() bool { return true }

// Temporary is part of net.Error.
func (e *TryTimeoutError) Temporary() bool { return true }

// cancelBody releases the try's deadline when the body is closed. It reads
// what is left of a small body first: a body closed before its end costs
// its connection, and go-github's JSON decoder may stop short of a
// trailing newline.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	io.Copy(io.Discard, io.LimitReader(b.ReadCloser, bodyPeek))
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
