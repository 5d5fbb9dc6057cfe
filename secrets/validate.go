package secrets

import (
	"errors"
	"fmt"
	"strings"
)

// MaxValueSize is the largest secret value GitHub accepts. GitHub documents
// it as "48 KB"; we read that as 48 × 1024 = 49,152 bytes of plaintext (the
// value before encryption and base64), the same limit the emulator enforces.
const MaxValueSize = 48 * 1024

// reservedPrefix starts the names GitHub keeps for itself.
const reservedPrefix = "GITHUB_"

// ValidateName checks a secret name against GitHub's rules: not empty, only
// ASCII letters, digits and underscores, not starting with a digit, and not
// starting with GITHUB_ in any case. GitHub compares names case-insensitively.
func ValidateName(name string) error {
	if name == "" {
		return errors.New("secret name is empty")
	}
	pos := 0
	for _, r := range name {
		pos++
		if !isNameRune(r) {
			return fmt.Errorf("secret name %q: character %q at position %d is not allowed (use only letters A-Z, a-z, digits 0-9 and _)", name, r, pos)
		}
	}
	if name[0] >= '0' && name[0] <= '9' {
		return fmt.Errorf("secret name %q: must not start with a digit", name)
	}
	if len(name) >= len(reservedPrefix) && strings.EqualFold(name[:len(reservedPrefix)], reservedPrefix) {
		return fmt.Errorf("secret name %q: must not start with %s, which GitHub reserves", name, reservedPrefix)
	}
	return nil
}

func isNameRune(r rune) bool {
	return r == '_' || ('0' <= r && r <= '9') || ('A' <= r && r <= 'Z') || ('a' <= r && r <= 'z')
}

// ValidateValue checks that a secret value is neither empty nor larger than
// MaxValueSize. Errors give sizes only, never the value.
func ValidateValue(v []byte) error {
	if len(v) == 0 {
		return errors.New("secret value is empty")
	}
	if len(v) > MaxValueSize {
		return fmt.Errorf("secret value is %d bytes: GitHub allows at most %d bytes (48 KB)", len(v), MaxValueSize)
	}
	return nil
}
