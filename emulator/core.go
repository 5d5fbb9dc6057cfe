package emulator

import (
	"net/http"
	"strings"
)

// routes registers every operation the emulator serves. Each name is
// exactly an operation of GitHub's list; a test holds them to it.
func (s *Server) routes() {
	s.handle("GET /", s.getRoot)
	s.handle("GET /user", s.getUser)
	s.handle("GET /repos/{owner}/{repo}", s.getRepo)
	s.handle("GET /orgs/{org}", s.getOrg)
	s.secretRoutes()
	s.environmentRoutes()
	s.variableRoutes()
	s.rotateRoutes()
	s.patRoutes()
}

// getRoot is the API root, the cheapest authenticated probe (HEAD /).
func (s *Server) getRoot(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"current_user_url": "https://api.github.com/user"})
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r, access{}) {
		return
	}
	tok := tokenOf(r)
	if strings.HasPrefix(tok.Value, "ghs_") {
		// Installation tokens are not users.
		writeError(w, http.StatusForbidden, "Resource not accessible by integration")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"login": tok.Login, "id": 1, "type": "User"})
}

// repo returns the repository named by the request's owner and repo, or
// writes 404.
func (s *Server) repo(w http.ResponseWriter, r *http.Request) *Repo {
	full := r.PathValue("owner") + "/" + r.PathValue("repo")
	s.mu.Lock()
	rp := s.repos[strings.ToLower(full)]
	s.mu.Unlock()
	if rp == nil {
		writeError(w, http.StatusNotFound, "Not Found")
	}
	return rp
}

func (s *Server) getRepo(w http.ResponseWriter, r *http.Request) {
	rp := s.repo(w, r)
	if rp == nil || !s.authorize(w, r, access{perm: "metadata=read", repo: rp.FullName()}) {
		return
	}
	writeJSON(w, http.StatusOK, repoJSON(rp))
}

func repoJSON(rp *Repo) map[string]any {
	topics := rp.Topics
	if topics == nil {
		topics = []string{}
	}
	return map[string]any{
		"id":        rp.ID,
		"name":      rp.Name,
		"full_name": rp.FullName(),
		"owner":     map[string]any{"login": rp.Owner},
		"private":   rp.Private,
		"archived":  rp.Archived,
		"topics":    topics,
	}
}

func (s *Server) getOrg(w http.ResponseWriter, r *http.Request) {
	org := r.PathValue("org")
	s.mu.Lock()
	ok := s.orgs[strings.ToLower(org)]
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	if !s.authorize(w, r, access{}) {
		return
	}
	public, private := 0, 0
	s.mu.Lock()
	for _, rp := range s.repos {
		if strings.EqualFold(rp.Owner, org) {
			if rp.Private {
				private++
			} else {
				public++
			}
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"login": org, "id": 1, "public_repos": public, "total_private_repos": private})
}
