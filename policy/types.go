package policy

import (
	"fmt"
	"strings"

	"github.com/pat-action/pat-action/internal/suggest"
	"github.com/pat-action/pat-action/token"
)

// validTypes returns the token types the allowed-token-types input accepts,
// in the order the documentation lists them.
func validTypes() []token.Type {
	return []token.Type{token.Classic, token.FineGrained, token.OAuth, token.App, token.UserToServer}
}

// validType reports whether t may appear in allowed-token-types.
func validType(t token.Type) bool {
	for _, v := range validTypes() {
		if t == v {
			return true
		}
	}
	return false
}

// ParseTokenTypes parses the allowed-token-types input: type names
// separated by commas, newlines or spaces, trimmed, empties and duplicates
// dropped. An empty list gives nil (all types allowed). A name that is not
// one of classic, fine-grained, oauth, app or user-to-server gives an
// *UnknownTokenTypeError.
func ParseTokenTypes(list string) ([]token.Type, error) {
	var out []token.Type
	for _, name := range splitList(list) {
		t := token.Type(name)
		if !validType(t) {
			return nil, newUnknownTokenTypeError(name)
		}
		out = append(out, t)
	}
	return out, nil
}

// UnknownTokenTypeError is a token type name allowed-token-types does not accept.
type UnknownTokenTypeError struct {
	Type string
	// Suggestion is the nearest valid type, or empty when none is close.
	Suggestion string
}

func newUnknownTokenTypeError(name string) *UnknownTokenTypeError {
	var names []string
	for _, v := range validTypes() {
		names = append(names, string(v))
	}
	return &UnknownTokenTypeError{Type: name, Suggestion: suggest.Nearest(name, names)}
}

// Error names the unknown type, the nearest valid one if any, and all valid ones.
func (e *UnknownTokenTypeError) Error() string {
	var names []string
	for _, v := range validTypes() {
		names = append(names, string(v))
	}
	hint := ""
	if e.Suggestion != "" {
		hint = fmt.Sprintf(" (did you mean %q?)", e.Suggestion)
	}
	return fmt.Sprintf("unknown token type %q%s: must be one of %s", e.Type, hint, strings.Join(names, ", "))
}
