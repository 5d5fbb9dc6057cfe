package emulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// Actions variables, as GitHub documents them ("Store information in
// variables" and the REST reference): names follow the secrets' rules and
// are kept in upper case; a value is at most 48 KB; a repository holds at
// most 500 variables, an environment 100, an organization 1,000. GitHub's
// 256 KB total is how much of them a workflow run sees, not a limit on
// writing, so it is not enforced here. Lists page 10 at a time by default,
// at most 30.

type variable struct {
	name             string // upper case
	value            string
	created, updated time.Time
	sharing          // organization variables only
}

// varStore holds every container's variables, by lower-case container name
// (containerName), then by upper-case variable name.
type varStore struct {
	mu   sync.Mutex
	vars map[string]map[string]*variable
}

// get returns container name's variables, creating the set. The caller
// holds st.mu.
func (st *varStore) get(name string) map[string]*variable {
	if st.vars == nil {
		st.vars = map[string]map[string]*variable{}
	}
	k := strings.ToLower(name)
	if st.vars[k] == nil {
		st.vars[k] = map[string]*variable{}
	}
	return st.vars[k]
}

// varFamily is the variables of one level, with the access GitHub asks.
type varFamily struct {
	level  level
	base   string   // the collection's path template
	scopes []string // classic scopes that grant access
	perm   string   // fine-grained permission
	max    int      // how many variables one container may hold
}

func (s *Server) variableRoutes() {
	fams := []varFamily{
		{repoLevel, "/repos/{owner}/{repo}/actions/variables", []string{"repo"}, "variables", 500},
		{envLevel, "/repos/{owner}/{repo}/environments/{environment_name}/variables", []string{"repo"}, "environments", 100},
		{orgLevel, "/orgs/{org}/actions/variables", []string{"admin:org"}, "organization_variables", 1000},
	}
	for _, f := range fams {
		s.handle("GET "+f.base, func(w http.ResponseWriter, r *http.Request) { s.listVariables(w, r, f) })
		s.handle("POST "+f.base, func(w http.ResponseWriter, r *http.Request) { s.createVariable(w, r, f) })
		s.handle("GET "+f.base+"/{name}", func(w http.ResponseWriter, r *http.Request) { s.getVariable(w, r, f) })
		s.handle("PATCH "+f.base+"/{name}", func(w http.ResponseWriter, r *http.Request) { s.updateVariable(w, r, f) })
		s.handle("DELETE "+f.base+"/{name}", func(w http.ResponseWriter, r *http.Request) { s.deleteVariable(w, r, f) })
		if f.level == orgLevel {
			// A variable's selection is listed only for visibility
			// selected; GitHub answers 409 otherwise.
			s.selectionRoutes(f.base+"/{name}", s.variableSelection(f), true)
		}
	}
}

// varContainer finds the request's container as containerOf does for
// secrets: the repository, environment or organization must exist and the
// token may read (or write) its variables.
func (s *Server) varContainer(w http.ResponseWriter, r *http.Request, f varFamily, write bool) (string, bool) {
	lvl := "read"
	if write {
		lvl = "write"
	}
	return s.container(w, r, actionsKind, f.level, access{scopes: f.scopes, perm: f.perm + "=" + lvl})
}

func (s *Server) variableJSON(r *http.Request, f varFamily, v *variable) map[string]any {
	m := map[string]any{
		"name":       v.name,
		"value":      v.value,
		"created_at": v.created.UTC().Format(time.RFC3339),
		"updated_at": v.updated.UTC().Format(time.RFC3339),
	}
	if f.level == orgLevel {
		s.addSharing(r, m, &v.sharing, "/orgs/"+url.PathEscape(r.PathValue("org"))+"/actions/variables/"+url.PathEscape(v.name))
	}
	return m
}

func sortedVariables(vars map[string]*variable) []*variable {
	out := make([]*variable, 0, len(vars))
	for _, v := range vars {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func (s *Server) listVariables(w http.ResponseWriter, r *http.Request, f varFamily) {
	name, ok := s.varContainer(w, r, f, false)
	if !ok {
		return
	}
	s.vars.mu.Lock()
	all := make([]map[string]any, 0)
	for _, v := range sortedVariables(s.vars.get(name)) {
		all = append(all, s.variableJSON(r, f, v))
	}
	s.vars.mu.Unlock()
	lo, hi := s.sizedPage(w, r, len(all), 10, 30)
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(all), "variables": all[lo:hi]})
}

func (s *Server) getVariable(w http.ResponseWriter, r *http.Request, f varFamily) {
	name, ok := s.varContainer(w, r, f, false)
	if !ok {
		return
	}
	s.vars.mu.Lock()
	var body map[string]any
	if v := s.vars.get(name)[strings.ToUpper(r.PathValue("name"))]; v != nil {
		body = s.variableJSON(r, f, v)
	}
	s.vars.mu.Unlock()
	if body == nil {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// variableBody is the body of a variable's POST or PATCH.
type variableBody struct {
	Name        *string          `json:"name"`
	Value       *string          `json:"value"`
	Visibility  *string          `json:"visibility"`
	SelectedIDs *json.RawMessage `json:"selected_repository_ids"`
}

// readVariableBody decodes and checks what every variable write sends: a
// valid name and value when given, a known visibility, repository ids of
// the organization only with visibility selected. It writes the refusal
// and returns false when the body is not acceptable.
func (s *Server) readVariableBody(w http.ResponseWriter, r *http.Request, f varFamily, body *variableBody, selected *[]int64) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(body); err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON")
		return false
	}
	if body.Name != nil {
		if msg := nameProblem(*body.Name); msg != "" {
			invalidField(w, "Variable", "name", "invalid", "variable "+msg)
			return false
		}
	}
	if body.Value != nil {
		if *body.Value == "" {
			invalidField(w, "Variable", "value", "missing_field", "value can't be blank")
			return false
		}
		if len(*body.Value) > maxValueSize {
			invalidField(w, "Variable", "value", "invalid", "value is larger than 48 KB")
			return false
		}
	}
	if f.level != orgLevel {
		return true
	}
	if body.Visibility != nil && !validVisibility(*body.Visibility) {
		writeError(w, http.StatusUnprocessableEntity, "Invalid request.\n\nvisibility must be one of all, private, selected.")
		return false
	}
	if body.SelectedIDs != nil {
		ids, msg := s.orgRepoIDs(r.PathValue("org"), *body.SelectedIDs)
		if msg != "" {
			writeError(w, http.StatusUnprocessableEntity, msg)
			return false
		}
		*selected = ids
	}
	return true
}

// createVariable answers 201 for a new variable and 409 when one of that
// name (in any case) exists.
func (s *Server) createVariable(w http.ResponseWriter, r *http.Request, f varFamily) {
	name, ok := s.varContainer(w, r, f, true)
	if !ok {
		return
	}
	var body variableBody
	var selected []int64
	if !s.readVariableBody(w, r, f, &body, &selected) {
		return
	}
	switch {
	case body.Name == nil:
		invalidField(w, "Variable", "name", "missing_field", "")
		return
	case body.Value == nil:
		invalidField(w, "Variable", "value", "missing_field", "")
		return
	case f.level == orgLevel && body.Visibility == nil:
		invalidField(w, "Variable", "visibility", "missing_field", "")
		return
	case f.level == orgLevel && body.SelectedIDs != nil && *body.Visibility != visibilitySelected:
		writeError(w, http.StatusUnprocessableEntity, "Bad request - selected_repository_ids can only be given with visibility selected")
		return
	}
	key := strings.ToUpper(*body.Name)
	s.vars.mu.Lock()
	defer s.vars.mu.Unlock()
	vars := s.vars.get(name)
	if vars[key] != nil {
		errorf(w, http.StatusConflict, "Variable %s already exists", key)
		return
	}
	if len(vars) >= f.max {
		errorf(w, http.StatusUnprocessableEntity, "Bad request - a %s can have at most %d variables", scopeWord(f.level), f.max)
		return
	}
	now := s.opts.Now()
	v := &variable{name: key, value: *body.Value, created: now, updated: now}
	if f.level == orgLevel {
		v.share(*body.Visibility, selected, body.SelectedIDs != nil)
	}
	vars[key] = v
	writeJSON(w, http.StatusCreated, struct{}{})
}

// updateVariable changes a variable's value, name, visibility or selected
// repositories; it answers 204.
func (s *Server) updateVariable(w http.ResponseWriter, r *http.Request, f varFamily) {
	name, ok := s.varContainer(w, r, f, true)
	if !ok {
		return
	}
	var body variableBody
	var selected []int64
	if !s.readVariableBody(w, r, f, &body, &selected) {
		return
	}
	key := strings.ToUpper(r.PathValue("name"))
	s.vars.mu.Lock()
	defer s.vars.mu.Unlock()
	vars := s.vars.get(name)
	v := vars[key]
	if v == nil {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	vis := v.visibility
	if body.Visibility != nil {
		vis = *body.Visibility
	}
	if body.SelectedIDs != nil && vis != visibilitySelected {
		writeError(w, http.StatusUnprocessableEntity, "Bad request - selected_repository_ids can only be given with visibility selected")
		return
	}
	if body.Name != nil {
		if to := strings.ToUpper(*body.Name); to != key {
			if vars[to] != nil {
				errorf(w, http.StatusConflict, "Variable %s already exists", to)
				return
			}
			delete(vars, key)
			v.name = to
			vars[to] = v
		}
	}
	if body.Value != nil {
		v.value = *body.Value
	}
	if f.level == orgLevel {
		v.share(vis, selected, body.SelectedIDs != nil)
	}
	v.updated = s.opts.Now()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) deleteVariable(w http.ResponseWriter, r *http.Request, f varFamily) {
	name, ok := s.varContainer(w, r, f, true)
	if !ok {
		return
	}
	key := strings.ToUpper(r.PathValue("name"))
	s.vars.mu.Lock()
	vars := s.vars.get(name)
	_, found := vars[key]
	delete(vars, key)
	s.vars.mu.Unlock()
	if !found {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
