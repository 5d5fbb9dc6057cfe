package emulator

import (
	"crypto/rand"
	"encoding/base64"
	"net/url"
	"testing"

	"golang.org/x/crypto/nacl/box"
)

// testTarget is a place secrets live, as the tests name it: the emulator's
// tests build their own paths and seal their own values, so that nothing
// of the product's is needed to test the emulator.
type testTarget struct {
	Kind                          kind // "" is Actions
	Scope                         level
	Owner, Repo, Environment, Org string
	Visibility                    string
}

func (t testTarget) kind() kind {
	if t.Kind == "" {
		return actionsKind
	}
	return t.Kind
}

// String names the target's container, as SecretValue takes it.
func (t testTarget) String() string {
	return containerName(t.kind(), t.Scope, t.Owner, t.Repo, t.Environment, t.Org)
}

// SecretsListPath is the secrets collection's path, without a leading slash.
func (t testTarget) SecretsListPath() string {
	switch t.Scope {
	case envLevel:
		return "repos/" + t.Owner + "/" + t.Repo + "/environments/" + url.PathEscape(t.Environment) + "/secrets"
	case orgLevel:
		return "orgs/" + t.Org + "/" + string(t.kind()) + "/secrets"
	}
	return "repos/" + t.Owner + "/" + t.Repo + "/" + string(t.kind()) + "/secrets"
}

func (t testTarget) PublicKeyPath() string { return t.SecretsListPath() + "/public-key" }

func (t testTarget) SecretPath(name string) string { return t.SecretsListPath() + "/" + name }

// seal seals value for the base64 public key, as GitHub asks clients to.
func seal(t *testing.T, key string, value []byte) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(key)
	if err != nil || len(raw) != 32 {
		t.Fatalf("public key %q is not 32 bytes of base64", key)
	}
	var pub [32]byte
	copy(pub[:], raw)
	out, err := box.SealAnonymous(nil, value, &pub, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(out)
}
