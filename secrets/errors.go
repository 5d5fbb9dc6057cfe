package secrets

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-github/v45/github"

	"github.com/pat-action/pat-action/ghclient"
)

// status is the HTTP status of resp, or 0 when there was no response.
func status(resp *github.Response) int {
	if resp == nil || resp.Response == nil {
		return 0
	}
	return resp.StatusCode
}

// apiError is a failed request, said plainly: what the status means for the
// target and what GitHub said, without the request URL. It unwraps to the
// client's error.
type apiError struct {
	text string
	err  error
}

func (e *apiError) Error() string { return e.text }
func (e *apiError) Unwrap() error { return e.err }

// describe turns a failed request for t into an error that says what is
// wrong: 404 names what may be missing (what, or else t's container), 403
// names the scopes and permissions GitHub accepts.
func describe(resp *github.Response, err error, t Target, what string) error {
	code := status(resp)
	if code == 0 {
		return transportError(err)
	}
	msg := ""
	var er *github.ErrorResponse
	var rl *github.RateLimitError
	var al *github.AbuseRateLimitError
	switch {
	case errors.As(err, &er):
		msg = er.Message
		for _, e := range er.Errors {
			if e.Message != "" {
				msg += ": " + e.Message
			}
		}
	case errors.As(err, &rl):
		msg = rl.Message
	case errors.As(err, &al):
		msg = al.Message
	}
	var text string
	switch code {
	case http.StatusUnauthorized:
		text = "bad credentials: the token that writes secrets is invalid, expired or revoked (401)"
	case http.StatusNotFound:
		if what == "" {
			what = containerNoun(t)
		}
		text = what + " not found or token has no access (404)"
	case http.StatusForbidden:
		text = "forbidden (403)"
		if msg != "" {
			text += ": " + msg
		}
		if v := resp.Header.Get("X-Accepted-OAuth-Scopes"); v != "" {
			text += "; accepted OAuth scopes: " + v
		}
		if v := resp.Header.Get("X-Accepted-GitHub-Permissions"); v != "" {
			text += "; accepted permissions: " + v
		}
		return &apiError{text: text, err: err}
	default:
		text = fmt.Sprintf("%s (%d)", strings.ToLower(http.StatusText(code)), code)
	}
	if msg != "" && code != http.StatusNotFound && code != http.StatusUnauthorized {
		text += ": " + msg
	}
	return &apiError{text: text, err: err}
}

// transportError says plainly why a request got no usable response: the
// client's retries ran out (keeping the last status), or the network or the
// run's context failed. The request URL, which the target already names, is
// left out.
func transportError(err error) error {
	var re *ghclient.RetryError
	if errors.As(err, &re) {
		return &apiError{text: "gave up " + re.Error(), err: err}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return &apiError{text: ue.Err.Error(), err: err}
	}
	return err
}

// containerNoun names what a 404 for t says may be missing.
func containerNoun(t Target) string {
	switch t.Scope {
	case EnvScope:
		return "repository or environment"
	case OrgScope:
		return "organization"
	}
	return "repository"
}
