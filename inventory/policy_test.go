package inventory

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pat-action/pat-action/policy"
	"github.com/pat-action/pat-action/token"
)

func TestEvaluate(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	at := func(d float64) *time.Time { t := now.Add(time.Duration(d * float64(24*time.Hour))); return &t }
	tests := []struct {
		name string
		p    Policy
		tok  Token
		want []string
	}{
		{"expired fails even with min-days-left off", Policy{}, Token{Kind: FineGrained, ExpiresAt: at(-1)}, []string{"expiry: expired at 2026-11-24T12:00:00Z"}},
		{"lifetime exactly at the limit passes", Policy{MaxLifetimeDays: 90}, Token{Kind: FineGrained, ExpiresAt: at(90)}, []string{}},
		// More than N days from now, as check reads max-lifetime-days: by
		// the clock, not by whole days.
		{"lifetime a minute over fails", Policy{MaxLifetimeDays: 90}, Token{Kind: FineGrained, ExpiresAt: at(90 + 1.0/24/60)}, []string{"max-lifetime-days: expires at 2027-02-23T12:01:00Z, more than 90 days from now"}},
		{"lifetime a day over fails", Policy{MaxLifetimeDays: 90}, Token{Kind: FineGrained, ExpiresAt: at(91.5)}, []string{"max-lifetime-days: expires at 2027-02-25T00:00:00Z, more than 90 days from now"}},
		{"never expiring fails lifetime and expiration", Policy{MaxLifetimeDays: 90, RequireExpiration: true}, Token{Kind: Request},
			[]string{"require-expiration: never expires", "max-lifetime-days: never expires, and may live at most 90 days"}},
		{"idle by last use", Policy{MaxIdleDays: 30}, Token{Kind: ClassicSSO, ExpiresAt: at(60), LastUsedAt: at(-30.5), since: at(-300)}, []string{}},
		{"idle a day over", Policy{MaxIdleDays: 30}, Token{Kind: ClassicSSO, ExpiresAt: at(60), LastUsedAt: at(-31.5)}, []string{"max-idle-days: last used 31 days ago, more than 30"}},
		{"never used and never dated passes idle", Policy{MaxIdleDays: 30}, Token{Kind: FineGrained, ExpiresAt: at(60)}, []string{}},
		{"write forbidden spares read", Policy{ForbiddenPermissions: []policy.Permission{{Name: "contents", Level: "write"}}},
			Token{Kind: FineGrained, ExpiresAt: at(60), Permissions: map[string]string{"contents": "read"}}, []string{}},
		{"read forbidden catches admin", Policy{ForbiddenPermissions: []policy.Permission{{Name: "administration", Level: "read"}}},
			Token{Kind: FineGrained, ExpiresAt: at(60), Permissions: map[string]string{"administration": "admin"}},
			[]string{"forbidden-permissions: has administration:admin (administration:read is forbidden)"}},
		{"scopes only apply to classic", Policy{ForbiddenScopes: []string{"repo"}}, Token{Kind: FineGrained, ExpiresAt: at(60), Scopes: []string{"repo"}}, []string{}},
		{"requests are fine-grained tokens", Policy{AllowedTypes: []token.Type{token.Classic}}, Token{Kind: Request, ExpiresAt: at(60)},
			[]string{"allowed-token-types: fine-grained tokens are not allowed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := tt.tok
			tt.p.Evaluate(&tok, now)
			if d := cmp.Diff(tt.want, tok.Reasons); d != "" {
				t.Errorf("reasons (-want +got)\n%s", d)
			}
			if tok.Passed != (len(tt.want) == 0) {
				t.Errorf("passed = %v with reasons %v", tok.Passed, tok.Reasons)
			}
		})
	}
}

func TestTokenJSON(t *testing.T) {
	for _, tt := range []struct {
		tok  Token
		want string
	}{
		{Token{Kind: FineGrained, ID: 1, Reasons: []string{}, Action: None}, `{"kind":"fine-grained","id":1,"owner":"","expires_at":null,"last_used_at":null,"passed":false,"reasons":[],"action":"none","permissions":{}}`},
		{Token{Kind: ClassicSSO, ID: 2, Scopes: []string{"repo"}, Permissions: map[string]string{"x": "read"}, Reasons: []string{}, Action: None},
			`{"kind":"classic-sso","id":2,"owner":"","expires_at":null,"last_used_at":null,"passed":false,"reasons":[],"action":"none","scopes":["repo"]}`},
	} {
		b, err := json.Marshal(tt.tok)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tt.want {
			t.Errorf("JSON\n got %s\nwant %s", b, tt.want)
		}
	}
}
