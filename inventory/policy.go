package inventory

import (
	"fmt"
	"slices"
	"time"

	"github.com/pat-action/pat-action/policy"
	"github.com/pat-action/pat-action/token"
)

// Policy is what every token that reaches the organization must satisfy.
// Zero values switch a rule off.
type Policy struct {
	// MaxLifetimeDays fails a token that expires more than this many days
	// from now, or never.
	MaxLifetimeDays int
	// RequireExpiration fails a token that never expires.
	RequireExpiration bool
	// MinDaysLeft fails a token that expires within this many days, or
	// has expired.
	MinDaysLeft int
	// ForbiddenPermissions fail a fine-grained token that holds any.
	ForbiddenPermissions []policy.Permission
	// ForbiddenScopes fail a classic token that has any, directly or
	// through a parent.
	ForbiddenScopes []string
	// MaxIdleDays fails a token last used longer ago (or, never used,
	// granted longer ago).
	MaxIdleDays int
	// AllowedTypes limits the token types (classic, fine-grained); empty
	// allows all.
	AllowedTypes []token.Type
}

// typeOf is a kind's token type, in allowed-token-types' words.
func typeOf(k Kind) token.Type {
	if k == ClassicSSO {
		return token.Classic
	}
	return token.FineGrained
}

// Evaluate holds t against p at now, setting Passed and Reasons.
func (p Policy) Evaluate(t *Token, now time.Time) {
	t.Reasons = []string{}
	fail := func(rule, format string, a ...any) {
		t.Reasons = append(t.Reasons, rule+": "+fmt.Sprintf(format, a...))
	}
	if typ := typeOf(t.Kind); len(p.AllowedTypes) > 0 && !slices.Contains(p.AllowedTypes, typ) {
		fail("allowed-token-types", "%s tokens are not allowed", typ)
	}
	if t.ExpiresAt == nil {
		if p.RequireExpiration {
			fail("require-expiration", "never expires")
		}
		if p.MaxLifetimeDays > 0 {
			fail("max-lifetime-days", "never expires, and may live at most %d days", p.MaxLifetimeDays)
		}
	} else {
		days := policy.DaysLeft(*t.ExpiresAt, now)
		switch {
		case !t.ExpiresAt.After(now):
			fail("expiry", "expired at %s", t.ExpiresAt.UTC().Format(time.RFC3339))
		case p.MinDaysLeft > 0 && t.ExpiresAt.Sub(now) < time.Duration(p.MinDaysLeft)*24*time.Hour:
			fail("min-days-left", "expires in %d days, within %d", days, p.MinDaysLeft)
		}
		if p.MaxLifetimeDays > 0 && policy.LivesBeyond(*t.ExpiresAt, now, p.MaxLifetimeDays) {
			fail("max-lifetime-days", "expires at %s, more than %d days from now", t.ExpiresAt.UTC().Format(time.RFC3339), p.MaxLifetimeDays)
		}
	}
	for _, fp := range p.ForbiddenPermissions {
		if level, ok := t.Permissions[fp.Name]; ok && fp.Grants(level) {
			fail("forbidden-permissions", "has %s:%s (%s is forbidden)", fp.Name, level, fp)
		}
	}
	if t.Kind == ClassicSSO && len(p.ForbiddenScopes) > 0 {
		have := policy.Expand(t.Scopes)
		for _, s := range p.ForbiddenScopes {
			if slices.Contains(have, s) {
				fail("forbidden-scopes", "has scope %s", s)
			}
		}
	}
	if p.MaxIdleDays > 0 {
		switch {
		case t.LastUsedAt != nil:
			if idle := -policy.DaysLeft(*t.LastUsedAt, now) - 1; idle > p.MaxIdleDays {
				fail("max-idle-days", "last used %d days ago, more than %d", idle, p.MaxIdleDays)
			}
		case t.since != nil:
			if idle := -policy.DaysLeft(*t.since, now) - 1; idle > p.MaxIdleDays {
				fail("max-idle-days", "never used, in %d days since access was given", idle)
			}
		}
	}
	t.Passed = len(t.Reasons) == 0
}
