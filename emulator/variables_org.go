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
		var sh *sharing
		if v := s.vars.get(name)[strings.ToUpper(r.PathValue("name"))]; v != nil {
			sh = &v.sharing
		}
		return selectionOf(w, &s.vars.mu, sh, "variable", mustBeSelected)
	}
}
