package policy

import (
	"strings"
	"testing"
	"time"

	"github.com/pat-action/pat-action/token"
)

// TestMessagesGrammar: articles and number agree with what they name.
func TestMessagesGrammar(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	exp := now.Add(90 * 24 * time.Hour)
	classic := func(scopes ...string) token.Info {
		return token.Info{Type: token.Classic, Scopes: scopes, HasScopes: true, ExpiresAt: &exp}
	}
	tests := []struct {
		name   string
		policy Policy
		info   token.Info
		want   string
	}{
		{"an app token", Policy{}, token.Info{Type: token.App, ExpiresAt: &exp}, "The token is an app token;"},
		{"an oauth token", Policy{AllowedTokenTypes: []token.Type{token.Classic}}, token.Info{Type: token.OAuth, ExpiresAt: &exp}, "The token is an oauth token, but"},
		{"a classic token", Policy{}, classic("repo"), "The token is a classic token;"},
		{"two scopes go beyond", Policy{RequiredScopes: []string{"repo"}}, classic("repo", "admin:org", "delete_repo"), "admin:org, delete_repo go beyond allowed-scopes"},
		{"one scope goes beyond", Policy{RequiredScopes: []string{"repo"}}, classic("repo", "delete_repo"), "delete_repo goes beyond allowed-scopes"},
		{"one required scope lacking", Policy{RequiredScopes: []string{"repo", "workflow"}}, classic("repo"), "lacks required scope workflow;"},
		{"two required scopes lacking", Policy{RequiredScopes: []string{"repo", "workflow"}}, classic(), "lacks required scopes repo, workflow;"},
		{"one forbidden scope", Policy{ForbiddenScopes: []string{"delete_repo"}}, classic("delete_repo"), "has a forbidden scope: delete_repo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var msgs []string
			for _, r := range Evaluate(tt.policy, tt.info, now).Rules {
				msgs = append(msgs, r.Message)
			}
			if all := strings.Join(msgs, "\n"); !strings.Contains(all, tt.want) {
				t.Errorf("no message says %q:\n%s", tt.want, all)
			}
		})
	}
}
