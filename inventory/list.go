package inventory

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/go-github/v45/github"
)

// grant is a fine-grained PAT's access to the organization, or its request
// for it, as GitHub sends them.
type grant struct {
	ID    int64 `json:"id"`
	Owner struct {
		Login string `json:"login"`
	} `json:"owner"`
	RepositorySelection string                       `json:"repository_selection"`
	Permissions         map[string]map[string]string `json:"permissions"`
	AccessGrantedAt     *time.Time                   `json:"access_granted_at"`
	CreatedAt           *time.Time                   `json:"created_at"`
	TokenName           string                       `json:"token_name"`
	TokenExpiresAt      *time.Time                   `json:"token_expires_at"`
	TokenLastUsedAt     *time.Time                   `json:"token_last_used_at"`
}

func (g grant) token(kind Kind) Token {
	perms := map[string]string{}
	for _, group := range g.Permissions {
		for name, level := range group {
			perms[name] = level
		}
	}
	since := g.AccessGrantedAt
	if kind == Request {
		since = g.CreatedAt
	}
	return Token{Kind: kind, ID: g.ID, Owner: g.Owner.Login, Name: g.TokenName, ExpiresAt: g.TokenExpiresAt,
		LastUsedAt: g.TokenLastUsedAt, Permissions: perms, RepositorySelection: g.RepositorySelection, since: since}
}

// ListGranted lists the fine-grained PATs granted access to org, with
// their permissions, by owner then id. c must be a GitHub App
// installation's.
func ListGranted(ctx context.Context, c *github.Client, org string) ([]Token, error) {
	var out []Token
	err := getAll(ctx, c, fmt.Sprintf("orgs/%s/personal-access-tokens", org), func(g grant) { out = append(out, g.token(FineGrained)) })
	if err != nil {
		return nil, fmt.Errorf("list the fine-grained PATs granted access to %s: %w", org, appOnly(err))
	}
	sortTokens(out)
	return out, nil
}

// listRequests lists the pending requests of fine-grained PATs for org.
func listRequests(ctx context.Context, c *github.Client, org string) ([]Token, error) {
	var out []Token
	err := getAll(ctx, c, fmt.Sprintf("orgs/%s/personal-access-token-requests", org), func(g grant) { out = append(out, g.token(Request)) })
	if err != nil {
		return nil, fmt.Errorf("list the fine-grained PAT requests of %s: %w", org, appOnly(err))
	}
	sortTokens(out)
	return out, nil
}

// authorization is a credential authorized for SAML single sign-on.
type authorization struct {
	Login          string     `json:"login"`
	CredentialID   int64      `json:"credential_id"`
	CredentialType string     `json:"credential_type"`
	AuthorizedAt   *time.Time `json:"credential_authorized_at"`
	AccessedAt     *time.Time `json:"credential_accessed_at"`
	Scopes         []string   `json:"scopes"`
	Note           string     `json:"authorized_credential_note"`
	ExpiresAt      *time.Time `json:"authorized_credential_expires_at"`
}

// errNoSAML is an organization without SAML single sign-on.
var errNoSAML = errors.New("no SAML single sign-on")

// listSSO lists the classic PATs authorized for org's SAML single sign-on.
// SSH keys are authorized there too; they are not tokens and are left out.
func listSSO(ctx context.Context, c *github.Client, org string) ([]Token, error) {
	var out []Token
	err := getAll(ctx, c, fmt.Sprintf("orgs/%s/credential-authorizations", org), func(a authorization) {
		if a.CredentialType != "personal access token" {
			return
		}
		scopes := a.Scopes
		if scopes == nil {
			scopes = []string{}
		}
		out = append(out, Token{Kind: ClassicSSO, ID: a.CredentialID, Owner: a.Login, Name: a.Note, ExpiresAt: a.ExpiresAt,
			LastUsedAt: a.AccessedAt, Scopes: scopes, since: a.AuthorizedAt})
	})
	var ge *github.ErrorResponse
	if errors.As(err, &ge) && ge.Response != nil && ge.Response.StatusCode == http.StatusNotFound {
		return nil, errNoSAML
	}
	if err != nil {
		return nil, fmt.Errorf("list the SAML credential authorizations of %s: %w", org, err)
	}
	sortTokens(out)
	return out, nil
}

// appOnly explains GitHub's 403 on the fine-grained PAT endpoints, which
// answer GitHub Apps alone.
func appOnly(err error) error {
	var ge *github.ErrorResponse
	if errors.As(err, &ge) && ge.Response != nil && ge.Response.StatusCode == http.StatusForbidden {
		return fmt.Errorf("%w (GitHub serves this to a GitHub App installed on the organization with the personal access token permissions alone)", err)
	}
	return err
}
