// Package token tells what a GitHub token is: its type from its prefix, and its
// login, scopes and expiry from one API call.
package token

import "time"

// Type is the kind of a GitHub token.
type Type string

// The token types pat-action knows. The names are those of the
// allowed-token-types input.
const (
	Classic      Type = "classic"        // ghp_ and pre-2021 40-hex personal access tokens
	FineGrained  Type = "fine-grained"   // github_pat_
	OAuth        Type = "oauth"          // gho_
	UserToServer Type = "user-to-server" // ghu_
	App          Type = "app"            // ghs_ installation tokens, including the 2026 JWT form
	Refresh      Type = "refresh"        // ghr_: cannot call the API
	Unknown      Type = "unknown"
)

// Info is what one API call tells about a token.
type Info struct {
	Type Type `json:"type"`
	// Legacy is true for a pre-2021 40-hex token, whose type is known only
	// from the scopes header.
	Legacy bool   `json:"legacy,omitempty"`
	Login  string `json:"login,omitempty"`
	// Scopes is the X-OAuth-Scopes list. It is meaningful only when
	// HasScopes is true: fine-grained, app and user-to-server tokens carry none.
	Scopes    []string `json:"scopes"`
	HasScopes bool     `json:"-"`
	// ExpiresAt is nil when the token never expires.
	ExpiresAt *time.Time `json:"expires_at"`
	// EnterpriseVersion is X-GitHub-Enterprise-Version, set only on GHES.
	EnterpriseVersion string `json:"enterprise_version,omitempty"`
}
