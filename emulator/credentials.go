package emulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CredentialAuthorization is a credential (a classic PAT or an SSH key) that
// a member authorized for an organization's SAML single sign-on.
type CredentialAuthorization struct {
	Org   string
	Login string
	// CredentialID is the credential's id; 0 gets one.
	CredentialID int64
	// Type is "personal access token" or "SSH key", GitHub's words.
	Type string
	// Token, for a personal access token, is its value, of which only the
	// last eight characters are shown.
	Token        string
	Scopes       []string
	Note         string
	AuthorizedAt time.Time
	// AccessedAt and ExpiresAt are zero for never.
	AccessedAt time.Time
	ExpiresAt  time.Time
}

// credentialRoutes registers the SAML credential authorizations (list and
// remove) and the credential revocation operations, which GitHub Enterprise Server does not
// have.
func (s *Server) credentialRoutes() {
	if s.opts.GHES {
		return
	}
	s.handle("GET /orgs/{org}/credential-authorizations", s.listCredentialAuthorizations)
	s.handle("DELETE /orgs/{org}/credential-authorizations/{credential_id}", s.removeCredentialAuthorization)
	s.handle("POST /credentials/revoke", s.revokeCredentials)
}

// EnableSAML makes org (registering it) an organization with SAML single
// sign-on, whose credential authorizations can be listed; without it the
// list is 404, as on GitHub.
func (s *Server) EnableSAML(org string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orgs[strings.ToLower(org)] = true
	s.pat.saml[strings.ToLower(org)] = true
}

// AddCredentialAuthorization registers a credential authorized for an
// organization's SAML single sign-on (enabling SAML there) and returns its
// id.
func (s *Server) AddCredentialAuthorization(c CredentialAuthorization) int64 {
	s.EnableSAML(c.Org)
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.CredentialID == 0 {
		s.nextID++
		c.CredentialID = s.nextID
	}
	if c.Type == "" {
		c.Type = "personal access token"
	}
	s.pat.creds = append(s.pat.creds, &c)
	return c.CredentialID
}

// CredentialAuthorizations returns the ids of the credentials authorized
// for org's SAML single sign-on, in order.
func (s *Server) CredentialAuthorizations(org string) []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int64
	for _, c := range s.pat.creds {
		if strings.EqualFold(c.Org, org) {
			out = append(out, c.CredentialID)
		}
	}
	return out
}

// RevokedCredentials returns how many credentials POST /credentials/revoke
// was given, and whether it was given value (compared here, so that a test
// never prints it).
func (s *Server) RevokedCredentials(value string) (n int, revoked bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range s.pat.revoked {
		if v == value {
			revoked = true
		}
	}
	return len(s.pat.revoked), revoked
}

// listCredentialAuthorizations lists an organization's SAML credential
// authorizations; an organization without SAML answers 404. GitHub serves
// it to organization owners' tokens (read:org) and to Apps with
// organization administration read.
func (s *Server) listCredentialAuthorizations(w http.ResponseWriter, r *http.Request) {
	org := strings.ToLower(r.PathValue("org"))
	if !s.authorize(w, r, access{scopes: []string{"read:org"}, perm: "organization_administration=read"}) {
		return
	}
	s.mu.Lock()
	known, saml := s.orgs[org], s.pat.saml[org]
	var all []*CredentialAuthorization
	for _, c := range s.pat.creds {
		if strings.EqualFold(c.Org, org) {
			all = append(all, c)
		}
	}
	s.mu.Unlock()
	if !known || !saml {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	lo, hi := s.listPage(w, r, len(all))
	out := make([]map[string]any, 0, hi-lo)
	for _, c := range all[lo:hi] {
		m := map[string]any{
			"login":                    c.Login,
			"credential_id":            c.CredentialID,
			"credential_type":          c.Type,
			"credential_authorized_at": patTime(c.AuthorizedAt),
			"credential_accessed_at":   patTime(c.AccessedAt),
			"authorized_credential_id": c.CredentialID + 1,
		}
		if c.Type == "personal access token" {
			last := c.Token
			if len(last) > 8 {
				last = last[len(last)-8:]
			}
			scopes := c.Scopes
			if scopes == nil {
				scopes = []string{}
			}
			m["token_last_eight"] = last
			m["scopes"] = scopes
			m["authorized_credential_note"] = c.Note
			m["authorized_credential_expires_at"] = patTime(c.ExpiresAt)
		} else {
			m["fingerprint"] = "SHA256:emulated"
			m["authorized_credential_title"] = c.Note
		}
		out = append(out, m)
	}
	writeJSON(w, http.StatusOK, out)
}

// removeCredentialAuthorization removes a credential's SAML authorization
// for an organization: 204, and the list no longer holds it; 404 for a
// credential the organization does not hold, or an organization without
// SAML. GitHub serves it to organization owners' tokens (admin:org) and to
// Apps with organization administration write.
func (s *Server) removeCredentialAuthorization(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r, access{scopes: []string{"admin:org"}, perm: "organization_administration=write"}) {
		return
	}
	org := strings.ToLower(r.PathValue("org"))
	id, err := strconv.ParseInt(r.PathValue("credential_id"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.pat.creds, func(c *CredentialAuthorization) bool {
		return c.CredentialID == id && strings.EqualFold(c.Org, org)
	})
	if err != nil || !s.orgs[org] || !s.pat.saml[org] || i < 0 {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	s.pat.creds = slices.Delete(s.pat.creds, i, i+1)
	w.WriteHeader(http.StatusNoContent)
}

// maxRevoke is the most credentials one revocation request takes.
const maxRevoke = 1000

// revokeCredentials is GitHub's credential revocation: unauthenticated on
// github.com (an authenticated request is 403), at most 1,000 credentials,
// answered 202 whatever they are. A token the emulator knows stops working.
func (s *Server) revokeCredentials(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "" {
		writeError(w, http.StatusForbidden, "This endpoint does not accept authenticated requests")
		return
	}
	var body struct {
		Credentials []string `json:"credentials"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON")
		return
	}
	if len(body.Credentials) == 0 || len(body.Credentials) > maxRevoke {
		writeError(w, http.StatusUnprocessableEntity, "Validation Failed")
		return
	}
	s.mu.Lock()
	for _, c := range body.Credentials {
		s.pat.revoked = append(s.pat.revoked, c)
		delete(s.tokens, c)
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusAccepted, map[string]any{})
}
