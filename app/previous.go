package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-github/v45/github"

	"github.com/pat-action/pat-action/ghclient"
	"github.com/pat-action/pat-action/token"
)

// previousToken validates the token store replaces: a token, not the new
// one, and only where GitHub can revoke it.
func previousToken(o *StoreOptions, prev string, api ghclient.API) error {
	if prev == "" {
		return nil
	}
	o.Previous = prev
	if err := tokenFormat("previous token", prev); err != nil {
		return err
	}
	if typ, legacy := token.Classify(prev); legacy || (typ != token.Classic && typ != token.FineGrained && typ != token.OAuth && typ != token.UserToServer && typ != token.Refresh) {
		return usagef("previous token: GitHub revokes personal access tokens (ghp_, github_pat_), OAuth tokens (gho_) and App user tokens (ghu_, ghr_), and this is none of them")
	}
	if prev == o.Check.Token {
		return usagef("the previous token is the token being stored: revoking it would break every target; give the token it replaces")
	}
	if o.ReposOnly {
		return usagef("previous-token with update-repositories-only: no new value is stored, so the previous token is still in use")
	}
	if api.GHES {
		return usagef("previous-token: GitHub Enterprise Server has no credential revocation API (POST /credentials/revoke); revoke the token in its owner's settings")
	}
	return nil
}

// revokePrevious revokes the previous token once every target holds the
// new one, with GitHub's credential revocation, which takes no
// authentication: an authenticated request is refused.
func revokePrevious(ctx context.Context, o StoreOptions, rep *Report) error {
	if o.Previous == "" {
		return nil
	}
	if o.DryRun {
		rep.PreviousToken = "would-revoke"
		return nil
	}
	// No token: GitHub refuses an authenticated revocation.
	c := o.Check.rt.clients(o.Check.API, ghclient.Pacing{Off: true}, 0)("")
	req, err := c.NewRequest(http.MethodPost, "credentials/revoke", map[string][]string{"credentials": {o.Previous}})
	if err == nil {
		_, err = c.Do(ctx, req, nil)
	}
	var accepted *github.AcceptedError
	if err != nil && !errors.As(err, &accepted) {
		rep.PreviousToken = "kept"
		rep.Problems = append(rep.Problems, Problem{Target: "previous-token", Error: fmt.Sprintf("revoke the previous token: %v", err)})
		return fmt.Errorf("revoke the previous token: %w; every target holds the new token, so running again is safe", err)
	}
	rep.PreviousToken = "revoked"
	return nil
}
