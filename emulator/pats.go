package emulator

import (
	"cmp"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// GrantedPAT is a fine-grained personal access token that was granted
// access to an organization, as GET /orgs/{org}/personal-access-tokens
// lists it.
type GrantedPAT struct {
	// ID is the grant's id, the pat_id of the revoke request; 0 gets one.
	ID    int64
	Org   string
	Owner string
	// TokenID and TokenName identify the token itself.
	TokenID   int64
	TokenName string
	// Permissions are by group ("organization", "repository", "other"),
	// then permission name and level, as GitHub sends them.
	Permissions map[string]map[string]string
	// RepositorySelection is "none", "all" or "subset".
	RepositorySelection string
	AccessGrantedAt     time.Time
	// ExpiresAt and LastUsedAt are zero for never.
	ExpiresAt  time.Time
	LastUsedAt time.Time
}

// PATRequest is a pending request of a fine-grained PAT to access an
// organization.
type PATRequest struct {
	// ID is the request's id, the pat_request_id; 0 gets one.
	ID                  int64
	Org                 string
	Owner               string
	Reason              string
	TokenID             int64
	TokenName           string
	Permissions         map[string]map[string]string
	RepositorySelection string
	CreatedAt           time.Time
	ExpiresAt           time.Time
	LastUsedAt          time.Time
	// Status is "pending" until the organization approves or denies it;
	// DenyReason is the reason given with a denial.
	Status     string
	DenyReason string
}

// pats is the state of the fine-grained PAT and credential operations,
// guarded by Server.mu.
type pats struct {
	granted  []*GrantedPAT
	requests []*PATRequest
	creds    []*CredentialAuthorization
	saml     map[string]bool // organizations with SAML single sign-on
	revoked  []string        // credentials sent to POST /credentials/revoke
}

// patRoutes registers the operations an organization's token inventory
// uses.
func (s *Server) patRoutes() {
	s.pat = pats{saml: map[string]bool{}}
	s.handle("GET /orgs/{org}/personal-access-tokens", s.listGrantedPATs)
	s.handle("POST /orgs/{org}/personal-access-tokens", s.revokeGrantedPATs)
	s.handle("GET /orgs/{org}/personal-access-token-requests", s.listPATRequests)
	s.handle("POST /orgs/{org}/personal-access-token-requests", s.reviewPATRequests)
	s.credentialRoutes()
}

// AddGrantedPAT registers a fine-grained PAT's access to an organization
// (and the organization), and returns the grant's id.
func (s *Server) AddGrantedPAT(p GrantedPAT) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.registerPAT(p.Org, &p.ID, &p.RepositorySelection)
	s.pat.granted = append(s.pat.granted, &p)
	return p.ID
}

// AddPATRequest registers a pending request (and the organization), and
// returns its id.
func (s *Server) AddPATRequest(p PATRequest) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.registerPAT(p.Org, &p.ID, &p.RepositorySelection)
	p.Status = "pending"
	s.pat.requests = append(s.pat.requests, &p)
	return p.ID
}

// registerPAT registers org and gives a grant or request its id and its
// default repository selection, "all". s.mu is held.
func (s *Server) registerPAT(org string, id *int64, selection *string) {
	s.orgs[strings.ToLower(org)] = true
	if *id == 0 {
		s.nextID++
		*id = s.nextID
	}
	if *selection == "" {
		*selection = "all"
	}
}

// GrantedPATs returns the ids of the fine-grained PATs that still have
// access to org, in order.
func (s *Server) GrantedPATs(org string) []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int64
	for _, p := range s.pat.granted {
		if strings.EqualFold(p.Org, org) {
			out = append(out, p.ID)
		}
	}
	return out
}

// PATRequests returns org's requests, pending or reviewed, as they stand.
func (s *Server) PATRequests(org string) []PATRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []PATRequest
	for _, p := range s.pat.requests {
		if strings.EqualFold(p.Org, org) {
			out = append(out, *p)
		}
	}
	return out
}

// patAdmin lets through only a GitHub App installation token with perm:
// GitHub serves these operations to Apps alone, and answers any other token
// 403.
func (s *Server) patAdmin(w http.ResponseWriter, r *http.Request, perm string) bool {
	tok := tokenOf(r)
	if tok != nil && !strings.HasPrefix(tok.Value, "ghs_") {
		w.Header().Set("X-Accepted-GitHub-Permissions", perm)
		if strings.HasPrefix(tok.Value, "github_pat_") {
			writeError(w, http.StatusForbidden, "Resource not accessible by personal access token")
		} else {
			writeError(w, http.StatusForbidden, "Resource not accessible by integration")
		}
		return false
	}
	if !s.authorize(w, r, access{perm: perm}) {
		return false
	}
	s.mu.Lock()
	ok := s.orgs[strings.ToLower(r.PathValue("org"))]
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "Not Found")
	}
	return ok
}

func patTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

func patPermissions(p map[string]map[string]string) map[string]map[string]string {
	out := map[string]map[string]string{"organization": {}, "repository": {}, "other": {}}
	for g, m := range p {
		out[g] = m
	}
	return out
}

func (s *Server) grantJSON(p *GrantedPAT) map[string]any {
	return map[string]any{
		"id":                   p.ID,
		"owner":                map[string]any{"login": p.Owner, "type": "User"},
		"repository_selection": p.RepositorySelection,
		"repositories_url":     "https://api.github.com/organizations/1/personal-access-tokens/" + strconv.FormatInt(p.ID, 10) + "/repositories",
		"permissions":          patPermissions(p.Permissions),
		"access_granted_at":    patTime(p.AccessGrantedAt),
		"token_id":             p.TokenID,
		"token_name":           p.TokenName,
		"token_expired":        s.expired(p.ExpiresAt),
		"token_expires_at":     patTime(p.ExpiresAt),
		"token_last_used_at":   patTime(p.LastUsedAt),
	}
}

func (s *Server) listGrantedPATs(w http.ResponseWriter, r *http.Request) {
	if !s.patAdmin(w, r, "organization_personal_access_tokens=read") {
		return
	}
	s.mu.Lock()
	var all []*GrantedPAT
	for _, p := range s.pat.granted {
		if strings.EqualFold(p.Org, r.PathValue("org")) {
			all = append(all, p)
		}
	}
	s.mu.Unlock()
	lo, hi := s.listPage(w, r, len(all))
	out := make([]map[string]any, 0, hi-lo)
	for _, p := range all[lo:hi] {
		out = append(out, s.grantJSON(p))
	}
	writeJSON(w, http.StatusOK, out)
}

// maxPATIDs is the most ids one revoke or review request takes.
const maxPATIDs = 100

// revokeGrantedPATs revokes the organization access of up to 100
// fine-grained PATs: {"action": "revoke", "pat_ids": [...]}, 202.
func (s *Server) revokeGrantedPATs(w http.ResponseWriter, r *http.Request) {
	if !s.patAdmin(w, r, "organization_personal_access_tokens=write") {
		return
	}
	var body struct {
		Action string  `json:"action"`
		IDs    []int64 `json:"pat_ids"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON")
		return
	}
	if body.Action != "revoke" || len(body.IDs) == 0 || len(body.IDs) > maxPATIDs {
		writeError(w, http.StatusUnprocessableEntity, "Validation Failed")
		return
	}
	org := r.PathValue("org")
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range body.IDs {
		if !slices.ContainsFunc(s.pat.granted, func(p *GrantedPAT) bool { return p.ID == id && strings.EqualFold(p.Org, org) }) {
			writeError(w, http.StatusNotFound, "Not Found")
			return
		}
	}
	s.pat.granted = slices.DeleteFunc(s.pat.granted, func(p *GrantedPAT) bool {
		return strings.EqualFold(p.Org, org) && slices.Contains(body.IDs, p.ID)
	})
	writeJSON(w, http.StatusAccepted, map[string]any{})
}

func (s *Server) listPATRequests(w http.ResponseWriter, r *http.Request) {
	if !s.patAdmin(w, r, "organization_personal_access_token_requests=read") {
		return
	}
	s.mu.Lock()
	var all []*PATRequest
	for _, p := range s.pat.requests {
		if strings.EqualFold(p.Org, r.PathValue("org")) && p.Status == "pending" {
			all = append(all, p)
		}
	}
	s.mu.Unlock()
	slices.SortStableFunc(all, func(a, b *PATRequest) int { return cmp.Compare(a.ID, b.ID) })
	lo, hi := s.listPage(w, r, len(all))
	out := make([]map[string]any, 0, hi-lo)
	for _, p := range all[lo:hi] {
		out = append(out, map[string]any{
			"id":                   p.ID,
			"reason":               p.Reason,
			"owner":                map[string]any{"login": p.Owner, "type": "User"},
			"repository_selection": p.RepositorySelection,
			"repositories_url":     "https://api.github.com/organizations/1/personal-access-token-requests/" + strconv.FormatInt(p.ID, 10) + "/repositories",
			"permissions":          patPermissions(p.Permissions),
			"created_at":           patTime(p.CreatedAt),
			"token_id":             p.TokenID,
			"token_name":           p.TokenName,
			"token_expired":        s.expired(p.ExpiresAt),
			"token_expires_at":     patTime(p.ExpiresAt),
			"token_last_used_at":   patTime(p.LastUsedAt),
		})
	}
	writeJSON(w, http.StatusOK, out)
}

// reviewPATRequests approves or denies up to 100 pending requests:
// {"action": "approve" | "deny", "pat_request_ids": [...], "reason": ...}.
func (s *Server) reviewPATRequests(w http.ResponseWriter, r *http.Request) {
	if !s.patAdmin(w, r, "organization_personal_access_token_requests=write") {
		return
	}
	var body struct {
		Action string  `json:"action"`
		IDs    []int64 `json:"pat_request_ids"`
		Reason *string `json:"reason"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON")
		return
	}
	if (body.Action != "approve" && body.Action != "deny") || len(body.IDs) == 0 || len(body.IDs) > maxPATIDs ||
		(body.Reason != nil && len(*body.Reason) > 1024) {
		writeError(w, http.StatusUnprocessableEntity, "Validation Failed")
		return
	}
	org := r.PathValue("org")
	s.mu.Lock()
	defer s.mu.Unlock()
	var hit []*PATRequest
	for _, id := range body.IDs {
		i := slices.IndexFunc(s.pat.requests, func(p *PATRequest) bool {
			return p.ID == id && strings.EqualFold(p.Org, org) && p.Status == "pending"
		})
		if i < 0 {
			writeError(w, http.StatusNotFound, "Not Found")
			return
		}
		hit = append(hit, s.pat.requests[i])
	}
	for _, p := range hit {
		p.Status = "denied"
		if body.Action == "approve" {
			p.Status = "approved"
		}
		if body.Reason != nil {
			p.DenyReason = *body.Reason
		}
		if body.Action == "approve" {
			s.nextID++
			s.pat.granted = append(s.pat.granted, &GrantedPAT{ID: s.nextID, Org: p.Org, Owner: p.Owner, TokenID: p.TokenID, TokenName: p.TokenName,
				Permissions: p.Permissions, RepositorySelection: p.RepositorySelection, AccessGrantedAt: s.opts.Now(), ExpiresAt: p.ExpiresAt, LastUsedAt: p.LastUsedAt})
		}
	}
	writeJSON(w, http.StatusAccepted, map[string]any{})
}
