package token

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// MaxLen is the longest token CheckFormat accepts. GitHub's tokens are at
// most a few hundred bytes (the 2026 ghs_ JWT form is about 520); anything far
// longer is a wrong file, not a token.
const MaxLen = 4096

// Classify tells a token's type from its prefix. A pre-2021 token (exactly 40
// hexadecimal characters) is reported as Classic with legacy true: its real
// kind shows only in the API's X-OAuth-Scopes header. Anything else, including
// a bare prefix with nothing after it, is Unknown. The token is treated as
// opaque: no length beyond the prefix is required.
func Classify(tok string) (t Type, legacy bool) {
	for _, p := range prefixes() {
		if len(tok) > len(p.prefix) && strings.HasPrefix(tok, p.prefix) {
			return p.typ, false
		}
	}
	if isLegacy(tok) {
		return Classic, true
	}
	return Unknown, false
}

// typePrefix is the prefix of a type's tokens.
type typePrefix struct {
	prefix string
	typ    Type
}

// prefixes are the token types' prefixes. No prefix is a prefix of
// another, so their order does not matter.
func prefixes() []typePrefix {
	return []typePrefix{
		{"ghp_", Classic},
		{"github_pat_", FineGrained},
		{"gho_", OAuth},
		{"ghu_", UserToServer},
		{"ghs_", App},
		{"ghr_", Refresh},
	}
}

// isLegacy reports whether tok has the pre-2021 form: 40 hexadecimal characters.
func isLegacy(tok string) bool {
	if len(tok) != 40 {
		return false
	}
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// CheckFormat rejects a value that cannot be a token or must not be sent as
// one: empty, surrounded by whitespace, containing whitespace or control
// characters (a newline would inject a header), non-ASCII, longer than
// MaxLen, or a type prefix alone (ghp_ with nothing after it). Its errors never contain the token or any part of it.
func CheckFormat(tok string) error {
	if tok == "" {
		return errors.New("token is empty")
	}
	if len(tok) > MaxLen {
		return fmt.Errorf("token is %d bytes long: at most %d allowed", len(tok), MaxLen)
	}
	for _, p := range prefixes() {
		if tok == p.prefix {
			return errors.New("token is only a type prefix (such as ghp_) with nothing after it: copy the whole token")
		}
	}
	if strings.TrimSpace(tok) != tok {
		return errors.New("token has leading or trailing whitespace: strip it (a trailing newline from a file?)")
	}
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		switch {
		case c > unicode.MaxASCII:
			return errors.New("token contains non-ASCII characters")
		case c == ' ':
			return errors.New("token contains a space")
		case c < ' ' || c == 0x7f:
			return errors.New("token contains a newline or control character")
		}
	}
	return nil
}
