package token

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Response headers GitHub uses to describe a token and what a request needed.
const (
	headerScopes            = "X-OAuth-Scopes"
	headerExpiration        = "GitHub-Authentication-Token-Expiration"
	headerEnterpriseVersion = "X-GitHub-Enterprise-Version"
	headerAcceptedPerms     = "X-Accepted-GitHub-Permissions"
	headerAcceptedScopes    = "X-Accepted-OAuth-Scopes"
)

// ParseScopesHeader splits an X-OAuth-Scopes value such as "repo, workflow"
// into its scopes. It tolerates extra spaces and commas and never returns nil:
// an empty header gives an empty list.
func ParseScopesHeader(h string) []string {
	scopes := strings.FieldsFunc(h, func(r rune) bool {
		return r == ',' || unicode.IsSpace(r)
	})
	if scopes == nil {
		return []string{}
	}
	return scopes
}

// expirationLayouts are the forms GitHub-Authentication-Token-Expiration takes.
// The hour is always 24-hour: go-github v45 parses it with "03" and so fails
// on afternoon times, which is why Response.TokenExpiration is not used.
var expirationLayouts = []string{
	"2006-01-02 15:04:05 UTC",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05 -07:00",
	time.RFC3339,
}

// ParseExpiration parses a GitHub-Authentication-Token-Expiration value:
// "2026-12-01 10:00:00 UTC", the numeric offset form "2026-12-01 10:00:00 +0900",
// or RFC 3339. The result is in UTC, truncated to the second.
func ParseExpiration(h string) (time.Time, error) {
	v := strings.TrimSpace(h)
	for _, layout := range expirationLayouts {
		t, err := time.Parse(layout, v)
		if err != nil {
			continue
		}
		t = t.UTC().Truncate(time.Second)
		// An offset can push year 0 or 9999 out of the range a
		// timestamp can be written in; no real expiry is there.
		if y := t.Year(); y < 1 || y > 9999 {
			return time.Time{}, fmt.Errorf("token expiration %q: year %d out of range", v, y)
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("token expiration %q: want \"2006-01-02 15:04:05 UTC\", a numeric offset instead of UTC, or RFC 3339", v)
}
