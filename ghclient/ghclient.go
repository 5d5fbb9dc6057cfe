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
	"strings"
	"time"

	"github.com/google/go-github/v45/github"
)

// APIVersion is the REST API version pat-action is written against.
const APIVersion = "2022-11-28"

// DefaultURL is the public GitHub API.
const DefaultURL = "https://api.github.com"

// DefaultTimeout bounds every request when Options.Timeout is zero.
const DefaultTimeout = 30 * time.Second

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
	// Wrap, when set, wraps the authenticated transport, for pacing and retries.
	Wrap func(http.RoundTripper) http.RoundTripper
}

// API is a parsed, validated API base URL.
type API struct {
	// URL has a trailing slash, as go-github wants.
	URL *url.URL
	// GHES is true for a GitHub Enterprise Server base (/api/v3).
	GHES bool
}

// ParseAPIURL checks an api-url: absolute, https (http only for a loopback
// host), with no credentials, query or fragment.
func ParseAPIURL(s string) (API, error) {
	if s == "" {
		s = DefaultURL
	}
	u, err := url.Parse(s)
	if err != nil {
		return API{}, fmt.Errorf("api-url %q: %w", s, err)
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return API{}, fmt.Errorf("api-url %q: want an https:// URL such as %s or https://HOST/api/v3", s, DefaultURL)
	case u.Host == "":
		return API{}, fmt.Errorf("api-url %q: missing host; want https://HOST or https://HOST/api/v3", s)
	case u.User != nil:
		return API{}, fmt.Errorf("api-url %q: must not carry credentials; pass the token as a token", s)
	case u.RawQuery != "" || u.Fragment != "":
		return API{}, fmt.Errorf("api-url %q: must not have a query or fragment", s)
	case u.Scheme == "http" && !IsLoopback(u.Hostname()):
		return API{}, fmt.Errorf("api-url %q: http:// is allowed only for loopback hosts; use https://", s)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return API{URL: u, GHES: strings.HasSuffix(u.Path, "/api/v3/")}, nil
}

// IsLoopback reports whether host names this machine.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// New builds a go-github client for api.
func New(api API, o Options) *github.Client {
	base := o.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	ua := o.UserAgent
	if ua == "" {
		ua = "pat-action"
	}
	timeout := o.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	var rt http.RoundTripper = &transport{base: base, token: o.Token, host: api.URL.Host, scheme: api.URL.Scheme, userAgent: ua}
	rt = perTry{next: rt, timeout: timeout}
	if o.Wrap != nil {
		rt = o.Wrap(rt)
	}
	hc := &http.Client{Transport: rt, CheckRedirect: checkRedirect}
	c := github.NewClient(hc)
	c.BaseURL = api.URL
	c.UserAgent = ua
	return c
}

// checkRedirect refuses a redirect that downgrades to http or loops. The
// token is not at stake here: transport adds it per request, by host.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("stopped after 5 redirects")
	}
	if via[0].URL.Scheme == "https" && req.URL.Scheme != "https" {
		return fmt.Errorf("refusing redirect from https to %s", req.URL.Redacted())
	}
	return nil
}

// transport adds GitHub's headers to every request and the token only to
// requests for the API host, so that a redirect elsewhere never carries it
// (the class of bug of go-github #4190).
type transport struct {
	base         http.RoundTripper
	token        string
	host, scheme string
	userAgent    string
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Header.Del("Authorization")
	if r.Header.Get("Accept") == "" || r.Header.Get("Accept") == "application/vnd.github.v3+json" {
		r.Header.Set("Accept", "application/vnd.github+json")
	}
	r.Header.Set("User-Agent", t.userAgent)
	r.Header.Set("X-GitHub-Api-Version", APIVersion)
	if t.token != "" && strings.EqualFold(r.URL.Host, t.host) && r.URL.Scheme == t.scheme {
		r.Header.Set("Authorization", "Bearer "+t.token)
	}
	return t.base.RoundTrip(r)
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
		return nil, err
	}
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelBody releases the try's deadline when the body is closed.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
