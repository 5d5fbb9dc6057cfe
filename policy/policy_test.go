package policy

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pat-action/pat-action/token"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func classic(scopes ...string) token.Info {
	return token.Info{Type: token.Classic, Scopes: scopes, HasScopes: true}
}

func expiring(info token.Info, in time.Duration) token.Info {
	at := now.Add(in)
	info.ExpiresAt = &at
	return info
}

// scopeOutcome is the scope part of a Result, with rule names and statuses
// but not messages, which the message tests cover.
type scopeOutcome struct {
	Passed                     bool
	Missing, Excess, Forbidden []string
	Rules                      map[string]Status
}

func outcome(r Result) scopeOutcome {
	o := scopeOutcome{Passed: r.Passed, Missing: r.MissingScopes, Excess: r.ExcessScopes, Forbidden: r.ForbiddenScopes, Rules: map[string]Status{}}
	for _, rule := range r.Rules {
		o.Rules[rule.Name] = rule.Status
	}
	return o
}

func TestEvaluateScopes(t *testing.T) {
	tests := []struct {
		name   string
		policy Policy
		info   token.Info
		want   scopeOutcome
	}{
		{
			name:   "repo satisfies public_repo",
			policy: Policy{RequiredScopes: []string{"public_repo"}, AllowedScopes: []string{"repo"}},
			info:   classic("repo"),
			want:   scopeOutcome{true, []string{}, []string{}, []string{}, map[string]Status{"token-type": "pass", "required-scopes": "pass", "allowed-scopes": "pass", "expiry": "pass"}},
		},
		{
			name:   "public_repo does not satisfy repo",
			policy: Policy{RequiredScopes: []string{"repo"}},
			info:   classic("public_repo"),
			want:   scopeOutcome{false, []string{"repo"}, []string{}, []string{}, map[string]Status{"token-type": "pass", "required-scopes": "fail", "allowed-scopes": "pass", "expiry": "pass"}},
		},
		{
			name:   "admin:org is over-broad when only read:org is allowed",
			policy: Policy{AllowedScopes: []string{"read:org"}},
			info:   classic("admin:org"),
			want:   scopeOutcome{false, []string{}, []string{"admin:org"}, []string{}, map[string]Status{"token-type": "pass", "allowed-scopes": "fail", "expiry": "pass"}},
		},
		{
			name:   "allowed defaults to required",
			policy: Policy{RequiredScopes: []string{"repo"}},
			info:   classic("repo", "workflow", "delete_repo"),
			want:   scopeOutcome{false, []string{}, []string{"delete_repo", "workflow"}, []string{}, map[string]Status{"token-type": "pass", "required-scopes": "pass", "allowed-scopes": "fail", "expiry": "pass"}},
		},
		{
			name:   "no upper bound without required or allowed",
			policy: Policy{},
			info:   classic("repo", "admin:org", "delete_repo"),
			want:   scopeOutcome{true, []string{}, []string{}, []string{}, map[string]Status{"token-type": "pass", "expiry": "pass"}},
		},
		{
			name:   "empty allowed list allows nothing",
			policy: Policy{AllowedScopes: []string{}},
			info:   classic("gist"),
			want:   scopeOutcome{false, []string{}, []string{"gist"}, []string{}, map[string]Status{"token-type": "pass", "allowed-scopes": "fail", "expiry": "pass"}},
		},
		{
			name:   "forbidding read:org catches admin:org",
			policy: Policy{ForbiddenScopes: []string{"read:org"}},
			info:   classic("repo", "admin:org"),
			want:   scopeOutcome{false, []string{}, []string{}, []string{"admin:org"}, map[string]Status{"token-type": "pass", "forbidden-scopes": "fail", "expiry": "pass"}},
		},
		{
			name:   "forbidding admin:org does not catch read:org",
			policy: Policy{ForbiddenScopes: []string{"admin:org"}},
			info:   classic("read:org"),
			want:   scopeOutcome{true, []string{}, []string{}, []string{}, map[string]Status{"token-type": "pass", "forbidden-scopes": "pass", "expiry": "pass"}},
		},
		{
			name:   "write:packages implies read:packages",
			policy: Policy{RequiredScopes: []string{"read:packages"}, AllowedScopes: []string{"write:packages"}},
			info:   classic("write:packages"),
			want:   scopeOutcome{true, []string{}, []string{}, []string{}, map[string]Status{"token-type": "pass", "required-scopes": "pass", "allowed-scopes": "pass", "expiry": "pass"}},
		},
		{
			name:   "write:packages does not imply delete:packages",
			policy: Policy{RequiredScopes: []string{"delete:packages"}, AllowedScopes: []string{"write:packages", "delete:packages"}},
			info:   classic("write:packages"),
			want:   scopeOutcome{false, []string{"delete:packages"}, []string{}, []string{}, map[string]Status{"token-type": "pass", "required-scopes": "fail", "allowed-scopes": "pass", "expiry": "pass"}},
		},
		{
			name:   "admin:repo_hook satisfies read:repo_hook through write",
			policy: Policy{RequiredScopes: []string{"read:repo_hook"}, AllowedScopes: []string{"write:repo_hook"}},
			info:   classic("admin:repo_hook"),
			want:   scopeOutcome{false, []string{}, []string{"admin:repo_hook"}, []string{}, map[string]Status{"token-type": "pass", "required-scopes": "pass", "allowed-scopes": "fail", "expiry": "pass"}},
		},
		{
			name:   "user includes user:email and read:user",
			policy: Policy{RequiredScopes: []string{"user:email", "read:user"}, AllowedScopes: []string{"user"}},
			info:   classic("user"),
			want:   scopeOutcome{true, []string{}, []string{}, []string{}, map[string]Status{"token-type": "pass", "required-scopes": "pass", "allowed-scopes": "pass", "expiry": "pass"}},
		},
		{
			name:   "GitHub's normalised form is compared expanded",
			policy: Policy{RequiredScopes: []string{"user", "user:email"}},
			info:   classic("user"),
			want:   scopeOutcome{true, []string{}, []string{}, []string{}, map[string]Status{"token-type": "pass", "required-scopes": "pass", "allowed-scopes": "pass", "expiry": "pass"}},
		},
		{
			name:   "missing and excess are sorted",
			policy: Policy{RequiredScopes: []string{"workflow", "gist", "repo"}},
			info:   classic("repo", "notifications", "delete_repo"),
			want:   scopeOutcome{false, []string{"gist", "workflow"}, []string{"delete_repo", "notifications"}, []string{}, map[string]Status{"token-type": "pass", "required-scopes": "fail", "allowed-scopes": "fail", "expiry": "pass"}},
		},
		{
			name:   "classic token with no scopes",
			policy: Policy{RequiredScopes: []string{"repo"}, ForbiddenScopes: []string{"delete_repo"}},
			info:   classic(),
			want:   scopeOutcome{false, []string{"repo"}, []string{}, []string{}, map[string]Status{"token-type": "pass", "required-scopes": "fail", "allowed-scopes": "pass", "forbidden-scopes": "pass", "expiry": "pass"}},
		},
		{
			name:   "fine-grained token skips scope rules when reach is checked",
			policy: Policy{RequiredScopes: []string{"repo"}, ForbiddenScopes: []string{"delete_repo"}, ReachChecked: true},
			info:   token.Info{Type: token.FineGrained},
			want:   scopeOutcome{true, []string{}, []string{}, []string{}, map[string]Status{"token-type": "pass", "required-scopes": "skip", "allowed-scopes": "skip", "forbidden-scopes": "skip", "expiry": "pass"}},
		},
		// A scope policy that cannot apply must not pass vacuously.
		{
			name:   "fine-grained token fails scope rules with nothing checked instead",
			policy: Policy{RequiredScopes: []string{"repo"}, ForbiddenScopes: []string{"delete_repo"}},
			info:   token.Info{Type: token.FineGrained},
			want:   scopeOutcome{false, []string{}, []string{}, []string{}, map[string]Status{"token-type": "pass", "required-scopes": "fail", "allowed-scopes": "fail", "forbidden-scopes": "fail", "expiry": "pass"}},
		},
		{
			name:   "app token fails forbidden-scopes with nothing checked instead",
			policy: Policy{ForbiddenScopes: []string{"delete_repo"}},
			info:   token.Info{Type: token.App},
			want:   scopeOutcome{false, []string{}, []string{}, []string{}, map[string]Status{"token-type": "pass", "forbidden-scopes": "fail", "expiry": "pass"}},
		},
		{
			name:   "user-to-server token fails allowed-scopes with nothing checked instead",
			policy: Policy{AllowedScopes: []string{"repo"}},
			info:   token.Info{Type: token.UserToServer},
			want:   scopeOutcome{false, []string{}, []string{}, []string{}, map[string]Status{"token-type": "pass", "allowed-scopes": "fail", "expiry": "pass"}},
		},
		{
			name:   "token type not allowed",
			policy: Policy{AllowedTokenTypes: []token.Type{token.FineGrained, token.App}},
			info:   classic("repo"),
			want:   scopeOutcome{false, []string{}, []string{}, []string{}, map[string]Status{"token-type": "fail", "expiry": "pass"}},
		},
		{
			name:   "token type allowed",
			policy: Policy{AllowedTokenTypes: []token.Type{token.Classic}},
			info:   classic("repo"),
			want:   scopeOutcome{true, []string{}, []string{}, []string{}, map[string]Status{"token-type": "pass", "expiry": "pass"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Evaluate(tt.policy, tt.info, now)
			if diff := cmp.Diff(tt.want, outcome(got)); diff != "" {
				t.Errorf("Evaluate mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvaluateRulesInOrder(t *testing.T) {
	p := Policy{
		RequiredScopes:    []string{"repo"},
		AllowedScopes:     []string{"repo", "workflow"},
		ForbiddenScopes:   []string{"delete_repo"},
		MinDaysLeft:       7,
		RequireExpiration: true,
		AllowedTokenTypes: []token.Type{token.Classic, token.FineGrained},
	}
	tests := []struct {
		name string
		info token.Info
		want []Rule
	}{
		{
			name: "classic",
			info: expiring(classic("repo", "admin:org"), 30*24*time.Hour),
			want: []Rule{
				{"token-type", "pass", "The token is a classic token, which allowed-token-types (classic, fine-grained) accepts."},
				{"required-scopes", "pass", "The token has every required scope (repo)."},
				{"allowed-scopes", "fail", "The token is over-broad: admin:org goes beyond allowed-scopes (repo, workflow)."},
				{"forbidden-scopes", "pass", "The token has none of the forbidden scopes (delete_repo)."},
				{"expiry", "pass", "The token expires at 2026-03-31T12:00:00Z, in 30 days."},
				{"require-expiration", "pass", "The token has an expiration date (2026-03-31T12:00:00Z)."},
			},
		},
		{
			name: "fine-grained",
			info: token.Info{Type: token.FineGrained},
			want: []Rule{
				{"token-type", "pass", "The token is a fine-grained token, which allowed-token-types (classic, fine-grained) accepts."},
				{"required-scopes", "fail", "Fine-grained tokens carry no OAuth scopes, so required-scopes cannot be checked and nothing would be: give repositories the token must reach instead, or drop required-scopes."},
				{"allowed-scopes", "fail", "Fine-grained tokens carry no OAuth scopes, so allowed-scopes cannot be checked and nothing would be: give repositories the token must reach instead, or drop allowed-scopes."},
				{"forbidden-scopes", "fail", "Fine-grained tokens carry no OAuth scopes, so forbidden-scopes cannot be checked and nothing would be: give repositories the token must reach instead, or drop forbidden-scopes."},
				{"expiry", "pass", "The token never expires."},
				{"require-expiration", "fail", "The token never expires, but require-expiration asks for one with an expiration date."},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Evaluate(p, tt.info, now)
			if diff := cmp.Diff(tt.want, got.Rules); diff != "" {
				t.Errorf("rules mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvaluateExpiry(t *testing.T) {
	const day = 24 * time.Hour
	type want struct {
		Passed   bool
		Expiry   Expiry
		DaysLeft *int
		Rules    map[string]Status
	}
	days := func(n int) *int { return &n }
	tests := []struct {
		name   string
		policy Policy
		info   token.Info
		want   want
	}{
		{"exactly min-days-left is not too soon", Policy{MinDaysLeft: 7}, expiring(classic(), 7*day),
			want{true, ExpiryWarning, days(7), map[string]Status{"token-type": "pass", "expiry": "warn"}}},
		{"a second under min-days-left is too soon", Policy{MinDaysLeft: 7}, expiring(classic(), 7*day-time.Second),
			want{false, ExpiryTooSoon, days(6), map[string]Status{"token-type": "pass", "expiry": "fail"}}},
		{"exactly twice min-days-left is ok", Policy{MinDaysLeft: 7}, expiring(classic(), 14*day),
			want{true, ExpiryOK, days(14), map[string]Status{"token-type": "pass", "expiry": "pass"}}},
		{"a second under twice min-days-left warns", Policy{MinDaysLeft: 7}, expiring(classic(), 14*day-time.Second),
			want{true, ExpiryWarning, days(13), map[string]Status{"token-type": "pass", "expiry": "warn"}}},
		{"expires now is expired", Policy{MinDaysLeft: 7}, expiring(classic(), 0),
			want{false, ExpiryExpired, days(0), map[string]Status{"token-type": "pass", "expiry": "fail"}}},
		{"expired a second ago", Policy{}, expiring(classic(), -time.Second),
			want{false, ExpiryExpired, days(-1), map[string]Status{"token-type": "pass", "expiry": "fail"}}},
		{"min-days-left 0 passes a token with a second left", Policy{}, expiring(classic(), time.Second),
			want{true, ExpiryOK, days(0), map[string]Status{"token-type": "pass", "expiry": "pass"}}},
		{"never expires", Policy{MinDaysLeft: 7}, classic(),
			want{true, ExpiryNone, nil, map[string]Status{"token-type": "pass", "expiry": "pass"}}},
		{"never expires with require-expiration", Policy{MinDaysLeft: 7, RequireExpiration: true}, classic(),
			want{false, ExpiryNone, nil, map[string]Status{"token-type": "pass", "expiry": "pass", "require-expiration": "fail"}}},
		{"expiring with require-expiration", Policy{MinDaysLeft: 7, RequireExpiration: true}, expiring(classic(), 90*day),
			want{true, ExpiryOK, days(90), map[string]Status{"token-type": "pass", "expiry": "pass", "require-expiration": "pass"}}},
		{"app token expiring in 1h passes", Policy{MinDaysLeft: 7, RequireExpiration: true}, expiring(token.Info{Type: token.App}, time.Hour),
			want{true, ExpiryOK, days(0), map[string]Status{"token-type": "pass", "expiry": "pass", "require-expiration": "pass"}}},
		{"user-to-server token expiring in 8h passes", Policy{MinDaysLeft: 7}, expiring(token.Info{Type: token.UserToServer}, 8*time.Hour),
			want{true, ExpiryOK, days(0), map[string]Status{"token-type": "pass", "expiry": "pass"}}},
		{"expired app token fails", Policy{MinDaysLeft: 7}, expiring(token.Info{Type: token.App}, -time.Minute),
			want{false, ExpiryExpired, days(-1), map[string]Status{"token-type": "pass", "expiry": "fail"}}},
		{"fine-grained token is held to min-days-left", Policy{MinDaysLeft: 7}, expiring(token.Info{Type: token.FineGrained}, day),
			want{false, ExpiryTooSoon, days(1), map[string]Status{"token-type": "pass", "expiry": "fail"}}},
		// max-lifetime-days mirrors an organization's PAT lifetime policy.
		{"exactly max-lifetime-days passes", Policy{MinDaysLeft: 7, MaxLifetimeDays: 90}, expiring(classic(), 90*day),
			want{true, ExpiryOK, days(90), map[string]Status{"token-type": "pass", "expiry": "pass", "max-lifetime-days": "pass"}}},
		{"a second beyond max-lifetime-days fails", Policy{MinDaysLeft: 7, MaxLifetimeDays: 90}, expiring(classic(), 90*day+time.Second),
			want{false, ExpiryOK, days(90), map[string]Status{"token-type": "pass", "expiry": "pass", "max-lifetime-days": "fail"}}},
		{"never expires with max-lifetime-days fails", Policy{MaxLifetimeDays: 90}, classic(),
			want{false, ExpiryNone, nil, map[string]Status{"token-type": "pass", "expiry": "pass", "max-lifetime-days": "fail"}}},
		{"a year-long fine-grained token beyond max-lifetime-days fails", Policy{MaxLifetimeDays: 30}, expiring(token.Info{Type: token.FineGrained}, 365*day),
			want{false, ExpiryOK, days(365), map[string]Status{"token-type": "pass", "expiry": "pass", "max-lifetime-days": "fail"}}},
		// The largest min-days-left Validate allows does not overflow: a
		// 30-day token is too soon.
		{"min-days-left at its bound fails a 30-day token", Policy{MinDaysLeft: MaxDays}, expiring(classic(), 30*day),
			want{false, ExpiryTooSoon, days(30), map[string]Status{"token-type": "pass", "expiry": "fail"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Evaluate(tt.policy, tt.info, now)
			got := want{Passed: r.Passed, Expiry: r.Expiry, DaysLeft: r.DaysLeft, Rules: map[string]Status{}}
			for _, rule := range r.Rules {
				got.Rules[rule.Name] = rule.Status
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Evaluate mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvaluateExpiryMessages(t *testing.T) {
	const day = 24 * time.Hour
	tests := []struct {
		name string
		info token.Info
		want string
	}{
		{"too soon", expiring(classic(), 3*day), "The token expires at 2026-03-04T12:00:00Z, in 3 days, within min-days-left (7 days); rotate it now."},
		{"warning", expiring(classic(), 10*day), "The token expires at 2026-03-11T12:00:00Z, in 10 days, within twice min-days-left (14 days); plan to rotate it."},
		{"last day", expiring(classic(), time.Hour), "The token expires at 2026-03-01T13:00:00Z, in less than a day, within min-days-left (7 days); rotate it now."},
		{"expired", expiring(classic(), -day), "The token expired at 2026-02-28T12:00:00Z; replace it."},
		{"short-lived", expiring(token.Info{Type: token.App}, time.Hour), "App tokens are short-lived by design; this one expires at 2026-03-01T13:00:00Z (in 1h0m0s), so min-days-left does not apply."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Evaluate(Policy{MinDaysLeft: 7}, tt.info, now)
			var got string
			for _, rule := range r.Rules {
				if rule.Name == RuleExpiry {
					got = rule.Message
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("expiry message mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDaysLeft(t *testing.T) {
	const day = 24 * time.Hour
	tests := []struct {
		name string
		in   time.Duration
		want int
	}{
		{"exactly seven days", 7 * day, 7},
		{"a second under seven days", 7*day - time.Second, 6},
		{"a second over seven days", 7*day + time.Second, 7},
		{"now", 0, 0},
		{"a second left", time.Second, 0},
		{"a second past", -time.Second, -1},
		{"exactly a day past", -day, -1},
		{"a day and a second past", -day - time.Second, -2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DaysLeft(now.Add(tt.in), now); got != tt.want {
				t.Errorf("DaysLeft(now%+v) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestResultAdd(t *testing.T) {
	r := Evaluate(Policy{}, token.Info{Type: token.FineGrained}, now)
	if !r.Passed {
		t.Fatal("empty policy failed a fine-grained token")
	}
	r.Add(Rule{Name: "repository", Status: StatusWarn, Message: "The token reaches acme/api."})
	if !r.Passed {
		t.Error("a warn rule failed the result")
	}
	r.Add(Rule{Name: "repository", Status: StatusFail, Message: "The token cannot reach acme/gone."})
	if r.Passed {
		t.Error("a fail rule left the result passed")
	}
	r.Add(Rule{Name: "repository", Status: StatusPass, Message: "The token reaches acme/web."})
	if r.Passed {
		t.Error("a pass rule after a fail made the result pass again")
	}
	if got := len(r.Rules); got != 5 {
		t.Errorf("got %d rules, want 5 (token-type, expiry and three added)", got)
	}
}

func TestResultJSON(t *testing.T) {
	r := Evaluate(Policy{MinDaysLeft: 7}, classic("repo"), now)
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"passed":           true,
		"missing_scopes":   []any{},
		"excess_scopes":    []any{},
		"forbidden_scopes": []any{},
		"expiry":           "none",
		"scopes_apply":     true,
		"rules": []any{
			map[string]any{"name": "token-type", "status": "pass", "message": "The token is a classic token; allowed-token-types does not limit the type."},
			map[string]any{"name": "expiry", "status": "pass", "message": "The token never expires."},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("JSON mismatch (-want +got):\n%s", diff)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		policy Policy
		want   []string // lines of the joined error; nil for no error
	}{
		{"empty", Policy{}, nil},
		{"consistent", Policy{
			RequiredScopes: []string{"public_repo", "read:org"}, AllowedScopes: []string{"repo", "admin:org"},
			ForbiddenScopes: []string{"delete_repo", "admin:org"}, MinDaysLeft: 7,
			AllowedTokenTypes: []token.Type{token.Classic, token.OAuth},
		}, nil},
		{"negative min-days-left", Policy{MinDaysLeft: -1},
			[]string{"min-days-left -1: must be 0 or more"}},
		// 106752 days overflow a time.Duration and passed a 30-day token.
		{"min-days-left that would overflow", Policy{MinDaysLeft: 106752},
			[]string{"min-days-left 106752: want a number of days from 0 to 3650"}},
		{"negative max-lifetime-days", Policy{MaxLifetimeDays: -1},
			[]string{"max-lifetime-days -1: want a number of days from 1 to 3650"}},
		{"max-lifetime-days beyond the bound", Policy{MaxLifetimeDays: 3651},
			[]string{"max-lifetime-days 3651: want a number of days from 1 to 3650"}},
		{"max-lifetime-days not above min-days-left", Policy{MinDaysLeft: 30, MaxLifetimeDays: 30},
			[]string{"max-lifetime-days 30 is not above min-days-left 30: no token could pass both; raise max-lifetime-days or lower min-days-left"}},
		{"unknown required scope", Policy{RequiredScopes: []string{"repos"}},
			[]string{`required-scopes: unknown scope "repos" (did you mean "repo"?)`}},
		{"unknown allowed scope", Policy{AllowedScopes: []string{"read_org"}},
			[]string{`allowed-scopes: unknown scope "read_org" (did you mean "read:org"?)`}},
		{"unknown forbidden scope", Policy{ForbiddenScopes: []string{"xyz"}},
			[]string{`forbidden-scopes: unknown scope "xyz" (known scopes: see ` + scopesDocs + `)`}},
		{"unknown token type", Policy{AllowedTokenTypes: []token.Type{"fine_grained"}},
			[]string{`allowed-token-types: unknown token type "fine_grained" (did you mean "fine-grained"?): must be one of classic, fine-grained, oauth, app, user-to-server`}},
		{"refresh is not an allowed type", Policy{AllowedTokenTypes: []token.Type{token.Refresh}},
			[]string{`allowed-token-types: unknown token type "refresh": must be one of classic, fine-grained, oauth, app, user-to-server`}},
		{"required beyond allowed", Policy{RequiredScopes: []string{"repo"}, AllowedScopes: []string{"public_repo"}},
			[]string{`required-scopes: "repo" is not within allowed-scopes (it brings in repo, repo:invite, repo:status, repo_deployment, security_events): add "repo" to allowed-scopes or drop it from required-scopes`}},
		{"required beyond empty allowed", Policy{RequiredScopes: []string{"gist"}, AllowedScopes: []string{}},
			[]string{`required-scopes: "gist" is not within allowed-scopes (it brings in gist): add "gist" to allowed-scopes or drop it from required-scopes`}},
		{"required is forbidden", Policy{RequiredScopes: []string{"workflow"}, ForbiddenScopes: []string{"workflow"}},
			[]string{`required-scopes: "workflow" is forbidden by forbidden-scopes (through workflow): drop it from one of the two`}},
		{"required is forbidden through a child", Policy{RequiredScopes: []string{"admin:org"}, ForbiddenScopes: []string{"read:org"}},
			[]string{`required-scopes: "admin:org" is forbidden by forbidden-scopes (through read:org): drop it from one of the two`}},
		{"forbidding a parent leaves a required child", Policy{RequiredScopes: []string{"read:org"}, ForbiddenScopes: []string{"admin:org"}}, nil},
		{"all problems together", Policy{MinDaysLeft: -3, RequiredScopes: []string{"Repo"}, AllowedTokenTypes: []token.Type{"pat"}},
			[]string{
				"min-days-left -3: must be 0 or more",
				`required-scopes: unknown scope "Repo" (did you mean "repo"?)`,
				`allowed-token-types: unknown token type "pat": must be one of classic, fine-grained, oauth, app, user-to-server`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.policy.Validate()
			var got []string
			if err != nil {
				got = strings.Split(err.Error(), "\n")
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Validate mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidateUnwraps(t *testing.T) {
	err := Policy{RequiredScopes: []string{"repos"}, AllowedTokenTypes: []token.Type{"ap"}}.Validate()
	var se *UnknownScopeError
	if !errors.As(err, &se) || se.Suggestion != "repo" {
		t.Errorf("Validate error %v does not unwrap to the *UnknownScopeError for repos", err)
	}
	var te *UnknownTokenTypeError
	if !errors.As(err, &te) || te.Suggestion != "app" {
		t.Errorf("Validate error %v does not unwrap to the *UnknownTokenTypeError for ap", err)
	}
}

func TestParseTokenTypes(t *testing.T) {
	tests := []struct {
		name    string
		list    string
		want    []token.Type
		wantErr string
	}{
		{name: "empty", list: "", want: nil},
		{name: "all", list: "classic, fine-grained\noauth,app,user-to-server", want: []token.Type{"classic", "fine-grained", "oauth", "app", "user-to-server"}},
		{name: "duplicates", list: "app,classic,app", want: []token.Type{"app", "classic"}},
		{name: "underscore", list: "classic,fine_grained", wantErr: `unknown token type "fine_grained" (did you mean "fine-grained"?): must be one of classic, fine-grained, oauth, app, user-to-server`},
		{name: "case", list: "Classic", wantErr: `unknown token type "Classic" (did you mean "classic"?): must be one of classic, fine-grained, oauth, app, user-to-server`},
		{name: "far off", list: "pat", wantErr: `unknown token type "pat": must be one of classic, fine-grained, oauth, app, user-to-server`},
		{name: "refresh", list: "refresh", wantErr: `unknown token type "refresh": must be one of classic, fine-grained, oauth, app, user-to-server`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTokenTypes(tt.list)
			if tt.wantErr != "" {
				var te *UnknownTokenTypeError
				if !errors.As(err, &te) {
					t.Fatalf("ParseTokenTypes(%q) error = %v, want *UnknownTokenTypeError", tt.list, err)
				}
				if diff := cmp.Diff(tt.wantErr, err.Error()); diff != "" {
					t.Errorf("error mismatch (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseTokenTypes(%q): %v", tt.list, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseTokenTypes(%q) mismatch (-want +got):\n%s", tt.list, diff)
			}
		})
	}
}

func TestEvaluateScopeMessages(t *testing.T) {
	tests := []struct {
		name   string
		policy Policy
		info   token.Info
		want   []Rule
	}{
		{
			name:   "missing and default allowed",
			policy: Policy{RequiredScopes: []string{"repo", "workflow"}},
			info:   classic("repo", "gist"),
			want: []Rule{
				{"required-scopes", "fail", "The token lacks required scope workflow; it has repo, gist."},
				{"allowed-scopes", "fail", "The token is over-broad: gist goes beyond allowed-scopes (defaulting to required-scopes: repo, workflow)."},
			},
		},
		{
			name:   "no scopes at all",
			policy: Policy{RequiredScopes: []string{"repo"}, ForbiddenScopes: []string{"read:org"}},
			info:   classic(),
			want: []Rule{
				{"required-scopes", "fail", "The token lacks required scope repo; it has no scopes."},
				{"allowed-scopes", "pass", "The token's scopes stay within allowed-scopes (defaulting to required-scopes: repo)."},
				{"forbidden-scopes", "pass", "The token has none of the forbidden scopes (read:org)."},
			},
		},
		{
			name:   "forbidden through a parent",
			policy: Policy{ForbiddenScopes: []string{"read:org"}},
			info:   classic("admin:org", "repo"),
			want: []Rule{
				{"forbidden-scopes", "fail", "The token has a forbidden scope: admin:org (forbidden-scopes: read:org)."},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []Rule
			for _, r := range Evaluate(tt.policy, tt.info, now).Rules {
				if r.Name != RuleTokenType && r.Name != RuleExpiry {
					got = append(got, r)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rules mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
