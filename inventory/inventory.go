// Package inventory lists the tokens that can reach an organization and
// holds each against a policy.
package inventory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/google/go-github/v45/github"
	"github.com/pat-action/pat-action/ghclient"
	rows "github.com/pat-action/pat-action/internal/result"
)

// Kind is what sort of access a token has to the organization.
type Kind string

// The kinds of the JSON report.
const (
	// FineGrained is a fine-grained PAT granted access to the organization.
	FineGrained Kind = "fine-grained"
	// Request is a fine-grained PAT's pending request for access.
	Request Kind = "request"
	// ClassicSSO is a classic PAT authorized for the organization's SAML
	// single sign-on.
	ClassicSSO Kind = "classic-sso"
)

// Action is what the run did, or would do, about a token.
type Action string

// The actions of the JSON report.
const (
	None        Action = "none"
	WouldRevoke Action = "would-revoke"
	Revoked     Action = "revoked"
	WouldDeny   Action = "would-deny"
	Denied      Action = "denied"
)

// Token is one token that can reach the organization, as the organization
// sees it (never its value), and how it stands against the policy.
type Token struct {
	Kind Kind `json:"kind"`
	// ID is the grant's pat_id, the request's pat_request_id or the SAML
	// authorization's credential_id.
	ID    int64  `json:"id"`
	Owner string `json:"owner"`
	// Name is a fine-grained token's name or a classic token's note.
	Name string `json:"name,omitempty"`
	// ExpiresAt and LastUsedAt are nil for never.
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	// Permissions are a fine-grained token's, by name; Scopes a classic
	// token's.
	Permissions         map[string]string `json:"permissions,omitempty"`
	Scopes              []string          `json:"scopes,omitempty"`
	RepositorySelection string            `json:"repository_selection,omitempty"`
	Passed              bool              `json:"passed"`
	// Reasons say why the token fails, each starting with its rule's name.
	Reasons []string `json:"reasons"`
	Action  Action   `json:"action"`

	// since is when the access was granted, requested or authorized: the
	// idle time of a token never used counts from it.
	since *time.Time
}

// Summary counts the inventory.
type Summary struct {
	Total   int `json:"total"`
	Failed  int `json:"failed"`
	Revoked int `json:"revoked"`
	Denied  int `json:"denied"`
}

// Result is an inventory run.
type Result struct {
	Tokens  []Token `json:"tokens"`
	Summary Summary `json:"summary"`
	// SAML says how the classic tokens were listed: "listed", "none" (the
	// organization has no SAML single sign-on), "unavailable" (GitHub
	// Enterprise Server has no such list) or "failed".
	SAML string `json:"saml"`
	// Problems are the tokens GitHub refused to act on, one each.
	Problems []rows.Problem `json:"problems"`
}

// ErrLeft is a run that leaves failing tokens as they are: the policy
// failed.
var ErrLeft = errors.New("tokens fail the policy")

// Enforce is what a run does about failing tokens.
type Enforce string

// The values of the enforce input.
const (
	Report       Enforce = "report"
	DenyRequests Enforce = "deny-requests"
	Revoke       Enforce = "revoke"
)

// DefaultMaxRevocations is the most tokens (fine-grained PATs and classic
// PATs authorized for SAML together) one run revokes without Force: a
// policy typo must not lock a whole organization out.
const DefaultMaxRevocations = 20

// Options are an inventory run.
type Options struct {
	// Client is authenticated as a GitHub App installation on Org: GitHub
	// serves the fine-grained PAT endpoints to Apps alone. Removing a SAML
	// authorization needs its organization Administration write.
	Client *github.Client
	Org    string
	Policy Policy
	// Enforce is report, deny-requests or revoke.
	Enforce Enforce
	// DryRun reports would-revoke and would-deny and changes nothing.
	DryRun bool
	// MaxRevocations caps revocations per run, of both kinds together,
	// unless Force.
	MaxRevocations int
	Force          bool
	// NoSAML skips the SAML credential authorizations, which GitHub
	// Enterprise Server does not have.
	NoSAML bool
	Now    func() time.Time
}

// Run lists every token that can reach the organization, holds each
// against the policy and, as Enforce says, denies failing requests,
// revokes failing fine-grained PATs and removes the SAML authorization of
// failing classic PATs. It returns an error wrapping ErrLeft when failing
// tokens are left as they are, and any other error when GitHub failed; the
// result is filled as far as the run got.
func Run(ctx context.Context, o Options) (*Result, error) {
	res := &Result{Tokens: []Token{}, SAML: "listed", Problems: []rows.Problem{}}
	granted, err := ListGranted(ctx, o.Client, o.Org)
	if err != nil {
		return res, err
	}
	requests, err := listGrants(ctx, o.Client, o.Org, Request)
	if err != nil {
		return res, err
	}
	// The SAML list needs another permission than the others: when it
	// fails, the fine-grained tokens are still held to the policy.
	var classic []Token
	var errs []error
	switch {
	case o.NoSAML:
		res.SAML = "unavailable"
	default:
		classic, err = listSSO(ctx, o.Client, o.Org)
		switch {
		case errors.Is(err, errNoSAML):
			res.SAML = "none"
		case err != nil:
			res.SAML = "failed"
			errs = append(errs, err)
		}
	}
	now := o.Now()
	all := append(append(granted, requests...), classic...)
	for i := range all {
		o.Policy.Evaluate(&all[i], now)
		all[i].Action = None
	}
	res.Tokens = all
	errs = append(errs, enforce(ctx, o, res)...)
	res.Summary = summarize(res.Tokens)
	left := 0
	for _, t := range res.Tokens {
		if !t.Passed && t.Action != Revoked && t.Action != Denied {
			left++
		}
	}
	if left > 0 {
		errs = append(errs, fmt.Errorf("%w: %d of %d tokens fail and were left as they are", ErrLeft, left, len(res.Tokens)))
	}
	return res, errors.Join(errs...)
}

func summarize(tokens []Token) Summary {
	s := Summary{Total: len(tokens)}
	for _, t := range tokens {
		if !t.Passed {
			s.Failed++
		}
		switch t.Action {
		case Revoked:
			s.Revoked++
		case Denied:
			s.Denied++
		}
	}
	return s
}

// getAll reads every page of a list, 100 at a time: an organization with
// 5,000 tokens costs 50 requests.
func getAll[T any](ctx context.Context, c *github.Client, path string, each func(T)) error {
	return ghclient.EachPage("list "+path, func(page int) (*github.Response, error) {
		req, err := c.NewRequest(http.MethodGet, fmt.Sprintf("%s?per_page=100&page=%d", path, page), nil)
		if err != nil {
			return nil, err
		}
		var items []T
		resp, err := c.Do(ctx, req, &items)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			each(it)
		}
		return resp, nil
	})
}

// sortTokens orders a list's tokens by owner, then id, so reports read
// the same run after run.
func sortTokens(ts []Token) {
	sort.SliceStable(ts, func(i, j int) bool {
		if ts[i].Owner != ts[j].Owner {
			return ts[i].Owner < ts[j].Owner
		}
		return ts[i].ID < ts[j].ID
	})
}

// MarshalJSON writes a fine-grained token's permissions (never its scopes)
// and a classic token's scopes (never its permissions), each as an empty
// object or list rather than absent when there are none.
func (t Token) MarshalJSON() ([]byte, error) {
	type plain Token
	var perms, scopes any
	if t.Kind == ClassicSSO {
		s := t.Scopes
		if s == nil {
			s = []string{}
		}
		scopes = s
	} else {
		p := t.Permissions
		if p == nil {
			p = map[string]string{}
		}
		perms = p
	}
	return json.Marshal(struct {
		plain
		Permissions any `json:"permissions,omitempty"`
		Scopes      any `json:"scopes,omitempty"`
	}{plain(t), perms, scopes})
}
