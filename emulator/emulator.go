// Package emulator is pat-action's GitHub REST API emulator: it serves, over
// loopback HTTP, the operations pat-action uses, with the headers, status codes
// and rules GitHub has, so the product can be run and tested with no account.
package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Token is a token the emulator accepts.
type Token struct {
	// Value is the token itself; its prefix decides its type, as on GitHub.
	Value string
	// Login is the user (or app bot) the token belongs to.
	Login string
	// Scopes are classic scopes; only classic and OAuth tokens have them.
	Scopes []string
	// ExpiresAt is when the token stops working; zero means never.
	ExpiresAt time.Time
	// Repos limits a token without scopes (fine-grained, app,
	// user-to-server) to these "owner/repo" names; classic tokens reach every
	// repository.
	Repos []string
	// Permissions are a fine-grained or app token's permissions, such as
	// "secrets": "write".
	Permissions map[string]string
}

// HasScopes reports whether GitHub sends X-OAuth-Scopes for this token: only
// classic PATs, OAuth tokens and pre-2021 40-hex tokens carry scopes.
func (t *Token) HasScopes() bool {
	v := t.Value
	return strings.HasPrefix(v, "ghp_") || strings.HasPrefix(v, "gho_") || isHex40(v)
}

func isHex40(v string) bool {
	if len(v) != 40 {
		return false
	}
	for _, c := range v {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// Repo is a repository on the emulated GitHub.
type Repo struct {
	Owner, Name  string
	ID           int64
	Private      bool
	Archived     bool
	Topics       []string
	Environments []string
}

// FullName is "owner/name".
func (r *Repo) FullName() string { return r.Owner + "/" + r.Name }

// Request is one request the emulator received, for tests to assert on.
type Request struct {
	Method string
	// Operation is the matched operation ("PUT /repos/{owner}/{repo}/...")
	// or "" when the request matched none.
	Operation string
	Path      string
	// Query is the request's raw query string.
	Query string
	// Authorized is true when the request carried an Authorization header.
	Authorized bool
	// Status is the answer's status: 0 while none has started, or when the
	// connection was closed or abandoned instead.
	Status int
}

// Options configure a Server.
type Options struct {
	// GHES makes the server behave as GitHub Enterprise Server: the API is
	// under /api/v3, responses carry X-GitHub-Enterprise-Version, and
	// Codespaces do not exist.
	GHES bool
	// EnterpriseVersion is the GHES version reported; default "3.21.0".
	EnterpriseVersion string
	// Now is the emulator's clock; default time.Now.
	Now func() time.Time
	// NumericKeyID makes secrets public keys carry key_id as a JSON number,
	// as some GHES versions send it, instead of a string.
	NumericKeyID bool
	// Latency is added to every request; see SetLatency.
	Latency time.Duration
	// Limits are secondary rate limits; the zero Limits enforce none. See
	// SetLimits.
	Limits Limits
	// PrimaryLimit, when positive, is the number of requests allowed per
	// ResetAfter before GitHub's primary "API rate limit exceeded" 403. At
	// zero the x-ratelimit headers report GitHub's 5,000 but nothing is
	// refused. See SetPrimaryLimit.
	PrimaryLimit int
	// ResetAfter is the primary rate limit's window; default one hour.
	ResetAfter time.Duration
}

// Server is an emulated GitHub. It is safe for concurrent use.
type Server struct {
	opts Options
	mux  *http.ServeMux
	ops  []string
	opOf map[string]string // mux pattern -> operation
	rot  rotation          // deploy keys, issues and apps (repos.go)

	mu       sync.Mutex
	tokens   map[string]*Token
	repos    map[string]*Repo // by lower-case full name
	orgs     map[string]bool  // by lower-case login
	nextID   int64
	reqMu    sync.Mutex // guards requests alone: handlers holding mu answer
	requests []Request
	redirect map[string]string // path -> Location, for redirect tests
	// envCreated is when each environment created through the API was,
	// by lower-case "owner/repo/name" (environments.go).
	envCreated map[string]time.Time

	sec    secretStore // secrets.go
	vars   varStore    // variables.go
	lim    limiter     // limits.go
	faults faultQueue  // faults.go
	pat    pats        // pats.go, credentials.go
}

// New returns an empty emulated GitHub.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.GHES && opts.EnterpriseVersion == "" {
		opts.EnterpriseVersion = "3.21.0"
	}
	s := &Server{
		opts:     opts,
		mux:      http.NewServeMux(),
		opOf:     map[string]string{},
		tokens:   map[string]*Token{},
		repos:    map[string]*Repo{},
		orgs:     map[string]bool{},
		nextID:   1000,
		redirect: map[string]string{},
	}
	s.lim.configure(opts)
	s.routes()
	return s
}

// Start serves s on a loopback httptest server and returns it with the API
// base URL clients should use (with /api/v3 for GHES).
func (s *Server) Start() (srv *httptest.Server, apiURL string) {
	srv = httptest.NewServer(s)
	return srv, srv.URL + s.basePath()
}

// StartTLS is Start over TLS with httptest's self-signed certificate.
func (s *Server) StartTLS() (srv *httptest.Server, apiURL string) {
	srv = httptest.NewTLSServer(s)
	return srv, srv.URL + s.basePath()
}

func (s *Server) basePath() string {
	if s.opts.GHES {
		return "/api/v3"
	}
	return ""
}

// AddToken registers a token.
func (s *Server) AddToken(t Token) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tt := t
	s.tokens[t.Value] = &tt
}

// AddOrg registers an organization.
func (s *Server) AddOrg(login string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orgs[strings.ToLower(login)] = true
}

// AddRepo registers a repository, giving it an id when it has none, and
// returns the id.
func (s *Server) AddRepo(r Repo) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	rr := r
	if rr.ID == 0 {
		s.nextID++
		rr.ID = s.nextID
	}
	s.repos[strings.ToLower(rr.FullName())] = &rr
	return rr.ID
}

// Redirect makes a GET of path (under the API base, such as "/user") answer
// 307 to location, for tests that a redirect elsewhere never carries the token.
func (s *Server) Redirect(path, location string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.redirect[path] = location
}

// Requests returns every request received so far.
func (s *Server) Requests() []Request {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Unknown returns "METHOD path" of every request that matched no operation
// the emulator serves. A test fails when it is not empty.
func (s *Server) Unknown() []string {
	var out []string
	for _, r := range s.Requests() {
		if r.Operation == "" {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

// Operations lists the operations the emulator serves, sorted.
func (s *Server) Operations() []string {
	out := append([]string(nil), s.ops...)
	sort.Strings(out)
	return out
}

// ServeHTTP serves the API: it records the request, refuses one without a
// User-Agent as GitHub does, authenticates the token, applies the rate limits
// and any injected fault, sets the headers GitHub sets, and dispatches to the
// operation's handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The request is recorded as it arrives, before the client can have
	// any answer (or see its connection closed), so a test that counts
	// requests after a call returns sees them all; its status is filled in
	// as the answer starts.
	var op string
	api := s.stripBase(r) // nil outside the API, so op stays ""
	if api != nil {
		if _, pattern := s.mux.Handler(api); pattern != "" {
			op = s.opOf[pattern]
		}
	}
	i := s.record(r, op)
	rec := &recorder{ResponseWriter: w, status: http.StatusOK, start: func(status int) { s.answered(i, status) }}
	defer func() {
		if !rec.started {
			s.answered(i, rec.status)
		}
	}()
	if op == "" {
		writeError(rec, http.StatusNotFound, "Not Found")
		return
	}
	r = api
	if r.Header.Get("User-Agent") == "" {
		writeError(rec, http.StatusForbidden, "Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required).")
		return
	}
	if s.opts.GHES {
		rec.Header().Set("X-GitHub-Enterprise-Version", s.opts.EnterpriseVersion)
	}
	tok, status, msg := s.authenticate(r)
	if status != 0 && !isAppAuth(op, r) {
		writeError(rec, status, msg)
		return
	}
	if tok != nil {
		if tok.HasScopes() {
			rec.Header().Set("X-OAuth-Scopes", strings.Join(tok.Scopes, ", "))
		}
		if !tok.ExpiresAt.IsZero() {
			rec.Header().Set("GitHub-Authentication-Token-Expiration", tok.ExpiresAt.UTC().Format("2006-01-02 15:04:05 MST"))
		}
	}
	release, ok := s.admit(rec, r)
	defer release()
	if !ok {
		return
	}
	if r = s.fault(rec, r, op); r == nil {
		return
	}
	s.delay(r)
	s.mu.Lock()
	loc := s.redirect[r.URL.Path]
	s.mu.Unlock()
	if loc != "" && r.Method == http.MethodGet {
		http.Redirect(rec, r, loc, http.StatusTemporaryRedirect)
		return
	}
	if loseAnswer(r) {
		s.mux.ServeHTTP(&discard{}, r.WithContext(withToken(r.Context(), tok)))
		dropAnswer(rec)
		return
	}
	s.mux.ServeHTTP(rec, r.WithContext(withToken(r.Context(), tok)))
}

// stripBase removes the GHES /api/v3 prefix; it returns nil for a path
// outside the API.
func (s *Server) stripBase(r *http.Request) *http.Request {
	base := s.basePath()
	if base == "" {
		return r
	}
	if r.URL.Path != base && !strings.HasPrefix(r.URL.Path, base+"/") {
		return nil
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path = strings.TrimPrefix(r.URL.Path, base)
	if r2.URL.Path == "" {
		r2.URL.Path = "/"
	}
	if r.URL.RawPath != "" {
		r2.URL.RawPath = strings.TrimPrefix(r.URL.RawPath, base)
	}
	return r2
}

// authenticate finds the request's token. It returns a status and message
// when the request must be refused: 401 for an unknown or expired token, as
// GitHub answers "Bad credentials". No token at all is anonymous (nil).
func (s *Server) authenticate(r *http.Request) (*Token, int, string) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, 0, ""
	}
	scheme, value, ok := strings.Cut(h, " ")
	if !ok || (!strings.EqualFold(scheme, "bearer") && !strings.EqualFold(scheme, "token")) {
		return nil, http.StatusUnauthorized, "Bad credentials"
	}
	s.mu.Lock()
	tok := s.tokens[value]
	s.mu.Unlock()
	if tok == nil || s.expired(tok.ExpiresAt) {
		return nil, http.StatusUnauthorized, "Bad credentials"
	}
	return tok, 0, ""
}

// expired reports whether the emulator's clock has reached at, a token's
// expiry; the zero time never expires.
func (s *Server) expired(at time.Time) bool {
	return !at.IsZero() && !s.opts.Now().Before(at)
}

// record appends r, not yet answered, and returns its index.
func (s *Server) record(r *http.Request, op string) int {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	s.requests = append(s.requests, Request{
		Method:     r.Method,
		Operation:  op,
		Path:       r.URL.EscapedPath(),
		Query:      r.URL.RawQuery,
		Authorized: r.Header.Get("Authorization") != "",
	})
	return len(s.requests) - 1
}

// answered sets the status of the i-th request.
func (s *Server) answered(i, status int) {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	s.requests[i].Status = status
}

type recorder struct {
	http.ResponseWriter
	status  int
	start   func(status int)
	started bool
}

// Unwrap lets http.ResponseController reach the connection, for faults
// that reset it.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *recorder) WriteHeader(code int) {
	r.status = code
	if !r.started {
		r.started = true
		r.start(code)
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.started {
		r.WriteHeader(http.StatusOK)
	}
	return r.ResponseWriter.Write(b)
}

type tokenKey struct{}

func withToken(ctx context.Context, t *Token) context.Context {
	return context.WithValue(ctx, tokenKey{}, t)
}

func tokenOf(r *http.Request) *Token {
	t, _ := r.Context().Value(tokenKey{}).(*Token)
	return t
}

// handle registers op ("METHOD /path/{param}", exactly as in GitHub's
// operation list) with its handler.
func (s *Server) handle(op string, h http.HandlerFunc) {
	pattern := op
	if strings.HasSuffix(op, " /") {
		pattern += "{$}" // the root alone, not every path
	}
	s.ops = append(s.ops, op)
	s.opOf[pattern] = op
	s.mux.HandleFunc(pattern, h)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{
		"message":           msg,
		"documentation_url": "https://docs.github.com/rest",
		"status":            strconv.Itoa(status),
	})
}

func errorf(w http.ResponseWriter, status int, format string, a ...any) {
	writeError(w, status, fmt.Sprintf(format, a...))
}
