package emulator

import (
	"net/http"
	"strings"
)

// variableSelection finds the organization variable a repositories request
// is about (findSelection), holding s.vars.mu on success.
func (s *Server) variableSelection(f varFamily) findSelection {
	return func(w http.ResponseWriter, r *http.Request, write, mustBeSelected bool) *selection {
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
		case mustBeSelected && v.visibility != visibilitySelected:
			s.vars.mu.Unlock()
			writeError(w, http.StatusConflict, "Visibility of the variable is not set to selected")
			return nil
		}
		return &selection{&v.selected, s.vars.mu.Unlock}
	}
}
