package emulator

import "strings"

// environment returns repository rp's environment named name as it was
// registered (names are case-insensitive), or "" when it has none.
func (s *Server) environment(rp *Repo, name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range rp.Environments {
		if strings.EqualFold(e, name) {
			return e
		}
	}
	return ""
}
