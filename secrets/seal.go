package secrets

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/nacl/box"
)

// keySize is the length of an X25519 public key, as GitHub sends it (base64-encoded).
const keySize = 32

// PublicKey is a secrets container's public key as GitHub returns it:
// {"key_id": "...", "key": base64(32 bytes)}.
type PublicKey struct {
	KeyID string `json:"key_id"`
	Key   string `json:"key"`
}

// UnmarshalJSON accepts key_id as a JSON string or a JSON number (some GHES
// versions send a number) and keeps it as the number's exact text, so that a
// large ID round-trips into the PUT body unchanged.
func (k *PublicKey) UnmarshalJSON(b []byte) error {
	var raw struct {
		KeyID json.RawMessage `json:"key_id"`
		Key   string          `json:"key"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("decode public key: %w", err)
	}
	id, err := keyID(raw.KeyID)
	if err != nil {
		return fmt.Errorf("decode public key: %w", err)
	}
	k.KeyID, k.Key = id, raw.Key
	return nil
}

// keyID reads a key_id that is a JSON string, a JSON number, null or absent.
func keyID(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("key_id: %w", err)
		}
		return s, nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var n any
	if err := d.Decode(&n); err != nil {
		return "", fmt.Errorf("key_id: %w", err)
	}
	num, ok := n.(json.Number)
	if !ok {
		return "", fmt.Errorf("key_id is %s, want a string or a number", raw)
	}
	return num.String(), nil
}

// decode decodes the key, checking that it is standard base64 of exactly 32
// bytes. Errors name the key by its ID (the key is public; the ID says which).
func (k PublicKey) decode() (*[keySize]byte, error) {
	if k.KeyID == "" {
		return nil, errors.New("public key has no key_id")
	}
	b, err := base64.StdEncoding.DecodeString(k.Key)
	if err != nil {
		return nil, fmt.Errorf("public key %s: not standard base64: %w", k.KeyID, err)
	}
	if len(b) != keySize {
		return nil, fmt.Errorf("public key %s: %d bytes, want %d", k.KeyID, len(b), keySize)
	}
	var pk [keySize]byte
	copy(pk[:], b)
	return &pk, nil
}

// Seal encrypts plaintext for key as a libsodium sealed box
// (crypto_box_seal) with a fresh ephemeral key from crypto/rand, and returns
// it base64-encoded (standard, padded): the encrypted_value GitHub wants.
// Errors never contain the plaintext.
func Seal(key PublicKey, plaintext []byte) (string, error) {
	return SealWith(rand.Reader, key, plaintext)
}

// SealWith is Seal with the ephemeral key's randomness read from r. Given
// the same 32 bytes from r it returns the same ciphertext, which tests use for
// fixed vectors; everything else must call Seal.
func SealWith(r io.Reader, key PublicKey, plaintext []byte) (string, error) {
	pk, err := key.decode()
	if err != nil {
		return "", err
	}
	sealed, err := box.SealAnonymous(nil, plaintext, pk, r)
	if err != nil {
		return "", fmt.Errorf("seal for public key %s: %w", key.KeyID, err)
	}
	return base64.StdEncoding.EncodeToString(sealed), nil
}
