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
	return listGrants(ctx, c, org, FineGrained)
}

// listGrants lists org's fine-grained PATs of kind, FineGrained (granted)
// or Request (pending), by owner then id.
func listGrants(ctx context.Context, c *github.Client, org string, kind Kind) ([]Token, error) {
	var out []Token
	err := getAll(ctx, c, grantsPath(org, kind), func(g grant) { out = append(out, g.token(kind)) })
	if err != nil {
		what := "the fine-grained PATs granted access to " + org
		if kind == Request {
			what = "the fine-grained PAT requests of " + org
		}
		return nil, fmt.Errorf("list %s: %w", what, appOnly(err))
	}
	sortTokens(out)
	return out, nil
}

// grantsPath is where GitHub lists org's fine-grained PATs of kind, and
// where it takes their revocation (FineGrained) or denial (Request).
func grantsPath(org string, kind Kind) string {
	if kind == Request {
		return fmt.Sprintf("orgs/%s/personal-access-token-requests", org)
	}
	return fmt.Sprintf("orgs/%s/personal-access-tokens", org)
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
