package emulator

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
)

// sharing is what an organization secret or variable has beside its value:
// its visibility and, for visibility selected, the repositories selected.
type sharing struct {
	visibility string
	selected   []int64 // repository ids, sorted
}

// share sets the visibility. Any visibility but selected clears the
// selection; with selected, ids replace it when given is true (the request
// sent them), and it stays as it was otherwise.
func (sh *sharing) share(visibility string, ids []int64, given bool) {
	sh.visibility = visibility
	switch {
	case visibility != visibilitySelected:
		sh.selected = nil
	case given:
		sh.selected = ids
	}
}

// addSharing adds to m, an organization item as GitHub shows it, its
// visibility and, for visibility selected, the URL of its repositories:
// item is the item's path, such as "/orgs/acme/actions/secrets/TOKEN".
func (s *Server) addSharing(r *http.Request, m map[string]any, sh *sharing, item string) {
	m["visibility"] = sh.visibility
	if sh.visibility == visibilitySelected {
		m["selected_repositories_url"] = s.apiURL(r, item+"/repositories")
	}
}

// A selection is the repositories selected for an organization secret or
// variable of visibility selected, held under its store's lock.
type selection struct {
	ids    *[]int64
	unlock func()
}

// selectionOf answers a findSelection for sh, the organization secret or
// variable (what) that the request is about, found with mu held; nil when
// there is none. It writes GitHub's 404, or its 409 when mustBeSelected and
// the visibility is not selected, and unlocks mu, when it returns nil.
func selectionOf(w http.ResponseWriter, mu *sync.Mutex, sh *sharing, what string, mustBeSelected bool) *selection {
	switch {
	case sh == nil:
		mu.Unlock()
		writeError(w, http.StatusNotFound, "Not Found")
		return nil
	case mustBeSelected && sh.visibility != visibilitySelected:
		mu.Unlock()
		writeError(w, http.StatusConflict, "Visibility of the "+what+" is not set to selected")
		return nil
	}
	return &selection{&sh.selected, mu.Unlock}
}

// findSelection locates the request's selection. For a write, or when the
// operation says so (variables' lists), it must be of visibility selected:
// otherwise GitHub answers 409. It writes the refusal and returns nil,
// unlocked, when there is none.
type findSelection func(w http.ResponseWriter, r *http.Request, write, mustBeSelected bool) *selection

// selectionRoutes registers the four operations on the repositories of an
// organization secret or variable at base+"/{name}/repositories".
func (s *Server) selectionRoutes(item string, find findSelection, listNeedsSelected bool) {
	s.handle("GET "+item+"/repositories", func(w http.ResponseWriter, r *http.Request) { s.listSelection(w, r, find, listNeedsSelected) })
	s.handle("PUT "+item+"/repositories", func(w http.ResponseWriter, r *http.Request) { s.setSelection(w, r, find) })
	s.handle("PUT "+item+"/repositories/{repository_id}", func(w http.ResponseWriter, r *http.Request) { s.changeSelection(w, r, find, true) })
	s.handle("DELETE "+item+"/repositories/{repository_id}", func(w http.ResponseWriter, r *http.Request) { s.changeSelection(w, r, find, false) })
}

func (s *Server) listSelection(w http.ResponseWriter, r *http.Request, find findSelection, mustBeSelected bool) {
	sel := find(w, r, false, mustBeSelected)
	if sel == nil {
		return
	}
	ids := append([]int64(nil), *sel.ids...)
	sel.unlock()
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

func (s *Server) setSelection(w http.ResponseWriter, r *http.Request, find findSelection) {
	var body struct {
		IDs *json.RawMessage `json:"selected_repository_ids"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON")
		return
	}
	sel := find(w, r, true, true)
	if sel == nil {
		return
	}
	defer sel.unlock()
	if body.IDs == nil {
		writeError(w, http.StatusUnprocessableEntity, "Invalid request.\n\n\"selected_repository_ids\" wasn't supplied.")
		return
	}
	ids, msg := s.orgRepoIDs(r.PathValue("org"), *body.IDs)
	if msg != "" {
		writeError(w, http.StatusUnprocessableEntity, msg)
		return
	}
	*sel.ids = ids
	w.WriteHeader(http.StatusNoContent)
}

// changeSelection adds (or removes) one repository of a selection.
func (s *Server) changeSelection(w http.ResponseWriter, r *http.Request, find findSelection, add bool) {
	id, err := strconv.ParseInt(r.PathValue("repository_id"), 10, 64)
	if err != nil {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	sel := find(w, r, true, true)
	if sel == nil {
		return
	}
	defer sel.unlock()
	if s.orgRepo(r.PathValue("org"), id) == nil {
		errorf(w, http.StatusUnprocessableEntity, "Bad request - repository %d is not a repository of %s", id, r.PathValue("org"))
		return
	}
	var ids []int64
	for _, x := range *sel.ids {
		if x != id {
			ids = append(ids, x)
		}
	}
	if add {
		ids = append(ids, id)
	}
	*sel.ids = normalizeIDs(ids)
	w.WriteHeader(http.StatusNoContent)
}
