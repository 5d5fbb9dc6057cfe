package token

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-github/v45/github"
)

// ErrInvalid is wrapped by errors for a 401: GitHub does not accept the token.
var ErrInvalid = errors.New("invalid, expired or revoked token")

// Inspect reads what tok is with exactly one request through c, which must
// already send tok and point at the API base (with its trailing slash, so a
// GHES /api/v3/ base is honoured). With wantLogin it sends GET user and fills
// Login; otherwise it sends HEAD to the API root, which installation tokens
// may also call. Type and Legacy come from Classify(tok); Scopes, ExpiresAt
// and EnterpriseVersion come from the response headers.
//
// A 401 gives an error wrapping ErrInvalid; a 403 gives an error naming the
// permissions and scopes GitHub said the request needed.
func Inspect(ctx context.Context, c *github.Client, tok string, wantLogin bool) (Info, error) {
	method, path := http.MethodHead, ""
	var user *github.User
	var body any
	if wantLogin {
		method, path = http.MethodGet, "user"
		user = new(github.User)
		body = user
	}
	req, err := c.NewRequest(method, path, nil)
	if err != nil {
		return Info{}, fmt.Errorf("inspect token: %w", err)
	}
	resp, err := c.Do(ctx, req, body)
	if err != nil {
		return Info{}, fmt.Errorf("inspect token: %w", apiError(resp, err))
	}

	info := Info{Scopes: []string{}}
	info.Type, info.Legacy = Classify(tok)
	if user != nil {
		info.Login = user.GetLogin()
	}
	if v, ok := resp.Header[http.CanonicalHeaderKey(headerScopes)]; ok {
		info.HasScopes = true
		info.Scopes = ParseScopesHeader(strings.Join(v, ","))
	}
	if v := resp.Header.Get(headerExpiration); v != "" {
		exp, err := ParseExpiration(v)
		if err != nil {
			return Info{}, fmt.Errorf("inspect token: %w", err)
		}
		info.ExpiresAt = &exp
	}
	info.EnterpriseVersion = resp.Header.Get(headerEnterpriseVersion)
	return info, nil
}

// Reach reports whether the client's token reaches repository owner/repo
// (GET repos/{owner}/{repo}). It is the one check possible for tokens that
// carry no scopes. It returns nil on success; otherwise an error saying the
// repository was not found or not accessible (404), naming the accepted
// permissions (403), or wrapping ErrInvalid (401).
func Reach(ctx context.Context, c *github.Client, owner, repo string) error {
	if owner == "" || repo == "" || strings.Contains(owner, "/") || strings.Contains(repo, "/") {
		return fmt.Errorf("cannot reach %q/%q: want owner/repo", owner, repo)
	}
	req, err := c.NewRequest(http.MethodGet, "repos/"+url.PathEscape(owner)+"/"+url.PathEscape(repo), nil)
	if err != nil {
		return fmt.Errorf("cannot reach %s/%s: %w", owner, repo, err)
	}
	resp, err := c.Do(ctx, req, nil)
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusNotFound {
			return fmt.Errorf("cannot reach %s/%s: not found or no access (404)", owner, repo)
		}
		return fmt.Errorf("cannot reach %s/%s: %w", owner, repo, apiError(resp, err))
	}
	return nil
}

// apiError turns a failed response into an error: ErrInvalid for a 401, and
// for a 403 the original error with what GitHub said the request needed.
func apiError(resp *github.Response, err error) error {
	if resp == nil || resp.Response == nil {
		return err
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		return fmt.Errorf("%s %s: %w (401)", resp.Request.Method, resp.Request.URL.Redacted(), ErrInvalid)
	case http.StatusForbidden:
		var needs []string
		if v := resp.Header.Get(headerAcceptedPerms); v != "" {
			needs = append(needs, "accepted permissions: "+v)
		}
		if v := resp.Header.Get(headerAcceptedScopes); v != "" {
			needs = append(needs, "accepted OAuth scopes: "+v)
		}
		if len(needs) == 0 {
			return fmt.Errorf("forbidden (403): %w", err)
		}
		return fmt.Errorf("forbidden (403); %s: %w", strings.Join(needs, "; "), err)
	}
	return err
}
