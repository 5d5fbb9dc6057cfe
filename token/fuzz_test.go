package token

import (
	"strings"
	"testing"
	"time"
)

func FuzzClassify(f *testing.F) {
	for _, s := range []string{
		"", "ghp_", "ghp_abc", "github_pat_11AAA_bbb", "gho_x", "ghu_x", "ghs_x", "ghr_x",
		"ghs_123_eyJh.eyJi.sig", "0123456789abcdef0123456789abcdef01234567", "github_pat_", "x",
	} {
		f.Add(s)
	}
	known := map[Type]bool{Classic: true, FineGrained: true, OAuth: true, UserToServer: true, App: true, Refresh: true, Unknown: true}
	f.Fuzz(func(t *testing.T, tok string) {
		typ, legacy := Classify(tok)
		if !known[typ] {
			t.Fatalf("Classify returned unknown type %q", typ)
		}
		if legacy && typ != Classic {
			t.Fatalf("Classify returned legacy with type %q", typ)
		}
		_ = CheckFormat(tok)
	})
}

func FuzzParseExpiration(f *testing.F) {
	for _, s := range []string{
		"2026-12-01 10:00:00 UTC", "2026-12-01 15:04:05 UTC", "2026-12-01 10:00:00 +0900",
		"2026-12-01 10:00:00 -07:00", "2026-12-01T15:04:05Z", "2026-12-01T15:04:05.999+02:00",
		"0000-01-01 00:00:00 +0100", "9999-12-31 23:59:59 -2359", "", "UTC",
	} {
		f.Add(s)
	}
	const layout = "2006-01-02 15:04:05 UTC"
	f.Fuzz(func(t *testing.T, h string) {
		got, err := ParseExpiration(h)
		if err != nil {
			return
		}
		if got.Location() != time.UTC {
			t.Fatalf("ParseExpiration(%q) location = %v; want UTC", h, got.Location())
		}
		s := got.Format(layout)
		again, err := ParseExpiration(s)
		if err != nil {
			t.Fatalf("ParseExpiration(%q) = %q, which does not parse again: %v", h, s, err)
		}
		if !again.Equal(got) {
			t.Fatalf("ParseExpiration(%q) = %v; round trip through %q gives %v", h, got, s, again)
		}
	})
}

func FuzzParseScopesHeader(f *testing.F) {
	for _, s := range []string{"", "repo", "repo, workflow", " ,, repo ,\t admin:org,", "a b", "\u00a0repo\u2003gist"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		got := ParseScopesHeader(h)
		if got == nil {
			t.Fatalf("ParseScopesHeader(%q) = nil", h)
		}
		for _, s := range got {
			if s == "" {
				t.Fatalf("ParseScopesHeader(%q) has an empty scope: %q", h, got)
			}
			if strings.ContainsAny(s, " ,\t\r\n") {
				t.Fatalf("ParseScopesHeader(%q) has a scope with a space or comma: %q", h, s)
			}
		}
	})
}
