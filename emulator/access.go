package emulator

import (
	"net/http"
	"strings"
)

// access is what an operation needs, in the two vocabularies GitHub
// announces: classic scopes (X-Accepted-OAuth-Scopes) and fine-grained
// permissions (X-Accepted-GitHub-Permissions).
type access struct {
	// scopes are the classic scopes that grant the operation; any one suffices.
	scopes []string
	// perm is "permission=level", such as "secrets=write", or several,
	// comma-separated, that are all needed, as GitHub writes them.
	perm string
	// repo is the "owner/repo" a scopeless token must have been granted.
	repo string
}

var levels = map[string]int{"read": 1, "write": 2, "admin": 3}

// authorize answers for GitHub whether the request's token may perform an
// operation needing a, writing the refusal when it may not. Like GitHub it
// sets the Accepted headers on every answer, so a client can say what is
// missing.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, a access) bool {
	tok := tokenOf(r)
	if len(a.scopes) > 0 {
		w.Header().Set("X-Accepted-OAuth-Scopes", strings.Join(a.scopes, ", "))
	}
	if a.perm != "" {
		w.Header().Set("X-Accepted-GitHub-Permissions", a.perm)
	}
	if tok == nil {
		writeError(w, http.StatusUnauthorized, "Requires authentication")
		return false
	}
	if tok.HasScopes() {
		if len(a.scopes) == 0 {
			return true
		}
		have := grantedScopes(tok.Scopes)
		for _, sc := range a.scopes {
			if have[sc] {
				return true
			}
		}
		writeError(w, http.StatusForbidden, "Resource not accessible by personal access token")
		return false
	}
	if a.repo != "" && !tok.reaches(a.repo) {
		// GitHub hides what a token cannot see.
		writeError(w, http.StatusNotFound, "Not Found")
		return false
	}
	if a.perm == "" {
		return true
	}
	if tok.grants(a.perm) {
		return true
	}
	if strings.HasPrefix(tok.Value, "github_pat_") {
		writeError(w, http.StatusForbidden, "Resource not accessible by personal access token")
	} else {
		writeError(w, http.StatusForbidden, "Resource not accessible by integration")
	}
	return false
}

// grants reports whether a scopeless token has every "permission=level" of
// the comma-separated perm.
func (t *Token) grants(perm string) bool {
	for _, p := range strings.Split(perm, ",") {
		name, level, _ := strings.Cut(p, "=")
		if levels[t.Permissions[name]] < levels[level] {
			return false
		}
	}
	return true
}

// reaches reports whether a scopeless token was granted repository full.
func (t *Token) reaches(full string) bool {
	for _, r := range t.Repos {
		if strings.EqualFold(r, full) {
			return true
		}
	}
	return false
}
