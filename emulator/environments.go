package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// maxEnvironmentName is GitHub's limit on an environment name: 255
// characters.
const maxEnvironmentName = 255

// environmentRoutes registers reading and creating (or updating) one
// environment of a repository.
func (s *Server) environmentRoutes() {
	s.handle("GET /repos/{owner}/{repo}/environments/{environment_name}", s.getEnvironment)
	s.handle("PUT /repos/{owner}/{repo}/environments/{environment_name}", s.putEnvironment)
}

// environment returns repository rp's environment named name as it was
// registered (names are case-insensitive), or "" when it has none.
func (s *Server) environment(rp *Repo, name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return envNamed(rp, name)
}

// envNamed is environment for a caller that holds s.mu.
func envNamed(rp *Repo, name string) string {
	for _, e := range rp.Environments {
		if strings.EqualFold(e, name) {
			return e
		}
	}
	return ""
}

// environmentJSON is an environment as GitHub shows it, with no protection
// rules (the emulator keeps none).
func (s *Server) environmentJSON(r *http.Request, rp *Repo, name string, at time.Time) map[string]any {
	path := "/repos/" + rp.FullName() + "/environments/" + url.PathEscape(name)
	return map[string]any{
		"id":                       envID(rp.FullName() + "/" + strings.ToLower(name)),
		"name":                     name,
		"url":                      s.apiURL(r, path),
		"html_url":                 "https://github.com/" + rp.FullName() + "/deployments/activity_log?environments_filter=" + url.QueryEscape(name),
		"created_at":               at.UTC().Format(time.RFC3339),
		"updated_at":               at.UTC().Format(time.RFC3339),
		"protection_rules":         []any{},
		"deployment_branch_policy": nil,
	}
}

// envID is a stable id for an environment.
func envID(key string) int64 {
	var h int64 = 7
	for _, c := range strings.ToLower(key) {
		h = (h*31 + int64(c)) & (1<<40 - 1)
	}
	return h
}

func (s *Server) getEnvironment(w http.ResponseWriter, r *http.Request) {
	rp := s.repo(w, r)
	if rp == nil || !s.authorize(w, r, access{scopes: []string{"repo"}, perm: "actions=read", repo: rp.FullName()}) {
		return
	}
	name := s.environment(rp, r.PathValue("environment_name"))
	if name == "" {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	writeJSON(w, http.StatusOK, s.environmentJSON(r, rp, name, s.envTime(rp, name)))
}

// putEnvironment creates the environment when the repository has none of
// that name (in any case), and answers 200 with it either way. Its optional
// body sets protection rules, which the emulator reads and ignores.
func (s *Server) putEnvironment(w http.ResponseWriter, r *http.Request) {
	rp := s.repo(w, r)
	if rp == nil || !s.authorize(w, r, access{scopes: []string{"repo"}, perm: "administration=write", repo: rp.FullName()}) {
		return
	}
	var body struct {
		WaitTimer *int `json:"wait_timer"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil && err != io.EOF {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON")
		return
	}
	if body.WaitTimer != nil && (*body.WaitTimer < 0 || *body.WaitTimer > 43200) {
		invalidField(w, "Environment", "wait_timer", "invalid", "")
		return
	}
	name := r.PathValue("environment_name")
	if n := utf8.RuneCountInString(name); n == 0 || n > maxEnvironmentName || strings.ContainsFunc(name, isControl) {
		invalidField(w, "Environment", "name", "invalid", "name must be 1 to 255 characters, with no control characters")
		return
	}
	now := s.opts.Now()
	s.mu.Lock()
	found := envNamed(rp, name)
	if found == "" {
		found = name
		rp.Environments = append(rp.Environments, name)
		if s.envCreated == nil {
			s.envCreated = map[string]time.Time{}
		}
		s.envCreated[envKey(rp, name)] = now
	}
	at := s.envCreated[envKey(rp, found)]
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, s.environmentJSON(r, rp, found, at))
}

func isControl(c rune) bool { return c < 0x20 || c == 0x7f }

func envKey(rp *Repo, name string) string {
	return strings.ToLower(rp.FullName() + "/" + name)
}

// envTime is when environment name of rp was created through the API; the
// zero time for one registered with AddRepo.
func (s *Server) envTime(rp *Repo, name string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.envCreated[envKey(rp, name)]
}

// Environments returns repository full's environments ("owner/repo"), as
// registered or created, for tests to assert on.
func (s *Server) Environments(full string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.repos[strings.ToLower(full)]
	if rp == nil {
		return nil
	}
	return append([]string(nil), rp.Environments...)
}
