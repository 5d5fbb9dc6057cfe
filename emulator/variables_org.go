package emulator

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// orgVariable finds the organization variable a repositories request is
// about, writing 404 when there is none, and, when selected is true, 409
// unless its visibility is selected. On success the caller holds s.vars.mu.
func (s *Server) orgVariable(w http.ResponseWriter, r *http.Request, f varFamily, write, selected bool) *variable {
	name, ok := s.varContainer(w, r, f, write)
	if !ok {
		return nil
	}
	s.vars.mu.Lock()
	v := s.vars.get(name)[strings.ToUpper(r.PathValue("name"))]
	switch {
	case v == nil:
		s.vars.mu.Unlock()
		writeError(w, http.StatusNotFound, "Not Found")
		return nil
	case selected && v.visibility != visibilitySelected:
		s.vars.mu.Unlock()
		writeError(w, http.StatusConflict, "Visibility of the variable is not set to selected")
		return nil
	}
	return v
}

func (s *Server) listVariableRepos(w http.ResponseWriter, r *http.Request, f varFamily) {
	v := s.orgVariable(w, r, f, false, true)
	if v == nil {
		return
	}
	ids := append([]int64(nil), v.selected...)
	s.vars.mu.Unlock()
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

func (s *Server) setVariableRepos(w http.ResponseWriter, r *http.Request, f varFamily) {
	var body struct {
		IDs *json.RawMessage `json:"selected_repository_ids"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON")
		return
	}
	v := s.orgVariable(w, r, f, true, true)
	if v == nil {
		return
	}
	defer s.vars.mu.Unlock()
	if body.IDs == nil {
		writeError(w, http.StatusUnprocessableEntity, "Invalid request.\n\n\"selected_repository_ids\" wasn't supplied.")
		return
	}
	ids, msg := s.orgRepoIDs(r.PathValue("org"), *body.IDs)
	if msg != "" {
		writeError(w, http.StatusUnprocessableEntity, msg)
		return
	}
	v.selected = ids
	w.WriteHeader(http.StatusNoContent)
}

// addVariableRepo adds (or removes) one repository of a selected-visibility
// organization variable.
func (s *Server) addVariableRepo(w http.ResponseWriter, r *http.Request, f varFamily, add bool) {
	id, err := strconv.ParseInt(r.PathValue("repository_id"), 10, 64)
	if err != nil {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	v := s.orgVariable(w, r, f, true, true)
	if v == nil {
		return
	}
	defer s.vars.mu.Unlock()
	if s.orgRepo(r.PathValue("org"), id) == nil {
		errorf(w, http.StatusUnprocessableEntity, "Bad request - repository %d is not a repository of %s", id, r.PathValue("org"))
		return
	}
	var ids []int64
	for _, x := range v.selected {
		if x != id {
			ids = append(ids, x)
		}
	}
	if add {
		ids = append(ids, id)
	}
	v.selected = normalizeIDs(ids)
	w.WriteHeader(http.StatusNoContent)
}
