package secrets

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
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

// ValidateOwner checks a user or organization name: at most 39 letters,
// digits and single inner hyphens.
func ValidateOwner(name string) error {
	switch {
	case name == "":
		return errors.New("owner is empty")
	case len(name) > 39:
		return fmt.Errorf("owner %q is %d characters long, the most is 39", name, len(name))
	case name[0] == '-' || name[len(name)-1] == '-':
		return fmt.Errorf("owner %q must not start or end with a hyphen", name)
	case strings.Contains(name, "--"):
		return fmt.Errorf("owner %q must not contain consecutive hyphens", name)
	}
	for _, r := range name {
		if !isAlnum(r) && r != '-' {
			return fmt.Errorf("owner %q: character %q is not allowed (use only letters, digits and single hyphens)", name, r)
		}
	}
	return nil
}

// ValidateRepoName checks a repository name (without its owner): at most
// 100 letters, digits, '.', '-' and '_', and not "." or "..".
func ValidateRepoName(name string) error {
	switch {
	case name == "":
		return errors.New("repository name is empty")
	case len(name) > 100:
		return fmt.Errorf("repository name %q is %d characters long, the most is 100", name, len(name))
	case name == "." || name == "..":
		return fmt.Errorf("repository name %q is not allowed", name)
	}
	for _, r := range name {
		if !isAlnum(r) && r != '.' && r != '-' && r != '_' {
			return fmt.Errorf("repository name %q: character %q is not allowed (use only letters, digits, '.', '-' and '_')", name, r)
		}
	}
	return nil
}

// maxEnvironmentName is GitHub's limit on an environment name's length, in
// characters.
const maxEnvironmentName = 255

// ValidateEnvironment checks an environment name. GitHub allows up to 255
// characters and compares names case-insensitively; a name may hold '/',
// which the API wants escaped (%2F). It must not hold control characters
// (a newline would forge a log line), line or paragraph separators, or
// invisible format characters, and neither it nor any part of it
// between slashes may be "." or "..": a server or proxy that unescapes the
// path would walk it to another URL.
func ValidateEnvironment(name string) error {
	switch n := utf8.RuneCountInString(name); {
	case name == "":
		return errors.New("environment name is empty")
	case !utf8.ValidString(name):
		return fmt.Errorf("environment name %q is not valid UTF-8", name)
	case n > maxEnvironmentName:
		return fmt.Errorf("environment name is %d characters long, the most is %d", n, maxEnvironmentName)
	}
	for i, r := range name {
		switch {
		case unicode.IsControl(r):
			return fmt.Errorf("environment name %q: control character %q at byte %d is not allowed", name, r, i+1)
		case unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp):
			// U+2028 and U+2029 break lines in logs and summaries; format
			// characters (zero-width, bidi overrides, BOM) make two names
			// look alike.
			return fmt.Errorf("environment name %q: invisible or line-breaking character %q at byte %d is not allowed", name, r, i+1)
		}
	}
	for _, part := range strings.FieldsFunc(name, func(r rune) bool { return r == '/' || r == '\\' }) {
		if part == "." || part == ".." {
			return fmt.Errorf("environment name %q: %q is not allowed as a name or a part of one between slashes", name, part)
		}
	}
	return nil
}
