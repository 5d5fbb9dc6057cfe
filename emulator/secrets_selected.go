package emulator

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// orgSecret finds the organization secret a repositories request is about,
// writing 404 when there is none. On success the caller holds s.sec.mu.
func (s *Server) orgSecret(w http.ResponseWriter, r *http.Request, f family, write bool) *secret {
	name, ok := s.containerOf(w, r, f, write)
	if !ok {
		return nil
	}
	s.sec.mu.Lock()
	sc := s.sec.get(name).secrets[strings.ToUpper(r.PathValue("secret_name"))]
	if sc == nil {
		s.sec.mu.Unlock()
		writeError(w, http.StatusNotFound, "Not Found")
	}
	return sc
}

func (s *Server) listSelected(w http.ResponseWriter, r *http.Request, f family) {
	sc := s.orgSecret(w, r, f, false)
	if sc == nil {
		return
	}
	ids := append([]int64(nil), sc.selected...)
	s.sec.mu.Unlock()
	org := r.PathValue("org")
	repos := make([]map[string]any, 0, len(ids))
	for _, id := range ids {
		if rp := s.orgRepo(org, id); rp != nil {
			repos = append(repos, repoJSON(rp))
		}
	}
	lo, hi := s.listPage(w, r, len(repos))
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(repos), "repositories": repos[lo:hi]})
}

// selectedOrgSecret is the request's organization secret, locked, when its
// visibility is selected; otherwise it writes 404 or GitHub's 409 and
// returns nil, unlocked.
func (s *Server) selectedOrgSecret(w http.ResponseWriter, r *http.Request, f family) *secret {
	sc := s.orgSecret(w, r, f, true)
	if sc == nil {
		return nil
	}
	if sc.visibility != visibilitySelected {
		s.sec.mu.Unlock()
		writeError(w, http.StatusConflict, "Visibility of the secret is not set to selected")
		return nil
	}
	return sc
}

func (s *Server) setSelected(w http.ResponseWriter, r *http.Request, f family) {
	var body struct {
		IDs *json.RawMessage `json:"selected_repository_ids"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON")
		return
	}
	sc := s.selectedOrgSecret(w, r, f)
	if sc == nil {
		return
	}
	defer s.sec.mu.Unlock()
	if body.IDs == nil {
		writeError(w, http.StatusUnprocessableEntity, "Invalid request.\n\n\"selected_repository_ids\" wasn't supplied.")
		return
	}
	ids, msg := s.orgRepoIDs(r.PathValue("org"), *body.IDs)
	if msg != "" {
		writeError(w, http.StatusUnprocessableEntity, msg)
		return
	}
	sc.selected = ids
	w.WriteHeader(http.StatusNoContent)
}

// addSelected adds (or removes) one repository of a selected-visibility
// organization secret.
func (s *Server) addSelected(w http.ResponseWriter, r *http.Request, f family, add bool) {
	id, err := strconv.ParseInt(r.PathValue("repository_id"), 10, 64)
	if err != nil {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	sc := s.selectedOrgSecret(w, r, f)
	if sc == nil {
		return
	}
	defer s.sec.mu.Unlock()
	if s.orgRepo(r.PathValue("org"), id) == nil {
		errorf(w, http.StatusUnprocessableEntity, "Bad request - repository %d is not a repository of %s", id, r.PathValue("org"))
		return
	}
	var ids []int64
	for _, x := range sc.selected {
		if x != id {
			ids = append(ids, x)
		}
	}
	if add {
		ids = append(ids, id)
	}
	sc.selected = normalizeIDs(ids)
	w.WriteHeader(http.StatusNoContent)
}
