package token

import (
	"strings"
	"testing"
)

// jwtApp is shaped like the 2026 ghs_APPID_JWT installation token: about 520
// characters with dots.
func jwtApp() string {
	seg := func(n int) string { return strings.Repeat("aB3_-", n/5+1)[:n] }
	tok := "ghs_123456_" + seg(36) + "." + seg(300) + "." + seg(520-11-36-300-2)
	return tok
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name       string
		tok        string
		wantType   Type
		wantLegacy bool
	}{
		{"classic", "ghp_" + strings.Repeat("A1b2", 9), Classic, false},
		{"classic 255 chars", "ghp_" + strings.Repeat("x", 251), Classic, false},
		{"classic short", "ghp_x", Classic, false},
		{"fine-grained", "github_pat_11ABCDEFG0_" + strings.Repeat("z", 59), FineGrained, false},
		{"oauth", "gho_" + strings.Repeat("k", 36), OAuth, false},
		{"user-to-server", "ghu_" + strings.Repeat("k", 36), UserToServer, false},
		{"installation", "ghs_" + strings.Repeat("k", 36), App, false},
		{"installation JWT form", jwtApp(), App, false},
		{"refresh", "ghr_" + strings.Repeat("k", 76), Refresh, false},
		{"legacy 40 hex", "0123456789abcdef0123456789abcdef01234567", Classic, true},
		{"legacy 40 hex upper", "0123456789ABCDEF0123456789ABCDEF01234567", Classic, true},
		{"39 hex", "0123456789abcdef0123456789abcdef0123456", Unknown, false},
		{"41 hex", "0123456789abcdef0123456789abcdef012345678", Unknown, false},
		{"40 non-hex", "0123456789abcdef0123456789abcdef0123456g", Unknown, false},
		{"bare prefix", "ghp_", Unknown, false},
		{"unknown prefix", "ghx_" + strings.Repeat("k", 36), Unknown, false},
		{"upper-case prefix", "GHP_" + strings.Repeat("k", 36), Unknown, false},
		{"empty", "", Unknown, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotType, gotLegacy := Classify(tt.tok)
			if gotType != tt.wantType || gotLegacy != tt.wantLegacy {
				t.Errorf("Classify(%d-char token) = %q, %v; want %q, %v", len(tt.tok), gotType, gotLegacy, tt.wantType, tt.wantLegacy)
			}
		})
	}
}

func TestJWTAppLength(t *testing.T) {
	if got := len(jwtApp()); got != 520 {
		t.Fatalf("jwtApp() is %d chars; want 520", got)
	}
}

func TestCheckFormat(t *testing.T) {
	const good = "ghp_Q7w9E2r4T6y8U0i1O3p5A7s9D1f3G5h7J9k1"
	tests := []struct {
		name    string
		tok     string
		wantErr string // empty: accepted
	}{
		{"classic", good, ""},
		{"legacy", "0123456789abcdef0123456789abcdef01234567", ""},
		{"installation JWT form", jwtApp(), ""},
		{"at the limit", "ghp_" + strings.Repeat("x", MaxLen-4), ""},
		{"empty", "", "token is empty"},
		{"too long", "ghp_" + strings.Repeat("x", MaxLen-3), "at most 4096"},
		{"trailing newline", good + "\n", "leading or trailing whitespace"},
		{"trailing CRLF", good + "\r\n", "leading or trailing whitespace"},
		{"leading space", " " + good, "leading or trailing whitespace"},
		{"trailing tab", good + "\t", "leading or trailing whitespace"},
		{"newline inside", good[:10] + "\n" + good[10:], "newline or control character"},
		{"header injection", good + "\r\nX-Evil: 1\r\n" + good, "newline or control character"},
		{"CR inside", good[:10] + "\r" + good[10:], "newline or control character"},
		{"tab inside", good[:10] + "\t" + good[10:], "newline or control character"},
		{"NUL inside", good[:10] + "\x00" + good[10:], "newline or control character"},
		{"DEL inside", good[:10] + "\x7f" + good[10:], "newline or control character"},
		{"space inside", good[:10] + " " + good[10:], "contains a space"},
		{"unicode", good[:10] + "é" + good[10:], "non-ASCII"},
		{"non-breaking space", good[:10] + "\u00a0" + good[10:], "non-ASCII"},
		{"invalid UTF-8", good[:10] + "\xff" + good[10:], "non-ASCII"},
		{"bare classic prefix", "ghp_", "only a type prefix (such as ghp_) with nothing after it"},
		{"bare fine-grained prefix", "github_pat_", "only a type prefix"},
		{"bare installation prefix", "ghs_", "only a type prefix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckFormat(tt.tok)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("CheckFormat rejected a valid token: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckFormat accepted it; want an error containing %q", tt.wantErr)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.wantErr) {
				t.Errorf("CheckFormat error = %q; want it to contain %q", msg, tt.wantErr)
			}
			if tt.tok != "" && leaks(msg, tt.tok) {
				t.Errorf("CheckFormat error for case %q contains part of the token", tt.name)
			}
		})
	}
}

// leaks reports whether msg contains 8 or more consecutive characters of tok
// (the ghp_ prefix alone is not a secret, so it is skipped).
func leaks(msg, tok string) bool {
	tok = strings.TrimPrefix(strings.TrimSpace(tok), "ghp_")
	const n = 8
	for i := 0; i+n <= len(tok); i++ {
		if strings.Contains(msg, tok[i:i+n]) {
			return true
		}
	}
	return false
}
