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
		var sh *sharing
		if sc := s.sec.get(name).secrets[strings.ToUpper(r.PathValue("secret_name"))]; sc != nil {
			sh = &sc.sharing
		}
		return selectionOf(w, &s.sec.mu, sh, "secret", mustBeSelected)
	}
}
