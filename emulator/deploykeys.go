package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// DeployKey is an SSH public key registered on one repository.
type DeployKey struct {
	ID int64
	// Key is the public key in authorized_keys form ("ssh-ed25519 AAAA..."),
	// without the comment, as GitHub keeps it.
	Key       string
	Title     string
	ReadOnly  bool
	Verified  bool
	CreatedAt time.Time
}

// deployKeyAccess is what deploy keys need: classic repo, or the
// Administration permission.
func deployKeyAccess(full, level string) access {
	return access{scopes: []string{"repo"}, perm: "administration=" + level, repo: full}
}

func (s *Server) deployKeyRoutes() {
	s.handle("GET /repos/{owner}/{repo}/keys", s.listDeployKeys)
	s.handle("POST /repos/{owner}/{repo}/keys", s.createDeployKey)
	s.handle("GET /repos/{owner}/{repo}/keys/{key_id}", s.getDeployKey)
	s.handle("DELETE /repos/{owner}/{repo}/keys/{key_id}", s.deleteDeployKey)
}

// DeployKeys returns the deploy keys of repository full ("owner/repo"), in
// creation order.
func (s *Server) DeployKeys(full string) []DeployKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []DeployKey
	for _, k := range s.rot.keys[strings.ToLower(full)] {
		out = append(out, *k)
	}
	return out
}

func deployKeyJSON(k *DeployKey) map[string]any {
	return map[string]any{
		"id":         k.ID,
		"key":        k.Key,
		"title":      k.Title,
		"read_only":  k.ReadOnly,
		"verified":   k.Verified,
		"created_at": k.CreatedAt.UTC().Format(time.RFC3339),
	}
}

func (s *Server) listDeployKeys(w http.ResponseWriter, r *http.Request) {
	rp := s.repo(w, r)
	if rp == nil || !s.authorize(w, r, deployKeyAccess(rp.FullName(), "read")) {
		return
	}
	s.mu.Lock()
	var keys []DeployKey
	for _, k := range s.rot.keys[strings.ToLower(rp.FullName())] {
		keys = append(keys, *k)
	}
	s.mu.Unlock()
	lo, hi := s.listPage(w, r, len(keys))
	out := make([]map[string]any, 0, hi-lo)
	for i := lo; i < hi; i++ {
		out = append(out, deployKeyJSON(&keys[i]))
	}
	writeJSON(w, http.StatusOK, out)
}

// createDeployKey registers a key as GitHub does: the key must parse as an
// OpenSSH public key and be in use nowhere else on the server, as a deploy
// key is unique across GitHub. read_only defaults to false.
func (s *Server) createDeployKey(w http.ResponseWriter, r *http.Request) {
	rp := s.repo(w, r)
	if rp == nil || !s.authorize(w, r, deployKeyAccess(rp.FullName(), "write")) {
		return
	}
	var body struct {
		Title    string `json:"title"`
		Key      string `json:"key"`
		ReadOnly bool   `json:"read_only"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON")
		return
	}
	if body.Key == "" {
		invalidField(w, "PublicKey", "key", "missing_field", "")
		return
	}
	pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(body.Key))
	if err != nil {
		invalidField(w, "PublicKey", "key", "custom", "key is invalid. You must supply a key in OpenSSH public key format")
		return
	}
	key := string(bytes.TrimSpace(ssh.MarshalAuthorizedKey(pub)))
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, keys := range s.rot.keys {
		for _, k := range keys {
			if k.Key == key {
				invalidField(w, "PublicKey", "key", "custom", "key is already in use")
				return
			}
		}
	}
	s.nextID++
	k := &DeployKey{ID: s.nextID, Key: key, Title: body.Title, ReadOnly: body.ReadOnly, Verified: true, CreatedAt: s.opts.Now()}
	full := strings.ToLower(rp.FullName())
	s.rot.keys[full] = append(s.rot.keys[full], k)
	writeJSON(w, http.StatusCreated, deployKeyJSON(k))
}

// deployKey finds the request's key_id in repository full, with its index,
// or writes 404.
func (s *Server) deployKey(w http.ResponseWriter, r *http.Request, full string) (int, *DeployKey) {
	id, err := strconv.ParseInt(r.PathValue("key_id"), 10, 64)
	if err == nil {
		for i, k := range s.rot.keys[strings.ToLower(full)] {
			if k.ID == id {
				return i, k
			}
		}
	}
	writeError(w, http.StatusNotFound, "Not Found")
	return -1, nil
}

func (s *Server) getDeployKey(w http.ResponseWriter, r *http.Request) {
	rp := s.repo(w, r)
	if rp == nil || !s.authorize(w, r, deployKeyAccess(rp.FullName(), "read")) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, k := s.deployKey(w, r, rp.FullName()); k != nil {
		writeJSON(w, http.StatusOK, deployKeyJSON(k))
	}
}

func (s *Server) deleteDeployKey(w http.ResponseWriter, r *http.Request) {
	rp := s.repo(w, r)
	if rp == nil || !s.authorize(w, r, deployKeyAccess(rp.FullName(), "write")) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i, k := s.deployKey(w, r, rp.FullName())
	if k == nil {
		return
	}
	full := strings.ToLower(rp.FullName())
	keys := s.rot.keys[full]
	s.rot.keys[full] = append(keys[:i:i], keys[i+1:]...)
	w.WriteHeader(http.StatusNoContent)
}

// invalidField writes GitHub's 422 for one invalid field.
func invalidField(w http.ResponseWriter, resource, field, code, msg string) {
	e := map[string]string{"resource": resource, "field": field, "code": code}
	if msg != "" {
		e["message"] = msg
	}
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
		"message":           "Validation Failed",
		"errors":            []map[string]string{e},
		"documentation_url": "https://docs.github.com/rest",
		"status":            "422",
	})
}
