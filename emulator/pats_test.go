package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// patCall sends one request to a fresh emulator seeded with a grant, a
// request and a SAML authorization, and returns the status and body.
func patCall(t *testing.T, s *Server, apiURL, auth, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, apiURL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", "test")
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The fine-grained PAT and credential operations answer as GitHub documents:
// Apps alone list and revoke, batches are capped, an organization without
// SAML is 404, a SAML authorization is removed (204, then gone from the
// list) by an App with Administration write or an owner's admin:org token
// alone, and the credential revocation refuses authentication.
func TestPATOperations(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	const (
		app    = "ghs_app"
		weak   = "ghs_weak"
		reader = "ghs_reader"
		fine   = "github_pat_fine"
		owner  = "ghp_owner"
		member = "ghp_member"
	)
	ids := make([]string, 101)
	for i := range ids {
		ids[i] = fmt.Sprint(i + 1)
	}
	creds := make([]string, 1001)
	for i := range creds {
		creds[i] = `"ghp_x"`
	}
	tests := []struct {
		name, auth, method, path, body string
		org                            string // with SAML; "" for none
		want                           int
	}{
		{"app lists grants", app, "GET", "/orgs/acme/personal-access-tokens", "", "", 200},
		{"fine-grained PAT is refused", fine, "GET", "/orgs/acme/personal-access-tokens", "", "", 403},
		{"classic PAT of an owner is refused", owner, "GET", "/orgs/acme/personal-access-token-requests", "", "", 403},
		{"app without the permission is refused", weak, "GET", "/orgs/acme/personal-access-tokens", "", "", 403},
		{"unknown organization", app, "GET", "/orgs/nope/personal-access-tokens", "", "", 404},
		{"revoke", app, "POST", "/orgs/acme/personal-access-tokens", `{"action":"revoke","pat_ids":[%GRANT%]}`, "", 202},
		{"revoke needs the action", app, "POST", "/orgs/acme/personal-access-tokens", `{"pat_ids":[%GRANT%]}`, "", 422},
		{"revoke takes at most 100", app, "POST", "/orgs/acme/personal-access-tokens", `{"action":"revoke","pat_ids":[` + strings.Join(ids, ",") + `]}`, "", 422},
		{"deny", app, "POST", "/orgs/acme/personal-access-token-requests", `{"action":"deny","pat_request_ids":[%REQUEST%],"reason":"no"}`, "", 202},
		{"no SAML is 404", app, "GET", "/orgs/acme/credential-authorizations", "", "", 404},
		{"SAML lists", app, "GET", "/orgs/acme/credential-authorizations", "", "acme", 200},
		{"revocation without authentication", "", "POST", "/credentials/revoke", `{"credentials":["ghp_owner"]}`, "", 202},
		{"revocation refuses authentication", owner, "POST", "/credentials/revoke", `{"credentials":["ghp_owner"]}`, "", 403},
		{"revocation takes at most 1000", "", "POST", "/credentials/revoke", `{"credentials":[` + strings.Join(creds, ",") + `]}`, "", 422},
		{"remove a SAML authorization", app, "DELETE", "/orgs/acme/credential-authorizations/%CRED%", "", "acme", 204},
		{"an owner's classic token with admin:org removes", owner, "DELETE", "/orgs/acme/credential-authorizations/%CRED%", "", "acme", 204},
		{"removing needs Administration write", reader, "DELETE", "/orgs/acme/credential-authorizations/%CRED%", "", "acme", 403},
		{"removing needs admin:org", member, "DELETE", "/orgs/acme/credential-authorizations/%CRED%", "", "acme", 403},
		{"reading needs read:org", member, "GET", "/orgs/acme/credential-authorizations", "", "acme", 200},
		{"an unknown credential is 404", app, "DELETE", "/orgs/acme/credential-authorizations/99999", "", "acme", 404},
		{"another organization's credential is 404", app, "DELETE", "/orgs/acme/credential-authorizations/%CRED%", "", "other", 404},
		{"removing without SAML is 404", app, "DELETE", "/orgs/acme/credential-authorizations/1", "", "", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(Options{Now: func() time.Time { return now }})
			s.AddOrg("acme")
			orgPerms := map[string]string{"organization_personal_access_tokens": "write", "organization_personal_access_token_requests": "write", "organization_administration": "write"}
			s.AddToken(Token{Value: app, Permissions: orgPerms})
			s.AddToken(Token{Value: reader, Permissions: map[string]string{"organization_administration": "read"}})
			s.AddToken(Token{Value: member, Scopes: []string{"read:org"}})
			s.AddToken(Token{Value: weak, Permissions: map[string]string{"metadata": "read"}})
			s.AddToken(Token{Value: fine, Permissions: orgPerms})
			s.AddToken(Token{Value: owner, Scopes: []string{"admin:org"}})
			grant := s.AddGrantedPAT(GrantedPAT{Org: "acme", Owner: "ana", ExpiresAt: now.Add(time.Hour)})
			request := s.AddPATRequest(PATRequest{Org: "acme", Owner: "bo"})
			var cred int64
			if tt.org != "" {
				s.AddOrg("other")
				cred = s.AddCredentialAuthorization(CredentialAuthorization{Org: tt.org, Login: "cy", Token: "ghp_0123456789abcdef", Scopes: []string{"repo"}})
				if tt.org == "other" {
					s.EnableSAML("acme")
				}
			}
			srv, apiURL := s.Start()
			defer srv.Close()
			ids := strings.NewReplacer("%GRANT%", fmt.Sprint(grant), "%REQUEST%", fmt.Sprint(request), "%CRED%", fmt.Sprint(cred))
			got, text := patCall(t, s, apiURL, tt.auth, tt.method, ids.Replace(tt.path), ids.Replace(tt.body))
			if got != tt.want {
				t.Fatalf("%s %s: %d, want %d: %s", tt.method, tt.path, got, tt.want, text)
			}
			if tt.method == "DELETE" && tt.org != "" {
				held := s.CredentialAuthorizations(tt.org)
				if gone := len(held) == 0; gone != (got == 204) {
					t.Errorf("%s holds credentials %v after a %d, want it gone exactly on 204", tt.org, held, got)
				}
				if got == 204 && text != "" {
					t.Errorf("204 with a body %q", text)
				}
				if _, list := patCall(t, s, apiURL, app, "GET", "/orgs/"+tt.org+"/credential-authorizations", ""); (got == 204) != (list == "[]\n") {
					t.Errorf("list after a %d: %q", got, list)
				}
			}
			switch tt.name {
			case "revoke":
				if len(s.GrantedPATs("acme")) != 0 {
					t.Errorf("the grant is still there after its revocation")
				}
			case "deny":
				if r := s.PATRequests("acme"); r[0].Status != "denied" || r[0].DenyReason != "no" {
					t.Errorf("request %+v, want denied with the reason", r[0])
				}
			case "SAML lists":
				var list []map[string]any
				if err := json.Unmarshal([]byte(text), &list); err != nil || len(list) != 1 || list[0]["token_last_eight"] != "89abcdef" || list[0]["credential_type"] != "personal access token" {
					t.Errorf("list %s, want one personal access token showing its last eight characters", text)
				}
			case "revocation without authentication":
				if n, ok := s.RevokedCredentials(owner); n != 1 || !ok {
					t.Errorf("revoked %d credentials (the token among them: %v), want it", n, ok)
				}
				if st, _ := patCall(t, s, apiURL, owner, "GET", "/user", ""); st != 401 {
					t.Errorf("the revoked token still works: %d", st)
				}
			case "app lists grants":
				var list []map[string]any
				if err := json.Unmarshal([]byte(text), &list); err != nil || len(list) != 1 || list[0]["token_expires_at"] != "2026-11-25T13:00:00Z" || list[0]["token_expired"] != false || list[0]["token_last_used_at"] != nil {
					t.Errorf("list %s, want the grant with its expiry (not reached) and no last use", text)
				}
			}
		})
	}
}
