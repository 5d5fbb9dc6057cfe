package secrets

import (
	"encoding/base64"
	"errors"
	"fmt"

	"golang.org/x/crypto/nacl/box"
)

// Open decrypts a base64 sealed box made for the key pair pub, priv: the
// tests' check of what Seal makes. Errors never contain the plaintext.
func Open(encrypted string, pub, priv *[32]byte) ([]byte, error) {
	sealed, err := base64.StdEncoding.DecodeString(encrypted)
	if err != nil {
		return nil, fmt.Errorf("open sealed box: not standard base64: %w", err)
	}
	if len(sealed) < box.AnonymousOverhead {
		return nil, fmt.Errorf("open sealed box: %d bytes, shorter than the %d-byte overhead", len(sealed), box.AnonymousOverhead)
	}
	plain, ok := box.OpenAnonymous(nil, sealed, pub, priv)
	if !ok {
		return nil, errors.New("open sealed box: not sealed for this key pair, or corrupted")
	}
	return plain, nil
}
