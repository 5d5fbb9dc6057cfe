package app

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/go-github/v45/github"

	"github.com/pat-action/pat-action/appauth"
	"github.com/pat-action/pat-action/ghclient"
	"github.com/pat-action/pat-action/inventory"
	"github.com/pat-action/pat-action/policy"
	"github.com/pat-action/pat-action/token"
)

// TokensOptions is everything the tokens command needs, parsed and
// validated before any request.
type TokensOptions struct {
	API ghclient.API
	Org string
	// Admin is a GitHub App installation token; empty when one is minted
	// from AppIssuer and AppKey.
	Admin string
	// AppIssuer is the App's id or client id, the JWT's issuer.
	AppIssuer string
	AppKey    *rsa.PrivateKey
	Inventory inventory.Options
	Pacing    ghclient.Pacing
	rt        runtime
}

// appCredentials says where an App's id and key come from, for messages.
const appCredentials = "give a GitHub App installation token (ghs_) as the admin token, or the App's app-id (or client-id) and private-key " +
	"(CLI: PAT_ACTION_APP_ID or PAT_ACTION_CLIENT_ID, and PAT_ACTION_APP_PRIVATE_KEY or --app-private-key-file)"

// tokensOptions parses and validates the tokens command's inputs.
func tokensOptions(v values, toks tokens, rt runtime) (TokensOptions, error) {
	api, err := ghclient.ParseAPIURL(v.str("api-url"))
	if err != nil {
		return TokensOptions{}, asUsage(err)
	}
	o := TokensOptions{API: api, rt: rt, Org: v.str("organization")}
	if o.Org == "" {
		return o, usagef("organization is required: the organization whose tokens to list")
	}
	if err := tokensAdmin(&o, v, toks); err != nil {
		return o, err
	}
	io := &o.Inventory
	io.Org, io.Now, io.NoSAML = o.Org, rt.now, api.GHES
	switch e := inventory.Enforce(v.str("enforce")); e {
	case "", inventory.Report:
		io.Enforce = inventory.Report
	case inventory.DenyRequests, inventory.Revoke:
		io.Enforce = e
	default:
		return o, usagef("enforce %q: want report, deny-requests or revoke", e)
	}
	if io.DryRun, err = v.boolean("dry-run"); err != nil {
		return o, err
	}
	if io.Force, err = v.boolean("force"); err != nil {
		return o, err
	}
	if io.MaxRevocations, err = v.integer("max-revocations", inventory.DefaultMaxRevocations); err != nil {
		return o, err
	}
	if io.MaxRevocations < 1 {
		return o, usagef("max-revocations %d: want 1 or more (force lifts the cap)", io.MaxRevocations)
	}
	if io.Policy, err = inventoryPolicy(v); err != nil {
		return o, err
	}
	if o.Pacing, err = pacing(v, api, 1); err != nil {
		return o, err
	}
	return o, nil
}

// tokensAdmin takes the App's credentials when they are given, else the
// admin token, which must be an installation token: GitHub serves the
// fine-grained PAT lists to Apps alone.
func tokensAdmin(o *TokensOptions, v values, toks tokens) error {
	appID, clientID := v.str("app-id"), v.str("client-id")
	if appID == "" && clientID == "" {
		o.Admin = toks.admin
		if o.Admin == "" {
			o.Admin = toks.token
		}
		if o.Admin == "" {
			return usagef("no admin token: %s", appCredentials)
		}
		if err := tokenFormat("admin token", o.Admin); err != nil {
			return err
		}
		if typ, _ := token.Classify(o.Admin); typ != token.App {
			return usagef("the admin token is %s token, and GitHub lists an organization's tokens to GitHub Apps alone, never to a personal access token or OAuth token: %s", policy.WithArticle(string(typ)), appCredentials)
		}
		return nil
	}
	var err error
	if o.AppIssuer, err = appIssuerInput(v); err != nil {
		return err
	}
	if toks.appKey == "" {
		return usagef("app-id or client-id without a private key: give private-key (CLI: PAT_ACTION_APP_PRIVATE_KEY or --app-private-key-file)")
	}
	key, err := appauth.ParseKey([]byte(toks.appKey))
	if err != nil {
		return asUsage(fmt.Errorf("private-key: %w", err))
	}
	o.AppKey = key
	return nil
}

// appIssuerInput is the App the run was given, the JWT's issuer: the
// app-id or the client-id input, not both, or "" for neither.
func appIssuerInput(v values) (string, error) {
	appID, clientID := v.str("app-id"), v.str("client-id")
	switch {
	case appID != "" && clientID != "":
		return "", usagef("app-id and client-id both given: give one, the App's id or its client id")
	case appID != "":
		if id, err := strconv.ParseInt(appID, 10, 64); err != nil || id <= 0 {
			return "", usagef("app-id %q: want the App's numeric id (or give client-id)", appID)
		}
		return appID, nil
	}
	return clientID, nil
}

// inventoryPolicy reads the policy inputs of the tokens command.
func inventoryPolicy(v values) (inventory.Policy, error) {
	var p inventory.Policy
	var err error
	for _, n := range []struct {
		name string
		to   *int
		def  int
	}{{"max-lifetime-days", &p.MaxLifetimeDays, 0}, {"min-days-left", &p.MinDaysLeft, 7}, {"max-idle-days", &p.MaxIdleDays, 0}} {
		if *n.to, err = v.integer(n.name, n.def); err != nil {
			return p, err
		}
		given := v.str(n.name) != ""
		if *n.to < 0 || *n.to > policy.MaxDays || (given && *n.to == 0 && n.name != "min-days-left") {
			return p, usagef("%s %d: want a number of days from %d to %d, or leave it empty for no limit", n.name, *n.to, map[bool]int{true: 0, false: 1}[n.name == "min-days-left"], policy.MaxDays)
		}
	}
	if p.MaxLifetimeDays > 0 && p.MaxLifetimeDays <= p.MinDaysLeft {
		return p, usagef("max-lifetime-days %d is not above min-days-left %d: no token could pass both; raise max-lifetime-days or lower min-days-left", p.MaxLifetimeDays, p.MinDaysLeft)
	}
	if p.RequireExpiration, err = v.boolean("require-expiration"); err != nil {
		return p, err
	}
	if p.ForbiddenPermissions, err = policy.ParsePermissions(v.str("forbidden-permissions")); err != nil {
		return p, asUsage(fmt.Errorf("forbidden-permissions: %w", err))
	}
	if p.ForbiddenScopes, err = policy.ParseScopes(v.str("forbidden-scopes")); err != nil {
		return p, asUsage(fmt.Errorf("forbidden-scopes: %w", err))
	}
	if p.AllowedTypes, err = policy.ParseTokenTypes(v.str("allowed-token-types")); err != nil {
		return p, asUsage(fmt.Errorf("allowed-token-types: %w", err))
	}
	return p, nil
}

// adminClient is the App installation's client: the token given, or one
// minted for the organization's installation.
func (o TokensOptions) adminClient(ctx context.Context) (*github.Client, error) {
	client := o.rt.clients(o.API, o.Pacing, 1) // one request at a time
	if o.AppKey == nil {
		return client(o.Admin), nil
	}
	signed, err := appauth.JWT(o.AppIssuer, o.AppKey, o.rt.now())
	if err != nil {
		return nil, fmt.Errorf("authenticate as app %s: %w", o.AppIssuer, err)
	}
	o.rt.mask(signed)
	c := client(signed)
	id, err := appauth.FindInstallation(ctx, c, o.Org)
	if err != nil {
		return nil, fmt.Errorf("find the installation of app %s on %s: %w", o.AppIssuer, o.Org, err)
	}
	tok, err := appauth.Mint(ctx, c, id, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("mint a token from installation %d of app %s: %w", id, o.AppIssuer, err)
	}
	o.rt.mask(tok)
	return client(tok), nil
}

// runTokens lists the organization's tokens, holds them against the policy
// and enforces it, filling the report.
func runTokens(ctx context.Context, o TokensOptions, rep *Report) error {
	c, err := o.adminClient(ctx)
	if err != nil {
		return err
	}
	o.Inventory.Client = c
	res, err := inventory.Run(ctx, o.Inventory)
	rep.Tokens, rep.Summary, rep.SAML = res.Tokens, &res.Summary, res.SAML
	rep.Problems = append(rep.Problems, res.Problems...)
	rep.Policy.Passed = err == nil
	if err != nil && onlyPolicy(err) {
		return &policyError{err}
	}
	return err
}

// onlyPolicy reports whether err is failing tokens left as they are, and
// nothing GitHub failed.
func onlyPolicy(err error) bool {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if !onlyPolicy(e) {
				return false
			}
		}
		return true
	}
	return errors.Is(err, inventory.ErrLeft) || errors.Is(err, inventory.ErrCap)
}

// tokensSummaryRow is one token's row in the job summary.
func tokensSummaryRow(t inventory.Token) string {
	expires, used := "never", "never"
	if t.ExpiresAt != nil {
		expires = t.ExpiresAt.UTC().Format("2006-01-02")
	}
	if t.LastUsedAt != nil {
		used = t.LastUsedAt.UTC().Format("2006-01-02")
	}
	verdict := "✅"
	if !t.Passed {
		verdict = "❌ " + strings.Join(t.Reasons, "; ")
	}
	return fmt.Sprintf("| %s | %s | %d | %s | %s | %s | %s |\n", mdCell(t.Owner), t.Kind, t.ID, expires, used, mdCell(verdict), t.Action)
}
