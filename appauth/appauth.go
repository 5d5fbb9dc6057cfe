// Package appauth authenticates as a GitHub App: it signs the App's JWT
// with its private key and mints installation tokens with it.
package appauth

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-github/v45/github"
)

// ParseKey parses an App's RSA private key in PEM form. Its error never
// quotes the key.
func ParseKey(pemBytes []byte) (*rsa.PrivateKey, error) {
	key, err := jwt.ParseRSAPrivateKeyFromPEM(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("the app's private key is not an RSA private key in PEM form: %w", err)
	}
	return key, nil
}

// JWT signs the JWT that authenticates as the App whose id or client id is
// issuer. It is backdated a minute against clock drift and lives nine
// minutes, under GitHub's ten.
func JWT(issuer string, key *rsa.PrivateKey, now time.Time) (string, error) {
	claims := jwt.RegisteredClaims{
		Issuer:    issuer,
		IssuedAt:  jwt.NewNumericDate(now.Add(-60 * time.Second)),
		ExpiresAt: jwt.NewNumericDate(now.Add(9 * time.Minute)),
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(key)
	if err != nil {
		return "", fmt.Errorf("sign the app's JWT: %w", err)
	}
	return signed, nil
}

// FindInstallation finds an installation of the App that c authenticates
// as (with its JWT): a numeric id as it is, "owner/repo" through the
// repository, else an organization's.
func FindInstallation(ctx context.Context, c *github.Client, in string) (int64, error) {
	if id, err := strconv.ParseInt(in, 10, 64); err == nil {
		return id, nil
	}
	var inst *github.Installation
	var err error
	if owner, repo, ok := strings.Cut(in, "/"); ok {
		inst, _, err = c.Apps.FindRepositoryInstallation(ctx, owner, repo)
	} else {
		inst, _, err = c.Apps.FindOrganizationInstallation(ctx, in)
	}
	if err != nil {
		return 0, err
	}
	return inst.GetID(), nil
}

// Mint creates an installation token, narrowed to permissions and
// repositories when they are given.
func Mint(ctx context.Context, c *github.Client, installation int64, permissions map[string]string, repositories []string) (string, error) {
	body := map[string]any{}
	if len(permissions) > 0 {
		body["permissions"] = permissions
	}
	if len(repositories) > 0 {
		body["repositories"] = repositories
	}
	req, err := c.NewRequest(http.MethodPost, fmt.Sprintf("app/installations/%d/access_tokens", installation), body)
	if err != nil {
		return "", err
	}
	var out struct {
		Token string `json:"token"`
	}
	if _, err := c.Do(ctx, req, &out); err != nil {
		return "", err
	}
	if out.Token == "" {
		return "", errors.New("GitHub sent no token")
	}
	return out.Token, nil
}
