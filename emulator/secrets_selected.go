package emulator

import (
	"net/http"
	"strings"
)

// secretSelection finds the organization secret a repositories request is
// about (findSelection), holding s.sec.mu on success.
func (s *Server) secretSelection(f family) findSelection {
	return func(w http.ResponseWriter, r *http.Request, write, mustBeSelected bool) *selection {
		name, ok := s.containerOf(w, r, f, write)
		if !ok {
			return nil
		}
		s.sec.mu.Lock()
		sc := s.sec.get(name).secrets[strings.ToUpper(r.PathValue("secret_name"))]
		switch {
		case sc == nil:
			s.sec.mu.Unlock()
			writeError(w, http.StatusNotFound, "Not Found")
			return nil
		case mustBeSelected && sc.visibility != visibilitySelected:
			s.sec.mu.Unlock()
			writeError(w, http.StatusConflict, "Visibility of the secret is not set to selected")
			return nil
		}
		return &selection{&sc.selected, s.sec.mu.Unlock}
	}
}
