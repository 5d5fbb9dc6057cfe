package policy

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pat-action/pat-action/token"
)

// Policy is what a token must satisfy. Scope lists hold classic scope names;
// a parent scope satisfies and brings in its children, so all comparisons
// are between expanded sets.
type Policy struct {
	// RequiredScopes are scopes the token must have, directly or through a parent.
	RequiredScopes []string
	// AllowedScopes are the most the token may have. Nil means
	// RequiredScopes when those are set, and no upper bound otherwise; an
	// empty non-nil list allows no scope at all.
	AllowedScopes []string
	// ForbiddenScopes fail the token if it has any of them, directly or
	// through a parent.
	ForbiddenScopes []string
	// MinDaysLeft fails a token that expires within this many days and
	// warns about one that expires within twice that.
	MinDaysLeft int
	// RequireExpiration fails a token that never expires.
	RequireExpiration bool
	// MaxLifetimeDays, when above zero, fails a token that expires more
	// than this many days from now, or never (an organization's PAT
	// lifetime policy).
	MaxLifetimeDays int
	// AllowedTokenTypes limits the token's type; empty allows all.
	AllowedTokenTypes []token.Type
	// ReachChecked says the caller checks which repositories the token
	// reaches. For a token without OAuth scopes that is what stands in for
	// the scope rules; without it a scope rule cannot apply and fails,
	// since a policy must never pass without checking anything.
	ReachChecked bool
}

// MaxDays bounds every count of days in a policy: ten years, far beyond
// any token's lifetime, and far below where days overflow a duration.
const MaxDays = 3650

// allowed returns the effective upper bound on scopes and whether there is one.
func (p Policy) allowed() ([]string, bool) {
	switch {
	case p.AllowedScopes != nil:
		return p.AllowedScopes, true
	case len(p.RequiredScopes) > 0:
		return p.RequiredScopes, true
	}
	return nil, false
}

// Validate rejects a policy that is malformed or cannot be met, before any
// token is looked at. Each problem names its input and what would be right;
// all problems are returned together.
func (p Policy) Validate() error {
	var errs []error
	switch {
	case p.MinDaysLeft < 0:
		errs = append(errs, fmt.Errorf("min-days-left %d: must be 0 or more", p.MinDaysLeft))
	case p.MinDaysLeft > MaxDays:
		errs = append(errs, fmt.Errorf("min-days-left %d: want a number of days from 0 to %d", p.MinDaysLeft, MaxDays))
	}
	if p.MaxLifetimeDays < 0 || p.MaxLifetimeDays > MaxDays {
		errs = append(errs, fmt.Errorf("max-lifetime-days %d: want a number of days from 1 to %d", p.MaxLifetimeDays, MaxDays))
	} else if p.MaxLifetimeDays > 0 && p.MaxLifetimeDays <= p.MinDaysLeft {
		errs = append(errs, fmt.Errorf("max-lifetime-days %d is not above min-days-left %d: no token could pass both; raise max-lifetime-days or lower min-days-left", p.MaxLifetimeDays, p.MinDaysLeft))
	}
	lists := []struct {
		field  string
		scopes []string
	}{
		{"required-scopes", p.RequiredScopes},
		{"allowed-scopes", p.AllowedScopes},
		{"forbidden-scopes", p.ForbiddenScopes},
	}
	scopesOK := true
	for _, l := range lists {
		if err := CheckScopes(l.scopes); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", l.field, err))
			scopesOK = false
		}
	}
	for _, t := range p.AllowedTokenTypes {
		if !validType(t) {
			errs = append(errs, fmt.Errorf("allowed-token-types: %w", newUnknownTokenTypeError(string(t))))
		}
	}
	if scopesOK {
		errs = append(errs, p.conflicts()...)
	}
	return errors.Join(errs...)
}

// conflicts returns the required scopes that no token could hold without
// breaking allowed-scopes or forbidden-scopes.
func (p Policy) conflicts() []error {
	var errs []error
	allowedSet := Expand(p.AllowedScopes)
	for _, r := range p.RequiredScopes {
		brings := Expand([]string{r})
		// A nil AllowedScopes defaults to RequiredScopes, which holds r.
		if p.AllowedScopes != nil {
			if over := notIn(brings, allowedSet); len(over) > 0 {
				errs = append(errs, fmt.Errorf(
					"required-scopes: %q is not within allowed-scopes (it brings in %s): add %q to allowed-scopes or drop it from required-scopes",
					r, strings.Join(over, ", "), r))
			}
		}
		// Forbidding a parent does not forbid its children: a token that
		// holds only the child is fine. So compare the required scope's
		// closure against the forbidden names as given.
		if bad := in(brings, p.ForbiddenScopes); len(bad) > 0 {
			errs = append(errs, fmt.Errorf(
				"required-scopes: %q is forbidden by forbidden-scopes (through %s): drop it from one of the two",
				r, strings.Join(bad, ", ")))
		}
	}
	return errs
}

// notIn returns the items of xs that are not in the sorted set.
func notIn(xs, set []string) []string {
	var out []string
	for _, x := range xs {
		if _, ok := slices.BinarySearch(set, x); !ok {
			out = append(out, x)
		}
	}
	return out
}

// in returns the items of xs that are in list.
func in(xs, list []string) []string {
	var out []string
	for _, x := range xs {
		if slices.Contains(list, x) {
			out = append(out, x)
		}
	}
	return out
}

// Status is the outcome of one rule.
type Status string

// The outcomes of a rule. Only StatusFail fails the policy.
const (
	StatusPass Status = "pass"
	StatusWarn Status = "warn"
	StatusFail Status = "fail"
	StatusSkip Status = "skip" // the rule cannot apply to this token
)

// The names of the rules Evaluate checks, in the order it reports them.
const (
	RuleTokenType         = "token-type"
	RuleRequiredScopes    = "required-scopes"
	RuleAllowedScopes     = "allowed-scopes"
	RuleForbiddenScopes   = "forbidden-scopes"
	RuleExpiry            = "expiry"
	RuleRequireExpiration = "require-expiration"
	RuleMaxLifetime       = "max-lifetime-days"
)

// Rule is one line of a policy report.
type Rule struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	// Message is one sentence for a person. It never holds the token value.
	Message string `json:"message"`
}

// Expiry says how a token's expiry stands against the policy.
type Expiry string

// The expiry states, as the JSON report's expiry field spells them.
const (
	ExpiryOK      Expiry = "ok"
	ExpiryWarning Expiry = "warning"  // within twice min-days-left
	ExpiryTooSoon Expiry = "too-soon" // within min-days-left
	ExpiryExpired Expiry = "expired"
	ExpiryNone    Expiry = "none" // never expires
)

// Result is how a token stands against a policy.
type Result struct {
	Passed bool `json:"passed"`
	// MissingScopes, ExcessScopes and ForbiddenScopes are sorted and never
	// nil, so JSON shows [] rather than null.
	MissingScopes   []string `json:"missing_scopes"`
	ExcessScopes    []string `json:"excess_scopes"`
	ForbiddenScopes []string `json:"forbidden_scopes"`
	Expiry          Expiry   `json:"expiry"`
	// DaysLeft is nil when the token never expires.
	DaysLeft *int `json:"-"`
	// ScopesApply is false for tokens that carry no OAuth scopes.
	ScopesApply bool   `json:"scopes_apply"`
	Rules       []Rule `json:"rules"`
}

// Add appends a rule to the report; a failing rule fails the result. The
// caller uses it for rules checked elsewhere, such as repository reach.
func (r *Result) Add(rule Rule) {
	r.Rules = append(r.Rules, rule)
	if rule.Status == StatusFail {
		r.Passed = false
	}
}

// DaysLeft returns the whole days from now until expiresAt, rounded down:
// 0 in the last day, negative once past.
func DaysLeft(expiresAt, now time.Time) int {
	const day = 24 * time.Hour
	remaining := expiresAt.Sub(now)
	d := remaining / day
	if remaining%day < 0 {
		d--
	}
	return int(d)
}

// shortLived reports whether tokens of type t live hours by design.
func shortLived(t token.Type) bool {
	return t == token.App || t == token.UserToServer
}

// Evaluate holds info against p at time now. p should have passed Validate.
// Every rule that applies gets a line in Rules, in a fixed order: token-type
// and expiry always; the scope rules when the policy sets them;
// require-expiration and max-lifetime-days when the policy asks for them.
func Evaluate(p Policy, info token.Info, now time.Time) Result {
	res := Result{
		Passed:          true,
		MissingScopes:   []string{},
		ExcessScopes:    []string{},
		ForbiddenScopes: []string{},
		Expiry:          ExpiryNone,
		ScopesApply:     info.HasScopes,
	}
	res.Add(typeRule(p, info.Type))
	evaluateScopes(p, info, &res)
	evaluateExpiry(p, info, now, &res)
	evaluateLifetime(p, info.ExpiresAt, now, &res)
	return res
}

func typeRule(p Policy, t token.Type) Rule {
	if len(p.AllowedTokenTypes) == 0 {
		return Rule{RuleTokenType, StatusPass, fmt.Sprintf("The token is %s token; allowed-token-types does not limit the type.", WithArticle(string(t)))}
	}
	var names []string
	for _, a := range p.AllowedTokenTypes {
		names = append(names, string(a))
	}
	list := strings.Join(names, ", ")
	if slices.Contains(p.AllowedTokenTypes, t) {
		return Rule{RuleTokenType, StatusPass, fmt.Sprintf("The token is %s token, which allowed-token-types (%s) accepts.", WithArticle(string(t)), list)}
	}
	return Rule{RuleTokenType, StatusFail, fmt.Sprintf("The token is %s token, but allowed-token-types accepts only %s.", WithArticle(string(t)), list)}
}

func evaluateScopes(p Policy, info token.Info, res *Result) {
	allowed, bounded := p.allowed()
	var names []string
	if len(p.RequiredScopes) > 0 {
		names = append(names, RuleRequiredScopes)
	}
	if bounded {
		names = append(names, RuleAllowedScopes)
	}
	if len(p.ForbiddenScopes) > 0 {
		names = append(names, RuleForbiddenScopes)
	}
	if !info.HasScopes {
		for _, n := range names {
			if p.ReachChecked {
				res.Add(Rule{n, StatusSkip, fmt.Sprintf(
					"%s tokens carry no OAuth scopes, so %s does not apply; the repositories the token must reach are checked instead.",
					capitalize(string(info.Type)), n)})
				continue
			}
			res.Add(Rule{n, StatusFail, fmt.Sprintf(
				"%s tokens carry no OAuth scopes, so %s cannot be checked and nothing would be: give repositories the token must reach instead, or drop %s.",
				capitalize(string(info.Type)), n, n)})
		}
		return
	}

	held := dedup(info.Scopes)
	heldSet := Expand(held)
	have := "no scopes"
	if len(held) > 0 {
		have = strings.Join(held, ", ")
	}

	if len(p.RequiredScopes) > 0 {
		res.MissingScopes = sorted(notIn(dedup(p.RequiredScopes), heldSet))
		if len(res.MissingScopes) > 0 {
			res.Add(Rule{RuleRequiredScopes, StatusFail, fmt.Sprintf(
				"The token lacks required %s %s; it has %s.", noun(len(res.MissingScopes), "scope", "scopes"), strings.Join(res.MissingScopes, ", "), have)})
		} else {
			res.Add(Rule{RuleRequiredScopes, StatusPass, fmt.Sprintf(
				"The token has every required scope (%s).", strings.Join(p.RequiredScopes, ", "))})
		}
	}

	if bounded {
		allowedSet := Expand(allowed)
		for _, s := range held {
			if len(notIn(Expand([]string{s}), allowedSet)) > 0 {
				res.ExcessScopes = append(res.ExcessScopes, s)
			}
		}
		slices.Sort(res.ExcessScopes)
		bound := "no scopes"
		if len(allowed) > 0 {
			bound = strings.Join(allowed, ", ")
		}
		if p.AllowedScopes == nil {
			bound = "defaulting to required-scopes: " + bound
		}
		if len(res.ExcessScopes) > 0 {
			res.Add(Rule{RuleAllowedScopes, StatusFail, fmt.Sprintf(
				"The token is over-broad: %s %s beyond allowed-scopes (%s).", strings.Join(res.ExcessScopes, ", "), noun(len(res.ExcessScopes), "goes", "go"), bound)})
		} else {
			res.Add(Rule{RuleAllowedScopes, StatusPass, fmt.Sprintf(
				"The token's scopes stay within allowed-scopes (%s).", bound)})
		}
	}

	if len(p.ForbiddenScopes) > 0 {
		for _, s := range held {
			if len(in(Expand([]string{s}), p.ForbiddenScopes)) > 0 {
				res.ForbiddenScopes = append(res.ForbiddenScopes, s)
			}
		}
		slices.Sort(res.ForbiddenScopes)
		if len(res.ForbiddenScopes) > 0 {
			res.Add(Rule{RuleForbiddenScopes, StatusFail, fmt.Sprintf(
				"The token has %s: %s (forbidden-scopes: %s).", noun(len(res.ForbiddenScopes), "a forbidden scope", "forbidden scopes"), strings.Join(res.ForbiddenScopes, ", "), strings.Join(p.ForbiddenScopes, ", "))})
		} else {
			res.Add(Rule{RuleForbiddenScopes, StatusPass, fmt.Sprintf(
				"The token has none of the forbidden scopes (%s).", strings.Join(p.ForbiddenScopes, ", "))})
		}
	}
}

func evaluateExpiry(p Policy, info token.Info, now time.Time, res *Result) {
	if info.ExpiresAt == nil {
		res.Expiry = ExpiryNone
		res.Add(Rule{RuleExpiry, StatusPass, "The token never expires."})
		if p.RequireExpiration {
			res.Add(Rule{RuleRequireExpiration, StatusFail,
				"The token never expires, but require-expiration asks for one with an expiration date."})
		}
		return
	}
	at := *info.ExpiresAt
	when := at.UTC().Format(time.RFC3339)
	days := DaysLeft(at, now)
	res.DaysLeft = &days
	remaining := at.Sub(now)
	minLeft := time.Duration(p.MinDaysLeft) * 24 * time.Hour

	switch {
	case remaining <= 0:
		res.Expiry = ExpiryExpired
		res.Add(Rule{RuleExpiry, StatusFail, fmt.Sprintf("The token expired at %s; replace it.", when)})
	case shortLived(info.Type):
		res.Expiry = ExpiryOK
		res.Add(Rule{RuleExpiry, StatusPass, fmt.Sprintf(
			"%s tokens are short-lived by design; this one expires at %s (in %s), so min-days-left does not apply.",
			capitalize(string(info.Type)), when, remaining.Round(time.Second))})
	case remaining < minLeft:
		res.Expiry = ExpiryTooSoon
		res.Add(Rule{RuleExpiry, StatusFail, fmt.Sprintf(
			"The token expires at %s, %s, within min-days-left (%d days); rotate it now.", when, inDays(days), p.MinDaysLeft)})
	case remaining < 2*minLeft:
		res.Expiry = ExpiryWarning
		res.Add(Rule{RuleExpiry, StatusWarn, fmt.Sprintf(
			"The token expires at %s, %s, within twice min-days-left (%d days); plan to rotate it.", when, inDays(days), 2*p.MinDaysLeft)})
	default:
		res.Expiry = ExpiryOK
		res.Add(Rule{RuleExpiry, StatusPass, fmt.Sprintf("The token expires at %s, %s.", when, inDays(days))})
	}
	if p.RequireExpiration {
		res.Add(Rule{RuleRequireExpiration, StatusPass, fmt.Sprintf("The token has an expiration date (%s).", when)})
	}
}

// evaluateLifetime fails a token that expires more than max-lifetime-days
// from now, or never.
func evaluateLifetime(p Policy, expiresAt *time.Time, now time.Time, res *Result) {
	if p.MaxLifetimeDays <= 0 {
		return
	}
	if expiresAt == nil {
		res.Add(Rule{RuleMaxLifetime, StatusFail, fmt.Sprintf(
			"The token never expires, but max-lifetime-days asks for one that expires within %d days.", p.MaxLifetimeDays)})
		return
	}
	at := *expiresAt
	when := at.UTC().Format(time.RFC3339)
	if LivesBeyond(at, now, p.MaxLifetimeDays) {
		res.Add(Rule{RuleMaxLifetime, StatusFail, fmt.Sprintf(
			"The token expires at %s, %s, beyond max-lifetime-days (%d days); replace it with one that lives at most %d days.",
			when, inDays(DaysLeft(at, now)), p.MaxLifetimeDays, p.MaxLifetimeDays)})
		return
	}
	res.Add(Rule{RuleMaxLifetime, StatusPass, fmt.Sprintf(
		"The token expires at %s, within max-lifetime-days (%d days).", when, p.MaxLifetimeDays)})
}

// LivesBeyond reports whether a token expiring at expiresAt lives more
// than days from now: max-lifetime-days, for check and tokens alike.
func LivesBeyond(expiresAt, now time.Time, days int) bool {
	return expiresAt.Sub(now) > time.Duration(days)*24*time.Hour
}

// inDays says how far off a future expiry is.
func inDays(days int) string {
	switch days {
	case 0:
		return "in less than a day"
	case 1:
		return "in 1 day"
	}
	return fmt.Sprintf("in %d days", days)
}

func dedup(xs []string) []string {
	var out []string
	for _, x := range xs {
		if x != "" && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func sorted(xs []string) []string {
	out := append([]string{}, xs...)
	slices.Sort(out)
	return out
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// WithArticle is a token type with its indefinite article: "a classic",
// "an app", "an oauth".
func WithArticle(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an " + word
	}
	return "a " + word
}

// noun is one or other for a count of one or more: "scope" or "scopes",
// "goes" or "go".
func noun(n int, one, more string) string {
	if n == 1 {
		return one
	}
	return more
}
