package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/go-github/v45/github"

	"github.com/pat-action/pat-action/ghclient"
	"github.com/pat-action/pat-action/policy"
	"github.com/pat-action/pat-action/secrets"
	"github.com/pat-action/pat-action/token"
)

// CheckOptions is everything check needs, parsed and validated before any
// request.
type CheckOptions struct {
	API   ghclient.API
	Token string
	// Policy is what the token is held against.
	Policy policy.Policy
	// Repositories are "owner/repo" names the token must reach.
	Repositories []string
	// WantLogin makes the probe GET /user rather than HEAD /.
	WantLogin bool
	// JobToken, when set, says that the token is the job's own
	// GITHUB_TOKEN: the report says so plainly.
	JobToken string
	// Org and Admin, an App installation token on it, let check read a
	// fine-grained token's permissions from the organization.
	Org, Admin string

	// Now is the clock expiry is measured with.
	Now func() time.Time

	// rt makes the clients.
	rt runtime
}

// checkOptions parses and validates check's inputs.
func checkOptions(v values, tok string, rt runtime) (CheckOptions, error) {
	return checkOptionsFor(v, tok, rt, true)
}

// checkOptionsFor parses check's inputs; without needToken a missing token
// is no error (a store that sends no value checks none).
func checkOptionsFor(v values, tok string, rt runtime, needToken bool) (CheckOptions, error) {
	api, err := ghclient.ParseAPIURL(v.str("api-url"))
	if err != nil {
		return CheckOptions{}, asUsage(err)
	}
	if needToken {
		if err := rt.tokenFormat("token", tok); err != nil {
			return CheckOptions{}, err
		}
	}
	o := CheckOptions{API: api, Token: tok, WantLogin: true, Now: rt.now, rt: rt}
	o.JobToken = jobTokenNote(rt, tok)
	p := &o.Policy
	if p.RequiredScopes, err = policy.ParseScopes(v.str("required-scopes")); err != nil {
		return o, asUsage(fmt.Errorf("required-scopes: %w", err))
	}
	if s := v.str("allowed-scopes"); s != "" {
		if p.AllowedScopes, err = policy.ParseScopes(s); err != nil {
			return o, asUsage(fmt.Errorf("allowed-scopes: %w", err))
		}
	}
	if p.ForbiddenScopes, err = policy.ParseScopes(v.str("forbidden-scopes")); err != nil {
		return o, asUsage(fmt.Errorf("forbidden-scopes: %w", err))
	}
	if p.MinDaysLeft, err = v.integer("min-days-left", 7); err != nil {
		return o, err
	}
	if p.MaxLifetimeDays, err = v.integer("max-lifetime-days", 0); err != nil {
		return o, err
	}
	if v.str("max-lifetime-days") != "" && p.MaxLifetimeDays == 0 {
		return o, usagef("max-lifetime-days 0: want a number of days from 1 to %d, or leave it empty for no limit", policy.MaxDays)
	}
	if p.RequireExpiration, err = v.boolean("require-expiration"); err != nil {
		return o, err
	}
	if p.AllowedTokenTypes, err = policy.ParseTokenTypes(v.str("allowed-token-types")); err != nil {
		return o, asUsage(fmt.Errorf("allowed-token-types: %w", err))
	}
	for _, r := range v.list("repositories") {
		if _, _, err := secrets.ParseRepo(r); err != nil {
			return o, asUsage(fmt.Errorf("repositories: %w", err))
		}
		o.Repositories = append(o.Repositories, r)
	}
	// Reach stands in for the scope rules of a token without scopes.
	p.ReachChecked = len(o.Repositories) > 0
	if err := p.Validate(); err != nil {
		return o, asUsage(err)
	}
	return o, nil
}

// client is the API client for tok. The check sends one request, so it is
// not paced, but it is retried as GitHub asks, like every write: a 5xx or a
// rate limit on the check must not fail a run that would have succeeded.
func (o CheckOptions) client(tok string) *github.Client {
	return o.rt.clients(o.API, ghclient.Pacing{Off: true}, 0)(tok)
}

// tokenSources says where each token comes from on the command line, for
// the message when it is missing; actionTokenSources says it in the
// action's terms, its inputs.
var (
	tokenSources = map[string]string{
		"token":       "set PAT_ACTION_TOKEN, GH_TOKEN or GITHUB_TOKEN (GH_ENTERPRISE_TOKEN for an api-url not on github.com or ghe.com, such as GitHub Enterprise Server), or pass --token-file FILE",
		"admin token": "set PAT_ACTION_ADMIN_TOKEN or pass --admin-token-file FILE, or give a token (PAT_ACTION_TOKEN, GH_TOKEN, GITHUB_TOKEN or --token-file)",
	}
	actionTokenSources = map[string]string{
		"token":       "set the token input (with: token: ${{ secrets.YOUR_PAT }})",
		"admin token": "set the admin-token input, or the token input",
	}
)

// tokenFormat checks a token's format, naming it by role and, when it is
// missing, where it would come from in this front end. It never quotes the
// token.
func (rt runtime) tokenFormat(role, tok string) error {
	if tok == "" {
		switch {
		case rt.action:
			return usagef("no %s: %s", role, actionTokenSources[role])
		case rt.unsent != "":
			return usagef("no %s: %s", role, rt.unsent)
		}
		return usagef("no %s: %s", role, tokenSources[role])
	}
	return tokenFormat(role, tok)
}

// tokenFormat checks the format of a token that is there (every caller
// has said where a missing one comes from), naming it by role. It never
// quotes the token.
func tokenFormat(role, tok string) error {
	if err := token.CheckFormat(tok); err != nil {
		return asUsage(fmt.Errorf("%s: %w", role, err))
	}
	return nil
}

// jobTokenNote says, in the action, when the token is the job's own
// GITHUB_TOKEN, which the token input defaults to (action.yml:
// ${{ github.token }}): a check of it passes without saying anything about
// the token the workflow meant to check.
func jobTokenNote(rt runtime, tok string) string {
	if !rt.action {
		return ""
	}
	const fix = "set the token input to the token to check, such as ${{ secrets.MY_PAT }}"
	if env := rt.getenv("GITHUB_TOKEN"); env != "" && env == tok {
		return "The token checked is the job's own GITHUB_TOKEN, the token input's default, not a personal access token: " + fix + "."
	}
	if typ, _ := token.Classify(tok); typ == token.App {
		return "The token checked is an installation token (ghs_), most likely the job's own GITHUB_TOKEN, which the token input defaults to: " + fix + "."
	}
	return ""
}

// ruleJobToken is the report line that says the token checked is the
// job's own.
const ruleJobToken = "job-token"

// refuseInstallationToken refuses to store an installation token (ghs_),
// such as the job's own GITHUB_TOKEN that the token input defaults to,
// unless allowed-token-types names app: it dies within the hour and would
// leave a dead secret behind. rotate refuses it the same way.
func refuseInstallationToken(tok string, p policy.Policy) error {
	if typ, _ := token.Classify(tok); typ != token.App || slices.Contains(p.AllowedTokenTypes, token.App) {
		return nil
	}
	return usagef("token is an installation token (ghs_), such as the job's own GITHUB_TOKEN that the token input defaults to, and lives an hour: give the token to store (the token input, or PAT_ACTION_TOKEN), or add app to allowed-token-types to store it anyway")
}

func userAgent() string { return "pat-action/" + Version }

// runCheck reads what the token is with one request and holds it against the
// policy; for tokens without scopes it also checks each repository is
// reached. A token that fails makes a *policyError; the report is filled
// either way.
func runCheck(ctx context.Context, o CheckOptions, rep *Report) error {
	c := o.client(o.Token)
	typ, _ := token.Classify(o.Token)
	// Installation tokens are not users: GET /user is 403 for them.
	info, err := token.Inspect(ctx, c, o.Token, o.WantLogin && typ != token.App)
	if err != nil {
		if errors.Is(err, token.ErrInvalid) {
			rep.Checked.Tokens = 1
			rep.Token = tokenReport{Info: token.Info{Type: typ}, Unread: true}
			rep.Policy.Add(policy.Rule{Name: "token", Status: policy.StatusFail, Message: "invalid, expired or revoked token (401 Bad credentials)"})
			return &policyError{fmt.Errorf("check token: %w", err)}
		}
		err = fmt.Errorf("check token: %w", err)
		var ge *github.ErrorResponse
		if errors.As(err, &ge) && ge.Response != nil && ge.Response.StatusCode == http.StatusNotFound {
			// Every GitHub API serves its root and /user: a 404 there
			// means api-url is not a GitHub API.
			err = fmt.Errorf("%w; is api-url %s a GitHub API? github.com: %s, GitHub Enterprise Server: https://HOST/api/v3", err, ghclient.Redact(o.API.URL.String()), ghclient.DefaultURL)
		}
		rep.Problems = append(rep.Problems, Problem{Target: "token", Error: err.Error()})
		return err
	}
	rep.Checked.Tokens = 1
	rep.Checked.Repositories = len(o.Repositories)
	now := o.Now()
	rep.Token = tokenReport{Info: info}
	res := policy.Evaluate(o.Policy, info, now)
	if info.ExpiresAt != nil {
		d := policy.DaysLeft(*info.ExpiresAt, now)
		rep.Token.DaysLeft = &d
	}
	if o.JobToken != "" {
		res.Add(policy.Rule{Name: ruleJobToken, Status: policy.StatusWarn, Message: o.JobToken})
	}
	for _, full := range o.Repositories {
		owner, name, _ := strings.Cut(full, "/")
		if err := token.Reach(ctx, c, owner, name); err != nil {
			res.Add(policy.Rule{Name: "repositories", Status: policy.StatusFail, Message: err.Error()})
			continue
		}
		res.Add(policy.Rule{Name: "repositories", Status: policy.StatusPass, Message: "reaches " + full})
	}
	if info.Type == token.FineGrained {
		res.Add(o.permissions(ctx, info, rep))
	}
	rep.Policy = res
	if !res.Passed {
		return &policyError{errors.New("token failed the policy")}
	}
	return nil
}
